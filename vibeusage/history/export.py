"""``vibeusage history export``: every valid line in ``observed_at`` order, as JSONL or CSV."""

import csv
import io
import json
from datetime import datetime
from typing import Any, Iterable, List, Sequence

from .line import Record, iso_or_none, json_number
from .reader import LedgerRead

EXPORT_FORMATS = ("csv", "jsonl")
CSV_COLUMNS = (
    "ts",
    "machine",
    "provider",
    "account",
    "window",
    "period_type",
    "model",
    "used_percent",
    "resets_at",
    "observed_at",
    "source",
    "plan",
)


def export_records(read: LedgerRead, since: datetime) -> List[Record]:
    """The records observed at or after ``since``, in ``observed_at`` order."""
    return [r for r in read.records if r.observed_at >= since]


def export_jsonl(records: Iterable[Record]) -> str:
    """One line object per record (the ledger's own keys), ``\\n``-terminated."""
    return "".join(
        json.dumps(r.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n" for r in records
    )


def export_csv(records: Sequence[Record]) -> str:
    """A header and one row per record; unknown values are empty cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([_cell(getattr(record, column)) for column in CSV_COLUMNS])
    return out.getvalue()


def export_text(records: Sequence[Record], export_format: str) -> str:
    """The export in ``export_format`` (one of :data:`EXPORT_FORMATS`)."""
    if export_format == "csv":
        return export_csv(records)
    if export_format == "jsonl":
        return export_jsonl(records)
    raise ValueError(f"unknown export format {export_format!r}")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_or_none(value)
    if isinstance(value, float):
        return json_number(value)
    return value
