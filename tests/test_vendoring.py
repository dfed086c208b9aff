"""The package works when copied into another project under another name."""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "vibeusage"


def test_no_absolute_self_imports():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "vibeusage":
                    offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}:{node.lineno}"
                    for alias in node.names
                    if alias.name.split(".")[0] == "vibeusage"
                ]
    assert offenders == []


VENDORED_RUN = """
import json, sys
import responses
from thirdparty._vendor.vibeusage.cli import main

assert main(["--version"]) == 0
with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
    mock.get("https://api.anthropic.com/api/oauth/usage", json=json.loads(sys.argv[1]))
    code = main(["claude", "--json"])
leaked = sorted(m for m in sys.modules if m == "vibeusage" or m.startswith("vibeusage."))
assert not leaked, leaked
sys.exit(code)
"""


def test_vendored_copy_runs_under_another_name(tmp_path, home):
    vendor = tmp_path / "thirdparty" / "_vendor"
    shutil.copytree(PACKAGE, vendor / "vibeusage", ignore=shutil.ignore_patterns("__pycache__"))
    for package in (tmp_path / "thirdparty", vendor):
        (package / "__init__.py").write_text("", encoding="utf-8")
    home.write_claude_credentials()
    usage = (Path(__file__).parent / "fixtures" / "claude" / "oauth-usage-limits.json").read_text(
        encoding="utf-8"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-c", VENDORED_RUN, usage],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("vibeusage ")
    snapshot = json.loads(proc.stdout.split("\n", 1)[1])
    assert snapshot["provider"] == "claude" and snapshot["periods"][0]["utilization"] == 11


def test_importing_every_module_has_no_side_effects(tmp_path):
    script = (
        "import os, pkgutil, importlib, sys\n"
        "before = dict(os.environ)\n"
        "import vibeusage\n"
        "for m in pkgutil.walk_packages(vibeusage.__path__, 'vibeusage.'):\n"
        "    if m.name != 'vibeusage.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "assert dict(os.environ) == before\n"
        "print(sorted(os.listdir('.')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "", "PYTHONPATH": str(PACKAGE.parent), "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert proc.stderr == ""
