"""Weekly summary (catalogue §7.1 AC8; CS "Reporting Framework" performance summary): clients
onboarded and handed off, health, at-risk clients, KPIs vs targets (RAG), the week's top wins and
challenges (§8.8 ranking) and the action items for the coming week."""

from __future__ import annotations

from datetime import timedelta

import duckdb

from orchestration.reports import queries
from orchestration.reports.daily import HEALTH_COLUMNS
from orchestration.reports.periods import ReportPeriod
from orchestration.reports.snapshot import require

CS_DEPARTMENT = "client_success"


def _onboarding(con: duckdb.DuckDBPyConnection, period: ReportPeriod) -> dict:
    require(con, "mart_client_health", HEALTH_COLUMNS)
    previous_start = period.start - timedelta(days=7)
    return queries.rows(
        con,
        """
        with starts as (
            select client_id, contract_signed_at, min(score_date) as first_day
            from marts.mart_client_health group by all
        ),
        daily as (
            select * from marts.mart_client_health where not is_final_at_handoff
        )
        select
            (select count(*) from starts where first_day >= $start and first_day < $end)
                as started,
            (select count(*) from marts.mart_client_health where is_final_at_handoff
                and score_date >= $start and score_date < $end) as handed_off,
            (select count(*) from daily where score_date = $last) as active_at_end,
            (select avg(health_score) from daily where score_date >= $start and score_date < $end)
                as avg_health,
            (select avg(health_score) from daily
                where score_date >= $previous and score_date < $start) as avg_health_previous
        """,
        {
            "start": period.start,
            "end": period.end,
            "last": period.last_day,
            "previous": previous_start,
        },
    )[0]


def _at_risk(con: duckdb.DuckDBPyConnection, period: ReportPeriod) -> list[dict]:
    """AC8: red health, or yellow with at least two open alerts, on the week's last day."""
    require(con, "mart_alerts", queries.ALERT_COLUMNS)
    return queries.rows(
        con,
        """
        with client_alerts as (
            select entity_id as client_id, count(*) as open_alerts
            from marts.mart_alerts
            where entity_type = 'client' and opened_at <= $at
              and (closed_at is null or closed_at > $at)
            group by 1
        )
        select h.client_id, h.csm_id, h.health_score, h.health_band, h.elapsed_days,
               coalesce(a.open_alerts, 0) as open_alerts
        from marts.mart_client_health as h
        left join client_alerts as a on a.client_id = h.client_id
        where h.score_date = $last and not h.is_final_at_handoff
          and (h.health_band = 'red' or (h.health_band = 'yellow' and a.open_alerts >= 2))
        order by h.health_score, h.client_id
        """,
        {"at": period.send_at_utc, "last": period.last_day},
    )


def build(con: duckdb.DuckDBPyConnection, period: ReportPeriod, tz: str) -> dict:
    kpis = queries.company_kpis(con, "week", period.start)
    open_alerts = queries.open_alerts(con, period.send_at_utc)
    best = queries.ranked_kpis(con, "week", period.start, worst=False, limit=3)
    worst = queries.ranked_kpis(con, "week", period.start, worst=True, limit=3)
    return {
        "title": f"Weekly summary — week of {period.start:%d %B %Y}",
        "period": period,
        "as_of": queries.snapshot_as_of(con),
        "onboarding": _onboarding(con, period),
        "at_risk": _at_risk(con, period),
        "cs_kpis": [k for k in kpis if k["department"] == CS_DEPARTMENT],
        "kpis_off_target": [k for k in kpis if k["status"] in ("red", "yellow")],
        "status_counts": queries.status_counts(kpis),
        "wins": [k for k in best if k["status"] == "green"],
        "challenges": [k for k in worst if k["status"] != "green"],
        "actions_open": queries.open_actions(con, period.send_at_utc, None),
        "escalated_alerts": [a for a in open_alerts if a["escalation_level"] in ("L2", "L3")],
        "open_alert_counts": queries.alert_counts(open_alerts),
        "quality": queries.quality_by_standard(con, period.start, period.end),
    }
