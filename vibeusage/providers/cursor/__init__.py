"""Cursor (plan usage and on-demand spend on cursor.com): the provider and its one strategy.

``web``: cursor.com's dashboard endpoints with a session taken, in order, from vibeusage's
store, the Cursor app's ``state.vscdb``, or the browsers' cookies (Firefox; Chrome,
Chromium, Brave and Edge on Linux; Safari on macOS).
"""

from ..base import Provider, SecretSpec
from .app import app_session, read_access_token, state_db_path
from .session import (
    COOKIE_NAMES,
    WORKOS_COOKIE,
    Note,
    SessionCookie,
    jwt_claims,
    session_value_problem,
    user_id_from_sub,
)
from .sources import SECRET_NAME, iter_sessions
from .usage import (
    NAME,
    parse_cycle_end,
    parse_identity,
    parse_on_demand,
    parse_usage_summary,
    plan_name,
    usage_percent,
)
from .web import DASHBOARD_URL, ME_URL, SETUP_HINT, USAGE_URL, CursorWeb, validate_session

PROVIDER = Provider(
    id="cursor",
    name=NAME,
    homepage="https://cursor.com",
    dashboard_url=DASHBOARD_URL,
    status_url="https://status.cursor.com/api/v2/status.json",
    strategies=(CursorWeb(),),
    setup_hint=SETUP_HINT,
    description="Cursor plan usage and on-demand spend",
    options={"browser_cookies": bool},
    secret=SecretSpec(
        name=SECRET_NAME,
        label=(
            f"Cursor session (the value of the `{WORKOS_COOKIE}` cookie on cursor.com, "
            "`<userId>%3A%3A<jwt>`)"
        ),
        check=session_value_problem,
        validate=validate_session,
    ),
)

__all__ = [
    "COOKIE_NAMES",
    "ME_URL",
    "NAME",
    "PROVIDER",
    "USAGE_URL",
    "WORKOS_COOKIE",
    "CursorWeb",
    "Note",
    "SessionCookie",
    "app_session",
    "iter_sessions",
    "jwt_claims",
    "parse_cycle_end",
    "parse_identity",
    "parse_on_demand",
    "parse_usage_summary",
    "plan_name",
    "read_access_token",
    "session_value_problem",
    "state_db_path",
    "usage_percent",
    "user_id_from_sub",
    "validate_session",
]
