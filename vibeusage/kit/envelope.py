"""Business errors inside an HTTP 200: the status code and message of a JSON envelope.

Several providers answer every request with HTTP 200 and put the verdict in the body
(``{"code": 401, "msg": "..."}``, ``{"base_resp": {"status_code": 1004, ...}}``). These
readers find the verdict wherever the provider put it and make its text safe to show.
"""

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple

#: Longest provider message shown to a user (the rest is cut).
MAX_TEXT = 200
#: No status code is anywhere near this; a bigger number is junk, not a code.
MAX_CODE = 10**18


@dataclass(frozen=True)
class BusinessStatus:
    """The verdict of an envelope: its code (None when unreadable) and its message."""

    code: Optional[int]
    message: str


def code_number(value: Any) -> Optional[int]:
    """A status code sent as an int, an integral float or a numeric string; None otherwise."""
    number: Optional[int] = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        if digits.isdigit() and digits.isascii() and len(digits) <= 18:
            number = int(text)
    return number if number is not None and abs(number) < MAX_CODE else None


def shown_text(value: Any, limit: int = MAX_TEXT) -> str:
    """A provider's text made safe for a terminal: printable, one line, at most ``limit``."""
    if not isinstance(value, str):
        return ""
    printable = "".join(c if c.isprintable() else " " for c in value[: limit * 4])
    text = " ".join(printable.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def business_status(
    payload: Any,
    code_key: str,
    message_key: str,
    places: Sequence[Tuple[str, ...]] = ((),),
) -> Optional[BusinessStatus]:
    """The status of the first place (a path of keys into ``payload``) that holds ``code_key``."""
    for place in places:
        node = payload
        for key in place:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get(code_key) is not None:
            return BusinessStatus(code_number(node[code_key]), shown_text(node.get(message_key)))
    return None
