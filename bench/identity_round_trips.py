"""Measure one Cursor and one Claude run against a slow loopback server: before and after #19.

A server on 127.0.0.1 answers Cursor's usage-summary and auth/me and Claude's usage and
account endpoints after a fixed delay (``--latency``, 200 ms by default); the real CLI
(``vibeusage <provider> --json --refresh``) runs against it in-process. Three variants run
paired, in rotating order, and their medians are compared:

- ``before``: usage, then the account (the requests one after the other), the account never
  cached: the flow before issue 13 #19;
- ``after, cold``: the account not cached yet, asked at the same time as the usage;
- ``after, warm``: a second run within 24 h, the account from the cache: usage only.

Run: ``python bench/identity_round_trips.py [--latency 0.2] [--runs 7]``. Target: a run
costs one round trip (about one ``--latency``), not two.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vibeusage.cli import Terminal, run  # noqa: E402
from vibeusage.credentials import CredentialStore  # noqa: E402
from vibeusage.paths import resolve_paths  # noqa: E402
from vibeusage.providers.claude import oauth as claude_oauth  # noqa: E402
from vibeusage.providers.cursor import web as cursor_web  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
ROUTES = {
    "/api/usage-summary": "cursor/usage-summary-pro.json",
    "/api/auth/me": "cursor/auth-me.json",
    "/api/oauth/usage": "claude/oauth-usage-limits.json",
    "/api/oauth/account": "claude/oauth-account.json",
}


def serve(latency: float) -> ThreadingHTTPServer:
    bodies = {path: (FIXTURES / name).read_bytes() for path, name in ROUTES.items()}

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            time.sleep(latency)
            body = bodies.get(self.path.split("?")[0], b"{}")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def one_after_the_other(
    calls: Sequence[Callable[[], Any]], timeout: float, name: str = "call"
) -> List[Tuple[bool, Any]]:
    """The pre-#19 flow: each request waits for the one before it."""
    outcomes: List[Tuple[bool, Any]] = []
    for call in calls:
        try:
            outcomes.append((True, call()))
        except Exception as exc:
            outcomes.append((False, exc))
    return outcomes


def setup(tmp: str) -> Dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": tmp,
        "VIBEUSAGE_CONFIG_DIR": f"{tmp}/config",
        "VIBEUSAGE_CACHE_DIR": f"{tmp}/cache",
        "VIBEUSAGE_STATE_DIR": f"{tmp}/state",
        "NO_PROXY": "127.0.0.1,localhost",
        "NO_COLOR": "1",
    }
    credentials = json.loads((FIXTURES / "claude" / "credentials.json").read_text())
    credentials["claudeAiOauth"]["accessToken"] = "sk-ant-oat01-" + "B" * 40
    (Path(tmp) / ".claude").mkdir()
    (Path(tmp) / ".claude" / ".credentials.json").write_text(json.dumps(credentials))
    expires = int((datetime.now(timezone.utc) + timedelta(days=30)).timestamp())
    claims = json.dumps({"sub": "auth0|user_01BENCH", "exp": expires}).encode()
    import base64

    payload = base64.urlsafe_b64encode(claims).decode().rstrip("=")
    session = f"user_01BENCH%3A%3AeyJhbGciOiJIUzI1NiJ9.{payload}.c2ln"
    CredentialStore(resolve_paths(env)).write("cursor", "session", session)
    return env


def timed(provider: str, env: Dict[str, str], cold: bool) -> float:
    identity = Path(env["VIBEUSAGE_CACHE_DIR"]) / "providers" / provider / "identity.json"
    if cold and identity.exists():
        identity.unlink()
    out = io.StringIO()
    started = time.perf_counter()
    code = run([provider, "--json", "--refresh"], Terminal(out, io.StringIO()), env)
    elapsed = time.perf_counter() - started
    assert code == 0, out.getvalue()
    assert json.loads(out.getvalue())["identity"]["email"], out.getvalue()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    server = serve(args.latency)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cursor_web.USAGE_URL, cursor_web.ME_URL = f"{base}/api/usage-summary", f"{base}/api/auth/me"
    claude_oauth.USAGE_URL = f"{base}/api/oauth/usage"
    claude_oauth.ACCOUNT_URL = f"{base}/api/oauth/account"
    parallel = cursor_web.run_parallel
    env = setup(tempfile.mkdtemp(prefix="vibeusage-bench-"))

    def variant(name: str, provider: str) -> float:
        helper = one_after_the_other if name == "before" else parallel
        cursor_web.run_parallel = claude_oauth.run_parallel = helper  # type: ignore[assignment]
        return timed(provider, env, cold=name != "after, warm")

    names = ("before", "after, cold", "after, warm")
    print(f"latency per request {args.latency * 1000:.0f} ms, {args.runs} paired runs, medians")
    for provider in ("cursor", "claude"):
        timed(provider, env, cold=True)  # warm up imports and the connection code
        times: Dict[str, List[float]] = {name: [] for name in names}
        for index in range(args.runs):
            order = names[index % 3 :] + names[: index % 3]
            for name in order:
                times[name].append(variant(name, provider))
        before = statistics.median(times["before"])
        for name in names:
            median = statistics.median(times[name])
            print(
                f"  {provider:<7} {name:<12} {median * 1000:6.0f} ms"
                f"  ({median / args.latency:.2f} round trips, {median / before:.2f}x before)"
            )
    print(f"measured at {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    server.shutdown()


if __name__ == "__main__":
    main()
