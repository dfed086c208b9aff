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
from .layout import wrap
from .money import format_overage
from .style import BOLD, DIM, GREEN, RED, YELLOW, Style
from .usage_grid import BAR_WIDTH, INDENT, Grid, Plain

__all__ = ["Style", "bar", "pace_mark", "render_errors", "render_results", "usage_color"]

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


def bar(utilization: int, style: Style, width: int = BAR_WIDTH) -> str:
    """A bar ``width`` cells wide with ``utilization`` percent of them filled (rounded)."""
    filled = max(0, min(width, (utilization * width + 50) // 100))
    return style.full * filled + style.empty * (width - filled)


def pace_mark(period: UsagePeriod, now: datetime, pace_colors: bool = True) -> str:
    """What stands for the colour when there is none: ``!`` for yellow, ``!!`` for red."""
    return {YELLOW: "!", RED: "!!"}.get(usage_color(period, now, pace_colors), "")


def render_results(results: Sequence[ProviderResult], now: datetime, style: Style) -> str:
    """The default view: a block per provider with data, then the errors.

    The blocks share their columns, so bars and percentages line up across providers.
    """
    shown = [r for r in results if r.snapshot is not None]
    plain = [_plain_cells(p, now, style) for r in shown if r.snapshot for p in r.snapshot.periods]
    grid = Grid.measure(plain, style.width)
    blocks = [_provider_block(r, now, style, grid) for r in shown]
    errors = [r for r in results if r.error is not None]
    text = "\n\n".join(blocks)
    if errors:
        text = (text + "\n\n" if text else "") + render_errors(errors, style)
    return text + "\n" if text else ""


def _plain_cells(period: UsagePeriod, now: datetime, style: Style) -> Plain:
    """A window's name, percentage, pace mark (only without colour) and reset phrase.

    A window whose reset has passed shows 0 % and no mark; its reset phrase keeps the
    last reading.
    """
    current = period.as_of(now)
    mark = "" if style.color else pace_mark(current, now, style.pace_colors)
    return (
        period.name,
        f"{current.utilization}%",
        mark,
        format_reset(period, now, style.reset_format),
    )


def _provider_block(result: ProviderResult, now: datetime, style: Style, grid: Grid) -> str:
    snapshot = result.snapshot
    assert snapshot is not None
    header = style.paint(result.provider.name, BOLD)
    age = format_age(now - snapshot.fetched_at)
    if result.stale:
        header += " " + style.paint(f"(stale, {age} old)", YELLOW)
    elif result.cached and style.verbose:
        header += " " + style.paint(f"(cached, {age} old)", DIM)
    lines = [header]
    forecast = snapshot_pace(snapshot.periods, now)
    for period, pace in zip(snapshot.periods, forecast.paces):
        current = period.as_of(now)  # a window whose reset has passed is shown empty
        color = usage_color(current, now, style.pace_colors)
        name, percent, mark, reset = _plain_cells(period, now, style)
        drawn = style.paint(bar(current.utilization, style, grid.bar), color)
        cells = (name, drawn, style.paint(percent, color), mark, reset)
        text = summary(pace, style.sep) if style.verbose and pace is not None else None
        lines.extend(grid.lines(cells, text, style.width))
    if not snapshot.periods:
        lines.append(INDENT + "no usage windows reported")
    binding, binding_pace = forecast.binding, forecast.binding_pace
    if binding is not None and binding_pace is not None:
        reset = format_reset(binding, now, style.reset_format)
        text = pace_line(binding.name, binding_pace, reset, style.sep)
        lines.extend(wrap(text, style.width, INDENT, INDENT + "  "))
    overage_line = format_overage(snapshot.overage)
    if overage_line:
        lines.extend(wrap(overage_line, style.width, INDENT, INDENT + "  "))
    if style.verbose:
        for text in _verbose_lines(result, now, style):
            lines.extend(wrap(text, style.width, INDENT, INDENT + "  "))
    return "\n".join(lines)


def _verbose_lines(result: ProviderResult, now: datetime, style: Style) -> List[str]:
    """The lines of ``-v`` under a provider's table, unindented (the caller wraps them)."""
    snapshot = result.snapshot
    assert snapshot is not None
    lines = []
    identity = snapshot.identity
    if identity is not None:
        parts = [
            f"{label}: {value}"
            for label, value in (
                ("Plan", identity.plan),
                ("Account", identity.email or identity.login),
                ("Organization", identity.organization),
            )
            if value
        ]
        if parts:
            lines.append(f" {style.sep} ".join(parts))
    fetched = snapshot.fetched_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    source = (
        f"Source: {snapshot.source} {style.sep} fetched {fetched} "
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
        lines.append("Attempts: " + "; ".join(tried))
    if snapshot.reset_credits is not None:
        lines.append(f"Limit resets available: {snapshot.reset_credits}")
    if snapshot.notes:
        lines.append("Notes: " + "; ".join(snapshot.notes))
    status = snapshot.status
    if status is not None:
        text = status.level.value.replace("_", " ")
        if status.description:
            text += f" ({status.description})"
        color = GREEN if status.level.value == "operational" else YELLOW
        lines.append(f"Status: {style.paint(text, color)}")
    lines.append(f"Dashboard: {result.provider.dashboard_url}")
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
            lines.extend(wrap(f"tried: {tried}", style.width, "    ", "      "))
    return "\n".join(lines)


def _error_lines(provider: Provider, error: VibeusageError, style: Style) -> List[str]:
    """The provider and its message (in red), then the remediation, wrapped to the width."""
    arrow = "→" if style.unicode else "->"
    lead = f"  {style.paint(provider.name, BOLD)}: "
    message = wrap(error.message, style.width, lead, "    ")
    lines = [message[0][: len(lead)] + style.paint(message[0][len(lead) :], RED)]
    lines += ["    " + style.paint(line[4:], RED) for line in message[1:]]
    if error.remediation:
        under = " " * (5 + len(arrow))
        lines.extend(wrap(f"{arrow} {error.remediation}", style.width, "    ", under))
    return lines
