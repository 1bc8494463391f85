"""A late file for an old partition is re-processed and the KPIs it feeds change by exactly what
it adds; timestamps skewed into the future or before their partition are kept, counted in the
period of their own event time, and never counted before they happen.

On a copy of the session's demo warehouse (2025, as of 2026-01-01 11:00), the survey and ticket
extracts of 2025-06-10 are re-delivered late with extra records; the landing sensor asks for that
partition, the ingest assets reload it, and dbt rebuilds the two KPI models that read them (with
their parents) for comparison with the demo's own values.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pytest

# Dagster exposes no public name for the tags of a single-run partition range.
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from faultkit import requested

from orchestration.contract import get_extract
from orchestration.settings import DBT_PROJECT_DIR, dbt_environment, dbt_executable, get_settings

DAY = "2025-06-10"
SURVEYS, TICKETS = "surveys__responses", "support__tickets"
NPS_MODEL, VOLUME_MODEL = "int_kpi_client_surveys", "int_kpi_operations_support_volume"
LATE_DETRACTORS = 10
FUTURE, BACKDATED = "2026-02-15 10:00:00", "2025-05-20 10:00:00"


def _kpi_rows(warehouse: Path, model: str, kpi_id: str, grain: str) -> dict[str, tuple]:
    """period_start -> (numerator, denominator) for the company entity."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [schema] = con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [model]
        ).fetchone()
        rows = con.execute(
            f"""
            select cast(period_start as varchar), numerator, denominator from {schema}.{model}
            where kpi_id = ? and grain = ? and entity_type = 'company'
            """,
            [kpi_id, grain],
        ).fetchall()
    return {period: (numerator, denominator) for period, numerator, denominator in rows}


def _nps_client(warehouse: Path) -> str:
    """A client the NPS counts: one with an in-scale NPS response in the demo's staging."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select min(client_id) from staging.stg_surveys__responses "
            "where survey_type = 'nps' and is_score_in_scale and client_id is not null "
            "and client_id not in (select client_id from intermediate.int_clients__excluded)"
        ).fetchone()[0]


def _late_files(demo_landing: Path, landing: Path, client_id: str) -> None:
    surveys = get_extract(SURVEYS).landing_file(landing, DAY)
    tickets = get_extract(TICKETS).landing_file(landing, DAY)
    for path, identifier in ((surveys, SURVEYS), (tickets, TICKETS)):
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(get_extract(identifier).landing_file(demo_landing, DAY), path)
    with surveys.open("a") as handle:  # responses that synced late: ten detractors (score 0)
        for i in range(LATE_DETRACTORS):
            handle.write(f"RLATE{i:04d},nps,relationship,{client_id},,,0,,{DAY} 15:{i:02d}:00\n")
    with tickets.open("a") as handle:  # one clock far ahead, one event from three weeks back
        handle.write(f"TSKEW0001,{client_id},email,billing,false,client,,new,{FUTURE},,,,\n")
        handle.write(f"TSKEW0002,{client_id},email,billing,false,client,,new,{BACKDATED},,,,\n")


def _dbt_run(models: list[str], as_of: str, spine_start: str, target: Path) -> None:
    command = [
        str(dbt_executable()),
        "run",
        "--select",
        *[f"+{m}" for m in models],
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--vars",
        json.dumps({"as_of": as_of, "spine_start": spine_start}),
    ]
    env = {**os.environ, **dbt_environment(get_settings())}
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.fixture(scope="module")
def reprocessed(demo_warehouse, tmp_path_factory) -> Path:
    """The demo warehouse after the late files of DAY were ingested and the KPIs rebuilt."""
    from orchestration.definitions import build_definitions
    from orchestration.sensors import new_extracts_sensor

    root = tmp_path_factory.mktemp("late")
    data_dir, landing = root / "data", root / "landing"
    data_dir.mkdir()
    (data_dir / "landing").symlink_to(landing, target_is_directory=True)
    shutil.copyfile(demo_warehouse.warehouse_path, data_dir / "warehouse.duckdb")
    _late_files(
        demo_warehouse.data_dir / "landing", landing, _nps_client(data_dir / "warehouse.duckdb")
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCORECARD_DATA_DIR", str(data_dir))
        mp.setenv("SCORECARD_PARTITIONS_START", demo_warehouse.start.isoformat())
        mp.setenv("SCORECARD_AS_OF", demo_warehouse.as_of)
        requests = new_extracts_sensor(dg.build_sensor_context())
        assert requested(requests) == {(SURVEYS, DAY), (TICKETS, DAY)}
        defs = build_definitions()
        result = dg.materialize(
            [*(defs.assets or []), *(defs.asset_checks or [])],
            selection=dg.AssetSelection.assets(
                *(dg.AssetKey(get_extract(i).asset_key_path) for i in (SURVEYS, TICKETS))
            ).without_checks(),
            resources=defs.resources or {},
            instance=dg.DagsterInstance.ephemeral(),
            tags={ASSET_PARTITION_RANGE_START_TAG: DAY, ASSET_PARTITION_RANGE_END_TAG: DAY},
        )
        assert result.success
        _dbt_run(
            [NPS_MODEL, VOLUME_MODEL],
            demo_warehouse.as_of,
            demo_warehouse.start.isoformat(),
            root / "target",
        )
    return data_dir / "warehouse.duckdb"


def test_late_responses_change_the_month_nps_by_exactly_what_they_add(demo_warehouse, reprocessed):
    before = _kpi_rows(demo_warehouse.warehouse_path, NPS_MODEL, "nps_company", "month")
    after = _kpi_rows(reprocessed, NPS_MODEL, "nps_company", "month")
    june = "2025-06-01"
    numerator, denominator = before[june]
    # Ten detractors: numerator (promoters - detractors) falls by 10, responses rise by 10.
    assert after[june] == (numerator - LATE_DETRACTORS, denominator + LATE_DETRACTORS)
    assert {p: v for p, v in after.items() if p != june} == {
        p: v for p, v in before.items() if p != june
    }


def test_skewed_timestamps_are_kept_and_counted_in_their_own_period_only(
    demo_warehouse, reprocessed
):
    with duckdb.connect(str(reprocessed), read_only=True) as con:
        kept = con.execute(
            "select cast(created_at as varchar) from raw.support__tickets "
            "where ticket_id like 'TSKEW%' order by ticket_id"
        ).fetchall()
    assert kept == [(FUTURE,), (BACKDATED,)]  # nothing lost at ingest

    for grain, backdated_period in (("month", "2025-05-01"), ("day", "2025-05-20")):
        before = _kpi_rows(
            demo_warehouse.warehouse_path, VOLUME_MODEL, "support_ticket_volume", grain
        )
        after = _kpi_rows(reprocessed, VOLUME_MODEL, "support_ticket_volume", grain)
        # The ticket created on 20 May counts in May (its event time), not in June (its file).
        changed = {
            p: (before.get(p), after.get(p))
            for p in before | after
            if before.get(p) != after.get(p)
        }
        numerator = before[backdated_period][0]
        assert changed == {backdated_period: (before[backdated_period], (numerator + 1, None))}, (
            grain
        )
    # The ticket stamped 2026-02-15 is after the as-of time (2026-01-01): counted nowhere yet.
    year = _kpi_rows(reprocessed, VOLUME_MODEL, "support_ticket_volume", "year")
    assert "2026-01-01" not in year or year["2026-01-01"][0] == 0
