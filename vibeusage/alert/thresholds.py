"""The ``--at`` thresholds: used percents in (0, 100], and their keys in the state file."""

from decimal import Decimal
from typing import Iterable, Tuple

from ..models import to_decimal
from ..pace.percent import HUNDRED

DEFAULT_THRESHOLDS = (Decimal(80), Decimal(95))


def parse_thresholds(text: str) -> Tuple[Decimal, ...]:
    """``"80,95"`` -> (80, 95), sorted and without repeats; ValueError naming a bad item."""
    found = set()
    for item in text.split(","):
        item = item.strip()
        value = to_decimal(item)
        if value is None or not 0 < value <= HUNDRED:
            raise ValueError(f"not a used percent in (0, 100]: {item!r}")
        found.add(canonical(value))
    return tuple(sorted(found))


def merge_thresholds(groups: Iterable[Tuple[Decimal, ...]]) -> Tuple[Decimal, ...]:
    """Every threshold of repeated ``--at`` options, sorted, without repeats."""
    return tuple(sorted({value for group in groups for value in group}))


def canonical(value: Decimal) -> Decimal:
    """The same number without trailing zeros or an exponent (``80.0`` -> ``80``)."""
    whole = value.to_integral_value()
    return whole if value == whole else value.normalize()


def threshold_key(value: Decimal) -> str:
    """``80``, ``82.5``: how a threshold is written in the state file and the environment."""
    return format(canonical(value), "f")
