"""Factory (the Droid coding agent): the manifest.

``api_key`` (a Factory API key from ``FACTORY_API_KEY``, vibeusage's store or
``~/.factory/.env``) -> ``droid`` (the Droid CLI's encrypted login, read only). Both ask the
organisation's own host (US or EU, from whoami) for the token rate limits.
"""

from ..manifest import Provider, SecretSpec, StrategyRef

PROVIDER = Provider(
    id="factory",
    name="Factory",
    homepage="https://factory.ai",
    dashboard_url="https://app.factory.ai/settings/usage",
    status_url="https://status.factory.ai/api/v2/status.json",
    strategies=(
        StrategyRef("api_key", "Factory API key", "factory.api_key:FactoryApiKey"),
        StrategyRef("droid", "Droid CLI login", "factory.droid:FactoryDroid"),
    ),
    setup_hint=(
        "Create an API key at https://app.factory.ai/settings/api-keys and set FACTORY_API_KEY "
        "(or `vibeusage key factory set`), or log in with `droid`."
    ),
    description="Factory Droid token rate limits (5-hour, weekly, monthly) and extra usage",
    secret=SecretSpec(
        name="api_key",
        label="Factory API key (fk-..., from https://app.factory.ai/settings/api-keys)",
        check="factory.keys:key_problem",
        validate="factory.keys:validate_key",
    ),
    login_key="factory.login_key:factory_login_key",
    env_vars=("FACTORY_API_KEY", "FACTORY_HOME_OVERRIDE"),
    # Keyring lookups of the Droid login's AES key (Linux Secret Service, macOS Keychain).
    tools=("secret-tool", "security"),
    token_patterns=(r"fk-[A-Za-z0-9_\-]{20,}",),
)
