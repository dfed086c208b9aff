"""Factory's API for both strategies: whoami (the region), billing limits, auth/me, legacy usage.

The organisation decides the host: whoami's ``region: "eu"`` means ``api.eu.factory.ai``,
anything else ``api.factory.ai`` (droid's rule). ``FACTORY_API_BASE_URL`` and friends, which
droid honours for on-prem and testing, are ignored: a key is sent to Factory's hosts only.
A whoami that answers 400/401/403 means the credential was rejected; any other whoami
failure only costs the region, which then defaults to the US host. The answer is cached a
day per credential, so a run makes two requests, not three.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Dict, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.http import decoding
from ...kit.values import fingerprint
from ...models import ProviderIdentity, UsageSnapshot
from ..base import FetchContext
from .usage import (
    NAME,
    Whoami,
    identity_user_id,
    parse_billing_limits,
    parse_identity,
    parse_legacy_usage,
    parse_whoami,
    uses_token_rate_billing,
)

log = logging.getLogger(__name__)

US_BASE = "https://api.factory.ai"
EU_BASE = "https://api.eu.factory.ai"
WHOAMI_URL = f"{US_BASE}/api/cli/whoami"
LIMITS_PATH = "/api/billing/limits"
AUTH_ME_PATH = "/api/app/auth/me"
LEGACY_PATH = "/api/organization/subscription/usage"
#: whoami statuses that mean "this credential was rejected" (droid's own reading).
REJECTED_STATUSES = (400, 401, 403)
WHOAMI_TTL = timedelta(hours=24)
KEY_REMEDIATION = (
    "Create a key at https://app.factory.ai/settings/api-keys, then `vibeusage key factory "
    "set` or set FACTORY_API_KEY."
)
DROID_REMEDIATION = "Run `droid` to log in again."


@dataclass(frozen=True, repr=False)
class Credential:
    """What is sent as the bearer token, and what is known about it before asking."""

    token: str
    #: ``api_key`` or ``droid``: decides the wording of a rejection.
    kind: str
    #: Where it came from, for messages (``FACTORY_API_KEY``, ``auth.v2.file``...).
    origin: str
    #: The droid login's active organisation (sent as ``X-Factory-Org-Id``).
    org_id: Optional[str] = None
    #: What droid stored from its own whoami, if anything (then whoami is not asked).
    whoami: Optional[Whoami] = None
    #: The login's user id when the token says it (JWT ``sub``).
    user_id: Optional[str] = None

    def __repr__(self) -> str:
        return f"Credential(kind={self.kind!r}, origin={self.origin!r})"


def headers(token: str, org_id: Optional[str]) -> Dict[str, str]:
    result = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if org_id:
        result["X-Factory-Org-Id"] = org_id
    return result


def rejected(credential: Credential, status: int) -> VibeusageError:
    """The authentication error of a refused credential, naming its source, never its value."""
    if credential.kind == "droid":
        message = f"Droid's login was rejected (HTTP {status})"
        remediation = DROID_REMEDIATION
    else:
        message = f"Factory rejected the API key from {credential.origin} (HTTP {status})"
        remediation = KEY_REMEDIATION
    return VibeusageError(
        message, ErrorCategory.AUTHENTICATION, remediation=remediation, status_code=status
    )


def base_url(whoami: Optional[Whoami]) -> str:
    return EU_BASE if whoami is not None and whoami.region == "eu" else US_BASE


def on_prem_error() -> VibeusageError:
    return VibeusageError(
        "On-prem Factory organisations are not supported",
        ErrorCategory.CONFIGURATION,
        remediation="vibeusage reads Factory's cloud hosts only (US and EU).",
    )


def account(ctx: FetchContext, credential: Credential) -> Optional[Whoami]:
    """Where the organisation lives: droid's stored whoami, the cache, else one whoami call."""
    if credential.whoami is not None:
        return credential.whoami
    cache = ctx.state.json_cache("whoami", ttl=WHOAMI_TTL)
    login = fingerprint(credential.token)
    cached = parse_whoami(cache.load(login, ctx.now()))
    if cached is not None:
        return cached
    found = ask_whoami(ctx, credential)
    if found is not None:
        try:
            cache.save(login, dict(found.to_dict()), ctx.now())
        except OSError as exc:
            log.debug("cannot cache Factory's whoami: %s", exc)
    return found


def ask_whoami(ctx: FetchContext, credential: Credential) -> Optional[Whoami]:
    """``/api/cli/whoami``: a rejection raises; any other failure is None (the US host)."""
    request_headers = headers(credential.token, credential.org_id)
    request_headers["X-Factory-Whoami-Extended"] = "true"
    try:
        response = ctx.http.get(
            WHOAMI_URL,
            what="the account's region",
            headers=request_headers,
            accept=REJECTED_STATUSES,
        )
    except VibeusageError as exc:
        log.debug("Factory whoami failed (%s); using %s", exc.category.value, US_BASE)
        return None
    if response.status_code in REJECTED_STATUSES:
        raise rejected(credential, response.status_code)
    try:
        return parse_whoami(ctx.http.json(response, "the account's region"))
    except VibeusageError:
        log.debug("Factory whoami answered something else than JSON; using %s", US_BASE)
        return None


def fetch_identity(ctx: FetchContext, base: str, credential: Credential) -> Any:
    """The auth/me answer, or None: who the account is never costs the usage."""
    try:
        return ctx.http.get_json(
            base + AUTH_ME_PATH,
            what="account details",
            headers=headers(credential.token, credential.org_id),
        )
    except VibeusageError as exc:
        log.debug("Factory auth/me failed: %s", exc.message)
        return None


def get_json(ctx: FetchContext, url: str, credential: Credential, what: str, **kwargs: Any) -> Any:
    """A GET whose 401/403 is this credential's rejection; other failures are the kit's."""
    response = ctx.http.get(
        url,
        what=what,
        headers=headers(credential.token, credential.org_id),
        accept=(401, 403),
        **kwargs,
    )
    if response.status_code in (401, 403):
        raise rejected(credential, response.status_code)
    return ctx.http.json(response, what)


def fetch_usage(ctx: FetchContext, credential: Credential, source: str) -> UsageSnapshot:
    """The snapshot for one credential: region, billing limits, identity, legacy allowance."""
    whoami = account(ctx, credential)
    if whoami is not None and whoami.on_prem:
        raise on_prem_error()
    base = base_url(whoami)
    limits = get_json(ctx, base + LIMITS_PATH, credential, "billing limits")
    me = fetch_identity(ctx, base, credential)
    identity: Optional[ProviderIdentity] = parse_identity(me)
    with decoding(NAME, "billing limits"):
        token_rate = uses_token_rate_billing(limits)
        if token_rate:
            return parse_billing_limits(limits, ctx.now(), identity=identity, source=source)
    user_id = (whoami.user_id if whoami else None) or identity_user_id(me) or credential.user_id
    legacy = fetch_legacy(ctx, base, credential, user_id)
    with decoding(NAME, "subscription usage"):
        return parse_legacy_usage(legacy, ctx.now(), identity=identity, source=source)


def fetch_legacy(
    ctx: FetchContext, base: str, credential: Credential, user_id: Optional[str]
) -> Any:
    """The token allowance of an account without token-rate billing (a 404: no usage)."""
    params = {"useCache": "true"}
    if user_id:
        params["userId"] = user_id
    try:
        return get_json(ctx, base + LEGACY_PATH, credential, "subscription usage", params=params)
    except VibeusageError as exc:
        if exc.status_code != 404:
            raise
        raise VibeusageError(
            "Factory has no usage data for this organisation",
            ErrorCategory.NOT_FOUND,
            remediation="Check the plan at https://app.factory.ai/settings/billing.",
            status_code=404,
        ) from exc
