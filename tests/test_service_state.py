"""The service behind auth, key, cache, config and doctor, driven through a real App."""

import io
import os
from datetime import timedelta
from typing import Any

import pytest

from tests.fakes import FIXED_NOW, FakeStrategy, fake_provider, snapshot_for
from vibeusage.cache import FailureGate, SnapshotCache
from vibeusage.commands.app import App
from vibeusage.errors import ConfigError
from vibeusage.providers.base import FetchContext, Provider, SecretSpec
from vibeusage.service import keys
from vibeusage.service.cache_state import cache_overview, clear_caches, describe
from vibeusage.service.connections import auth_overview, connection
from vibeusage.service.diagnostics import diagnose
from vibeusage.service.settings import (
    config_paths,
    effective_values,
    ensure_file,
    replace_file,
    validate_file,
)
from vibeusage.terminal import Terminal

SECRET = "sk-test-ThisIsAStoredSecretValue0123456789"


class BrokenCheck(FakeStrategy):
    def available(self, ctx: FetchContext) -> bool:
        raise RuntimeError("the check itself broke")


def with_secret(provider: Provider) -> Provider:
    return provider.replace(
        secret=SecretSpec(name="token", label="a test token", check=lambda v: None)
    )


@pytest.fixture
def app(home, monkeypatch) -> App:
    first = fake_provider(
        "alpha",
        [
            FakeStrategy("alpha", "web", available=False),
            FakeStrategy("alpha", "oauth"),
            FakeStrategy("alpha", "cli"),
        ],
    )
    second = with_secret(fake_provider("beta", [BrokenCheck("beta", "cli")]))
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: (first, second))
    return App(Terminal(io.StringIO(), io.StringIO()), os.environ, lambda: FIXED_NOW)


def provider(app: App, pid: str) -> Provider:
    return app.registry[pid]


def cached_snapshot(home: Any, pid: str, age: timedelta = timedelta(0)) -> None:
    SnapshotCache(home.cache_dir / "snapshots").save(snapshot_for(pid, FIXED_NOW - age))


# --- connections -----------------------------------------------------------------------------


def test_connection_is_the_first_available_strategy_with_every_reason(app):
    strategy, reasons = connection(app, provider(app, "alpha"))
    assert strategy is not None and strategy.name == "oauth"
    assert [r.split(":")[0] for r in reasons] == ["web", "oauth", "cli"]


def test_a_broken_availability_check_is_a_reason_not_a_crash(app):
    strategy, reasons = connection(app, provider(app, "beta"))
    assert strategy is None
    assert reasons == ["cli: fake cli: check failed (RuntimeError)"]


def test_auth_source_restricts_the_chain(app, home):
    home.write_config('[providers.alpha]\nauth_source = "web"\n')
    strategy, reasons = connection(app, provider(app, "alpha"))
    assert strategy is None and len(reasons) == 1 and reasons[0].startswith("web:")


def test_auth_overview_says_how_to_connect_what_is_not_connected(app, home):
    home.write_config("[providers.beta]\nenabled = false\n")
    report = auth_overview(app)
    assert report["alpha"]["connected"] and report["alpha"]["source"] == "fake oauth"
    assert report["alpha"]["next_step"] is None
    assert report["beta"] == {
        "connected": False,
        "strategy": None,
        "source": None,
        "enabled": False,
        "next_step": "Log in to beta.",
        "details": ["cli: fake cli: check failed (RuntimeError)"],
        "unusable": None,
    }


# --- cache state -----------------------------------------------------------------------------


def test_describe_gives_the_snapshot_age_and_source(app, home):
    cached_snapshot(home, "alpha", timedelta(minutes=5))
    entry = describe(app, "alpha")
    assert entry["snapshot"]["age_seconds"] == 300
    assert entry["snapshot"]["source"] == "fake"
    assert entry["gate"] == {} and entry["org_id_cached"] is False


def test_describe_lists_closed_gates_per_strategy_and_forgets_expired_ones(app, home):
    gate = FailureGate(home.cache_dir / "gate")
    gate.record_failure("alpha", FIXED_NOW, "HTTP 429", retry_after=600, strategy="oauth")
    gate.record_failure("alpha", FIXED_NOW - timedelta(hours=2), "old", 60, strategy="web")
    entry = describe(app, "alpha")
    assert entry["gate"]["oauth"]["closed_until"] == (FIXED_NOW + timedelta(minutes=10)).isoformat()
    assert entry["gate"]["web"]["closed_until"] is None


def test_cache_overview_names_the_directory_and_each_provider(app, home):
    overview = cache_overview(app, ["beta"])
    assert overview["cache_dir"] == str(home.cache_dir)
    assert list(overview["providers"]) == ["beta"]


def test_clear_caches_removes_snapshots_but_keeps_org_ids_unless_asked(app, home):
    cached_snapshot(home, "alpha")
    org = home.cache_dir / "providers" / "alpha" / "organization.json"
    org.parent.mkdir(parents=True)
    org.write_text("org-1", encoding="utf-8")
    removed = clear_caches(app, ["alpha", "beta"])
    assert removed == [str(home.cache_dir / "snapshots" / "alpha.json")]
    assert org.exists()
    assert clear_caches(app, ["alpha"], org=True) == [str(org)]


# --- stored keys -----------------------------------------------------------------------------


def test_stored_key_is_listed_masked_and_clears_the_providers_cache(app, home):
    cached_snapshot(home, "beta")
    beta = provider(app, "beta")
    path = keys.store_key(app, beta, beta.secret, SECRET)
    assert not (home.cache_dir / "snapshots" / "beta.json").exists()
    entries = keys.key_entries(app)
    assert list(entries) == ["beta"]  # alpha keeps no credential
    assert entries["beta"]["stored"] and entries["beta"]["path"] == str(path)
    assert entries["beta"]["masked"] == "sk-test-…6789"
    assert SECRET not in repr(entries)


def test_deleting_nothing_leaves_the_cache_but_disconnecting_always_clears_it(app, home):
    beta = provider(app, "beta")
    cached_snapshot(home, "beta")
    assert keys.delete_key(app, beta, beta.secret) is False
    assert (home.cache_dir / "snapshots" / "beta.json").exists()
    assert keys.disconnect(app, beta) is False
    assert not (home.cache_dir / "snapshots" / "beta.json").exists()


def test_delete_key_removes_the_stored_value(app):
    beta = provider(app, "beta")
    keys.store_key(app, beta, beta.secret, SECRET)
    assert keys.delete_key(app, beta, beta.secret) is True
    assert keys.key_entry(app, beta, beta.secret)["stored"] is False


# --- settings --------------------------------------------------------------------------------


def test_effective_values_tell_default_file_and_environment_apart(app, home, monkeypatch):
    home.write_config("[fetch]\ntimeout = 12\n")
    monkeypatch.setenv("VIBEUSAGE_ENABLED_PROVIDERS", "beta")
    values = {key: (value, source) for key, value, source in effective_values(app)}
    assert values["fetch.timeout"] == (12.0, "file")
    assert values["fetch.deadline"] == (60.0, "default")
    assert values["enabled_providers"] == (["beta"], "environment")
    assert values["providers.alpha.auth_source"] == ("auto", "default")


def test_config_paths_say_whether_each_exists(app, home):
    home.write_config("")
    entries = config_paths(app)
    assert entries["config_file"] == {"path": str(home.config_dir / "config.toml"), "exists": True}
    assert entries["gate_dir"]["exists"] is False


def test_replace_file_keeps_the_old_file_as_a_backup(app, home):
    old = home.write_config("[fetch]\ntimeout = 3\n")
    backup = replace_file(app, "# fresh\n")
    assert backup == old.with_name("config.toml.bak")
    assert backup.read_text(encoding="utf-8") == "[fetch]\ntimeout = 3\n"
    assert old.read_text(encoding="utf-8") == "# fresh\n"
    home.config_dir.joinpath("config.toml").unlink()
    assert replace_file(app, "# again\n") is None


def test_ensure_file_never_overwrites_an_existing_file(app, home):
    path = home.write_config("[fetch]\n")
    assert ensure_file(app, "# defaults\n") == path
    assert path.read_text(encoding="utf-8") == "[fetch]\n"


def test_validate_file_rejects_an_unknown_auth_source(app, home):
    path = home.write_config('[providers.alpha]\nauth_source = "nope"\n')
    with pytest.raises(ConfigError):
        validate_file(app, path)
    validate_file(app, home.write_config('[providers.alpha]\nauth_source = "web"\n'))


# --- diagnostics -----------------------------------------------------------------------------


def test_diagnose_masks_proxy_passwords_and_describes_each_provider(app, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://me:hunter2@proxy.example:8080")
    report = diagnose(app)
    assert report["environment"]["HTTPS_PROXY"] == "http://me:***@proxy.example:8080"
    assert report["config"] == {"valid": True, "error": None}
    assert report["providers"]["alpha"]["would_use"] == "oauth"
    assert report["providers"]["beta"]["would_use"] is None


def test_diagnose_stops_at_an_invalid_config(app, home):
    home.write_config("[fetch\n")
    report = diagnose(app)
    assert report["config"]["valid"] is False and report["providers"] == {}
