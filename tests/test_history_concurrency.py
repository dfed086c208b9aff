"""Overlapping recorders (cron runs, a person at a terminal) take turns on the ledger."""

import json
from collections import Counter

from tests.history_helpers import MACHINE, run_together
from vibeusage.history.last import LAST_FILE

RECORDER = """
import json
from datetime import datetime, timedelta, timezone
from vibeusage.history.record import record
from vibeusage.models import PeriodType, ProviderIdentity, UsagePeriod, UsageSnapshot

directory, machine, provider, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = datetime(2026, 9, 1, tzinfo=timezone.utc)
now = t0 + timedelta(hours=1)  # one clock for every process
written = 0
for n in range(rounds):
    moment = t0 + timedelta(minutes=n)
    used = 50 if rounds == 1 else (n % 2) * 50
    periods = (
        UsagePeriod("Weekly", used, PeriodType.WEEKLY, t0 + timedelta(days=7)),
        UsagePeriod("Session (5h)", used, PeriodType.SESSION, t0 + timedelta(hours=5)),
    )
    snap = UsageSnapshot(provider, moment, periods, identity=ProviderIdentity("a@b.c"))
    written += record(directory, machine, [snap], now).lines_written
print(written)
"""


def ledger_lines(directory):
    (segment,) = directory.glob("*.jsonl")
    raw = segment.read_bytes()
    assert raw.endswith(b"\n")
    return [json.loads(line) for line in raw.split(b"\n")[:-1]]  # every line whole JSON


def test_eight_recorders_of_the_same_snapshot_write_each_line_once(tmp_path):
    ledger = tmp_path / "ledger"
    argv = [str(ledger), MACHINE, "claude", "1"]
    outputs = run_together(RECORDER, [argv] * 8, tmp_path)
    assert sorted(int(out) for out in outputs) == [0] * 7 + [2]
    lines = ledger_lines(ledger)
    assert sorted(line["window"] for line in lines) == ["Session (5h)", "Weekly"]


def test_eight_recorders_of_changing_data_lose_and_duplicate_nothing(tmp_path):
    ledger = tmp_path / "ledger"
    rounds = 25
    argvs = [[str(ledger), MACHINE, f"provider{i}", str(rounds)] for i in range(8)]
    outputs = run_together(RECORDER, argvs, tmp_path)
    assert [int(out) for out in outputs] == [rounds * 2] * 8
    lines = ledger_lines(ledger)
    assert len(lines) == 8 * rounds * 2
    identities = Counter((d["provider"], d["window"], d["observed_at"]) for d in lines)
    assert max(identities.values()) == 1
    last = json.loads((ledger / LAST_FILE).read_text(encoding="utf-8"))
    assert len(last["lines"]) == 16  # no writer's update of last.json was lost
    assert {d["observed_at"] for d in last["lines"]} == {"2026-09-01T00:24:00+00:00"}
