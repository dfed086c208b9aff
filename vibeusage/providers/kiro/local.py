"""Where kiro-cli lives on this machine: its program and its SQLite state database."""

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from ...kit.files import expand_home
from ..base import FetchContext

NAME = "Kiro"
PROGRAM = "kiro-cli"
INSTALL_HINT = "Install kiro-cli (https://kiro.dev) or set KIRO_CLI_PATH."
LOGIN_HINT = (
    "Run `kiro-cli login` (add `--use-device-flow` on a machine without a browser), then retry."
)
RENEW_HINT = "Run `kiro-cli` once (it renews its login), then retry."


@dataclass(frozen=True)
class Program:
    """The kiro-cli to run, or why there is none."""

    path: Optional[str]
    #: Where it was looked for, or what is wrong with KIRO_CLI_PATH (for explain).
    detail: str


def find_program(ctx: FetchContext) -> Program:
    """``KIRO_CLI_PATH`` (a file), else ``kiro-cli`` on PATH, else the installer's location."""
    override = ctx.environ.get("KIRO_CLI_PATH", "").strip()
    if override:
        path = expand_home(override, ctx.home)
        if path.is_file():
            return Program(str(path), f"KIRO_CLI_PATH={path}")
        return Program(None, f"KIRO_CLI_PATH={override} is not a file")
    found = shutil.which(PROGRAM, path=ctx.environ.get("PATH"))
    if found:
        return Program(found, found)
    for candidate in _install_locations(ctx):
        if candidate.is_file():
            return Program(str(candidate), str(candidate))
    return Program(None, f"`{PROGRAM}` is not on PATH")


def _install_locations(ctx: FetchContext) -> List[Path]:
    if ctx.platform.startswith("win"):
        local = ctx.environ.get("LOCALAPPDATA")
        base = Path(local) if local else ctx.home / "AppData" / "Local"
        return [base / "Programs" / "Kiro CLI" / "kiro-cli.exe"]
    return [ctx.home / ".local" / "bin" / PROGRAM]


def state_db_path(ctx: FetchContext) -> Path:
    """kiro-cli's ``data.sqlite3``: ``$KIRO_DATA_DIR``, else the platform's data folder."""
    override = ctx.environ.get("KIRO_DATA_DIR", "").strip()
    if override:
        return expand_home(override, ctx.home) / "data.sqlite3"
    if ctx.platform == "darwin":
        base = ctx.home / "Library" / "Application Support"
    elif ctx.platform.startswith("win"):
        appdata = ctx.environ.get("APPDATA")
        base = Path(appdata) if appdata else ctx.home / "AppData" / "Roaming"
    else:
        xdg = ctx.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else ctx.home / ".local" / "share"
    return base / "kiro-cli" / "data.sqlite3"
