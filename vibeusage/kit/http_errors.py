"""What a failed HTTP exchange means for a user: statuses and exceptions -> VibeusageError.

Kept apart from ``errors.py`` (the taxonomy) because it knows ``requests``; it is imported
only once a request has been made.
"""

from datetime import datetime, timezone
from typing import List, Mapping, Optional

from ..errors import ErrorCategory, Severity, VibeusageError
from ..timeparse import utcnow

#: Retry-After of 0 or missing on a 429 means "back off for this long".
DEFAULT_RETRY_AFTER = 300.0


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> float:
    """Seconds to wait from a Retry-After header (seconds or HTTP date); 0/missing -> default."""
    if value is None or not value.strip():
        return DEFAULT_RETRY_AFTER
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return DEFAULT_RETRY_AFTER
        if when is None:
            return DEFAULT_RETRY_AFTER
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or utcnow())).total_seconds()
    if seconds != seconds or seconds <= 0:
        return DEFAULT_RETRY_AFTER
    return min(seconds, 24 * 3600.0)


#: The statuses with a meaning of their own: what the provider did, and the category.
_STATUS_ERRORS = {
    401: ("rejected the credentials (HTTP 401): expired or revoked", ErrorCategory.AUTHENTICATION),
    403: ("refused access to usage data (HTTP 403)", ErrorCategory.AUTHORIZATION),
    404: ("usage endpoint not found (HTTP 404)", ErrorCategory.NOT_FOUND),
}


def classify_http_status(
    status: int,
    provider_name: str,
    *,
    retry_after: Optional[str] = None,
    remediation: Optional[str] = None,
    now: Optional[datetime] = None,
) -> VibeusageError:
    """An error for an unsuccessful HTTP status from a provider's API.

    ``now`` is the caller's clock, against which a Retry-After date is measured.
    """
    known = _STATUS_ERRORS.get(status)
    if known is not None:
        text, category = known
        return VibeusageError(
            f"{provider_name} {text}",
            category,
            remediation=remediation,
            status_code=status,
        )
    if status == 429:
        wait = parse_retry_after(retry_after, now)
        return VibeusageError(
            f"{provider_name} is rate limiting usage requests (HTTP 429)",
            ErrorCategory.RATE_LIMITED,
            remediation=remediation or f"Wait about {_human_seconds(wait)} before retrying.",
            retry_after=wait,
            status_code=status,
        )
    if status >= 500:
        return VibeusageError(
            f"{provider_name} had a server error (HTTP {status})",
            ErrorCategory.PROVIDER,
            remediation=remediation,
            status_code=status,
        )
    return VibeusageError(
        f"{provider_name} answered with HTTP {status}",
        ErrorCategory.PROVIDER,
        severity=Severity.RECOVERABLE,
        remediation=remediation,
        status_code=status,
    )


def status_error(
    response: object,
    provider_name: str,
    remediation: Optional[Mapping[int, str]] = None,
    now: Optional[datetime] = None,
) -> VibeusageError:
    """:func:`classify_http_status` for a response, with the caller's per-status advice."""
    status = int(getattr(response, "status_code", 0))
    headers = getattr(response, "headers", {}) or {}
    return classify_http_status(
        status,
        provider_name,
        retry_after=headers.get("Retry-After"),
        remediation=(remediation or {}).get(status),
        now=now,
    )


def classify_exception(exc: BaseException, provider_name: str) -> VibeusageError:
    """Turn an exception raised while fetching into a user-facing error.

    Order matters: requests' Timeout types derive from ConnectionError, so they are
    checked first; SSL and proxy errors get their own advice. An exception that is not
    about the exchange (a ``KeyError`` in vibeusage's own code) is not blamed on the
    provider: it is an ``unknown`` error that asks for a report. Errors raised while
    decoding a provider's payload are turned into ``parse`` errors where they happen
    (see ``kit.http.decoding``).
    """
    if isinstance(exc, VibeusageError):
        return exc
    import requests  # deferred: keeps the CLI start-up light

    from ..http import RedirectRefused, ResponseTooLarge

    if isinstance(exc, ResponseTooLarge):
        return VibeusageError(
            f"{provider_name} sent an oversized response; it was not read",
            ErrorCategory.PROVIDER,
        )
    if isinstance(exc, RedirectRefused):
        return VibeusageError(
            f"{provider_name} redirected somewhere vibeusage will not follow ({exc})",
            ErrorCategory.PROVIDER,
            remediation="Check HTTPS_PROXY and the network's proxy; retry later.",
        )
    if isinstance(exc, requests.exceptions.InvalidJSONError):
        # Also a RequestException, but what it means is "the body was not JSON".
        return VibeusageError(
            f"{provider_name} sent a response that is not JSON", ErrorCategory.PARSE
        )
    host = _host(exc)
    if isinstance(exc, OSError) and "CA certificate bundle" in str(exc):
        # requests raises this at send time when REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE /
        # SSL_CERT_FILE names a file that does not exist: nothing reached the network.
        return VibeusageError(
            "The CA bundle named by REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE "
            "does not exist",
            ErrorCategory.CONFIGURATION,
            remediation="Point the variable at an existing CA bundle file, or unset it.",
            cause="tls",
        )
    if isinstance(exc, requests.Timeout):
        return VibeusageError(
            f"{provider_name} did not answer in time{host}",
            ErrorCategory.NETWORK,
            remediation="Retry later, or raise the limit with `--timeout`.",
            cause="timeout",
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return VibeusageError(
            f"TLS verification failed while contacting {provider_name}{host}",
            ErrorCategory.NETWORK,
            remediation=(
                "Behind a TLS-inspecting proxy, point REQUESTS_CA_BUNDLE at the "
                "organisation's CA bundle."
            ),
            cause="tls",
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return VibeusageError(
            f"The proxy refused the connection to {provider_name}{host}",
            ErrorCategory.NETWORK,
            remediation="Check HTTPS_PROXY / NO_PROXY and the proxy's credentials.",
            cause="proxy",
        )
    if isinstance(exc, requests.ConnectionError):
        cause = _connection_cause(exc)
        why = {"dns": "the name did not resolve", "refused": "the connection was refused"}
        return VibeusageError(
            f"Could not connect to {provider_name}{host}"
            + (f": {why[cause]}" if cause in why else ""),
            ErrorCategory.NETWORK,
            remediation=(
                "Check the network connection and DNS, then retry."
                if cause == "dns"
                else "Check the network connection (and any proxy), then retry."
            ),
            cause=cause or "connect",
        )
    if isinstance(exc, requests.TooManyRedirects):
        return VibeusageError(f"{provider_name} redirected too many times", ErrorCategory.PROVIDER)
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return status_error(exc.response, provider_name)
    if isinstance(exc, requests.RequestException):
        return VibeusageError(
            f"Request to {provider_name} failed ({type(exc).__name__})", ErrorCategory.NETWORK
        )
    if isinstance(exc, OSError):
        return VibeusageError(
            f"A local error stopped the {provider_name} fetch "
            f"({exc.strerror or type(exc).__name__})",
            ErrorCategory.UNKNOWN,
        )
    return VibeusageError(
        f"Internal error while fetching {provider_name} ({type(exc).__name__})",
        ErrorCategory.UNKNOWN,
        remediation="This is a bug in vibeusage: run with `--debug` and report what it shows.",
    )


def _human_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} seconds"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{round(minutes / 60)} hours"


def _host(exc: BaseException) -> str:
    """`` (host)`` of the request that failed, or nothing when it is not known."""
    from urllib.parse import urlsplit

    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if not isinstance(url, str):
        return ""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return ""
    return f" ({host})" if host else ""


#: Words of urllib3's and the resolver's messages, per cause (they are only in the text).
_CAUSE_WORDS = (
    (
        "dns",
        (
            "NameResolutionError",
            "Name or service not known",
            "getaddrinfo failed",
            "nodename nor servname",
            "Temporary failure in name resolution",
            "No address associated",
        ),
    ),
    ("refused", ("Connection refused", "ConnectionRefusedError", "WinError 10061")),
)


def _connection_cause(exc: BaseException) -> Optional[str]:
    """ "dns" or "refused" when the exception's chain says so, else None."""
    seen: List[BaseException] = []
    current: Optional[BaseException] = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        if isinstance(current, ConnectionRefusedError):
            return "refused"
        current = current.__cause__ or current.__context__
    text = " ".join(str(e) for e in seen) + " " + " ".join(repr(a) for a in exc.args)
    for cause, words in _CAUSE_WORDS:
        if any(word in text for word in words):
            return cause
    return None
