"""What a new user sees when no provider is connected yet: where each login comes from."""

from typing import Sequence

from ..providers.manifest import Provider
from .layout import table, wrap
from .style import BOLD, Style


def render_first_run(providers: Sequence[Provider], style: Style) -> str:
    """What a new user sees when no provider is connected yet, laid out to the width."""
    rows = [[style.paint(p.name, BOLD), p.setup_hint] for p in providers]
    lines = [
        *wrap(
            "No provider is connected yet. vibeusage reads the logins of the tools you "
            "already use:",
            style.width,
        ),
        "",
        *table(rows, style.width, indent="  "),
        "",
        *wrap("Then run `vibeusage` again; `vibeusage --help` lists every option.", style.width),
    ]
    return "\n".join(lines) + "\n"
