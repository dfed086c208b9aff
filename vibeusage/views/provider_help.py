"""``vibeusage PROVIDER --help``: what a provider is and how vibeusage connects to it."""

from ..providers.manifest import Provider
from ..terminal import PROG


def provider_help(provider: Provider) -> str:
    """The provider's dashboard, status page, set-up hint, strategies and config keys."""
    lines = [
        f"{PROG} {provider.id}: {provider.name} — {provider.description}",
        "",
        f"  dashboard:  {provider.dashboard_url}",
        f"  status:     {provider.status_url or 'no status page'}",
        f"  connect:    {provider.setup_hint}",
        "  strategies, tried in order:",
    ]
    lines += [f"    {s.name:<12}{s.label}" for s in provider.strategies]
    if provider.options:
        lines.append(f"  config keys in [providers.{provider.id}]:")
        lines += [f"    {key} ({kind.__name__})" for key, kind in provider.options.items()]
    lines += ["", f"Usage: {PROG} [OPTIONS] {provider.id}   (options: {PROG} --help)"]
    return "\n".join(lines) + "\n"
