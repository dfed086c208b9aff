"""kit.loopback: certificate checks are off only for literal loopback URLs, proxies bypassed."""

import warnings
from typing import Any

import pytest
import requests

from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.http import make_session
from vibeusage.kit.http import Http
from vibeusage.kit.loopback import is_loopback_url, loopback_post, loopback_url


def http() -> Http:
    return Http(make_session(5.0), "Tool", 5.0)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://127.0.0.1:4000/x", True),
        ("http://127.0.0.1/x", True),
        ("https://[::1]:4000/x", True),
        ("https://localhost:4000/x", False),
        ("https://127.0.0.2:4000/x", False),
        ("https://127.0.0.1.example.com/x", False),
        ("https://example.com/127.0.0.1", False),
        ("https://user@example.com:80@127.0.0.1/", True),  # urllib's reading: host 127.0.0.1
        ("https://[::1/x", False),
        ("not a url", False),
    ],
)
def test_only_literal_loopback_addresses_count(url: str, expected: bool) -> None:
    assert is_loopback_url(url) is expected


def test_urls_are_built_with_the_literal_address() -> None:
    assert loopback_url("https", "127.0.0.1", 38379, "/a/B") == "https://127.0.0.1:38379/a/B"
    assert loopback_url("http", "::1", 8080, "a") == "http://[::1]:8080/a"
    with pytest.raises(ValueError):
        loopback_url("https", "localhost", 80, "a")


@pytest.mark.parametrize(
    "url", ["https://localhost:4000/x", "https://example.com/x", "https://10.0.0.1:4000/x"]
)
def test_any_other_host_is_refused_before_a_request(url: str, mocked: Any) -> None:
    with pytest.raises(ValueError):
        loopback_post(http(), url, what="x", json={})
    assert len(mocked.calls) == 0


def test_a_loopback_post_skips_verification_proxies_and_redirects(
    mocked: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    mocked.post("https://127.0.0.1:4000/x", json={"ok": True})
    response = loopback_post(http(), "https://127.0.0.1:4000/x", what="x", json={})
    assert response.json() == {"ok": True}
    kwargs = mocked.calls[0].request.req_kwargs
    assert kwargs["verify"] is False
    assert not any(kwargs["proxies"].values())


def test_a_redirect_from_the_local_server_is_not_followed(mocked: Any) -> None:
    mocked.post(
        "https://127.0.0.1:4000/x", status=302, headers={"Location": "https://example.com/steal"}
    )
    with pytest.raises(VibeusageError):
        loopback_post(http(), "https://127.0.0.1:4000/x", what="x", json={})
    assert [call.request.url for call in mocked.calls] == ["https://127.0.0.1:4000/x"]


def test_other_requests_keep_verification_on(mocked: Any) -> None:
    mocked.post("https://example.com/x", json={})
    http().post("https://example.com/x", what="x", json={})
    assert mocked.calls[0].request.req_kwargs["verify"] not in (False, None)


def test_the_unverified_warning_is_silenced_for_loopback_hosts_only() -> None:
    from urllib3.exceptions import InsecureRequestWarning

    from vibeusage.kit import loopback

    loopback._quiet_loopback_warning()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        loopback._quiet_loopback_warning.__globals__["_WARNING_FILTERED"] = False
        loopback._quiet_loopback_warning()
        for host in ("127.0.0.1", "::1", "example.com"):
            warnings.warn(
                f"Unverified HTTPS request is being made to host '{host}'. Adding ...",
                InsecureRequestWarning,
                stacklevel=1,
            )
    assert [str(w.message).split("'")[1] for w in caught] == ["example.com"]


def test_a_refused_connection_is_the_kits_network_error(mocked: Any) -> None:
    mocked.post("https://127.0.0.1:4000/x", body=requests.ConnectionError("refused"))
    with pytest.raises(VibeusageError) as raised:
        loopback_post(http(), "https://127.0.0.1:4000/x", what="x", json={})
    assert raised.value.category is ErrorCategory.NETWORK
