"""RSA private keys from PKCS#8 PEM and RSASSA-PKCS1-v1_5 SHA-256 signatures, stdlib only.

Service-account keys (Google's among them) are PKCS#8 RSA keys ("BEGIN PRIVATE KEY"). A
small DER reader (SEQUENCE, INTEGER, OCTET STRING, OID, NULL, long-form lengths) finds the
key's numbers and ``pow`` signs with the Chinese remainder theorem (RFC 8017 §5.2.1, §8.2).
The arithmetic is not constant-time: acceptable for a local CLI signing its own assertion.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import List, Tuple

PEM_BEGIN = "-----BEGIN PRIVATE KEY-----"
PEM_END = "-----END PRIVATE KEY-----"
#: Content octets of the OID 1.2.840.113549.1.1.1 (rsaEncryption).
RSA_ENCRYPTION_OID = bytes.fromhex("2a864886f70d010101")
#: DER of SHA-256's DigestInfo up to the digest itself (RFC 8017 §9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
#: Smallest modulus that holds the padded digest with the 8 bytes of 0xFF RFC 8017 requires.
MIN_MODULUS_BYTES = len(SHA256_DIGEST_INFO) + 32 + 11

_SEQUENCE = 0x30
_INTEGER = 0x02
_OCTET_STRING = 0x04
_NULL = 0x05
_OID = 0x06


class KeyFormatError(ValueError):
    """A private key that cannot be used; the message says why and never shows the key."""


@dataclass(frozen=True, repr=False)
class RsaPrivateKey:
    """The numbers of an RSA private key (RFC 8017 §A.1.2, two primes)."""

    n: int
    e: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qinv: int

    @property
    def size_bytes(self) -> int:
        return (self.n.bit_length() + 7) // 8

    def __repr__(self) -> str:
        return f"RsaPrivateKey({self.n.bit_length()} bits)"


def load_pkcs8_pem(text: str) -> RsaPrivateKey:
    """The RSA key of a PKCS#8 PEM document; any other kind of key is a KeyFormatError."""
    if not isinstance(text, str):
        raise KeyFormatError("the private key is not text")
    start = text.find(PEM_BEGIN)
    end = text.find(PEM_END, start + len(PEM_BEGIN))
    if start < 0 or end < 0:
        if "BEGIN RSA PRIVATE KEY" in text:
            raise KeyFormatError("a PKCS#1 key (BEGIN RSA PRIVATE KEY); a PKCS#8 key is needed")
        if "BEGIN ENCRYPTED PRIVATE KEY" in text:
            raise KeyFormatError("the private key is encrypted")
        raise KeyFormatError("no PKCS#8 block (BEGIN PRIVATE KEY) in the private key")
    body = "".join(text[start + len(PEM_BEGIN) : end].split())
    try:
        der = base64.b64decode(body.encode("ascii"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError("the private key's PEM body is not base64") from exc
    return parse_pkcs8_der(der)


def parse_pkcs8_der(der: bytes) -> RsaPrivateKey:
    """``PrivateKeyInfo ::= SEQUENCE {version, AlgorithmIdentifier, OCTET STRING}`` (RFC 5208)."""
    info = _children(_only(der, _SEQUENCE))
    if len(info) < 3 or info[0][0] != _INTEGER or info[1][0] != _SEQUENCE:
        raise KeyFormatError("not a PKCS#8 PrivateKeyInfo")
    if _integer(info[0]) != 0:
        raise KeyFormatError("unknown PKCS#8 version")
    algorithm = _children(info[1][1])
    if not algorithm or algorithm[0] != (_OID, RSA_ENCRYPTION_OID):
        raise KeyFormatError("not an RSA key")
    if len(algorithm) > 1 and algorithm[1] != (_NULL, b""):
        raise KeyFormatError("unexpected RSA algorithm parameters")
    if info[2][0] != _OCTET_STRING:
        raise KeyFormatError("no private key in the PKCS#8 structure")
    return parse_rsa_private_key(info[2][1])


def parse_rsa_private_key(der: bytes) -> RsaPrivateKey:
    """``RSAPrivateKey ::= SEQUENCE {version, n, e, d, p, q, dp, dq, qinv}`` (RFC 8017 §A.1.2)."""
    fields = _children(_only(der, _SEQUENCE))
    if len(fields) != 9:
        raise KeyFormatError("not a two-prime RSA private key")
    version, n, e, d, p, q, dp, dq, qinv = (_integer(item) for item in fields)
    if version != 0:
        raise KeyFormatError("unsupported RSA key version")
    if min(e, d, p, q, dp, dq, qinv) < 1 or e < 3 or p * q != n:
        raise KeyFormatError("the RSA key's numbers do not fit together")
    key = RsaPrivateKey(n, e, d, p, q, dp, dq, qinv)
    if key.size_bytes < MIN_MODULUS_BYTES:
        raise KeyFormatError("the RSA key is too small")
    return key


def sign_pkcs1v15_sha256(key: RsaPrivateKey, message: bytes) -> bytes:
    """RSASSA-PKCS1-v1_5 signature of ``message`` with SHA-256 (what JWT calls RS256)."""
    size = key.size_bytes
    m = int.from_bytes(pkcs1v15_sha256_encoding(message, size), "big")
    s1 = pow(m, key.dp, key.p)
    s2 = pow(m, key.dq, key.q)
    s = s2 + ((key.qinv * (s1 - s2)) % key.p) * key.q
    # A wrong CRT result would reveal a factor of n: never hand one out (the check is cheap).
    if pow(s, key.e, key.n) != m:
        raise KeyFormatError("the RSA key's numbers do not fit together")
    return s.to_bytes(size, "big")


def pkcs1v15_sha256_encoding(message: bytes, size: int) -> bytes:
    """``EM = 00 01 FF..FF 00 || DigestInfo || SHA-256(message)``, ``size`` bytes long."""
    digest_info = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    if size < len(digest_info) + 11:
        raise KeyFormatError("the RSA key is too small")
    return b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info


# --- DER --------------------------------------------------------------------------------------


def _element(data: bytes, offset: int) -> Tuple[int, bytes, int]:
    """(tag, content, offset after it) of the DER element starting at ``offset``."""
    if offset + 2 > len(data):
        raise KeyFormatError("truncated DER data")
    tag = data[offset]
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or offset + count > len(data):
            raise KeyFormatError("unsupported DER length")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    end = offset + length
    if end > len(data):
        raise KeyFormatError("truncated DER data")
    return tag, data[offset:end], end


def _children(content: bytes) -> List[Tuple[int, bytes]]:
    """The (tag, content) pairs of a constructed element's content."""
    items = []
    offset = 0
    while offset < len(content):
        tag, value, offset = _element(content, offset)
        items.append((tag, value))
    return items


def _only(data: bytes, tag: int) -> bytes:
    """The content of ``data`` when it is exactly one element with ``tag``."""
    found, content, end = _element(data, 0)
    if found != tag or end != len(data):
        raise KeyFormatError("unexpected DER structure")
    return content


def _integer(item: Tuple[int, bytes]) -> int:
    """A non-negative DER INTEGER (two's complement, big-endian)."""
    tag, content = item
    if tag != _INTEGER or not content:
        raise KeyFormatError("expected a DER INTEGER")
    if content[0] & 0x80:
        raise KeyFormatError("negative number in the key")
    return int.from_bytes(content, "big")
