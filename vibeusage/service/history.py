"""The history ledger for the commands: record what a run fetched, read a range back."""

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence, Tuple

from ..history.reader import LedgerRead, read_machine_ledger
from ..history.record import RecordOutcome, record_in_state
from ..models import UsageSnapshot
from ..paths import state_dir
from .context import Context

if TYPE_CHECKING:  # the pipeline is not needed to read the ledger
    from ..pipeline import ProviderResult


def state_directory(app: Context) -> Path:
    """The state directory of this run's environment (FEATURES.md §0.1)."""
    return state_dir(app.environ)


def recordable(results: Sequence["ProviderResult"]) -> Tuple[UsageSnapshot, ...]:
    """The snapshots a ledger takes: fresh data or a fresh cache, never a stale fallback."""
    return tuple(r.snapshot for r in results if r.fresh and r.snapshot is not None)


def record_results(
    app: Context, results: Sequence["ProviderResult"], now: datetime
) -> RecordOutcome:
    """Compare the fresh results with the ledger and append what changed.

    Raises OSError when the state directory or the ledger cannot be written.
    """
    return record_in_state(
        state_directory(app), recordable(results), now, app.config.history.retention_days
    )


def read_history(app: Context, since: datetime, now: datetime) -> Tuple[Optional[str], LedgerRead]:
    """This machine's id and its ledger from ``since`` to ``now`` (empty before any record)."""
    return read_machine_ledger(state_directory(app), since, now)
