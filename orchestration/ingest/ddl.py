"""DDL of the raw schema: one table per extract plus the quarantine and load log."""

from __future__ import annotations

import duckdb

from orchestration.contract import Extract

AUDIT_COLUMNS = (
    ("_source_file", "varchar"),
    ("_file_hash", "varchar"),
    ("_line", "bigint"),
    ("_partition", "date"),
    ("_loaded_at", "timestamp"),
)

QUARANTINE_TABLE = "raw.quarantine"
LOAD_LOG_TABLE = "raw.load_log"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {QUARANTINE_TABLE} (
            raw_table varchar not null,
            partition_key varchar not null,
            source_file varchar not null,
            line_number bigint,
            reason varchar not null,
            record varchar,
            quarantined_at timestamp not null
        )
        """
    )
    con.execute(
        f"""
        create table if not exists {LOAD_LOG_TABLE} (
            raw_table varchar not null,
            partition_key varchar not null,
            source_file varchar not null,
            file_hash varchar,
            status varchar not null,
            rows_in bigint not null,
            rows_loaded bigint not null,
            rows_quarantined bigint not null,
            message varchar,
            loaded_at timestamp not null
        )
        """
    )


def ensure_raw_table(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    ensure_raw_schema(con)
    columns = [f"{quote(c.name)} {c.data_type}" for c in extract.columns]
    columns += [f"{quote(name)} {dtype}" for name, dtype in AUDIT_COLUMNS]
    con.execute(f"create table if not exists {extract.raw_table} ({', '.join(columns)})")
    # A contract that gained a column after the table was created: add it, never drop data.
    for column in extract.columns:
        con.execute(
            f"alter table {extract.raw_table} "
            f"add column if not exists {quote(column.name)} {column.data_type}"
        )
