"""A year of generated extracts for every source, through the whole Dagster pipeline.

The session's demo warehouse (tests/conftest.py: scale 0.2, 2025, as of 1 Jan 2026) is
checked against what the generator planted and against the catalogue's rules:
every extract loads in full, no PII leaves raw/staging, every KPI has rows at its primary grain,
planted gaps show in the right KPIs, coarser grains recompute from the finer ones.
"""

from __future__ import annotations

import csv

import duckdb
import pytest

from orchestration.contract import load_contract, pii_columns
from orchestration.settings import SEEDS_DIR

pytestmark = pytest.mark.e2e

GRAIN = {"d": "day", "w": "week", "m": "month", "q": "quarter", "y": "year"}
ENTITY = {"co": "company", "dept": "department", "emp": "employee", "agent": "agent",
          "client": "client"}  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse.warehouse_path), read_only=True)
    yield con, demo_warehouse.truth
    con.close()


def _catalogue() -> list[dict[str, str]]:
    with (SEEDS_DIR / "kpi_definitions.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_extract_is_loaded_in_full(warehouse):
    con, truth = warehouse
    log = dict(
        con.execute(
            "select raw_table, sum(rows_in) from raw.load_log where status = 'loaded' group by 1"
        ).fetchall()
    )
    for extract in load_contract():
        written = truth["rows"][extract.identifier]
        loaded = con.execute(f"select count(*) from {extract.raw_table}").fetchone()[0]
        # A clean generated delivery: every record written is loaded, none quarantined.
        assert loaded == written == log.get(extract.raw_table, 0), extract.identifier
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)


def test_no_pii_column_outside_raw(warehouse):
    con, _ = warehouse
    names = sorted({column.name for _, column in pii_columns()})
    assert names, "the contract flags no PII column at all"
    exposed = con.execute(
        """
        select table_schema, table_name, column_name from information_schema.columns
        where table_schema <> 'raw' and column_name in (select unnest(?))
        """,
        [names],
    ).fetchall()
    assert exposed == []


def test_no_pii_value_reaches_intermediate_or_marts(warehouse):
    con, _ = warehouse
    samples: list[str] = []
    for extract, column in pii_columns():
        samples += [
            r[0]
            for r in con.execute(
                f'select distinct cast("{column.name}" as varchar) from {extract.raw_table} '
                f'where "{column.name}" is not null limit 3'
            ).fetchall()
        ]
    text_columns = con.execute(
        """
        select table_schema, table_name, column_name from information_schema.columns
        where table_schema in ('intermediate', 'marts') and data_type = 'VARCHAR'
        """
    ).fetchall()
    for schema, table, column in text_columns:
        hits = con.execute(
            f'select count(*) from {schema}."{table}" where "{column}" in (select unnest(?))',
            [samples],
        ).fetchone()[0]
        assert hits == 0, f"{schema}.{table}.{column} holds PII values"


def test_every_kpi_has_rows_at_its_primary_grain(warehouse):
    con, _ = warehouse
    missing = []
    for kpi in _catalogue():
        grain = GRAIN[kpi["time_grains"].split(",")[0]]
        entity = ENTITY[kpi["entity_grains"].split(",")[0]]
        rows = con.execute(
            "select count(*) from marts.fct_kpi_observations "
            "where kpi_id = ? and grain = ? and entity_type = ?",
            [kpi["kpi_id"], grain, entity],
        ).fetchone()[0]
        if rows == 0:
            missing.append(f"{kpi['kpi_id']} ({grain}/{entity})")
    assert missing == []


def test_planted_gaps_show_in_the_right_kpis(warehouse):
    con, truth = warehouse
    checked = 0
    for gap in truth["planted_gaps"]:
        if gap.get("kind") == "seasonal" or "entity_id" in gap:
            continue
        statuses = con.execute(
            """
            select period_start, status, trend from marts.fct_kpi_observations
            where kpi_id = ? and grain = ? and entity_type = 'company'
              and period_start >= ? and period_start <= ? and not is_partial
            order by period_start
            """,
            [gap["kpi_id"], gap["grain"], gap["period_start"], gap["period_end"]],
        ).fetchall()
        assert statuses, f"{gap['kpi_id']}: no closed {gap['grain']} rows for the planted gap"
        wrong = [(str(p), s) for p, s, _ in statuses if s not in gap["expected_status"]]
        assert wrong == [], f"{gap['kpi_id']} expected {gap['expected_status']}: {wrong}"
        if gap.get("kind") == "declining_within_target":
            assert statuses[-1][2] == "declining", f"{gap['kpi_id']}: {statuses[-1]}"
        checked += 1
    assert checked >= 6


def _close_macro(con) -> None:
    con.execute(
        "create or replace temp macro close_enough(a, b) as "
        "abs(coalesce(a, 0) - coalesce(b, 0)) <= 1e-6 * (1 + abs(coalesce(a, 0)))"
    )


def test_coarser_grains_recompute_from_days(warehouse):
    """For ratio and mean KPIs computed by day and month, a month's numerator and denominator
    are the sums of its days' (never an average of daily values)."""
    con, _ = warehouse
    kpis = [
        k["kpi_id"]
        for k in _catalogue()
        if k["agg"] in ("R", "M") and {"d", "m"} <= set(k["time_grains"].split(","))
    ]
    _close_macro(con)
    mismatches = con.execute(
        """
        with days as (
            select kpi_id, entity_type, entity_id, date_trunc('month', period_start) as month,
                   sum(numerator) as numerator, sum(denominator) as denominator
            from marts.fct_kpi_observations
            where grain = 'day' and kpi_id in (select unnest(?))
            group by all
        )
        select m.kpi_id, m.entity_type, m.entity_id, m.period_start, m.numerator, d.numerator,
               m.denominator, d.denominator
        from marts.fct_kpi_observations as m
        join days as d
          on d.kpi_id = m.kpi_id and d.entity_type = m.entity_type
         and d.entity_id = m.entity_id and d.month = m.period_start
        where m.grain = 'month'
          and not (close_enough(m.numerator, d.numerator)
                   and close_enough(m.denominator, d.denominator))
        """,
        [kpis],
    ).fetchall()
    assert mismatches == []


def test_department_rows_recombine_to_the_company_row(warehouse):
    """Where every record belongs to one department, department numerators and denominators
    add up to the company's for ratio, mean and additive KPIs."""
    con, _ = warehouse
    kpis = [
        k["kpi_id"]
        for k in _catalogue()
        if k["agg"] in ("A", "R", "M") and {"co", "dept"} <= set(k["entity_grains"].split(","))
    ]
    _close_macro(con)
    mismatches = con.execute(
        """
        with departments as (
            select kpi_id, grain, period_start,
                   sum(numerator) as numerator, sum(denominator) as denominator
            from marts.fct_kpi_observations
            where entity_type = 'department' and kpi_id in (select unnest(?))
            group by all
        )
        select c.kpi_id, c.grain, c.period_start, c.numerator, d.numerator
        from marts.fct_kpi_observations as c
        join departments as d using (kpi_id, grain, period_start)
        where c.entity_type = 'company'
          and not (close_enough(c.numerator, d.numerator)
                   and close_enough(c.denominator, d.denominator))
        """,
        [kpis],
    ).fetchall()
    assert mismatches == []
