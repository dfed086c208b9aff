"""``vibeusage doctor``: everything needed to understand a set-up, safe to paste in a report."""

from __future__ import annotations

import argparse

from .app import App, add_output_options, new_parser


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage doctor",
        description=(
            "Version, Python, platform, paths, proxy settings, each provider's strategies "
            "with why they are or are not available, back-off state and the last attempts. "
            "Secrets are masked."
        ),
    )
    add_output_options(parser)
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    from ..service.diagnostics import diagnose

    report = diagnose(app)
    if args.json:
        from ..views.doctor import doctor_json

        app.emit(doctor_json(report))
        return 0
    from ..views.doctor import doctor_text

    app.emit(doctor_text(report, app.width()))
    return 0
