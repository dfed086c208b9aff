"""The one JSON writer for every command: indented, UTF-8 kept readable, newline-terminated."""

from typing import Any


def dumps(document: Any) -> str:
    """``document`` as the text a command prints: two-space indent, non-ASCII as is."""
    import json

    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
