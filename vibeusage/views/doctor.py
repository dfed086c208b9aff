"""``vibeusage doctor`` as text or JSON, with anything that looks like a secret masked."""

from typing import Any, Dict, List, Optional

from ..errors import redact
from .gate_text import pause_phrase
from .json_dump import dumps
from .layout import wrap


def doctor_json(report: Dict[str, Any]) -> str:
    """The report as JSON, redacted."""
    return redact(dumps(report))


def doctor_text(report: Dict[str, Any], width: Optional[int] = None) -> str:
    """The report as indented lines, redacted, then wrapped to ``width`` with hanging indents.

    Each line is redacted before it is wrapped, so no secret is split where a mask would
    miss it.
    """
    out: List[str] = []
    for line in _lines(report):
        text = redact(line)
        body = text.lstrip(" ")
        indent = text[: len(text) - len(body)]
        out += wrap(body, width, indent, indent + "    ")
    return "\n".join(out) + "\n"


def _lines(report: Dict[str, Any]) -> List[str]:
    lines = [
        f"vibeusage {report['vibeusage']} on {report['implementation']} {report['python']}",
        f"platform: {report['platform']}",
        "paths:",
    ]
    for name, entry in report["paths"].items():
        lines.append(f"  {name}: {entry['path']} ({'exists' if entry['exists'] else 'missing'})")
    lines.append("environment:" if report["environment"] else "environment: no proxy settings")
    lines += [f"  {name}={value}" for name, value in report["environment"].items()]
    lines += [f"  PROBLEM: {problem}" for problem in report.get("problems", ())]
    config = report["config"]
    lines.append("config: valid" if config["valid"] else f"config: INVALID: {config['error']}")
    for pid, entry in report["providers"].items():
        state = "enabled" if entry["enabled"] else "disabled"
        lines.append(f"{pid} ({state}, auth_source={entry['auth_source']}):")
        lines += [f"  {reason}" for reason in entry["strategies"]]
        for name, gate in entry["cache"]["gate"].items():
            until = pause_phrase(gate["closed_until"])
            lines.append(f"  back-off {name}: {until} ({gate['reason'] or 'recent failures'})")
        run = entry["last_run"]
        if run:
            outcome = f"ok via {run['source']}" if run["success"] else f"failed: {run['error']}"
            lines.append(f"  last run {run['at']}: {outcome}")
            for attempt in run.get("attempts") or []:
                mark = "ok" if attempt.get("success") else attempt.get("error")
                lines.append(
                    f"    {attempt.get('strategy')}: {mark} ({attempt.get('duration_ms')} ms)"
                )
    return lines
