"""Completeness per field tier and load day (SOP-007 §4.3, catalogue §7.3), from the contract.

critical 100%, primary 95%, secondary 90%, optional 80% non-null, judged per column **per load
day** (`_partition`), on the rows a column is in scope for (contract `in_scope`). DuckDB computes
each day's filled share in one query (a GX query asset); GX then expects every day's share to
reach the tier's threshold, so a bad day cannot hide in a good year, and the failing days are
GX's unexpected values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.contract import Column, Extract

TIER_MOSTLY = {"critical": 1.0, "primary": 0.95, "secondary": 0.90, "optional": 0.80}


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str
    tier: str
    threshold: float
    observed: float | None  # the worst day's filled share
    element_count: int  # load days with rows in scope
    unexpected_count: int  # load days below the threshold
    failing_days: tuple[str, ...]
    success: bool


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _in_scope(column: Column) -> str:
    if not column.in_scope:
        return "true"
    clauses = []
    for name, values in column.in_scope:
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
        clauses.append(f"cast({_quote(name)} as varchar) in ({listed})")
    return " and ".join(clauses)


def daily_completeness_query(extract: Extract, columns: list[Column]) -> str:
    """One row per load day: for each column, its filled share among the rows in scope."""
    shares = [
        f"count({_quote(c.name)}) filter (where {_in_scope(c)}) * 1.0 "
        f"/ nullif(count(*) filter (where {_in_scope(c)}), 0) as {_quote(c.name + '__filled')}"
        for c in columns
    ]
    return (
        f"select cast(_partition as varchar) as load_day, {', '.join(shares)} "
        f"from {extract.raw_table} group by _partition"
    )


def validate_completeness(
    database: Path, extract: Extract, tiers: tuple[str, ...] = tuple(TIER_MOSTLY)
) -> list[ExpectationOutcome]:
    """Run the completeness suite of `extract` against its raw table in `database`."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from orchestration.quality.gx_duckdb import duckdb_datasource

    columns = [c for c in extract.columns if c.tier in tiers]
    if not columns:
        return []
    with duckdb_datasource(database) as (context, datasource):
        asset = datasource.add_query_asset(
            name=f"{extract.identifier}__daily_completeness",
            query=daily_completeness_query(extract, columns),
        )
        batch = asset.add_batch_definition_whole_table("every load day").get_batch()
        suite = context.suites.add(gx.ExpectationSuite(name=f"{extract.identifier}.completeness"))
        for column in columns:
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(
                    column=f"{column.name}__filled",
                    min_value=TIER_MOSTLY[column.tier],
                    meta={"tier": column.tier, "contract_column": column.name},
                )
            )
        result = batch.validate(suite)
        # At most one row per load day: small enough to read whole, to name the failing days.
        daily = batch.head(fetch_all=True).data
    outcomes = []
    for column, item in zip(columns, result.results, strict=True):
        stats = item.result or {}
        shares = daily[["load_day", f"{column.name}__filled"]].dropna()
        share = shares[f"{column.name}__filled"]
        below = shares[share < TIER_MOSTLY[column.tier]]
        outcomes.append(
            ExpectationOutcome(
                expectation="expect_column_values_to_be_between (daily non-null share)",
                column=column.name,
                tier=column.tier,
                threshold=TIER_MOSTLY[column.tier],
                observed=float(share.min()) if len(share) else None,
                element_count=int(stats.get("element_count") or 0),
                unexpected_count=int(stats.get("unexpected_count") or 0),
                failing_days=tuple(sorted(str(day) for day in below["load_day"])),
                success=bool(item.success),
            )
        )
    return outcomes
