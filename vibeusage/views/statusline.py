"""The one-line output (§5.1): plain, ansi, tmux, json and waybar, a template, a width limit.

Pure: line providers in (see ``statusline/oneline.py``), one line of text out (no newline).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

FORMATS = ("plain", "ansi", "tmux", "json", "waybar")
#: Formats that colour or report severity, so each window's pace is needed.
ASSESSED_FORMATS = ("ansi", "tmux", "json", "waybar")
TEMPLATE_FIELDS = ("provider", "id", "label", "name", "used", "left", "reset", "eta", "stale")
STALE_MARK = "~"
ELLIPSIS = "…"
PROVIDER_SEP = " | "
_SGR = {"ok": "\x1b[32m", "warning": "\x1b[33m", "critical": "\x1b[31m"}
_SGR_RESET = "\x1b[0m"
_TMUX = {"ok": "green", "warning": "yellow", "critical": "red"}
_RANK = {"ok": 0, "warning": 1, "critical": 2}


def template_fields(template: str) -> List[str]:
    """The fields ``template`` uses; ValueError naming an unknown one (or a broken brace)."""
    from string import Formatter

    fields = []
    for _, field, _, _ in Formatter().parse(template):
        if field is None:
            continue
        if field not in TEMPLATE_FIELDS:
            known = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
            raise ValueError(f"unknown template field {{{field}}} (known: {known})")
        fields.append(field)
    return fields


def compact_duration(seconds: Optional[float]) -> str:
    """``<1m``, ``45m``, ``2h10m``, ``3d4h`` (empty when unknown)."""
    if seconds is None:
        return ""
    whole = int(seconds)
    if whole < 60:
        return "<1m"
    minutes = whole // 60
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def render(
    providers: Sequence[Dict[str, Any]],
    fmt: str,
    now: float,
    template: Optional[str] = None,
    width: Optional[int] = None,
) -> str:
    """The line for ``providers`` in ``fmt``; ansi, tmux, json and waybar need assessed ones."""
    if fmt == "json":
        return _json(providers)
    groups = [
        (p["name"], [_window_text(p, w, now, template) for w in p["windows"]]) for p in providers
    ]
    severities = [[w.get("severity", "ok") for w in p["windows"]] for p in providers]
    if fmt == "waybar":
        return _waybar(providers, _fit(groups, severities, "plain", template, width), now)
    return _fit(groups, severities, fmt, template, width)


def _window_text(
    provider: Dict[str, Any], window: Dict[str, Any], now: float, template: Optional[str]
) -> str:
    stale = STALE_MARK if provider["stale"] else ""
    if template is None:
        return f"{window['label']} {_whole(window['used'])}%{stale}"
    resets = window["resets_at"]
    eta = window.get("eta_seconds")
    return template.format(
        provider=provider["name"],
        id=provider["provider"],
        label=window["label"],
        name=window["name"],
        used=_whole(window["used"]),
        left=100 - _whole(window["used"]) if window["used"] < 100 else 0,
        reset="" if resets is None else compact_duration(max(0.0, resets - now)),
        eta="" if eta is None else compact_duration(eta),
        stale=stale,
    )


def _fit(
    groups: List[Tuple[str, List[str]]],
    severities: List[List[str]],
    fmt: str,
    template: Optional[str],
    width: Optional[int],
) -> str:
    """Draw the groups; beyond ``width`` columns, windows are dropped from the end (``…``)."""
    total = sum(len(texts) for _, texts in groups)
    for keep in range(total, 0, -1):
        line = _draw(groups, severities, fmt, template, keep)
        cut = keep < total
        visible = _draw(groups, severities, "plain", template, keep) + (
            " " + ELLIPSIS if cut else ""
        )
        if width is None or len(visible) <= width:
            return line + (" " + ELLIPSIS if cut else "")
    if not total:
        return ""
    plain = _draw(groups, severities, "plain", template, total)
    return plain[: max(0, width - 1)] + ELLIPSIS if width else ""


def _draw(
    groups: List[Tuple[str, List[str]]],
    severities: List[List[str]],
    fmt: str,
    template: Optional[str],
    keep: int,
) -> str:
    parts = []
    for (name, texts), levels in zip(groups, severities):
        if keep <= 0:
            break
        texts, levels = texts[:keep], levels[:keep]
        keep -= len(texts)
        painted = [_paint(text, level, fmt) for text, level in zip(texts, levels)]
        # A template names the provider itself (``{provider}``); plain lines lead with it.
        parts.append(" ".join(painted) if template is not None else " ".join([name, *painted]))
    return (" " if template is not None else PROVIDER_SEP).join(parts)


def _paint(text: str, severity: str, fmt: str) -> str:
    if fmt == "ansi":
        return f"{_SGR.get(severity, '')}{text}{_SGR_RESET}"
    if fmt == "tmux":
        return f"#[fg={_TMUX.get(severity, 'default')}]{text}#[default]"
    return text


def _json(providers: Sequence[Dict[str, Any]]) -> str:
    from .json_dump import dumps_line

    return dumps_line({"providers": [_provider_json(p) for p in providers]})


def _provider_json(provider: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "provider": provider["provider"],
        "name": provider["name"],
        "source": provider["source"],
        "stale": provider["stale"],
        "fetched_at": _iso(provider["fetched_at"]),
        "windows": [
            {
                "name": w["name"],
                "label": w["label"],
                "period_type": w["period_type"],
                "model": w["model"],
                "used_percent": _number(w["used"]),
                "remaining_percent": _number(_remaining(w["used"])),
                "resets_at": _iso(w["resets_at"]),
                "severity": w.get("severity", "ok"),
                "eta_seconds": w.get("eta_seconds"),
            }
            for w in provider["windows"]
        ],
    }


def _waybar(providers: Sequence[Dict[str, Any]], text: str, now: float) -> str:
    from .json_dump import dumps_line

    worst = "ok"
    tooltip = []
    highest = 0.0
    for provider in providers:
        age = (
            ""
            if not provider["stale"]
            else f" (data from {_age(now - provider['fetched_at'])} ago)"
        )
        for window in provider["windows"]:
            severity = window.get("severity", "ok")
            if _RANK[severity] > _RANK[worst]:
                worst = severity
            highest = max(highest, window["used"])
            resets = window["resets_at"]
            when = (
                "" if resets is None else f", resets in {compact_duration(max(0.0, resets - now))}"
            )
            tooltip.append(
                f"{provider['name']} {window['name']}: {_whole(window['used'])}% used{when}{age}"
            )
    state = "stale" if any(p["stale"] for p in providers) else worst
    document = {
        "text": text,
        "tooltip": "\n".join(tooltip),
        "class": state,
        "alt": state,
        "percentage": _whole(highest),
    }
    return dumps_line(document)


def _age(seconds: float) -> str:
    return compact_duration(max(0.0, seconds))


def _whole(used: float) -> int:
    return int(used // 1)


def _remaining(used: float) -> float:
    from decimal import Decimal

    return float(Decimal(100) - Decimal(repr(used)))


def _number(value: float) -> Any:
    """Whole values as integers (42, not 42.0)."""
    return int(value) if value == int(value) else value


def _iso(epoch: Optional[float]) -> Optional[str]:
    if epoch is None:
        return None
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(int(epoch)))
