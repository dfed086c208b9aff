"""What a new user sees when no provider is connected yet: where each login comes from."""

from typing import Sequence

from ..providers.manifest import Provider
from .style import BOLD, Style


def render_first_run(providers: Sequence[Provider], style: Style) -> str:
    """What a new user sees when no provider is connected yet."""
    from tabulate import tabulate

    rows = [[style.paint(p.name, BOLD), p.setup_hint] for p in providers]
    table = tabulate(rows, tablefmt="plain")
    lines = [
        "No provider is connected yet. vibeusage reads the logins of the tools you already use:",
        "",
        *("  " + line.rstrip() for line in table.splitlines()),
        "",
        "Then run `vibeusage` again; `vibeusage --help` lists every option.",
    ]
    return "\n".join(lines) + "\n"
