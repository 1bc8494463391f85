"""Great Expectations suites run as Dagster asset checks on the raw assets they judge.

Per raw extract three checks, one per suite (orchestration/quality): `gx_completeness` (field
tiers, from the contract), `gx_accuracy` (validity from the contract plus expectations/accuracy.yml,
and column types) and `gx_timeliness` (deliveries, late records, freshness against the
partition's scheduled time); and `gx_reconciliation` on the extracts the cross-system
reconciliations attach to (QuickBooks ledger vs Stripe, Stripe subscriptions vs CRM clients).

All run in one op (one DuckDB pass and one GX checkpoint for the run; can_subset, so the UI can
run one asset's checks) in the warehouse writer's pool. In a partitioned run they judge the
run's load days; otherwise every load day. A failure of a critical-tier column or of a
reconciliation is an ERROR of a blocking check: downstream assets in the same run (the dbt
models, the marts, the analytics snapshot) do not materialise. Every other failure warns. The
figures are in each check's metadata, every verdict per load day in quality.check_results, and
the Data Docs in data/quality/.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import dagster as dg

from orchestration.assets.dbt import AS_OF_TAG
from orchestration.contract import Extract, get_extract, load_contract
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.settings import get_settings

STANDARD_CHECKS = {
    "completeness": (
        "gx_completeness",
        True,
        "GX completeness by field tier and load day, from the extract contract: critical 100%, "
        "primary 95%, secondary 90%, optional 80% filled on every load day. A critical column "
        "below 100% blocks downstream assets; the other tiers warn.",
    ),
    "accuracy": (
        "gx_accuracy",
        False,
        "GX accuracy per load day at the domain's threshold: allowed values, ranges, key "
        "uniqueness, referential integrity and column types from the contract, plus the "
        "cross-column rules of expectations/accuracy.yml. Warns; caps the KPIs that read it.",
    ),
    "timeliness": (
        "gx_timeliness",
        False,
        "GX timeliness per load day: every due file delivered, records within the SLA of the "
        "partition's scheduled time, latest delivery within the SLA of the run's reference "
        "time. Warns.",
    ),
}
RECONCILIATION_CHECK = "gx_reconciliation"


def _asset_key(identifier: str) -> dg.AssetKey:
    return dg.AssetKey(get_extract(identifier).asset_key_path)


def check_specs() -> list[dg.AssetCheckSpec]:
    from orchestration.quality.reconciliation import reconciliations

    specs = [
        dg.AssetCheckSpec(
            name, asset=dg.AssetKey(e.asset_key_path), blocking=blocking, description=description
        )
        for e in load_contract()
        for name, blocking, description in STANDARD_CHECKS.values()
    ]
    for rec in reconciliations():
        specs.append(
            dg.AssetCheckSpec(
                RECONCILIATION_CHECK,
                asset=_asset_key(rec.attach_to),
                additional_deps=[_asset_key(i) for i in rec.reads if i != rec.attach_to],
                blocking=True,
                description=f"GX reconciliation {rec.name}: {rec.description} A failure blocks "
                "downstream assets.",
            )
        )
    return specs


def _scope(context: dg.AssetCheckExecutionContext):
    from orchestration.quality.frames import LoadDays

    if context.has_partition_key_range:
        key_range = context.partition_key_range
        return LoadDays(date.fromisoformat(key_range.start), date.fromisoformat(key_range.end))
    return LoadDays()


def _as_of(context: dg.AssetCheckExecutionContext) -> datetime:
    pinned = context.run.tags.get(AS_OF_TAG)
    return datetime.fromisoformat(pinned) if pinned else get_settings().as_of()


def _metadata(verdict, docs_index: Path) -> dict:
    rows = [
        f"| {f.rule} | {f.column or ''} | {f.operator} {f.threshold:g} | "
        f"{'' if f.worst is None else round(f.worst, 4)} | {len(f.failing_days)} | "
        f"{', '.join(f.failing_days[:8])}{' …' if len(f.failing_days) > 8 else ''} |"
        for f in verdict.failures
    ]
    table = "\n".join(
        ["| rule | column | threshold | worst | days failed | failing days |",
         "|---|---|---|---|---|---|", *rows]
    )  # fmt: skip
    return {
        "suite": verdict.suite,
        "rules": verdict.rules,
        "evaluations": dg.MetadataValue.int(verdict.evaluations),
        "failed_rules": ", ".join(f.rule for f in verdict.failures) or "none",
        "failures": dg.MetadataValue.md(table if rows else "every rule met on every load day"),
        "data_docs": dg.MetadataValue.path(str(docs_index)),
        "results": "quality.check_results",
    }


def build_quality_checks() -> dg.AssetChecksDefinition:
    @dg.multi_asset_check(
        specs=check_specs(),
        name="gx_data_quality",
        can_subset=True,
        pool=WRITER_POOL,
        description=(
            "Great Expectations suites on the raw extracts: completeness, accuracy, timeliness "
            "and the cross-system reconciliations, per load day (SOP-007 §4.3)."
        ),
    )
    def gx_data_quality(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        from orchestration.quality.reconciliation import reconciliations
        from orchestration.quality.session import run_quality

        selected = context.selected_asset_check_keys
        names = {name: standard for standard, (name, _, _) in STANDARD_CHECKS.items()}
        standards: dict[Extract, set[str]] = defaultdict(set)
        for extract in load_contract():
            for key in selected:
                if key.asset_key == dg.AssetKey(extract.asset_key_path) and key.name in names:
                    standards[extract].add(names[key.name])
        chosen = [
            rec
            for rec in reconciliations()
            if dg.AssetCheckKey(_asset_key(rec.attach_to), RECONCILIATION_CHECK) in selected
        ]
        settings = get_settings()
        run = run_quality(
            Path(warehouse.path),
            dict(standards),
            chosen,
            _scope(context),
            _as_of(context),
            context.run.run_id,
            settings.quality_dir,
            settings.business_tz,
        )
        context.log.info(
            f"{run.results_written} verdicts appended to quality.check_results; "
            f"Data Docs at {run.docs_index}"
        )
        for (source, check_name), verdict in sorted(run.verdicts.items()):
            yield dg.AssetCheckResult(
                asset_key=_asset_key(source),
                check_name=check_name,
                passed=verdict.passed,
                severity=(
                    dg.AssetCheckSeverity.ERROR
                    if verdict.blocking_failed
                    else dg.AssetCheckSeverity.WARN
                ),
                metadata=_metadata(verdict, run.docs_index),
            )

    return gx_data_quality


def quality_checks() -> list[dg.AssetChecksDefinition]:
    return [build_quality_checks()]
