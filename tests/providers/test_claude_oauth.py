"""Claude's oauth strategy around the usage request: delegated refresh with a fake ``claude``,
the macOS Keychain through a fake ``security``, the identity cache, 429 through the pipeline,
and ``vibeusage claude --json`` end to end.

Every external tool is a small Python script generated in ``tmp_path`` and found through the
PATH of the FetchContext's ``environ``; the real PATH, the real home directory and the
network are never used.
"""

import json
import os
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import requests
import responses
from responses import matchers

from tests.conftest import SNAPSHOT_KEYS, USAGE_URL, Home, load_fixture, usage_calls
from tests.conftest import make_ctx as conftest_make_ctx
from tests.providers.fake_tools import alive, gone_within
from vibeusage.cache import ANY_LOGIN, FailureGate
from vibeusage.config import Config, ProviderConfig
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import ProviderIdentity
from vibeusage.paths import resolve_paths
from vibeusage.pipeline import Pipeline, ProviderResult, RunOptions
from vibeusage.providers.base import FetchContext, FetchResult
from vibeusage.providers.claude import PROVIDER
from vibeusage.providers.claude.oauth import ClaudeOAuth

UTC = timezone.utc
NOW = datetime(2026, 7, 2, 20, 0, 0, tzinfo=UTC)
ACCOUNT_URL = "https://api.anthropic.com/api/oauth/account"

OLD_TOKEN = "sk-ant-oat01-T2xkVG9rZW5CZWZvcmVUaGVSZWZyZXNoSGFwcGVuZWQ-OldAA"
NEW_TOKEN = "sk-ant-oat01-TmV3VG9rZW5Xcml0dGVuQnlDbGF1ZGVDb2RlSXRzZWxm-NewBB"
OTHER_TOKEN = "sk-ant-oat01-QW5vdGhlckxvZ2luT25UaGlzTWFjaGluZUVudGlyZWx5-OthCC"
KEYCHAIN_TOKEN = "sk-ant-oat01-S2V5Y2hhaW5Ub2tlbkZyb21NYWNPU1NlY3VyaXR5VG9vbA-KeyDD"

#: The delegated refresh command's flags, exactly (PROVIDERS.md, Claude → oauth).
REFRESH_FLAGS = [
    "-p",
    "ok",
    "--model",
    "haiku",
    "--output-format",
    "json",
    "--no-session-persistence",
    "--permission-mode",
    "plan",
    "--allowed-tools",
    "",
    "--max-budget-usd",
    "0.001",
]
KEYCHAIN_ARGS = ["find-generic-password", "-s", "Claude Code-credentials", "-w"]
ACCOUNT_IDENTITY = ProviderIdentity(
    email="user@example.com", organization="Personal", plan="Max 20x"
)

posix_only = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="fake tools are #! scripts; Popen groups are POSIX"
)


# --- fake tools ---------------------------------------------------------------------------------

_RECORD = """
import json, os, subprocess, sys, time

OUT = os.environ["FAKE_OUT"]


def record(name, value):
    tmp = os.path.join(OUT, name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(value, handle)
    os.replace(tmp, os.path.join(OUT, name))
"""

_FAKE_CLAUDE = (
    _RECORD
    + """
with open(os.path.join(OUT, "claude-starts"), "a", encoding="utf-8") as handle:
    handle.write("%d\\n" % os.getpid())
record("claude-pid", os.getpid())
record("claude-argv", sys.argv)
record("claude-cwd", os.getcwd())
record("claude-stdin-tty", os.isatty(0))
record("claude-stdin", sys.stdin.read() if sys.stdin is not None else None)
mode = os.environ.get("FAKE_CLAUDE_MODE", "noop")
if mode == "rewrite":
    time.sleep(0.3)
    path = os.environ["FAKE_CLAUDE_CREDS"]
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    data["claudeAiOauth"]["accessToken"] = os.environ["FAKE_CLAUDE_NEW_TOKEN"]
    data["claudeAiOauth"]["expiresAt"] = 1893456000000
    text = json.dumps(data, indent=1)
    record("claude-wrote", text)  # before the replace: the parent may stop us right after it
    tmp = path + ".fake-claude-tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
elif mode == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    record("grandchild-pid", child.pid)
    time.sleep(3600)
print(json.dumps({"type": "result", "result": "ok"}))
"""
)

_FAKE_SECURITY = (
    _RECORD
    + """
with open(os.path.join(OUT, "security-calls"), "a", encoding="utf-8") as handle:
    handle.write(json.dumps(sys.argv[1:]) + "\\n")
record("security-pid", os.getpid())
mode = os.environ.get("FAKE_SECURITY_MODE", "ok")
if mode == "hang":
    time.sleep(3600)
if mode == "notfound":
    sys.stderr.write("security: SecKeychainSearchCopyNext: The specified item could not "
                     "be found in the keychain.\\n")
    sys.exit(44)
if sys.argv[1:] != ["find-generic-password", "-s", "Claude Code-credentials", "-w"]:
    sys.exit(2)
with open(os.environ["FAKE_KEYCHAIN_ITEM"], encoding="utf-8") as handle:
    sys.stdout.write(handle.read().strip() + "\\n")
"""
)


@dataclass
class Fakes:
    """Fake ``claude`` / ``security`` executables in ``bin_dir``; they report into ``out``."""

    bin_dir: Path
    out: Path
    env: Dict[str, str] = field(default_factory=dict)

    def _script(self, name: str, body: str) -> Path:
        path = self.bin_dir / name
        path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
        path.chmod(0o755)
        return path

    def claude(self, mode: str, creds: Optional[Path] = None, new_token: str = NEW_TOKEN) -> Path:
        self.env["FAKE_CLAUDE_MODE"] = mode
        self.env["FAKE_CLAUDE_NEW_TOKEN"] = new_token
        if creds is not None:
            self.env["FAKE_CLAUDE_CREDS"] = str(creds)
        return self._script("claude", _FAKE_CLAUDE)

    def security(self, mode: str, item: Optional[Path] = None) -> Path:
        self.env["FAKE_SECURITY_MODE"] = mode
        if item is not None:
            self.env["FAKE_KEYCHAIN_ITEM"] = str(item)
        return self._script("security", _FAKE_SECURITY)

    def read(self, name: str) -> Any:
        path = self.out / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def claude_starts(self) -> int:
        path = self.out / "claude-starts"
        return len(path.read_text(encoding="utf-8").split()) if path.exists() else 0

    def security_calls(self) -> List[List[str]]:
        path = self.out / "security-calls"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def recorded_pids(self) -> List[int]:
        names = ("claude-pid", "grandchild-pid", "security-pid")
        return [pid for pid in (self.read(n) for n in names) if isinstance(pid, int)]


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[Fakes]:
    bin_dir = tmp_path / "bin"
    out = tmp_path / "fake-out"
    bin_dir.mkdir()
    out.mkdir()
    result = Fakes(bin_dir, out, {"FAKE_OUT": str(out)})
    yield result
    # Whatever a fake started and the code under test failed to stop: stop it here.
    for pid in result.recorded_pids():
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


# --- contexts and helpers -----------------------------------------------------------------------


def environ_for(home: Home, fakes: Fakes) -> Dict[str, str]:
    """A minimal environment: the fake tools' directory is the whole PATH."""
    env = {
        "HOME": str(home.root),
        "PATH": str(fakes.bin_dir),
        "VIBEUSAGE_CONFIG_DIR": str(home.config_dir),
        "VIBEUSAGE_CACHE_DIR": str(home.cache_dir),
    }
    env.update(fakes.env)
    return env


def make_ctx(
    home: Home,
    fakes: Fakes,
    *,
    timeout: float = 5.0,
    platform: str = "linux",
    options: Optional[Dict[str, Any]] = None,
    clock: Callable[[], datetime] = lambda: NOW,
) -> FetchContext:
    env = environ_for(home, fakes)
    return conftest_make_ctx(
        "claude", home.root, env, options=options, timeout=timeout, clock=clock, platform=platform
    )


def write_token(home: Home, token: str = OLD_TOKEN, **overrides: Any) -> Dict[str, Any]:
    values: Dict[str, Any] = {"accessToken": token}
    values.update(overrides)
    return home.write_claude_credentials(**values)


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def bearer(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def usage_ok(mocked: Any, token: str) -> None:
    mocked.get(
        USAGE_URL,
        json=load_fixture("claude/oauth-usage-limits.json"),
        match=[matchers.header_matcher(bearer(token))],
    )


def usage_401(mocked: Any, token: str) -> None:
    mocked.get(
        USAGE_URL,
        status=401,
        json={"type": "error", "error": {"type": "authentication_error"}},
        match=[matchers.header_matcher(bearer(token))],
    )


def account_ok(mocked: Any, token: str, payload: Optional[Dict[str, Any]] = None) -> None:
    mocked.get(
        ACCOUNT_URL,
        json=payload if payload is not None else load_fixture("claude/oauth-account.json"),
        match=[
            matchers.header_matcher(
                {"Authorization": f"Bearer {token}", "anthropic-beta": "oauth-2025-04-20"}
            )
        ],
    )


def sent_tokens(mocked: Any) -> List[str]:
    return [call.request.headers["Authorization"] for call in usage_calls(mocked)]


def account_calls(mocked: Any) -> List[Any]:
    return [call for call in mocked.calls if call.request.url == ACCOUNT_URL]


@contextmanager
def credentials_untouched(path: Path) -> Iterator[None]:
    """Claude Code's credentials keep their bytes and mtime (or stay absent)."""
    existed = path.exists()
    before = path.read_bytes() if existed else b""
    mtime = path.stat().st_mtime_ns if existed else 0
    yield
    if not existed:
        assert not path.exists(), "vibeusage created Claude Code's credentials file"
        return
    assert path.read_bytes() == before, "vibeusage changed Claude Code's credentials file"
    assert path.stat().st_mtime_ns == mtime, "vibeusage rewrote Claude Code's credentials file"


def outcome(ctx: FetchContext) -> FetchResult:
    """The strategy's result, with a raised VibeusageError turned into a failed result."""
    try:
        return ClaudeOAuth().fetch(ctx)
    except VibeusageError as exc:
        return FetchResult.fail(exc)


def untouched_fetch(home: Home, ctx: FetchContext) -> FetchResult:
    with credentials_untouched(home.claude_credentials):
        return outcome(ctx)


def assert_login_error(result: FetchResult) -> VibeusageError:
    assert not result.success
    assert result.snapshot is None
    error = result.error
    assert error is not None
    assert error.category is ErrorCategory.AUTHENTICATION
    assert error.remediation is not None
    assert "`claude`" in error.remediation
    for secret in (OLD_TOKEN, NEW_TOKEN, KEYCHAIN_TOKEN):
        assert secret not in error.message
        assert secret not in error.remediation
    return error


# --- 1. delegated refresh -----------------------------------------------------------------------


@posix_only
def test_401_then_claude_writes_a_new_token_retries_once_with_it(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    fakes.claude("rewrite", creds=home.claude_credentials)
    usage_401(mocked, OLD_TOKEN)
    usage_ok(mocked, NEW_TOKEN)
    account_ok(mocked, NEW_TOKEN)

    result = ClaudeOAuth().fetch(make_ctx(home, fakes))

    assert result.success, result.error
    assert result.snapshot is not None
    assert [p.name for p in result.snapshot.periods][:2] == ["Session (5h)", "Weekly"]
    assert sent_tokens(mocked) == [f"Bearer {OLD_TOKEN}", f"Bearer {NEW_TOKEN}"]
    assert fakes.claude_starts() == 1
    # The file holds exactly what Claude Code wrote: vibeusage added nothing to it.
    assert home.claude_credentials.read_text(encoding="utf-8") == fakes.read("claude-wrote")


@posix_only
def test_401_again_after_a_successful_refresh_is_not_refreshed_a_second_time(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    fakes.claude("rewrite", creds=home.claude_credentials)
    usage_401(mocked, OLD_TOKEN)
    usage_401(mocked, NEW_TOKEN)

    result = ClaudeOAuth().fetch(make_ctx(home, fakes))

    assert_login_error(result)
    assert sent_tokens(mocked) == [f"Bearer {OLD_TOKEN}", f"Bearer {NEW_TOKEN}"]
    assert fakes.claude_starts() == 1
    assert home.claude_credentials.read_text(encoding="utf-8") == fakes.read("claude-wrote")


@posix_only
def test_401_and_claude_exits_without_new_token_is_login_error_after_one_request(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    fakes.claude("noop")
    usage_401(mocked, OLD_TOKEN)

    result = untouched_fetch(home, make_ctx(home, fakes))

    assert_login_error(result)
    assert fakes.claude_starts() == 1  # the refresh was tried
    assert len(usage_calls(mocked)) == 1
    assert len(account_calls(mocked)) == 1  # asked alongside the usage, not again after


@posix_only
def test_hanging_claude_is_abandoned_at_the_cap_and_its_process_group_killed(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    fakes.claude("hang")
    usage_401(mocked, OLD_TOKEN)
    ctx = make_ctx(home, fakes, timeout=4.0)
    cap = min(15.0, ctx.timeout - 2.0)

    started = time.monotonic()
    result = untouched_fetch(home, ctx)
    elapsed = time.monotonic() - started

    assert_login_error(result)
    assert cap - 0.2 <= elapsed <= cap + 1.5
    assert len(usage_calls(mocked)) == 1
    pid, grandchild = fakes.read("claude-pid"), fakes.read("grandchild-pid")
    assert isinstance(pid, int)
    assert isinstance(grandchild, int)
    assert gone_within(pid, 1.0), "the hanging claude process was left running"
    assert gone_within(grandchild, 1.0), "a process started by claude was left running"


@posix_only
def test_refresh_runs_claude_with_the_cheap_flags_no_stdin_in_a_throwaway_directory(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    script = fakes.claude("noop")
    usage_401(mocked, OLD_TOKEN)

    untouched_fetch(home, make_ctx(home, fakes))

    argv = fakes.read("claude-argv")
    assert argv is not None, "claude was not started"
    assert Path(argv[0]) == script
    assert argv[1:] == REFRESH_FLAGS
    assert fakes.read("claude-stdin") == ""  # stdin at end of file at once (closed / null)
    assert fakes.read("claude-stdin-tty") is False
    cwd = Path(fakes.read("claude-cwd"))
    assert cwd.resolve() != Path.cwd().resolve()
    assert home.root.resolve() not in cwd.resolve().parents
    assert os.path.realpath(tempfile.gettempdir()) in os.path.realpath(str(cwd.parent))
    assert not cwd.exists(), "the refresh's working directory was left behind"


@posix_only
def test_cli_refresh_false_starts_no_process_and_401_is_login_error(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    fakes.claude("rewrite", creds=home.claude_credentials)
    usage_401(mocked, OLD_TOKEN)
    usage_ok(mocked, NEW_TOKEN)

    result = untouched_fetch(home, make_ctx(home, fakes, options={"cli_refresh": False}))

    assert_login_error(result)
    assert fakes.claude_starts() == 0
    assert not (fakes.out / "claude-pid").exists()
    assert sent_tokens(mocked) == [f"Bearer {OLD_TOKEN}"]


def test_401_without_claude_on_path_is_login_error_without_crash(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    usage_401(mocked, OLD_TOKEN)

    result = untouched_fetch(home, make_ctx(home, fakes))

    error = assert_login_error(result)
    assert error.status_code == 401
    assert len(usage_calls(mocked)) == 1


@posix_only
def test_expired_token_is_tried_once_then_renewed_by_claude(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home, expiresAt=ms(NOW - timedelta(minutes=5)))
    fakes.claude("rewrite", creds=home.claude_credentials)
    seen: List[Tuple[str, bool]] = []

    def answer(request: Any) -> Tuple[int, Dict[str, str], str]:
        seen.append((request.headers["Authorization"], (fakes.out / "claude-pid").exists()))
        if request.headers["Authorization"] == f"Bearer {OLD_TOKEN}":
            return 401, {}, json.dumps({"type": "error"})
        return 200, {}, json.dumps(load_fixture("claude/oauth-usage-limits.json"))

    mocked.add_callback(responses.GET, USAGE_URL, callback=answer)
    account_ok(mocked, NEW_TOKEN)

    result = ClaudeOAuth().fetch(make_ctx(home, fakes))

    assert result.success, result.error
    # The expired token's request goes first (offline it fails at once), then claude runs.
    assert seen == [(f"Bearer {OLD_TOKEN}", False), (f"Bearer {NEW_TOKEN}", True)]
    assert fakes.claude_starts() == 1
    assert home.claude_credentials.read_text(encoding="utf-8") == fakes.read("claude-wrote")


@posix_only
def test_expired_token_offline_is_a_network_error_without_starting_claude(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    import requests

    write_token(home, expiresAt=ms(NOW - timedelta(minutes=5)))
    fakes.claude("rewrite", creds=home.claude_credentials)
    mocked.get(USAGE_URL, body=requests.ConnectionError("Name or service not known"))

    result = untouched_fetch(home, make_ctx(home, fakes))

    assert not result.success
    assert result.error is not None
    assert result.error.category is ErrorCategory.NETWORK
    assert fakes.claude_starts() == 0


@posix_only
def test_401_for_a_token_just_renewed_after_expiry_does_not_run_claude_again(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home, expiresAt=ms(NOW - timedelta(minutes=5)))
    fakes.claude("rewrite", creds=home.claude_credentials)
    usage_401(mocked, OLD_TOKEN)
    usage_401(mocked, NEW_TOKEN)

    result = ClaudeOAuth().fetch(make_ctx(home, fakes))

    assert_login_error(result)
    assert sent_tokens(mocked) == [f"Bearer {OLD_TOKEN}", f"Bearer {NEW_TOKEN}"]
    assert fakes.claude_starts() == 1


@posix_only
def test_expired_token_with_failed_refresh_says_the_token_expired(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home, expiresAt=ms(NOW - timedelta(seconds=1)))
    fakes.claude("noop")
    usage_401(mocked, OLD_TOKEN)

    result = untouched_fetch(home, make_ctx(home, fakes))

    error = assert_login_error(result)
    assert "expired" in error.message
    assert fakes.claude_starts() == 1
    assert len(mocked.calls) == 1


def test_expiry_is_judged_by_the_context_clock_not_the_wall_clock(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    # Valid for the context's clock (NOW), long past for the wall clock.
    write_token(home, expiresAt=ms(NOW + timedelta(minutes=5)))
    usage_ok(mocked, OLD_TOKEN)
    account_ok(mocked, OLD_TOKEN)

    result = untouched_fetch(home, make_ctx(home, fakes))

    assert result.success, result.error
    assert sent_tokens(mocked) == [f"Bearer {OLD_TOKEN}"]


# --- 5. macOS Keychain --------------------------------------------------------------------------


def keychain_item(fakes: Fakes, token: str = KEYCHAIN_TOKEN) -> Path:
    data = load_fixture("claude/credentials.json")
    data["claudeAiOauth"]["accessToken"] = token
    item = fakes.out / "keychain-item.json"
    item.write_text(json.dumps(data), encoding="utf-8")
    return item


def claude_dir_only(home: Home) -> None:
    (home.root / ".claude").mkdir()


@posix_only
def test_keychain_login_on_darwin_is_available_and_its_token_is_used(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    claude_dir_only(home)
    fakes.security("ok", keychain_item(fakes))
    usage_ok(mocked, KEYCHAIN_TOKEN)
    account_ok(mocked, KEYCHAIN_TOKEN)
    ctx = make_ctx(home, fakes, platform="darwin")

    assert ClaudeOAuth().available(ctx) is True
    result = untouched_fetch(home, ctx)

    assert result.success, result.error
    assert sent_tokens(mocked) == [f"Bearer {KEYCHAIN_TOKEN}"]
    assert fakes.security_calls()
    assert all(call == KEYCHAIN_ARGS for call in fakes.security_calls())
    assert result.snapshot is not None
    assert result.snapshot.identity == ACCOUNT_IDENTITY


@posix_only
def test_keychain_item_not_found_is_login_error_without_request(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    claude_dir_only(home)
    fakes.security("notfound")

    result = untouched_fetch(home, make_ctx(home, fakes, platform="darwin"))

    assert_login_error(result)
    assert fakes.security_calls() == [KEYCHAIN_ARGS]
    assert len(mocked.calls) == 0


@posix_only
def test_hanging_security_tool_is_given_up_after_about_two_seconds(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    claude_dir_only(home)
    fakes.security("hang")

    started = time.monotonic()
    result = untouched_fetch(home, make_ctx(home, fakes, platform="darwin", timeout=20.0))
    elapsed = time.monotonic() - started

    assert_login_error(result)
    assert 1.5 <= elapsed <= 3.5
    assert len(mocked.calls) == 0
    pid = fakes.read("security-pid")
    assert isinstance(pid, int)
    assert gone_within(pid, 1.0), "the hanging security process was left running"


@posix_only
def test_keychain_is_never_consulted_on_linux(home: Home, mocked: Any, fakes: Fakes) -> None:
    claude_dir_only(home)
    fakes.security("ok", keychain_item(fakes))
    usage_ok(mocked, KEYCHAIN_TOKEN)
    ctx = make_ctx(home, fakes, platform="linux")

    assert ClaudeOAuth().available(ctx) is False
    result = untouched_fetch(home, ctx)

    assert_login_error(result)
    assert fakes.security_calls() == []
    assert len(mocked.calls) == 0


@posix_only
def test_keychain_login_renewed_by_claude_is_reread_from_the_keychain(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    claude_dir_only(home)
    item = keychain_item(fakes, OLD_TOKEN)
    fakes.security("ok", item)
    fakes.claude("rewrite", creds=item)  # "Claude Code" updates its Keychain item
    usage_401(mocked, OLD_TOKEN)
    usage_ok(mocked, NEW_TOKEN)
    account_ok(mocked, NEW_TOKEN)

    with credentials_untouched(home.claude_credentials):
        result = ClaudeOAuth().fetch(make_ctx(home, fakes, platform="darwin"))

    assert result.success, result.error
    assert sent_tokens(mocked) == [f"Bearer {OLD_TOKEN}", f"Bearer {NEW_TOKEN}"]
    assert fakes.claude_starts() == 1


# --- 4. identity --------------------------------------------------------------------------------


def identity_cache_file(home: Home) -> Path:
    return home.cache_dir / "providers" / "claude" / "identity.json"


def test_identity_comes_from_the_account_endpoint_and_its_tier_wins(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)  # credentials say max / default_claude_max_5x
    usage_ok(mocked, OLD_TOKEN)
    account_ok(mocked, OLD_TOKEN)

    result = untouched_fetch(home, make_ctx(home, fakes))

    assert result.snapshot is not None
    assert result.snapshot.identity == ACCOUNT_IDENTITY
    assert len(account_calls(mocked)) == 1
    request = account_calls(mocked)[0].request
    assert request.headers["Authorization"] == f"Bearer {OLD_TOKEN}"
    assert request.headers["anthropic-beta"] == "oauth-2025-04-20"


def test_identity_is_cached_for_a_day_without_the_token(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    usage_ok(mocked, OLD_TOKEN)
    account_ok(mocked, OLD_TOKEN)

    first = untouched_fetch(home, make_ctx(home, fakes))
    later = NOW + timedelta(hours=23, minutes=59)
    second = untouched_fetch(home, make_ctx(home, fakes, clock=lambda: later))

    assert len(usage_calls(mocked)) == 2
    assert len(account_calls(mocked)) == 1
    assert first.snapshot is not None and second.snapshot is not None
    assert second.snapshot.identity == ACCOUNT_IDENTITY
    text = identity_cache_file(home).read_text(encoding="utf-8")
    assert OLD_TOKEN not in text
    assert OLD_TOKEN[13:45] not in text  # not even the token's core
    assert "user@example.com" in text
    fingerprint = json.loads(text).get("login")
    assert isinstance(fingerprint, str) and fingerprint
    assert fingerprint not in OLD_TOKEN


def test_identity_cache_older_than_a_day_is_asked_again(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    usage_ok(mocked, OLD_TOKEN)
    account_ok(mocked, OLD_TOKEN)

    untouched_fetch(home, make_ctx(home, fakes))
    later = NOW + timedelta(hours=24, seconds=1)
    result = untouched_fetch(home, make_ctx(home, fakes, clock=lambda: later))

    assert len(account_calls(mocked)) == 2
    assert result.snapshot is not None
    assert result.snapshot.identity == ACCOUNT_IDENTITY


def test_identity_cache_of_another_token_is_not_used(home: Home, mocked: Any, fakes: Fakes) -> None:
    write_token(home)
    usage_ok(mocked, OLD_TOKEN)
    usage_ok(mocked, OTHER_TOKEN)
    account_ok(mocked, OLD_TOKEN)
    other = load_fixture("claude/oauth-account.json")
    other["email_address"] = "other@example.com"
    account_ok(mocked, OTHER_TOKEN, other)

    untouched_fetch(home, make_ctx(home, fakes))
    write_token(home, OTHER_TOKEN)  # the user logged in again, as someone else
    result = untouched_fetch(home, make_ctx(home, fakes))

    assert [c.request.headers["Authorization"] for c in account_calls(mocked)] == [
        f"Bearer {OLD_TOKEN}",
        f"Bearer {OTHER_TOKEN}",
    ]
    assert result.snapshot is not None
    assert result.snapshot.identity is not None
    assert result.snapshot.identity.email == "other@example.com"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "json": {"type": "error", "error": {"type": "api_error"}}},
        {
            "status": 200,
            "body": "<html><body>Just a moment...</body></html>",
            "content_type": "text/html",
        },
        {"body": requests.ConnectionError("connection reset by peer")},
    ],
    ids=["http-500", "html-page", "connection-error"],
)
def test_account_failure_keeps_usage_with_the_plan_from_credentials(
    answer: Dict[str, Any], home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    usage_ok(mocked, OLD_TOKEN)
    mocked.get(ACCOUNT_URL, **answer)

    result = untouched_fetch(home, make_ctx(home, fakes))

    assert result.success, result.error
    assert result.snapshot is not None
    assert result.snapshot.source == "oauth"
    assert result.snapshot.identity == ProviderIdentity(plan="Max 5x")
    assert len(account_calls(mocked)) == 1
    assert not identity_cache_file(home).exists()


def test_account_failure_is_not_cached_and_the_next_fetch_asks_again(
    home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    usage_ok(mocked, OLD_TOKEN)
    mocked.get(ACCOUNT_URL, status=500, json={})

    untouched_fetch(home, make_ctx(home, fakes))
    mocked.replace(responses.GET, ACCOUNT_URL, json=load_fixture("claude/oauth-account.json"))
    result = untouched_fetch(home, make_ctx(home, fakes))

    assert len(account_calls(mocked)) == 2
    assert result.snapshot is not None
    assert result.snapshot.identity == ACCOUNT_IDENTITY


# --- 3. 429 through the pipeline ----------------------------------------------------------------


def oauth_only_pipeline(home: Home, fakes: Fakes, clock: Callable[[], datetime]) -> Pipeline:
    env = environ_for(home, fakes)
    config = Config(providers={"claude": ProviderConfig(auth_source="oauth")})
    return Pipeline(config, resolve_paths(env), env, clock=clock)


def run_claude(pipeline: Pipeline, options: Optional[RunOptions] = None) -> ProviderResult:
    (result,) = pipeline.run([PROVIDER], options or RunOptions())
    return result


@pytest.mark.parametrize(
    ("retry_after", "closed_for"),
    [
        ("0", 300.0),
        ("120", 120.0),
        (format_datetime(NOW + timedelta(minutes=10), usegmt=True), 600.0),
    ],
    ids=["zero-means-five-minutes", "seconds", "http-date"],
)
def test_429_closes_the_oauth_gate_until_retry_after_and_refresh_ignores_it(
    retry_after: str, closed_for: float, home: Home, mocked: Any, fakes: Fakes
) -> None:
    write_token(home)
    mocked.get(
        USAGE_URL,
        status=429,
        json={"type": "error", "error": {"type": "rate_limit_error"}},
        headers={"Retry-After": retry_after},
    )
    account_ok(mocked, OLD_TOKEN)

    with credentials_untouched(home.claude_credentials):
        first = run_claude(oauth_only_pipeline(home, fakes, lambda: NOW))
    assert first.error is not None
    assert first.error.category is ErrorCategory.RATE_LIMITED
    assert len(usage_calls(mocked)) == 1
    gate = FailureGate(home.cache_dir / "gate").load("claude", "oauth", ANY_LOGIN)
    assert gate.closed_until is not None
    reopen = NOW + timedelta(seconds=closed_for)
    assert abs((gate.closed_until - reopen).total_seconds()) <= 2.0

    # A minute later the gate is still closed: no request, the message says when.
    a_minute_later = NOW + timedelta(minutes=1)
    second = run_claude(oauth_only_pipeline(home, fakes, lambda: a_minute_later))
    assert len(usage_calls(mocked)) == 1
    assert second.snapshot is None
    assert second.error is not None
    assert "next try at" in second.error.message
    assert reopen.astimezone().strftime("%H:%M") in second.error.message

    # --refresh ignores the gate.
    mocked.replace(responses.GET, USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    third = run_claude(
        oauth_only_pipeline(home, fakes, lambda: a_minute_later), RunOptions(refresh=True)
    )
    assert len(usage_calls(mocked)) == 2
    assert third.error is None
    assert third.snapshot is not None
    assert third.snapshot.source == "oauth"


# --- 6. the command line ------------------------------------------------------------------------


def test_claude_json_prints_the_bare_snapshot_with_contract_keys_and_identity(
    home: Home, mocked: Any, cli: Any
) -> None:
    write_token(home)
    usage_ok(mocked, OLD_TOKEN)
    account_ok(mocked, OLD_TOKEN)

    with credentials_untouched(home.claude_credentials):
        result = cli("claude", "--json", clock=lambda: NOW)

    assert result.code == 0, result.err
    document = result.json()
    assert list(document) == SNAPSHOT_KEYS
    assert document["provider"] == "claude"
    assert document["source"] == "oauth"
    assert document["cached"] is False
    assert document["stale"] is False
    assert document["identity"] == {
        "email": "user@example.com",
        "organization": "Personal",
        "plan": "Max 20x",
        "login": None,
    }
    assert [p["name"] for p in document["periods"]][:2] == ["Session (5h)", "Weekly"]
    assert OLD_TOKEN not in result.out + result.err
    assert len(usage_calls(mocked)) == 1
