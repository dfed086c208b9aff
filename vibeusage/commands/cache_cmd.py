"""``vibeusage cache show | clear [PROVIDER] [--org]``."""

from __future__ import annotations

import argparse

from .app import App, add_output_options, new_parser


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage cache",
        description=(
            "show: the age of each cached snapshot, back-off state per strategy, cached "
            "organisation ids. clear: remove cached snapshots and back-off state (of one "
            "provider, or all); --org also forgets the cached organisation id."
        ),
    )
    parser.add_argument("action", choices=("show", "clear"), nargs="?", default="show")
    parser.add_argument("provider", nargs="?", help="provider id (default: all)")
    parser.add_argument("--org", action="store_true", help="clear: also the organisation id")
    add_output_options(parser)
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    from ..service.cache_state import cache_overview, clear_caches

    providers = [app.provider(args.provider).id] if args.provider else list(app.registry)
    if args.action == "clear":
        from ..views.cache import cleared_document, cleared_message

        removed = clear_caches(app, providers, args.org)
        if args.json:
            app.emit_json(cleared_document(removed))
        else:
            app.result(cleared_message(len(removed)))
        return 0
    overview = cache_overview(app, providers)
    if args.json:
        app.emit_json(overview)
        return 0
    from ..views.cache import cache_table

    app.emit(cache_table(overview, app.width()))
    return 0
