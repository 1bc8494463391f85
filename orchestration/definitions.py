"""The one Definitions object of the Scorecard code location."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.alerts import build_alert_delivery_asset
from orchestration.assets.dbt import build_dbt_assets, dbt_resource, unowned_source_specs
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.publish import build_publish_asset
from orchestration.assets.quality import quality_checks
from orchestration.assets.reports import build_report_assets
from orchestration.freshness import deadline_checks, with_deliverable_freshness
from orchestration.jobs import build_jobs, build_schedules, monthly_report_keys
from orchestration.resources import WarehouseResource
from orchestration.sensors import alert_delivery_sensor, build_deadline_sensors, new_extracts_sensor


def build_definitions() -> dg.Definitions:
    assets = with_deliverable_freshness(
        [
            *ingest_assets(),
            *build_dbt_assets(),
            build_publish_asset(),
            build_alert_delivery_asset(),
            *build_report_assets(),
        ]
    )
    jobs = build_jobs(assets)
    produced = {key for asset in assets for key in asset.keys}
    return dg.Definitions(
        assets=[*assets, *unowned_source_specs(produced)],
        asset_checks=[*quality_checks(), *deadline_checks(assets)],
        jobs=jobs,
        schedules=build_schedules([job.name for job in jobs], monthly_report_keys(assets)),
        sensors=[new_extracts_sensor, alert_delivery_sensor, *build_deadline_sensors(assets)],
        resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
        # One process per run (DESIGN.md §9): dbt's manifest loads once, DuckDB has one writer.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
