"""Read-only access to the analytics snapshot, with errors that say what to run.

Reports, the CLI and the notebooks depend on marts built by several parts of the pipeline; when
one is missing the error names the table and the command that builds it, instead of a section
silently vanishing from a report.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

REBUILD_HINT = (
    "run `make demo` (demo data) or `scorecard refresh --start YYYY-MM-DD --end YYYY-MM-DD` "
    "(your extracts) to build and publish it"
)


class SnapshotError(RuntimeError):
    """The analytics snapshot, or a table or column the caller needs, is not there."""


class SnapshotMissing(SnapshotError):
    pass


class TableMissing(SnapshotError):
    pass


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the snapshot read-only; a missing file says how to create it."""
    if not path.exists():
        raise SnapshotMissing(f"the analytics snapshot {path} does not exist: {REBUILD_HINT}")
    return duckdb.connect(str(path), read_only=True)


def _existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]


def require(con: duckdb.DuckDBPyConnection, table: str, columns: Iterable[str] = ()) -> None:
    """Fail with a clear message unless marts.<table> (with these columns) is in the snapshot."""
    existing = _existing_columns(con, table)
    if not existing:
        raise TableMissing(
            f"table marts.{table} is not in the analytics snapshot; it is built by the dbt "
            f"model {table} (dbt_project/models/marts/): {REBUILD_HINT}"
        )
    missing = [column for column in columns if column not in existing]
    if missing:
        raise TableMissing(
            f"table marts.{table} in the analytics snapshot has no column(s) "
            f"{', '.join(missing)}; the dbt model {table} adds them: {REBUILD_HINT}"
        )
