"""Delegated refresh: let the tool that owns an OAuth chain renew its own login.

Claude Code and the Codex CLI rotate their refresh tokens, so refreshing their chains from
here would log them out. Instead the owning CLI is run with a trivially small request; it
renews the login itself and rewrites its own credentials, which are then re-read. The
child runs in its own process group (it may start helpers of its own), with stdin closed,
in a throw-away directory, and is killed on every path: without network the real Claude
Code hangs instead of failing.
"""

import atexit
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Set

if TYPE_CHECKING:
    import subprocess

from .locking import file_lock

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.1


def refresh_by_cli(
    command: Sequence[str],
    read_token: Callable[[], Optional[str]],
    old_token: str,
    timeout: float,
    environ: Mapping[str, str],
    lock_path: Optional[Path] = None,
) -> bool:
    """Run ``command`` until ``read_token()`` returns a token other than ``old_token``.

    Returns True when the token changed within ``timeout`` seconds, False when the command
    exited or hit the time limit without changing it, or could not be started at all.
    With ``lock_path``, overlapping runs take turns: whoever waited finds the token already
    renewed by the other and does not run the command again.
    """
    if lock_path is None:
        return _run_refresh(command, read_token, old_token, timeout, environ)
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


#: Children started with spawn_group and not yet terminated (killed at exit, whatever happens).
_LIVE: "Set[subprocess.Popen[Any]]" = set()
_LIVE_LOCK = threading.Lock()
_ATEXIT_REGISTERED = False


def spawn_group(args: Sequence[str], **kwargs: Any) -> "subprocess.Popen[Any]":
    """Start a child in its own process group (session), remembered until terminate_group.

    Every such child is killed with its group when the run ends, even when the thread that
    started it was abandoned after a timeout or the run was interrupted.
    """
    import subprocess

    global _ATEXIT_REGISTERED
    if sys.platform.startswith("win"):
        kwargs.setdefault("creationflags", getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0))
    else:
        kwargs.setdefault("start_new_session", True)
    process: subprocess.Popen[Any] = subprocess.Popen(list(args), **kwargs)
    with _LIVE_LOCK:
        _LIVE.add(process)
        if not _ATEXIT_REGISTERED:
            atexit.register(kill_all)
            _ATEXIT_REGISTERED = True
    return process


def kill_all() -> None:
    """Terminate every child still alive (at exit, on Ctrl-C or SIGTERM)."""
    with _LIVE_LOCK:
        alive = list(_LIVE)
    for process in alive:
        terminate_group(process)


def terminate_group(process: "subprocess.Popen[Any]") -> None:
    """Stop a child started in its own process group, and everything it started."""
    import subprocess

    with _LIVE_LOCK:
        _LIVE.discard(process)

    if process.poll() is None or not sys.platform.startswith("win"):
        _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
        try:
            process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:  # pragma: no cover - unkillable child
            log.debug("child %s did not exit after SIGKILL", process.pid)


def _signal_group(process: "subprocess.Popen[Any]", sig: int) -> None:
    try:
        if sys.platform.startswith("win"):
            process.kill()
        else:
            os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _safe_read(read_token: Callable[[], Optional[str]]) -> Optional[str]:
    try:
        return read_token()
    except Exception:  # a half-written file mid-refresh reads as "not yet"
        return None
