"""One alert run: collect, diff against the edge state under its lock, then tell someone.

The state is saved before any hook or notifier runs and outside nothing slower than a file
read and write, so overlapping runs (two cron jobs, a person at a terminal) fire each event
once and never wait on each other's hooks.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Dict, List, Mapping, Sequence

from ..errors import ExitCode
from ..pipeline import RunOptions
from ..service.context import Context
from ..service.report import Report
from ..service.usage import Selection, collect
from . import hooks as hook_runner
from .edges import evaluate
from .event import event_document, event_environment, event_json
from .hooks import HookOutcome, hook_environment, run_hook
from .lanes import observations
from .state_file import STATE_FILE, load_lanes, save_lanes, state_lock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertOutcome:
    """The run's report and the events that fired in it."""

    report: Report
    events: List[Dict[str, Any]]
    #: Whether the state lock was held (False: carried on without it).
    locked: bool = True

    @property
    def exit_code(self) -> int:
        """1 when an alert fired, else the report's code (0 fresh, 5 partial, the failure's)."""
        return int(ExitCode.ERROR) if self.events else int(self.report.exit_code)


def check(
    app: Context, selection: Selection, thresholds: Sequence[Decimal], options: RunOptions
) -> AlertOutcome:
    """Collect the selection and fire what crossed, recording it in ``<state>/alerts.json``."""
    from ..paths import state_dir

    report = collect(app, selection, options)
    seen = observations(report.results, report.now)
    state = state_dir(app.environ)
    path = state / STATE_FILE
    with state_lock(state) as held:
        if not held:
            log.debug("the alert state lock was not had; carrying on without it")
        lanes, crossings = evaluate(load_lanes(path), seen, thresholds, report.now)
        try:
            save_lanes(path, lanes)
        except OSError as exc:
            log.warning(
                "cannot save the alert state %s: %s (alerts may repeat)",
                path,
                exc.strerror or exc,
            )
    events = [event_document(crossing, report.now) for crossing in crossings]
    return AlertOutcome(report, events, held)


def run_hooks(
    hooks: Sequence[Sequence[str]], events: Sequence[Dict[str, Any]], environ: Mapping[str, str]
) -> List[HookOutcome]:
    """Every hook once per event, in order; a failing hook is a warning."""
    outcomes = []
    for event in events:
        stdin = event_json(event)
        env = hook_environment(environ, event_environment(event))
        for argv in hooks:
            outcome = run_hook(argv, stdin, env)
            _log_hook(outcome)
            outcomes.append(outcome)
    return outcomes


def notify_events(
    events: Sequence[Dict[str, Any]],
    names: Mapping[str, str],
    environ: Mapping[str, str],
    platform: str,
    stderr: IO[str],
    stderr_tty: bool,
) -> int:
    """Show a notification per event; how many were shown (a missing notifier is a warning)."""
    from ..views.alert_text import notification_text
    from .notify import find_notifier, missing_notifier_message, notify

    if not events:
        return 0
    notifier = find_notifier(environ, platform, stderr_tty)
    if notifier is None:
        log.warning("%s", missing_notifier_message(platform))
        return 0
    shown = 0
    for event in events:
        provider = str(event["provider"])
        text = notification_text(event, names.get(provider, provider), _now_of(event))
        shown += notify(notifier, text, environ, stderr)
    return shown


def _now_of(event: Dict[str, Any]) -> Any:
    from ..timeparse import parse_iso, utcnow

    return parse_iso(event.get("timestamp")) or utcnow()


def _log_hook(outcome: HookOutcome) -> None:
    name = outcome.argv[0]
    if outcome.problem is not None:
        log.warning("hook %s: %s", name, outcome.problem)
    elif outcome.timed_out:
        log.warning(
            "hook %s did not finish within %g s and was killed", name, hook_runner.HOOK_TIMEOUT
        )
    elif outcome.returncode != 0:
        log.warning("hook %s failed (exit %s)", name, outcome.returncode)
    if outcome.output:
        log.debug("hook %s said:\n%s", name, outcome.output.rstrip("\n"))
