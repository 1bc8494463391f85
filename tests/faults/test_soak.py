"""The soak (`make soak`, not part of `make test`): more seeds and kill points than the fast suite.

- the whole `scorecard refresh` (one Dagster run: ingest, dbt, checks, publish) killed at a time
  drawn from the seed anywhere inside a clean run's duration, sometimes twice in a row, then run
  to completion: every table of the warehouse and of the snapshot equals a clean refresh's;
- the ingest and publish kills of test_kill_recovery.py with more seeds;
- the full dbt build (every model, not only the incremental ones) killed mid-way on a copy of the
  demo warehouse, then rebuilt: equal to the demo.
"""

from __future__ import annotations

import random
import time
from datetime import date
from pathlib import Path

import pytest
import test_kill_recovery as fast
from faultkit import (
    assert_completed,
    database_differences,
    partition_accounting,
    run_child,
    run_stage_child,
    schemas_of,
    stage_command,
    stage_env,
)
from test_kill_recovery import tiny  # noqa: F401  (the module fixture, reused)

from orchestration.extracts.generate import GenerateOptions, generate

pytestmark = pytest.mark.soak

START, END = "2025-01-20", "2025-02-08"  # twenty days across a month end
AS_OF = "2025-02-09 11:00:00"


@pytest.fixture(scope="module")
def clean_refresh(tmp_path_factory) -> tuple[Path, float, Path]:
    """A clean refresh of a tiny window: its landing, its duration and its data folder."""
    root = tmp_path_factory.mktemp("soak")
    options = GenerateOptions(
        0.02, 13, date.fromisoformat(START), date.fromisoformat(END), False, "America/New_York"
    )
    generate(root / "landing", options, show_progress=False)
    data_dir = _data_dir(root, "clean")
    began = time.perf_counter()
    assert_completed(run_child(stage_command("refresh", START, END), _env(data_dir)))
    duration = time.perf_counter() - began
    return root / "landing", duration, data_dir


def _data_dir(root: Path, name: str) -> Path:
    data_dir = root / name
    data_dir.mkdir()
    (data_dir / "landing").symlink_to(root / "landing", target_is_directory=True)
    return data_dir


def _env(data_dir: Path) -> dict[str, str]:
    return stage_env(data_dir, "2025-01-01", AS_OF)


@pytest.mark.parametrize(("seed", "kills"), [(1, 1), (2, 1), (3, 2), (4, 1), (5, 2), (6, 1)])
def test_sigkill_anywhere_in_a_refresh_then_rerun_equals_a_clean_refresh(
    seed, kills, clean_refresh, tmp_path
):
    landing, duration, clean = clean_refresh
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "landing").symlink_to(landing, target_is_directory=True)
    rng = random.Random(seed)
    for _ in range(kills):
        delay = rng.uniform(0.05, 0.95) * duration
        outcome = run_child(
            stage_command("refresh", START, END), _env(data_dir), kill_at=(r".", 1, delay)
        )
        assert outcome.killed, f"finished before the kill at {delay:.0f} s"
    assert_completed(run_child(stage_command("refresh", START, END), _env(data_dir)))

    warehouse = data_dir / "warehouse.duckdb"
    schemas = [s for s in schemas_of(clean / "warehouse.duckdb") if s != "main"]
    assert database_differences(warehouse, clean / "warehouse.duckdb", schemas) == {}
    snapshot = data_dir / "analytics.duckdb"
    assert database_differences(snapshot, clean / "analytics.duckdb", ["marts"]) == {}
    assert partition_accounting(warehouse) == []


@pytest.mark.parametrize("seed", [11, 12, 13, 14, 15])
def test_more_ingest_kills(seed, tiny, tmp_path):  # noqa: F811
    fast.test_sigkill_during_ingest_then_rerun_equals_a_clean_load(seed, tiny, tmp_path)


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_more_publish_kills(seed, demo_warehouse, tmp_path):
    fast.test_sigkill_during_publish_keeps_a_whole_snapshot_and_rerun_equals_clean(
        seed, demo_warehouse, tmp_path
    )


@pytest.mark.parametrize("seed", [31, 32])
def test_sigkill_during_the_full_dbt_build_then_rebuild_equals_the_demo(
    seed, demo_warehouse, tmp_path
):
    data_dir = fast._demo_copy(demo_warehouse, tmp_path / "data")
    env = fast._demo_env(demo_warehouse, data_dir)
    end = demo_warehouse.end.isoformat()
    rng = random.Random(seed)
    kill_at = (r" START ", rng.randint(20, 600), rng.uniform(0.0, 0.3))
    killed = run_stage_child("dbt", demo_warehouse.start.isoformat(), end, env, kill_at=kill_at)
    assert killed.killed, killed.output[-2000:]
    assert_completed(run_stage_child("dbt", demo_warehouse.start.isoformat(), end, env))
    schemas = [s for s in schemas_of(demo_warehouse.warehouse_path) if s != "main"]
    differences = database_differences(
        data_dir / "warehouse.duckdb", demo_warehouse.warehouse_path, schemas
    )
    assert differences == {}
