"""What ``agy -p /quota --output-format json`` prints: a JSON envelope, and errors on stderr.

stdout may start with warnings; the envelope starts at the first line beginning with ``{``:
``{"status": "SUCCESS"|"ERROR", "response": TSV, "error"?, "command"?: {"name", "data":
SUMMARY}}``. agy ≥ 1.2.6 reports failures on stderr as ``AGY_ERROR: {"status", "http_status",
"retryable", "short_error"?}`` lines and exits 3. ``status`` decides, not the exit code.
"""

from datetime import datetime
from typing import Any, Dict, List, Optional

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.http_errors import DEFAULT_RETRY_AFTER
from ...models import UsageSnapshot
from .local import NAME, SIGN_IN_HINT
from .usage import parse_summary, parse_tsv

SOURCE = "cli"
_RATE_STATUSES = ("RESOURCE_EXHAUSTED", "RATE_LIMITED")
_SIGNED_OUT = ("not signed in", "sign in", "not logged in", "unauthenticated")


def parse_agy_output(stdout: str, stderr: str, now: datetime) -> UsageSnapshot:
    """The snapshot of agy's answer, or the error it reports (a parse error when neither)."""
    envelope = find_envelope(stdout)
    if isinstance(envelope, dict) and envelope.get("status") == "SUCCESS":
        command = envelope.get("command")
        if isinstance(command, dict) and isinstance(command.get("data"), dict):
            return parse_summary(envelope, now, SOURCE)
        return parse_tsv(envelope.get("response"), now, SOURCE)
    reported = stderr_errors(stderr)
    if reported:
        raise agy_error(reported[-1])
    if isinstance(envelope, dict) and envelope.get("status") is not None:
        raise envelope_error(envelope)
    raise parse_error(NAME, "agy printed no quota")


def find_envelope(stdout: str) -> Optional[Any]:
    """The JSON document starting at stdout's first line that begins with ``{``."""
    import json

    lines = stdout.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.lstrip().startswith("{"):
            text = "".join(lines[index:]).lstrip()
            try:
                document, _ = json.JSONDecoder().raw_decode(text)
            except (ValueError, RecursionError):
                return None
            return document
    return None


def stderr_errors(stderr: str) -> List[Dict[str, Any]]:
    """The objects of the ``AGY_ERROR: {…}`` lines on stderr, in order."""
    import json

    found = []
    for line in stderr.splitlines():
        _, marker, rest = line.partition("AGY_ERROR:")
        if not marker:
            continue
        try:
            document = json.loads(rest.strip())
        except (ValueError, RecursionError):
            continue
        if isinstance(document, dict):
            found.append(document)
    return found


def agy_error(report: Dict[str, Any]) -> VibeusageError:
    """The error an ``AGY_ERROR`` object stands for."""
    status = _short(report.get("status")) or "error"
    http_status = report.get("http_status")
    detail = _short(report.get("short_error"))
    said = f"{status}: {detail}" if detail else status
    if status in _RATE_STATUSES or http_status == 429:
        return VibeusageError(
            f"Antigravity is rate limiting agy ({said})",
            ErrorCategory.RATE_LIMITED,
            retry_after=DEFAULT_RETRY_AFTER,
            status_code=429,
        )
    if http_status in (401, 403) or status in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return VibeusageError(
            f"agy's login was refused ({said})",
            ErrorCategory.AUTHENTICATION,
            remediation=SIGN_IN_HINT,
        )
    return VibeusageError(f"agy reported an error ({said})", ErrorCategory.PROVIDER)


def envelope_error(envelope: Dict[str, Any]) -> VibeusageError:
    """The error of an envelope whose ``status`` is not ``SUCCESS``."""
    message = _short(envelope.get("error")) or _short(envelope.get("status")) or "error"
    if any(sign in message.lower() for sign in _SIGNED_OUT):
        return VibeusageError(
            f"agy is not signed in ({message})",
            ErrorCategory.AUTHENTICATION,
            remediation=SIGN_IN_HINT,
        )
    return VibeusageError(f"agy reported an error ({message})", ErrorCategory.PROVIDER)


def _short(value: Any) -> Optional[str]:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())[:160]
