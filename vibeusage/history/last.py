"""``last.json``: the last line written per series, so a record need not read the ledger.

It is only a shortcut: missing, garbage, a wrong shape or a newer ``v`` and it is rebuilt
from the newest segment.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Tuple

from ..store import atomic_write_bytes
from .line import FUTURE_SLACK, LEDGER_VERSION, LineParser, Record, SeriesKey
from .reader import read_segment
from .segments import list_segments

LAST_FILE = "last.json"

LastLines = Dict[SeriesKey, Record]


def load_last(directory: Path, now: datetime) -> Tuple[LastLines, bool]:
    """The last line per series, and whether ``last.json`` had it (else the newest segment)."""
    stored = _load_file(directory / LAST_FILE, now)
    if stored is not None:
        return stored, True
    segments = list_segments(directory)
    if not segments:
        return {}, False
    try:
        records, _ = read_segment(segments[-1].path, now)
    except OSError:
        return {}, False
    return latest_per_series(records), False


def save_last(directory: Path, last: LastLines) -> None:
    """Replace ``last.json`` atomically (0600)."""
    lines = [record.to_dict() for record in last.values()]
    data = json.dumps({"v": LEDGER_VERSION, "lines": lines}, ensure_ascii=False)
    atomic_write_bytes(directory / LAST_FILE, data.encode("utf-8") + b"\n", mode=0o600)


def latest_per_series(records: Iterable[Record]) -> LastLines:
    """The record with the latest ``observed_at`` of each series."""
    last: LastLines = {}
    for record in records:
        previous = last.get(record.series)
        if previous is None or record.observed_at >= previous.observed_at:
            last[record.series] = record
    return last


def _load_file(path: Path, now: datetime) -> Optional[LastLines]:
    try:
        data: Any = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("v") != LEDGER_VERSION:
        return None
    lines = data.get("lines")
    if not isinstance(lines, list):
        return None
    parser = LineParser(None)
    records = []
    for item in lines:
        record = parser.parse_object(item)
        if record is None:
            return None
        records.append(record)
    # A line from the future (the clock went back) would stop the series being written
    # until the clock caught up: forget it, so the next observation gets a line.
    latest = now + FUTURE_SLACK
    if any(r.ts > latest or r.observed_at > latest for r in records):
        return None
    return latest_per_series(records)
