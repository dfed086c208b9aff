"""Antigravity: the quota shapes, agy's envelope, discovery, stored tokens and ``oauth``.

Every payload fixture (local SUMMARY, Cloud Code SUMMARY, legacy GetUserStatus, agy 1.2.12
TSV, agy 1.3.1 snake_case, camelCase ``command.data``), agy's failures, the language-server
command lines and ``/proc`` sample, the token file's formats and the IDE's database, and the
remote call with a recorded request list: no ``onboardUser``, no token endpoint, ever.
"""

import base64
import json
import os
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, List

import pytest
import requests
from responses import matchers

from tests.conftest import FIXTURES, CliResult, Home, load_fixture, make_ctx
from tests.kit.fake_proc import add_process
from tests.providers.antigravity_env import (
    AGY_REFRESH,
    AGY_TOKEN,
    CSRF,
    DAILY_URL,
    EXT_CSRF,
    FAKE_SECRET_TOOL,
    IDE_TOKEN,
    NOW,
    QUOTA_URL,
    UTC,
    agy_document,
    auth_status_value,
    ide_db_path,
    ide_oauth_value,
    write_ide_db,
    write_token_file,
)
from tests.providers.fake_tools import posix_only, records, write_tool
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.kit.procscan import ListeningPort
from vibeusage.models import PeriodType, ProviderIdentity
from vibeusage.providers.antigravity import PROVIDER
from vibeusage.providers.antigravity.discovery import (
    argv_from_command,
    linux_servers,
    match_language_server,
    parse_lsof,
    parse_ps,
    parse_windows_ports,
    parse_windows_processes,
)
from vibeusage.providers.antigravity.envelope import parse_agy_output
from vibeusage.providers.antigravity.oauth import AntigravityOAuth, usable_token
from vibeusage.providers.antigravity.tokens import (
    StoredToken,
    auth_status,
    ide_oauth_token,
    ide_tokens,
    parse_token_text,
)
from vibeusage.providers.antigravity.usage import (
    parse_model_configs,
    parse_summary,
    parse_tsv,
    parse_user_status,
)

FIX = FIXTURES / "antigravity"


def periods(snapshot: Any) -> List[Any]:
    return [
        (p.name, p.utilization, p.period_type.value, p.resets_at and p.resets_at.isoformat())
        for p in snapshot.periods
    ]


def agy_stdout(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


# --- SUMMARY --------------------------------------------------------------------------------


def test_local_summary_gives_a_session_and_a_week_per_group_sessions_first() -> None:
    snapshot = parse_summary(
        load_fixture("antigravity/ls-retrieve-user-quota-summary.json"), NOW, "language_server"
    )
    assert periods(snapshot) == [
        ("Session (Gemini Models)", 18, "session", "2026-09-15T01:31:25+00:00"),
        # Untouched (fraction 1): its reset slides, so none is reported.
        ("Session (Claude and GPT models)", 0, "session", None),
        ("Weekly (Gemini Models)", 21, "weekly", "2026-09-15T21:55:32+00:00"),
        ("Weekly (Claude and GPT models)", 0, "weekly", "2026-09-21T23:59:01+00:00"),
    ]
    assert [p.model for p in snapshot.periods] == [
        "Gemini Models",
        "Claude and GPT models",
        "Gemini Models",
        "Claude and GPT models",
    ]
    assert snapshot.source == "language_server" and snapshot.overage is None


def test_remote_summary_at_the_root_with_the_remaining_case_value_form() -> None:
    snapshot = parse_summary(
        load_fixture("antigravity/cloudcode-retrieve-user-quota-summary.json"), NOW, "oauth"
    )
    assert periods(snapshot) == [
        ("Session (Gemini Models)", 0, "session", None),
        ("Session (Claude and GPT models)", 75, "session", "2026-10-06T17:40:00+00:00"),
        ("Weekly (Gemini Models)", 56, "weekly", "2026-10-07T11:50:41+00:00"),
        ("Weekly (Claude and GPT models)", 41, "weekly", "2026-10-11T06:25:12+00:00"),
    ]


def test_summary_under_summary_key_and_windows_from_ids_and_labels() -> None:
    payload = {
        "summary": {
            "groups": [
                {
                    "name": "Gemini Models",
                    "buckets": [
                        {"id": "gemini-5h", "remaining_fraction": 0.9, "reset_time": "1791300000"},
                        {"name": "Weekly Limit Remaining", "remainingFraction": "0.25"},
                        {"id": "x", "window": "monthly", "remainingFraction": 0.5},
                        {"id": "gemini-weekly"},
                        {"id": "odd", "window": "5h", "remainingFraction": 1.5},
                    ],
                }
            ]
        }
    }
    snapshot = parse_summary(payload, NOW, "oauth")
    assert [(p.name, p.utilization) for p in snapshot.periods] == [
        ("Session (Gemini Models)", 10),  # 0.9 remaining -> exactly 10, no float artefact
        ("Weekly (Gemini Models)", 75),
    ]
    assert snapshot.periods[0].resets_at == datetime.fromtimestamp(1791300000, UTC)
    assert snapshot.notes == (
        "Gemini Models: x: unknown window",
        "Gemini Models: gemini-weekly: no remaining fraction",
        "Gemini Models: odd: no remaining fraction",
    )


@pytest.mark.parametrize("code", [0, "0", "ok", "OK", "success"])
def test_ok_codes_are_accepted(code: Any) -> None:
    payload = load_fixture("antigravity/ls-retrieve-user-quota-summary.json")
    payload["code"] = code
    assert parse_summary(payload, NOW, "language_server").periods


@pytest.mark.parametrize(
    ("code", "category"),
    [(5, ErrorCategory.PROVIDER), ("unauthenticated", ErrorCategory.AUTHENTICATION)],
)
def test_other_codes_are_errors(code: Any, category: ErrorCategory) -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_summary({"code": code, "message": "nope", "groups": []}, NOW, "oauth")
    assert raised.value.category is category


@pytest.mark.parametrize("payload", [None, [], {}, {"groups": None}, {"response": {"x": 1}}])
def test_unrecognised_payloads_are_parse_errors(payload: Any) -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_summary(payload, NOW, "oauth")
    assert raised.value.category is ErrorCategory.PARSE


def test_an_empty_summary_is_a_parse_error_not_an_empty_success() -> None:
    with pytest.raises(VibeusageError):
        parse_summary({"groups": []}, NOW, "oauth")


# --- legacy GetUserStatus -------------------------------------------------------------------


def test_user_status_folds_models_into_two_five_hour_pools_with_identity() -> None:
    snapshot = parse_user_status(
        load_fixture("antigravity/ls-get-user-status.json"), NOW, "language_server"
    )
    assert periods(snapshot) == [
        ("Session (Gemini Models)", 18, "session", "2026-09-15T01:31:25+00:00"),
        ("Session (Claude and GPT models)", 0, "session", None),
    ]
    assert snapshot.identity == ProviderIdentity("dev@example.com", None, "Google AI Pro")


def test_the_lowest_fraction_of_a_pool_stands_for_it_and_plan_name_is_the_fallback() -> None:
    payload = load_fixture("antigravity/ls-get-user-status.json")
    status = payload["userStatus"]
    del status["userTier"]
    configs = status["cascadeModelConfigData"]["clientModelConfigs"]
    configs[3]["quotaInfo"] = {"remainingFraction": 0.3, "resetTime": "2026-09-15T03:00:00Z"}
    configs.append({"label": "No quota"})
    snapshot = parse_user_status(payload, NOW, "language_server")
    assert periods(snapshot)[1] == (
        "Session (Claude and GPT models)",
        70,
        "session",
        "2026-09-15T03:00:00+00:00",
    )
    assert snapshot.identity == ProviderIdentity("dev@example.com", None, "Pro")
    assert "No quota: no remaining fraction" in snapshot.notes


def test_model_configs_alone_and_their_errors() -> None:
    configs = load_fixture("antigravity/ls-get-user-status.json")["userStatus"][
        "cascadeModelConfigData"
    ]["clientModelConfigs"]
    assert len(parse_model_configs(configs, NOW, "language_server").periods) == 2
    for bad in (None, {"x": 1}):
        with pytest.raises(VibeusageError):
            parse_model_configs(bad, NOW, "language_server")
    with pytest.raises(VibeusageError):
        parse_user_status({"code": "ok"}, NOW, "language_server")


# --- agy's envelope -------------------------------------------------------------------------


def test_agy_1_2_12_tsv_is_percent_remaining() -> None:
    snapshot = parse_agy_output(
        "warning: old config\n" + agy_stdout("agy-quota-1.2.12.json"), "", NOW
    )
    assert periods(snapshot) == [
        ("Session (Gemini Models)", 100, "session", "2026-09-27T20:10:40+00:00"),
        ("Weekly (Gemini Models)", 0, "weekly", "2026-09-29T12:23:29+00:00"),
    ]
    assert snapshot.source == "cli"


def test_agy_1_3_1_command_data_is_preferred_to_the_tsv() -> None:
    snapshot = parse_agy_output(agy_stdout("agy-usage-1.3.1.json"), "", NOW)
    # The TSV says 99 % left of Gemini's week; command.data (0.75) wins.
    assert periods(snapshot) == [
        ("Session (Gemini Models)", 10, "session", "2026-10-08T15:45:16+00:00"),
        ("Weekly (Gemini Models)", 25, "weekly", "2026-10-14T15:13:21+00:00"),
        ("Weekly (Claude and GPT models)", 0, "weekly", "2026-10-15T10:56:15+00:00"),
    ]


def test_camel_case_command_data_leaves_the_disabled_bucket_out_with_a_note() -> None:
    snapshot = parse_agy_output(agy_stdout("agy-quota-camel-command.json"), "", NOW)
    assert [p.name for p in snapshot.periods] == [
        "Session (Gemini Models)",
        "Weekly (Gemini Models)",
        "Weekly (Claude and GPT models)",
    ]
    assert snapshot.notes == ("Claude and GPT models: Five Hour Limit Remaining: disabled",)


def test_the_same_envelope_without_command_reads_the_tsv_and_its_disabled_line() -> None:
    envelope = json.loads(agy_stdout("agy-quota-camel-command.json"))
    del envelope["command"]
    snapshot = parse_agy_output(json.dumps(envelope), "", NOW)
    assert [(p.name, p.utilization) for p in snapshot.periods] == [
        ("Session (Gemini Models)", 6),
        ("Weekly (Gemini Models)", 43),
        ("Weekly (Claude and GPT models)", 58),
    ]
    assert "disabled" in snapshot.notes[0]


def test_tsv_lines_that_cannot_be_read_are_noted() -> None:
    snapshot = parse_tsv(
        "G\tFive Hour Limit Remaining\t100%\t2026-09-15T00:00:00Z\nG\tMonthly\t5%\t\nbroken\n",
        NOW,
        "cli",
    )
    assert periods(snapshot) == [("Session (G)", 0, "session", None)]  # untouched: no reset
    assert snapshot.notes == (
        "G: Monthly: unknown window",
        "A line of agy's quota could not be read",
    )


def test_signed_out_envelope_is_authentication() -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_agy_output(agy_stdout("agy-signed-out.json"), "", NOW)
    assert raised.value.category is ErrorCategory.AUTHENTICATION
    assert "agy" in raised.value.remediation


def test_agy_error_lines_on_stderr_decide_rate_limited() -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_agy_output("", agy_stdout("agy-error-stderr.txt"), NOW)
    assert raised.value.category is ErrorCategory.RATE_LIMITED
    assert raised.value.retry_after is not None and "Too many requests" in raised.value.message


@pytest.mark.parametrize(
    ("line", "category"),
    [
        ('AGY_ERROR: {"status": "RESOURCE_EXHAUSTED", "http_status": 429}', "rate_limited"),
        ('AGY_ERROR: {"status": "UNAUTHENTICATED", "http_status": 401}', "authentication"),
        ('AGY_ERROR: {"status": "PERMISSION_DENIED", "http_status": 403}', "authentication"),
        (
            'AGY_ERROR: {"status": "INTERNAL", "http_status": 500, "short_error": "boom"}',
            "provider",
        ),
        ("AGY_ERROR: not json", "parse"),
    ],
)
def test_agy_error_statuses(line: str, category: str) -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_agy_output("", line + "\n", NOW)
    assert raised.value.category.value == category


def test_a_success_status_decides_not_an_error_line() -> None:
    stdout = agy_stdout("agy-quota-1.2.12.json")
    assert parse_agy_output(stdout, 'AGY_ERROR: {"status": "RATE_LIMITED"}', NOW).periods


@pytest.mark.parametrize("stdout", ["", "warning only\n", "{broken\n", '{"status": "ERROR"}'])
def test_no_envelope_or_a_bare_error(stdout: str) -> None:
    with pytest.raises(VibeusageError) as raised:
        parse_agy_output(stdout, "", NOW)
    assert raised.value.category in (ErrorCategory.PARSE, ErrorCategory.PROVIDER)


# --- discovery ------------------------------------------------------------------------------


def cmdlines() -> List[List[str]]:
    lines = (FIX / "ls-cmdlines.txt").read_text(encoding="utf-8").splitlines()
    return [line.split(" | ") for line in lines if line and not line.startswith("#")]


def test_the_cmdline_samples_match_exactly_as_annotated() -> None:
    matched = [match_language_server(argv) for argv in cmdlines()]
    assert [m is not None for m in matched] == [True, True, True, False, False, False, False]
    app, ide, mac = matched[0], matched[1], matched[2]
    assert app is not None and ide is not None and mac is not None
    assert (app.csrf_token, app.extension_port, app.extension_csrf_token) == (CSRF, 38411, EXT_CSRF)
    assert (ide.app_data_dir, ide.extension_port, ide.extension_csrf_token) == (
        "antigravity-ide",
        40111,
        None,
    )
    assert mac.app_data_dir == "antigravity"
    assert CSRF not in repr(app) and EXT_CSRF not in repr(app)


@pytest.mark.parametrize(
    "argv",
    [
        [
            "C:\\Program Files\\Antigravity\\resources\\app\\extensions\\antigravity"
            "\\bin\\language_server_windows_x64.exe",
            "--csrf_token",
            "t",
            "--subclient_type",
            "hub",
        ],
        ["/x/antigravity/bin/Language-Server-Linux-ARM64", "--csrf_token=t"],
    ],
)
def test_other_platforms_basenames_match(argv: List[str]) -> None:
    assert match_language_server(argv) is not None


def test_a_fake_proc_tree_gives_the_server_with_its_listening_ports(tmp_path: Path) -> None:
    net_tcp = (FIX / "proc-net-tcp.txt").read_text(encoding="ascii")
    argv = cmdlines()
    add_process(tmp_path, 100, argv[5])  # the app's renderer
    add_process(tmp_path, 200, argv[0], sockets=["412233", "412240", "413001"], tcp=net_tcp)
    add_process(tmp_path, 300, argv[3], sockets=["412233"], tcp=net_tcp)  # no CSRF token
    (server,) = linux_servers(tmp_path)
    assert server.pid == 200 and server.csrf_token == CSRF
    assert server.ports == (ListeningPort(38379, "127.0.0.1"), ListeningPort(41412, "127.0.0.1"))
    assert CSRF not in repr(server)


def test_another_users_language_server_is_not_looked_at(tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to give a fake process to another user")
    entry = add_process(tmp_path, 200, cmdlines()[0])
    os.chown(entry, 4242, -1)
    assert linux_servers(tmp_path, uid=0) == []


def test_ps_lines_of_this_user_with_spaces_in_the_program_path() -> None:
    text = (
        "  501   501 /Applications/Antigravity IDE.app/Contents/Resources/app/extensions/"
        "antigravity/bin/language_server_macos_arm --csrf_token abc "
        "--app_data_dir antigravity-ide\n"
        "  502     0 /usr/sbin/other --x\n"
        "garbage\n"
    )
    (found,) = parse_ps(text, 501)
    pid, argv = found
    assert pid == 501 and argv[0].endswith("language_server_macos_arm")
    assert argv[0].startswith("/Applications/Antigravity IDE.app/")
    args = match_language_server(argv)
    assert args is not None and args.csrf_token == "abc"


def test_lsof_listen_lines_give_loopback_ports() -> None:
    text = (
        "COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME\n"
        "language_ 501 dev 12u IPv4 0x1 0t0 TCP 127.0.0.1:38379 (LISTEN)\n"
        "language_ 501 dev 13u IPv6 0x2 0t0 TCP [::1]:38380 (LISTEN)\n"
        "language_ 501 dev 14u IPv4 0x3 0t0 TCP 192.168.1.5:38381 (LISTEN)\n"
        "language_ 501 dev 15u IPv4 0x4 0t0 TCP *:38382 (LISTEN)\n"
    )
    assert parse_lsof(text) == [
        ListeningPort(38379, "127.0.0.1"),
        ListeningPort(38380, "::1"),
        ListeningPort(38382, "127.0.0.1"),
    ]


def test_powershell_json_gives_processes_and_ports() -> None:
    processes = json.dumps(
        [
            {
                "ProcessId": 7,
                "CommandLine": (
                    '"C:\\A\\antigravity\\bin\\language_server_windows_x64.exe" --csrf_token t'
                ),
            },
            {"ProcessId": 8, "CommandLine": None},
        ]
    )
    (found,) = parse_windows_processes(processes)
    assert found[0] == 7 and match_language_server(found[1]) is not None
    ports = json.dumps({"LocalAddress": "127.0.0.1", "LocalPort": 5000})
    assert parse_windows_ports(ports) == [ListeningPort(5000, "127.0.0.1")]
    assert parse_windows_ports("not json") == [] and parse_windows_processes("") == []


def test_argv_from_command_without_a_server_is_split_on_spaces() -> None:
    assert argv_from_command("/usr/bin/python3 -c x") == ("/usr/bin/python3", "-c", "x")


# --- stored tokens --------------------------------------------------------------------------


def test_the_token_file_json_with_nanoseconds_and_an_offset() -> None:
    token = parse_token_text(json.dumps(agy_document()), "agy token file")
    assert token is not None and token.access_token == AGY_TOKEN
    assert token.expires_at == datetime(2026, 10, 6, 10, 57, 51, 458222, tzinfo=UTC)
    assert token.email == "dev@example.com"  # the id_token's claim
    assert AGY_TOKEN not in repr(token)


def test_the_token_file_other_formats() -> None:
    encoded = "go-keyring-base64:" + base64.b64encode(json.dumps(agy_document()).encode()).decode()
    token = parse_token_text(encoded, "f")
    assert token is not None and token.access_token == AGY_TOKEN
    assert parse_token_text(f"Bearer {AGY_TOKEN}\n", "f") == StoredToken(AGY_TOKEN, None, "f")
    assert parse_token_text(AGY_TOKEN, "f") == StoredToken(AGY_TOKEN, None, "f")
    for junk in ("", "hello", "{broken", '{"token": {}}', "go-keyring-base64:@@@", "[1]"):
        assert parse_token_text(junk, "f") is None


def test_the_ides_protobuf_token_and_auth_status() -> None:
    token = ide_oauth_token(ide_oauth_value())
    assert token == StoredToken(
        IDE_TOKEN, datetime.fromtimestamp(1791300000, UTC), "Antigravity IDE"
    )
    assert ide_oauth_token(ide_oauth_value().encode()) == token
    for junk in (None, 5, "", "bm90IHByb3Rv", base64.b64encode(b"\x0a\x02\x0a\x00").decode()):
        assert ide_oauth_token(junk) is None
    status = auth_status(auth_status_value())
    assert status == StoredToken(IDE_TOKEN, None, "Antigravity IDE", "dev@example.com")
    assert auth_status("{}") is None and auth_status(b"junk") is None


def test_the_ide_database_is_read_without_a_byte_changed_while_the_ide_holds_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.vscdb"
    connection = write_ide_db(
        path,
        {
            "antigravityUnifiedStateSync.oauthToken": ide_oauth_value(),
            "antigravityAuthStatus": auth_status_value(),
        },
        wal=True,
    )
    connection.execute("PRAGMA locking_mode=EXCLUSIVE")
    connection.execute("BEGIN EXCLUSIVE")
    connection.execute("INSERT INTO ItemTable VALUES ('other', 'x')")
    before = {p.name: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in tmp_path.iterdir()}
    found = ide_tokens(path)
    after = {p.name: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in tmp_path.iterdir()}
    assert [t.access_token for t in found] == [IDE_TOKEN, IDE_TOKEN]
    assert found[0].email == "dev@example.com"
    assert after == before
    connection.rollback()
    connection.close()


def test_an_unreadable_ide_database_gives_no_tokens(tmp_path: Path) -> None:
    path = tmp_path / "state.vscdb"
    path.write_bytes(b"garbage" * 50)
    assert ide_tokens(path) == []


# --- the oauth strategy ---------------------------------------------------------------------


def oauth_ctx(home: Home, environ: Any = None, **kwargs: Any) -> Any:
    return make_ctx("antigravity", home.root, environ, clock=lambda: NOW, **kwargs)


def answer(mocked: Any, url: str = QUOTA_URL, **kwargs: Any) -> None:
    kwargs.setdefault(
        "json", load_fixture("antigravity/cloudcode-retrieve-user-quota-summary.json")
    )
    mocked.post(url, **kwargs)


def test_oauth_sends_the_stored_token_with_the_antigravity_user_agent(
    home: Home, mocked: Any
) -> None:
    write_token_file(home.root, json.dumps(agy_document()))
    answer(
        mocked,
        match=[
            matchers.header_matcher(
                {
                    "Authorization": f"Bearer {AGY_TOKEN}",
                    "User-Agent": "antigravity",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                }
            ),
            matchers.json_params_matcher({}),
        ],
    )
    result = AntigravityOAuth().fetch(oauth_ctx(home))
    assert result.snapshot is not None, result.error
    assert result.snapshot.source == "oauth"
    assert result.snapshot.identity == ProviderIdentity(email="dev@example.com")
    assert len(result.snapshot.periods) == 4
    assert [c.request.url for c in mocked.calls] == [QUOTA_URL]
    assert mocked.calls[0].request.req_kwargs["verify"] is not False


@pytest.mark.parametrize(
    "first",
    [
        {"status": 503, "json": {}},
        {"status": 404, "json": {}},
        {"body": requests.ConnectionError("refused")},
    ],
)
def test_the_daily_host_is_tried_once_after_an_outage_of_the_first(
    home: Home, mocked: Any, first: Any
) -> None:
    write_token_file(home.root, json.dumps(agy_document()))
    mocked.post(QUOTA_URL, **first)
    answer(mocked, DAILY_URL)
    result = AntigravityOAuth().fetch(oauth_ctx(home))
    assert result.success, result.error
    assert [c.request.url for c in mocked.calls] == [QUOTA_URL, DAILY_URL]


def test_both_hosts_down_reports_the_first_hosts_error(home: Home, mocked: Any) -> None:
    write_token_file(home.root, json.dumps(agy_document()))
    mocked.post(QUOTA_URL, status=502, json={})
    mocked.post(DAILY_URL, body=requests.ConnectionError("refused"))
    result = AntigravityOAuth().fetch(oauth_ctx(home))
    assert result.error is not None and result.error.status_code == 502


@pytest.mark.parametrize(
    ("status", "category", "words"),
    [
        (401, ErrorCategory.AUTHENTICATION, "Run `agy` and sign in"),
        (403, ErrorCategory.AUTHORIZATION, "limits are not available"),
        (429, ErrorCategory.RATE_LIMITED, None),
    ],
)
def test_definite_refusals_are_not_retried_on_the_other_host(
    home: Home, mocked: Any, status: int, category: ErrorCategory, words: Any
) -> None:
    write_token_file(home.root, json.dumps(agy_document()))
    mocked.post(QUOTA_URL, status=status, json={})
    result = AntigravityOAuth().fetch(oauth_ctx(home))
    assert result.error is not None and result.error.category is category
    if words:
        assert words in result.error.remediation
    assert [c.request.url for c in mocked.calls] == [QUOTA_URL]


def test_an_expired_token_is_never_sent_nor_refreshed(home: Home, mocked: Any) -> None:
    expired = (NOW + timedelta(seconds=30)).isoformat()
    write_token_file(home.root, json.dumps(agy_document(expiry=expired)))
    result = AntigravityOAuth().fetch(oauth_ctx(home))
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert "renews its login" in result.error.remediation
    assert len(mocked.calls) == 0


def test_an_expired_agy_token_gives_way_to_the_ides(home: Home, mocked: Any) -> None:
    write_token_file(home.root, json.dumps(agy_document(expiry="2026-01-01T00:00:00Z")))
    write_ide_db(
        ide_db_path(home.root), {"antigravityUnifiedStateSync.oauthToken": ide_oauth_value()}
    ).close()
    answer(mocked, match=[matchers.header_matcher({"Authorization": f"Bearer {IDE_TOKEN}"})])
    assert AntigravityOAuth().fetch(oauth_ctx(home)).success


def test_a_token_without_expiry_is_tried_as_it_is(home: Home, mocked: Any) -> None:
    write_token_file(home.root, AGY_TOKEN)
    answer(mocked)
    assert AntigravityOAuth().fetch(oauth_ctx(home)).success


def test_nothing_stored_is_the_no_credentials_error(home: Home, mocked: Any) -> None:
    (home.root / ".gemini" / "antigravity-cli").mkdir(parents=True)
    ctx = oauth_ctx(home)
    assert AntigravityOAuth().available(ctx)
    result = AntigravityOAuth().fetch(ctx)
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert "Open the Antigravity app" in result.error.remediation
    assert len(mocked.calls) == 0


def test_oauth_availability_is_local_and_explained(home: Home, mocked: Any) -> None:
    ctx = oauth_ctx(home)
    assert not AntigravityOAuth().available(ctx)
    assert "no agy data folder" in AntigravityOAuth().explain(ctx)
    write_ide_db(ide_db_path(home.root, "Antigravity"), {}).close()
    assert AntigravityOAuth().available(ctx)
    assert "IDE state" in AntigravityOAuth().explain(ctx)
    assert len(mocked.calls) == 0


@posix_only
def test_the_keyring_is_asked_through_secret_tool_only_with_a_dbus_session(
    home: Home, mocked: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    bin_dir = tmp_path / "bin"
    write_tool(bin_dir, "secret-tool", FAKE_SECRET_TOOL)
    keyring = tmp_path / "keyring.json"
    keyring.write_text(json.dumps(agy_document()))
    environ = dict(os.environ)
    environ.update(
        PATH=f"{bin_dir}:{environ['PATH']}", FAKE_OUT=str(out), FAKE_KEYRING=str(keyring)
    )
    write_token_file(home.root, "ya29.a0TheFileTokenComesSecond000000")
    answer(mocked, match=[matchers.header_matcher({"Authorization": f"Bearer {AGY_TOKEN}"})])
    with_bus = {**environ, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/0/bus"}
    assert usable_token(oauth_ctx(home, with_bus)).source == "agy keyring"
    assert records(out, "secret-tool")[0]["argv"] == [
        "lookup",
        "service",
        "gemini",
        "username",
        "antigravity",
    ]
    assert usable_token(oauth_ctx(home, environ)).source == "agy token file"
    assert len(records(out, "secret-tool")) == 1  # not asked without a D-Bus session
    assert AntigravityOAuth().fetch(oauth_ctx(home, with_bus)).success


def test_a_full_run_never_calls_onboard_user_nor_the_token_endpoint(
    home: Home, mocked: Any, cli: Any
) -> None:
    """The whole chain through the CLI, every request recorded: only the quota summary."""
    import re

    write_token_file(home.root, json.dumps(agy_document(expiry="2026-01-01T00:00:00Z")))
    write_ide_db(ide_db_path(home.root), {"antigravityAuthStatus": auth_status_value()}).close()
    answer(mocked)
    mocked.post(re.compile(r"https://.*"), status=401, json={})  # anything else, recorded
    mocked.get(re.compile(r"https://www\.google\.com/appsstatus/.*"), json=[])
    result: CliResult = cli("antigravity", "--json", "--refresh", clock=lambda: NOW)
    assert result.code == 0, result.err
    urls = [c.request.url for c in mocked.calls]
    assert QUOTA_URL in urls
    for url in urls:
        assert "onboardUser" not in url and "oauth2.googleapis.com" not in url
        assert "loadCodeAssist" not in url and "fetchAvailableModels" not in url
    for secret in (AGY_TOKEN, AGY_REFRESH, IDE_TOKEN):
        assert secret not in result.out + result.err


def test_table_through_the_cli_shows_both_groups(home: Home, mocked: Any, cli: Any) -> None:
    write_token_file(home.root, json.dumps(agy_document()))
    answer(mocked)
    result = cli("antigravity", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert "Gemini Models" in result.out and "Claude and GPT models" in result.out


# --- the contract table -----------------------------------------------------------------------


def test_manifest_follows_the_contract_table() -> None:
    import re

    assert (PROVIDER.id, PROVIDER.name) == ("antigravity", "Antigravity")
    assert PROVIDER.strategy_names() == ("language_server", "cli", "oauth")
    assert set(PROVIDER.env_vars) == {
        "ANTIGRAVITY_CLI_PATH",
        "DBUS_SESSION_BUS_ADDRESS",
        "XDG_CONFIG_HOME",
    }
    assert dict(PROVIDER.options) == {}
    assert "agy" in PROVIDER.tools and "secret-tool" in PROVIDER.tools
    assert PROVIDER.dashboard_url == "https://antigravity.google/"
    for secret in (AGY_TOKEN, AGY_REFRESH):
        assert any(re.search(p, secret) for p in PROVIDER.token_patterns)


def test_utilization_is_whole_percent_used_from_the_fraction_left() -> None:
    bucket = {"window": "weekly", "remainingFraction": Decimal("0.7836881")}
    snapshot = parse_summary({"groups": [{"displayName": "G", "buckets": [bucket]}]}, NOW, "x")
    assert snapshot.periods[0].utilization == 21
    assert snapshot.periods[0].period_type is PeriodType.WEEKLY
