"""The session factory: default timeouts, User-Agent, safe retries only, proxies from env."""

import threading

import pytest
import requests
import responses

from vibeusage import __version__
from vibeusage.http import SessionPool, make_session

URL = "https://api.example.test/usage"


@responses.activate
def test_every_request_gets_a_default_timeout_and_user_agent():
    responses.get(URL, json={})
    make_session(7.0).get(URL)
    call = responses.calls[0]
    assert call.request.req_kwargs["timeout"] == (7.0, 7.0)
    assert call.request.headers["User-Agent"] == f"vibeusage/{__version__}"


@responses.activate
def test_connect_timeout_is_capped_at_ten_seconds():
    responses.get(URL, json={})
    make_session(30.0).get(URL)
    assert responses.calls[0].request.req_kwargs["timeout"] == (10.0, 30.0)


@responses.activate
def test_explicit_timeout_wins():
    responses.get(URL, json={})
    make_session(30.0).get(URL, timeout=(1, 2))
    assert responses.calls[0].request.req_kwargs["timeout"] == (1, 2)


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_get_is_retried_once_on_503():
    responses.get(URL, status=503)
    responses.get(URL, json={"ok": True})
    response = make_session(5.0).get(URL)
    assert response.status_code == 200
    assert len(responses.calls) == 2


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_post_is_never_retried():
    responses.post(URL, status=503)
    responses.post(URL, json={"ok": True})
    response = make_session(5.0).post(URL)
    assert response.status_code == 503
    assert len(responses.calls) == 1


@responses.activate
def test_429_is_not_retried_here():
    responses.get(URL, status=429, headers={"Retry-After": "1"})
    assert make_session(5.0).get(URL).status_code == 429
    assert len(responses.calls) == 1


def test_proxies_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal.test:3128")
    monkeypatch.setenv("NO_PROXY", "")
    session = make_session(5.0)
    assert session.trust_env is True
    settings = session.merge_environment_settings(URL, {}, None, None, None)
    assert settings["proxies"]["https"] == "http://proxy.internal.test:3128"


def test_redirects_are_limited():
    assert make_session(5.0).max_redirects == 5


def test_session_pool_gives_one_session_per_thread_and_discard_replaces_it():
    pool = SessionPool(5.0)
    first = pool.get()
    assert pool.get() is first
    seen = []
    thread = threading.Thread(target=lambda: seen.append(pool.get()))
    thread.start()
    thread.join()
    assert seen[0] is not first
    pool.discard()
    assert pool.get() is not first


@responses.activate
def test_connection_errors_surface_as_requests_exceptions():
    responses.get(URL, body=requests.ConnectionError("refused"))
    with pytest.raises(requests.ConnectionError):
        make_session(5.0).get(URL)


@responses.activate
def test_oversized_body_is_refused_and_classified_as_a_provider_error():
    from vibeusage.errors import ErrorCategory
    from vibeusage.http import MAX_BODY_BYTES, ResponseTooLarge
    from vibeusage.kit.http_errors import classify_exception

    responses.get(URL, body=b"x" * (MAX_BODY_BYTES + 1))
    with pytest.raises(ResponseTooLarge) as info:
        make_session(5.0).get(URL)
    assert classify_exception(info.value, "Claude").category is ErrorCategory.PROVIDER


@responses.activate
def test_body_at_the_cap_is_read_whole():
    from vibeusage.http import MAX_BODY_BYTES

    responses.get(URL, body=b"y" * MAX_BODY_BYTES)
    response = make_session(5.0).get(URL)
    assert len(response.content) == MAX_BODY_BYTES
    assert response.text[:3] == "yyy"


@responses.activate
def test_json_still_decodes_after_the_capped_read():
    responses.get(URL, json={"five_hour": {"utilization": 3}})
    assert make_session(5.0).get(URL).json() == {"five_hour": {"utilization": 3}}
