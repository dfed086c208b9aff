"""Fake secrets in every provider's format, and in shapes no pattern knows, and the scan.

The scan looks for the whole secret and for its middle (what no mask ever shows), in
stdout, stderr and every file under vibeusage's cache, config and state directories.
"""

from pathlib import Path
from typing import Dict, Iterable, List

#: One value per shape that ``token_patterns`` of a manifest describes.
PATTERN_SHAPED: Dict[str, str] = {
    "claude_oauth": "sk-ant-oat01-Qm9vQmFyQmF6UXV4Q29yZ2VHcmF1bHQ",
    "claude_session": "sk-ant-sid01-U2Vzc2lvbktleUZvckhvc3RpbGVUZXN0cw",
    "openai": "sk-proj-T3BlbkFJS2V5Rm9ySG9zdGlsZVRlc3RzMDA",
    "github_oauth": "gho_R2l0SHViT2F1dGhUb2tlbkZvclRlc3Rz0001",
    "github_pat": "github_pat_11ABCDEFG0HostileTestsFinegrainedPAT0001",
    "google_access": "ya29.a0AfB_HostileTestsAccessTokenValue0001",
    "google_refresh": "1//0gHostileTestsRefreshTokenValue-0001xyz",
    "google_client_secret": "GOCSPX-HostileTestsClientSecret0001",
    "factory": "fk-HostileTestsFactoryKeyValue00000001",
    "kiro": "aoaAHostileTestsKiroAccessTokenValue0001",
    "minimax": "sk-cp-HostileTestsMinimaxKeyValue000001",
    "zai": "0123456789abcdef0123456789abcdef.HostileZaiSecret01",
}

#: Secrets whose shape no pattern knows: safe only because vibeusage registered them.
UNKNOWN_SHAPED: Dict[str, str] = {
    "opaque_access": "OpaqueAccessToken4f8QpZ2mK7vB9xW3nR6tY1",
    "opaque_client_secret": "opaque+client/secret=Hx7Lq2Vn9Zt4Wm8Ks3",
    "opaque_session": "sess_9Yq3Lm7Vx2Tn8Kp4Wz6Rb1Hd5Fg0Jc",
}

ALL_FAKES: Dict[str, str] = {**PATTERN_SHAPED, **UNKNOWN_SHAPED}


def core(secret: str) -> str:
    """The part of a secret that no mask shows (masks keep at most 12 leading, 4 trailing)."""
    return secret[13:-5]


def leaks(text: str, secrets: Iterable[str]) -> List[str]:
    """The secrets (whole, or their core) that appear in ``text``."""
    return [s for s in secrets if s in text or core(s) in text]


def scan_files(folders: Iterable[Path], secrets: Iterable[str]) -> List[str]:
    """``path: secret`` for every file under ``folders`` that holds one of ``secrets``."""
    secrets = list(secrets)
    found = []
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            text = path.read_bytes().decode("utf-8", "replace")
            found += [f"{path}: {secret}" for secret in leaks(text, secrets)]
    return found
