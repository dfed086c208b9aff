"""A fake ``/proc`` tree in ``tmp_path``: processes with a command line, fds and tcp tables."""

import os
from pathlib import Path
from typing import Optional, Sequence

TCP_HEADER = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n"
)


def tcp_row(index: int, local: str, state: str, inode: str, remote: str = "00000000:0000") -> str:
    """One ``/proc/net/tcp`` row in the kernel's format."""
    return (
        f"   {index}: {local} {remote} {state} 00000000:00000000 00:00000000 00000000  1000"
        f"        0 {inode} 1 0000000000000000 100 0 0 10 0\n"
    )


def add_process(
    root: Path,
    pid: int,
    argv: Sequence[str],
    sockets: Sequence[str] = (),
    tcp: Optional[str] = None,
    tcp6: Optional[str] = None,
    files: Sequence[str] = (),
) -> Path:
    """``root/<pid>`` with ``cmdline``, ``fd/`` links (sockets and files) and ``net/``."""
    entry = root / str(pid)
    (entry / "fd").mkdir(parents=True)
    (entry / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    for number, inode in enumerate(sockets, start=3):
        os.symlink(f"socket:[{inode}]", entry / "fd" / str(number))
    for number, target in enumerate(files, start=100):
        os.symlink(target, entry / "fd" / str(number))
    (entry / "net").mkdir()
    if tcp is not None:
        (entry / "net" / "tcp").write_text(tcp, encoding="ascii")
    if tcp6 is not None:
        (entry / "net" / "tcp6").write_text(tcp6, encoding="ascii")
    return entry
