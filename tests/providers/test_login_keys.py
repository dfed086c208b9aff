"""Each provider's login key: another login is another key, a token refresh is not."""

import base64
import json
import os
from pathlib import Path
from typing import Any, Dict, Optional

from tests.conftest import make_ctx
from vibeusage.credentials import CredentialStore
from vibeusage.providers import providers_by_id


def key(provider_id: str, home: Any, environ: Optional[Dict[str, str]] = None, **options: Any):
    env = dict(os.environ, **(environ or {}))
    ctx = make_ctx(provider_id, home.root, env, options=options, session=False)
    login_key = providers_by_id()[provider_id].login_key
    assert login_key is not None
    return login_key(ctx)


def jwt(claims: Dict[str, Any]) -> str:
    def part(data: Dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.c2ln"


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")


def codex_auth(home: Any, account: str, user: str, access: str) -> None:
    id_token = jwt({"https://api.openai.com/auth": {"chatgpt_account_id": account}, "sub": user})
    write(
        home.root / ".codex" / "auth.json",
        {"tokens": {"id_token": id_token, "access_token": access, "account_id": account}},
    )


def test_codex_key_follows_account_and_user_not_the_access_token(home):
    codex_auth(home, "acc-1", "user-1", "eyJ.access.one")
    first = key("codex", home)
    codex_auth(home, "acc-1", "user-1", "eyJ.access.two")  # refreshed
    refreshed = key("codex", home)
    codex_auth(home, "acc-1", "user-2", "eyJ.access.three")  # a teammate, same workspace
    teammate = key("codex", home)
    codex_auth(home, "acc-2", "user-1", "eyJ.access.four")  # another workspace
    workspace = key("codex", home)
    assert first is not None and first == refreshed
    assert len({first, teammate, workspace}) == 3


def test_codex_key_changes_with_codex_home(home):
    codex_auth(home, "acc-1", "user-1", "eyJ.access.one")
    other = home.root / "other-codex"
    write(other / "auth.json", json.loads((home.root / ".codex" / "auth.json").read_text()))
    assert key("codex", home) != key("codex", home, {"CODEX_HOME": str(other)})


def test_claude_key_falls_back_to_the_token_without_an_account(home):
    home.write_claude_credentials(accessToken="sk-ant-oat01-" + "A" * 40)
    first = key("claude", home)
    home.write_claude_credentials(accessToken="sk-ant-oat01-" + "B" * 40)
    assert first is not None and key("claude", home) != first


def test_claude_key_changes_with_a_stored_session_key(home):
    write(home.root / ".claude.json", {"oauthAccount": {"accountUuid": "u-1"}})
    without = key("claude", home)
    CredentialStore(make_ctx("claude", home.root).paths).write(
        "claude", "session_key", "sk-ant-sid01-" + "C" * 40
    )
    assert without is not None and key("claude", home) != without


def cursor_session(user: str, exp: int) -> str:
    return f"{user}%3A%3A{jwt({'sub': f'auth0|{user}', 'exp': exp})}"


def test_cursor_key_is_the_user_not_the_renewed_token(home):
    store = CredentialStore(make_ctx("cursor", home.root).paths)
    store.write("cursor", "session", cursor_session("user_01A", 4102444800))
    first = key("cursor", home, browser_cookies=False)
    store.write("cursor", "session", cursor_session("user_01A", 4102448400))
    renewed = key("cursor", home, browser_cookies=False)
    store.write("cursor", "session", cursor_session("user_01B", 4102444800))
    other = key("cursor", home, browser_cookies=False)
    assert first is not None and first == renewed != other


def test_copilot_key_follows_each_token_source_and_the_host(home):
    one = key("copilot", home, {"GH_TOKEN": "ghp_" + "a" * 36})
    two = key("copilot", home, {"GH_TOKEN": "ghp_" + "b" * 36})
    also_github_token = key(
        "copilot", home, {"GH_TOKEN": "ghp_" + "a" * 36, "GITHUB_TOKEN": "ghp_" + "c" * 36}
    )
    enterprise = key("copilot", home, {"GH_TOKEN": "ghp_" + "a" * 36}, host="ghe.example.com")
    assert len({one, two, also_github_token, enterprise}) == 4
    assert None not in {one, two, also_github_token, enterprise}
    assert key("copilot", home, host="ghe.example.com") is None  # a host alone is no login


def test_gemini_key_is_the_google_account_across_refreshes(home):
    path = home.root / ".gemini" / "oauth_creds.json"
    account = jwt({"sub": "1234", "email": "a@example.com"})
    write(path, {"access_token": "ya29.one", "refresh_token": "1//r", "id_token": account})
    first = key("gemini", home)
    write(path, {"access_token": "ya29.two", "refresh_token": "1//r2", "id_token": account})
    refreshed = key("gemini", home)
    other = jwt({"sub": "5678"})
    write(path, {"access_token": "ya29.two", "refresh_token": "1//r2", "id_token": other})
    assert first is not None and first == refreshed != key("gemini", home)


def test_api_key_providers_key_by_the_key_and_the_region(home):
    for provider_id, variable in (("zai", "ZAI_API_KEY"), ("minimax", "MINIMAX_API_KEY")):
        one = key(provider_id, home, {variable: "k" * 40})
        two = key(provider_id, home, {variable: "j" * 40})
        region = key(provider_id, home, {variable: "k" * 40}, region="cn")
        assert len({one, two, region}) == 3 and None not in {one, two, region}
    assert key("factory", home, {"FACTORY_API_KEY": "fk-" + "a" * 30}) != key(
        "factory", home, {"FACTORY_API_KEY": "fk-" + "b" * 30}
    )


def test_augment_key_follows_token_and_tenant(home):
    session = {"accessToken": "t" * 30, "tenantURL": "https://d1.api.augmentcode.com/"}
    one = key("augment", home, {"AUGMENT_SESSION_AUTH": json.dumps(session)})
    session["tenantURL"] = "https://d2.api.augmentcode.com/"
    assert one is not None
    assert one != key("augment", home, {"AUGMENT_SESSION_AUTH": json.dumps(session)})


def test_vertex_key_follows_account_and_project(home):
    adc = home.root / ".config" / "gcloud" / "application_default_credentials.json"
    user = {"type": "authorized_user", "client_id": "c", "client_secret": "s"}
    write(adc, {**user, "refresh_token": "1//a", "account": "a@example.com"})
    first = key("vertexai", home, project="p1")
    assert first is not None and first != key("vertexai", home, project="p2")
    write(adc, {**user, "refresh_token": "1//b", "account": "b@example.com"})
    assert key("vertexai", home, project="p1") != first


def test_kiro_key_follows_the_headless_key(home):
    one = key("kiro", home, {"KIRO_API_KEY": "a" * 30})
    assert one is not None and one != key("kiro", home, {"KIRO_API_KEY": "b" * 30})


def test_a_login_key_never_holds_the_secret_it_was_made_from(home):
    token = "ghp_" + "s" * 36
    found = key("copilot", home, {"GH_TOKEN": token})
    assert found is not None and len(found) == 16 and found not in token
