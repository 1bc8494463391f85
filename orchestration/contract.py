"""The extract contract, read from dbt's own sources YAML (DESIGN.md §3).

`dbt_project/models/staging/<system>/_<system>__sources.yml` describe every extract: landing path
and format, primary key, event time, accuracy domain, and per column its type, field tier, PII flag
and JSON path. Ingestion, the quality checks and the PII scan read this module; nothing restates
a column list by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from orchestration.settings import DBT_PROJECT_DIR

TIERS = ("critical", "primary", "secondary", "optional")
FORMATS = ("jsonl", "csv")
PARTITIONINGS = ("daily",)
# How often a file is due: every day, or only on the last day of each month (ledger exports).
CADENCES = ("daily", "month_end")
ACCURACY_DOMAINS = ("financial", "client", "operational", "performance", "survey")
RAW_TYPES = ("varchar", "bigint", "integer", "double", "boolean", "date", "timestamp")


class ContractError(ValueError):
    """The contract YAML itself is malformed: fix the named file and key."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    tier: str
    pii: bool
    json_path: str
    # Rows the column must be filled on, as {other column: allowed values}; None = every row.
    in_scope: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    accepted_values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    description: str = ""
    # The key this column refers to, as "source.table.column" (referential integrity, §7.2).
    references: str | None = None


@dataclass(frozen=True)
class Extract:
    """One source entity: one landing file per partition, one `raw` table."""

    source: str
    name: str
    identifier: str
    schema: str
    landing_path: str
    format: str
    partitioning: str
    cadence: str
    primary_key: tuple[str, ...]
    event_time: str | None
    accuracy_domain: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    description: str = ""
    # dbt source freshness (`freshness.error_after`), in hours: the timeliness SLA of the extract.
    freshness_error_hours: float | None = None
    # Columns that identify one version of a record in a change feed (each delivered once).
    version_key: tuple[str, ...] | None = None

    @property
    def raw_table(self) -> str:
        return f"{self.schema}.{self.identifier}"

    @property
    def asset_key_path(self) -> list[str]:
        return [self.schema, self.identifier]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.identifier} has no column {name!r} in its contract")

    def is_due(self, partition: str) -> bool:
        """Whether a file is expected for this daily partition."""
        if self.cadence == "daily":
            return True
        day = date.fromisoformat(partition)
        return (day + timedelta(days=1)).day == 1

    def landing_file(self, landing_dir: Path, partition: str) -> Path:
        return landing_dir / self.landing_path.format(date=partition)


def _sources_files(project_dir: Path) -> list[Path]:
    return sorted((project_dir / "models" / "staging").glob("*/_*__sources.yml"))


def _meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or node.get("meta") or {}


def _require(meta: dict, key: str, where: str) -> object:
    if key not in meta:
        raise ContractError(f"{where}: meta key {key!r} is missing")
    return meta[key]


def _parse_column(node: dict, where: str) -> Column:
    meta = _meta(node)
    name = node["name"]
    where = f"{where} column {name}"
    data_type = str(node.get("data_type", "")).lower()
    if data_type not in RAW_TYPES:
        raise ContractError(f"{where}: data_type {data_type!r} is not one of {RAW_TYPES}")
    tier = _require(meta, "tier", where)
    if tier not in TIERS:
        raise ContractError(f"{where}: tier {tier!r} is not one of {TIERS}")
    accepted = meta.get("accepted_values")
    in_scope = meta.get("in_scope")
    if in_scope is not None and not isinstance(in_scope, dict):
        raise ContractError(f"{where}: in_scope must map a column to its values, got {in_scope!r}")
    return Column(
        name=name,
        data_type=data_type,
        tier=str(tier),
        pii=bool(meta.get("pii", False)),
        json_path=str(meta.get("json_path", f"$.{name}")),
        in_scope=tuple(
            (str(col), tuple(str(v) for v in (vals if isinstance(vals, list) else [vals])))
            for col, vals in in_scope.items()
        )
        if in_scope
        else None,
        accepted_values=tuple(str(v) for v in accepted) if accepted else None,
        min=meta.get("min"),
        max=meta.get("max"),
        description=str(node.get("description", "")),
        references=_references(meta.get("references"), where),
    )


def _references(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value.split(".")) != 3:
        raise ContractError(f"{where}: references must be 'source.table.column', got {value!r}")
    return value


_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


def _freshness_hours(source: dict, table: dict, where: str) -> float | None:
    """`freshness.error_after` of the table, else of its source, in hours (dbt's own keys)."""
    freshness = None
    for node in (source, table):
        config = node.get("config") or {}
        if "freshness" in config:
            freshness = config["freshness"]
        elif "freshness" in node:
            freshness = node["freshness"]
    error_after = (freshness or {}).get("error_after")
    if not error_after:
        return None
    period = error_after.get("period")
    if period not in _HOURS:
        raise ContractError(f"{where}: freshness period {period!r} is not one of {list(_HOURS)}")
    return float(error_after["count"]) * _HOURS[period]


def _parse_table(source: dict, table: dict, path: Path) -> Extract:
    where = f"{path.name}: {source['name']}.{table['name']}"
    meta = _meta(table)
    fmt = _require(meta, "format", where)
    if fmt not in FORMATS:
        raise ContractError(f"{where}: format {fmt!r} is not one of {FORMATS}")
    partitioning = meta.get("partitioning", "daily")
    if partitioning not in PARTITIONINGS:
        raise ContractError(f"{where}: partitioning {partitioning!r} not in {PARTITIONINGS}")
    cadence = meta.get("cadence", "daily")
    if cadence not in CADENCES:
        raise ContractError(f"{where}: cadence {cadence!r} not in {CADENCES}")
    domain = _require(meta, "accuracy_domain", where)
    if domain not in ACCURACY_DOMAINS:
        raise ContractError(f"{where}: accuracy_domain {domain!r} not in {ACCURACY_DOMAINS}")
    columns = tuple(_parse_column(c, where) for c in table.get("columns", []))
    names = {c.name for c in columns}
    primary_key = tuple(_require(meta, "primary_key", where))
    version_key = tuple(meta["version_key"]) if meta.get("version_key") else None
    for key in (*primary_key, *(version_key or ()), meta.get("event_time")):
        if key is not None and key not in names:
            raise ContractError(f"{where}: key column {key!r} is not among its columns")
    return Extract(
        source=source["name"],
        name=table["name"],
        identifier=table.get("identifier", f"{source['name']}__{table['name']}"),
        schema=source.get("schema", "raw"),
        landing_path=str(_require(meta, "landing_path", where)),
        format=str(fmt),
        partitioning=str(partitioning),
        cadence=str(cadence),
        primary_key=primary_key,
        event_time=meta.get("event_time"),
        accuracy_domain=str(domain),
        columns=columns,
        description=str(table.get("description", "")),
        freshness_error_hours=_freshness_hours(source, table, where),
        version_key=version_key,
    )


@cache
def _load(project_dir: Path) -> tuple[Extract, ...]:
    extracts: list[Extract] = []
    for path in _sources_files(project_dir):
        doc = yaml.safe_load(path.read_text()) or {}
        for source in doc.get("sources", []):
            for table in source.get("tables", []):
                extracts.append(_parse_table(source, table, path))
    identifiers = [e.identifier for e in extracts]
    duplicates = {i for i in identifiers if identifiers.count(i) > 1}
    if duplicates:
        raise ContractError(f"raw table identifiers declared twice: {sorted(duplicates)}")
    return tuple(extracts)


def load_contract(project_dir: Path = DBT_PROJECT_DIR) -> tuple[Extract, ...]:
    """Every extract of the contract, in file order."""
    return _load(project_dir.resolve())


def get_extract(identifier: str, project_dir: Path = DBT_PROJECT_DIR) -> Extract:
    for extract in load_contract(project_dir):
        if identifier in (extract.identifier, f"{extract.source}.{extract.name}"):
            return extract
    raise KeyError(f"no extract {identifier!r} in the contract")


def pii_columns(project_dir: Path = DBT_PROJECT_DIR) -> Iterator[tuple[Extract, Column]]:
    for extract in load_contract(project_dir):
        for column in extract.columns:
            if column.pii:
                yield extract, column
