"""Kiro (AWS's agentic IDE and ``kiro-cli``): the manifest.

``cli`` (``kiro-cli whoami`` and ``kiro-cli chat --no-interactive /usage``, the screen read
as text) -> ``api`` (kiro-cli's token from its SQLite state, read only, against
``GetUsageLimits`` in the profile's region). kiro-cli owns its login: vibeusage never
refreshes it.
"""

from ..manifest import Provider, StrategyRef

PROVIDER = Provider(
    id="kiro",
    name="Kiro",
    homepage="https://kiro.dev",
    dashboard_url="https://app.kiro.dev/account/usage",
    # AWS publishes no status feed for Kiro; its health page is only linked.
    status_url=None,
    strategies=(
        StrategyRef("cli", "kiro-cli (/usage)", "kiro.cli:KiroCli"),
        StrategyRef("api", "kiro-cli login (GetUsageLimits)", "kiro.api:KiroApi"),
    ),
    setup_hint=(
        "Install kiro-cli (https://kiro.dev) and run `kiro-cli login`; vibeusage asks it "
        "for /usage and reads its login."
    ),
    description="Kiro monthly credits, bonus credits and overages (kiro-cli)",
    options={"region": str},
    login_key="kiro.login_key:kiro_login_key",
    env_vars=("KIRO_CLI_PATH", "KIRO_DATA_DIR", "XDG_DATA_HOME", "KIRO_API_KEY"),
    tools=("kiro-cli",),
    # AWS SSO-OIDC access and refresh tokens (aoa…/aor…).
    token_patterns=(r"ao[ar]A[A-Za-z0-9_\-+/=:.]{16,}",),
)
