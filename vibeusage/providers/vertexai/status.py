"""Google Cloud's service health is not polled: ``vibeusage status`` points at its page."""

from datetime import datetime
from typing import Any, Optional

from ...models import ProviderStatus, StatusLevel

STATUS_PAGE = "https://status.cloud.google.com"


def status_link(session: Any, now: datetime, timeout: Optional[float] = None) -> ProviderStatus:
    """An ``unknown`` status naming Google Cloud's status page (no request is made)."""
    return ProviderStatus(StatusLevel.UNKNOWN, f"not polled; see {STATUS_PAGE}", polled=False)
