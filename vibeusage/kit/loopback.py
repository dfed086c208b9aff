"""Requests to a local tool's server on a literal loopback address (a language server, an agent).

Such servers listen on ``127.0.0.1`` with a self-signed certificate and guard themselves with
a token in a header. Certificate verification is switched off for them only: the URL must
name a literal loopback address (never ``localhost`` or another name, which could resolve
elsewhere), so the token cannot leave the machine. Proxies are bypassed (a proxy must not
see the token) and redirects are not followed (they would carry the header elsewhere).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .http import Http

#: The only hosts a request through this module may name.
LOOPBACK_HOSTS = ("127.0.0.1", "::1")
#: ``proxies`` that override HTTPS_PROXY/HTTP_PROXY/ALL_PROXY for one request.
NO_PROXIES = {"http": None, "https": None, "all": None}

_WARNING_FILTERED = False


def loopback_url(scheme: str, host: str, port: int, path: str) -> str:
    """``scheme://host:port/path`` for a loopback host (IPv6 in brackets)."""
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"not a loopback address: {host!r}")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{int(port)}/{path.lstrip('/')}"


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` names a literal loopback address (``127.0.0.1`` or ``[::1]``)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname in LOOPBACK_HOSTS
    except ValueError:
        return False


def loopback_post(http: "Http", url: str, *, what: str, **kwargs: Any) -> Any:
    """``http.post`` to a literal loopback URL, accepting the local server's own certificate.

    Raises ValueError (a bug in the caller) for any other URL: verification stays on there.
    """
    if not is_loopback_url(url):
        raise ValueError("loopback_post needs a literal loopback URL")
    _quiet_loopback_warning()
    # verify=False: the local server's certificate is self-signed, and the address is the
    # machine's own loopback, checked above; nothing else is ever sent without verification.
    kwargs.update(verify=False, proxies=dict(NO_PROXIES), allow_redirects=False)
    return http.post(url, what=what, **kwargs)


def _quiet_loopback_warning() -> None:
    """Silence urllib3's unverified-HTTPS warning for the loopback hosts only (once)."""
    global _WARNING_FILTERED
    if _WARNING_FILTERED:
        return
    import warnings

    from urllib3.exceptions import InsecureRequestWarning

    warnings.filterwarnings(
        "ignore",
        message=r"Unverified HTTPS request is being made to host '(127\.0\.0\.1|::1)'",
        category=InsecureRequestWarning,
    )
    _WARNING_FILTERED = True


__all__ = ["LOOPBACK_HOSTS", "NO_PROXIES", "is_loopback_url", "loopback_post", "loopback_url"]
