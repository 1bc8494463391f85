"""Shared fixtures: every test runs against its own data folder, never ./data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True)
class DemoWarehouse:
    """One pipeline run shared by every test that only reads its results."""

    data_dir: Path
    truth: dict
    start: date
    end: date
    as_of: str

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def analytics_path(self) -> Path:
        return self.data_dir / "analytics.duckdb"


DEMO_START, DEMO_END = date(2025, 1, 1), date(2025, 12, 31)
DEMO_SCALE = 0.2
DEMO_AS_OF = "2026-01-01 11:00:00"


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> DemoWarehouse:
    """A defect-free year (2025) at scale 0.2, refreshed through Dagster as of 1 Jan 2026 11:00.

    Tests must treat it as read-only: copy it (or the snapshot) before writing anything.
    """
    import dagster as dg

    from orchestration.extracts.generate import GenerateOptions, generate
    from orchestration.refresh import refresh

    data_dir = tmp_path_factory.mktemp("demo") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCORECARD_DATA_DIR", str(data_dir))
        mp.setenv("DAGSTER_HOME", str(data_dir / "dagster"))
        mp.setenv("SCORECARD_PARTITIONS_START", DEMO_START.isoformat())
        mp.setenv("SCORECARD_AS_OF", DEMO_AS_OF)
        mp.delenv("SCORECARD_ALERT_WEBHOOK_URL", raising=False)
        truth = generate(
            data_dir / "landing",
            GenerateOptions(DEMO_SCALE, 42, DEMO_START, DEMO_END, False, "America/New_York"),
            show_progress=False,
        )
        refresh(
            DEMO_START.isoformat(), DEMO_END.isoformat(), instance=dg.DagsterInstance.ephemeral()
        )
    return DemoWarehouse(data_dir, truth, DEMO_START, DEMO_END, DEMO_AS_OF)
