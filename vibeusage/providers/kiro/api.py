"""Kiro's ``api`` strategy: kiro-cli's own token against ``GetUsageLimits``.

``POST`` to the endpoint of the **profile ARN's** region (not the token's ``region``, which
may differ), JSON 1.0 with ``X-Amz-Target: AmazonCodeWhispererService.GetUsageLimits`` and
``{"profileArn": …}``. An ARN that does not parse, or names a region without a known
endpoint, means no request at all: the token is never sent to a guessed host. The token
belongs to kiro-cli: an expired one is never refreshed here (kiro-cli renews it when run).
"""

from dataclasses import replace
from datetime import timedelta
from typing import Any, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.http import decoding
from ..base import FetchContext, FetchResult, Strategy
from .local import NAME, RENEW_HINT, state_db_path
from .state import KiroLogin, arn_region, read_login
from .usage import decode_limits, parse_usage_limits

#: Endpoint of each region Kiro serves profiles from.
ENDPOINTS = {
    "us-east-1": "https://codewhisperer.us-east-1.amazonaws.com/",
    "eu-central-1": "https://q.eu-central-1.amazonaws.com/",
}
TARGET = "AmazonCodeWhispererService.GetUsageLimits"
REQUEST_TIMEOUT = 10.0
#: A token this close to its expiry would die mid-request: leave it to kiro-cli to renew.
MIN_LIFETIME = timedelta(seconds=60)
REGION_HINT = 'Set region = "us-east-1" or "eu-central-1" in [providers.kiro].'

#: AWS error types (``__type`` after ``#``) that mean the token is not (or no longer) good.
_AUTH_ERRORS = (
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "InvalidTokenException",
    "InvalidSignatureException",
)


class KiroApi(Strategy):
    """kiro-cli's stored token, read only, against CodeWhisperer's ``GetUsageLimits``."""

    name = "api"
    label = "kiro-cli login (GetUsageLimits)"

    def available(self, ctx: FetchContext) -> bool:
        return state_db_path(ctx).is_file()

    def explain(self, ctx: FetchContext) -> str:
        path = state_db_path(ctx)
        if path.is_file():
            return f"{self.label}: kiro-cli state {path}"
        return f"{self.label}: no kiro-cli state at {path}"

    def run(self, ctx: FetchContext) -> FetchResult:
        import json

        login = read_login(state_db_path(ctx))
        now = ctx.now()
        if login.expires_at is not None and login.expires_at - now <= MIN_LIFETIME:
            raise VibeusageError(
                "kiro-cli's login has expired", ErrorCategory.AUTHENTICATION, remediation=RENEW_HINT
            )
        endpoint, arn = choose_endpoint(login, ctx.config.options.get("region"))
        read_timeout = min(REQUEST_TIMEOUT, ctx.timeout)
        response = ctx.http.post(
            endpoint,
            what="usage limits",
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": TARGET,
                "Authorization": f"Bearer {login.access_token}",
                "Accept": "application/json",
            },
            data=json.dumps({"profileArn": arn} if arn else {}),
            timeout=(read_timeout, read_timeout),
            allow_redirects=False,
            accept=(400,),
            remediation={401: RENEW_HINT, 403: RENEW_HINT},
        )
        if response.status_code == 400:
            raise aws_error(response)
        payload, problem = decode_limits(response.content)
        if problem is not None:
            raise parse_error(NAME, f"{problem} instead of usage limits")
        with decoding(NAME, "usage limits"):
            snapshot = parse_usage_limits(payload, now)
        if login.expiry_unreadable:
            notes = snapshot.notes + ("kiro-cli's login expiry could not be read",)
            snapshot = replace(snapshot, notes=notes)
        return FetchResult.ok(snapshot)


def choose_endpoint(login: KiroLogin, region_option: Any) -> Tuple[str, Optional[str]]:
    """The endpoint and profile ARN to ask; raises (before any request) when there is none."""
    if login.profile_arn is not None:
        region = arn_region(login.profile_arn)
        if region is None:
            raise VibeusageError(
                "Kiro's profile ARN in kiro-cli's state is not readable; nothing was sent",
                ErrorCategory.PROVIDER,
                remediation="Run `kiro-cli` once to select a profile, then retry.",
            )
        if region not in ENDPOINTS:
            raise VibeusageError(
                f"Kiro profile region {region} is not supported",
                ErrorCategory.PROVIDER,
                remediation="Only us-east-1 and eu-central-1 profiles are known; report it.",
            )
        return ENDPOINTS[region], login.profile_arn
    if region_option is None:
        raise VibeusageError(
            "kiro-cli's state names no Kiro profile, so the region to ask is unknown",
            ErrorCategory.NOT_FOUND,
            remediation=REGION_HINT,
        )
    if region_option not in ENDPOINTS:
        raise VibeusageError(
            f"[providers.kiro] region = {str(region_option)[:40]!r} is not a Kiro region",
            ErrorCategory.CONFIGURATION,
            remediation=REGION_HINT,
        )
    return ENDPOINTS[region_option], None


def aws_error(response: Any) -> VibeusageError:
    """The error a JSON 1.0 ``400`` answer names in ``__type`` (or ``x-amzn-ErrorType``)."""
    from ...kit.http import json_or_none

    body = json_or_none(response)
    kind = body.get("__type") if isinstance(body, dict) else None
    if not isinstance(kind, str):
        kind = response.headers.get("x-amzn-ErrorType", "")
    kind = str(kind).rpartition("#")[2].partition(":")[0].strip()[:80]
    if kind in _AUTH_ERRORS:
        return VibeusageError(
            f"Kiro rejected kiro-cli's login ({kind})",
            ErrorCategory.AUTHENTICATION,
            remediation=RENEW_HINT,
            status_code=400,
        )
    if kind == "AccessDeniedException":
        return VibeusageError(
            "Kiro refused access to usage data (AccessDeniedException)",
            ErrorCategory.AUTHORIZATION,
            remediation=RENEW_HINT,
            status_code=400,
        )
    if kind == "ThrottlingException":
        from ...kit.http_errors import DEFAULT_RETRY_AFTER

        return VibeusageError(
            "Kiro is rate limiting usage requests (ThrottlingException)",
            ErrorCategory.RATE_LIMITED,
            retry_after=DEFAULT_RETRY_AFTER,
            status_code=400,
        )
    return VibeusageError(
        f"Kiro refused the usage request (HTTP 400{', ' + kind if kind else ''})",
        ErrorCategory.PROVIDER,
        status_code=400,
    )
