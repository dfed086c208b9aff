"""The package works when copied into another project under another name."""

import ast
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


def test_vendored_copy_runs_under_another_name(tmp_path, home):
    target = tmp_path / "thirdparty" / "usage_meter"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    script = (
        "import sys\n"
        "from usage_meter.cli import main\n"
        "code = main(['--offline', '--json'])\n"
        "assert 'vibeusage' not in sys.modules, 'the original package was imported'\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=str(tmp_path / "thirdparty"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"schema_version": 1' in proc.stdout


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
