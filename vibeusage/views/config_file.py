"""The text of a fresh config file: every key commented out, with its default."""

from typing import Sequence

from ..config import DisplayConfig, FetchConfig, HistoryConfig
from ..providers.manifest import Provider


def default_config_text(providers: Sequence[Provider]) -> str:
    """A config file that sets nothing but documents every key with its default."""
    display, fetch = DisplayConfig(), FetchConfig()
    lines = [
        "# vibeusage configuration. Every key is optional: remove the leading '# ' to set one.",
        "# `vibeusage config show` prints the values in effect and where they come from.",
        "",
        f"# enabled_providers = [{', '.join(repr(p.id) for p in providers)}]".replace("'", '"'),
        "",
        "# [display]",
        f"# pace_colors = {str(display.pace_colors).lower()}",
        f'# reset_format = "{display.reset_format}"        # or "absolute"',
        "",
        "# [fetch]",
        f"# timeout = {fetch.timeout:g}                    # seconds per strategy",
        f"# deadline = {fetch.deadline:g}                   # seconds for the whole run",
        f"# max_concurrent = {fetch.max_concurrent}              # providers fetched at once",
        f"# fresh_ttl = {fetch.fresh_ttl:g}                  # reuse a snapshot this young",
        f"# stale_threshold = {fetch.stale_threshold:g}          # older data is stale",
        f"# run_tools = {str(fetch.run_tools).lower()}               # false: no provider tool",
        "",
        "# [history]",
        f"# retention_days = {HistoryConfig().retention_days}            # days of ledger kept",
    ]
    for provider in providers:
        strategies = ", ".join(f'"{s.name}"' for s in provider.strategies)
        lines += [
            "",
            f"# [providers.{provider.id}]",
            "# enabled = true",
            f'# auth_source = "auto"             # or one of {strategies}',
            "# run_tools = true                 # default: as fetch.run_tools",
        ]
        lines += [
            f"# {key} = {_toml_value(provider.option_default(key))}"
            for key in provider.options
            if provider.option_default(key) is not None
        ]
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    """A default as TOML writes it: ``true``/``false``, a bare number, a quoted string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return '"' + str(value) + '"'
