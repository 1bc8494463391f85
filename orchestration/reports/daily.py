"""Daily snapshot: the 08:00 digest (catalogue §7.1 AC7) and the client-success onboarding
snapshot (CS "Reporting Framework": active clients, health bands, red/yellow flags, yesterday's
wins and issues), for the day whose data was loaded overnight."""

from __future__ import annotations

from datetime import time, timedelta

import duckdb

from orchestration.reports import queries
from orchestration.reports.periods import ReportPeriod, business_date, to_utc
from orchestration.reports.snapshot import require

HEALTH_COLUMNS = (
    "client_id",
    "contract_signed_at",
    "csm_id",
    "score_date",
    "is_final_at_handoff",
    "elapsed_days",
    "milestone_points",
    "engagement_points",
    "satisfaction_points",
    "responsiveness_points",
    "health_score",
    "health_band",
)
# Alert rules about onboarding work items (catalogue §7.1): critical blockers, milestones 3+ days
# late, onboarding aging. The digest lists them as "today's touchpoints".
ONBOARDING_RULES = ("AC2", "AC4", "AC5", "AC6")
ONBOARDING_STATE_COLUMNS = (
    "client_id",
    "csm_id",
    "stage",
    "current_milestone",
    "next_due_date",
    "milestones_overdue",
    "blockers_open",
    "critical_blockers_open",
    "main_blocker_type",
)
WATCH_LIST_LIMIT = 25
ALERT_LIST_LIMIT = 25


def _onboarding(con: duckdb.DuckDBPyConnection, period: ReportPeriod) -> dict:
    require(con, "mart_client_health", HEALTH_COLUMNS)
    day, previous = period.start, period.start - timedelta(days=1)
    bands = dict(
        con.execute(
            """
            select health_band, count(*) from marts.mart_client_health
            where score_date = ? and not is_final_at_handoff group by 1
            """,
            [day],
        ).fetchall()
    )
    previous_bands = dict(
        con.execute(
            """
            select health_band, count(*) from marts.mart_client_health
            where score_date = ? and not is_final_at_handoff group by 1
            """,
            [previous],
        ).fetchall()
    )
    watch = queries.rows(
        con,
        """
        select today.client_id, today.csm_id, today.health_score, today.health_band,
               yesterday.health_score as previous_score, today.elapsed_days,
               today.milestone_points, today.engagement_points, today.satisfaction_points,
               today.responsiveness_points
        from marts.mart_client_health as today
        left join marts.mart_client_health as yesterday
            on yesterday.client_id = today.client_id
            and yesterday.contract_signed_at = today.contract_signed_at
            and yesterday.score_date = ? and not yesterday.is_final_at_handoff
        where today.score_date = ? and not today.is_final_at_handoff
          and today.health_band in ('yellow', 'red')
        order by today.health_score, today.client_id
        """,
        [previous, day],
    )
    movement = queries.rows(
        con,
        """
        with starts as (
            select client_id, contract_signed_at, min(score_date) as first_day
            from marts.mart_client_health group by all
        )
        select
            (select count(*) from starts where first_day = ?) as started,
            (select count(*) from marts.mart_client_health
             where is_final_at_handoff and score_date = ?) as handed_off
        """,
        [day, day],
    )[0]
    return {
        "active": sum(bands.values()),
        "active_previous": sum(previous_bands.values()),
        "bands": {band: bands.get(band, 0) for band in ("green", "yellow", "red")},
        "bands_previous": {
            band: previous_bands.get(band, 0) for band in ("green", "yellow", "red")
        },
        "watch": watch[:WATCH_LIST_LIMIT],
        "watch_more": max(0, len(watch) - WATCH_LIST_LIMIT),
        **movement,
    }


def _work_items(con: duckdb.DuckDBPyConnection, send_day) -> dict:
    """AC7's work list from mart_onboarding, which holds each onboarding's state at as_of."""
    require(con, "mart_onboarding", ONBOARDING_STATE_COLUMNS)
    require(con, "dim_date", ["date_day", "is_business_day"])
    next_business_day = queries.one(
        con,
        "select min(date_day) from marts.dim_date where date_day > ? and is_business_day",
        [send_day],
    )
    if next_business_day is None:
        # dim_date ends at the snapshot's as-of: fall back to the default calendar (Mon–Fri).
        next_business_day = send_day + timedelta(days=1)
        while next_business_day.weekday() >= 5:
            next_business_day += timedelta(days=1)
    in_onboarding = "from marts.mart_onboarding where stage = 'in_onboarding'"
    return {
        "next_business_day": next_business_day,
        "by_milestone": queries.rows(
            con,
            f"""
            select coalesce(current_milestone, 'all milestones done') as milestone,
                   count(*) as clients
            {in_onboarding} group by 1 order by clients desc, milestone
            """,
        ),
        "due": queries.rows(
            con,
            f"""
            select client_id, csm_id, current_milestone, next_due_date, milestones_overdue
            {in_onboarding} and next_due_date between ? and ?
            order by next_due_date, client_id
            """,
            [send_day, next_business_day],
        ),
        "blockers": queries.rows(
            con,
            f"""
            select client_id, csm_id, blockers_open, critical_blockers_open, main_blocker_type
            {in_onboarding} and blockers_open > 0
            order by critical_blockers_open desc, blockers_open desc, client_id
            """,
        ),
    }


def build(con: duckdb.DuckDBPyConnection, period: ReportPeriod, tz: str) -> dict:
    as_of = queries.snapshot_as_of(con)
    kpis = queries.ranked_kpis(con, "day", period.start, worst=True, limit=1000)
    issues = [kpi for kpi in kpis if kpi["status"] in ("red", "yellow")]
    wins = [kpi for kpi in reversed(kpis) if kpi["status"] == "green"][:3]
    open_alerts = queries.open_alerts(con, period.send_at_utc)
    # mart_onboarding is a picture at as_of: it describes the send day only for the latest report.
    is_latest = period.end == business_date(as_of, tz)
    # AC7: corrective actions due by the end of the day after the send day.
    due_by = to_utc(period.end + timedelta(days=2), time(0), tz)
    return {
        "title": f"Daily snapshot — {period.start:%A %d %B %Y}",
        "period": period,
        "as_of": as_of,
        "onboarding": _onboarding(con, period),
        "work_items": _work_items(con, period.end) if is_latest else None,
        "kpi_issues": issues,
        "kpi_wins": wins,
        "kpis_judged": len(kpis),
        "alerts_opened": queries.alerts_opened_between(con, period.start_utc, period.end_utc),
        "open_alerts": open_alerts[:ALERT_LIST_LIMIT],
        "open_alerts_more": max(0, len(open_alerts) - ALERT_LIST_LIMIT),
        "open_alert_counts": queries.alert_counts(open_alerts),
        "onboarding_alerts": [a for a in open_alerts if a["rule_id"] in ONBOARDING_RULES],
        "actions_due": queries.open_actions(con, period.send_at_utc, due_by),
        "quality_failures": queries.quality_failures(con, period.start, period.end),
    }
