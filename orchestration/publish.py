"""Publish the marts to a read-only analytics snapshot, atomically (DESIGN.md §9).

DuckDB allows one writer or many readers, never both. Analysts therefore never open the working
warehouse: they open `analytics.duckdb`, which is written as a new file beside the old one and
then renamed over it, so a reader sees the old snapshot or the new one, never a mix, and readers
of the old file keep working. Only the `marts` schema is copied (no raw data, no PII); every
table is also written as Parquet for tools on older DuckDB versions.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: list[str]
    rows: int


def publish_snapshot(con: duckdb.DuckDBPyConnection, target: Path) -> PublishResult:
    """Copy the published schemas of the open warehouse `con` into a new file at `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    parquet_dir = target.with_name(f"{target.stem}_parquet")
    parquet_staging = target.with_name(f".{target.stem}_parquet.new")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(parquet_staging, ignore_errors=True)
    parquet_staging.mkdir(parents=True)

    tables = con.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_catalog = current_database() and table_schema in (select unnest(?))
          and table_type = 'BASE TABLE'
        order by 1, 2
        """,
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    rows = 0
    con.execute(f"attach '{staging}' as snapshot")
    try:
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists snapshot.{schema}")
        for schema, table in tables:
            con.execute(
                f'create table snapshot.{schema}."{table}" as select * from {schema}."{table}"'
            )
            rows += con.execute(f'select count(*) from snapshot.{schema}."{table}"').fetchone()[0]
            con.execute(
                f"copy {schema}.\"{table}\" to '{parquet_staging / f'{table}.parquet'}' "
                "(format parquet)"
            )
    finally:
        con.execute("detach snapshot")
    os.replace(staging, target)
    # Parquet: swap folders (not atomic across the folder, but each file is complete).
    old = parquet_dir.with_name(f".{parquet_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if parquet_dir.exists():
        parquet_dir.rename(old)
    parquet_staging.rename(parquet_dir)
    shutil.rmtree(old, ignore_errors=True)
    return PublishResult(target, [f"{s}.{t}" for s, t in tables], rows)
