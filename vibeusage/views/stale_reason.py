"""Why data is stale, in a few words: its age, and what kept it from being refreshed."""

from datetime import datetime
from typing import Optional

from ..errors import ErrorCategory, VibeusageError
from .durations import format_age

_FAILURES = {
    ErrorCategory.AUTHENTICATION: "login missing or expired",
    ErrorCategory.AUTHORIZATION: "access refused",
    ErrorCategory.RATE_LIMITED: "rate limited",
    ErrorCategory.NETWORK: "network error",
    ErrorCategory.PROVIDER: "provider error",
    ErrorCategory.PARSE: "unreadable answer",
    ErrorCategory.CONFIGURATION: "configuration error",
    ErrorCategory.NOT_FOUND: "not found",
}


def stale_reason(fetched_at: datetime, now: datetime, error: Optional[VibeusageError]) -> str:
    """``stale, 2h 5m old, refresh failed: network error`` (the age alone when nothing failed)."""
    text = f"stale, {format_age(now - fetched_at)} old"
    if error is not None:
        text += f", refresh failed: {_FAILURES.get(error.category, 'error')}"
    return text
