"""Great Expectations suites run as Dagster asset checks on the assets they judge.
Completeness per field tier is generated from the extract contract. A failing critical column is
an ERROR and, the check being blocking, stops downstream assets in the same run; failures of the
other tiers warn (SOP-007 §4.3, DESIGN.md §5).
"""

from pathlib import Path

import dagster as dg

from orchestration.contract import Extract, load_contract
from orchestration.resources import WRITER_POOL, WarehouseResource


def _completeness_metadata(outcomes) -> dict:
    table = {
        o.column: {
            "tier": o.tier,
            "threshold": o.threshold,
            "observed": None if o.observed is None else round(o.observed, 6),
            "load_days": o.element_count,
            "days_below": o.unexpected_count,
            "failing_days": list(o.failing_days[:20]),
            "passed": o.success,
        }
        for o in outcomes
    }
    failed = [o.column for o in outcomes if not o.success]
    return {
        "expectations": len(outcomes),
        "failed_columns": ", ".join(failed) or "none",
        "results": dg.MetadataValue.json(table),
    }


def build_completeness_check(extract: Extract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(extract.asset_key_path),
        name="gx_completeness",
        description=(
            "GX completeness by field tier and load day, from the extract contract: critical 100%, "
            "primary 95%, secondary 90%, optional 80% non-null on every day. A critical failure "
            "blocks downstream assets; the others warn."
        ),
        blocking=True,
        pool=WRITER_POOL,
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from orchestration.quality.completeness import validate_completeness

        outcomes = validate_completeness(Path(warehouse.path), extract)
        critical_failed = any(not o.success and o.tier == "critical" for o in outcomes)
        others_failed = any(not o.success and o.tier != "critical" for o in outcomes)
        return dg.AssetCheckResult(
            passed=not (critical_failed or others_failed),
            severity=dg.AssetCheckSeverity.ERROR if critical_failed else dg.AssetCheckSeverity.WARN,
            metadata=_completeness_metadata(outcomes),
        )

    return _check


def quality_checks() -> list[dg.AssetChecksDefinition]:
    return [build_completeness_check(extract) for extract in load_contract()]
