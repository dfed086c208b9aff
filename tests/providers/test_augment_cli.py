"""Augment's ``cli`` strategy and the rule it exists under: running ``auggie`` must never cost the
user's ``~/.augment/session.json``.

The fake ``auggie`` below behaves like the real 0.36.0 where it matters: its cache dir is
``--augment-cache-dir`` or ``$HOME/.augment``; it writes ``.auggie.json`` there on every run; on
an HTTP 401 it deletes ``session.json`` there, whatever session it used. It also has a
tripwire: run without a private cache dir, with the real home as ``HOME``, with the token on
its command line or with stdin open, it deletes the real ``~/.augment/session.json`` at once.
Every test then checks that the real ``~/.augment`` is byte-for-byte what it was, file list
and modes included.
"""

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from tests.conftest import FIXTURES, make_ctx
from tests.providers.test_augment import NOW, SESSION_TEXT, SUMMARY_URL, TOKEN, write_session_file
from vibeusage.errors import ErrorCategory
from vibeusage.providers.augment.cli import AugmentCli, child_environment, is_inside
from vibeusage.providers.augment.rejections import mark_rejected, was_rejected
from vibeusage.providers.augment.session import parse_session

pytestmark = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="the fake auggie is a #! script; groups are POSIX"
)

FAKE_AUGGIE = r"""
import json, os, sys, time

CONFIG = json.load(open(CONFIG_PATH))
REAL_AUGMENT = os.path.join(CONFIG["real_home"], ".augment")
argv = sys.argv[1:]
session_env = os.environ.get("AUGMENT_SESSION_AUTH")

with open(CONFIG["log"], "a") as log:
    log.write(json.dumps({
        "argv": argv, "cwd": os.getcwd(), "home": os.environ.get("HOME"),
        "session_env": session_env, "stdin_is_open": not _stdin_closed(),
    }) + "\n")

cache_dir = os.path.join(os.path.expanduser("~"), ".augment")
if "--augment-cache-dir" in argv:
    cache_dir = argv[argv.index("--augment-cache-dir") + 1]

wrong = (
    "--augment-cache-dir" not in argv
    or os.path.realpath(cache_dir) == os.path.realpath(REAL_AUGMENT)
    or os.path.realpath(os.path.expanduser("~")) == os.path.realpath(CONFIG["real_home"])
    or any(CONFIG["token"] in arg for arg in argv)
    or not _stdin_closed()
)
if wrong:  # the tripwire: what a careless caller would cost the user
    try:
        os.unlink(os.path.join(REAL_AUGMENT, "session.json"))
    except FileNotFoundError:
        pass

os.makedirs(cache_dir, exist_ok=True)
with open(os.path.join(cache_dir, ".auggie.json"), "w") as handle:
    json.dump({"lastUsed": "now", "sessionCount": 1}, handle)

session = session_env
if session is None and os.path.exists(os.path.join(cache_dir, "session.json")):
    session = open(os.path.join(cache_dir, "session.json")).read()
mode = CONFIG["mode"]
if session is None:
    sys.stderr.write("You are not currently logged in to Augment.\n"
                     "   Run 'auggie login' to authenticate first.\n")
    sys.exit(1)
if mode == "401":
    try:  # the real auggie's removeSession(): its cache dir's session file
        os.unlink(os.path.join(cache_dir, "session.json"))
    except FileNotFoundError:
        pass
    sys.stderr.write(open(CONFIG["stderr"]).read() if CONFIG.get("stderr") else
                     "Failed to retrieve account status\n   HTTP error: 401 Unauthorized\n")
    sys.exit(1)
if mode == "stderr":
    sys.stderr.write(open(CONFIG["stderr"]).read())
    sys.exit(1)
if mode == "hang":
    time.sleep(60)
if mode == "echo-token":
    sys.stderr.write("Failed: token " + json.loads(session)["accessToken"] + "\n")
    sys.exit(1)
sys.stdout.write(open(CONFIG["stdout"]).read())
sys.exit(CONFIG.get("exit", 0))
"""

PRELUDE = """
def _stdin_closed():
    try:
        return os.read(0, 1) == b""
    except OSError:
        return True
"""


@pytest.fixture
def real_augment(home) -> Path:
    """The user's real ``~/.augment``: a session, auggie's own files, a settings file."""
    path = write_session_file(home.root)
    (path.parent / "settings.json").write_text('{"model": "x"}', encoding="utf-8")
    (path.parent / ".auggie.json").write_text('{"sessionCount": 41}', encoding="utf-8")
    return path.parent


def snapshot_tree(folder: Path) -> Dict[str, Tuple[int, bytes]]:
    result = {}
    for path in sorted(folder.rglob("*")):
        mode = stat.S_IMODE(path.stat().st_mode)
        result[str(path.relative_to(folder))] = (mode, path.read_bytes() if path.is_file() else b"")
    result["."] = (stat.S_IMODE(folder.stat().st_mode), b"")
    return result


class FakeAuggie:
    """Writes the fake into ``tmp_path/bin`` and reads back what it saw."""

    def __init__(self, tmp_path: Path, home_root: Path) -> None:
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        self.log = tmp_path / "auggie-log.jsonl"
        self.config_path = tmp_path / "auggie-config.json"
        self.path = self.bin / "auggie"
        self.path.write_text(
            f"#!{sys.executable}\nimport os\n{PRELUDE}\nCONFIG_PATH = {str(self.config_path)!r}\n"
            + FAKE_AUGGIE,
            encoding="utf-8",
        )
        self.path.chmod(0o755)
        self.home_root = home_root
        self.set("ok")

    def set(self, mode: str, stdout: str = "account-status.json", stderr: Optional[str] = None,
            exit: int = 0) -> None:  # fmt: skip
        config = {
            "mode": mode,
            "real_home": str(self.home_root),
            "token": TOKEN,
            "log": str(self.log),
            "stdout": str(FIXTURES / "augment" / stdout),
            "stderr": str(FIXTURES / "augment" / stderr) if stderr else None,
            "exit": exit,
        }
        self.config_path.write_text(json.dumps(config), encoding="utf-8")

    def runs(self) -> List[Dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def environ(self, **extra: str) -> Dict[str, str]:
        return dict(os.environ, PATH=f"{self.bin}{os.pathsep}{os.environ['PATH']}", **extra)


@pytest.fixture
def auggie(tmp_path, home) -> FakeAuggie:
    return FakeAuggie(tmp_path, home.root)


def ctx_for(home, environ: Dict[str, str], **kwargs: Any):
    kwargs.setdefault("clock", lambda: NOW)
    return make_ctx("augment", home.root, environ, **kwargs)


# --- the fake itself can catch a careless run --------------------------------------------------


def test_the_fake_deletes_the_real_session_when_run_the_naive_way(auggie, real_augment, home):
    """Proof that the tripwire works: the checks below could fail."""
    env = dict(auggie.environ(), HOME=str(home.root))
    argv = [str(auggie.path), "account", "status", "--json"]
    subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert not (real_augment / "session.json").exists()


def test_the_fake_deletes_its_cache_dirs_session_on_401_like_the_real_one(auggie, tmp_path):
    cache = tmp_path / "cache-dir"
    cache.mkdir()
    (cache / "session.json").write_text(SESSION_TEXT)
    auggie.set("401")
    env = dict(auggie.environ(), HOME=str(cache), AUGMENT_SESSION_AUTH=SESSION_TEXT)
    done = subprocess.run([str(auggie.path), "--augment-cache-dir", str(cache), "account",
                           "status", "--json"], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=30, check=False)  # fmt: skip
    assert done.returncode == 1
    assert sorted(p.name for p in cache.iterdir()) == [".auggie.json"]


# --- a healthy run -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stdout, name, utilization, currency",
    [("account-status.json", "Credits", 77, "credits"),
     ("account-status-usd.json", "Included usage", 75, "USD")],
)  # fmt: skip
def test_account_status_json_becomes_the_snapshot_and_home_is_untouched(
    auggie, real_augment, home, stdout, name, utilization, currency
):
    before = snapshot_tree(real_augment)
    auggie.set("ok", stdout=stdout)
    result = AugmentCli().fetch(ctx_for(home, auggie.environ()))
    assert result.success, result.error
    period = result.snapshot.periods[0]
    assert (period.name, period.utilization) == (name, utilization)
    assert result.snapshot.overage.currency == currency
    assert result.snapshot.source == "cli"
    assert snapshot_tree(real_augment) == before


def test_auggie_gets_a_private_cache_dir_home_and_the_session_by_environment(
    auggie, real_augment, home
):
    before = snapshot_tree(real_augment)
    assert AugmentCli().fetch(ctx_for(home, auggie.environ())).success
    (run,) = auggie.runs()
    private = run["argv"][1]
    assert run["argv"] == ["--augment-cache-dir", private, "account", "status", "--json"]
    assert run["home"] == private and run["cwd"] == os.path.realpath(private)
    assert json.loads(run["session_env"]) == json.loads(SESSION_TEXT)
    assert run["stdin_is_open"] is False
    assert all(TOKEN not in arg for arg in run["argv"])
    assert is_inside(Path(private), home.cache_dir)  # vibeusage's own cache, not ~/.augment
    assert not Path(private).exists()  # removed afterwards, .auggie.json with it
    assert snapshot_tree(real_augment) == before


def test_child_environment_points_every_home_at_the_private_dir(home, tmp_path):
    environ = dict(os.environ, AUGMENT_API_TOKEN="other", AUGMENT_API_URL="https://x/", KEEP="1")
    ctx = ctx_for(home, environ)
    env = child_environment(ctx, parse_session(SESSION_TEXT, "env"), tmp_path)
    for name in ("HOME", "USERPROFILE", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        assert env[name] == str(tmp_path)
    assert env["AUGMENT_SESSION_AUTH"] == SESSION_TEXT
    assert "AUGMENT_API_TOKEN" not in env and "AUGMENT_API_URL" not in env
    assert env["KEEP"] == "1"


@pytest.mark.parametrize("source", ["env", "stored"])
def test_sessions_from_elsewhere_are_handed_over_the_same_way(auggie, home, source, cli):
    if source == "env":
        environ = auggie.environ(AUGMENT_SESSION_AUTH=f"SESSION={SESSION_TEXT}")
    else:
        environ = auggie.environ()
        result = cli("key", "augment", "set", SESSION_TEXT)
        assert result.code == 0, result.err
    assert AugmentCli().fetch(ctx_for(home, environ)).success
    (run,) = auggie.runs()
    assert run["session_env"] == SESSION_TEXT
    assert not (home.root / ".augment").exists()  # nothing made in the real home either


def test_auggie_cli_path_overrides_path(auggie, home, real_augment, tmp_path):
    other = tmp_path / "elsewhere" / "auggie-nightly"
    other.parent.mkdir()
    other.write_bytes(auggie.path.read_bytes())
    other.chmod(0o755)
    environ = dict(os.environ, AUGGIE_CLI_PATH=str(other))
    strategy = AugmentCli()
    assert strategy.available(ctx_for(home, environ))
    assert str(other) in strategy.explain(ctx_for(home, environ))
    assert strategy.fetch(ctx_for(home, environ)).success
    missing = dict(os.environ, AUGGIE_CLI_PATH=str(tmp_path / "nope"))
    assert strategy.available(ctx_for(home, missing)) is False


def test_not_available_without_auggie_or_without_a_session(auggie, home):
    strategy = AugmentCli()
    assert strategy.available(ctx_for(home, dict(os.environ))) is False
    assert strategy.available(ctx_for(home, auggie.environ())) is False
    assert "no session" in strategy.explain(ctx_for(home, auggie.environ()))
    assert auggie.runs() == []


# --- failures --------------------------------------------------------------------------------


def test_401_is_authentication_marks_the_session_and_auggie_is_never_run_again(
    auggie, real_augment, home
):
    before = snapshot_tree(real_augment)
    auggie.set("401")
    ctx = ctx_for(home, auggie.environ())
    error = AugmentCli().fetch(ctx).error
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert "Augment rejected the auggie login" in error.message
    assert was_rejected(ctx, TOKEN)
    again = AugmentCli().fetch(ctx).error
    assert "auggie is not run with it" in again.message
    assert len(auggie.runs()) == 1
    assert snapshot_tree(real_augment) == before


def test_file_session_401_wording_of_auggie_is_authentication_too(auggie, real_augment, home):
    auggie.set("401", stderr="account-status-401.stderr.txt")
    error = AugmentCli().fetch(ctx_for(home, auggie.environ())).error
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "Please configure Augment API URL" in error.message


def test_a_session_rejected_by_oauth_never_reaches_auggie(auggie, real_augment, home):
    ctx = ctx_for(home, auggie.environ())
    mark_rejected(ctx, TOKEN)
    error = AugmentCli().fetch(ctx).error
    assert error.category is ErrorCategory.AUTHENTICATION
    assert auggie.runs() == []


@pytest.mark.parametrize(
    "mode, kwargs, category, text",
    [
        ("stderr", {"stderr": "account-status-not-logged-in.stderr.txt"},
         ErrorCategory.AUTHENTICATION, "not logged in"),
        ("stderr", {"stderr": "account-status-no-subscription.stderr.txt"},
         ErrorCategory.AUTHORIZATION, "no subscription"),
        ("ok", {"stdout": "account-status.txt"}, ErrorCategory.PROVIDER, "other than the JSON"),
        ("ok", {"stdout": "account-status-legacy.txt"}, ErrorCategory.PROVIDER, "other than"),
        ("ok", {"stdout": "account-status.json", "exit": 3}, ErrorCategory.PROVIDER, "exit code 3"),
        ("ok", {"stdout": "session.json"}, ErrorCategory.PARSE, "unexpected response"),
    ],
)  # fmt: skip
def test_auggies_answers_get_their_categories(
    auggie, real_augment, home, mode, kwargs, category, text
):
    before = snapshot_tree(real_augment)
    auggie.set(mode, **kwargs)
    error = AugmentCli().fetch(ctx_for(home, auggie.environ())).error
    assert error.category is category
    assert text in error.message
    assert snapshot_tree(real_augment) == before


def test_rate_limited_auggie_is_rate_limited_with_a_back_off(auggie, home, real_augment, tmp_path):
    stderr = tmp_path / "429.txt"
    stderr.write_text("Failed to retrieve account status\n   HTTP error: 429 Too Many Requests\n")
    auggie.set("stderr")
    config = json.loads(auggie.config_path.read_text())
    config["stderr"] = str(stderr)
    auggie.config_path.write_text(json.dumps(config))
    error = AugmentCli().fetch(ctx_for(home, auggie.environ())).error
    assert (error.category, error.exit_code) == (ErrorCategory.RATE_LIMITED, 3)
    assert error.retry_after and error.retry_after > 0


def test_a_token_auggie_prints_is_masked(auggie, real_augment, home):
    auggie.set("echo-token")
    error = AugmentCli().fetch(ctx_for(home, auggie.environ())).error
    assert TOKEN not in error.message and TOKEN[8:40] not in error.message


def test_a_hanging_auggie_is_killed_at_the_cap_and_its_dir_removed(auggie, real_augment, home):
    before = snapshot_tree(real_augment)
    auggie.set("hang")
    started = time.monotonic()
    error = AugmentCli(time_cap=1.0).fetch(ctx_for(home, auggie.environ())).error
    assert time.monotonic() - started < 8
    assert error.category is ErrorCategory.PROVIDER and "did not answer" in error.message
    (run,) = auggie.runs()
    assert not Path(run["argv"][1]).exists()
    assert snapshot_tree(real_augment) == before


def test_the_strategy_budget_caps_the_run_below_the_pipelines_timeout(auggie, home, real_augment):
    auggie.set("hang")
    started = time.monotonic()
    AugmentCli().fetch(ctx_for(home, auggie.environ(), timeout=2.0))
    assert time.monotonic() - started < 6


# --- the chain from outside ----------------------------------------------------------------


def test_oauth_401_stops_the_chain_before_auggie(
    cli, auggie, home, real_augment, mocked, monkeypatch
):
    before = snapshot_tree(real_augment)
    monkeypatch.setenv("PATH", auggie.environ()["PATH"])
    mocked.post(SUMMARY_URL, status=401)
    result = cli("augment", "--json", clock=lambda: NOW)
    assert result.code == 2
    assert result.json()["error"]["category"] == "authentication"
    assert auggie.runs() == []
    again = cli("augment", "--json", "--refresh", "--verbose", clock=lambda: NOW)
    assert again.code == 2 and auggie.runs() == []
    assert snapshot_tree(real_augment) == before
    assert TOKEN not in result.out + result.err + again.out + again.err


@pytest.mark.parametrize("answer", [{"status": 404}, {"status": 502}, {"body": "<html>"}])
def test_oauth_failures_that_allow_it_fall_back_to_auggie(
    cli, auggie, home, real_augment, mocked, monkeypatch, answer
):
    before = snapshot_tree(real_augment)
    monkeypatch.setenv("PATH", auggie.environ()["PATH"])
    mocked.post(SUMMARY_URL, **answer)
    result = cli("augment", "--json", clock=lambda: NOW)
    assert result.code == 0, result.out + result.err
    assert result.json()["source"] == "cli"
    assert result.json()["periods"][0]["utilization"] == 77
    assert len(auggie.runs()) == 1
    table = cli("augment", "--refresh", clock=lambda: NOW)
    assert table.code == 0 and "Credits" in table.out
    assert snapshot_tree(real_augment) == before


def test_auth_source_cli_alone_is_still_isolated(
    cli, auggie, home, real_augment, mocked, monkeypatch
):
    before = snapshot_tree(real_augment)
    monkeypatch.setenv("PATH", auggie.environ()["PATH"])
    home.write_config('[providers.augment]\nauth_source = "cli"\n')
    auggie.set("401")
    result = cli("augment", "--json", clock=lambda: NOW)
    assert result.code == 2
    assert len(mocked.calls) == 0 and len(auggie.runs()) == 1
    assert snapshot_tree(real_augment) == before
