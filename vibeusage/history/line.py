"""One ledger line (FEATURES.md §3.1): a window observation as one JSON object, and back.

Lines are UTF-8, ``\\n``-terminated and under 4 KiB, so that one ``os.write`` appends a whole
line. Reading is defensive: anything unreadable yields None and the caller counts it.
"""

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, NamedTuple, Optional, Tuple, Union

from ..models import PeriodType
from ..timeparse import parse_iso

LEDGER_VERSION = 1
MAX_LINE_BYTES = 4096
#: Provider-sent strings are cut to this many characters so a line stays under 4 KiB.
MAX_TEXT = 100
#: A time further ahead than this is not trusted (FEATURES.md §0.2).
FUTURE_SLACK = timedelta(minutes=5)

PERIOD_TYPES = frozenset(p.value for p in PeriodType)

#: (provider, account, window): the identity of a series.
SeriesKey = Tuple[str, Optional[str], str]


class Record(NamedTuple):
    """A window observation as the ledger holds it (``used_percent`` 0–100, 2 decimals)."""

    ts: datetime
    machine: Optional[str]
    provider: str
    account: Optional[str]
    window: str
    period_type: Optional[str]
    model: Optional[str]
    used_percent: float
    resets_at: Optional[datetime]
    observed_at: datetime
    source: Optional[str]
    plan: Optional[str]
    used: Optional[float] = None
    limit: Optional[float] = None
    unit: Optional[str] = None

    @property
    def series(self) -> SeriesKey:
        return (self.provider, self.account, self.window)

    def to_dict(self) -> Dict[str, Any]:
        """The line's JSON object: the documented keys in order, absolute quotas when known."""
        data: Dict[str, Any] = {
            "v": LEDGER_VERSION,
            "ts": self.ts.isoformat(),
            "machine": self.machine,
            "provider": self.provider,
            "account": self.account,
            "window": self.window,
            "period_type": self.period_type,
            "model": self.model,
            "used_percent": json_number(self.used_percent),
            "resets_at": iso_or_none(self.resets_at),
            "observed_at": self.observed_at.isoformat(),
            "source": self.source,
            "plan": self.plan,
        }
        for key in ("used", "limit"):
            value = getattr(self, key)
            if value is not None:
                data[key] = json_number(value)
        if self.unit is not None:
            data["unit"] = self.unit
        return data


def encode_line(record: Record) -> bytes:
    """The record as one ``\\n``-terminated line; ValueError when it would reach 4 KiB."""
    text = json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))
    data = text.encode("utf-8") + b"\n"
    if len(data) >= MAX_LINE_BYTES:
        raise ValueError(f"ledger line of {len(data)} bytes is too long")
    return data


def json_number(value: float) -> Union[int, float]:
    """A percent or amount for JSON: a whole number as an int, else 2 decimals."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def iso_or_none(value: Optional[datetime]) -> Optional[str]:
    return None if value is None else value.isoformat()


def clip(text: Optional[str]) -> Optional[str]:
    """A provider-sent string cut to :data:`MAX_TEXT` characters."""
    return None if text is None else text[:MAX_TEXT]


def percent_value(value: Any) -> Optional[float]:
    """A used percent by FEATURES.md §0.2: (100, 101] is 100; above, negative or odd is None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0 or number > 101:
        return None
    return round(min(number, 100.0), 2)


class LineParser:
    """Turns ledger lines into records; caches repeated timestamps and strings (many lines
    share a reset time, an observation time and their names)."""

    def __init__(self, now: Optional[datetime]) -> None:
        """``now`` None: lines from the future are accepted too."""
        self.latest = None if now is None else now + FUTURE_SLACK
        self._times: Dict[str, Optional[datetime]] = {}
        self._strings: Dict[str, str] = {}

    def parse(self, raw: bytes) -> Optional[Record]:
        """The record of one line (without its ``\\n``), or None when it must be skipped."""
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # also invalid UTF-8
            return None
        return self.parse_object(data)

    def parse_object(self, data: Any) -> Optional[Record]:
        """The record of one decoded line object, or None when it must be skipped."""
        if not isinstance(data, dict):
            return None
        try:
            return self._record(data)
        except _Skip:
            return None

    def _record(self, data: Dict[str, Any]) -> Record:
        version = data.get("v")
        if type(version) is not int or not 1 <= version <= LEDGER_VERSION:
            raise _Skip
        ts = self._time(data.get("ts"))
        if ts is None:
            raise _Skip
        observed = self._time(data.get("observed_at")) or ts
        if self.latest is not None and (ts > self.latest or observed > self.latest):
            raise _Skip
        used_percent = percent_value(data.get("used_percent"))
        if used_percent is None:
            raise _Skip
        period_type = data.get("period_type")
        return Record(
            ts=ts,
            machine=self._text(data.get("machine")),
            provider=self._name(data.get("provider")),
            account=self._text(data.get("account")),
            window=self._name(data.get("window")),
            period_type=period_type if period_type in PERIOD_TYPES else None,
            model=self._text(data.get("model")),
            used_percent=used_percent,
            resets_at=self._time(data.get("resets_at")),
            observed_at=observed,
            source=self._text(data.get("source")),
            plan=self._text(data.get("plan")),
            used=_amount(data.get("used")),
            limit=_amount(data.get("limit")),
            unit=self._text(data.get("unit")),
        )

    def _time(self, value: Any) -> Optional[datetime]:
        if value is None:
            return None
        if not isinstance(value, str):
            raise _Skip
        try:
            parsed = self._times[value]
        except KeyError:
            parsed = self._times[value] = _parse_time(value)
        if parsed is None:
            raise _Skip  # present but unreadable
        return parsed

    def _name(self, value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise _Skip
        return self._strings.setdefault(value, value)

    def _text(self, value: Any) -> Optional[str]:
        if not isinstance(value, str):
            return None
        return self._strings.setdefault(value, value)


class _Skip(Exception):
    """A line that must be skipped."""


def _parse_time(text: str) -> Optional[datetime]:
    if text.endswith("+00:00"):  # what the writer produces: the fast path
        try:
            return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return parse_iso(text)


def _amount(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None
