"""Completeness per field tier and load day (SOP-007 §4.3, catalogue §7.3), from the contract.

critical 100%, primary 95%, secondary 90%, optional 80% filled (seeds/dq_thresholds.csv), judged
per column **per load day** on the rows the column is in scope for (contract `in_scope`), so a
bad day cannot hide in a good year. A critical column below its threshold blocks downstream
assets; the other tiers warn.
"""

from __future__ import annotations

from orchestration.contract import Column, Extract
from orchestration.quality.rules import Rule
from orchestration.quality.sql import in_list, quote
from orchestration.quality.thresholds import threshold


def in_scope_sql(column: Column) -> str:
    """The rows a column must be filled on (every row unless the contract narrows it)."""
    if not column.in_scope:
        return "true"
    return " and ".join(
        f"cast(t.{quote(name)} as varchar) in {in_list(values)}" for name, values in column.in_scope
    )


def filled_sql(column: Column) -> str:
    """Non-null and, for text, non-empty (catalogue §7.3)."""
    ref = f"t.{quote(column.name)}"
    if column.data_type == "varchar":
        return f"({ref} is not null and trim({ref}) <> '')"
    return f"{ref} is not null"


def _scope_text(column: Column) -> str:
    if not column.in_scope:
        return ""
    return " where " + " and ".join(f"{name} in {list(values)}" for name, values in column.in_scope)


def completeness_rules(extract: Extract) -> list[Rule]:
    return [
        Rule(
            table=extract.identifier,
            standard="completeness",
            name=column.name,
            column=column.name,
            description=f"{column.name} ({column.tier} tier) is filled{_scope_text(column)}.",
            threshold=threshold("completeness", column.tier),
            valid_when=f"case when {in_scope_sql(column)} then {filled_sql(column)} end",
            blocking=column.tier == "critical",
        )
        for column in extract.columns
    ]
