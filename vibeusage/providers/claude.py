"""Claude (Claude Code on Pro/Max/Team plans): metadata, strategies, then pure parsers.

See PROVIDERS.md (Claude). The OAuth chain belongs to Claude Code and its refresh token
rotates: vibeusage only reads ``.credentials.json`` and never refreshes it over HTTP.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ..errors import ErrorCategory, VibeusageError, classify_http_status, parse_error
from ..models import (
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    cents_to_major,
    percent_used,
    periods_tuple,
)
from ..timeparse import from_epoch, parse_iso
from .base import FetchContext, FetchResult, Provider, Strategy

NAME = "Claude"
USAGE_URL = "https://api.anthropic.com/api/oauth/usage"
OAUTH_BETA = "oauth-2025-04-20"
LOGIN_HINT = "Run `claude` once so Claude Code renews its login (or `claude login`), then retry."


# --- oauth strategy --------------------------------------------------------------------


@dataclass(frozen=True)
class ClaudeCredentials:
    """The parts of Claude Code's ``claudeAiOauth`` entry that vibeusage uses."""

    access_token: str
    expires_at: Optional[datetime]
    scopes: Tuple[str, ...]
    subscription_type: Optional[str]
    rate_limit_tier: Optional[str]


def credentials_path(ctx: FetchContext) -> Path:
    """``$CLAUDE_CONFIG_DIR/.credentials.json``, else ``~/.claude/.credentials.json``."""
    base = ctx.environ.get("CLAUDE_CONFIG_DIR")
    directory = Path(base).expanduser() if base else ctx.home / ".claude"
    return directory / ".credentials.json"


def read_credentials(path: Path) -> ClaudeCredentials:
    """Read (never write) Claude Code's credentials file."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError as exc:
        raise VibeusageError(
            f"Claude Code credentials not found at {path}",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        ) from exc
    except OSError as exc:
        raise VibeusageError(
            f"Cannot read Claude Code credentials {path}: {exc.strerror or exc}",
            ErrorCategory.AUTHENTICATION,
            remediation="Check the file's permissions.",
        ) from exc
    except ValueError as exc:
        raise VibeusageError(
            f"Claude Code credentials file {path} is not valid JSON",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        ) from exc
    return parse_credentials(data, path)


def parse_credentials(data: Any, path: Path) -> ClaudeCredentials:
    entry = data.get("claudeAiOauth") if isinstance(data, dict) else None
    token = entry.get("accessToken") if isinstance(entry, dict) else None
    if not isinstance(entry, dict) or not isinstance(token, str) or not token.strip():
        raise VibeusageError(
            f"No Claude Code OAuth token in {path}",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    scopes = entry.get("scopes")
    return ClaudeCredentials(
        access_token=token.strip(),
        expires_at=from_epoch(entry.get("expiresAt"), "ms"),
        scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
        subscription_type=_opt_str(entry.get("subscriptionType")),
        rate_limit_tier=_opt_str(entry.get("rateLimitTier")),
    )


class ClaudeOAuth(Strategy):
    """Claude Code's OAuth token against the usage endpoint."""

    name = "oauth"
    label = "Claude Code login"

    def available(self, ctx: FetchContext) -> bool:
        return credentials_path(ctx).is_file()

    def fetch(self, ctx: FetchContext) -> FetchResult:
        creds = read_credentials(credentials_path(ctx))
        now = ctx.now()
        if creds.expires_at is not None and creds.expires_at <= now:
            # A refresh would rotate Claude Code's refresh token and log it out; leave it
            # to Claude Code itself.
            return FetchResult.fail(
                VibeusageError(
                    "Claude Code's access token has expired",
                    ErrorCategory.AUTHENTICATION,
                    remediation=LOGIN_HINT,
                )
            )
        response = ctx.session.get(
            USAGE_URL,
            headers={
                "Authorization": f"Bearer {creds.access_token}",
                "anthropic-beta": OAUTH_BETA,
                "Accept": "application/json",
            },
            timeout=(min(10.0, ctx.timeout), ctx.timeout),
        )
        if response.status_code != 200:
            return FetchResult.fail(_http_error(response, creds))
        payload = _json_body(response)
        identity = ProviderIdentity(plan=plan_name(creds.subscription_type, creds.rate_limit_tier))
        return FetchResult.ok(parse_usage(payload, now, identity=identity, source=self.name))


def _http_error(response: Any, creds: ClaudeCredentials) -> VibeusageError:
    status = response.status_code
    remediation = None
    if status == 401:
        remediation = LOGIN_HINT
    elif status == 403:
        if "user:profile" not in creds.scopes:
            remediation = (
                "This token has only the `user:inference` scope (as made by "
                "`claude setup-token`), which cannot read usage. Log in with `claude` instead."
            )
        else:
            remediation = "Check that this Claude account has a Pro, Max or Team plan."
    return classify_http_status(
        status,
        NAME,
        retry_after=response.headers.get("Retry-After"),
        remediation=remediation,
    )


def _json_body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        content_type = response.headers.get("Content-Type", "")
        kind = "an HTML page" if "html" in content_type.lower() else "a body that is not JSON"
        raise parse_error(NAME, f"{kind} instead of usage data") from exc


# --- provider ----------------------------------------------------------------------------

PROVIDER = Provider(
    id="claude",
    name=NAME,
    homepage="https://claude.ai",
    dashboard_url="https://claude.ai/settings/usage",
    status_url="https://status.claude.com/api/v2/status.json",
    strategies=(ClaudeOAuth(),),
    setup_hint="Install Claude Code and log in by running `claude`; vibeusage reads its login.",
)


# --- parsers (pure) ------------------------------------------------------------------------

#: Known buckets: key -> (display name, period type, model).
KNOWN_BUCKETS: Dict[str, Tuple[str, PeriodType, Optional[str]]] = {
    "five_hour": ("Session (5h)", PeriodType.SESSION, None),
    "seven_day": ("Weekly", PeriodType.WEEKLY, None),
    "seven_day_sonnet": ("Weekly (Sonnet)", PeriodType.WEEKLY, "sonnet"),
    "seven_day_opus": ("Weekly (Opus)", PeriodType.WEEKLY, "opus"),
}

#: Keys that are not usage windows.
NON_BUCKET_KEYS = frozenset({"limits", "extra_usage"})

_PREFIX_TYPES = (
    ("five_hour_", "Session", PeriodType.SESSION),
    ("seven_day_", "Weekly", PeriodType.WEEKLY),
    ("one_day_", "Daily", PeriodType.DAILY),
    ("daily_", "Daily", PeriodType.DAILY),
    ("monthly_", "Monthly", PeriodType.MONTHLY),
)

_LIMIT_GROUPS = {
    "session": PeriodType.SESSION,
    "daily": PeriodType.DAILY,
    "weekly": PeriodType.WEEKLY,
    "monthly": PeriodType.MONTHLY,
}

_TIERS = (
    (re.compile(r"max_?20x"), "Max 20x"),
    (re.compile(r"max_?5x"), "Max 5x"),
    (re.compile(r"max"), "Max"),
    (re.compile(r"team"), "Team"),
    (re.compile(r"enterprise"), "Enterprise"),
    (re.compile(r"pro"), "Pro"),
    (re.compile(r"free"), "Free"),
)


def plan_name(subscription_type: Optional[str], rate_limit_tier: Optional[str]) -> Optional[str]:
    """Human plan name: the tier tells Max 5x from Max 20x, the subscription type the rest."""
    for text in (rate_limit_tier, subscription_type):
        if not text:
            continue
        lowered = text.lower()
        for pattern, name in _TIERS:
            if pattern.search(lowered):
                return name
    if subscription_type:
        return subscription_type.replace("_", " ").title()
    return None


def parse_usage(
    payload: Any,
    now: datetime,
    *,
    identity: Optional[ProviderIdentity] = None,
    source: str = "oauth",
) -> UsageSnapshot:
    """Map a Claude usage response (OAuth or web, same shape) to a snapshot.

    Raises the project's parse error when the payload is not a usage object at all.
    """
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"expected an object, got {type(payload).__name__}")
    periods: List[UsagePeriod] = []
    recognised = False
    for key, value in payload.items():
        if key in NON_BUCKET_KEYS:
            continue
        if key in KNOWN_BUCKETS:
            recognised = True
        period = _bucket_period(key, value, now)
        if period is not None:
            periods.append(period)
    limits = payload.get("limits")
    if isinstance(limits, list):
        recognised = True
        seen = {(p.period_type, (p.model or "").lower()) for p in periods}
        for entry in limits:
            period = _limit_period(entry)
            if period is None:
                continue
            slot = (period.period_type, (period.model or "").lower())
            if slot not in seen:
                seen.add(slot)
                periods.append(period)
    overage = parse_extra_usage(payload.get("extra_usage"))
    if not recognised and not periods and overage is None:
        raise parse_error(NAME, "no usage windows in the response")
    return UsageSnapshot(
        provider="claude",
        fetched_at=now,
        periods=periods_tuple(periods),
        overage=overage,
        identity=identity,
        source=source,
    )


def _bucket_period(key: str, value: Any, now: datetime) -> Optional[UsagePeriod]:
    if not isinstance(value, dict) or "utilization" not in value:
        return None  # null bucket: this plan has no such window
    utilization = percent_used(value.get("utilization"))
    if utilization is None:
        return None
    resets_at = parse_iso(value.get("resets_at"))
    if key in KNOWN_BUCKETS:
        name, period_type, model = KNOWN_BUCKETS[key]
    else:
        name, period_type, model = _unknown_bucket(key, resets_at, now)
    return UsagePeriod(name, utilization, period_type, resets_at, model)


def _unknown_bucket(
    key: str, resets_at: Optional[datetime], now: datetime
) -> Tuple[str, PeriodType, Optional[str]]:
    """Name and classify a bucket this version does not know (``seven_day_omelette``)."""
    for prefix, label, period_type in _PREFIX_TYPES:
        if key.startswith(prefix):
            rest = _humanise(key[len(prefix) :])
            return f"{label} ({rest})", period_type, key[len(prefix) :]
    if resets_at is not None and resets_at > now:
        period_type = PeriodType.from_seconds((resets_at - now).total_seconds())
    else:
        period_type = PeriodType.WEEKLY
    return _humanise(key), period_type, None


def _limit_period(entry: Any) -> Optional[UsagePeriod]:
    """A period from the newer ``limits[]`` list (``weekly_scoped`` = a per-model window)."""
    if not isinstance(entry, dict):
        return None
    utilization = percent_used(entry.get("percent"))
    if utilization is None:
        return None
    kind = _opt_str(entry.get("kind")) or ""
    group = _opt_str(entry.get("group")) or ""
    period_type = _LIMIT_GROUPS.get(group) or _LIMIT_GROUPS.get(kind.split("_")[0])
    if period_type is None:
        return None
    model = _scope_model(entry.get("scope"))
    if model is not None:
        name = f"{period_type.value.title()} ({model})"
    elif period_type is PeriodType.SESSION:
        name = "Session (5h)"
    else:
        name = period_type.value.title()
    return UsagePeriod(
        name,
        utilization,
        period_type,
        parse_iso(entry.get("resets_at")),
        model.lower() if model else None,
    )


def _scope_model(scope: Any) -> Optional[str]:
    if not isinstance(scope, dict):
        return None
    model = scope.get("model")
    if not isinstance(model, dict):
        return None
    for key in ("display_name", "id"):
        value = model.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def parse_extra_usage(value: Any) -> Optional[OverageUsage]:
    """Overage from ``extra_usage`` (amounts in cents; ``monthly_limit`` null = no cap)."""
    if not isinstance(value, dict):
        return None
    used = cents_to_major(value.get("used_credits"))
    limit = cents_to_major(value.get("monthly_limit"))
    enabled = value.get("is_enabled")
    if used is None and limit is None:
        return None
    currency = value.get("currency")
    return OverageUsage(
        used=used if used is not None else Decimal("0.00"),
        limit=limit,
        currency=currency if isinstance(currency, str) and currency else "USD",
        is_enabled=enabled if isinstance(enabled, bool) else True,
    )


def _humanise(key: str) -> str:
    return " ".join(part.capitalize() for part in key.split("_") if part) or key


def _opt_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None
