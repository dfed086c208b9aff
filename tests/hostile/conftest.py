"""Fixtures of the real-socket attacks: a private CA, hostile servers, the secret scan.

``network`` maps provider hostnames to servers on 127.0.0.1 inside this process (TLS SNI
and hostname checks stay those of the real names), points ``REQUESTS_CA_BUNDLE`` at a CA
made for the test, stops every server afterwards, and fails the test if a thread that is
not a daemon is left running. ``attack`` runs a command line through it, timed, and scans
everything it wrote for the fake secrets.
"""

import os
import shutil
import socket
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import pytest

from .fakes import ALL_FAKES, leaks, scan_files
from .net import Resolver, Route, Server
from .pki import OPENSSL, Leaf, authority

#: Every hostname the scenarios use; the trusted leaf names them all.
HOSTS = (
    "api.anthropic.com",
    "claude.ai",
    "status.claude.com",
    "oauth2.googleapis.com",
    "cloudcode-pa.googleapis.com",
    "www.google.com",
    "github.com",
    "api.github.com",
    "elsewhere.example",
)
PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")


@dataclass(frozen=True)
class Certificates:
    ca_bundle: Path
    trusted: Leaf
    stranger: Leaf  # the right names, signed by a CA nobody trusts
    wrong_name: Leaf  # the trusted CA, for a name that is not the provider's


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    if not (os.path.exists(OPENSSL) or shutil.which("openssl")):
        pytest.skip("the openssl program is needed to make a test CA")
    folder = tmp_path_factory.mktemp("pki")
    trusted = authority(folder, "trusted")
    stranger = authority(folder, "stranger")
    return Certificates(
        ca_bundle=trusted.cert,
        trusted=trusted.leaf("trusted", HOSTS),
        stranger=stranger.leaf("stranger", HOSTS),
        wrong_name=trusted.leaf("wrong", ["not-the-provider.example"]),
    )


class Network:
    """The servers of one test and the resolver that leads to them."""

    def __init__(self, certificates: Certificates, resolver: Resolver) -> None:
        self.certificates = certificates
        self.resolver = resolver
        self.servers: List[Server] = []

    def serve(
        self,
        hosts: Sequence[str],
        route: Route,
        *,
        leaf: str = "trusted",
        handshake: bool = True,
        plain: bool = False,
    ) -> Server:
        """A server for ``hosts`` (https, or http when ``plain``) that answers with ``route``."""
        cert = None if plain else getattr(self.certificates, leaf)
        server = Server(route, leaf=cert, handshake=handshake)
        self.servers.append(server)
        table = self.resolver.plain if plain else self.resolver.tls
        for host in hosts:
            table[host] = server.port
        return server

    def slow_dns(self, host: str, seconds: float = 30.0) -> None:
        """Name resolution of ``host`` hangs (until the test ends, at most ``seconds``)."""
        self.resolver.slow[host] = seconds

    def requests_to(self, host: str) -> List[Any]:
        return [r for s in self.servers for r in s.requests if r.host == host]

    def close(self) -> None:
        self.resolver.release.set()
        for server in self.servers:
            server.close()


@pytest.fixture
def network(
    certificates: Certificates, monkeypatch: pytest.MonkeyPatch, home: Any
) -> Iterator[Network]:
    resolver = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates.ca_bundle))
    for name in (*PROXY_VARS, "CURL_CA_BUNDLE", "SSL_CERT_FILE", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    # Every scenario starts with no secret known: what gets masked, this run registered.
    monkeypatch.setattr("vibeusage.errors._KNOWN_SECRETS", set())
    net = Network(certificates, resolver)
    before = {t.ident for t in threading.enumerate()}
    try:
        yield net
    finally:
        net.close()
    stuck = [
        t
        for t in threading.enumerate()
        if t.ident not in before and not t.daemon and t.is_alive() and t.name != "MainThread"
    ]
    assert stuck == [], f"threads that are not daemons still running: {stuck}"


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    took: float
    #: Threads that are not daemons, still running when the command returned.
    stuck: List[str]

    def json(self) -> Any:
        import json

        return json.loads(self.out)


@pytest.fixture
def attack(cli: Callable[..., Any], home: Any, network: Network) -> Callable[..., Outcome]:
    """Run a command line against the hostile network; time it and scan it for secrets.

    ``secrets`` (default: every fake) must appear nowhere in stdout, stderr or any file
    under the cache, config and state directories, except the credential store that
    ``auth``/``key`` write on purpose (private files in the credentials folder).
    """

    def run(*argv: str, secrets: Optional[Dict[str, str]] = None, **kwargs: Any) -> Outcome:
        before = {t.ident for t in threading.enumerate()}
        started = time.monotonic()
        result = cli(*argv, **kwargs)
        took = time.monotonic() - started
        stuck = _lingering(before)
        values = list((secrets or ALL_FAKES).values())
        found = [f"output: {s}" for s in leaks(result.out + result.err, values)]
        folders = [home.cache_dir, home.state_dir, home.config_dir]
        found += [
            hit
            for hit in scan_files(folders, values)
            if not _private_credential(Path(hit.split(": ", 1)[0]), home)
        ]
        assert found == [], f"secrets leaked: {found}"
        return Outcome(result.code, result.out, result.err, took, stuck)

    return run


def _lingering(before: "set[Any]", grace: float = 1.0) -> List[str]:
    """Threads started since ``before`` that are not daemons and still run after ``grace``
    (an executor's worker finishing its last poll is not stuck; one waiting on a socket is)."""
    end = time.monotonic() + grace
    while True:
        alive = [
            t
            for t in threading.enumerate()
            if t.ident not in before and not t.daemon and t.is_alive()
        ]
        if not alive or time.monotonic() > end:
            return [t.name for t in alive]
        alive[0].join(0.05)


def _private_credential(path: Path, home: Any) -> bool:
    """A file of the credential store, or a provider's refreshed-token cache, that only its
    owner can read: the places vibeusage keeps a secret on purpose."""
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        return False
    return (home.config_dir / "credentials") in path.parents or path.name == "token.json"
