"""The stdlib RS256 signer (``kit.rsa_pkcs8``, ``kit.jwt_rs256``) against keys made by openssl:
the shared vector reproduced byte for byte, a second 3072-bit vector, refusals of other key
kinds, and every signature checked three ways (a pure-Python verify written here, the
``cryptography`` package when importable, ``openssl dgst -verify`` when installed).
"""

import base64
import hashlib
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

from tests.conftest import load_fixture
from vibeusage.kit.google_auth import service_account_assertion
from vibeusage.kit.jwt_rs256 import b64url, encode_rs256
from vibeusage.kit.rsa_pkcs8 import (
    KeyFormatError,
    load_pkcs8_pem,
    parse_pkcs8_der,
    sign_pkcs1v15_sha256,
)

VECTOR = load_fixture("vertexai/jwt-signing-vector.json")
KEYS = load_fixture("vertexai/test-keys.json")
SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_numbers(pem: str) -> Tuple[int, int]:
    """(n, e) of a SubjectPublicKeyInfo PEM, read here independently of the kit's parser."""
    der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))

    def element(data: bytes, at: int) -> Tuple[int, bytes, int]:
        tag, length, at = data[at], data[at + 1], at + 2
        if length & 0x80:
            count = length & 0x7F
            length, at = int.from_bytes(data[at : at + count], "big"), at + count
        return tag, data[at : at + length], at + length

    _, spki, _ = element(der, 0)
    _, _, after_algorithm = element(spki, 0)
    tag, bit_string, _ = element(spki, after_algorithm)
    assert tag == 0x03 and bit_string[0] == 0
    _, rsa_key, _ = element(bit_string[1:], 0)
    _, n, after_n = element(rsa_key, 0)
    _, e, _ = element(rsa_key, after_n)
    return int.from_bytes(n, "big"), int.from_bytes(e, "big")


def pure_verify(public_pem: str, message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 / SHA-256 verification: ``s^e mod n`` against the padded digest."""
    n, e = public_numbers(public_pem)
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    recovered = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    t = SHA256_PREFIX + hashlib.sha256(message).digest()
    return recovered == b"\x00\x01" + b"\xff" * (size - len(t) - 3) + b"\x00" + t


def cryptography_verify(public_pem: str, message: bytes, signature: bytes) -> None:
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key: Any = serialization.load_pem_public_key(public_pem.encode())
    key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())  # raises if bad


def openssl_verify(tmp_path: Path, public_pem: str, message: bytes, signature: bytes) -> bool:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    (tmp_path / "key.pub").write_text(public_pem)
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(signature)
    done = subprocess.run(
        [openssl, "dgst", "-sha256", "-verify", "key.pub", "-signature", "sig", "msg"],
        cwd=tmp_path,
        capture_output=True,
        timeout=30,
    )
    return done.returncode == 0 and b"Verified OK" in done.stdout


# --- the shared vector --------------------------------------------------------------------------


def test_vector_signature_is_reproduced_byte_for_byte() -> None:
    key = load_pkcs8_pem(VECTOR["private_key_pem"])
    signature = sign_pkcs1v15_sha256(key, VECTOR["signing_input"].encode())
    assert b64url(signature) == VECTOR["signature_b64url"]


def test_vector_jwt_is_reproduced_from_its_header_and_claims() -> None:
    key = load_pkcs8_pem(VECTOR["private_key_pem"])
    assert encode_rs256(VECTOR["claims"], key, VECTOR["header"]["kid"]) == VECTOR["jwt"]


def test_service_account_assertion_at_the_vectors_time_is_the_vector() -> None:
    key = load_pkcs8_pem(VECTOR["private_key_pem"])
    claims = VECTOR["claims"]
    assertion = service_account_assertion(
        client_email=claims["iss"],
        key=key,
        kid=VECTOR["header"]["kid"],
        token_uri=claims["aud"],
        scope=claims["scope"],
        now=datetime.fromtimestamp(claims["iat"], timezone.utc),
    )
    assert assertion == VECTOR["jwt"]


def test_parsed_key_matches_the_vectors_public_key() -> None:
    key = load_pkcs8_pem(VECTOR["private_key_pem"])
    assert (key.n, key.e) == public_numbers(VECTOR["public_key_pem"])
    assert key.size_bytes == 256
    assert repr(key) == "RsaPrivateKey(2048 bits)"


def test_vector_signature_verifies_with_the_pure_python_check() -> None:
    message = VECTOR["signing_input"].encode()
    signature = unb64url(VECTOR["signature_b64url"])
    assert pure_verify(VECTOR["public_key_pem"], message, signature)
    assert not pure_verify(VECTOR["public_key_pem"], message + b"x", signature)


def test_vector_signature_verifies_with_cryptography() -> None:
    cryptography_verify(
        VECTOR["public_key_pem"],
        VECTOR["signing_input"].encode(),
        unb64url(VECTOR["signature_b64url"]),
    )


# --- a fresh assertion, and a second key --------------------------------------------------------


def fresh_assertion() -> Tuple[str, bytes, bytes]:
    key = load_pkcs8_pem(VECTOR["private_key_pem"])
    jwt = service_account_assertion(
        client_email="someone@example-project.iam.gserviceaccount.com",
        key=key,
        kid="kid-1",
        token_uri="https://oauth2.googleapis.com/token",
        scope="https://www.googleapis.com/auth/monitoring.read",
        now=datetime(2026, 11, 24, 18, 2, 7, tzinfo=timezone.utc),
    )
    header, claims, signature = jwt.split(".")
    return jwt, f"{header}.{claims}".encode(), unb64url(signature)


def test_fresh_assertion_has_the_documented_header_and_claims() -> None:
    jwt, _, _ = fresh_assertion()
    header, claims = (json.loads(unb64url(part)) for part in jwt.split(".")[:2])
    assert header == {"alg": "RS256", "typ": "JWT", "kid": "kid-1"}
    assert list(header) == ["alg", "typ", "kid"]
    assert claims == {
        "iss": "someone@example-project.iam.gserviceaccount.com",
        "scope": "https://www.googleapis.com/auth/monitoring.read",
        "aud": "https://oauth2.googleapis.com/token",
        "iat": 1795543327,
        "exp": 1795543327 + 3600,
    }
    assert "=" not in jwt and "+" not in jwt and "/" not in jwt


def test_fresh_assertion_verifies_three_ways(tmp_path: Path) -> None:
    _, signed, signature = fresh_assertion()
    assert pure_verify(VECTOR["public_key_pem"], signed, signature)
    assert openssl_verify(tmp_path, VECTOR["public_key_pem"], signed, signature)
    cryptography_verify(VECTOR["public_key_pem"], signed, signature)


def test_header_without_a_key_id_has_no_kid() -> None:
    key = load_pkcs8_pem(VECTOR["private_key_pem"])
    header = json.loads(unb64url(encode_rs256({"a": 1}, key).split(".")[0]))
    assert header == {"alg": "RS256", "typ": "JWT"}


def test_3072_bit_openssl_vector_is_reproduced_and_verifies(tmp_path: Path) -> None:
    key = load_pkcs8_pem(KEYS["rsa3072_private_key_pem"])
    message = KEYS["message"].encode()
    signature = sign_pkcs1v15_sha256(key, message)
    assert key.size_bytes == 384
    assert b64url(signature) == KEYS["rsa3072_signature_b64url"]
    assert pure_verify(KEYS["rsa3072_public_key_pem"], message, signature)
    assert openssl_verify(tmp_path, KEYS["rsa3072_public_key_pem"], message, signature)


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pem, reason",
    [
        (KEYS["pkcs1_rsa_private_key_pem"], "PKCS#1"),
        (KEYS["ec_p256_private_key_pem"], "not an RSA key"),
        (KEYS["encrypted_pkcs8_private_key_pem"], "encrypted"),
        ("not a key at all", "no PKCS#8 block"),
        ("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "not base64"),
        ("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n", "PrivateKeyInfo"),
    ],
)
def test_other_key_kinds_are_refused_with_a_reason_that_shows_no_key(pem: str, reason: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        load_pkcs8_pem(pem)
    assert reason in str(caught.value)
    assert "MII" not in str(caught.value)


def _der() -> bytes:
    pem = VECTOR["private_key_pem"]
    return base64.b64decode("".join(pem.strip().splitlines()[1:-1]))


@pytest.mark.parametrize("cut", [1, 2, 5, 30, 200, 1000])
def test_truncated_der_is_a_key_format_error(cut: int) -> None:
    with pytest.raises(KeyFormatError):
        parse_pkcs8_der(_der()[:-cut])


def test_trailing_bytes_after_the_key_are_refused() -> None:
    with pytest.raises(KeyFormatError):
        parse_pkcs8_der(_der() + b"\x00")


def test_inconsistent_key_numbers_are_refused_before_signing() -> None:
    der = bytearray(_der())
    der[-5] ^= 0x01  # inside qinv: the CRT result would be wrong
    key = parse_pkcs8_der(bytes(der))
    with pytest.raises(KeyFormatError, match="do not fit"):
        sign_pkcs1v15_sha256(key, b"message")


def test_every_byte_flip_gives_a_key_format_error_or_a_key() -> None:
    """No other exception escapes the DER reader, whatever byte is damaged."""
    der = _der()
    outcomes: Dict[str, int] = {"key": 0, "refused": 0}
    for index in range(0, len(der), 7):
        damaged = bytearray(der)
        damaged[index] ^= 0xA5
        try:
            parse_pkcs8_der(bytes(damaged))
            outcomes["key"] += 1
        except KeyFormatError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 0
