"""``vibeusage auth [PROVIDER] [--delete]``: how each provider connects, and connecting one."""

import argparse
import sys
from typing import Any, Dict, List, Optional, Tuple

from ..cache import clear_provider_cache
from ..credentials import CredentialStore
from ..errors import ErrorCategory, VibeusageError, mask_secret
from ..paths import home_dir
from ..providers.base import FetchContext, LoginIO, Provider, SecretSpec, Strategy
from .app import App, add_output_options, new_parser
from .secrets import read_secret_value


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage auth",
        description=(
            "Without a provider: which providers are connected and through what. With one: "
            "detect its tool's login, or store a session value you paste (validated first)."
        ),
    )
    parser.add_argument("provider", nargs="?", help="provider id")
    parser.add_argument(
        "--delete", action="store_true", help="remove what vibeusage stored for the provider"
    )
    parser.add_argument(
        "-f", "--force", action="store_true", help="store a value that fails the format check"
    )
    add_output_options(parser)
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    if args.provider is None:
        return _overview(app, args)
    provider = app.provider(args.provider)
    if args.delete:
        return _delete(app, args, provider)
    return _connect(app, args, provider)


def context(app: App, provider: Provider) -> FetchContext:
    return FetchContext(
        environ=app.environ,
        paths=app.paths,
        home=home_dir(app.environ),
        config=app.config.provider(provider.id),
        clock=app.clock,
        provider_id=provider.id,
        provider_name=provider.name,
    )


def connection(app: App, provider: Provider) -> Tuple[Optional[Strategy], List[str]]:
    """The strategy that would be used first (None when none is available) and every reason."""
    ctx = context(app, provider)
    chain = provider.strategies_for(app.config.provider(provider.id).auth_source)
    first: Optional[Strategy] = None
    reasons = []
    for strategy in chain:
        try:
            available = strategy.available(ctx)
            reason = strategy.explain(ctx)
        except Exception as exc:  # a broken check must not break the overview
            available, reason = False, f"{strategy.label}: check failed ({type(exc).__name__})"
        reasons.append(f"{strategy.name}: {reason}")
        if available and first is None:
            first = strategy
    return first, reasons


def _overview(app: App, args: argparse.Namespace) -> int:
    report: Dict[str, Dict[str, Any]] = {}
    for provider in app.registry.values():
        strategy, reasons = connection(app, provider)
        report[provider.id] = {
            "connected": strategy is not None,
            "strategy": strategy.name if strategy else None,
            "source": strategy.label if strategy else None,
            "enabled": app.config.provider(provider.id).enabled,
            "next_step": None if strategy else provider.setup_hint,
            "details": reasons,
        }
    if args.json:
        app.emit_json(report)
        return 0
    from tabulate import tabulate

    rows = []
    for pid, entry in report.items():
        state = "connected" if entry["connected"] else "not connected"
        if not entry["enabled"]:
            state += " (disabled)"
        rows.append([pid, state, entry["source"] or entry["next_step"]])
    app.emit(tabulate(rows, headers=["provider", "state", "source / next step"]) + "\n")
    return 0


def _connect(app: App, args: argparse.Namespace, provider: Provider) -> int:
    if provider.login is not None:
        summary = provider.login(context(app, provider), _login_io(app))
        clear_provider_cache(app.paths.cache_dir, provider.id)
        _report(app, args, provider, True, provider.name, summary)
        return 0
    strategy, _ = connection(app, provider)
    spec = provider.secret
    # A value piped in is always taken; a terminal is only asked when nothing is connected.
    piped = "" if app.terminal.stdin_tty else str(app.terminal.stdin.read()).strip()
    if spec is not None and (piped or (strategy is None and app.terminal.stdin_tty)):
        return _store_secret(app, args, provider, spec, piped or None)
    if strategy is None:
        raise VibeusageError(
            f"{provider.name} is not connected",
            ErrorCategory.AUTHENTICATION,
            remediation=provider.setup_hint
            + (f" Or pipe a {spec.label} into `vibeusage auth {provider.id}`." if spec else ""),
        )
    message = f"{provider.name} is connected through: {strategy.label}."
    if spec is not None and strategy.name != "web":
        message += f" A fallback can be stored with `vibeusage key {provider.id} set`."
    _report(app, args, provider, True, strategy.label, message)
    return 0


def _store_secret(
    app: App, args: argparse.Namespace, provider: Provider, spec: SecretSpec, given: Optional[str]
) -> int:
    if given is None:
        app.terminal.say(f"{provider.setup_hint}\nOr paste a {spec.label}.")
    value = read_secret_value(app, given, f"{spec.label}: ")
    problem = spec.check(value)
    if problem and not args.force:
        raise VibeusageError(
            f"This does not look like a {provider.name} credential: {problem}",
            ErrorCategory.CONFIGURATION,
            remediation="Check the value, or pass --force to store it anyway.",
        )
    if spec.validate is not None:
        from ..http import make_session

        reason = spec.validate(make_session(app.config.fetch.timeout), value)
        if reason is not None:
            raise VibeusageError(
                f"The {provider.name} credential was not stored: {reason}",
                ErrorCategory.AUTHENTICATION,
                remediation=f"Copy a fresh {spec.label} and try again.",
            )
    path = CredentialStore(app.paths).write(provider.id, spec.name, value)
    clear_provider_cache(app.paths.cache_dir, provider.id)
    _report(
        app,
        args,
        provider,
        True,
        spec.label,
        f"Stored {mask_secret(value)} in {path}; {provider.name} is connected.",
    )
    return 0


def _delete(app: App, args: argparse.Namespace, provider: Provider) -> int:
    spec = provider.secret
    deleted = spec is not None and CredentialStore(app.paths).delete(provider.id, spec.name)
    clear_provider_cache(app.paths.cache_dir, provider.id)
    message = (
        f"Deleted what vibeusage stored for {provider.name}; other tools' logins are untouched."
        if deleted
        else f"vibeusage had nothing stored for {provider.name}."
    )
    _report(app, args, provider, False, None, message, deleted=deleted)
    return 0


def _login_io(app: App) -> LoginIO:
    terminal = app.terminal

    def open_url(url: str) -> bool:
        desktop = app.environ.get("DISPLAY") or app.environ.get("WAYLAND_DISPLAY")
        if not terminal.stdin_tty or not (desktop or sys.platform in ("darwin", "win32")):
            return False
        import webbrowser

        try:
            return bool(webbrowser.open(url))
        except Exception:  # no browser is not an error: the URL was printed
            return False

    return LoginIO(notify=terminal.say, open_url=open_url, interactive=terminal.stdin_tty)


def _report(
    app: App,
    args: argparse.Namespace,
    provider: Provider,
    connected: bool,
    source: Optional[str],
    message: str,
    **extra: Any,
) -> None:
    if args.json:
        app.emit_json({"provider": provider.id, "connected": connected, "source": source, **extra})
    else:
        app.terminal.say(message)
