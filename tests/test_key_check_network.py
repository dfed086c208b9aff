"""A key check that cannot reach the provider is a network error (exit 3) naming the host and
the cause, for every provider whose key ``auth`` checks with one request, never "copy a fresh
key" (exit 2); the value is not stored."""

import json
import re

import pytest
import requests
import responses

from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.http import make_session
from vibeusage.providers import all_providers

COPILOT_TOKEN = "ghu_" + "A1b2C3d4E5" * 4
#: provider -> a value of the right shape (``--force`` skips the format check anyway).
VALUES = {
    "cursor": "user_01ABCDEFGHJKMNPQRSTVWXYZ0%3A%3A" + "eyJhbGciOi" * 5,
    "factory": "fk-" + "Ab3dEf6hIj" * 4,
    "zai": "0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp",
    "minimax": "sk-cp-" + "AbCdEfGhIj" * 6,
    "augment": json.dumps(
        {"accessToken": "a" * 64, "tenantURL": "https://d1.api.augmentcode.com/", "scopes": []}
    ),
}


def _unreachable(mocked):
    for method in (responses.GET, responses.POST):
        mocked.add(method, re.compile(r"https?://.*"), body=requests.ConnectionError("refused"))


@pytest.mark.parametrize("provider", sorted(VALUES))
def test_an_unreachable_key_check_is_a_network_error_and_nothing_is_stored(cli, home, provider):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        _unreachable(mocked)
        result = cli("auth", provider, "--force", stdin=VALUES[provider])
    assert result.code == 3, (provider, result.err)
    assert "Could not connect to" in result.err, result.err
    assert "fresh" not in result.err
    assert "was not stored" not in result.err
    assert not (home.config_dir / "credentials" / provider).exists()


def test_every_key_check_raises_a_network_error_when_the_provider_is_unreachable(home):
    """Copilot's check included (``auth copilot`` logs in with a device code instead)."""
    values = dict(VALUES, copilot=COPILOT_TOKEN, claude="sk-ant-sid01-" + "Qx7Vb2Lm9Tz4" * 5)
    checked = []
    for provider in all_providers():
        spec = provider.secret
        if spec is None or spec.validate is None:
            continue
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
            _unreachable(mocked)
            with pytest.raises(VibeusageError) as caught:
                spec.validate(make_session(5.0), values[provider.id])
        assert caught.value.category is ErrorCategory.NETWORK, (provider.id, caught.value)
        assert "Could not connect to" in caught.value.message, caught.value.message
        checked.append(provider.id)
    assert {"copilot", "cursor", "claude"} <= set(checked)
