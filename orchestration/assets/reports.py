"""Reports as Dagster assets (group "reports"), downstream of the analytics snapshot.

Keys and partitions are agreed in contracts.md: daily_snapshot (daily), weekly_summary (weekly,
Monday), monthly_strategic_analysis (monthly), executive_dashboard (unpartitioned, the latest
closed month). Each reads the read-only snapshot and writes Markdown + HTML to data/reports/.
"""

from datetime import date

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.partitions import daily_partitions, monthly_partitions, weekly_partitions
from orchestration.reports.build import REPORTS, BuiltReport, build_report
from orchestration.settings import get_settings

SNAPSHOT_KEY = dg.AssetKey(["analytics", "snapshot"])
GROUP = "reports"


def _materialize(kind: str, day: date | None) -> dg.MaterializeResult:
    settings = get_settings()
    built: BuiltReport = build_report(
        kind, settings.analytics_path, settings.reports_dir, settings.business_tz, day
    )
    return dg.MaterializeResult(
        metadata={
            "period_start": dg.MetadataValue.text(built.period.start.isoformat()),
            "html": dg.MetadataValue.path(str(built.html)),
            "markdown": dg.MetadataValue.path(str(built.markdown)),
            "html_bytes": dg.MetadataValue.int(built.html.stat().st_size),
            "kpis_as_of": dg.MetadataValue.text(built.as_of.isoformat(sep=" ")),
            "preview": dg.MetadataValue.md(built.markdown_text),
        }
    )


def _description(kind: str) -> str:
    from orchestration.reports import daily, dashboard, monthly, weekly

    module = {"daily": daily, "weekly": weekly, "monthly": monthly, "dashboard": dashboard}[kind]
    return " ".join((module.__doc__ or "").split())


def _report_asset(kind: str, partitions_def: dg.PartitionsDefinition | None):
    spec = REPORTS[kind]

    @dg.asset(
        name=spec.name,
        key_prefix=[GROUP],
        deps=[SNAPSHOT_KEY],
        group_name=GROUP,
        partitions_def=partitions_def,
        # A backfill of the daily refresh job stays one run (ingest and dbt are single-run too);
        # each period in the range still gets its own report.
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        kinds={"html", "markdown"},
        description=_description(kind),
    )
    def report(context: AssetExecutionContext) -> dg.MaterializeResult:
        if partitions_def is None:
            return _materialize(kind, None)
        days = [date.fromisoformat(key) for key in context.partition_keys]
        for day in days[:-1]:
            _materialize(kind, day)
        return _materialize(kind, days[-1])

    return report


def build_report_assets() -> list[dg.AssetsDefinition]:
    return [
        _report_asset("daily", daily_partitions()),
        _report_asset("weekly", weekly_partitions()),
        _report_asset("monthly", monthly_partitions()),
        _report_asset("dashboard", None),
    ]
