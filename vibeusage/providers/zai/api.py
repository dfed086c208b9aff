"""Z.ai's ``api_key`` strategy: the quota endpoint, its fallback path, both regions.

Attempt order, stopping at the first answer: ``quota/limit`` on the start host, then (only
when the key was rejected there) ``/api/monitor/usage`` on the same host — some valid V3
Coding Plan keys are refused by the first path only — then, when no region is configured
and the start host rejected the key, the same two paths on the other host. Any other
failure stops at once; when every attempt rejected the key, the first rejection is shown.
"""

from datetime import datetime
from typing import Any, Mapping, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.api_keys import FoundKey, clean_key
from ...kit.envelope import shown_text
from ...kit.http import Http, decoding, json_or_none
from ...kit.regions import first_answer, is_rejection
from ...models import UsageSnapshot
from ...timeparse import utcnow
from ..base import FetchContext
from ..regional_key import RegionalKeyStrategy
from .keys import PROVIDER_ID, STORED, claude_settings_path, find_key, stored_key_path
from .refusals import NAME, body_error, key_rejected, no_quota
from .usage import parse_quota

REGIONS = ("global", "cn")
HOSTS = {"global": "https://api.z.ai", "cn": "https://open.bigmodel.cn"}
QUOTA_PATH = "/api/monitor/usage/quota/limit"
FALLBACK_PATH = "/api/monitor/usage"
WHAT = "Z.ai quota"
#: The shortest key that is not obviously truncated (real ones are about 49 characters).
MIN_KEY_LENGTH = 20


def request_headers(key: str) -> Mapping[str, str]:
    return {
        "Authorization": f"Bearer {key}",
        "Accept": "application/json",
        "Accept-Language": "en-US,en",  # English `msg` strings
    }


class ZaiApiKey(RegionalKeyStrategy):
    """A Z.ai / BigModel API key against the Coding Plan quota endpoint."""

    label = "Z.ai API key"
    provider_id = PROVIDER_ID
    regions = REGIONS
    hosts = HOSTS
    no_key_message = "No Z.ai API key found"
    no_key_remediation = "Set ZAI_API_KEY, or store a key with `vibeusage key zai set`."

    def find_key(self, ctx: FetchContext) -> Optional[FoundKey]:
        return find_key(ctx)

    def no_key_explanation(self, ctx: FetchContext) -> str:
        return (
            "no key: set ZAI_API_KEY, store one with `vibeusage key zai set` "
            f"({stored_key_path(ctx)}), or point Claude Code at Z.ai "
            f"({claude_settings_path(ctx)})"
        )

    def ask_region(self, http: Http, region: str, found: FoundKey, now: datetime) -> UsageSnapshot:
        return ask_region(http, region, found, now)


def ask_region(http: Http, region: str, found: FoundKey, now: datetime) -> UsageSnapshot:
    """The snapshot from one host: ``quota/limit``, then the fallback path after a rejection."""
    base = HOSTS[region]
    try:
        return ask_path(http, base + QUOTA_PATH, region, found, now)
    except VibeusageError as exc:
        if not is_rejection(exc):
            raise
        first = exc
    try:
        return ask_path(http, base + FALLBACK_PATH, region, found, now)
    except VibeusageError as exc:
        # The fallback path refusing too, or not existing, says nothing new.
        if is_rejection(exc) or exc.status_code in (404, 405):
            raise first from None
        raise


def ask_path(http: Http, url: str, region: str, found: FoundKey, now: datetime) -> UsageSnapshot:
    """One GET; its refusal (HTTP or in the body) raised, its limits parsed."""
    response = http.get(url, what=WHAT, headers=request_headers(found.api_key), accept=(401, 403))
    if response.status_code in (401, 403):
        body = json_or_none(response)
        message = shown_text(body.get("msg")) if isinstance(body, dict) else ""
        detail = f"HTTP {response.status_code}" + (f": {message}" if message else "")
        raise key_rejected(detail, found.where, region, response.status_code)
    payload = http.json(response, WHAT)
    error = body_error(payload, found.where, region)
    if error is not None:
        raise error
    with decoding(NAME, WHAT):
        snapshot = parse_quota(payload, now)
    if not snapshot.periods:
        raise no_quota(found.where, region)
    return snapshot


# --- the key a user can store ---------------------------------------------------------------


def key_problem(value: str) -> Optional[str]:
    """Why ``value`` does not look like a Z.ai key, or None (any other shape is accepted)."""
    text = value.strip()
    if text.lower().startswith("bearer "):
        return "paste only the key, without `Bearer `"
    if any(c.isspace() for c in text) or len(text) < MIN_KEY_LENGTH:
        return "the value looks truncated (a Z.ai key is `<id>.<secret>`, about 49 characters)"
    return None


def validate_key(session: Any, value: str) -> Optional[str]:
    """The requests of a fetch without a region: None when the key reads a quota, else why."""
    key = clean_key(value) or ""
    found = FoundKey(key, STORED, "this key")
    http = Http(session, NAME)
    try:
        first_answer(REGIONS, lambda region: ask_region(http, region, found, utcnow()))
    except VibeusageError as exc:
        if exc.category is ErrorCategory.NETWORK:
            raise  # unreachable is not the key's fault: a network error naming host and cause
        return exc.message
    return None
