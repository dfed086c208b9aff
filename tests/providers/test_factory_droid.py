"""Factory's ``droid`` strategy: the Droid CLI's encrypted store (the reproducible fixture and
stores made here), keyring lookups through fake ``secret-tool``/``security``, expiry without any
refresh, the optional ``cryptography`` package, and ``~/.factory`` left exactly as it was."""

import base64
import json
import os
import stat
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import pytest
from responses import matchers

from tests.conftest import FIXTURES, load_fixture, make_ctx
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.providers.base import FetchContext
from vibeusage.providers.factory.droid import FactoryDroid
from vibeusage.providers.factory.droid_store import (
    DroidLogin,
    decrypt_store,
    load_aesgcm,
    parse_droid_auth,
    read_droid_login,
)
from vibeusage.providers.factory.usage import Whoami

try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    HAVE_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - the test extra installs it
    HAVE_CRYPTOGRAPHY = False

needs_cryptography = pytest.mark.skipif(
    not HAVE_CRYPTOGRAPHY, reason="needs the optional `cryptography` package"
)
posix_only = pytest.mark.skipif(sys.platform.startswith("win"), reason="fake tools are #! scripts")

UTC = timezone.utc
#: The fixture token's ``exp`` (2026-12-02T08:26:40Z).
EXPIRY = datetime.fromtimestamp(1796200000, UTC)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PLAIN = load_fixture("factory/droid-auth-plain.json")
TOKEN = PLAIN["access_token"]
REFRESH = PLAIN["refresh_token"]
SIGNATURE = TOKEN.rsplit(".", 1)[1]
FIXTURE_KEY = (FIXTURES / "factory" / "droid-auth-v2-key.txt").read_text().strip()
US = "https://api.factory.ai"
EU = "https://api.eu.factory.ai"
WHOAMI = f"{US}/api/cli/whoami"


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (TOKEN, SIGNATURE, REFRESH, FIXTURE_KEY):
            assert secret not in text


def encrypt(data: Dict[str, Any], key: bytes, iv: bytes = b"\x07" * 16) -> str:
    """droid's ``iv:tag:ciphertext`` format (AES-256-GCM, 16-byte IV)."""
    sealed = AESGCM(key).encrypt(iv, json.dumps(data).encode(), None)
    parts = (iv, sealed[-16:], sealed[:-16])
    return ":".join(base64.b64encode(part).decode() for part in parts)


def factory_dir(home_root: Path) -> Path:
    folder = home_root / ".factory"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def install_fixture_store(home_root: Path) -> Path:
    folder = factory_dir(home_root)
    for name, target in (
        ("droid-auth-v2-file.txt", "auth.v2.file"),
        ("droid-auth-v2-key.txt", "auth.v2.key"),
    ):
        path = folder / target
        path.write_bytes((FIXTURES / "factory" / name).read_bytes())
        path.chmod(0o600)
    return folder


def tree(folder: Path) -> Dict[str, Tuple[int, bytes]]:
    """Every file under ``folder``: its mode and bytes (the "unchanged" proof)."""
    return {
        str(p.relative_to(folder)): (stat.S_IMODE(p.stat().st_mode), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def fake_tool(bin_dir: Path, name: str, body: str) -> Path:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text(f"#!{sys.executable}\nimport os, sys, json, time\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def log_and_print(log: Path, value: str) -> str:
    """A fake tool's body: record its arguments in ``log``, print ``value``."""
    return f"json.dump(sys.argv[1:], open({str(log)!r}, 'w'))\nprint({value!r})"


def ctx_for(home, environ: Optional[Dict[str, str]] = None, **kwargs: Any) -> FetchContext:
    env = dict(os.environ) if environ is None else environ
    kwargs.setdefault("clock", lambda: NOW)
    return make_ctx("factory", home.root, env, **kwargs)


def answer_limits(mocked, base: str = US) -> None:
    mocked.get(
        f"{base}/api/billing/limits", json=load_fixture("factory/billing-limits-seconds-only.json")
    )
    mocked.get(f"{base}/api/app/auth/me", json=load_fixture("factory/auth-me.json"))


# --- the fixture store --------------------------------------------------------------------------


@needs_cryptography
def test_the_fixture_store_decrypts_to_its_plain_twin(home):
    install_fixture_store(home.root)
    login = read_droid_login(ctx_for(home))
    assert login.access_token == TOKEN
    assert login.org_id == "org_01HIDDENORG"
    assert login.whoami == Whoami(region="us")
    assert login.user_id == "user_01HIDDENDROIDFIXTURE"
    assert login.expires_at == EXPIRY
    assert login.path.name == "auth.v2.file"


@needs_cryptography
def test_droid_fetch_uses_the_stored_region_org_and_token_and_never_refreshes(home, mocked):
    folder = install_fixture_store(home.root)
    before = tree(folder)
    answer_limits(mocked)
    result = FactoryDroid().fetch(ctx_for(home))
    assert result.success, result.error
    assert result.snapshot.source == "droid"
    assert [p.utilization for p in result.snapshot.periods] == [12, 34, 56]
    # The store's whoami gave the region: whoami is not asked, WorkOS never.
    assert [c.request.url for c in mocked.calls] == [
        f"{US}/api/billing/limits",
        f"{US}/api/app/auth/me",
    ]
    for call in mocked.calls:
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert call.request.headers["X-Factory-Org-Id"] == "org_01HIDDENORG"
        assert REFRESH not in json.dumps(dict(call.request.headers)) + str(call.request.body)
    assert tree(folder) == before  # nothing written, chmod-ed, locked or removed
    assert sorted(p.name for p in folder.iterdir()) == ["auth.v2.file", "auth.v2.key"]


@pytest.mark.parametrize("left", [timedelta(seconds=60), timedelta(seconds=1), -timedelta(days=1)])
@needs_cryptography
def test_a_token_within_a_minute_of_expiry_is_expired_and_nothing_is_asked(home, mocked, left):
    install_fixture_store(home.root)
    result = FactoryDroid().fetch(ctx_for(home, clock=lambda: EXPIRY - left))
    error = result.error
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert error.message == "Droid's login has expired"
    assert "Run `droid` once to renew it" in error.remediation
    assert "does not refresh" in error.remediation
    assert len(mocked.calls) == 0


@needs_cryptography
def test_a_token_with_more_than_a_minute_left_is_used(home, mocked):
    install_fixture_store(home.root)
    answer_limits(mocked)
    assert FactoryDroid().fetch(ctx_for(home, clock=lambda: EXPIRY - timedelta(seconds=61))).success


def test_without_cryptography_it_says_what_to_install_and_asks_nothing(home, mocked, monkeypatch):
    folder = install_fixture_store(home.root)
    for name in [m for m in sys.modules if m == "cryptography" or m.startswith("cryptography.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "cryptography", None)
    assert load_aesgcm() is None
    error = FactoryDroid().fetch(ctx_for(home)).error
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert "`cryptography`" in error.message
    assert "pip install 'vibeusage[cookies]'" in error.remediation
    assert "FACTORY_API_KEY" in error.remediation
    assert len(mocked.calls) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["auth.v2.file", "auth.v2.key"]


def test_the_cookies_extra_is_the_one_that_brings_cryptography():
    text = (Path(__file__).parents[2] / "setup.cfg").read_text(encoding="utf-8")
    extras = text.split("[options.extras_require]", 1)[1].split("\n[", 1)[0]
    assert "cookies =\n    cryptography" in extras


# --- broken stores -------------------------------------------------------------------------------


@needs_cryptography
@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda folder: (folder / "auth.v2.key").unlink(), "auth.v2.key is missing"),
        (
            lambda folder: (folder / "auth.v2.key").write_text(
                base64.b64encode(b"\x01" * 32).decode()
            ),
            "does not decrypt",
        ),
        (lambda folder: (folder / "auth.v2.key").write_text("not base64!"), "not base64"),
        (
            lambda folder: (folder / "auth.v2.key").write_text(
                base64.b64encode(b"k" * 16).decode()
            ),
            "not 32 bytes",
        ),
        (lambda folder: (folder / "auth.v2.file").write_text("only:two"), "encrypted format"),
        (lambda folder: (folder / "auth.v2.file").write_text("AA==:AA==:AA=="), "encrypted format"),
    ],
)
def test_a_damaged_store_is_an_authentication_error_that_shows_no_content(home, damage, why):
    folder = install_fixture_store(home.root)
    damage(folder)
    with pytest.raises(VibeusageError) as caught:
        read_droid_login(ctx_for(home))
    error = caught.value
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "could not be read" in error.message and why in error.message
    assert str(folder / "auth.v2.file") in error.message
    assert_no_secret(error.message, error.remediation)


@needs_cryptography
@pytest.mark.parametrize(
    "content, why",
    [
        ({"refresh_token": "r"}, "no access token"),
        ({"access_token": "  "}, "no access token"),
        (["access_token"], "no access token"),
    ],
)
def test_a_store_without_an_access_token_is_unreadable(home, content, why):
    key = os.urandom(32)
    folder = factory_dir(home.root)
    (folder / "auth.v2.key").write_text(base64.b64encode(key).decode())
    (folder / "auth.v2.file").write_text(encrypt(content, key))  # type: ignore[arg-type]
    with pytest.raises(VibeusageError) as caught:
        read_droid_login(ctx_for(home))
    assert why in caught.value.message


@needs_cryptography
def test_plaintext_that_is_not_json_is_unreadable(home):
    key = os.urandom(32)
    folder = factory_dir(home.root)
    (folder / "auth.v2.key").write_text(base64.b64encode(key).decode())
    sealed = AESGCM(key).encrypt(b"\x01" * 16, b"\xff not json", None)
    parts = (b"\x01" * 16, sealed[-16:], sealed[:-16])
    (folder / "auth.v2.file").write_text(":".join(base64.b64encode(p).decode() for p in parts))
    with pytest.raises(VibeusageError) as caught:
        read_droid_login(ctx_for(home))
    assert "not JSON" in caught.value.message


def test_decrypt_store_rejects_short_iv_or_tag_without_calling_aes():
    def never(key: bytes, iv: bytes, data: bytes) -> bytes:
        raise AssertionError("AES must not be asked")

    short = ":".join(base64.b64encode(b"x" * n).decode() for n in (12, 16, 4))
    with pytest.raises(VibeusageError):
        decrypt_store(short, b"k" * 32, never, Path("auth.v2.file"))


def test_parse_droid_auth_reads_region_forms_and_on_prem():
    path = Path("auth.v2.file")
    assert parse_droid_auth({"access_token": "t", "region": "EU"}, path).whoami == Whoami(
        region="eu"
    )
    on_prem = parse_droid_auth({"access_token": "t", "whoami": {"isOnPrem": True}}, path)
    assert on_prem.whoami is not None and on_prem.whoami.on_prem
    # A whoami that tells nothing is dropped: the real whoami is asked.
    assert parse_droid_auth({"access_token": "t", "whoami": {"region": None}}, path).whoami is None
    opaque = parse_droid_auth({"access_token": "opaque"}, path)
    assert (opaque.expires_at, opaque.user_id, opaque.org_id) == (None, None, None)


def test_droid_login_repr_masks_the_token():
    login = DroidLogin(TOKEN, "org", None, "user", EXPIRY, Path("auth.v2.file"))
    assert_no_secret(repr(login))


# --- where the store is, and what else it may say ---------------------------------------------


@needs_cryptography
def test_factory_home_override_moves_the_store(home, tmp_path, mocked):
    other = tmp_path / "elsewhere"
    other.mkdir()
    install_fixture_store(other)
    environ = dict(os.environ, FACTORY_HOME_OVERRIDE=str(other))
    strategy = FactoryDroid()
    assert strategy.available(ctx_for(home)) is False
    assert strategy.available(ctx_for(home, environ)) is True
    assert str(other / ".factory") in strategy.explain(ctx_for(home, environ))
    answer_limits(mocked)
    assert strategy.fetch(ctx_for(home, environ)).success


def test_no_store_is_not_available_and_explained(home, mocked):
    strategy = FactoryDroid()
    ctx = ctx_for(home)
    assert strategy.available(ctx) is False
    assert "no auth.v2.* store" in strategy.explain(ctx)
    assert len(mocked.calls) == 0


@needs_cryptography
def test_store_without_whoami_asks_whoami_with_the_org_and_follows_its_region(home, mocked):
    key = os.urandom(32)
    folder = factory_dir(home.root)
    (folder / "auth.v2.key").write_text(base64.b64encode(key).decode())
    content = {k: v for k, v in PLAIN.items() if k != "whoami"}
    (folder / "auth.v2.file").write_text(encrypt(content, key))
    mocked.get(
        WHOAMI,
        json=load_fixture("factory/whoami-eu.json"),
        match=[matchers.header_matcher({"X-Factory-Org-Id": "org_01HIDDENORG"})],
    )
    answer_limits(mocked, base=EU)
    result = FactoryDroid().fetch(ctx_for(home))
    assert result.success, result.error
    assert [c.request.url.split("/api/")[0] for c in mocked.calls] == [US, EU, EU]


@needs_cryptography
def test_stored_on_prem_organisation_is_a_configuration_error(home, mocked):
    key = os.urandom(32)
    folder = factory_dir(home.root)
    (folder / "auth.v2.key").write_text(base64.b64encode(key).decode())
    content = dict(PLAIN, whoami={"isOnPrem": True, "premBaseHost": "factory.corp"})
    (folder / "auth.v2.file").write_text(encrypt(content, key))
    error = FactoryDroid().fetch(ctx_for(home)).error
    assert error.category is ErrorCategory.CONFIGURATION
    assert len(mocked.calls) == 0


@needs_cryptography
@pytest.mark.parametrize("status", [401, 403])
def test_rejected_droid_token_says_run_droid(home, mocked, status):
    install_fixture_store(home.root)
    mocked.get(f"{US}/api/billing/limits", status=status)
    error = FactoryDroid().fetch(ctx_for(home)).error
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert error.message == f"Droid's login was rejected (HTTP {status})"
    assert error.remediation == "Run `droid` to log in again."
    assert not any("workos" in c.request.url for c in mocked.calls)


@needs_cryptography
def test_legacy_account_on_a_droid_login_asks_by_the_token_subject(home, mocked):
    install_fixture_store(home.root)
    mocked.get(
        f"{US}/api/billing/limits",
        json=load_fixture("factory/billing-limits-no-token-billing.json"),
    )
    mocked.get(f"{US}/api/app/auth/me", status=500)
    mocked.get(
        f"{US}/api/organization/subscription/usage",
        json=load_fixture("factory/subscription-usage-legacy-cb.json"),
        match=[
            matchers.query_param_matcher(
                {"useCache": "true", "userId": "user_01HIDDENDROIDFIXTURE"}
            )
        ],
    )
    result = FactoryDroid().fetch(ctx_for(home))
    assert result.success, result.error
    assert [p.name for p in result.snapshot.periods] == ["Standard tokens", "Premium tokens"]


# --- keyrings ------------------------------------------------------------------------------------


def keyring_store(home, key: bytes, name: str = "auth.v2.keyring") -> Path:
    folder = factory_dir(home.root)
    (folder / name).write_text(encrypt(PLAIN, key))
    return folder


def tool_env(tmp_path: Path) -> Dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


@posix_only
@needs_cryptography
def test_linux_keyring_key_comes_from_secret_tool_with_droids_service_and_account(
    home, tmp_path, mocked
):
    key = os.urandom(32)
    folder = keyring_store(home, key)
    log = tmp_path / "argv.json"
    fake_tool(
        tmp_path / "bin",
        "secret-tool",
        log_and_print(log, base64.b64encode(key).decode()),
    )
    before = tree(folder)
    answer_limits(mocked)
    result = FactoryDroid().fetch(ctx_for(home, tool_env(tmp_path)))
    assert result.success, result.error
    assert json.loads(log.read_text()) == [
        "lookup", "service", "Factory CLI", "account", "auth-encryption-key",
    ]  # fmt: skip
    assert tree(folder) == before


@posix_only
@needs_cryptography
def test_empty_keyring_answer_says_locked_or_missing_and_suggests_an_api_key(home, tmp_path):
    keyring_store(home, os.urandom(32))
    fake_tool(tmp_path / "bin", "secret-tool", "sys.exit(1)")
    with pytest.raises(VibeusageError) as caught:
        read_droid_login(ctx_for(home, tool_env(tmp_path)))
    assert "gave no Droid login key" in caught.value.message
    assert "locked" in caught.value.message
    assert "FACTORY_API_KEY" in caught.value.remediation


def test_keyring_without_secret_tool_names_the_missing_tool(home, tmp_path):
    (factory_dir(home.root) / "auth.v2.keyring").write_text("x:y:z")
    with pytest.raises(VibeusageError) as caught:
        read_droid_login(ctx_for(home), aes_loader=lambda: lambda k, i, d: b"{}")
    assert "`secret-tool` is not installed" in caught.value.message
    assert caught.value.category is ErrorCategory.AUTHENTICATION


@posix_only
def test_a_hanging_keyring_tool_is_stopped_at_the_cap(home, tmp_path):
    (factory_dir(home.root) / "auth.v2.keyring").write_text("x:y:z")
    fake_tool(tmp_path / "bin", "secret-tool", "time.sleep(60)")
    started = datetime.now(UTC)
    with pytest.raises(VibeusageError) as caught:
        read_droid_login(
            ctx_for(home, tool_env(tmp_path), timeout=1.5),
            aes_loader=lambda: lambda k, i, d: b"{}",
        )
    assert (datetime.now(UTC) - started).total_seconds() < 10
    assert "did not answer" in caught.value.message


@posix_only
@needs_cryptography
def test_keyring_failure_falls_back_to_the_keyfile_like_droid(home, tmp_path, mocked):
    install_fixture_store(home.root)
    keyring_store(home, os.urandom(32))
    fake_tool(tmp_path / "bin", "secret-tool", "sys.exit(1)")
    login = read_droid_login(ctx_for(home, tool_env(tmp_path)))
    assert login.path.name == "auth.v2.file" and login.access_token == TOKEN


@posix_only
@needs_cryptography
@pytest.mark.parametrize(
    "store, account",
    [
        ("auth.v2.keyring", "auth-encryption-key"),
        ("auth.v2.loginkeychain", "auth-encryption-key-security-cli"),
    ],
)
def test_macos_keychain_key_comes_from_security(home, tmp_path, store, account):
    key = os.urandom(32)
    keyring_store(home, key, store)
    log = tmp_path / "argv.json"
    fake_tool(
        tmp_path / "bin",
        "security",
        log_and_print(log, base64.b64encode(key).decode()),
    )
    login = read_droid_login(ctx_for(home, tool_env(tmp_path), platform="darwin"))
    assert login.access_token == TOKEN
    assert json.loads(log.read_text()) == [
        "find-generic-password", "-s", "Factory CLI", "-a", account, "-w",
    ]  # fmt: skip


def test_keyrings_vibeusage_cannot_read_are_said_plainly(home):
    (factory_dir(home.root) / "auth.v2.keyring").write_text("x:y:z")
    with pytest.raises(VibeusageError) as caught:
        read_droid_login(ctx_for(home, platform="win32"), aes_loader=lambda: lambda k, i, d: b"")
    assert "cannot read it on win32" in caught.value.message
    assert "FACTORY_API_KEY" in caught.value.remediation


# --- from outside ------------------------------------------------------------------------------


@needs_cryptography
def test_droid_login_through_the_cli_in_json_and_table(cli, home, mocked):
    folder = install_fixture_store(home.root)
    before = tree(folder)
    answer_limits(mocked)
    result = cli("factory", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert result.json()["source"] == "droid"
    table = cli("factory", "--refresh", clock=lambda: NOW)
    assert table.code == 0 and "Weekly" in table.out
    assert_no_secret(result.out, result.err, table.out, table.err)
    assert tree(folder) == before


def test_missing_cryptography_from_outside_exits_2_with_the_install_line(
    cli, home, mocked, monkeypatch
):
    install_fixture_store(home.root)
    for name in [m for m in sys.modules if m == "cryptography" or m.startswith("cryptography.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "cryptography", None)
    result = cli("factory", "--json", clock=lambda: NOW)
    assert result.code == 2
    error = result.json()["error"]
    assert "pip install 'vibeusage[cookies]'" in error["remediation"]
    assert len(mocked.calls) == 0


@needs_cryptography
def test_expired_droid_login_from_outside_exits_2_and_nothing_is_written(cli, home, mocked):
    folder = install_fixture_store(home.root)
    before = tree(folder)
    result = cli("factory", "--json", clock=lambda: EXPIRY + timedelta(hours=1))
    assert result.code == 2
    assert result.json()["error"]["message"] == "Droid's login has expired"
    assert len(mocked.calls) == 0
    assert tree(folder) == before
