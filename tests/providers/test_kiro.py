"""Kiro: the /usage screens and whoami answers, GetUsageLimits, the state database, ``api``.

Every screen variant of the fixtures (2.x with ANSI codes, overage on and off, 1.x box and
lines, managed plans, backend and login failures); the API's endpoint chosen by the profile
ARN's region with no request at all when the ARN does not parse; kiro-cli's state read
without a byte changed. No real kiro-cli, no network.
"""

import json
import os
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict

import pytest
import requests
from responses import matchers

from tests.conftest import FIXTURES, Home, load_fixture, make_ctx
from tests.providers.kiro_env import (
    ACCESS,
    ARN_EU,
    ARN_US,
    EU_URL,
    NOW,
    REFRESH,
    US_URL,
    token_document,
    write_state,
)
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.kit.terminal.screen import strip_ansi
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity
from vibeusage.providers.kiro import PROVIDER
from vibeusage.providers.kiro.api import ENDPOINTS, KiroApi, aws_error, choose_endpoint
from vibeusage.providers.kiro.screen import (
    MANAGED_NOTE,
    Whoami,
    parse_usage_screen,
    parse_whoami,
    plan_title,
    reset_time,
)
from vibeusage.providers.kiro.state import KiroLogin, arn_region, parse_login, read_login
from vibeusage.providers.kiro.usage import decode_limits, parse_usage_limits

UTC = timezone.utc
PARIS = timezone(timedelta(hours=2))
WHOAMI = Whoami(True, "dev@example.com", "IamIdentityCenter")
SCREENS = FIXTURES / "kiro"


def screen(name: str) -> str:
    return strip_ansi((SCREENS / name).read_text(encoding="utf-8"))


def limits(**changes: Any) -> Dict[str, Any]:
    document, problem = decode_limits(
        (SCREENS / "get-usage-limits-power-overage.json").read_bytes()
    )
    assert problem is None
    document.update(changes)
    return document


def row(document: Dict[str, Any]) -> Dict[str, Any]:
    result: Dict[str, Any] = document["usageBreakdownList"][0]
    return result


# --- the /usage screens ---------------------------------------------------------------------


def test_v2_free_screen_with_ansi_has_monthly_and_bonus_credits_and_overage_disabled() -> None:
    snapshot = parse_usage_screen(screen("usage-v2-free-bonus.ansi.txt"), NOW, UTC, WHOAMI)
    monthly, bonus = snapshot.periods
    assert (monthly.name, monthly.utilization, monthly.period_type) == (
        "Monthly credits",
        0,
        PeriodType.MONTHLY,
    )
    assert monthly.resets_at == datetime(2026, 6, 1, tzinfo=UTC)
    assert (bonus.name, bonus.utilization) == ("Bonus credits", 2)  # 45.53 of 2000, floored
    assert bonus.resets_at == NOW + timedelta(days=19)
    assert snapshot.overage == OverageUsage(Decimal("0.00"), None, "USD", is_enabled=False)
    assert snapshot.identity == ProviderIdentity("dev@example.com", None, "Kiro Free")
    assert snapshot.source == "cli"
    assert "kiro-cli login: IamIdentityCenter" in snapshot.notes


def test_v2_pro_screen_with_overage_enabled_reports_the_estimated_cost() -> None:
    snapshot = parse_usage_screen(screen("usage-v2-pro-overage.txt"), NOW, UTC, None)
    (monthly,) = snapshot.periods
    assert monthly.utilization == 100
    assert snapshot.overage is not None
    assert snapshot.overage.to_dict() == {
        "used": "1.61",
        "limit": None,
        "currency": "USD",
        "is_enabled": True,
        "balance": None,
        "unlimited": False,
    }
    assert snapshot.identity == ProviderIdentity(plan="Kiro Pro")
    assert "Overage: 40.29 credits beyond the plan" in snapshot.notes


def test_legacy_box_strips_the_frame_and_uses_the_bar_percent_and_next_years_reset() -> None:
    snapshot = parse_usage_screen(screen("usage-legacy-box.txt"), NOW, UTC, None)
    monthly, bonus = snapshot.periods
    # The doc's rule: the bar's percent first (100 %), even though 0.00 of 50 is shown.
    assert monthly.utilization == 100
    assert monthly.resets_at == datetime(2027, 1, 1, tzinfo=UTC)  # 01/01 has passed this year
    assert (bonus.utilization, bonus.resets_at) == (0, NOW + timedelta(days=88))
    assert snapshot.overage is None  # no Overages section
    assert snapshot.identity is not None and snapshot.identity.plan == "Kiro Free"


def test_legacy_simple_lines_with_bonus_on_the_same_line() -> None:
    snapshot = parse_usage_screen(screen("usage-legacy-simple-bonus.txt"), NOW, PARIS, None)
    monthly, bonus = snapshot.periods
    assert monthly.utilization == 80
    # 02/01 is local midnight (UTC+2 here): 22:00 UTC the day before.
    assert monthly.resets_at == datetime(2027, 1, 31, 22, 0, tzinfo=UTC)
    assert (bonus.utilization, bonus.resets_at) == (50, NOW + timedelta(days=7))
    assert snapshot.identity is not None and snapshot.identity.plan == "Kiro Pro"


def test_managed_plan_is_a_success_without_periods() -> None:
    snapshot = parse_usage_screen(screen("usage-managed-plan.txt"), NOW, UTC, WHOAMI)
    assert snapshot.periods == ()
    assert snapshot.identity == ProviderIdentity("dev@example.com", None, "Q Developer Pro")
    assert MANAGED_NOTE in snapshot.notes


@pytest.mark.parametrize(
    ("fixture", "category", "words"),
    [
        ("usage-backend-error.ansi.txt", ErrorCategory.PROVIDER, "could not retrieve"),
        ("usage-login-required.txt", ErrorCategory.AUTHENTICATION, "not logged in"),
        ("context.txt", ErrorCategory.PARSE, "no usage"),
        ("version.txt", ErrorCategory.PARSE, "no usage"),
    ],
)
def test_screens_without_usage_raise_what_they_show(
    fixture: str, category: ErrorCategory, words: str
) -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_usage_screen(screen(fixture), NOW, UTC, None)
    assert raised.value.category is category
    assert words in raised.value.message
    if category is ErrorCategory.AUTHENTICATION:
        assert "kiro-cli login" in raised.value.remediation
        assert raised.value.exit_code == 2
    if category is ErrorCategory.PARSE:
        assert "kiro-cli --version" in raised.value.remediation


def test_credits_line_without_a_bar_gives_the_floored_share() -> None:
    text = "| KIRO PRO+ |\n(12.99 of 50 covered in plan), resets on 2026-09-01\n"
    snapshot = parse_usage_screen(text, NOW, UTC, None)
    assert [p.utilization for p in snapshot.periods] == [25]
    assert snapshot.identity is not None and snapshot.identity.plan == "Kiro Pro+"


def test_overages_enabled_without_a_cost_line_is_zero_spent() -> None:
    text = "Estimated Usage | resets on 2026-09-01 | KIRO PRO\n██ 5%\nOverages: Enabled\n"
    snapshot = parse_usage_screen(text, NOW, UTC, None)
    assert snapshot.overage == OverageUsage(Decimal("0.00"), None, "USD", is_enabled=True)


@pytest.mark.parametrize(
    ("plan", "title"),
    [
        ("KIRO FREE", "Kiro Free"),
        ("KIRO PRO+", "Kiro Pro+"),
        ("KIRO  POWER ", "Kiro Power"),
        ("Q Developer Pro", "Q Developer Pro"),
    ],
)
def test_plan_titles_are_cased_per_word(plan: str, title: str) -> None:
    assert plan_title(plan) == title


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("2026-06-01", NOW, datetime(2026, 6, 1, tzinfo=UTC)),
        ("09/01", NOW, datetime(2026, 9, 1, tzinfo=UTC)),
        ("08/20", NOW, datetime(2027, 8, 20, tzinfo=UTC)),  # today's midnight has passed
        ("02/29", NOW, None),  # 2026 and 2027 have no 29 February
        ("13/01", NOW, None),
        ("2026-13-01", NOW, None),
    ],
)
def test_reset_dates_are_local_midnights(text: str, now: datetime, expected: Any) -> None:
    assert reset_time(text, now, UTC) == expected


def test_parser_raises_only_vibeusage_errors_on_arbitrary_text() -> None:
    import random

    rng = random.Random(17)
    pieces = [
        "█",
        "%",
        "(",
        " of ",
        " covered in plan)",
        "resets on ",
        "99/99",
        "12/31",
        "Bonus credits:",
        "/",
        "expires in 9999999999 days",
        "Overages:",
        "Enabled",
        "Est. cost: $",
        "1e999",
        "KIRO ",
        "|",
        "\n",
        "┃",
        "9" * 400,
        "0",
        ".5",
        "Plan:",
        "managed by admin",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        try:
            snapshot = parse_usage_screen(text, NOW, UTC, None)
        except VibeusageError:
            continue
        json.dumps(snapshot.to_dict(NOW), allow_nan=False)


# --- whoami ---------------------------------------------------------------------------------


def test_whoami_json_line_is_read_and_the_profile_trailer_ignored() -> None:
    assert parse_whoami(screen("whoami-2.7.1.txt")) == WHOAMI


def test_whoami_null_account_means_logged_out_whatever_the_exit_code() -> None:
    assert parse_whoami(screen("whoami-logged-out.txt")) == Whoami(False)


def test_whoami_text_of_older_releases() -> None:
    assert parse_whoami(screen("whoami-text-legacy.txt")) == Whoami(
        True, "user@example.com", "Google"
    )
    assert parse_whoami("user@example.com\n") == Whoami(True, "user@example.com", None)


@pytest.mark.parametrize(
    "text", ["Not logged in\n", "error: OAuth error: All callback ports are in use.\n"]
)
def test_whoami_login_markers_mean_logged_out(text: str) -> None:
    assert parse_whoami(text) == Whoami(False)


@pytest.mark.parametrize("text", ["", "{not json\n", "[1, 2]\n", "something else\n"])
def test_whoami_without_an_answer_is_unknown(text: str) -> None:
    assert parse_whoami(text) is None


# --- GetUsageLimits -------------------------------------------------------------------------


def test_power_plan_with_overage_in_use() -> None:
    snapshot = parse_usage_limits(limits(), NOW)
    monthly, overage = snapshot.periods
    reset = datetime(2026, 9, 1, tzinfo=UTC)  # 1.7882208E9 epoch seconds
    assert (monthly.name, monthly.utilization, monthly.resets_at) == ("Monthly credits", 100, reset)
    # 13603.49 total - 3603.49 overage = 10000 plan credits of 10000.
    assert (overage.name, overage.utilization, overage.resets_at) == ("Overage credits", 36, reset)
    assert snapshot.overage is not None
    assert snapshot.overage.to_dict()["used"] == "144.14"
    assert snapshot.overage.limit == Decimal("400.000")  # 10000 credits x $0.04
    assert snapshot.overage.is_enabled
    assert snapshot.identity == ProviderIdentity(plan="Kiro Power")
    assert snapshot.source == "api" and snapshot.notes == ()


def test_precise_fields_win_over_the_rounded_ones() -> None:
    document = limits()
    row(document).update(currentUsageWithPrecision=Decimal("5000.99"), currentUsage=9999)
    row(document).update(currentOveragesWithPrecision=Decimal("0"), currentOverages=9999)
    monthly = parse_usage_limits(document, NOW).periods[0]
    assert monthly.utilization == 50  # floor(5000.99 / 10000 x 100)


def test_rounded_fields_are_used_when_the_precise_ones_are_missing() -> None:
    document = limits()
    for key in ("currentUsageWithPrecision", "currentOveragesWithPrecision"):
        del row(document)[key]
    row(document).update(currentUsage=2500, currentOverages=0)
    assert parse_usage_limits(document, NOW).periods[0].utilization == 25


def test_overage_disabled_has_no_overage_period_and_no_limit() -> None:
    document = limits(overageConfiguration={"overageStatus": "DISABLED"})
    row(document).update(
        currentUsageWithPrecision=Decimal("120.5"),
        currentOveragesWithPrecision=Decimal("0"),
        overageCharges=0,
    )
    snapshot = parse_usage_limits(document, NOW)
    assert [p.name for p in snapshot.periods] == ["Monthly credits"]
    assert snapshot.overage == OverageUsage(Decimal(0), None, "USD", is_enabled=False)


def test_enabled_overage_without_a_cap_has_an_unknown_limit() -> None:
    document = limits()
    for key in ("overageCap", "overageCapWithPrecision"):
        del row(document)[key]
    snapshot = parse_usage_limits(document, NOW)
    assert [p.name for p in snapshot.periods] == ["Monthly credits"]
    assert snapshot.overage is not None and snapshot.overage.limit is None


def test_bonuses_are_folded_into_the_plan_figure_and_a_note_says_so() -> None:
    document = limits()
    row(document)["bonuses"] = [{"bonusCode": "WELCOME", "usageLimit": 500}]
    row(document)["currentUsageWithPrecision"] = Decimal("20000")
    snapshot = parse_usage_limits(document, NOW)
    assert snapshot.periods[0].utilization == 100
    assert any("Bonus credits" in note for note in snapshot.notes)


def test_top_level_reset_is_used_when_the_row_has_none() -> None:
    document = limits(nextDateReset=Decimal("1790000000"))
    del row(document)["nextDateReset"]
    assert parse_usage_limits(document, NOW).periods[0].resets_at == datetime.fromtimestamp(
        1790000000, UTC
    )


def test_a_reset_in_milliseconds_is_rejected_with_a_note() -> None:
    document = limits()
    row(document)["nextDateReset"] = 1788220800000
    snapshot = parse_usage_limits(document, NOW)
    assert snapshot.periods[0].resets_at is None
    assert "The reset date Kiro sent could not be read" in snapshot.notes


@pytest.mark.parametrize(
    "change",
    [
        {"usageBreakdownList": []},
        {"usageBreakdownList": [{"resourceType": "CREDIT"}, {"resourceType": "CREDIT"}]},
        {"usageBreakdownList": None},
    ],
)
def test_none_or_several_credit_rows_are_a_parse_error(change: Dict[str, Any]) -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_usage_limits(limits(**change), NOW)
    assert raised.value.category is ErrorCategory.PARSE


@pytest.mark.parametrize(
    "change",
    [
        {"currentOveragesWithPrecision": Decimal("20000")},  # more overage than usage
        {"currentUsageWithPrecision": "lots"},  # present but unreadable
        {"currentUsageWithPrecision": Decimal("-1")},
    ],
)
def test_impossible_or_unreadable_figures_are_a_parse_error(change: Dict[str, Any]) -> None:
    document = limits()
    row(document).update(change)
    with pytest.raises(VibeusageError) as raised:
        parse_usage_limits(document, NOW)
    assert raised.value.category is ErrorCategory.PARSE


def test_numbers_are_decoded_as_decimals_without_float_artefacts() -> None:
    document, _ = decode_limits(b'{"a": 0.1, "b": 1.7882208E9}')
    assert document == {"a": Decimal("0.1"), "b": Decimal("1.7882208E9")}
    assert decode_limits(b"<html>")[1] == "a body that is not JSON"
    assert decode_limits(b"\xff\xfe")[1] == "a body that is not JSON"


# --- state database -------------------------------------------------------------------------


def test_token_and_profile_come_from_the_state_database(tmp_path: Path) -> None:
    path = write_state(tmp_path / "data.sqlite3", token_document())
    login = read_login(path)
    assert login.access_token == ACCESS and login.profile_arn == ARN_EU
    assert login.expires_at == datetime(2026, 12, 1, 12, 34, 56, 789012, tzinfo=UTC)
    assert login.key == "kirocli:odic:token"


def test_token_keys_are_tried_social_first(tmp_path: Path) -> None:
    path = write_state(
        tmp_path / "data.sqlite3",
        extra_tokens={
            "codewhisperer:odic:token": token_document(access_token="aoaAAAAAlegacyToken0000000"),
            "kirocli:social:token": token_document(access_token="aoaAAAAAsocialToken0000000"),
        },
        as_bytes=True,
    )
    login = read_login(path)
    assert (login.key, login.access_token) == ("kirocli:social:token", "aoaAAAAAsocialToken0000000")


def test_profile_falls_back_to_the_state_table(tmp_path: Path) -> None:
    profile = load_fixture("kiro/state-profile.json")
    profile["arn"] = ARN_US
    path = write_state(tmp_path / "s.sqlite3", token_document(profile_arn=None), profile=profile)
    assert read_login(path).profile_arn == ARN_US


def test_a_login_repr_masks_the_token() -> None:
    login = parse_login("k", json.dumps(token_document()))
    assert ACCESS not in repr(login) and REFRESH not in repr(login)
    assert isinstance(login, KiroLogin)


@pytest.mark.parametrize(
    "setup",
    ["missing", "no token", "not json", "not a database"],
)
def test_unusable_state_is_an_authentication_error(tmp_path: Path, setup: str) -> None:
    path = tmp_path / "data.sqlite3"
    if setup == "no token":
        write_state(path)
    elif setup == "not json":
        write_state(path, extra_tokens={})
        import sqlite3

        connection = sqlite3.connect(str(path))
        connection.execute("INSERT INTO auth_kv VALUES ('kirocli:odic:token', '{broken')")
        connection.commit()
        connection.close()
    elif setup == "not a database":
        path.write_bytes(b"garbage" * 100)
    with pytest.raises(VibeusageError) as raised:
        read_login(path)
    assert raised.value.category is ErrorCategory.AUTHENTICATION


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        (ARN_EU, "eu-central-1"),
        (ARN_US, "us-east-1"),
        ("arn:aws:codewhisperer:ap-south-1:123456789012:profile/X1", "ap-south-1"),
        ("arn:aws:codewhisperer:eu-central-1:12345:profile/X1", None),
        ("arn:aws:codewhisperer:eu-central-1:123456789012:profile/a.b", None),
        ("arn:aws:s3:::bucket", None),
        ("", None),
    ],
)
def test_profile_arns_parse_only_in_the_documented_form(arn: str, region: Any) -> None:
    assert arn_region(arn) == region


# --- the api strategy -----------------------------------------------------------------------


def api_ctx(home: Home, **options: Any) -> Any:
    return make_ctx("kiro", home.root, options=options, clock=lambda: NOW)


def state_path(home: Home) -> Path:
    return home.root / ".local" / "share" / "kiro-cli" / "data.sqlite3"


def test_api_posts_json_1_0_to_the_profile_regions_endpoint(home: Home, mocked: Any) -> None:
    write_state(state_path(home), token_document())
    mocked.post(
        EU_URL,
        json=load_fixture("kiro/get-usage-limits-power-overage.json"),
        match=[
            matchers.header_matcher(
                {
                    "Content-Type": "application/x-amz-json-1.0",
                    "X-Amz-Target": "AmazonCodeWhispererService.GetUsageLimits",
                    "Authorization": f"Bearer {ACCESS}",
                    "Accept": "application/json",
                }
            ),
            matchers.json_params_matcher({"profileArn": ARN_EU}),
        ],
    )
    result = KiroApi().fetch(api_ctx(home))
    assert result.snapshot is not None, result.error
    assert [p.utilization for p in result.snapshot.periods] == [100, 36]
    # The token's own region is eu-west-1: the profile's (eu-central-1) decides.
    assert [c.request.url for c in mocked.calls] == [EU_URL]


def test_us_east_1_profile_goes_to_codewhisperer(home: Home, mocked: Any) -> None:
    write_state(state_path(home), token_document(profile_arn=ARN_US, region="us-east-1"))
    mocked.post(US_URL, json=load_fixture("kiro/get-usage-limits-power-overage.json"))
    assert KiroApi().fetch(api_ctx(home)).success
    assert [c.request.url for c in mocked.calls] == [US_URL]


@pytest.mark.parametrize(
    ("arn", "words"),
    [
        (
            "arn:aws:codewhisperer:ap-south-1:123456789012:profile/ABC",
            "ap-south-1 is not supported",
        ),
        ("arn:aws:codewhisperer:eu-central-1:1234:profile/ABC", "not readable"),
        ("https://evil.example.com/", "not readable"),
    ],
)
def test_an_unusable_arn_sends_no_request_at_all(
    home: Home, mocked: Any, arn: str, words: str
) -> None:
    write_state(state_path(home), token_document(profile_arn=arn))
    result = KiroApi().fetch(api_ctx(home, region="eu-central-1"))
    assert result.error is not None and result.error.category is ErrorCategory.PROVIDER
    assert words in result.error.message
    assert len(mocked.calls) == 0


def test_the_region_option_is_used_only_without_a_profile(home: Home, mocked: Any) -> None:
    write_state(state_path(home), token_document(profile_arn=None))
    mocked.post(
        US_URL,
        json=load_fixture("kiro/get-usage-limits-power-overage.json"),
        match=[matchers.json_params_matcher({})],
    )
    assert KiroApi().fetch(api_ctx(home, region="us-east-1")).success
    missing = KiroApi().fetch(api_ctx(home))
    assert missing.error is not None and missing.error.category is ErrorCategory.NOT_FOUND
    assert "region" in missing.error.remediation
    wrong = KiroApi().fetch(api_ctx(home, region="us-west-2"))
    assert wrong.error is not None and wrong.error.category is ErrorCategory.CONFIGURATION
    assert "us-east-1" in wrong.error.remediation and "eu-central-1" in wrong.error.remediation
    assert len(mocked.calls) == 1


def test_an_expired_token_is_never_sent_nor_refreshed(home: Home, mocked: Any) -> None:
    expiry = (NOW + timedelta(seconds=59)).isoformat()
    write_state(state_path(home), token_document(expires_at=expiry))
    result = KiroApi().fetch(api_ctx(home))
    assert result.error is not None
    assert result.error.message == "kiro-cli's login has expired"
    assert result.error.remediation == "Run `kiro-cli` once (it renews its login), then retry."
    assert result.error.exit_code == 2
    assert len(mocked.calls) == 0


def test_a_token_without_a_readable_expiry_is_tried_and_noted(home: Home, mocked: Any) -> None:
    write_state(state_path(home), token_document(expires_at="soon"))
    mocked.post(EU_URL, json=load_fixture("kiro/get-usage-limits-power-overage.json"))
    result = KiroApi().fetch(api_ctx(home))
    assert result.snapshot is not None
    assert "kiro-cli's login expiry could not be read" in result.snapshot.notes


@pytest.mark.parametrize(
    ("status", "body", "category"),
    [
        (401, {}, ErrorCategory.AUTHENTICATION),
        (403, {}, ErrorCategory.AUTHORIZATION),
        (429, {}, ErrorCategory.RATE_LIMITED),
        (400, {"__type": "com.amazon#ThrottlingException"}, ErrorCategory.RATE_LIMITED),
        (400, {"__type": "com.amazon#AccessDeniedException"}, ErrorCategory.AUTHORIZATION),
        (400, {"__type": "ExpiredTokenException", "message": "x"}, ErrorCategory.AUTHENTICATION),
        (400, {"__type": "com.amazon#ValidationException"}, ErrorCategory.PROVIDER),
        (500, {}, ErrorCategory.PROVIDER),
    ],
)
def test_refusals_map_to_categories_with_the_renew_advice(
    home: Home, mocked: Any, status: int, body: Dict[str, Any], category: ErrorCategory
) -> None:
    write_state(state_path(home), token_document())
    mocked.post(EU_URL, status=status, json=body)
    result = KiroApi().fetch(api_ctx(home))
    assert result.error is not None and result.error.category is category
    if status in (401, 403):
        assert result.error.remediation == "Run `kiro-cli` once (it renews its login), then retry."
    assert ACCESS not in result.error.message + result.error.remediation


def test_aws_error_type_may_come_in_the_header() -> None:
    response = requests.Response()
    response.status_code = 400
    response._content = b"not json"
    response.headers["x-amzn-ErrorType"] = "UnrecognizedClientException:http://x"
    assert aws_error(response).category is ErrorCategory.AUTHENTICATION


def test_redirects_are_not_followed(home: Home, mocked: Any) -> None:
    write_state(state_path(home), token_document())
    mocked.post(EU_URL, status=307, headers={"Location": "https://evil.example.com/"})
    result = KiroApi().fetch(api_ctx(home))
    assert result.error is not None
    assert [c.request.url for c in mocked.calls] == [EU_URL]


def test_the_state_database_is_never_written_even_in_wal_mode(home: Home, mocked: Any) -> None:
    import sqlite3

    path = write_state(state_path(home), token_document())
    writer = sqlite3.connect(str(path))  # kiro-cli running: WAL, a live connection
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("INSERT INTO state VALUES ('other', 'x')")
    writer.commit()
    folder = path.parent
    before = {p.name: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in folder.iterdir()}
    mocked.post(EU_URL, json=load_fixture("kiro/get-usage-limits-power-overage.json"))
    assert KiroApi().fetch(api_ctx(home)).success
    after = {p.name: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in folder.iterdir()}
    assert after == before
    writer.close()


def test_api_availability_is_the_state_database_only(home: Home, mocked: Any) -> None:
    ctx = api_ctx(home)
    assert not KiroApi().available(ctx)
    assert "no kiro-cli state" in KiroApi().explain(ctx)
    write_state(state_path(home), token_document())
    assert KiroApi().available(ctx)
    assert str(state_path(home)) in KiroApi().explain(ctx)
    assert len(mocked.calls) == 0


def test_state_path_follows_kiro_data_dir_and_xdg_data_home(home: Home, tmp_path: Path) -> None:
    from vibeusage.providers.kiro.local import state_db_path

    base = dict(os.environ)
    ctx = make_ctx("kiro", home.root, {**base, "KIRO_DATA_DIR": str(tmp_path / "k")})
    assert state_db_path(ctx) == tmp_path / "k" / "data.sqlite3"
    ctx = make_ctx("kiro", home.root, {**base, "XDG_DATA_HOME": str(tmp_path / "x")})
    assert state_db_path(ctx) == tmp_path / "x" / "kiro-cli" / "data.sqlite3"
    ctx = make_ctx("kiro", home.root, {**base, "XDG_DATA_HOME": "relative"})
    assert state_db_path(ctx) == home.root / ".local" / "share" / "kiro-cli" / "data.sqlite3"
    ctx = make_ctx("kiro", home.root, base, platform="darwin")
    assert state_db_path(ctx) == (
        home.root / "Library" / "Application Support" / "kiro-cli" / "data.sqlite3"
    )
    ctx = make_ctx("kiro", home.root, {**base, "APPDATA": str(tmp_path / "ad")}, platform="win32")
    assert state_db_path(ctx) == tmp_path / "ad" / "kiro-cli" / "data.sqlite3"


def test_choose_endpoint_knows_exactly_two_regions() -> None:
    assert set(ENDPOINTS) == {"us-east-1", "eu-central-1"}
    login = parse_login("k", json.dumps(token_document()))
    assert choose_endpoint(login, None) == (EU_URL, ARN_EU)


# --- the contract table -----------------------------------------------------------------------


def test_manifest_follows_the_contract_table() -> None:
    assert (PROVIDER.id, PROVIDER.name) == ("kiro", "Kiro")
    assert PROVIDER.strategy_names() == ("cli", "api")
    assert set(PROVIDER.env_vars) == {
        "KIRO_CLI_PATH",
        "KIRO_DATA_DIR",
        "XDG_DATA_HOME",
        "KIRO_API_KEY",
    }
    assert dict(PROVIDER.options) == {"region": str}
    assert PROVIDER.tools == ("kiro-cli",)
    assert PROVIDER.dashboard_url == "https://app.kiro.dev/account/usage"
    assert PROVIDER.status_url is None
    import re

    for pattern in PROVIDER.token_patterns:
        assert re.search(pattern, ACCESS) and re.search(pattern, REFRESH)
