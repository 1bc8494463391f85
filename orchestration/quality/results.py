"""Every verdict kept: the `quality.check_results` table the quality marts read.

Its columns are declared once, in the dbt source that documents them
(dbt_project/models/marts/quality/_quality__sources.yml); this module creates the table from that
list and appends each run's rows. Nothing is ever updated or deleted: the table is the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from pathlib import Path

import duckdb
import yaml

from orchestration.quality.frames import QUALITY_SCHEMA
from orchestration.quality.sql import literal, quote
from orchestration.settings import DBT_PROJECT_DIR

RESULTS_TABLE = f"{QUALITY_SCHEMA}.check_results"
SOURCES_FILE = Path("models") / "marts" / "quality" / "_quality__sources.yml"


@dataclass(frozen=True)
class ResultRow:
    run_id: str
    as_of: datetime
    source: str
    raw_table: str
    standard: str
    suite: str
    expectation: str
    gx_expectation_type: str
    column_name: str | None
    load_date: date | None
    period_start: date | None
    period_end: date | None
    observed: float | None
    operator: str
    threshold: float
    checked_count: int | None
    failed_count: int | None
    passed: bool
    blocking: bool
    evaluated_at: datetime


@cache
def declared_columns(project_dir: Path = DBT_PROJECT_DIR) -> tuple[tuple[str, str], ...]:
    """(name, data_type) of check_results, from the dbt source YAML."""
    doc = yaml.safe_load((project_dir / SOURCES_FILE).read_text())
    for source in doc["sources"]:
        if source["name"] == QUALITY_SCHEMA:
            for table in source["tables"]:
                if table["name"] == "check_results":
                    return tuple((c["name"], c["data_type"]) for c in table["columns"])
    raise LookupError(f"{SOURCES_FILE} declares no {RESULTS_TABLE}")


def ensure_results_table(con: duckdb.DuckDBPyConnection) -> None:
    columns = declared_columns()
    expected = [f.name for f in fields(ResultRow)]
    if [name for name, _ in columns] != expected:
        raise LookupError(
            f"{SOURCES_FILE}: check_results columns {[n for n, _ in columns]} differ from "
            f"ResultRow {expected}; keep them in the same order"
        )
    con.execute(f"create schema if not exists {QUALITY_SCHEMA}")
    ddl = ", ".join(f"{quote(name)} {data_type}" for name, data_type in columns)
    con.execute(f"create table if not exists {RESULTS_TABLE} ({ddl})")


def failing_rows_sql(failing: Iterable[tuple[str, str, date | None]]) -> str:
    """A relation (standard, rule, load_day) of GX's failing rows, for a join."""
    rows = [
        f"({literal(standard)}, {literal(rule)}, "
        f"{'cast(null as date)' if day is None else f'date {literal(day.isoformat())}'})"
        for standard, rule, day in sorted(failing, key=str)
    ]
    if not rows:
        return (
            "(select cast(null as varchar) as standard, cast(null as varchar) as rule, "
            "cast(null as date) as load_day where false)"
        )
    return f"(select * from (values {', '.join(rows)}) as f(standard, rule, load_day))"


def append_frame_results(
    con: duckdb.DuckDBPyConnection,
    frame: str,
    source: str,
    raw_table: str,
    suite_sql: str,
    failing: Iterable[tuple[str, str, date | None]],
    gx_expectation_type: str,
    run_id: str,
    as_of: datetime,
    evaluated_at: datetime,
) -> int:
    """Append one row per frame row: the figures DuckDB computed, pass or fail as GX judged.

    `suite_sql` names each row's GX suite from the frame row `r` (e.g. `'x.' || r.standard`).
    """
    ensure_results_table(con)
    before = con.execute(f"select count(*) from {RESULTS_TABLE}").fetchone()[0]
    con.execute(
        f"""
        insert into {RESULTS_TABLE}
        select
            ?, cast(? as timestamp), ?, ?, r.standard,
            {suite_sql}, r.rule, ?, r.column_name,
            r.load_day, r.period_start, r.period_end, r.observed, r.operator, r.threshold,
            r.checked_count, r.failed_count,
            not exists (
                select 1 from {failing_rows_sql(failing)} as f
                where f.standard = r.standard and f.rule = r.rule
                  and f.load_day is not distinct from r.load_day
            ),
            r.blocking, cast(? as timestamp)
        from {frame} as r
        """,
        [run_id, as_of, source, raw_table, gx_expectation_type, evaluated_at],
    )
    return con.execute(f"select count(*) from {RESULTS_TABLE}").fetchone()[0] - before
