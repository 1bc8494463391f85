"""Runs every dbt unit test (the hand-computed KPI fixtures in the models' YAML) against an
empty warehouse built from the contract, and checks that every KPI has at least one."""

from __future__ import annotations

import csv
import json
import os
import subprocess

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.ingest.ddl import ensure_raw_table
from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR, dbt_environment, dbt_executable


@pytest.fixture(scope="module")
def unit_test_run(tmp_path_factory, dbt_manifest):
    workdir = tmp_path_factory.mktemp("dbt_unit")
    warehouse = workdir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for extract in load_contract():
            ensure_raw_table(con, extract)
    env = {**os.environ, **dbt_environment(), "SCORECARD_WAREHOUSE_PATH": str(warehouse)}
    common = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
              "--target-path", str(workdir / "target")]  # fmt: skip
    vars_ = ["--vars", json.dumps({"as_of": "2025-04-01 10:00:00", "spine_start": "2025-01-01"})]
    dbt = str(dbt_executable())
    # Unit tests need their inputs' columns: build every relation empty first.
    build = subprocess.run(
        [dbt, "build", "--empty", "--exclude-resource-type", "unit_test", "test", *common, *vars_],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    run = subprocess.run(
        [dbt, "test", "--select", "test_type:unit", *common, *vars_],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    results = json.loads((workdir / "target" / "run_results.json").read_text())
    return run, results


def test_every_dbt_unit_test_passes(unit_test_run):
    run, results = unit_test_run
    failed = [r["unique_id"] for r in results["results"] if r["status"] != "pass"]
    assert run.returncode == 0 and not failed, failed or run.stdout[-4000:]
    assert len(results["results"]) >= 1


def test_every_catalogue_kpi_is_computed_and_has_a_hand_computed_unit_test(unit_test_run):
    """Every int_kpi_* model declares the KPIs it computes (`config.meta.kpi_ids`); together they
    cover the whole catalogue, and each KPI has a unit test named `<kpi_id>__<case>` with
    hand-computed expectations."""
    _, results = unit_test_run
    tested = {r["unique_id"].split(".")[-1].split("__")[0] for r in results["results"]}
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    declared = {
        kpi
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"].startswith("int_kpi_")
        for kpi in node["config"].get("meta", {}).get("kpi_ids", [])
    }
    with (SEEDS_DIR / "kpi_definitions.csv").open(newline="") as handle:
        catalogue = {r["kpi_id"] for r in csv.DictReader(handle)}
    assert declared <= catalogue, declared - catalogue
    # The whole catalogue is computed, and every KPI has its hand-computed fixture.
    assert catalogue - declared == set()
    assert catalogue - tested == set()
