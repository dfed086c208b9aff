"""Delegated refresh: let the tool that owns an OAuth chain renew its own login.

Claude Code and the Codex CLI rotate their refresh tokens, so refreshing their chains from
here would log them out. Instead the owning CLI is run with a trivially small request; it
renews the login itself and rewrites its own credentials, which are then re-read. Runs
take turns under a cross-process lock (always: two overlapping runs must not both spend a
rotating token), and the child runs in its own process group, with stdin closed, in a
throw-away directory, and is killed on every path: without network the real Claude Code
hangs instead of failing.
"""

import logging
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from ..locking import file_lock
from .processes import spawn_group, terminate_group

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.1


def refresh_by_cli(
    command: Sequence[str],
    read_token: Callable[[], Optional[str]],
    old_token: str,
    timeout: float,
    environ: Mapping[str, str],
    lock_path: Path,
) -> bool:
    """Run ``command`` until ``read_token()`` returns a token other than ``old_token``.

    Returns True when the token changed within ``timeout`` seconds, False when the command
    exited or hit the time limit without changing it, or could not be started at all.
    Overlapping runs take turns on ``lock_path``: whoever waited finds the token already
    renewed by the other and does not run the command again. Raises
    :class:`~.tools.ToolsForbidden` (an authentication error: the login has expired) when
    the provider's programs may not be started.
    """
    from ..errors import ErrorCategory
    from .tools import check_allowed

    check_allowed(command[0], "to renew its expired login", ErrorCategory.AUTHENTICATION)
    with file_lock(lock_path, timeout + 2.0):
        token = _safe_read(read_token)
        if token and token != old_token:
            return True  # another run renewed it while this one waited
        return _run_refresh(command, read_token, old_token, timeout, environ)


def _run_refresh(
    command: Sequence[str],
    read_token: Callable[[], Optional[str]],
    old_token: str,
    timeout: float,
    environ: Mapping[str, str],
) -> bool:
    import subprocess

    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="vibeusage-refresh-") as workdir:
        try:
            process = spawn_group(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=workdir,
                env=dict(environ),
            )
        except OSError as exc:
            log.debug("cannot start %s: %s", command[0], exc)
            return False
        try:
            while True:
                token = _safe_read(read_token)
                if token and token != old_token:
                    return True
                if process.poll() is not None:
                    # It may have written the file just before exiting: look once more.
                    token = _safe_read(read_token)
                    return bool(token and token != old_token)
                if time.monotonic() >= deadline:
                    log.debug("%s did not renew its login within %.0f s", command[0], timeout)
                    return False
                time.sleep(POLL_INTERVAL)
        finally:
            terminate_group(process)


def _safe_read(read_token: Callable[[], Optional[str]]) -> Optional[str]:
    try:
        return read_token()
    except Exception:  # a half-written file mid-refresh reads as "not yet"
        return None
