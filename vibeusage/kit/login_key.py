"""Login keys: a short local fingerprint of the login (and host) a provider's data came from.

The pipeline ties the snapshot cache, the failure gate and the last-run record to it, so a
second account never sees the first one's numbers. A key is built from what identifies a
login and survives a token refresh (an account id, a JWT's subject or email, a config
folder) and falls back to the token itself; only its hash is ever kept or shown.
"""

from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from .values import fingerprint, jwt_claims

#: JWT claims that name an account rather than one token (checked in this order).
IDENTITY_CLAIMS = ("sub", "user_id", "email", "account_id")
#: The largest file read to make a key (credential files are kilobytes; Claude's state file
#: with its project history can reach megabytes).
MAX_KEY_FILE = 32 * 1024 * 1024


def login_key(
    logins: Iterable[Optional[str]], where: Sequence[Optional[str]] = ()
) -> Optional[str]:
    """The fingerprint of the logins found and where they apply; None when no login is found.

    ``logins`` are the identities (or tokens) of every source the chain may use, in order;
    ``where`` are the host, folder or region they are used with (alone they are no login).
    """
    found = [f"{index}={value}" for index, value in enumerate(logins) if value]
    if not found:
        return None
    context = [f"@{index}={value}" for index, value in enumerate(where) if value]
    return fingerprint("\n".join(found + context))


def token_identity(token: Optional[str], claims: Sequence[str] = IDENTITY_CLAIMS) -> Optional[str]:
    """Who a token belongs to when it is a JWT naming its account, else the token itself."""
    if not token:
        return None
    found = jwt_claims(token.strip())
    if found is not None:
        for claim in claims:
            value = found.get(claim)
            if isinstance(value, (str, int)) and str(value).strip():
                return f"{claim}:{value}"
    return "token:" + fingerprint(token.strip())


def file_digest(path: Path, limit: int = MAX_KEY_FILE) -> Optional[str]:
    """A fingerprint of a file's bytes (any change means another key); None when unreadable."""
    from ..store import read_bounded

    try:
        data = read_bounded(path, limit)
    except OSError:
        return None
    import hashlib

    return "file:" + hashlib.sha256(data).hexdigest()[:16] if data.strip() else None


def json_file(path: Path, limit: int = MAX_KEY_FILE) -> Any:
    """The JSON document in a file, or None when it is absent, unreadable or not JSON."""
    from ..store import read_json

    return read_json(path, limit)


def dig(document: Any, *keys: str) -> Optional[str]:
    """``document[k1][k2]...`` as a non-blank string, or None anywhere along the way."""
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    if isinstance(document, (str, int)) and not isinstance(document, bool):
        text = str(document).strip()
        return text or None
    return None


def stored_secret(paths: Any, provider_id: str, name: str) -> Optional[str]:
    """The secret vibeusage stores for a provider (``vibeusage key``), or None (never raises)."""
    from ..credentials import CredentialStore
    from ..errors import VibeusageError

    try:
        found = CredentialStore(paths).read(provider_id, name)
    except (VibeusageError, OSError):
        return None
    return found.value if found is not None else None


def secret_identity(secret: Optional[str]) -> Optional[str]:
    """A secret that is its own identity (an API key, a session cookie), as a fingerprint."""
    text = secret.strip() if isinstance(secret, str) else ""
    return "secret:" + fingerprint(text) if text else None


def regional_key_login(found: Any, options: Any) -> Optional[str]:
    """The login of an API-key provider sold in regions: the key (hashed), the region it
    came with and the ``region`` configured (``found`` is a ``kit.api_keys.FoundKey``)."""
    if found is None:
        return None
    region = options.get("region")
    return login_key(
        [secret_identity(found.api_key)],
        where=[found.region, str(region) if region is not None else None],
    )
