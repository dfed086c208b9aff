"""Fixtures for the kit's tests: a fixed clock, an empty HOME, a private temporary folder."""

import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def home_root(tmp_path: Path) -> Path:
    """An empty HOME for the browsers' stores (never the real one)."""
    root = tmp_path / "home"
    root.mkdir()
    return root


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary copies go to a folder of this test, to check that none is left behind."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder
