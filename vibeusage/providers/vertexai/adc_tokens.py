"""Access tokens for an ADC file, made by vibeusage and kept only in its own cache.

``authorized_user``: one ``refresh_token`` grant (Google's refresh tokens do not rotate,
so gcloud stays logged in; the ADC file is never written). ``service_account``: an RS256
assertion signed here with the standard library, traded at the key's ``token_uri`` (only
a Google host). The token is cached in ``<cache>/providers/vertexai/token.json`` (0600),
tagged with a fingerprint of the login, and reused while more than a minute remains.
"""

from typing import Optional, Union

from ...errors import ErrorCategory, VibeusageError
from ...kit.google_auth import (
    GoogleToken,
    GoogleTokenCache,
    exchange_assertion,
    is_google_token_uri,
    refresh_user_token,
    service_account_assertion,
)
from ...kit.rsa_pkcs8 import KeyFormatError, load_pkcs8_pem
from ...kit.values import fingerprint
from ..base import FetchContext
from .credentials import LOGIN_HINT, AuthorizedUser, ServiceAccount
from .monitoring import TokenSource

SCOPE = "https://www.googleapis.com/auth/monitoring.read"


def login_fingerprint(adc: Union[AuthorizedUser, ServiceAccount]) -> str:
    """Ties a cached token to its login: the refresh token, or the key's account and id."""
    if isinstance(adc, AuthorizedUser):
        return fingerprint(adc.refresh_token)
    return fingerprint(f"{adc.client_email}\n{adc.private_key_id or adc.private_key}")


class AdcTokens(TokenSource):
    """The cached token while it lasts, else a new one (and a new one once after a 401)."""

    def __init__(self, ctx: FetchContext, adc: Union[AuthorizedUser, ServiceAccount]) -> None:
        self.ctx = ctx
        self.adc = adc
        self.cache = GoogleTokenCache(ctx.state.json_cache("token"))
        self.login = login_fingerprint(adc)
        self.current: Optional[GoogleToken] = None
        self.from_cache = False

    @property
    def email(self) -> Optional[str]:
        """Who the token is for: the key's account, or the id token's email of a user login."""
        if isinstance(self.adc, ServiceAccount):
            return self.adc.client_email
        return (self.current.email if self.current else None) or self.adc.account

    def token(self) -> str:
        try:
            cached = self.cache.load(self.login, self.ctx.now())
        except (OSError, ValueError):  # an unreadable cache costs a token request, no more
            cached = None
        if cached is not None:
            self.current, self.from_cache = cached, True
            return cached.value
        return self._fresh().value

    def renew(self) -> Optional[str]:
        """After a 401: a cached token is forgotten and replaced; a fresh one is not retried."""
        if not self.from_cache:
            self.cache.forget()
            return None
        return self._fresh().value

    def rejected_hint(self) -> str:
        if isinstance(self.adc, ServiceAccount):
            return self.adc.new_key_hint()
        return LOGIN_HINT

    def _fresh(self) -> GoogleToken:
        self.cache.forget()
        self.from_cache = False
        now = self.ctx.now()
        if isinstance(self.adc, AuthorizedUser):
            token = refresh_user_token(
                self.ctx.http,
                client_id=self.adc.client_id,
                client_secret=self.adc.client_secret,
                refresh_token=self.adc.refresh_token,
                now=now,
                login="the gcloud application-default login",
                remediation=LOGIN_HINT,
            )
        else:
            token = self._service_account_token(self.adc)
        try:
            self.cache.save(self.login, token, now)
        except OSError:
            pass  # a read-only cache costs a token request next run, nothing more
        self.current = token
        return token

    def _service_account_token(self, key: ServiceAccount) -> GoogleToken:
        if not is_google_token_uri(key.token_uri, key.universe_domain):
            raise VibeusageError(
                f"The service-account key of {key.client_email} names a token_uri that is not "
                "a Google token endpoint; the signed assertion is not sent there",
                ErrorCategory.AUTHENTICATION,
                remediation=key.new_key_hint(),
            )
        try:
            private_key = load_pkcs8_pem(key.private_key)
        except KeyFormatError as exc:
            raise VibeusageError(
                f"The private key of {key.client_email} cannot be used: {exc}",
                ErrorCategory.AUTHENTICATION,
                remediation=key.new_key_hint(),
            ) from exc
        now = self.ctx.now()
        assertion = service_account_assertion(
            client_email=key.client_email,
            key=private_key,
            kid=key.private_key_id,
            token_uri=key.token_uri,
            scope=SCOPE,
            now=now,
        )
        return exchange_assertion(
            self.ctx.http,
            token_uri=key.token_uri,
            assertion=assertion,
            now=now,
            login=f"the service-account key of {key.client_email}",
            remediation=key.new_key_hint(),
        )
