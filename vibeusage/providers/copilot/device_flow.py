"""``vibeusage auth copilot``: GitHub's device flow with the editors' Copilot client.

Ask for a code, show the page and the code, poll at the interval GitHub asks for (five
seconds more after each ``slow_down``) until the person authorises, denies, or the code
expires. The token is stored as vibeusage's own (0600, atomic). All waiting goes through
``LoginIO.sleep``/``clock`` so tests never wait; Ctrl-C is left to the CLI (exit 130).
"""

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

from ...credentials import CredentialStore
from ...errors import ErrorCategory, VibeusageError, mask_secret, parse_error
from ...kit.http import Http, decoding, json_body, json_or_none
from ...kit.http_errors import classify_http_status
from ...kit.values import MaskedRepr
from ..base import FetchContext, LoginIO
from .api import get_user
from .tokens import PROVIDER_ID, TOKEN_NAME, configured_host
from .usage import NAME, parse_identity

CLIENT_ID = "Iv1.b507a08c87ecfe98"
SCOPE = "read:user"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5.0
#: RFC 8628: after ``slow_down`` the interval grows by five seconds, for good.
SLOW_DOWN_STEP = 5.0
DEFAULT_EXPIRES_IN = 900.0
#: No sane server asks for more; a bigger value would leave the person waiting for nothing.
MAX_INTERVAL = 120.0
RETRY_HINT = "Run `vibeusage auth copilot` again"
NON_INTERACTIVE_HINT = (
    "Without a terminal: set COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN to a GitHub token "
    "with Copilot access, log in with `gh auth login`, or store a token with "
    "`vibeusage key copilot set`."
)
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


@dataclass(frozen=True)
class DeviceCode:
    """GitHub's answer to the device-code request."""

    device_code: str
    user_code: str
    verification_uri: str
    expires_in: float
    interval: float


@dataclass(frozen=True, repr=False)
class DeviceToken(MaskedRepr):
    SECRET_FIELDS = ("access_token",)
    access_token: str
    token_type: Optional[str]
    scope: Optional[str]


def device_code_url(host: str) -> str:
    return f"https://{host}/login/device/code"


def access_token_url(host: str) -> str:
    return f"https://{host}/login/oauth/access_token"


def login(ctx: FetchContext, io: LoginIO) -> str:
    """Run the device flow, store the token, and say who is now connected."""
    if not io.interactive:
        raise VibeusageError(
            "`vibeusage auth copilot` needs a person at a terminal to enter a code on GitHub",
            ErrorCategory.AUTHENTICATION,
            remediation=NON_INTERACTIVE_HINT,
        )
    session = ctx.session
    if session is None:
        from ...http import make_session

        session = make_session(ctx.timeout)
    host = configured_host(ctx)
    code = request_device_code(session, host)
    io.notify(
        f"To connect GitHub Copilot, open {code.verification_uri} and enter the code: "
        f"{code.user_code}"
    )
    if io.open_url(code.verification_uri):
        io.notify("(The page was opened in your browser.)")
    minutes = max(1, int(code.expires_in // 60))
    io.notify(f"Waiting for the authorisation (the code expires in {minutes} min; Ctrl-C stops)")
    token = poll_for_token(session, host, code, io)
    path = CredentialStore(ctx.paths).write(
        PROVIDER_ID,
        TOKEN_NAME,
        token.access_token,
        token_type=token.token_type,
        scope=token.scope,
        host=host,
    )
    who = _who(session, host, token.access_token, ctx.timeout)
    return f"Logged in to GitHub{who}; token {mask_secret(token.access_token)} stored in {path}."


def request_device_code(session: Any, host: str) -> DeviceCode:
    response = _post(session, device_code_url(host), {"client_id": CLIENT_ID, "scope": SCOPE})
    if response.status_code != 200:
        raise _refused(response.status_code)
    return parse_device_code(json_body(response, NAME, "a device code"))


def poll_for_token(session: Any, host: str, code: DeviceCode, io: LoginIO) -> DeviceToken:
    """Poll until GitHub hands out the token; raise when it is denied or the code expires."""
    interval = code.interval
    deadline = io.clock() + code.expires_in
    form = {"client_id": CLIENT_ID, "device_code": code.device_code, "grant_type": GRANT_TYPE}
    while True:
        if io.clock() + interval > deadline:
            raise _expired(code)
        io.sleep(interval)
        response = _post(session, access_token_url(host), form)
        body = json_or_none(response)
        if not isinstance(body, dict):
            if response.status_code != 200:
                raise _refused(response.status_code)
            raise parse_error(NAME, "the token answer is not an object")
        token = parse_device_token(body)
        if token is not None:
            return token
        error = body.get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            asked = _seconds(body.get("interval"))
            interval = min(MAX_INTERVAL, max(interval + SLOW_DOWN_STEP, asked or 0.0))
            continue
        if error == "expired_token":
            raise _expired(code)
        if error == "access_denied":
            raise VibeusageError(
                "The GitHub login was denied",
                ErrorCategory.AUTHENTICATION,
                remediation=f"{RETRY_HINT} and choose Authorize on the GitHub page.",
            )
        shown = error if isinstance(error, str) and _ERROR_CODE.match(error) else "no token"
        raise VibeusageError(
            f"GitHub refused the device login ({shown})",
            ErrorCategory.AUTHENTICATION,
            remediation=f"{RETRY_HINT}.",
        )


# --- parsers (pure) ----------------------------------------------------------------------


def parse_device_code(payload: Any) -> DeviceCode:
    """``{device_code, user_code, verification_uri, expires_in, interval}`` -> DeviceCode."""
    if not isinstance(payload, dict):
        raise parse_error(NAME, "the device code answer is not an object")
    fields = {key: payload.get(key) for key in ("device_code", "user_code", "verification_uri")}
    if not all(isinstance(value, str) and value.strip() for value in fields.values()):
        raise parse_error(NAME, "the device code answer lacks the code or the page to enter it")
    uri = str(fields["verification_uri"]).strip()
    if not uri.startswith("https://"):
        raise parse_error(NAME, "the device code answer has no https verification page")
    interval = _seconds(payload.get("interval")) or DEFAULT_INTERVAL
    return DeviceCode(
        device_code=str(fields["device_code"]).strip(),
        user_code=str(fields["user_code"]).strip(),
        verification_uri=uri,
        expires_in=_seconds(payload.get("expires_in")) or DEFAULT_EXPIRES_IN,
        interval=min(MAX_INTERVAL, max(1.0, interval)),
    )


def parse_device_token(payload: Dict[str, Any]) -> Optional[DeviceToken]:
    """The token of a successful answer, or None while there is none."""
    token = payload.get("access_token")
    if not isinstance(token, str) or not token.strip():
        return None
    token_type, scope = payload.get("token_type"), payload.get("scope")
    return DeviceToken(
        access_token=token.strip(),
        token_type=token_type if isinstance(token_type, str) else None,
        scope=scope if isinstance(scope, str) else None,
    )


# --- helpers -----------------------------------------------------------------------------


def _post(session: Any, url: str, form: Dict[str, str]) -> Any:
    """One form POST of the device flow; every status is the caller's to read."""
    return Http(session, "GitHub", detached=True).post(
        url,
        what="the device login",
        data=form,
        headers={"Accept": "application/json"},
        ok=range(100, 600),
    )


def _seconds(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and 0 < number < 86400 else None


def _refused(status: int) -> VibeusageError:
    """An HTTP failure of the device login (rate limits and outages keep their category)."""
    if status == 429 or status >= 500:
        return classify_http_status(status, "GitHub")
    return VibeusageError(
        f"GitHub refused the device login request (HTTP {status})",
        ErrorCategory.AUTHENTICATION,
        remediation=(
            "Check `host` under [providers.copilot] (GitHub Enterprise must allow the device "
            "flow). " + NON_INTERACTIVE_HINT.replace("Without a terminal: ", "Or: ")
        ),
        status_code=status,
    )


def _expired(code: DeviceCode) -> VibeusageError:
    minutes = max(1, int(code.expires_in // 60))
    return VibeusageError(
        "The GitHub login code expired before it was entered",
        ErrorCategory.AUTHENTICATION,
        remediation=f"{RETRY_HINT} and enter the code within {minutes} minutes.",
    )


def _who(session: Any, host: str, token: str, timeout: float) -> str:
    """`` as <login> (Copilot <plan>)`` when the new token reads Copilot; a warning when the
    account has no Copilot; nothing when the check itself fails."""
    from ...background import Background

    try:
        # Detached: this courtesy check runs on the main thread, where a name that never
        # resolves would otherwise hold the command after the login already succeeded.
        check = Background(lambda: get_user(session, host, token, timeout), "vibeusage-who")
        response = check.result(timeout + 1.0)
        if response.status_code in (403, 404):
            return " (but GitHub says Copilot is not enabled for this account)"
        if response.status_code != 200:
            return ""
        with decoding(NAME, "the account"):
            identity = parse_identity(response.json())
    except (VibeusageError, TimeoutError):  # the login worked; this check is only a courtesy
        return ""
    if identity is None:
        return ""
    who = identity.login or identity.email
    text = f" as {who}" if who else ""
    return text + (f" (Copilot {identity.plan})" if identity.plan else "")
