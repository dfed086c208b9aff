"""How long a run takes with no network when the providers' own tools are installed.

Usage::

    python bench/offline_run.py --tools DIR [--runs 5]

``DIR`` holds the real ``claude`` and ``codex`` programs (for instance
``npm install --prefix /tmp/tools @anthropic-ai/claude-code @openai/codex`` and then
``/tmp/tools/node_modules/.bin``). Each run gets a throw-away home with a Claude login and a
Codex login (one fresh, then one expired), and runs ``vibeusage --json`` in a network
namespace with no interface but loopback (``unshare -n``, as root) or, where that is not
allowed, with every proxy pointed at a closed port. Prints the median wall time per case
and the exit codes seen.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent


def _home(root: Path, expired: bool) -> Dict[str, str]:
    """A home with both logins; ``expired`` makes both tokens past their expiry."""
    expires = 1_000_000_000_000 if expired else int(time.time() * 1000) + 86_400_000
    claude = root / ".claude"
    claude.mkdir(parents=True)
    (claude / ".credentials.json").write_text(
        json.dumps(
            {
                "claudeAiOauth": {
                    "accessToken": "sk-ant-oat01-BENCHONLY",
                    "refreshToken": "sk-ant-ort01-BENCHONLY",
                    "expiresAt": expires,
                    "scopes": ["user:inference", "user:profile"],
                    "subscriptionType": "max",
                }
            }
        )
    )
    codex = root / ".codex"
    codex.mkdir()
    (codex / "auth.json").write_text(
        json.dumps(
            {
                "OPENAI_API_KEY": None,
                "tokens": {
                    "id_token": "eyJ.BENCH.id",
                    "access_token": "eyJ.BENCH.access",
                    "refresh_token": "rt_BENCHONLY",
                    "account_id": "acc-bench",
                },
                "last_refresh": "2020-01-01T00:00:00Z" if expired else "2026-12-01T00:00:00Z",
            }
        )
    )
    env = {
        "HOME": str(root),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "VIBEUSAGE_CONFIG_DIR": str(root / "cfg"),
        "VIBEUSAGE_CACHE_DIR": str(root / "cache"),
        "VIBEUSAGE_STATE_DIR": str(root / "state"),
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
    }
    return env


def _isolation() -> Tuple[List[str], Dict[str, str]]:
    """A command prefix that removes the network, or proxy settings that refuse everything."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"], {}
    closed = "http://127.0.0.1:9"
    return [], {"HTTPS_PROXY": closed, "HTTP_PROXY": closed, "NO_PROXY": ""}


def _run(tools: Path, expired: bool) -> Tuple[float, int]:
    prefix, extra = _isolation()
    with tempfile.TemporaryDirectory() as tmp:
        env = _home(Path(tmp), expired)
        env.update(extra)
        env["PATH"] = f"{tools}{os.pathsep}{env['PATH']}"
        started = time.perf_counter()
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "vibeusage", "--json", "claude", "codex"],
            env=env,
            capture_output=True,
            timeout=300,
        )
        return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name in ("claude", "codex"):
        if not (args.tools / name).exists():
            sys.exit(f"{args.tools / name} not found")
    for expired in (False, True):
        times: List[float] = []
        codes = set()
        for _ in range(args.runs):
            seconds, code = _run(args.tools, expired)
            times.append(seconds)
            codes.add(code)
        label = "expired logins" if expired else "fresh logins"
        print(
            f"{label:15} median {statistics.median(times):6.2f} s  "
            f"max {max(times):6.2f} s  exit {sorted(codes)}  ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
