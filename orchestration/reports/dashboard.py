"""Executive dashboard (SOP-007 §5.1; CS "Dashboard Views", executive view): the balanced
scorecard of one month by the four perspectives (green/yellow/red), the key metrics, trend
charts, the top gaps (§8.8), open alerts and each KPI's data-quality status."""

from __future__ import annotations

import duckdb

from orchestration.reports import charts, monthly, queries
from orchestration.reports.periods import ReportPeriod

PERSPECTIVE_LABELS = {
    "financial": "Financial",
    "client": "Client",
    "internal_process": "Internal process",
    "learning_growth": "Learning & growth",
}
TREND_KPIS_PER_PERSPECTIVE = 8
ALERT_LIST_LIMIT = 15


def _trend_kpis(kpis: list[dict]) -> list[str]:
    """Per perspective: strategic KPIs first, then those off target, at most eight."""
    chosen = [
        k
        for k in kpis
        if k["value"] is not None
        and (k["level"] == "strategic" or k["status"] in ("red", "yellow"))
    ]
    chosen.sort(key=lambda k: (k["level"] != "strategic", k["status"] != "red", k["kpi_id"]))
    return [k["kpi_id"] for k in chosen[:TREND_KPIS_PER_PERSPECTIVE]]


def build(con: duckdb.DuckDBPyConnection, period: ReportPeriod, tz: str) -> dict:
    month = period.start
    as_of = queries.snapshot_as_of(con)
    kpis = queries.scorecard(con, "month", month)
    summary = {s["perspective"]: s for s in queries.scorecard_summary(con, "month", month)}
    perspectives = []
    for name, label in PERSPECTIVE_LABELS.items():
        members = [k for k in kpis if k["perspective"] == name]
        trend_ids = _trend_kpis(members)
        perspectives.append(
            {
                "name": name,
                "label": label,
                "summary": summary.get(name),
                "kpis": members,
                "chart": charts.kpi_trends(monthly.kpi_history(con, month, trend_ids))
                if trend_ids
                else None,
            }
        )
    alerts = queries.open_alerts(con, as_of)
    quality_counts: dict[str, int] = {}
    for kpi in kpis:
        key = kpi["quality_status"] or "unknown"
        quality_counts[key] = quality_counts.get(key, 0) + 1
    return {
        "title": f"Executive dashboard — {month:%B %Y}",
        "period": period,
        "as_of": as_of,
        "key_metrics": [k for k in kpis if k["level"] == "strategic"],
        "perspectives": perspectives,
        "charts": {
            "chart-status-mix": charts.status_mix(monthly.summary_history(con, month)),
            **{f"chart-{p['name']}": p["chart"] for p in perspectives if p["chart"]},
        },
        "top_gaps": monthly.bottlenecks(con, month, 10),
        "best": [
            k
            for k in queries.ranked_kpis(con, "month", month, worst=False, limit=5)
            if k["status"] == "green"
        ],
        "open_alerts": alerts[:ALERT_LIST_LIMIT],
        "open_alerts_total": len(alerts),
        "open_alert_counts": queries.alert_counts(alerts),
        "quality_counts": quality_counts,
        "quality": queries.quality_by_standard(con, period.start, period.end),
        "quality_failures": queries.quality_failures(con, period.start, period.end)[:10],
    }
