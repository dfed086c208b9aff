"""Where a Claude config dir's capture and install record live (FEATURES.md §0.1)."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Mapping, Optional

#: First hex characters of the config dir's sha256 that name its files.
KEY_LENGTH = 12


def claude_config_dir(environ: Mapping[str, str], home: str, override: Optional[str] = None) -> str:
    """``--claude-config-dir``, else ``$CLAUDE_CONFIG_DIR``, else ``~/.claude``, as a real path."""
    chosen = override or environ.get("CLAUDE_CONFIG_DIR") or os.path.join(home, ".claude")
    if chosen == "~" or chosen.startswith(("~/", "~\\")):
        chosen = os.path.join(home, chosen[2:])
    return os.path.realpath(chosen)


def config_key(config_dir: str) -> str:
    """The 12 hex characters that name a config dir's files: its real path's sha256."""
    return sha256_hex(config_dir.encode("utf-8", "surrogateescape"))[:KEY_LENGTH]


def capture_file(state_dir: str, key: str) -> str:
    return os.path.join(state_dir, "claude", f"statusline-{key}.json")


def install_record_file(state_dir: str, key: str) -> str:
    return os.path.join(state_dir, "claude", f"statusline-install-{key}.json")


def sha256_hex(data: bytes) -> str:
    """sha256 without hashlib where possible: hashlib loads OpenSSL, milliseconds per prompt."""
    for name in ("_sha2", "_sha256"):  # CPython's builtin module: 3.12+, then 3.9-3.11
        try:
            return str(__import__(name).sha256(data).hexdigest())
        except (ImportError, AttributeError):
            continue
    import hashlib  # pragma: no cover - a Python built without the builtin module

    return hashlib.sha256(data).hexdigest()  # pragma: no cover
