"""Antigravity's ``language_server`` strategy: discovery, port selection, the loopback TLS rule.

The server is found in a fake ``/proc`` tree (and, once, as a real process of this test that
listens on a real loopback port); its answers come from ``responses``. Certificate checks
are off for those loopback requests only, proxies are bypassed, the CSRF token is sent in
its header and never shown.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
import requests
from responses import matchers

from tests.conftest import FIXTURES, CliResult, Home, load_fixture, make_ctx
from tests.kit.fake_proc import add_process
from tests.providers.antigravity_env import CSRF, EXT_CSRF, NOW, SERVICE
from tests.providers.fake_tools import gone_within, posix_only
from vibeusage.errors import ErrorCategory
from vibeusage.providers.antigravity.language_server import (
    METADATA_BODY,
    UNLEASH_BODY,
    AntigravityLanguageServer,
)

NET_TCP = (FIXTURES / "antigravity" / "proc-net-tcp.txt").read_text(encoding="ascii")
APP_ARGV = [
    "/opt/Antigravity/resources/app/extensions/antigravity/bin/language_server_linux_x64",
    "--enable_lsp",
    "--csrf_token",
    CSRF,
    "--extension_server_port",
    "38411",
    "--extension_server_csrf_token",
    EXT_CSRF,
    "--app_data_dir",
    "antigravity",
]


def url(port: int, method: str, scheme: str = "https") -> str:
    return f"{scheme}://127.0.0.1:{port}/{SERVICE}/{method}"


@pytest.fixture
def proc(tmp_path: Path) -> Path:
    root = tmp_path / "proc"
    add_process(root, 200, APP_ARGV, sockets=["412233", "412240"], tcp=NET_TCP)
    return root


def ctx(home: Home, **kwargs: Any) -> Any:
    return make_ctx("antigravity", home.root, clock=lambda: NOW, **kwargs)


def strategy(proc: Path) -> AntigravityLanguageServer:
    return AntigravityLanguageServer(proc_root=proc)


def summary_answers(mocked: Any, port: int = 41412, scheme: str = "https") -> None:
    mocked.post(url(port, "GetUnleashData", scheme), json={})
    mocked.post(
        url(port, "RetrieveUserQuotaSummary", scheme),
        json=load_fixture("antigravity/ls-retrieve-user-quota-summary.json"),
    )
    mocked.post(
        url(port, "GetUserStatus", scheme),
        json=load_fixture("antigravity/ls-get-user-status.json"),
    )


def test_first_port_answering_unleash_is_used_for_the_summary_and_the_identity(
    home: Home, proc: Path, mocked: Any
) -> None:
    # 38379 refuses the connection (nothing registered); 41412 answers.
    mocked.post(
        url(41412, "GetUnleashData"),
        json={},
        match=[
            matchers.header_matcher(
                {
                    "Content-Type": "application/json",
                    "Connect-Protocol-Version": "1",
                    "X-Codeium-Csrf-Token": CSRF,
                }
            ),
            matchers.json_params_matcher(UNLEASH_BODY),
        ],
    )
    summary_answers(mocked)
    result = strategy(proc).fetch(ctx(home))
    assert result.snapshot is not None, result.error
    snapshot = result.snapshot
    assert snapshot.source == "language_server" and len(snapshot.periods) == 4
    assert snapshot.identity is not None and snapshot.identity.plan == "Google AI Pro"
    urls = [c.request.url for c in mocked.calls]
    assert urls == [
        url(38379, "GetUnleashData"),
        url(41412, "GetUnleashData"),
        url(41412, "RetrieveUserQuotaSummary"),
        url(41412, "GetUserStatus"),
    ]
    for call in mocked.calls:
        kwargs = call.request.req_kwargs
        assert kwargs["verify"] is False  # the server's own certificate, on loopback only
        assert not any(kwargs["proxies"].values())
        assert kwargs["timeout"][1] <= 3.0
    assert json.loads(mocked.calls[3].request.body) == METADATA_BODY


def test_plain_http_on_the_same_ports_when_tls_fails(home: Home, proc: Path, mocked: Any) -> None:
    mocked.post(url(38379, "GetUnleashData"), body=requests.exceptions.SSLError("wrong version"))
    summary_answers(mocked, 38379, "http")
    result = strategy(proc).fetch(ctx(home))
    assert result.success, result.error
    assert [c.request.url.split("/")[0] for c in mocked.calls][:4] == [
        "https:",
        "https:",
        "http:",
        "http:",
    ]


def test_the_extension_servers_port_with_its_own_token_comes_last(
    home: Home, proc: Path, mocked: Any
) -> None:
    mocked.post(
        url(38411, "GetUnleashData", "http"),
        json={},
        match=[matchers.header_matcher({"X-Codeium-Csrf-Token": EXT_CSRF})],
    )
    for method, fixture in (
        ("RetrieveUserQuotaSummary", "ls-retrieve-user-quota-summary.json"),
        ("GetUserStatus", "ls-get-user-status.json"),
    ):
        mocked.post(url(38411, method, "http"), json=load_fixture(f"antigravity/{fixture}"))
    result = strategy(proc).fetch(ctx(home))
    assert result.success, result.error
    assert len(mocked.calls) == 4 + 1 + 2  # 2 ports x 2 schemes, then the extension port


def test_every_port_refusing_the_token_is_authentication_with_fallback(
    home: Home, proc: Path, mocked: Any
) -> None:
    refusal = load_fixture("antigravity/ls-csrf-missing.json")
    for port, scheme in ((38379, "https"), (41412, "https"), (38411, "http")):
        mocked.post(url(port, "GetUnleashData", scheme), status=401, json=refusal)
    result = strategy(proc).fetch(ctx(home))
    assert result.error is not None and result.should_fallback
    assert result.error.category is ErrorCategory.AUTHENTICATION
    assert result.error.remediation == "Restart Antigravity."
    assert CSRF not in result.error.message + result.error.remediation


def test_no_port_answering_at_all_is_a_network_error(home: Home, proc: Path, mocked: Any) -> None:
    result = strategy(proc).fetch(ctx(home))
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK
    assert len(mocked.calls) == 5


def test_an_ide_server_without_the_summary_answers_with_user_status(
    home: Home, proc: Path, mocked: Any
) -> None:
    mocked.post(url(38379, "GetUnleashData"), json={})
    mocked.post(url(38379, "RetrieveUserQuotaSummary"), status=404, json={})
    mocked.post(
        url(38379, "GetUserStatus"),
        json=load_fixture("antigravity/ls-get-user-status.json"),
        match=[matchers.json_params_matcher(METADATA_BODY)],
    )
    result = strategy(proc).fetch(ctx(home))
    assert result.snapshot is not None, result.error
    assert [p.name for p in result.snapshot.periods] == [
        "Session (Gemini Models)",
        "Session (Claude and GPT models)",
    ]
    assert result.snapshot.identity is not None
    assert result.snapshot.identity.email == "dev@example.com"


def test_model_configs_are_the_last_resort(home: Home, proc: Path, mocked: Any) -> None:
    mocked.post(url(38379, "GetUnleashData"), json={})
    mocked.post(url(38379, "RetrieveUserQuotaSummary"), status=404, json={})
    mocked.post(url(38379, "GetUserStatus"), status=500, json={})
    configs = load_fixture("antigravity/ls-get-user-status.json")["userStatus"][
        "cascadeModelConfigData"
    ]
    mocked.post(url(38379, "GetCommandModelConfigs"), json=configs)
    result = strategy(proc).fetch(ctx(home))
    assert result.snapshot is not None, result.error
    assert len(result.snapshot.periods) == 2 and result.snapshot.identity is None


def test_a_failing_user_status_costs_only_the_identity(home: Home, proc: Path, mocked: Any) -> None:
    mocked.post(url(38379, "GetUnleashData"), json={})
    mocked.post(
        url(38379, "RetrieveUserQuotaSummary"),
        json=load_fixture("antigravity/ls-retrieve-user-quota-summary.json"),
    )
    mocked.post(url(38379, "GetUserStatus"), status=500, json={})
    result = strategy(proc).fetch(ctx(home))
    assert result.snapshot is not None and result.snapshot.identity is None


def test_a_summary_that_is_not_a_summary_is_a_parse_error(
    home: Home, proc: Path, mocked: Any
) -> None:
    mocked.post(url(38379, "GetUnleashData"), json={})
    mocked.post(url(38379, "RetrieveUserQuotaSummary"), json={"models": {}})
    mocked.post(url(38379, "GetUserStatus"), json={})
    result = strategy(proc).fetch(ctx(home))
    assert result.error is not None and result.error.category is ErrorCategory.PARSE


def test_no_server_is_unavailable_and_asks_nothing(home: Home, tmp_path: Path, mocked: Any) -> None:
    root = tmp_path / "empty-proc"
    add_process(root, 1, ["/sbin/init"])
    add_process(root, 2, APP_ARGV[:1] + ["--app_data_dir", "antigravity"])  # no token
    lonely = AntigravityLanguageServer(proc_root=root)
    assert not lonely.available(ctx(home))
    assert "no running Antigravity language server" in lonely.explain(ctx(home))
    result = lonely.fetch(ctx(home))
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert len(mocked.calls) == 0


def test_explain_names_the_process_but_never_its_token(home: Home, proc: Path) -> None:
    text = strategy(proc).explain(ctx(home))
    assert "pid 200" in text and "2 listening ports" in text
    assert CSRF not in text and EXT_CSRF not in text


# --- a real process found through the real /proc ---------------------------------------------

FAKE_SERVER = r"""
import signal, socket, sys, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
print(listener.getsockname()[1], flush=True)
end = time.monotonic() + 30  # stops by itself whatever happens to the test
while time.monotonic() < end:
    time.sleep(0.1)
"""


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[List[Any]]:
    if not Path("/proc/self/net/tcp").exists():
        pytest.skip("no /proc here")
    program = tmp_path / "app" / "extensions" / "antigravity" / "bin" / "language_server_linux_x64"
    program.parent.mkdir(parents=True)
    script = tmp_path / "server.py"
    script.write_text(FAKE_SERVER)
    # argv[0] is the language server's path (what /proc shows); the program run is Python.
    child = subprocess.Popen(
        [str(program), str(script), "--csrf_token", CSRF, "--app_data_dir", "antigravity"],
        executable=sys.executable,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    port = int(child.stdout.readline())
    try:
        yield [child, port]
    finally:
        child.kill()
        child.wait(timeout=5)


@posix_only
def test_a_real_language_server_process_is_found_with_its_real_port(
    home: Home, real_server: List[Any], mocked: Any
) -> None:
    child, port = real_server
    live = AntigravityLanguageServer()  # the real /proc
    assert live.available(ctx(home))
    assert f"pid {child.pid}" in live.explain(ctx(home))
    summary_answers(mocked, port)
    result = live.fetch(ctx(home))
    assert result.snapshot is not None, result.error
    assert mocked.calls[0].request.url == url(port, "GetUnleashData")


@posix_only
def test_the_chain_through_the_cli_uses_the_running_server(
    home: Home, real_server: List[Any], mocked: Any, cli: Callable[..., CliResult]
) -> None:
    child, port = real_server
    summary_answers(mocked, port)
    result = cli("antigravity", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert result.json()["source"] == "language_server"
    assert CSRF not in result.out + result.err
    verbose = cli("antigravity", "--verbose", "--refresh", clock=lambda: NOW)
    assert CSRF not in verbose.out + verbose.err
    child.kill()
    assert gone_within(child.pid, 5)
