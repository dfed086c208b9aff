"""Factory's ``droid`` strategy: the Droid CLI's own login (read only) against the billing limits.

The access token is a WorkOS JWT used only while it has more than a minute left. WorkOS
rotates the refresh token on every exchange, so renewing droid's login from here would log
droid out: an expired login is reported (run ``droid`` once), and no request is made.
"""

from datetime import timedelta

from ...errors import ErrorCategory, VibeusageError
from ..base import FetchContext, FetchResult, Strategy
from .api import Credential, fetch_usage
from .droid_store import existing_stores, factory_dir, read_droid_login

#: Droid's own margin before a token's expiry.
EXPIRY_SKEW = timedelta(seconds=60)


class FactoryDroid(Strategy):
    """The login the Droid CLI keeps in ``~/.factory/auth.v2.*``."""

    name = "droid"
    label = "Droid CLI login"

    def available(self, ctx: FetchContext) -> bool:
        return bool(existing_stores(ctx))

    def explain(self, ctx: FetchContext) -> str:
        stores = existing_stores(ctx)
        if not stores:
            return f"{self.label}: no auth.v2.* store in {factory_dir(ctx)}"
        return f"{self.label}: {', '.join(path.name for path, _ in stores)} in {factory_dir(ctx)}"

    def run(self, ctx: FetchContext) -> FetchResult:
        login = read_droid_login(ctx)
        if login.expires_at is not None and login.expires_at <= ctx.now() + EXPIRY_SKEW:
            raise VibeusageError(
                "Droid's login has expired",
                ErrorCategory.AUTHENTICATION,
                remediation=(
                    "Run `droid` once to renew it (vibeusage does not refresh Droid's login), "
                    "or set FACTORY_API_KEY."
                ),
            )
        credential = Credential(
            login.access_token,
            "droid",
            login.path.name,
            org_id=login.org_id,
            whoami=login.whoami,
            user_id=login.user_id,
        )
        return FetchResult.ok(fetch_usage(ctx, credential, self.name))
