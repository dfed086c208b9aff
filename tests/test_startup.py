"""Start-up budget: the quick paths import nothing heavy (checked in a fresh interpreter)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vibeusage.cache import SnapshotCache
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot
from vibeusage.timeparse import utcnow

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("requests", "urllib3", "ssl", "concurrent.futures", "sqlite3", "subprocess", "http.client")

PROBE = """
import io, json, sys, contextlib
from vibeusage.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


BASELINE = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def baseline_modules():
    """What a bare interpreter has already imported (3.9 and 3.10 load typing at start-up)."""
    proc = subprocess.run(
        [sys.executable, "-c", BASELINE], capture_output=True, text=True, timeout=60
    )
    return set(json.loads(proc.stdout))


def loaded(argv, stdin=None):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(ROOT),
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return report["code"], set(report["modules"]) - baseline_modules()


def test_version_loads_only_the_entry_module(home):
    code, modules = loaded(["--version"])
    assert code == 0
    ours = {m for m in modules if m.startswith("vibeusage")}
    assert ours == {"vibeusage", "vibeusage.cli", "vibeusage.terminal"}
    assert not modules & {*HEAVY, "argparse", "tabulate", "logging", "typing"}


@pytest.mark.parametrize(
    "argv", [["--help"], ["status", "--help"], ["claude", "--help"], ["history", "--help"]]
)
def test_help_loads_no_network_database_or_table_code(home, argv):
    code, modules = loaded(argv)
    assert code == 0
    assert not modules & {*HEAVY, "tabulate"}


def test_offline_json_reads_the_cache_without_network_code(home):
    now = utcnow()
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", now, (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),), source="oauth")
    )
    code, modules = loaded(["--offline", "--json"])
    assert code == 0
    assert not modules & {*HEAVY, "tabulate"}


def test_offline_table_loads_neither_tabulate_nor_network_code(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["--offline"])
    assert code == 0
    assert "tabulate" not in modules  # the usage table is laid out by views.layout
    assert not modules & set(HEAVY)


def test_offline_with_nothing_cached_says_so(cli, home):
    result = cli("--offline")
    assert result.code == 3
    assert "Nothing is cached yet" in result.err


def _strategy_modules(modules):
    """Provider modules other than the manifests (``vibeusage.providers.<id>.<module>``) and
    the login-key readers (``<id>.login_key``, which an offline run uses to pick the login's
    cached snapshot)."""
    return sorted(
        m
        for m in modules
        if m.startswith("vibeusage.providers.")
        and m.count(".") >= 3
        and not m.endswith(".login_key")
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["--help"],
        ["status", "--help"],
        ["claude", "--help"],
        ["completion", "bash"],
        ["config"],
        ["config", "path"],
        ["history", "--help"],
    ],
)
def test_quick_commands_load_no_provider_strategy_module(home, argv):
    code, modules = loaded(argv)
    assert code == 0
    assert _strategy_modules(modules) == []
    assert not modules & {"requests", "urllib3", "vibeusage.pipeline.runner"}


def test_offline_loads_no_strategy_module_no_runner_and_no_requests(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["--offline", "--json"])
    assert code == 0
    assert _strategy_modules(modules) == []
    assert not modules & {"requests", "urllib3", "vibeusage.pipeline.runner"}


def test_help_sets_up_neither_logging_nor_signal_handling(home):
    code, modules = loaded(["--help"])
    assert code == 0
    # (``threading`` is not in the list: on 3.9 argparse's shutil imports bz2, which uses it.)
    assert not modules & {"logging", "signal", "dataclasses"}


def test_history_help_imports_no_ledger_code(home):
    code, modules = loaded(["history", "--help"])
    assert code == 0
    assert not {m for m in modules if m.startswith(("vibeusage.history", "vibeusage.pace"))}
    assert not modules & {*HEAVY, "tabulate", "csv", "json"}


def test_offline_prometheus_reads_the_cache_without_network_or_table_code(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["--offline", "--format", "prometheus"])
    assert code == 0
    assert not modules & {*HEAVY, "tabulate"}
    assert _strategy_modules(modules) == []
    assert not modules & {"vibeusage.pipeline.runner"}


def test_guard_help_loads_no_strategy_module(home):
    code, modules = loaded(["guard", "--help"])
    assert code == 0
    assert not _strategy_modules(modules)
    assert not modules & {*HEAVY, "tabulate"}


def test_guard_answered_by_the_cache_imports_no_network_or_strategy_code(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["guard", "claude"])


def _statusline_payload():
    data = json.loads((ROOT / "tests/fixtures/claude/statusline-rate-limits.json").read_text())
    now = int(utcnow().timestamp())
    data["rate_limits"]["five_hour"]["resets_at"] = now + 3600
    data["rate_limits"]["seven_day"]["resets_at"] = now + 86400
    return json.dumps(data)


@pytest.mark.parametrize(
    "argv, with_payload",
    [(["statusline"], True), (["statusline"], False), (["statusline", "codex"], False)],
)
def test_statusline_hook_and_line_stay_light(home, argv, with_payload):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("codex", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(argv, _statusline_payload() if with_payload else "")
    assert code == 0
    assert not _strategy_modules(modules)
    assert not modules & {*HEAVY, "tabulate", "logging", "tomllib", "tomli"}
    # Not even the model classes: Claude Code runs this on every prompt.
    assert not modules & {"dataclasses", "vibeusage.models", "vibeusage.config", "typing"}
    assert not {m for m in modules if m.startswith("vibeusage.pipeline")}


@pytest.mark.parametrize("fmt", ["json", "ansi", "tmux", "waybar"])
def test_statusline_formats_load_no_provider_network_or_table_code(home, fmt):
    code, modules = loaded(["statusline", "--format", fmt], _statusline_payload())
    assert code == 0
    assert not _strategy_modules(modules)
    assert not modules & {*HEAVY, "tabulate"}


@pytest.mark.parametrize("argv", [["--help"], ["status", "--help"], ["claude", "--help"]])
def test_help_measures_the_terminal_without_shutil_or_importlib(home, argv):
    code, modules = loaded(argv)
    assert code == 0
    assert not modules & {"shutil", "importlib", "bz2", "lzma"}


def test_offline_json_without_a_config_file_imports_no_toml_parser_nor_shutil(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["--offline", "--json"])
    assert code == 0
    # Not ``importlib``: ``inspect`` (under ``dataclasses``) imports it on this path.
    assert not modules & {"tomllib", "tomli", "shutil"}


def test_a_config_file_is_still_parsed_as_toml(home, cli):
    home.write_config("[fetch]\ntimeout = 'soon'\n")
    result = cli("--offline", "--json")
    assert result.code == 4
    assert "timeout" in result.err


@pytest.mark.parametrize("columns", ["73", "", "0", "wide"])
def test_the_help_width_is_the_one_shutil_would_give_argparse(monkeypatch, columns):
    import shutil

    from vibeusage.commands.parsing import help_width

    monkeypatch.setenv("COLUMNS", columns)
    assert help_width() == shutil.get_terminal_size().columns - 2


@pytest.mark.parametrize("argv", [["completion", "bash"], ["guard", "--help"], ["alert", "--help"]])
def test_building_every_parser_imports_no_models_dataclasses_or_decimal(home, argv):
    code, modules = loaded(argv)
    assert code == 0
    assert not modules & {"dataclasses", "inspect", "decimal", "datetime", "vibeusage.models"}
    assert not {m for m in modules if m.startswith(("vibeusage.guard.policy", "vibeusage.pace"))}


def test_offline_json_from_the_cache_imports_no_logging(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["--offline", "--json"])
    assert code == 0
    assert "logging" not in modules


def test_a_run_that_prints_no_help_lays_out_no_help_text(home):
    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 5, PeriodType.WEEKLY),))
    )
    code, modules = loaded(["--offline", "--json"])
    assert code == 0
    assert not modules & {"vibeusage.views.usage_help", "vibeusage.views.layout", "textwrap"}
    code, modules = loaded(["--help"])
    assert code == 0
    assert "vibeusage.views.usage_help" in modules  # the control: help does lay it out


def test_an_abbreviated_help_option_still_prints_the_epilog(cli):
    result = cli("--he")
    assert result.code == 0
    assert "providers:" in result.out
