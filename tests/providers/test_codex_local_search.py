"""Codex's local strategy on real-shaped logs: where the reading sits, what is opened, stat'ed."""

import builtins
import json
import os
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from tests.providers.test_codex import CodexEnv
from tests.providers.test_codex_local import (
    NOW,
    codex,  # noqa: F401 - the fixture
    encode,
    fetch,
    limits,
    named,
    noise,
    token_count,
    window,
    write_rollout,
)
from vibeusage.providers.codex.local import MAX_FILES, Rollout, find_reading, rollout_files

__all__ = ["codex"]


def reading(used: float, minutes_ago: int = 5) -> Dict[str, Any]:
    when = NOW - timedelta(minutes=minutes_ago)
    return token_count(when, limits(window(used, 300, NOW + timedelta(hours=2))))


def real_lines(count: int) -> List[Dict[str, Any]]:
    """Tool calls, outputs and reasoning of varied length, as a rollout holds between turns."""
    lines: List[Dict[str, Any]] = []
    for index in range(count):
        lines.append(noise(NOW, size=50 + (index * 7919) % 6000))
        lines.append(
            {
                "timestamp": "2026-08-13T13:00:00.000Z",
                "type": "event_msg",
                "payload": {"type": "agent_reasoning", "text": "thinking " * (index % 40)},
            }
        )
    return lines


def test_a_reading_far_back_behind_real_lines_is_found_with_flat_memory(
    codex: CodexEnv, tmp_path: Path
) -> None:
    content = encode([reading(64)] + real_lines(3000))  # ~9 MiB of real lines after it
    path = write_rollout(codex, NOW, "deep", content, NOW)
    assert path.stat().st_size > 8 * 1024 * 1024
    tracemalloc.start()
    try:
        found = find_reading([Rollout(path, NOW.timestamp())])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found is not None
    assert found.event["payload"]["rate_limits"]["primary"]["used_percent"] == 64
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes"


def test_crlf_lines_and_a_reading_as_the_last_line_without_newline(codex: CodexEnv) -> None:
    content = encode(real_lines(20)).replace(b"\n", b"\r\n")
    content += json.dumps(reading(73)).encode()
    write_rollout(codex, NOW, "crlf", content, NOW)
    assert named(fetch(codex)) == [("Session (5h)", 73)]


def test_a_truncated_reading_being_written_falls_back_to_the_one_before(codex: CodexEnv) -> None:
    newest = json.dumps(reading(90, minutes_ago=1)).encode()
    content = encode([reading(31)] + real_lines(50)) + newest[: len(newest) - 7]
    write_rollout(codex, NOW, "a", content, NOW)
    assert named(fetch(codex)) == [("Session (5h)", 31)]


def test_a_huge_tool_output_line_naming_token_count_is_skipped(codex: CodexEnv) -> None:
    huge = noise(NOW, size=10)
    huge["payload"]["output"] = '"type": "token_count", "rate_limits": {} ' * 60_000  # ~2.5 MB
    write_rollout(codex, NOW, "a", encode([reading(44), huge, noise(NOW)]), NOW)
    assert named(fetch(codex)) == [("Session (5h)", 44)]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[str]]:
    """Names of rollout files opened (by ``open`` or ``os.open``) while the test runs."""
    names: List[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if "rollout-" in str(file):
            names.append(Path(str(file)).name)
        return real_open(file, *args, **kwargs)

    def spy_os_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if "rollout-" in str(path):
            names.append(Path(str(path)).name)
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    yield names


def test_many_newer_logs_without_readings_bound_the_files_opened(
    codex: CodexEnv, opened: List[str]
) -> None:
    old = NOW - timedelta(days=2)
    write_rollout(codex, old, "has-reading", encode([reading(12)]), old)
    for index in range(MAX_FILES + 15):
        when = NOW - timedelta(minutes=index)
        write_rollout(codex, when, f"empty-{index}", encode([noise(NOW)] * 3), when)
    result = fetch(codex)
    assert len(opened) == MAX_FILES
    assert not any("has-reading" in name for name in opened)
    assert result.error is not None
    assert f"newest {MAX_FILES} Codex session logs" in result.error.message


def test_a_reading_within_the_newest_logs_is_still_found(codex: CodexEnv) -> None:
    for index in range(MAX_FILES - 1):
        when = NOW - timedelta(minutes=index)
        write_rollout(codex, when, f"empty-{index}", encode([noise(NOW)]), when)
    older = NOW - timedelta(hours=3)
    write_rollout(codex, older, "has-reading", encode([reading(27, minutes_ago=180)]), older)
    assert named(fetch(codex)) == [("Session (5h)", 27)]


def test_each_log_is_stat_ed_at_most_once(codex: CodexEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        when = NOW - timedelta(minutes=index)
        write_rollout(codex, when, f"log-{index}", encode([noise(NOW)]), when)
    calls: List[str] = []

    def counting(real: Any) -> Any:
        def stat(target: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(target, int) or "rollout-" in str(target):
                calls.append(str(target))
            return real(target, *args, **kwargs)

        return stat

    for name in ("stat", "lstat", "fstat"):
        monkeypatch.setattr(os, name, counting(getattr(os, name)))
    files = rollout_files(codex.root, NOW)
    assert len(files) == 5
    assert find_reading(files) is None
    assert len(calls) <= len(files), calls


def test_a_fifo_named_like_a_rollout_is_left_out(codex: CodexEnv) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = write_rollout(codex, NOW, "real", encode([reading(55)]), NOW)
    fifo = path.with_name("rollout-2026-08-13T14-00-00-fifo.jsonl")
    os.mkfifo(fifo)
    assert [r.path for r in rollout_files(codex.root, NOW)] == [path]
    assert named(fetch(codex)) == [("Session (5h)", 55)]


def spark(used: float, minutes_ago: int = 2) -> Dict[str, Any]:
    when = NOW - timedelta(minutes=minutes_ago)
    rate_limits = limits(
        window(used, 300, NOW + timedelta(hours=4)),
        None,
        limit_id="codex_bengalfox",
        limit_name="GPT-5.3-Codex-Spark",
    )
    return token_count(when, rate_limits)


def test_after_another_limit_the_main_one_is_looked_for_only_within_the_lookback(
    tmp_path: Path,
) -> None:
    main = reading(40, minutes_ago=30)
    main["payload"]["rate_limits"]["limit_id"] = "codex"
    far = tmp_path / "rollout-far.jsonl"
    far.write_bytes(encode([main] + real_lines(200) + [spark(3)]))
    near = tmp_path / "rollout-near.jsonl"
    near.write_bytes(encode([main] + real_lines(2) + [spark(3)]))
    files = [Rollout(far, NOW.timestamp())]
    settled = find_reading(files, lookback=64 * 1024)
    assert settled is not None
    assert settled.event["payload"]["rate_limits"]["limit_id"] == "codex_bengalfox"
    assert settled.extras == ()
    both = find_reading([Rollout(near, NOW.timestamp())], lookback=64 * 1024)
    assert both is not None
    assert both.event["payload"]["rate_limits"]["limit_id"] == "codex"
    assert [e["payload"]["rate_limits"]["limit_id"] for e in both.extras] == ["codex_bengalfox"]


def test_the_lookback_spans_files_and_stops_before_the_next_one(tmp_path: Path) -> None:
    main = reading(40, minutes_ago=30)
    newer = tmp_path / "rollout-newer.jsonl"
    newer.write_bytes(encode(real_lines(100) + [spark(3)]))
    older = tmp_path / "rollout-older.jsonl"
    older.write_bytes(encode([main]))
    files = [Rollout(newer, NOW.timestamp()), Rollout(older, NOW.timestamp() - 60)]
    settled = find_reading(files, lookback=1024)
    assert settled is not None
    assert settled.event["payload"]["rate_limits"]["limit_id"] == "codex_bengalfox"
    found = find_reading(files, lookback=100 * 1024 * 1024)
    assert found is not None
    assert found.path == older
