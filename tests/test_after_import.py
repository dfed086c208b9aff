"""Deferred set-up: a hook that runs once a module is imported, and the CLI's warnings on it."""

import subprocess
import sys
from pathlib import Path

import pytest

from vibeusage.after_import import AfterImport

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = "vibeusage_probe_module_for_hook"
    (tmp_path / f"{name}.py").write_text("VALUE = 42\n\ndef answer():\n    return VALUE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return name


def test_the_hook_runs_once_after_the_module_is_executed(fresh_module: str) -> None:
    seen = []
    hook = AfterImport(fresh_module, lambda: seen.append(sys.modules[fresh_module].VALUE))
    hook.install()
    try:
        assert seen == []
        module = __import__(fresh_module)
        assert seen == [42]
        assert hook not in sys.meta_path
        assert module.answer() == 42
        assert "VALUE = 42" in module.__loader__.get_source(fresh_module)
        del sys.modules[fresh_module]
        __import__(fresh_module)
        assert seen == [42]
    finally:
        hook.remove()


def test_a_removed_hook_never_runs(fresh_module: str) -> None:
    seen = []
    hook = AfterImport(fresh_module, lambda: seen.append(1)).install()
    hook.remove()
    __import__(fresh_module)
    assert seen == []
    assert hook not in sys.meta_path


WARN_LATER = """
import io, sys
from vibeusage.cli import _Runtime
stream = io.StringIO()
runtime = _Runtime(stream, debug=False, handle_sigterm=False)
runtime.start()
before = "logging" in sys.modules
import logging
logging.getLogger("vibeusage.probe").warning("token sk-ant-api03-%s", "A" * 40)
logging.getLogger("vibeusage.probe").info("not shown")
runtime.stop()
logging.getLogger("vibeusage.probe").warning("after stop")
print(before)
print(stream.getvalue(), end="")
"""


def test_warnings_of_a_module_imported_after_start_are_shown_and_masked() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", WARN_LATER],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(ROOT),
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert proc.returncode == 0, proc.stderr
    before, *shown = proc.stdout.splitlines()
    assert before == "False"  # start() did not import logging itself
    assert len(shown) == 1
    assert shown[0].startswith("vibeusage: warning: token ")
    assert "A" * 40 not in shown[0]
