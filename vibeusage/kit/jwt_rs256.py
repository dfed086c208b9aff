"""Compact JWTs signed with RS256, for OAuth assertions a CLI makes itself (RFC 7515, 7519).

Each part is compact JSON in base64url without padding; the signature covers
``header.claims`` (see ``rsa_pkcs8.sign_pkcs1v15_sha256``).
"""

import base64
from typing import Any, Dict, Mapping, Optional

from .rsa_pkcs8 import RsaPrivateKey, sign_pkcs1v15_sha256


def b64url(data: bytes) -> str:
    """base64url without the ``=`` padding, as JWTs write every part."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def compact_json(value: Any) -> bytes:
    """JSON without spaces, keys in the order given, non-ASCII kept as UTF-8."""
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rs256_header(kid: Optional[str] = None) -> Dict[str, str]:
    """``{"alg": "RS256", "typ": "JWT"}`` plus ``kid`` when the key has an id."""
    header = {"alg": "RS256", "typ": "JWT"}
    if kid:
        header["kid"] = kid
    return header


def encode_rs256(claims: Mapping[str, Any], key: RsaPrivateKey, kid: Optional[str] = None) -> str:
    """The compact JWT ``header.claims.signature`` for ``claims``, signed with ``key``."""
    header = b64url(compact_json(rs256_header(kid)))
    signing_input = f"{header}.{b64url(compact_json(dict(claims)))}"
    signature = sign_pkcs1v15_sha256(key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
