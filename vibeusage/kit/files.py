"""Reading other tools' files, read-only: their homes, JSON and TOML documents, app folders.

Paths are resolved against the injected home and environment (never the process ``HOME``),
so tests and vendoring projects decide where "home" is. Every failure to read a file that
should hold a login is an authentication error naming the file.
"""

from pathlib import Path
from typing import Any, Mapping

from ..errors import ErrorCategory, VibeusageError


def expand_home(text: str, home: Path) -> Path:
    """``text`` as a path, with a leading ``~`` meaning ``home``."""
    if text == "~":
        return home
    if text.startswith("~/") or text.startswith("~\\"):
        return home / text[2:]
    return Path(text)


def tool_home(environ: Mapping[str, str], home: Path, variable: str, default: str) -> Path:
    """A tool's folder: ``$variable`` when set (``~`` is the injected home), else home/default."""
    value = environ.get(variable, "").strip()
    return expand_home(value, home) if value else home / default


def app_config_dir(environ: Mapping[str, str], home: Path, platform: str, app: str) -> Path:
    """Where a desktop app keeps its settings on this platform (``Code``, ``Cursor``, ...)."""
    if platform == "darwin":
        return home / "Library" / "Application Support" / app
    if platform.startswith("win"):
        appdata = environ.get("APPDATA")
        return (Path(appdata) if appdata else home / "AppData" / "Roaming") / app
    xdg = environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".config"
    return base / app


#: Credential and settings files of other tools are kilobytes; this is far beyond any.
MAX_TOOL_FILE = 4 * 1024 * 1024


def read_tool_bytes(path: Path, what: str, remediation: str, limit: int = MAX_TOOL_FILE) -> bytes:
    """The bytes of another tool's file; missing or unreadable is an authentication error.

    Read without blocking and only when it is a regular file of a plausible size (a FIFO or
    a link to ``/dev/zero`` in its place is an error naming the file, not a hang).
    """
    from ..provenance import note_credential_file
    from ..store import read_bounded

    try:
        data = read_bounded(path, limit)
        note_credential_file(path)
        return data
    except FileNotFoundError as exc:
        raise VibeusageError(
            f"{what} not found at {path}", ErrorCategory.AUTHENTICATION, remediation=remediation
        ) from exc
    except OSError as exc:
        raise VibeusageError(
            f"Cannot read {what} {path}: {exc.strerror or type(exc).__name__}",
            ErrorCategory.AUTHENTICATION,
            remediation="Check the file's permissions.",
        ) from exc


def read_tool_json(path: Path, what: str, remediation: str) -> Any:
    """The parsed JSON of another tool's credential file (read only, never written).

    Every failure is an authentication error that names ``what`` and the file: missing,
    unreadable (permissions, a directory in its place) or not JSON.
    """
    import json

    raw = read_tool_bytes(path, what, remediation)
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # includes UnicodeDecodeError
        raise VibeusageError(
            f"{what} in {path} is not valid JSON",
            ErrorCategory.AUTHENTICATION,
            remediation=remediation,
        ) from exc


def read_tool_toml(path: Path, what: str, remediation: str) -> Any:
    """The parsed TOML of another tool's configuration file (read only)."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9/3.10
        import tomli as tomllib

    raw = read_tool_bytes(path, what, remediation)
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        raise VibeusageError(
            f"{what} in {path} is not valid TOML",
            ErrorCategory.AUTHENTICATION,
            remediation=remediation,
        ) from exc


def read_tool_ini(path: Path, what: str, remediation: str) -> Any:
    """The sections of another tool's INI file (``configparser``, interpolation off)."""
    import configparser

    raw = read_tool_bytes(path, what, remediation)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(raw.decode("utf-8"), source=str(path))
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise VibeusageError(
            f"{what} in {path} is not a readable INI file",
            ErrorCategory.AUTHENTICATION,
            remediation=remediation,
        ) from exc
    return parser
