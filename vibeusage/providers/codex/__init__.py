"""Codex (the Codex CLI on ChatGPT plans): the manifest.

``oauth`` (the Codex CLI's login against the usage endpoint) -> ``cli`` (``codex
app-server`` over stdio) -> ``local`` (the last reading in the session logs; no network).
"""

from ..manifest import Provider, StrategyRef

PROVIDER = Provider(
    id="codex",
    name="Codex",
    homepage="https://chatgpt.com/codex",
    dashboard_url="https://chatgpt.com/codex/settings/usage",
    status_url="https://status.openai.com/api/v2/status.json",
    strategies=(
        StrategyRef("oauth", "Codex CLI login", "codex.oauth:CodexOAuth"),
        StrategyRef("cli", "Codex CLI (app-server)", "codex.app_server:CodexAppServer"),
        StrategyRef("local", "Codex CLI session logs", "codex.local:CodexLocal"),
    ),
    setup_hint="Install the Codex CLI and run `codex login`; vibeusage reads its login.",
    options={"cli_refresh": bool},
    description="Codex CLI on ChatGPT plans (5-hour and weekly limits, credits)",
    login_key="codex.login_key:codex_login_key",
    env_vars=("CODEX_HOME",),
    tools=("codex",),
    # OpenAI API keys (sk-..., sk-proj-...); the OAuth tokens are JWTs, masked generically.
    token_patterns=(r"sk-[A-Za-z0-9_\-]{20,}",),
)
