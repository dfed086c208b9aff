"""What a refusal from MiniMax means (HTTP status, then ``base_resp``), pure.

MiniMax answers most failures with HTTP 200 and a ``status_code`` that sits in
``base_resp`` at the root, in ``data.base_resp``, or flat at the root. 1004 ("cookie is
missing, log in again") is what a wrong key, a key of the other site, a pay-as-you-go key
and a plan moved to the Token Plan (on the legacy path) all get: a key rejection, the one
failure that moves on to the other path and site. 1002 is a rate limit; 1000/1001 are
transient.
"""

from typing import Any, Optional

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.envelope import business_status
from ...kit.http_errors import DEFAULT_RETRY_AFTER

NAME = "MiniMax"
KEY_CODES = frozenset({1004, 2049})
#: Words of ``status_msg`` that mean the key was refused, whatever the code.
KEY_WORDS = ("invalid api key", "cookie", "log in", "login")
RATE_CODES = frozenset({1002})
TRANSIENT_CODES = frozenset({1000, 1001})
#: Where ``base_resp`` (or its flat fields) may be.
STATUS_PLACES = (("base_resp",), ("data", "base_resp"), ())
HOSTS = {"global": "api.minimax.io", "cn": "api.minimaxi.com"}
PLAN_PAGES = {
    "global": "https://platform.minimax.io/user-center/payment/coding-plan?cycle_type=3",
    "cn": "https://platform.minimaxi.com/user-center/payment/coding-plan?cycle_type=3",
}
PAY_AS_YOU_GO_PREFIX = "sk-api-"
CLOUDFLARE_ADVICE = (
    "Retry later; a VPN or a proxy can trigger the block. vibeusage asks the api.minimax.io "
    "host and does not imitate a browser."
)


def body_error(
    payload: Any,
    where: str = "the API key",
    region: str = "global",
    pay_as_you_go: bool = False,
) -> Optional[VibeusageError]:
    """The error in an answer's ``base_resp``, or None (success, or no verdict at all)."""
    status = business_status(payload, "status_code", "status_msg", STATUS_PLACES)
    if status is None or status.code == 0:
        return None
    code = status.code
    detail = f"status_code {code if code is not None else '?'}" + (
        f": {status.message}" if status.message else ""
    )
    lowered = status.message.lower()
    if code in KEY_CODES or any(word in lowered for word in KEY_WORDS):
        return key_rejected(detail, where, region, pay_as_you_go)
    if code is None:
        return parse_error(NAME, "the answer's status_code could not be read")
    if code in RATE_CODES:
        return VibeusageError(
            f"MiniMax is rate limiting usage reads ({detail})",
            ErrorCategory.RATE_LIMITED,
            remediation="Wait about 5 minutes before retrying.",
            retry_after=DEFAULT_RETRY_AFTER,
        )
    if code in TRANSIENT_CODES:
        return VibeusageError(
            f"MiniMax had a temporary problem ({detail})",
            ErrorCategory.PROVIDER,
            remediation="Retry in a few minutes.",
        )
    return VibeusageError(f"MiniMax answered {detail}", ErrorCategory.PROVIDER)


def key_rejected(
    detail: str,
    where: str,
    region: str,
    pay_as_you_go: bool = False,
    status_code: Optional[int] = None,
) -> VibeusageError:
    """The key was refused; a pay-as-you-go key is named as the likely reason."""
    message = f"MiniMax rejected {where} on {HOSTS.get(region, HOSTS['global'])} ({detail})"
    if pay_as_you_go:
        message += (
            ": this is a pay-as-you-go key; the plan quota needs the Token Plan key "
            "(sk-cp-…) from the Token Plan page"
        )
    page = PLAN_PAGES.get(region, PLAN_PAGES["global"])
    return VibeusageError(
        message,
        ErrorCategory.AUTHENTICATION,
        remediation=(
            f"Copy the Token Plan key (sk-cp-…) from {page}. "
            'If it belongs to the other site, set `region = "cn"` (or `"global"`) in '
            "[providers.minimax]. Store it with `vibeusage key minimax set`, or set "
            "MINIMAX_API_KEY."
        ),
        status_code=status_code,
    )


def no_plan_endpoint(where: str, region: str, status_code: int) -> VibeusageError:
    """Both paths answered 404/405: this host has no plan quota for the key."""
    return VibeusageError(
        f"MiniMax has no Token Plan quota for {where} on {HOSTS.get(region, HOSTS['global'])} "
        f"(HTTP {status_code} on both quota paths)",
        ErrorCategory.NOT_FOUND,
        remediation=(
            "Check that the account has a Token Plan or Coding Plan, and that the key is the "
            "plan key (sk-cp-…) of this site."
        ),
        status_code=status_code,
    )


def is_pay_as_you_go(key: str) -> bool:
    return key.startswith(PAY_AS_YOU_GO_PREFIX)
