"""Read the ledger: only the segments a range needs, every bad line skipped and counted."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import List, NamedTuple, Optional, Set, Tuple

from .line import LineParser, Record, SeriesKey
from .segments import list_segments, overlapping

#: A series that is observed at all gets a line at least this often.
HEARTBEAT = timedelta(minutes=30)

_Identity = Tuple[SeriesKey, datetime, float, Optional[datetime]]


class LedgerRead(NamedTuple):
    """What a read found: records in ``observed_at`` order, and what it could not use."""

    records: List[Record]
    #: Blank, torn, unparseable, newer-version, incomplete or future lines.
    skipped_lines: int
    #: From here on the ledger was read whole (the first segment's start), None when empty.
    complete_since: Optional[datetime]
    #: Segments that exist but could not be read.
    unreadable: List[Path]


def read_ledger(directory: Path, since: datetime, now: datetime) -> LedgerRead:
    """The records of the segments overlapping ``since`` (less a heartbeat) up to ``now``.

    Identical observations (series, ``observed_at``, ``used_percent``, ``resets_at``),
    written twice by runs that did not share a lock, count once.
    """
    segments = overlapping(list_segments(directory), since - HEARTBEAT, now)
    parser = LineParser(now)
    records: List[Record] = []
    seen: Set[_Identity] = set()
    skipped = 0
    unreadable: List[Path] = []
    for segment in segments:
        try:
            skipped += _read_segment(segment.path, parser, records, seen)
        except OSError:
            unreadable.append(segment.path)
    records.sort(key=lambda r: r.observed_at)
    complete_since = segments[0].start if segments else None
    return LedgerRead(records, skipped, complete_since, unreadable)


def read_segment(path: Path, now: datetime) -> Tuple[List[Record], int]:
    """Every usable record of one segment in file order, and how many lines were skipped."""
    records: List[Record] = []
    skipped = _read_segment(path, LineParser(now), records, set())
    return records, skipped


def _read_segment(path: Path, parser: LineParser, out: List[Record], seen: Set[_Identity]) -> int:
    skipped = 0
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):  # torn: its writer never finished it
                skipped += 1
                continue
            record = parser.parse(raw)
            if record is None:
                skipped += 1
                continue
            identity = (record.series, record.observed_at, record.used_percent, record.resets_at)
            if identity in seen:
                continue
            seen.add(identity)
            out.append(record)
    return skipped
