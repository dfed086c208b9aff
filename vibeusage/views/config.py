"""``vibeusage config`` as text: effective values with their source, and the paths in use."""

from typing import Any, Dict, List, Optional, Sequence, Tuple

from .layout import table

#: How ``config show`` shows a key that has no value (TOML has no null).
UNSET = "(not set)"


def toml_value(value: Any) -> str:
    """``value`` as it would be written in the TOML file; :data:`UNSET` for no value."""
    if value is None:
        return UNSET
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def settings_document(file: str, rows: Sequence[Tuple[str, Any, str]]) -> Dict[str, Any]:
    """``config show --json``: the file, and each key's value and source."""
    return {
        "file": file,
        "values": {key: {"value": value, "source": src} for key, value, src in rows},
    }


def settings_table(
    file: str, rows: Sequence[Tuple[str, Any, str]], width: Optional[int] = None
) -> str:
    """``config show``: the file as a heading, then key, source and value (as TOML).

    The value comes last so that a long one (the provider list) can wrap to the width.
    """
    cells: List[List[str]] = [[k, s, toml_value(v)] for k, v, s in rows]
    return f"# {file}\n" + "\n".join(table(cells, width, ["key", "source", "value"])) + "\n"


def paths_table(entries: Dict[str, Dict[str, Any]], width: Optional[int] = None) -> str:
    """``config path``: what, whether it exists, and where (last: paths can be long)."""
    rows = [[k, "yes" if e["exists"] else "no", e["path"]] for k, e in entries.items()]
    return "\n".join(table(rows, width, ["what", "exists", "path"])) + "\n"


def reset_document(path: str, backup: Optional[str]) -> Dict[str, Any]:
    """``config reset --json``: the file written and the backup of the old one."""
    return {"reset": True, "path": path, "backup": backup}


def reset_message(path: str, backup: Optional[str]) -> str:
    """What ``config reset`` says once the defaults are written."""
    kept = f" (the old one is {backup})" if backup else ""
    return f"Wrote a default configuration to {path}{kept}."
