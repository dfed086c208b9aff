"""Read the ledger: only the segments a range needs, every bad line skipped and counted."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, NamedTuple, Optional, Set, Tuple

from ..state import read_machine_id
from .line import LineParser, Record
from .segments import list_segments, overlapping

#: A series that is observed at all gets a line at least this often.
HEARTBEAT = timedelta(minutes=30)
#: ``since`` for "the whole ledger" (an export without ``--since``).
ALL_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)

_Identity = Tuple[str, Optional[str], str, datetime, float, Optional[datetime]]


class LedgerRead(NamedTuple):
    """What a read found: records in ``observed_at`` order, and what it could not use."""

    records: List[Record]
    #: Blank, torn, unparseable, newer-version, incomplete or future lines.
    skipped_lines: int
    #: From here on the ledger was read whole (the first segment's start), None when empty.
    complete_since: Optional[datetime]
    #: Segments that exist but could not be read.
    unreadable: List[Path]


def history_dir(state: Path, machine: str) -> Path:
    """A machine's ledger directory under the state directory."""
    return state / "history" / machine


def read_machine_ledger(
    state: Path, since: datetime, now: datetime
) -> Tuple[Optional[str], LedgerRead]:
    """This machine's id and its ledger from ``since``; (None, empty) before the first record."""
    machine = read_machine_id(state)
    if machine is None:
        return None, LedgerRead([], 0, None, [])
    return machine, read_ledger(history_dir(state, machine), since, now)


def read_ledger(directory: Path, since: datetime, now: datetime) -> LedgerRead:
    """The records written from a heartbeat before ``since`` up to ``now``.

    That heartbeat gives each series its line before the range (events compare with it).
    Identical observations (series, ``observed_at``, ``used_percent``, ``resets_at``),
    written twice by runs that did not share a lock, count once.
    """
    start = since - HEARTBEAT
    segments = overlapping(list_segments(directory), start, now)
    parser = LineParser(now)
    records: List[Record] = []
    seen: Set[_Identity] = set()
    skipped = 0
    unreadable: List[Path] = []
    for segment in segments:
        try:
            skipped += _read_segment(segment.path, parser, records, seen, start)
        except OSError:
            unreadable.append(segment.path)
    records.sort(key=lambda r: r.observed_at)
    complete_since = max(start, segments[0].start) if segments else None
    return LedgerRead(records, skipped, complete_since, unreadable)


def read_segment(path: Path, now: datetime) -> Tuple[List[Record], int]:
    """Every usable record of one segment in file order, and how many lines were skipped."""
    records: List[Record] = []
    skipped = _read_segment(path, LineParser(now), records, set(), None)
    return records, skipped


#: How the writer starts a line: the ``ts`` that follows can be compared as text.
_PREFIX = b'{"v":1,"ts":"'
_TS_END = len(_PREFIX) + len("2026-09-20T10:15:03+00:00")


def _read_segment(
    path: Path,
    parser: LineParser,
    out: List[Record],
    seen: Set[_Identity],
    start: Optional[datetime],
) -> int:
    """Append the segment's records written at or after ``start``; returns the lines skipped."""
    skipped = 0
    floor = None
    if start is not None and start.utcoffset() == timedelta(0) and start.year >= 1000:
        floor = start.replace(microsecond=0).isoformat().encode()
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):  # torn: its writer never finished it
                skipped += 1
                continue
            if (
                floor is not None
                and raw.startswith(_PREFIX)
                and raw[_TS_END : _TS_END + 1] == b'"'
                and raw[len(_PREFIX) : _TS_END] < floor
            ):
                continue  # written before the range: not even parsed
            record = parser.parse(raw)
            if record is None:
                skipped += 1
                continue
            if start is not None and record.ts < start:
                continue
            # (series, observed_at, used_percent, resets_at), without building the series
            identity = (record[2], record[3], record[4], record[9], record[7], record[8])
            if identity in seen:
                continue
            seen.add(identity)
            out.append(record)
    return skipped
