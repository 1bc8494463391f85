"""Ingest assets: one per extract of the contract, daily-partitioned, loss-free.
A backfill of any range runs as one run (BackfillPolicy.single_run) and loads the whole range in
one DuckDB statement. Missing, duplicate or rejected files are named in the run log and in
`raw.load_log`; rejected rows are in `raw.quarantine` with file, line and reason.
"""

import dagster as dg

from orchestration.assets.dbt import manifest_path
from orchestration.contract import Extract, load_contract
from orchestration.freshness import source_freshness_policies
from orchestration.ingest.loader import LoadResult, load_partitions
from orchestration.partitions import daily_partitions, dates_in_range
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.retries import TRANSIENT_RETRY, retry_only_transient
from orchestration.settings import get_settings


def _summarise(context: dg.AssetExecutionContext, results: list[LoadResult]) -> dict:
    for result in results:
        if result.status == "missing":
            context.log.warning(f"MissingExtract: {result.source_file}: {result.message}")
        elif result.status in ("duplicate", "rejected"):
            context.log.error(f"{result.source_file}: {result.message}")
        elif result.rows_quarantined:
            context.log.warning(
                f"{result.source_file}: {result.rows_quarantined} of {result.rows_in} rows "
                "quarantined (see raw.quarantine)"
            )
    return {
        "files_loaded": sum(r.status == "loaded" for r in results),
        "files_missing": sum(r.status == "missing" for r in results),
        "files_duplicate": sum(r.status == "duplicate" for r in results),
        "files_rejected": sum(r.status == "rejected" for r in results),
        "rows_in": sum(r.rows_in for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
    }


def build_ingest_asset(
    extract: Extract, freshness: dg.FreshnessPolicy | None = None
) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(extract.asset_key_path),
        description=f"{extract.description}\n\nLanding file: `{extract.landing_path}`.",
        group_name="raw",
        kinds={"duckdb"},
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=TRANSIENT_RETRY,
        # The extract's dbt source freshness (warn_after / error_after in the contract).
        freshness_policy=freshness,
        pool=WRITER_POOL,
        metadata={
            "landing_path": extract.landing_path,
            "format": extract.format,
            "primary_key": ", ".join(extract.primary_key),
            "accuracy_domain": extract.accuracy_domain,
        },
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        key_range = context.partition_key_range
        partitions = dates_in_range(key_range.start, key_range.end)
        with retry_only_transient(), warehouse.connect() as con:
            results = load_partitions(con, extract, get_settings().landing_dir, partitions)
        return dg.MaterializeResult(metadata=_summarise(context, results))

    return _ingest


def ingest_assets() -> list[dg.AssetsDefinition]:
    freshness = source_freshness_policies(manifest_path())
    return [
        build_ingest_asset(extract, freshness.get((extract.schema, extract.identifier)))
        for extract in load_contract()
    ]
