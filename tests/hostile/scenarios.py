"""What the hostile scenarios share: logins planted with fake secrets, routes, bounds."""

import json
from typing import Any, Dict, Optional

from tests.conftest import FIXTURES

from .fakes import ALL_FAKES, PATTERN_SHAPED, UNKNOWN_SHAPED
from .net import Action, Request, Route

#: The ``--timeout`` every scenario runs with, and how far past it a command may finish.
TIMEOUT = 2.0
SLACK = 3.0

USAGE_PATH = "/api/oauth/usage"
ACCOUNT_PATH = "/api/oauth/account"


def plant_claude_login(home: Any) -> str:
    """Claude Code's login with an access token no pattern knows; that token."""
    token = UNKNOWN_SHAPED["opaque_access"]
    home.write_claude_credentials(accessToken=token, refreshToken=PATTERN_SHAPED["claude_oauth"])
    return token


def claude_usage() -> bytes:
    return (FIXTURES / "claude" / "oauth-usage-limits.json").read_bytes()


def claude_account() -> bytes:
    return (FIXTURES / "claude" / "oauth-account.json").read_bytes()


def echo(request: Request, status: int = 401) -> Action:
    """An error that repeats everything the request carried, and every fake secret."""
    said = request.raw.decode("latin-1") + " " + " ".join(PATTERN_SHAPED.values())
    return Action.json(
        {"error": {"type": "authentication_error", "message": said}, "error_description": said},
        status=status,
        WWW_Authenticate=f'Bearer error="{PATTERN_SHAPED["claude_oauth"]}"',
    )


def claude_api(usage: Action, account: Optional[Action] = None) -> Route:
    """api.anthropic.com answering usage and account as given, anything else 404."""
    account = account or Action(body=claude_account())

    def route(request: Request) -> Action:
        if request.path.startswith(USAGE_PATH):
            return usage
        if request.path.startswith(ACCOUNT_PATH):
            return account
        return Action(status=404, body=b"{}")

    return route


def ok_usage() -> Action:
    return Action(body=claude_usage(), headers=[("Content-Type", "application/json")])


def statuspage(indicator: str = "none") -> Action:
    return Action.json({"status": {"indicator": indicator, "description": "All good"}})


def everything() -> Dict[str, str]:
    return dict(ALL_FAKES)


def dumps(document: Any) -> bytes:
    return json.dumps(document).encode()
