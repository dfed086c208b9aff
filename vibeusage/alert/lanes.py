"""Lanes: (provider, account, window name), and the fresh observations a report gives them."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import List, Optional, Sequence

from ..history.record import account_id
from ..models import UsagePeriod, UsageSnapshot
from ..pace.percent import used_percent_of
from ..pipeline import ProviderResult


@dataclass(frozen=True)
class Observation:
    """One window of fresh data: the lane it belongs to and its used percent ``u``."""

    key: str
    provider: str
    account: Optional[str]
    period: UsagePeriod
    used: Decimal
    snapshot: UsageSnapshot


def lane_key(provider: str, account: Optional[str], window: str) -> str:
    """``claude|-|Weekly``: the lane's key in the state file (``-`` for an unknown account)."""
    return f"{provider}|{account or '-'}|{window}"


def observations(
    results: Sequence[ProviderResult], now: Optional[datetime] = None
) -> List[Observation]:
    """Every window of every fresh result, in report order; stale or failed data gives none.

    At ``now``, a window whose reset has passed is observed as 0 % used.
    """
    found = []
    for result in results:
        snapshot = result.snapshot
        if not result.fresh or snapshot is None:
            continue
        account = account_id(snapshot)
        for period in snapshot.periods:
            used = used_percent_of(period if now is None else period.as_of(now))
            if used is None:
                continue
            key = lane_key(result.provider_id, account, period.name)
            found.append(Observation(key, result.provider_id, account, period, used, snapshot))
    return found
