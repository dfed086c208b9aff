"""Where Antigravity's pieces live on this machine: ``agy``, its data folder, the IDE's database."""

import shutil
from pathlib import Path
from typing import List, Optional

from ...kit.files import app_config_dir, expand_home
from ..base import FetchContext

NAME = "Antigravity"
PROGRAM = "agy"
SIGN_IN_HINT = "Run `agy` and sign in (or open Antigravity), then retry."
RENEW_HINT = "Open Antigravity or run `agy` once so it renews its login, then retry."
#: The IDE's folder names, newest first.
IDE_APPS = ("Antigravity IDE", "Antigravity")


def agy_data_dir(ctx: FetchContext) -> Path:
    """agy's data folder (``~/.gemini/antigravity-cli/``): it exists once agy has run here."""
    return ctx.home / ".gemini" / "antigravity-cli"


def find_agy(ctx: FetchContext) -> Optional[str]:
    """``ANTIGRAVITY_CLI_PATH`` (a file), else ``agy`` on PATH, else its usual install places."""
    override = ctx.environ.get("ANTIGRAVITY_CLI_PATH", "").strip()
    if override:
        path = expand_home(override, ctx.home)
        return str(path) if path.is_file() else None
    found = shutil.which(PROGRAM, path=ctx.environ.get("PATH"))
    if found:
        return found
    for candidate in (
        ctx.home / ".local" / "bin" / PROGRAM,
        Path("/opt/homebrew/bin") / PROGRAM,
        Path("/usr/local/bin") / PROGRAM,
    ):
        if candidate.is_file():
            return str(candidate)
    return None


def ide_state_dbs(ctx: FetchContext) -> List[Path]:
    """The Antigravity IDE's ``state.vscdb`` files that exist, in the order they are read."""
    found = []
    for app in IDE_APPS:
        path = app_config_dir(ctx.environ, ctx.home, ctx.platform, app)
        path = path / "User" / "globalStorage" / "state.vscdb"
        if path.is_file():
            found.append(path)
    return found
