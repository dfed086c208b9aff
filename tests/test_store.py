"""Atomic writes (temp file, fsync, replace) and tolerant JSON reads."""

import json
import os
import stat

import pytest

from vibeusage import store
from vibeusage.store import atomic_write_bytes, atomic_write_json, atomic_write_text, read_json

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_write_bytes_writes_the_content(tmp_path):
    target = tmp_path / "out.bin"
    atomic_write_bytes(target, b"\x00\x01payload\xff")
    assert target.read_bytes() == b"\x00\x01payload\xff"


def test_atomic_write_accepts_a_string_path(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_bytes(str(target), b"x")
    assert target.read_bytes() == b"x"


def test_atomic_write_text_encodes_utf8(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "héllo ✓ – 5 %\n")
    assert target.read_bytes() == "héllo ✓ – 5 %\n".encode()


def test_atomic_write_json_is_sorted_indented_and_newline_terminated(tmp_path):
    target = tmp_path / "out.json"
    atomic_write_json(target, {"b": 1, "a": [1, 2], "é": None})
    text = target.read_text(encoding="utf-8")
    assert json.loads(text) == {"b": 1, "a": [1, 2], "é": None}
    assert text.endswith("}\n")
    assert text.index('"a"') < text.index('"b"')
    assert "\n  " in text


@posix_only
def test_atomic_write_sets_0600_when_asked(tmp_path):
    target = tmp_path / "secret.json"
    atomic_write_json(target, {"token": "x"}, mode=0o600)
    assert mode_of(target) == 0o600


@posix_only
def test_atomic_write_default_mode_is_0644_regardless_of_umask(tmp_path):
    old = os.umask(0o077)
    try:
        atomic_write_text(tmp_path / "out.txt", "x")
    finally:
        os.umask(old)
    assert mode_of(tmp_path / "out.txt") == 0o644


@posix_only
def test_atomic_write_replacing_a_0644_file_with_0600_tightens_it(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new", mode=0o600)
    assert mode_of(target) == 0o600
    assert target.read_text() == "new"


def test_atomic_write_creates_missing_parent_directories(tmp_path):
    target = tmp_path / "a" / "b" / "c" / "out.json"
    atomic_write_json(target, [1])
    assert json.loads(target.read_text()) == [1]


def test_atomic_write_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old content that is longer than the new one")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out.txt"
    for i in range(3):
        atomic_write_text(target, f"version {i}")
    assert os.listdir(tmp_path) == ["out.txt"]
    assert target.read_text() == "version 2"


def _fail(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("step", ["replace", "fsync", "chmod"])
def test_failed_write_keeps_the_original_and_removes_the_temp_file(tmp_path, monkeypatch, step):
    target = tmp_path / "out.txt"
    target.write_text("original")
    monkeypatch.setattr(store.os, step, _fail)
    with pytest.raises(OSError):
        atomic_write_text(target, "replacement")
    monkeypatch.undo()
    assert target.read_text() == "original"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_failed_first_write_creates_no_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    monkeypatch.setattr(store.os, "replace", _fail)
    with pytest.raises(OSError):
        atomic_write_text(target, "data")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_write_of_wrong_type_keeps_the_original_and_removes_the_temp_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("original")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "original"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_unserialisable_json_does_not_touch_the_target(tmp_path):
    target = tmp_path / "out.json"
    target.write_text('{"kept": true}')
    with pytest.raises(TypeError):
        atomic_write_json(target, {"when": object()})
    assert json.loads(target.read_text()) == {"kept": True}
    assert os.listdir(tmp_path) == ["out.json"]


# --- read_json --------------------------------------------------------------------------------


def test_read_json_returns_the_parsed_content(tmp_path):
    target = tmp_path / "in.json"
    target.write_text('{"a": [1, 2.5, "é"]}', encoding="utf-8")
    assert read_json(target) == {"a": [1, 2.5, "é"]}
    assert read_json(str(target)) == {"a": [1, 2.5, "é"]}


def test_read_json_returns_none_for_a_missing_file(tmp_path):
    assert read_json(tmp_path / "missing.json") is None


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"not json", b'{"a": 1,}', b"\xff\xfe\x00\x01\x89PNG", b'{"a": "\xff"}'],
)
def test_read_json_returns_none_for_invalid_or_binary_content(tmp_path, content):
    target = tmp_path / "in.json"
    target.write_bytes(content)
    assert read_json(target) is None


def test_read_json_returns_none_for_a_directory(tmp_path):
    directory = tmp_path / "in.json"
    directory.mkdir()
    assert read_json(directory) is None


def test_read_json_reads_back_what_atomic_write_json_wrote(tmp_path):
    data = {"schema_version": 1, "values": [None, True, 1.5, "x"]}
    atomic_write_json(tmp_path / "round.json", data)
    assert read_json(tmp_path / "round.json") == data
