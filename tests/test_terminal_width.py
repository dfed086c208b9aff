"""Output laid out to the terminal's width (COLUMNS): no line too long, no word cut in two."""

import copy
import re
from datetime import datetime, timezone
from typing import List, Set

import pytest

from tests.conftest import USAGE_URL, load_fixture
from vibeusage.cli import main
from vibeusage.providers import all_providers

WIDTHS = (60, 80, 140)
NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)
TOKEN = "sk-ant-oat01-SECRETtokenVALUEthatMUSTneverLEAK0123456789"
COPILOT_URL = "https://api.github.com/copilot_internal/user"
GH_TOKEN = "ghp_" + "GhT0k3nEnv" * 3


def too_long(text: str, width: int) -> List[str]:
    """The lines wider than ``width`` that could have been broken (no unbreakable token)."""
    return [
        line
        for line in text.splitlines()
        if len(line) > width and not any(len(word) > width // 2 for word in line.split())
    ]


def words(text: str) -> Set[str]:
    """The words of ``text``, numbers blanked (timings differ), table rules left out."""
    return {w for w in re.sub(r"[0-9]+", "0", text).split() if set(w) != {"-"}}


def run_main(capsys, monkeypatch, width: int, *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    main(list(argv))
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.mark.parametrize(
    "argv",
    [["--help"], [], ["auth"], ["key"], ["config", "show"], ["cache", "show"]],
    ids=["help", "first-run", "auth", "key", "config-show", "cache-show"],
)
@pytest.mark.parametrize("width", WIDTHS)
def test_prose_and_tables_fit_the_width_without_cutting_words(
    home, capsys, monkeypatch, argv, width
):
    text = run_main(capsys, monkeypatch, width, *argv)
    assert too_long(text, width) == []
    wide = run_main(capsys, monkeypatch, 1000, *argv)
    assert words(text) <= words(wide)  # a word cut in two would be two new words


@pytest.mark.parametrize("width", WIDTHS)
def test_every_provider_help_keeps_strategy_names_apart_and_fits(home, capsys, monkeypatch, width):
    for provider in all_providers():
        text = run_main(capsys, monkeypatch, width, provider.id, "--help")
        assert too_long(text, width) == [], provider.id
        lines = text.splitlines()
        start = lines.index("  strategies, tried in order:") + 1
        rows = [line for line in lines[start:] if re.match(r"    \S", line)]
        for strategy, line in zip(provider.strategies, rows):
            assert line.split()[0] == strategy.name, (provider.id, line)


def test_copilot_help_no_longer_runs_a_strategy_name_into_its_description(
    home, capsys, monkeypatch
):
    text = run_main(capsys, monkeypatch, 80, "copilot", "--help")
    assert "COPILOT_GITHUB_TOKENCOPILOT" not in text
    assert "    COPILOT_GITHUB_TOKEN  COPILOT_GITHUB_TOKEN environment variable" in text


@pytest.fixture
def two_providers(home, mocked, monkeypatch):
    """Claude (heavily used: 90 % half-way through the session) and Copilot, both mocked."""
    home.write_claude_credentials(accessToken=TOKEN)
    usage = copy.deepcopy(load_fixture("claude/oauth-usage-limits.json"))
    usage["five_hour"]["utilization"] = 90.0
    for limit in usage["limits"]:
        if limit["kind"] == "session":
            limit["percent"] = 90
    mocked.get(USAGE_URL, json=usage)
    monkeypatch.setenv("GH_TOKEN", GH_TOKEN)
    mocked.get(COPILOT_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    monkeypatch.setenv("VIBEUSAGE_ENABLED_PROVIDERS", "claude,copilot")
    return home


def usage_text(cli, monkeypatch, width: int, *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    result = cli("--refresh", *argv, clock=lambda: NOW)
    assert result.code in (0, 5), result.err
    return result.out


def window_rows(text: str) -> List[str]:
    return [line for line in text.splitlines() if "%" in line and "Pace" not in line]


@pytest.mark.parametrize("width", WIDTHS)
def test_usage_rows_are_one_line_each_at_every_width(cli, two_providers, monkeypatch, width):
    text = usage_text(cli, monkeypatch, width)
    assert too_long(text, width) == []
    for row in window_rows(text):
        assert row.startswith("  ") and "reset" in row, row


def test_the_bar_is_full_at_140_shorter_at_75_and_gone_at_60(cli, two_providers, monkeypatch):
    two_providers.write_config('[display]\nreset_format = "absolute"\n')  # longer rows

    def bar_cells(width: int) -> int:
        row = window_rows(usage_text(cli, monkeypatch, width))[0]
        return row.count("█") + row.count("░")

    assert bar_cells(140) == 20
    assert 8 <= bar_cells(75) < 20
    assert bar_cells(60) == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_bars_and_percentages_line_up_across_providers(cli, two_providers, monkeypatch, width):
    rows = window_rows(usage_text(cli, monkeypatch, width))
    claude_row = next(r for r in rows if "Session (5h)" in r)
    copilot_row = next(r for r in rows if "Premium requests" in r)
    assert claude_row.index("%") == copilot_row.index("%")
    if "█" in claude_row + copilot_row or "░" in claude_row + copilot_row:
        first_cell = min(claude_row.find(c) for c in "█░" if c in claude_row)
        assert first_cell == min(copilot_row.find(c) for c in "█░" if c in copilot_row)


@pytest.mark.parametrize("width", WIDTHS)
def test_verbose_lines_and_remediations_wrap_at_spaces(cli, two_providers, monkeypatch, width):
    text = usage_text(cli, monkeypatch, width, "--verbose", "claude", "copilot", "codex")
    assert too_long(text, width) == []
    wide = usage_text(cli, monkeypatch, 1000, "--verbose", "claude", "copilot", "codex")
    assert words(text) <= words(wide)
    assert "Errors" in text and "codex login" in text
