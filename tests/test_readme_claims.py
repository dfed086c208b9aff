"""The README's mechanically checkable claims hold: config keys and defaults, exit codes,
commands and flags, the providers' strategies, the environment variables it names."""

import io
import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest

from vibeusage.commands import COMMANDS, load
from vibeusage.commands.app import App
from vibeusage.config import (
    TIMEOUT_BOUNDS,
    Config,
    DisplayConfig,
    FetchConfig,
    HistoryConfig,
    ProviderConfig,
    load_config,
)
from vibeusage.errors import ErrorCategory, ExitCode, VibeusageError
from vibeusage.guard import decision
from vibeusage.models import (
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
)
from vibeusage.pipeline import ProviderResult
from vibeusage.providers import PROVIDER_IDS
from vibeusage.terminal import Terminal
from vibeusage.views.usage_help import ENVIRONMENT, EXIT_CODES
from vibeusage.views.usage_json import providers_document, snapshot_document

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the py39/py310 tox envs
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.rst").read_text(encoding="utf-8")
LINES = README.splitlines()
PACKAGE = ROOT / "vibeusage"


def section(title: str) -> List[str]:
    """The lines of the README section (or subsection) called ``title``, up to the next."""
    start = next(i for i, line in enumerate(LINES) if line == title) + 2
    end = next(
        (
            i - 1
            for i in range(start, len(LINES))
            if LINES[i]
            and set(LINES[i]) <= set("-~=")
            and len(LINES[i]) == len(LINES[i - 1])
            and LINES[i - 1].strip()
        ),
        len(LINES),
    )
    return LINES[start:end]


def config_block() -> str:
    """The literal block after "``config.toml`` in the configuration directory"."""
    start = next(i for i, line in enumerate(LINES) if line.startswith("``config.toml`` in the"))
    block: List[str] = []
    for line in LINES[start + 2 :]:
        if line and not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block)


def literal_commands(lines: List[str], command: str) -> List[str]:
    """``vibeusage <command> ...`` in literal blocks, with continuation lines, cut at a pipe."""
    found: List[str] = []
    for line in lines:
        text = line.strip()
        if line.startswith("    ") and text.startswith(f"vibeusage {command}"):
            found.append(re.split(r" \| | && | \|\| |; ", text)[0])
        elif found and line.startswith("      ") and text.startswith("["):
            found[-1] += " " + text
    return found


def app() -> App:
    return App(Terminal(io.StringIO(), io.StringIO()), os.environ, lambda: None)


def known(the_app: App) -> Dict[str, List[str]]:
    return {pid: list(p.strategy_names()) for pid, p in the_app.registry.items()}


def table_rows(lines: List[str]) -> Dict[str, str]:
    """First cell -> rest of the line, for the rows of a simple RST table of codes."""
    rows: Dict[str, str] = {}
    for line in lines:
        match = re.match(r"^(\d+)\s{2,}(.*)$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


#: Values in the README's config block that are examples, not defaults.
EXAMPLES = {"enabled_providers", "providers.zai.region"}


def test_the_readme_config_block_is_a_valid_config_file(home: object, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(config_block(), encoding="utf-8")
    the_app = app()
    options = {pid: p.options for pid, p in the_app.registry.items()}
    config = load_config(path, known(the_app), {}, options)
    assert config.enabled_providers == ("claude",)


def test_every_value_the_readme_config_block_states_is_the_default() -> None:
    data = tomllib.loads(config_block())
    registry = app().registry
    defaults = {"display": DisplayConfig(), "fetch": FetchConfig(), "history": HistoryConfig()}
    checked = 0
    for table, values in data.items():
        if table in defaults:
            for key, value in values.items():
                assert getattr(defaults[table], key) == value, f"{table}.{key}"
                checked += 1
    for pid, values in data["providers"].items():
        provider = registry[pid]
        for key, value in values.items():
            if f"providers.{pid}.{key}" in EXAMPLES:
                continue
            if key == "auth_source":
                expected = ProviderConfig().auth_source
            elif key in ("enabled", "run_tools"):
                expected = True  # run_tools: as fetch.run_tools, whose default is true
            else:
                expected = provider.option_default(key)
            assert expected == value, f"providers.{pid}.{key}"
            checked += 1
    assert Config().enabled_providers is None  # "default: every provider"
    assert checked >= 15


def test_the_readme_config_block_names_every_fetch_and_display_key() -> None:
    data = tomllib.loads(config_block())
    for table, defaults in (("display", DisplayConfig()), ("fetch", FetchConfig())):
        assert set(data[table]) == set(vars(defaults)), table


def test_the_claude_strategies_the_config_block_lists_are_the_manifest_s() -> None:
    line = next(line for line in config_block().splitlines() if "auth_source" in line)
    named = re.findall(r'"(\w+)"', line.split("#", 1)[1])
    assert named == list(app().registry["claude"].strategy_names())


def test_the_exit_code_table_matches_the_exit_codes() -> None:
    rows = table_rows(section("Exit codes"))
    assert {int(code) for code in rows} == {int(code) for code in ExitCode}
    for code in ExitCode:
        assert f"{int(code)} " in EXIT_CODES + " ", f"--help misses exit code {int(code)}"


def test_the_guard_exit_code_table_matches_the_guard_constants() -> None:
    title = "Guard: quota-aware exit codes for scripts and agent loops"
    rows = table_rows(section(title))
    expected = {
        decision.EXIT_OK,
        decision.EXIT_BLOCKED,
        decision.EXIT_USAGE,
        decision.EXIT_UNAVAILABLE,
        int(ExitCode.INTERRUPTED),
    }
    assert {int(code) for code in rows} == expected


def test_the_providers_table_lists_each_provider_s_strategies_in_order() -> None:
    body = section("Providers")
    rows: Dict[str, str] = {}
    current = ""
    for line in body:
        if not line or set(line) <= set("= "):
            continue
        first = line[:11].strip()
        if first and first != "provider":
            current = first
            rows[current] = ""
        if current:
            rows[current] += " " + line[65:]
    registry = app().registry
    assert set(rows) == set(PROVIDER_IDS)
    for pid, cell in rows.items():
        named = re.findall(r"``([\w]+)``", cell)
        assert named == list(registry[pid].strategy_names()), pid


def _options(name: str) -> Set[str]:
    parser = load(name).build_parser(app()) if name else None
    if parser is None:
        from vibeusage.commands import usage

        parser = usage.build_parser(app())
    return {s for action in parser._actions for s in action.option_strings}


def test_every_usage_option_in_the_readme_is_accepted(home: object) -> None:
    table = [line for line in section("Usage") if line.startswith("``-")]
    flags = {f for line in table for f in re.findall(r"``(--?[\w-]+)", line.split("  ")[0])}
    assert len(flags) >= 14
    assert flags <= _options("")


def test_every_command_and_flag_the_commands_table_names_is_accepted(home: object) -> None:
    rows = [line for line in section("Commands") if line.startswith("``vibeusage ")]
    assert len(rows) >= 15
    for row in rows:
        words = row.split("``")[1].split()
        command = words[1]
        if command == "PROVIDER":
            continue
        assert command in COMMANDS, command
        flags = {w.strip("[]") for w in words if w.strip("[]").startswith("-")}
        assert flags <= _options(command), row


def test_every_guard_and_statusline_flag_in_the_synopses_is_accepted(home: object) -> None:
    for command, title in (
        ("guard", "Guard: quota-aware exit codes for scripts and agent loops"),
        ("statusline", "One line for prompts, tmux, status bars and Claude Code"),
        ("watch", "Live view and alerts: ``watch``, ``alert``"),
        ("alert", "Live view and alerts: ``watch``, ``alert``"),
    ):
        lines = literal_commands(section(title), command)
        flags = {f for line in lines for f in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line)}
        assert flags, command
        assert flags <= _options(command), (command, flags - _options(command))


#: Upper-case names in double back-quotes that are not environment variables.
NOT_VARIABLES = {"CONTRIBUTING"}


@pytest.mark.parametrize(
    "variable",
    sorted(set(re.findall(r"``\$?\{?([A-Z][A-Z0-9_]{2,})", README)) - NOT_VARIABLES),
)
def test_every_environment_variable_the_readme_names_is_read_by_the_code(variable: str) -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    assert variable in sources


def test_the_error_keys_and_categories_the_readme_lists_are_the_code_s() -> None:
    text = " ".join(section("JSON"))
    keys = re.search(r"An ERROR is ``\{([^}]*)\}``", text)
    categories = re.search(r"category one of ``([^`]*)``", text)
    assert keys and categories
    error = VibeusageError("boom", ErrorCategory.NETWORK, provider="claude")
    assert re.findall(r'"(\w+)"', keys.group(1)) == list(error.to_dict())
    listed = [c.strip() for c in categories.group(1).split(",")]
    assert listed == [c.value for c in ErrorCategory]


def test_the_help_environment_line_names_the_readme_s_settings_variables() -> None:
    for variable in (
        "VIBEUSAGE_CONFIG_DIR",
        "VIBEUSAGE_CACHE_DIR",
        "VIBEUSAGE_STATE_DIR",
        "VIBEUSAGE_ENABLED_PROVIDERS",
        "VIBEUSAGE_RUN_TOOLS",
    ):
        assert variable in ENVIRONMENT
        assert f"``{variable}" in "\n".join(section("Configuration"))


def test_doctor_names_every_directory_the_settings_table_lists(cli, home) -> None:
    result = cli("doctor", "--json")
    paths = result.json()["paths"]
    assert paths["state_dir"]["path"] == str(home.state_dir)
    assert paths["cache_dir"]["path"] == str(home.cache_dir)
    assert paths["config_file"]["path"] == str(home.config_dir / "config.toml")


def test_config_show_and_the_default_file_carry_the_statusline_ttl_default(cli, home) -> None:
    values = cli("config", "show", "--json").json()["values"]
    assert values["providers.claude.statusline_ttl"] == {"value": 600, "source": "default"}
    assert cli("config", "reset", "--yes").code == 0
    text = (home.config_dir / "config.toml").read_text(encoding="utf-8")
    assert "\n# statusline_ttl = 600\n" in text


def literal_json(start_marker: str, wrap: bool = False) -> Any:
    """The JSON literal block that follows the README line starting with ``start_marker``."""
    start = next(i for i, line in enumerate(LINES) if line.startswith(start_marker))
    while not LINES[start].rstrip().endswith("::"):
        start += 1
    block: List[str] = []
    for line in LINES[start + 2 :]:
        if line and not line.startswith("    "):
            break
        block.append(line)
    text = re.sub(r"\b(SNAPSHOT|ERROR)\b", "null", "\n".join(block))  # placeholders
    return json.loads("{" + text + "}" if wrap else text)


def test_the_readme_snapshot_and_pace_examples_have_the_keys_the_json_has() -> None:
    now = datetime(2026, 9, 20, 12, 0, tzinfo=timezone.utc)
    period = UsagePeriod("Weekly", 88, PeriodType.WEEKLY, now + timedelta(days=2, hours=19))
    snapshot = UsageSnapshot(
        "claude",
        now,
        (period,),
        overage=OverageUsage(Decimal("5.50"), Decimal("100.00")),
        identity=ProviderIdentity(plan="Max 5x"),
        source="oauth",
    )
    document = snapshot_document(ProviderResult(app().registry["claude"], snapshot), now)
    example = literal_json("``vibeusage claude --json`` prints the bare SNAPSHOT")
    extra = {"binding_period", "available_again_at"}  # the README adds them in Pace
    assert set(example) == set(document) - extra
    for key in ("overage", "identity"):
        assert set(example[key]) == set(document[key]), key
    assert set(example["periods"][0]) == set(document["periods"][0]) - {"pace"}
    pace = literal_json("In ``--json`` every period gains ``pace``", wrap=True)
    assert set(pace["pace"]) == set(document["periods"][0]["pace"])
    many = literal_json("``vibeusage --json`` (or two or more providers named) prints")
    assert set(many) == set(providers_document([], now))


def test_the_statusline_help_lists_the_readme_s_template_fields_on_a_line_of_their_own(
    cli, home, monkeypatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    text = " ".join(section("One line for prompts, tmux, status bars and Claude Code"))
    listed = re.search(r"``--template`` draws each window\s+from (.*?), windows joined", text)
    assert listed
    fields = re.findall(r"``(\{\w+\})``", listed.group(1))
    help_lines = cli("statusline", "--help").out.splitlines()
    assert "template fields: " + " ".join(fields) in help_lines
    assert any(line.startswith("install writes Claude Code's settings.json") for line in help_lines)


def test_the_commands_table_has_a_row_for_every_command() -> None:
    rows = [line for line in section("Commands") if line.startswith("``vibeusage ")]
    named = {row.split("``")[1].split()[1] for row in rows}
    assert set(COMMANDS) <= named


def test_the_timeout_bounds_the_readme_states_are_the_code_s() -> None:
    low, high = TIMEOUT_BOUNDS
    bounds = f"{low:g} to {high:g}"
    assert f"# seconds per strategy ({bounds})" in config_block()
    (row,) = [line for line in section("Usage") if line.startswith("``--timeout SECONDS``")]
    assert f"default {FetchConfig().timeout:g}; {bounds}" in row
