"""Guard's thresholds, window choice and ``--for`` duration, validated (§2.1)."""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from ..models import to_decimal
from ..pace.percent import HUNDRED
from .choices import WINDOW_CHOICES

__all__ = [
    "WINDOW_CHOICES",
    "GuardPolicy",
    "GuardUsageError",
    "build_policy",
    "parse_duration",
    "parse_percent",
]
DEFAULT_MIN_REMAINING = Decimal(10)

_DURATION = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")
_UNIT_SECONDS = (86400, 3600, 60, 1)


class GuardUsageError(ValueError):
    """A bad guard argument (the command exits 64 with this message)."""


@dataclass(frozen=True)
class GuardPolicy:
    """What guard checks: the minimum remaining percent, which windows, an optional horizon."""

    min_remaining: Decimal = DEFAULT_MIN_REMAINING
    window: str = "binding"
    for_seconds: Optional[int] = None


def build_policy(
    min_remaining: Optional[str] = None,
    max_used: Optional[str] = None,
    window: str = "binding",
    for_duration: Optional[str] = None,
) -> GuardPolicy:
    """A policy from the option texts; ``--max-used P`` means a minimum of 100 − P remaining."""
    if min_remaining is not None and max_used is not None:
        raise GuardUsageError("--min-remaining and --max-used cannot be used together")
    if window not in WINDOW_CHOICES:
        raise GuardUsageError(f"--window must be one of {', '.join(WINDOW_CHOICES)}")
    if max_used is not None:
        minimum = HUNDRED - parse_percent(max_used, "--max-used")
    elif min_remaining is not None:
        minimum = parse_percent(min_remaining, "--min-remaining")
    else:
        minimum = DEFAULT_MIN_REMAINING
    seconds = None if for_duration is None else parse_duration(for_duration)
    return GuardPolicy(min_remaining=minimum, window=window, for_seconds=seconds)


def parse_percent(text: str, option: str) -> Decimal:
    """A finite percent in 0–100 (``10``, ``12.5``)."""
    number = to_decimal(text)
    if number is None or not 0 <= number <= HUNDRED:
        raise GuardUsageError(f"{option} needs a percent from 0 to 100, not {text!r}")
    return number


def parse_duration(text: str) -> int:
    """Seconds from ``45s``, ``90m``, ``3h``, ``2d``, ``1h30m`` or bare seconds (``600``)."""
    value = text.strip().lower()
    if value.isdigit() and value.isascii():
        return int(value)
    match = _DURATION.fullmatch(value)
    if not value or match is None:
        raise GuardUsageError(f"--for needs a duration (45s, 90m, 3h, 2d, 1h30m), not {text!r}")
    return sum(int(part) * unit for part, unit in zip(match.groups(), _UNIT_SECONDS) if part)
