"""Error taxonomy: HTTP and exception classification, exit codes, JSON form, secret masking."""

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests

from vibeusage.errors import (
    ConfigError,
    ErrorCategory,
    ExitCode,
    Severity,
    VibeusageError,
    mask_secret,
    parse_error,
    redact,
)
from vibeusage.kit.http import decoding
from vibeusage.kit.http_errors import (
    DEFAULT_RETRY_AFTER,
    classify_exception,
    classify_http_status,
    parse_retry_after,
)

NOW = datetime(2026, 1, 16, 10, 30, tzinfo=timezone.utc)

OAUTH_TOKEN = "sk-ant-oat01-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFGH4f2a"
SESSION_KEY = "sk-ant-sid01-ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210zyxwVUTS9q8r"
GITHUB_TOKEN = "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwiZW1haWwiOiJ1QGV4YW1wbGUuY29tIn0"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


# --- exit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, code",
    [
        (ErrorCategory.AUTHENTICATION, 2),
        (ErrorCategory.AUTHORIZATION, 2),
        (ErrorCategory.NETWORK, 3),
        (ErrorCategory.RATE_LIMITED, 3),
        (ErrorCategory.CONFIGURATION, 4),
        (ErrorCategory.PROVIDER, 1),
        (ErrorCategory.PARSE, 1),
        (ErrorCategory.NOT_FOUND, 1),
        (ErrorCategory.UNKNOWN, 1),
    ],
)
def test_category_exit_code_follows_the_contract(category, code):
    assert category.exit_code == code
    assert VibeusageError("x", category).exit_code == code


def test_exit_code_values_match_the_contract():
    # 143 (SIGTERM) comes with issue 9; the rest is DESIGN.md §8.
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5, 130, 143]


def test_config_error_is_a_configuration_error_with_exit_code_4():
    error = ConfigError("bad key")
    assert isinstance(error, VibeusageError)
    assert error.category is ErrorCategory.CONFIGURATION
    assert error.exit_code == 4
    assert error.severity is Severity.FATAL


@pytest.mark.parametrize(
    "category, severity",
    [
        (ErrorCategory.NETWORK, Severity.TRANSIENT),
        (ErrorCategory.RATE_LIMITED, Severity.TRANSIENT),
        (ErrorCategory.PROVIDER, Severity.TRANSIENT),
        (ErrorCategory.CONFIGURATION, Severity.FATAL),
        (ErrorCategory.AUTHENTICATION, Severity.RECOVERABLE),
        (ErrorCategory.PARSE, Severity.RECOVERABLE),
        (ErrorCategory.UNKNOWN, Severity.RECOVERABLE),
    ],
)
def test_default_severity_depends_on_category(category, severity):
    assert VibeusageError("x", category).severity is severity


def test_every_error_has_a_remediation_by_default():
    for category in ErrorCategory:
        assert VibeusageError("x", category).remediation


# --- classify_http_status -------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, category, severity",
    [
        (401, ErrorCategory.AUTHENTICATION, Severity.RECOVERABLE),
        (403, ErrorCategory.AUTHORIZATION, Severity.RECOVERABLE),
        (404, ErrorCategory.NOT_FOUND, Severity.RECOVERABLE),
        (429, ErrorCategory.RATE_LIMITED, Severity.TRANSIENT),
        (500, ErrorCategory.PROVIDER, Severity.TRANSIENT),
        (502, ErrorCategory.PROVIDER, Severity.TRANSIENT),
        (503, ErrorCategory.PROVIDER, Severity.TRANSIENT),
        (418, ErrorCategory.PROVIDER, Severity.RECOVERABLE),
        (400, ErrorCategory.PROVIDER, Severity.RECOVERABLE),
    ],
)
def test_classify_http_status_category_and_severity(status, category, severity):
    error = classify_http_status(status, "Claude")
    assert error.category is category
    assert error.severity is severity
    assert error.status_code == status
    assert str(status) in error.message
    assert "Claude" in error.message


@pytest.mark.parametrize("status, code", [(401, 2), (403, 2), (429, 3), (500, 1), (404, 1)])
def test_classify_http_status_exit_codes(status, code):
    assert classify_http_status(status, "Claude").exit_code == code


def test_classify_http_status_keeps_a_given_remediation():
    error = classify_http_status(401, "Claude", remediation="Run `claude` to log in again.")
    assert error.remediation == "Run `claude` to log in again."


def test_classify_http_status_429_with_retry_after_seconds():
    error = classify_http_status(429, "Claude", retry_after="120")
    assert error.retry_after == 120.0
    assert "2 minutes" in error.remediation
    assert classify_http_status(429, "Claude", retry_after="45").remediation == (
        "Wait about 45 seconds before retrying."
    )


def test_classify_http_status_429_with_retry_after_http_date():
    when = datetime.now(timezone.utc) + timedelta(minutes=10)
    error = classify_http_status(429, "Claude", retry_after=format_datetime(when, usegmt=True))
    assert 590 <= error.retry_after <= 600
    assert "10 minutes" in error.remediation


@pytest.mark.parametrize("header", [None, "0", "", "   "])
def test_classify_http_status_429_without_useful_retry_after_waits_default(header):
    error = classify_http_status(429, "Claude", retry_after=header)
    assert error.retry_after == DEFAULT_RETRY_AFTER == 300.0
    assert "5 minutes" in error.remediation


def test_classify_http_status_429_keeps_given_remediation_and_retry_after():
    error = classify_http_status(429, "Claude", retry_after="60", remediation="Slow down.")
    assert error.remediation == "Slow down."
    assert error.retry_after == 60.0


def test_non_429_errors_carry_no_retry_after():
    assert classify_http_status(503, "Claude", retry_after="120").retry_after is None


# --- parse_retry_after ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, seconds",
    [
        ("120", 120.0),
        ("  45 ", 45.0),
        ("1.5", 1.5),
        ("0", DEFAULT_RETRY_AFTER),
        ("-5", DEFAULT_RETRY_AFTER),
        ("-0.1", DEFAULT_RETRY_AFTER),
        ("nan", DEFAULT_RETRY_AFTER),
        ("soon", DEFAULT_RETRY_AFTER),
        ("Wed, 99 Foo 2026 99:99:99 GMT", DEFAULT_RETRY_AFTER),
        ("", DEFAULT_RETRY_AFTER),
        (None, DEFAULT_RETRY_AFTER),
    ],
)
def test_parse_retry_after_seconds_and_garbage(header, seconds):
    assert parse_retry_after(header, now=NOW) == seconds


def test_parse_retry_after_http_date_is_relative_to_now():
    assert parse_retry_after("Fri, 16 Jan 2026 10:32:00 GMT", now=NOW) == 120.0


def test_parse_retry_after_http_date_with_numeric_offset():
    # 11:40 at +01:00 is 10:40 UTC, ten minutes after NOW.
    assert parse_retry_after("Fri, 16 Jan 2026 11:40:00 +0100", now=NOW) == 600.0


@pytest.mark.parametrize(
    "header", ["Fri, 16 Jan 2026 10:29:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"]
)
def test_parse_retry_after_past_http_date_waits_default(header):
    assert parse_retry_after(header, now=NOW) == DEFAULT_RETRY_AFTER


def test_parse_retry_after_is_capped_at_a_day():
    assert parse_retry_after("99999999", now=NOW) == 24 * 3600.0
    assert parse_retry_after("inf", now=NOW) == 24 * 3600.0


# --- classify_exception ---------------------------------------------------------------------


def _http_error(status, headers=None):
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    return requests.HTTPError(response=response)


@pytest.mark.parametrize(
    "exc", [requests.Timeout(), requests.ConnectTimeout(), requests.ReadTimeout()]
)
def test_classify_exception_timeouts_are_network_errors_advising_timeout(exc):
    # ConnectTimeout is also a ConnectionError: the timeout advice must win.
    error = classify_exception(exc, "Claude")
    assert error.category is ErrorCategory.NETWORK
    assert error.severity is Severity.TRANSIENT
    assert "in time" in error.message
    assert "--timeout" in error.remediation
    assert error.exit_code == 3


def test_classify_exception_ssl_error_advises_ca_bundle():
    error = classify_exception(requests.exceptions.SSLError("certificate verify failed"), "X")
    assert error.category is ErrorCategory.NETWORK
    assert "TLS" in error.message
    assert "REQUESTS_CA_BUNDLE" in error.remediation


def test_classify_exception_proxy_error_advises_proxy_settings():
    error = classify_exception(requests.exceptions.ProxyError("407"), "X")
    assert error.category is ErrorCategory.NETWORK
    assert "proxy" in error.message.lower()
    assert "HTTPS_PROXY" in error.remediation


def test_classify_exception_connection_error_is_network():
    error = classify_exception(requests.ConnectionError("refused"), "Claude")
    assert error.category is ErrorCategory.NETWORK
    assert error.message == "Could not connect to Claude"
    assert "--timeout" not in error.remediation


def test_classify_exception_too_many_redirects_is_provider_error():
    error = classify_exception(requests.TooManyRedirects(), "Claude")
    assert error.category is ErrorCategory.PROVIDER
    assert "redirect" in error.message


def test_classify_exception_http_error_uses_the_status():
    error = classify_exception(_http_error(429, {"Retry-After": "90"}), "Claude")
    assert error.category is ErrorCategory.RATE_LIMITED
    assert error.retry_after == 90.0
    assert classify_exception(_http_error(401), "Claude").category is (ErrorCategory.AUTHENTICATION)


def test_classify_exception_other_request_exception_is_network():
    error = classify_exception(requests.exceptions.ChunkedEncodingError(), "Claude")
    assert error.category is ErrorCategory.NETWORK
    assert "ChunkedEncodingError" in error.message


@pytest.mark.parametrize(
    "exc",
    [
        json.JSONDecodeError("Expecting value", "<html>", 0),
        ValueError("bad number"),
        KeyError("five_hour"),
        TypeError("'NoneType' object is not subscriptable"),
        AttributeError("'list' object has no attribute 'get'"),
        IndexError("list index out of range"),
    ],
)
def test_shape_errors_while_decoding_a_payload_are_parse_errors(exc):
    with pytest.raises(VibeusageError) as info:
        with decoding("Claude", "usage data"):
            raise exc
    error = info.value
    assert error.category is ErrorCategory.PARSE
    assert type(exc).__name__ in error.message
    assert error.message.startswith("Claude sent an unexpected response: usage data")
    assert error.exit_code == 1


@pytest.mark.parametrize("exc", [KeyError("five_hour"), TypeError("x"), AttributeError("y")])
def test_shape_errors_outside_decoding_are_our_bugs_not_the_providers(exc):
    error = classify_exception(exc, "Claude")
    assert error.category is ErrorCategory.UNKNOWN
    assert "Internal error" in error.message and type(exc).__name__ in error.message
    assert "sent" not in error.message
    assert "bug" in error.remediation


def test_classify_exception_requests_json_decode_error_is_a_parse_error():
    # What ``response.json()`` raises on a non-JSON body. It is a RequestException *and*
    # a json.JSONDecodeError; it must not be reported as a network failure.
    try:
        requests.Response().json()
    except Exception as exc:  # noqa: BLE001 - we want the real exception instance
        raised = exc
    assert isinstance(raised, json.JSONDecodeError)
    error = classify_exception(raised, "Claude")
    assert error.category is ErrorCategory.PARSE


def test_classify_exception_arbitrary_exception_is_unknown():
    error = classify_exception(RuntimeError("boom"), "Claude")
    assert error.category is ErrorCategory.UNKNOWN
    assert "RuntimeError" in error.message
    assert error.exit_code == 1


def test_classify_exception_passes_a_vibeusage_error_through_unchanged():
    original = VibeusageError("Claude session expired", ErrorCategory.AUTHENTICATION)
    assert classify_exception(original, "Claude") is original
    config_error = ConfigError("bad")
    assert classify_exception(config_error, "Claude") is config_error


def test_classify_exception_does_not_copy_exception_text_into_the_message():
    exc = ValueError(f"unexpected token in {OAUTH_TOKEN}")
    error = classify_exception(exc, "Claude")
    assert OAUTH_TOKEN not in error.message
    assert OAUTH_TOKEN not in json.dumps(error.to_dict())


def test_parse_error_is_a_parse_category_error_with_detail():
    error = parse_error("Claude", "missing five_hour")
    assert error.category is ErrorCategory.PARSE
    assert error.message == "Claude sent an unexpected response: missing five_hour"


# --- to_dict / from_dict / for_provider -------------------------------------------------------


def test_to_dict_has_exactly_the_contract_keys():
    error = VibeusageError(
        "Claude session expired",
        ErrorCategory.AUTHENTICATION,
        remediation="Run `claude` once to refresh its login, then retry.",
        provider="claude",
        timestamp=NOW,
    )
    assert error.to_dict() == {
        "message": "Claude session expired",
        "category": "authentication",
        "severity": "recoverable",
        "provider": "claude",
        "remediation": "Run `claude` once to refresh its login, then retry.",
        "timestamp": "2026-01-16T10:30:00+00:00",
    }


def test_to_dict_default_timestamp_is_iso_with_offset():
    data = VibeusageError("x").to_dict()
    assert set(data) == {"message", "category", "severity", "provider", "remediation", "timestamp"}
    parsed = datetime.fromisoformat(data["timestamp"])
    assert parsed.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - parsed) < timedelta(minutes=1)
    assert data["provider"] is None


def test_from_dict_round_trips_to_dict():
    error = VibeusageError(
        "Cursor is down",
        ErrorCategory.PROVIDER,
        severity=Severity.WARNING,
        remediation="Try later.",
        provider="cursor",
        timestamp=NOW,
    )
    restored = VibeusageError.from_dict(json.loads(json.dumps(error.to_dict())))
    assert restored.to_dict() == error.to_dict()
    assert restored.category is ErrorCategory.PROVIDER
    assert restored.severity is Severity.WARNING
    assert restored.timestamp == NOW


def test_from_dict_tolerates_unknown_category_and_severity():
    restored = VibeusageError.from_dict({"category": "meteor", "severity": "apocalyptic"})
    assert restored.category is ErrorCategory.UNKNOWN
    assert restored.severity is Severity.RECOVERABLE
    assert restored.message == "unknown error"
    assert restored.remediation


def test_for_provider_tags_only_untagged_errors():
    error = VibeusageError("x").for_provider("claude")
    assert error.provider == "claude"
    assert error.for_provider("codex").provider == "claude"


# --- redact / mask_secret ---------------------------------------------------------------------


@pytest.mark.parametrize("secret", [OAUTH_TOKEN, SESSION_KEY, GITHUB_TOKEN, JWT])
def test_redact_masks_known_token_shapes(secret):
    text = f"request failed with token {secret} (retrying)"
    redacted = redact(text)
    assert secret not in redacted
    assert secret[12:-4] not in redacted
    assert "…" in redacted
    assert redacted.startswith("request failed with token ")
    assert redacted.endswith(" (retrying)")


def test_redact_keeps_a_recognisable_prefix_and_suffix_of_anthropic_tokens():
    assert redact(OAUTH_TOKEN) == "sk-ant-…4f2a"
    assert redact(SESSION_KEY) == "sk-ant-…9q8r"
    assert redact(GITHUB_TOKEN) == "ghp_…6789"
    assert redact(JWT) == "eyJh…sw5c"


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abcdef0123456789.xyz~+/=",
        "authorization: bearer abcdef0123456789",
        "Authorization: token 0123456789abcdef0123",
    ],
)
def test_redact_masks_authorization_header_values(text):
    redacted = redact(text)
    assert "0123456789" not in redacted
    assert "…" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "token expired",
        "Your session token expired; log in again.",
        "Bearer token required",
        "Run `claude` once to refresh its login, then retry.",
        "Rate limit resets at 2026-01-16T10:30:00+00:00 (in 5 minutes).",
        "Check HTTPS_PROXY and REQUESTS_CA_BUNDLE.",
        "risk-assessment done; ask-me-anything",
        "",
    ],
)
def test_redact_leaves_ordinary_prose_alone(text):
    assert redact(text) == text


def test_redact_masks_explicit_secrets():
    secret = "hunter2-correct-horse-battery"
    redacted = redact(f"login with {secret} failed", secrets=[secret])
    assert secret not in redacted
    assert redacted == f"login with {mask_secret(secret)} failed"


def test_redact_ignores_empty_and_very_short_explicit_secrets():
    assert redact("a bc def", secrets=["", "bc", "def"]) == "a bc def"


@pytest.mark.parametrize(
    "secret",
    [
        # base64url bodies can end in "_": the last 4 characters are then not all
        # alphanumeric and the sk- pattern finds no match at all.
        "sk-ant-oat01-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFGH4f2_",
        "sk-ant-oat01-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFGH4f_a",
        # ... or the match stops at an inner "-" and the rest of the secret stays visible.
        "sk-ant-oat01-AbCdEfGhIjKlMnOp-QrStUvWxYz0123456789abcdEFGH4f2_",
    ],
)
def test_redact_masks_anthropic_tokens_with_underscore_near_the_end(secret):
    redacted = redact(f"token {secret} rejected")
    assert secret not in redacted
    assert "QrStUvWxYz0123456789" not in redacted


def test_redact_masks_fine_grained_github_tokens():
    secret = (
        "github_pat_11ABCDEFG0Abcdefghijklm_nopqrstuvwxyzABCDEFGHIJ0123456789abcdefghijklmnopqrs"
    )
    redacted = redact(f"GitHub rejected {secret}")
    assert secret not in redacted
    assert "nopqrstuvwxyzABCDEFGHIJ" not in redacted


def test_error_messages_and_remediations_are_redacted():
    error = VibeusageError(f"bad token {OAUTH_TOKEN}", remediation=f"revoke {GITHUB_TOKEN}")
    assert OAUTH_TOKEN not in error.message
    assert OAUTH_TOKEN not in str(error)
    assert GITHUB_TOKEN not in error.remediation
    assert "sk-ant-…4f2a" in error.message


@pytest.mark.parametrize(
    "secret, masked",
    [
        ("sk-ant-oat01-abcdefghijklmnop1234", "sk-ant-…1234"),
        ("sk-proj-abcdefghijklmnop9876", "sk-proj-…9876"),
        ("ghp_abcdefghijklmnop5678", "ghp_…5678"),
        ("AIzaSyA-abcdefghijklmnopq_xyz", "AIza…_xyz"),
        ("short", "…"),
        ("exactly12chr", "…"),
    ],
)
def test_mask_secret_shows_at_most_prefix_and_last_four(secret, masked):
    assert mask_secret(secret) == masked


def test_a_secret_of_any_format_is_masked_once_a_credential_holding_it_was_read():
    from vibeusage.providers.copilot.tokens import FoundToken

    odd = "Zq9-unknown.format$token/0123456789"  # no pattern knows this shape
    assert redact(f"echoed: {odd}") == f"echoed: {odd}"
    found = FoundToken("GH_TOKEN", odd, "GH_TOKEN")
    assert odd not in repr(found)
    error = VibeusageError(f"the server said: bad token {odd}")
    assert odd not in error.message and odd not in json.dumps(error.to_dict())
    assert odd[-4:] in error.message  # masked, still recognisable


def test_a_secret_with_a_newline_is_masked_in_its_escaped_form_too():
    from vibeusage.errors import remember_secret

    secret = "line-one-secret\nline-two-secret"
    remember_secret(secret)
    traceback_text = f"ValueError: {secret!r}"
    shown = redact(traceback_text)
    assert "line-one-secret" not in shown and "line-two-secret" not in shown
