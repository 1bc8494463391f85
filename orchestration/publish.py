"""Publish the marts to a read-only analytics snapshot, atomically (DESIGN.md §9).

DuckDB allows one writer or many readers, never both. Analysts therefore never open the working
warehouse: they open `analytics.duckdb`, which is written as a new file beside the old one and
then renamed over it, so a reader sees the old snapshot or the new one, never a mix, and readers
of the old file keep working. Only the `marts` schema is copied (no raw data, no PII).

Every snapshot carries `marts.snapshot_manifest`: its id, when and by which run it was published,
the as-of time of its KPIs, and the row count of every table, so a reader can tell which snapshot
it holds and check that the tables it reads belong to it.

Every table is also written as Parquet for tools on older DuckDB versions, into a new folder per
snapshot; `analytics_parquet` is a symbolic link swapped atomically to the new folder.

If anything fails before the rename, the new file is removed and the published snapshot (DuckDB
and Parquet) is exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)
MANIFEST_TABLE = "snapshot_manifest"


@dataclass(frozen=True)
class SnapshotStamp:
    """Who published a snapshot and for which evaluation time."""

    as_of: datetime
    run_id: str = ""
    snapshot_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    published_at: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    )


@dataclass(frozen=True)
class PublishResult:
    path: Path
    snapshot_id: str
    tables: list[str]
    rows: int


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_catalog = current_database() and table_schema in (select unnest(?))
          and table_type = 'BASE TABLE' and table_name <> ?
        order by 1, 2
        """,
        [list(PUBLISHED_SCHEMAS), MANIFEST_TABLE],
    ).fetchall()


def _write_snapshot_file(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    tables: list[tuple[str, str]],
    stamp: SnapshotStamp,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    con.execute(f"attach '{staging}' as snapshot")
    try:
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists snapshot.{schema}")
        for schema, table in tables:
            con.execute(
                f'create table snapshot.{schema}."{table}" as select * from {schema}."{table}"'
            )
            counts[f"{schema}.{table}"] = con.execute(
                f'select count(*) from snapshot.{schema}."{table}"'
            ).fetchone()[0]
        con.execute(
            f"""
            create table snapshot.marts.{MANIFEST_TABLE} (
                snapshot_id varchar, published_at timestamp, run_id varchar, as_of timestamp,
                table_name varchar, row_count bigint
            )
            """
        )
        con.executemany(
            f"insert into snapshot.marts.{MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?)",
            [
                [stamp.snapshot_id, stamp.published_at, stamp.run_id, stamp.as_of, name, count]
                for name, count in counts.items()
            ],
        )
        con.execute("checkpoint snapshot")
    finally:
        con.execute("detach snapshot")
    return counts


def _write_parquet(
    con: duckdb.DuckDBPyConnection, folder: Path, tables: list[tuple[str, str]]
) -> None:
    folder.mkdir(parents=True)
    for schema, table in tables:
        target = folder / f"{table}.parquet"
        con.execute(f"copy {schema}.\"{table}\" to '{target}' (format parquet)")


def _swap_parquet_link(link: Path, folder: Path) -> None:
    """Point `link` at `folder` atomically and remove the folders no link points at any more."""
    if link.exists() and not link.is_symlink():
        # The layout before versioned folders: a plain directory. Move it aside once.
        link.rename(link.with_name(f".{link.name}.legacy"))
    temporary = link.with_name(f".{link.name}.link")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(folder.name)
    os.replace(temporary, link)
    for old in link.parent.glob(f".{link.name}.*"):
        if old != folder and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def publish_snapshot(
    con: duckdb.DuckDBPyConnection, target: Path, stamp: SnapshotStamp
) -> PublishResult:
    """Copy the published schemas of the open warehouse `con` into a new file at `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    parquet_link = target.with_name(f"{target.stem}_parquet")
    parquet_folder = target.with_name(f".{parquet_link.name}.{stamp.snapshot_id}")
    leftovers = (staging, staging.with_name(staging.name + ".wal"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)

    tables = _published_tables(con)
    try:
        counts = _write_snapshot_file(con, staging, tables, stamp)
        _write_parquet(con, parquet_folder, tables)
    except BaseException:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        shutil.rmtree(parquet_folder, ignore_errors=True)
        raise
    os.replace(staging, target)
    _swap_parquet_link(parquet_link, parquet_folder)
    return PublishResult(
        target, stamp.snapshot_id, [f"{s}.{t}" for s, t in tables], sum(counts.values())
    )
