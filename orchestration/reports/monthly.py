"""Monthly strategic analysis (CS "Reporting Framework", SOP-007 §7.3): the scorecard against
last month, month-over-month trends, a deep dive on bottlenecks (§8.8 ranking of
mart_performance_gaps), corrective actions and their verified effect, client satisfaction
trends, quarterly goal progress, recommendations and the month's data quality."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from orchestration.reports import charts, queries
from orchestration.reports.periods import ReportPeriod
from orchestration.reports.snapshot import require

GAP_COLUMNS = (
    "kpi_id",
    "kpi_name",
    "perspective",
    "level",
    "department_id",
    "entity_type",
    "entity_id",
    "grain",
    "period_start",
    "value",
    "judged_value",
    "target",
    "unit",
    "status",
    "gap",
    "gap_pct",
    "trend",
    "off_target_streak",
    "worsening_streak",
    "first_period_seen",
    "escalation_level",
    "root_cause_category",
    "root_cause_evidence",
    "quality_status",
)
# Client satisfaction KPIs (CS "client satisfaction trends"): client-perspective KPIs measured
# on a survey scale. NPS is in points, like credit-score gains, so it is named by its id prefix.
SATISFACTION_FILTER = (
    "perspective = 'client' and (unit in ('score_5', 'score_10') or kpi_id like 'nps%')"
)
TREND_MONTHS = 6
HISTORY_MONTHS = 12
BOTTLENECKS = 10


def previous_month(start: date) -> date:
    return (start - timedelta(days=1)).replace(day=1)


def months_back(start: date, count: int) -> date:
    for _ in range(count):
        start = previous_month(start)
    return start


def kpi_history(con: duckdb.DuckDBPyConnection, month: date, kpi_ids: list[str]) -> list[dict]:
    """Monthly company values (annualised where RAG uses that) of some KPIs, for trend charts."""
    return queries.rows(
        con,
        """
        select kpi_id, kpi_name, perspective, period_start, coalesce(rag_value, value) as value,
               target_value, status
        from marts.mart_balanced_scorecard
        where grain = 'month' and period_start between ? and ? and kpi_id in (select unnest(?))
          and value is not null
        order by kpi_id, period_start
        """,
        [months_back(month, HISTORY_MONTHS - 1), month, kpi_ids],
    )


def summary_history(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    """KPIs per status per perspective for the last twelve months."""
    queries.require(con, "mart_balanced_scorecard_summary", queries.SUMMARY_COLUMNS)
    return queries.rows(
        con,
        """
        select perspective, period_start, green, yellow, red, no_data
        from marts.mart_balanced_scorecard_summary
        where grain = 'month' and period_start between ? and ?
        order by period_start, perspective
        """,
        [months_back(month, HISTORY_MONTHS - 1), month],
    )


def bottlenecks(con: duckdb.DuckDBPyConnection, month: date, limit: int) -> list[dict]:
    """The month's company gaps, worst first (catalogue §8.8: lowest gap %, ties by level)."""
    require(con, "mart_performance_gaps", GAP_COLUMNS)
    return queries.rows(
        con,
        f"""
        select {", ".join(GAP_COLUMNS)}
        from marts.mart_performance_gaps
        where grain = 'month' and period_start = ? and entity_type = 'company'
        order by gap_pct asc nulls last, {queries.LEVEL_ORDER}, kpi_id
        limit ?
        """,
        [month, limit],
    )


def _department_gaps(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    return queries.rows(
        con,
        """
        select department_id, count(*) as gaps, count(*) filter (status = 'red') as red,
               max(off_target_streak) as longest_streak,
               string_agg(distinct kpi_id, ', ' order by kpi_id) as kpis
        from marts.mart_performance_gaps
        where grain = 'month' and period_start = ? and entity_type = 'department'
        group by department_id
        order by red desc, gaps desc, department_id
        """,
        [month],
    )


def _status_changes(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    return queries.rows(
        con,
        f"""
        select cur.kpi_id, cur.kpi_name, cur.perspective, cur.level, cur.unit,
               prev.status as previous_status, cur.status, prev.value as previous_value,
               cur.value, cur.trend
        from marts.mart_balanced_scorecard as cur
        inner join marts.mart_balanced_scorecard as prev
            on prev.kpi_id = cur.kpi_id and prev.grain = 'month' and prev.period_start = ?
        where cur.grain = 'month' and cur.period_start = ? and prev.status <> cur.status
          and cur.status in ('green', 'yellow', 'red', 'no_data')
          and prev.status in ('green', 'yellow', 'red', 'no_data')
        order by {queries.PERSPECTIVE_ORDER.replace("perspective", "cur.perspective")}, cur.kpi_id
        """,
        [previous_month(month), month],
    )


def _actions(con: duckdb.DuckDBPyConnection, period: ReportPeriod) -> dict:
    require(con, "mart_corrective_actions", queries.ACTION_COLUMNS)
    effects = dict(
        con.execute(
            """
            select effect, count(*) from marts.mart_corrective_actions
            where completed_at < ? group by 1
            """,
            [period.end_utc],
        ).fetchall()
    )
    completed = queries.rows(
        con,
        f"""
        select {", ".join(queries.ACTION_COLUMNS)}
        from marts.mart_corrective_actions
        where completed_at >= ? and completed_at < ?
        order by gap_closure_pct desc nulls last, action_id
        """,
        [period.start_utc, period.end_utc],
    )
    open_actions = queries.open_actions(con, period.send_at_utc, None)
    return {
        "effects": effects,
        "completed": completed,
        "open": len(open_actions),
        "overdue": sum(1 for a in open_actions if a["overdue_at_report"]),
    }


def _satisfaction(con: duckdb.DuckDBPyConnection, month: date) -> tuple[list[date], list[dict]]:
    first = months_back(month, TREND_MONTHS - 1)
    found = queries.rows(
        con,
        f"""
        select kpi_id, kpi_name, unit, period_start, value, status
        from marts.mart_balanced_scorecard
        where grain = 'month' and period_start between ? and ? and {SATISFACTION_FILTER}
        order by kpi_id, period_start
        """,
        [first, month],
    )
    months = sorted({r["period_start"] for r in found})
    by_kpi: dict[str, dict] = {}
    for r in found:
        kpi = by_kpi.setdefault(
            r["kpi_id"],
            {"kpi_id": r["kpi_id"], "kpi_name": r["kpi_name"], "unit": r["unit"], "values": {}},
        )
        kpi["values"][r["period_start"]] = r
    return months, list(by_kpi.values())


def _recommendations(con: duckdb.DuckDBPyConnection, period: ReportPeriod) -> dict:
    """Where attention pays (CS "system optimization recommendations"), from the data alone."""
    persistent_unowned = queries.rows(
        con,
        """
        select g.kpi_id, g.kpi_name, g.level, g.status, g.gap_pct, g.off_target_streak
        from marts.mart_performance_gaps as g
        where g.grain = 'month' and g.period_start = ? and g.entity_type = 'company'
          and g.off_target_streak >= 3
          and not exists (
              select 1 from marts.mart_corrective_actions as a
              where a.kpi_id = g.kpi_id and a.created_at <= ?
                and (a.completed_at is null or a.completed_at > ?))
        order by g.gap_pct nulls last, g.kpi_id
        """,
        [period.start, period.send_at_utc, period.send_at_utc],
    )
    declining_green = queries.rows(
        con,
        f"""
        select kpi_id, kpi_name, level, value, previous_value, unit, worsening_streak
        from marts.mart_balanced_scorecard
        where grain = 'month' and period_start = ? and status = 'green' and trend = 'declining'
        order by {queries.LEVEL_ORDER}, kpi_id
        """,
        [period.start],
    )
    return {"persistent_unowned": persistent_unowned, "declining_green": declining_green}


def build(con: duckdb.DuckDBPyConnection, period: ReportPeriod, tz: str) -> dict:
    month = period.start
    quarter_start = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    quarter = queries.scorecard(con, "quarter", quarter_start)
    months, satisfaction = _satisfaction(con, month)
    this_month = queries.scorecard(con, "month", month)
    satisfaction_ids = [k["kpi_id"] for k in satisfaction]
    trend_charts = {"status-mix": charts.status_mix(summary_history(con, month))}
    if satisfaction_ids:
        trend_charts["satisfaction"] = charts.kpi_trends(
            kpi_history(con, month, satisfaction_ids), columns=3
        )
    return {
        "charts": trend_charts,
        "title": f"Monthly strategic analysis — {month:%B %Y}",
        "period": period,
        "as_of": queries.snapshot_as_of(con),
        "summary": queries.scorecard_summary(con, "month", month),
        "summary_previous": {
            s["perspective"]: s
            for s in queries.scorecard_summary(con, "month", previous_month(month))
        },
        "status_changes": _status_changes(con, month),
        "declining": [k for k in this_month if k["trend"] == "declining"],
        "improving": [k for k in this_month if k["trend"] == "improving"],
        "bottlenecks": bottlenecks(con, month, BOTTLENECKS),
        "department_gaps": _department_gaps(con, month),
        "actions": _actions(con, period),
        "satisfaction_months": months,
        "satisfaction": satisfaction,
        "quarter_start": quarter_start,
        "quarter_counts": queries.status_counts(quarter),
        "quarter_strategic": [k for k in quarter if k["level"] == "strategic"],
        "recommendations": _recommendations(con, period),
        "quality": queries.quality_by_standard(con, period.start, period.end),
        "quality_failures": queries.quality_failures(con, period.start, period.end)[:20],
    }
