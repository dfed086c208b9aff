"""The usage view in quiet mode: one line per window or error, for grep and status bars."""

from datetime import datetime
from typing import Sequence

from ..pipeline import ProviderResult
from .durations import format_reset
from .stale_reason import stale_reason


def render_quiet(
    results: Sequence[ProviderResult], now: datetime, reset_format: str = "countdown"
) -> str:
    """One line per period (and per error): easy to grep or feed to a status bar."""
    lines = []
    for result in results:
        if result.snapshot is not None:
            suffix = ""
            if result.stale:
                suffix = f" ({stale_reason(result.snapshot.fetched_at, now, result.error)})"
            for period in result.snapshot.periods:
                reset = format_reset(period, now, reset_format)
                reset_part = f", {reset}" if reset else ""
                lines.append(
                    f"{result.provider_id} {period.name}: {period.as_of(now).utilization}%"
                    f"{reset_part}{suffix}"
                )
        if result.error is not None and result.snapshot is None:
            lines.append(f"{result.provider_id} error: {result.error.message}")
    return "\n".join(lines) + "\n" if lines else ""
