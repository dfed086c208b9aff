"""The small annoyances of a first hour (issue 13, item 17), each checked from outside."""

import copy
import errno
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.conftest import USAGE_URL, load_fixture
from vibeusage.commands import COMMANDS
from vibeusage.providers import all_providers

NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)
TOKEN = "sk-ant-oat01-SECRETtokenVALUEthatMUSTneverLEAK0123456789"
COPILOT_URL = "https://api.github.com/copilot_internal/user"
GH_TOKEN = "ghp_" + "GhT0k3nEnv" * 3


@pytest.fixture
def logged_in(home):
    home.write_claude_credentials(accessToken=TOKEN)
    return home


# --- results on stdout ------------------------------------------------------------------------


def test_auth_result_is_on_stdout_so_a_script_can_capture_it(cli, logged_in):
    result = cli("auth", "claude")
    assert result.code == 0, result.err
    assert "Claude is connected through: Claude Code login" in result.out
    assert result.err == ""


def test_cache_clear_and_config_reset_results_are_on_stdout(cli, home):
    cleared = cli("cache", "clear")
    assert cleared.code == 0 and cleared.out.startswith("Removed ") and cleared.err == ""
    reset = cli("config", "reset", "--yes")
    assert reset.code == 0 and "Wrote a default configuration" in reset.out and reset.err == ""


# --- config show and cache show ----------------------------------------------------------------


def test_config_show_says_not_set_instead_of_none(cli, home):
    text = cli("config", "show").out
    assert "None" not in text
    host = next(line for line in text.splitlines() if "providers.copilot.host" in line)
    assert host.split()[-2:] == ["(not", "set)"]


def test_cache_show_says_not_paused(cli, home):
    text = cli("cache", "show").out
    assert " open" not in text
    claude = next(line for line in text.splitlines() if line.startswith("claude "))
    assert claude.endswith("not paused")


# --- identity.login ----------------------------------------------------------------------------


def test_the_copilot_login_is_identity_login_not_email(cli, mocked, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", GH_TOKEN)
    mocked.get(COPILOT_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    identity = cli("copilot", "--json").json()["identity"]
    assert identity["login"] == "testuser"
    assert identity["email"] is None
    verbose = cli("copilot", "--verbose", "--refresh").out
    assert "Account: testuser" in verbose


# --- absolute resets name the zone ---------------------------------------------------------------


@pytest.fixture
def paris(monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_absolute_reset_times_name_their_time_zone(cli, logged_in, mocked, paris):
    logged_in.write_config('[display]\nreset_format = "absolute"\n')
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    text = cli("claude", clock=lambda: NOW).out
    session = next(line for line in text.splitlines() if "Session (5h)" in line)
    assert session.endswith("resets Fri 03 Jul 02:30 CEST")


# --- typos and word order ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", [p.id for p in all_providers()])
def test_a_provider_typo_is_answered_with_the_provider_meant(cli, home, provider):
    typo = provider[:-1]
    for argv in ([typo], ["auth", typo], ["key", typo] if provider == "claude" else [typo]):
        result = cli(*argv)
        assert result.code == 4, (argv, result.err)
        assert f"Did you mean `{provider}`?" in result.err, (argv, result.err)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_command_typo_in_the_usage_view_suggests_the_command(cli, home, command):
    typo = command[:-1] if len(command) > 4 else command + "x"
    result = cli(typo)
    assert result.code == 4
    assert f"Did you mean the command `vibeusage {command}`?" in result.err


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_command_after_a_provider_says_commands_come_first(cli, home, command):
    result = cli("claude", command)
    assert result.code == 4
    assert "commands come before providers" in result.err
    assert f"`vibeusage {command} claude`" in result.err


# --- one timeout bound -------------------------------------------------------------------------


def test_the_command_line_and_the_file_bound_the_timeout_alike(cli, home):
    assert cli("--timeout", "600", "--offline").code != 4
    flag = cli("--timeout", "601")
    assert flag.code == 4 and "between 0.1 and 600 seconds" in flag.err
    home.write_config("[fetch]\ntimeout = 601\n")
    file = cli("--offline")
    assert file.code == 4 and "between 0.1 and 600" in file.err


# --- quiet says why data is stale --------------------------------------------------------------


def test_quiet_says_why_the_data_is_stale(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    assert cli("claude", "--json", clock=lambda: NOW).code == 0
    mocked.replace("GET", USAGE_URL, body=requests.ConnectionError("refused"))
    later = NOW + timedelta(hours=2)
    result = cli("claude", "-q", clock=lambda: later)
    assert result.code == 5
    first = result.out.splitlines()[0]
    assert first.endswith("(stale, 2h 0m old, refresh failed: network error)"), first


# --- a file that cannot be written ---------------------------------------------------------------


def test_a_full_disk_names_the_file_and_says_it_is_full(cli, home, monkeypatch):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("vibeusage.store.os.fsync", full)
    result = cli("key", "zai", "set", "0123456789abcdef.0123456789abcdef", "--force")
    assert result.code == 1
    assert "unexpected error" not in result.err
    assert "api_key.json: the disk is full" in result.err
    reset = cli("config", "reset", "--yes")
    assert reset.code == 1 and "config.toml: the disk is full" in reset.err


def test_an_output_file_on_a_read_only_disk_says_so(cli, home, monkeypatch):
    def read_only(fd: int) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("vibeusage.store.os.fsync", read_only)
    target = home.root / "out.txt"
    result = cli("--json", "-o", str(target))  # nothing connected: an empty document
    assert result.code == 1
    assert f"cannot write {target}: the file system is read-only" in result.err


# --- a bad pace without colour ------------------------------------------------------------------


def test_without_colour_a_window_ahead_of_its_pace_is_marked(cli, logged_in, mocked):
    usage = copy.deepcopy(load_fixture("claude/oauth-usage-limits.json"))
    usage["five_hour"]["utilization"] = 90.0
    for limit in usage["limits"]:
        if limit["kind"] == "session":
            limit["percent"] = 90
    mocked.get(USAGE_URL, json=usage)
    plain = cli("claude", clock=lambda: NOW).out
    session = next(line for line in plain.splitlines() if "Session (5h)" in line)
    weekly = next(line for line in plain.splitlines() if line.strip().startswith("Weekly "))
    assert "90%  !!" in session
    assert "!" not in weekly
    coloured = cli("claude", tty=True, clock=lambda: NOW).out
    assert "!!" not in coloured and "\x1b[31m90%" in coloured


# --- browser cookies are opt-in -----------------------------------------------------------------


def test_cursor_reads_browser_cookies_only_when_asked_and_auth_says_so(cli, home):
    shown = cli("config", "show").out
    option = next(line for line in shown.splitlines() if "browser_cookies" in line)
    assert option.split()[-1] == "false"
    result = cli("auth", "cursor")
    assert result.code == 2
    assert "`browser_cookies = true` in [providers.cursor]" in result.err
