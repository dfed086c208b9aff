"""HTTP for strategies: one exchange bound to the run's session and time budget, classified.

A strategy says what it asks for (``what="usage data"``) and, per status, what a user can
do about a failure; the kit sends the request with the strategy's timeouts, turns every
failure into a :class:`VibeusageError` and decodes JSON. Parsers run inside
:func:`decoding`, so that only errors raised while reading the provider's payload are
reported as ``parse`` errors.
"""

from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable, Collection, Iterator, Mapping, Optional, Tuple

from ..errors import ErrorCategory, VibeusageError, parse_error
from ..timeparse import utcnow

#: No connection attempt waits longer than this, whatever the strategy's budget.
CONNECT_TIMEOUT = 10.0

#: Exceptions that mean "the payload did not have the expected shape".
DECODE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, ArithmeticError)


@contextmanager
def decoding(provider_name: str, what: str) -> Iterator[None]:
    """Report a shape error raised inside the block as the provider's unexpected response."""
    try:
        yield
    except VibeusageError:
        raise
    except DECODE_ERRORS as exc:
        raise parse_error(
            provider_name, f"{what} could not be read ({type(exc).__name__})"
        ) from exc


class Http:
    """Requests on one Session for one provider, with its timeout and its clock."""

    def __init__(
        self,
        session: Any,
        provider_name: str,
        timeout: Optional[float] = None,
        clock: Callable[[], datetime] = utcnow,
        deadline: Optional[float] = None,
        detached: bool = False,
    ) -> None:
        self.session = session
        self.provider_name = provider_name
        self.timeout = timeout
        self.clock = clock
        #: A ``time.monotonic()`` value: no exchange of the strategy may end after it.
        self.deadline = deadline
        #: Run each exchange in a thread it can be abandoned in (for callers on the main
        #: thread, outside the runner: name resolution has no time bound of its own).
        self.detached = detached

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        ok: Collection[int] = (200,),
        accept: Collection[int] = (),
        remediation: Optional[Mapping[int, str]] = None,
        **kwargs: Any,
    ) -> Any:
        """The response of one exchange whose status is in ``ok`` or ``accept``.

        Any other status raises the classified error (with ``remediation[status]`` when
        given); connection failures, timeouts and oversized bodies raise theirs.
        """
        from .http_errors import classify_exception, status_error

        if self.timeout is not None and kwargs.get("timeout") is None:
            kwargs["timeout"] = (min(CONNECT_TIMEOUT, self.timeout), self.timeout)
        if self.deadline is not None:
            kwargs["timeout"] = self._within_deadline(kwargs.get("timeout"), what)
        try:
            response = self._send(method, url, kwargs)
        except VibeusageError:
            raise
        except UnicodeEncodeError as exc:  # a header value from a local file, not ASCII/latin-1
            from ..provenance import last_credential_file

            where = last_credential_file()
            raise VibeusageError(
                f"The {self.provider_name} credential"
                + (f" in {where}" if where is not None else "")
                + " contains characters that cannot be sent",
                ErrorCategory.AUTHENTICATION,
                remediation="The login file or stored key is damaged: log in again.",
            ) from exc
        except Exception as exc:  # requests' errors become the project's (Ctrl-C is not caught)
            error = classify_exception(exc, self.provider_name)
            if error.category is ErrorCategory.UNKNOWN:
                raise
            raise error from exc
        if response.status_code in ok or response.status_code in accept:
            return response
        raise status_error(response, self.provider_name, remediation, self.clock())

    def _send(self, method: str, url: str, kwargs: Any) -> Any:
        if not self.detached:
            return self.session.request(method, url, **kwargs)
        from ..background import Background

        limit = self.timeout or getattr(self.session, "total", None) or 30.0
        exchange = Background(
            lambda: self.session.request(method, url, **kwargs), "vibeusage-exchange"
        )
        try:
            return exchange.result(float(limit) + 1.0)
        except TimeoutError:
            from urllib.parse import urlsplit

            raise VibeusageError(
                f"{self.provider_name} did not answer in time ({urlsplit(url).hostname})",
                ErrorCategory.NETWORK,
                remediation="Retry later, or raise `[fetch] timeout` in the configuration.",
                cause="timeout",
            ) from None

    def _within_deadline(self, timeout: Any, what: str) -> Tuple[float, float]:
        """``timeout`` clipped to what is left of the strategy's time, so that a second
        exchange (an identity, a retry) fails alone instead of costing the first one."""
        import time

        assert self.deadline is not None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise VibeusageError(
                f"{self.provider_name} ran out of time before asking for {what}",
                ErrorCategory.NETWORK,
                remediation="Retry later, or raise the limit with `--timeout`.",
                cause="timeout",
            )
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        connect = CONNECT_TIMEOUT if connect is None else float(connect)
        read = left if read is None else float(read)
        return (min(connect, left), min(read, left))

    def error(
        self, response: Any, remediation: Optional[Mapping[int, str]] = None
    ) -> VibeusageError:
        """The classified error of an unsuccessful response the caller accepted first."""
        from .http_errors import status_error

        return status_error(response, self.provider_name, remediation, self.clock())

    def get(self, url: str, *, what: str, **kwargs: Any) -> Any:
        return self.request("GET", url, what=what, **kwargs)

    def post(self, url: str, *, what: str, **kwargs: Any) -> Any:
        return self.request("POST", url, what=what, **kwargs)

    def get_json(self, url: str, *, what: str, **kwargs: Any) -> Any:
        """The decoded JSON of a successful GET."""
        return self.json(self.request("GET", url, what=what, **kwargs), what)

    def post_json(self, url: str, *, what: str, **kwargs: Any) -> Any:
        """The decoded JSON of a successful POST."""
        return self.json(self.request("POST", url, what=what, **kwargs), what)

    def json(self, response: Any, what: str) -> Any:
        """The decoded JSON of a response, or a parse error that says what came instead."""
        return json_body(response, self.provider_name, what)


def json_body(response: Any, provider_name: str, what: str) -> Any:
    """The decoded JSON of a response, or a parse error that says what came instead."""
    try:
        return response.json()
    except ValueError as exc:
        content_type = response.headers.get("Content-Type", "")
        kind = "an HTML page" if "html" in content_type.lower() else "a body that is not JSON"
        raise parse_error(provider_name, f"{kind} instead of {what}") from exc


def json_or_none(response: Any) -> Any:
    """The decoded JSON of a response, or None when it is not JSON (error bodies)."""
    try:
        return response.json()
    except ValueError:
        return None
