"""Guard's output: one human line per result and the JSON document (§2.2)."""

from decimal import Decimal
from typing import Any, Dict, Optional, Union

from ..models import SCHEMA_VERSION
from ..pace.document import json_number
from .decision import BELOW_MINIMUM, GuardOutcome, GuardResult


def percent_text(number: Decimal) -> str:
    """Whole numbers without decimals, else one: ``37``, ``12.5``."""
    return str(json_number(number, 1))


def result_line(result: GuardResult, min_remaining: Decimal, unicode: bool = True) -> str:
    """``codex weekly (gpt-5-codex): 6% remaining — BLOCKED (minimum 10%)``."""
    label = result.provider
    if result.period_type is not None:
        label += f" {result.period_type}"
    if result.period is not None and result.period.model:
        label += f" ({result.period.model})"
    left = result.remaining_percent
    amount = "unknown" if left is None else f"{percent_text(left)}% remaining"
    detail = f"minimum {percent_text(min_remaining)}%"
    if result.reason is not None and result.reason != BELOW_MINIMUM:
        detail += f"; {result.reason}"
    dash = "—" if unicode else "-"
    return f"{label}: {amount} {dash} {result.decision.value.upper()} ({detail})"


def outcome_text(outcome: GuardOutcome, unicode: bool = True) -> str:
    """Every result line, newline-terminated (empty when there are none)."""
    lines = [result_line(r, outcome.min_remaining, unicode) for r in outcome.results]
    return "".join(line + "\n" for line in lines)


def outcome_document(outcome: GuardOutcome) -> Dict[str, Any]:
    """The ``--json`` document: decision, exit code, minimum and one object per result."""
    return {
        "schema_version": SCHEMA_VERSION,
        "decision": outcome.decision.value,
        "exit_code": outcome.exit_code,
        "min_remaining_percent": json_number(outcome.min_remaining, 2),
        "results": [result_document(result) for result in outcome.results],
    }


def result_document(result: GuardResult) -> Dict[str, Any]:
    period, pace, check = result.period, result.pace, result.for_check
    resets_at = None if period is None or period.resets_at is None else period.resets_at
    return {
        "provider": result.provider,
        "window": None if period is None else period.name,
        "period_type": result.period_type,
        "remaining_percent": _percent(result.remaining_percent),
        "decision": result.decision.value,
        "reason": result.reason,
        "resets_at": None if resets_at is None else resets_at.isoformat(),
        "source": result.source,
        "stale": result.stale,
        "eta_seconds": None if pace is None else pace.eta_seconds,
        "for_check": None
        if check is None
        else {
            "duration_seconds": check.duration_seconds,
            "projected_used_percent": _percent(check.projected_used_percent, 1),
            "ok": check.ok,
        },
    }


def _percent(number: Optional[Decimal], places: int = 2) -> Union[int, float, None]:
    return None if number is None else json_number(number, places)
