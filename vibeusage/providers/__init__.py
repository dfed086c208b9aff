"""The provider registry: every provider vibeusage knows, in display order.

Only manifests are imported here (static data; see ``manifest.py``): strategy code loads
when a strategy is first used.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Tuple

    from .manifest import Provider

#: Provider ids in display order: adding a provider is one line here plus its folder.
PROVIDER_IDS = (
    "claude",
    "codex",
    "copilot",
    "cursor",
    "gemini",
    "zai",
    "minimax",
    "factory",
    "augment",
    "kiro",
    "antigravity",
    "vertexai",
)


def all_providers() -> Tuple[Provider, ...]:
    """Every registered provider's manifest (imported on first call, not at import time)."""
    # ``__import__`` relative to this package (level 1), not importlib: that module alone
    # costs a few percent of a bare interpreter's start-up.
    return tuple(
        __import__(pid, globals(), None, ("PROVIDER",), 1).PROVIDER for pid in PROVIDER_IDS
    )


def providers_by_id() -> Dict[str, Provider]:
    return {provider.id: provider for provider in all_providers()}
