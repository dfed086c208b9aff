"""``vibeusage PROVIDER --help``: what a provider is and how vibeusage connects to it."""

from typing import List, Optional

from ..providers.manifest import Provider
from ..terminal import PROG
from .layout import table, wrap


def provider_help(provider: Provider, width: Optional[int] = None) -> str:
    """The provider's dashboard, status page, set-up hint, strategies and config keys.

    Prose wraps to ``width``; strategy names get a column as wide as the longest, so a
    name never runs into its description.
    """
    facts = [
        ["dashboard:", provider.dashboard_url],
        ["status:", provider.status_url or "no status page"],
        ["connect:", provider.setup_hint],
    ]
    lines: List[str] = [
        *wrap(f"{PROG} {provider.id}: {provider.name} — {provider.description}", width),
        "",
        *table(facts, width, indent="  "),
        "  strategies, tried in order:",
        *table([[s.name, s.label] for s in provider.strategies], width, indent="    "),
    ]
    if provider.options:
        lines.append(f"  config keys in [providers.{provider.id}]:")
        lines += [f"    {key} ({kind.__name__})" for key, kind in provider.options.items()]
    lines += ["", *wrap(f"Usage: {PROG} [OPTIONS] {provider.id}   (options: {PROG} --help)", width)]
    return "\n".join(lines) + "\n"
