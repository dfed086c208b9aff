"""Children of a run: started in their own process group, killed with it on every exit path.

Providers' tools may start helpers of their own and may ignore SIGTERM or hang without a
network, so every child is remembered from its start until it has really exited: a run
that ends (output written, Ctrl-C, SIGTERM, a strategy abandoned after its timeout) kills
whatever is still alive, the whole group, with SIGKILL after a short grace.
"""

import atexit
import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, Sequence, Set

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)

#: How long a child gets to exit after SIGTERM before its group is sent SIGKILL.
TERM_GRACE = 0.5
#: How long to wait for the group to go after SIGKILL.
KILL_WAIT = 2.0


#: Children started with spawn_group and not yet terminated (killed at exit, whatever happens).
_LIVE: "Set[subprocess.Popen[Any]]" = set()
_LIVE_LOCK = threading.Lock()
_ATEXIT_REGISTERED = False


def spawn_group(args: Sequence[str], **kwargs: Any) -> "subprocess.Popen[Any]":
    """Start a child in its own process group (session), remembered until terminate_group.

    Every such child is killed with its group when the run ends, even when the thread that
    started it was abandoned after a timeout or the run was interrupted. Inside a strategy
    run whose provider may not start programs (``run_tools = false``) it raises
    :class:`~.tools.ToolsForbidden` instead.
    """
    import subprocess

    from .tools import check_allowed

    check_allowed(str(args[0]) if args else "")

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


def terminate_group(process: "subprocess.Popen[Any]", grace: float = TERM_GRACE) -> None:
    """Stop a child started in its own process group, and everything it started.

    SIGTERM first; a group still alive after ``grace`` seconds gets SIGKILL. The child
    stays on the kill list until it has exited, so a child that survives this call (it
    cannot, short of an unkillable process) is tried again at exit.
    """
    import subprocess

    if process.poll() is None or not sys.platform.startswith("win"):
        _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
        try:
            process.wait(timeout=KILL_WAIT)
        except subprocess.TimeoutExpired:  # pragma: no cover - unkillable child
            log.debug("child %s did not exit after SIGKILL", process.pid)
            return
    if not sys.platform.startswith("win"):
        # The leader is gone; helpers it left in the group must not outlive the run.
        _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
    with _LIVE_LOCK:
        _LIVE.discard(process)


def _signal_group(process: "subprocess.Popen[Any]", sig: int) -> None:
    try:
        if sys.platform.startswith("win"):
            process.kill()
        else:
            os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass
