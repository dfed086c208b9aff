"""Text laid out to a terminal width: prose wrapped at spaces, tables whose long column folds.

Widths count what the terminal shows: colour escapes take no room. A word longer than the
width (a URL, a path) is never broken; it overflows instead, which a terminal can still
copy whole.
"""

import re
import textwrap
from typing import List, Optional, Sequence

from ..terminal import DEFAULT_WIDTH as DEFAULT_WIDTH

#: Narrower than this, a table's last column always goes on a line of its own.
MIN_FOLDED_COLUMN = 24
#: How far a folded cell is indented under its row.
FOLD_INDENT = 4

_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
#: What is read as one word: a `code span`, a duration such as ``4d 12h`` or ``2h 30m``.
_CODE_SPAN = re.compile(r"`[^`\n]*`|\b\d+[dh] \d+[hm]\b")
#: Holds a code span's spaces while wrapping (textwrap never breaks at it).
_GLUE = "\x00"


def visible_len(text: str) -> int:
    """The number of cells ``text`` takes on a terminal (colour escapes take none)."""
    return len(_ESCAPE.sub("", text))


def wrap(
    text: str, width: Optional[int], indent: str = "", subsequent: Optional[str] = None
) -> List[str]:
    """``text`` as lines of at most ``width`` cells, broken only at spaces between words.

    ``indent`` starts the first line, ``subsequent`` (default: as many spaces) the others;
    ``width`` None means one line.
    """
    shown = visible_len(indent)
    rest = " " * shown if subsequent is None else subsequent
    if width is None or shown + visible_len(text) <= width:
        return [indent + text]
    wrapper = textwrap.TextWrapper(
        width=max(width, shown + 1, len(rest) + 1),
        initial_indent=" " * shown,  # the real indent may hold colour escapes
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    room = width - len(rest)
    glued = _CODE_SPAN.sub(  # a command too long for a line of its own is broken after all
        lambda m: m.group(0).replace(" ", _GLUE) if len(m.group(0)) <= room else m.group(0), text
    )
    lines = [line.replace(_GLUE, " ") for line in wrapper.wrap(glued)] or [""]
    lines[0] = indent + lines[0][shown:]
    return lines


def wrap_text(text: str, width: Optional[int], indent: str = "") -> str:
    """Every line of ``text`` wrapped (continuations keep the line's own indentation)."""
    out: List[str] = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        lead = indent + line[: len(line) - len(stripped)]
        out.extend(wrap(stripped, width, lead) if stripped else [""])
    return "\n".join(out)


def table(
    rows: Sequence[Sequence[str]],
    width: Optional[int],
    headers: Optional[Sequence[str]] = None,
    indent: str = "",
    gap: int = 2,
) -> List[str]:
    """Rows in aligned columns; the last column wraps, or folds under its row when narrow.

    The columns before the last are padded to their widest cell; the last takes what is
    left of ``width``. When less than :data:`MIN_FOLDED_COLUMN` cells are left, each
    long last cell goes on the lines under its row instead, indented.
    """
    all_rows = [list(r) for r in ([headers] if headers else []) + [list(r) for r in rows]]
    if not all_rows:
        return []
    columns = max(len(r) for r in all_rows)
    for row in all_rows:
        row.extend([""] * (columns - len(row)))
    widths = [max(visible_len(r[i]) for r in all_rows) for i in range(columns)]
    lead_width = len(indent) + sum(w + gap for w in widths[:-1])
    room = None if width is None else width - lead_width
    lines: List[str] = []
    for number, row in enumerate(all_rows):
        lead = indent + "".join(_pad(cell, w + gap) for cell, w in zip(row[:-1], widths))
        last = row[-1]
        if headers and number == 0:
            lines.append((lead + last).rstrip())
            last_rule = widths[-1]
            if room is not None and last_rule > room:
                last_rule = room if room >= MIN_FOLDED_COLUMN else visible_len(last)
            rule = widths[:-1] + [last_rule]
            lines.append(indent + (" " * gap).join("-" * w for w in rule))
            continue
        if room is None or visible_len(last) <= room:
            lines.append((lead + last).rstrip())
        elif room >= MIN_FOLDED_COLUMN:
            lines.extend(wrap(last, width, lead, " " * lead_width))
        else:
            lines.append(lead.rstrip())
            under = indent + " " * FOLD_INDENT
            lines.extend(wrap(last, width, under))
    return lines


def _pad(cell: str, width: int) -> str:
    return cell + " " * (width - visible_len(cell))
