"""``vibeusage auth`` as text: the connection overview and what connecting or deleting did."""

from typing import Any, Dict, Optional

from .layout import table


def overview_table(report: Dict[str, Dict[str, Any]], width: Optional[int] = None) -> str:
    """A row per provider: connected or not (and disabled), the source or the next step."""
    rows = []
    for pid, entry in report.items():
        unusable = entry.get("unusable")
        state = "connected" if entry["connected"] else "unusable" if unusable else "not connected"
        if not entry["enabled"]:
            state += " (disabled)"
        rows.append([pid, state, entry["source"] or unusable or entry["next_step"]])
    headers = ["provider", "state", "source / next step"]
    return "\n".join(table(rows, width, headers)) + "\n"


def result_document(
    provider_id: str, connected: bool, source: Optional[str], **extra: Any
) -> Dict[str, Any]:
    """``auth PROVIDER --json``: the provider, whether it is connected, and through what."""
    return {"provider": provider_id, "connected": connected, "source": source, **extra}


def connected_message(
    provider_name: str, strategy_label: str, fallback_for: Optional[str] = None
) -> str:
    """``Claude is connected through: ...``, with where to store a fallback when there is one."""
    message = f"{provider_name} is connected through: {strategy_label}."
    if fallback_for is not None:
        message += f" A fallback can be stored with `vibeusage key {fallback_for} set`."
    return message


def stored_message(provider_name: str, masked: str, path: str) -> str:
    """What ``auth PROVIDER`` says once a pasted value is stored."""
    return f"Stored {masked} in {path}; {provider_name} is connected."


def deleted_message(provider_name: str, deleted: bool) -> str:
    """What ``auth PROVIDER --delete`` says."""
    if deleted:
        return (
            f"Deleted what vibeusage stored for {provider_name}; other tools' logins are untouched."
        )
    return f"vibeusage had nothing stored for {provider_name}."


def paste_prompt(setup_hint: str, label: str) -> str:
    """Shown before asking for a value: how to connect, or what to paste."""
    return f"{setup_hint}\nOr paste a {label}."
