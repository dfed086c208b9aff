"""``vibeusage statusline`` from outside: Claude Code's hook, and the line for prompts and bars."""

import json
import os
import re
import stat
from datetime import timedelta

import pytest

from tests.conftest import USAGE_URL, load_fixture
from tests.statusline_helpers import (
    FIVE_RESET,
    NOW,
    WEEK_RESET,
    cache_snapshot,
    capture_path,
    claude_dir,
    clock,
    payload,
    read_capture_json,
    record_path,
    stdin,
)
from vibeusage.models import PeriodType, UsagePeriod

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX shell and permission bits")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def hook(cli, data=None, *argv, at=NOW):
    return cli(
        "statusline", *argv, stdin=stdin(payload() if data is None else data), clock=clock(at)
    )


# --- hook mode ------------------------------------------------------------------------------


def test_hook_captures_claude_code_numbers_and_prints_the_line(cli, home):
    result = hook(cli)
    assert (result.code, result.out, result.err) == (0, "Claude 5h 57% 7d 14%\n", "")
    capture = read_capture_json(home)
    assert capture["windows"]["five_hour"]["used_percent"] == 57.0
    assert capture["config_dir"] == os.path.realpath(claude_dir(home))


@posix_only
def test_capture_is_private(cli, home):
    hook(cli)
    path = capture_path(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_session_start_before_any_capture_prints_an_empty_line(cli, home):
    result = hook(cli, load_fixture("claude/statusline-session-start.json"))
    assert (result.code, result.out) == (0, "\n")
    assert read_capture_json(home)["windows"] == {}
    assert len(read_capture_json(home)["sessions"]) == 1


def test_the_capture_follows_claude_config_dir(cli, home, monkeypatch):
    other = home.root / "work-claude"
    other.mkdir()
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(other))
    hook(cli)
    assert capture_path(home, other).is_file()
    assert not capture_path(home).exists()
    monkeypatch.delenv("CLAUDE_CONFIG_DIR")
    assert cli("statusline", clock=clock()).out == "\n"
    assert cli("statusline", "--claude-config-dir", str(other), clock=clock()).out.startswith(
        "Claude 5h 57%"
    )


@pytest.mark.parametrize(
    "text",
    ["hello", "[1, 2]", '{"model": {"id": "x"}}', "{broken", "\xff", " "],
)
def test_input_that_is_not_claude_codes_is_ignored(cli, home, text):
    cache_snapshot(home, "codex", 12)
    result = cli("statusline", stdin=text, clock=clock())
    assert (result.code, result.out) == (0, "Codex 7d 12%\n")
    assert not capture_path(home).exists()


def test_input_over_one_mebibyte_is_not_read_as_a_hook(cli, home):
    big = payload(padding="x" * (1024 * 1024))
    result = hook(cli, big)
    assert (result.code, result.out) == (0, "\n")
    assert not capture_path(home).exists()


def test_a_capture_that_cannot_be_written_still_gives_the_line(cli, home, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("VIBEUSAGE_STATE_DIR", str(blocker))
    cache_snapshot(home, "codex", 12)
    result = hook(cli)
    assert (result.code, result.out, result.err) == (0, "Codex 7d 12%\n", "")


def test_a_garbage_capture_is_replaced_by_the_next_hook(cli, home):
    path = capture_path(home)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert cli("statusline", clock=clock()).out == "\n"
    assert hook(cli).out == "Claude 5h 57% 7d 14%\n"
    assert read_capture_json(home)["v"] == 1


@posix_only
def test_hook_chains_the_previous_command_with_the_same_input(cli, home):
    record = record_path(home)
    record.parent.mkdir(parents=True)
    seen = home.root / "seen.json"
    previous = f"cat > '{seen}'; printf 'mine: %s' ok; echo oops >&2; exit 3"
    record.write_text(
        json.dumps(
            {
                "v": 1,
                "installed_command": "python -m vibeusage statusline",
                "previous": {"type": "command", "command": previous, "padding": 0},
            }
        )
    )
    data = stdin(payload())
    result = cli("statusline", stdin=data, clock=clock())
    assert (result.code, result.out, result.err) == (3, "mine: ok", "oops\n")
    assert seen.read_text() == data
    assert read_capture_json(home)["windows"]["five_hour"]["used_percent"] == 57.0


def test_a_record_without_previous_command_prints_our_line(cli, home):
    record = record_path(home)
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"v": 1, "installed_command": "x", "previous": None}))
    assert hook(cli).out == "Claude 5h 57% 7d 14%\n"


# --- the own line ---------------------------------------------------------------------------


def test_own_line_shows_every_enabled_provider_with_data(cli, home):
    hook(cli)
    cache_snapshot(home, "codex", 12)
    cache_snapshot(home, "gemini", 30, PeriodType.DAILY, name="Daily (pro)", resets=None)
    result = cli("statusline", clock=clock())
    assert result.out == "Claude 5h 57% 7d 14% | Codex 7d 12% | Gemini 24h 30%\n"
    assert cli("statusline", "codex", "claude", clock=clock()).out == (
        "Codex 7d 12% | Claude 5h 57% 7d 14%\n"
    )


def test_nothing_cached_prints_an_empty_line(cli, home):
    for fmt, expected in [("plain", "\n"), ("ansi", "\n"), ("tmux", "\n")]:
        assert cli("statusline", "--format", fmt).out == expected
    assert json.loads(cli("statusline", "--format", "json").out) == {"providers": []}
    waybar = json.loads(cli("statusline", "--format", "waybar").out)
    assert waybar["text"] == "" and waybar["percentage"] == 0


def test_named_provider_without_data_is_left_out(cli, home):
    cache_snapshot(home, "codex", 12)
    assert cli("statusline", "cursor", clock=clock()).out == "\n"


def test_unknown_provider_is_a_usage_error(cli, home):
    result = cli("statusline", "nosuch")
    assert result.code == 4
    assert "unknown provider" in result.err


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "xml"],
        ["--template", "{used} {bogus}"],
        ["--template", "{used"],
        ["--format", "json", "--template", "{used}"],
        ["--width", "0"],
        ["--yes"],
        ["install", "claude"],
        ["status", "--format", "tmux"],
        ["install", "--json"],
    ],
)
def test_bad_arguments_exit_4(cli, home, argv):
    result = cli("statusline", *argv, stdin=stdin(payload()), clock=clock())
    assert result.code == 4, result.err
    assert result.out == ""


def test_per_model_windows_are_not_candidates_and_one_per_type_is_shown(cli, home):
    extra = (
        UsagePeriod("Weekly (Opus)", 90, PeriodType.WEEKLY, NOW + timedelta(days=2), "opus"),
        UsagePeriod("Weekly (other)", 20, PeriodType.WEEKLY, NOW + timedelta(days=2)),
        UsagePeriod("Session (5h)", 7, PeriodType.SESSION, NOW + timedelta(hours=1)),
    )
    cache_snapshot(home, "claude", 15, extra=extra)
    assert cli("statusline", clock=clock()).out == "Claude 5h 7% 7d 20%\n"


def test_the_capture_wins_over_older_cached_claude_data_only(cli, home):
    cache_snapshot(home, "claude", 30, fetched=NOW - timedelta(minutes=10))
    hook(cli, at=NOW - timedelta(minutes=5))
    line = json.loads(cli("statusline", "--format", "json", clock=clock()).out)
    assert line["providers"][0]["source"] == "statusline"
    cache_snapshot(home, "claude", 30, fetched=NOW - timedelta(minutes=1))
    line = json.loads(cli("statusline", "--format", "json", clock=clock()).out)
    assert line["providers"][0]["source"] == "oauth"
    assert line["providers"][0]["windows"][0]["used_percent"] == 30


def test_old_data_is_marked_and_a_passed_reset_starts_again(cli, home):
    hook(cli, at=NOW - timedelta(hours=2))
    cache_snapshot(
        home,
        "codex",
        80,
        PeriodType.SESSION,
        fetched=NOW - timedelta(hours=6),
        resets=NOW - timedelta(hours=1),
        name="Session",
    )
    assert cli("statusline", clock=clock()).out == "Claude 5h 57%~ 7d 14%~ | Codex 5h 0%~\n"


def test_stale_threshold_comes_from_the_config(cli, home):
    home.write_config("[fetch]\nstale_threshold = 86400\n")
    hook(cli, at=NOW - timedelta(hours=2))
    assert cli("statusline", clock=clock()).out == "Claude 5h 57% 7d 14%\n"


def test_enabled_providers_in_the_config_choose_the_default(cli, home):
    home.write_config('enabled_providers = ["codex"]\n')
    hook(cli)
    cache_snapshot(home, "codex", 12)
    assert cli("statusline", clock=clock()).out == "Codex 7d 12%\n"


def test_a_broken_config_exits_4_but_the_hook_still_captures(cli, home):
    home.write_config("[fetch\n")
    result = hook(cli)
    assert result.code == 4
    assert "Invalid TOML" in result.err
    assert read_capture_json(home)["windows"]


# --- formats --------------------------------------------------------------------------------


def near_limit(cli):
    """A capture at 96 % of the session, and 81 % of the week."""
    data = payload(
        rate_limits={
            "five_hour": {"used_percentage": 96.2, "resets_at": FIVE_RESET},
            "seven_day": {"used_percentage": 81, "resets_at": WEEK_RESET},
        }
    )
    hook(cli, data)


def test_ansi_colours_by_severity_even_with_no_color(cli, home, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    near_limit(cli)
    cache_snapshot(home, "codex", 12)
    out = cli("statusline", "--format", "ansi", clock=clock()).out
    assert out == (
        "Claude \x1b[31m5h 96%\x1b[0m \x1b[33m7d 81%\x1b[0m | Codex \x1b[32m7d 12%\x1b[0m\n"
    )


def test_tmux_styles(cli, home):
    near_limit(cli)
    out = cli("statusline", "--format", "tmux", clock=clock()).out
    assert out == "Claude #[fg=red]5h 96%#[default] #[fg=yellow]7d 81%#[default]\n"


def test_a_window_running_out_within_30_minutes_is_critical(cli, home):
    # 60 % used in the first 1h of the session: at that rate it is out 40 min from now.
    data = payload(rate_limits={"five_hour": {"used_percentage": 60, "resets_at": FIVE_RESET}})
    hook(cli, data, at=NOW - timedelta(hours=1, minutes=48))
    moment = NOW - timedelta(hours=1, minutes=48) + timedelta(minutes=20)
    line = json.loads(cli("statusline", "--format", "json", clock=clock(moment)).out)
    (window,) = line["providers"][0]["windows"]
    assert window["eta_seconds"] is not None and window["eta_seconds"] <= 1800
    assert window["severity"] == "critical"


def test_json_line(cli, home):
    hook(cli)
    out = cli("statusline", "--format", "json", clock=clock()).out
    assert out.count("\n") == 1
    document = json.loads(out)
    (claude,) = document["providers"]
    assert list(claude) == ["provider", "name", "source", "stale", "fetched_at", "windows"]
    assert claude["provider"] == "claude" and claude["name"] == "Claude"
    assert claude["fetched_at"] == "2026-09-20T13:12:00+00:00"
    session = claude["windows"][0]
    assert session == {
        "name": "Session (5h)",
        "label": "5h",
        "period_type": "session",
        "model": None,
        "used_percent": 57,
        "remaining_percent": 43,
        "resets_at": "2026-09-20T16:00:00+00:00",
        # 57 % after 2h12m of 5 h: 13 points ahead of pace, out in 1h39m, before the reset.
        "severity": "warning",
        "eta_seconds": 5975,
    }
    assert claude["windows"][1]["severity"] == "ok"
    assert claude["windows"][1]["eta_seconds"] is None


def test_waybar_line(cli, home):
    near_limit(cli)
    cache_snapshot(home, "codex", 12)
    document = json.loads(cli("statusline", "--format", "waybar", clock=clock()).out)
    assert list(document) == ["text", "tooltip", "class", "alt", "percentage"]
    assert document["text"] == "Claude 5h 96% 7d 81% | Codex 7d 12%"
    assert document["class"] == document["alt"] == "critical"
    assert document["percentage"] == 96
    assert "Claude Session (5h): 96% used, resets in 2h48m" in document["tooltip"].splitlines()


def test_waybar_class_is_stale_when_any_data_is(cli, home):
    hook(cli)
    cache_snapshot(home, "codex", 12, fetched=NOW - timedelta(days=2))
    document = json.loads(cli("statusline", "--format", "waybar", clock=clock()).out)
    assert document["class"] == "stale"
    assert "(data from 2d ago)" in document["tooltip"]


def test_template_fields(cli, home):
    hook(cli)
    template = "{id}:{provider}/{name}/{label} {used}% used {left}% left {reset}{stale}{eta}"
    out = cli("statusline", "--template", template, clock=clock()).out
    assert out == (
        "claude:Claude/Session (5h)/5h 57% used 43% left 2h48m1h39m "
        "claude:Claude/Weekly/7d 14% used 86% left 5d16h\n"
    )


def test_template_with_colours(cli, home):
    near_limit(cli)
    out = cli("statusline", "--format", "tmux", "--template", "{label}:{used}", clock=clock()).out
    assert out == "#[fg=red]5h:96#[default] #[fg=yellow]7d:81#[default]\n"


@pytest.mark.parametrize(
    "width, expected",
    [
        (200, "Claude 5h 57% 7d 14% | Codex 7d 12%"),
        (35, "Claude 5h 57% 7d 14% | Codex 7d 12%"),
        (34, "Claude 5h 57% 7d 14% …"),
        (22, "Claude 5h 57% 7d 14% …"),
        (21, "Claude 5h 57% …"),
        (10, "Claude 5h…"),
        (1, "…"),
    ],
)
def test_width_drops_windows_from_the_end(cli, home, width, expected):
    hook(cli)
    cache_snapshot(home, "codex", 12)
    out = cli("statusline", "--width", str(width), clock=clock()).out
    assert out == expected + "\n"
    assert len(out.rstrip("\n")) <= width


def test_width_counts_visible_columns_only(cli, home):
    hook(cli)
    cache_snapshot(home, "codex", 12)
    out = cli("statusline", "--format", "ansi", "--width", "25", clock=clock()).out
    assert SGR.sub("", out) == "Claude 5h 57% 7d 14% …\n"
    assert "\x1b[32m" in out


# --- --refresh ------------------------------------------------------------------------------


def test_refresh_with_a_fresh_capture_makes_no_request(cli, home, mocked):
    home.write_claude_credentials()
    hook(cli, at=NOW - timedelta(minutes=2))
    result = cli("statusline", "--refresh", clock=clock())
    assert (result.code, result.out) == (0, "Claude 5h 57% 7d 14%\n")
    assert not mocked.calls


def test_refresh_asks_for_old_data_and_swallows_failures(cli, home, mocked):
    home.write_claude_credentials()
    cache_snapshot(home, "claude", 30, fetched=NOW - timedelta(hours=3))
    mocked.get(USAGE_URL, status=500)
    result = cli("statusline", "--refresh", clock=clock())
    assert (result.code, result.out) == (0, "Claude 7d 30%~\n")
    assert [c.request.url for c in mocked.calls if c.request.url == USAGE_URL]
