"""The one-line progress indicator drawn on a terminal's stderr while providers are pending."""

from typing import Sequence

#: Back to the start of the line and erase it.
CLEAR_LINE = "\r\x1b[K"


def progress_line(pending: Sequence[str], elapsed: float) -> str:
    """``Fetching claude, codex... 1.5s``, drawn over the previous one."""
    return f"{CLEAR_LINE}Fetching {', '.join(pending)}... {elapsed:.1f}s"
