"""Small readers every parser needs: optional strings, JWT claims, fingerprints, safe reprs."""

import base64
import binascii
import json
from dataclasses import fields
from typing import Any, ClassVar, Dict, Optional, Tuple

from ..errors import mask_secret, remember_secret


def opt_str(value: Any) -> Optional[str]:
    """A non-blank string, stripped; None for anything else."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def fingerprint(secret: str) -> str:
    """A short, non-reversible tag of a secret, so that cached data follows its login."""
    import hashlib

    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


def jwt_claims(token: str) -> Optional[Dict[str, Any]]:
    """The (unverified) claims of a JWT, or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1]:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        return None
    return claims if isinstance(claims, dict) else None


class MaskedRepr:
    """A credential dataclass whose secrets never show: masked in its repr, and registered
    with the redactor when it is made (so they are masked in every message, whatever their
    format: ``Token(value='sk-ant-…4f2a')``).

    Use with ``@dataclass(frozen=True, repr=False)`` and name the secret fields in
    ``SECRET_FIELDS``.
    """

    SECRET_FIELDS: ClassVar[Tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        for name in self.SECRET_FIELDS:
            remember_secret(getattr(self, name, None))

    def __repr__(self) -> str:
        shown = []
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if item.name in self.SECRET_FIELDS and isinstance(value, str):
                text = repr(mask_secret(value))
            else:
                text = repr(value)
            shown.append(f"{item.name}={text}")
        return f"{type(self).__name__}({', '.join(shown)})"
