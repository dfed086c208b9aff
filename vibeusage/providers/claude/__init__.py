"""Claude (Claude Code on Pro/Max/Team plans): the manifest.

``statusline`` (what Claude Code handed the statusLine hook, no request) -> ``oauth``
(Claude Code's login) -> ``web`` (a claude.ai session key vibeusage stores) -> ``cli`` (the
interactive ``claude`` asked for ``/usage`` in a pseudo-terminal).
"""

from ..manifest import Provider, SecretSpec, StrategyRef

PROVIDER = Provider(
    id="claude",
    name="Claude",
    homepage="https://claude.ai",
    dashboard_url="https://claude.ai/settings/usage",
    status_url="https://status.claude.com/api/v2/status.json",
    strategies=(
        StrategyRef(
            "statusline", "Claude Code statusline capture", "claude.statusline:ClaudeStatusline"
        ),
        StrategyRef("oauth", "Claude Code login", "claude.oauth:ClaudeOAuth"),
        StrategyRef("web", "claude.ai session key", "claude.web:ClaudeWeb"),
        StrategyRef("cli", "Claude Code CLI (/usage)", "claude.cli_probe:ClaudeCli"),
    ),
    setup_hint="Install Claude Code and log in by running `claude`; vibeusage reads its login.",
    options={"cli_refresh": bool, "statusline_ttl": float},
    option_defaults={"statusline_ttl": 600},  # statusline.snapshot.DEFAULT_TTL
    option_bounds={"statusline_ttl": (1, 86400)},  # statusline.snapshot.TTL_RANGE
    description="Claude Code on Pro, Max and Team plans",
    secret=SecretSpec(
        name="session_key",
        label="claude.ai session key (the value of the `sessionKey` cookie, sk-ant-sid01-...)",
        check="claude.web:session_key_problem",
        validate="claude.web:validate_session_key",
    ),
    login_key="claude.login_key:claude_login_key",
    env_vars=("CLAUDE_CONFIG_DIR",),
    tools=("claude", "security"),
    # OAuth access/refresh tokens and claude.ai session keys: sk-ant-oat01-, sk-ant-sid01-...
    token_patterns=(r"sk-ant-[A-Za-z0-9_\-]{20,}",),
)
