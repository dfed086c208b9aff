"""The state directory's own files (FEATURES.md §0.1): private directories and the machine id.

Directories are 0700 and files 0600. The machine id is random: it names this machine's
ledger without saying anything about the machine.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the statusline hook creates dirs through here
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Optional

MACHINE_ID_FILE = "machine-id"
MACHINE_ID_HEX = 16


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700 directories (existing ones are kept)."""
    missing = []
    current = path
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            if not directory.is_dir():
                raise
        else:
            os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask


def valid_machine_id(text: str) -> bool:
    """Whether ``text`` is a machine id: 16 lowercase hex characters."""
    return len(text) == MACHINE_ID_HEX and all(c in "0123456789abcdef" for c in text)


def read_machine_id(state: Path) -> Optional[str]:
    """The machine id stored under ``state``, or None when absent or malformed."""
    try:
        text = (state / MACHINE_ID_FILE).read_bytes().decode("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.endswith("\n") or not valid_machine_id(text[:-1]):
        return None
    return text[:-1]


def ensure_machine_id(state: Path) -> str:
    """This machine's id, created on first use so that concurrent first runs agree on one.

    The new id goes to a private temporary file that is hard-linked into place: the link
    fails when another run got there first, and that run's id wins. A malformed file is
    replaced. Raises OSError when the state directory cannot be written.
    """
    import secrets

    existing = read_machine_id(state)
    if existing is not None:
        return existing
    make_private_dir(state)
    target = state / MACHINE_ID_FILE
    content = (secrets.token_hex(MACHINE_ID_HEX // 2) + "\n").encode("ascii")
    temp = state / f".{MACHINE_ID_FILE}.{secrets.token_hex(6)}.tmp"
    fd = os.open(str(temp), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
        if target.exists():
            raced = read_machine_id(state)
            if raced is not None:  # another run created it meanwhile
                return raced
            os.replace(temp, target)  # present but malformed
        else:
            _link_exclusively(temp, target, content)
    finally:
        try:
            os.unlink(temp)
        except OSError:
            pass
    found = read_machine_id(state)
    if found is None:
        raise OSError(f"could not create {target}")
    return found


def _link_exclusively(temp: Path, target: Path, content: bytes) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        return
    except OSError:  # no hard links on this file system: an exclusive create instead
        try:
            fd = os.open(str(target), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        try:
            os.write(fd, content)
        finally:
            os.close(fd)
