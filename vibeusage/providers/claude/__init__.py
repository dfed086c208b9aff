"""Claude (Claude Code on Pro/Max/Team plans): the provider and its strategies, in order.

``oauth`` (Claude Code's login) -> ``web`` (a claude.ai session key vibeusage stores) ->
``cli`` (the interactive ``claude`` asked for ``/usage`` in a pseudo-terminal).
"""

from ..base import Provider, SecretSpec
from .cli_probe import ClaudeCli
from .oauth import (
    USAGE_URL,
    ClaudeCredentials,
    ClaudeOAuth,
    credentials_path,
    parse_credentials,
    read_credentials,
)
from .usage import NAME, parse_extra_usage, parse_identity, parse_usage, plan_name
from .web import SESSION_KEY, ClaudeWeb, session_key_problem, validate_session_key

PROVIDER = Provider(
    id="claude",
    name=NAME,
    homepage="https://claude.ai",
    dashboard_url="https://claude.ai/settings/usage",
    status_url="https://status.claude.com/api/v2/status.json",
    strategies=(ClaudeOAuth(), ClaudeWeb(), ClaudeCli()),
    setup_hint="Install Claude Code and log in by running `claude`; vibeusage reads its login.",
    options={"cli_refresh": bool},
    description="Claude Code on Pro, Max and Team plans",
    secret=SecretSpec(
        name=SESSION_KEY,
        label="claude.ai session key (the value of the `sessionKey` cookie, sk-ant-sid01-...)",
        check=session_key_problem,
        validate=validate_session_key,
    ),
)

__all__ = [
    "NAME",
    "PROVIDER",
    "USAGE_URL",
    "ClaudeCli",
    "ClaudeCredentials",
    "ClaudeOAuth",
    "credentials_path",
    "parse_credentials",
    "parse_extra_usage",
    "parse_identity",
    "parse_usage",
    "plan_name",
    "read_credentials",
]
