"""The code location loads, and its asset keys are reviewed like code (snapshot)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.contract import load_contract
from orchestration.definitions import build_definitions
from orchestration.settings import PROJECT_ROOT

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "asset_keys.txt"


def _asset_keys() -> list[str]:
    graph = build_definitions().resolve_asset_graph()
    return sorted(key.to_user_string() for key in graph.get_all_asset_keys())


def test_dagster_definitions_validate(dbt_manifest, tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    dagster = Path(sys.executable).with_name("dagster")
    completed = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Validation successful" in completed.stdout + completed.stderr


def test_every_contract_extract_is_an_ingest_asset_with_a_quality_check(dbt_manifest):
    defs = build_definitions()
    keys = set(_asset_keys())
    check_keys = {
        (key.asset_key.to_user_string(), key.name)
        for check in defs.asset_checks or []
        for key in check.check_keys
    }
    for extract in load_contract():
        raw_key = "/".join(extract.asset_key_path)
        assert raw_key in keys
        assert (raw_key, "gx_completeness") in check_keys


def test_asset_keys_match_snapshot(dbt_manifest):
    """Renaming an asset breaks lineage and history: the diff of this file shows it in review.
    Refresh it with `UPDATE_SNAPSHOTS=1 pytest tests/unit/test_definitions.py`."""
    keys = "\n".join(_asset_keys()) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(keys)
    assert SNAPSHOT.read_text() == keys


def test_partition_window_vars_are_inclusive_start_exclusive_end():
    from datetime import date

    import pytest

    from orchestration.assets.dbt import partition_window_vars

    # One day: [2025-03-09, 2025-03-10).
    assert partition_window_vars(date(2025, 3, 9), date(2025, 3, 9)) == {
        "min_date": "2025-03-09",
        "max_date": "2025-03-10",
    }
    # A year's backfill in one window, across a leap day.
    assert partition_window_vars(date(2024, 1, 1), date(2024, 12, 31)) == {
        "min_date": "2024-01-01",
        "max_date": "2025-01-01",
    }
    with pytest.raises(ValueError, match="ends before it starts"):
        partition_window_vars(date(2025, 1, 2), date(2025, 1, 1))


def test_dbt_groups_are_layer_and_domain():
    from orchestration.assets.dbt import group_for_fqn

    assert group_for_fqn(["scorecard", "staging", "dialer", "stg_dialer__calls"]) == "staging"
    assert (
        group_for_fqn(["scorecard", "intermediate", "kpi", "finance", "int_kpi_finance_margins"])
        == "intermediate_finance"
    )
    assert group_for_fqn(["scorecard", "intermediate", "kpi", "int_kpi_mrr"]) == "intermediate"
    assert group_for_fqn(["scorecard", "marts", "scorecard", "mart_scorecard_client"]) == (
        "marts_scorecard"
    )
    assert group_for_fqn(["scorecard", "marts", "dim_date"]) == "marts"


def test_jobs_schedules_retries_and_backfill_policies(dbt_manifest):
    import dagster as dg

    from orchestration.retries import TRANSIENT_RETRY

    defs = build_definitions()
    assert {job.name for job in defs.jobs} >= {"ingest_extracts", "daily_refresh"}
    assert {s.name: s.job_name for s in defs.schedules}["daily_refresh_schedule"] == "daily_refresh"
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable and node.partitions_def and node.group_name != "reports":
            # A backfill of any length is one run.
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
    by_key = {key: asset for asset in defs.assets for key in getattr(asset, "keys", [])}
    for key in (
        dg.AssetKey(["raw", "dialer__calls"]),
        dg.AssetKey(["staging", "stg_dialer__calls"]),
        dg.AssetKey(["marts", "fct_kpi_observations"]),
        dg.AssetKey(["analytics", "snapshot"]),
    ):
        assert by_key[key].op.retry_policy == TRANSIENT_RETRY, key
    # The daily job runs yesterday's partition of ingest and the incremental models, then
    # everything unpartitioned; weekly- and monthly-partitioned assets have their own jobs.
    daily = defs.resolve_job_def("daily_refresh")
    selected = daily.asset_layer.selected_asset_keys
    assert dg.AssetKey(["raw", "dialer__calls"]) in selected
    assert dg.AssetKey(["analytics", "snapshot"]) in selected
    assert all(graph.get(k).partitions_def in (None, daily.partitions_def) for k in selected)


def test_transient_errors_are_retried_and_others_fail_at_once():
    import dagster as dg
    import duckdb
    import pytest

    from orchestration.retries import is_transient, retry_only_transient

    lock = duckdb.IOException('Could not set lock on file "warehouse.duckdb": Conflicting lock')
    assert is_transient(lock)
    assert is_transient(TimeoutError("read timed out"))
    assert not is_transient(FileNotFoundError("landing/x.csv"))
    # DuckDB's own wording for a read-only data folder: retrying for a minute cannot help.
    assert not is_transient(
        duckdb.IOException('Cannot open file "data/warehouse.duckdb": Read-only file system')
    )
    assert is_transient(duckdb.IOException("Could not write file: No space left on device"))
    assert not is_transient(ValueError("bad contract"))
    with pytest.raises(duckdb.IOException), retry_only_transient():
        raise lock
    with pytest.raises(dg.Failure) as failure, retry_only_transient():
        raise ValueError("bad contract")
    assert failure.value.allow_retries is False
