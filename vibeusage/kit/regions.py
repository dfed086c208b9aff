"""Providers sold on separate regional sites: which host to ask, and when to try the other.

Regional sites have separate accounts, so a key of one region is rejected by the other
exactly like a wrong key. A configured ``region`` is the only host asked; without one the
start region is asked first and the others only after it rejected the key. The region that
answered is remembered for that key, so the next run asks it first.
"""

from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple, TypeVar

from ..errors import ConfigError, ErrorCategory, VibeusageError
from .state import ProviderState
from .values import fingerprint

T = TypeVar("T")
R = TypeVar("R")

#: How long the region that answered a key is asked first.
REMEMBER_FOR = timedelta(days=30)


def configured_region(
    options: Mapping[str, Any], provider_id: str, allowed: Sequence[str]
) -> Optional[str]:
    """``region`` of ``[providers.<id>]``: one of ``allowed``, None when absent (auto)."""
    value = options.get("region")
    if value is None:
        return None
    text = value.strip().lower() if isinstance(value, str) else None
    if text in allowed:
        return text
    choices = " or ".join(f'"{name}"' for name in allowed)
    raise ConfigError(
        f"Invalid `region = {value!r}` in [providers.{provider_id}]: use {choices}",
        remediation=(
            f"Set `region = {choices}` in [providers.{provider_id}] of config.toml, or remove "
            "the line to ask the start region first and the other one only after a rejection."
        ),
    )


def region_order(configured: Optional[str], start: str, allowed: Sequence[str]) -> Tuple[str, ...]:
    """The regions to ask, in turn: only the configured one, else ``start`` then the rest."""
    if configured is not None:
        return (configured,)
    return (start,) + tuple(region for region in allowed if region != start)


def is_rejection(error: VibeusageError) -> bool:
    """The key was refused (the only failure that sends the request to another region)."""
    return error.category is ErrorCategory.AUTHENTICATION


def first_answer(
    regions: Sequence[T],
    ask: Callable[[T], R],
    passes_on: Callable[[VibeusageError], bool] = is_rejection,
) -> Tuple[T, R]:
    """The first region's answer; a failure ``passes_on`` accepts moves to the next region.

    Any other failure is raised at once; when every region failed, the first failure is.
    """
    first: Optional[VibeusageError] = None
    for region in regions:
        try:
            return region, ask(region)
        except VibeusageError as exc:
            if not passes_on(exc):
                raise
            first = first or exc
    if first is None:
        raise ValueError("no region to ask")
    raise first


class RegionMemory:
    """The region that last answered a key (by its fingerprint, never the key itself)."""

    def __init__(self, state: ProviderState) -> None:
        self.cache = state.json_cache("region", ttl=REMEMBER_FOR)

    def recall(self, key: str, now: datetime, allowed: Sequence[str]) -> Optional[str]:
        data = self.cache.load(fingerprint(key), now)
        region = data.get("region") if data else None
        return region if region in allowed else None

    def remember(self, key: str, region: str, now: datetime) -> None:
        try:
            self.cache.save(fingerprint(key), {"region": region}, now)
        except OSError:  # a cache that cannot be written costs one request next time
            pass
