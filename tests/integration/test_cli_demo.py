"""`scorecard sql`, `kpi` and `report` end to end on the demo warehouse, through the installed
command (a subprocess, as a user runs it)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

SCORECARD = Path(sys.executable).with_name("scorecard")


@pytest.fixture(scope="module")
def data_dir(demo_warehouse, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    folder.mkdir(parents=True)
    shutil.copyfile(demo_warehouse.analytics_path, folder / "analytics.duckdb")
    return folder


def _scorecard(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCORECARD_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run(
        [str(SCORECARD), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _mart(data_dir: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "analytics.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_sql_as_csv_matches_the_mart(data_dir):
    sql = (
        "select kpi_id, status, value from marts.mart_balanced_scorecard "
        "where grain = 'month' and period_start = '2025-12-01' and value is not null "
        "order by kpi_id"
    )
    done = _scorecard(data_dir, "sql", sql, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    expected = _mart(data_dir, sql)
    assert rows[0] == ["kpi_id", "status", "value"]
    assert len(rows) == len(expected) + 1 > 50
    for (kpi_id, status, value), (e_id, e_status, e_value) in zip(rows[1:], expected, strict=True):
        assert (kpi_id, status) == (e_id, e_status)
        assert float(value) == pytest.approx(e_value, abs=1e-4)  # printed to 4 decimals


def test_sql_table_output(data_dir):
    done = _scorecard(data_dir, "sql", "select count(*) as kpis from marts.dim_kpi")
    assert done.returncode == 0, done.stderr
    ((count,),) = _mart(data_dir, "select count(*) from marts.dim_kpi")
    # right-aligned under its header: "│  110 │" below "┃ kpis ┃"
    assert f"│ {count:>4} │" in done.stdout and done.stdout.rstrip().endswith("1 row")


def test_bad_sql_exits_non_zero_with_a_clear_message(data_dir):
    done = _scorecard(data_dir, "sql", "select kpi_id frm marts.dim_kpi")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("scorecard: SQL error: Parser Error: syntax error at or near")
    missing = _scorecard(data_dir, "sql", "select * from marts.no_such_table")
    assert missing.returncode == 1
    assert "Table with name no_such_table does not exist" in missing.stderr


def test_kpi_history_matches_the_observations(data_dir):
    done = _scorecard(data_dir, "kpi", "mrr", "--grain", "month", "--format", "json")
    assert done.returncode == 0, done.stderr
    shown = {row["period_start"]: row for row in json.loads(done.stdout)}
    expected = _mart(
        data_dir,
        "select period_start, value, status from marts.fct_kpi_observations "
        "where kpi_id = 'mrr' and grain = 'month' and entity_type = 'company'",
    )
    assert len(shown) == len(expected) >= 12
    for period_start, value, status in expected:
        row = shown[period_start.isoformat()]
        assert (row["value (usd)"], row["status"]) == (value, status)


def test_kpi_for_a_department_and_as_a_table(data_dir):
    ((department,),) = _mart(
        data_dir,
        "select entity_id from marts.fct_kpi_observations "
        "where kpi_id = 'first_call_resolution_rate' and grain = 'month' "
        "and entity_type = 'department' limit 1",
    )
    done = _scorecard(data_dir, "kpi", "first_call_resolution_rate", "--department", department)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("First Call Resolution")
    assert f"department {department}, month" in done.stdout.splitlines()[0]


def test_unknown_kpi_id_names_close_matches(data_dir):
    done = _scorecard(data_dir, "kpi", "net_promoter_scor")
    assert done.returncode == 2
    assert "unknown KPI id 'net_promoter_scor'" in done.stderr
    # found through the display name "Net Promoter Score (company, all lifecycle stages)"
    assert "did you mean: nps_company, nps_onboarding?" in done.stderr


def test_report_on_demand(data_dir):
    done = _scorecard(data_dir, "report", "weekly", "--date", "2025-12-10")
    assert done.returncode == 0, done.stderr
    page = data_dir / "reports" / "weekly" / "weekly_summary_2025-12-08.md"
    assert page.read_text().startswith("# Weekly summary — week of 08 December 2025")
    late = _scorecard(data_dir, "report", "daily", "--date", "2026-02-01")
    assert late.returncode == 2
    assert "has no day-grain KPIs for the period starting 2026-02-01" in late.stderr
