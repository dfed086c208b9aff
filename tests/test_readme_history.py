"""The README's history and monitoring recipes, run as written (paths moved into a tmp dir)."""

import http.server
import re
import shlex
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.test_cli_history import Account, Clock, ledger, register
from tests.test_prometheus import parse_exposition
from vibeusage.views.prometheus import FAMILIES

README = Path(__file__).resolve().parent.parent / "README.rst"
TEXTFILE_DIR = "/var/lib/node_exporter/textfile_collector"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("History and monitoring\n----")
    end = text.index("\nFor operators:", start)
    return text[start:end]


def literal_lines(marker: str) -> List[str]:
    """The section's literal-block lines that contain ``marker``."""
    return [
        row.strip() for row in section().splitlines() if row.startswith("    ") and marker in row
    ]


def cron_command(row: str) -> List[str]:
    """The arguments of a crontab line's vibeusage command (schedule and redirection cut)."""
    fields = row.split(None, 5)
    assert len(fields) == 6 and fields[0] == "*/5", row
    command = fields[5].split(" && ")[-1]  # after `mkdir -p "$HOME/.cache"`
    words = shlex.split(command.split(" 2>>")[0])
    assert words[0] == "$HOME/.local/bin/vibeusage"
    return words[1:]


@pytest.fixture
def world(cli, home, monkeypatch, tmp_path) -> Dict[str, Any]:
    clock = Clock()
    register(monkeypatch, Account("claude", used=80))  # its session runs out before the reset
    monkeypatch.chdir(tmp_path)
    return {"cli": cli, "clock": clock, "home": home, "tmp": tmp_path}


def run(world: Dict[str, Any], argv: List[str]) -> Any:
    return world["cli"](*argv, clock=world["clock"])


def test_the_history_cron_line_records(world):
    (row,) = [r for r in literal_lines("history record") if r.startswith("*/5")]
    result = run(world, cron_command(row))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert ledger(world["home"])


def test_the_reading_examples_run(world):
    run(world, ["history", "record"])
    examples = [r for r in literal_lines("vibeusage history") if r.startswith("vibeusage history")]
    assert len(examples) == 6
    for row in examples:
        command = row.split("#")[0]
        target = None
        if " > " in command:
            command, target = command.split(" > ")
        result = run(world, shlex.split(command)[1:])
        assert result.code == 0, (row, result.err)
        if target is not None:
            assert result.out.startswith('{"v":1,')
    assert (world["tmp"] / "usage.csv").read_text(encoding="utf-8").startswith("ts,machine,")


def test_the_textfile_collector_line_writes_a_prom_file(world):
    (row,) = literal_lines("textfile_collector/")
    argv = cron_command(row)
    directory = world["tmp"] / "textfile_collector"
    directory.mkdir()
    argv = [a.replace(TEXTFILE_DIR, str(directory)) for a in argv]
    result = run(world, argv)
    assert result.code == 0 and result.out == ""
    (written,) = directory.iterdir()
    assert written.name == "vibeusage.prom"
    families = parse_exposition(written.read_text(encoding="utf-8"))
    assert families["vibeusage_provider_up"] == [({"provider": "claude"}, "1")]
    assert ledger(world["home"])  # --record


class _Sink(http.server.BaseHTTPRequestHandler):
    received: List[Any] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_pushgateway_line_posts_the_exposition_verbatim(world):
    (row,) = literal_lines("--data-binary @-")
    producer, consumer = row.split(" | ")
    result = run(world, shlex.split(producer)[1:])
    assert result.code == 0
    server = http.server.HTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        local = f"http://127.0.0.1:{server.server_address[1]}"
        curl = [w.replace("http://pushgateway.example:9091", local) for w in shlex.split(consumer)]
        done = subprocess.run(curl, input=result.out.encode(), capture_output=True, timeout=30)
        thread.join(10)
    finally:
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert _Sink.received == [("/metrics/job/vibeusage", result.out.encode())]


def test_the_grafana_query_names_a_family_and_label_of_the_output(world):
    (query,) = literal_lines("min by")
    names = re.findall(r"vibeusage_[a-z_]+", query)
    assert names == ["vibeusage_window_eta_seconds"]
    assert names[0] in dict(FAMILIES)
    text = run(world, ["--format", "prometheus"]).out
    eta = parse_exposition(text)["vibeusage_window_eta_seconds"]
    assert eta and all(labels["model"] == "" for labels, _ in eta)
    assert 'model=""' in query and "/ 3600" in query
