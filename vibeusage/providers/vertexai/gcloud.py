"""Vertex AI's ``gcloud`` strategy: ``gcloud auth application-default print-access-token``.

For every ADC type (including those the ``adc`` strategy leaves alone), gcloud makes the
token: it owns the refresh and its own files, and the token is not kept across runs. The
child runs with stdin closed, in a throw-away folder, in its own process group, under a
20-second cap (never past the strategy's budget), and its group is killed on every path.
"""

import shutil
from pathlib import Path
from typing import Any, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError, redact
from ...kit.files import read_tool_json
from ...kit.values import opt_str
from ..base import FetchContext, FetchResult, Strategy
from .credentials import LOGIN_HINT, SETUP_HINT, Adc, adc_path, parse_adc
from .gcloud_config import core_properties
from .monitoring import TokenSource
from .project import resolve_projects
from .quotas import fetch_quotas

ARGS = ("auth", "application-default", "print-access-token")
TIMEOUT = 20.0
WINDOWS_GCLOUD = Path(r"C:\Program Files (x86)\Google\Cloud SDK\google-cloud-sdk\bin\gcloud.cmd")
#: Words in gcloud's error that mean "log in again".
RELOGIN_MARKERS = ("gcloud auth application-default login", "reauthentication")
MAX_DETAIL = 200
#: gcloud prefixes its errors with the command's name; the rest is the message.
_ERROR_PREFIX = "ERROR: (gcloud.auth.application-default.print-access-token)"


def find_gcloud(ctx: FetchContext) -> Optional[str]:
    """gcloud on the context's PATH (on Windows also its default install folder)."""
    path = ctx.environ.get("PATH")
    found = shutil.which("gcloud", path=path) if path else None
    if found is None and ctx.platform.startswith("win") and WINDOWS_GCLOUD.is_file():
        found = str(WINDOWS_GCLOUD)
    return found


class GcloudTokens(TokenSource):
    """One token printed by gcloud for this run."""

    def __init__(self, ctx: FetchContext, gcloud: str) -> None:
        self.ctx = ctx
        self.gcloud = gcloud

    def token(self) -> str:
        return print_access_token(self.ctx, self.gcloud)

    def rejected_hint(self) -> str:
        return LOGIN_HINT


class VertexGcloud(Strategy):
    """Application Default Credentials through gcloud."""

    name = "gcloud"
    label = "gcloud application-default token"
    program = "gcloud"

    def available(self, ctx: FetchContext) -> bool:
        return adc_path(ctx).is_file() and find_gcloud(ctx) is not None

    def explain(self, ctx: FetchContext) -> str:
        gcloud = find_gcloud(ctx)
        if gcloud is None:
            return "gcloud not found on PATH"
        path = adc_path(ctx)
        if not path.is_file():
            return f"gcloud at {gcloud}, but no Application Default Credentials ({path})"
        return f"gcloud at {gcloud} with Application Default Credentials in {path}"

    def run(self, ctx: FetchContext) -> FetchResult:
        gcloud = find_gcloud(ctx)
        if gcloud is None:
            raise VibeusageError(
                "gcloud is not installed", ErrorCategory.AUTHENTICATION, remediation=SETUP_HINT
            )
        try:
            projects = resolve_projects(ctx, _adc_hints(adc_path(ctx)))
        except VibeusageError as exc:
            return FetchResult.fatal(exc)
        account = core_properties(ctx).get("account")
        snapshot = fetch_quotas(
            ctx, projects, GcloudTokens(ctx, gcloud), source=self.name, email=lambda: account
        )
        return FetchResult.ok(snapshot)


def _adc_hints(path: Path) -> Optional[Adc]:
    """The ADC file's projects, when it can be read (gcloud reports its own problems)."""
    try:
        return parse_adc(read_tool_json(path, "Application Default Credentials", SETUP_HINT), path)
    except VibeusageError:
        return None


def print_access_token(ctx: FetchContext, gcloud: str) -> str:
    """The token gcloud prints, or an error built from gcloud's first line of stderr."""
    code, out, err = run_gcloud(ctx, gcloud, min(TIMEOUT, max(1.0, ctx.timeout - 1.0)))
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if code == 0 and len(lines) == 1 and _looks_like_token(lines[0]):
        return lines[0]
    if code == 0:
        raise VibeusageError(
            "gcloud printed no access token",
            ErrorCategory.PARSE if lines else ErrorCategory.PROVIDER,
            remediation="Run `gcloud auth application-default print-access-token` to see why.",
        )
    raise gcloud_error(code, err)


def gcloud_error(code: int, stderr: str) -> VibeusageError:
    """A failed ``print-access-token`` explained (gcloud's own words, first line)."""
    first = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
    if first.startswith(_ERROR_PREFIX):
        first = first[len(_ERROR_PREFIX) :].strip()
    first = redact(" ".join(first.split()))
    if len(first) > MAX_DETAIL:
        first = first[: MAX_DETAIL - 1] + "…"
    detail = f": {first}" if first else f" (exit code {code})"
    relogin = any(marker in stderr.lower() for marker in RELOGIN_MARKERS)
    return VibeusageError(
        f"gcloud could not print an access token{detail}",
        ErrorCategory.AUTHENTICATION if relogin else ErrorCategory.PROVIDER,
        remediation=(
            LOGIN_HINT
            if relogin
            else "Run `gcloud auth application-default print-access-token` to see why."
        ),
    )


def run_gcloud(ctx: FetchContext, gcloud: str, cap: float) -> Tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``gcloud auth application-default print-access-token``."""
    import subprocess
    import tempfile

    from ...kit.processes import spawn_group, terminate_group

    with tempfile.TemporaryDirectory(prefix="vibeusage-gcloud-") as workdir:
        try:
            process = spawn_group(
                [gcloud, *ARGS],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=workdir,
                env=dict(ctx.environ),
            )
        except OSError as exc:
            raise VibeusageError(
                f"Cannot run gcloud ({exc.strerror or type(exc).__name__})",
                ErrorCategory.PROVIDER,
                remediation="Check the Google Cloud SDK installation (`gcloud --version`).",
            ) from exc
        try:
            out, err = process.communicate(timeout=cap)
        except subprocess.TimeoutExpired as exc:
            raise VibeusageError(
                f"gcloud did not print an access token within {cap:.0f} s",
                ErrorCategory.NETWORK,
                remediation="Retry later; gcloud may be waiting for the network.",
            ) from exc
        finally:
            terminate_group(process)
            _close(process)
    return process.returncode or 0, _text(out), _text(err)


def _close(process: Any) -> None:
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


def _text(data: Any) -> str:
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else ""


def _looks_like_token(text: str) -> bool:
    return opt_str(text) is not None and text.isprintable() and " " not in text
