"""The Droid CLI's own login store under ``~/.factory``, read only, decrypted in memory.

Droid keeps its WorkOS login AES-256-GCM encrypted, as ``base64(iv):base64(tag):
base64(ciphertext)`` (16-byte IV, 16-byte tag), in one of three files, tried in droid's own
order: ``auth.v2.keyring`` (key in the OS keyring: Secret Service via ``secret-tool``, or
the macOS Keychain), ``auth.v2.loginkeychain`` (macOS login Keychain via ``security``) and
``auth.v2.file`` (key in ``auth.v2.key``, base64 of 32 bytes). The base folder is
``$FACTORY_HOME_OVERRIDE``, else the home. Nothing there is ever written, locked, chmod-ed
or deleted; the refresh token is never used. AES-GCM needs the optional ``cryptography``
package (the ``cookies`` extra).
"""

import base64
import binascii
import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.files import expand_home, read_tool_bytes
from ...kit.values import MaskedRepr, jwt_claims, opt_str
from ...timeparse import from_epoch
from ..base import FetchContext
from .usage import Whoami, parse_whoami

HOME_VARIABLE = "FACTORY_HOME_OVERRIDE"
#: (file, droid's name for the mode), in the order droid reads them.
STORE_FILES = (
    ("auth.v2.keyring", "keyring-v2"),
    ("auth.v2.loginkeychain", "login-keychain-v2"),
    ("auth.v2.file", "keyfile-v2"),
)
KEY_FILE = "auth.v2.key"
KEYRING_SERVICE = "Factory CLI"
KEYRING_ACCOUNT = "auth-encryption-key"
LOGIN_KEYCHAIN_ACCOUNT = "auth-encryption-key-security-cli"
KEY_BYTES = 32
IV_BYTES = 16
TAG_BYTES = 16
#: How long a keyring lookup may take (an unlock prompt is not waited for).
KEYRING_TIMEOUT = 5.0
EXTRA = "pip install 'vibeusage[cookies]'"
API_KEY_HINT = "Or set FACTORY_API_KEY (a key from https://app.factory.ai/settings/api-keys)."
LOGIN_HINT = "Run `droid` to log in again. " + API_KEY_HINT

AesGcm = Callable[[bytes, bytes, bytes], bytes]


@dataclass(frozen=True, repr=False)
class DroidLogin(MaskedRepr):
    """The parts of droid's login vibeusage uses (never the refresh token)."""

    access_token: str
    org_id: Optional[str]
    whoami: Optional[Whoami]
    user_id: Optional[str]
    expires_at: Optional[datetime]
    path: Path

    SECRET_FIELDS = ("access_token",)


def factory_dir(ctx: FetchContext) -> Path:
    value = ctx.environ.get(HOME_VARIABLE, "").strip()
    return (expand_home(value, ctx.home) if value else ctx.home) / ".factory"


def existing_stores(ctx: FetchContext) -> List[Tuple[Path, str]]:
    """The store files present, in droid's order, with their modes."""
    folder = factory_dir(ctx)
    return [(folder / name, mode) for name, mode in STORE_FILES if (folder / name).is_file()]


def load_aesgcm() -> Optional[AesGcm]:
    """AES-GCM decryption ``(key, iv, ciphertext+tag)`` from ``cryptography``, or None."""
    import importlib

    try:
        aead = importlib.import_module("cryptography.hazmat.primitives.ciphers.aead")
    except Exception:  # not installed, or a broken install: either way no AES-GCM
        return None

    def decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
        return bytes(aead.AESGCM(key).decrypt(iv, data, None))

    return decrypt


def missing_cryptography() -> VibeusageError:
    return VibeusageError(
        "Reading the Droid login needs the optional `cryptography` package",
        ErrorCategory.AUTHENTICATION,
        remediation=f"Install it with `{EXTRA}`, or set FACTORY_API_KEY.",
    )


def unreadable(path: Path, why: str) -> VibeusageError:
    """The store could not be opened; its content is never shown."""
    return VibeusageError(
        f"The Droid login in {path} could not be read ({why})",
        ErrorCategory.AUTHENTICATION,
        remediation=LOGIN_HINT,
    )


def decrypt_store(text: str, key: bytes, aes: AesGcm, path: Path) -> bytes:
    """The plaintext of droid's ``iv:tag:ciphertext`` text."""
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise unreadable(path, "not droid's encrypted format")
    try:
        iv, tag, data = (base64.b64decode(part, validate=True) for part in parts)
    except (binascii.Error, ValueError) as exc:
        raise unreadable(path, "not droid's encrypted format") from exc
    if len(iv) != IV_BYTES or len(tag) != TAG_BYTES:
        raise unreadable(path, "not droid's encrypted format")
    try:
        return aes(key, iv, data + tag)
    except Exception as exc:  # InvalidTag: another key, or a damaged file
        raise unreadable(path, "it does not decrypt with its key") from exc


def decode_key(text: str, where: str, path: Path) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise unreadable(path, f"the key in {where} is not base64") from exc
    if len(key) != KEY_BYTES:
        raise unreadable(path, f"the key in {where} is not {KEY_BYTES} bytes long")
    return key


def keyfile_key(path: Path) -> bytes:
    key_path = path.with_name(KEY_FILE)
    if not key_path.is_file():
        raise unreadable(path, f"{KEY_FILE} is missing next to it")
    raw = read_tool_bytes(key_path, "Droid's login key", LOGIN_HINT)
    return decode_key(raw.decode("ascii", "replace"), KEY_FILE, path)


def keyring_lookup(ctx: FetchContext, path: Path, mode: str) -> bytes:
    """The AES key droid put in the OS keyring or Keychain, through the platform's tool."""
    from ...kit.run import run_captured

    account = LOGIN_KEYCHAIN_ACCOUNT if mode == "login-keychain-v2" else KEYRING_ACCOUNT
    if ctx.platform == "darwin":
        tool = "security"
        args = ["find-generic-password", "-s", KEYRING_SERVICE, "-a", account, "-w"]
        missing = "the `security` tool is not on PATH"
        store = "the macOS Keychain"
    elif ctx.platform.startswith("linux") and mode == "keyring-v2":
        tool = "secret-tool"
        args = ["lookup", "service", KEYRING_SERVICE, "account", account]
        missing = "`secret-tool` is not installed (Debian/Ubuntu: libsecret-tools)"
        store = "the desktop keyring (Secret Service)"
    else:
        raise VibeusageError(
            f"Droid's login key for {path.name} is kept where vibeusage cannot read it on "
            f"{ctx.platform}",
            ErrorCategory.AUTHENTICATION,
            remediation=API_KEY_HINT,
        )
    program = shutil.which(tool, path=ctx.environ.get("PATH"))
    if program is None:
        raise VibeusageError(
            f"Droid keeps its login key in {store}, and {missing}",
            ErrorCategory.AUTHENTICATION,
            remediation=API_KEY_HINT,
        )
    timeout = min(KEYRING_TIMEOUT, max(0.5, ctx.timeout - 1.0))
    try:
        done = run_captured([program, *args], env=ctx.environ, timeout=timeout)
    except OSError as exc:
        raise VibeusageError(
            f"Cannot run {tool} to read Droid's login key: {exc.strerror or exc}",
            ErrorCategory.AUTHENTICATION,
            remediation=API_KEY_HINT,
        ) from exc
    if done.timed_out:
        raise VibeusageError(
            f"{store[0].upper()}{store[1:]} did not answer within {timeout:g} s (it may be "
            "locked and waiting for an unlock prompt)",
            ErrorCategory.AUTHENTICATION,
            remediation="Unlock the keyring, then retry. " + API_KEY_HINT,
        )
    value = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not value:
        raise VibeusageError(
            f"{store[0].upper()}{store[1:]} gave no Droid login key (none stored, no keyring "
            "service running, or the keyring is locked)",
            ErrorCategory.AUTHENTICATION,
            remediation="Unlock the keyring (or log in to the desktop session). " + API_KEY_HINT,
        )
    return decode_key(value, store, path)


def parse_droid_auth(data: Any, path: Path) -> DroidLogin:
    """The decrypted store's JSON: the access token, organisation, region and expiry."""
    token = opt_str(data.get("access_token")) if isinstance(data, dict) else None
    if token is None:
        raise unreadable(path, "no access token in it")
    assert isinstance(data, dict)
    stored = parse_whoami(data.get("whoami"))
    if stored is None and opt_str(data.get("region")):
        stored = Whoami(region=str(data["region"]).strip().lower())
    if stored is not None and stored.region is None and not stored.on_prem:
        stored = None  # nothing learnt: whoami is asked
    claims = jwt_claims(token) or {}
    expiry = claims.get("exp")
    expires_at = from_epoch(expiry) if isinstance(expiry, (int, float)) else None
    return DroidLogin(
        access_token=token,
        org_id=opt_str(data.get("active_organization_id")) or opt_str(claims.get("org_id")),
        whoami=stored,
        user_id=opt_str(claims.get("sub")),
        expires_at=expires_at,
        path=path,
    )


def open_store(ctx: FetchContext, path: Path, mode: str, aes: AesGcm) -> DroidLogin:
    key = keyfile_key(path) if mode == "keyfile-v2" else keyring_lookup(ctx, path, mode)
    raw = read_tool_bytes(path, "Droid login", LOGIN_HINT)
    plain = decrypt_store(raw.decode("ascii", "replace"), key, aes, path)
    try:
        data = json.loads(plain.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise unreadable(path, "its content is not JSON") from exc
    return parse_droid_auth(data, path)


def read_droid_login(
    ctx: FetchContext, aes_loader: Callable[[], Optional[AesGcm]] = load_aesgcm
) -> DroidLogin:
    """The first store that opens, in droid's order; else the first store's error."""
    stores = existing_stores(ctx)
    if not stores:
        raise VibeusageError(
            f"No Droid login in {factory_dir(ctx)}",
            ErrorCategory.AUTHENTICATION,
            remediation="Run `droid` and log in. " + API_KEY_HINT,
        )
    aes = aes_loader()
    if aes is None:
        raise missing_cryptography()
    first: Optional[VibeusageError] = None
    for path, mode in stores:
        try:
            return open_store(ctx, path, mode, aes)
        except VibeusageError as exc:
            first = first or exc
    assert first is not None
    raise first
