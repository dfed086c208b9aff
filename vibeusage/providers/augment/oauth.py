"""Augment's ``oauth`` strategy: auggie's session asked directly for the billing summary.

One ``POST {tenantURL}get-billing-summary`` with ``{}``. A 401 or 403, a 400 (no
subscription) and a 429 stop the chain: the ``cli`` strategy would only hit the same wall,
and a 401 is exactly when auggie deletes its login. A 404, a server error, a network error
or an unexpected body lets ``cli`` try.
"""

import uuid
from typing import Any

from ...errors import ErrorCategory, VibeusageError, redact
from ...kit.http import Http, decoding, json_or_none
from ..base import FetchContext, FetchResult, Strategy
from .rejections import forget_rejection, mark_rejected, was_rejected
from .session import AugmentSession, has_session, load_session
from .usage import NAME, error_detail, parse_billing_summary

ENDPOINT = "get-billing-summary"
#: Statuses handled here rather than by the kit's generic wording.
HANDLED = (400, 401, 403, 404, 429)
RELOGIN = "Run `auggie login` to log in again."


def billing_summary_response(http: Http, session: AugmentSession) -> Any:
    """The tenant's answer to ``get-billing-summary`` (statuses of HANDLED returned too)."""
    return http.post(
        session.tenant_url + ENDPOINT,
        what="the billing summary",
        json={},
        headers={
            "Authorization": f"Bearer {session.access_token}",
            "Accept": "application/json",
            "x-request-id": str(uuid.uuid4()),
        },
        accept=HANDLED,
    )


def status_failure(ctx: FetchContext, response: Any, session: AugmentSession) -> FetchResult:
    """What a refused billing call means, and whether ``cli`` may still try."""
    status = response.status_code
    detail = error_detail(json_or_none(response))
    suffix = f": {redact(detail, secrets=[session.access_token])}" if detail else ""
    if status == 401:
        mark_rejected(ctx, session.access_token)
        return FetchResult.fatal(
            VibeusageError(
                f"Augment rejected the auggie login from {session.source} (HTTP 401){suffix}",
                ErrorCategory.AUTHENTICATION,
                remediation=RELOGIN,
                status_code=status,
            )
        )
    if status == 403:
        return FetchResult.fatal(
            VibeusageError(
                f"This Augment account cannot read billing (HTTP 403){suffix}",
                ErrorCategory.AUTHORIZATION,
                remediation="Check the account's role at https://app.augmentcode.com/account.",
                status_code=status,
            )
        )
    if status == 400:
        return FetchResult.fatal(
            VibeusageError(
                f"This Augment account has no subscription with a credit balance{suffix}",
                ErrorCategory.AUTHORIZATION,
                remediation="See https://app.augmentcode.com/account/subscription.",
                status_code=status,
            )
        )
    if status == 404:
        return FetchResult.fail(
            VibeusageError(
                f"This Augment tenant does not offer a billing summary (HTTP 404){suffix}",
                ErrorCategory.NOT_FOUND,
                status_code=status,
            )
        )
    return FetchResult.fatal(ctx.http.error(response))  # 429: rest until Retry-After


class AugmentOAuth(Strategy):
    """auggie's session (environment, vibeusage's store or ``~/.augment/session.json``)."""

    name = "oauth"
    label = "auggie login (session)"

    def available(self, ctx: FetchContext) -> bool:
        return has_session(ctx)

    def explain(self, ctx: FetchContext) -> str:
        try:
            session = load_session(ctx)
        except VibeusageError as exc:
            return f"{self.label}: {exc.message}"
        rejected = was_rejected(ctx, session.access_token)
        state = " (rejected by Augment last time)" if rejected else ""
        return f"{self.label}: from {session.source}{state}"

    def run(self, ctx: FetchContext) -> FetchResult:
        try:
            session = load_session(ctx)
        except VibeusageError as exc:
            return FetchResult.fatal(exc)  # auggie would get the same session
        response = billing_summary_response(ctx.http, session)
        if response.status_code != 200:
            return status_failure(ctx, response, session)
        payload = ctx.http.json(response, "the billing summary")
        with decoding(NAME, "the billing summary"):
            snapshot = parse_billing_summary(payload, ctx.now(), source=self.name)
        if was_rejected(ctx, session.access_token):
            forget_rejection(ctx)
        return FetchResult.ok(snapshot)
