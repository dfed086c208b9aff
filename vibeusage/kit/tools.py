"""One switch over starting providers' programs: while it is off, the kit starts none.

A strategy runs under :func:`tools_policy` (the base ``Strategy.fetch`` sets it from the
context's ``tools_ban``); :func:`check_allowed`, called by ``processes.spawn_group`` (which
every kit helper that starts a program uses), then refuses with the setting that forbids it.
User hooks (``alert --hook``, a statusLine command) run outside any strategy and are never
refused, nor are the system programs in :data:`SYSTEM_HELPERS`, which only read this
machine's keyring or process list and never reach a provider.
"""

import contextlib
from contextvars import ContextVar
from typing import Iterator, Optional

from ..errors import ErrorCategory, VibeusageError

#: Programs of the system, not of a provider: allowed whatever ``run_tools`` says.
SYSTEM_HELPERS = frozenset({"security", "secret-tool", "ps", "lsof", "powershell"})

_BAN: "ContextVar[Optional[str]]" = ContextVar("vibeusage_tools_ban", default=None)


class ToolsForbidden(VibeusageError):
    """A provider program was not started because the configuration forbids it."""


@contextlib.contextmanager
def tools_policy(ban: Optional[str]) -> Iterator[None]:
    """Within the block (this thread), programs are refused when ``ban`` says why."""
    token = _BAN.set(ban)
    try:
        yield
    finally:
        _BAN.reset(token)


def check_allowed(
    program: str,
    purpose: str = "",
    category: ErrorCategory = ErrorCategory.CONFIGURATION,
) -> None:
    """Raise ToolsForbidden when starting ``program`` is forbidden here."""
    ban = _BAN.get()
    if ban is None:
        return
    import os

    name = os.path.basename(program) or program
    if name.lower().rsplit(".exe", 1)[0] in SYSTEM_HELPERS:
        return
    doing = f" ({purpose})" if purpose else ""
    raise ToolsForbidden(
        f"not starting `{name}`{doing}: {ban}",
        category,
        remediation="Set run_tools = true (in [fetch] or the provider's table) to allow it, "
        "or use another way in (`vibeusage auth PROVIDER`).",
    )
