"""The usage view as text: a table block per provider with pace-coloured bars, then errors."""

from datetime import datetime
from typing import List, Sequence

from ..errors import VibeusageError
from ..models import UsagePeriod
from ..pace.snapshot import snapshot_pace
from ..pace.text import pace_line, summary
from ..pipeline import ProviderResult
from ..providers.manifest import Provider
from .durations import format_age, format_reset
from .money import format_overage
from .style import BOLD, DIM, GREEN, RED, YELLOW, Style

__all__ = ["Style", "bar", "render_errors", "render_results", "usage_color"]

BAR_WIDTH = 20
PACE_GREEN = 1.15
PACE_YELLOW = 1.30
UTIL_YELLOW = 50
UTIL_RED = 80


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
    """A fixed-width bar with ``utilization`` percent of its cells filled (rounded)."""
    filled = min(BAR_WIDTH, (utilization * BAR_WIDTH + 50) // 100)
    return style.full * filled + style.empty * (BAR_WIDTH - filled)


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
    forecast = snapshot_pace(snapshot.periods, now)
    for period, pace in zip(snapshot.periods, forecast.paces):
        color = usage_color(period, now, style.pace_colors)
        row = [
            period.name,
            style.paint(bar(period.utilization, style), color),
            style.paint(f"{period.utilization}%", color),
            format_reset(period, now, style.reset_format),
        ]
        if style.verbose:
            row.append("" if pace is None else summary(pace, style.sep))
        rows.append(row)
    if rows:
        align = ("left", "left", "right", "left", "left")[: len(rows[0])]
        table = tabulate(rows, tablefmt="plain", colalign=align)
        lines.extend("  " + line.rstrip() for line in table.splitlines())
    else:
        lines.append("  no usage windows reported")
    binding, binding_pace = forecast.binding, forecast.binding_pace
    if binding is not None and binding_pace is not None:
        reset = format_reset(binding, now, style.reset_format)
        lines.append("  " + pace_line(binding.name, binding_pace, reset, style.sep))
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
    source = (
        f"  Source: {snapshot.source} {style.sep} fetched {fetched} "
        f"({format_age(now - snapshot.fetched_at)} ago)"
    )
    if result.login:
        source += f" {style.sep} login {result.login[:4]}{'…' if style.unicode else '...'}"
    lines.append(source)
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
    """The ``Errors`` section: each failed provider with its message and remediation."""
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
