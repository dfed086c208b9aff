"""The used percent ``u`` that pace and guard reason about, cleaned of bad input (§0.2)."""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Any, Optional

from ..models import UsagePeriod, to_decimal

#: Fixed arithmetic for every forecast, so a caller's decimal context cannot change one.
ARITHMETIC = Context(prec=28, rounding=ROUND_HALF_EVEN)
HUNDRED = Decimal(100)
#: A percent in (100, 101] is rounding at the limit; above it an epoch leaked into the field.
LEAKED_ABOVE = Decimal(101)
_CENTS = Decimal("0.01")


def clean_used_percent(value: Any) -> Optional[Decimal]:
    """A used percent in 0–100 with at most 2 decimals; None for anything not to be trusted.

    Dropped: None, booleans, non-numbers, NaN, ±inf, negatives, and values above 101 (an
    epoch in the percent field). (100, 101] is 100; 14.000000000000002 is 14.
    """
    number = to_decimal(value)
    if number is None or number < 0 or number > LEAKED_ABOVE:
        return None
    if number >= HUNDRED:
        return HUNDRED
    return tidy(number.quantize(_CENTS, rounding=ROUND_HALF_UP))


def used_percent_of(period: UsagePeriod) -> Optional[Decimal]:
    """The ``u`` of a period: its exact value once periods keep one, else ``utilization``."""
    return clean_used_percent(period.utilization)


def tidy(number: Decimal) -> Decimal:
    """A whole Decimal without trailing zeros (``14.00`` -> ``14``, ``-0.0`` -> ``0``)."""
    whole = number.to_integral_value()
    return (whole if whole else Decimal(0)) if number == whole else number
