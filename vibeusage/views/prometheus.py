"""Prometheus text exposition (FEATURES.md §4): the usage view for node_exporter and Pushgateway.

Format 0.0.4 without timestamps, ending with ``# EOF`` so OpenMetrics parsers accept it too.
Every family is written, each with one HELP and one TYPE line and its samples together, so
the output keeps one shape whatever the providers returned. Values are those of the JSON,
except that a window whose reset has passed counts as 0 % used.
"""

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple, Union

from ..models import UsagePeriod, UsageSnapshot

#: The pace's ``eta_seconds`` of a window (None when it lasts), supplied by the caller.
EtaFunction = Callable[[UsagePeriod, datetime], Optional[int]]

Number = Union[int, Decimal, timedelta]
Labels = Tuple[Tuple[str, str], ...]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

FAMILIES = (
    (
        "vibeusage_window_used_percent",
        "Percent of the rate-limit window used, 0 to 100 (0 once its reset time has passed).",
    ),
    ("vibeusage_window_resets_at_seconds", "Unix time at which the window resets."),
    (
        "vibeusage_window_eta_seconds",
        "Seconds until the window runs out at its average pace so far; 0 when exhausted.",
    ),
    (
        "vibeusage_provider_up",
        "1 when the provider returned fresh data (or a fresh cache), else 0.",
    ),
    ("vibeusage_provider_stale", "1 when the provider's data is a stale fallback, else 0."),
    ("vibeusage_snapshot_age_seconds", "Seconds since the provider's data was fetched."),
    ("vibeusage_overage_used", "Usage beyond the plan this cycle, in major currency units."),
    ("vibeusage_overage_limit", "Cap on usage beyond the plan, in major currency units."),
    ("vibeusage_run_timestamp_seconds", "Unix time of this vibeusage run."),
)


class ProviderMetrics(NamedTuple):
    """One requested provider as the exposition sees it: its data, if any, and its state."""

    provider: str
    snapshot: Optional[UsageSnapshot]
    #: Fresh data or a fresh cache.
    up: bool
    #: The data is a stale fallback.
    stale: bool


def render_prometheus(
    providers: Sequence[ProviderMetrics], now: datetime, eta: Optional[EtaFunction] = None
) -> str:
    """The exposition of every family for ``providers`` (in their order) at ``now``."""
    samples: Dict[str, List[Tuple[Labels, str]]] = {name: [] for name, _ in FAMILIES}
    seen: Set[Tuple[str, Labels]] = set()

    def add(name: str, labels: Labels, value: Number) -> None:
        if (name, labels) not in seen:  # one sample per label set, the first one
            seen.add((name, labels))
            samples[name].append((labels, format_value(value)))

    for entry in providers:
        provider = (("provider", entry.provider),)
        add("vibeusage_provider_up", provider, int(entry.up))
        add("vibeusage_provider_stale", provider, int(entry.stale))
        snapshot = entry.snapshot
        if snapshot is None:
            continue
        add(
            "vibeusage_snapshot_age_seconds", provider, max(now - snapshot.fetched_at, timedelta(0))
        )
        for period in snapshot.periods:
            labels = provider + (
                ("window", period.name),
                ("period_type", period.period_type.value),
                ("model", period.model or ""),
            )
            # A window whose reset has passed is 0 % used, not its last reading.
            add("vibeusage_window_used_percent", labels, period.as_of(now).utilization)
            if period.resets_at is not None:
                add("vibeusage_window_resets_at_seconds", labels, period.resets_at - _EPOCH)
            eta_seconds = eta(period, now) if eta is not None else None
            if eta_seconds is not None:
                add("vibeusage_window_eta_seconds", labels, max(eta_seconds, 0))
        overage = snapshot.overage
        if overage is not None:
            money = provider + (("currency", overage.currency),)
            if overage.used is not None:
                add("vibeusage_overage_used", money, overage.used)
            if overage.limit is not None:
                add("vibeusage_overage_limit", money, overage.limit)
    add("vibeusage_run_timestamp_seconds", (), now - _EPOCH)

    lines = []
    for name, help_text in FAMILIES:
        lines.append(f"# HELP {name} {escape_help(help_text)}")
        lines.append(f"# TYPE {name} gauge")
        lines += [f"{name}{format_labels(labels)} {value}" for labels, value in samples[name]]
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def escape_label_value(value: str) -> str:
    """A label value for the text format: backslash, double quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    """HELP text for the text format: backslash and newline escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{key}="{escape_label_value(value)}"' for key, value in labels)
    return "{" + inner + "}"


def format_value(value: Number) -> str:
    """A sample value written exactly: durations and times to the microsecond, money as in
    the JSON (two decimals), counts and percents as integers."""
    if isinstance(value, timedelta):
        micro = (value.days * 86400 + value.seconds) * 10**6 + value.microseconds
        sign = "-" if micro < 0 else ""
        whole, fraction = divmod(abs(micro), 10**6)
        return f"{sign}{whole}" + (f".{fraction:06d}".rstrip("0") if fraction else "")
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return str(int(value))
