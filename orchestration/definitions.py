"""The one Definitions object of the Scorecard code location."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import build_dbt_assets, dbt_resource
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.publish import build_publish_asset
from orchestration.assets.quality import quality_checks
from orchestration.resources import WarehouseResource
from orchestration.sensors import new_extracts_sensor


def build_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[*ingest_assets(), build_dbt_assets(), build_publish_asset()],
        asset_checks=quality_checks(),
        sensors=[new_extracts_sensor],
        resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    )


defs = build_definitions()
