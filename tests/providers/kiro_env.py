"""Shared by the Kiro tests: kiro-cli's state database and a fake ``kiro-cli`` in ``tmp_path``."""

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional

from tests.conftest import FIXTURES, load_fixture
from tests.providers.fake_tools import write_tool

UTC = timezone.utc
NOW = datetime(2026, 8, 20, 12, 0, tzinfo=UTC)
ACCESS = "aoaAAAAAGkiroTestAccessTokenNeverShown0123456789:MGUCMQDfake+/="
REFRESH = "aorAAAAAGkiroTestRefreshTokenNeverShown0123456789"
EU_URL = "https://q.eu-central-1.amazonaws.com/"
US_URL = "https://codewhisperer.us-east-1.amazonaws.com/"
ARN_EU = "arn:aws:codewhisperer:eu-central-1:123456789012:profile/ABCDEFGHIJKL"
ARN_US = "arn:aws:codewhisperer:us-east-1:123456789012:profile/QWERTY123456"

FAKE_KIRO = r"""
if sys.argv[1:2] == ["whoami"]:
    behave("WHOAMI", "KIRO")
elif sys.argv[1:2] == ["chat"]:
    behave("USAGE", "KIRO")
else:
    print("kiro-cli 2.7.1")
"""


def token_document(**changes: Any) -> Dict[str, Any]:
    """The ``auth_kv`` token value (the fixture's shape) with test secrets."""
    document = load_fixture("kiro/auth-kv-token.json")
    document.pop("_constructed", None)
    document.update(access_token=ACCESS, refresh_token=REFRESH)
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


def write_state(
    path: Path,
    token: Optional[Dict[str, Any]] = None,
    key: str = "kirocli:odic:token",
    profile: Optional[Dict[str, Any]] = None,
    as_bytes: bool = False,
    extra_tokens: Optional[Dict[str, Dict[str, Any]]] = None,
) -> Path:
    """kiro-cli's ``data.sqlite3`` with its ``auth_kv`` and ``state`` tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path))
    connection.execute("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)")
    connection.execute("CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB)")
    tokens = dict(extra_tokens or {})
    if token is not None:
        tokens[key] = token
    for name, document in tokens.items():
        text = json.dumps(document)
        connection.execute(
            "INSERT INTO auth_kv VALUES (?, ?)", (name, text.encode() if as_bytes else text)
        )
    if profile is not None:
        connection.execute(
            "INSERT INTO state VALUES (?, ?)", ("api.codewhisperer.profile", json.dumps(profile))
        )
    connection.commit()
    connection.close()
    return path


@dataclass
class KiroEnv:
    """A temp home with kiro-cli's state and a fake ``kiro-cli`` on PATH."""

    root: Path
    home: Path
    bin: Path
    out: Path
    base_env: Dict[str, str]
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def state_path(self) -> Path:
        return self.home / ".local" / "share" / "kiro-cli" / "data.sqlite3"

    def install(self) -> Path:
        return write_tool(self.bin, "kiro-cli", FAKE_KIRO)

    def screen(self, step: str, fixture: Optional[str], mode: str = "print", **more: str) -> None:
        """What the fake answers ``whoami`` (``WHOAMI``) or ``/usage`` (``USAGE``) with."""
        prefix = f"FAKE_KIRO_{step}"
        self.env[prefix] = str(FIXTURES / "kiro" / fixture) if fixture else ""
        self.env[f"{prefix}_MODE"] = mode
        for name, value in more.items():
            self.env[f"{prefix}_{name.upper()}"] = value

    def environ(self) -> Dict[str, str]:
        return {**self.base_env, **self.env}


def make_kiro_env(home_root: Path, tmp_path: Path) -> KiroEnv:
    """Call after the ``home`` fixture: the test-isolated environment is the base."""
    out = tmp_path / "fake-out"
    out.mkdir()
    bin_dir = tmp_path / "bin"
    base = dict(os.environ)
    base.update(HOME=str(home_root), PATH=f"{bin_dir}:{os.environ['PATH']}", FAKE_OUT=str(out))
    return KiroEnv(tmp_path, home_root, bin_dir, out, base)
