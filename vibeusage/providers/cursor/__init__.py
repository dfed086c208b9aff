"""Cursor (plan usage and on-demand spend on cursor.com): the manifest, one strategy.

``web``: cursor.com's dashboard endpoints with a session taken, in order, from vibeusage's
store, the Cursor app's ``state.vscdb``, or, when ``browser_cookies = true`` opts in, the
browsers' cookies (Firefox; Chrome, Chromium, Brave and Edge on Linux; Safari on macOS).
"""

from ..manifest import Provider, SecretSpec, StrategyRef

PROVIDER = Provider(
    id="cursor",
    name="Cursor",
    homepage="https://cursor.com",
    dashboard_url="https://cursor.com/dashboard",
    status_url="https://status.cursor.com/api/v2/status.json",
    strategies=(
        StrategyRef(
            "web", "Cursor session (stored, Cursor app or browser cookies)", "cursor.web:CursorWeb"
        ),
    ),
    setup_hint=(
        "Sign in to the Cursor app, or store the `WorkosCursorSessionToken` cookie value with "
        "`vibeusage key cursor set`. Browser cookies (Firefox, Chrome, Chromium, Brave, Edge, "
        "Safari) are read only with `browser_cookies = true` in [providers.cursor]."
    ),
    description="Cursor plan usage and on-demand spend",
    options={"browser_cookies": bool},
    option_defaults={"browser_cookies": False},  # another program's cookie store: opt in
    secret=SecretSpec(
        name="session",
        label=(
            "Cursor session (the value of the `WorkosCursorSessionToken` cookie on cursor.com, "
            "`<userId>%3A%3A<jwt>`)"
        ),
        check="cursor.session:session_value_problem",
        validate="cursor.web:validate_session",
    ),
    login_key="cursor.login_key:cursor_login_key",
    tools=("cursor",),
)
