"""Accuracy (validity) rules per extract: generated from the contract, plus the hand-written ones.

Generated for every extract (catalogue §7.2): allowed values (`accepted_values`), ranges (`min`,
`max`), primary-key uniqueness in each delivered file, no unchanged re-delivery of a record
version, and referential integrity (`references: source.table.column`). Column types are
checked by GX on the raw table itself (suites.py). The §7.2 rules the contract cannot state
(cross-column order, funnels, scales per type) are in expectations/accuracy.yml.

Every rule of an extract is judged per load day against the accuracy threshold of the
extract's domain (financial 99.9%, client 99.5%, operational 99%, performance 98%, survey 95%;
seeds/dq_thresholds.csv). An accuracy failure warns and caps the KPIs that read the extract
(catalogue §4 DQ cap, §10.3); it does not block.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from orchestration.contract import Extract, get_extract
from orchestration.ingest.ddl import QUARANTINE_TABLE
from orchestration.quality.rules import Rule, RuleError
from orchestration.quality.sql import in_list, literal, quote
from orchestration.quality.thresholds import threshold
from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR

HAND_WRITTEN_RULES = "accuracy.yml"


def _allowed_values(extract: Extract) -> list[tuple[str, str, str]]:
    return [
        (f"{c.name}_allowed", c.name, f"cast(t.{quote(c.name)} as varchar) in {in_list(values)}")
        for c in extract.columns
        if (values := c.accepted_values)
    ]


def _ranges(extract: Extract) -> list[tuple[str, str, str]]:
    rules = []
    for c in extract.columns:
        ref = f"t.{quote(c.name)}"
        bounds = [f"{ref} >= {c.min}"] if c.min is not None else []
        bounds += [f"{ref} <= {c.max}"] if c.max is not None else []
        if bounds:
            rules.append((f"{c.name}_in_range", c.name, " and ".join(bounds)))
    return rules


def _keys(extract: Extract) -> list[tuple[str, str | None, str]]:
    key = ", ".join(f"t.{quote(k)}" for k in extract.primary_key)
    content = ", ".join(f"t.{quote(c.name)}" for c in extract.columns)
    rules = [
        # A file holds each record version once. Several versions of one key in a file are
        # legitimate where the contract delivers every change of the day.
        ("no_duplicate_record_in_file", None,
         f"count(*) over (partition by {key}, t._partition, hash({content})) = 1"),
    ]  # fmt: skip
    if extract.version_key:
        version = ", ".join(f"t.{quote(k)}" for k in extract.version_key)
        # A change feed delivers each version once: a later delivery of it is a re-delivery.
        rules.append(
            ("version_delivered_once", None,
             f"min(t._partition) over (partition by {version}) = t._partition")
        )  # fmt: skip
    return rules


def _references(extract: Extract, project_dir: Path) -> list[tuple[str, str, str]]:
    rules = []
    for c in extract.columns:
        if not c.references:
            continue
        source, table, key = c.references.split(".")
        target = get_extract(f"{source}.{table}", project_dir)
        target.column(key)  # the referenced key must exist in the contract
        rules.append(
            (
                f"{c.name}_references_{target.identifier}",
                c.name,
                f"t.{quote(c.name)} in (select {quote(key)} from {target.raw_table} "
                f"where {quote(key)} is not null)",
            )
        )
    return rules


def _describe(name: str, column: str | None, extract: Extract) -> str:
    if name == "no_duplicate_record_in_file":
        return f"No record ({', '.join(extract.primary_key)}) appears twice, unchanged, in a file."
    if name == "version_delivered_once":
        return f"Each version ({', '.join(extract.version_key or ())}) is delivered once."
    col = extract.column(column) if column else None
    if col and name.endswith("_allowed"):
        return f"{column} is one of {list(col.accepted_values or ())}."
    if col and name.endswith("_in_range"):
        bounds = [f">= {col.min:g}"] if col.min is not None else []
        bounds += [f"<= {col.max:g}"] if col.max is not None else []
        return f"{column} {' and '.join(bounds)}."
    if col:
        return f"{column} refers to an existing {col.references}."
    return name


def _lines_loaded(extract: Extract) -> Rule:
    """Every delivered line is loaded: a line the loader quarantined (malformed, wrong type,
    wrong columns) is an invalid row of its load day."""
    return Rule(
        table=extract.identifier,
        standard="accuracy",
        name="lines_loaded",
        description="Every delivered line parses into the contract's types (none quarantined).",
        threshold=threshold("accuracy", extract.accuracy_domain),
        checks=(
            f"select _partition as load_day, true as valid from {extract.raw_table} "
            f"union all select cast(partition_key as date), false from {QUARANTINE_TABLE} "
            f"where raw_table = {literal(extract.raw_table)}"
        ),
    )


def generated_rules(extract: Extract, project_dir: Path = DBT_PROJECT_DIR) -> list[Rule]:
    domain = threshold("accuracy", extract.accuracy_domain)
    specs = [
        *_allowed_values(extract),
        *_ranges(extract),
        *_keys(extract),
        *_references(extract, project_dir),
    ]
    return [
        Rule(
            table=extract.identifier,
            standard="accuracy",
            name=name,
            column=column,
            description=_describe(name, column, extract),
            threshold=domain,
            valid_when=sql,
        )
        for name, column, sql in specs
    ] + [_lines_loaded(extract)]


@cache
def _hand_written(path: Path) -> tuple[dict, ...]:
    doc = yaml.safe_load(path.read_text()) or {}
    rules = doc.get("rules")
    if not isinstance(rules, list):
        raise RuleError(f"{path}: expected a top-level `rules:` list")
    return tuple(rules)


def hand_written_rules(
    extract: Extract, tz: str, expectations_dir: Path = EXPECTATIONS_DIR
) -> list[Rule]:
    path = expectations_dir / HAND_WRITTEN_RULES
    origin = f"expectations/{HAND_WRITTEN_RULES}"
    rules = []
    for spec in _hand_written(path.resolve()):
        if spec.get("table") != extract.identifier:
            continue
        unknown = set(spec) - {"table", "name", "description", "valid_when", "checks"}
        if unknown or not spec.get("name") or not spec.get("description"):
            raise RuleError(f"{origin}: rule {spec.get('name')!r} has keys {sorted(spec)}")
        rules.append(
            Rule(
                table=extract.identifier,
                standard="accuracy",
                name=str(spec["name"]),
                description=str(spec["description"]),
                threshold=threshold("accuracy", extract.accuracy_domain),
                valid_when=_format(spec.get("valid_when"), tz),
                checks=_format(spec.get("checks"), tz),
                origin=origin,
            )
        )
    return rules


def known_tables(expectations_dir: Path = EXPECTATIONS_DIR) -> set[str]:
    """Tables the hand-written rules name (each must be an extract of the contract)."""
    return {
        str(s.get("table"))
        for s in _hand_written((expectations_dir / HAND_WRITTEN_RULES).resolve())
    }


def _format(sql: str | None, tz: str) -> str | None:
    return None if sql is None else " ".join(sql.split()).replace("{tz}", tz)


def accuracy_rules(extract: Extract, tz: str) -> list[Rule]:
    rules = [*generated_rules(extract), *hand_written_rules(extract, tz)]
    row_rules = tuple(r.name for r in rules if r.valid_when is not None)
    rules.append(
        Rule(
            table=extract.identifier,
            standard="accuracy",
            name="all_row_rules",
            description=(
                "Rows passing every row rule of the table / rows checked (catalogue §7.2), "
                f"at least the {extract.accuracy_domain} domain's threshold."
            ),
            threshold=threshold("accuracy", extract.accuracy_domain),
            combines=row_rules,
        )
    )
    names = [r.name for r in rules]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise RuleError(f"{extract.identifier}: accuracy rules named twice: {duplicated}")
    return rules
