"""Augment (Augment Code and its ``auggie`` CLI): the manifest.

``oauth`` (auggie's session, read only, asked for the tenant's billing summary) -> ``cli``
(``auggie account status --json``, run in a private cache dir and home so that it can never
delete the user's ``~/.augment/session.json``).
"""

from ..manifest import Provider, SecretSpec, StrategyRef

PROVIDER = Provider(
    id="augment",
    name="Augment",
    homepage="https://www.augmentcode.com",
    dashboard_url="https://app.augmentcode.com/account/subscription",
    status_url="https://status.augmentcode.com/api/v2/status.json",
    strategies=(
        StrategyRef("oauth", "auggie login (session)", "augment.oauth:AugmentOAuth"),
        StrategyRef("cli", "auggie CLI (account status)", "augment.cli:AugmentCli"),
    ),
    setup_hint=(
        "Run `auggie login` (or set AUGMENT_SESSION_AUTH, or `vibeusage key augment set` with "
        "the output of `auggie token print`)."
    ),
    description="Augment Code (auggie) monthly credits and balance",
    secret=SecretSpec(
        name="session",
        label=(
            'Augment session JSON (`{"accessToken": …, "tenantURL": …}`, what `auggie token '
            "print` shows after SESSION=)"
        ),
        check="augment.session:session_problem",
        validate="augment.session:validate_session",
    ),
    login_key="augment.login_key:augment_login_key",
    env_vars=("AUGMENT_SESSION_AUTH", "AUGGIE_CLI_PATH"),
    tools=("auggie",),
)
