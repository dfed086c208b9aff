"""Measure concurrency: five providers with 300 ms of latency each, against the latency itself.

A loopback HTTP server answers every request after a fixed delay; fake providers fetch it
through the real pipeline (thread pool, per-worker Session, timeouts) via the CLI entry
point. Run: ``python bench/concurrency.py [--latency 0.3] [--providers 5] [--runs 5]``.
Target: the five-provider run within 1.3x of one provider's latency.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vibeusage.providers  # noqa: E402
from vibeusage.cli import Terminal, run  # noqa: E402
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot  # noqa: E402
from vibeusage.providers.base import FetchResult, Provider, Strategy  # noqa: E402


def serve(latency: float) -> ThreadingHTTPServer:
    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            time.sleep(latency)
            body = json.dumps({"utilization": 42}).encode()
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


class LoopbackStrategy(Strategy):
    name = "loopback"
    label = "loopback server"

    def __init__(self, provider_id: str, url: str) -> None:
        self.provider_id = provider_id
        self.url = url

    def available(self, ctx) -> bool:
        return True

    def fetch(self, ctx) -> FetchResult:
        payload = ctx.session.get(self.url).json()
        now = ctx.now()
        period = UsagePeriod(
            "Session (5h)", payload["utilization"], PeriodType.SESSION, now + timedelta(hours=1)
        )
        return FetchResult.ok(UsageSnapshot(self.provider_id, now, (period,), source=self.name))


def timed_run(providers, env) -> float:
    vibeusage.providers.all_providers = lambda: tuple(providers)
    argv = ["--json", "--refresh", *[p.id for p in providers]]
    out = io.StringIO()
    started = time.perf_counter()
    code = run(argv, Terminal(out, io.StringIO()), env)
    elapsed = time.perf_counter() - started
    document = json.loads(out.getvalue())
    got = document["providers"] if len(providers) > 1 else {document["provider"]: document}
    assert code == 0 and len(got) == len(providers), out.getvalue()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--providers", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    server = serve(args.latency)
    url = f"http://127.0.0.1:{server.server_address[1]}/usage"
    tmp = tempfile.mkdtemp(prefix="vibeusage-bench-")
    env = dict(
        os.environ,
        HOME=tmp,
        VIBEUSAGE_CONFIG_DIR=f"{tmp}/config",
        VIBEUSAGE_CACHE_DIR=f"{tmp}/cache",
        NO_PROXY="127.0.0.1,localhost",
    )
    providers = [
        Provider(f"p{i}", f"P{i}", "", "", None, (LoopbackStrategy(f"p{i}", url),), "")
        for i in range(args.providers)
    ]
    one = statistics.median(timed_run(providers[:1], env) for _ in range(args.runs))
    many = statistics.median(timed_run(providers, env) for _ in range(args.runs))
    print(f"latency per request       {args.latency * 1000:7.0f} ms")
    print(f"1 provider  (median of {args.runs}) {one * 1000:7.0f} ms")
    print(
        f"{args.providers} providers (median of {args.runs}) {many * 1000:7.0f} ms"
        f"  ({many / args.latency:.2f}x the latency, {many / one:.2f}x one provider)"
    )
    print(f"measured at {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    server.shutdown()


if __name__ == "__main__":
    main()
