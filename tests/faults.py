"""Shared by the cross-cutting suites: each provider set up in a temp HOME, its endpoints,
a healthy answer for each, the secrets that must never be shown, and output checks.

Every provider is restricted to one strategy (``auth_source``) so that a fault is not
blurred by a fallback to another strategy.
"""

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import pytest

from tests.conftest import CliResult, Home, load_fixture
from vibeusage.credentials import CredentialStore
from vibeusage.paths import resolve_paths

# --- secrets: realistic shapes, so that redaction patterns get a chance to miss them ------

CLAUDE_TOKEN = "sk-ant-oat01-RmF1bHRJbmplY3Rpb25DbGF1ZGVUb2tlbk5ldmVyU2hvd24-9Qz1AA"
CLAUDE_REFRESH = "sk-ant-ort01-RmF1bHRJbmplY3Rpb25SZWZyZXNoTmV2ZXJTaG93bkF0QWxs-x7Y2ZZ"
COPILOT_TOKEN = "ghp_FaultInjectionCopilotToken0123456789"
GEMINI_TOKEN = "ya29.a0FaultInjectionGeminiAccessTokenNeverShown0123456789"
GEMINI_REFRESH = "1//0gFaultInjectionGeminiRefreshTokenNeverShown"
CLAUDE_SESSION_KEY = "sk-ant-sid01-RmF1bHRJbmplY3Rpb25TZXNzaW9uS2V5TmV2ZXJTaG93bg-AbCdEF"
FACTORY_KEY = "fk-FaultInjectionFactoryKeyNeverShown0123456789"
#: Augment's tokens are opaque hex: no redaction pattern can know them.
AUGMENT_TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
AUGMENT_SESSION = json.dumps(
    {
        "accessToken": AUGMENT_TOKEN,
        "tenantURL": "https://d7.api.augmentcode.com/",
        "scopes": ["email"],
    }
)


def _b64(data: Dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _jwt(claims: Dict[str, Any], signature: str) -> str:
    return f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.{signature}"


CODEX_SIGNATURE = "Q29kZXhTaWduYXR1cmVOZXZlclNob3duSW5PdXRwdXQ"
CODEX_TOKEN = _jwt({"sub": "user-codex", "exp": 4102444800}, CODEX_SIGNATURE)
CODEX_REFRESH = "rt_CodexRefreshTokenNeverShownAnywhere0123"
CURSOR_SIGNATURE = "Q3Vyc29yU2lnbmF0dXJlTmV2ZXJTaG93bkluT3V0cHV0"
CURSOR_JWT = _jwt({"sub": "auth0|user_01FAULTUSER", "exp": 4102444800}, CURSOR_SIGNATURE)
CURSOR_SESSION = f"user_01FAULTUSER%3A%3A{CURSOR_JWT}"
ZAI_KEY = "5a4d3c2b1a0e3f9c0b1e8a7d4c2f9e6b.RmF1bHRaYWlLZXkx"
MINIMAX_KEY = "sk-cp-RmF1bHRJbmplY3Rpb25NaW5pTWF4S2V5TmV2ZXJTaG93bg"
KIRO_TOKEN = "aoaAAAAAGFaultInjectionKiroAccessTokenNeverShown0123:MGUCMQDfault+/="
KIRO_REFRESH = "aorAAAAAGFaultInjectionKiroRefreshTokenNeverShown0123"
ANTIGRAVITY_TOKEN = "ya29.a0FaultInjectionAntigravityAccessTokenNeverShown0123"
ANTIGRAVITY_REFRESH = "1//0gFaultInjectionAntigravityRefreshNeverShown"

#: Per provider: every secret (and a distinctive core of it) that must never be shown.
SECRETS: Dict[str, Tuple[str, ...]] = {
    "claude": (CLAUDE_TOKEN, CLAUDE_TOKEN[13:45], CLAUDE_REFRESH, CLAUDE_REFRESH[13:45]),
    "codex": (CODEX_TOKEN, CODEX_SIGNATURE, CODEX_REFRESH),
    "copilot": (COPILOT_TOKEN, COPILOT_TOKEN[4:30]),
    "cursor": (CURSOR_SESSION, CURSOR_JWT, CURSOR_SIGNATURE),
    "gemini": (GEMINI_TOKEN, GEMINI_TOKEN[5:40], GEMINI_REFRESH, GEMINI_REFRESH[4:30]),
    "zai": (ZAI_KEY, ZAI_KEY[:32], ZAI_KEY[33:]),
    "minimax": (MINIMAX_KEY, MINIMAX_KEY[6:]),
    "factory": (FACTORY_KEY, FACTORY_KEY[3:35]),
    "augment": (AUGMENT_TOKEN, AUGMENT_TOKEN[8:40]),
    "kiro": (KIRO_TOKEN, KIRO_TOKEN[8:45], KIRO_REFRESH, KIRO_REFRESH[8:45]),
    "antigravity": (
        ANTIGRAVITY_TOKEN,
        ANTIGRAVITY_TOKEN[5:45],
        ANTIGRAVITY_REFRESH,
        ANTIGRAVITY_REFRESH[4:40],
    ),
}
ALL_SECRETS = tuple(s for group in SECRETS.values() for s in group) + (
    CLAUDE_SESSION_KEY,
    CLAUDE_SESSION_KEY[13:45],
)

# --- endpoints ------------------------------------------------------------------------------

CLAUDE_USAGE = "https://api.anthropic.com/api/oauth/usage"
CLAUDE_ACCOUNT = "https://api.anthropic.com/api/oauth/account"
CODEX_USAGE = "https://chatgpt.com/backend-api/wham/usage"
COPILOT_USER = "https://api.github.com/copilot_internal/user"
CURSOR_USAGE = "https://cursor.com/api/usage-summary"
CURSOR_ME = "https://cursor.com/api/auth/me"
GEMINI_LOAD = "https://cloudcode-pa.googleapis.com/v1internal:loadCodeAssist"
GEMINI_QUOTA = "https://cloudcode-pa.googleapis.com/v1internal:retrieveUserQuota"
GEMINI_TOKEN_URL = "https://oauth2.googleapis.com/token"
ZAI_QUOTA = "https://api.z.ai/api/monitor/usage/quota/limit"
ZAI_FALLBACK = "https://api.z.ai/api/monitor/usage"
MINIMAX_TOKEN_PLAN = "https://api.minimax.io/v1/token_plan/remains"
MINIMAX_CODING_PLAN = "https://api.minimax.io/v1/api/openplatform/coding_plan/remains"
FACTORY_LIMITS = "https://api.factory.ai/api/billing/limits"
FACTORY_ME = "https://api.factory.ai/api/app/auth/me"
FACTORY_WHOAMI = "https://api.factory.ai/api/cli/whoami"
AUGMENT_SUMMARY = "https://d7.api.augmentcode.com/get-billing-summary"
KIRO_LIMITS = "https://q.eu-central-1.amazonaws.com/"
ANTIGRAVITY_QUOTA = "https://cloudcode-pa.googleapis.com/v1internal:retrieveUserQuotaSummary"


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: str
    #: A healthy answer (the real fixture).
    fixture: str


@dataclass(frozen=True)
class ProviderSetup:
    id: str
    #: The strategy the chain is restricted to.
    strategy: str
    #: Every request a healthy run makes, in order; the first is the usage request.
    endpoints: Tuple[Endpoint, ...]
    #: Extra config lines for ``[providers.<id>]``.
    extra_config: str = ""
    #: Requests made only after a failure of the first one (another path to the same data):
    #: a fault injected into the first is answered there too.
    fallbacks: Tuple[Endpoint, ...] = ()

    @property
    def secrets(self) -> Tuple[str, ...]:
        return SECRETS[self.id]

    def config(self) -> str:
        text = f'[providers.{self.id}]\nauth_source = "{self.strategy}"\n'
        return text + self.extra_config


SETUPS: Dict[str, ProviderSetup] = {
    "claude": ProviderSetup(
        "claude",
        "oauth",
        (
            Endpoint("GET", CLAUDE_USAGE, "claude/oauth-usage-limits.json"),
            Endpoint("GET", CLAUDE_ACCOUNT, "claude/oauth-account.json"),
        ),
    ),
    "codex": ProviderSetup(
        "codex", "oauth", (Endpoint("GET", CODEX_USAGE, "codex/wham-usage-live.json"),)
    ),
    "copilot": ProviderSetup(
        "copilot",
        "GH_TOKEN",
        (Endpoint("GET", COPILOT_USER, "copilot/copilot-internal-user.json"),),
    ),
    "cursor": ProviderSetup(
        "cursor",
        "web",
        (
            Endpoint("GET", CURSOR_USAGE, "cursor/usage-summary-pro.json"),
            Endpoint("GET", CURSOR_ME, "cursor/auth-me.json"),
        ),
        extra_config="browser_cookies = false\n",
    ),
    "gemini": ProviderSetup(
        "gemini",
        "oauth",
        (
            Endpoint("POST", GEMINI_LOAD, "gemini/load-code-assist.json"),
            Endpoint("POST", GEMINI_QUOTA, "gemini/retrieve-user-quota.json"),
        ),
    ),
    "zai": ProviderSetup(
        "zai",
        "api_key",
        (Endpoint("GET", ZAI_QUOTA, "zai/quota-limit-pro.json"),),
        extra_config='region = "global"\n',
        fallbacks=(Endpoint("GET", ZAI_FALLBACK, "zai/quota-limit-pro.json"),),
    ),
    "minimax": ProviderSetup(
        "minimax",
        "api_key",
        (Endpoint("GET", MINIMAX_TOKEN_PLAN, "minimax/token-plan-normal.json"),),
        extra_config='region = "global"\n',
        fallbacks=(Endpoint("GET", MINIMAX_CODING_PLAN, "minimax/coding-plan-legacy-counts.json"),),
    ),
    # Billing limits first (the usage); whoami only decides the host, and its failures other
    # than a rejection fall back to the US host, so it is not the request faulted first.
    "factory": ProviderSetup(
        "factory",
        "api_key",
        (
            Endpoint("GET", FACTORY_LIMITS, "factory/billing-limits-live-0189.json"),
            Endpoint("GET", FACTORY_ME, "factory/auth-me.json"),
            Endpoint("GET", FACTORY_WHOAMI, "factory/whoami-us.json"),
        ),
    ),
    "augment": ProviderSetup(
        "augment",
        "oauth",
        (Endpoint("POST", AUGMENT_SUMMARY, "augment/get-billing-summary-credits.json"),),
    ),
    "kiro": ProviderSetup(
        "kiro", "api", (Endpoint("POST", KIRO_LIMITS, "kiro/get-usage-limits-power-overage.json"),)
    ),
    "antigravity": ProviderSetup(
        "antigravity",
        "oauth",
        # The fallback host (daily-cloudcode-pa) is left unanswered: a refused connection.
        (
            Endpoint(
                "POST", ANTIGRAVITY_QUOTA, "antigravity/cloudcode-retrieve-user-quota-summary.json"
            ),
        ),
    ),
}
PROVIDER_IDS = tuple(SETUPS)


# --- credentials in the temp HOME -------------------------------------------------------------


def claude_credentials_path(home: Home) -> Path:
    return home.root / ".claude" / ".credentials.json"


def codex_auth_path(home: Home) -> Path:
    return home.root / ".codex" / "auth.json"


def gemini_creds_path(home: Home) -> Path:
    return home.root / ".gemini" / "oauth_creds.json"


def gh_hosts_path(home: Home) -> Path:
    return home.root / ".config" / "gh" / "hosts.yml"


def cursor_state_db_path(home: Home) -> Path:
    return home.root / ".config" / "Cursor" / "User" / "globalStorage" / "state.vscdb"


def augment_session_path(home: Home) -> Path:
    return home.root / ".augment" / "session.json"


def kiro_state_path(home: Home) -> Path:
    return home.root / ".local" / "share" / "kiro-cli" / "data.sqlite3"


def antigravity_token_path(home: Home) -> Path:
    return home.root / ".gemini" / "antigravity-cli" / "antigravity-oauth-token"


def own_credential_path(home: Home, provider: str, name: str) -> Path:
    return home.config_dir / "credentials" / provider / f"{name}.json"


def _write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def install_claude(home: Home) -> None:
    home.write_claude_credentials(accessToken=CLAUDE_TOKEN, refreshToken=CLAUDE_REFRESH)


def install_codex(home: Home) -> None:
    document = load_fixture("codex/auth.json")
    document["tokens"].update(access_token=CODEX_TOKEN, refresh_token=CODEX_REFRESH)
    _write(codex_auth_path(home), json.dumps(document).encode())


def install_copilot(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_TOKEN", COPILOT_TOKEN)


def install_cursor(home: Home) -> None:
    CredentialStore(resolve_paths(os.environ)).write("cursor", "session", CURSOR_SESSION)


def install_gemini(home: Home) -> None:
    document = load_fixture("gemini/oauth_creds.json")
    # Far from expiry, so that no refresh is attempted before the first request.
    document.update(access_token=GEMINI_TOKEN, refresh_token=GEMINI_REFRESH)
    _write(gemini_creds_path(home), json.dumps(document).encode())


def install_factory(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTORY_API_KEY", FACTORY_KEY)


def install_augment(home: Home) -> None:
    path = _write(augment_session_path(home), AUGMENT_SESSION.encode())
    path.chmod(0o600)


def install_kiro(home: Home) -> None:
    import sqlite3

    token = load_fixture("kiro/auth-kv-token.json")
    token.update(access_token=KIRO_TOKEN, refresh_token=KIRO_REFRESH)
    token["expires_at"] = "2099-01-01T00:00:00Z"  # the runs use the real clock
    path = kiro_state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path))
    connection.execute("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)")
    connection.execute("INSERT INTO auth_kv VALUES ('kirocli:odic:token', ?)", (json.dumps(token),))
    connection.commit()
    connection.close()


def install_antigravity(home: Home) -> None:
    document = load_fixture("antigravity/agy-token.json")
    document["token"].update(
        access_token=ANTIGRAVITY_TOKEN,
        refresh_token=ANTIGRAVITY_REFRESH,
        expiry="2099-01-01T00:00:00.123456789+07:00",
    )
    _write(antigravity_token_path(home), json.dumps(document).encode())


def install(provider: str, home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give ``provider`` working credentials for its restricted strategy."""
    if provider == "copilot":
        install_copilot(home, monkeypatch)
        return
    if provider in ("zai", "minimax"):
        variable = "ZAI_API_KEY" if provider == "zai" else "MINIMAX_API_KEY"
        monkeypatch.setenv(variable, ZAI_KEY if provider == "zai" else MINIMAX_KEY)
        return
    if provider == "factory":
        install_factory(home, monkeypatch)
        return
    {
        "claude": install_claude,
        "codex": install_codex,
        "cursor": install_cursor,
        "gemini": install_gemini,
        "augment": install_augment,
        "kiro": install_kiro,
        "antigravity": install_antigravity,
    }[provider](home)


def configure(home: Home, providers: Iterable[str], extra: str = "") -> Path:
    """Write a config restricting each provider to its strategy."""
    text = extra + "".join(SETUPS[p].config() for p in providers)
    return home.write_config(text)


def set_up(
    providers: Iterable[str], home: Home, monkeypatch: pytest.MonkeyPatch, extra: str = ""
) -> None:
    providers = list(providers)
    for provider in providers:
        install(provider, home, monkeypatch)
    configure(home, providers, extra)


def answer_fallbacks(mock: Any, provider: str, answer: Dict[str, Any]) -> None:
    """Answer the provider's fallback requests as its first request was (the same fault)."""
    for endpoint in SETUPS[provider].fallbacks:
        mock.add(endpoint.method, endpoint.url, **answer)


def answer_healthy(mock: Any, provider: str, skip: Iterable[Endpoint] = ()) -> None:
    """Register the real fixture for every endpoint of ``provider`` not in ``skip``."""
    skipped = set(skip)
    for endpoint in SETUPS[provider].endpoints:
        if endpoint not in skipped:
            mock.add(endpoint.method, endpoint.url, json=load_fixture(endpoint.fixture))


# --- checks -----------------------------------------------------------------------------------


def assert_clean_output(result: CliResult, secrets: Iterable[str] = ALL_SECRETS) -> None:
    """No traceback and no secret in anything the run printed."""
    text = result.out + result.err
    assert "Traceback" not in text, text
    for secret in secrets:
        assert secret not in text, f"secret leaked: {secret[:8]}..."


def assert_no_secret_in_files(root: Path, secrets: Iterable[str] = ALL_SECRETS) -> None:
    """No file under ``root`` (vibeusage's cache) holds a secret in clear."""
    wanted = [s.encode() for s in secrets]
    for path in files_under(root):
        data = path.read_bytes()
        for secret in wanted:
            assert secret not in data, f"{path} holds a secret ({secret[:8]!r}...)"


def files_under(root: Path) -> List[Path]:
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file()]


def error_of(result: CliResult) -> Dict[str, Any]:
    """The ERROR object of a single-provider ``--json`` run that showed no data."""
    document = result.json()
    assert set(document) == {"error"}, document
    error = document["error"]
    assert isinstance(error, dict)
    return error


def snapshot_is_sane(snapshot: Dict[str, Any]) -> None:
    assert isinstance(snapshot["periods"], list)
    for period in snapshot["periods"]:
        utilization = period["utilization"]
        assert isinstance(utilization, int) and not isinstance(utilization, bool)
        assert 0 <= utilization <= 100
