"""Data observed longer ago than ``fetch.stale_threshold`` is stale, whatever strategy read it
(issue 13 #3): a Codex session log two days old is shown with its age, ``stale: true``, exit 5.
"""

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

UTC = timezone.utc


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@pytest.fixture
def old_log(home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """A Codex session log whose only reading is two days old (weekly window still running)."""
    root = tmp_path / "codex-home"
    monkeypatch.setenv("CODEX_HOME", str(root))
    observed = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    rate_limits = {
        "primary": {
            "used_percent": 62.0,
            "window_minutes": 300,
            "resets_at": int((observed + timedelta(hours=3)).timestamp()),
        },
        "secondary": {
            "used_percent": 40.0,
            "window_minutes": 10080,
            "resets_at": int((observed + timedelta(days=4)).timestamp()),
        },
        "plan_type": "plus",
    }
    event = {
        "timestamp": _iso(observed),
        "type": "event_msg",
        "payload": {"type": "token_count", "info": None, "rate_limits": rate_limits},
    }
    folder = root / "sessions" / observed.strftime("%Y/%m/%d")
    folder.mkdir(parents=True)
    path = folder / f"rollout-{observed.strftime('%Y-%m-%dT%H-%M-%S')}-a.jsonl"
    path.write_text(json.dumps(event) + "\n", encoding="utf-8")
    os.utime(path, (observed.timestamp(), observed.timestamp()))
    return observed


def test_old_session_log_data_is_stale_in_json_with_exit_5(cli, home, old_log):
    home.write_config('[providers.codex]\nauth_source = "local"\n')
    result = cli("--json", "codex")
    assert result.code == 5, result.out + result.err
    snapshot = result.json()
    assert snapshot["stale"] is True
    assert snapshot["fetched_at"] == old_log.isoformat()
    assert snapshot["error"]["severity"] == "warning"
    assert "observed 2d" in snapshot["error"]["message"]
    session, weekly = snapshot["periods"]
    assert (session["utilization"], session["reset_elapsed"]) == (62, True)
    assert (weekly["utilization"], weekly["reset_elapsed"]) == (40, False)


def test_old_session_log_data_shows_its_age_in_the_table(cli, home, old_log):
    home.write_config('[providers.codex]\nauth_source = "local"\n')
    result = cli("codex")
    assert result.code == 5
    header = result.out.splitlines()[0]
    assert header.startswith("Codex") and "(stale, 2d 0h old)" in header
    assert "reset 1d 2" in result.out and "was 62%" in result.out


def test_a_longer_stale_threshold_keeps_the_same_data_current(cli, home, old_log):
    home.write_config(
        '[fetch]\nstale_threshold = 864000\n[providers.codex]\nauth_source = "local"\n'
    )
    result = cli("--json", "codex")
    assert result.code == 0, result.out + result.err
    assert result.json()["stale"] is False
