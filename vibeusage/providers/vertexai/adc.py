"""Vertex AI's ``adc`` strategy: the ADC file's own login, with tokens made by vibeusage.

``authorized_user`` and ``service_account`` files are handled here; any other ADC type
(workload identity federation, impersonation, ...) is left to the ``gcloud`` strategy.
"""

from ...errors import ErrorCategory, VibeusageError
from ..base import FetchContext, FetchResult, Strategy
from .adc_tokens import AdcTokens
from .credentials import OtherCredentials, adc_path, explicit_path, read_adc
from .project import resolve_projects
from .quotas import fetch_quotas

MAX_TYPE = 60


class VertexAdc(Strategy):
    """Application Default Credentials read by vibeusage (refreshed or signed in memory)."""

    name = "adc"
    label = "Application Default Credentials"

    def available(self, ctx: FetchContext) -> bool:
        return adc_path(ctx).is_file()

    def explain(self, ctx: FetchContext) -> str:
        path = adc_path(ctx)
        if path.is_file():
            return f"Application Default Credentials in {path}"
        if explicit_path(ctx) is not None:
            return f"GOOGLE_APPLICATION_CREDENTIALS names {path}, which is not a file"
        return f"no Application Default Credentials ({path} not found)"

    def run(self, ctx: FetchContext) -> FetchResult:
        adc = read_adc(adc_path(ctx))
        if isinstance(adc, OtherCredentials):
            kind = adc.type if len(adc.type) <= MAX_TYPE else adc.type[:MAX_TYPE] + "…"
            raise VibeusageError(
                f"ADC type {kind} is used through gcloud",
                ErrorCategory.AUTHENTICATION,
                remediation=(
                    "Install the Google Cloud SDK so that vibeusage can run "
                    "`gcloud auth application-default print-access-token`."
                ),
            )
        try:
            projects = resolve_projects(ctx, adc)
        except VibeusageError as exc:
            return FetchResult.fatal(exc)  # the gcloud strategy would need a project too
        tokens = AdcTokens(ctx, adc)
        snapshot = fetch_quotas(ctx, projects, tokens, source=self.name, email=lambda: tokens.email)
        return FetchResult.ok(snapshot)
