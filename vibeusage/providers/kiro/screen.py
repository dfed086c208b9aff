"""Reading kiro-cli's answers as text: ``whoami --format json`` and the ``/usage`` screen.

Screens seen (ANSI codes stripped first):

- 2.x: ``Estimated Usage | resets on 2026-06-01 | KIRO FREE``, an optional
  ``🎁 Bonus credits: 45.53/2000 credits used, expires in 19 days``, ``Credits (0.17 of 50
  covered in plan)``, a bar ending in ``0%``, then ``Overages: Disabled`` or ``Overages:
  Enabled  billed at $0.04 per request`` / ``Credits used: 40.29`` / ``Est. cost: $1.61 USD``;
- 1.x box: ``┃ … | KIRO FREE ┃``, ``Monthly credits:``, ``█… 100% (resets on 01/01)``,
  ``(0.00 of 50 covered in plan)``, ``Bonus credits:`` and ``0.00/100 credits used, expires
  in 88 days`` on the next line;
- 1.x lines: ``| KIRO PRO |``, ``█… 80%``, ``(40.00 of 50 covered in plan), resets on 02/01``;
- managed plans (1.24+): ``Plan: Q Developer Pro`` / ``Your plan is managed by admin``.

Exit codes mean nothing (``whoami`` exits 0 when logged out, ``/usage`` may exit 0 on an error
screen): the text decides.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import List, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...models import (
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    percent_used,
    periods_tuple,
    to_decimal,
)
from .local import LOGIN_HINT, NAME

MANAGED_NOTE = "Usage of this plan is managed by an administrator"
PARSE_HINT = (
    "kiro-cli's /usage output format may have changed (kiro-cli --version shows which "
    "release); report it."
)
BACKEND_HINT = "Kiro's service could not be reached by kiro-cli; retry later."

#: Case-insensitive signs of a kiro-cli that is not logged in.
LOGIN_MARKERS = (
    "not logged in",
    "login required",
    "failed to initialize auth portal",
    "kiro-cli login",
    "oauth error",
)
BACKEND_MARKERS = ("could not retrieve usage information from backend", "dispatch failure")
MANAGED_MARKERS = ("managed by admin", "managed by organization")

_NUMBER = r"(\d+(?:\.\d+)?)"
_BAR = re.compile(r"█+\s*" + _NUMBER + "%")
_CREDITS = re.compile(r"\(" + _NUMBER + r"\s+of\s+" + _NUMBER + r"\s+covered in plan\)")
_RESET = re.compile(r"resets on (\d{4}-\d{2}-\d{2}|\d{2}/\d{2})")
_PLANS = (
    re.compile(r"\|[ \t]*(KIRO[ \t]+[A-Z+]+)"),
    re.compile(r"Estimated Usage[ \t]*\|[^\n|]*\|[ \t]*([A-Z][A-Z0-9+ ]+)"),
    re.compile(r"Plan:[ \t]*(.+)"),
)
_BONUS = re.compile(r"Bonus credits:\s*" + _NUMBER + "/" + _NUMBER)
_EXPIRES = re.compile(r"expires in (\d{1,5}) days?")
_OVERAGES = re.compile(r"Overages:[ \t]*([^\n]+)")
_OVERAGE_CREDITS = re.compile(r"Credits used:\s*" + _NUMBER)
_COST = re.compile(r"Est\.\s*cost:\s*\$?" + _NUMBER + r"[ \t]*([A-Z]{3})?")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
#: Box-drawing frame around the 1.x screens (the ASCII ``|`` is content: ``| KIRO PRO |``).
_FRAME = " \t┃│║"


@dataclass(frozen=True)
class Whoami:
    """What ``kiro-cli whoami`` says: logged in or not, the email and the login method."""

    logged_in: bool
    email: Optional[str] = None
    #: ``IamIdentityCenter``, ``BuilderId``, ``Google``, ... (a note, not identity).
    login_method: Optional[str] = None


def parse_whoami(text: str) -> Optional[Whoami]:
    """The answer of ``kiro-cli whoami --format json`` (ANSI stripped), None when unreadable.

    Only the first line starting with ``{`` is JSON (a ``Profile:`` trailer follows it);
    ``{"account": null}`` means logged out. Older releases print ``Logged in with Google`` /
    ``Email: …`` or a bare email.
    """
    import json

    for line in text.splitlines():
        if not line.lstrip().startswith("{"):
            continue
        try:
            document = json.loads(line.strip())
        except ValueError:
            break
        if not isinstance(document, dict):
            break
        if "account" in document and not document["account"]:
            return Whoami(False)
        account = document.get("account")
        source = account if isinstance(account, dict) else document
        return Whoami(True, _text(source.get("email")), _text(source.get("accountType")))
    if login_required(text):
        return Whoami(False)
    method = re.search(r"Logged in with ([^\n]+)", text)
    email = _EMAIL.search(text)
    if method is None and email is None:
        return None
    return Whoami(
        True, email.group(0) if email else None, method.group(1).strip() if method else None
    )


def login_required(text: str) -> bool:
    """Whether kiro-cli's output says it is not logged in."""
    lowered = text.lower()
    return any(marker in lowered for marker in LOGIN_MARKERS)


def login_error(detail: str) -> VibeusageError:
    return VibeusageError(
        f"kiro-cli is not logged in ({detail})",
        ErrorCategory.AUTHENTICATION,
        remediation=LOGIN_HINT,
    )


def clean_screen(text: str) -> str:
    """The screen's lines without the 1.x box frame (ANSI codes already stripped)."""
    return "\n".join(line.strip(_FRAME) for line in text.splitlines())


def parse_usage_screen(
    text: str, now: datetime, zone: tzinfo, whoami: Optional[Whoami] = None
) -> UsageSnapshot:
    """The snapshot of a ``/usage`` screen (ANSI codes already stripped).

    ``zone`` is the machine's local time zone: "resets on" dates are local midnights.
    Raises the error the screen shows instead (login, backend) or a parse error.
    """
    try:
        return _parse_screen(text, now, zone, whoami)
    except (ArithmeticError, ValueError) as exc:  # numbers no screen shows (1e999 credits)
        error = parse_error(NAME, "the /usage screen could not be read")
        error.remediation = PARSE_HINT
        raise error from exc


def _parse_screen(
    text: str, now: datetime, zone: tzinfo, whoami: Optional[Whoami]
) -> UsageSnapshot:
    screen = clean_screen(text)
    lowered = screen.lower()
    plan = _plan(screen)
    notes: List[str] = []
    periods: List[UsagePeriod] = []
    monthly = _monthly(screen, now, zone, plan is not None)
    if monthly is not None:
        periods.append(monthly)
    bonus = _bonus(screen, now)
    if bonus is not None:
        periods.append(bonus)
    managed = any(marker in lowered for marker in MANAGED_MARKERS)
    if not periods and not managed:
        raise screen_error(screen)
    if managed and not periods:
        notes.append(MANAGED_NOTE)
    overage, overage_notes = _overage(screen)
    notes += overage_notes
    if whoami is not None and whoami.login_method:
        notes.append(f"kiro-cli login: {whoami.login_method}")
    identity = ProviderIdentity(
        email=whoami.email if whoami else None, plan=plan_title(plan) if plan else None
    )
    return UsageSnapshot(
        provider="kiro",
        fetched_at=now,
        periods=periods_tuple(periods),
        overage=overage,
        identity=identity if identity.email or identity.plan else None,
        source="cli",
        notes=tuple(notes),
    )


def screen_error(screen: str) -> VibeusageError:
    """The error a screen without usage shows: login, backend, or an unknown format."""
    if login_required(screen):
        return login_error("its /usage screen asks for a login")
    lowered = screen.lower()
    if any(marker in lowered for marker in BACKEND_MARKERS):
        return VibeusageError(
            "kiro-cli could not retrieve usage information from Kiro's service",
            ErrorCategory.PROVIDER,
            remediation=BACKEND_HINT,
        )
    error = parse_error(NAME, "no usage on kiro-cli's /usage screen")
    error.remediation = PARSE_HINT
    return error


def plan_title(plan: str) -> str:
    """``KIRO PRO+`` -> ``Kiro Pro+``; a title not in capitals (``Q Developer Pro``) as it is."""
    plan = " ".join(plan.split())
    if plan != plan.upper():
        return plan
    return " ".join(word[:1] + word[1:].lower() for word in plan.split(" "))


def _plan(screen: str) -> Optional[str]:
    for pattern in _PLANS:
        match = pattern.search(screen)
        if match is not None and match.group(1).strip():
            return match.group(1).strip()
    return None


def _monthly(screen: str, now: datetime, zone: tzinfo, has_plan: bool) -> Optional[UsagePeriod]:
    bar = _BAR.search(screen)
    credits = _CREDITS.search(screen)
    reset = _RESET.search(screen)
    # A bar alone is any progress bar (``/context`` has one): it needs the plan's context.
    if credits is None and (bar is None or not (has_plan or reset)):
        return None
    utilization = percent_used(bar.group(1)) if bar else None
    if utilization is None and credits is not None:
        utilization = _share(credits.group(1), credits.group(2))
    if utilization is None:
        return None
    resets_at = reset_time(reset.group(1), now, zone) if reset else None
    return UsagePeriod("Monthly credits", utilization, PeriodType.MONTHLY, resets_at)


def _bonus(screen: str, now: datetime) -> Optional[UsagePeriod]:
    match = _BONUS.search(screen)
    if match is None:
        return None
    utilization = _share(match.group(1), match.group(2))
    if utilization is None:
        return None
    expires = _EXPIRES.search(screen, match.end(), match.end() + 200)
    resets_at = now + timedelta(days=int(expires.group(1))) if expires else None
    return UsagePeriod("Bonus credits", utilization, PeriodType.MONTHLY, resets_at)


def _overage(screen: str) -> Tuple[Optional[OverageUsage], List[str]]:
    match = _OVERAGES.search(screen)
    if match is None:  # organisation accounts: no Overages section at all
        return None, []
    if not match.group(1).strip().lower().startswith("enabled"):
        return OverageUsage(used=Decimal("0.00"), limit=None, is_enabled=False), []
    notes = []
    credits = _OVERAGE_CREDITS.search(screen, match.end())
    if credits is not None:
        notes.append(f"Overage: {credits.group(1)} credits beyond the plan")
    cost = _COST.search(screen, match.end())
    used = to_decimal(cost.group(1)) if cost else Decimal("0.00")
    currency = (cost.group(2) if cost else None) or "USD"
    return OverageUsage(used=used, limit=None, currency=currency, is_enabled=True), notes


def _share(used_text: str, total_text: str) -> Optional[int]:
    used, total = to_decimal(used_text), to_decimal(total_text)
    if used is None or total is None or total <= 0:
        return None
    return percent_used(used / total * 100)


def reset_time(text: str, now: datetime, zone: tzinfo) -> Optional[datetime]:
    """A "resets on" date as the local midnight it means, in UTC; None when impossible.

    ``MM/DD`` is this year's date, or next year's when this year's has passed.
    """
    from datetime import timezone

    if "-" in text:
        try:
            return _midnight(date.fromisoformat(text), zone).astimezone(timezone.utc)
        except (ValueError, OverflowError):
            return None
    month, day_of_month = (int(part) for part in text.split("/"))
    local_year = now.astimezone(zone).year
    for year in (local_year, local_year + 1):
        try:
            candidate = _midnight(date(year, month, day_of_month), zone)
        except (ValueError, OverflowError):  # 02/29 in a common year, 13/01
            continue
        if candidate > now:
            return candidate.astimezone(timezone.utc)
    return None


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _text(value: object) -> Optional[str]:
    return value.strip() if isinstance(value, str) and value.strip() else None
