"""What to say about a word on the command line that names no provider: the likely one."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Iterable, Optional


def closest(word: str, choices: Iterable[str]) -> Optional[str]:
    """The choice ``word`` is most likely a typo of (``claud`` -> ``claude``), or None."""
    import difflib

    found = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def command_order_hint(command: str, providers: Iterable[str]) -> str:
    """``vibeusage claude auth`` -> the same words in the order that works."""
    return " ".join(["vibeusage", command, *providers])
