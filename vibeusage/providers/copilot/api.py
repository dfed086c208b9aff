"""Copilot's strategies (one per token source) against ``copilot_internal/user``.

The endpoint answers the editors' Copilot client, so the request carries the headers
VS Code's Copilot Chat sends. 401 means the token is dead; 403/404 mean the account has
no Copilot. The token is only ever sent to the configured GitHub host.
"""

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any, Dict, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.http import Http, decoding
from ...kit.http_errors import classify_http_status
from ...timeparse import utcnow
from ..base import FetchContext, FetchResult, Strategy
from .tokens import (
    DEFAULT_HOST,
    ENV_VARS,
    GH,
    STORED,
    FoundToken,
    api_base,
    configured_host,
    earlier_duplicate,
    find_token,
    gh_hosts_path,
    stored_host,
    stored_token_path,
)
from .usage import NAME, parse_user, quota_notes

log = logging.getLogger(__name__)

USAGE_PATH = "/copilot_internal/user"
#: What VS Code's Copilot Chat sends; the endpoint is made for it.
EDITOR_HEADERS = {
    "Accept": "application/json",
    "Editor-Version": "vscode/1.96.2",
    "Editor-Plugin-Version": "copilot-chat/0.26.7",
    "User-Agent": "GitHubCopilotChat/0.26.7",
    "X-Github-Api-Version": "2025-04-01",
}
TOKEN_PREFIXES = ("gho_", "ghu_", "ghp_", "github_pat_")
LOGIN_HINT = "Run `vibeusage auth copilot` to log in again."
SETTINGS_URL = "https://github.com/settings/copilot"
OMITTED_RULE = "unlimited quotas and quotas without an allowance are not shown"

_LABELS = {
    STORED: "GitHub token stored by vibeusage",
    GH: "GitHub CLI login (gh hosts.yml)",
    **{name: f"{name} environment variable" for name in ENV_VARS},
}


def usage_url(host: str = DEFAULT_HOST) -> str:
    return api_base(host) + USAGE_PATH


def request_headers(token: str) -> Dict[str, str]:
    return {"Authorization": f"token {token}", **EDITOR_HEADERS}


def get_user(session: Any, host: str, token: str, timeout: Optional[float] = None) -> Any:
    """One GET of ``copilot_internal/user`` with the editor headers (every status returned)."""
    return Http(session, NAME, timeout).get(
        usage_url(host),
        what="Copilot usage data",
        headers=request_headers(token),
        ok=range(100, 600),
    )


class CopilotToken(Strategy):
    """A GitHub token from one source, asked for the account's Copilot quotas."""

    def __init__(self, source: str) -> None:
        self.name = source
        self.label = _LABELS[source]

    def available(self, ctx: FetchContext) -> bool:
        try:
            found = find_token(ctx, self.name)
        except VibeusageError:
            # An unreadable stored token or gh login: fetch says what is wrong with it.
            return self.name in (STORED, GH)
        if found is None:
            return False
        # The same token under an earlier source was tried already: do not ask twice.
        return ctx.config.auth_source != "auto" or earlier_duplicate(ctx, found) is None

    def explain(self, ctx: FetchContext) -> str:
        try:
            found = find_token(ctx, self.name)
        except VibeusageError as exc:
            return exc.message
        if found is None:
            return self._missing(ctx)
        duplicate = earlier_duplicate(ctx, found) if ctx.config.auth_source == "auto" else None
        if duplicate is not None:
            return f"{found.where} holds the same token as {duplicate} (used there)"
        return f"{found.where}; {OMITTED_RULE}"

    def run(self, ctx: FetchContext) -> FetchResult:
        found = find_token(ctx, self.name)
        if found is None:
            return FetchResult.fail(
                VibeusageError(
                    f"No GitHub token in {self.label}",
                    ErrorCategory.AUTHENTICATION,
                    remediation=self._missing(ctx),
                )
            )
        host = configured_host(ctx)
        made_for = stored_host(ctx) if self.name == STORED else None
        if made_for is not None and made_for != host:
            return FetchResult.fail(
                VibeusageError(
                    f"The stored GitHub token was made for {made_for}, not {host}",
                    ErrorCategory.AUTHENTICATION,
                    remediation=f"Run `vibeusage auth copilot` to log in to {host}.",
                )
            )
        response = get_user(ctx.session, host, found.token, ctx.timeout)
        if response.status_code != 200:
            return FetchResult.fail(http_error(response, found, ctx.now()))
        payload = ctx.http.json(response, "Copilot usage data")
        with decoding(NAME, "Copilot usage data"):
            snapshot = parse_user(payload, ctx.now(), source=self.name)
            notes = tuple(quota_notes(payload))
        return FetchResult.ok(replace(snapshot, notes=notes))

    def _missing(self, ctx: FetchContext) -> str:
        if self.name == STORED:
            return (
                f"no token stored ({stored_token_path(ctx)}); run `vibeusage auth copilot` "
                "or `vibeusage key copilot set`"
            )
        if self.name == GH:
            path = gh_hosts_path(ctx)
            host = configured_host(ctx)
            if path.is_file():
                return (
                    f"{path} has no token for {host} (recent gh versions keep it in the system "
                    "keyring: try `GH_TOKEN=$(gh auth token) vibeusage copilot`)"
                )
            return f"no GitHub CLI login ({path} not found; `gh auth login` makes one)"
        return f"{self.name} is not set"


def http_error(response: Any, found: FoundToken, now: datetime) -> VibeusageError:
    """What an unsuccessful answer means for this token, and what to do about it."""
    status = response.status_code
    if status == 401:
        return VibeusageError(
            f"GitHub rejected the token from {_short_where(found.source)} (HTTP 401): "
            "expired or revoked",
            ErrorCategory.AUTHENTICATION,
            remediation=_login_remediation(found.source),
            status_code=status,
        )
    if status in (403, 404):
        return VibeusageError(
            f"GitHub Copilot is not enabled for this account (HTTP {status})",
            ErrorCategory.AUTHORIZATION,
            remediation=(
                f"Check the account's Copilot plan at {SETTINGS_URL}. The token from "
                f"{_short_where(found.source)} may belong to another account or lack Copilot "
                "access; `vibeusage auth copilot` logs in with one that has it."
            ),
            status_code=status,
        )
    return classify_http_status(
        status, NAME, retry_after=response.headers.get("Retry-After"), now=now
    )


def _short_where(source: str) -> str:
    if source == STORED:
        return "vibeusage's stored login"
    if source == GH:
        return "the GitHub CLI login"
    return source


def _login_remediation(source: str) -> str:
    if source == STORED:
        return LOGIN_HINT
    if source == GH:
        return "Run `gh auth login` to renew the GitHub CLI login, or `vibeusage auth copilot`."
    return f"Put a fresh token in {source}, or run `vibeusage auth copilot`."


# --- the secret a user can store ---------------------------------------------------------


def token_problem(value: str) -> Optional[str]:
    """Why ``value`` does not look like a GitHub token, or None when it does."""
    text = value.strip()
    lowered = text.lower()
    if lowered.startswith(("token ", "bearer ")):
        return "paste only the token, without `token ` or `Bearer `"
    prefix = next((p for p in TOKEN_PREFIXES if text.startswith(p)), None)
    if prefix is None:
        return "a GitHub token starts with " + ", ".join(f"`{p}`" for p in TOKEN_PREFIXES)
    if len(text) < len(prefix) + 20 or any(c.isspace() for c in text):
        return "the value looks truncated or contains spaces"
    return None


def validate_token(session: Any, value: str) -> Optional[str]:
    """One request proving a token reads Copilot usage: None when it does, else why not."""
    try:
        response = get_user(session, DEFAULT_HOST, value.strip())
    except VibeusageError as exc:
        if exc.category is ErrorCategory.NETWORK:
            raise  # unreachable is not the token's fault: a network error naming host and cause
        return f"could not check the token with GitHub ({exc.message})"
    if response.status_code == 401:
        return "GitHub rejected this token"
    if response.status_code in (403, 404):
        return "GitHub Copilot is not enabled for the account of this token"
    if response.status_code != 200:
        return f"GitHub answered HTTP {response.status_code}"
    try:
        with decoding(NAME, "Copilot usage data"):
            parse_user(response.json(), utcnow())
    except VibeusageError:
        return "GitHub answered with something other than Copilot usage data"
    return None
