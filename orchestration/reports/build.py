"""Build one report for one period from the analytics snapshot into the reports folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from orchestration.reports import charts, daily, dashboard, monthly, periods, queries, weekly
from orchestration.reports.render import (
    emoji_to_badges,
    markdown_to_html,
    render,
    write_atomically,
)
from orchestration.reports.snapshot import connect

Builder = Callable[[duckdb.DuckDBPyConnection, periods.ReportPeriod, str], dict]


@dataclass(frozen=True)
class ReportSpec:
    kind: str
    name: str  # asset name and file prefix (contracts.md)
    grain: str  # the KPI grain whose period must be in the snapshot
    build: Builder


REPORTS: dict[str, ReportSpec] = {
    "daily": ReportSpec("daily", "daily_snapshot", "day", daily.build),
    "weekly": ReportSpec("weekly", "weekly_summary", "week", weekly.build),
    "monthly": ReportSpec("monthly", "monthly_strategic_analysis", "month", monthly.build),
    "dashboard": ReportSpec("dashboard", "executive_dashboard", "month", dashboard.build),
}


class PeriodNotInSnapshot(ValueError):
    """The requested period has no KPI rows in the snapshot (not loaded yet, or too early)."""


@dataclass(frozen=True)
class BuiltReport:
    kind: str
    period: periods.ReportPeriod
    markdown: Path
    html: Path
    markdown_text: str
    as_of: datetime
    extra_files: list[Path] = field(default_factory=list)


def resolve_period(
    con: duckdb.DuckDBPyConnection, kind: str, day: date | None, tz: str
) -> periods.ReportPeriod:
    """The period containing `day`, or the latest one complete at the snapshot's as-of."""
    if kind not in REPORTS:
        raise ValueError(f"unknown report {kind!r}; choose one of {', '.join(REPORTS)}")
    if day is None:
        return periods.latest_complete(kind, queries.snapshot_as_of(con), tz)
    return periods.period_for(kind, day, tz)


def _check_period(con: duckdb.DuckDBPyConnection, spec: ReportSpec, period) -> None:
    if not queries.has_period(con, spec.grain, period.start):
        as_of = queries.snapshot_as_of(con)
        raise PeriodNotInSnapshot(
            f"the analytics snapshot (as of {as_of:%Y-%m-%d %H:%M} UTC) has no {spec.grain}-grain "
            f"KPIs for the period starting {period.start}: load those days with "
            "`scorecard refresh --start … --end …`, or pick another --date"
        )


def build_report(
    kind: str, snapshot: Path, reports_dir: Path, tz: str, day: date | None = None
) -> BuiltReport:
    spec = REPORTS.get(kind)
    if spec is None:
        raise ValueError(f"unknown report {kind!r}; choose one of {', '.join(REPORTS)}")
    con = connect(snapshot)
    try:
        period = resolve_period(con, kind, day, tz)
        _check_period(con, spec, period)
        context = spec.build(con, period, tz)
        latest = periods.latest_complete(kind, context["as_of"], tz)
    finally:
        con.close()

    folder = reports_dir / kind
    stem = f"{spec.name}_{period.file_stem}"
    markdown = render(f"{kind}.md.j2", context, tz)
    if kind == "dashboard":
        page = render("dashboard.html.j2", {**context, "vega_bundle": charts.vega_bundle()}, tz)
    else:
        page = render(
            "page.html.j2",
            {
                **context,
                "body": emoji_to_badges(markdown_to_html(markdown)),
                "charts": context.get("charts", {}),
                "vega_bundle": charts.vega_bundle() if context.get("charts") else None,
            },
            tz,
        )
    md_path = write_atomically(folder / f"{stem}.md", markdown)
    html_path = write_atomically(folder / f"{stem}.html", page)
    extra = []
    if period == latest:
        # The newest period is also kept under a fixed name, for bookmarks and links.
        extra.append(write_atomically(reports_dir / f"{spec.name}.md", markdown))
        extra.append(write_atomically(reports_dir / f"{spec.name}.html", page))
    return BuiltReport(kind, period, md_path, html_path, markdown, context["as_of"], extra)
