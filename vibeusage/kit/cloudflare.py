"""Cloudflare's block pages: an obstacle in front of a provider, never a verdict on a login."""

import re
from typing import Any, Optional

from ..errors import ErrorCategory, VibeusageError

#: Words that only a Cloudflare block or challenge page carries (checked in lower case).
_MARKERS = ("cloudflare", "attention required", "error 1010", "error 1020")
_CODE = re.compile(r"cf-error-code[^>]*>\s*(\d{3,4})|\berror\s+(\d{4})\b", re.IGNORECASE)
#: Enough of a page to find the markers; block pages are a few kilobytes.
_SCAN = 64 * 1024


def cloudflare_block(
    response: Any, provider_name: str, remediation: Optional[str] = None
) -> Optional[VibeusageError]:
    """A network error when ``response`` is Cloudflare's block page, else None."""
    headers = getattr(response, "headers", None) or {}
    mitigated = bool(headers.get("cf-mitigated"))
    if not mitigated and "html" not in str(headers.get("Content-Type", "")).lower():
        return None
    try:
        text = str(response.text)[:_SCAN]
    except Exception:  # an undecodable body is no block page we can recognise
        text = ""
    if not mitigated and not any(marker in text.lower() for marker in _MARKERS):
        return None
    found = _CODE.search(text)
    code = (found.group(1) or found.group(2)) if found else None
    what = f"error {code}" if code else f"HTTP {getattr(response, 'status_code', '?')}"
    return VibeusageError(
        f"{provider_name}'s Cloudflare front blocked the request ({what})",
        ErrorCategory.NETWORK,
        remediation=remediation,
        status_code=getattr(response, "status_code", None),
    )
