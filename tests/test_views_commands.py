"""The views of auth, key, status, cache, config, doctor and completion, on hand-built data."""

import ast
import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.fakes import FakeStrategy, fake_provider
from vibeusage.models import ProviderStatus, StatusLevel
from vibeusage.views.auth import connected_message, deleted_message, overview_table
from vibeusage.views.cache import cache_table, cleared_document, cleared_message
from vibeusage.views.completion import Command, Option, bash_script, fish_script, zsh_script
from vibeusage.views.config import (
    paths_table,
    reset_document,
    reset_message,
    settings_document,
    settings_table,
    toml_value,
)
from vibeusage.views.config_file import default_config_text
from vibeusage.views.doctor import doctor_json, doctor_text
from vibeusage.views.keys import deleted_document, key_text, keys_table, stored_document
from vibeusage.views.status import status_table, statuses_document

VIEWS = Path(__file__).resolve().parent.parent / "vibeusage" / "views"
TOKEN = "sk-ant-oat01-ViewsMustMaskThisTokenValue0123456789abcdef"
ALPHA = fake_provider("alpha", [FakeStrategy("alpha", "oauth"), FakeStrategy("alpha", "web")])
BETA = fake_provider("beta", [FakeStrategy("beta", "cli")])


def rows(table: str):
    """The table's rows as lists of cells (header and rule dropped)."""
    return [line.split("  ") for line in table.splitlines()[2:]]


# --- auth and key ----------------------------------------------------------------------------


def test_auth_overview_shows_the_source_or_the_next_step_and_disabled_state():
    report = {
        "alpha": {"connected": True, "enabled": True, "source": "fake oauth", "next_step": None},
        "beta": {"connected": False, "enabled": False, "source": None, "next_step": "Log in."},
    }
    lines = overview_table(report).splitlines()
    assert lines[0].split() == ["provider", "state", "source", "/", "next", "step"]
    assert lines[2].split(None, 2) == ["alpha", "connected", "fake oauth"]
    assert lines[3].split() == ["beta", "not", "connected", "(disabled)", "Log", "in."]


def test_auth_messages():
    assert connected_message("Alpha", "fake oauth") == "Alpha is connected through: fake oauth."
    assert connected_message("Alpha", "x", fallback_for="alpha").endswith(
        " A fallback can be stored with `vibeusage key alpha set`."
    )
    assert deleted_message("Alpha", False) == "vibeusage had nothing stored for Alpha."
    assert "other tools' logins are untouched" in deleted_message("Alpha", True)


def test_keys_table_shows_a_dash_for_nothing_stored():
    entries = {
        "alpha": {"masked": "sk-…6789", "created_at": "2026-01-16T10:30:00+00:00", "what": "key"},
        "beta": {"masked": None, "created_at": None, "what": "token"},
    }
    lines = keys_table(entries).splitlines()
    assert lines[2].split() == ["alpha", "sk-…6789", "2026-01-16T10:30:00+00:00", "key"]
    assert lines[3].split() == ["beta", "-", "token"]


def test_key_text_names_the_file_or_how_to_store_one():
    stored = {"stored": True, "masked": "sk-…6789", "path": "/p/key.json", "what": "key"}
    assert key_text("alpha", "Alpha", stored) == "Alpha: sk-…6789\n  file: /p/key.json\n"
    missing = dict(stored, stored=False)
    assert key_text("alpha", "Alpha", missing) == (
        "Alpha: nothing stored\n  store it with `vibeusage key alpha set` (key)\n"
    )


# --- status ----------------------------------------------------------------------------------

STATUSES = {
    "alpha": ProviderStatus(
        StatusLevel.MAJOR_OUTAGE, "Down", datetime(2026, 1, 16, 10, 30, tzinfo=timezone.utc)
    ),
    "beta": ProviderStatus(StatusLevel.OPERATIONAL),
}


def test_status_table_uses_unicode_or_ascii_symbols():
    unicode = status_table([ALPHA, BETA], STATUSES, color=False, unicode=True)
    ascii_ = status_table([ALPHA, BETA], STATUSES, color=False, unicode=False)
    assert unicode.splitlines()[2].split()[:4] == ["○", "Alpha", "major", "outage"]
    assert ascii_.splitlines()[2].split()[0] == "!!"
    assert ascii_.splitlines()[3].split() == ["ok", "Beta", "operational"]
    assert "\x1b[" not in unicode


def test_status_table_colours_only_the_symbol():
    table = status_table([BETA], STATUSES, color=True, unicode=True)
    assert "\x1b[32m●\x1b[0m" in table and table.count("\x1b[") == 2


def test_status_table_follows_the_order_of_the_providers_given():
    table = status_table([BETA, ALPHA], STATUSES, color=False, unicode=True)
    assert [line.split()[1] for line in table.splitlines()[2:]] == ["Beta", "Alpha"]


def test_statuses_document_is_each_status_as_json():
    assert statuses_document(STATUSES)["beta"] == {
        "level": "operational",
        "description": None,
        "updated_at": None,
    }


# --- cache -----------------------------------------------------------------------------------


def test_cache_table_shows_age_source_back_off_and_org_id():
    overview = {
        "cache_dir": "/c",
        "providers": {
            "alpha": {
                "snapshot": {"age_seconds": 3720, "source": "oauth"},
                "gate": {
                    "oauth": {"closed_until": "2026-01-16T11:00:00+00:00", "recent_failures": 0},
                    "web": {"closed_until": None, "recent_failures": 2},
                },
                "org_id_cached": True,
            },
            "beta": {"snapshot": None, "gate": {}, "org_id_cached": False},
        },
    }
    text = cache_table(overview)
    assert text.startswith("# /c\n")
    alpha, beta = text.splitlines()[3:5]
    assert "1h 2m (oauth)" in alpha
    until = datetime(2026, 1, 16, 11, 0, tzinfo=timezone.utc).astimezone()
    assert f"oauth: paused until {until.strftime('%a %d %b %H:%M %Z')}, web: 2 recent" in alpha
    assert alpha.split()[4] == "yes"
    assert beta.split() == ["beta", "-", "no", "not", "paused"]


# --- config ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        ("auto", '"auto"'),
        (["a", "b"], '["a", "b"]'),
        (30.0, "30"),
        (0.5, "0.5"),
        (5, "5"),
        (None, "(not set)"),
    ],
)
def test_values_are_shown_as_toml(value, text):
    assert toml_value(value) == text


def test_settings_table_and_document_carry_value_and_source():
    values = [("fetch.timeout", 12.0, "file"), ("display.pace_colors", True, "default")]
    table = settings_table("/c/config.toml", values)
    assert table.startswith("# /c/config.toml\n")
    assert table.splitlines()[3].split() == ["fetch.timeout", "file", "12"]
    assert settings_document("/f", values)["values"]["display.pace_colors"] == {
        "value": True,
        "source": "default",
    }


def test_paths_table_says_yes_or_no():
    table = paths_table({"cache_dir": {"path": "/c", "exists": False}})
    assert table.splitlines()[2].split() == ["cache_dir", "no", "/c"]


def test_default_config_text_sets_nothing_and_names_each_providers_strategies():
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    provider = ALPHA.replace(options={"cli_refresh": bool, "org": str})
    text = default_config_text([provider, BETA])
    assert tomllib.loads(text) == {}
    assert '# enabled_providers = ["alpha", "beta"]' in text
    assert '# auth_source = "auto"             # or one of "oauth", "web"' in text
    assert "# cli_refresh = true" in text and "# org" not in text
    settings = [line[2:] for line in text.splitlines() if re.match(r"# (\[|\w+ = )", line)]
    parsed = tomllib.loads("\n".join(settings))  # every key uncommented is a valid file
    assert parsed["fetch"] == {
        "timeout": 30,
        "deadline": 60,
        "max_concurrent": 5,
        "fresh_ttl": 60,
        "stale_threshold": 3600,
        "run_tools": True,
    }
    assert parsed["providers"]["alpha"] == {
        "enabled": True,
        "auth_source": "auto",
        "run_tools": True,
        "cli_refresh": True,
    }


def test_result_documents_and_messages_of_the_commands_that_change_files():
    assert cleared_document(["/c/a.json"]) == {"removed": ["/c/a.json"]}
    assert cleared_message(2) == "Removed 2 cached file(s)."
    assert reset_document("/c/config.toml", None) == {
        "reset": True,
        "path": "/c/config.toml",
        "backup": None,
    }
    assert reset_message("/c/config.toml", "/c/config.toml.bak") == (
        "Wrote a default configuration to /c/config.toml (the old one is /c/config.toml.bak)."
    )
    assert reset_message("/c/f", None) == "Wrote a default configuration to /c/f."
    assert stored_document("sk-…6789", "/k") == {"stored": True, "masked": "sk-…6789", "path": "/k"}
    assert deleted_document(False, "/k") == {"deleted": False, "path": "/k"}


# --- doctor ----------------------------------------------------------------------------------

REPORT = {
    "vibeusage": "0.1.0",
    "python": "3.11.7",
    "implementation": "CPython",
    "platform": "linux",
    "paths": {"cache_dir": {"path": "/c", "exists": True}},
    "environment": {},
    "config": {"valid": True, "error": None},
    "providers": {
        "alpha": {
            "enabled": True,
            "auth_source": "auto",
            "strategies": [f"oauth: token {TOKEN}"],
            "cache": {"gate": {"oauth": {"closed_until": None, "reason": None}}},
            "last_run": {
                "at": "2026-01-16T10:30:00+00:00",
                "success": False,
                "error": "expired",
                "attempts": [{"strategy": "oauth", "success": False, "error": "401"}],
            },
        }
    },
}


def test_doctor_text_masks_tokens_and_summarises_each_provider():
    text = doctor_text(REPORT)
    assert TOKEN not in text and "oauth: token sk-ant-…cdef" in text
    assert "environment: no proxy settings" in text.splitlines()
    assert "  back-off oauth: not paused (recent failures)" in text.splitlines()
    assert "  last run 2026-01-16T10:30:00+00:00: failed: expired" in text.splitlines()
    assert "    oauth: 401 (None ms)" in text.splitlines()


def test_doctor_text_wraps_to_the_width_after_masking_secrets():
    text = doctor_text(REPORT, width=24)
    assert TOKEN[:12] not in text and "sk-ant-…cdef" in text
    lines = text.splitlines()
    assert all(len(line) <= 24 or " " not in line.strip() for line in lines)
    assert "  back-off oauth: not" in lines and "      paused (recent" in lines


def test_doctor_json_masks_tokens_and_stays_valid_json():
    text = doctor_json(REPORT)
    assert TOKEN not in text
    assert json.loads(text)["providers"]["alpha"]["enabled"] is True


def test_doctor_text_names_an_invalid_config():
    report = dict(REPORT, config={"valid": False, "error": "bad line 2"}, providers={})
    assert doctor_text(report).splitlines()[-1] == "config: INVALID: bad line 2"


# --- completion ------------------------------------------------------------------------------


def _specs():
    """The usage view and two commands, as the completion command builds them."""
    top = Command(
        "",
        [Option(["-j", "--json"], None, "JSON"), Option(["-o"], ("file", []), "")],
        [
            ["auth", "cache", "alpha", "beta"],
            ["alpha", "beta"],
        ],
        True,
    )
    auth = Command("auth", [Option(["--delete"], None, "remove")], [["alpha", "beta"]], False)
    cache = Command(
        "cache", [Option(["--org"], ("any", []), "")], [["show", "clear"], ["beta"]], False
    )
    cache.follow = {"clear": ["alpha"]}
    return [top, auth, cache]


def test_completion_scripts_hold_every_commands_options_slots_and_values():
    bash = bash_script(_specs())
    assert '"auth") _vibeusage_list="--delete" ;;' in bash
    assert '"cache:clear:"*) _vibeusage_list="alpha" ;;' in bash
    assert '"cache:"*":1") _vibeusage_list="beta" ;;' in bash
    assert '":-o") _vibeusage_kind="f" ;;' in bash
    zsh = zsh_script(_specs())
    assert "'cache:'*':0') reply=(show clear) ;;" in zsh
    fish = fish_script(_specs())
    assert "case 'cache:clear:*'" in fish
    assert "'--delete\tremove'" in fish


def test_completion_follow_cases_come_before_the_slots_they_override():
    bash = bash_script(_specs())
    assert bash.index('"cache:clear:"*') < bash.index('"cache:"*":1"')


# --- purity ----------------------------------------------------------------------------------

#: Modules a view must not import: output, files, environment, network, processes, state.
IMPURE = {"os", "sys", "pathlib", "io", "subprocess", "socket", "requests", "shutil"}
IMPURE_OURS = {"http", "store", "cache", "credentials", "paths", "service", "commands"}
#: The one service module a view may use: the Report data type it renders.
DATA_ONLY = {"service.report"}


@pytest.mark.parametrize("path", sorted(VIEWS.glob("*.py")), ids=lambda p: p.name)
def test_views_neither_print_nor_touch_files_environment_or_network(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & IMPURE
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0:
                assert module.split(".")[0] not in IMPURE
            else:
                assert module in DATA_ONLY or module.split(".")[0] not in IMPURE_OURS, module
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("print", "open", "input"), node.func.id


def test_importing_every_view_loads_no_table_code():
    names = [f"vibeusage.views.{p.stem}" for p in VIEWS.glob("*.py")]
    probe = f"import sys, importlib; [importlib.import_module(n) for n in {names!r}]; " + (
        "print('tabulate' in sys.modules)"
    )
    root = str(VIEWS.parent.parent)
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "False\n"
