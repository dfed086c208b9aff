"""``vibeusage status [PROVIDER ...]``: each provider's service health from its status page."""

from __future__ import annotations

import argparse

from .app import App, add_output_options, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Callable, Dict, List

    from ..models import ProviderStatus
    from ..providers.manifest import Provider


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
    """Every provider's status, concurrently and within the configured timeout (status
    pages that have not answered by then are ``unknown``; their threads are abandoned)."""
    from ..http import SessionPool
    from ..models import ProviderStatus, StatusLevel
    from ..pipeline import provider_status
    from ..pipeline.runner import call_all_bounded
    from ..status import STATUS_TIMEOUT

    timeout = min(STATUS_TIMEOUT, app.config.fetch.timeout)
    pool = SessionPool(timeout)
    now = app.clock()

    def one(provider: Provider) -> Callable[[], ProviderStatus]:
        return lambda: provider_status(provider, pool.get(), now, timeout)

    outcomes = call_all_bounded([one(p) for p in providers], timeout + 0.5, "status")
    statuses: Dict[str, ProviderStatus] = {}
    for provider, (ok, value) in zip(providers, outcomes):
        if ok:
            statuses[provider.id] = value
        else:
            reason = "did not answer in time" if isinstance(value, TimeoutError) else "failed"
            statuses[provider.id] = ProviderStatus(StatusLevel.UNKNOWN, f"status page {reason}")
    return statuses


def exit_code(providers: List[Provider], statuses: Dict[str, ProviderStatus]) -> int:
    """3 when every status page failed to answer, 5 when some did, else 0."""
    from ..errors import ExitCode
    from ..models import StatusLevel

    # A provider whose health is deliberately not polled (Vertex AI) has no page that could
    # fail.
    pages = [
        p
        for p in providers
        if (p.status_url is not None or p.status_fetch is not None) and statuses[p.id].polled
    ]
    failed = [p for p in pages if statuses[p.id].level is StatusLevel.UNKNOWN]
    if pages and len(failed) == len(pages):
        return int(ExitCode.NETWORK)
    return int(ExitCode.PARTIAL) if failed else int(ExitCode.OK)


def run(app: App, args: argparse.Namespace) -> int:
    providers = app.named_providers(args.providers) or app.enabled_providers()
    statuses = fetch_statuses(app, providers)
    if args.json:
        from ..views.status import statuses_document

        app.emit_json(statuses_document(statuses))
        return exit_code(providers, statuses)
    from ..views.status import status_table
    from ..views.style import unicode_supported

    unicode = unicode_supported(getattr(app.terminal.stdout, "encoding", None))
    app.emit(status_table(providers, statuses, app.color(args), unicode))
    return exit_code(providers, statuses)
