"""Ledger segments: one append-only ``<YYYY-MM>.jsonl`` file per UTC month of the lines' ``ts``.

Appends go through ``O_APPEND`` with one ``os.write`` per whole line (never a buffered file
object), so concurrent writers and a crash can at worst leave one torn last line; the next
append terminates it first, and the reader skips it.
"""

import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, NamedTuple, Sequence, Tuple

_SEGMENT_NAME = re.compile(r"^(\d{4})-(\d{2})\.jsonl$")
_APPEND_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)


class Segment(NamedTuple):
    """A segment file and the month it covers, ``[start, end)`` in UTC."""

    path: Path
    start: datetime
    end: datetime


def segment_path(directory: Path, moment: datetime) -> Path:
    """The segment a line written at ``moment`` belongs to."""
    utc = moment.astimezone(timezone.utc)
    return directory / f"{utc.year:04d}-{utc.month:02d}.jsonl"


def month_bounds(year: int, month: int) -> Tuple[datetime, datetime]:
    """The first instant of a UTC month and of the month after it."""
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    if month == 12:
        return start, datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    return start, datetime(year, month + 1, 1, tzinfo=timezone.utc)


def list_segments(directory: Path) -> List[Segment]:
    """The segments in ``directory``, oldest first; other files are ignored."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    segments = []
    for name in names:
        match = _SEGMENT_NAME.match(name)
        if not match:
            continue
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= year <= 9998 or not 1 <= month <= 12:
            continue
        start, end = month_bounds(year, month)
        segments.append(Segment(directory / name, start, end))
    return sorted(segments, key=lambda s: s.start)


def overlapping(segments: Sequence[Segment], since: datetime, until: datetime) -> List[Segment]:
    """The segments holding lines written between ``since`` and ``until``."""
    return [s for s in segments if s.end > since and s.start <= until]


def expired(segments: Sequence[Segment], now: datetime, retention_days: int) -> List[Segment]:
    """Segments whose month ended more than ``retention_days`` before ``now``."""
    horizon = now - timedelta(days=retention_days)
    return [s for s in segments if s.end < horizon]


def delete_expired(directory: Path, now: datetime, retention_days: int) -> List[Path]:
    """Remove the expired segments of ``directory``; returns those removed."""
    removed = []
    for segment in expired(list_segments(directory), now, retention_days):
        try:
            segment.path.unlink()
        except OSError:
            continue  # removed by another writer first, or not ours to remove

        removed.append(segment.path)
    return removed


def append_lines(path: Path, lines: Sequence[bytes]) -> None:
    """Append whole lines to ``path`` (created 0600), after terminating a torn last line."""
    fd = os.open(str(path), _APPEND_FLAGS, 0o600)
    try:
        if _ends_torn(path):
            _write_all(fd, b"\n")
        for line in lines:
            _write_all(fd, line)
    finally:
        os.close(fd)


def _ends_torn(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def _write_all(fd: int, data: bytes) -> None:
    written = os.write(fd, data)
    while written < len(data):  # a short write (signal, quota): finish the line
        more = os.write(fd, data[written:])
        if more <= 0:
            raise OSError(f"could not append to the ledger ({written} of {len(data)} bytes)")
        written += more
