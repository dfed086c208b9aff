"""Bad local files: the config, vibeusage's caches and own credentials, and every provider
credential file, each broken every way a disk can break it.

Broken or truncated JSON, binary junk, an empty file, a directory in place of the file and an
unreadable file must give a clear message that names the file (or at least the provider and
the problem), the right exit code (DESIGN.md §8), no traceback — and leave the file exactly
as it was: vibeusage reads other tools' files and never repairs anything by overwriting it,
except its own caches, which only a complete, successful write may replace.
"""

import builtins
import errno
import io
import json
import os
import pathlib
import random
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

from tests import faults
from tests.conftest import CliResult, Home
from tests.faults import PROVIDER_IDS, SETUPS

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: The real ``open``, for the test's own reads while ``deny_reading`` is in force.
_REAL_OPEN = io.open
BINARY_JUNK = bytes(random.Random(9).randrange(256) for _ in range(512)) + b"\xff\xfe\x00"


# --- breaking a file, and proving it was left alone -------------------------------------------


@dataclass
class State:
    """What a path looked like before the run."""

    path: Path
    is_dir: bool
    data: Optional[bytes]
    mode: int
    mtime_ns: int
    listing: Optional[List[str]]

    @classmethod
    def of(cls, path: Path, data: Optional[bytes]) -> "State":
        info = path.stat()
        listing = sorted(os.listdir(path)) if path.is_dir() else None
        return cls(path, path.is_dir(), data, info.st_mode, info.st_mtime_ns, listing)

    def assert_untouched(self) -> None:
        info = self.path.stat()
        assert stat.S_ISDIR(info.st_mode) == self.is_dir, f"{self.path} changed kind"
        assert oct(info.st_mode) == oct(self.mode), f"{self.path} changed permissions"
        assert info.st_mtime_ns == self.mtime_ns, f"{self.path} was rewritten"
        if self.is_dir:
            assert sorted(os.listdir(self.path)) == self.listing, f"{self.path} was filled"
        else:
            os.chmod(self.path, 0o600)  # an unreadable file: read it back for the comparison
            try:
                assert read(self.path) == self.data, f"{self.path} changed"
            finally:
                os.chmod(self.path, stat.S_IMODE(self.mode))


VARIANTS = (
    "broken-json",
    "truncated",
    "binary-junk",
    "empty",
    "wrong-shape",
    "directory",
    "unreadable",
    "unreadable-emulated",
)


def break_file(
    path: Path,
    variant: str,
    valid: bytes,
    monkeypatch: pytest.MonkeyPatch,
    broken: Optional[bytes] = None,
    wrong_shape: bytes = b"[]",
    truncated: Optional[bytes] = None,
) -> State:
    """Put a broken ``path`` in place (``valid`` is what a good file holds)."""
    if variant == "unreadable" and IS_ROOT:
        pytest.skip("root can read a mode-000 file (see the -emulated variant)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if variant == "directory":
        path.mkdir()
        return State.of(path, None)
    content = {
        "broken-json": broken if broken is not None else valid.replace(b":", b"=", 1),
        "truncated": truncated if truncated is not None else valid[: len(valid) // 2],
        "binary-junk": BINARY_JUNK,
        "empty": b"",
        "wrong-shape": wrong_shape,
        "unreadable": valid,
        "unreadable-emulated": valid,
    }[variant]
    path.write_bytes(content)
    os.chmod(path, 0o600)  # how every tool keeps its secrets (0644 would be tightened)
    if variant == "unreadable":
        os.chmod(path, 0)
    if variant == "unreadable-emulated":
        deny_reading(monkeypatch, path)
    return State.of(path, content)


def read(path: Path) -> bytes:
    with _REAL_OPEN(path, "rb") as handle:
        return bytes(handle.read())


def deny_reading(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Opening ``path`` fails as it does for a mode-000 file when not root (stat still works)."""
    target = os.path.realpath(path)
    real_open = io.open
    real_connect = sqlite3.connect

    def denied(name: Any) -> bool:
        try:
            text = os.fsdecode(name)
        except TypeError:
            return False
        if text.startswith("file:"):
            from urllib.parse import unquote, urlparse

            text = unquote(urlparse(text).path)
        return os.path.realpath(text) == target

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(file, int) and denied(file):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    def guarded_connect(database: Any, *args: Any, **kwargs: Any) -> Any:
        if denied(database):
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(database, *args, **kwargs)

    real_path_open = pathlib.Path.open

    def guarded_path_open(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Before 3.11 pathlib bound io.open at import time; patch its own entry point too.
        if denied(self):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(self))
        return real_path_open(self, *args, **kwargs)

    real_os_open = os.open

    def guarded_os_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> Any:
        if denied(file):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(pathlib.Path, "open", guarded_path_open)
    monkeypatch.setattr(sqlite3, "connect", guarded_connect)


def assert_no_leftovers(*directories: Path) -> None:
    """No temporary file of an atomic write was left behind."""
    for directory in directories:
        for path in faults.files_under(directory):
            assert not path.name.endswith(".tmp"), f"left behind: {path}"


def shown(result: CliResult) -> str:
    return result.out + result.err


# --- the config file ----------------------------------------------------------------------------

VALID_CONFIG = b'[fetch]\ntimeout = 20\n\n[providers.codex]\nauth_source = "oauth"\n'


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v not in ("empty", "wrong-shape")])
@pytest.mark.parametrize("argv", [["--json"], ["codex", "--json"], ["codex"]])
def test_bad_config_file_exits_4_naming_the_file_and_leaves_it_alone(
    variant: str,
    argv: List[str],
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    faults.install_codex(home)
    path = home.config_dir / "config.toml"
    state = break_file(path, variant, VALID_CONFIG, monkeypatch, broken=b'[fetch\ntimeout = "20\n')
    result = cli(*argv)
    faults.assert_clean_output(result)
    assert result.code == 4, shown(result)
    assert str(path) in result.err
    assert result.out == ""  # nothing half-done on stdout
    assert len(mocked.calls) == 0
    state.assert_untouched()


@pytest.mark.parametrize(
    "text, key",
    [
        (b'[fetch]\ntimeout = "soon"\n', "fetch.timeout"),
        (b"[providers]\ncodex = 3\n", "providers.codex"),
        (b'[providers.codex]\nauth_source = "magic"\n', "providers.codex.auth_source"),
        (b"enabled_providers = {codex = true}\n", "enabled_providers"),
        (b"[display]\npace_colors = 1\n", "display.pace_colors"),
    ],
)
def test_config_with_wrong_types_exits_4_naming_file_and_key(
    text: bytes, key: str, home: Home, cli: Callable[..., CliResult]
) -> None:
    path = home.write_config("")
    path.write_bytes(text)
    before = State.of(path, text)
    result = cli("--json")
    faults.assert_clean_output(result)
    assert result.code == 4
    assert str(path) in result.err and key in result.err
    before.assert_untouched()


@pytest.mark.parametrize("variant", ["broken-json", "binary-junk", "directory"])
def test_doctor_reports_a_bad_config_file_instead_of_crashing(
    variant: str, home: Home, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    path = home.config_dir / "config.toml"
    state = break_file(path, variant, VALID_CONFIG, monkeypatch, broken=b"[fetch\n")
    result = cli("doctor", "--json")
    faults.assert_clean_output(result)
    report = result.json()
    assert report["config"]["valid"] is False
    assert str(path) in report["config"]["error"]
    state.assert_untouched()


# --- vibeusage's caches: snapshots, failure gates, identity ----------------------------------


@dataclass(frozen=True)
class CacheFile:
    name: str
    provider: str
    path: Callable[[Home], Path]
    #: True: a successful run writes a fresh, valid file over a broken one.
    rewritten_on_success: bool


def _under_cache(*parts: str) -> Callable[[Home], Path]:
    return lambda home: home.cache_dir.joinpath(*parts)


CACHE_FILES = [
    *(
        CacheFile(f"snapshot-{p}", p, _under_cache("snapshots", f"{p}.json"), True)
        for p in PROVIDER_IDS
    ),
    # A success clears the strategy's failures: with none readable, nothing is written.
    *(CacheFile(f"gate-{p}", p, _under_cache("gate", f"{p}.json"), False) for p in PROVIDER_IDS),
    CacheFile(
        "identity-claude", "claude", _under_cache("providers", "claude", "identity.json"), True
    ),
]
CACHE_VARIANTS = [v for v in VARIANTS if v != "empty"] + ["empty"]
VALID_CACHE = b'{"schema_version": 1, "snapshot": {"provider": "x"}}\n'


def assert_valid_json_or_untouched(state: State) -> None:
    path = state.path
    if path.is_dir():
        state.assert_untouched()
        return
    try:
        json.loads(read(path).decode("utf-8"))
    except (OSError, ValueError):
        state.assert_untouched()  # not rewritten: then exactly as it was


@pytest.mark.parametrize("variant", CACHE_VARIANTS)
@pytest.mark.parametrize("cache_file", CACHE_FILES, ids=[c.name for c in CACHE_FILES])
def test_bad_cache_file_is_ignored_and_only_a_successful_write_replaces_it(
    cache_file: CacheFile,
    variant: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    provider = cache_file.provider
    faults.set_up([provider], home, monkeypatch)
    faults.answer_healthy(mocked, provider)
    path = cache_file.path(home)
    state = break_file(
        path, variant, VALID_CACHE, monkeypatch, wrong_shape=b'{"codex": [1, {"x": null}]}'
    )
    result = cli(provider, "--json")  # no --refresh: the cache and the gate are consulted
    faults.assert_clean_output(result)
    assert result.code == 0, shown(result)
    snapshot = result.json()
    assert snapshot["cached"] is False and snapshot["stale"] is False
    assert "error" not in snapshot
    faults.snapshot_is_sane(snapshot)
    if variant == "directory":
        state.assert_untouched()
    elif cache_file.rewritten_on_success:
        document = json.loads(read(path).decode("utf-8"))
        assert isinstance(document, dict) and document  # a complete, fresh file
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    else:
        assert_valid_json_or_untouched(state)
    assert_no_leftovers(home.cache_dir)


@pytest.mark.parametrize("variant", CACHE_VARIANTS)
@pytest.mark.parametrize("kind", ["snapshot", "gate"])
def test_bad_cache_file_with_a_failing_provider_gives_the_error_not_a_crash(
    kind: str,
    variant: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    faults.set_up(["codex"], home, monkeypatch)
    mocked.add("GET", faults.CODEX_USAGE, status=503)
    path = home.cache_dir / ("snapshots" if kind == "snapshot" else "gate") / "codex.json"
    state = break_file(path, variant, VALID_CACHE, monkeypatch)
    result = cli("codex", "--json")
    faults.assert_clean_output(result)
    error = faults.error_of(result)  # no stale data made up from a broken snapshot
    assert (error["category"], result.code) == ("provider", 1)
    if kind == "snapshot":
        state.assert_untouched()  # nothing succeeded: nothing may replace it
    else:
        assert_valid_json_or_untouched(state)  # the failure is recorded, completely or not
    assert_no_leftovers(home.cache_dir)


@pytest.mark.parametrize("variant", CACHE_VARIANTS)
def test_bad_snapshot_with_offline_says_there_is_no_cache(
    variant: str, home: Home, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    faults.set_up(["codex"], home, monkeypatch)
    path = home.cache_dir / "snapshots" / "codex.json"
    state = break_file(path, variant, VALID_CACHE, monkeypatch)
    result = cli("codex", "--json", "--offline")
    faults.assert_clean_output(result)
    error = faults.error_of(result)
    assert (error["category"], result.code) == ("network", 3)
    state.assert_untouched()


# --- vibeusage's own credentials --------------------------------------------------------------


@dataclass(frozen=True)
class OwnSecret:
    provider: str
    name: str
    strategy: str
    value: str
    extra_config: str = ""


OWN_SECRETS = [
    OwnSecret("claude", "session_key", "web", faults.CLAUDE_SESSION_KEY),
    OwnSecret("copilot", "token", "device_flow", faults.COPILOT_TOKEN),
    OwnSecret("cursor", "session", "web", faults.CURSOR_SESSION, "browser_cookies = false\n"),
    OwnSecret("zai", "api_key", "api_key", faults.ZAI_KEY),
    OwnSecret("minimax", "api_key", "api_key", faults.MINIMAX_KEY),
    OwnSecret("factory", "api_key", "api_key", faults.FACTORY_KEY),
    OwnSecret("augment", "session", "oauth", faults.AUGMENT_SESSION),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("secret", OWN_SECRETS, ids=[s.provider for s in OWN_SECRETS])
def test_bad_own_credential_file_is_an_authentication_error_naming_the_file(
    secret: OwnSecret,
    variant: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    home.write_config(
        f'[providers.{secret.provider}]\nauth_source = "{secret.strategy}"\n' + secret.extra_config
    )
    path = faults.own_credential_path(home, secret.provider, secret.name)
    valid = json.dumps({"value": secret.value, "created_at": "2026-01-01T00:00:00+00:00"})
    # Keep vibeusage's own directory modes, so that nothing needs tightening.
    path.parent.mkdir(parents=True)
    os.chmod(path.parent.parent, 0o700)
    os.chmod(path.parent, 0o700)
    state = break_file(path, variant, valid.encode(), monkeypatch, wrong_shape=b'{"value": null}')
    result = cli(secret.provider, "--json", "--refresh")
    faults.assert_clean_output(result)
    error = faults.error_of(result)
    assert (error["category"], result.code) == ("authentication", 2), error
    assert_names_file_or_no_login(error, path, secret.provider, variant)
    assert len(mocked.calls) == 0  # nothing is sent with a secret that could not be read
    state.assert_untouched()


# --- what the message must say -----------------------------------------------------------------

#: Where the strategy is simply *not available* (DESIGN.md §4: availability is a cheap local
#: check, "a file exists"), so the run ends with the provider's generic "No <Provider>
#: credentials found" and its setup hint rather than a message about the file:
#: - a directory in place of a file that availability checks with ``is_file()``;
#: - gh's hosts.yml, whose reader documents that junk is ignored (tokens.parse_gh_hosts):
#:   a hosts.yml without a readable token is "no gh login" (but a directory in its place is
#:   unreadable, and that is said with the file's name).
GENERIC_NO_LOGIN = {
    ("claude", "directory"),  # the stored claude.ai session key (web strategy)
    ("claude-credentials", "directory"),
    ("codex-auth", "directory"),
    ("gemini-oauth-creds", "directory"),
    ("cursor-state-db", "directory"),
    ("augment-session", "directory"),
    ("kiro-state-db", "directory"),
    *(("gh-hosts", v) for v in ("broken-json", "truncated", "binary-junk", "empty", "wrong-shape")),
}
NAMES = {
    "claude": "Claude",
    "codex": "Codex",
    "copilot": "GitHub Copilot",
    "cursor": "Cursor",
    "gemini": "Gemini",
    "zai": "Z.ai",
    "minimax": "MiniMax",
    "factory": "Factory",
    "augment": "Augment",
    "kiro": "Kiro",
    "antigravity": "Antigravity",
}


def assert_names_file_or_no_login(
    error: Dict[str, Any], path: Path, case: str, variant: str
) -> None:
    text = error["message"] + " " + error["remediation"]
    if (case, variant) in GENERIC_NO_LOGIN:
        assert error["message"] == f"No {NAMES[error['provider']]} credentials found", error
    else:
        assert str(path) in text, f"the message does not name {path}: {error}"


# --- the providers' own credential files (read only, never repaired) --------------------------


def _sqlite_with_token(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path))
    connection.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    connection.execute(
        "INSERT INTO ItemTable VALUES ('cursorAuth/accessToken', ?)", (faults.CURSOR_JWT,)
    )
    connection.commit()
    connection.close()
    data = path.read_bytes()
    path.unlink()
    return data


@dataclass(frozen=True)
class ToolFile:
    name: str
    provider: str
    strategy: str
    path: Callable[[Home], Path]
    valid: Callable[[Home], bytes]
    broken: Optional[bytes] = None
    wrong_shape: bytes = b"[]"
    extra_config: str = ""
    truncated: Optional[bytes] = None


def _claude_valid(home: Home) -> bytes:
    faults.install_claude(home)
    data = faults.claude_credentials_path(home).read_bytes()
    faults.claude_credentials_path(home).unlink()
    return data


def _codex_valid(home: Home) -> bytes:
    faults.install_codex(home)
    data = faults.codex_auth_path(home).read_bytes()
    faults.codex_auth_path(home).unlink()
    return data


def _gemini_valid(home: Home) -> bytes:
    faults.install_gemini(home)
    data = faults.gemini_creds_path(home).read_bytes()
    faults.gemini_creds_path(home).unlink()
    return data


def _kiro_valid(home: Home) -> bytes:
    faults.install_kiro(home)
    data = faults.kiro_state_path(home).read_bytes()
    faults.kiro_state_path(home).unlink()
    return data


def _antigravity_valid(home: Home) -> bytes:
    faults.install_antigravity(home)
    data = faults.antigravity_token_path(home).read_bytes()
    faults.antigravity_token_path(home).unlink()  # its folder stays: agy has run here
    return data


GH_HOSTS = f"github.com:\n    oauth_token: {faults.COPILOT_TOKEN}\n    user: octocat\n".encode()

TOOL_FILES = [
    ToolFile(
        "claude-credentials",
        "claude",
        "oauth",
        faults.claude_credentials_path,
        _claude_valid,
        wrong_shape=b'{"claudeAiOauth": {"accessToken": 12}}',
    ),
    ToolFile(
        "codex-auth",
        "codex",
        "oauth",
        faults.codex_auth_path,
        _codex_valid,
        wrong_shape=b'{"tokens": ["access_token"]}',
    ),
    ToolFile(
        "gemini-oauth-creds",
        "gemini",
        "oauth",
        faults.gemini_creds_path,
        _gemini_valid,
        wrong_shape=b'{"access_token": null, "refresh_token": {}}',
    ),
    ToolFile(
        "gh-hosts",
        "copilot",
        "gh",
        faults.gh_hosts_path,
        lambda home: GH_HOSTS,
        # YAML broken the way a bad hand edit breaks it: the token under the wrong host.
        broken=b"github.com\n    oauth_token " + faults.COPILOT_TOKEN.encode() + b"\n",
        wrong_shape=b"- github.com\n- oauth_token\n",
        # Cut before the token (cut inside it, what is left is still a token to try).
        truncated=b"github.com:\n    oauth_tok",
    ),
    ToolFile(
        "cursor-state-db",
        "cursor",
        "web",
        faults.cursor_state_db_path,
        lambda home: _sqlite_with_token(faults.cursor_state_db_path(home)),
        broken=b"SQLite format 3\x00" + b"\x00" * 84 + b"this is not the rest of a database",
        wrong_shape=b"not a database at all\n" * 50,
        extra_config="browser_cookies = false\n",
    ),
    ToolFile(
        "augment-session",
        "augment",
        "oauth",
        faults.augment_session_path,
        lambda home: faults.AUGMENT_SESSION.encode(),
        wrong_shape=b'{"accessToken": 12, "tenantURL": ["x"]}',
    ),
    ToolFile(
        "kiro-state-db",
        "kiro",
        "api",
        faults.kiro_state_path,
        _kiro_valid,
        broken=b"SQLite format 3\x00" + b"\x00" * 84 + b"this is not the rest of a database",
        wrong_shape=b"not a database at all\n" * 50,
    ),
    ToolFile(
        "antigravity-token-file",
        "antigravity",
        "oauth",
        faults.antigravity_token_path,
        _antigravity_valid,
        wrong_shape=b'{"token": {"access_token": 12}}',
    ),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("tool_file", TOOL_FILES, ids=[t.name for t in TOOL_FILES])
def test_bad_provider_credential_file_is_a_clear_authentication_error(
    tool_file: ToolFile,
    variant: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    home.write_config(
        f'[providers.{tool_file.provider}]\nauth_source = "{tool_file.strategy}"\n'
        + tool_file.extra_config
    )
    path = tool_file.path(home)
    state = break_file(
        path,
        variant,
        tool_file.valid(home),
        monkeypatch,
        broken=tool_file.broken,
        wrong_shape=tool_file.wrong_shape,
        truncated=tool_file.truncated,
    )
    result = cli(tool_file.provider, "--json", "--refresh")
    faults.assert_clean_output(result)
    error = faults.error_of(result)
    assert (error["category"], result.code) == ("authentication", 2), error
    assert_names_file_or_no_login(error, path, tool_file.name, variant)
    assert len(mocked.calls) == 0  # nothing is sent with a login that could not be read
    state.assert_untouched()
    assert_no_leftovers(home.cache_dir)


@pytest.mark.parametrize("variant", ["broken-json", "binary-junk", "directory"])
@pytest.mark.parametrize("tool_file", TOOL_FILES, ids=[t.name for t in TOOL_FILES])
def test_doctor_and_auth_survive_a_bad_provider_credential_file(
    tool_file: ToolFile,
    variant: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    path = tool_file.path(home)
    state = break_file(path, variant, tool_file.valid(home), monkeypatch, broken=tool_file.broken)
    for argv in (("doctor", "--json"), ("auth", tool_file.provider, "--json")):
        result = cli(*argv)
        faults.assert_clean_output(result)
        assert "unexpected error" not in result.err, result.err
    assert len(mocked.calls) == 0
    state.assert_untouched()


def test_one_bad_credential_file_does_not_affect_the_other_providers(
    home: Home, mocked: Any, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    faults.set_up(PROVIDER_IDS, home, monkeypatch)
    for provider in PROVIDER_IDS:
        if provider != "codex":
            faults.answer_healthy(mocked, provider)
    path = faults.codex_auth_path(home)
    path.write_bytes(path.read_bytes()[:40])
    state = State.of(path, path.read_bytes())
    result = cli(*PROVIDER_IDS, "--json", "--refresh")
    faults.assert_clean_output(result)
    assert result.code == 5
    document = result.json()
    assert sorted(document["providers"]) == sorted(p for p in PROVIDER_IDS if p != "codex")
    assert document["errors"]["codex"]["category"] == "authentication"
    assert str(path) in document["errors"]["codex"]["message"]
    state.assert_untouched()


def test_every_provider_has_a_credential_file_case() -> None:
    """A new provider must add its credential file (or own secret) to this suite."""
    covered = {t.provider for t in TOOL_FILES} | {s.provider for s in OWN_SECRETS}
    assert covered == set(SETUPS)
