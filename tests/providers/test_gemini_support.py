"""Helpers shared by the Gemini tests (no tests here): logins, contexts, fake installs.

Every token, client id and secret below is made up. Fake Gemini CLI installs are small
trees of JavaScript files built in ``tmp_path``; the real PATH, the real home directory and
the network are never used.
"""

import base64
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

from tests.conftest import Home, load_fixture
from tests.conftest import make_ctx as conftest_make_ctx
from vibeusage.providers.base import FetchContext

UTC = timezone.utc
NOW = datetime(2026, 2, 28, 12, 0, 0, tzinfo=UTC)

OLD_TOKEN = "ya29.a0FAKE-old-access-token-for-tests-0001"
NEW_TOKEN = "ya29.a0FAKE-new-access-token-for-tests-0002"
REFRESH_TOKEN = "1//0gFAKE-refresh-token-for-tests-0003"
CLIENT_ID = "100000000001-madeupclientidfortests.apps.googleusercontent.com"
CLIENT_SECRET = "made-up-client-secret-for-tests"
ENV_CLIENT_ID = "200000000002-fromtheenvironment.apps.googleusercontent.com"
ENV_CLIENT_SECRET = "made-up-secret-from-the-environment"
EMAIL = "dev@example.com"
SECRETS = (OLD_TOKEN, NEW_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, ENV_CLIENT_SECRET)

LOAD_URL = "https://cloudcode-pa.googleapis.com/v1internal:loadCodeAssist"
QUOTA_URL = "https://cloudcode-pa.googleapis.com/v1internal:retrieveUserQuota"
TOKEN_URL = "https://oauth2.googleapis.com/token"
PROJECT = "helpful-perigee-2nnd9"


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def id_token(claims: Dict[str, Any]) -> str:
    """An unsigned JWT with these claims (the signature part is junk, as it is never checked)."""

    def part(data: Dict[str, Any]) -> str:
        raw = json.dumps(data).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def gemini_dir(home: Home) -> Path:
    return home.root / ".gemini"


def creds_path(home: Home) -> Path:
    return gemini_dir(home) / "oauth_creds.json"


def write_login(home: Home, **overrides: Any) -> Path:
    """The Gemini CLI's ``oauth_creds.json`` (the fixture's shape) with made-up tokens."""
    data = load_fixture("gemini/oauth_creds.json")
    data.update(
        access_token=OLD_TOKEN,
        refresh_token=REFRESH_TOKEN,
        id_token=id_token({"email": EMAIL, "sub": "1234"}),
    )
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = creds_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def write_settings(home: Home, data: Any) -> Path:
    path = gemini_dir(home) / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@contextmanager
def untouched(path: Path) -> Iterator[None]:
    """The Gemini CLI's file keeps its bytes and mtime (or stays absent)."""
    existed = path.exists()
    before = path.read_bytes() if existed else b""
    mtime = path.stat().st_mtime_ns if existed else 0
    yield
    if not existed:
        assert not path.exists(), "vibeusage created the Gemini CLI's credentials file"
        return
    assert path.read_bytes() == before, "vibeusage changed the Gemini CLI's credentials file"
    assert path.stat().st_mtime_ns == mtime, "vibeusage rewrote the Gemini CLI's credentials file"


def make_env(home: Home, path_dir: Path, **extra: str) -> Dict[str, str]:
    """A minimal environment whose PATH is one directory of the test's choice."""
    env = {
        "HOME": str(home.root),
        "PATH": str(path_dir),
        "VIBEUSAGE_CONFIG_DIR": str(home.config_dir),
        "VIBEUSAGE_CACHE_DIR": str(home.cache_dir),
    }
    env.update(extra)
    return env


def make_ctx(
    home: Home,
    path_dir: Path,
    *,
    clock: Callable[[], datetime] = lambda: NOW,
    timeout: float = 5.0,
    **extra: str,
) -> FetchContext:
    env = make_env(home, path_dir, **extra)
    return conftest_make_ctx("gemini", home.root, env, timeout=timeout, clock=clock)


# --- fake Gemini CLI installs -------------------------------------------------------------


def chunk_with_client(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
    """A chunk shaped like the real bundle: uses of the constants before their definition."""
    return (
        "// packages/core/dist/src/code_assist/oauth2.js\n"
        "async function refresh(tokens) {\n"
        "  const jwtInput = {\n"
        "    client_id: OAUTH_CLIENT_ID,\n"
        "    client_secret: OAUTH_CLIENT_SECRET,\n"
        "  };\n"
        "}\n"
        f'var OAUTH_CLIENT_ID = "{client_id}";\n'
        f'var OAUTH_CLIENT_SECRET = "{secret}";\n'
        'var OAUTH_SCOPE = ["https://www.googleapis.com/auth/cloud-platform"];\n'
    )


FILLER_CHUNK = "export function unrelated() { return 42; }\n" * 20


@dataclass
class FakeInstall:
    root: Path  # the @google/gemini-cli package directory
    bin_dir: Path  # what goes on PATH

    def set_version(self, version: str) -> None:
        write_package_json(self.root, version)


def write_package_json(root: Path, version: str, name: str = "@google/gemini-cli") -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(
        json.dumps({"name": name, "version": version, "bin": {"gemini": "bundle/gemini.js"}}),
        encoding="utf-8",
    )


def bundle_package(root: Path, version: str = "0.61.0", chunk: Optional[str] = None) -> Path:
    """A current-release package: ``bundle/gemini.js`` plus chunks, one with the constants."""
    write_package_json(root, version)
    bundle = root / "bundle"
    bundle.mkdir(parents=True, exist_ok=True)
    (bundle / "gemini.js").write_text(
        '#!/usr/bin/env node\nimport "./chunk-AAAAAAAA.js";\n', encoding="utf-8"
    )
    (bundle / "gemini.js").chmod(0o755)  # npm makes the bin executable
    (bundle / "chunk-AAAAAAAA.js").write_text(FILLER_CHUNK, encoding="utf-8")
    (bundle / "chunk-ZZZZZZZZ.js").write_text("export const x = 1;\n", encoding="utf-8")
    target = bundle / "chunk-MMMMMMMM.js"
    target.write_text(FILLER_CHUNK + (chunk if chunk is not None else chunk_with_client()))
    return target


def symlink(link: Path, target: str) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


def npm_global_install(prefix: Path, **kwargs: Any) -> FakeInstall:
    """``<prefix>/lib/node_modules/@google/gemini-cli`` with ``<prefix>/bin/gemini`` -> it."""
    root = prefix / "lib" / "node_modules" / "@google" / "gemini-cli"
    bundle_package(root, **kwargs)
    symlink(prefix / "bin" / "gemini", "../lib/node_modules/@google/gemini-cli/bundle/gemini.js")
    return FakeInstall(root, prefix / "bin")


def homebrew_install(brew: Path, version: str = "0.61.0") -> FakeInstall:
    """``bin/gemini`` -> ``Cellar/gemini-cli/<v>/bin/gemini`` -> ``libexec/bin`` -> bundle."""
    keg = brew / "Cellar" / "gemini-cli" / version
    root = keg / "libexec" / "lib" / "node_modules" / "@google" / "gemini-cli"
    bundle_package(root, version=version)
    symlink(
        keg / "libexec" / "bin" / "gemini",
        "../lib/node_modules/@google/gemini-cli/bundle/gemini.js",
    )
    symlink(keg / "bin" / "gemini", "../libexec/bin/gemini")
    symlink(brew / "bin" / "gemini", f"../Cellar/gemini-cli/{version}/bin/gemini")
    return FakeInstall(root, brew / "bin")


def old_layout_install(prefix: Path, client_id: str = CLIENT_ID) -> FakeInstall:
    """An older release: ``dist/index.js`` and the core package's ``oauth2.js``."""
    root = prefix / "lib" / "node_modules" / "@google" / "gemini-cli"
    write_package_json(root, "0.1.22")
    (root / "dist").mkdir(parents=True)
    (root / "dist" / "index.js").write_text("#!/usr/bin/env node\n", encoding="utf-8")
    (root / "dist" / "index.js").chmod(0o755)
    oauth2 = root / "node_modules/@google/gemini-cli-core/dist/src/code_assist/oauth2.js"
    oauth2.parent.mkdir(parents=True)
    oauth2.write_text(
        f"const OAUTH_CLIENT_ID = '{client_id}';\nconst OAUTH_CLIENT_SECRET = '{CLIENT_SECRET}';\n",
        encoding="utf-8",
    )
    symlink(prefix / "bin" / "gemini", "../lib/node_modules/@google/gemini-cli/dist/index.js")
    return FakeInstall(root, prefix / "bin")
