"""Codex (the Codex CLI on ChatGPT plans): the provider and its strategies, in order.

``oauth`` (the Codex CLI's login against the usage endpoint) -> ``cli`` (``codex
app-server`` over stdio) -> ``local`` (the last reading in the session logs; no network).
"""

from ..base import Provider
from .app_server import CodexAppServer
from .local import CodexLocal, find_reading, lines_backwards, rollout_files
from .oauth import (
    CodexCredentials,
    CodexOAuth,
    auth_path,
    base_url,
    codex_home,
    parse_credentials,
    read_credentials,
    usage_url,
)
from .usage import (
    NAME,
    parse_app_server,
    parse_credits,
    parse_reset_credits,
    parse_rollout_event,
    parse_usage,
    plan_name,
)

PROVIDER = Provider(
    id="codex",
    name=NAME,
    homepage="https://chatgpt.com/codex",
    dashboard_url="https://chatgpt.com/codex/settings/usage",
    status_url="https://status.openai.com/api/v2/status.json",
    strategies=(CodexOAuth(), CodexAppServer(), CodexLocal()),
    setup_hint="Install the Codex CLI and run `codex login`; vibeusage reads its login.",
    options={"cli_refresh": bool},
    description="Codex CLI on ChatGPT plans (5-hour and weekly limits, credits)",
)

__all__ = [
    "NAME",
    "PROVIDER",
    "CodexAppServer",
    "CodexCredentials",
    "CodexLocal",
    "CodexOAuth",
    "auth_path",
    "base_url",
    "codex_home",
    "find_reading",
    "lines_backwards",
    "parse_app_server",
    "parse_credentials",
    "parse_credits",
    "parse_reset_credits",
    "parse_rollout_event",
    "parse_usage",
    "plan_name",
    "read_credentials",
    "rollout_files",
    "usage_url",
]
