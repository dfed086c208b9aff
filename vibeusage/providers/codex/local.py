"""Codex's ``local`` strategy: the last rate-limit reading in the Codex CLI's session logs.

No network at all (for locked-down machines). The Codex CLI appends a ``token_count`` event
with the current ``rate_limits`` to ``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl``
after each turn. Those files reach gigabytes, so the newest ones are searched *backwards*
for the marker in fixed-size blocks from the end (``kit.marked_lines``): memory stays flat
whatever the file size, and the wanted line is usually within the last few kilobytes. At
most ``MAX_FILES`` logs are opened.
"""

import os
import stat
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from io import FileIO
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.marked_lines import marked_lines
from ..base import FetchContext, FetchResult, Strategy
from .oauth import codex_home
from .usage import MAIN_LIMIT_ID, event_limit_id, parse_rollout_event, token_count_rate_limits

MAX_AGE_DAYS = 30
#: At most this many of the newest logs are opened: beyond them, a run says "no reading"
#: rather than searching a month of sessions (each log of a finished turn holds one).
MAX_FILES = 20
#: The bytes searched for (quoted: a JSON string, and faster to find); the line must hold
#: ``rate_limits`` too.
MARKER = b'"token_count"'
#: After a reading of another limit id (a per-model limit), how much further back to look
#: for the main ``codex`` one before settling for what was found.
MAIN_LIMIT_LOOKBACK = 32 * 1024 * 1024
#: Time kept back from the strategy's budget so that the answer comes before the timeout.
TIME_RESERVE = 0.5
FOLDERS = ("sessions", "archived_sessions")
PREFIX, SUFFIX = "rollout-", ".jsonl"
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


class Rollout(NamedTuple):
    """A rollout file and when it was last written (from the one ``stat`` of the listing)."""

    path: Path
    mtime: float


def rollout_files(home: Path, now: datetime, max_age_days: int = MAX_AGE_DAYS) -> List[Rollout]:
    """Rollout files written in the last ``max_age_days``, most recently written first.

    Only the ``YYYY/MM/DD`` folders of that period are listed (never the whole tree);
    ``archived_sessions`` may be flat or dated. Each file is stat'ed once; anything but a
    regular file (a FIFO, a link to a device) is left out.
    """
    cutoff = (now - timedelta(days=max_age_days)).timestamp()
    # Folders are named by the local date a session started: allow a day for time zones.
    first_day = datetime.fromtimestamp(cutoff).date() - timedelta(days=1)
    found: Dict[Path, float] = {}
    for folder in FOLDERS:
        root = home / folder
        for directory in [root, *_day_dirs(root, first_day)]:
            for path, info in _rollouts_in(directory):
                if info.st_mtime >= cutoff and stat.S_ISREG(info.st_mode):
                    found[path] = info.st_mtime
    ordered = sorted(found, key=lambda p: (found[p], p.name), reverse=True)
    return [Rollout(path, found[path]) for path in ordered]


def _rollouts_in(directory: Path) -> Iterator[Tuple[Path, os.stat_result]]:
    """``rollout-*.jsonl`` entries of one folder, with their (symlink-following) stat."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(PREFIX) and entry.name.endswith(SUFFIX):
            try:
                yield directory / entry.name, entry.stat()
            except OSError:
                continue


def _numeric_children(directory: Path) -> List[Tuple[int, Path]]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    return [
        (int(e.name), directory / e.name) for e in entries if e.name.isdigit() and len(e.name) <= 4
    ]


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


# --- searching backwards -------------------------------------------------------------------


def _open_log(path: Path) -> FileIO:
    """Open without blocking (a FIFO swapped in after the listing cannot hang the run)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    return os.fdopen(os.open(path, flags), "rb", buffering=0)


def find_reading(
    files: Sequence[Rollout],
    deadline: float = float("inf"),
    lookback: int = MAIN_LIMIT_LOOKBACK,
    max_files: int = MAX_FILES,
) -> Optional[Reading]:
    """The newest ``token_count`` with rate limits, preferring the main ``codex`` limit.

    Opens at most ``max_files`` of ``files`` (newest first): logs without any reading are
    sessions that never finished a turn, and older ones are not worth the time.
    """
    found: Dict[str, Tuple[Dict[str, Any], Path, float]] = {}
    scanned_before = 0  # bytes of the files already searched
    first_hit_at: Optional[int] = None  # bytes searched when another limit's reading was found
    for path, mtime in files[:max_files]:
        try:
            handle = _open_log(path)
        except OSError:
            continue
        with handle:
            try:
                size = end = handle.seek(0, os.SEEK_END)
                while end > 0:
                    floor = 0
                    if first_hit_at is not None:  # look back only so far for the main limit
                        floor = max(0, scanned_before + size - first_hit_at - lookback)
                    hit = _newest_event(handle, end, floor, deadline, found, path, mtime)
                    if hit is None:
                        break
                    if MAIN_LIMIT_ID in found:
                        return _settle(found)
                    if first_hit_at is None:
                        first_hit_at = scanned_before + size - hit
                    end = hit
            except TimeoutError as exc:
                raise OutOfTime() from exc
            except OSError:
                continue
            scanned_before += size
            if first_hit_at is not None and scanned_before - first_hit_at > lookback:
                return _settle(found)
    return _settle(found) if found else None


def _newest_event(
    handle: FileIO,
    end: int,
    floor: int,
    deadline: float,
    found: Dict[str, Tuple[Dict[str, Any], Path, float]],
    path: Path,
    mtime: float,
) -> Optional[int]:
    """Record in ``found`` the newest reading of a limit not found yet (in ``[floor, end)``);
    the offset of its line, or None when there is none."""
    import json

    for line, offset in marked_lines(handle, MARKER, end, deadline, floor=floor):
        if b"rate_limits" not in line:
            continue
        try:
            event = json.loads(line.decode("utf-8", "replace"))
        except ValueError:  # a half-written last line, or garbage
            continue
        limits = token_count_rate_limits(event)
        if limits is None:
            continue
        limit_id = event_limit_id(limits)
        if limit_id not in found:
            found[limit_id] = (event, path, mtime)
            return offset
    return None


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
            searched = (
                f"the newest {MAX_FILES} Codex session logs"
                if len(files) > MAX_FILES
                else f"the Codex session logs of the last {MAX_AGE_DAYS} days"
            )
            return FetchResult.fail(
                VibeusageError(
                    f"No rate-limit reading in {searched}",
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
