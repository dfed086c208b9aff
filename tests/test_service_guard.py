"""Guard's fetching configuration: no fresh-cache answers, no delegated refresh, user keys kept."""

from vibeusage.config import Config, FetchConfig, ProviderConfig
from vibeusage.providers import claude, codex
from vibeusage.service.guard import guard_config


def test_guard_config_turns_off_the_fresh_ttl_and_cli_refresh_only():
    user = Config(
        fetch=FetchConfig(timeout=12.0, fresh_ttl=90.0),
        providers={"claude": ProviderConfig(auth_source="oauth", options={"x": 1})},
    )
    derived = guard_config(user, [claude.PROVIDER, codex.PROVIDER])
    assert derived.fetch == FetchConfig(timeout=12.0, fresh_ttl=0.0)
    assert derived.provider("claude") == ProviderConfig(
        auth_source="oauth", options={"x": 1, "cli_refresh": False}
    )
    assert derived.provider("codex").options == {"cli_refresh": False}
    assert user.fetch.fresh_ttl == 90.0 and user.provider("claude").options == {"x": 1}
