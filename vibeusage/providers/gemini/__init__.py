"""Gemini (the Gemini CLI with a Google login; Gemini Code Assist): the manifest.

One strategy, ``oauth``: the Gemini CLI's login (``~/.gemini/oauth_creds.json``, read
only) against Code Assist's ``loadCodeAssist`` and ``retrieveUserQuota``. Service health
comes from Google's incidents feed (see ``status.py``), not a Statuspage site.
"""

from ..manifest import Provider, StrategyRef

PROVIDER = Provider(
    id="gemini",
    name="Gemini",
    homepage="https://github.com/google-gemini/gemini-cli",
    dashboard_url="https://aistudio.google.com/",
    # Google's incidents feed, not Statuspage: read by its own parser.
    status_url="https://www.google.com/appsstatus/dashboard/incidents.json",
    status_fetch="gemini.status:fetch_incidents_status",
    strategies=(StrategyRef("oauth", "Gemini CLI Google login", "gemini.oauth:GeminiOAuth"),),
    setup_hint="Install the Gemini CLI and log in with Google by running `gemini`.",
    description="Gemini CLI and Gemini Code Assist quotas",
    login_key="gemini.login_key:gemini_login_key",
    env_vars=(
        "GEMINI_CLI_HOME",
        "GEMINI_OAUTH_CLIENT_ID",
        "GEMINI_OAUTH_CLIENT_SECRET",
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_PROJECT_ID",
    ),
    tools=("gemini",),
    # Google access tokens, refresh tokens and OAuth client secrets.
    token_patterns=(r"(?:ya29\.|1//|GOCSPX-)[A-Za-z0-9_\-.]{10,}",),
)
