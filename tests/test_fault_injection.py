"""Bad answers: every provider's usage request faulted every way a server or network can fail.

Each provider runs through the CLI (``vibeusage <id> --json --refresh``) restricted to its
primary HTTP strategy, with ``responses`` answering the first request with the fault. The
contract (DESIGN.md §8/§9): the documented category and exit code, no traceback, no secret
printed or cached, and the other providers unaffected.
"""

import io
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, Callable, Dict, List, Tuple

import pytest
import requests

from tests import faults
from tests.conftest import CliResult, Home, load_fixture
from tests.faults import PROVIDER_IDS, SETUPS, Endpoint
from vibeusage.cache import ANY_LOGIN, FailureGate
from vibeusage.cli import Terminal, run
from vibeusage.http import MAX_BODY_BYTES

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    "<body><h1>Checking your browser</h1></body></html>"
)
#: One byte over the cap, as a JSON document (so only the size can make it fail).
OVERSIZED = b'{"padding": "' + b"x" * (MAX_BODY_BYTES - 14) + b'"}'
#: Bytes that are not UTF-8 (nor any JSON encoding): a PNG header and junk.
NON_UTF8 = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd\xc3\x28\xa0\xa1\xe2\x28\xa1"


@dataclass(frozen=True)
class Fault:
    name: str
    #: Keyword arguments for ``responses.add`` (built per test: exceptions are single-use).
    answer: Callable[[], Dict[str, Any]]
    category: str
    code: int


def _status(status: int, **headers: str) -> Callable[[], Dict[str, Any]]:
    def build() -> Dict[str, Any]:
        return {
            "status": status,
            "json": {"error": {"code": status, "message": "fault injected"}},
            "headers": dict(headers),
        }

    return build


def _retry_after_date() -> Callable[[], Dict[str, Any]]:
    def build() -> Dict[str, Any]:
        when = datetime.now(timezone.utc) + timedelta(minutes=10)
        return {
            "status": 429,
            "json": {"error": "rate_limited"},
            "headers": {"Retry-After": format_datetime(when, usegmt=True)},
        }

    return build


def _raise(factory: Callable[[], BaseException]) -> Callable[[], Dict[str, Any]]:
    return lambda: {"body": factory()}


def _body(body: Any, content_type: str = "application/json") -> Callable[[], Dict[str, Any]]:
    return lambda: {"status": 200, "body": body, "content_type": content_type}


FAULTS = [
    Fault("401", _status(401), "authentication", 2),
    Fault("403", _status(403), "authorization", 2),
    Fault("404", _status(404), "not_found", 1),
    Fault("429-retry-after-seconds", _status(429, **{"Retry-After": "120"}), "rate_limited", 3),
    Fault("429-retry-after-date", _retry_after_date(), "rate_limited", 3),
    Fault("429-no-retry-after", _status(429), "rate_limited", 3),
    Fault("500", _status(500), "provider", 1),
    Fault("502", _status(502), "provider", 1),
    Fault(
        "503-html",
        lambda: {"status": 503, "body": HTML_PAGE, "content_type": "text/html"},
        "provider",
        1,
    ),
    Fault(
        "connection-refused",
        _raise(lambda: requests.ConnectionError("[Errno 111] Connection refused")),
        "network",
        3,
    ),
    Fault("connect-timeout", _raise(lambda: requests.ConnectTimeout("timed out")), "network", 3),
    Fault("read-timeout", _raise(lambda: requests.ReadTimeout("read timed out")), "network", 3),
    Fault(
        "tls-error",
        _raise(lambda: requests.exceptions.SSLError("certificate verify failed")),
        "network",
        3,
    ),
    Fault(
        "malformed-json", _body('{"rate_limit": {"primary_window": {"used_percent": 4'), "parse", 1
    ),
    Fault("html-page", _body(HTML_PAGE, "text/html; charset=utf-8"), "parse", 1),
    Fault("empty-body", _body(""), "parse", 1),
    Fault("json-null", _body("null"), "parse", 1),
    Fault("json-list", _body('[{"utilization": "12"}, null]'), "parse", 1),
    Fault("json-string", _body('"12"'), "parse", 1),
    Fault("json-number", _body("12.5"), "parse", 1),
    Fault("oversized-body", _body(OVERSIZED), "provider", 1),
    Fault("non-utf8-bytes", _body(NON_UTF8), "parse", 1),
]
FAULT_IDS = [f.name for f in FAULTS]
FAULTS_BY_NAME = {f.name: f for f in FAULTS}

#: Where a provider documents another meaning for a status (read from its code):
OVERRIDES: Dict[Tuple[str, str], Tuple[str, int]] = {
    # Copilot (api.py): "403/404 mean the account has no Copilot" -> authorization,
    # "GitHub Copilot is not enabled for this account".
    ("copilot", "403"): ("authorization", 2),
    ("copilot", "404"): ("authorization", 2),
    # Cursor (web.py): a 401 or 403 means that session candidate was rejected; the next one
    # is tried and, when none is left, the error is "Cursor session expired" (authentication).
    ("cursor", "403"): ("authentication", 2),
    # Z.ai (refusals.py) and MiniMax (refusals.py): HTTP 401 and 403 both mean the API key was
    # refused ("Z.ai rejected the key ..."); only a Cloudflare page is not (MiniMax, network).
    ("zai", "403"): ("authentication", 2),
    ("minimax", "403"): ("authentication", 2),
    # Factory (factory/api.py, provider doc §6): a billing 401 or 403 is the key's rejection.
    ("factory", "403"): ("authentication", 2),
}


def expected(provider: str, fault: Fault) -> Tuple[str, int]:
    return OVERRIDES.get((provider, fault.name), (fault.category, fault.code))


def run_faulted(
    provider: str,
    fault: Fault,
    endpoint: Endpoint,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> CliResult:
    faults.set_up([provider], home, monkeypatch)
    faults.answer_healthy(mocked, provider, skip=[endpoint])
    mocked.add(endpoint.method, endpoint.url, **fault.answer())
    if endpoint == SETUPS[provider].endpoints[0]:
        faults.answer_fallbacks(mocked, provider, fault.answer())
    result = cli(provider, "--json", "--refresh")
    faulted_calls = [c for c in mocked.calls if c.request.url == endpoint.url]
    assert faulted_calls, "the faulted endpoint was never asked"
    return result


def check(result: CliResult, provider: str, fault: Fault, home: Home) -> Dict[str, Any]:
    category, code = expected(provider, fault)
    faults.assert_clean_output(result)
    error = faults.error_of(result)
    assert (error["category"], result.code) == (category, code), error
    assert error["provider"] == provider
    assert error["message"] and error["remediation"]
    faults.assert_no_secret_in_files(home.cache_dir)
    return error


# --- every provider's usage request ---------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_fault_on_first_endpoint_gives_documented_category_and_exit_code(
    provider: str,
    fault: Fault,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    endpoint = SETUPS[provider].endpoints[0]
    result = run_faulted(provider, fault, endpoint, home, mocked, monkeypatch, cli)
    error = check(result, provider, fault, home)
    text = cli(provider, "--refresh")  # the same fault, as a person sees it
    faults.assert_clean_output(text)
    assert text.code == result.code
    assert error["message"] in text.out + text.err
    if fault.name == "429-retry-after-seconds":
        assert "2 minutes" in error["remediation"]
    elif fault.name == "429-retry-after-date":
        assert "10 minutes" in error["remediation"]
    elif fault.name == "429-no-retry-after":
        assert "5 minutes" in error["remediation"]  # DESIGN.md §5: missing means 5 minutes


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_fault_on_gemini_quota_endpoint_gives_documented_category_and_exit_code(
    fault: Fault,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    """Gemini makes two requests for its data: the second one may fail every way too."""
    endpoint = SETUPS["gemini"].endpoints[1]
    result = run_faulted("gemini", fault, endpoint, home, mocked, monkeypatch, cli)
    check(result, "gemini", fault, home)


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_fault_on_factory_whoami_costs_only_the_region_unless_it_rejects_the_key(
    fault: Fault,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    """Factory's whoami picks the host: a 401/403 there is the key's rejection (exit 2); any
    other failure falls back to the US host, where the usage is then read."""
    endpoint = SETUPS["factory"].endpoints[2]
    result = run_faulted("factory", fault, endpoint, home, mocked, monkeypatch, cli)
    faults.assert_clean_output(result)
    if fault.name in ("401", "403"):
        error = faults.error_of(result)
        assert (error["category"], result.code) == ("authentication", 2), error
        assert "Factory rejected the API key from FACTORY_API_KEY" in error["message"]
    else:
        assert result.code == 0, result.out + result.err
        faults.snapshot_is_sane(result.json())
    faults.assert_no_secret_in_files(home.cache_dir)


@pytest.mark.parametrize(
    "fault_name",
    ["401", "500", "connection-refused", "malformed-json", "json-list", "oversized-body"],
)
@pytest.mark.parametrize("provider", ["claude", "cursor", "factory"])
def test_fault_on_identity_endpoint_costs_only_the_identity(
    provider: str,
    fault_name: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    """Claude's account, Cursor's and Factory's auth/me only add who the account is."""
    endpoint = SETUPS[provider].endpoints[1]
    result = run_faulted(
        provider, FAULTS_BY_NAME[fault_name], endpoint, home, mocked, monkeypatch, cli
    )
    faults.assert_clean_output(result)
    assert result.code == 0, result.out + result.err
    snapshot = result.json()
    assert snapshot["provider"] == provider and snapshot["periods"]
    faults.snapshot_is_sane(snapshot)


# --- rate limits and the failure gate ---------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_429_with_retry_after_closes_the_gate_and_the_next_run_asks_nothing(
    provider: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    endpoint = SETUPS[provider].endpoints[0]
    fault = FAULTS_BY_NAME["429-retry-after-seconds"]
    run_faulted(provider, fault, endpoint, home, mocked, monkeypatch, cli)
    gate = FailureGate(home.cache_dir / "gate").load(provider, SETUPS[provider].strategy, ANY_LOGIN)
    now = datetime.now(timezone.utc)
    assert gate.closed_until is not None
    assert timedelta(seconds=100) < gate.closed_until - now <= timedelta(seconds=121)
    calls = len(mocked.calls)
    second = cli(provider, "--json")  # no --refresh: the gate is respected
    assert len(mocked.calls) == calls
    error = faults.error_of(second)
    assert (error["category"], second.code) == ("rate_limited", 3)
    faults.assert_clean_output(second)


# --- one provider faulted, the others healthy -----------------------------------------------


@pytest.mark.parametrize(
    "fault_name", ["401", "429-no-retry-after", "503-html", "read-timeout", "malformed-json"]
)
@pytest.mark.parametrize("faulted", PROVIDER_IDS)
def test_one_faulted_provider_does_not_affect_the_others(
    faulted: str,
    fault_name: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., CliResult],
) -> None:
    fault = FAULTS_BY_NAME[fault_name]
    faults.set_up(PROVIDER_IDS, home, monkeypatch)
    first = SETUPS[faulted].endpoints[0]
    for provider in PROVIDER_IDS:
        faults.answer_healthy(mocked, provider, skip=[first] if provider == faulted else [])
    mocked.add(first.method, first.url, **fault.answer())
    faults.answer_fallbacks(mocked, faulted, fault.answer())
    result = cli(*PROVIDER_IDS, "--json", "--refresh")
    faults.assert_clean_output(result)
    assert result.code == 5, result.out + result.err
    document = result.json()
    healthy = [p for p in PROVIDER_IDS if p != faulted]
    assert sorted(document["providers"]) == sorted(healthy)
    assert list(document["errors"]) == [faulted]
    assert document["stale"] == []
    assert document["errors"][faulted]["category"] == expected(faulted, fault)[0]
    for provider in healthy:
        snapshot = document["providers"][provider]
        assert snapshot["source"].split(":")[0] == SETUPS[provider].strategy
        assert snapshot["cached"] is False and snapshot["stale"] is False
        assert "error" not in snapshot
        faults.snapshot_is_sane(snapshot)
    faults.assert_no_secret_in_files(home.cache_dir)


def test_every_provider_faulted_exits_with_the_first_failure_in_provider_order(
    home: Home, mocked: Any, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    """DESIGN.md §8: when every provider failed, the first one's category decides."""
    faults.set_up(PROVIDER_IDS, home, monkeypatch)
    answers: List[Dict[str, Any]] = [
        FAULTS_BY_NAME["read-timeout"].answer(),  # claude: network (3) decides
        FAULTS_BY_NAME["401"].answer(),
        FAULTS_BY_NAME["500"].answer(),
        FAULTS_BY_NAME["html-page"].answer(),
        FAULTS_BY_NAME["404"].answer(),
        FAULTS_BY_NAME["429-no-retry-after"].answer(),
        FAULTS_BY_NAME["json-list"].answer(),
        FAULTS_BY_NAME["503-html"].answer(),
        FAULTS_BY_NAME["500"].answer(),
        FAULTS_BY_NAME["404"].answer(),
        FAULTS_BY_NAME["html-page"].answer(),
    ]
    assert len(answers) == len(PROVIDER_IDS)
    for provider, answer in zip(PROVIDER_IDS, answers):
        first = SETUPS[provider].endpoints[0]
        mocked.add(first.method, first.url, **answer)
    result = cli(*PROVIDER_IDS, "--json", "--refresh")
    faults.assert_clean_output(result)
    document = result.json()
    assert document["providers"] == {}
    assert list(document["errors"]) == list(PROVIDER_IDS)
    assert result.code == 3


def test_faulted_provider_with_a_cache_shows_stale_data_and_exits_partial(
    home: Home, mocked: Any, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    faults.set_up(["codex"], home, monkeypatch)
    faults.answer_healthy(mocked, "codex")
    assert cli("codex", "--json", "--refresh").code == 0
    mocked.replace("GET", faults.CODEX_USAGE, **FAULTS_BY_NAME["502"].answer())
    result = cli("codex", "--json", "--refresh")
    faults.assert_clean_output(result)
    assert result.code == 5
    snapshot = result.json()
    assert snapshot["stale"] is True and snapshot["cached"] is True
    assert snapshot["error"]["category"] == "provider"
    faults.snapshot_is_sane(snapshot)


# --- hostile values inside an otherwise healthy answer -------------------------------------

#: Keys whose values are times: ISO text, epoch numbers or relative seconds.
_TIME_KEY = re.compile(r"(?i)reset|date|time|cycle|_at$|At$")


def poison_times(document: Any, value: Any) -> Any:
    """Every time-like value (by its key) replaced with ``value``."""
    if isinstance(document, dict):
        return {
            k: value
            if _TIME_KEY.search(k) and not isinstance(v, (dict, list))
            else poison_times(v, value)
            for k, v in document.items()
        }
    if isinstance(document, list):
        return [poison_times(v, value) for v in document]
    return document


def poison_numbers(document: Any, value: Any) -> Any:
    """Every number (not booleans) replaced with ``value``."""
    if isinstance(document, dict):
        return {k: poison_numbers(v, value) for k, v in document.items()}
    if isinstance(document, list):
        return [poison_numbers(v, value) for v in document]
    if isinstance(document, (int, float)) and not isinstance(document, bool):
        return value
    return document


def poison_strings(document: Any, suffix: str) -> Any:
    """Every string value (not keys) with ``suffix`` appended."""
    if isinstance(document, dict):
        return {k: poison_strings(v, suffix) for k, v in document.items()}
    if isinstance(document, list):
        return [poison_strings(v, suffix) for v in document]
    if isinstance(document, str):
        return document + suffix
    return document


#: The request whose answer carries the figures (Gemini's is its second one).
DATA_ENDPOINT = {p: SETUPS[p].endpoints[1 if p == "gemini" else 0] for p in PROVIDER_IDS}

HOSTILE: Dict[str, Callable[[Any], Any]] = {
    # Dates that Python's datetime cannot hold once converted to UTC or moved by a window.
    "date-year-1-with-offset": lambda d: poison_times(d, "0001-01-01T00:00:00+05:00"),
    "date-year-9999-with-offset": lambda d: poison_times(d, "9999-12-31T23:59:59-05:00"),
    "date-year-1-utc": lambda d: poison_times(d, "0001-01-01T00:00:00Z"),
    "date-year-9999-utc": lambda d: poison_times(d, "9999-12-31T23:59:59Z"),
    "date-negative-epoch": lambda d: poison_times(d, -62135596800),
    "date-huge-epoch": lambda d: poison_times(d, 10**30),
    "numbers-nan": lambda d: poison_numbers(d, float("nan")),
    "numbers-infinity": lambda d: poison_numbers(d, float("inf")),
    "numbers-minus-infinity": lambda d: poison_numbers(d, float("-inf")),
    "numbers-huge-int": lambda d: poison_numbers(d, 10**400),
    "numbers-1e308": lambda d: poison_numbers(d, 1e308),
    "numbers-as-strings": lambda d: poison_numbers(d, "1e400"),
    "numbers-null": lambda d: poison_numbers(d, None),
    "numbers-lists": lambda d: poison_numbers(d, [1, 2]),
    "strings-lone-surrogate": lambda d: poison_strings(d, "\ud800"),
    "strings-control-characters": lambda d: poison_strings(d, "\x1b[2J\x00\r"),
    "strings-huge": lambda d: poison_strings(d, "x" * 100_000),
}


def _no_constants(name: str) -> Any:
    raise AssertionError(f"output is not strict JSON: {name}")


def run_strict(argv: List[str]) -> CliResult:
    """The CLI with stdout and stderr as a real terminal has them: strict UTF-8 streams."""
    raw_out, raw_err = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(raw_out, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(raw_err, encoding="utf-8", errors="strict", write_through=True)
    code = run(argv, Terminal(out, err), os.environ)
    return CliResult(code, raw_out.getvalue().decode(), raw_err.getvalue().decode())


@pytest.mark.parametrize("hostile", list(HOSTILE))
@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_hostile_values_give_data_or_a_parse_error_never_a_crash(
    provider: str,
    hostile: str,
    home: Home,
    mocked: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the values, the answer is shown (bad values left out) or it is a parse error."""
    faults.set_up([provider], home, monkeypatch)
    endpoint = DATA_ENDPOINT[provider]
    faults.answer_healthy(mocked, provider, skip=[endpoint])
    document = HOSTILE[hostile](load_fixture(endpoint.fixture))
    mocked.add(
        endpoint.method, endpoint.url, body=json.dumps(document), content_type="application/json"
    )
    result = run_strict([provider, "--json", "--refresh"])
    faults.assert_clean_output(result)
    assert result.code in (0, 1), result.err
    assert result.out, f"nothing on stdout: {result.err}"
    parsed = json.loads(result.out, parse_constant=_no_constants)
    if result.code == 1:
        assert parsed["error"]["category"] == "parse", parsed
    else:
        faults.snapshot_is_sane(parsed)
    text = run_strict([provider, "--verbose"])  # the text view reads the cache
    faults.assert_clean_output(text)
    assert text.code == result.code, text.err


def test_body_of_exactly_the_cap_is_read_and_one_byte_more_is_refused(
    home: Home, mocked: Any, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    assert len(OVERSIZED) == MAX_BODY_BYTES + 1
    faults.set_up(["codex"], home, monkeypatch)
    document = load_fixture("codex/wham-usage-live.json")
    document["padding"] = ""
    size = len(json.dumps(document).encode())
    document["padding"] = "x" * (MAX_BODY_BYTES - size)
    body = json.dumps(document).encode()
    assert len(body) == MAX_BODY_BYTES
    mocked.add("GET", faults.CODEX_USAGE, body=body, content_type="application/json")
    result = cli("codex", "--json", "--refresh")
    assert result.code == 0, result.err
    faults.snapshot_is_sane(result.json())
    mocked.replace("GET", faults.CODEX_USAGE, body=body + b" ", content_type="application/json")
    refused = cli("codex", "--json", "--refresh")
    assert refused.code == 5  # the fresh data is gone: the cached copy is shown, stale
    assert refused.json()["error"]["category"] == "provider"
