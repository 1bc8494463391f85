"""Shared fixtures: every test runs against its own data folder, never ./data."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("SCORECARD_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("SCORECARD_AS_OF", raising=False)
    monkeypatch.delenv("SCORECARD_ALERT_WEBHOOK_URL", raising=False)
    return data_dir


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        pytest.fail(f"{manifest} is missing: run `make install` (it runs `scorecard prepare`)")
    return manifest
