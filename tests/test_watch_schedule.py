"""When watch asks a provider again (§6): interval, fresh cache, Claude's OAuth floor, ticks."""

from tests.alert_helpers import NOW, snapshot, weekly
from tests.fakes import fake_provider, network_error
from vibeusage.models import Attempt
from vibeusage.pipeline import ProviderResult
from vibeusage.watch.schedule import Slot, next_slot

CLAUDE = fake_provider("claude", [])
CODEX = fake_provider("codex", [])
SNAP = snapshot("claude", [weekly(40)], NOW)


def fetched(provider=CLAUDE, strategy="oauth", source=None, error=None):
    return ProviderResult(
        provider,
        snapshot=snapshot(provider.id, [weekly(40)], NOW, source=source or strategy),
        attempts=(Attempt(strategy, error is None, 120, error),),
    )


def plan(result, at=1000.0, age=0.0, interval=60.0, fresh_ttl=60.0, floor=1.0, previous=None):
    return next_slot(previous or Slot(), result, at, age, interval, fresh_ttl, floor)


def test_a_fetched_provider_is_due_one_interval_later():
    assert plan(fetched(CODEX, "oauth"), interval=60).due_at == 1060


def test_an_answer_from_the_fresh_cache_is_due_when_the_cache_lets_it_go():
    cached = ProviderResult(CODEX, snapshot=snapshot("codex", [weekly(4)], NOW), cached=True)
    assert plan(cached, age=50, interval=5, fresh_ttl=60).due_at == 1010
    assert plan(cached, age=50, interval=300, fresh_ttl=60).due_at == 1250


def test_an_old_capture_is_read_again_every_tick_on_a_terminal():
    capture = fetched(CLAUDE, "statusline")
    assert plan(capture, age=400, interval=60, floor=1.0).due_at == 1001
    assert plan(capture, age=400, interval=60, floor=60.0).due_at == 1060  # off a terminal
    assert plan(capture, age=10, interval=60, floor=1.0).due_at == 1001
    cached = ProviderResult(CLAUDE, snapshot=capture.snapshot, cached=True)
    assert plan(cached, age=10, interval=60, floor=1.0).due_at == 1001


def test_old_local_data_that_is_not_a_free_capture_waits_an_interval():
    logs = fetched(CODEX, "local")  # Codex's session logs: their time is the log's
    assert plan(logs, age=4000, interval=60, floor=1.0).due_at == 1060


def test_claudes_oauth_is_asked_at_most_every_180_seconds():
    slot = plan(fetched(CLAUDE, "oauth"), interval=60)
    assert slot.due_at == 1180
    assert plan(fetched(CLAUDE, "oauth"), interval=300).due_at == 1300


def test_the_floor_holds_after_a_failed_oauth_request_too():
    failed = ProviderResult(
        CLAUDE, error=network_error(), attempts=(Attempt("oauth", False, 80, "boom"),)
    )
    assert plan(failed, age=None, interval=60).due_at == 1180


def test_a_strategy_skipped_by_the_gate_made_no_request():
    skipped = ProviderResult(
        CLAUDE,
        error=network_error(),
        attempts=(Attempt("oauth", False, 0, "skipped: Claude is paused"),),
    )
    assert plan(skipped, age=None, interval=60).due_at == 1060


def test_other_claude_strategies_and_other_providers_oauth_have_no_floor():
    assert plan(fetched(CLAUDE, "web"), interval=60).due_at == 1060
    assert plan(fetched(CODEX, "oauth"), interval=60).due_at == 1060


def test_an_oauth_snapshot_another_run_cached_counts_from_its_fetch():
    cached = ProviderResult(CLAUDE, snapshot=SNAP, cached=True)  # source "fake"
    from_oauth = snapshot("claude", [], NOW, source="oauth")
    oauth = ProviderResult(CLAUDE, snapshot=from_oauth, cached=True)
    assert plan(cached, age=20, interval=60).due_at == 1040
    slot = plan(oauth, age=20, interval=60)
    assert (slot.shared_at, slot.due_at) == (980, 1160)


def test_free_reads_after_an_oauth_request_wait_for_its_floor():
    after_oauth = plan(fetched(CLAUDE, "oauth"), interval=60)
    capture = plan(fetched(CLAUDE, "statusline"), at=1010, age=300, previous=after_oauth)
    assert capture.due_at == 1180
    later = plan(fetched(CLAUDE, "statusline"), at=1200, age=300, previous=capture)
    assert later.due_at == 1201


def test_an_error_is_asked_again_one_interval_later():
    failed = ProviderResult(CODEX, error=network_error(), attempts=(Attempt("x", False, 5, "e"),))
    assert plan(failed, age=None, interval=90).due_at == 1090
