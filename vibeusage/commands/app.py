"""What every command shares: streams, environment, clock, lazily loaded paths/config/registry,
argument-parser plumbing, and output that honours ``--output``."""

from __future__ import annotations

import argparse

from .. import __version__
from ..terminal import PROG, Terminal, UsageError
from .parsing import new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

    from ..config import Config
    from ..paths import Paths
    from ..providers.manifest import Provider

__all__ = ["PROG", "App", "Terminal", "UsageError", "add_output_options", "new_parser"]


class App:
    """The run's context: terminal, environment and clock, with lazily built helpers."""

    def __init__(
        self,
        terminal: Terminal,
        environ: Mapping[str, str],
        clock: Callable[[], Any],
        on_work: Optional[Callable[[], None]] = None,
    ) -> None:
        self.terminal = terminal
        self.environ = environ
        self.clock = clock
        #: Called once before the first real work (paths, config): the CLI then sets up
        #: warnings on stderr and SIGTERM handling, which ``--help`` never needs.
        self._on_work = on_work
        self._paths: Optional[Paths] = None
        self._registry: Optional[Dict[str, Provider]] = None
        self._config: Optional[Config] = None
        self._pipeline: Any = None

    @property
    def paths(self) -> Paths:
        if self._paths is None:
            from ..paths import resolve_paths

            self.start_work()  # anything that touches vibeusage's files may warn
            self._paths = resolve_paths(self.environ)
        return self._paths

    @property
    def registry(self) -> Dict[str, Provider]:
        if self._registry is None:
            from .. import providers

            self._registry = {p.id: p for p in providers.all_providers()}
        return self._registry

    @property
    def config(self) -> Config:
        if self._config is None:
            from ..config import load_config

            self.start_work()
            self._config = load_config(
                self.paths.config_file,
                {pid: p.strategy_names() for pid, p in self.registry.items()},
                self.environ,
                {pid: p.options for pid, p in self.registry.items()},
                {pid: p.option_bounds for pid, p in self.registry.items()},
            )
        return self._config

    def start_work(self) -> None:
        """Warnings on stderr and SIGTERM handling, set up once, when real work begins."""
        if self._on_work is not None:
            on_work, self._on_work = self._on_work, None
            on_work()

    def pipeline(self) -> Any:
        """The run's one pipeline, built on first use (selection and collection share it)."""
        if self._pipeline is None:
            from ..pipeline import Pipeline

            self._pipeline = Pipeline(self.config, self.paths, self.environ, clock=self.clock)
        return self._pipeline

    def provider(self, name: str, commands: Sequence[str] = ()) -> Provider:
        """The provider ``name`` names; an error saying which one was meant when none.

        ``commands`` are command names the word may also be a typo of (the usage view's).
        """
        key = name.lower()
        if key not in self.registry:
            from ..errors import ConfigError
            from .suggest import closest

            known = f"Known providers: {', '.join(self.registry)}."
            meant = closest(key, [*self.registry, *commands])
            if meant in commands:
                known = f"Did you mean the command `{PROG} {meant}`? {known}"
            elif meant is not None:
                known = f"Did you mean `{meant}`? {known}"
            raise ConfigError(f"unknown provider {name!r}", remediation=known)
        return self.registry[key]

    def named_providers(self, names: Sequence[str]) -> List[Provider]:
        selected: List[Provider] = []
        for name in names:
            provider = self.provider(name)
            if provider not in selected:
                selected.append(provider)
        return selected

    def enabled_providers(self) -> List[Provider]:
        order = self.config.enabled_providers or tuple(self.registry)
        return [
            self.registry[pid]
            for pid in order
            if pid in self.registry and self.config.provider(pid).enabled
        ]

    def color(self, args: argparse.Namespace) -> bool:
        return bool(
            self.terminal.stdout_tty
            and not getattr(args, "output", None)
            and not getattr(args, "no_color", False)
            and not self.environ.get("NO_COLOR")
            and not self.environ.get("VIBEUSAGE_NO_COLOR")
            and self.environ.get("TERM") != "dumb"
        )

    def width(self) -> Optional[int]:
        """The width to lay text out to: ``COLUMNS``, else the terminal's; None for a pipe.

        A pipe or a file has no width: its lines stay whole for the program reading them.
        """
        columns = self.environ.get("COLUMNS", "").strip()
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        if self.terminal.stdout_tty:
            import os

            try:
                return os.get_terminal_size(self.terminal.stdout.fileno()).columns or None
            except (AttributeError, OSError, ValueError):
                return None
        return None

    def help_width(self) -> int:
        """The width of help text: the terminal's, or 80 where there is none."""
        from ..terminal import DEFAULT_WIDTH

        return self.width() or DEFAULT_WIDTH

    def style(self, args: argparse.Namespace) -> Any:
        from ..views.style import Style, unicode_supported

        output = getattr(args, "output", None)
        encoding = "utf-8" if output else getattr(self.terminal.stdout, "encoding", None)
        return Style(
            color=self.color(args),
            unicode=unicode_supported(encoding),
            pace_colors=self.config.display.pace_colors,
            reset_format=self.config.display.reset_format,
            verbose=bool(getattr(args, "verbose", False)),
            width=self.width(),
        )

    def emit(self, text: str, output: Optional[str] = None) -> None:
        """Print ``text`` on stdout, or write it atomically to ``output``.

        Characters the destination cannot encode (a lone surrogate from a provider, an emoji
        on a legacy console) become ``?`` rather than failing the whole output.
        """
        encoding = "utf-8" if output else getattr(self.terminal.stdout, "encoding", None)
        text = text.encode(encoding or "utf-8", "replace").decode(encoding or "utf-8")
        if output:
            from ..store import MissingDirectory, write_output_file

            try:
                write_output_file(output, text)
            except MissingDirectory as exc:
                from ..errors import ConfigError

                raise ConfigError(
                    f"cannot write {output}: {exc.filename} does not exist",
                    remediation="Create the directory first, or choose another path.",
                ) from exc
            except OSError as exc:
                from ..disk_errors import write_failure
                from ..errors import VibeusageError

                raise write_failure(exc, output) or VibeusageError(
                    f"cannot write {output}: {exc.strerror or exc}",
                    remediation="Check that the directory exists and is writable.",
                ) from exc
            return
        self.terminal.write_out(text)

    def result(self, message: str) -> None:
        """What a command did, on stdout (``x=$(vibeusage auth claude)`` captures it)."""
        self.emit(message + "\n")

    def emit_json(self, document: Any, output: Optional[str] = None) -> None:
        """Print ``document`` as JSON through the one JSON writer of the views."""
        from ..views.json_dump import dumps

        self.emit(dumps(document), output)


def add_output_options(parser: argparse.ArgumentParser, *, json_help: str = "print JSON") -> None:
    """Options every command understands."""
    parser.add_argument("-j", "--json", action="store_true", help=json_help)
    parser.add_argument("--no-color", action="store_true", help="never use colour")
    parser.add_argument(
        "--debug", action="store_true", help="tracebacks and HTTP traces on stderr (secrets masked)"
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
