"""The analytics snapshot as a Dagster asset, downstream of every mart."""

import json

import dagster as dg

from orchestration.assets.dbt import dbt_project, run_as_of
from orchestration.deliveries import DAILY_REFRESH
from orchestration.freshness import deliverable_freshness_policy
from orchestration.publish import SnapshotStamp, publish_snapshot
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.retries import TRANSIENT_RETRY, retry_only_transient
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
        retry_policy=TRANSIENT_RETRY,
        # Published by the daily refresh between its start and its deadline.
        freshness_policy=deliverable_freshness_policy(DAILY_REFRESH),
        description=(
            "Read-only snapshot of the marts for analysts (data/analytics.duckdb and "
            "data/analytics_parquet/), written to a new file and renamed over the old one; "
            "marts.snapshot_manifest names the snapshot and counts its rows."
        ),
    )
    def analytics_snapshot(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        settings = get_settings()
        stamp = SnapshotStamp(as_of=run_as_of(context) or settings.as_of(), run_id=context.run_id)
        with retry_only_transient(), warehouse.connect() as con:
            result = publish_snapshot(con, settings.analytics_path, stamp)
        return dg.MaterializeResult(
            metadata={
                "path": str(result.path),
                "snapshot_id": result.snapshot_id,
                "as_of": stamp.as_of.isoformat(sep=" "),
                "tables": len(result.tables),
                "rows": result.rows,
            }
        )

    return analytics_snapshot
