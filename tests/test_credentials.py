"""vibeusage's own credential store: private files, atomic writes, clear errors."""

import json
import stat

import pytest

from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.paths import Paths


@pytest.fixture
def store(tmp_path) -> CredentialStore:
    return CredentialStore(Paths(tmp_path / "config", tmp_path / "cache"))


def test_write_then_read_round_trip(store):
    path = store.write("claude", "session_key", "  sk-ant-sid01-value  ")
    secret = store.read("claude", "session_key")
    assert secret is not None
    assert secret.value == "sk-ant-sid01-value"
    assert secret.path == path
    assert secret.created_at is not None


def test_files_are_0600_in_0700_directories(store):
    path = store.write("copilot", "token", "gho_x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.paths.credentials_dir.stat().st_mode) == 0o700


def test_extra_fields_are_stored(store):
    path = store.write("copilot", "token", "gho_x", scope="read:user")
    assert json.loads(path.read_text(encoding="utf-8"))["scope"] == "read:user"


def test_missing_secret_reads_as_none(store):
    assert store.read("claude", "session_key") is None


@pytest.mark.parametrize("content", ["{broken", '{"value": ""}', '{"other": 1}', "[]"])
def test_unreadable_secret_is_an_authentication_error_naming_the_file(store, content):
    path = store.path("claude", "session_key")
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(VibeusageError) as info:
        store.read("claude", "session_key")
    assert info.value.category is ErrorCategory.AUTHENTICATION
    assert str(path) in info.value.message


def test_delete_removes_only_that_secret(store):
    store.write("claude", "session_key", "a")
    store.write("claude", "other", "b")
    assert store.delete("claude", "session_key") is True
    assert store.delete("claude", "session_key") is False
    assert store.read("claude", "other") is not None


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid"), reason="POSIX permissions")
def test_loosened_secret_file_is_made_private_again_with_a_warning(cli, home):
    cli("key", "claude", "set", "sk-ant-sid01-" + "k" * 40)
    path = home.config_dir / "credentials" / "claude" / "session_key.json"
    path.chmod(0o644)
    result = cli("key", "claude")
    assert result.code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "warning:" in result.err and "now private (600)" in result.err
    assert "k" * 40 not in result.err


def test_warnings_are_not_repeated_across_in_process_runs(cli, home):
    cli("key", "claude", "set", "sk-ant-sid01-" + "k" * 40)
    path = home.config_dir / "credentials" / "claude" / "session_key.json"
    for _ in range(3):
        path.chmod(0o640)
        result = cli("key", "claude")
        assert result.err.count("warning:") == 1


def test_a_symlink_at_a_stored_credential_is_refused_and_its_target_untouched(cli, home):
    other = home.root / ".gemini" / "oauth_creds.json"
    other.parent.mkdir(parents=True)
    other.write_text('{"value": "ya29.someone-elses-token-0123456789"}', encoding="utf-8")
    other.chmod(0o644)
    path = home.config_dir / "credentials" / "claude" / "session_key.json"
    path.parent.mkdir(parents=True)
    path.symlink_to(other)
    result = cli("claude", "--json")
    assert result.code == 2
    assert "is a symbolic link" in result.out
    assert stat.S_IMODE(other.stat().st_mode) == 0o644
    assert "someone-elses" not in result.out + result.err
