"""Claude's cli strategy: the /usage screen parser and the conversation with the TUI.

The screens under ``fixtures/claude/screens`` are terminal output: the trust dialog, banner
and prompt were recorded from the real Claude Code 2.1.197 (working directory renamed); the
usage screens are drawn the way its renderer draws them (words placed with cursor moves,
redraws that move up and rewrite, carriage returns). The driver is tested against
``fixtures/claude/fake_claude_tui.py`` behind a ``claude`` wrapper on a private PATH; the real
Claude Code is never run. The terminal emulator and driver themselves are tested in
``tests/kit``.
"""

import json
import os
import random
import sys
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from tests.conftest import FIXTURES, make_ctx
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.kit.terminal.screen import render_screen
from vibeusage.models import OverageUsage, PeriodType, UsageSnapshot
from vibeusage.paths import Paths
from vibeusage.providers.base import FetchContext
from vibeusage.providers.claude.cli_probe import (
    COLUMNS,
    ROWS,
    ClaudeCli,
    ProbeTimings,
    child_environment,
    parse_reset,
    parse_usage_screen,
    probe_budget,
    probe_usage,
    run_usage_probe,
    screen_error,
)

SCREENS = FIXTURES / "claude" / "screens"
FAKE_TUI = FIXTURES / "claude" / "fake_claude_tui.py"

posix_only = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="pseudo-terminals and process groups are POSIX"
)


def _has_tz_database() -> bool:
    try:
        import zoneinfo

        zoneinfo.ZoneInfo("Europe/Paris")
    except Exception:
        return False
    return True


#: Named zones need a tz database (Windows: the tzdata package); without it they read as UTC.
needs_tz = pytest.mark.skipif(not _has_tz_database(), reason="no time zone database")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def screen(name: str) -> str:
    """A recorded screen, byte for byte (no newline translation: CRs matter)."""
    return (SCREENS / name).read_bytes().decode("utf-8")


Row = Tuple[str, int, PeriodType, Optional[datetime], Optional[str]]


def rows(snapshot: UsageSnapshot) -> List[Row]:
    return [(p.name, p.utilization, p.period_type, p.resets_at, p.model) for p in snapshot.periods]


# --- parse_usage_screen on recorded screens --------------------------------------------------


@needs_tz
def test_wide_pro_screen_gives_session_weekly_and_usage_credits_in_paris_time() -> None:
    now = utc(2026, 7, 5, 10, 20)  # 12:20 in Paris
    snapshot = parse_usage_screen(screen("usage-pro-wide.txt"), now)
    assert rows(snapshot) == [
        ("Session (5h)", 37, PeriodType.SESSION, utc(2026, 7, 5, 13, 0), None),
        ("Weekly", 12, PeriodType.WEEKLY, utc(2026, 7, 8, 7, 0), None),
    ]
    assert snapshot.overage == OverageUsage(Decimal("5.50"), Decimal("50.00"), "USD")
    assert (snapshot.provider, snapshot.source, snapshot.fetched_at) == ("claude", "cli", now)


@needs_tz
def test_narrow_layout_reads_resets_from_the_title_line_across_the_new_year() -> None:
    now = utc(2026, 12, 31, 20, 0)  # 15:00 in New York
    snapshot = parse_usage_screen(screen("usage-narrow.txt"), now)
    assert rows(snapshot) == [
        # "12:30am" is the next one: tomorrow, which is next year.
        ("Session (5h)", 8, PeriodType.SESSION, utc(2027, 1, 1, 5, 30), None),
        # "Jan 5, 2027, 2pm": the year is written because it is not the current one.
        ("Weekly", 64, PeriodType.WEEKLY, utc(2027, 1, 5, 19, 0), None),
    ]
    assert snapshot.overage is None


@needs_tz
def test_max_screen_has_sonnet_and_per_model_weeks_and_the_last_redraw_wins() -> None:
    now = utc(2026, 3, 10, 2, 0)  # 11:00 in Tokyo
    snapshot = parse_usage_screen(screen("usage-max-models.txt"), now)
    assert rows(snapshot) == [
        # "3:59 PM" with a narrow no-break space, as newer ICU writes it.
        ("Session (5h)", 41, PeriodType.SESSION, utc(2026, 3, 10, 6, 59), None),
        ("Weekly", 21, PeriodType.WEEKLY, utc(2026, 3, 13, 23, 0), None),
        ("Weekly (Sonnet)", 4, PeriodType.WEEKLY, utc(2026, 3, 13, 23, 0), "sonnet"),
        ("Weekly (Opus)", 9, PeriodType.WEEKLY, utc(2026, 3, 12, 13, 30), "opus"),
        # A one-time credit expires rather than resets.
        ("Claude Code and Cowork credit", 25, PeriodType.MONTHLY, None, None),
    ]


def test_session_only_screen_time_only_reset_is_the_next_midnight() -> None:
    snapshot = parse_usage_screen(screen("usage-session-only.txt"), utc(2026, 5, 1, 20, 15))
    assert rows(snapshot) == [
        ("Session (5h)", 100, PeriodType.SESSION, utc(2026, 5, 2, 0, 0), None),
    ]


@needs_tz
def test_non_interactive_one_line_form_is_read_too() -> None:
    text = (
        "You are currently using your subscription to power your Claude Code usage\n"
        "Current session: 23% used · resets Jul 5, 3pm (Europe/Paris)\n"
        "Current week (all models): 45% used · resets Jul 8, 9am (Europe/Paris)\n"
    )
    snapshot = parse_usage_screen(text, utc(2026, 7, 5, 10, 20))
    assert rows(snapshot) == [
        ("Session (5h)", 23, PeriodType.SESSION, utc(2026, 7, 5, 13, 0), None),
        ("Weekly", 45, PeriodType.WEEKLY, utc(2026, 7, 8, 7, 0), None),
    ]


def test_section_without_a_reset_line_has_no_reset_time() -> None:
    text = "  Current week (all models)\r\n  ████ 80% used\r\n\r\n  Esc to cancel\r\n"
    snapshot = parse_usage_screen(text, utc(2026, 7, 5))
    assert rows(snapshot) == [("Weekly", 80, PeriodType.WEEKLY, None, None)]


@pytest.mark.parametrize(
    ("text", "category", "words"),
    [
        (screen("usage-error.txt"), ErrorCategory.PROVIDER, "could not load usage data"),
        (screen("usage-no-subscription.txt"), ErrorCategory.AUTHENTICATION, "no plan limits"),
        (screen("login-screen.txt"), ErrorCategory.AUTHENTICATION, "not logged in"),
        (
            "  Error: Usage endpoint is rate limited. Please try again in a moment.",
            ErrorCategory.RATE_LIMITED,
            "rate limiting",
        ),
        (
            " Unable to connect to Anthropic services\r\n Failed to connect to api.anthropic.com",
            ErrorCategory.NETWORK,
            "could not connect",
        ),
        ("Unknown skill: usage", ErrorCategory.PROVIDER, "no /usage command"),
        (screen("trust-dialog.txt"), ErrorCategory.PARSE, "no usage"),
        ("", ErrorCategory.PARSE, "no usage"),
    ],
)
def test_screens_without_usage_raise_the_error_they_show(
    text: str, category: ErrorCategory, words: str
) -> None:
    with pytest.raises(VibeusageError) as caught:
        parse_usage_screen(text, utc(2026, 7, 5))
    assert caught.value.category is category
    assert words in caught.value.message


def test_authentication_errors_tell_to_log_in_with_claude() -> None:
    error = screen_error(render_screen(screen("login-screen.txt")))
    assert error is not None
    assert "Run `claude` and log in" in error.remediation


def _fuzz_inputs() -> List[str]:
    rng = random.Random(20260705)
    pieces = [
        "\x1b[",
        "\x1b]0;",
        "\x07",
        "\x1b",
        "\r",
        "\n",
        "\x9b",
        "12",
        ";",
        "A",
        "H",
        "G",
        "?1049h",
        "?1049l",
        "Current session",
        "Current week (",
        ")",
        " · ",
        "Resets ",
        "% used",
        "99999999",
        "Jul 8, ",
        "13pm",
        "(Nowhere/Zone)",
        "(",
        "\u5168",
        "\u0301",
        "\ufffd",
        "$",
        " / ",
        " spent",
        "Usage credits",
    ]
    inputs = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60))) for _ in range(300)]
    for path in sorted(SCREENS.glob("*.txt")):
        text = screen(path.name)
        inputs += [text[:cut] for cut in range(0, len(text), 41)]
    inputs += [
        "\x1b[999999;999999H\x1b[99999A\x1b[99999P\x1b[99999@\x1b[99999L\x1b[99999M",
        "Current session\n100000% used\nResets Feb 30, 9am (UTC)",
        "Current week ()\n5% used",
        "Current week (x)\n5.5.5% used\nResets 0am (Europe/Paris)",
        "Usage credits\n1% used\n$ / $ spent",
        "Usage credits\n1% used\n$1e999999 / $NaN spent",
    ]
    return inputs


def test_parser_raises_nothing_but_vibeusage_errors_on_arbitrary_input() -> None:
    parsed = failed = 0
    for text in _fuzz_inputs():
        try:
            snapshot = parse_usage_screen(text, utc(2026, 7, 5))
        except VibeusageError:
            failed += 1
        else:
            parsed += 1
            assert all(0 <= p.utilization <= 100 for p in snapshot.periods)
    assert parsed and failed  # both paths were exercised


# --- reset times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        pytest.param(
            "3pm (Europe/Paris)", utc(2026, 7, 5, 10, 20), utc(2026, 7, 5, 13, 0), marks=needs_tz
        ),
        ("12:30am (UTC)", utc(2026, 7, 5, 10, 20), utc(2026, 7, 6, 0, 30)),
        ("12pm (UTC)", utc(2026, 7, 5, 10, 20), utc(2026, 7, 5, 12, 0)),
        # Shown at minute precision: a reset within the current minute is today's.
        ("10:20am (UTC)", utc(2026, 7, 5, 10, 20, 30), utc(2026, 7, 5, 10, 20)),
        ("10:19am (UTC)", utc(2026, 7, 5, 10, 20, 30), utc(2026, 7, 6, 10, 19)),
        pytest.param(
            "Jul 8, 9:30am (America/New_York)",
            utc(2026, 7, 5),
            utc(2026, 7, 8, 13, 30),
            marks=needs_tz,
        ),
        ("Jan 17, 2027, 2pm (UTC)", utc(2026, 12, 20), utc(2027, 1, 17, 14, 0)),
        ("Jul 8 at 9am (UTC)", utc(2026, 7, 5), utc(2026, 7, 8, 9, 0)),
        pytest.param(
            "Aug 1 (Europe/Paris)", utc(2026, 7, 5), utc(2026, 7, 31, 22, 0), marks=needs_tz
        ),
        pytest.param(
            "3\u202fPM (Europe/Paris)",
            utc(2026, 7, 5, 10, 20),
            utc(2026, 7, 5, 13, 0),
            marks=needs_tz,
        ),
        # Daylight saving starts at 2am on Mar 29 in Paris: 3am is already summer time.
        pytest.param(
            "3am (Europe/Paris)", utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 1, 0), marks=needs_tz
        ),
        # An unknown zone, or none, counts as UTC.
        ("3pm (Mars/Olympus_Mons)", utc(2026, 7, 5, 10, 20), utc(2026, 7, 5, 15, 0)),
        ("3pm", utc(2026, 7, 5, 10, 20), utc(2026, 7, 5, 15, 0)),
    ],
)
def test_reset_texts_become_utc_datetimes(text: str, now: datetime, expected: datetime) -> None:
    resets_at = parse_reset(text, now)
    assert resets_at == expected
    assert resets_at is not None and resets_at.utcoffset() is not None


@pytest.mark.parametrize(
    "text", ["", "soon", "13pm (UTC)", "3:75pm (UTC)", "Feb 30, 9am (UTC)", "Foo 3, 9am"]
)
def test_unreadable_reset_texts_are_none(text: str) -> None:
    assert parse_reset(text, utc(2026, 7, 5)) is None


def test_missing_time_zone_database_falls_back_to_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import zoneinfo

    def no_database(key: str) -> Any:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", no_database)
    assert parse_reset("3pm (Europe/Paris)", utc(2026, 7, 5, 10, 20)) == utc(2026, 7, 5, 15, 0)


# --- the environment and the budget -----------------------------------------------------------


def test_child_environment_is_a_120x40_xterm_without_api_key_or_ci() -> None:
    env = child_environment({"PATH": "/bin", "ANTHROPIC_API_KEY": "sk-x", "CI": "true"})
    assert env == {
        "PATH": "/bin",
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
        "DISABLE_AUTOUPDATER": "1",
    }
    assert child_environment({"DISABLE_AUTOUPDATER": "0"})["DISABLE_AUTOUPDATER"] == "0"


@pytest.mark.parametrize(("timeout", "budget"), [(30.0, 27.0), (5.0, 3.5), (1.0, 0.5)])
def test_probe_budget_stays_under_the_strategy_timeout(timeout: float, budget: float) -> None:
    assert probe_budget(timeout) == pytest.approx(budget)


# --- the PTY driver against the fake TUI -------------------------------------------------------


class FakeClaude:
    """A ``claude`` wrapper around fake_claude_tui.py in its own bin directory."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        self.info_path = tmp_path / "fake-info.json"
        wrapper = self.bin / "claude"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_TUI}" "$@"\n')
        wrapper.chmod(0o755)

    def environ(self, mode: str, screen_name: Optional[str] = None, **extra: str) -> Dict[str, str]:
        env = {
            "PATH": str(self.bin),
            "HOME": str(self.root / "home"),
            "FAKE_CLAUDE_MODE": mode,
            "FAKE_CLAUDE_INFO": str(self.info_path),
            **extra,
        }
        if screen_name:
            env["FAKE_CLAUDE_SCREEN"] = screen_name
        return env

    def info(self) -> Dict[str, Any]:
        data: Dict[str, Any] = json.loads(self.info_path.read_text(encoding="utf-8"))
        return data

    def ctx(self, mode: str, screen_name: Optional[str] = None, **kwargs: Any) -> FetchContext:
        kwargs.setdefault("session", False)
        kwargs.setdefault("platform", sys.platform)
        return make_ctx(
            "claude",
            self.root / "home",
            self.environ(mode, screen_name),
            paths=Paths(self.root / "config", self.root / "cache"),
            **kwargs,
        )


@pytest.fixture
def fake(tmp_path: Path) -> FakeClaude:
    return FakeClaude(tmp_path)


#: Short waits that keep the suite fast; ``quiet`` stays well above the 0.05 s the fake
#: leaves between the pieces of its usage screen.
FAST = ProbeTimings(
    tick=0.01,
    quiet=0.15,
    type_delay=0.02,
    settle=0.5,
    stall_quiet=1.0,
    trust_retry=0.5,
    refresh_grace=0.5,
    no_limits_quiet=0.3,
    give_up_quiet=1.0,
)


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (an unreaped zombie has stopped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@posix_only
def test_probe_types_usage_at_the_prompt_and_returns_the_usage_screen(fake: FakeClaude) -> None:
    text = run_usage_probe(
        ["claude"], 10.0, fake.environ("normal", ANTHROPIC_API_KEY="sk-x"), timings=FAST
    )
    snapshot = parse_usage_screen(text, utc(2026, 7, 5, 10, 20))
    assert [(p.name, p.utilization) for p in snapshot.periods] == [
        ("Session (5h)", 37),
        ("Weekly", 12),
    ]
    info = fake.info()
    assert info["typed"] == "/usage\r"
    assert info["size"] == [COLUMNS, ROWS] and info["isatty"] == [True, True, True]
    assert info["term"] == "xterm-256color"
    assert info["env"]["DISABLE_AUTOUPDATER"] == "1" and info["env"]["ANTHROPIC_API_KEY"] is None
    assert info["pgid"] == info["pid"]  # its own process group (and session)
    # A throw-away working directory, gone afterwards.
    assert Path(info["cwd"]).name.startswith("vibeusage-claude-")
    assert not Path(info["cwd"]).exists()
    assert not alive(info["pid"])


@posix_only
def test_probe_answers_the_trust_dialog_with_enter_before_typing(fake: FakeClaude) -> None:
    outcome = probe_usage(["claude"], 10.0, fake.environ("trust"), timings=FAST)
    assert fake.info()["typed"] == "\r/usage\r"
    assert (outcome.stage, outcome.timed_out) == ("done", False)
    assert "37% used" in render_screen(outcome.text)


@posix_only
def test_silent_claude_is_stopped_at_the_deadline_with_everything_it_started(
    fake: FakeClaude,
) -> None:
    timeout = 0.5
    started = time.monotonic()
    outcome = probe_usage(["claude"], timeout, fake.environ("hang"), timings=FAST)
    elapsed = time.monotonic() - started
    assert outcome.timed_out and outcome.stage == "start" and outcome.text == ""
    assert timeout <= elapsed < timeout + 1.0
    info = fake.info()
    assert not alive(info["pid"])
    assert info["grandchild"] and gone_within(info["grandchild"], 1.0)


@posix_only
def test_login_screen_raises_authentication_at_once_and_kills_claude(fake: FakeClaude) -> None:
    started = time.monotonic()
    with pytest.raises(VibeusageError) as caught:
        run_usage_probe(["claude"], 10.0, fake.environ("login"), timings=FAST)
    assert time.monotonic() - started < 2.0  # did not wait for the deadline
    assert caught.value.category is ErrorCategory.AUTHENTICATION
    assert not alive(fake.info()["pid"])


@posix_only
def test_garbage_output_is_returned_decoded_with_replacement_characters(fake: FakeClaude) -> None:
    outcome = probe_usage(["claude"], 10.0, fake.environ("garbage"), timings=FAST)
    assert outcome.returncode == 3 and not outcome.timed_out
    assert "\ufffd" in outcome.text
    with pytest.raises(VibeusageError) as caught:
        parse_usage_screen(outcome.text, utc(2026, 7, 5))
    assert caught.value.category is ErrorCategory.PARSE


@posix_only
def test_program_that_cannot_start_is_a_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(VibeusageError) as caught:
        run_usage_probe(
            [str(tmp_path / "no-such-claude")], 5.0, {"PATH": str(tmp_path)}, timings=FAST
        )
    assert caught.value.category is ErrorCategory.NOT_FOUND


# --- the strategy -----------------------------------------------------------------------------


@needs_tz
@posix_only
def test_fetch_returns_a_cli_snapshot_from_claude_on_the_context_path(fake: FakeClaude) -> None:
    now = utc(2026, 3, 10, 2, 0)
    ctx = fake.ctx("trust", "usage-max-models.txt", clock=lambda: now, timeout=10.0)
    result = ClaudeCli(FAST).fetch(ctx)
    assert result.success and result.snapshot is not None
    assert result.snapshot.source == "cli" and result.snapshot.fetched_at == now
    assert [(p.name, p.utilization) for p in result.snapshot.periods] == [
        ("Session (5h)", 41),
        ("Weekly", 21),
        ("Weekly (Sonnet)", 4),
        ("Weekly (Opus)", 9),
        ("Claude Code and Cowork credit", 25),
    ]
    # The strategy starts claude in a directory of its own that is trusted once, not anew.
    probe_dir = ctx.paths.cache_dir / "providers" / "claude" / "probe"
    assert Path(fake.info()["cwd"]) == probe_dir and probe_dir.is_dir()


@posix_only
def test_fetch_timeout_is_a_network_error_saying_usage_did_not_show_in_time(
    fake: FakeClaude,
) -> None:
    timeout = 1.5  # the probe's budget is then its minimum, 0.5 s
    started = time.monotonic()
    result = ClaudeCli(FAST).fetch(fake.ctx("hang", timeout=timeout))
    assert time.monotonic() - started < timeout
    assert result.error is not None and not result.success
    assert result.error.category is ErrorCategory.NETWORK
    assert "did not show usage within" in result.error.message
    assert "never showed its input prompt" in result.error.message
    assert "--timeout" in result.error.remediation
    assert not alive(fake.info()["pid"])


@posix_only
@pytest.mark.parametrize(
    ("mode", "screen_name", "category", "words"),
    [
        ("login", None, ErrorCategory.AUTHENTICATION, "Run `claude` and log in"),
        ("normal", "usage-error.txt", ErrorCategory.PROVIDER, "type /usage"),
    ],
)
def test_fetch_failures_shown_by_claude_carry_their_category_and_remediation(
    fake: FakeClaude,
    mode: str,
    screen_name: Optional[str],
    category: ErrorCategory,
    words: str,
) -> None:
    result = ClaudeCli(FAST).fetch(fake.ctx(mode, screen_name, timeout=10.0))
    assert result.error is not None and not result.success
    assert result.error.category is category
    assert words in result.error.remediation


@posix_only
def test_fetch_of_garbage_is_a_parse_error_naming_the_exit_status(fake: FakeClaude) -> None:
    result = ClaudeCli(FAST).fetch(fake.ctx("garbage", timeout=10.0))
    assert result.error is not None and not result.success
    assert result.error.category is ErrorCategory.PARSE
    assert "exited (status 3)" in result.error.message


@posix_only
def test_available_only_with_claude_on_the_context_path_and_a_login(tmp_path: Path) -> None:
    fake = FakeClaude(tmp_path)
    ctx = fake.ctx("normal", platform="linux")
    # Installed but never logged in: the probe could only fail, so it is not offered.
    assert not ClaudeCli().available(ctx)
    credentials = ctx.home / ".claude" / ".credentials.json"
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text('{"claudeAiOauth": {"accessToken": "x"}}', encoding="utf-8")
    assert ClaudeCli().available(ctx)
    empty = tmp_path / "empty"
    empty.mkdir()
    without = fake.ctx("normal", platform="linux")
    without.environ = {"PATH": str(empty)}
    assert not ClaudeCli().available(without)


def test_unavailable_and_failing_on_windows_without_starting_anything(tmp_path: Path) -> None:
    fake = FakeClaude(tmp_path)
    ctx = fake.ctx("normal", platform="win32")
    assert not ClaudeCli().available(ctx)
    result = ClaudeCli().fetch(ctx)
    assert result.error is not None and "pseudo-terminal" in result.error.message
    assert not fake.info_path.exists()


def test_strategy_names_itself_cli() -> None:
    assert (ClaudeCli.name, ClaudeCli.label) == ("cli", "Claude Code CLI (/usage)")
