"""Claude's ``statusline`` strategy: the capture answers without a request while it is fresh."""

import json
from datetime import timedelta

import pytest

from tests.conftest import USAGE_URL, load_fixture, make_ctx, usage_calls
from tests.statusline_helpers import NOW, cache_snapshot, capture_path, clock, payload, stdin
from vibeusage.errors import ConfigError
from vibeusage.providers.claude import PROVIDER
from vibeusage.providers.claude.statusline import ClaudeStatusline
from vibeusage.statusline.snapshot import statusline_ttl


def capture(cli, at=NOW, data=None):
    """Claude Code's hook ran at ``at``."""
    result = cli("statusline", stdin=stdin(data or payload()), clock=clock(at))
    assert result.code == 0, result.err


@pytest.fixture
def no_credential_read(monkeypatch):
    """Fail the test if the oauth strategy reads Claude Code's login."""
    from vibeusage.providers.claude import oauth

    def refuse(*args, **kwargs):
        raise AssertionError("credentials were read")

    monkeypatch.setattr(oauth, "load_credentials", refuse)


def test_statusline_is_first_in_claudes_chain():
    assert PROVIDER.strategy_names() == ("statusline", "oauth", "web", "cli")
    assert PROVIDER.options["statusline_ttl"] is float


def test_a_fresh_capture_answers_with_no_request_and_no_credential_read(
    cli, home, mocked, no_credential_read
):
    home.write_claude_credentials()
    capture(cli, NOW - timedelta(minutes=4))
    result = cli("claude", "--json", clock=clock())
    assert result.code == 0, result.err
    snapshot = result.json()
    assert snapshot["source"] == "statusline"
    assert snapshot["fetched_at"] == "2026-09-20T13:08:00+00:00"
    assert [(p["name"], p["utilization"], p["period_type"]) for p in snapshot["periods"]] == [
        ("Session (5h)", 57, "session"),
        ("Weekly", 14, "weekly"),
    ]
    assert snapshot["periods"][0]["resets_at"] == "2026-09-20T16:00:00+00:00"
    assert not mocked.calls


def test_an_old_capture_falls_through_to_the_usage_endpoint(cli, home, mocked):
    home.write_claude_credentials()
    capture(cli, NOW - timedelta(minutes=11))
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli("claude", "--json", "--verbose", clock=clock())
    assert result.code == 0, result.err
    assert result.json()["source"] == "oauth"
    assert len(usage_calls(mocked)) == 1


def test_freshness_follows_statusline_ttl(cli, home, mocked):
    home.write_claude_credentials()
    home.write_config("[providers.claude]\nstatusline_ttl = 3600\n")
    capture(cli, NOW - timedelta(minutes=50))
    result = cli("claude", "--json", clock=clock())
    assert result.json()["source"] == "statusline"
    assert not mocked.calls


def test_every_window_must_be_fresh(cli, home, mocked):
    home.write_claude_credentials()
    capture(cli, NOW - timedelta(minutes=30))
    # Later, only the session value moves (it went up): the weekly reading stays 30 min old.
    later = payload()
    later["rate_limits"]["five_hour"]["used_percentage"] = 60
    capture(cli, NOW - timedelta(minutes=1), later)
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    assert cli("claude", "--json", clock=clock()).json()["source"] == "oauth"


def test_a_capture_from_the_future_is_not_fresh(cli, home, mocked):
    home.write_claude_credentials()
    capture(cli, NOW + timedelta(minutes=6))
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    assert cli("claude", "--json", clock=clock()).json()["source"] == "oauth"


def test_auth_source_statusline_uses_only_the_capture(cli, home, mocked):
    home.write_claude_credentials()
    home.write_config('[providers.claude]\nauth_source = "statusline"\n')
    capture(cli, NOW - timedelta(hours=2))
    result = cli("claude", "--json", clock=clock())
    assert result.code != 0
    assert not mocked.calls
    assert "statusline capture is 7200 s old" in result.out + result.err


def test_without_a_capture_the_strategy_is_not_available(home):
    ctx = make_ctx("claude", home.root, clock=clock())
    strategy = ClaudeStatusline()
    assert not strategy.available(ctx)
    assert "vibeusage statusline install" in strategy.explain(ctx)


def test_explain_says_how_old_the_capture_is(cli, home):
    capture(cli, NOW - timedelta(hours=1))
    ctx = make_ctx("claude", home.root, clock=clock())
    strategy = ClaudeStatusline()
    assert strategy.available(ctx)
    assert "older than statusline_ttl" in strategy.explain(ctx)
    assert str(capture_path(home)) in strategy.explain(ctx)


def test_a_capture_with_every_window_reset_holds_nothing(cli, home):
    session_only = payload()
    del session_only["rate_limits"]["seven_day"]
    capture(cli, NOW - timedelta(hours=4), session_only)
    ctx = make_ctx("claude", home.root, clock=clock(NOW + timedelta(hours=3)))
    result = ClaudeStatusline().fetch(ctx)
    assert not result.success
    assert "no current window" in result.error.message


def test_a_garbage_capture_is_not_an_answer(home):
    path = capture_path(home)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"v": 1, "windows": {"five_hour": "x"}, "sessions": {}}))
    ctx = make_ctx("claude", home.root, clock=clock())
    assert ClaudeStatusline().available(ctx)
    assert not ClaudeStatusline().fetch(ctx).success


def test_the_stale_fallback_is_the_capture_when_newer_than_the_cache(cli, home):
    capture(cli, NOW - timedelta(hours=1))
    ctx = make_ctx("claude", home.root, clock=clock())
    older = cache_snapshot(home, "claude", 30, fetched=NOW - timedelta(hours=2))
    newer = cache_snapshot(home, "claude", 30, fetched=NOW - timedelta(minutes=30))
    assert ClaudeStatusline().fallback(ctx, older).source == "statusline"
    assert ClaudeStatusline().fallback(ctx, newer) is newer
    assert ClaudeStatusline().fallback(ctx, None).source == "statusline"


@pytest.mark.parametrize("value", [0, 86401, -5, True, "600"])
def test_statusline_ttl_out_of_range_is_a_config_error(value):
    with pytest.raises(ConfigError) as info:
        statusline_ttl({"statusline_ttl": value})
    assert "statusline_ttl" in info.value.message


def test_statusline_ttl_defaults_to_ten_minutes():
    assert statusline_ttl({}) == 600.0
    assert statusline_ttl({"statusline_ttl": 1}) == 1.0
    assert statusline_ttl({"statusline_ttl": 86400}) == 86400.0


def test_a_mistyped_statusline_ttl_is_rejected_with_the_config(cli, home):
    home.write_config('[providers.claude]\nstatusline_ttl = "10m"\n')
    result = cli("claude", "--json")
    assert result.code == 4
    assert "statusline_ttl" in result.err


def test_a_failed_run_shows_the_capture_as_stale_when_it_is_newer_than_the_cache(cli, home):
    cache_snapshot(home, "claude", 30, fetched=NOW - timedelta(hours=3))
    capture(cli, NOW - timedelta(hours=1))  # too old for the strategy (statusline_ttl 10 min)
    document = cli("claude", "--json", clock=clock()).json()
    assert document["stale"] is True
    assert document["source"] == "statusline"
    assert "error" in document


def test_a_captured_window_whose_reset_passed_is_kept_marked_and_freshness_follows_the_rest():
    from vibeusage.statusline.snapshot import capture_snapshot

    def entry(used, resets, observed):
        return {
            "used_percent": used,
            "resets_at": int(resets.timestamp()),
            "observed_at": observed.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    capture = {
        "windows": {
            "five_hour": entry(57, NOW - timedelta(hours=1), NOW - timedelta(hours=3)),
            "seven_day": entry(14, NOW + timedelta(days=2), NOW - timedelta(minutes=2)),
        }
    }
    snapshot, fresh = capture_snapshot(capture, NOW, 600)
    assert fresh is True
    assert snapshot.fetched_at == NOW - timedelta(minutes=2)
    assert [(p.name, p.utilization, p.reset_elapsed(NOW)) for p in snapshot.periods] == [
        ("Session (5h)", 57, True),
        ("Weekly", 14, False),
    ]
