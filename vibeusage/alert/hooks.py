"""``--hook CMD``: split by shell-word rules and run as argv (never a shell), event on stdin.

The hook gets a short allowlist of the caller's environment plus the event's ``VIBEUSAGE_*``
variables, at most :data:`HOOK_TIMEOUT` seconds (then it is killed with everything it
started), and its output is kept for ``--debug``.
"""

import os
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence

#: Seconds a hook may run before it is killed.
HOOK_TIMEOUT = 10.0
#: The caller's variables a hook sees; everything else (tokens, proxies, keys) stays out.
PASSED_THROUGH = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TERM",
    "TMPDIR",
)


@dataclass(frozen=True)
class HookOutcome:
    """How one hook run went."""

    argv: Sequence[str]
    returncode: Optional[int] = None
    timed_out: bool = False
    output: str = ""
    #: Why the hook did not run at all (not found, not executable).
    problem: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.timed_out and self.returncode == 0


def split_hook(command: str) -> List[str]:
    """The argv of ``command`` by shell-word rules; ValueError when empty or badly quoted."""
    import shlex

    words = shlex.split(command)
    if not words:
        raise ValueError("an empty hook command")
    return words


def hook_environment(
    environ: Mapping[str, str], event_variables: Mapping[str, str]
) -> Dict[str, str]:
    """The allowlisted variables of ``environ`` plus the event's own."""
    env = {name: environ[name] for name in PASSED_THROUGH if name in environ}
    env.update(event_variables)
    return env


def run_hook(
    argv: Sequence[str], stdin_text: str, env: Mapping[str, str], timeout: Optional[float] = None
) -> HookOutcome:
    """Run one hook to its end or its time limit; never raises for the hook's own failures."""
    from .bounded import run_bounded

    program = _locate(argv[0], env.get("PATH"))
    if program is None:
        return HookOutcome(argv, problem=f"{argv[0]!r} not found on PATH")
    limit = HOOK_TIMEOUT if timeout is None else timeout
    try:
        finished = run_bounded([program, *argv[1:]], env, limit, stdin_text.encode("utf-8"))
    except OSError as exc:
        return HookOutcome(argv, problem=f"cannot run {argv[0]!r}: {exc.strerror or exc}")
    return HookOutcome(argv, finished.returncode, finished.timed_out, finished.output)


def _locate(name: str, path: Optional[str]) -> Optional[str]:
    """``name`` itself when it has a directory part, else its match on ``path``."""
    import shutil

    if os.sep in name or (os.altsep and os.altsep in name):
        return name if os.access(name, os.X_OK) else None
    return shutil.which(name, path=path)
