"""``statusline install | uninstall`` (§5.3): the one edit vibeusage makes to another tool's file.

Planning is pure (settings object and install record in, new settings out, or a refusal);
applying keeps a backup of the original bytes, writes the record first (so the chain works
from the first hook call) and replaces ``settings.json`` atomically.
"""

import json
import os
import shlex
import sys
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from .values import iso_epoch

SETTINGS_NAME = "settings.json"
#: Keys of a replaced statusLine that carry over to ours.
CARRIED_KEYS = ("padding", "refreshInterval")
_SHELL_OPERATORS = frozenset({"|", "||", "&", "&&", ";", ">", ">>", "<", "(", ")", "`"})
#: The package this module belongs to (``vibeusage``, or wherever it is vendored).
PACKAGE = __name__.rsplit(".", 2)[0]


class Refused(Exception):
    """The settings cannot be changed safely: the message, and what to do instead."""

    def __init__(self, message: str, steps: str) -> None:
        super().__init__(message)
        self.message = message
        self.steps = steps


@dataclass(frozen=True)
class Plan:
    """What install or uninstall would do: the new settings, or nothing (``changed`` False)."""

    settings: Dict[str, Any]
    changed: bool
    #: The statusLine ours replaces (install), or None.
    previous: Optional[Dict[str, Any]] = None
    #: Why nothing changes, or what changed, for people.
    summary: str = ""
    #: Uninstall found someone else's statusLine: left as it is (exit 1).
    foreign: bool = False


# --- the command we install -------------------------------------------------------------


def hook_command(config_dir: str, default_dir: str, executable: Optional[str] = None) -> str:
    """The shell-quoted absolute interpreter with ``-m <package> statusline`` (§5.3).

    Claude Code runs it without the caller's virtualenv or PATH, hence absolute. The config
    dir is named only when it is not the default one.
    """
    interpreter = executable if executable is not None else sys.executable
    if not interpreter or not os.path.isabs(interpreter):
        import shutil

        script = shutil.which(PACKAGE)
        parts = [os.path.abspath(script) if script else PACKAGE, "statusline"]
    else:
        parts = [interpreter, "-m", PACKAGE, "statusline"]
    if os.path.realpath(config_dir) != os.path.realpath(default_dir):
        parts += ["--claude-config-dir", config_dir]
    return " ".join(shlex.quote(part) for part in parts)


def looks_like_ours(command: str) -> bool:
    """Whether a statusLine command is ``<python> -m vibeusage statusline ...`` or the script."""
    try:
        tokens = shlex.split(command)
    except ValueError:
        return False
    if not tokens or any(token in _SHELL_OPERATORS for token in tokens):
        return False
    program = os.path.basename(tokens[0]).lower()
    if program.startswith("python") and tokens[1:4] == ["-m", PACKAGE, "statusline"]:
        return True
    names = (PACKAGE, f"{PACKAGE}.exe")
    return program in names and tokens[1:2] == ["statusline"]


def is_ours(status_line: Any, record: Optional[Dict[str, Any]]) -> bool:
    """Whether the statusLine object is the one ``install`` wrote (by record, else by shape)."""
    if not isinstance(status_line, dict) or status_line.get("type") != "command":
        return False
    command = status_line.get("command")
    if not isinstance(command, str):
        return False
    if record is not None and command == record["installed_command"]:
        return True
    return looks_like_ours(command)


# --- planning ---------------------------------------------------------------------------


def plan_install(
    settings: Dict[str, Any], record: Optional[Dict[str, Any]], command: str, where: str
) -> Plan:
    """Point ``statusLine`` at ``command``, keeping every other key where it was."""
    current = settings.get("statusLine")
    ours = {"type": "command", "command": command}
    if current is None:
        return Plan(_with(settings, ours), True, None, "installed")
    if not isinstance(current, dict) or current.get("type") != "command":
        kind = current.get("type") if isinstance(current, dict) else type(current).__name__
        raise Refused(
            f"the statusLine in {where} is of type {kind!r}, not a command; left unchanged",
            _manual_steps(command, where),
        )
    existing = current.get("command")
    if not isinstance(existing, str) or "\n" in existing or "\r" in existing:
        raise Refused(
            f"the statusLine command in {where} spans several lines; left unchanged",
            _manual_steps(command, where),
        )
    for key in CARRIED_KEYS:
        if key in current:
            ours[key] = current[key]
    if is_ours(current, record):
        previous = record["previous"] if record is not None else None
        if existing == command:
            return Plan(settings, False, previous, "already installed")
        return Plan(_with(settings, ours), True, previous, "updated")
    return Plan(_with(settings, ours), True, current, "installed, chaining the previous command")


def plan_uninstall(settings: Dict[str, Any], record: Optional[Dict[str, Any]]) -> Plan:
    """Give back the statusLine ours replaced, only while ours is still the one installed."""
    current = settings.get("statusLine")
    if is_ours(current, record):
        previous = record["previous"] if record is not None else None
        if previous is None:
            rest = {k: v for k, v in settings.items() if k != "statusLine"}
            return Plan(rest, True, None, "removed")
        return Plan(_with(settings, previous), True, previous, "restored the previous statusLine")
    if record is None:  # never installed here (or the record is gone): nothing of ours
        return Plan(settings, False, None, "not installed")
    what = "removed" if current is None else "changed"
    return Plan(
        settings, False, None, f"the statusLine was {what} since install; left as it is", True
    )


def _with(settings: Dict[str, Any], status_line: Dict[str, Any]) -> Dict[str, Any]:
    """``settings`` with statusLine set, in its old place (new keys go last)."""
    result = dict(settings)
    result["statusLine"] = status_line
    return result


def _manual_steps(command: str, where: str) -> str:
    line = json.dumps({"type": "command", "command": command})
    return (
        f'To use vibeusage, set "statusLine": {line} in {where} yourself; to keep your own '
        f"status line too, make it pipe Claude Code's input to `{command}` as well."
    )


# --- files ------------------------------------------------------------------------------


def read_settings(path: str) -> Tuple[Optional[bytes], Dict[str, Any]]:
    """The original bytes (None when there is no file) and the settings object.

    Raises ValueError naming the file when it is not a JSON object: nothing may be written.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None, {}
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return raw, data


def settings_text(settings: Dict[str, Any]) -> str:
    """How Claude Code's settings are written back: indent 2, non-ASCII as is, final newline."""
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def diff(path: str, before: Optional[bytes], after: str) -> str:
    """A unified diff of the change, for people to read before saying yes."""
    import difflib

    old = before.decode("utf-8", "replace").splitlines(keepends=True) if before else []
    lines = difflib.unified_diff(old, after.splitlines(keepends=True), path, path)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def backup(path: str, original: bytes, now: float) -> str:
    """Keep ``settings.json.vibeusage-bak-<UTC stamp>`` (0600) of the original bytes."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(now)))
    base = f"{path}.vibeusage-bak-{stamp}"
    for attempt in range(100):
        name = base if attempt == 0 else f"{base}.{attempt}"
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(original)
            handle.flush()
            os.fsync(handle.fileno())
        return name
    raise OSError(f"too many backups of {path} this second")


def write_settings(path: str, text: str) -> None:
    """Replace the settings file atomically (through a symlink to its target), mode kept."""
    from ..store import atomic_write_text

    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode & 0o777
    except OSError:
        mode = 0o600
    atomic_write_text(target, text, mode=mode)


def project_overrides(cwd: str, user_settings: str) -> List[str]:
    """Project settings files from ``cwd`` upwards that define a statusLine winning over ours."""
    found = []
    seen_user = os.path.realpath(user_settings)
    directory = os.path.realpath(cwd)
    while True:
        for name in ("settings.json", "settings.local.json"):
            path = os.path.join(directory, ".claude", name)
            if os.path.realpath(path) == seen_user or not os.path.isfile(path):
                continue
            try:
                _, data = read_settings(path)
            except ValueError:
                continue
            if "statusLine" in data:
                found.append(path)
        parent = os.path.dirname(directory)
        if parent == directory:
            return found
        directory = parent


def capture_summary(capture: Optional[Dict[str, Any]]) -> Tuple[Optional[str], Dict[str, Any]]:
    """``capture_updated_at`` and ``windows`` for ``status`` (resets as ISO strings)."""
    if not capture:
        return None, {}
    from .values import iso_utc

    windows = {
        key: dict(entry, resets_at=iso_utc(entry["resets_at"]))
        for key, entry in capture["windows"].items()
    }
    updated = capture.get("updated_at")
    return (updated if iso_epoch(updated) is not None else None), windows
