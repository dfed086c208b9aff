"""Hostile servers on 127.0.0.1 and an in-process resolver that sends provider hosts to them.

A :class:`Server` accepts TCP connections, optionally does TLS with a chosen certificate,
reads one request and hands it to the test's ``route``; the :class:`Action` it returns says
how to misbehave (answer, trickle, stay silent, flood headers). Every wait is on the
server's stop event and no connection lives longer than ``HARD_LIMIT``: a test that forgets
to stop a server still cannot hang the suite.
"""

import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .pki import Leaf

#: No connection is kept open longer than this, whatever the action.
HARD_LIMIT = 30.0


@dataclass
class Request:
    """One request a server read: what vibeusage sent, to be searched for secrets."""

    host: str
    method: str
    path: str
    head: bytes
    body: bytes

    @property
    def raw(self) -> bytes:
        return self.head + self.body


@dataclass
class Action:
    """What a server does with a request.

    ``kind``: ``answer`` (status, headers, body), ``trickle`` (headers, then one byte per
    ``interval``), ``silence`` (say nothing until stopped), ``many_headers`` (header lines
    without end), ``long_header`` (one header line without end).
    """

    kind: str = "answer"
    status: int = 200
    body: bytes = b"{}"
    headers: Sequence[Tuple[str, str]] = ()
    interval: float = 0.5

    @staticmethod
    def json(document: Any, status: int = 200, **headers: str) -> "Action":
        import json

        extra = [(k.replace("_", "-"), v) for k, v in headers.items()]
        return Action(
            status=status,
            body=json.dumps(document).encode(),
            headers=[("Content-Type", "application/json"), *extra],
        )

    @staticmethod
    def redirect(location: str, status: int = 302) -> "Action":
        return Action(status=status, body=b"", headers=[("Location", location)])


Route = Callable[[Request], Action]


@dataclass
class Server:
    """One listening socket on 127.0.0.1; TLS with ``leaf`` unless ``leaf`` is None."""

    route: Route
    leaf: Optional[Leaf] = None
    handshake: bool = True
    requests: List[Request] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self._context: Optional[ssl.SSLContext] = None
        if self.leaf is not None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(str(self.leaf.cert), str(self.leaf.key))
        self._threads: List[threading.Thread] = []
        self._open: List[socket.socket] = []
        self._lock = threading.Lock()
        self._spawn(self._accept_loop)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="hostile-server")
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            with self._lock:
                self.connections += 1
                self._open.append(conn)
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(HARD_LIMIT)
            if not self.handshake:
                self.stop.wait(HARD_LIMIT)
                return
            stream: socket.socket = conn
            if self._context is not None:
                try:
                    stream = self._context.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    return  # the client refused our certificate: that is the point
                with self._lock:
                    self._open.append(stream)
            while not self.stop.is_set():
                request = _read_request(stream, self.stop)
                if request is None:
                    return
                self.requests.append(request)
                if not self._act(stream, self.route(request)):
                    return
        except OSError:
            pass
        finally:
            conn.close()

    def _act(self, stream: socket.socket, action: Action) -> bool:
        """Carry out ``action``; True when the connection may take another request."""
        if action.kind == "silence":
            self.stop.wait(HARD_LIMIT)
            return False
        if action.kind in ("many_headers", "long_header"):
            stream.sendall(b"HTTP/1.1 200 OK\r\n")
            line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
            if action.kind == "long_header":
                stream.sendall(b"X-Endless: ")
                line = b"b" * 4096
            sent = 0
            while not self.stop.is_set() and sent < 64 * 1024 * 1024:
                stream.sendall(line)
                sent += len(line)
            return False
        head = [f"HTTP/1.1 {action.status} Hostile", *(f"{k}: {v}" for k, v in action.headers)]
        head.append(f"Content-Length: {len(action.body)}")
        stream.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if action.kind == "trickle":
            for byte in action.body:
                if self.stop.wait(action.interval):
                    return False
                stream.sendall(bytes([byte]))
            return True
        stream.sendall(action.body)
        return True

    def close(self) -> None:
        self.stop.set()
        with self._lock:
            sockets = list(self._open)
            threads = list(self._threads)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass
        for thread in threads:
            thread.join(5)
        self.listener.close()


def _read_request(stream: socket.socket, stop: threading.Event) -> Optional[Request]:
    """One request's head and body, or None when the client went away."""
    data = b""
    while b"\r\n\r\n" not in data:
        if stop.is_set() or len(data) > 1024 * 1024:
            return None
        chunk = stream.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path = (lines[0].split(" ") + ["", ""])[:2]
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length and not stop.is_set():
        chunk = stream.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(headers.get("host", "").split(":")[0], method, path, head + b"\r\n\r\n", body)


class Resolver:
    """``socket.getaddrinfo`` for the test: provider hosts go to local servers, nothing else
    leaves the machine (an unknown name fails as a real one would), and a host may be made
    to resolve slowly, as a DNS server that never answers."""

    def __init__(self, original: Callable[..., Any]) -> None:
        self.original = original
        self.tls: Dict[str, int] = {}
        self.plain: Dict[str, int] = {}
        self.slow: Dict[str, float] = {}
        self.release = threading.Event()

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in ("127.0.0.1", "localhost", "::1"):
            return self.original(host, port, *args, **kwargs)
        if name in self.slow:
            self.release.wait(self.slow[name])
        table = self.plain if str(port) in ("80", "http") else self.tls
        if name not in table:
            raise socket.gaierror(socket.EAI_NONAME, f"{name} is not mapped in this test")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", table[name]))]
