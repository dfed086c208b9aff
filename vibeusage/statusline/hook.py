"""Hook mode (§5.1): Claude Code's JSON on stdin, merged into the capture, then the chain.

Claude Code runs the statusLine command on every prompt and UI change, so this path reads
at most 1 MiB for at most a second, merges before anything slow, and swallows every
capture failure: a broken capture must never cost the user their status line.
"""

from __future__ import annotations

import json
import os
import sys
import time

from .capture import read_capture, write_capture
from .merge import merge

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any, Dict, List, Mapping, Optional

MAX_INPUT = 1024 * 1024
INPUT_WAIT = 1.0
#: The previously installed command gets this long before its process group is stopped.
CHAIN_TIMEOUT = 10.0
_CHUNK = 65536


def read_input(stream: Any, limit: int = MAX_INPUT, wait: float = INPUT_WAIT) -> Optional[bytes]:
    """The bytes piped in (EOF within ``wait`` s, at most ``limit``), else None.

    None too for a terminal: a person typing is not Claude Code.
    """
    try:
        if stream.isatty():
            return None
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return _read_text(stream, limit)
    if sys.platform.startswith("win"):  # select() does not take pipes there
        return _read_blocking(fd, limit)
    return _read_fd(fd, limit, wait)


def _read_text(stream: Any, limit: int) -> Optional[bytes]:
    try:
        text = stream.read(limit + 1)
    except (OSError, ValueError):
        return None
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)
    return data if len(data) <= limit else None


def _read_fd(fd: int, limit: int, wait: float) -> Optional[bytes]:
    import select

    deadline = time.monotonic() + wait
    chunks: List[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None  # still open after the wait: not a hook's one document
        try:
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, _CHUNK)
        except (OSError, ValueError):
            return None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def _read_blocking(fd: int, limit: int) -> Optional[bytes]:  # pragma: no cover - Windows
    chunks: List[bytes] = []
    size = 0
    while size <= limit:
        try:
            chunk = os.read(fd, _CHUNK)
        except OSError:
            return None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


def hook_payload(raw: Optional[bytes]) -> Optional[Dict[str, Any]]:
    """Claude Code's statusline document: a JSON object with ``rate_limits`` or ``session_id``."""
    if not raw or not raw.strip():
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError
        return None
    if isinstance(data, dict) and ("rate_limits" in data or "session_id" in data):
        return data
    return None


def capture(
    payload: Dict[str, Any], path: str, config_dir: str, now: float
) -> Optional[Dict[str, Any]]:
    """Merge ``payload`` into the capture at ``path``; the new capture, or None on any failure."""
    try:
        merged = merge(read_capture(path), payload, now, config_dir)
        write_capture(path, merged)
    except Exception:  # noqa: BLE001 - the status line must survive any capture problem
        return None
    return merged


def run_chained(
    command: str, raw: bytes, stdout: IO[str], stderr: IO[str], environ: Mapping[str, str]
) -> int:
    """Run the previous statusLine command through the shell with the same stdin bytes.

    Its output goes straight to our own stdout and stderr when they are real files (byte
    for byte), else it is relayed as text. Its exit code is returned; after
    ``CHAIN_TIMEOUT`` seconds its process group is stopped.
    """
    import subprocess

    from ..kit.processes import spawn_group, terminate_group

    direct = _has_fd(stdout) and _has_fd(stderr)
    if direct:
        stdout.flush()
        stderr.flush()
    pipe = None if direct else subprocess.PIPE
    if sys.platform.startswith("win"):  # pragma: no cover
        argv = [environ.get("COMSPEC") or "cmd.exe", "/c", command]
    else:
        argv = ["/bin/sh", "-c", command]
    try:
        process = spawn_group(
            argv, stdin=subprocess.PIPE, stdout=pipe, stderr=pipe, env=dict(environ)
        )
    except OSError as exc:
        stderr.write(
            f"vibeusage: cannot run the chained statusLine command: {exc.strerror or exc}\n"
        )
        return 127
    try:
        out, err = process.communicate(raw, timeout=CHAIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        terminate_group(process)
        out, err = process.communicate()
        stderr.write(
            f"vibeusage: the chained statusLine command ran over {CHAIN_TIMEOUT:g} s; stopped\n"
        )
    else:
        terminate_group(process)  # helpers it left behind must not outlive the hook
    if not direct:
        stdout.write((out or b"").decode("utf-8", "replace"))
        stderr.write((err or b"").decode("utf-8", "replace"))
    code = process.returncode
    return 128 - code if code < 0 else code


def _has_fd(stream: Any) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True
