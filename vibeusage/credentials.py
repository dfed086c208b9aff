"""vibeusage's own credential store: ``<config>/credentials/<provider>/<name>.json``.

Only secrets that vibeusage itself was given live here (session keys, device-flow tokens,
API keys); other tools' files are never written. Files are 0600 inside 0700 directories
and written atomically.
"""

import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Optional

from .errors import ErrorCategory, VibeusageError
from .kit.values import MaskedRepr
from .paths import Paths
from .provenance import note_credential_file
from .store import atomic_write_json, read_json
from .timeparse import parse_iso, utcnow


@dataclass(frozen=True, repr=False)
class StoredSecret(MaskedRepr):
    SECRET_FIELDS = ("value",)
    value: str
    created_at: Optional[datetime]
    path: Path


class CredentialStore:
    """Read, write and delete vibeusage's own secrets."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def path(self, provider: str, name: str) -> Path:
        return self.paths.credential_file(provider, name)

    def read(self, provider: str, name: str) -> Optional[StoredSecret]:
        """The stored secret, or None when there is none (an unreadable file is an error)."""
        path = self.path(provider, name)
        if path.is_symlink():
            # vibeusage writes its secrets itself: a link there points at someone else's file
            # (whose mode must not be changed, nor its content sent anywhere).
            raise VibeusageError(
                f"Stored credential {path} is a symbolic link; vibeusage will not use it",
                ErrorCategory.AUTHENTICATION,
                remediation="Delete the link and store the credential again.",
            )
        if not path.exists():
            return None
        _tighten(path)
        data = read_json(path)
        note_credential_file(path)
        value = data.get("value") if isinstance(data, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise VibeusageError(
                f"Stored credential {path} is unreadable or empty",
                ErrorCategory.AUTHENTICATION,
                remediation="Delete the file and store the credential again.",
            )
        assert isinstance(data, dict)
        return StoredSecret(value.strip(), parse_iso(data.get("created_at")), path)

    def write(self, provider: str, name: str, value: str, **extra: Any) -> Path:
        path = self.path(provider, name)
        for directory in (self.paths.credentials_dir, path.parent):
            directory.mkdir(parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
        document: Dict[str, Any] = {"value": value, "created_at": utcnow().isoformat()}
        document.update(extra)
        atomic_write_json(path, document, mode=0o600)
        return path

    def delete(self, provider: str, name: str) -> bool:
        path = self.path(provider, name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True


def _tighten(path: Path) -> None:
    """Make a secret file private again if someone loosened it (POSIX), with a warning."""
    if os.name != "posix" or path.is_symlink() or not path.is_file():
        return  # never through a link: its target belongs to someone else
    try:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            os.chmod(path, 0o600)
            import logging  # deferred: a cached run that warns of nothing never loads it

            logging.getLogger(__name__).warning(
                "%s was readable by others (mode %03o); it is now private (600)", path, mode
            )
    except OSError:
        pass
