"""``vibeusage key`` as text: what vibeusage stores per provider, masked."""

from typing import Any, Dict, List, Optional

from .layout import table


def keys_table(entries: Dict[str, Dict[str, Any]], width: Optional[int] = None) -> str:
    """A row per provider: masked value (or ``-``), since when, and what it is."""
    rows: List[List[str]] = [
        [pid, e["masked"] or "-", e["created_at"] or "", e["what"]] for pid, e in entries.items()
    ]
    return "\n".join(table(rows, width, ["provider", "stored", "since", "what"])) + "\n"


def key_text(provider_id: str, provider_name: str, entry: Dict[str, Any]) -> str:
    """One provider: the masked value and its file, or how to store one."""
    if entry["stored"]:
        return f"{provider_name}: {entry['masked']}\n  file: {entry['path']}\n"
    return (
        f"{provider_name}: nothing stored\n  store it with `vibeusage key {provider_id} set`"
        f" ({entry['what']})\n"
    )


def stored_document(masked: str, path: str) -> Dict[str, Any]:
    """``key set --json``: the masked value and where it went."""
    return {"stored": True, "masked": masked, "path": path}


def deleted_document(deleted: bool, path: str) -> Dict[str, Any]:
    """``key delete --json``: whether something was deleted, and the file."""
    return {"deleted": deleted, "path": path}


def stored_message(provider_name: str, masked: str, path: str) -> str:
    """What ``key set`` says once the value is stored."""
    return f"Stored {provider_name} credential {masked} in {path}"


def deleted_message(provider_name: str, deleted: bool) -> str:
    """What ``key delete`` says."""
    if deleted:
        return f"Deleted the stored {provider_name} credential."
    return f"No {provider_name} credential was stored."
