"""``vibeusage status [PROVIDER ...]``: each provider's service health from its status page."""

import argparse
from typing import Dict, List

from ..models import ProviderStatus, StatusLevel
from ..providers.base import Provider
from .app import App, add_output_options, new_parser

SYMBOLS = {
    StatusLevel.OPERATIONAL: ("●", "ok"),
    StatusLevel.DEGRADED: ("◐", "~"),
    StatusLevel.PARTIAL_OUTAGE: ("◑", "!"),
    StatusLevel.MAJOR_OUTAGE: ("○", "!!"),
    StatusLevel.UNKNOWN: ("?", "?"),
}
COLORS = {
    StatusLevel.OPERATIONAL: "\x1b[32m",
    StatusLevel.DEGRADED: "\x1b[33m",
    StatusLevel.PARTIAL_OUTAGE: "\x1b[33m",
    StatusLevel.MAJOR_OUTAGE: "\x1b[31m",
    StatusLevel.UNKNOWN: "\x1b[2m",
}


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage status",
        description="Each enabled provider's status page, fetched concurrently.",
    )
    parser.add_argument("providers", nargs="*", metavar="PROVIDER", help="default: all enabled")
    add_output_options(parser)
    return parser


def fetch_statuses(app: App, providers: List[Provider]) -> Dict[str, ProviderStatus]:
    """Every provider's status, concurrently; a provider without a page is ``unknown``."""
    from concurrent.futures import ThreadPoolExecutor

    from ..http import SessionPool
    from ..pipeline import provider_status
    from ..status import STATUS_TIMEOUT

    pool = SessionPool(STATUS_TIMEOUT)
    now = app.clock()

    def one(provider: Provider) -> ProviderStatus:
        return provider_status(provider, pool.get(), now)

    workers = max(1, min(len(providers), app.config.fetch.max_concurrent))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vibeusage-status") as pool_:
        statuses = list(pool_.map(one, providers))
    return {p.id: s for p, s in zip(providers, statuses)}


def run(app: App, args: argparse.Namespace) -> int:
    providers = app.named_providers(args.providers) or app.enabled_providers()
    statuses = fetch_statuses(app, providers)
    if args.json:
        app.emit_json({pid: status.to_dict() for pid, status in statuses.items()})
        return 0
    from tabulate import tabulate

    from ..views.usage_text import unicode_supported

    color = app.color(args)
    unicode = unicode_supported(getattr(app.terminal.stdout, "encoding", None))
    rows = []
    for provider in providers:
        status = statuses[provider.id]
        symbol = SYMBOLS[status.level][0 if unicode else 1]
        level = status.level.value.replace("_", " ")
        if color:
            symbol = f"{COLORS[status.level]}{symbol}\x1b[0m"
        updated = (
            status.updated_at.astimezone().strftime("%Y-%m-%d %H:%M") if status.updated_at else ""
        )
        rows.append([symbol, provider.name, level, status.description or "", updated])
    app.emit(tabulate(rows, headers=["", "provider", "status", "description", "updated"]) + "\n")
    return 0
