"""The state directory's location and the machine id (FEATURES.md §0.1)."""

import os
import stat
from pathlib import Path

import pytest

from tests.history_helpers import run_together
from vibeusage.paths import state_dir
from vibeusage.state import ensure_machine_id, make_private_dir, read_machine_id

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_state_dir_override_wins_and_expands_the_environment_home():
    env = {"HOME": "/home/u", "VIBEUSAGE_STATE_DIR": "~/state", "XDG_STATE_HOME": "/x"}
    assert state_dir(env, "linux") == Path("/home/u/state")


def test_state_dir_uses_an_absolute_xdg_state_home():
    assert state_dir({"HOME": "/home/u", "XDG_STATE_HOME": "/xdg"}, "linux") == Path(
        "/xdg/vibeusage"
    )


def test_state_dir_ignores_a_relative_xdg_state_home():
    env = {"HOME": "/home/u", "XDG_STATE_HOME": "relative/state"}
    assert state_dir(env, "linux") == Path("/home/u/.local/state/vibeusage")


def test_state_dir_on_macos_is_under_application_support():
    assert state_dir({"HOME": "/Users/u"}, "darwin") == Path(
        "/Users/u/Library/Application Support/vibeusage/State"
    )


def test_state_dir_on_windows_is_under_local_appdata():
    env = {"USERPROFILE": "C:/Users/u", "LOCALAPPDATA": "C:/Users/u/AppData/Local"}
    assert state_dir(env, "win32") == Path("C:/Users/u/AppData/Local/vibeusage/State")


def test_state_dir_is_not_the_cache_dir():
    env = {"HOME": "/home/u"}
    from vibeusage.paths import cache_dir

    assert state_dir(env, "linux") != cache_dir(env, "linux")


def test_machine_id_is_16_lowercase_hex_and_a_newline(tmp_path):
    machine = ensure_machine_id(tmp_path / "state")
    assert len(machine) == 16 and all(c in "0123456789abcdef" for c in machine)
    assert (tmp_path / "state" / "machine-id").read_bytes() == machine.encode() + b"\n"


def test_machine_id_is_stable_across_calls(tmp_path):
    assert ensure_machine_id(tmp_path) == ensure_machine_id(tmp_path)


def test_machine_ids_of_two_state_dirs_differ(tmp_path):
    assert ensure_machine_id(tmp_path / "a") != ensure_machine_id(tmp_path / "b")


@pytest.mark.parametrize("content", [b"", b"zz\n", b"6F1C2A9E0B7D4E11\n", b"6f1c2a9e0b7d4e11"])
def test_a_malformed_machine_id_is_replaced(tmp_path, content):
    (tmp_path / "machine-id").write_bytes(content)
    assert read_machine_id(tmp_path) is None
    machine = ensure_machine_id(tmp_path)
    assert read_machine_id(tmp_path) == machine


def test_creating_the_machine_id_leaves_no_temporary_file(tmp_path):
    ensure_machine_id(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["machine-id"]


@posix_only
def test_state_dirs_are_0700_and_the_machine_id_0600(tmp_path):
    state = tmp_path / "a" / "b"
    ensure_machine_id(state)
    assert mode_of(tmp_path / "a") == 0o700
    assert mode_of(state) == 0o700
    assert mode_of(state / "machine-id") == 0o600


def test_make_private_dir_keeps_an_existing_directory(tmp_path):
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "file").write_text("x")
    make_private_dir(tmp_path / "kept" / "new")
    assert (tmp_path / "kept" / "file").read_text() == "x"
    assert (tmp_path / "kept" / "new").is_dir()


FIRST_RUN = """
from vibeusage.state import ensure_machine_id
print(ensure_machine_id(Path(sys.argv[1])))
"""


def test_concurrent_first_runs_agree_on_one_machine_id(tmp_path):
    state = tmp_path / "state"
    outputs = run_together(FIRST_RUN, [[str(state)]] * 8, tmp_path)
    assert {out.strip() for out in outputs} == {read_machine_id(state)}
