"""kit.procscan: own processes and their listening loopback ports from a (fake) ``/proc``."""

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.kit.fake_proc import TCP_HEADER, add_process, tcp_row
from vibeusage.kit.procscan import (
    ListeningPort,
    ProcessInfo,
    listening_ports,
    listening_rows,
    own_processes,
    socket_inodes,
)

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="/proc is Linux's")

NET_TCP = (FIXTURES / "antigravity" / "proc-net-tcp.txt").read_text(encoding="ascii")


def test_processes_are_listed_by_pid_with_their_nul_split_argv(tmp_path: Path) -> None:
    add_process(tmp_path, 20, ["/bin/b", "--flag=a b", ""])
    add_process(tmp_path, 3, ["/bin/a", "x"])
    (tmp_path / "self").mkdir()  # not a pid
    (tmp_path / "meminfo").write_text("")
    assert list(own_processes(tmp_path)) == [
        ProcessInfo(3, ("/bin/a", "x")),
        ProcessInfo(20, ("/bin/b", "--flag=a b")),
    ]


def test_another_users_processes_are_skipped_unread(tmp_path: Path) -> None:
    mine = add_process(tmp_path, 10, ["/bin/mine"])
    theirs = add_process(tmp_path, 11, ["/bin/theirs"])
    uid = os.stat(mine).st_uid
    if os.getuid() != 0:
        pytest.skip("needs root to give a fake process to another user")
    os.chown(theirs, uid + 4242, -1)
    assert [p.pid for p in own_processes(tmp_path, uid)] == [10]


def test_vanished_and_empty_processes_are_skipped(tmp_path: Path) -> None:
    add_process(tmp_path, 5, ["/bin/ok"])
    (tmp_path / "6").mkdir()  # gone between listdir and read: no cmdline
    kernel = add_process(tmp_path, 7, [])
    (kernel / "cmdline").write_bytes(b"")  # kernel threads have an empty command line
    assert [p.pid for p in own_processes(tmp_path)] == [5]
    assert list(own_processes(tmp_path / "missing")) == []


def test_listening_ports_come_from_the_pids_socket_inodes_and_listen_rows(tmp_path: Path) -> None:
    add_process(tmp_path, 42, ["/x"], sockets=["412233", "412240", "413001"], tcp=NET_TCP)
    assert socket_inodes(42, tmp_path) == {"412233", "412240", "413001"}
    # Row 2 is established (st 01), row 3 another process's: only 38379 and 41412 listen.
    assert listening_ports(42, tmp_path) == [
        ListeningPort(38379, "127.0.0.1"),
        ListeningPort(41412, "127.0.0.1"),
    ]


def test_ipv6_loopback_listeners_are_reached_at_colon_colon_1(tmp_path: Path) -> None:
    tcp6 = TCP_HEADER + tcp_row(0, "00000000000000000000000001000000:1F90", "0A", "77")
    tcp6 += tcp_row(1, "00000000000000000000000000000000:1F91", "0A", "78")
    tcp = TCP_HEADER + tcp_row(0, "00000000:1F91", "0A", "79")
    add_process(tmp_path, 9, ["/x"], sockets=["77", "78", "79"], tcp=tcp, tcp6=tcp6)
    assert listening_ports(9, tmp_path) == [
        ListeningPort(8080, "::1"),
        ListeningPort(8081, "127.0.0.1"),  # also on IPv4: the IPv4 address is used
    ]


def test_a_port_bound_to_another_interface_only_is_left_out(tmp_path: Path) -> None:
    tcp = TCP_HEADER + tcp_row(0, "0101A8C0:1F90", "0A", "5")  # 192.168.1.1:8080
    add_process(tmp_path, 9, ["/x"], sockets=["5"], tcp=tcp)
    assert listening_ports(9, tmp_path) == []


def test_unreadable_fds_or_tables_give_no_ports(tmp_path: Path) -> None:
    add_process(tmp_path, 9, ["/x"], files=["/dev/null", "pipe:[3]"])
    assert socket_inodes(9, tmp_path) == set()
    assert listening_ports(9, tmp_path) == []
    add_process(tmp_path, 10, ["/x"], sockets=["412233"])  # no net/tcp at all
    assert listening_ports(10, tmp_path) == []
    assert listening_ports(11, tmp_path) == []


def test_malformed_rows_are_ignored() -> None:
    text = "header\n garbage\n   0: 0100007F:ZZZZ 00000000:0000 0A 0 0 0 0 1000 0 5 1\n"
    text += "   1: 0100007F:0000 00000000:0000 0A 0 0 0 0 1000 0 5 1\n"
    assert list(listening_rows(text, {"5"})) == []


def test_the_real_proc_lists_this_test_process(tmp_path: Path) -> None:
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("no /proc here")
    pids = [p.pid for p in own_processes()]
    assert os.getpid() in pids
