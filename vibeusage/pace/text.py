"""The words of a forecast: ``28% in deficit · runs out in 13h 46m`` and the table's pace line."""

from decimal import Decimal
from typing import Optional, Union

from .forecast import Pace, Stage, whole

SEPARATOR = "·"


def countdown(total_seconds: Union[int, Decimal]) -> str:
    """``4d 12h``, ``3h 45m``, ``45m`` or ``<1m`` (whole units, rounded down, as the table)."""
    minutes = int(total_seconds) // 60
    if minutes < 1:
        return "<1m"
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def standing(pace: Pace) -> str:
    """``On pace``, ``N% in deficit`` or ``N% in reserve`` (N = the rounded |Δ|)."""
    if pace.stage is Stage.ON_PACE:
        return "On pace"
    side = "deficit" if pace.delta_percent > 0 else "reserve"
    return f"{whole(abs(pace.delta_percent))}% in {side}"


def outlook(pace: Pace) -> str:
    """``runs out in X`` or ``lasts until reset``."""
    if pace.eta_seconds is None:
        return "lasts until reset"
    return "runs out in " + countdown(pace.eta_seconds)


def summary(pace: Pace, separator: str = SEPARATOR) -> str:
    """The ``summary`` of the JSON contract; ASCII output may pass another separator."""
    if pace.exhausted:
        return f"Exhausted {separator} available again in {countdown(pace.seconds_to_reset)}"
    return f"{standing(pace)} {separator} {outlook(pace)}"


def pace_line(
    name: str, pace: Pace, reset_text: Optional[str] = None, separator: str = SEPARATOR
) -> str:
    """``Pace (Weekly): 28% in deficit · runs out in 13h 46m (resets in 2d 19h)``.

    The reset is added only when the window runs out before it; ``reset_text`` is the
    table's own reset cell (countdown or absolute), by default ``resets in`` a countdown.
    """
    line = f"Pace ({name}): {summary(pace, separator)}"
    if pace.exhausted or pace.eta_seconds is None:
        return line
    if reset_text is None:
        reset_text = "resets in " + countdown(pace.seconds_to_reset)
    return f"{line} ({reset_text})" if reset_text else line
