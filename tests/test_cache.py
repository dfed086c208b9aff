"""Snapshot cache and the persisted failure gate (DESIGN §5), with explicit clocks."""

import json
import os
import stat
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from vibeusage.cache import (
    FAILURE_BACKOFF,
    FAILURE_LIMIT,
    FAILURE_WINDOW,
    OLDER_STORAGE_VERSIONS,
    STORAGE_VERSION,
    FailureGate,
    GateState,
    SnapshotCache,
)
from vibeusage.models import (
    SCHEMA_VERSION,
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
)

NOW = datetime(2026, 1, 16, 10, 30, tzinfo=timezone.utc)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def snapshot(provider="claude", fetched_at=NOW):
    return UsageSnapshot(
        provider=provider,
        fetched_at=fetched_at,
        periods=(
            UsagePeriod("Session (5h)", 45, PeriodType.SESSION, NOW + timedelta(hours=3)),
            UsagePeriod("Weekly", 20, PeriodType.WEEKLY, NOW + timedelta(days=4)),
            UsagePeriod("Weekly Opus", 5, PeriodType.WEEKLY, None, model="opus"),
        ),
        overage=OverageUsage(Decimal("5.50"), Decimal("100.00"), "USD", True),
        identity=ProviderIdentity("user@example.com", None, "Max 5x"),
        source="oauth",
    )


@pytest.fixture
def snapshots(tmp_path):
    return SnapshotCache(tmp_path / "cache" / "snapshots")


@pytest.fixture
def gate(tmp_path):
    return FailureGate(tmp_path / "cache" / "gate")


# --- SnapshotCache ---------------------------------------------------------------------------


def test_snapshot_cache_round_trips_a_snapshot(snapshots):
    original = snapshot()
    snapshots.save(original)
    assert snapshots.load("claude") == original


def test_snapshot_cache_round_trip_in_a_new_instance(tmp_path):
    SnapshotCache(tmp_path / "snaps").save(snapshot())
    loaded = SnapshotCache(tmp_path / "snaps").load("claude")
    assert loaded is not None
    assert loaded.fetched_at == NOW
    assert loaded.overage.used == Decimal("5.50")
    assert [p.name for p in loaded.periods] == ["Session (5h)", "Weekly", "Weekly Opus"]


def test_snapshot_cache_writes_its_own_versioned_storage_form(snapshots):
    snapshots.save(snapshot())
    path = snapshots.directory / "claude.json"
    assert snapshots.path("claude") == path
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["storage_version"] == STORAGE_VERSION == 3
    assert "schema_version" not in document
    stored = document["snapshot"]
    assert stored["provider"] == "claude"
    assert stored["fetched_at"] == "2026-01-16T10:30:00+00:00"
    # Only what was measured: values computed from the clock belong to the JSON contract.
    assert all("remaining" not in p and "pace_ratio" not in p for p in stored["periods"])


def test_snapshot_cache_still_reads_the_contract_form_older_versions_wrote(snapshots):
    older = {"schema_version": SCHEMA_VERSION, "snapshot": snapshot().to_dict(NOW)}
    snapshots.directory.mkdir(parents=True, exist_ok=True)
    snapshots.path("claude").write_text(json.dumps(older), encoding="utf-8")
    loaded = snapshots.load("claude")
    assert loaded is not None and loaded == snapshot()


def test_snapshot_cache_ignores_an_unknown_storage_version(snapshots):
    snapshots.save(snapshot())
    path = snapshots.path("claude")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["storage_version"] = 99
    path.write_text(json.dumps(document), encoding="utf-8")
    assert snapshots.load("claude") is None


@posix_only
def test_snapshot_cache_file_is_mode_0600(snapshots):
    snapshots.save(snapshot())
    assert stat.S_IMODE(os.stat(snapshots.path("claude")).st_mode) == 0o600


def test_snapshot_cache_save_replaces_the_previous_snapshot(snapshots):
    snapshots.save(snapshot(fetched_at=NOW - timedelta(hours=1)))
    snapshots.save(snapshot(fetched_at=NOW))
    assert snapshots.load("claude").fetched_at == NOW
    assert sorted(os.listdir(snapshots.directory)) == ["claude.json"]


def test_snapshot_cache_keeps_providers_apart(snapshots):
    snapshots.save(snapshot("claude"))
    snapshots.save(snapshot("codex", NOW - timedelta(minutes=5)))
    assert snapshots.load("claude").provider == "claude"
    assert snapshots.load("codex").fetched_at == NOW - timedelta(minutes=5)


def test_snapshot_cache_load_returns_none_when_absent(snapshots):
    assert snapshots.load("claude") is None


@pytest.mark.parametrize("content", [b"", b"{not json", b"\x89PNG\r\n\x1a\n\x00", b"[1, 2]"])
def test_snapshot_cache_load_returns_none_for_a_corrupt_file(snapshots, content):
    snapshots.directory.mkdir(parents=True)
    snapshots.path("claude").write_bytes(content)
    assert snapshots.load("claude") is None


@pytest.mark.parametrize("version", [0, 1, "2", None])
def test_snapshot_cache_load_returns_none_for_another_storage_version(snapshots, version):
    snapshots.save(snapshot())
    path = snapshots.path("claude")
    document = json.loads(path.read_text())
    document["storage_version"] = version
    path.write_text(json.dumps(document))
    assert snapshots.load("claude") is None


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_snapshot_cache_load_returns_none_for_an_older_form_of_another_version(snapshots, version):
    older = {"schema_version": version, "snapshot": snapshot().to_dict(NOW)}
    snapshots.directory.mkdir(parents=True, exist_ok=True)
    snapshots.path("claude").write_text(json.dumps(older))
    assert snapshots.load("claude") is None


def test_snapshot_cache_load_returns_none_without_storage_version(snapshots):
    snapshots.save(snapshot())
    path = snapshots.path("claude")
    document = json.loads(path.read_text())
    del document["storage_version"]
    path.write_text(json.dumps(document))
    assert snapshots.load("claude") is None


def test_snapshot_cache_load_returns_none_for_another_providers_snapshot(snapshots):
    snapshots.save(snapshot("claude"))
    snapshots.path("codex").write_bytes(snapshots.path("claude").read_bytes())
    assert snapshots.load("codex") is None
    assert snapshots.load("claude") is not None


@pytest.mark.parametrize(
    "change",
    [
        {"snapshot": None},
        {"snapshot": "claude"},
        {"snapshot": {"provider": "claude"}},
    ],
)
def test_snapshot_cache_load_returns_none_for_a_malformed_snapshot(snapshots, change):
    snapshots.save(snapshot())
    path = snapshots.path("claude")
    document = json.loads(path.read_text())
    document.update(change)
    path.write_text(json.dumps(document))
    assert snapshots.load("claude") is None


def test_snapshot_cache_load_returns_none_for_a_malformed_period(snapshots):
    snapshots.save(snapshot())
    path = snapshots.path("claude")
    document = json.loads(path.read_text())
    document["snapshot"]["periods"][0]["period_type"] = "fortnightly"
    path.write_text(json.dumps(document))
    assert snapshots.load("claude") is None


def test_snapshot_cache_load_never_raises_on_an_absurd_utilization(snapshots):
    # A cache file is untrusted input: "a bad file is ignored". A huge number makes
    # percent_used raise decimal.InvalidOperation, which load() does not catch.
    snapshots.save(snapshot())
    path = snapshots.path("claude")
    document = json.loads(path.read_text())
    document["snapshot"]["periods"][0]["utilization"] = 1e30
    path.write_text(json.dumps(document))
    loaded = snapshots.load("claude")
    assert loaded is None or loaded.periods[0].utilization == 100


# --- FailureGate -----------------------------------------------------------------------------


def test_gate_constants_match_the_design():
    assert FAILURE_LIMIT == 3
    assert FAILURE_WINDOW == timedelta(minutes=10)
    assert FAILURE_BACKOFF == timedelta(minutes=5)


def test_gate_is_open_without_a_file(gate):
    state = gate.load("claude")
    assert state == GateState()
    assert not state.is_closed(NOW)


def test_rate_limit_closes_the_gate_until_retry_after(gate):
    state = gate.record_failure("claude", NOW, "HTTP 429", retry_after=120)
    assert state.closed_until == NOW + timedelta(seconds=120)
    assert state.reason == "HTTP 429"
    assert state.is_closed(NOW)
    assert state.is_closed(NOW + timedelta(seconds=119))
    assert not state.is_closed(NOW + timedelta(seconds=120))


def test_rate_limit_gate_is_persisted(gate, tmp_path):
    gate.record_failure("claude", NOW, "HTTP 429", retry_after=300)
    reloaded = FailureGate(tmp_path / "cache" / "gate").load("claude")
    assert reloaded.closed_until == NOW + timedelta(minutes=5)
    assert reloaded.reason == "HTTP 429"
    assert reloaded.is_closed(NOW + timedelta(minutes=4, seconds=59))
    assert not reloaded.is_closed(NOW + timedelta(minutes=5))


def test_a_single_rate_limit_closes_the_gate_without_earlier_failures(gate):
    state = gate.record_failure("claude", NOW, "HTTP 429", retry_after=30)
    assert state.is_closed(NOW + timedelta(seconds=29))


def test_one_or_two_failures_leave_the_gate_open(gate):
    first = gate.record_failure("claude", NOW, "timeout")
    second = gate.record_failure("claude", NOW + timedelta(minutes=1), "timeout")
    assert not first.is_closed(NOW)
    assert not second.is_closed(NOW + timedelta(minutes=1))
    assert second.closed_until is None
    assert len(gate.load("claude").failures) == 2


def test_three_failures_within_ten_minutes_close_the_gate_for_five_minutes(gate):
    gate.record_failure("claude", NOW, "timeout")
    gate.record_failure("claude", NOW + timedelta(minutes=4), "timeout")
    third_at = NOW + timedelta(minutes=9)
    state = gate.record_failure("claude", third_at, "timeout")
    assert state.closed_until == third_at + timedelta(minutes=5)
    assert state.is_closed(third_at + timedelta(minutes=4, seconds=59))
    assert not state.is_closed(third_at + timedelta(minutes=5))
    assert "3 failures" in state.reason
    assert "timeout" in state.reason
    assert gate.load("claude").closed_until == third_at + timedelta(minutes=5)


def test_failures_older_than_ten_minutes_do_not_count(gate):
    gate.record_failure("claude", NOW, "timeout")
    gate.record_failure("claude", NOW + timedelta(minutes=11), "timeout")
    state = gate.record_failure("claude", NOW + timedelta(minutes=12), "timeout")
    assert state.closed_until is None
    assert not state.is_closed(NOW + timedelta(minutes=12))
    assert state.failures == (NOW + timedelta(minutes=11), NOW + timedelta(minutes=12))


def test_record_success_removes_the_gate_state(gate):
    gate.record_failure("claude", NOW, "HTTP 429", retry_after=600)
    assert gate.path("claude").exists()
    gate.record_success("claude")
    assert not gate.path("claude").exists()
    assert not gate.load("claude").is_closed(NOW)


def test_record_success_without_state_is_harmless(gate):
    gate.record_success("claude")
    assert gate.load("claude") == GateState()


def test_success_between_failures_resets_the_count(gate):
    gate.record_failure("claude", NOW, "timeout")
    gate.record_failure("claude", NOW + timedelta(minutes=1), "timeout")
    gate.record_success("claude")
    state = gate.record_failure("claude", NOW + timedelta(minutes=2), "timeout")
    assert not state.is_closed(NOW + timedelta(minutes=2))
    assert len(state.failures) == 1


def test_failure_count_restarts_after_the_gate_closed(gate):
    for minute in (0, 1, 2):
        gate.record_failure("claude", NOW + timedelta(minutes=minute), "timeout")
    after_backoff = NOW + timedelta(minutes=8)
    state = gate.record_failure("claude", after_backoff, "timeout")
    assert not state.is_closed(after_backoff)
    assert state.failures == (after_backoff,)


def test_gates_are_per_provider(gate):
    gate.record_failure("claude", NOW, "HTTP 429", retry_after=600)
    assert gate.load("claude").is_closed(NOW)
    assert not gate.load("codex").is_closed(NOW)


@posix_only
def test_gate_file_is_mode_0600(gate):
    gate.record_failure("claude", NOW, "timeout")
    assert stat.S_IMODE(os.stat(gate.path("claude")).st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{broken",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'"closed"',
        b'{"failures": "many", "closed_until": 5, "reason": 7}',
        b'{"failures": [1, null, "soon"], "closed_until": "later"}',
    ],
)
def test_corrupt_gate_file_loads_as_open(gate, content):
    gate.directory.mkdir(parents=True)
    gate.path("claude").write_bytes(content)
    state = gate.load("claude")
    assert not state.is_closed(NOW)
    assert state.failures == ()
    assert state.reason is None


def test_corrupt_gate_file_is_overwritten_by_the_next_failure(gate):
    gate.directory.mkdir(parents=True)
    gate.path("claude").write_bytes(b"{broken")
    state = gate.record_failure("claude", NOW, "HTTP 429", retry_after=60)
    assert state.is_closed(NOW)
    assert gate.load("claude").closed_until == NOW + timedelta(seconds=60)


def test_snapshot_cache_ignores_or_serialises_an_absurd_overage_amount(snapshots):
    # A corrupt cache file with a huge overage amount loads, then makes `--json` output
    # fail with "unexpected error (InvalidOperation)" when the snapshot is serialised.
    snapshots.save(snapshot())
    path = snapshots.path("claude")
    document = json.loads(path.read_text())
    document["snapshot"]["overage"]["used"] = "1e30"
    path.write_text(json.dumps(document))
    loaded = snapshots.load("claude")
    assert loaded is None or loaded.to_dict(NOW)["overage"]["used"]


def test_the_statusline_reads_the_same_storage_version_the_cache_writes():
    from vibeusage.statusline import oneline

    assert oneline.STORAGE_VERSION == STORAGE_VERSION
    assert oneline.OLDER_STORAGE_VERSIONS == OLDER_STORAGE_VERSIONS
