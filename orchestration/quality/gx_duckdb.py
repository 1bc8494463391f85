"""The one place that makes Great Expectations work against DuckDB (DESIGN.md §9).

GX has no DuckDB dialect. Through `duckdb-engine`, GX releases the pooled connection before it
fetches results, and every SQL expectation then fails with `list index out of range` (GX issues
#10738, #11579). GX already keeps one persisted connection for dialects such as SQLite; adding
`duckdb` to that private tuple fixes it. GX is pinned to its minor release in pyproject.toml and
`tests/unit/test_gx_duckdb_patch.py` fails loudly if an upgrade moves or renames the name.

GX is imported lazily (2.5-3 s) so loading the Dagster definitions stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class _DuckDBDialectName(str):
    """Compares equal to "duckdb" and has the `.value` GX reads from its dialect enum."""

    value = "duckdb"


_DUCKDB = _DuckDBDialectName("duckdb")


class GXPatchError(RuntimeError):
    """The GX internals this module patches have changed: re-check DESIGN.md §9 before upgrading."""


def apply_duckdb_patch() -> None:
    """Make GX keep one persisted connection for DuckDB, as it does for SQLite. Idempotent."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    dialects = getattr(engine_module, "_PERSISTED_CONNECTION_DIALECTS", None)
    if not isinstance(dialects, tuple):
        raise GXPatchError(
            "great_expectations.execution_engine.sqlalchemy_execution_engine."
            "_PERSISTED_CONNECTION_DIALECTS is gone or no longer a tuple; the DuckDB workaround "
            "in orchestration/quality/gx_duckdb.py must be revisited for this GX version"
        )
    if _DUCKDB not in dialects:
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DUCKDB)


@contextmanager
def duckdb_datasource(database: Path, name: str = "warehouse") -> Iterator[tuple[Any, Any]]:
    """An ephemeral GX context with a SQL datasource on `database`; closed on exit.

    GX's own connections are disposed on exit so another DuckDB connection with other settings
    can open in the same process afterwards (DESIGN.md §9).
    """
    import great_expectations as gx

    apply_duckdb_patch()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # Progress bars belong in a terminal, not in Dagster's run log.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_sql(name=name, connection_string=f"duckdb:///{database}")
    try:
        yield context, datasource
    finally:
        _close(datasource)


def _close(datasource: Any) -> None:
    """Close every connection GX opened: the persisted one and both engines' pools."""
    import gc

    execution_engine = getattr(datasource, "_execution_engine", None)
    if execution_engine is not None:
        connection = getattr(execution_engine, "_connection", None)
        if connection is not None:
            connection.close()
            execution_engine._connection = None
        execution_engine.engine.dispose()
    engine = getattr(datasource, "_engine", None)
    if engine is not None:
        engine.dispose()
    # duckdb-engine keeps the DuckDB connection alive until its wrappers are collected.
    gc.collect()
