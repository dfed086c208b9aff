"""One ledger line (FEATURES.md §3.1): a window observation as one JSON object, and back.

Lines are UTF-8, ``\\n``-terminated and under 4 KiB, so that one ``os.write`` appends a whole
line. Reading is defensive: anything unreadable yields None and the caller counts it.
"""

import json
import math
import sys
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
    """Turns ledger lines into records, fast: the lines of a series repeat their names and
    share reset and observation times, so those are validated once and cached."""

    def __init__(self, now: Optional[datetime]) -> None:
        """``now`` None: lines from the future are accepted too."""
        self.latest = None if now is None else now + FUTURE_SLACK
        self._times: Dict[str, Optional[datetime]] = {}
        self._names: Dict[Tuple[Any, ...], Tuple[Any, ...]] = {}
        self._decode = json.JSONDecoder().raw_decode

    def parse(self, raw: bytes) -> Optional[Record]:
        """The record of one line (its ``\\n`` included or not), or None to skip it."""
        try:
            text = raw.decode("utf-8")
            data, end = self._decode(text)
        except (ValueError, RecursionError):  # also invalid UTF-8
            return None
        if end < len(text) and text[end:].strip():
            return None  # something after the object
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
        # Written for speed (a month of five providers is tens of thousands of lines):
        # cached times and names are looked up inline, the rest goes through _time/_names.
        get = data.get
        times = self._times
        version = get("v")
        if version.__class__ is not int or not 1 <= version <= LEDGER_VERSION:
            raise _Skip
        raw = get("ts")
        ts = times.get(raw) if raw.__class__ is str else None
        if ts is None:
            ts = self._time(raw)
            if ts is None:
                raise _Skip
        raw = get("observed_at")
        observed = times.get(raw) if raw.__class__ is str else None
        if observed is None:
            observed = self._time(raw) or ts
        latest = self.latest
        if latest is not None and (ts > latest or observed > latest):
            raise _Skip
        raw = get("resets_at")
        resets_at = times.get(raw) if raw.__class__ is str else None
        if resets_at is None and raw is not None:
            resets_at = self._time(raw)
        used_percent = get("used_percent")
        if used_percent.__class__ is int and 0 <= used_percent <= 100:
            used_percent = float(used_percent)
        else:
            used_percent = percent_value(used_percent)
            if used_percent is None:
                raise _Skip
        key = (
            get("machine"),
            get("provider"),
            get("account"),
            get("window"),
            get("period_type"),
            get("model"),
            get("source"),
            get("plan"),
            get("unit"),
        )
        try:
            names = self._names.get(key)
        except TypeError:  # an unhashable value (a list, an object) among them
            names = None
        if names is None:
            names = _names(key)
            if all(v.__class__ is not list and v.__class__ is not dict for v in key):
                self._names[key] = names
        machine, provider, account, window, period_type, model, source, plan, unit = names
        used, limit = get("used"), get("limit")
        return tuple.__new__(
            Record,
            (
                ts,
                machine,
                provider,
                account,
                window,
                period_type,
                model,
                used_percent,
                resets_at,
                observed,
                source,
                plan,
                None if used is None else _amount(used),
                None if limit is None else _amount(limit),
                unit,
            ),
        )

    def _time(self, value: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.__class__ is not str:
            raise _Skip
        parsed = self._times.get(value)
        if parsed is None:
            if value in self._times:
                raise _Skip  # known to be unreadable
            parsed = self._times[value] = _parse_time(value)
            if parsed is None:
                raise _Skip  # present but unreadable
        return parsed


def _names(key: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """The names of a line checked: provider and window required, the rest text or None."""
    machine, provider, account, window, period_type, model, source, plan, unit = (
        sys.intern(v) if isinstance(v, str) else None for v in key
    )
    if not provider or not window:
        raise _Skip
    if period_type not in PERIOD_TYPES:
        period_type = None
    return (machine, provider, account, window, period_type, model, source, plan, unit)


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
