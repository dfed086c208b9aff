"""Parser fuzzing: every fixture a parser reads, mutated thousands of times, seeded, stdlib only.

The contract (shared brief, "Rules"): a parser returns its documented type (a snapshot for
the usage parsers) or raises VibeusageError — never any other exception, whatever the input.
A returned snapshot must also serialise to strict JSON (no NaN) with every utilization an
int in 0..100, and survive the cache's round trip.

Failures are collected per parser (one example input for each distinct crash site) so that
one bug does not hide another.
"""

import json
import math
import random
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from tests.conftest import FIXTURES, load_fixture
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.kit import google_auth, google_errors
from vibeusage.models import OverageUsage, ProviderIdentity, ProviderStatus, UsageSnapshot
from vibeusage.providers import codex
from vibeusage.providers.antigravity import envelope as antigravity_envelope
from vibeusage.providers.antigravity import tokens as antigravity_tokens
from vibeusage.providers.antigravity import usage as antigravity_usage
from vibeusage.providers.augment import session as augment_session
from vibeusage.providers.augment import usage as augment_usage
from vibeusage.providers.claude import oauth as claude_oauth
from vibeusage.providers.claude import usage as claude_usage
from vibeusage.providers.claude.usage import parse_overage_spend_limit
from vibeusage.providers.claude.web import Organization, parse_organizations
from vibeusage.providers.codex import oauth as codex_oauth
from vibeusage.providers.codex import usage as codex_usage
from vibeusage.providers.copilot import device_flow as copilot_device_flow
from vibeusage.providers.copilot import tokens as copilot_tokens
from vibeusage.providers.copilot import usage as copilot_usage
from vibeusage.providers.cursor import usage as cursor_usage
from vibeusage.providers.factory import droid_store as factory_droid_store
from vibeusage.providers.factory import usage as factory_usage
from vibeusage.providers.gemini import login as gemini_login
from vibeusage.providers.gemini import status as gemini_status
from vibeusage.providers.gemini import usage as gemini_usage
from vibeusage.providers.gemini.usage import CodeAssist
from vibeusage.providers.kiro import state as kiro_state
from vibeusage.providers.kiro import usage as kiro_usage
from vibeusage.providers.minimax import refusals as minimax_refusals
from vibeusage.providers.minimax import usage as minimax_usage
from vibeusage.providers.vertexai import credentials as vertex_credentials
from vibeusage.providers.vertexai import usage as vertex_usage
from vibeusage.providers.zai import refusals as zai_refusals
from vibeusage.providers.zai import usage as zai_usage
from vibeusage.status import parse_statuspage
from vibeusage.statusline.capture import normalise
from vibeusage.statusline.hook import hook_payload
from vibeusage.statusline.merge import merge
from vibeusage.statusline.snapshot import capture_snapshot

SEED = 20260716
#: Mutated inputs per parser (spread over its fixtures).
ITERATIONS = 2000
NOW = datetime(2026, 2, 27, 12, 0, tzinfo=timezone.utc)
HUGE_STRING = "x" * 100_000
MAX_FAILURES_SHOWN = 6

# --- the mutator ----------------------------------------------------------------------------

#: Extreme and ill-typed values a provider (or a proxy) could send in place of any value.
JUNK: Tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1,
    10**400,
    -(10**400),
    10**20,
    1e308,
    -1e308,
    5e-324,
    float("nan"),
    float("inf"),
    float("-inf"),
    -0.0,
    0.5,
    "",
    " ",
    "0",
    "100",
    "-5",
    "1e400",
    "NaN",
    "Infinity",
    "-0.0",
    "null",
    "true",
    "\ud800",
    "\x00\x1b[2J",
    HUGE_STRING,
    {},
    [],
    [None],
    {"": None},
    # Times: out of datetime's range once converted or moved, impossible, or plain junk.
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-02-30T25:61:00Z",
    "2026-03-01",
    -62135596800,
    253402300800,
    1772242545,
    1772242545000,
)
OPERATIONS = (
    "drop",
    "junk",
    "swap_type",
    "extreme_number",
    "huge_string",
    "nested_junk",
    "add_key",
    "duplicate",
    "whole",
)


def _clone(value: Any) -> Any:
    """A copy of a JSON document (much faster than copy.deepcopy for these shapes)."""
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def _slots(document: Any) -> List[Tuple[Any, Any]]:
    """Every (container, key) pair inside ``document``, breadth first."""
    found: List[Tuple[Any, Any]] = []
    queue = [document]
    for node in queue:
        if isinstance(node, dict):
            items: List[Tuple[Any, Any]] = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        for key, value in items:
            found.append((node, key))
            if isinstance(value, (dict, list)) and len(found) < 5000:
                queue.append(value)
    return found


def _swap_type(rng: random.Random, value: Any) -> Any:
    if isinstance(value, bool):
        return rng.choice([str(value).lower(), int(value), None])
    if isinstance(value, (int, float)):
        return rng.choice([repr(value), str(value), [value], {"value": value}, not value])
    if isinstance(value, str):
        try:
            number: Any = float(value)
        except ValueError:
            number = len(value)
        return rng.choice(
            [number, [value], {"value": value}, value.encode("utf-8", "surrogatepass").hex(), None]
        )
    if isinstance(value, dict):
        return rng.choice([list(value.values()), [value], str(value)[:200], list(value)])
    if isinstance(value, list):
        return rng.choice([{str(i): v for i, v in enumerate(value)}, value[:1], {}, len(value)])
    return rng.choice([{}, [], "null", 0])


def _nested_junk(rng: random.Random) -> Any:
    depth = rng.randint(2, 60)
    junk: Any = _clone(rng.choice(JUNK))
    for _ in range(depth):
        junk = [junk] if rng.random() < 0.5 else {rng.choice(["a", "value", ""]): junk}
    return junk


def _extreme_number(rng: random.Random) -> Any:
    return rng.choice(
        [10**400, -(10**400), 1e308, -1e308, float("nan"), float("inf"), float("-inf"), -0.0]
        + [rng.randint(-(10**30), 10**30), rng.uniform(-1e6, 1e6), 2**63, -(2**63) - 1]
    )


def mutate_once(rng: random.Random, document: Any, operation: str) -> Any:
    """``document`` (mutated in place where possible) with one mutation applied."""
    if operation == "whole" or not isinstance(document, (dict, list)):
        return rng.choice([_clone(rng.choice(JUNK)), [document], {"data": document}])
    slots = _slots(document)
    if not slots:
        if isinstance(document, dict):
            document[rng.choice(["five_hour", "buckets", "x"])] = _clone(rng.choice(JUNK))
        else:
            document.append(_clone(rng.choice(JUNK)))
        return document
    container, key = rng.choice(slots)
    value = container[key]
    if operation == "drop":
        del container[key]
    elif operation == "junk":
        container[key] = _clone(rng.choice(JUNK))
    elif operation == "swap_type":
        container[key] = _swap_type(rng, value)
    elif operation == "extreme_number":
        container[key] = _extreme_number(rng)
    elif operation == "huge_string":
        container[key] = rng.choice([HUGE_STRING, HUGE_STRING + "%3A%3A", "1" * 5000])
    elif operation == "nested_junk":
        container[key] = _nested_junk(rng)
    elif operation == "add_key":
        target = value if isinstance(value, dict) else container
        if isinstance(target, dict):
            name = rng.choice(["unknown_bucket", "seven_day_x", "five_hour_y", "", "0", key])
            target[str(name)] = _clone(rng.choice(JUNK + (value,)))
        else:
            target.append(_clone(rng.choice(JUNK)))
    elif operation == "duplicate":
        if isinstance(container, list):
            container.insert(rng.randrange(len(container) + 1), _clone(value))
        else:
            container[f"{key}_copy"] = _clone(value)
    return document


def mutate(rng: random.Random, seed_document: Any) -> Tuple[Any, List[str]]:
    """A fresh copy of ``seed_document`` with one to four mutations, and their names."""
    document = _clone(seed_document)
    applied = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        operation = rng.choice(OPERATIONS) if rng.random() > 0.03 else "whole"
        if operation == "whole" and rng.random() < 0.7:
            operation = "junk"  # replacing the whole document teaches little after a while
        document = mutate_once(rng, document, operation)
        applied.append(operation)
    return document, applied


# --- what a result must look like ---------------------------------------------------------


def strict_json(data: Any) -> None:
    json.dumps(data, allow_nan=False)


def check_snapshot(result: Any) -> None:
    assert isinstance(result, UsageSnapshot), type(result)
    document = result.to_dict(NOW)
    strict_json(document)
    for period, shown in zip(result.periods, document["periods"]):
        for utilization in (period.utilization, shown["utilization"]):
            assert type(utilization) is int and 0 <= utilization <= 100, utilization
        assert isinstance(period.name, str) and period.name
    # The cache stores to_dict and reads it back: what was shown once must be readable.
    back = UsageSnapshot.from_dict(json.loads(json.dumps(document)))
    assert [p.utilization for p in back.periods] == [p.utilization for p in result.periods]


def check_optional(kind: Any, serialise: bool = True) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result is None or isinstance(result, kind), type(result)
        if result is not None and serialise:
            strict_json(result.to_dict())

    return check


def check_identity(result: Any) -> None:
    check_optional(ProviderIdentity)(result)
    if result is not None:
        for value in (result.email, result.organization, result.plan):
            assert value is None or isinstance(value, str)


def check_status(result: Any) -> None:
    assert isinstance(result, ProviderStatus), type(result)
    strict_json(result.to_dict())


def check_datetime(result: Any) -> None:
    assert result is None or (isinstance(result, datetime) and result.tzinfo is not None)
    if result is not None:
        result.isoformat()


def check_instance(kind: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert isinstance(result, kind), type(result)

    return check


def check_organizations(result: Any) -> None:
    assert isinstance(result, list)
    for org in result:
        assert isinstance(org, Organization) and isinstance(org.uuid, str) and org.uuid


def check_credits(result: Any) -> None:
    check_optional(OverageUsage)(result)


def check_reset_credits(result: Any) -> None:
    assert result is None or (type(result) is int and result >= 0), result


def check_notes(result: Any) -> None:
    assert isinstance(result, tuple) and all(isinstance(n, str) for n in result)


def check_code_assist(result: Any) -> None:
    assert isinstance(result, CodeAssist)
    for value in (result.project, result.tier_id, result.plan):
        assert value is None or isinstance(value, str)
    assert all(isinstance(r, str) for r in result.ineligible_reasons)


def check_oauth_error(result: Any) -> None:
    assert isinstance(result, tuple) and len(result) == 2
    assert all(part is None or isinstance(part, str) for part in result)


def check_auth_type(result: Any) -> None:
    assert result is None or isinstance(result, str)


def check_body_error(result: Any) -> None:
    """None (no verdict, or success) or an error whose text is safe to print."""
    assert result is None or isinstance(result, VibeusageError), type(result)
    if result is not None:
        strict_json(result.to_dict())
        assert result.message.isprintable() and len(result.message) < 600, result.message


#: The statusline fixtures' windows reset in the hours and days after this.
STATUSLINE_NOW = datetime(2026, 9, 20, 13, 12, tzinfo=timezone.utc)


def statusline_capture(payload: Any) -> Any:
    """Claude Code's input merged twice (through the file's JSON), then read as a snapshot."""
    data = hook_payload(json.dumps(payload).encode("utf-8"))
    if data is None:
        return None
    now = STATUSLINE_NOW.timestamp()
    first = merge(None, data, now, "/home/u/.claude")
    again = merge(normalise(json.loads(json.dumps(first))), data, now + 60, "/home/u/.claude")
    capture_snapshot(again, STATUSLINE_NOW, 600)
    return again


def check_capture(result: Any) -> None:
    if result is None:
        return
    json.dumps(result, allow_nan=False)
    assert normalise(json.loads(json.dumps(result))) == result
    for entry in result["windows"].values():
        assert 0 <= entry["used_percent"] <= 100


def check_optional_snapshot(result: Any) -> None:
    if result is not None:
        check_snapshot(result)


def check_kiro_login(result: Any) -> None:
    assert isinstance(result, kiro_state.KiroLogin)
    assert isinstance(result.access_token, str) and result.access_token
    assert result.profile_arn is None or isinstance(result.profile_arn, str)
    check_datetime(result.expires_at)
    repr(result)


def check_stored_token(result: Any) -> None:
    assert result is None or isinstance(result, antigravity_tokens.StoredToken)
    if result is not None:
        assert isinstance(result.access_token, str) and result.access_token
        check_datetime(result.expires_at)
        assert result.email is None or isinstance(result.email, str)
        repr(result)


def _agy_output(document: Any) -> Any:
    """agy's stdout holding ``document``; its documented refusals (sign-in...) count as answers."""
    try:
        return antigravity_envelope.parse_agy_output(json.dumps(document), "", NOW)
    except VibeusageError as exc:
        if exc.category is ErrorCategory.PARSE:
            raise
        return None


def _refused_by_code(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse``, with the error a non-OK ``code`` documents counted as an answer (None)."""

    def call(document: Any) -> Any:
        try:
            return parse(document)
        except VibeusageError as exc:
            if exc.message.startswith("Antigravity answered with an error"):
                assert len(exc.message) < 250, "a code or message echoed in full"
                return None
            raise

    return call


KIRO_TOKEN_SEED = {
    "access_token": "aoaAAAAAGfuzz",
    "expires_at": "2026-12-01T12:34:56Z",
    "profile_arn": None,
}


# --- the parsers and their seeds -------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    #: Fixture files under tests/fixtures (``.jsonl``: every line is a seed), or inline seeds.
    seeds: Tuple[Any, ...]
    call: Callable[[Any], Any]
    check: Callable[[Any], None]
    #: The category a VibeusageError may have; None: the parser documents that it never raises.
    category: Optional[ErrorCategory] = ErrorCategory.PARSE


def _load_seeds(seeds: Tuple[Any, ...]) -> List[Any]:
    loaded: List[Any] = []
    for seed in seeds:
        if isinstance(seed, str) and seed.endswith(".jsonl"):
            text = (FIXTURES / seed).read_text(encoding="utf-8")
            loaded += [json.loads(line) for line in text.splitlines() if line.strip()]
        elif isinstance(seed, str) and seed.endswith(".json"):
            loaded.append(load_fixture(seed))
        else:
            loaded.append(seed)
    return loaded


INCIDENTS = [
    {
        "id": "abc",
        "begin": "2026-02-27T09:00:00+00:00",
        "modified": "2026-02-27T10:00:00+00:00",
        "external_desc": "**Users may be unable to access Gemini**\nDetails follow.",
        "severity": "medium",
        "status_impact": "SERVICE_DISRUPTION",
        "service_name": "Gemini",
        "affected_products": [{"title": "Gemini", "id": "npdyhgECDJ6tB66MxXyo"}],
        "most_recent_update": {
            "when": "2026-02-27T10:00:00+00:00",
            "status": "SERVICE_DISRUPTION",
            "text": "We are investigating.",
        },
    },
    {
        "id": "def",
        "begin": "2026-02-20T09:00:00+00:00",
        "end": "2026-02-20T11:00:00+00:00",
        "external_desc": "Gemini Code Assist errors",
        "severity": "high",
        "status_impact": "SERVICE_OUTAGE",
        "service_name": "Gemini Code Assist",
        "affected_products": [{"title": "Gemini Code Assist", "id": "x"}],
    },
]
APP_SERVER_ACCOUNT = {"account": {"email": "cli@example.com", "planType": "pro"}}
DEVICE_TOKEN = {"access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a", "scope": "read:user"}
VERTEX_LIMITS = "vertexai/timeseries-limits.json"
VERTEX_USAGE = (
    "vertexai/timeseries-net-usage-page1.json",
    "vertexai/timeseries-net-usage-page2.json",
    "vertexai/timeseries-empty.json",
    "vertexai/cb-exact-named-usage.json",
    "vertexai/cb-issue-2958-usage-without-limit-name.json",
)
VERTEX_LIMITS_SEEDS = (
    VERTEX_LIMITS,
    "vertexai/cb-exact-named-limits.json",
    "vertexai/cb-issue-2958-regional-and-global-limits.json",
    "vertexai/cb-ambiguous-regional-limits.json",
)


def vertex_quotas(usage_page: Any, limit_page: Any) -> UsageSnapshot:
    """Vertex AI's page reader and join, as the strategies call them."""
    return vertex_usage.parse_quotas(
        vertex_usage.page_series(usage_page)[0], vertex_usage.page_series(limit_page)[0], NOW
    )


GEMINI_SETTINGS = {"security": {"auth": {"selectedType": "oauth-personal"}}, "theme": "x"}
CODEX_NOW = datetime(2026, 8, 13, 13, 0, tzinfo=timezone.utc)

TARGETS = (
    Target(
        "statusline.merge",
        ("claude/statusline-rate-limits.json", "claude/statusline-session-start.json"),
        statusline_capture,
        check_capture,
        None,
    ),
    Target(
        "claude.parse_usage",
        (
            "claude/oauth-usage-limits.json",
            "claude/oauth-usage-models-extra.json",
            "claude/oauth-usage-sparse.json",
        ),
        lambda p: claude_usage.parse_usage(p, NOW),
        check_snapshot,
    ),
    Target(
        "claude.parse_identity",
        ("claude/oauth-account.json",),
        claude_usage.parse_identity,
        check_identity,
        None,
    ),
    Target(
        "claude.parse_organizations",
        ("claude/web-organizations.json",),
        parse_organizations,
        check_organizations,
    ),
    Target(
        "claude.parse_overage_spend_limit",
        ("claude/web-overage-spend-limit.json",),
        parse_overage_spend_limit,
        check_credits,
        None,
    ),
    Target(
        "claude.parse_credentials",
        ("claude/credentials.json",),
        lambda p: claude_oauth.parse_credentials(p, "credentials.json"),
        check_instance(claude_oauth.ClaudeCredentials),
        ErrorCategory.AUTHENTICATION,
    ),
    Target(
        "codex.parse_usage",
        ("codex/wham-usage-live.json",),
        lambda p: codex_usage.parse_usage(p, NOW),
        check_snapshot,
    ),
    Target(
        "codex.parse_app_server",
        ("codex/app-server-ratelimits.json",),
        lambda p: codex_usage.parse_app_server(p, NOW, account=APP_SERVER_ACCOUNT),
        check_snapshot,
    ),
    Target(
        "codex.parse_app_server(account)",
        (APP_SERVER_ACCOUNT,),
        lambda p: codex_usage.parse_app_server(
            load_fixture("codex/app-server-ratelimits.json"), NOW, account=p
        ),
        check_snapshot,
    ),
    Target(
        "codex.parse_rollout_event",
        ("codex/rollout-token-count.jsonl",),
        lambda p: codex_usage.parse_rollout_event(p, CODEX_NOW, observed_at=CODEX_NOW, extras=(p,)),
        check_snapshot,
    ),
    Target(
        "codex.parse_credits",
        ({"has_credits": True, "unlimited": False, "balance": "1348.7450000000"},),
        codex_usage.parse_credits,
        check_credits,
        None,
    ),
    Target(
        "codex.parse_reset_credits",
        ("codex/wham-usage-live.json",),
        codex_usage.parse_reset_credits,
        check_reset_credits,
        None,
    ),
    Target(
        "codex.parse_credentials",
        ("codex/auth.json",),
        lambda p: codex_oauth.parse_credentials(p, "auth.json"),
        check_instance(codex_oauth.CodexCredentials),
        ErrorCategory.AUTHENTICATION,
    ),
    Target(
        "copilot.parse_user",
        ("copilot/copilot-internal-user.json",),
        lambda p: copilot_usage.parse_user(p, NOW),
        check_snapshot,
    ),
    Target(
        "copilot.quota_notes",
        ("copilot/copilot-internal-user.json",),
        copilot_usage.quota_notes,
        check_notes,
    ),
    Target(
        "copilot.parse_identity",
        ("copilot/copilot-internal-user.json",),
        copilot_usage.parse_identity,
        check_identity,
        None,
    ),
    Target(
        "copilot.parse_device_code",
        ("copilot/device-code.json",),
        copilot_device_flow.parse_device_code,
        check_instance(copilot_device_flow.DeviceCode),
    ),
    Target(
        "copilot.parse_device_token",
        (DEVICE_TOKEN,),
        # Its caller hands it objects only (device_flow.poll_for_token checks first).
        lambda p: copilot_device_flow.parse_device_token(p) if isinstance(p, dict) else None,
        check_optional(copilot_device_flow.DeviceToken, serialise=False),
        None,
    ),
    Target(
        "cursor.parse_usage_summary",
        ("cursor/usage-summary-pro.json", "cursor/usage-summary-free.json"),
        lambda p: cursor_usage.parse_usage_summary(p, NOW),
        check_snapshot,
    ),
    Target(
        "cursor.parse_identity",
        ("cursor/auth-me.json",),
        cursor_usage.parse_identity,
        check_identity,
        None,
    ),
    Target(
        "cursor.parse_cycle_end",
        ("cursor/usage-summary-pro.json",),
        lambda p: cursor_usage.parse_cycle_end(
            p.get("billingCycleEnd") if isinstance(p, dict) else p
        ),
        check_datetime,
        None,
    ),
    Target(
        "gemini.parse_quota",
        ("gemini/retrieve-user-quota.json",),
        lambda p: gemini_usage.parse_quota(p, NOW),
        check_snapshot,
    ),
    Target(
        "gemini.parse_code_assist",
        ("gemini/load-code-assist.json",),
        gemini_usage.parse_code_assist,
        check_code_assist,
    ),
    Target(
        "gemini.parse_login",
        ("gemini/oauth_creds.json",),
        lambda p: gemini_login.parse_login(p, "oauth_creds.json"),
        check_instance(gemini_login.GeminiLogin),
        ErrorCategory.AUTHENTICATION,
    ),
    Target(
        "gemini.parse_auth_type",
        (GEMINI_SETTINGS,),
        gemini_login.parse_auth_type,
        check_auth_type,
        None,
    ),
    Target(
        "gemini.parse_incidents",
        (INCIDENTS, {"incidents": INCIDENTS}),
        lambda p: gemini_status.parse_incidents(p, NOW),
        check_status,
        None,
    ),
    Target(
        "zai.parse_quota",
        (
            "zai/quota-limit-pro.json",
            "zai/quota-limit-pro-tools.json",
            "zai/quota-limit-percent-only-live.json",
            "zai/quota-limit-v3-credit-over-limit.json",
            "zai/quota-limit-v3-credit-pro.json",
            "zai/quota-limit-cn-lite.json",
        ),
        lambda p: zai_usage.parse_quota(p, NOW),
        check_snapshot,
    ),
    Target(
        "zai.body_error",
        (
            "zai/error-token-expired.json",
            "zai/error-no-auth-header.json",
            "zai/error-account-arrears.json",
            "zai/error-plan-expired.json",
            "zai/quota-limit-pro.json",
        ),
        zai_refusals.body_error,
        check_body_error,
        None,
    ),
    Target(
        "minimax.parse_remains",
        (
            "minimax/token-plan-normal.json",
            "minimax/token-plan-missing-reset.json",
            "minimax/token-plan-boosted-weekly.json",
            "minimax/token-plan-percent-root.json",
            "minimax/coding-plan-legacy-counts.json",
            "minimax/token-plan-music-cover-counts.json",
        ),
        lambda p: minimax_usage.parse_remains(p, NOW),
        check_snapshot,
    ),
    Target(
        "minimax.body_error",
        (
            "minimax/error-cookie-missing-flat.json",
            "minimax/error-cookie-missing-base-resp.json",
            "minimax/error-rate-limit.json",
            "minimax/token-plan-normal.json",
        ),
        minimax_refusals.body_error,
        check_body_error,
        None,
    ),
    Target(
        "vertexai.parse_quotas(usage)",
        VERTEX_USAGE,
        lambda p: vertex_quotas(p, load_fixture(VERTEX_LIMITS)),
        check_snapshot,
    ),
    Target(
        "vertexai.parse_quotas(limits)",
        VERTEX_LIMITS_SEEDS,
        lambda p: vertex_quotas(load_fixture(VERTEX_USAGE[0]), p),
        check_snapshot,
    ),
    Target(
        "vertexai.parse_adc",
        ("vertexai/adc-authorized-user.json", "vertexai/adc-service-account.json"),
        lambda p: vertex_credentials.parse_adc(p, "adc.json"),
        check_instance(
            (
                vertex_credentials.AuthorizedUser,
                vertex_credentials.ServiceAccount,
                vertex_credentials.OtherCredentials,
            )
        ),
        ErrorCategory.AUTHENTICATION,
    ),
    Target(
        "kit.google_auth.parse_token_response",
        ("vertexai/token-refresh.json", "vertexai/token-jwt-bearer.json"),
        lambda p: google_auth.parse_token_response(p, NOW, "Vertex AI"),
        check_instance(google_auth.GoogleToken),
        ErrorCategory.PARSE,
    ),
    Target(
        "kit.google_auth.read_oauth_error",
        ("vertexai/token-invalid-grant.json",),
        google_auth.read_oauth_error,
        check_oauth_error,
        None,
    ),
    Target(
        "kit.google_errors.parse_google_error",
        ("vertexai/error-403-service-disabled.json", "vertexai/error-403-permission-denied.json"),
        google_errors.parse_google_error,
        check_instance(google_errors.GoogleApiError),
        None,
    ),
    Target(
        "factory.parse_billing_limits",
        (
            "factory/billing-limits-live-0189.json",
            "factory/billing-limits-lapsed-core-0203.json",
            "factory/billing-limits-seconds-only.json",
        ),
        lambda p: factory_usage.parse_billing_limits(p, NOW),
        check_snapshot,
    ),
    Target(
        "factory.uses_token_rate_billing",
        ("factory/billing-limits-no-token-billing.json",),
        factory_usage.uses_token_rate_billing,
        check_instance(bool),
    ),
    Target(
        "factory.parse_legacy_usage",
        (
            "factory/subscription-usage-legacy-cb.json",
            "factory/subscription-usage-legacy-live.json",
        ),
        lambda p: factory_usage.parse_legacy_usage(p, NOW),
        check_snapshot,
    ),
    Target(
        "factory.parse_whoami",
        ("factory/whoami-us.json", "factory/whoami-eu.json"),
        factory_usage.parse_whoami,
        check_optional(factory_usage.Whoami, serialise=False),
        None,
    ),
    Target(
        "factory.parse_identity",
        ("factory/auth-me.json",),
        factory_usage.parse_identity,
        check_identity,
        None,
    ),
    Target(
        "factory.parse_droid_auth",
        ("factory/droid-auth-plain.json",),
        lambda p: factory_droid_store.parse_droid_auth(p, Path("auth.v2.file")),
        check_instance(factory_droid_store.DroidLogin),
        ErrorCategory.AUTHENTICATION,
    ),
    Target(
        "augment.parse_billing_summary",
        (
            "augment/get-billing-summary-credits.json",
            "augment/get-billing-summary-usd.json",
            "augment/get-billing-summary-topup.json",
        ),
        lambda p: augment_usage.parse_billing_summary(p, NOW),
        check_snapshot,
    ),
    Target(
        "augment.parse_account_status",
        ("augment/account-status.json", "augment/account-status-usd.json"),
        lambda p: augment_usage.parse_account_status(p, NOW),
        check_snapshot,
    ),
    Target(
        "augment.parse_session",
        ("augment/session.json",),
        lambda p: augment_session.parse_session(json.dumps(p), "fuzz"),
        check_instance(augment_session.AugmentSession),
        ErrorCategory.AUTHENTICATION,
    ),
    Target(
        "augment.error_detail",
        ("augment/error-400-no-subscription.json",),
        augment_usage.error_detail,
        check_auth_type,
        None,
    ),
    Target(
        "kiro.parse_usage_limits",
        ("kiro/get-usage-limits-power-overage.json",),
        lambda p: kiro_usage.parse_usage_limits(p, NOW),
        check_snapshot,
    ),
    Target(
        "kiro.parse_login(token)",
        ("kiro/auth-kv-token.json",),
        lambda p: kiro_state.parse_login("kirocli:odic:token", json.dumps(p)),
        check_kiro_login,
        ErrorCategory.AUTHENTICATION,
    ),
    Target(
        "kiro.parse_login(profile)",
        ("kiro/state-profile.json",),
        lambda p: kiro_state.parse_login("k", json.dumps(KIRO_TOKEN_SEED), json.dumps(p)),
        check_kiro_login,
        None,
    ),
    Target(
        "antigravity.parse_summary",
        (
            "antigravity/ls-retrieve-user-quota-summary.json",
            "antigravity/cloudcode-retrieve-user-quota-summary.json",
        ),
        _refused_by_code(lambda p: antigravity_usage.parse_summary(p, NOW, "oauth")),
        check_optional_snapshot,
    ),
    Target(
        "antigravity.parse_user_status",
        ("antigravity/ls-get-user-status.json",),
        _refused_by_code(lambda p: antigravity_usage.parse_user_status(p, NOW, "language_server")),
        check_optional_snapshot,
    ),
    Target(
        "antigravity.parse_agy_output",
        (
            "antigravity/agy-quota-1.2.12.json",
            "antigravity/agy-usage-1.3.1.json",
            "antigravity/agy-quota-camel-command.json",
            "antigravity/agy-signed-out.json",
        ),
        _agy_output,
        check_optional_snapshot,
    ),
    Target(
        "antigravity.token_from_document",
        ("antigravity/agy-token.json",),
        lambda p: antigravity_tokens.token_from_document(p, "agy token file"),
        check_stored_token,
        None,
    ),
    Target(
        "antigravity.auth_status",
        ("antigravity/ide-antigravity-auth-status.json",),
        lambda p: antigravity_tokens.auth_status(json.dumps(p)),
        check_stored_token,
        None,
    ),
    Target(
        "status.parse_statuspage",
        ("status/statuspage-minor.json",),
        parse_statuspage,
        check_status,
        None,
    ),
)


@dataclass
class Outcome:
    returned: int = 0
    raised: int = 0
    #: crash site -> (description, example input)
    failures: Dict[str, Tuple[str, str]] = field(default_factory=dict)


def _site(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if "vibeusage" in f.filename] or frames
    last = inside[-1] if inside else None
    where = f"{last.filename.split('vibeusage/')[-1]}:{last.lineno}" if last else "?"
    return f"{type(exc).__name__} at {where}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 400 else text[:400] + "..."


def _example(index: int, applied: List[str], document: Any) -> str:
    return f"iteration {index}, mutations {applied}: {_short(document)}"


def fuzz(target: Target, iterations: int, seed: int) -> Outcome:
    rng = random.Random(f"{seed}:{target.name}")
    seeds = _load_seeds(target.seeds)
    outcome = Outcome()
    for index in range(iterations):
        document, applied = mutate(rng, seeds[index % len(seeds)])

        try:
            result = target.call(document)
        except VibeusageError as exc:
            outcome.raised += 1
            if target.category is None or exc.category is not target.category:
                key = f"VibeusageError({exc.category.value}) where none is documented"
                outcome.failures.setdefault(key, (exc.message, _example(index, applied, document)))
            continue
        except Exception as exc:  # the point of the test: anything else is a bug
            what = f"{type(exc).__name__}: {exc}"[:300]
            outcome.failures.setdefault(_site(exc), (what, _example(index, applied, document)))
            continue
        outcome.returned += 1
        try:
            target.check(result)
        except Exception as exc:
            what = f"{type(exc).__name__}: {exc}"[:300]
            outcome.failures.setdefault(
                f"bad result: {_site(exc)}", (what, _example(index, applied, document))
            )
    return outcome


def report(target: Target, outcome: Outcome) -> str:
    lines = [f"{target.name}: {len(outcome.failures)} distinct failure(s)"]
    for site, (what, example) in list(outcome.failures.items())[:MAX_FAILURES_SHOWN]:
        lines += [f"- {site}: {what}", f"    input ({example})"]
    return "\n".join(lines)


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_parser_returns_its_type_or_raises_vibeusage_error_on_mutated_fixtures(
    target: Target,
) -> None:
    outcome = fuzz(target, ITERATIONS, SEED)
    assert not outcome.failures, report(target, outcome)
    assert outcome.returned + outcome.raised == ITERATIONS
    # The mutations must leave enough intact for the parser to get past its first check.
    assert outcome.returned >= ITERATIONS // 10, (outcome.returned, outcome.raised)


def test_fixtures_themselves_parse_cleanly() -> None:
    """Every seed is a valid input: failures above come from the mutations, not the seeds."""
    for target in TARGETS:
        for seed in _load_seeds(target.seeds):
            if (
                target.name == "codex.parse_rollout_event"
                and not codex.usage.token_count_rate_limits(seed)
            ):
                continue  # the log's other lines are not token counts
            target.check(target.call(seed))


def test_every_fixture_file_is_fuzzed() -> None:
    """A new fixture a parser reads must be added to TARGETS (credentials, captures, logs)."""
    used = {s for t in TARGETS for s in t.seeds if isinstance(s, str)}
    on_disk = {
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*.json*")
        if p.suffix in (".json", ".jsonl")
    }
    not_parsed = {
        "codex/app-server-transcript-unauthenticated.jsonl",  # a fake server's script
        # Signing keys and vectors: their DER is damaged byte by byte in test_vertexai_signing.
        "vertexai/jwt-signing-vector.json",
        "vertexai/test-keys.json",
        "antigravity/ls-csrf-missing.json",  # a 401 body: only its status is read
    }
    assert on_disk - not_parsed <= used, sorted(on_disk - not_parsed - used)


def test_mutator_is_deterministic_for_a_seed_and_never_changes_the_seed() -> None:
    seed = load_fixture("claude/oauth-usage-limits.json")
    first, again = random.Random(7), random.Random(7)
    for _ in range(50):
        assert repr(mutate(first, seed)) == repr(mutate(again, seed))
    assert seed == load_fixture("claude/oauth-usage-limits.json")


def test_mutator_reaches_every_operation_and_the_extreme_values() -> None:
    rng = random.Random(SEED)
    seed = load_fixture("codex/wham-usage-live.json")
    seen_operations = set()
    seen_values = set()
    for _ in range(3000):
        document, applied = mutate(rng, seed)
        seen_operations.update(applied)
        for container, key in _slots(document):
            value = container[key]
            if isinstance(value, float) and math.isnan(value):
                seen_values.add("nan")
            elif isinstance(value, float) and math.isinf(value):
                seen_values.add("inf")
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**300:
                seen_values.add("huge int")
            elif isinstance(value, str) and len(value) >= 100_000:
                seen_values.add("huge string")
            elif value is None:
                seen_values.add("null")
    assert seen_operations == set(OPERATIONS)
    assert seen_values == {"nan", "inf", "huge int", "huge string", "null"}


# --- a text format: gh's hosts.yml ---------------------------------------------------------

HOSTS_YML = """\
github.com:
    users:
        alice:
            oauth_token: gho_alice000000000000000000000000000
        bob:
            oauth_token: gho_bob00000000000000000000000000000
    git_protocol: https
    oauth_token: "gho_active0000000000000000000000000"   # the active account
    user: alice
ghe.example.com:
    oauth_token: ghp_enterprise00000000000000000000000
"""
TEXT_JUNK = (
    "\t",
    "\r",
    "\r\n",
    "\ufeff",
    ":",
    ": :",
    '"',
    "'",
    "#",
    "- ",
    "~",
    "{}",
    " " * 200,
    "\x00",
    "\ud800",
    "é",
    "oauth_token:",
    "users:\n",
    "\n    ",
    "x" * 100_000,
)


def mutate_text(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 5)):
        operation = rng.choice(("insert", "delete", "line", "indent", "bytes"))
        at = rng.randrange(len(text) + 1)
        if operation == "insert":
            text = text[:at] + rng.choice(TEXT_JUNK) + text[at:]
        elif operation == "delete":
            text = text[:at] + text[at + rng.randint(1, 40) :]
        elif operation == "line":
            lines = text.splitlines(keepends=True) or [""]
            line = rng.choice(lines)
            lines.insert(rng.randrange(len(lines) + 1), line * rng.randint(1, 3))
            text = "".join(lines)
        elif operation == "indent":
            lines = text.splitlines(keepends=True) or [""]
            index = rng.randrange(len(lines))
            lines[index] = " " * rng.randint(0, 40) + lines[index].lstrip(" ")
            text = "".join(lines)
        else:
            junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))
            text = text[:at] + junk.decode("utf-8", "replace") + text[at:]
    return text


def test_gh_hosts_parser_never_raises_on_mutated_text() -> None:
    rng = random.Random(f"{SEED}:gh-hosts")
    found_tokens = 0
    for index in range(ITERATIONS):
        text = mutate_text(rng, HOSTS_YML)
        try:
            hosts = copilot_tokens.parse_gh_hosts(text)
            token = copilot_tokens.token_for_host(hosts, "github.com")
        except Exception as exc:  # a credential file we only read must never crash a run
            pytest.fail(f"iteration {index}: {type(exc).__name__}: {exc} on {_short(text)}")
        assert all(isinstance(host, str) for host in hosts)
        assert token is None or (isinstance(token, str) and token)
        found_tokens += token is not None
    assert found_tokens >= ITERATIONS // 4  # most mutations leave a token to find
