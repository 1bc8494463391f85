"""A backfill of 90 days is ONE run, and a re-delivered day is re-processed on its own.

The backfill goes through Dagster's own backfill machinery (the daemon's iteration over a
PartitionBackfill, what the UI's "Materialize… → backfill" creates), on the real code location:
the ingest asset of the dialer calls and the incremental staging model fed by it. Their
single-run backfill policy turns 90 partitions into one run and one `dbt build` with the window
{min_date: 2025-01-01, max_date: 2025-04-01}. Then one day's file is corrected and re-delivered:
the landing sensor asks for that day only, and the incremental model replaces exactly its rows.
"""

from __future__ import annotations

import csv
import logging
import os
import time
from datetime import date

import dagster as dg
import duckdb
import pytest

# Dagster's backfill daemon and an in-process workspace have no public test entry points.
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import InProcessTestWorkspaceLoadTarget, instance_for_test
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._daemon.backfill import execute_backfill_iteration

from orchestration.contract import load_contract
from orchestration.extracts.generate import GenerateOptions, generate
from orchestration.ingest.ddl import ensure_raw_table
from orchestration.partitions import dates_in_range
from orchestration.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

CALLS = dg.AssetKey(["raw", "dialer__calls"])
STG_CALLS = dg.AssetKey(["staging", "stg_dialer__calls"])
# The calls' quality checks look agents up among the employees (referential accuracy).
EMPLOYEES = dg.AssetKey(["raw", "hr__employees"])
DAYS = dates_in_range("2025-01-01", "2025-03-31")
# Runs start at once and execute in this process (no daemon, no subprocess).
INSTANCE = {
    "run_coordinator": {
        "module": "dagster._core.run_coordinator",
        "class": "DefaultRunCoordinator",
    },
    "run_launcher": {
        "module": "dagster._core.launcher.sync_in_memory_run_launcher",
        "class": "SyncInMemoryRunLauncher",
    },
}


def _query(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_90_day_backfill_is_one_run_and_a_late_file_reprocesses_its_day(
    isolated_data_dir, dbt_manifest
):
    generate(
        isolated_data_dir / "landing",
        GenerateOptions(0.02, 42, date(2025, 1, 1), date(2025, 3, 31), False, "America/New_York"),
        show_progress=False,
    )
    warehouse = isolated_data_dir / "warehouse.duckdb"
    # Every raw table exists (the other extracts have not delivered yet): the data-quality
    # checks of the calls read across extracts.
    con = duckdb.connect(str(warehouse))
    for extract in load_contract():
        ensure_raw_table(con, extract)
    con.close()
    origin = LoadableTargetOrigin(
        module_name="orchestration.definitions",
        attribute="defs",
        working_directory=str(PROJECT_ROOT),
    )
    with (
        instance_for_test(overrides=INSTANCE) as instance,
        WorkspaceProcessContext(
            instance, InProcessTestWorkspaceLoadTarget(InProcessCodeLocationOrigin(origin))
        ) as workspace,
    ):
        backfill = PartitionBackfill.from_asset_partitions(
            backfill_id="calls-q1",
            asset_graph=workspace.create_request_context().asset_graph,
            partition_names=DAYS,
            asset_selection=[EMPLOYEES, CALLS, STG_CALLS],
            backfill_timestamp=time.time(),
            tags={},
            dynamic_partitions_store=instance,
            all_partitions=False,
            title="Q1 2025 dialer calls",
            description=None,
            run_config=None,
        )
        instance.add_backfill(backfill)
        for _ in range(5):  # the daemon's loop: request the run(s), then see them complete
            list(execute_backfill_iteration(workspace, logging.getLogger("backfill")))
            if instance.get_backfill("calls-q1").status != BulkActionStatus.REQUESTED:
                break

        assert instance.get_backfill("calls-q1").status == BulkActionStatus.COMPLETED_SUCCESS
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert (run.tags["dagster/asset_partition_range_start"], run.tags[
            "dagster/asset_partition_range_end"
        ]) == ("2025-01-01", "2025-03-31")  # fmt: skip
        assert len(DAYS) == 90
        for key in (EMPLOYEES, CALLS, STG_CALLS):
            assert instance.get_materialized_partitions(key) == set(DAYS), key

        # Every delivered call is in the incremental model, each once.
        raw_calls, staged = _query(
            warehouse,
            "select (select count(distinct call_id) from raw.dialer__calls), "
            "(select count(*) from staging.stg_dialer__calls)",
        )[0]
        assert staged == raw_calls > 0

        # 14 February is re-delivered with the first call's talk time corrected.
        day_file = isolated_data_dir / "landing" / "dialer/calls/calls_2025-02-14.csv"
        with day_file.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        corrected_id, old_duration = rows[0]["call_id"], int(rows[0]["duration_s"])
        rows[0]["duration_s"] = str(old_duration + 1234)
        untouched = _query(
            warehouse,
            "select call_id, loaded_at from staging.stg_dialer__calls "
            "where delivered_on <> date '2025-02-14' order by call_id limit 5",
        )

        from orchestration.definitions import defs
        from orchestration.sensors import new_extracts_sensor

        context = dg.build_sensor_context(
            instance=instance, repository_def=defs.get_repository_def()
        )
        new_extracts_sensor(context)  # the files already loaded: remembered in the cursor
        with day_file.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        os.utime(day_file)
        context = dg.build_sensor_context(
            instance=instance, repository_def=defs.get_repository_def(), cursor=context.cursor
        )
        (request,) = new_extracts_sensor(context)
        assert request.partition_key == "2025-02-14"
        assert request.asset_selection == [CALLS, STG_CALLS]

        result = defs.resolve_job_def("ingest_extracts").execute_in_process(
            instance=instance,
            partition_key=request.partition_key,
            asset_selection=request.asset_selection,
        )
        assert result.success
        # The corrected call changed; the model still holds every call once; other days'
        # rows were not rebuilt (same load time).
        assert _query(
            warehouse,
            f"select duration_s from staging.stg_dialer__calls where call_id = '{corrected_id}'",
        ) == [(old_duration + 1234,)]
        assert _query(warehouse, "select count(*) from staging.stg_dialer__calls") == [(staged,)]
        assert (
            _query(
                warehouse,
                "select call_id, loaded_at from staging.stg_dialer__calls "
                "where delivered_on <> date '2025-02-14' order by call_id limit 5",
            )
            == untouched
        )
