"""The OAuth client (id and secret) the Gemini CLI logs in with, needed to refresh its token.

From ``GEMINI_OAUTH_CLIENT_ID`` / ``GEMINI_OAUTH_CLIENT_SECRET``, else read from the
installed Gemini CLI: the ``gemini`` binary's real path leads to the ``@google/gemini-cli``
package, whose JavaScript defines ``OAUTH_CLIENT_ID = "..."`` and ``OAUTH_CLIENT_SECRET``.
Current releases ship them in one of the ``bundle/chunk-*.js`` files; older ones in
``node_modules/@google/gemini-cli-core/dist/src/code_assist/oauth2.js``. What a scan found
(or that it found nothing) is kept in ``<cache>/gemini/client.json`` with the package's
version, so only an upgrade of the Gemini CLI scans again.
"""

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ...kit.state import make_private_dir
from ...kit.values import MaskedRepr
from ...store import atomic_write_json, read_json
from ..base import FetchContext

PACKAGE_NAME = "@google/gemini-cli"
ENV_CLIENT_ID = "GEMINI_OAUTH_CLIENT_ID"
ENV_CLIENT_SECRET = "GEMINI_OAUTH_CLIENT_SECRET"
#: Older releases: the core package, beside the CLI's own code.
OLD_OAUTH_FILE = Path("node_modules/@google/gemini-cli-core/dist/src/code_assist/oauth2.js")
#: How far above the binary's real path the package root may be.
MAX_LEVELS = 8
#: A JavaScript file larger than this is not one of the CLI's chunks (they are ~16 MB).
MAX_FILE_BYTES = 128 * 1024 * 1024
CACHE_VERSION = 1

_ID = re.compile(rb"""OAUTH_CLIENT_ID\s*=\s*['"]([^'"]+)['"]""")
_SECRET = re.compile(rb"""OAUTH_CLIENT_SECRET\s*=\s*['"]([^'"]+)['"]""")
_PLAUSIBLE = re.compile(r"[A-Za-z0-9._\-]{6,200}")


@dataclass(frozen=True, repr=False)
class OAuthClient(MaskedRepr):
    SECRET_FIELDS = ("client_secret",)
    client_id: str
    client_secret: str
    #: Where it came from, for ``explain`` and debugging: never the values themselves.
    source: str


@dataclass(frozen=True)
class GeminiPackage:
    root: Path
    version: str


def find_oauth_client(ctx: FetchContext) -> Optional[OAuthClient]:
    """The environment's client, else the installed Gemini CLI's (cached), else None."""
    client_id = (ctx.environ.get(ENV_CLIENT_ID) or "").strip()
    client_secret = (ctx.environ.get(ENV_CLIENT_SECRET) or "").strip()
    if client_id and client_secret:
        return OAuthClient(client_id, client_secret, "environment")
    package = find_package(ctx)
    if package is None:
        return None
    cache = ClientCache(ctx.state.cache_file("client.json"))
    hit, cached = cache.load(package)
    if hit:
        return cached
    found = scan_package(package.root)
    try:
        cache.save(package, found)
    except OSError:
        pass  # a read-only cache costs a rescan next time, nothing more
    return found


# --- finding the package ------------------------------------------------------------------


def find_package(ctx: FetchContext) -> Optional[GeminiPackage]:
    """The ``@google/gemini-cli`` package behind the ``gemini`` on ctx's PATH."""
    binary = shutil.which("gemini", path=ctx.environ.get("PATH", os.defpath))
    if binary is None:
        return None
    real = Path(os.path.realpath(binary))
    root = _root_above(real.parent)
    if root is None:
        # A wrapper script (Windows .cmd shim, a shell launcher): look beside it instead.
        for bin_dir in _unique((Path(binary).parent, real.parent)):
            for candidate in _beside_bin(bin_dir):
                if _package_name(candidate) == PACKAGE_NAME:
                    root = candidate
                    break
            if root is not None:
                break
    if root is None:
        return None
    root = Path(os.path.realpath(root))
    return GeminiPackage(root, _package_version(root))


def _root_above(start: Path) -> Optional[Path]:
    """Walk up from the binary's directory to the package.json that names the CLI.

    A package.json without a name (``{"type": "module"}`` markers) is passed over; one
    naming another package means the binary is not the Gemini CLI's.
    """
    current = start
    for _ in range(MAX_LEVELS):
        name = _package_name(current)
        if name == PACKAGE_NAME:
            return current
        if name is not None:
            return None
        if current.parent == current:
            return None
        current = current.parent
    return None


def _beside_bin(bin_dir: Path) -> Tuple[Path, ...]:
    return (
        bin_dir.parent / "lib" / "node_modules" / PACKAGE_NAME,  # npm global prefix (Unix)
        bin_dir / "node_modules" / PACKAGE_NAME,  # npm global prefix (Windows)
        bin_dir.parent / "libexec" / "lib" / "node_modules" / PACKAGE_NAME,  # Homebrew
    )


def _package_name(directory: Path) -> Optional[str]:
    data = _package_json(directory)
    name = data.get("name") if data is not None else None
    return name if isinstance(name, str) and name else None


def _package_version(root: Path) -> str:
    data = _package_json(root)
    version = data.get("version") if data is not None else None
    return version if isinstance(version, str) else ""


def _package_json(directory: Path) -> Optional[Dict[str, Any]]:
    path = directory / "package.json"
    try:
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _unique(paths: Tuple[Path, ...]) -> List[Path]:
    seen: List[Path] = []
    for path in paths:
        if path not in seen:
            seen.append(path)
    return seen


# --- scanning it ----------------------------------------------------------------------------


def scan_package(root: Path) -> Optional[OAuthClient]:
    """The first file under ``root`` that defines both constants, or None."""
    for path in candidate_files(root):
        found = _scan_file(path)
        if found is not None:
            client_id, client_secret = found
            return OAuthClient(client_id, client_secret, str(path.relative_to(root)))
    return None


def candidate_files(root: Path) -> Iterator[Path]:
    """Where the constants may be, likeliest first; only regular files inside ``root``.

    The old ``oauth2.js`` (small) first; then the bundle's chunks, largest first (the
    constants sit in the big core chunks); then ``bundle/gemini.js`` (single-file bundles).
    """
    real_root = os.path.realpath(root)
    old = root / OLD_OAUTH_FILE
    chunks: List[Tuple[int, str, Path]] = []
    bundle = root / "bundle"
    try:
        for path in bundle.glob("chunk-*.js"):
            try:
                chunks.append((-path.stat().st_size, path.name, path))
            except OSError:
                continue
    except OSError:
        pass
    ordered = [old] + [path for _, _, path in sorted(chunks)] + [bundle / "gemini.js"]
    for path in ordered:
        if _inside(path, real_root):
            yield path


def _inside(path: Path, real_root: str) -> bool:
    try:
        if not path.is_file():
            return False
        real = os.path.realpath(path)
        return real.startswith(real_root + os.sep) and os.path.getsize(real) <= MAX_FILE_BYTES
    except OSError:
        return False


def _scan_file(path: Path) -> Optional[Tuple[str, str]]:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"OAUTH_CLIENT_ID" not in data:
        return None
    id_match = _ID.search(data)
    secret_match = _SECRET.search(data)
    if id_match is None or secret_match is None:
        return None
    client_id = id_match.group(1).decode("ascii", "replace")
    client_secret = secret_match.group(1).decode("ascii", "replace")
    if not (_PLAUSIBLE.fullmatch(client_id) and _PLAUSIBLE.fullmatch(client_secret)):
        return None
    return client_id, client_secret


# --- the cache ------------------------------------------------------------------------------


class ClientCache:
    """``<cache>/gemini/client.json`` (0600): the scan's result for one package version."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, package: GeminiPackage) -> Tuple[bool, Optional[OAuthClient]]:
        """(True, result) when this package version was scanned before, else (False, None)."""
        data = read_json(self.path)
        if not isinstance(data, dict) or data.get("cache_version") != CACHE_VERSION:
            return False, None
        if data.get("package_root") != str(package.root):
            return False, None
        if data.get("package_version") != package.version:
            return False, None
        client_id, secret, source = (
            data.get("client_id"),
            data.get("client_secret"),
            data.get("source"),
        )
        if client_id is None and secret is None:
            return True, None  # scanned, nothing there: do not rescan the same version
        if not all(isinstance(v, str) and v for v in (client_id, secret, source)):
            return False, None
        return True, OAuthClient(str(client_id), str(secret), str(source))

    def save(self, package: GeminiPackage, client: Optional[OAuthClient]) -> None:
        make_private_dir(self.path.parent)
        atomic_write_json(
            self.path,
            {
                "cache_version": CACHE_VERSION,
                "package_root": str(package.root),
                "package_version": package.version,
                "client_id": client.client_id if client else None,
                "client_secret": client.client_secret if client else None,
                "source": client.source if client else None,
            },
            mode=0o600,
        )
