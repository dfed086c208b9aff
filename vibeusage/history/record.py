"""Record snapshots in the ledger: a line per window only when something changed (§3.2).

A series gets a line when it has none yet, its used percent moved by half a point, its reset
time moved or (dis)appeared, its period type, plan or limit changed, or half an hour passed
(the heartbeat: a gap in the data is then a gap in observation). Writers take turns on
``.lock`` (bounded wait; without a lock they carry on and readers drop the duplicates).
"""

import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence

from ..locking import file_lock
from ..models import UsagePeriod, UsageSnapshot
from ..state import ensure_machine_id, make_private_dir
from .last import load_last, save_last
from .line import FUTURE_SLACK, Record, clip, encode_line
from .reader import HEARTBEAT, history_dir
from .segments import append_lines, delete_expired, segment_path
from .series import RESET_TOLERANCE

DEFAULT_RETENTION_DAYS = 400
LOCK_FILE = ".lock"
LOCK_TIMEOUT = 10.0
#: A smaller move of the used percent is not worth a line.
MIN_CHANGE = 0.5


class RecordOutcome(NamedTuple):
    """What a record did: the providers compared with the ledger, and the lines it wrote."""

    #: Providers whose snapshot was compared with the ledger (a line written or not).
    recorded: List[str]
    lines_written: int
    #: Providers not recorded, with why (an observation time in the future).
    rejected: Dict[str, str]
    #: Whether the writers' lock was held (False: carried on without it).
    locked: bool
    removed_segments: List[Path]


def record_in_state(
    state: Path,
    snapshots: Sequence[UsageSnapshot],
    now: datetime,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> RecordOutcome:
    """:func:`record` into ``<state>/history/<machine-id>/``, creating the machine id first."""
    machine = ensure_machine_id(state)
    return record(history_dir(state, machine), machine, snapshots, now, retention_days)


def record(
    directory: Path,
    machine: str,
    snapshots: Sequence[UsageSnapshot],
    now: datetime,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    lock_timeout: float = LOCK_TIMEOUT,
) -> RecordOutcome:
    """Append what changed in ``snapshots`` (fresh data only: the caller drops stale ones).

    Under the lock: read ``last.json``, append the new lines to the month's segment, replace
    ``last.json``, then delete segments past retention. Raises OSError when the ledger
    cannot be written.
    """
    make_private_dir(directory)
    recorded: List[str] = []
    rejected: Dict[str, str] = {}
    with file_lock(directory / LOCK_FILE, lock_timeout) as locked:
        last, trusted = load_last(directory, now)
        lines: List[bytes] = []
        for snapshot in snapshots:
            if snapshot.fetched_at > now + FUTURE_SLACK:
                rejected[snapshot.provider] = "its fetch time is in the future"
                continue
            for observation in observations(snapshot, machine, now):
                previous = last.get(observation.series)
                if not needs_line(previous, observation):
                    continue
                try:
                    lines.append(encode_line(observation))
                except ValueError:
                    continue  # cannot happen with clipped text; never write a long line
                last[observation.series] = observation
            recorded.append(snapshot.provider)
        if lines:
            append_lines(segment_path(directory, now), lines)
        if lines or not trusted:
            save_last(directory, last)
        removed = delete_expired(directory, now, retention_days)
    return RecordOutcome(recorded, len(lines), rejected, locked, removed)


def needs_line(previous: Optional[Record], current: Record) -> bool:
    """Whether ``current`` differs enough from the series' last line to be written."""
    if previous is None:
        return True
    if current.observed_at <= previous.observed_at:
        return False  # an older (or the same) observation is never written
    if abs(current.used_percent - previous.used_percent) >= MIN_CHANGE:
        return True
    if reset_moved(previous.resets_at, current.resets_at):
        return True
    if (current.period_type, current.plan, current.limit) != (
        previous.period_type,
        previous.plan,
        previous.limit,
    ):
        return True
    return current.observed_at - previous.observed_at >= HEARTBEAT


def reset_moved(before: Optional[datetime], after: Optional[datetime]) -> bool:
    """Whether a reset time moved by 120 s or more, or appeared or disappeared."""
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(after - before) >= RESET_TOLERANCE


def observations(snapshot: UsageSnapshot, machine: str, now: datetime) -> List[Record]:
    """One record per window of ``snapshot`` (the first of windows sharing a name)."""
    account = account_id(snapshot)
    plan = snapshot.identity.plan if snapshot.identity is not None else None
    ts = now.astimezone(timezone.utc).replace(microsecond=0)
    observed_at = snapshot.fetched_at.astimezone(timezone.utc)
    provider = snapshot.provider
    records: Dict[str, Record] = {}
    for period in snapshot.periods:
        window = clip(period.name) or ""
        if not window or window in records:
            continue
        records[window] = Record(
            ts=ts,
            machine=machine,
            provider=provider,
            account=account,
            window=window,
            period_type=period.period_type.value,
            model=clip(period.model),
            used_percent=observed_percent(period),
            resets_at=None
            if period.resets_at is None
            else period.resets_at.astimezone(timezone.utc),
            observed_at=observed_at,
            source=clip(snapshot.source),
            plan=clip(plan),
        )
    return list(records.values())


def observed_percent(period: UsagePeriod) -> float:
    """The used percent a line records (the model keeps a whole percent)."""
    return float(period.utilization)


def account_id(snapshot: UsageSnapshot) -> Optional[str]:
    """A stable, non-reversible account key: a hash of the email (or login), else the org."""
    identity = snapshot.identity
    if identity is None:
        return None
    person = identity.email or identity.login
    who = person.lower() if person else identity.organization
    if not who:
        return None
    digest = hashlib.sha256(f"{snapshot.provider}:{who}".encode()).hexdigest()
    return digest[:16]


def _utc(moment: Optional[datetime]) -> Optional[datetime]:
    return None if moment is None else moment.astimezone(timezone.utc)
