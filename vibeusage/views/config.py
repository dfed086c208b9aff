"""``vibeusage config`` as text: effective values with their source, and the paths in use."""

from typing import Any, Dict, List, Optional, Sequence, Tuple


def toml_value(value: Any) -> str:
    """``value`` as it would be written in the TOML file."""
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


def settings_table(file: str, rows: Sequence[Tuple[str, Any, str]]) -> str:
    """``config show``: the file as a heading, then key, value (as TOML) and source."""
    from tabulate import tabulate

    table: List[List[str]] = [[k, toml_value(v), s] for k, v, s in rows]
    return f"# {file}\n{tabulate(table, headers=['key', 'value', 'source'])}\n"


def paths_table(entries: Dict[str, Dict[str, Any]]) -> str:
    """``config path``: what, where, and whether it exists."""
    from tabulate import tabulate

    rows = [[k, e["path"], "yes" if e["exists"] else "no"] for k, e in entries.items()]
    return tabulate(rows, headers=["what", "path", "exists"]) + "\n"


def reset_document(path: str, backup: Optional[str]) -> Dict[str, Any]:
    """``config reset --json``: the file written and the backup of the old one."""
    return {"reset": True, "path": path, "backup": backup}


def reset_message(path: str, backup: Optional[str]) -> str:
    """What ``config reset`` says once the defaults are written."""
    kept = f" (the old one is {backup})" if backup else ""
    return f"Wrote a default configuration to {path}{kept}."
