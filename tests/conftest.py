"""Shared fixtures: an isolated HOME/config/cache per test, fixture loading, an in-process CLI."""

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

import pytest
import responses

from vibeusage.cli import Terminal, run
from vibeusage.paths import Paths, resolve_paths
from vibeusage.providers.base import FetchContext
from vibeusage.timeparse import utcnow

FIXTURES = Path(__file__).parent / "fixtures"
USAGE_URL = "https://api.anthropic.com/api/oauth/usage"

#: Variables that would let a test see the real machine's state or change the output.
_SCRUBBED = (
    "CLAUDE_CONFIG_DIR",
    "NO_COLOR",
    "VIBEUSAGE_NO_COLOR",
    "VIBEUSAGE_ENABLED_PROVIDERS",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "https_proxy",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "CODEX_HOME",
    "GH_CONFIG_DIR",
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "COPILOT_GITHUB_TOKEN",
    "GEMINI_OAUTH_CLIENT_ID",
    "GEMINI_OAUTH_CLIENT_SECRET",
    "VISUAL",
    "EDITOR",
)


def _manifest_names() -> "tuple[tuple[str, ...], tuple[str, ...]]":
    """Every registered provider's environment variables and tools (from the manifests)."""
    from vibeusage.providers import all_providers

    providers = all_providers()
    return (
        tuple(v for p in providers for v in p.env_vars),
        tuple(t for p in providers for t in p.tools),
    )


_MANIFEST_VARS, _MANIFEST_TOOLS = _manifest_names()
_SCRUBBED = tuple(dict.fromkeys(_SCRUBBED + _MANIFEST_VARS))

#: The providers' own tools: a test must never run the real ones installed on the machine.
PROVIDER_TOOLS = tuple(
    dict.fromkeys(("claude", "codex", "gemini", "gh", "security", "cursor") + _MANIFEST_TOOLS)
)


@pytest.fixture(scope="session")
def clean_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PATH with every provider tool hidden (tests add fakes in front when they want one).

    Each PATH directory that holds such a tool is replaced by a shadow directory of links to
    everything else in it, so ordinary commands (sleep, bash, python) keep working.
    """
    shadow_root = tmp_path_factory.mktemp("path")
    entries = []
    for index, directory in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        if not directory or not os.path.isdir(directory):
            continue
        names = set(os.listdir(directory))
        hidden = {n for n in names if n.split(".")[0] in PROVIDER_TOOLS}
        if not hidden:
            entries.append(directory)
            continue
        shadow = shadow_root / str(index)
        shadow.mkdir()
        for name in names - hidden:
            os.symlink(os.path.join(directory, name), shadow / name)
        entries.append(str(shadow))
    return os.pathsep.join(entries)


#: The keys of a SNAPSHOT in the JSON contract (DESIGN.md §9, plus additive ones), in order.
SNAPSHOT_KEYS = [
    "provider",
    "fetched_at",
    "source",
    "cached",
    "stale",
    "periods",
    "binding_period",
    "available_again_at",
    "overage",
    "identity",
    "status",
    "notes",
    "rate_limit_resets_available",
]


#: Names a test may resolve: loopback only (the socket tests' servers).
_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs as if the machine had no network: a name that is not loopback fails to
    resolve, so a request that escaped ``responses`` fails the way it would offline instead
    of reaching a provider. Tests that map provider hosts to 127.0.0.1 patch over this."""
    import socket

    real = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name in _LOCAL_NAMES or str(name).startswith("127."):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"the test suite resolves no name ({name})")

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


def load_fixture(relative: str) -> Any:
    """The parsed JSON of ``tests/fixtures/<relative>``."""
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


@dataclass
class Home:
    """The temporary home of one test, with vibeusage's dirs pointed inside it."""

    root: Path
    config_dir: Path
    cache_dir: Path

    @property
    def state_dir(self) -> Path:
        """Where ``VIBEUSAGE_STATE_DIR`` points (created by the first writer)."""
        return self.root.parent / "state"

    @property
    def claude_credentials(self) -> Path:
        return self.root / ".claude" / ".credentials.json"

    def write_claude_credentials(self, **overrides: Any) -> Dict[str, Any]:
        """Write Claude Code's credentials file (the real fixture shape, with overrides)."""
        data = load_fixture("claude/credentials.json")
        data["claudeAiOauth"].update(overrides)
        self.claude_credentials.parent.mkdir(parents=True, exist_ok=True)
        self.claude_credentials.write_text(json.dumps(data), encoding="utf-8")
        return data

    def write_config(self, text: str) -> Path:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        path = self.config_dir / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_path: str) -> Home:
    """Point HOME, VIBEUSAGE_CONFIG_DIR and VIBEUSAGE_CACHE_DIR at a temporary tree.

    Also scrubs provider variables and hides the providers' real tools from PATH.
    """
    root = tmp_path / "home"
    root.mkdir()
    result = Home(root, tmp_path / "config", tmp_path / "cache")
    monkeypatch.setenv("PATH", clean_path)
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("USERPROFILE", str(root))
    monkeypatch.setenv("VIBEUSAGE_CONFIG_DIR", str(result.config_dir))
    monkeypatch.setenv("VIBEUSAGE_CACHE_DIR", str(result.cache_dir))
    monkeypatch.setenv("VIBEUSAGE_STATE_DIR", str(result.state_dir))
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    return result


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class _TtyStringIO(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


@pytest.fixture
def cli(home: Home) -> Callable[..., CliResult]:
    """Run ``vibeusage`` in-process: ``cli("--json", "claude")`` -> CliResult.

    ``tty=True`` makes stdout and stderr look like a terminal; ``clock`` freezes time;
    ``stdin`` is text piped to the command (without it, stdin is empty and not a terminal).
    """

    def invoke(
        *argv: str,
        tty: bool = False,
        clock: Optional[Callable[[], Any]] = None,
        stdin: Optional[str] = None,
    ) -> CliResult:
        out, err = _TtyStringIO(tty), _TtyStringIO(tty)
        given = _TtyStringIO(True) if tty and stdin is None else None
        if stdin is not None:
            given = _TtyStringIO(False)
            given.write(stdin)
            given.seek(0)
        code = run(list(argv), Terminal(out, err, given), os.environ, clock=clock)
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke


@pytest.fixture
def mocked() -> Any:
    """A strict ``responses`` mock: unmatched requests fail, unused mocks are allowed."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def usage_calls(mock: Any) -> List[Any]:
    """The calls a ``responses`` mock saw to Claude's usage endpoint (not identity or status)."""
    return [call for call in mock.calls if call.request.url == USAGE_URL]


def all_text(result: CliResult) -> str:
    return result.out + result.err


def lines(text: str) -> List[str]:
    return [line for line in text.splitlines() if line.strip()]


def make_ctx(
    provider_id: str,
    root: Path,
    environ: Optional[Mapping[str, str]] = None,
    *,
    options: Optional[Dict[str, Any]] = None,
    auth_source: str = "auto",
    timeout: float = 5.0,
    clock: Optional[Callable[[], Any]] = None,
    platform: str = "linux",
    paths: Optional[Paths] = None,
    session: bool = True,
) -> FetchContext:
    """The context a strategy of ``provider_id`` gets from the pipeline, for direct tests.

    ``root`` is the injected home; ``environ`` defaults to the (test-isolated) process
    environment; paths follow ``VIBEUSAGE_CONFIG_DIR``/``VIBEUSAGE_CACHE_DIR`` in it.
    """
    from vibeusage.config import ProviderConfig
    from vibeusage.http import make_session
    from vibeusage.providers import providers_by_id

    env = dict(os.environ if environ is None else environ)
    provider = providers_by_id().get(provider_id)
    return FetchContext(
        environ=env,
        paths=paths or resolve_paths(env),
        home=root,
        config=ProviderConfig(auth_source=auth_source, options=dict(options or {})),
        timeout=timeout,
        session=make_session(timeout) if session else None,
        clock=clock or utcnow,
        platform=platform,
        provider_id=provider_id,
        provider_name=provider.name if provider is not None else provider_id,
    )
