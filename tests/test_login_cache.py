"""Issue 13 #1, from outside: cached data follows the login that produced it."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict

import pytest

from tests.conftest import USAGE_URL, load_fixture
from tests.fakes import FakeStrategy, fake_provider

NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)
ACCOUNT_URL = "https://api.anthropic.com/api/oauth/account"
TOKEN_A = "sk-ant-oat01-AccountAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
TOKEN_B = "sk-ant-oat01-AccountBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
COPILOT_URL = "https://api.github.com/copilot_internal/user"
GHE_URL = "https://api.ghe.example.com/copilot_internal/user"


def claude_usage(percent: int) -> Dict[str, Any]:
    payload = load_fixture("claude/oauth-usage-limits.json")
    payload["five_hour"]["utilization"] = percent
    for limit in payload.get("limits") or []:
        if limit.get("kind") == "session":
            limit["percent"] = percent
    return payload


def claude_dir(home: Any, name: str, token: str, account: str) -> Path:
    """A Claude Code config folder (``CLAUDE_CONFIG_DIR``) logged in as ``account``."""
    folder = home.root / name
    folder.mkdir()
    credentials = load_fixture("claude/credentials.json")
    credentials["claudeAiOauth"]["accessToken"] = token
    (folder / ".credentials.json").write_text(json.dumps(credentials), encoding="utf-8")
    state = {"oauthAccount": {"accountUuid": account, "emailAddress": f"{account}@example.com"}}
    (folder / ".claude.json").write_text(json.dumps(state), encoding="utf-8")
    return folder


def answer_claude(mocked: Any, token: str, percent: int, status: int = 200) -> None:
    """Claude's endpoints answering ``token`` only (another token is an unmatched request)."""
    from responses import matchers

    auth = matchers.header_matcher({"Authorization": f"Bearer {token}"})
    body = claude_usage(percent) if status == 200 else {"error": {"type": "overloaded"}}
    mocked.get(USAGE_URL, json=body, status=status, match=[auth])
    mocked.get(ACCOUNT_URL, json=load_fixture("claude/oauth-account.json"), match=[auth])


def usage_tokens(mocked: Any) -> list:
    return [c.request.headers["Authorization"] for c in mocked.calls if c.request.url == USAGE_URL]


def session_percent(document: Dict[str, Any]) -> Any:
    return next(p["utilization"] for p in document["periods"] if p["period_type"] == "session")


def test_a_second_claude_config_dir_is_asked_and_never_shown_the_first_accounts_numbers(
    cli, home, mocked, monkeypatch
):
    first = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    second = claude_dir(home, "personal", TOKEN_B, "bbbb-2222")
    answer_claude(mocked, TOKEN_A, 11)
    answer_claude(mocked, TOKEN_B, 77)

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(first))
    a = cli("claude", "--json", clock=lambda: NOW)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(second))
    b = cli("claude", "--json", clock=lambda: NOW + timedelta(seconds=30))

    assert usage_tokens(mocked) == [f"Bearer {TOKEN_A}", f"Bearer {TOKEN_B}"]
    assert session_percent(a.json()) == 11
    assert b.json()["cached"] is False
    assert session_percent(b.json()) == 77

    # Back to the first folder: the cache holds the second login's snapshot, so it asks again.
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(first))
    again = cli("claude", "--json", clock=lambda: NOW + timedelta(seconds=60))
    assert again.json()["cached"] is False and session_percent(again.json()) == 11
    assert usage_tokens(mocked)[-1] == f"Bearer {TOKEN_A}"


def test_a_failing_second_claude_login_shows_no_stale_numbers_of_the_first(
    cli, home, mocked, monkeypatch
):
    first = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    second = claude_dir(home, "personal", TOKEN_B, "bbbb-2222")
    answer_claude(mocked, TOKEN_A, 11)
    answer_claude(mocked, TOKEN_B, 0, status=503)

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(first))
    assert cli("claude", "--json", clock=lambda: NOW).code == 0
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(second))
    failed = cli("claude", "--json", clock=lambda: NOW + timedelta(hours=1))

    assert usage_tokens(mocked)[-1] == f"Bearer {TOKEN_B}"
    assert failed.code != 0
    document = failed.json()
    assert "periods" not in document or not document.get("periods")
    # No window of the first login, not even as a stale fallback (timestamps may hold "11").
    assert '"utilization"' not in failed.out and not document.get("stale")


def test_offline_never_shows_another_logins_snapshot(cli, home, mocked, monkeypatch):
    first = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    second = claude_dir(home, "personal", TOKEN_B, "bbbb-2222")
    answer_claude(mocked, TOKEN_A, 11)

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(first))
    assert cli("claude", "--json", clock=lambda: NOW).code == 0
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(second))
    named = cli("claude", "--offline", "--json", clock=lambda: NOW)
    everything = cli("--offline", clock=lambda: NOW)

    assert named.code == 3
    assert "another login" in named.json()["error"]["message"]
    assert "11%" not in everything.out
    assert len(mocked.calls) == 2  # only the first run's usage and account requests
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(first))
    mine = cli("claude", "--offline", "--json", clock=lambda: NOW)
    assert mine.code == 0 and session_percent(mine.json()) == 11


def test_the_identity_survives_a_token_refresh_so_the_fresh_snapshot_is_still_served(
    cli, home, mocked, monkeypatch
):
    folder = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    answer_claude(mocked, TOKEN_A, 11)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(folder))
    cli("claude", "--json", clock=lambda: NOW)
    credentials = json.loads((folder / ".credentials.json").read_text())
    credentials["claudeAiOauth"]["accessToken"] = TOKEN_B  # Claude Code renewed its token
    (folder / ".credentials.json").write_text(json.dumps(credentials))

    again = cli("claude", "--json", clock=lambda: NOW + timedelta(seconds=30))

    assert again.json()["cached"] is True
    assert len(mocked.calls) == 2


def test_a_closed_gate_of_one_login_does_not_stop_another(cli, home, mocked, monkeypatch):
    first = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    second = claude_dir(home, "personal", TOKEN_B, "bbbb-2222")
    answer_claude(mocked, TOKEN_A, 0, status=503)
    answer_claude(mocked, TOKEN_B, 77)

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(first))
    closed = [cli("claude", "--json", clock=lambda: NOW) for _ in range(4)][-1]
    assert "paused" in closed.json()["error"]["message"]
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(second))
    other = cli("claude", "--json", clock=lambda: NOW)

    assert other.code == 0 and session_percent(other.json()) == 77
    assert usage_tokens(mocked)[-1] == f"Bearer {TOKEN_B}"


def answer_copilot(mocked: Any, url: str, token: str, remaining: float, status: int = 200) -> None:
    from responses import matchers

    payload = load_fixture("copilot/copilot-internal-user.json")
    payload["quota_snapshots"]["premium_interactions"]["percent_remaining"] = remaining
    mocked.get(
        url,
        json=payload if status == 200 else {"message": "boom"},
        status=status,
        match=[matchers.header_matcher({"Authorization": f"token {token}"})],
    )


def premium(document: Dict[str, Any]) -> Any:
    return [p["utilization"] for p in document["periods"] if "remium" in p["name"]]


def test_a_second_gh_token_is_asked_and_never_shown_the_first_tokens_numbers(
    cli, home, mocked, monkeypatch
):
    answer_copilot(mocked, COPILOT_URL, "ghp_tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 90.0)
    answer_copilot(mocked, COPILOT_URL, "ghp_tokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 20.0)

    monkeypatch.setenv("GH_TOKEN", "ghp_tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    a = cli("copilot", "--json", clock=lambda: NOW)
    monkeypatch.setenv("GH_TOKEN", "ghp_tokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
    b = cli("copilot", "--json", clock=lambda: NOW + timedelta(seconds=30))

    assert len(mocked.calls) == 2
    assert premium(a.json()) == [10] and premium(b.json()) == [80]
    assert b.json()["cached"] is False


def test_a_failing_second_gh_token_shows_no_stale_numbers_of_the_first(
    cli, home, mocked, monkeypatch
):
    answer_copilot(mocked, COPILOT_URL, "ghp_tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 90.0)
    answer_copilot(mocked, COPILOT_URL, "ghp_tokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 0, 502)

    monkeypatch.setenv("GH_TOKEN", "ghp_tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    cli("copilot", "--json", clock=lambda: NOW)
    monkeypatch.setenv("GH_TOKEN", "ghp_tokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
    failed = cli("copilot", "--json", clock=lambda: NOW + timedelta(hours=1))
    offline = cli("copilot", "--offline", "--json", clock=lambda: NOW + timedelta(hours=1))

    assert [c.request.headers["Authorization"] for c in mocked.calls][1:] == [
        "token ghp_tokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
    ] * (len(mocked.calls) - 1)
    assert failed.code != 0 and not failed.json().get("periods")
    assert offline.code == 3 and not offline.json().get("periods")


def test_a_changed_copilot_host_is_another_login(cli, home, mocked, monkeypatch):
    token = "ghp_tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    answer_copilot(mocked, COPILOT_URL, token, 90.0)
    answer_copilot(mocked, GHE_URL, token, 40.0)
    monkeypatch.setenv("GH_TOKEN", token)

    dotcom = cli("copilot", "--json", clock=lambda: NOW)
    home.write_config('[providers.copilot]\nhost = "ghe.example.com"\n')
    enterprise = cli("copilot", "--json", clock=lambda: NOW + timedelta(seconds=30))

    assert [c.request.url for c in mocked.calls] == [COPILOT_URL, GHE_URL]
    assert premium(dotcom.json()) == [10] and premium(enterprise.json()) == [60]


def test_verbose_names_the_login_a_snapshot_belongs_to_masked(cli, home, mocked, monkeypatch):
    from vibeusage.cache import SnapshotCache

    folder = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    answer_claude(mocked, TOKEN_A, 11)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(folder))
    cli("claude", "--json", clock=lambda: NOW)

    text = cli("claude", "-v", clock=lambda: NOW).out

    document = json.loads(SnapshotCache(home.cache_dir / "snapshots").path("claude").read_text())
    key = document["login"]
    assert isinstance(key, str) and len(key) == 16
    assert f"login {key[:4]}…" in text
    assert key not in text
    assert "aaaa-1111" not in json.dumps(document) and TOKEN_A not in json.dumps(document)


def test_a_snapshot_written_before_login_keys_is_not_served_to_a_known_login(
    cli, home, mocked, monkeypatch
):
    folder = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    answer_claude(mocked, TOKEN_A, 11)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(folder))
    old = load_fixture("claude/oauth-usage-limits.json")  # any payload shape is fine here
    del old
    snapshots = home.cache_dir / "snapshots"
    snapshots.mkdir(parents=True)
    (snapshots / "claude.json").write_text(
        json.dumps(
            {
                "storage_version": 2,
                "snapshot": {
                    "provider": "claude",
                    "fetched_at": NOW.isoformat(),
                    "source": "oauth",
                    "periods": [
                        {
                            "name": "Session (5h)",
                            "utilization": 55,
                            "period_type": "session",
                            "resets_at": None,
                            "model": None,
                        }
                    ],
                },
            }
        )
    )

    result = cli("claude", "--json", clock=lambda: NOW + timedelta(seconds=5))

    assert result.json()["cached"] is False and session_percent(result.json()) == 11
    assert len(usage_tokens(mocked)) == 1


def test_a_provider_without_a_login_key_still_uses_its_older_cache(cli, home, monkeypatch):
    from vibeusage.errors import redact

    redact("")
    zeta = fake_provider("zeta", [FakeStrategy("zeta")])
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: (zeta,))
    first = cli("zeta", "--json", clock=lambda: NOW)
    second = cli("zeta", "--json", clock=lambda: NOW + timedelta(seconds=5))
    assert first.json()["cached"] is False and second.json()["cached"] is True


@pytest.mark.parametrize("provider_id", __import__("vibeusage.providers").providers.PROVIDER_IDS)
def test_every_provider_reads_a_login_key_locally_without_raising(provider_id, home):
    from tests.conftest import make_ctx
    from vibeusage.providers import providers_by_id

    provider = providers_by_id()[provider_id]
    assert provider.login_key is not None, f"{provider_id} has no login_key reader"
    ctx = make_ctx(provider_id, home.root)
    assert provider.login_key(ctx) is None  # an empty home: no login


def test_offline_reads_the_login_key_with_no_strategy_or_network_module(home):
    from tests.test_startup import HEAVY, _strategy_modules, loaded
    from vibeusage.cache import SnapshotCache
    from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot
    from vibeusage.timeparse import utcnow

    home.write_claude_credentials(accessToken=TOKEN_A)
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["--offline", "--json"])
    assert code == 3  # the cached snapshot has no login key; this login has one
    assert "vibeusage.providers.claude.login_key" in modules
    assert _strategy_modules(modules) == []
    assert not modules & {*HEAVY, "requests", "vibeusage.pipeline.runner"}


def test_cache_show_and_clear_see_what_any_login_wrote(cli, home, mocked, monkeypatch):
    folder = claude_dir(home, "work", TOKEN_A, "aaaa-1111")
    answer_claude(mocked, TOKEN_A, 0, status=429)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(folder))
    cli("claude", "--json", clock=lambda: NOW)
    snapshots = home.cache_dir / "snapshots"
    from vibeusage.cache import SnapshotCache
    from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot

    SnapshotCache(snapshots).save(
        UsageSnapshot("claude", NOW, (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),)), "k" * 16
    )

    shown = cli("cache", "--json", clock=lambda: NOW).json()["providers"]["claude"]
    assert shown["snapshot"] is not None
    assert shown["gate"]["oauth"]["closed_until"] is not None
    assert cli("cache", "clear", "claude").code == 0
    assert not (snapshots / "claude.json").exists()
    assert not (home.cache_dir / "gate" / "claude.json").exists()


def test_the_login_key_is_read_once_per_run_off_the_main_thread(cli, home, monkeypatch):
    import threading

    from vibeusage.errors import redact
    from vibeusage.providers.manifest import Ref

    reads = []

    def login_key(ctx):
        reads.append(threading.current_thread() is threading.main_thread())
        return "z" * 16

    redact("")
    zeta = fake_provider("zeta", [FakeStrategy("zeta")]).replace(login_key=Ref(login_key))
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: (zeta,))
    default = cli("--json", "--refresh", clock=lambda: NOW)
    named = cli("zeta", "--json", clock=lambda: NOW)

    assert default.code == 0 and named.code == 0
    assert named.json()["cached"] is True  # the snapshot of the same login is served
    assert reads == [False, False]  # one read per run, never on the main thread
