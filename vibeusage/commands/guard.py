"""``vibeusage guard``: exit 0 while enough quota is left, 1 when not, 69 when it cannot tell."""

import argparse
import math

from .app import App, UsageError, add_output_options, new_parser

#: Guard's exit codes for a bad command line (CodexBar-compatible, FEATURES.md §0.3).
EXIT_USAGE = 64


def seconds_at_least_zero(text: str) -> float:
    return _seconds(text, allow_zero=True)


def seconds_above_zero(text: str) -> float:
    return _seconds(text, allow_zero=False)


def _seconds(text: str, allow_zero: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        raise argparse.ArgumentTypeError(f"must be {bound} seconds, not {text!r}")
    return value


def build_parser(app: App) -> argparse.ArgumentParser:
    from ..guard.choices import WINDOW_CHOICES

    parser = new_parser(
        app.terminal,
        usage_exit_code=EXIT_USAGE,
        prog="vibeusage guard",
        description=(
            "Check that enough of a plan's quota is left before starting work: exit 0 when "
            "it is, 1 when a window is below the minimum, 69 when it cannot be told."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "exit codes: 0 ok, 1 blocked, 64 usage error, 69 unavailable (0 with --fail-open),\n"
            "  130 interrupted\n"
            "examples:\n"
            "  vibeusage guard claude --min-remaining 15\n"
            "  vibeusage guard codex --window weekly --for 2h --json"
        ),
    )
    parser.add_argument(
        "providers",
        nargs="*",
        metavar="PROVIDER",
        help="providers to check (default: as the usage view: every enabled one connected)",
    )
    parser.add_argument(
        "--provider",
        action="append",
        default=[],
        metavar="P",
        dest="provider_flags",
        help="a provider to check (repeatable; adds to the positional ones)",
    )
    parser.add_argument(
        "--window",
        choices=WINDOW_CHOICES,
        default="binding",
        help="binding (default): the window that stops you first; a type: the most used "
        "window of that type; all: every window, per-model ones included",
    )
    threshold = parser.add_mutually_exclusive_group()
    threshold.add_argument(
        "--min-remaining",
        metavar="PCT",
        help="ok while at least PCT percent is left (default 10)",
    )
    threshold.add_argument("--max-used", metavar="PCT", help="ok while at most PCT percent is used")
    parser.add_argument(
        "--for",
        dest="for_duration",
        metavar="DURATION",
        help="also block when the current pace would pass the threshold within DURATION "
        "(45s, 90m, 3h, 2d, 1h30m or seconds)",
    )
    parser.add_argument(
        "--max-age",
        type=seconds_at_least_zero,
        default=300.0,
        metavar="SECONDS",
        help="data this recent (cache, statusline capture, Codex logs) is used without a "
        "request (default 300)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="no network: data on this machine only"
    )
    parser.add_argument(
        "--timeout",
        type=seconds_above_zero,
        default=30.0,
        metavar="SECONDS",
        help="time limit of the whole command (default 30)",
    )
    parser.add_argument(
        "--fail-open", action="store_true", help="exit 0 instead of 69 when it cannot tell"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    add_output_options(parser, json_help="print the decision as JSON")
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    """Gather fresh-enough data, judge it, print the verdict; its exit code."""
    from ..errors import ConfigError
    from ..guard.decision import evaluate
    from ..guard.output import outcome_document, outcome_text
    from ..guard.policy import GuardUsageError, build_policy
    from ..service.guard import GuardRequest, gather

    if args.json and args.quiet:
        raise UsageError("--json and --quiet cannot be used together", EXIT_USAGE)
    try:
        policy = build_policy(args.min_remaining, args.max_used, args.window, args.for_duration)
    except GuardUsageError as exc:
        raise UsageError(str(exc), EXIT_USAGE) from None
    names = tuple(args.providers) + tuple(args.provider_flags)
    request = GuardRequest(names, args.offline, args.max_age, args.timeout)
    try:
        subjects = gather(app, request)
        unicode = app.style(args).unicode
    except ConfigError as exc:
        raise UsageError(f"{exc.message}\n  {exc.remediation}", EXIT_USAGE) from None
    outcome = evaluate(subjects, policy, app.clock(), args.fail_open)
    if args.json:
        app.emit_json(outcome_document(outcome))
    elif not args.quiet:
        if not outcome.results:
            app.terminal.error("no provider to check: name one, e.g. `vibeusage guard claude`")
        app.emit(outcome_text(outcome, unicode))
    return outcome.exit_code
