"""The JSON form of a forecast: a period's ``pace`` object and the snapshot's two keys (§1.1)."""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Dict, Optional, Union

from .forecast import Pace
from .percent import ARITHMETIC, tidy
from .snapshot import SnapshotPace
from .text import summary


def json_number(number: Decimal, places: int) -> Union[int, float]:
    """``number`` rounded half up to ``places`` decimals; whole numbers as int, never ``-0``.

    The float is built from the rounded decimal text, so it prints as that text (0.601).
    """
    with localcontext(ARITHMETIC):
        rounded = tidy(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def pace_document(pace: Optional[Pace]) -> Optional[Dict[str, Any]]:
    """A period's ``pace`` value: the object of §1.1, or None when the window has no pace."""
    if pace is None:
        return None
    return {
        "elapsed_fraction": json_number(pace.elapsed_fraction, 3),
        "expected_used_percent": json_number(pace.expected_used_percent, 1),
        "delta_percent": json_number(pace.delta_percent, 1),
        "stage": pace.stage.value,
        "pace_ratio": None if pace.pace_ratio is None else json_number(pace.pace_ratio, 2),
        "rate_percent_per_hour": json_number(pace.rate_percent_per_hour, 3),
        "will_last_to_reset": pace.will_last_to_reset,
        "eta_seconds": pace.eta_seconds,
        "exhausts_at": None if pace.exhausts_at is None else pace.exhausts_at.isoformat(),
        "pause_to_on_pace_seconds": pace.pause_to_on_pace_seconds,
        "safe_rate_percent_per_hour": json_number(pace.safe_rate_percent_per_hour, 3),
        "summary": summary(pace),
    }


def snapshot_pace_keys(forecast: SnapshotPace) -> Dict[str, Optional[str]]:
    """The SNAPSHOT's ``binding_period`` (a period name) and ``available_again_at`` (ISO)."""
    binding = forecast.binding
    again = forecast.available_again_at
    return {
        "binding_period": None if binding is None else binding.name,
        "available_again_at": None if again is None else again.isoformat(),
    }
