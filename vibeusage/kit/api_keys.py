"""Static API keys: the first non-blank source wins, and the key never shows in a repr."""

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Optional, Sequence, Tuple

from .values import MaskedRepr

_QUOTES = ('"', "'")


@dataclass(frozen=True, repr=False)
class FoundKey(MaskedRepr):
    """An API key, the source it came from and, when the source says, the region it belongs to."""

    SECRET_FIELDS: ClassVar[Tuple[str, ...]] = ("api_key",)

    api_key: str
    #: Short name of the source: the variable's name, ``stored``, ...
    source: str
    #: The source for people, used in messages: "the key from ZAI_API_KEY".
    where: str
    #: The region the source points at (a China-named variable, a base URL), else None.
    region: Optional[str] = None


def clean_key(value: Any) -> Optional[str]:
    """A key as people paste it: stripped of whitespace and one pair of surrounding quotes."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in _QUOTES:
        text = text[1:-1].strip()
    return text or None


def key_from_environ(environ: Mapping[str, str], names: Sequence[str]) -> Optional[Tuple[str, str]]:
    """``(variable, key)`` of the first variable of ``names`` holding a non-blank key."""
    for name in names:
        value = clean_key(environ.get(name))
        if value is not None:
            return name, value
    return None
