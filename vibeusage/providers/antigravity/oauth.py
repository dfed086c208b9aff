"""Antigravity's ``oauth`` strategy: a stored Google token against Cloud Code's quota summary.

``POST https://cloudcode-pa.googleapis.com/v1internal:retrieveUserQuotaSummary`` with
``{}``, ``User-Agent: antigravity`` (a default Python one is answered 403); agy itself asks
``daily-cloudcode-pa`` for the same, which is tried once when the first host cannot be
reached, answers 404 or a 5xx. Only an unexpired token is sent (one without a known expiry
is tried as is). Never called: ``onboardUser`` (it changes the account), Google's token
endpoint (the refresh tokens belong to agy and the IDE).
"""

from datetime import timedelta
from typing import Any, List, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.http import decoding
from ...models import ProviderIdentity
from ..base import FetchContext, FetchResult, Strategy
from .local import NAME, RENEW_HINT, SIGN_IN_HINT, agy_data_dir, ide_state_dbs
from .tokens import StoredToken, stored_tokens
from .usage import parse_summary

HOSTS = ("https://cloudcode-pa.googleapis.com", "https://daily-cloudcode-pa.googleapis.com")
QUOTA_PATH = "/v1internal:retrieveUserQuotaSummary"
USER_AGENT = "antigravity"
#: A token this close to its expiry would die mid-request: leave it to its owner to renew.
MIN_LIFETIME = timedelta(seconds=60)
REMEDIATION = {
    401: SIGN_IN_HINT,
    403: "This Google account's Antigravity limits are not available.",
}


class AntigravityOAuth(Strategy):
    """A token agy or the IDE stored (never refreshed) against Cloud Code's quota summary."""

    name = "oauth"
    label = "agy or Antigravity IDE login (Cloud Code)"

    def available(self, ctx: FetchContext) -> bool:
        return agy_data_dir(ctx).is_dir() or bool(ide_state_dbs(ctx))

    def explain(self, ctx: FetchContext) -> str:
        places = []
        if agy_data_dir(ctx).is_dir():
            places.append(f"agy data {agy_data_dir(ctx)}")
        places += [f"IDE state {path}" for path in ide_state_dbs(ctx)]
        if not places:
            return f"{self.label}: no agy data folder and no Antigravity IDE state"
        return f"{self.label}: {', '.join(places)}"

    def run(self, ctx: FetchContext) -> FetchResult:
        token = usable_token(ctx)
        payload = self._summary(ctx, token)
        identity = ProviderIdentity(email=token.email) if token.email else None
        with decoding(NAME, "the quota summary"):
            snapshot = parse_summary(payload, ctx.now(), self.name, identity)
        return FetchResult.ok(snapshot)

    def _summary(self, ctx: FetchContext, token: StoredToken) -> Any:
        first_error: Optional[VibeusageError] = None
        for host in HOSTS:
            try:
                return ctx.http.post_json(
                    host + QUOTA_PATH,
                    what="the quota summary",
                    json={},
                    headers={
                        "Authorization": f"Bearer {token.access_token}",
                        "Accept": "application/json",
                        "User-Agent": USER_AGENT,
                    },
                    remediation=REMEDIATION,
                )
            except VibeusageError as exc:
                if first_error is None:
                    first_error = exc
                    if _worth_the_other_host(exc):
                        continue
                    raise
                # The second host's definite answer says more than the first one's outage.
                if exc.category in _DEFINITE:
                    raise
                raise first_error from exc
        assert first_error is not None
        raise first_error


_DEFINITE = (
    ErrorCategory.AUTHENTICATION,
    ErrorCategory.AUTHORIZATION,
    ErrorCategory.RATE_LIMITED,
)


def _worth_the_other_host(error: VibeusageError) -> bool:
    """A connection failure, 404 or 5xx from the first host: the other one may answer."""
    if error.category is ErrorCategory.NETWORK:
        return True
    status = error.status_code or 0
    return status == 404 or status >= 500


def usable_token(ctx: FetchContext) -> StoredToken:
    """The first stored token not about to expire; raises when there is none."""
    now = ctx.now()
    expired: List[StoredToken] = []
    problems: List[str] = []
    for token in stored_tokens(ctx, problems):
        if token.expires_at is None or token.expires_at - now > MIN_LIFETIME:
            return token
        expired.append(token)
    if expired:
        sources = ", ".join(dict.fromkeys(token.source for token in expired))
        raise VibeusageError(
            f"The stored Antigravity login has expired ({sources})",
            ErrorCategory.AUTHENTICATION,
            remediation=RENEW_HINT,
        )
    if problems:
        raise VibeusageError(
            f"No usable Antigravity login: {problems[0]}",
            ErrorCategory.AUTHENTICATION,
            remediation=SIGN_IN_HINT,
        )
    raise VibeusageError(
        "No stored Antigravity login was found (agy keyring, token file or IDE state)",
        ErrorCategory.AUTHENTICATION,
        remediation="Open the Antigravity app, or install `agy` and run it once to sign in.",
    )
