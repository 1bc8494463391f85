"""Queries shared by several reports: as-of time, KPI ranking (§8.8), alerts, actions, quality."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from orchestration.reports.snapshot import require

# Catalogue §8.8: worst = lowest gap_pct among KPIs that have a target; ties by level.
LEVEL_ORDER = "case level when 'strategic' then 1 when 'operational' then 2 else 3 end"
JUDGED = "status in ('green', 'yellow', 'red')"
SEVERITY_ORDER = "case severity when 'critical' then 1 when 'warning' then 2 else 3 end"

ALERT_COLUMNS = (
    "alert_id",
    "rule_id",
    "kpi_id",
    "entity_type",
    "entity_id",
    "department_id",
    "opened_at",
    "closed_at",
    "status",
    "severity",
    "escalation_level",
    "audience",
    "delivery",
    "title",
)
ACTION_COLUMNS = (
    "action_id",
    "kpi_id",
    "department_id",
    "owner_id",
    "created_at",
    "due_at",
    "completed_at",
    "status",
    "is_overdue",
    "baseline_gap",
    "gap_after",
    "gap_closure_pct",
    "effect",
)
QUALITY_RESULT_COLUMNS = (
    "source",
    "standard",
    "expectation",
    "column_name",
    "load_date",
    "observed",
    "threshold",
    "passed",
    "blocking",
    "evaluated_at",
)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[dict]:
    """Query results as dicts, the shape templates read."""
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def snapshot_as_of(con: duckdb.DuckDBPyConnection) -> datetime:
    """The KPI evaluation time the snapshot was built for (naive UTC)."""
    require(con, "fct_kpi_observations", ["as_of"])
    as_of = one(con, "select max(as_of) from marts.fct_kpi_observations")
    if as_of is None:
        raise ValueError("marts.fct_kpi_observations is empty: the snapshot has no KPI yet")
    return as_of


def ranked_kpis(
    con: duckdb.DuckDBPyConnection,
    grain: str,
    period_start: date,
    worst: bool,
    limit: int,
    entity_type: str = "company",
) -> list[dict]:
    """Catalogue §8.8 ranking of company KPIs with a target for one period."""
    require(con, "fct_kpi_observations", ["quality_status"])
    direction = "asc" if worst else "desc"
    return rows(
        con,
        f"""
        select kpi_id, kpi_name, perspective, level, department, unit, value, rag_value,
               target_operator, target_value, target_low, target_high, status, reason_code,
               gap, gap_pct, trend, off_target_streak, quality_status
        from marts.fct_kpi_observations
        where grain = ? and period_start = ? and entity_type = ? and {JUDGED}
          and gap_pct is not null
        order by gap_pct {direction}, {LEVEL_ORDER}, kpi_id
        limit ?
        """,
        [grain, period_start, entity_type, limit],
    )


def open_alerts(con: duckdb.DuckDBPyConnection, at: datetime) -> list[dict]:
    """Alerts open at instant `at` (naive UTC), most urgent first."""
    require(con, "mart_alerts", ALERT_COLUMNS)
    return rows(
        con,
        f"""
        select {", ".join(ALERT_COLUMNS)}
        from marts.mart_alerts
        where opened_at <= ? and (closed_at is null or closed_at > ?)
        order by escalation_level desc, {SEVERITY_ORDER}, opened_at desc, alert_id
        """,
        [at, at],
    )


def alerts_opened_between(
    con: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> list[dict]:
    require(con, "mart_alerts", ALERT_COLUMNS)
    return rows(
        con,
        f"""
        select {", ".join(ALERT_COLUMNS)}
        from marts.mart_alerts
        where opened_at >= ? and opened_at < ?
        order by escalation_level desc, {SEVERITY_ORDER}, opened_at, alert_id
        """,
        [start, end],
    )


def alert_counts(alerts: list[dict]) -> dict[str, dict[str, int]]:
    """Open alerts per escalation level and severity, for the roll-up table."""
    counts: dict[str, dict[str, int]] = {}
    for alert in alerts:
        level = counts.setdefault(alert["escalation_level"], {})
        level[alert["severity"]] = level.get(alert["severity"], 0) + 1
    return dict(sorted(counts.items(), reverse=True))


def open_actions(con: duckdb.DuckDBPyConnection, at: datetime, due_before: datetime | None):
    """Corrective actions not completed at `at`, optionally only those due before a time."""
    require(con, "mart_corrective_actions", ACTION_COLUMNS)
    return rows(
        con,
        f"""
        select {", ".join(ACTION_COLUMNS)}, due_at < ? as overdue_at_report
        from marts.mart_corrective_actions
        where created_at <= ? and (completed_at is null or completed_at > ?)
          and (? is null or due_at < ?)
        order by due_at, action_id
        """,
        [at, at, at, due_before, due_before],
    )


def quality_failures(con: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict]:
    """Failed data-quality checks on load days in [start, end) of the latest run, blocking first."""
    require(con, "mart_data_quality_results", QUALITY_RESULT_COLUMNS)
    return rows(
        con,
        f"""
        with latest as (
            select {", ".join(QUALITY_RESULT_COLUMNS)},
                   row_number() over (
                       partition by source, standard, expectation, column_name, load_date
                       order by evaluated_at desc
                   ) as recency
            from marts.mart_data_quality_results
            where load_date >= ? and load_date < ?
        )
        select {", ".join(QUALITY_RESULT_COLUMNS)} from latest
        where recency = 1 and not passed
        order by blocking desc, load_date, source, standard, expectation
        """,
        [start, end],
    )


def quality_by_standard(con: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict]:
    """Checks, failures and pass rate per standard over load days in [start, end)."""
    require(con, "mart_data_quality_daily", ["source", "standard", "load_date", "checks", "failed"])
    return rows(
        con,
        """
        select standard, sum(checks)::bigint as checks, sum(failed)::bigint as failed,
               100.0 * (sum(checks) - sum(failed)) / nullif(sum(checks), 0) as pass_rate,
               count(distinct source) filter (failed > 0) as sources_failing
        from marts.mart_data_quality_daily
        where load_date >= ? and load_date < ?
        group by standard
        order by standard
        """,
        [start, end],
    )


PERSPECTIVES = ("financial", "client", "internal_process", "learning_growth")
PERSPECTIVE_ORDER = (
    "case perspective when 'financial' then 1 when 'client' then 2 "
    "when 'internal_process' then 3 else 4 end"
)


def company_kpis(
    con: duckdb.DuckDBPyConnection, grain: str, period_start: date, department: str | None = None
) -> list[dict]:
    """Every company observation of a period (fct_kpi_observations), by perspective and KPI."""
    require(con, "fct_kpi_observations", ["quality_status"])
    return rows(
        con,
        f"""
        select kpi_id, kpi_name, perspective, level, department, unit, value, rag_value,
               target_operator, target_value, target_low, target_high, status, reason_code,
               gap, gap_pct, previous_value, trend, off_target_streak, is_partial,
               quality_status
        from marts.fct_kpi_observations
        where grain = ? and period_start = ? and entity_type = 'company'
          and (? is null or department = ?)
        order by {PERSPECTIVE_ORDER}, {LEVEL_ORDER}, kpi_id
        """,
        [grain, period_start, department, department],
    )


def status_counts(kpis: list[dict]) -> list[dict]:
    """Per perspective: KPIs green, yellow, red, no data and not judged (for roll-up tables)."""
    counts = {
        p: {"perspective": p, "green": 0, "yellow": 0, "red": 0, "no_data": 0, "other": 0}
        for p in PERSPECTIVES
    }
    for kpi in kpis:
        bucket = (
            kpi["status"] if kpi["status"] in ("green", "yellow", "red", "no_data") else "other"
        )
        counts[kpi["perspective"]][bucket] += 1
    return [
        dict(c, kpis=sum(v for k, v in c.items() if k != "perspective")) for c in counts.values()
    ]


SCORECARD_COLUMNS = (
    "kpi_id",
    "kpi_name",
    "perspective",
    "level",
    "department",
    "unit",
    "direction",
    "value",
    "rag_value",
    "target_operator",
    "target_value",
    "target_low",
    "target_high",
    "status",
    "reason_code",
    "gap",
    "gap_pct",
    "previous_value",
    "trend",
    "worsening_streak",
    "is_partial",
    "quality_status",
)


def scorecard(con: duckdb.DuckDBPyConnection, grain: str, period_start: date) -> list[dict]:
    """mart_balanced_scorecard for one period: every KPI defined at the grain, no_data included."""
    require(con, "mart_balanced_scorecard", SCORECARD_COLUMNS)
    return rows(
        con,
        f"""
        select {", ".join(SCORECARD_COLUMNS)}
        from marts.mart_balanced_scorecard
        where grain = ? and period_start = ?
        order by {PERSPECTIVE_ORDER}, {LEVEL_ORDER}, kpi_id
        """,
        [grain, period_start],
    )


SUMMARY_COLUMNS = ("perspective", "kpis", "green", "yellow", "red", "no_data", "not_judged")


def scorecard_summary(con: duckdb.DuckDBPyConnection, grain: str, period_start: date):
    """mart_balanced_scorecard_summary for one period, in perspective order."""
    require(con, "mart_balanced_scorecard_summary", SUMMARY_COLUMNS)
    return rows(
        con,
        f"""
        select {", ".join(SUMMARY_COLUMNS)}
        from marts.mart_balanced_scorecard_summary
        where grain = ? and period_start = ?
        order by {PERSPECTIVE_ORDER}
        """,
        [grain, period_start],
    )


def has_period(con: duckdb.DuckDBPyConnection, grain: str, period_start: date) -> bool:
    require(con, "fct_kpi_observations", ["grain", "period_start"])
    return bool(
        one(
            con,
            "select count(*) from marts.fct_kpi_observations where grain = ? and period_start = ?",
            [grain, period_start],
        )
    )
