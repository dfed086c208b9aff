"""The one JSON writer for every command: indented, UTF-8 kept readable, newline-terminated."""

from typing import Any


def dumps(document: Any) -> str:
    """``document`` as the text a command prints: two-space indent, non-ASCII as is."""
    import json

    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def dumps_line(document: Any) -> str:
    """``document`` as one line of compact JSON (status bars read one line), non-ASCII as is."""
    import json

    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
