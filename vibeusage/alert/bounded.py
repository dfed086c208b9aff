"""A child run to its end or its time limit, in its own process group, output captured."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

if TYPE_CHECKING:
    import subprocess

#: Bytes of a child's output kept.
MAX_OUTPUT = 65536


@dataclass(frozen=True)
class Finished:
    """How a bounded child ended: its exit code (None when killed at its limit) and output."""

    returncode: Optional[int]
    timed_out: bool
    output: str


def run_bounded(
    argv: Sequence[str], env: Mapping[str, str], timeout: float, stdin: Optional[bytes] = None
) -> Finished:
    """Run ``argv``; killed with its whole group after ``timeout`` s. Raises OSError only
    when it cannot be started."""
    import subprocess

    from ..kit.processes import spawn_group, terminate_group

    process = spawn_group(
        list(argv),
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(env),
    )
    timed_out = False
    output = b""
    try:
        try:
            output, _ = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
    finally:
        terminate_group(process)  # also whatever it left running in its group
        if timed_out:
            output = _leftover(process)
    text = output.decode("utf-8", "replace")[:MAX_OUTPUT]
    return Finished(None if timed_out else process.returncode, timed_out, text)


def _leftover(process: "subprocess.Popen[bytes]") -> bytes:
    """What a killed child wrote before its limit; its pipes closed either way."""
    import subprocess

    output = b""
    try:
        output, _ = process.communicate(timeout=1.0)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        pass  # a grandchild that left the group still holds the pipe
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    return output or b""
