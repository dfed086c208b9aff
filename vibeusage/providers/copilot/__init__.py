"""GitHub Copilot: the provider and its strategies, one per token source, in order.

``device_flow`` (vibeusage's own token) -> ``COPILOT_GITHUB_TOKEN`` -> ``GH_TOKEN`` ->
``GITHUB_TOKEN`` -> ``gh`` (the GitHub CLI's login); each asks ``copilot_internal/user``.
``vibeusage auth copilot`` runs GitHub's device flow; ``vibeusage key copilot set`` stores
a token given by hand.
"""

from ..base import Provider, SecretSpec
from .api import (
    EDITOR_HEADERS,
    CopilotToken,
    http_error,
    request_headers,
    token_problem,
    usage_url,
    validate_token,
)
from .device_flow import (
    CLIENT_ID,
    DeviceCode,
    DeviceToken,
    login,
    parse_device_code,
    parse_device_token,
    poll_for_token,
)
from .tokens import (
    SOURCES,
    TOKEN_NAME,
    FoundToken,
    configured_host,
    find_token,
    gh_hosts_path,
    parse_gh_hosts,
    token_for_host,
)
from .usage import NAME, parse_identity, parse_user, plan_name, quota_name, quota_notes

PROVIDER = Provider(
    id="copilot",
    name=NAME,
    homepage="https://github.com/features/copilot",
    dashboard_url="https://github.com/settings/copilot",
    status_url="https://www.githubstatus.com/api/v2/status.json",
    strategies=tuple(CopilotToken(source) for source in SOURCES),
    setup_hint=(
        "Run `vibeusage auth copilot` to log in with GitHub (or set GH_TOKEN, or log in "
        "with `gh auth login`)."
    ),
    description="GitHub Copilot premium requests, chat and completions quotas",
    options={"host": str},
    secret=SecretSpec(
        name=TOKEN_NAME,
        label="GitHub token with Copilot access (gho_..., ghu_..., ghp_... or github_pat_...)",
        check=token_problem,
        validate=validate_token,
    ),
    login=login,
)

__all__ = [
    "CLIENT_ID",
    "EDITOR_HEADERS",
    "NAME",
    "PROVIDER",
    "SOURCES",
    "TOKEN_NAME",
    "CopilotToken",
    "DeviceCode",
    "DeviceToken",
    "FoundToken",
    "configured_host",
    "find_token",
    "gh_hosts_path",
    "http_error",
    "login",
    "parse_device_code",
    "parse_device_token",
    "parse_gh_hosts",
    "parse_identity",
    "parse_user",
    "plan_name",
    "poll_for_token",
    "quota_name",
    "quota_notes",
    "request_headers",
    "token_for_host",
    "usage_url",
    "validate_token",
]
