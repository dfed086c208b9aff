"""MiniMax's ``api_key`` strategy: the Token Plan endpoint, the legacy path, both sites.

Attempt order, stopping at the first answer: ``/v1/token_plan/remains`` on the start host;
the legacy ``coding_plan/remains`` on the same host when the first path answered 404/405,
rejected the key, or sent no ``model_remains``; then, when no region is configured and the
start host rejected the key, the same on the other host. A Cloudflare block page is a
network problem, never a rejected key, and stops at once like every other failure.
"""

from datetime import datetime
from typing import Any, Mapping, Optional

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.api_keys import FoundKey, clean_key
from ...kit.cloudflare import cloudflare_block
from ...kit.envelope import shown_text
from ...kit.http import Http, decoding, json_or_none
from ...kit.regions import first_answer, is_rejection
from ...models import UsageSnapshot
from ...timeparse import utcnow
from ..base import FetchContext
from ..regional_key import RegionalKeyStrategy
from .keys import PROVIDER_ID, STORED, find_key, stored_key_path
from .refusals import (
    CLOUDFLARE_ADVICE,
    NAME,
    body_error,
    is_pay_as_you_go,
    key_rejected,
    no_plan_endpoint,
)
from .usage import lanes_of, parse_remains

REGIONS = ("global", "cn")
HOSTS = {"global": "https://api.minimax.io", "cn": "https://api.minimaxi.com"}
TOKEN_PLAN_PATH = "/v1/token_plan/remains"
CODING_PLAN_PATH = "/v1/api/openplatform/coding_plan/remains"
WHAT = "MiniMax plan quota"
NO_ENDPOINT = (404, 405)
PLAN_KEY_PREFIXES = ("sk-cp-", "eyJ")
MIN_KEY_LENGTH = 20


def request_headers(key: str) -> Mapping[str, str]:
    return {"Authorization": f"Bearer {key}", "Accept": "application/json"}


class MiniMaxApiKey(RegionalKeyStrategy):
    """A MiniMax plan key against the ``remains`` endpoints."""

    label = "MiniMax plan API key"
    provider_id = PROVIDER_ID
    regions = REGIONS
    hosts = HOSTS
    no_key_message = "No MiniMax API key found"
    no_key_remediation = "Set MINIMAX_API_KEY, or store a key with `vibeusage key minimax set`."

    def find_key(self, ctx: FetchContext) -> Optional[FoundKey]:
        return find_key(ctx)

    def no_key_explanation(self, ctx: FetchContext) -> str:
        return (
            "no key: set MINIMAX_API_KEY or store one with `vibeusage key minimax set` "
            f"({stored_key_path(ctx)})"
        )

    def key_remark(self, found: FoundKey) -> str:
        return " (a pay-as-you-go key: it has no plan quota)" if _payg(found) else ""

    def ask_region(self, http: Http, region: str, found: FoundKey, now: datetime) -> UsageSnapshot:
        return ask_region(http, region, found, now)


def ask_region(http: Http, region: str, found: FoundKey, now: datetime) -> UsageSnapshot:
    """The snapshot from one host: the Token Plan path, then the legacy one when it says so."""
    base = HOSTS[region]
    first: Optional[VibeusageError] = None
    try:
        payload = ask_path(http, base + TOKEN_PLAN_PATH, region, found)
    except VibeusageError as exc:
        if not (is_rejection(exc) or exc.status_code in NO_ENDPOINT):
            raise
        first = exc
    else:
        if lanes_of(payload) is not None:
            return _parse(payload, now)
    try:
        payload = ask_path(http, base + CODING_PLAN_PATH, region, found)
    except VibeusageError as exc:
        if (
            first is not None
            and is_rejection(first)
            and (is_rejection(exc) or exc.status_code in NO_ENDPOINT)
        ):
            raise first from None  # the start of the story: the key was refused
        if first is not None and exc.status_code in NO_ENDPOINT:
            raise no_plan_endpoint(found.where, region, exc.status_code or 404) from None
        raise
    if lanes_of(payload) is None:
        raise parse_error(NAME, "no model_remains in either quota answer")
    return _parse(payload, now)


def ask_path(http: Http, url: str, region: str, found: FoundKey) -> Any:
    """One GET: the decoded answer, or its refusal raised (a block page, a status, the body)."""
    response = http.get(url, what=WHAT, headers=request_headers(found.api_key), ok=range(100, 600))
    block = cloudflare_block(response, NAME, CLOUDFLARE_ADVICE)
    if block is not None:
        raise block
    status = response.status_code
    if status in (401, 403):
        body = json_or_none(response)
        error = body_error(body, found.where, region, _payg(found))
        if error is not None and is_rejection(error):
            raise VibeusageError(
                error.message, error.category, remediation=error.remediation, status_code=status
            )
        message = shown_text(body.get("status_msg")) if isinstance(body, dict) else ""
        detail = f"HTTP {status}" + (f": {message}" if message else "")
        raise key_rejected(detail, found.where, region, _payg(found), status)
    if status in NO_ENDPOINT:
        raise VibeusageError(
            f"MiniMax has no such quota path (HTTP {status})",
            ErrorCategory.NOT_FOUND,
            status_code=status,
        )
    if status != 200:
        raise http.error(response)
    payload = http.json(response, WHAT)
    error = body_error(payload, found.where, region, _payg(found))
    if error is not None:
        raise error
    return payload


def _parse(payload: Any, now: datetime) -> UsageSnapshot:
    with decoding(NAME, WHAT):
        return parse_remains(payload, now)


def _payg(found: FoundKey) -> bool:
    return is_pay_as_you_go(found.api_key)


# --- the key a user can store ---------------------------------------------------------------


def key_problem(value: str) -> Optional[str]:
    """Why ``value`` does not look like a MiniMax plan key, or None when it does."""
    text = value.strip()
    if text.lower().startswith("bearer "):
        return "paste only the key, without `Bearer `"
    if is_pay_as_you_go(text):
        return "this is a pay-as-you-go key; the plan quota needs the Token Plan key (`sk-cp-…`)"
    if not text.startswith(PLAN_KEY_PREFIXES):
        return "a MiniMax plan key starts with `sk-cp-`"
    if any(c.isspace() for c in text) or len(text) < MIN_KEY_LENGTH:
        return "the value looks truncated or contains spaces"
    return None


def validate_key(session: Any, value: str) -> Optional[str]:
    """The requests of a fetch without a region: None when the key reads a quota, else why."""
    found = FoundKey(clean_key(value) or "", STORED, "this key")
    http = Http(session, NAME)
    try:
        first_answer(REGIONS, lambda region: ask_region(http, region, found, utcnow()))
    except VibeusageError as exc:
        if exc.category is ErrorCategory.NETWORK:
            raise  # unreachable is not the key's fault: a network error naming host and cause
        return exc.message
    return None
