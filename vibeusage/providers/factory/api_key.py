"""Factory's ``api_key`` strategy: a Factory API key (``fk-…``) against the billing limits.

Keys are static (no refresh); where one comes from is in ``keys.py``.
"""

from ...errors import ErrorCategory, VibeusageError
from ..base import FetchContext, FetchResult, Strategy
from .api import Credential, fetch_usage
from .keys import ENV_VAR, find_key, has_key


class FactoryApiKey(Strategy):
    """``FACTORY_API_KEY``, the stored key or ``~/.factory/.env``, first one found."""

    name = "api_key"
    label = "Factory API key"

    def available(self, ctx: FetchContext) -> bool:
        return has_key(ctx)

    def explain(self, ctx: FetchContext) -> str:
        try:
            key = find_key(ctx)
        except VibeusageError as exc:
            return f"{self.label}: {exc.message}"
        if key is None:
            return f"{self.label}: none in {ENV_VAR}, the stored key or ~/.factory/.env"
        return f"{self.label}: from {key.source}"

    def run(self, ctx: FetchContext) -> FetchResult:
        key = find_key(ctx)
        if key is None:
            raise VibeusageError(
                "No Factory API key found",
                ErrorCategory.AUTHENTICATION,
                remediation=f"Set {ENV_VAR} or run `vibeusage key factory set`.",
            )
        credential = Credential(key.value, "api_key", key.source)
        return FetchResult.ok(fetch_usage(ctx, credential, self.name))
