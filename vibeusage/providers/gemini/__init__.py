"""Gemini (the Gemini CLI with a Google login; Gemini Code Assist): the provider.

One strategy, ``oauth``: the Gemini CLI's login (``~/.gemini/oauth_creds.json``, read
only) against Code Assist's ``loadCodeAssist`` and ``retrieveUserQuota``. Service health
comes from Google's incidents feed (see ``status.py``), not a Statuspage site.
"""

from ..base import Provider
from .client import OAuthClient, find_oauth_client, find_package, scan_package
from .login import (
    GeminiLogin,
    credentials_path,
    parse_auth_type,
    parse_login,
    read_auth_type,
    read_login,
    settings_path,
)
from .oauth import LOAD_CODE_ASSIST_URL, RETRIEVE_QUOTA_URL, GeminiOAuth
from .refresh import TOKEN_URL, TokenCache
from .status import INCIDENTS_URL, fetch_incidents_status, parse_incidents
from .usage import (
    NAME,
    CodeAssist,
    email_from_id_token,
    parse_code_assist,
    parse_quota,
    period_type_for_reset,
    plan_name,
)

PROVIDER = Provider(
    id="gemini",
    name=NAME,
    homepage="https://github.com/google-gemini/gemini-cli",
    dashboard_url="https://aistudio.google.com/",
    # Google's incidents feed, not Statuspage: read by its own parser.
    status_url=INCIDENTS_URL,
    status_fetch=fetch_incidents_status,
    strategies=(GeminiOAuth(),),
    setup_hint="Install the Gemini CLI and log in with Google by running `gemini`.",
    description="Gemini CLI and Gemini Code Assist quotas",
)

__all__ = [
    "INCIDENTS_URL",
    "LOAD_CODE_ASSIST_URL",
    "NAME",
    "PROVIDER",
    "RETRIEVE_QUOTA_URL",
    "TOKEN_URL",
    "CodeAssist",
    "GeminiLogin",
    "GeminiOAuth",
    "OAuthClient",
    "TokenCache",
    "credentials_path",
    "email_from_id_token",
    "fetch_incidents_status",
    "find_oauth_client",
    "find_package",
    "parse_auth_type",
    "parse_code_assist",
    "parse_incidents",
    "parse_login",
    "parse_quota",
    "period_type_for_reset",
    "plan_name",
    "read_auth_type",
    "read_login",
    "scan_package",
    "settings_path",
]
