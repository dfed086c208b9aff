"""The fetch pipeline: fallback, attempt records, timeouts, deadline, cache, gate, concurrency."""

import os
import threading
import time
from datetime import timedelta
from typing import Iterator, List, Optional

import pytest

from tests.conftest import load_fixture
from tests.fakes import FIXED_NOW, FakeStrategy, fake_provider, network_error, snapshot_for
from vibeusage.cache import FailureGate, SnapshotCache
from vibeusage.config import Config, FetchConfig, ProviderConfig
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.paths import resolve_paths
from vibeusage.pipeline import Pipeline, RunOptions
from vibeusage.providers.base import FetchResult


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event that hanging strategies wait on; set at teardown so no thread lingers."""
    event = threading.Event()
    yield event
    event.set()


def make_pipeline(home, config: Optional[Config] = None, clock=lambda: FIXED_NOW) -> Pipeline:
    return Pipeline(config or Config(), resolve_paths(os.environ), os.environ, clock=clock)


def test_first_successful_strategy_wins_and_attempts_are_recorded(home):
    failing = FakeStrategy("p", "first", error=network_error("first down"))
    unavailable = FakeStrategy("p", "skipped", available=False)
    working = FakeStrategy("p", "second")
    never = FakeStrategy("p", "third")
    provider = fake_provider("p", [failing, unavailable, working, never])

    [result] = make_pipeline(home).run([provider], RunOptions())

    assert result.snapshot is not None and result.error is None
    assert result.snapshot.source == "second"
    assert [(a.strategy, a.success) for a in result.attempts] == [
        ("first", False),
        ("second", True),
    ]
    assert result.attempts[0].error == "first down"
    assert unavailable.calls == 0 and never.calls == 0


def test_fatal_result_stops_the_chain(home):
    fatal = FakeStrategy(
        "p",
        "first",
        error=VibeusageError("denied", ErrorCategory.AUTHORIZATION),
        should_fallback=False,
    )
    later = FakeStrategy("p", "second")
    [result] = make_pipeline(home).run([fake_provider("p", [fatal, later])], RunOptions())
    assert result.snapshot is None
    assert result.error is not None and result.error.category is ErrorCategory.AUTHORIZATION
    assert later.calls == 0


def test_all_failing_reports_first_available_strategys_error(home):
    first = FakeStrategy(
        "p", "first", error=VibeusageError("log in again", ErrorCategory.AUTHENTICATION)
    )
    second = FakeStrategy("p", "second", error=network_error("probe timed out"))
    [result] = make_pipeline(home).run([fake_provider("p", [first, second])], RunOptions())
    assert result.error is not None
    assert result.error.message == "log in again"
    assert result.error.provider == "p"
    assert [a.error for a in result.attempts] == ["log in again", "probe timed out"]


def test_no_available_strategy_is_an_authentication_error_with_setup_hint(home):
    provider = fake_provider("p", [FakeStrategy("p", available=False)])
    [result] = make_pipeline(home).run([provider], RunOptions())
    assert result.error is not None
    assert result.error.category is ErrorCategory.AUTHENTICATION
    assert result.error.remediation == "Log in to p."
    assert result.attempts == ()


def test_a_bug_in_a_strategy_is_an_internal_error_not_blamed_on_the_provider(home):
    def explode(ctx):
        raise KeyError("rate_limit")

    provider = fake_provider("p", [FakeStrategy("p", behaviour=explode)])
    [result] = make_pipeline(home).run([provider], RunOptions())
    assert result.error is not None and result.error.category is ErrorCategory.UNKNOWN
    assert result.error.message == "Internal error while fetching P (KeyError)"


def test_a_shape_error_while_decoding_the_payload_is_a_parse_failure(home):
    from vibeusage.kit.http import decoding

    def explode(ctx):
        with decoding("P", "usage data"):
            raise KeyError("rate_limit")

    provider = fake_provider("p", [FakeStrategy("p", behaviour=explode)])
    [result] = make_pipeline(home).run([provider], RunOptions())
    assert result.error is not None and result.error.category is ErrorCategory.PARSE
    assert "usage data could not be read (KeyError)" in result.error.message


def test_auth_source_restricts_the_chain(home):
    first = FakeStrategy("p", "first")
    second = FakeStrategy("p", "second")
    config = Config(providers={"p": ProviderConfig(auth_source="second")})
    [result] = make_pipeline(home, config).run([fake_provider("p", [first, second])], RunOptions())
    assert result.snapshot is not None and result.snapshot.source == "second"
    assert first.calls == 0


def test_hung_strategy_is_abandoned_after_its_timeout_and_next_strategy_runs(home, release):
    hung = FakeStrategy("p", "hung", hang=release)
    backup = FakeStrategy("p", "backup")
    started = time.monotonic()
    [result] = make_pipeline(home).run(
        [fake_provider("p", [hung, backup])], RunOptions(timeout=0.5, refresh=True)
    )
    elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert result.snapshot is not None and result.snapshot.source == "backup"
    assert result.attempts[0].success is False
    assert "did not answer" in (result.attempts[0].error or "")


def test_hung_strategy_threads_are_daemons(home, release):
    hung = FakeStrategy("p", "hung", hang=release)
    make_pipeline(home).run([fake_provider("p", [hung])], RunOptions(timeout=0.2))
    stuck = [t for t in threading.enumerate() if t.name.startswith("vibeusage-p-hung")]
    assert stuck, "the hung strategy's thread should still be blocked"
    assert all(t.daemon for t in stuck)


def test_global_deadline_bounds_the_run(home, release):
    hung = FakeStrategy("p", "hung", hang=release)
    started = time.monotonic()
    [result] = make_pipeline(home).run(
        [fake_provider("p", [hung])], RunOptions(timeout=30, deadline=0.5)
    )
    assert time.monotonic() - started < 1.5
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK


def test_providers_run_concurrently(home):
    providers = [fake_provider(p, [FakeStrategy(p, delay=1.0)]) for p in ("a", "b", "c")]
    started = time.monotonic()
    results = make_pipeline(home).run(providers, RunOptions())
    elapsed = time.monotonic() - started
    assert all(r.snapshot is not None for r in results)
    assert [r.provider_id for r in results] == ["a", "b", "c"]
    assert elapsed < 1.8, f"three 1 s providers took {elapsed:.2f} s"


def test_max_concurrent_limits_parallelism(home):
    config = Config(fetch=FetchConfig(max_concurrent=1))
    providers = [fake_provider(p, [FakeStrategy(p, delay=0.3)]) for p in ("a", "b")]
    started = time.monotonic()
    make_pipeline(home, config).run(providers, RunOptions())
    assert time.monotonic() - started >= 0.55


def test_success_is_cached_and_reused_within_fresh_ttl(home):
    strategy = FakeStrategy("p")
    provider = fake_provider("p", [strategy])
    pipeline = make_pipeline(home)
    [first] = pipeline.run([provider], RunOptions())
    [second] = pipeline.run([provider], RunOptions())
    assert strategy.calls == 1
    assert first.cached is False and second.cached is True
    assert second.fresh
    assert SnapshotCache(home.cache_dir / "snapshots").load("p") is not None


def test_refresh_bypasses_fresh_cache(home):
    strategy = FakeStrategy("p")
    provider = fake_provider("p", [strategy])
    pipeline = make_pipeline(home)
    pipeline.run([provider], RunOptions())
    pipeline.run([provider], RunOptions(refresh=True))
    assert strategy.calls == 2


def test_cache_older_than_fresh_ttl_is_refetched(home):
    now = [FIXED_NOW]
    strategy = FakeStrategy("p")
    provider = fake_provider("p", [strategy])
    pipeline = make_pipeline(home, clock=lambda: now[0])
    pipeline.run([provider], RunOptions())
    now[0] = FIXED_NOW + timedelta(seconds=61)
    pipeline.run([provider], RunOptions())
    assert strategy.calls == 2


def test_failure_serves_last_good_snapshot_as_stale(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        snapshot_for("p", FIXED_NOW - timedelta(hours=2))
    )
    provider = fake_provider("p", [FakeStrategy("p", error=network_error())])
    [result] = make_pipeline(home).run([provider], RunOptions())
    assert result.stale and result.cached
    assert result.snapshot is not None and result.snapshot.fetched_at == FIXED_NOW - timedelta(
        hours=2
    )
    assert result.error is not None and not result.fresh


def test_offline_serves_cache_without_fetching(home):
    SnapshotCache(home.cache_dir / "snapshots").save(snapshot_for("p", FIXED_NOW))
    strategy = FakeStrategy("p")
    [result] = make_pipeline(home).run([fake_provider("p", [strategy])], RunOptions(offline=True))
    assert strategy.calls == 0
    assert result.cached and result.fresh


def test_offline_marks_old_cache_stale_and_missing_cache_as_error(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        snapshot_for("old", FIXED_NOW - timedelta(hours=3))
    )
    old = fake_provider("old", [FakeStrategy("old")])
    missing = fake_provider("missing", [FakeStrategy("missing")])
    results = make_pipeline(home).run([old, missing], RunOptions(offline=True))
    assert results[0].stale and results[0].snapshot is not None
    assert results[1].snapshot is None
    assert results[1].error is not None and results[1].error.category is ErrorCategory.NETWORK


def test_rate_limit_closes_gate_and_next_run_skips_the_request(home):
    limited = VibeusageError("slow down", ErrorCategory.RATE_LIMITED, retry_after=120.0)
    strategy = FakeStrategy("p", error=limited)
    provider = fake_provider("p", [strategy])
    pipeline = make_pipeline(home)
    pipeline.run([provider], RunOptions())
    gate = FailureGate(home.cache_dir / "gate").load("p", "fake")
    assert gate.closed_until == FIXED_NOW + timedelta(seconds=120)

    [result] = pipeline.run([provider], RunOptions())
    assert strategy.calls == 1
    assert result.error is not None and "next try at" in result.error.message

    pipeline.run([provider], RunOptions(refresh=True))
    assert strategy.calls == 2


def test_three_consecutive_failures_close_the_gate(home):
    strategy = FakeStrategy("p", error=network_error())
    provider = fake_provider("p", [strategy])
    pipeline = make_pipeline(home)
    for _ in range(4):
        pipeline.run([provider], RunOptions())
    assert strategy.calls == 3


def test_authentication_failures_do_not_close_the_gate(home):
    strategy = FakeStrategy("p", error=VibeusageError("expired", ErrorCategory.AUTHENTICATION))
    provider = fake_provider("p", [strategy])
    pipeline = make_pipeline(home)
    for _ in range(4):
        pipeline.run([provider], RunOptions())
    assert strategy.calls == 4


def test_strategies_of_one_provider_share_the_workers_session(home):
    sessions: List[object] = []

    def fail(ctx):
        sessions.append(ctx.session)
        return FetchResult.fail(network_error())

    def succeed(ctx):
        sessions.append(ctx.session)
        return FetchResult.ok(snapshot_for("p", ctx.now()))

    first = FakeStrategy("p", "first", behaviour=fail)
    second = FakeStrategy("p", "second", behaviour=succeed)
    make_pipeline(home).run([fake_provider("p", [first, second])], RunOptions())
    assert len(sessions) == 2
    assert sessions[0] is sessions[1]
    assert sessions[0].headers["User-Agent"].startswith("vibeusage/")
    assert sessions[0].default_timeout == (10.0, 30.0)


def test_has_credentials_uses_only_local_checks(home):
    assert make_pipeline(home).has_credentials(fake_provider("p", [FakeStrategy("p")]))
    unavailable = fake_provider("p", [FakeStrategy("p", available=False)])
    assert not make_pipeline(home).has_credentials(unavailable)


def test_availability_is_checked_once_per_provider_per_run_and_off_the_main_thread(home):
    import threading

    seen = []

    class Counting(FakeStrategy):
        def available(self, ctx):
            seen.append(threading.current_thread() is threading.main_thread())
            return True

    provider = fake_provider("p", [Counting("p")])
    pipeline = make_pipeline(home)
    assert pipeline.has_credentials(provider)
    [result] = pipeline.run([provider], RunOptions(refresh=True))
    assert result.snapshot is not None
    assert seen == [False]


def test_interrupt_releases_workers_promptly(home, release):
    hung = FakeStrategy("p", "hung", hang=release)

    def interrupt(pending, elapsed):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_pipeline(home).run(
            [fake_provider("p", [hung])], RunOptions(timeout=30), on_progress=interrupt
        )
    workers = [t for t in threading.enumerate() if t.name.startswith("vibeusage_")]
    for worker in workers:
        worker.join(1.0)
    assert not any(w.is_alive() for w in workers), "executor workers must not wait 30 s"


def test_rate_limited_strategy_rests_while_the_next_one_is_still_tried(home):
    limited = VibeusageError("slow down", ErrorCategory.RATE_LIMITED, retry_after=300.0)
    oauth = FakeStrategy("p", "oauth", error=limited)
    web = FakeStrategy("p", "web")
    provider = fake_provider("p", [oauth, web])
    pipeline = make_pipeline(home)
    [first] = pipeline.run([provider], RunOptions())
    assert first.snapshot is not None and first.snapshot.source == "web"
    [second] = pipeline.run([provider], RunOptions(refresh=False, timeout=5))
    # The fresh cache answers the second run; after the TTL only web is asked.
    assert second.cached
    later = make_pipeline(home, clock=lambda: FIXED_NOW + timedelta(seconds=90))
    [third] = later.run([provider], RunOptions())
    assert oauth.calls == 1 and web.calls == 2
    assert third.attempts[0].strategy == "oauth"
    assert (third.attempts[0].error or "").startswith("skipped:")
    assert third.snapshot is not None and third.snapshot.source == "web"


def test_success_clears_that_strategys_gate(home):
    gate = FailureGate(home.cache_dir / "gate")
    gate.record_failure("p", FIXED_NOW, "timeout", strategy="web")
    strategy = FakeStrategy("p", "web")
    make_pipeline(home).run([fake_provider("p", [strategy])], RunOptions())
    assert gate.load("p", "web") == gate.load("p", "other")


def test_status_page_is_attached_when_asked(home, mocked):
    mocked.get(
        "https://status.example/api/v2/status.json",
        json=load_fixture("status/statuspage-minor.json"),
    )
    provider = fake_provider(
        "p", [FakeStrategy("p")], status_url="https://status.example/api/v2/status.json"
    )
    [plain] = make_pipeline(home).run([provider], RunOptions(refresh=True))
    assert plain.snapshot is not None and plain.snapshot.status is None
    [result] = make_pipeline(home).run([provider], RunOptions(refresh=True, with_status=True))
    assert result.snapshot is not None and result.snapshot.status is not None
    assert result.snapshot.status.level.value == "degraded"
    assert result.snapshot.status.description == "Partially Degraded Service"


def test_unreachable_status_page_is_unknown_not_an_error(home, mocked):
    provider = fake_provider("p", [FakeStrategy("p")], status_url="https://status.example/x.json")
    [result] = make_pipeline(home).run([provider], RunOptions(with_status=True))
    assert result.error is None
    assert result.snapshot is not None and result.snapshot.status is not None
    assert result.snapshot.status.level.value == "unknown"


def test_interrupted_runs_never_count_against_the_failure_gate(home, release):
    hung = FakeStrategy("p", "hung", hang=release)

    def interrupt(pending, elapsed):
        raise KeyboardInterrupt

    for _ in range(3):  # three Ctrl-Cs used to close the gate for five minutes
        with pytest.raises(KeyboardInterrupt):
            make_pipeline(home).run(
                [fake_provider("p", [hung])], RunOptions(timeout=30), on_progress=interrupt
            )
    time.sleep(0.2)  # let the released workers finish whatever they would record
    assert not (home.cache_dir / "gate" / "p.json").exists()
    gate = FailureGate(home.cache_dir / "gate")
    assert gate.load("p", "hung").failures == ()


def test_a_run_cut_by_its_deadline_is_not_a_provider_failure(home, release):
    hung = FakeStrategy("p", "hung", hang=release)
    [result] = make_pipeline(home).run(
        [fake_provider("p", [hung])], RunOptions(timeout=30, deadline=0.3)
    )
    assert result.error is not None and "deadline" in result.error.message
    time.sleep(0.2)
    assert not (home.cache_dir / "gate" / "p.json").exists()


def test_ctrl_c_while_the_workers_start_still_releases_them(home, release, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    real_submit = ThreadPoolExecutor.submit

    def submit_then_interrupt(self, *args, **kwargs):
        real_submit(self, *args, **kwargs)
        raise KeyboardInterrupt  # arrives after the worker started, before any wait

    monkeypatch.setattr(ThreadPoolExecutor, "submit", submit_then_interrupt)
    hung = FakeStrategy("p", "hung", hang=release)
    with pytest.raises(KeyboardInterrupt):
        make_pipeline(home).run([fake_provider("p", [hung])], RunOptions(timeout=30))
    workers = [t for t in threading.enumerate() if t.name.startswith("vibeusage_")]
    started = time.monotonic()
    for worker in workers:
        worker.join(1.0)
    assert not any(w.is_alive() for w in workers), "a worker would hold the exit for 30 s"
    assert time.monotonic() - started < 1.0
