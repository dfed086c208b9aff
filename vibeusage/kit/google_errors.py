"""Google API error bodies (``{"error": {code, message, status, details: [ErrorInfo]}}``) read.

Google's APIs say *why* a request failed in the body (``status`` such as
``PERMISSION_DENIED``, ``details[].reason`` such as ``SERVICE_DISABLED`` with metadata naming
the consumer project); a provider turns that into advice. Reading never raises.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

#: Longest part of Google's own message quoted in an error.
MAX_MESSAGE = 200


@dataclass(frozen=True)
class GoogleApiError:
    """What a Google error body says; every part is optional."""

    code: Optional[int] = None
    status: Optional[str] = None
    message: Optional[str] = None
    #: ``reason`` of every ``google.rpc.ErrorInfo`` detail, in order.
    reasons: Tuple[str, ...] = ()
    #: The ErrorInfo details' string metadata, merged (first value wins).
    metadata: Dict[str, str] = field(default_factory=dict)

    def short_message(self) -> Optional[str]:
        """Google's message on one line, cut to a readable length."""
        if not self.message:
            return None
        line = " ".join(self.message.split())
        return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 1] + "…"


def read_google_error(response: Any) -> GoogleApiError:
    """The error a response's JSON body describes (empty when it is not a Google error)."""
    from .http import json_or_none

    try:
        body = json_or_none(response)
    except Exception:  # an undecodable body says nothing
        body = None
    return parse_google_error(body)


def parse_google_error(body: Any) -> GoogleApiError:
    """The parts of ``{"error": {...}}`` that are there and have the right types."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GoogleApiError()
    code = error.get("code")
    reasons = []
    metadata: Dict[str, str] = {}
    details = error.get("details")
    for detail in details if isinstance(details, list) else ():
        if not isinstance(detail, dict):
            continue
        reason = detail.get("reason")
        if isinstance(reason, str) and reason:
            reasons.append(reason)
        extra = detail.get("metadata")
        for key, value in extra.items() if isinstance(extra, dict) else ():
            if isinstance(key, str) and isinstance(value, str):
                metadata.setdefault(key, value)
    return GoogleApiError(
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        status=_text(error.get("status")),
        message=_text(error.get("message")),
        reasons=tuple(reasons),
        metadata=metadata,
    )


def _text(value: Any) -> Optional[str]:
    return value.strip() if isinstance(value, str) and value.strip() else None
