"""The provider registry: every provider vibeusage knows, in display order."""

from typing import Dict, Tuple

from .base import FetchContext, FetchResult, Provider, Strategy


def all_providers() -> Tuple[Provider, ...]:
    """Every registered provider (modules are imported on first call, not at import time)."""
    from . import claude, codex, copilot, cursor, gemini

    return (claude.PROVIDER, codex.PROVIDER, copilot.PROVIDER, cursor.PROVIDER, gemini.PROVIDER)


def providers_by_id() -> Dict[str, Provider]:
    return {provider.id: provider for provider in all_providers()}


__all__ = [
    "FetchContext",
    "FetchResult",
    "Provider",
    "Strategy",
    "all_providers",
    "providers_by_id",
]
