"""What a cookie search asks for (a site's hosts and cookie names) and what it finds.

A site is named by domain suffixes: ``example.org`` matches ``example.org``,
``.example.org`` and ``www.example.org``, never ``badexample.org``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional, Sequence, Tuple, Union


@dataclass(frozen=True, repr=False)
class BrowserCookie:
    """One cookie found in a browser's store; its value is never shown by ``repr``."""

    #: ``firefox``, ``chrome``, ``chromium``, ``brave``, ``edge`` or ``safari``.
    browser: str
    #: Where exactly, for people: ``Firefox profile abc.default``, ``Chrome profile Default``.
    where: str
    host: str
    name: str
    value: str
    #: None for a session cookie (or an expiry beyond what a datetime holds).
    expires: Optional[datetime] = None

    def __repr__(self) -> str:
        from ...errors import mask_secret

        return (
            f"BrowserCookie(browser={self.browser!r}, where={self.where!r}, host={self.host!r}, "
            f"name={self.name!r}, value={mask_secret(self.value)!r}, expires={self.expires!r})"
        )


@dataclass(frozen=True)
class CookieNote:
    """Why a store gave nothing usable. ``found``: a wanted cookie is there but unusable."""

    browser: str
    text: str
    found: bool = True

    def __str__(self) -> str:
        return f"{self.browser}: {self.text}"


def bare_host(host: str) -> str:
    """``.Example.org `` -> ``example.org`` (the form hosts are compared in)."""
    return host.strip().lstrip(".").lower()


def host_matches(host: Any, suffixes: Sequence[str]) -> bool:
    """Whether ``host`` is one of ``suffixes`` or a subdomain of one (a domain match)."""
    if not isinstance(host, str):
        return False
    bare = bare_host(host)
    return any(
        suffix and (bare == suffix or bare.endswith("." + suffix))
        for suffix in (bare_host(s) for s in suffixes)
    )


@dataclass(frozen=True)
class CookieQuery:
    """The cookies wanted: names in order of preference, on hosts under ``suffixes``."""

    suffixes: Tuple[str, ...]
    names: Tuple[str, ...]
    now: datetime

    @classmethod
    def build(
        cls, suffixes: Union[str, Sequence[str]], names: Sequence[str], now: datetime
    ) -> "CookieQuery":
        listed = (suffixes,) if isinstance(suffixes, str) else tuple(suffixes)
        return cls(tuple(s for s in map(bare_host, listed) if s), tuple(names), now)

    def wants(self, host: Any, name: Any) -> bool:
        return name in self.names and host_matches(host, self.suffixes)

    def rank(self, name: str, host: str) -> Tuple[int, bool]:
        """Sort key within one store: preferred name first, then the first suffix's own host."""
        position = self.names.index(name) if name in self.names else len(self.names)
        return position, (bare_host(host),) != self.suffixes[:1]
