"""Finding the Gemini CLI's OAuth client: the environment, else fake installs of the CLI
(npm global, Homebrew, nvm, fnm, older releases, wrapper scripts), cached per version.

The installs are tiny trees in ``tmp_path`` whose JavaScript defines made-up ids.
"""

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any, List

import pytest
from responses import matchers

from tests.conftest import Home, load_fixture
from tests.providers.test_gemini_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    LOAD_URL,
    NEW_TOKEN,
    NOW,
    QUOTA_URL,
    REFRESH_TOKEN,
    TOKEN_URL,
    bundle_package,
    chunk_with_client,
    creds_path,
    homebrew_install,
    make_ctx,
    ms,
    npm_global_install,
    old_layout_install,
    symlink,
    untouched,
    write_login,
    write_package_json,
)
from vibeusage.providers.gemini import client as client_module
from vibeusage.providers.gemini.client import (
    candidate_files,
    find_oauth_client,
    find_package,
    scan_package,
)
from vibeusage.providers.gemini.oauth import GeminiOAuth

pytestmark = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="fake installs use POSIX symlinks"
)


def client_cache(home: Home) -> Path:
    return home.cache_dir / "providers" / "gemini" / "client.json"


def scanned_files(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Record every file the scanner reads."""
    seen: List[str] = []
    original = client_module._scan_file

    def spy(path: Path) -> Any:
        seen.append(path.name)
        return original(path)

    monkeypatch.setattr(client_module, "_scan_file", spy)
    return seen


# --- layouts -----------------------------------------------------------------------------------


def test_npm_global_install_gives_the_client_from_its_bundle_chunk(
    home: Home, tmp_path: Path
) -> None:
    install = npm_global_install(tmp_path / "usr-local")
    client = find_oauth_client(make_ctx(home, install.bin_dir))
    assert client is not None
    assert (client.client_id, client.client_secret) == (CLIENT_ID, CLIENT_SECRET)
    assert client.source == "bundle/chunk-MMMMMMMM.js"
    assert CLIENT_SECRET not in repr(client)


def test_homebrew_install_is_found_through_its_chain_of_symlinks(
    home: Home, tmp_path: Path
) -> None:
    install = homebrew_install(tmp_path / "opt" / "homebrew", version="0.61.0")
    ctx = make_ctx(home, install.bin_dir)
    package = find_package(ctx)
    assert package is not None
    assert package.root == Path(os.path.realpath(install.root))
    assert package.version == "0.61.0"
    client = find_oauth_client(ctx)
    assert client is not None and client.client_id == CLIENT_ID


def test_nvm_install_under_the_home_directory_is_found(home: Home) -> None:
    install = npm_global_install(home.root / ".nvm" / "versions" / "node" / "v22.11.0")
    client = find_oauth_client(make_ctx(home, install.bin_dir))
    assert client is not None and client.client_secret == CLIENT_SECRET


def test_fnm_multishell_path_resolves_through_its_directory_symlink(
    home: Home, tmp_path: Path
) -> None:
    installation = home.root / ".local/share/fnm/node-versions/v22.11.0/installation"
    install = npm_global_install(installation)
    multishell = tmp_path / "run" / "fnm_multishells" / "4242_1700000000000"
    symlink(multishell, str(installation))
    client = find_oauth_client(make_ctx(home, multishell / "bin"))
    assert client is not None and client.client_id == CLIENT_ID
    assert install.root.is_dir()


def test_older_release_reads_the_core_packages_oauth2_js(home: Home, tmp_path: Path) -> None:
    install = old_layout_install(tmp_path / "prefix")
    client = find_oauth_client(make_ctx(home, install.bin_dir))
    assert client is not None
    assert client.client_id == CLIENT_ID
    assert client.source.endswith("code_assist/oauth2.js")


def test_wrapper_script_finds_the_package_beside_its_bin_directory(
    home: Home, tmp_path: Path
) -> None:
    prefix = tmp_path / "prefix"
    bundle_package(prefix / "lib" / "node_modules" / "@google" / "gemini-cli")
    wrapper = prefix / "bin" / "gemini"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text('#!/bin/sh\nexec node "$0/../../lib/node_modules/x" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    client = find_oauth_client(make_ctx(home, prefix / "bin"))
    assert client is not None and client.client_id == CLIENT_ID


def test_windows_style_prefix_with_node_modules_beside_the_shim(home: Home, tmp_path: Path) -> None:
    npm = tmp_path / "AppData" / "Roaming" / "npm"
    bundle_package(npm / "node_modules" / "@google" / "gemini-cli")
    shim = npm / "gemini"
    shim.write_text("#!/bin/sh\n")
    shim.chmod(0o755)
    client = find_oauth_client(make_ctx(home, npm))
    assert client is not None and client.client_id == CLIENT_ID


def test_no_gemini_on_path_means_no_client(home: Home, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    assert find_oauth_client(make_ctx(home, empty)) is None
    assert not client_cache(home).exists()


def test_a_gemini_binary_of_another_package_is_not_scanned(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "lib" / "node_modules" / "not-gemini"
    write_package_json(other, "1.0.0", name="not-gemini")
    (other / "cli.js").write_text(chunk_with_client())
    symlink(tmp_path / "bin" / "gemini", "../lib/node_modules/not-gemini/cli.js")
    seen = scanned_files(monkeypatch)
    assert find_oauth_client(make_ctx(home, tmp_path / "bin")) is None
    assert seen == []


# --- what is scanned --------------------------------------------------------------------------


def test_scan_stops_at_the_first_file_that_defines_both_constants(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = npm_global_install(tmp_path / "prefix")
    seen = scanned_files(monkeypatch)
    client = find_oauth_client(make_ctx(home, install.bin_dir))
    assert client is not None
    # The largest chunk (where the real bundle keeps them) first, then stop.
    assert seen == ["chunk-MMMMMMMM.js"]


def test_candidates_are_old_oauth2_then_chunks_largest_first_then_gemini_js(
    tmp_path: Path,
) -> None:
    root = tmp_path / "pkg"
    bundle_package(root, chunk="")
    (root / "bundle" / "chunk-BIGGEST0.js").write_text("x" * 5000)
    old = root / "node_modules/@google/gemini-cli-core/dist/src/code_assist/oauth2.js"
    old.parent.mkdir(parents=True)
    old.write_text("// old\n")
    names = [p.name for p in candidate_files(root)]
    assert names[0] == "oauth2.js"
    assert names[1] == "chunk-BIGGEST0.js"
    assert names[-1] == "gemini.js"
    assert set(names[1:-1]) == {
        "chunk-BIGGEST0.js",
        "chunk-MMMMMMMM.js",
        "chunk-AAAAAAAA.js",
        "chunk-ZZZZZZZZ.js",
    }


def test_a_chunk_that_links_outside_the_package_root_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    bundle_package(root, chunk="")
    outside = tmp_path / "elsewhere" / "secrets.js"
    outside.parent.mkdir()
    outside.write_text(chunk_with_client("300000000003-outside.apps.googleusercontent.com"))
    symlink(root / "bundle" / "chunk-OUTSIDE0.js", str(outside))
    assert scan_package(root) is None


def test_files_outside_the_package_root_are_never_scanned(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = npm_global_install(tmp_path / "prefix", chunk="")
    sibling = tmp_path / "prefix" / "lib" / "node_modules" / "@google" / "gemini-cli-core"
    (sibling / "dist/src/code_assist").mkdir(parents=True)
    (sibling / "dist/src/code_assist/oauth2.js").write_text(chunk_with_client())
    seen = scanned_files(monkeypatch)
    assert find_oauth_client(make_ctx(home, install.bin_dir)) is None
    assert "oauth2.js" not in seen


def test_a_file_with_only_the_id_is_not_a_match(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    bundle_package(root, chunk=f'var OAUTH_CLIENT_ID = "{CLIENT_ID}";\n')
    assert scan_package(root) is None


def test_comparisons_and_uses_of_the_names_are_not_definitions(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    bundle_package(
        root,
        chunk='if (x.OAUTH_CLIENT_ID === "nope-nope") {}\nOAUTH_CLIENT_SECRET == "no-no-no";\n',
    )
    assert scan_package(root) is None


# --- the environment and the cache --------------------------------------------------------------


def test_environment_client_wins_and_nothing_is_scanned(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = npm_global_install(tmp_path / "prefix")
    seen = scanned_files(monkeypatch)
    ctx = make_ctx(
        home,
        install.bin_dir,
        GEMINI_OAUTH_CLIENT_ID=ENV_CLIENT_ID,
        GEMINI_OAUTH_CLIENT_SECRET=ENV_CLIENT_SECRET,
    )
    client = find_oauth_client(ctx)
    assert client is not None
    assert (client.client_id, client.client_secret, client.source) == (
        ENV_CLIENT_ID,
        ENV_CLIENT_SECRET,
        "environment",
    )
    assert seen == []
    assert not client_cache(home).exists()


def test_half_an_environment_client_falls_back_to_the_install(home: Home, tmp_path: Path) -> None:
    install = npm_global_install(tmp_path / "prefix")
    ctx = make_ctx(home, install.bin_dir, GEMINI_OAUTH_CLIENT_ID=ENV_CLIENT_ID)
    client = find_oauth_client(ctx)
    assert client is not None and client.client_id == CLIENT_ID


def test_result_is_cached_with_the_version_and_later_runs_do_not_rescan(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = npm_global_install(tmp_path / "prefix", version="0.61.0")
    ctx = make_ctx(home, install.bin_dir)
    assert find_oauth_client(ctx) is not None
    cache = client_cache(home)
    data = json.loads(cache.read_text())
    assert data["package_version"] == "0.61.0"
    assert data["package_root"] == os.path.realpath(install.root)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700

    seen = scanned_files(monkeypatch)
    again = find_oauth_client(ctx)
    assert again is not None and again.client_id == CLIENT_ID
    assert seen == []


def test_an_upgraded_cli_is_scanned_again(home: Home, tmp_path: Path) -> None:
    install = npm_global_install(tmp_path / "prefix", version="0.61.0")
    ctx = make_ctx(home, install.bin_dir)
    assert find_oauth_client(ctx) is not None
    newer = "400000000004-upgraded.apps.googleusercontent.com"
    (install.root / "bundle" / "chunk-MMMMMMMM.js").write_text(chunk_with_client(newer))
    install.set_version("0.62.0")
    client = find_oauth_client(ctx)
    assert client is not None and client.client_id == newer
    assert json.loads(client_cache(home).read_text())["package_version"] == "0.62.0"


def test_nothing_found_is_cached_too_until_the_version_changes(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = npm_global_install(tmp_path / "prefix", chunk="", version="0.61.0")
    ctx = make_ctx(home, install.bin_dir)
    assert find_oauth_client(ctx) is None
    assert json.loads(client_cache(home).read_text())["client_id"] is None
    seen = scanned_files(monkeypatch)
    assert find_oauth_client(ctx) is None
    assert seen == []
    (install.root / "bundle" / "chunk-MMMMMMMM.js").write_text(chunk_with_client())
    install.set_version("0.61.1")
    assert find_oauth_client(ctx) is not None


def test_a_damaged_cache_is_ignored_and_rewritten(home: Home, tmp_path: Path) -> None:
    install = npm_global_install(tmp_path / "prefix")
    cache = client_cache(home)
    cache.parent.mkdir(parents=True)
    cache.write_text('{"cache_version": 1, "package_root": 5')
    client = find_oauth_client(make_ctx(home, install.bin_dir))
    assert client is not None and client.client_id == CLIENT_ID
    assert json.loads(cache.read_text())["client_id"] == CLIENT_ID


# --- used for a refresh -------------------------------------------------------------------------


def test_expired_login_is_refreshed_with_the_client_of_the_installed_cli(
    home: Home, mocked: Any, tmp_path: Path
) -> None:
    install = npm_global_install(tmp_path / "prefix")
    write_login(home, expiry_date=ms(NOW) - 1000)
    mocked.post(
        TOKEN_URL,
        json={"access_token": NEW_TOKEN, "expires_in": 3599, "token_type": "Bearer"},
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "refresh_token": REFRESH_TOKEN,
                    "grant_type": "refresh_token",
                }
            )
        ],
    )
    bearer = matchers.header_matcher({"Authorization": f"Bearer {NEW_TOKEN}"})
    mocked.post(LOAD_URL, json=load_fixture("gemini/load-code-assist.json"), match=[bearer])
    mocked.post(QUOTA_URL, json=load_fixture("gemini/retrieve-user-quota.json"), match=[bearer])
    with untouched(creds_path(home)):
        result = GeminiOAuth().fetch(make_ctx(home, install.bin_dir))
    assert result.error is None, result.error
    assert result.snapshot is not None and len(result.snapshot.periods) == 3
