"""``vibeusage status`` as text: one row per provider with a level symbol, or as JSON."""

from typing import Any, Dict, Mapping, Sequence

from ..models import ProviderStatus, StatusLevel
from ..providers.manifest import Provider
from .style import DIM, GREEN, RED, RESET, YELLOW

#: Level -> (Unicode symbol, ASCII symbol).
SYMBOLS = {
    StatusLevel.OPERATIONAL: ("●", "ok"),
    StatusLevel.DEGRADED: ("◐", "~"),
    StatusLevel.PARTIAL_OUTAGE: ("◑", "!"),
    StatusLevel.MAJOR_OUTAGE: ("○", "!!"),
    StatusLevel.UNKNOWN: ("?", "?"),
}
COLORS = {
    StatusLevel.OPERATIONAL: GREEN,
    StatusLevel.DEGRADED: YELLOW,
    StatusLevel.PARTIAL_OUTAGE: YELLOW,
    StatusLevel.MAJOR_OUTAGE: RED,
    StatusLevel.UNKNOWN: DIM,
}


def statuses_document(statuses: Mapping[str, ProviderStatus]) -> Dict[str, Any]:
    """``{provider id: status}`` for ``--json``."""
    return {pid: status.to_dict() for pid, status in statuses.items()}


def status_table(
    providers: Sequence[Provider],
    statuses: Mapping[str, ProviderStatus],
    color: bool,
    unicode: bool,
) -> str:
    """A row per provider: symbol, name, level, description, when the page last changed."""
    from tabulate import tabulate

    rows = []
    for provider in providers:
        status = statuses[provider.id]
        symbol = SYMBOLS[status.level][0 if unicode else 1]
        level = status.level.value.replace("_", " ")
        if color:
            symbol = f"{COLORS[status.level]}{symbol}{RESET}"
        updated = (
            status.updated_at.astimezone().strftime("%Y-%m-%d %H:%M") if status.updated_at else ""
        )
        rows.append([symbol, provider.name, level, status.description or "", updated])
    return tabulate(rows, headers=["", "provider", "status", "description", "updated"]) + "\n"
