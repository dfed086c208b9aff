"""Codex's ``cli`` strategy: ask ``codex app-server`` over stdio (JSON-RPC, one object a line).

Launched as ``codex -s read-only -a never app-server`` in its own process group, in a
throw-away directory. The exchange: ``initialize`` -> the ``initialized`` notification ->
``account/rateLimits/read`` and ``account/read``. Notifications and anything not answering
the awaited id are skipped; every wait has a strict limit; the child (and whatever it
started) is terminated and reaped on every path.
"""

import logging
import shutil
import time
from typing import IO, TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence

from ... import __version__
from ...errors import ErrorCategory, VibeusageError
from ...kit.processes import spawn_group, terminate_group
from ..base import FetchContext, FetchResult, Strategy
from .oauth import LOGIN_HINT, codex_home
from .usage import parse_app_server

if TYPE_CHECKING:
    import queue

log = logging.getLogger(__name__)

ARGS = ("-s", "read-only", "-a", "never", "app-server")
INIT_TIMEOUT = 8.0
CALL_TIMEOUT = 3.0
#: Time kept back from the strategy's budget to stop the child before the pipeline gives up.
CLEANUP_RESERVE = 1.0
#: Longer lines are read in pieces (none of which parses): memory stays bounded.
MAX_LINE = 4 * 1024 * 1024

RATE_LIMITS_METHOD = "account/rateLimits/read"
ACCOUNT_METHOD = "account/read"


class _Exited(Exception):
    """The app-server closed its output (it exited) before answering."""


class _Silent(Exception):
    """No answer before the deadline."""


class AppServer:
    """One ``codex app-server`` child and the JSON-RPC exchange with it."""

    def __init__(self, command: Sequence[str], environ: Mapping[str, str], cwd: str) -> None:
        import queue
        import subprocess
        import threading

        self._lines: queue.Queue[Optional[bytes]] = queue.Queue()
        self.garbage = 0
        # Its own process group, tracked: killed at exit even if this thread is abandoned.
        self.process: subprocess.Popen[bytes] = spawn_group(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=dict(environ),
        )
        assert self.process.stdout is not None
        self._reader = threading.Thread(
            target=_pump, args=(self.process.stdout, self._lines), daemon=True
        )
        self._reader.start()

    def send(self, message: Dict[str, Any]) -> None:
        import json

        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            stdin.flush()
        except (OSError, ValueError) as exc:  # broken pipe: it is gone
            raise _Exited() from exc

    def await_result(self, request_id: int, deadline: float) -> Any:
        """The ``result`` answering ``request_id``; JSON-RPC errors become VibeusageError."""
        import json
        import queue

        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Silent()
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty as exc:
                raise _Silent() from exc
            if line is None:
                raise _Exited()
            if not line.strip():
                continue
            try:
                message = json.loads(line.decode("utf-8", "replace"))
            except ValueError:
                message = None
            if not isinstance(message, dict):
                self.garbage += 1
                log.debug("codex app-server: skipped a line that is not JSON-RPC")
                continue
            # Notifications and the server's own requests carry a method: not our answer.
            if "method" in message or message.get("id") != request_id:
                continue
            if "error" in message:
                raise _rpc_error(message.get("error"))
            return message.get("result")

    def close(self) -> None:
        """Close stdin, then stop the process group and reap the child."""
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:  # broken pipe while flushing: it is gone already
                pass
        terminate_group(self.process)
        self._reader.join(timeout=1.0)
        # Closing while the reader still blocks in readline() could wait for its lock: a
        # grandchild that escaped the group may hold the pipe. Leave that to the daemon.
        if self.process.stdout is not None and not self._reader.is_alive():
            try:
                self.process.stdout.close()
            except OSError:
                pass


def _pump(stream: IO[bytes], lines: "queue.Queue[Optional[bytes]]") -> None:
    """Reader thread: every output line into the queue, None at end of output."""
    try:
        while True:
            line = stream.readline(MAX_LINE)
            if not line:
                break
            lines.put(line)
    except (OSError, ValueError):
        pass
    finally:
        lines.put(None)


def _rpc_error(error: Any) -> VibeusageError:
    message = error.get("message") if isinstance(error, dict) else None
    text = message if isinstance(message, str) and message.strip() else "unknown error"
    lowered = text.lower()
    if any(word in lowered for word in ("authenticat", "log in", "login", "logged in")):
        return VibeusageError(
            f"The Codex CLI is not logged in ({text})",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    return VibeusageError(
        f"codex app-server answered with an error: {text}", ErrorCategory.PROVIDER
    )


class CodexAppServer(Strategy):
    """``codex app-server``: the CLI's own view of the limits, through its login."""

    name = "cli"
    label = "Codex CLI (app-server)"
    program = "codex"

    def __init__(self, init_timeout: float = INIT_TIMEOUT, call_timeout: float = CALL_TIMEOUT):
        self.init_timeout = init_timeout
        self.call_timeout = call_timeout

    def available(self, ctx: FetchContext) -> bool:
        # The Codex CLI always has its home (config, logs) once used; without one there is
        # no login to ask about, and nothing is started.
        return _codex(ctx) is not None and codex_home(ctx).is_dir()

    def run(self, ctx: FetchContext) -> FetchResult:
        import tempfile

        codex = _codex(ctx)
        if codex is None:
            return FetchResult.fail(
                VibeusageError(
                    "The Codex CLI (`codex`) is not on PATH",
                    ErrorCategory.NOT_FOUND,
                    remediation="Install the Codex CLI and run `codex login`.",
                )
            )
        started = time.monotonic()
        budget_end = started + max(0.5, ctx.timeout - CLEANUP_RESERVE)
        with tempfile.TemporaryDirectory(prefix="vibeusage-codex-") as workdir:
            try:
                server = AppServer([codex, *ARGS], ctx.environ, workdir)
            except OSError as exc:
                return FetchResult.fail(
                    VibeusageError(
                        f"Cannot start `codex app-server`: {exc.strerror or exc}",
                        ErrorCategory.PROVIDER,
                        remediation="Check the Codex CLI installation (`codex --version`).",
                    )
                )
            try:
                return self._exchange(ctx, server, budget_end)
            finally:
                server.close()

    def _exchange(self, ctx: FetchContext, server: AppServer, budget_end: float) -> FetchResult:
        step = "initialize"
        try:
            server.send(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"clientInfo": {"name": "vibeusage", "version": __version__}},
                }
            )
            init = server.await_result(1, min(time.monotonic() + self.init_timeout, budget_end))
            if not isinstance(init, dict):
                raise VibeusageError(
                    "codex app-server sent an unexpected answer to `initialize`",
                    ErrorCategory.PARSE,
                )
            server.send({"jsonrpc": "2.0", "method": "initialized"})
            server.send({"jsonrpc": "2.0", "id": 2, "method": RATE_LIMITS_METHOD})
            server.send({"jsonrpc": "2.0", "id": 3, "method": ACCOUNT_METHOD})
            step = RATE_LIMITS_METHOD
            limits = server.await_result(2, min(time.monotonic() + self.call_timeout, budget_end))
            account = self._account(server, min(time.monotonic() + self.call_timeout, budget_end))
        except VibeusageError as exc:
            return FetchResult.fail(exc)
        except _Silent:
            return FetchResult.fail(_silence_error(server, step))
        except _Exited:
            return FetchResult.fail(_exit_error(server, step))
        snapshot = parse_app_server(limits, ctx.now(), account=account, source=self.name)
        return FetchResult.ok(snapshot)

    @staticmethod
    def _account(server: AppServer, deadline: float) -> Any:
        """``account/read`` is a bonus (identity): its failure never costs the limits."""
        try:
            return server.await_result(3, deadline)
        except (VibeusageError, _Silent, _Exited):
            return None


def _codex(ctx: FetchContext) -> Optional[str]:
    return shutil.which("codex", path=ctx.environ.get("PATH"))


def _silence_error(server: AppServer, step: str) -> VibeusageError:
    if server.garbage:
        return VibeusageError(
            f"codex app-server sent output that is not JSON-RPC instead of answering `{step}`",
            ErrorCategory.PARSE,
            remediation="Check the Codex CLI version (`codex --version`); update it if old.",
        )
    return VibeusageError(
        f"codex app-server did not answer `{step}` in time",
        ErrorCategory.NETWORK,
        remediation="Retry later; `codex` may be waiting for the network.",
    )


def _exit_error(server: AppServer, step: str) -> VibeusageError:
    import subprocess

    code = server.process.poll()
    if code is None:
        try:
            code = server.process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:  # output closed but still running: no code to give
            code = None
    detail = f" (exit code {code})" if code is not None else ""
    return VibeusageError(
        f"codex app-server exited before answering `{step}`{detail}",
        ErrorCategory.PROVIDER,
        remediation="Run `codex app-server` by hand to see why, or update the Codex CLI.",
    )
