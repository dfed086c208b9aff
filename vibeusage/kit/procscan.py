"""Processes and their listening TCP ports, read from ``/proc`` (Linux) without ``ps``/``lsof``.

Only the caller's own processes are looked at: another user's are skipped without reading
their command line. PIDs that vanish or cannot be read mid-scan are skipped too. The root is
a parameter, so tests read a fake ``/proc`` tree.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Set, Tuple

PROC = Path("/proc")
#: A command line longer than this is not read (no real tool needs more).
MAX_CMDLINE = 256 * 1024
#: ``st`` of a listening socket in ``/proc/net/tcp``.
LISTEN = "0A"
#: Local addresses of the loopback interface (and "any"), as ``/proc/net/tcp{,6}`` write them.
_V4_LOOPBACK = ("0100007F", "00000000")
_V6_LOOPBACK = ("00000000000000000000000001000000", "00000000000000000000000000000000")


@dataclass(frozen=True)
class ProcessInfo:
    """One process of the caller's user: its id and its argument vector."""

    pid: int
    argv: Tuple[str, ...]


@dataclass(frozen=True)
class ListeningPort:
    """A TCP port a process listens on, and the loopback address to reach it by."""

    port: int
    #: ``127.0.0.1`` (IPv4 loopback or any) or ``::1`` (IPv6 only).
    host: str


def own_processes(root: Path = PROC, uid: Optional[int] = None) -> Iterator[ProcessInfo]:
    """Every process of user ``uid`` (default: the caller's) under ``root``, by ascending pid."""
    if uid is None:
        uid = os.getuid()
    try:
        names = [name for name in os.listdir(root) if name.isdigit()]
    except OSError:
        return
    for name in sorted(names, key=int):
        entry = root / name
        try:
            if os.stat(entry).st_uid != uid:
                continue
            with open(entry / "cmdline", "rb") as handle:
                raw = handle.read(MAX_CMDLINE)
        except OSError:  # gone, or not ours after all
            continue
        argv = tuple(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
        if argv:
            yield ProcessInfo(int(name), argv)


def listening_ports(pid: int, root: Path = PROC) -> List[ListeningPort]:
    """The loopback-reachable TCP ports process ``pid`` listens on, ascending (none if unreadable).

    Its sockets are the ``socket:[INODE]`` targets of ``/proc/<pid>/fd/*``; listening rows of
    ``/proc/<pid>/net/tcp`` and ``tcp6`` with one of those inodes give the ports. A socket
    bound to another interface's address only is left out: nothing is sent there.
    """
    inodes = socket_inodes(pid, root)
    if not inodes:
        return []
    found = {}
    for table, loopback, host in (
        ("tcp6", _V6_LOOPBACK, "::1"),
        ("tcp", _V4_LOOPBACK, "127.0.0.1"),
    ):
        try:
            text = (root / str(pid) / "net" / table).read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for port, address in listening_rows(text, inodes):
            if address in loopback:
                found[port] = ListeningPort(port, host)  # IPv4 (read last) wins
    return [found[port] for port in sorted(found)]


def socket_inodes(pid: int, root: Path = PROC) -> Set[str]:
    """Inodes of the sockets process ``pid`` holds open (empty when its fds are unreadable)."""
    folder = root / str(pid) / "fd"
    try:
        names = os.listdir(folder)
    except OSError:
        return set()
    inodes = set()
    for name in names:
        try:
            target = os.readlink(folder / name)
        except OSError:
            continue
        if target.startswith("socket:[") and target.endswith("]"):
            inodes.add(target[8:-1])
    return inodes


def listening_rows(text: str, inodes: Set[str]) -> Iterator[Tuple[int, str]]:
    """``(port, local address)`` of LISTEN rows in ``/proc/net/tcp`` text owned by ``inodes``."""
    for line in text.splitlines()[1:]:
        columns = line.split()
        if len(columns) < 10 or columns[3] != LISTEN or columns[9] not in inodes:
            continue
        address, _, port_hex = columns[1].rpartition(":")
        try:
            port = int(port_hex, 16)
        except ValueError:
            continue
        if 0 < port < 65536:
            yield port, address.upper()


__all__ = [
    "ListeningPort",
    "ProcessInfo",
    "listening_ports",
    "listening_rows",
    "own_processes",
    "socket_inodes",
]
