"""``vibeusage history`` and ``--record`` end to end: record, show, events, export, failures."""

import csv
import io
import json
import os
import re
import stat
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import pytest

from tests.fakes import FakeStrategy, fake_provider
from tests.history_helpers import line, run_together, write_ledger
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.history.export import CSV_COLUMNS
from vibeusage.models import PeriodType, ProviderIdentity, UsagePeriod, UsageSnapshot
from vibeusage.providers.base import FetchResult

START = datetime(2026, 9, 20, 10, 15, tzinfo=timezone.utc)
EMAIL = "Person@Example.com"
ORGANISATION = "Acme Corp"
TOKEN = "sk-ant-oat01-SECRETtokenVALUEthatMUSTneverLEAK0123456789"


class Clock:
    """A clock the test moves forward."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Account:
    """A fake provider whose next answer (windows, plan or an error) the test sets."""

    def __init__(self, provider_id: str, used: int = 40, weekly: int = 10) -> None:
        self.id = provider_id
        self.used = used
        self.weekly = weekly
        self.plan = "Max 5x"
        self.error: Optional[VibeusageError] = None

    def answer(self, ctx: Any) -> FetchResult:
        if self.error is not None:
            return FetchResult.fail(self.error)
        now = ctx.now()
        periods = (
            UsagePeriod("Session (5h)", self.used, PeriodType.SESSION, START + timedelta(hours=2)),
            UsagePeriod("Weekly", self.weekly, PeriodType.WEEKLY, START + timedelta(days=3)),
        )
        identity = ProviderIdentity(EMAIL, ORGANISATION, self.plan)
        return FetchResult.ok(
            UsageSnapshot(self.id, now, periods, identity=identity, source="fake")
        )

    @property
    def provider(self) -> Any:
        return fake_provider(self.id, [FakeStrategy(self.id, behaviour=self.answer)])


def register(monkeypatch: pytest.MonkeyPatch, *accounts: Account) -> None:
    providers = tuple(a.provider for a in accounts)
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: providers)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def alpha(monkeypatch: pytest.MonkeyPatch, home: Any) -> Account:
    account = Account("alpha")
    register(monkeypatch, account)
    return account


def machine_id(home: Any) -> str:
    return (home.state_dir / "machine-id").read_text(encoding="ascii").strip()


def ledger(home: Any) -> List[Dict[str, Any]]:
    """Every ledger line of this machine, in file order (each must be whole JSON)."""
    directory = home.state_dir / "history" / machine_id(home)
    found = []
    for segment in sorted(directory.glob("*.jsonl")):
        raw = segment.read_bytes()
        assert raw.endswith(b"\n")
        found += [json.loads(text) for text in raw.split(b"\n")[:-1]]
    return found


def network_down(message: str = "alpha is unreachable") -> VibeusageError:
    return VibeusageError(message, ErrorCategory.NETWORK)


# --- history record -------------------------------------------------------------------------


def test_record_is_silent_and_writes_a_line_per_window(cli, home, alpha, clock):
    result = cli("history", "record", clock=clock)
    assert (result.code, result.out, result.err) == (0, "", "")
    lines = ledger(home)
    assert [(d["provider"], d["window"], d["used_percent"]) for d in lines] == [
        ("alpha", "Session (5h)", 40),
        ("alpha", "Weekly", 10),
    ]
    first = lines[1]
    assert first["v"] == 1 and first["machine"] == machine_id(home)
    assert first["ts"] == "2026-09-20T10:15:00+00:00"
    assert first["observed_at"] == "2026-09-20T10:15:00+00:00"
    assert first["resets_at"] == "2026-09-23T10:15:00+00:00"
    assert first["period_type"] == "weekly" and first["plan"] == "Max 5x"
    assert re.fullmatch(r"[0-9a-f]{16}", first["account"])


def test_record_writes_only_changes_and_a_heartbeat(cli, home, alpha, clock):
    cli("history", "record", clock=clock)
    clock.advance(minutes=5)
    cli("history", "record", clock=clock)  # nothing changed
    assert len(ledger(home)) == 2
    alpha.used = 41
    clock.advance(minutes=5)
    cli("history", "record", clock=clock)  # the session moved a point; the weekly did not
    assert [d["window"] for d in ledger(home)][2:] == ["Session (5h)"]
    clock.advance(minutes=30)
    cli("history", "record", clock=clock)  # the heartbeat: both windows again
    assert [d["window"] for d in ledger(home)][3:] == ["Session (5h)", "Weekly"]


def test_the_documented_paths_and_private_modes(cli, home, alpha, clock):
    cli("history", "record", clock=clock)
    raw_id = (home.state_dir / "machine-id").read_bytes()
    assert re.fullmatch(rb"[0-9a-f]{16}\n", raw_id)
    directory = home.state_dir / "history" / raw_id.decode().strip()
    assert sorted(p.name for p in directory.iterdir()) == [".lock", "2026-09.jsonl", "last.json"]
    for path in (home.state_dir, home.state_dir / "history", directory):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for path in (home.state_dir / "machine-id", directory / "2026-09.jsonl"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not any(home.cache_dir.rglob("*.jsonl"))  # the ledger is not in the cache


def test_no_email_organisation_or_token_reaches_the_state_dir(cli, home, alpha, clock):
    home.write_claude_credentials(accessToken=TOKEN)  # a login on the machine
    cli("history", "record", clock=clock)
    clock.advance(minutes=1)
    cli("--record", "--json", clock=clock)
    files = [p for p in home.state_dir.rglob("*") if p.is_file()]
    assert len(files) >= 4
    for path in files:
        text = path.read_bytes().decode("utf-8").lower()
        for private in (EMAIL.lower(), "example.com", ORGANISATION.lower(), TOKEN.lower()):
            assert private not in text, path


def test_record_names_a_failed_provider_and_exits_0_when_another_was_recorded(
    cli, home, monkeypatch, clock
):
    alpha, beta = Account("alpha"), Account("beta")
    beta.error = network_down("beta is unreachable")
    register(monkeypatch, alpha, beta)
    result = cli("history", "record", clock=clock)
    assert result.code == 0 and result.out == ""
    assert result.err == "vibeusage: beta not recorded: beta is unreachable\n"
    assert {d["provider"] for d in ledger(home)} == {"alpha"}


@pytest.mark.parametrize(
    "category, code",
    [(ErrorCategory.NETWORK, 3), (ErrorCategory.AUTHENTICATION, 2), (ErrorCategory.PARSE, 1)],
)
def test_record_with_nothing_recorded_exits_with_the_first_failure(
    cli, home, alpha, clock, category, code
):
    alpha.error = VibeusageError("no luck", category)
    result = cli("history", "record", clock=clock)
    assert result.code == code
    assert "alpha not recorded: no luck" in result.err


def test_a_stale_fallback_is_not_recorded(cli, home, alpha, clock):
    cli("history", "record", clock=clock)
    alpha.error, alpha.used = network_down(), 90
    clock.advance(minutes=45)  # past the heartbeat: a fresh snapshot would get lines
    result = cli("history", "record", clock=clock)
    assert result.code == 3
    assert len(ledger(home)) == 2


def test_record_offline_records_the_fresh_cache_without_fetching(cli, home, alpha, clock):
    cli("alpha", "--json", clock=clock)  # fills the cache
    clock.advance(seconds=30)
    alpha.error = network_down()  # would fail if it were asked
    result = cli("history", "record", "--offline", "alpha", clock=clock)  # options anywhere
    assert (result.code, result.err) == (0, "")
    assert len(ledger(home)) == 2


def test_record_of_named_providers_only(cli, home, monkeypatch, clock):
    register(monkeypatch, Account("alpha"), Account("beta"), Account("gamma"))
    assert cli("history", "record", "gamma", "alpha", clock=clock).code == 0
    assert [d["provider"] for d in ledger(home)] == ["gamma", "gamma", "alpha", "alpha"]


def test_record_with_nothing_connected_says_so(cli, home, clock):
    result = cli("history", "record", clock=clock)
    assert result.code == 1
    assert "nothing to record" in result.err
    assert not home.state_dir.exists()


def test_record_into_an_unwritable_state_dir_is_an_error(cli, home, alpha, clock):
    home.state_dir.write_text("a file where the directory should be\n", encoding="utf-8")
    result = cli("history", "record", clock=clock)
    assert result.code == 1
    assert "cannot write the history ledger" in result.err
    assert "Traceback" not in result.err


def test_retention_from_the_config_deletes_old_segments(cli, home, alpha, clock):
    home.write_config("[history]\nretention_days = 30\n")
    cli("history", "record", clock=clock)
    directory = home.state_dir / "history" / machine_id(home)
    write_ledger(directory, [line(datetime(2026, 7, 10, tzinfo=timezone.utc), 5, None)])
    write_ledger(directory, [line(datetime(2026, 8, 10, tzinfo=timezone.utc), 5, None)])
    clock.advance(hours=1)
    cli("history", "record", clock=clock)
    assert sorted(p.name for p in directory.glob("*.jsonl")) == ["2026-08.jsonl", "2026-09.jsonl"]


@pytest.mark.parametrize("value", ["0", "36501", "1.5", '"long"', "true"])
def test_a_bad_retention_is_a_config_error(cli, home, alpha, clock, value):
    home.write_config(f"[history]\nretention_days = {value}\n")
    result = cli("history", "record", clock=clock)
    assert result.code == 4
    assert "history.retention_days" in result.err


def test_config_show_and_path_include_history(cli, home, alpha):
    home.write_config("[history]\nretention_days = 90\n")
    shown = cli("config", "show", "--json").json()["values"]
    assert shown["history.retention_days"] == {"value": 90, "source": "file"}
    paths = cli("config", "path", "--json").json()
    assert paths["state_dir"]["path"] == str(home.state_dir)


# --- the usage view's --record --------------------------------------------------------------


def test_usage_record_prints_the_view_then_records_it(cli, home, alpha, clock):
    plain = cli("--json", clock=clock)
    clock.advance(minutes=2)
    result = cli("--json", "--record", clock=clock)
    assert result.code == 0 and result.err == ""
    assert result.json()["providers"].keys() == plain.json()["providers"].keys()
    lines = ledger(home)
    assert [d["window"] for d in lines] == ["Session (5h)", "Weekly"]
    assert lines[0]["observed_at"] == "2026-09-20T10:17:00+00:00"


def test_usage_record_with_an_unwritable_state_dir_warns_and_keeps_the_exit_code(
    cli, home, monkeypatch, clock
):
    alpha, beta = Account("alpha"), Account("beta")
    register(monkeypatch, alpha)
    home.state_dir.write_text("in the way\n", encoding="utf-8")
    result = cli("--json", "--record", clock=clock)
    assert result.code == 0
    assert result.json()["providers"]["alpha"]["periods"]
    assert result.err.startswith("vibeusage: warning: history not recorded: ")
    beta.error = network_down()
    register(monkeypatch, alpha, beta)
    clock.advance(minutes=2)
    partial = cli("--record", "-o", str(home.root / "out.txt"), clock=clock)
    assert partial.code == 5
    assert "warning: history not recorded" in partial.err
    assert (home.root / "out.txt").read_text(encoding="utf-8").startswith("Alpha")


def test_usage_record_skips_stale_and_failed_providers(cli, home, monkeypatch, clock):
    alpha, beta = Account("alpha"), Account("beta")
    register(monkeypatch, alpha, beta)
    cli("--json", clock=clock)  # both cached
    beta.error = network_down()
    clock.advance(minutes=45)
    result = cli("--json", "--record", clock=clock)
    assert result.code == 5 and result.json()["stale"] == ["beta"]
    assert {d["provider"] for d in ledger(home)} == {"alpha"}


def test_overlapping_history_record_processes_write_whole_unduplicated_lines(home, tmp_path):
    script = """
import io, json, os
from datetime import datetime, timezone
import vibeusage.providers
from tests.fakes import FakeStrategy, fake_provider
from vibeusage.cli import Terminal, run
provider = fake_provider("alpha", [FakeStrategy("alpha", utilization=int(sys.argv[1]))])
vibeusage.providers.all_providers = lambda: (provider,)
now = datetime(2026, 9, 20, 10, 15, tzinfo=timezone.utc)
out, err = io.StringIO(), io.StringIO()
code = run(["history", "record", "alpha"], Terminal(out, err), os.environ, clock=lambda: now)
print(json.dumps([code, out.getvalue(), err.getvalue()]))
"""
    outputs = run_together(script, [["40"]] * 8, tmp_path)
    assert [json.loads(o) for o in outputs] == [[0, "", ""]] * 8
    lines = ledger(home)
    assert [(d["window"], d["used_percent"]) for d in lines] == [("Session (5h)", 40)]


# --- history (show) --------------------------------------------------------------------------


def test_history_shows_each_window_now_and_its_samples(cli, home, alpha, clock):
    for used in (10, 20, 30):
        alpha.used = used
        cli("history", "record", clock=clock)
        clock.advance(hours=1)
    result = cli("history", clock=clock)
    assert result.code == 0 and result.err == ""
    rows = [r.split() for r in result.out.splitlines()]
    assert rows[0] == ["alpha"]
    assert rows[2][:3] == ["Session", "(5h)", "30%"] and rows[2][-1] == "3"
    assert rows[3][:2] == ["Weekly", "10%"]
    assert all(len(r) <= 80 for r in result.out.splitlines())


def test_history_json_is_the_documented_document(cli, home, alpha, clock):
    cli("history", "record", clock=clock)
    clock.advance(hours=2)
    alpha.used = 70
    cli("history", "record", clock=clock)
    document = cli("history", "--json", "--since", "1d", clock=clock).json()
    assert list(document) == [
        "schema_version",
        "since",
        "until",
        "machine",
        "skipped_lines",
        "providers",
    ]
    assert document["machine"] == machine_id(home)
    assert document["since"] == "2026-09-19T12:15:00+00:00"
    assert document["until"] == "2026-09-20T12:15:00+00:00"
    session = document["providers"]["alpha"]["series"][0]
    assert session["window"] == "Session (5h)" and session["samples"] == 2
    assert [p["used_percent"] for p in session["points"]] == [40, 70]
    assert session["current"]["observed_at"] == "2026-09-20T12:15:00+00:00"
    assert session["trend"]["burn_per_day"] == 360
    assert document["providers"]["alpha"]["events"] == []


def test_history_of_one_provider_and_unknown_providers(cli, home, monkeypatch, clock):
    register(monkeypatch, Account("alpha"), Account("beta"))
    cli("history", "record", clock=clock)
    document = cli("history", "beta", "--json", clock=clock).json()
    assert list(document["providers"]) == ["beta"]
    result = cli("history", "nosuch", clock=clock)
    assert result.code == 4 and "unknown provider 'nosuch'" in result.err


def test_history_events_lists_a_reset_in_local_time(cli, home, alpha, clock, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    cli("history", "record", clock=clock)
    directory = home.state_dir / "history" / machine_id(home)
    before, after = START + timedelta(days=1), START + timedelta(days=8)
    write_ledger(
        directory,
        [
            line(START + timedelta(minutes=1), 90, before, provider="alpha", window="Team"),
            line(START + timedelta(days=1, minutes=5), 3, after, provider="alpha", window="Team"),
        ],
    )
    clock.advance(days=2)
    result = cli("history", "--events", clock=clock)
    assert result.code == 0
    rows = [r.split() for r in result.out.splitlines()]
    assert rows[0] == ["Time", "Provider", "Window", "Event", "Reason"]
    assert ["2026-09-21", "10:20", "alpha", "Team", "reset", "scheduled"] in rows
    document = cli("history", "--json", clock=clock).json()
    events = document["providers"]["alpha"]["events"]
    assert {"event": "reset", "reason": "scheduled", "window": "Team"}.items() <= next(
        e for e in events if e["event"] == "reset"
    ).items()


def test_history_before_any_record_says_how_to_start(cli, home, clock):
    result = cli("history", clock=clock)
    assert result.code == 0
    assert "vibeusage history record" in result.out
    document = cli("history", "--json", clock=clock).json()
    assert document["machine"] is None and document["providers"] == {}


def test_bad_ledger_lines_are_skipped_and_counted(cli, home, alpha, clock):
    cli("history", "record", clock=clock)
    segment = home.state_dir / "history" / machine_id(home) / "2026-09.jsonl"
    with open(segment, "ab") as handle:
        handle.write(b"not json\n\n")
        handle.write(json.dumps(line(START, 5, None, v=2)).encode() + b"\n")  # a newer v
        handle.write(b'{"v":1,"ts":"2026-09-20T10:16:00+00:00","provi')  # torn
    clock.advance(minutes=45)
    assert cli("history", "record", clock=clock).code == 0  # terminates the torn line first
    document = cli("history", "--json", clock=clock).json()
    assert document["skipped_lines"] == 4
    assert document["providers"]["alpha"]["series"][0]["samples"] == 2
    text = cli("history", clock=clock).out
    assert "(4 unreadable ledger lines skipped)" in text
    export = cli("history", "export", "--format", "jsonl", clock=clock)
    assert export.code == 0
    assert export.err == "vibeusage: warning: 4 unreadable ledger lines skipped\n"
    assert len(export.out.splitlines()) == 4


# --- history export -------------------------------------------------------------------------


def recorded_twice(cli: Any, alpha: Account, clock: Clock) -> None:
    cli("history", "record", clock=clock)
    clock.advance(minutes=20)  # within the heartbeat: only the session gets a line
    alpha.used = 55
    cli("history", "record", clock=clock)


def test_export_csv_has_the_documented_header_and_a_row_per_line(cli, home, alpha, clock):
    recorded_twice(cli, alpha, clock)
    result = cli("history", "export", "--format", "csv", clock=clock)
    assert result.code == 0 and result.err == ""
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == list(CSV_COLUMNS)
    assert ",".join(rows[0]) == (
        "ts,machine,provider,account,window,period_type,model,used_percent,resets_at,"
        "observed_at,source,plan"
    )
    assert [(r[4], r[7]) for r in rows[1:]] == [
        ("Session (5h)", "40"),
        ("Weekly", "10"),
        ("Session (5h)", "55"),
    ]
    assert rows[1][6] == ""  # model: unknown is an empty cell
    assert rows[1][9] == "2026-09-20T10:15:00+00:00"


def test_export_jsonl_is_the_ledger_in_observation_order(cli, home, alpha, clock):
    recorded_twice(cli, alpha, clock)
    result = cli("history", "export", "--format", "jsonl", clock=clock)
    exported = [json.loads(text) for text in result.out.splitlines()]
    assert exported == ledger(home)
    observed = [d["observed_at"] for d in exported]
    assert observed == sorted(observed)


def test_export_since_and_output_file(cli, home, alpha, clock):
    recorded_twice(cli, alpha, clock)
    target = home.root / "export.csv"
    result = cli(
        "history", "export", "--format", "csv", "--since", "10m", "-o", str(target), clock=clock
    )
    assert (result.code, result.out) == (0, "")
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r[7] for r in rows[1:]] == ["55"]
    assert [p.name for p in home.root.iterdir() if p.name.endswith(".tmp")] == []
    iso = cli("history", "export", "--format", "csv", "--since", "2026-09-20T10:30", clock=clock)
    assert len(iso.out.splitlines()) == 2


# --- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["history", "export"], "needs --format"),
        (["history", "export", "--format", "xml"], "invalid choice"),
        (["history", "export", "--format", "csv", "alpha"], "takes no provider"),
        (["history", "--since", "soon"], "--since 'soon'"),
        (["history", "--since", "2099-01-01"], "in the future"),
        (["history", "--since", "0d"], "at least 1"),
        (["history", "alpha", "beta"], "one provider"),
        (["history", "--format", "csv"], "--format is not an option of `vibeusage history`"),
        (["history", "record", "--json"], "--json is not an option"),
        (["history", "record", "--since", "1d"], "--since is not an option"),
        (["history", "record", "--timeout", "0"], "between 0.1 and 600"),
        (["history", "export", "--format", "csv", "--events"], "--events is not an option"),
        (["history", "--offline"], "--offline is not an option"),
        (["history", "-o", "x"], "--output is not an option"),
    ],
)
def test_bad_arguments_exit_4(cli, home, alpha, clock, argv, message):
    result = cli(*argv, clock=clock)
    assert result.code == 4, result.err
    assert message in result.err
    assert result.out == ""


def test_history_help_lists_the_three_forms(cli, home):
    result = cli("history", "--help")
    assert result.code == 0
    assert "vibeusage history record [PROVIDER ...]" in result.out
    assert "vibeusage history export --format csv|jsonl" in result.out
    assert "history" in cli("--help").out


def test_completion_offers_history_options(cli, home):
    script = cli("completion", "bash").out
    assert "--since" in script and "--events" in script


def test_the_home_fixture_isolates_the_state_dir(home):
    assert os.environ.get("VIBEUSAGE_STATE_DIR") == str(home.state_dir)
    assert "XDG_STATE_HOME" not in os.environ
