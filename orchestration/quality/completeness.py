"""Completeness per field tier (SOP-007 §4.3), generated from the extract contract.

critical 100%, primary 95%, secondary 90%, optional 80% non-null; a column whose null is only
out of scope for some rows (contract `in_scope`) is judged on the rows in scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.contract import Extract

TIER_MOSTLY = {"critical": 1.0, "primary": 0.95, "secondary": 0.90, "optional": 0.80}


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str
    tier: str
    threshold: float
    observed: float | None
    element_count: int
    unexpected_count: int
    success: bool


def completeness_expectations(extract: Extract, tiers: tuple[str, ...] = tuple(TIER_MOSTLY)):
    """The GX expectations for the contract's columns of the given tiers."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column as GXColumn

    expectations = []
    for column in extract.columns:
        if column.tier not in tiers:
            continue
        kwargs = {"column": column.name, "mostly": TIER_MOSTLY[column.tier]}
        if column.in_scope:
            conditions = [GXColumn(name).is_in(values) for name, values in column.in_scope]
            condition = conditions[0]
            for extra in conditions[1:]:
                condition = condition & extra
            kwargs["row_condition"] = condition
        expectations.append(
            (column, gxe.ExpectColumnValuesToNotBeNull(**kwargs, meta={"tier": column.tier}))
        )
    return expectations


def validate_completeness(
    database: Path, extract: Extract, tiers: tuple[str, ...] = tuple(TIER_MOSTLY)
) -> list[ExpectationOutcome]:
    """Run the completeness suite of `extract` against its raw table in `database`."""
    import great_expectations as gx

    from orchestration.quality.gx_duckdb import duckdb_datasource

    pairs = completeness_expectations(extract, tiers)
    with duckdb_datasource(database) as (context, datasource):
        asset = datasource.add_table_asset(
            name=extract.identifier, table_name=extract.identifier, schema_name=extract.schema
        )
        batch_definition = asset.add_batch_definition_whole_table("all rows")
        suite = context.suites.add(gx.ExpectationSuite(name=f"{extract.identifier}.completeness"))
        for _, expectation in pairs:
            suite.add_expectation(expectation)
        result = batch_definition.get_batch().validate(suite)
    outcomes = []
    for (column, _), item in zip(pairs, result.results, strict=True):
        stats = item.result or {}
        element_count = int(stats.get("element_count") or 0)
        unexpected = int(stats.get("unexpected_count") or 0)
        observed = 1 - unexpected / element_count if element_count else None
        outcomes.append(
            ExpectationOutcome(
                expectation="expect_column_values_to_not_be_null",
                column=column.name,
                tier=column.tier,
                threshold=TIER_MOSTLY[column.tier],
                observed=observed,
                element_count=element_count,
                unexpected_count=unexpected,
                success=bool(item.success),
            )
        )
    return outcomes
