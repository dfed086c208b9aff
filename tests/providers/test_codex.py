"""Codex provider: pure parsers on real payloads, ``auth.json``, base URL, and the oauth strategy
(including the delegated refresh through a fake ``codex``).

Also home of the shared Codex test harness (``CodexEnv``, the fake ``codex`` script) that the
other ``test_codex_*`` files import. Every external tool is a Python script generated in
``tmp_path`` and found through the PATH of the FetchContext's ``environ``; the real PATH, the
real home directory and the network are never used, and ``auth.json`` is checked to be
byte-for-byte unchanged after every test.
"""

import base64
import copy
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import requests
from responses import matchers

from tests.conftest import FIXTURES, Home, load_fixture, make_ctx
from tests.providers.fake_tools import alive, gone_within
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity, UsageSnapshot
from vibeusage.providers.base import FetchContext, FetchResult
from vibeusage.providers.codex import PROVIDER
from vibeusage.providers.codex.app_server import CodexAppServer
from vibeusage.providers.codex.local import CodexLocal
from vibeusage.providers.codex.oauth import (
    CodexOAuth,
    auth_path,
    base_url,
    codex_home,
    parse_credentials,
    read_credentials,
    usage_url,
)
from vibeusage.providers.codex.usage import (
    parse_credits,
    parse_reset_credits,
    parse_usage,
    plan_name,
)

UTC = timezone.utc
#: When wham-usage-live.json was captured: its reset_at minus its reset_after_seconds.
NOW = datetime(2026, 2, 27, 21, 54, 46, tzinfo=UTC)
USAGE_URL = "https://chatgpt.com/backend-api/wham/usage"
STATUS_URL = "https://status.openai.com/api/v2/status.json"

#: JWT-shaped tokens: the redaction must catch them; their cores must never show up.
ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvbGQtYWNjZXNzLXRva2VuIn0.T2xkQWNjZXNzU2lnbmF0dXJlWFla"
NEW_ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJuZXctYWNjZXNzLXRva2VuIn0.TmV3QWNjZXNzU2lnbmF0dXJlUVJT"
REFRESH = "rt_UmVmcmVzaFRva2VuTmV2ZXJTaG93bkFueXdoZXJl"
SECRETS = (ACCESS, NEW_ACCESS, REFRESH, "T2xkQWNjZXNzU2lnbmF0dXJl", "UmVmcmVzaFRva2VuTmV2ZXJT")
ACCOUNT_ID = "acc-7f3e2d1c-example"

#: The delegated refresh command's arguments, exactly (PROVIDERS.md, Codex -> oauth).
REFRESH_ARGV = ["exec", "say ok", "--skip-git-repo-check", "--sandbox", "read-only"]

posix_only = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="fake tools are #! scripts; Popen groups are POSIX"
)


# --- the shared harness -------------------------------------------------------------------------

FAKE_CODEX = r"""
import json, os, signal, subprocess, sys, time

OUT = os.environ["FAKE_OUT"]


def record(name, value):
    tmp = os.path.join(OUT, name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(value, handle)
    os.replace(tmp, os.path.join(OUT, name))


def append(name, value):
    with open(os.path.join(OUT, name), "a", encoding="utf-8") as handle:
        handle.write(json.dumps(value) + "\n")


append("starts", {"pid": os.getpid(), "argv": sys.argv[1:], "cwd": os.getcwd(),
                  "stdin_tty": os.isatty(0)})


def grandchild():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    append("grandchildren", child.pid)


def refresh(mode):
    if mode == "rewrite":
        time.sleep(0.2)
        path = os.path.join(os.environ["CODEX_HOME"], "auth.json")
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        data["tokens"]["access_token"] = os.environ["FAKE_NEW_TOKEN"]
        data["last_refresh"] = "2026-02-27T22:00:00Z"
        text = json.dumps(data, indent=2)
        record("codex-wrote", text)  # first: the parent may stop us right after the replace
        tmp = path + ".fake-tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    elif mode == "hang":
        grandchild()
        time.sleep(60)


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def raw(data):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def app_server(mode):
    if mode == "exit":
        sys.stderr.write("error: unexpected argument\n")
        sys.exit(3)
    if mode in ("silence", "stubborn"):
        if mode == "stubborn":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        grandchild()
        for line in sys.stdin:
            append("received", json.loads(line))
        time.sleep(60)
        return
    if mode == "transcript":  # replay a captured session: each answer with what preceded it
        with open(os.environ["FAKE_TRANSCRIPT"], "rb") as handle:
            pending = [line for line in handle.read().splitlines() if line.strip()]
        for line in sys.stdin:
            message = json.loads(line)
            append("received", message)
            if "id" not in message:
                continue
            while pending:
                out = pending.pop(0)
                raw(out + b"\n")
                if json.loads(out).get("id") == message["id"]:
                    break
        return
    with open(os.environ["FAKE_RATE_LIMITS"], encoding="utf-8") as handle:
        limits = json.load(handle)
    for line in sys.stdin:
        message = json.loads(line)
        append("received", message)
        method, ident = message.get("method"), message.get("id")
        if method == "initialize":
            if mode == "garbage_only":
                raw(b"codex: starting up, not JSON\n")
                continue
            send({"method": "configWarning", "params": {"summary": "no bubblewrap"}})
            send({"id": ident, "result": {"userAgent": "codex/0.169.0", "codexHome": "x",
                                          "platformFamily": "unix", "platformOs": "linux"}})
        elif method == "account/rateLimits/read":
            if mode == "exit_after_init":
                sys.exit(4)
            if mode == "garbage":
                raw(b"\xff\xfe not json at all {\n")
                raw(b"[1, 2, 3]\n")
                raw(b"\n")
            send({"method": "remoteControl/status/changed", "params": {"status": "disabled"}})
            send({"id": 99, "result": {"rateLimits": {"primary": {"usedPercent": 99}}}})
            send({"id": ident, "method": "item/tool/requestUserInput", "params": {}})
            if mode == "auth_error":
                send({"error": {"code": -32600, "message":
                      "codex account authentication required to read rate limits"},
                      "id": ident})
            elif mode == "rpc_error":
                send({"error": {"code": -32603, "message": "backend unavailable"}, "id": ident})
            else:
                send({"id": ident, "result": limits})
        elif method == "account/read":
            if mode == "no_account":
                continue
            send({"id": ident, "result": {"account": {"type": "chatgpt",
                  "email": "cli@example.com", "planType": "pro"}}})


if sys.argv[1:2] == ["exec"]:
    refresh(os.environ.get("FAKE_EXEC_MODE", "noop"))
else:
    app_server(os.environ.get("FAKE_APP_MODE", "normal"))
"""


def jwt(claims: Dict[str, Any]) -> str:
    def part(data: Dict[str, Any]) -> str:
        raw = base64.urlsafe_b64encode(json.dumps(data).encode("utf-8"))
        return raw.decode("ascii").rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


def auth_document(access: str = ACCESS, account_id: Optional[str] = ACCOUNT_ID) -> Dict[str, Any]:
    """auth.json in the real fixture's shape, with realistic-looking secrets."""
    data = load_fixture("codex/auth.json")
    data["tokens"]["access_token"] = access
    data["tokens"]["refresh_token"] = REFRESH
    data["tokens"]["account_id"] = account_id
    return data


def reaped(pid: int) -> bool:
    """True once ``pid`` is gone entirely: not running and not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@dataclass
class CodexEnv:
    """A temporary CODEX_HOME, a PATH holding only fakes, and the auth.json guard."""

    home: Home
    root: Path
    bin_dir: Path
    out: Path
    env: Dict[str, str] = field(default_factory=dict)
    expected_auth: Optional[bytes] = None
    expected_mtime: Optional[int] = None

    @property
    def auth(self) -> Path:
        return self.root / "auth.json"

    def write_auth(self, data: Any = None, raw: Optional[bytes] = None) -> bytes:
        content = raw if raw is not None else json.dumps(data or auth_document()).encode()
        self.auth.write_bytes(content)
        self.accept_auth()
        return content

    def accept_auth(self) -> None:
        """The current auth.json is legitimate (written by the test or by "codex" itself)."""
        self.expected_auth = self.auth.read_bytes()
        self.expected_mtime = self.auth.stat().st_mtime_ns

    def check_auth(self) -> None:
        if self.expected_auth is None:
            assert not self.auth.exists(), "vibeusage created auth.json"
            return
        assert self.auth.read_bytes() == self.expected_auth, "vibeusage changed auth.json"
        assert self.auth.stat().st_mtime_ns == self.expected_mtime, "vibeusage rewrote auth.json"

    def environ(self, **extra: str) -> Dict[str, str]:
        env = {
            "HOME": str(self.home.root),
            "CODEX_HOME": str(self.root),
            "PATH": str(self.bin_dir),
            "VIBEUSAGE_CONFIG_DIR": str(self.home.config_dir),
            "VIBEUSAGE_CACHE_DIR": str(self.home.cache_dir),
        }
        env.update(self.env)
        env.update(extra)
        return env

    def ctx(
        self,
        *,
        timeout: float = 5.0,
        options: Optional[Dict[str, Any]] = None,
        clock: Callable[[], datetime] = lambda: NOW,
        **extra: str,
    ) -> FetchContext:
        env = self.environ(**extra)
        return make_ctx("codex", self.home.root, env, options=options, timeout=timeout, clock=clock)

    def fake_codex(
        self,
        app: str = "normal",
        exec_mode: str = "noop",
        rate_limits: Optional[Path] = None,
    ) -> Path:
        self.env["FAKE_APP_MODE"] = app
        self.env["FAKE_EXEC_MODE"] = exec_mode
        self.env["FAKE_NEW_TOKEN"] = NEW_ACCESS
        self.env["FAKE_TRANSCRIPT"] = str(
            FIXTURES / "codex" / "app-server-transcript-unauthenticated.jsonl"
        )
        self.env["FAKE_RATE_LIMITS"] = str(
            rate_limits or FIXTURES / "codex" / "app-server-ratelimits.json"
        )
        path = self.bin_dir / "codex"
        path.write_text(f"#!{sys.executable}\n{FAKE_CODEX}", encoding="utf-8")
        path.chmod(0o755)
        return path

    def records(self, name: str) -> List[Any]:
        path = self.out / name
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def read(self, name: str) -> Any:
        path = self.out / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def pids(self) -> List[int]:
        return [start["pid"] for start in self.records("starts")]

    def grandchildren(self) -> List[int]:
        return [int(pid) for pid in self.records("grandchildren")]

    def kill_leftovers(self) -> None:
        for pid in self.pids() + self.grandchildren():
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def make_codex_env(home: Home, tmp_path: Path) -> CodexEnv:
    root = tmp_path / "codex-home"
    bin_dir = tmp_path / "bin"
    out = tmp_path / "fake-out"
    for directory in (root, bin_dir, out):
        directory.mkdir()
    return CodexEnv(home, root, bin_dir, out, {"FAKE_OUT": str(out)})


@pytest.fixture
def codex(home: Home, tmp_path: Path) -> Iterator[CodexEnv]:
    env = make_codex_env(home, tmp_path)
    try:
        yield env
        env.check_auth()
    finally:
        env.kill_leftovers()


def assert_no_secret(error: VibeusageError) -> None:
    texts = [str(error), error.message, error.remediation or "", json.dumps(error.to_dict())]
    for secret in SECRETS:
        for text in texts:
            assert secret not in text


PeriodRow = Tuple[str, int, PeriodType, Optional[datetime], Optional[str]]


def rows(snapshot: UsageSnapshot) -> List[PeriodRow]:
    return [(p.name, p.utilization, p.period_type, p.resets_at, p.model) for p in snapshot.periods]


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def wham() -> Dict[str, Any]:
    data: Dict[str, Any] = load_fixture("codex/wham-usage-live.json")
    return data


# --- the provider -------------------------------------------------------------------------------


def test_provider_is_data_with_strategies_in_fallback_order_and_cli_refresh_option() -> None:
    assert PROVIDER.id == "codex"
    assert PROVIDER.name == "Codex"
    assert PROVIDER.strategy_names() == ("oauth", "cli", "local")
    assert [type(s.load()) for s in PROVIDER.strategies] == [CodexOAuth, CodexAppServer, CodexLocal]
    assert PROVIDER.options == {"cli_refresh": bool}
    assert PROVIDER.status_url == STATUS_URL
    assert PROVIDER.dashboard_url == "https://chatgpt.com/codex/settings/usage"
    assert "codex login" in PROVIDER.setup_hint
    assert "Codex CLI" in PROVIDER.setup_hint


# --- parse_usage: the live fixture --------------------------------------------------------------

LIVE_ROWS: List[PeriodRow] = [
    ("Session (5h)", 2, PeriodType.SESSION, at(1772242545), None),
    (
        "Session (GPT-5.3-Codex-Spark)",
        0,
        PeriodType.SESSION,
        at(1772247286),
        "GPT-5.3-Codex-Spark",
    ),
    ("Weekly", 33, PeriodType.WEEKLY, at(1772559306), None),
    ("Weekly (Code Review)", 0, PeriodType.WEEKLY, at(1772834086), "Code Review"),
    ("Weekly (GPT-5.3-Codex-Spark)", 0, PeriodType.WEEKLY, at(1772834086), "GPT-5.3-Codex-Spark"),
]


def test_live_fixture_gives_main_code_review_and_additional_periods_in_display_order() -> None:
    snapshot = parse_usage(wham(), NOW)
    assert rows(snapshot) == LIVE_ROWS
    assert snapshot.provider == "codex"
    assert snapshot.fetched_at == NOW
    assert snapshot.source == "oauth"


def test_live_fixture_plan_and_email_are_the_identity() -> None:
    identity = parse_usage(wham(), NOW).identity
    assert identity == ProviderIdentity(email="user@example.com", organization=None, plan="Plus")


def test_live_fixture_zero_balance_without_credits_is_a_disabled_credit_overage() -> None:
    overage = parse_usage(wham(), NOW).overage
    assert overage == OverageUsage(
        used=None, limit=None, currency="credits", is_enabled=False, balance=Decimal("0")
    )


def test_windows_are_classified_by_length_not_by_slot() -> None:
    payload = wham()
    main = payload["rate_limit"]
    main["primary_window"], main["secondary_window"] = (
        main["secondary_window"],
        main["primary_window"],
    )
    snapshot = parse_usage(payload, NOW)
    main_rows = [r for r in rows(snapshot) if r[4] is None]
    assert main_rows == [
        ("Session (5h)", 2, PeriodType.SESSION, at(1772242545), None),
        ("Weekly", 33, PeriodType.WEEKLY, at(1772559306), None),
    ]


def test_free_plan_weekly_window_in_primary_with_null_secondary_is_weekly_only() -> None:
    payload = {
        "plan_type": "free",
        "rate_limit": {
            "allowed": True,
            "limit_reached": False,
            "primary_window": {
                "used_percent": 41,
                "limit_window_seconds": 604800,
                "reset_after_seconds": 400000,
                "reset_at": 1772629286,
            },
            "secondary_window": None,
        },
        "credits": None,
    }
    snapshot = parse_usage(payload, NOW)
    assert rows(snapshot) == [("Weekly", 41, PeriodType.WEEKLY, at(1772629286), None)]
    assert snapshot.identity == ProviderIdentity(plan="Free")
    assert snapshot.overage is None


def test_null_secondary_window_keeps_the_session_only() -> None:
    payload = wham()
    payload["rate_limit"]["secondary_window"] = None
    main_rows = [r for r in rows(parse_usage(payload, NOW)) if r[4] is None]
    assert main_rows == [("Session (5h)", 2, PeriodType.SESSION, at(1772242545), None)]


def test_daily_window_is_classified_daily() -> None:
    payload = wham()
    payload["rate_limit"]["secondary_window"]["limit_window_seconds"] = 86400
    names = [(r[0], r[2]) for r in rows(parse_usage(payload, NOW)) if r[4] is None]
    assert names == [("Session (5h)", PeriodType.SESSION), ("Daily", PeriodType.DAILY)]


def test_older_rate_limits_shape_with_reset_timestamp_is_accepted() -> None:
    payload = {
        "plan_type": "pro",
        "rate_limits": {
            "primary": {"used_percent": 12.5, "window_minutes": 300, "reset_timestamp": 1772240000},
            "secondary": {
                "used_percent": "7",
                "limit_window_seconds": 604800,
                "reset_timestamp": 1772600000,
            },
        },
    }
    snapshot = parse_usage(payload, NOW)
    assert rows(snapshot) == [
        ("Session (5h)", 12, PeriodType.SESSION, at(1772240000), None),
        ("Weekly", 7, PeriodType.WEEKLY, at(1772600000), None),
    ]
    assert snapshot.identity == ProviderIdentity(plan="Pro")


def test_reset_after_seconds_alone_counts_from_now() -> None:
    payload = wham()
    del payload["rate_limit"]["primary_window"]["reset_at"]
    session = parse_usage(payload, NOW).periods[0]
    assert session.resets_at == NOW + timedelta(seconds=13259)
    assert session.resets_at == at(1772242545)


def test_reset_at_in_milliseconds_is_recognised() -> None:
    payload = wham()
    payload["rate_limit"]["primary_window"]["reset_at"] = 1772242545000
    assert parse_usage(payload, NOW).periods[0].resets_at == at(1772242545)


def test_window_without_any_length_falls_back_to_its_slot() -> None:
    payload = {
        "rate_limit": {
            "primary_window": {"used_percent": 5, "reset_at": 1772242545},
            "secondary_window": {"used_percent": 6, "reset_at": 1772559306},
        }
    }
    assert [(r[0], r[2]) for r in rows(parse_usage(payload, NOW))] == [
        ("Session (5h)", PeriodType.SESSION),
        ("Weekly", PeriodType.WEEKLY),
    ]


def test_unknown_extra_fields_everywhere_are_ignored() -> None:
    payload = wham()
    payload["brand_new_top_level"] = {"x": [1, 2]}
    payload["rate_limit"]["tertiary_window"] = {"used_percent": 99, "limit_window_seconds": 60}
    payload["rate_limit"]["primary_window"]["burst_percent"] = 88
    payload["additional_rate_limits"][0]["future_field"] = True
    payload["credits"]["new_credit_kind"] = "5"
    assert rows(parse_usage(payload, NOW)) == LIVE_ROWS


@pytest.mark.parametrize(
    ("balance", "expected", "money"),
    [
        (1348.745, Decimal("1348.745"), "1348.75"),
        ("1348.7450000000", Decimal("1348.7450000000"), "1348.75"),
        (25, Decimal("25"), "25.00"),
        ("0", Decimal("0"), "0.00"),
    ],
    ids=["float", "string", "int", "zero-string"],
)
def test_credit_balance_as_number_or_string_is_a_decimal_balance(
    balance: Any, expected: Decimal, money: str
) -> None:
    payload = wham()
    payload["credits"] = {"has_credits": True, "unlimited": False, "balance": balance}
    overage = parse_usage(payload, NOW).overage
    assert overage is not None
    assert overage.balance == expected
    assert isinstance(overage.balance, Decimal)
    assert (overage.used, overage.limit, overage.currency, overage.is_enabled) == (
        None,
        None,
        "credits",
        True,
    )
    assert overage.to_dict()["balance"] == money


@pytest.mark.parametrize("balance", [None, "lots", "", [], {"v": 1}, True, 1e308, "1e40", "NaN"])
def test_credits_without_a_usable_balance_give_no_overage(balance: Any) -> None:
    payload = wham()
    payload["credits"] = {"has_credits": True, "unlimited": False, "balance": balance}
    assert parse_usage(payload, NOW).overage is None


def test_unlimited_credits_are_said_without_inventing_a_balance() -> None:
    payload = wham()
    payload["credits"] = {"has_credits": True, "unlimited": True, "balance": "0"}
    snapshot = parse_usage(payload, NOW)
    assert snapshot.overage == OverageUsage(None, None, "credits", True, unlimited=True)
    assert snapshot.overage.to_dict()["balance"] is None
    assert snapshot.identity is not None
    assert snapshot.identity.plan == "Plus"
    assert parse_credits({"unlimited": True, "balance": None}) == snapshot.overage
    restored = UsageSnapshot.from_dict(snapshot.to_dict(NOW))
    assert restored.overage == snapshot.overage


def test_snapshot_with_credit_overage_round_trips_through_the_cache_format() -> None:
    snapshot = parse_usage(wham(), NOW)
    assert UsageSnapshot.from_dict(snapshot.to_dict(NOW)) == UsageSnapshot.from_dict(
        json.loads(json.dumps(snapshot.to_dict(NOW)))
    )
    rebuilt = UsageSnapshot.from_dict(snapshot.to_dict(NOW))
    assert rebuilt.overage is not None
    assert rebuilt.overage.currency == "credits"
    assert rebuilt.overage.balance == Decimal("0.00")


def test_additional_limit_without_name_uses_metered_feature() -> None:
    payload = wham()
    del payload["additional_rate_limits"][0]["limit_name"]
    models = {r[4] for r in rows(parse_usage(payload, NOW)) if r[4] not in (None, "Code Review")}
    assert models == {"codex_bengalfox"}


def test_junk_additional_limits_and_windows_are_skipped() -> None:
    payload = wham()
    payload["additional_rate_limits"] += [None, "x", {"limit_name": "Empty", "rate_limit": None}]
    payload["code_review_rate_limit"] = "nope"
    payload["rate_limit"]["primary_window"] = {"used_percent": None}
    names = [r[0] for r in rows(parse_usage(payload, NOW))]
    assert names == [
        "Session (GPT-5.3-Codex-Spark)",
        "Weekly",
        "Weekly (GPT-5.3-Codex-Spark)",
    ]


def test_percentages_are_floored_and_clamped() -> None:
    payload = wham()
    payload["rate_limit"]["primary_window"]["used_percent"] = 57.9
    payload["rate_limit"]["secondary_window"]["used_percent"] = 140
    utilizations = [r[1] for r in rows(parse_usage(payload, NOW)) if r[4] is None]
    assert utilizations == [57, 100]


def test_email_from_the_login_is_used_when_the_answer_has_none() -> None:
    payload = wham()
    del payload["email"]
    identity = parse_usage(payload, NOW, email="jwt@example.com").identity
    assert identity == ProviderIdentity(email="jwt@example.com", plan="Plus")


@pytest.mark.parametrize(
    "payload",
    [[], None, "usage", 42, {}, {"detail": "Unauthorized"}, {"error": {"message": "x"}}],
    ids=["list", "null", "string", "number", "empty", "detail", "error"],
)
def test_payload_without_rate_limits_is_a_parse_error(payload: Any) -> None:
    with pytest.raises(VibeusageError) as info:
        parse_usage(payload, NOW)
    assert info.value.category is ErrorCategory.PARSE


def test_null_rate_limit_with_plan_is_an_empty_snapshot_not_an_error() -> None:
    snapshot = parse_usage({"plan_type": "go", "rate_limit": None}, NOW)
    assert snapshot.periods == ()
    assert snapshot.identity == ProviderIdentity(plan="Go")


def test_reset_credit_count_is_read_from_both_spellings() -> None:
    assert parse_reset_credits(wham()) == 2
    assert parse_reset_credits({"rateLimitResetCredits": {"availableCount": 0}}) == 0
    assert parse_reset_credits({"rate_limit_reset_credits": None}) is None
    assert parse_reset_credits({"rate_limit_reset_credits": {"available_count": "x"}}) is None
    assert parse_reset_credits({"rate_limit_reset_credits": {"available_count": -1}}) is None
    assert parse_reset_credits([]) is None


@pytest.mark.parametrize(
    ("plan_type", "expected"),
    [
        ("plus", "Plus"),
        ("pro", "Pro"),
        ("free", "Free"),
        ("prolite", "Pro Lite"),
        ("edu_plus", "Edu Plus"),
        ("self_serve_business_usage_based", "Self Serve Business Usage Based"),
        ("unknown", None),
        ("", None),
        (None, None),
        (3, None),
    ],
)
def test_plan_name(plan_type: Any, expected: Optional[str]) -> None:
    assert plan_name(plan_type) == expected


def mutations(original: Any, seed: int, count: int = 300) -> Iterator[Any]:
    """Copies of ``original`` with one value somewhere replaced by junk."""
    import random

    rng = random.Random(seed)
    junk: List[Any] = [None, "", "x", -1, 10**30, 1e308, [], {}, True, "12.5", float("nan")]
    for _ in range(count):
        payload = copy.deepcopy(original)
        node: Any = payload
        path: List[Any] = []
        while isinstance(node, (dict, list)) and node and rng.random() < 0.8:
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            path.append(key)
            if not isinstance(node[key], (dict, list)):
                break
            node = node[key]
        if path:
            parent: Any = payload
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = rng.choice(junk)
        yield payload


def check_parser_on_mutations(parse: Callable[[Any], UsageSnapshot], original: Any) -> int:
    """Every mutation parses to a sane snapshot or raises a parse error; returns successes."""
    parsed = 0
    for payload in mutations(original, seed=4):
        try:
            snapshot = parse(payload)
        except VibeusageError as error:
            assert error.category is ErrorCategory.PARSE
            continue
        parsed += 1
        for period in snapshot.periods:
            assert 0 <= period.utilization <= 100
        json.dumps(snapshot.to_dict(NOW))
        UsageSnapshot.from_dict(snapshot.to_dict(NOW))
    return parsed


def test_parse_usage_on_mutated_fixture_returns_a_snapshot_or_raises_vibeusage_error() -> None:
    assert check_parser_on_mutations(lambda p: parse_usage(p, NOW), wham()) > 100


# --- auth.json ----------------------------------------------------------------------------------


def test_credentials_from_the_fixture_shape(codex: CodexEnv) -> None:
    codex.write_auth()
    creds = read_credentials(codex.auth)
    assert creds.access_token == ACCESS
    assert creds.account_id == ACCOUNT_ID
    assert creds.email is None  # the fixture's id_token is not a decodable JWT


def test_account_id_and_email_come_from_the_id_token_when_tokens_lack_them() -> None:
    data = auth_document(account_id=None)
    data["tokens"]["id_token"] = jwt(
        {
            "email": "jwt@example.com",
            "https://api.openai.com/auth": {"chatgpt_account_id": "acc-from-jwt"},
        }
    )
    creds = parse_credentials(data, "auth.json")
    assert (creds.account_id, creds.email) == ("acc-from-jwt", "jwt@example.com")


def test_codex_home_defaults_to_dot_codex_and_honours_codex_home(codex: CodexEnv) -> None:
    ctx = codex.ctx()
    assert codex_home(ctx) == codex.root
    assert auth_path(ctx) == codex.root / "auth.json"
    env = codex.environ()
    del env["CODEX_HOME"]
    bare = make_ctx("codex", codex.home.root, env, session=False)
    assert codex_home(bare) == codex.home.root / ".codex"
    tilde = codex.ctx(CODEX_HOME="~/elsewhere")
    assert codex_home(tilde) == codex.home.root / "elsewhere"


def test_missing_auth_json_is_an_authentication_error_saying_codex_login(codex: CodexEnv) -> None:
    with pytest.raises(VibeusageError) as info:
        read_credentials(codex.auth)
    assert info.value.category is ErrorCategory.AUTHENTICATION
    assert "`codex login`" in info.value.remediation


@pytest.mark.parametrize(
    "raw",
    [
        b'{"tokens": {"access_token": "' + ACCESS.encode() + b'", "refresh_token": "',
        b'{"tokens": {"access_token": "\xff\xfe"}}',
        b"",
    ],
    ids=["truncated", "non-utf8", "empty"],
)
def test_unreadable_auth_json_is_an_authentication_error_without_secrets(
    raw: bytes, codex: CodexEnv
) -> None:
    codex.write_auth(raw=raw)
    with pytest.raises(VibeusageError) as info:
        read_credentials(codex.auth)
    assert info.value.category is ErrorCategory.AUTHENTICATION
    assert "`codex login`" in info.value.remediation
    assert_no_secret(info.value)


@pytest.mark.parametrize(
    "data",
    [
        {"tokens": None},
        {"tokens": {"access_token": ""}},
        {"tokens": {"access_token": 123}},
        {"tokens": {"refresh_token": REFRESH}},
        [ACCESS],
        None,
    ],
)
def test_auth_json_without_a_chatgpt_token_is_an_authentication_error(data: Any) -> None:
    with pytest.raises(VibeusageError) as info:
        parse_credentials(data, "auth.json")
    assert info.value.category is ErrorCategory.AUTHENTICATION
    assert "`codex login`" in info.value.remediation
    assert_no_secret(info.value)


def test_api_key_login_is_explained_as_having_no_plan_limits() -> None:
    data = {"OPENAI_API_KEY": "sk-proj-QXBpS2V5Tm90QVBsYW5Mb2dpbg", "tokens": None}
    with pytest.raises(VibeusageError) as info:
        parse_credentials(data, "auth.json")
    assert info.value.category is ErrorCategory.AUTHENTICATION
    assert "API key" in info.value.message
    assert "QXBpS2V5Tm90QVBsYW5Mb2dpbg" not in info.value.message + info.value.remediation


# --- base URL -----------------------------------------------------------------------------------


def test_base_url_defaults_to_chatgpt_backend_api(codex: CodexEnv) -> None:
    assert base_url(codex.ctx()) == "https://chatgpt.com/backend-api"
    assert usage_url(base_url(codex.ctx())) == USAGE_URL


def test_base_url_comes_from_chatgpt_base_url_in_codex_config_toml(codex: CodexEnv) -> None:
    (codex.root / "config.toml").write_text(
        'model = "gpt-5"\nchatgpt_base_url = "https://proxy.example.com/backend-api/"\n',
        encoding="utf-8",
    )
    assert base_url(codex.ctx()) == "https://proxy.example.com/backend-api/"
    assert usage_url(base_url(codex.ctx())) == "https://proxy.example.com/backend-api/wham/usage"


@pytest.mark.parametrize(
    "text",
    ["chatgpt_base_url = [", "chatgpt_base_url = 3", 'chatgpt_base_url = "ftp://x"', "\xff"],
    ids=["broken-toml", "not-a-string", "not-http", "not-utf8"],
)
def test_unusable_codex_config_falls_back_to_the_default_base(text: str, codex: CodexEnv) -> None:
    (codex.root / "config.toml").write_bytes(text.encode("latin-1"))
    assert base_url(codex.ctx()) == "https://chatgpt.com/backend-api"


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://chatgpt.com/backend-api", USAGE_URL),
        ("https://chatgpt.com", USAGE_URL),
        ("https://chat.openai.com/", "https://chat.openai.com/backend-api/wham/usage"),
        ("http://localhost:8080", "http://localhost:8080/api/codex/usage"),
        ("https://gw.example.com/codex/", "https://gw.example.com/codex/api/codex/usage"),
    ],
)
def test_usage_url_path_depends_on_backend_api_in_the_base(base: str, url: str) -> None:
    assert usage_url(base) == url


# --- the oauth strategy -------------------------------------------------------------------------


def bearer(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def usage_ok(mocked: Any, token: str = ACCESS, payload: Any = None) -> None:
    mocked.get(
        USAGE_URL,
        json=payload if payload is not None else wham(),
        match=[matchers.header_matcher(bearer(token))],
    )


def usage_401(mocked: Any, token: str = ACCESS) -> None:
    mocked.get(
        USAGE_URL,
        status=401,
        json={"detail": "Could not validate your credentials"},
        match=[matchers.header_matcher(bearer(token))],
    )


def usage_calls(mocked: Any) -> List[Any]:
    return [call for call in mocked.calls if call.request.url == USAGE_URL]


def sent_tokens(mocked: Any) -> List[str]:
    return [call.request.headers["Authorization"] for call in usage_calls(mocked)]


def assert_login_error(result: FetchResult) -> VibeusageError:
    assert not result.success
    error = result.error
    assert error is not None
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "`codex login`" in (error.remediation or "")
    assert_no_secret(error)
    return error


def test_oauth_available_only_with_auth_json(codex: CodexEnv, mocked: Any) -> None:
    assert CodexOAuth().available(codex.ctx()) is False
    codex.write_auth()
    assert CodexOAuth().available(codex.ctx()) is True
    (codex.root / "auth.json").unlink()
    codex.expected_auth = None
    (codex.root / "auth.json").mkdir()
    assert CodexOAuth().available(codex.ctx()) is False
    (codex.root / "auth.json").rmdir()
    assert len(mocked.calls) == 0


def test_oauth_request_carries_bearer_account_id_accept_and_user_agent(
    codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    mocked.get(
        USAGE_URL,
        json=wham(),
        match=[
            matchers.header_matcher(
                {
                    "Authorization": f"Bearer {ACCESS}",
                    "ChatGPT-Account-Id": ACCOUNT_ID,
                    "Accept": "application/json",
                }
            )
        ],
    )
    result = CodexOAuth().fetch(codex.ctx())
    assert result.success, result.error
    (call,) = usage_calls(mocked)
    assert call.request.method == "GET"
    assert call.request.headers["User-Agent"].startswith("vibeusage/")
    assert tuple(call.request.req_kwargs["timeout"]) == (5.0, 5.0)


def test_oauth_without_account_id_sends_no_account_header(codex: CodexEnv, mocked: Any) -> None:
    codex.write_auth(auth_document(account_id=None))
    usage_ok(mocked)
    assert CodexOAuth().fetch(codex.ctx()).success
    (call,) = usage_calls(mocked)
    assert "ChatGPT-Account-Id" not in call.request.headers


def test_oauth_success_gives_the_parsed_snapshot(codex: CodexEnv, mocked: Any) -> None:
    codex.write_auth()
    usage_ok(mocked)
    result = CodexOAuth().fetch(codex.ctx())
    assert result.snapshot is not None
    assert result.snapshot.source == "oauth"
    assert result.snapshot.fetched_at == NOW
    assert rows(result.snapshot) == LIVE_ROWS
    assert result.snapshot.identity == ProviderIdentity(email="user@example.com", plan="Plus")


def test_oauth_uses_the_base_url_of_codex_config(codex: CodexEnv, mocked: Any) -> None:
    codex.write_auth()
    (codex.root / "config.toml").write_text(
        'chatgpt_base_url = "https://gw.example.com"\n', encoding="utf-8"
    )
    mocked.get("https://gw.example.com/api/codex/usage", json=wham())
    result = CodexOAuth().fetch(codex.ctx())
    assert result.success, result.error
    assert [c.request.url for c in mocked.calls] == ["https://gw.example.com/api/codex/usage"]


def test_oauth_missing_or_broken_auth_json_fails_without_a_request(
    codex: CodexEnv, mocked: Any
) -> None:
    assert_login_error(CodexOAuth().fetch(codex.ctx()))
    codex.write_auth(raw=b"{not json")
    assert_login_error(CodexOAuth().fetch(codex.ctx()))
    assert len(mocked.calls) == 0


@posix_only
def test_oauth_401_with_cli_refresh_false_starts_no_process_and_says_codex_login(
    codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    codex.fake_codex(exec_mode="rewrite")
    usage_401(mocked)
    usage_ok(mocked, NEW_ACCESS)
    result = CodexOAuth().fetch(codex.ctx(options={"cli_refresh": False}))
    error = assert_login_error(result)
    assert error.status_code == 401
    assert codex.pids() == []
    assert sent_tokens(mocked) == [f"Bearer {ACCESS}"]
    assert result.should_fallback is True


def test_oauth_401_without_codex_on_path_is_a_login_error(codex: CodexEnv, mocked: Any) -> None:
    codex.write_auth()
    usage_401(mocked)
    assert_login_error(CodexOAuth().fetch(codex.ctx()))
    assert len(usage_calls(mocked)) == 1


@posix_only
def test_oauth_401_then_codex_renews_its_login_and_the_request_is_retried_once(
    codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    script = codex.fake_codex(exec_mode="rewrite")
    usage_401(mocked)
    usage_ok(mocked, NEW_ACCESS)
    result = CodexOAuth().fetch(codex.ctx())
    assert result.success, result.error
    assert sent_tokens(mocked) == [f"Bearer {ACCESS}", f"Bearer {NEW_ACCESS}"]
    (start,) = codex.records("starts")
    assert start["argv"] == REFRESH_ARGV
    assert Path(start["cwd"]).resolve() != Path.cwd().resolve()
    assert not Path(start["cwd"]).exists(), "the refresh's working directory was left behind"
    assert start["stdin_tty"] is False
    assert script.exists()
    # The file holds exactly what "codex" wrote: vibeusage added nothing to it.
    assert codex.auth.read_text(encoding="utf-8") == codex.read("codex-wrote")
    codex.accept_auth()
    assert reaped(start["pid"])


@posix_only
def test_oauth_401_again_after_a_refresh_is_not_refreshed_twice(
    codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    codex.fake_codex(exec_mode="rewrite")
    usage_401(mocked)
    usage_401(mocked, NEW_ACCESS)
    assert_login_error(CodexOAuth().fetch(codex.ctx()))
    assert sent_tokens(mocked) == [f"Bearer {ACCESS}", f"Bearer {NEW_ACCESS}"]
    assert len(codex.pids()) == 1
    assert codex.auth.read_text(encoding="utf-8") == codex.read("codex-wrote")
    codex.accept_auth()


@posix_only
def test_oauth_401_and_codex_leaves_the_token_alone_is_a_login_error(
    codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    codex.fake_codex(exec_mode="noop")
    usage_401(mocked)
    assert_login_error(CodexOAuth().fetch(codex.ctx()))
    assert len(codex.pids()) == 1
    assert len(usage_calls(mocked)) == 1


@posix_only
def test_oauth_hanging_refresh_is_abandoned_at_its_cap_and_its_group_killed(
    codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    codex.fake_codex(exec_mode="hang")
    usage_401(mocked)
    ctx = codex.ctx(timeout=3.0)
    started = time.monotonic()
    assert_login_error(CodexOAuth().fetch(ctx))
    elapsed = time.monotonic() - started
    assert 0.8 <= elapsed <= 3.0  # the cap is max(1, timeout - 2) seconds
    (pid,) = codex.pids()
    assert reaped(pid)
    for grandchild in codex.grandchildren():
        assert gone_within(grandchild, 1.0), "a process started by codex was left running"


@pytest.mark.parametrize(
    ("status", "category"),
    [
        (403, ErrorCategory.AUTHORIZATION),
        (404, ErrorCategory.NOT_FOUND),
        (429, ErrorCategory.RATE_LIMITED),
        (500, ErrorCategory.PROVIDER),
        (503, ErrorCategory.PROVIDER),
    ],
)
def test_oauth_http_errors_are_classified(
    status: int, category: ErrorCategory, codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    mocked.get(USAGE_URL, status=status, json={"detail": "x"}, headers={"Retry-After": "120"})
    result = CodexOAuth().fetch(codex.ctx())
    assert result.error is not None
    assert result.error.category is category
    assert result.error.status_code == status
    assert result.should_fallback is True
    assert_no_secret(result.error)
    if status == 429:
        assert result.error.retry_after == 120.0


def test_oauth_html_page_with_200_is_a_parse_error(codex: CodexEnv, mocked: Any) -> None:
    codex.write_auth()
    mocked.get(
        USAGE_URL,
        body="<html><body>Just a moment...</body></html>",
        content_type="text/html",
    )
    with pytest.raises(VibeusageError) as info:
        CodexOAuth().run(codex.ctx())
    assert info.value.category is ErrorCategory.PARSE
    assert "HTML" in info.value.message


def test_oauth_connection_error_is_a_network_error_naming_codex(
    codex: CodexEnv, mocked: Any
) -> None:
    codex.write_auth()
    mocked.get(USAGE_URL, body=requests.ConnectionError("reset by peer"))
    error = CodexOAuth().fetch(codex.ctx()).error
    assert error is not None
    assert error.category is ErrorCategory.NETWORK
    assert error.message == "Could not connect to Codex (chatgpt.com)"


def test_reset_credit_count_reaches_the_snapshot_json_and_verbose() -> None:
    from vibeusage.pipeline import ProviderResult
    from vibeusage.providers import codex
    from vibeusage.views.usage_text import Style, render_results

    snapshot = parse_usage(wham(), NOW)
    assert snapshot.reset_credits == 2
    assert snapshot.to_dict(NOW)["rate_limit_resets_available"] == 2
    assert UsageSnapshot.from_dict(snapshot.to_dict(NOW)).reset_credits == 2
    text = render_results(
        [ProviderResult(codex.PROVIDER, snapshot=snapshot)], NOW, Style(verbose=True)
    )
    assert "Limit resets available: 2" in text
