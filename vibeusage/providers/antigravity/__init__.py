"""Antigravity (Google's agentic coding app, IDE and ``agy`` CLI): the manifest.

``language_server`` (the running app's or IDE's local server, found in the process list,
over loopback with its CSRF token) -> ``cli`` (``agy -p /quota --output-format json``) ->
``oauth`` (a token agy or the IDE stored, read only and never refreshed, against Cloud
Code's quota summary). Service health comes from Google's incidents feed, as for Gemini.
"""

from ..manifest import Provider, StrategyRef

PROVIDER = Provider(
    id="antigravity",
    name="Antigravity",
    homepage="https://antigravity.google/",
    dashboard_url="https://antigravity.google/",
    status_url="https://www.google.com/appsstatus/dashboard/incidents.json",
    status_fetch="gemini.status:fetch_incidents_status",
    strategies=(
        StrategyRef(
            "language_server",
            "Antigravity app or IDE (local language server)",
            "antigravity.language_server:AntigravityLanguageServer",
        ),
        StrategyRef("cli", "agy CLI (/quota)", "antigravity.cli:AntigravityCli"),
        StrategyRef(
            "oauth",
            "agy or Antigravity IDE login (Cloud Code)",
            "antigravity.oauth:AntigravityOAuth",
        ),
    ),
    setup_hint="Open the Antigravity app, or install `agy` and run it once to sign in.",
    description="Antigravity 5-hour and weekly limits per model group",
    login_key="antigravity.login_key:antigravity_login_key",
    env_vars=("ANTIGRAVITY_CLI_PATH", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME"),
    tools=("agy", "secret-tool", "security", "lsof", "ps", "powershell"),
    # Google access and refresh tokens (the CSRF token of the local server never leaves it).
    token_patterns=(r"(?:ya29\.|1//)[A-Za-z0-9_\-.]{10,}",),
)
