"""Codex's ``local`` strategy: the last rate-limit reading in the Codex CLI's session logs.

No network at all (for locked-down machines). The Codex CLI appends a ``token_count`` event
with the current ``rate_limits`` to ``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl``
after each turn. Those files reach gigabytes, so the newest ones are read *backwards* in
fixed-size blocks from the end: memory stays flat whatever the file size, and the wanted
line is usually within the last few kilobytes.
"""

import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any, Dict, Iterator, List, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ..base import FetchContext, FetchResult, Strategy
from .oauth import codex_home
from .usage import MAIN_LIMIT_ID, event_limit_id, parse_rollout_event, token_count_rate_limits

MAX_AGE_DAYS = 30
BLOCK_SIZE = 64 * 1024
#: ``token_count`` lines are a few kilobytes; longer lines (tool output) are skipped unread.
MAX_LINE = 1024 * 1024
#: After a reading of another limit id (a per-model limit), how much further back to look
#: for the main ``codex`` one before settling for what was found.
MAIN_LIMIT_LOOKBACK = 32 * 1024 * 1024
#: Time kept back from the strategy's budget so that the answer comes before the timeout.
TIME_RESERVE = 0.5
FOLDERS = ("sessions", "archived_sessions")
PATTERN = "rollout-*.jsonl"
USE_CODEX_HINT = "Use the Codex CLI once (any prompt) so that it records the current limits."


@dataclass(frozen=True)
class Reading:
    """The newest ``token_count`` event found, and newer ones of other limit ids."""

    event: Dict[str, Any]
    extras: Tuple[Dict[str, Any], ...]
    path: Path
    mtime: datetime


class OutOfTime(Exception):
    """The search ran past its deadline."""


# --- finding the files ---------------------------------------------------------------------


def rollout_files(home: Path, now: datetime, max_age_days: int = MAX_AGE_DAYS) -> List[Path]:
    """Rollout files written in the last ``max_age_days``, most recently written first.

    Only the ``YYYY/MM/DD`` folders of that period are listed (never the whole tree);
    ``archived_sessions`` may be flat or dated.
    """
    cutoff = now - timedelta(days=max_age_days)
    # Folders are named by the local date a session started: allow a day for time zones.
    first_day = cutoff.astimezone().date() - timedelta(days=1)
    found: Dict[Path, float] = {}
    for folder in FOLDERS:
        root = home / folder
        for directory in [root, *_day_dirs(root, first_day)]:
            for path in _glob(directory):
                try:
                    mtime = path.stat().st_mtime
                except OSError:
                    continue
                if mtime >= cutoff.timestamp() and path.is_file():
                    found[path] = mtime
    return sorted(found, key=lambda p: (found[p], p.name), reverse=True)


def _glob(directory: Path) -> List[Path]:
    try:
        return list(directory.glob(PATTERN))
    except OSError:
        return []


def _numeric_children(directory: Path) -> List[Tuple[int, Path]]:
    try:
        entries = list(directory.iterdir())
    except OSError:
        return []
    return [(int(p.name), p) for p in entries if p.name.isdigit() and len(p.name) <= 4]


def _day_dirs(root: Path, first_day: date) -> Iterator[Path]:
    for year, year_dir in _numeric_children(root):
        if year < first_day.year:
            continue
        for month, month_dir in _numeric_children(year_dir):
            if (year, month) < (first_day.year, first_day.month):
                continue
            for day, day_dir in _numeric_children(month_dir):
                try:
                    when = date(year, month, day)
                except ValueError:
                    continue
                if when >= first_day:
                    yield day_dir


# --- reading backwards ---------------------------------------------------------------------


def lines_backwards(
    handle: IO[bytes], block_size: int = BLOCK_SIZE, max_line: int = MAX_LINE
) -> Iterator[Tuple[bytes, int]]:
    """The lines of a binary file, last first, with the offset where each starts.

    Reads fixed-size blocks from the end; at most one block plus one ``max_line`` piece is
    held at a time. Lines longer than ``max_line`` are skipped without being kept.
    """
    handle.seek(0, os.SEEK_END)
    position = handle.tell()
    tail = b""  # the part of a line after ``position`` whose start is not read yet
    skipping = False  # inside a line too long to keep: drop bytes until its start
    while position > 0:
        size = min(block_size, position)
        position -= size
        handle.seek(position)
        block = handle.read(size)
        if len(block) != size:  # the file changed under us: stop here
            return
        cut = block.rfind(b"\n")
        if cut < 0:
            if not skipping:
                tail = block + tail
                if len(tail) > max_line:
                    tail, skipping = b"", True
            continue
        if skipping:
            skipping = False
        else:
            yield block[cut + 1 :] + tail, position + cut + 1
        pieces = block[:cut].split(b"\n")
        tail = pieces[0]
        offset = position + cut
        for piece in reversed(pieces[1:]):
            offset -= len(piece)
            yield piece, offset
            offset -= 1
        if len(tail) > max_line:
            tail, skipping = b"", True
    if tail and not skipping:
        yield tail, 0


def find_reading(
    files: List[Path], deadline: float = float("inf"), lookback: int = MAIN_LIMIT_LOOKBACK
) -> Optional[Reading]:
    """The newest ``token_count`` with rate limits, preferring the main ``codex`` limit."""
    import json

    found: Dict[str, Tuple[Dict[str, Any], Path, float]] = {}
    scanned_before = 0  # bytes of the files already searched
    first_hit_at: Optional[int] = None
    for path in files:
        try:
            handle = open(path, "rb")
        except OSError:
            continue
        with handle:
            try:
                stat = os.fstat(handle.fileno())
                for line, offset in lines_backwards(handle):
                    if time.monotonic() > deadline:
                        raise OutOfTime()
                    scanned = scanned_before + stat.st_size - offset
                    if first_hit_at is not None and scanned - first_hit_at > lookback:
                        return _settle(found)
                    if b"token_count" not in line or b"rate_limits" not in line:
                        continue
                    try:
                        event = json.loads(line.decode("utf-8", "replace"))
                    except ValueError:  # a half-written last line, or garbage
                        continue
                    limits = token_count_rate_limits(event)
                    if limits is None:
                        continue
                    limit_id = event_limit_id(limits)
                    if limit_id in found:
                        continue
                    found[limit_id] = (event, path, stat.st_mtime)
                    if limit_id == MAIN_LIMIT_ID:
                        return _settle(found)
                    if first_hit_at is None:
                        first_hit_at = scanned
                scanned_before += stat.st_size
            except OSError:
                continue
    return _settle(found) if found else None


def _settle(found: Dict[str, Tuple[Dict[str, Any], Path, float]]) -> Optional[Reading]:
    """The main limit's reading if found, else the newest; the others ride along."""
    if not found:
        return None
    key = MAIN_LIMIT_ID if MAIN_LIMIT_ID in found else next(iter(found))
    event, path, mtime = found[key]
    extras = tuple(other[0] for limit_id, other in found.items() if limit_id != key)
    return Reading(event, extras, path, datetime.fromtimestamp(mtime, timezone.utc))


# --- the strategy --------------------------------------------------------------------------


class CodexLocal(Strategy):
    """The last rate-limit reading the Codex CLI wrote to its session logs."""

    name = "local"
    label = "Codex CLI session logs"
    needs_network = False

    def available(self, ctx: FetchContext) -> bool:
        home = codex_home(ctx)
        return any((home / folder).is_dir() for folder in FOLDERS)

    def run(self, ctx: FetchContext) -> FetchResult:
        home = codex_home(ctx)
        now = ctx.now()
        files = rollout_files(home, now)
        if not files:
            return FetchResult.fail(
                VibeusageError(
                    f"No Codex session logs from the last {MAX_AGE_DAYS} days in {home}",
                    ErrorCategory.NOT_FOUND,
                    remediation=USE_CODEX_HINT,
                )
            )
        deadline = time.monotonic() + max(0.5, ctx.timeout - TIME_RESERVE)
        try:
            reading = find_reading(files, deadline)
        except OutOfTime:
            return FetchResult.fail(
                VibeusageError(
                    "Searching the Codex session logs took too long",
                    ErrorCategory.NETWORK,
                    remediation="Retry, or raise the limit with `--timeout`.",
                )
            )
        if reading is None:
            return FetchResult.fail(
                VibeusageError(
                    f"No rate-limit reading in the Codex session logs of the last "
                    f"{MAX_AGE_DAYS} days",
                    ErrorCategory.NOT_FOUND,
                    remediation=USE_CODEX_HINT,
                )
            )
        snapshot = parse_rollout_event(
            reading.event, now, observed_at=reading.mtime, extras=reading.extras, source=self.name
        )
        if not snapshot.periods:
            when = snapshot.fetched_at.astimezone().strftime("%Y-%m-%d %H:%M")
            return FetchResult.fail(
                VibeusageError(
                    f"The last Codex rate-limit reading (from {when}) is out of date: "
                    "every window has reset since",
                    ErrorCategory.NOT_FOUND,
                    remediation=USE_CODEX_HINT,
                )
            )
        return FetchResult.ok(snapshot)
