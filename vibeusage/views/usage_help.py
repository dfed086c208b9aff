"""The text of ``vibeusage --help`` around argparse's options, laid out to the width."""

from typing import List, Sequence, Tuple

from ..terminal import PROG
from .layout import table, wrap

DESCRIPTION = (
    "Show how much of your AI coding plans' rate limits you have used and when each window resets."
)
EXIT_CODES = (
    "exit codes: 0 ok, 1 error, 2 authentication, 3 network, 4 invalid input, "
    "5 partial (some data shown, some failed or stale), 130 interrupted, 143 terminated"
)
ENVIRONMENT = (
    "environment: VIBEUSAGE_CONFIG_DIR, VIBEUSAGE_CACHE_DIR, VIBEUSAGE_STATE_DIR, "
    "VIBEUSAGE_ENABLED_PROVIDERS, VIBEUSAGE_RUN_TOOLS, NO_COLOR, HTTPS_PROXY, REQUESTS_CA_BUNDLE"
)


def help_description(width: int) -> str:
    """The one-sentence description, wrapped."""
    return "\n".join(wrap(DESCRIPTION, width))


def help_epilog(
    providers: Sequence[Tuple[str, str]], commands: Sequence[Tuple[str, str]], width: int
) -> str:
    """Providers, commands, exit codes and environment: names in a column, text wrapped."""
    lines: List[str] = ["providers:"]
    lines += table([list(p) for p in providers], width, indent="  ")
    lines += ["", f"commands (`{PROG} COMMAND --help` for each):"]
    lines += table([list(c) for c in commands], width, indent="  ")
    lines += [""]
    lines += wrap(EXIT_CODES, width, subsequent="  ")
    lines += wrap(ENVIRONMENT, width, subsequent="  ")
    return "\n".join(lines)
