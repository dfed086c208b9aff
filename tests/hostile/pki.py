"""Throw-away certificate authorities for the hostile TLS servers, made with ``openssl``.

Two CAs: the trusted one (``REQUESTS_CA_BUNDLE`` points at it) and a stranger. Leaf
certificates name the providers' real hostnames, so SNI and hostname checks stay real.
"""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


@dataclass(frozen=True)
class Leaf:
    """A server certificate and its key (PEM files)."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class Authority:
    """A CA certificate and key, able to sign leaves."""

    folder: Path
    cert: Path
    key: Path

    def leaf(self, name: str, hostnames: Sequence[str]) -> Leaf:
        """A server certificate for ``hostnames`` signed by this CA."""
        key, csr, cert = (self.folder / f"{name}.{ext}" for ext in ("key", "csr", "pem"))
        ext = self.folder / f"{name}.ext"
        ext.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=serverAuth\n"
            "authorityKeyIdentifier=keyid\n"
            "subjectKeyIdentifier=hash\n"
            "subjectAltName=" + ",".join(f"DNS:{h}" for h in hostnames) + "\n"
        )
        _openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={hostnames[0]}",
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
            "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext,
        )  # fmt: skip
        return Leaf(cert, key)


def authority(folder: Path, name: str) -> Authority:
    """A new self-signed CA in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    key, cert = folder / f"{name}-ca.key", folder / f"{name}-ca.pem"
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name} test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    return Authority(folder, cert, key)


def _openssl(*argv: object) -> None:
    subprocess.run(
        [OPENSSL, *map(str, argv)],
        check=True,
        capture_output=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
