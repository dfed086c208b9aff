"""Issue 13 #19, from outside: a run costs one round trip, the account is cached per login."""

import base64
import json
import os
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Tuple

from tests.conftest import USAGE_URL, load_fixture
from vibeusage.credentials import CredentialStore
from vibeusage.paths import resolve_paths

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
CURSOR_USAGE = "https://cursor.com/api/usage-summary"
CURSOR_ME = "https://cursor.com/api/auth/me"
CLAUDE_ACCOUNT = "https://api.anthropic.com/api/oauth/account"


def cursor_session(user: str, expires: datetime) -> str:
    def part(data: Dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"sub": f"auth0|{user}", "exp": int(expires.timestamp())}
    jwt = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"
    return f"{user}%3A%3A{jwt}"


def store_cursor_session(value: str) -> None:
    CredentialStore(resolve_paths(os.environ)).write("cursor", "session", value)


def urls(mocked: Any) -> list:
    return [call.request.url for call in mocked.calls]


def test_cursor_asks_auth_me_once_a_day_per_user(cli, home, mocked):
    store_cursor_session(cursor_session("user_01AAA", NOW + timedelta(days=30)))
    mocked.get(CURSOR_USAGE, json=load_fixture("cursor/usage-summary-pro.json"))
    mocked.get(CURSOR_ME, json=load_fixture("cursor/auth-me.json"))

    first = cli("cursor", "--json", "--refresh", clock=lambda: NOW)
    renewed = cursor_session("user_01AAA", NOW + timedelta(days=31))  # the same user, renewed
    store_cursor_session(renewed)
    second = cli("cursor", "--json", "--refresh", clock=lambda: NOW + timedelta(hours=23))

    assert sorted(urls(mocked)[:2]) == sorted([CURSOR_USAGE, CURSOR_ME])
    assert urls(mocked)[2:] == [CURSOR_USAGE]
    assert first.json()["identity"]["email"] == second.json()["identity"]["email"]
    assert second.json()["identity"]["email"] == "user@example.com"

    later = cli("cursor", "--json", "--refresh", clock=lambda: NOW + timedelta(hours=24, minutes=1))
    assert later.code == 0
    assert urls(mocked)[3:] and CURSOR_ME in urls(mocked)[3:]


def test_cursor_account_of_another_user_is_not_reused(cli, home, mocked):
    store_cursor_session(cursor_session("user_01AAA", NOW + timedelta(days=30)))
    mocked.get(CURSOR_USAGE, json=load_fixture("cursor/usage-summary-pro.json"))
    mocked.get(CURSOR_ME, json=load_fixture("cursor/auth-me.json"))
    cli("cursor", "--json", "--refresh", clock=lambda: NOW)
    store_cursor_session(cursor_session("user_01BBB", NOW + timedelta(days=30)))
    cli("cursor", "--json", "--refresh", clock=lambda: NOW + timedelta(minutes=5))
    assert urls(mocked).count(CURSOR_ME) == 2


def meeting_point(mocked: Any, first: Tuple[str, Any], second: Tuple[str, Any]) -> None:
    """Two endpoints that answer only once both requests are in flight at the same time."""
    barrier = threading.Barrier(2, timeout=3)

    def answer(body: Any) -> Any:
        def callback(request: Any) -> Tuple[int, Dict[str, str], str]:
            barrier.wait()  # a BrokenBarrierError (sequential requests) fails the request
            return 200, {"Content-Type": "application/json"}, json.dumps(body)

        return callback

    for url, body in (first, second):
        mocked.add_callback("GET", url, callback=answer(body))


def test_cursor_sends_usage_and_auth_me_at_the_same_time(cli, home, mocked):
    store_cursor_session(cursor_session("user_01AAA", NOW + timedelta(days=30)))
    meeting_point(
        mocked,
        (CURSOR_USAGE, load_fixture("cursor/usage-summary-pro.json")),
        (CURSOR_ME, load_fixture("cursor/auth-me.json")),
    )
    result = cli("cursor", "--json", clock=lambda: NOW)
    assert result.code == 0, result.out
    assert result.json()["identity"]["email"] == "user@example.com"


def test_claude_sends_usage_and_account_at_the_same_time_on_a_cold_identity_cache(
    cli, home, mocked
):
    home.write_claude_credentials(accessToken="sk-ant-oat01-" + "A" * 40)
    meeting_point(
        mocked,
        (USAGE_URL, load_fixture("claude/oauth-usage-limits.json")),
        (CLAUDE_ACCOUNT, load_fixture("claude/oauth-account.json")),
    )
    result = cli("claude", "--json", clock=lambda: NOW)
    assert result.code == 0, result.out
    assert result.json()["identity"]["email"] == "user@example.com"


def test_claude_keeps_its_account_across_a_token_refresh(cli, home, mocked):
    home.write_claude_credentials(accessToken="sk-ant-oat01-" + "A" * 40)
    (home.root / ".claude.json").write_text(
        json.dumps({"oauthAccount": {"accountUuid": "acct-1"}}), encoding="utf-8"
    )
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    mocked.get(CLAUDE_ACCOUNT, json=load_fixture("claude/oauth-account.json"))

    cli("claude", "--json", "--refresh", clock=lambda: NOW)
    home.write_claude_credentials(accessToken="sk-ant-oat01-" + "B" * 40)  # renewed by Claude
    second = cli("claude", "--json", "--refresh", clock=lambda: NOW + timedelta(hours=2))

    assert urls(mocked).count(USAGE_URL) == 2
    assert urls(mocked).count(CLAUDE_ACCOUNT) == 1
    assert second.json()["identity"]["email"] == "user@example.com"
