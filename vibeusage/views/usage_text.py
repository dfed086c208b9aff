"""Text output: one tabulate block per provider, quiet lines, errors, the first-run guide."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import List, Optional, Sequence

from ..errors import VibeusageError
from ..models import OverageUsage, UsagePeriod
from ..pipeline import ProviderResult
from ..providers.base import Provider

BAR_WIDTH = 20
PACE_GREEN = 1.15
PACE_YELLOW = 1.30
UTIL_YELLOW = 50
UTIL_RED = 80

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"

_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class Style:
    """How to draw: colour on or off, Unicode or ASCII, countdown or absolute resets."""

    color: bool = False
    unicode: bool = True
    pace_colors: bool = True
    reset_format: str = "countdown"
    verbose: bool = False

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and code else text

    @property
    def full(self) -> str:
        return "█" if self.unicode else "#"

    @property
    def empty(self) -> str:
        return "░" if self.unicode else "-"

    @property
    def sep(self) -> str:
        return "·" if self.unicode else "-"


def usage_color(period: UsagePeriod, now: datetime, pace_colors: bool = True) -> str:
    """Green/yellow/red by pace (by utilisation when pace is unknown); 100 % is always red."""
    if period.utilization >= 100:
        return RED
    pace = period.pace_ratio(now) if pace_colors else None
    if pace is not None:
        if pace <= PACE_GREEN:
            return GREEN
        return YELLOW if pace <= PACE_YELLOW else RED
    if period.utilization >= UTIL_RED:
        return RED
    return YELLOW if period.utilization >= UTIL_YELLOW else GREEN


def bar(utilization: int, style: Style) -> str:
    filled = min(BAR_WIDTH, (utilization * BAR_WIDTH + 50) // 100)
    return style.full * filled + style.empty * (BAR_WIDTH - filled)


def format_countdown(delta: timedelta) -> str:
    """``4d 12h``, ``3h 45m``, ``45m`` or ``<1m``."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "<1m"
    minutes = seconds // 60
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def format_reset(period: UsagePeriod, now: datetime, reset_format: str = "countdown") -> str:
    left = period.time_until_reset(now)
    if period.resets_at is None or left is None:
        return ""
    if not left:
        return "reset due"
    if reset_format == "absolute":
        return "resets " + period.resets_at.astimezone().strftime("%a %d %b %H:%M")
    return "resets in " + format_countdown(left)


def format_age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    return format_countdown(delta)


def format_money(amount: Decimal, currency: str) -> str:
    sign = _CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{amount:,.2f}" if sign else f"{amount:,.2f} {currency}"


def format_overage(overage: Optional[OverageUsage]) -> str:
    """``Extra usage: $5.50 of $100.00 used`` / ``Credits: 12.50 left``; empty when idle."""
    if overage is None:
        return ""
    parts = []
    spent = overage.used if overage.used is not None else Decimal(0)
    if overage.used is not None and (overage.is_enabled or spent > 0):
        used = format_money(overage.used, overage.currency)
        if overage.limit is None:
            parts.append(f"{used} used (no limit)")
        else:
            parts.append(f"{used} of {format_money(overage.limit, overage.currency)} used")
    credits = overage.currency.lower() == "credits"
    if overage.unlimited:
        parts.append("unlimited")
    elif overage.balance is not None and (overage.is_enabled or overage.balance > 0):
        amount = (
            f"{overage.balance:,.2f}"
            if credits
            else format_money(overage.balance, overage.currency)
        )
        parts.append(f"{amount} left")
    if not parts:
        return ""
    label = "Credits" if credits else "Extra usage"
    state = "" if overage.is_enabled else " (disabled)"
    return f"{label}: {', '.join(parts)}{state}"


def render_results(results: Sequence[ProviderResult], now: datetime, style: Style) -> str:
    """The default view: a block per provider with data, then the errors."""
    blocks = [_provider_block(r, now, style) for r in results if r.snapshot is not None]
    errors = [r for r in results if r.error is not None]
    text = "\n\n".join(blocks)
    if errors:
        text = (text + "\n\n" if text else "") + render_errors(errors, style)
    return text + "\n" if text else ""


def _provider_block(result: ProviderResult, now: datetime, style: Style) -> str:
    from tabulate import tabulate

    snapshot = result.snapshot
    assert snapshot is not None
    header = style.paint(result.provider.name, BOLD)
    age = format_age(now - snapshot.fetched_at)
    if result.stale:
        header += " " + style.paint(f"(stale, {age} old)", YELLOW)
    elif result.cached and style.verbose:
        header += " " + style.paint(f"(cached, {age} old)", DIM)
    lines = [header]
    rows = []
    for period in snapshot.periods:
        color = usage_color(period, now, style.pace_colors)
        row = [
            period.name,
            style.paint(bar(period.utilization, style), color),
            style.paint(f"{period.utilization}%", color),
            format_reset(period, now, style.reset_format),
        ]
        if style.verbose:
            pace = period.pace_ratio(now)
            row.append("" if pace is None else f"pace {pace:.2f}")
        rows.append(row)
    if rows:
        align = ("left", "left", "right", "left", "left")[: len(rows[0])]
        table = tabulate(rows, tablefmt="plain", colalign=align)
        lines.extend("  " + line.rstrip() for line in table.splitlines())
    else:
        lines.append("  no usage windows reported")
    overage_line = format_overage(snapshot.overage)
    if overage_line:
        lines.append(f"  {overage_line}")
    if style.verbose:
        lines.extend(_verbose_lines(result, now, style))
    return "\n".join(lines)


def _verbose_lines(result: ProviderResult, now: datetime, style: Style) -> List[str]:
    snapshot = result.snapshot
    assert snapshot is not None
    lines = []
    identity = snapshot.identity
    if identity is not None:
        parts = [
            f"{label}: {value}"
            for label, value in (
                ("Plan", identity.plan),
                ("Account", identity.email),
                ("Organization", identity.organization),
            )
            if value
        ]
        if parts:
            lines.append("  " + f" {style.sep} ".join(parts))
    fetched = snapshot.fetched_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    lines.append(
        f"  Source: {snapshot.source} {style.sep} fetched {fetched} "
        f"({format_age(now - snapshot.fetched_at)} ago)"
    )
    if result.attempts:
        tried = []
        for attempt in result.attempts:
            mark = "ok" if attempt.success else "failed"
            detail = f": {attempt.error}" if attempt.error else ""
            tried.append(f"{attempt.strategy} {mark} in {attempt.duration_ms} ms{detail}")
        lines.append("  Attempts: " + "; ".join(tried))
    if snapshot.reset_credits is not None:
        lines.append(f"  Limit resets available: {snapshot.reset_credits}")
    if snapshot.notes:
        lines.append("  Not shown: " + "; ".join(snapshot.notes))
    status = snapshot.status
    if status is not None:
        text = status.level.value.replace("_", " ")
        if status.description:
            text += f" ({status.description})"
        color = GREEN if status.level.value == "operational" else YELLOW
        lines.append(f"  Status: {style.paint(text, color)}")
    lines.append(f"  Dashboard: {result.provider.dashboard_url}")
    return lines


def render_errors(results: Sequence[ProviderResult], style: Style) -> str:
    lines = [style.paint("Errors", BOLD)]
    for result in results:
        assert result.error is not None
        lines.extend(_error_lines(result.provider, result.error, style))
        if style.verbose and result.attempts:
            tried = ", ".join(
                f"{a.strategy} ({a.duration_ms} ms): {a.error or 'ok'}" for a in result.attempts
            )
            lines.append(f"    tried: {tried}")
    return "\n".join(lines)


def _error_lines(provider: Provider, error: VibeusageError, style: Style) -> List[str]:
    arrow = "→" if style.unicode else "->"
    lines = [f"  {style.paint(provider.name, BOLD)}: {style.paint(error.message, RED)}"]
    if error.remediation:
        lines.append(f"    {arrow} {error.remediation}")
    return lines


def render_quiet(
    results: Sequence[ProviderResult], now: datetime, reset_format: str = "countdown"
) -> str:
    """One line per period (and per error): easy to grep or feed to a status bar."""
    lines = []
    for result in results:
        if result.snapshot is not None:
            suffix = " (stale)" if result.stale else ""
            for period in result.snapshot.periods:
                reset = format_reset(period, now, reset_format)
                reset_part = f", {reset}" if reset else ""
                lines.append(
                    f"{result.provider_id} {period.name}: {period.utilization}%{reset_part}{suffix}"
                )
        if result.error is not None and result.snapshot is None:
            lines.append(f"{result.provider_id} error: {result.error.message}")
    return "\n".join(lines) + "\n" if lines else ""


def render_first_run(providers: Sequence[Provider], style: Style) -> str:
    """What a new user sees when no provider is connected yet."""
    from tabulate import tabulate

    rows = [[style.paint(p.name, BOLD), p.setup_hint] for p in providers]
    table = tabulate(rows, tablefmt="plain")
    lines = [
        "No provider is connected yet. vibeusage reads the logins of the tools you already use:",
        "",
        *("  " + line.rstrip() for line in table.splitlines()),
        "",
        "Then run `vibeusage` again; `vibeusage --help` lists every option.",
    ]
    return "\n".join(lines) + "\n"


def unicode_supported(encoding: Optional[str]) -> bool:
    try:
        ("█░·→").encode(encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True
