"""The analytics snapshot as a Dagster asset, downstream of every mart."""

import json

import dagster as dg

from orchestration.assets.dbt import dbt_project
from orchestration.publish import publish_snapshot
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.settings import get_settings


def _mart_keys() -> list[dg.AssetKey]:
    manifest = json.loads(dbt_project().manifest_path.read_text())
    return sorted(
        (
            dg.AssetKey([node["schema"], node["name"]])
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["schema"] == "marts"
        ),
        key=lambda key: key.to_user_string(),
    )


def build_publish_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["analytics", "snapshot"]),
        deps=_mart_keys(),
        group_name="publish",
        kinds={"duckdb", "parquet"},
        pool=WRITER_POOL,
        description=(
            "Read-only snapshot of the marts for analysts (data/analytics.duckdb and "
            "data/analytics_parquet/), written to a new file and renamed over the old one."
        ),
    )
    def analytics_snapshot(warehouse: WarehouseResource) -> dg.MaterializeResult:
        target = get_settings().analytics_path
        with warehouse.connect() as con:
            result = publish_snapshot(con, target)
        return dg.MaterializeResult(
            metadata={
                "path": str(result.path),
                "tables": len(result.tables),
                "rows": result.rows,
            }
        )

    return analytics_snapshot
