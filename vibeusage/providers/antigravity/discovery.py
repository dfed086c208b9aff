"""Finding the running Antigravity language server: its process, CSRF token and ports.

A process is Antigravity's language server when the basename of its program matches
``language[_-]server…`` (``language_server_linux_x64``, ``language_server_macos_arm``,
``language_server_windows_x64.exe``), its command line carries an Antigravity marker (an
``--app_data_dir`` naming ``antigravity``, a ``/antigravity/`` path segment, or
``Antigravity.app/`` / ``Antigravity IDE.app/``) and it has a ``--csrf_token``. Flags come as
``--flag value`` or ``--flag=value``. Only the caller's own processes are looked at.

Linux reads ``/proc`` (``kit.procscan``); macOS runs ``ps`` and ``lsof``, Windows PowerShell's
``Get-CimInstance Win32_Process`` and ``Get-NetTCPConnection`` (2 s each). The macOS and
Windows paths follow the published descriptions and are not exercised on those systems by
the test suite (their output parsers are).
"""

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ...kit.procscan import PROC, ListeningPort
from ...kit.values import MaskedRepr

log = logging.getLogger(__name__)

_BASENAME = re.compile(r"language[_-]server([_-][a-z0-9]+)*(\.exe)?")
_MAC_BUNDLES = ("antigravity.app/", "antigravity ide.app/")
#: Cap on each helper program (``ps``, ``lsof``, PowerShell).
HELPER_CAP = 2.0


@dataclass(frozen=True, repr=False)
class LanguageServer(MaskedRepr):
    """One running language server and how to talk to it (its tokens are secrets)."""

    SECRET_FIELDS = ("csrf_token", "extension_csrf_token")

    pid: int
    csrf_token: str
    #: Loopback ports it listens on, ascending.
    ports: Tuple[ListeningPort, ...] = ()
    extension_port: Optional[int] = None
    extension_csrf_token: Optional[str] = None
    #: Its ``--app_data_dir`` (``antigravity``, ``antigravity-ide``), for explain.
    app_data_dir: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ServerArgs(MaskedRepr):
    """What a language server's command line says."""

    SECRET_FIELDS = ("csrf_token", "extension_csrf_token")

    csrf_token: str
    extension_port: Optional[int]
    extension_csrf_token: Optional[str]
    app_data_dir: Optional[str]


def match_language_server(argv: Sequence[str]) -> Optional[ServerArgs]:
    """The server's flags when ``argv`` is an Antigravity language server with a CSRF token."""
    if not argv or not _BASENAME.fullmatch(_basename(argv[0]).lower()):
        return None
    flags = _flags(argv[1:])
    app_data_dir = flags.get("--app_data_dir")
    line = " ".join(argv).replace("\\", "/").lower()
    marked = (
        (app_data_dir is not None and "antigravity" in app_data_dir.lower())
        or "/antigravity/" in line
        or any(bundle in line for bundle in _MAC_BUNDLES)
    )
    token = flags.get("--csrf_token")
    if not marked or not token:
        return None
    return ServerArgs(
        csrf_token=token,
        extension_port=_port(flags.get("--extension_server_port")),
        extension_csrf_token=flags.get("--extension_server_csrf_token") or None,
        app_data_dir=app_data_dir,
    )


def find_servers(
    platform: str, environ: Mapping[str, str], proc_root: Path = PROC
) -> List[LanguageServer]:
    """Every running Antigravity language server of this user (never raises)."""
    try:
        if platform == "darwin":
            return _mac_servers(environ)
        if platform.startswith("win"):
            return _windows_servers(environ)
        return linux_servers(proc_root)
    except Exception as exc:  # discovery must never break a run
        log.debug("language server discovery failed: %r", exc)
        return []


def linux_servers(root: Path = PROC, uid: Optional[int] = None) -> List[LanguageServer]:
    """The language servers in ``/proc`` (or a tree like it at ``root``)."""
    from ...kit.procscan import listening_ports, own_processes

    servers = []
    for process in own_processes(root, uid):
        args = match_language_server(process.argv)
        if args is not None:
            ports = tuple(listening_ports(process.pid, root))
            servers.append(_server(process.pid, args, ports))
    return servers


def _server(pid: int, args: ServerArgs, ports: Tuple[ListeningPort, ...]) -> LanguageServer:
    return LanguageServer(
        pid=pid,
        csrf_token=args.csrf_token,
        ports=ports,
        extension_port=args.extension_port,
        extension_csrf_token=args.extension_csrf_token,
        app_data_dir=args.app_data_dir,
    )


# --- macOS: ps and lsof ---------------------------------------------------------------------


def _mac_servers(environ: Mapping[str, str]) -> List[LanguageServer]:
    listing = _helper(["ps", "-ax", "-o", "pid=,uid=,command="], environ)
    servers = []
    for pid, argv in parse_ps(listing, os.getuid()):
        args = match_language_server(argv)
        if args is not None:
            lsof = ["lsof", "-nP", "-iTCP", "-sTCP:LISTEN", "-a", "-p", str(pid)]
            servers.append(_server(pid, args, tuple(parse_lsof(_helper(lsof, environ)))))
    return servers


def parse_ps(text: str, uid: int) -> List[Tuple[int, Tuple[str, ...]]]:
    """``(pid, argv)`` of ``ps -o pid=,uid=,command=`` lines of user ``uid``."""
    found = []
    for line in text.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[0].isdigit() or not parts[1].isdigit():
            continue
        if int(parts[1]) != uid:
            continue
        found.append((int(parts[0]), argv_from_command(parts[2])))
    return found


def parse_lsof(text: str) -> List[ListeningPort]:
    """Loopback-reachable ports of ``lsof -nP -iTCP -sTCP:LISTEN`` output, ascending."""
    found: Dict[int, ListeningPort] = {}
    for line in text.splitlines():
        match = re.search(r"TCP (\S+):(\d+) \(LISTEN\)", line)
        if match is None:
            continue
        host = _loopback_host(match.group(1))
        port = int(match.group(2))
        if host is not None and 0 < port < 65536:
            if port not in found or host == "127.0.0.1":
                found[port] = ListeningPort(port, host)
    return [found[port] for port in sorted(found)]


# --- Windows: PowerShell --------------------------------------------------------------------

_PS_PROCESSES = (
    "Get-CimInstance Win32_Process -Filter \"Name like 'language_server%'\" | "
    "Select-Object ProcessId,CommandLine | ConvertTo-Json -Compress"
)
_PS_PORTS = (
    "Get-NetTCPConnection -State Listen -OwningProcess {pid} | "
    "Select-Object LocalAddress,LocalPort | ConvertTo-Json -Compress"
)


def _windows_servers(environ: Mapping[str, str]) -> List[LanguageServer]:
    servers = []
    for pid, argv in parse_windows_processes(_powershell(_PS_PROCESSES, environ)):
        args = match_language_server(argv)
        if args is not None:
            ports = parse_windows_ports(_powershell(_PS_PORTS.format(pid=pid), environ))
            servers.append(_server(pid, args, tuple(ports)))
    return servers


def parse_windows_processes(text: str) -> List[Tuple[int, Tuple[str, ...]]]:
    """``(pid, argv)`` from ``Win32_Process`` JSON; processes without a readable command line
    (another user's, without elevation) are left out."""
    found = []
    for item in _json_items(text):
        pid, command = item.get("ProcessId"), item.get("CommandLine")
        if isinstance(pid, int) and isinstance(command, str) and command.strip():
            found.append((pid, argv_from_command(command)))
    return found


def parse_windows_ports(text: str) -> List[ListeningPort]:
    """Loopback-reachable ports from ``Get-NetTCPConnection`` JSON, ascending."""
    found: Dict[int, ListeningPort] = {}
    for item in _json_items(text):
        port, address = item.get("LocalPort"), item.get("LocalAddress")
        host = _loopback_host(address) if isinstance(address, str) else None
        if isinstance(port, int) and 0 < port < 65536 and host is not None:
            if port not in found or host == "127.0.0.1":
                found[port] = ListeningPort(port, host)
    return [found[port] for port in sorted(found)]


def _powershell(command: str, environ: Mapping[str, str]) -> str:
    return _helper(["powershell", "-NoProfile", "-NonInteractive", "-Command", command], environ)


# --- shared ---------------------------------------------------------------------------------


def argv_from_command(command: str) -> Tuple[str, ...]:
    """An argument vector from a command line joined with spaces (``ps``, ``Win32_Process``).

    The program's path may hold spaces (``Antigravity IDE.app``): everything up to the
    first word whose basename is a language server's is taken as the program.
    """
    words = command.replace('"', "").split()
    for index, word in enumerate(words):
        if _BASENAME.fullmatch(_basename(word).lower()):
            return (" ".join(words[: index + 1]), *words[index + 1 :])
    return tuple(words)


def _flags(args: Sequence[str]) -> Dict[str, str]:
    flags: Dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("--") and "=" in arg:
            name, _, value = arg.partition("=")
            flags.setdefault(name, value)
        elif (
            arg.startswith("--") and index + 1 < len(args) and not args[index + 1].startswith("--")
        ):
            flags.setdefault(arg, args[index + 1])
            index += 1
        index += 1
    return flags


def _basename(path: str) -> str:
    return re.split(r"[/\\]", path)[-1]


def _port(value: Optional[str]) -> Optional[int]:
    if value is None or not value.strip().isdigit():
        return None
    port = int(value)
    return port if 0 < port < 65536 else None


def _loopback_host(address: str) -> Optional[str]:
    text = address.strip().strip("[]").lower()
    if text in ("127.0.0.1", "localhost", "*", "0.0.0.0"):
        return "127.0.0.1"
    if text in ("::1", "::"):
        return "::1"
    return None


def _json_items(text: str) -> List[Dict[str, Any]]:
    import json

    try:
        document = json.loads(text) if text.strip() else []
    except (ValueError, RecursionError):
        return []
    items = document if isinstance(document, list) else [document]
    return [item for item in items if isinstance(item, dict)]


def _helper(argv: List[str], environ: Mapping[str, str]) -> str:
    """A helper program's stdout ("" when it is missing, fails or takes too long)."""
    from ...kit.capture import run_captured

    try:
        captured = run_captured(argv, env=environ, total=HELPER_CAP)
    except OSError:
        return ""
    return "" if captured.timed_out else captured.stdout
