"""Codex's local strategy: reading session logs backwards, every log format era, the file search.

Rollout trees are built under a temporary CODEX_HOME with explicit modification times, so
the search order and the 30-day bound do not depend on the wall clock.
"""

import json
import os
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from tests.conftest import FIXTURES, Home
from tests.providers.test_codex import CodexEnv, check_parser_on_mutations, make_codex_env
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity
from vibeusage.providers.base import FetchResult
from vibeusage.providers.codex.local import (
    CodexLocal,
    Rollout,
    find_reading,
    rollout_files,
)
from vibeusage.providers.codex.usage import parse_rollout_event

UTC = timezone.utc
#: Just after the fixture's newest token_count (2026-08-13T12:54:37.952Z).
NOW = datetime(2026, 8, 13, 14, 0, 0, tzinfo=UTC)
FIXTURE_LINES = (FIXTURES / "codex" / "rollout-token-count.jsonl").read_bytes().splitlines()
#: The fixture's newest reading: weekly window in primary, secondary null, credits "3".
NEWEST = json.loads(FIXTURE_LINES[-1])
WEEKLY_RESET = datetime.fromtimestamp(1787197008, UTC)


@pytest.fixture
def codex(home: Home, tmp_path: Path) -> Iterator[CodexEnv]:
    env = make_codex_env(home, tmp_path)
    env.write_auth()  # the local strategy never even opens it
    try:
        yield env
        env.check_auth()
    finally:
        env.kill_leftovers()


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def token_count(
    when: datetime, rate_limits: Optional[Dict[str, Any]], **payload: Any
) -> Dict[str, Any]:
    body: Dict[str, Any] = {"type": "token_count", "info": None, "rate_limits": rate_limits}
    body.update(payload)
    return {"timestamp": iso(when), "type": "event_msg", "payload": body}


def limits(
    primary: Optional[Dict[str, Any]] = None,
    secondary: Optional[Dict[str, Any]] = None,
    **extra: Any,
) -> Dict[str, Any]:
    data: Dict[str, Any] = {"primary": primary, "secondary": secondary}
    data.update(extra)
    return data


def window(used: float, minutes: int, resets_at: Optional[datetime] = None) -> Dict[str, Any]:
    return {
        "used_percent": used,
        "window_minutes": minutes,
        "resets_at": int(resets_at.timestamp()) if resets_at else None,
    }


def noise(when: datetime, size: int = 200) -> Dict[str, Any]:
    """A realistic non-token_count line (a function call output)."""
    return {
        "timestamp": iso(when),
        "type": "response_item",
        "payload": {"type": "function_call_output", "call_id": "c1", "output": "x" * size},
    }


def encode(lines: List[Any]) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode("utf-8")) + b"\n"
        for line in lines
    )


def write_rollout(
    codex: CodexEnv,
    day: datetime,
    name: str,
    content: bytes,
    mtime: datetime,
    folder: str = "sessions",
    dated: bool = True,
) -> Path:
    directory = codex.root / folder
    if dated:
        directory = directory / day.strftime("%Y") / day.strftime("%m") / day.strftime("%d")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"rollout-{day.strftime('%Y-%m-%dT%H-%M-%S')}-{name}.jsonl"
    path.write_bytes(content)
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def fetch(codex: CodexEnv, now: datetime = NOW) -> FetchResult:
    return CodexLocal().fetch(codex.ctx(clock=lambda: now))


def named(result: FetchResult) -> List[Tuple[str, int]]:
    """(name, utilization) of each period of a successful result."""
    assert result.success, result.error
    assert result.snapshot is not None
    return [(p.name, p.utilization) for p in result.snapshot.periods]


def periods_of(result: FetchResult) -> List[Any]:
    assert result.success, result.error
    assert result.snapshot is not None
    return [
        (p.name, p.utilization, p.period_type, p.resets_at, p.model)
        for p in result.snapshot.periods
    ]


# --- searching backwards (the search itself: tests/kit/test_marked_lines.py) ----------------


def test_reading_a_large_file_backwards_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "rollout-big.jsonl"
    with open(path, "wb") as handle:
        handle.write(encode([token_count(NOW, limits(window(5, 300)))]))
        handle.truncate(64 * 1024 * 1024)  # a sparse 64 MiB "line" of zero bytes after it
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n" + encode([noise(NOW)] * 50))
    tracemalloc.start()
    try:
        reading = find_reading([Rollout(path, path.stat().st_mtime)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reading is not None
    assert reading.event["payload"]["rate_limits"]["primary"]["used_percent"] == 5
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes: the file was not read in blocks"


# --- the fixture and every format era -----------------------------------------------------------


def test_fixture_newest_line_weekly_in_primary_null_secondary_and_credits() -> None:
    snapshot = parse_rollout_event(NEWEST, NOW)
    assert [(p.name, p.utilization, p.period_type, p.resets_at) for p in snapshot.periods] == [
        ("Weekly", 12, PeriodType.WEEKLY, WEEKLY_RESET)
    ]
    assert snapshot.fetched_at == datetime(2026, 8, 13, 12, 54, 37, 952000, tzinfo=UTC)
    assert snapshot.source == "local"
    assert snapshot.identity == ProviderIdentity(plan="Plus")
    assert snapshot.overage == OverageUsage(None, None, "credits", True, balance=3)


def test_fixture_old_line_with_299_and_10079_minutes_and_no_reset_times() -> None:
    event = json.loads(FIXTURE_LINES[1])
    observed = datetime(2026, 5, 13, 9, 1, tzinfo=UTC)
    soon = parse_rollout_event(event, observed + timedelta(hours=1))
    assert [(p.name, p.utilization, p.period_type, p.resets_at) for p in soon.periods] == [
        ("Session (5h)", 1, PeriodType.SESSION, None),
        ("Weekly", 3, PeriodType.WEEKLY, None),
    ]
    # Five hours later the session window has certainly reset; a week later, both.
    later = parse_rollout_event(event, observed + timedelta(hours=5))
    assert [p.name for p in later.periods] == ["Weekly"]
    assert parse_rollout_event(event, observed + timedelta(days=7)).periods == ()


def test_relative_resets_in_seconds_count_from_the_line_timestamp() -> None:
    observed = NOW - timedelta(hours=2)
    rate_limits = {
        "primary": {"used_percent": 30.0, "window_minutes": 300, "resets_in_seconds": 10800},
        "secondary": {"used_percent": 60.0, "window_minutes": 10080, "resets_in_seconds": 86400},
    }
    snapshot = parse_rollout_event(token_count(observed, rate_limits), NOW)
    assert [(p.name, p.resets_at) for p in snapshot.periods] == [
        ("Session (5h)", observed + timedelta(seconds=10800)),
        ("Weekly", observed + timedelta(seconds=86400)),
    ]
    assert snapshot.fetched_at == observed


def test_flat_legacy_fields_are_read() -> None:
    rate_limits = {
        "primary_used_percent": 44.0,
        "secondary_used_percent": 12.0,
        "primary_to_secondary_ratio_percent": 25.0,
        "primary_window_minutes": 300,
        "secondary_window_minutes": 10080,
    }
    snapshot = parse_rollout_event(token_count(NOW - timedelta(minutes=5), rate_limits), NOW)
    assert [(p.name, p.utilization, p.period_type) for p in snapshot.periods] == [
        ("Session (5h)", 44, PeriodType.SESSION),
        ("Weekly", 12, PeriodType.WEEKLY),
    ]


def test_windows_whose_reset_has_passed_are_kept_and_marked_as_reset() -> None:
    rate_limits = limits(
        window(90, 300, NOW - timedelta(minutes=1)), window(20, 10080, NOW + timedelta(days=2))
    )
    snapshot = parse_rollout_event(token_count(NOW - timedelta(hours=4), rate_limits), NOW)
    assert [(p.name, p.utilization, p.reset_elapsed(NOW)) for p in snapshot.periods] == [
        ("Session (5h)", 90, True),
        ("Weekly", 20, False),
    ]


def test_line_without_timestamp_uses_the_given_observation_time() -> None:
    event = token_count(NOW, limits(window(5, 300, NOW + timedelta(hours=1))))
    del event["timestamp"]
    observed = NOW - timedelta(minutes=3)
    assert parse_rollout_event(event, NOW, observed_at=observed).fetched_at == observed


@pytest.mark.parametrize(
    "event",
    [None, [], {"type": "event_msg", "payload": {"type": "agent_message"}}, token_count(NOW, None)],
)
def test_a_line_that_is_not_a_token_count_with_limits_is_a_parse_error(event: Any) -> None:
    with pytest.raises(VibeusageError) as info:
        parse_rollout_event(event, NOW)
    assert info.value.category is ErrorCategory.PARSE


# --- the file search ----------------------------------------------------------------------------


def test_unavailable_without_session_folders(codex: CodexEnv) -> None:
    assert CodexLocal().available(codex.ctx()) is False
    (codex.root / "archived_sessions").mkdir()
    assert CodexLocal().available(codex.ctx()) is True


def test_fixture_file_gives_its_newest_reading_as_of_its_timestamp(codex: CodexEnv) -> None:
    write_rollout(
        codex, NOW, "a", (FIXTURES / "codex" / "rollout-token-count.jsonl").read_bytes(), NOW
    )
    result = fetch(codex)
    assert periods_of(result) == [("Weekly", 12, PeriodType.WEEKLY, WEEKLY_RESET, None)]
    assert result.snapshot is not None
    assert result.snapshot.source == "local"
    assert result.snapshot.fetched_at == datetime(2026, 8, 13, 12, 54, 37, 952000, tzinfo=UTC)


def test_search_goes_back_across_files_and_days_to_the_newest_reading(codex: CodexEnv) -> None:
    three_days = NOW - timedelta(days=3)
    yesterday = NOW - timedelta(days=1)
    write_rollout(
        codex,
        three_days,
        "old",
        encode([token_count(three_days, limits(window(70, 10080, NOW + timedelta(days=3))))]),
        three_days,
    )
    write_rollout(
        codex,
        yesterday,
        "mid",
        encode([token_count(yesterday, limits(window(9, 10080, NOW + timedelta(days=4))))]),
        yesterday,
    )
    # Today's sessions hold no reading: rate limits null (API key turn) and no token_count.
    write_rollout(codex, NOW, "null", encode([noise(NOW), token_count(NOW, None), noise(NOW)]), NOW)
    write_rollout(codex, NOW, "chat", encode([noise(NOW)] * 3), NOW - timedelta(minutes=1))
    result = fetch(codex)
    assert named(result) == [("Weekly", 9)]
    assert result.snapshot is not None
    assert result.snapshot.fetched_at == datetime.fromisoformat(iso(yesterday)[:-1] + "+00:00")


def test_the_most_recently_written_file_wins_even_from_an_older_day_folder(
    codex: CodexEnv,
) -> None:
    started_yesterday = NOW - timedelta(days=1)
    write_rollout(
        codex,
        started_yesterday,
        "long-session",
        encode(
            [
                token_count(
                    NOW - timedelta(minutes=2), limits(window(33, 300, NOW + timedelta(hours=3)))
                )
            ]
        ),
        NOW - timedelta(minutes=2),
    )
    write_rollout(
        codex,
        NOW,
        "short-session",
        encode(
            [
                token_count(
                    NOW - timedelta(hours=1), limits(window(11, 300, NOW + timedelta(hours=3)))
                )
            ]
        ),
        NOW - timedelta(hours=1),
    )
    assert named(fetch(codex)) == [("Session (5h)", 33)]


def test_truncated_last_line_and_non_utf8_bytes_do_not_crash(codex: CodexEnv) -> None:
    good = token_count(
        NOW - timedelta(minutes=10), limits(window(21, 300, NOW + timedelta(hours=2)))
    )
    good["payload"]["note"] = "caf\u00e9"
    good_bytes = json.dumps(good).encode("utf-8").replace(b"caf\xc3\xa9", b"caf\xe9")  # latin-1
    newest = json.dumps(token_count(NOW, limits(window(88, 300, NOW + timedelta(hours=2)))))
    content = encode([noise(NOW), good_bytes, b"\xff\xfe\x80 binary \xc3(", noise(NOW)])
    content += newest.encode("utf-8")[: len(newest) // 2]  # being written right now
    write_rollout(codex, NOW, "a", content, NOW)
    assert named(fetch(codex)) == [("Session (5h)", 21)]


def test_main_codex_limit_is_preferred_and_other_limits_ride_along(codex: CodexEnv) -> None:
    main = token_count(
        NOW - timedelta(minutes=30),
        limits(
            window(40, 300, NOW + timedelta(hours=1)),
            window(15, 10080, NOW + timedelta(days=1)),
            limit_id="codex",
            plan_type="pro",
        ),
    )
    spark = token_count(
        NOW - timedelta(minutes=5),
        limits(
            window(3, 300, NOW + timedelta(hours=4)),
            None,
            limit_id="codex_bengalfox",
            limit_name="GPT-5.3-Codex-Spark",
        ),
    )
    write_rollout(codex, NOW, "a", encode([main, noise(NOW), spark, noise(NOW)]), NOW)
    result = fetch(codex)
    assert periods_of(result) == [
        (
            "Session (5h)",
            40,
            PeriodType.SESSION,
            datetime.fromtimestamp(int((NOW + timedelta(hours=1)).timestamp()), UTC),
            None,
        ),
        (
            "Session (GPT-5.3-Codex-Spark)",
            3,
            PeriodType.SESSION,
            datetime.fromtimestamp(int((NOW + timedelta(hours=4)).timestamp()), UTC),
            "GPT-5.3-Codex-Spark",
        ),
        (
            "Weekly",
            15,
            PeriodType.WEEKLY,
            datetime.fromtimestamp(int((NOW + timedelta(days=1)).timestamp()), UTC),
            None,
        ),
    ]
    assert result.snapshot is not None
    assert result.snapshot.fetched_at == main_time(main)
    assert result.snapshot.identity == ProviderIdentity(plan="Pro")


def main_time(event: Dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["timestamp"][:-1] + "+00:00")


def test_only_another_limit_found_is_shown_as_that_model(codex: CodexEnv) -> None:
    spark = token_count(
        NOW - timedelta(minutes=5),
        limits(
            window(3, 300, NOW + timedelta(hours=4)),
            None,
            limit_id="codex_bengalfox",
            limit_name="GPT-5.3-Codex-Spark",
        ),
    )
    write_rollout(codex, NOW, "a", encode([spark]), NOW)
    result = fetch(codex)
    assert named(result) == [("Session (GPT-5.3-Codex-Spark)", 3)]
    assert result.snapshot is not None
    assert [p.model for p in result.snapshot.periods] == ["GPT-5.3-Codex-Spark"]


def test_archived_sessions_flat_folder_is_searched(codex: CodexEnv) -> None:
    event = token_count(
        NOW - timedelta(hours=1), limits(window(17, 10080, NOW + timedelta(days=2)))
    )
    write_rollout(
        codex,
        NOW,
        "archived",
        encode([event]),
        NOW - timedelta(hours=1),
        folder="archived_sessions",
        dated=False,
    )
    assert named(fetch(codex)) == [("Weekly", 17)]


def test_logs_older_than_30_days_are_not_searched(codex: CodexEnv) -> None:
    old = NOW - timedelta(days=40)
    path = write_rollout(
        codex,
        old,
        "old",
        encode([token_count(old, limits(window(50, 10080, NOW + timedelta(days=1))))]),
        old,
    )
    assert rollout_files(codex.root, NOW) == []
    error = fetch(codex).error
    assert error is not None
    assert error.category is ErrorCategory.NOT_FOUND
    assert "30 days" in error.message
    assert path.exists()


def test_no_reading_in_recent_logs_is_a_not_found_error_with_advice(codex: CodexEnv) -> None:
    write_rollout(codex, NOW, "a", encode([noise(NOW), token_count(NOW, None)]), NOW)
    error = fetch(codex).error
    assert error is not None
    assert error.category is ErrorCategory.NOT_FOUND
    assert "Codex CLI once" in (error.remediation or "")


def test_a_reading_whose_windows_all_reset_since_keeps_them_marked_as_reset(
    codex: CodexEnv,
) -> None:
    then = NOW - timedelta(days=8)
    event = token_count(
        then,
        limits(
            window(60, 300, then + timedelta(hours=2)), window(70, 10080, then + timedelta(days=6))
        ),
    )
    write_rollout(codex, then, "a", encode([event]), then)
    snapshot = fetch(codex).snapshot
    assert snapshot is not None and snapshot.fetched_at == then
    assert [(p.utilization, p.reset_elapsed(NOW)) for p in snapshot.periods] == [
        (60, True),
        (70, True),
    ]


def test_a_reading_whose_windows_ended_with_no_reset_time_is_reported_out_of_date(
    codex: CodexEnv,
) -> None:
    then = NOW - timedelta(days=8)
    event = token_count(then, limits(window(60, 300), window(70, 10080)))
    write_rollout(codex, then, "a", encode([event]), then)
    error = fetch(codex).error
    assert error is not None
    assert error.category is ErrorCategory.NOT_FOUND
    assert "out of date" in error.message


def test_rollout_files_lists_only_rollouts_newest_first(codex: CodexEnv) -> None:
    a = write_rollout(codex, NOW, "a", b"", NOW - timedelta(hours=2))
    b = write_rollout(codex, NOW - timedelta(days=2), "b", b"", NOW - timedelta(hours=1))
    other = codex.root / "sessions" / NOW.strftime("%Y/%m/%d") / "notes.jsonl"
    other.write_bytes(b"{}\n")
    (codex.root / "sessions" / "2026" / "xx").mkdir()
    assert [r.path for r in rollout_files(codex.root, NOW)] == [b, a]


def test_parse_rollout_event_on_mutated_lines_returns_a_snapshot_or_raises_parse_error() -> None:
    event = token_count(
        NOW - timedelta(minutes=5),
        {
            "primary": {"used_percent": 12.5, "window_minutes": 299, "resets_in_seconds": 600},
            "secondary": {"used_percent": 40.0, "window_minutes": 10079, "resets_at": 1787197008},
            "credits": {"has_credits": True, "unlimited": False, "balance": "3"},
            "plan_type": "plus",
            "limit_id": "codex",
        },
    )
    assert check_parser_on_mutations(lambda e: parse_rollout_event(e, NOW), event) > 100
