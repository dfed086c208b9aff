"""What a refusal from Z.ai means (HTTP status, then the body's ``code``/``msg``), pure.

Z.ai answers most failures with HTTP 200 and ``{"code": N, "msg": "...", "success":
false}``; a few come as a real HTTP 401/403. Codes are from Z.ai's error-code page: key
problems (401, 1000-1004) are the only ones that send the request to the other path or
region; account problems (1110-1121) and an expired plan (1309) are the account's; 1302,
1303 and 1305 are rate limits.
"""

from typing import Any, Optional

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.envelope import code_number, shown_text
from ...kit.http_errors import DEFAULT_RETRY_AFTER

NAME = "Z.ai"
SUCCESS_CODE = 200
KEY_CODES = frozenset({401, 1000, 1001, 1002, 1003, 1004})
ACCOUNT_CODES = frozenset(range(1110, 1122))
PLAN_CODES = frozenset({1309})
RATE_CODES = frozenset({1302, 1303, 1305})

KEYS_URL = "https://z.ai/manage-apikey/apikey-list"
DASHBOARDS = {
    "global": "https://z.ai/manage-apikey/coding-plan/personal/my-plan",
    "cn": "https://bigmodel.cn/coding-plan/personal/usage",
}
SUBSCRIBE = {"global": "https://z.ai/subscribe", "cn": "https://bigmodel.cn/claude-code"}
KEY_ADVICE = (
    f"Check or create the key at {KEYS_URL} (China: the BigModel console at bigmodel.cn). "
    'If it belongs to the other region, set `region = "cn"` (or `"global"`) in '
    "[providers.zai]. Store a key with `vibeusage key zai set`, or set ZAI_API_KEY."
)


def is_success(payload: Any) -> bool:
    """The envelope says success: ``success`` true and ``code`` 200 (an absent one is fine)."""
    if not isinstance(payload, dict):
        return False
    success = payload.get("success", True)
    success_ok = success is True or (isinstance(success, str) and success.lower() == "true")
    code_ok = payload.get("code") is None or code_number(payload.get("code")) == SUCCESS_CODE
    return success_ok and code_ok


def body_error(
    payload: Any, where: str = "the API key", region: str = "global"
) -> Optional[VibeusageError]:
    """The error an answer's body carries, or None when it is a success envelope."""
    if not isinstance(payload, dict):
        return parse_error(NAME, "the answer is not a JSON object")
    if is_success(payload):
        return None
    code = code_number(payload.get("code"))
    if code is None and payload.get("success") is True:
        return parse_error(NAME, "the answer's code could not be read")
    message = shown_text(payload.get("msg"))
    detail = f"code {code if code is not None else '?'}" + (f": {message}" if message else "")
    if code in KEY_CODES:
        return key_rejected(detail, where, region)
    if code in ACCOUNT_CODES:
        return VibeusageError(
            f"Z.ai refused the account of {where} ({detail})",
            ErrorCategory.AUTHORIZATION,
            remediation=(
                "Check the Z.ai account (billing, lock) in the dashboard: "
                f"{DASHBOARDS.get(region, DASHBOARDS['global'])}"
            ),
        )
    if code in PLAN_CODES or "coding plan" in message.lower():
        return no_plan(f"No active GLM Coding Plan on this account ({detail})", region)
    if code in RATE_CODES:
        return VibeusageError(
            f"Z.ai is rate limiting usage reads ({detail})",
            ErrorCategory.RATE_LIMITED,
            remediation="Wait about 5 minutes before retrying.",
            retry_after=DEFAULT_RETRY_AFTER,
        )
    return VibeusageError(f"Z.ai answered {detail}", ErrorCategory.PROVIDER)


def key_rejected(
    detail: str, where: str, region: str, status_code: Optional[int] = None
) -> VibeusageError:
    """The key was refused: the one failure that moves on to the other path and region."""
    host = "open.bigmodel.cn" if region == "cn" else "api.z.ai"
    return VibeusageError(
        f"Z.ai rejected {where} on {host} ({detail})",
        ErrorCategory.AUTHENTICATION,
        remediation=KEY_ADVICE,
        status_code=status_code,
    )


def no_plan(message: str, region: str) -> VibeusageError:
    """The account has no (or no longer a) GLM Coding Plan."""
    first = SUBSCRIBE.get(region, SUBSCRIBE["global"])
    other = SUBSCRIBE["global" if first == SUBSCRIBE["cn"] else "cn"]
    return VibeusageError(
        message,
        ErrorCategory.AUTHORIZATION,
        remediation=f"Subscribe to or renew the GLM Coding Plan at {first} (other site: {other}).",
    )


def no_quota(where: str, region: str) -> VibeusageError:
    """A success envelope without any limit vibeusage knows: a key without a Coding Plan."""
    return no_plan(f"Z.ai accepted {where}, but it has no GLM Coding Plan quota", region)
