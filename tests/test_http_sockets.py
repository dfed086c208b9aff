"""HTTP over real sockets on 127.0.0.1: total time bounds and redirects that are refused.

Real sockets on 127.0.0.1 (no ``responses`` here): the server sends its headers, then one
byte at a time, each well within the read timeout. Every server stops by itself.
"""

import socket
import threading
import time
from typing import Iterator, Tuple

import pytest
import requests

from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.http import make_session
from vibeusage.kit.http import Http


def _serve(listener: socket.socket, stop: threading.Event, interval: float, size: int) -> None:
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except OSError:
            continue
        with conn:
            try:
                conn.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n"
                conn.sendall(head.encode())
                for _ in range(size):
                    if stop.wait(interval):
                        break
                    conn.sendall(b" ")
            except OSError:
                pass


@pytest.fixture
def trickling() -> Iterator[Tuple[str, threading.Event]]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, stop, 0.1, 200), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/usage", stop
    stop.set()
    thread.join(3)
    listener.close()


def test_a_trickling_body_is_cut_at_the_total_time_bound(trickling):
    url, _ = trickling
    session = make_session(0.8)  # each byte comes within 0.1 s: no read ever times out
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        session.get(url)
    took = time.monotonic() - started
    assert 0.7 < took < 2.0, f"took {took:.2f} s"


def test_the_kit_reports_a_trickle_as_a_network_error_in_bounded_time(trickling):
    url, _ = trickling
    http = Http(make_session(0.8), "Slowpoke", timeout=0.8)
    started = time.monotonic()
    with pytest.raises(VibeusageError) as info:
        http.get_json(url, what="usage data")
    assert info.value.category is ErrorCategory.NETWORK
    assert info.value.message == "Slowpoke did not answer in time"
    assert time.monotonic() - started < 2.0


def test_a_quick_answer_is_read_whole_and_no_watchdog_thread_lingers():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, stop, 0.0, 5), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        response = make_session(5.0).get(url)
        assert response.content == b"     "
        time.sleep(0.05)
        lingering = [
            t for t in threading.enumerate() if type(t).__name__ == "Timer" and t.is_alive()
        ]
        assert lingering == []
    finally:
        stop.set()
        thread.join(3)
        listener.close()


# --- redirects that must not be followed -------------------------------------------------------


def _redirecting(status: int, location: str):
    """A server answering every request with a redirect to ``location``; its requests."""
    seen = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                try:
                    seen.append(conn.recv(65536))
                    conn.sendall(
                        f"HTTP/1.1 {status} Moved\r\nLocation: {location}\r\n"
                        "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
                    )
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, stop, thread, seen


def test_a_307_never_carries_a_posted_secret_to_another_host():
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen(1)
    other.settimeout(0.5)
    port = other.getsockname()[1]
    listener, stop, thread, seen = _redirecting(307, f"http://localhost:{port}/steal")
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/token"
        with pytest.raises(requests.RequestException) as info:
            make_session(5.0).post(url, data={"refresh_token": "1//secret-refresh"})
        assert "another host" in str(info.value)
        with pytest.raises(OSError):
            other.accept()  # nothing ever arrived there
    finally:
        stop.set()
        thread.join(3)
        listener.close()
        other.close()


def test_a_redirect_from_https_to_http_is_refused():
    from vibeusage.http import RedirectRefused

    session = make_session(5.0)
    response = requests.Response()
    response.status_code = 302
    response.url = "https://api.example.com/usage"
    response.headers["Location"] = "http://api.example.com/usage"
    with pytest.raises(RedirectRefused):
        session.get_redirect_target(response)
    response.headers["Location"] = "https://api.example.com/v2/usage"
    assert session.get_redirect_target(response) == "https://api.example.com/v2/usage"
