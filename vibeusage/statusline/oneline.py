"""What the one-line output shows (§5.1): cached snapshots at any age, plus Claude's capture.

Read from the files as plain JSON (no model classes, no provider modules): this runs on
every prompt. A provider is a dict ``{provider, name, source, stale, fetched_at, windows}``
and a window ``{name, label, period_type, model, used, resets_at}`` (epochs in seconds).
"""

from __future__ import annotations

import json
import os

from .capture import window_identity
from .values import FUTURE_SLACK, clean_percent, iso_epoch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

#: The snapshot cache's storage forms read here (``cache.STORAGE_VERSION`` and the older
#: ones it still reads, kept equal by a test). The login key a v3 entry records is not
#: checked here: this reader loads no provider code.
STORAGE_VERSION = 3
OLDER_STORAGE_VERSIONS = (2,)
PERIOD_ORDER = ("session", "daily", "weekly", "monthly")
LABELS = {"session": "5h", "daily": "24h", "weekly": "7d", "monthly": "30d"}
CRITICAL_USED = 95
WARNING_USED = 80
#: Runs out within this many seconds: critical.
CRITICAL_ETA = 30 * 60
SEVERITIES = ("ok", "warning", "critical")


def cached_provider(cache_dir: str, provider_id: str) -> Optional[Dict[str, Any]]:
    """The snapshot cache's entry for a provider as a line provider, or None when unusable.

    Read like the snapshot cache reads it: a file with a bad period is not used at all.
    """
    from ..store import MAX_OWN_FILE, read_bounded

    try:
        path = os.path.join(cache_dir, "snapshots", f"{provider_id}.json")
        data = json.loads(read_bounded(path, MAX_OWN_FILE).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    # The cache's own storage form, or the contract form older versions wrote.
    version = data.get("storage_version")
    if (
        version not in (STORAGE_VERSION, *OLDER_STORAGE_VERSIONS)
        and data.get("schema_version") != 1
    ):
        return None
    return snapshot_provider(data.get("snapshot"), provider_id)


def snapshot_provider(snapshot: Any, provider_id: str) -> Optional[Dict[str, Any]]:
    """A snapshot's JSON (``UsageSnapshot.to_dict``) as a line provider, or None."""
    if not isinstance(snapshot, dict) or snapshot.get("provider") != provider_id:
        return None
    fetched_at = iso_epoch(snapshot.get("fetched_at"))
    periods = snapshot.get("periods")
    if fetched_at is None or not isinstance(periods, list):
        return None
    windows = []
    for period in periods:
        window = _period_window(period)
        if window is None:
            return None
        windows.append(window)
    source = snapshot.get("source")
    return _provider(provider_id, str(source or "unknown"), fetched_at, windows)


def _period_window(period: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(period, dict) or not isinstance(period.get("name"), str):
        return None
    used = clean_percent(period.get("utilization"))
    period_type = period.get("period_type")
    if used is None or period_type not in LABELS:
        return None
    model = period.get("model")
    resets = period.get("resets_at")
    return {
        "name": period["name"],
        "period_type": period_type,
        "model": model if isinstance(model, str) else None,
        "used": used,
        "resets_at": iso_epoch(resets),
    }


def capture_provider(capture: Optional[Dict[str, Any]], now: float) -> Optional[Dict[str, Any]]:
    """Claude's capture as a line provider (windows not yet reset), or None when it has none.

    ``fetched_at`` is the oldest ``observed_at``: the capture is as old as its oldest reading.
    """
    if not capture:
        return None
    windows = []
    observed = []
    for key, entry in capture["windows"].items():
        if entry["resets_at"] <= now:
            continue
        name, period_type, model = window_identity(key)
        at = iso_epoch(entry["observed_at"])
        if at is None:
            continue
        observed.append(at)
        windows.append(
            {
                "name": name,
                "period_type": period_type,
                "model": model,
                "used": entry["used_percent"],
                "resets_at": float(entry["resets_at"]),
            }
        )
    if not windows:
        return None
    return _provider("claude", "statusline", min(observed), windows)


def _provider(
    provider_id: str, source: str, fetched_at: float, windows: List[Dict[str, Any]]
) -> Dict[str, Any]:
    return {
        "provider": provider_id,
        "name": provider_id,
        "source": source,
        "stale": False,
        "fetched_at": fetched_at,
        "windows": windows,
    }


def newer(
    first: Optional[Dict[str, Any]], second: Optional[Dict[str, Any]]
) -> Optional[Dict[str, Any]]:
    """The more recently fetched of two line providers (the first on a tie)."""
    if first is None or second is None:
        return first or second
    return second if second["fetched_at"] > first["fetched_at"] else first


def shown(
    provider: Dict[str, Any], name: str, now: float, stale_threshold: float
) -> Dict[str, Any]:
    """The provider as shown: its name, staleness, and one candidate per period type.

    Candidates are the windows without a model (all of them when every one has a model);
    of each period type the most used is shown, shortest window first. A window whose reset
    has passed has started again: 0 % with no reset time.
    """
    windows = provider["windows"]
    unscoped = [w for w in windows if w["model"] is None]
    best: Dict[str, Dict[str, Any]] = {}
    for window in unscoped or windows:
        if window["resets_at"] is not None and window["resets_at"] <= now:
            window = dict(window, used=0.0, resets_at=None)
        current = best.get(window["period_type"])
        if current is None or window["used"] > current["used"]:
            best[window["period_type"]] = window
    chosen = [dict(best[kind], label=LABELS[kind]) for kind in PERIOD_ORDER if kind in best]
    age = now - provider["fetched_at"]
    return dict(
        provider,
        name=name,
        stale=age > stale_threshold or age < -FUTURE_SLACK,
        windows=chosen,
    )


def collect(
    ids: Sequence[str],
    names: Dict[str, str],
    cache_dir: str,
    capture: Optional[Dict[str, Any]],
    now: float,
    stale_threshold: float,
    fetched: Optional[Dict[str, Dict[str, Any]]] = None,
) -> List[Dict[str, Any]]:
    """The providers of ``ids`` that have data, in order, ready to be drawn.

    ``fetched`` holds providers just fetched (``--refresh``); the rest come from the cache,
    and Claude's capture wins over older Claude data.
    """
    found = []
    for provider_id in ids:
        data = (fetched or {}).get(provider_id) or cached_provider(cache_dir, provider_id)
        if provider_id == "claude":
            data = newer(data, capture_provider(capture, now))
        if data is not None and data["windows"]:
            found.append(shown(data, names.get(provider_id, provider_id), now, stale_threshold))
    return found


def assess(window: Dict[str, Any], now: float) -> Tuple[str, Optional[int]]:
    """(severity, seconds until it runs out or None) of a shown window, from its pace.

    ``critical``: 95 % or more, or out within 30 min; ``warning``: 80 % or more, or in
    deficit (or far) and will not last; else ``ok``.
    """
    pace = _pace(window, now)
    eta = None if pace is None else pace.eta_seconds
    used = window["used"]
    if used >= CRITICAL_USED or (eta is not None and eta <= CRITICAL_ETA):
        return "critical", eta
    behind = pace is not None and pace.stage.value in ("deficit", "far_deficit")
    if used >= WARNING_USED or (behind and pace is not None and not pace.will_last_to_reset):
        return "warning", eta
    return "ok", eta


def _pace(window: Dict[str, Any], now: float) -> Any:
    if window["resets_at"] is None:
        return None
    from datetime import datetime, timezone

    from ..models import PeriodType
    from ..pace.forecast import compute_pace

    moment = datetime.fromtimestamp(now, timezone.utc)
    resets = datetime.fromtimestamp(window["resets_at"], timezone.utc)
    return compute_pace(window["used"], resets, PeriodType(window["period_type"]), moment)


def assessed(providers: List[Dict[str, Any]], now: float) -> List[Dict[str, Any]]:
    """The providers with each window's ``severity`` and ``eta_seconds`` filled in."""
    result = []
    for provider in providers:
        windows = []
        for window in provider["windows"]:
            severity, eta = assess(window, now)
            windows.append(dict(window, severity=severity, eta_seconds=eta))
        result.append(dict(provider, windows=windows))
    return result
