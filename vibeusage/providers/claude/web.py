"""Claude's ``web`` strategy: a claude.ai ``sessionKey`` that the user gave vibeusage.

The key lives in vibeusage's own credential store. Usage is per organisation: the first
organisation that can chat is chosen and its id cached in
``<cache>/providers/claude/organization.json`` (dropped when the usage endpoint answers
403/404, then chosen afresh once).
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, List, Optional, Tuple

from ...credentials import CredentialStore
from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.http import decoding
from ...kit.state import JsonCache
from ...kit.values import fingerprint
from ...models import ProviderIdentity
from ..base import FetchContext, FetchResult, Strategy
from .usage import NAME, parse_overage_spend_limit, parse_usage

WEB_API = "https://claude.ai/api"
SESSION_KEY = "session_key"
SESSION_KEY_PREFIX = "sk-ant-sid01-"
#: claude.ai answers browsers; a plain client User-Agent is often turned away.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
_PLANS = (("claude_max", "Max"), ("claude_pro", "Pro"))


def session_key_problem(value: str) -> Optional[str]:
    """Why ``value`` does not look like a claude.ai session key, or None when it does."""
    text = value.strip()
    if text.lower().startswith("sessionkey="):
        return "paste only the cookie's value, without `sessionKey=`"
    if not text.startswith(SESSION_KEY_PREFIX):
        return f"a claude.ai session key starts with `{SESSION_KEY_PREFIX}`"
    if len(text) < len(SESSION_KEY_PREFIX) + 20 or any(c.isspace() for c in text):
        return "the value looks truncated or contains spaces"
    return None


@dataclass(frozen=True)
class Organization:
    uuid: str
    name: Optional[str]
    capabilities: Tuple[str, ...]

    @property
    def plan(self) -> Optional[str]:
        for capability, plan in _PLANS:
            if capability in self.capabilities:
                return plan
        return None


class OrgIdCache:
    """The organisation chosen for a session key, so each run needs one request less.

    Kept in ``<cache>/providers/claude/organization.json`` for the key that chose it: another
    key (another account) never sees it.
    """

    def __init__(self, cache: JsonCache, session_key: str, clock: Callable[[], datetime]) -> None:
        self.cache = cache
        self.login = fingerprint(session_key)
        self.clock = clock

    @classmethod
    def for_session(cls, ctx: FetchContext, session_key: str) -> "OrgIdCache":
        return cls(ctx.state.json_cache("organization"), session_key, ctx.clock)

    def load(self) -> Optional[Organization]:
        data = self.cache.load(self.login, self.clock())
        if data is None or not isinstance(data.get("uuid"), str):
            return None
        return _organization(data)

    def save(self, org: Organization) -> None:
        data = {"uuid": org.uuid, "name": org.name, "capabilities": list(org.capabilities)}
        self.cache.save(self.login, data, self.clock())

    def clear(self) -> None:
        self.cache.forget()


class ClaudeWeb(Strategy):
    """claude.ai's own usage endpoints, with a stored ``sessionKey`` cookie."""

    name = "web"
    label = "claude.ai session key"

    def available(self, ctx: FetchContext) -> bool:
        return CredentialStore(ctx.paths).path("claude", SESSION_KEY).is_file()

    def explain(self, ctx: FetchContext) -> str:
        path = CredentialStore(ctx.paths).path("claude", SESSION_KEY)
        if path.is_file():
            return f"claude.ai session key stored in {path}"
        return "no claude.ai session key stored (`vibeusage key claude set`)"

    def run(self, ctx: FetchContext) -> FetchResult:
        stored = CredentialStore(ctx.paths).read("claude", SESSION_KEY)
        if stored is None:
            return FetchResult.fail(self._expired(ctx, "No claude.ai session key is stored"))
        cookie = f"sessionKey={stored.value}"
        cache = OrgIdCache.for_session(ctx, stored.value)
        org = cache.load()
        from_cache = org is not None
        if org is None:
            org = self._choose_org(ctx, cookie)
            cache.save(org)
        usage_url = f"{WEB_API}/organizations/{org.uuid}/usage"
        response = self._get(ctx, usage_url, cookie, accept=(403, 404) if from_cache else ())
        if response.status_code in (403, 404):
            cache.clear()  # the organisation went away or changed: choose again, once
            org = self._choose_org(ctx, cookie)
            cache.save(org)
            response = self._get(ctx, f"{WEB_API}/organizations/{org.uuid}/usage", cookie)
        payload = ctx.http.json(response, "usage data")
        identity = ProviderIdentity(organization=org.name, plan=org.plan)
        with decoding(NAME, "usage data"):
            snapshot = parse_usage(payload, ctx.now(), identity=identity, source=self.name)
        overage = self._overage(ctx, org, cookie)
        if overage is not None:
            snapshot = replace(snapshot, overage=overage)
        return FetchResult.ok(snapshot)

    # -- helpers ---------------------------------------------------------------------------

    def _get(self, ctx: FetchContext, url: str, cookie: str, accept: Tuple[int, ...] = ()) -> Any:
        """One claude.ai request; a refused session key says how to store a new one."""
        try:
            return ctx.http.get(
                url,
                what="usage data",
                headers={
                    "Cookie": cookie,
                    "User-Agent": BROWSER_USER_AGENT,
                    "Accept": "application/json",
                },
                accept=accept,
            )
        except VibeusageError as exc:
            if exc.status_code in (401, 403):
                raise self._expired(ctx, "claude.ai rejected the stored session key") from exc
            raise

    def _choose_org(self, ctx: FetchContext, cookie: str) -> Organization:
        response = self._get(ctx, f"{WEB_API}/organizations", cookie)
        payload = ctx.http.json(response, "the organisation list")
        with decoding(NAME, "the organisation list"):
            orgs = parse_organizations(payload)
        org = choose_organization(orgs)
        if org is None:
            raise VibeusageError(
                "This claude.ai session has no organisation",
                ErrorCategory.NOT_FOUND,
                remediation="Sign in to claude.ai with the account that has the plan.",
            )
        return org

    def _overage(self, ctx: FetchContext, org: Organization, cookie: str) -> Any:
        """The monthly extra-usage spend; None when there is none (404) or it cannot be read."""
        try:
            response = self._get(
                ctx, f"{WEB_API}/organizations/{org.uuid}/overage_spend_limit", cookie
            )
            with decoding(NAME, "the spend limit"):
                return parse_overage_spend_limit(response.json())
        except VibeusageError:  # the usage windows matter more than the spend line
            return None

    @staticmethod
    def _expired(ctx: FetchContext, message: str) -> VibeusageError:
        path = CredentialStore(ctx.paths).path("claude", SESSION_KEY)
        return VibeusageError(
            message,
            ErrorCategory.AUTHENTICATION,
            remediation=(
                "Sign in at claude.ai, copy the value of its `sessionKey` cookie and store it "
                f"with `vibeusage key claude set` (it is kept in {path})."
            ),
        )


def validate_session_key(session: Any, value: str) -> Optional[str]:
    """One request proving a session key works: None when it does, else why not."""
    try:
        response = session.get(
            f"{WEB_API}/organizations",
            headers={
                "Cookie": f"sessionKey={value}",
                "User-Agent": BROWSER_USER_AGENT,
                "Accept": "application/json",
            },
        )
    except Exception as exc:
        # Not the key's fault: a network error (exit 3) with network advice.
        from ...kit.http_errors import classify_exception

        raise classify_exception(exc, "Claude") from exc
    if response.status_code in (401, 403):
        return "claude.ai rejected this session key"
    if response.status_code != 200:
        return f"claude.ai answered HTTP {response.status_code}"
    try:
        orgs = parse_organizations(response.json())
    except (ValueError, VibeusageError):
        return "claude.ai answered with something other than an organisation list"
    return None if orgs else "this session has no organisation"


# --- parsers (pure) ----------------------------------------------------------------------


def parse_organizations(payload: Any) -> List[Organization]:
    """``[{uuid, name, capabilities: [...]}, ...]`` -> organisations (junk entries skipped)."""
    if not isinstance(payload, list):
        raise parse_error(NAME, "the organisation list is not a list")
    orgs = []
    for entry in payload:
        if isinstance(entry, dict) and isinstance(entry.get("uuid"), str) and entry["uuid"]:
            orgs.append(_organization(entry))
    return orgs


def choose_organization(orgs: List[Organization]) -> Optional[Organization]:
    """The first organisation that can chat (where plan limits live), else the first."""
    for org in orgs:
        if "chat" in org.capabilities:
            return org
    return orgs[0] if orgs else None


def _organization(entry: Any) -> Organization:
    capabilities = entry.get("capabilities")
    name = entry.get("name")
    return Organization(
        uuid=entry["uuid"],
        name=name if isinstance(name, str) and name else None,
        capabilities=tuple(c for c in capabilities if isinstance(c, str))
        if isinstance(capabilities, list)
        else (),
    )
