"""The one place HTTP sessions are made: default timeouts, User-Agent, safe retries, tracing.

Imported only when a fetch actually happens, so ``--version``/``--help``/``--offline``
never pay for ``requests``.
"""

import logging
import threading
import time
from typing import Any, Optional, Tuple

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import __version__
from .errors import redact

log = logging.getLogger(__name__)

USER_AGENT = f"vibeusage/{__version__}"
CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
#: No usage answer is anywhere near this; a bigger body is a misbehaving server or proxy.
MAX_BODY_BYTES = 5 * 1024 * 1024


class ResponseTooLarge(requests.RequestException):
    """The body exceeded MAX_BODY_BYTES; reading stopped there."""


class RedirectRefused(requests.RequestException):
    """A redirect that would downgrade to http, or take a body or credentials to another host."""


class TimeoutSession(requests.Session):
    """A Session that never sends a request without a ``(connect, read)`` timeout, and never
    lets one exchange take longer than ``total`` seconds once the answer has begun (or the
    request's own read timeout, when that is shorter).

    A per-read timeout is not a time limit: a server that trickles a byte every few seconds
    never trips it. The body is therefore read under a watchdog that closes the connection
    when the exchange's total time is up. (Until the first bytes of the answer arrive, the
    per-read timeout bounds each wait; name resolution has no bound at all, which is why
    the pipeline runs every exchange in a thread it can abandon.)
    """

    def __init__(self, timeout: Tuple[float, float], total: Optional[float] = None) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.total = total if total is not None else timeout[1]
        self.max_redirects = MAX_REDIRECTS

    def get_redirect_target(self, resp: requests.Response) -> Optional[str]:
        """Follow only redirects that keep the exchange as safe as it was.

        Never from https to http (the answer would be read, and cached, in the clear), and
        never to another host for a request with a body (a 307 would re-send a refresh token
        or a client secret to whoever the ``Location`` names) or with credential headers.
        """
        target = super().get_redirect_target(resp)
        if target is None:
            return None
        from urllib.parse import urljoin, urlsplit

        here, there = urlsplit(resp.url), urlsplit(urljoin(resp.url, target))
        if here.scheme == "https" and there.scheme != "https":
            raise RedirectRefused(f"refused a redirect from https to {there.scheme}")
        request = resp.request
        if request is not None and there.hostname != here.hostname:
            if request.body not in (None, b"", ""):
                raise RedirectRefused("refused to send a request body on to another host")
            if any(_carries_credentials(name) for name in request.headers):
                # requests would drop Authorization and Cookie, and the other host's answer
                # would then pass for the provider's (a key "validated" by a stranger).
                raise RedirectRefused("refused to follow a signed-in request to another host")
        return target

    def request(  # type: ignore[override]
        self, method: str, url: Any, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        total = min(self.total, _read_timeout(kwargs["timeout"], self.total))
        caller_streams = bool(kwargs.get("stream"))
        kwargs["stream"] = True  # read the body ourselves, to cap its size
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
            if not caller_streams:
                read_capped(response, MAX_BODY_BYTES, started + total)
        except requests.RequestException as exc:
            log.debug("%s %s -> %s", method, redact(str(url)), type(exc).__name__)
            raise
        log.debug(
            "%s %s -> %s (%.0f ms)",
            method,
            redact(str(url)),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response


def _carries_credentials(header: str) -> bool:
    """Whether a request header's name says it holds a credential."""
    name = header.lower()
    return name in ("authorization", "cookie", "proxy-authorization") or any(
        word in name for word in ("token", "key", "secret", "session", "auth")
    )


def _read_timeout(timeout: Any, default: float) -> float:
    """The read part of a requests ``timeout`` (a number or a ``(connect, read)`` pair)."""
    read = timeout[1] if isinstance(timeout, tuple) else timeout
    return default if read is None else float(read)


def read_capped(response: requests.Response, limit: int, deadline: Optional[float] = None) -> None:
    """Load the body into ``response`` (as requests would), refusing more than ``limit`` bytes.

    With ``deadline`` (a ``time.monotonic()`` value), the connection is shut when it passes,
    and the read fails with a timeout however slowly the bytes were coming.
    """
    watchdog = _Watchdog(response, deadline) if deadline is not None else None
    chunks = []
    size = 0
    try:
        for chunk in response.iter_content(16 * 1024):
            if watchdog is not None and watchdog.fired:
                break
            size += len(chunk)
            if size > limit:
                response.close()
                raise ResponseTooLarge(f"response body larger than {limit // (1024 * 1024)} MB")
            chunks.append(chunk)
    except requests.RequestException:
        if watchdog is not None and watchdog.fired:
            raise _total_timeout(watchdog) from None
        raise
    finally:
        if watchdog is not None:
            watchdog.cancel()
    if watchdog is not None and watchdog.fired:
        raise _total_timeout(watchdog)
    response._content = b"".join(chunks)
    response._content_consumed = True  # type: ignore[attr-defined]


class _Watchdog:
    """Shuts a response's socket when the exchange's total time is up."""

    def __init__(self, response: requests.Response, deadline: float) -> None:
        self.response = response
        self.limit = deadline
        self.fired = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = _socket_of(self.response)
        if sock is not None:
            import socket

            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            self.response.close()
        except Exception:  # closing from another thread may race the reader; it is done
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def _socket_of(response: requests.Response) -> Any:
    """The socket under a streamed response (urllib3 1.x and 2.x keep it differently)."""
    raw = response.raw
    connection = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:
        fp = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock


def _total_timeout(watchdog: _Watchdog) -> requests.Timeout:
    return requests.exceptions.ReadTimeout("the answer took longer than its total time limit")


def make_session(read_timeout: float) -> TimeoutSession:
    """A new Session with vibeusage's defaults.

    ``trust_env`` stays on so HTTPS_PROXY, NO_PROXY and REQUESTS_CA_BUNDLE apply.
    Retries: only idempotent GETs, only on connect errors and 502/503/504, with a
    short backoff; ``Retry-After`` is not slept on here (the failure gate handles it).
    """
    session = TimeoutSession((min(CONNECT_TIMEOUT, read_timeout), read_timeout), total=read_timeout)
    session.headers["User-Agent"] = USER_AGENT
    retry = Retry(
        total=2,
        connect=2,
        read=0,
        status=1,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=0.25,
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class SessionPool:
    """One Session per worker thread, all from :func:`make_session`."""

    def __init__(self, read_timeout: float) -> None:
        self.read_timeout = read_timeout
        self._local = threading.local()

    def get(self) -> requests.Session:
        session: Optional[requests.Session] = getattr(self._local, "session", None)
        if session is None:
            session = make_session(self.read_timeout)
            self._local.session = session
        return session

    def discard(self) -> None:
        """Forget this thread's Session (after a timed-out call that may still be using it)."""
        self._local.session = None
