"""The one JSON writer for every command: indented, UTF-8 kept readable, newline-terminated."""

from typing import Any

#: C1 controls are written as escapes (json leaves them raw with ``ensure_ascii=False``, and a
#: terminal that shows the JSON would obey U+009B as CSI), and so are the line separators.
_ESCAPED = {code: f"\\u{code:04x}" for code in (*range(0x7F, 0xA0), 0x2028, 0x2029)}


def dumps(document: Any) -> str:
    """``document`` as the text a command prints: two-space indent, non-ASCII as is."""
    import json

    return json.dumps(document, indent=2, ensure_ascii=False).translate(_ESCAPED) + "\n"


def dumps_line(document: Any) -> str:
    """``document`` as one line of compact JSON (status bars read one line), non-ASCII as is."""
    import json

    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPED)
