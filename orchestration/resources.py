"""Dagster resources: the DuckDB warehouse and dbt, both located through settings at run time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from orchestration.settings import get_settings

# Every asset that opens the warehouse for writing runs in this pool; dagster.yaml limits it to
# one at a time, because DuckDB allows a single writer process (DESIGN.md §9).
WRITER_POOL = "duckdb_writer"


class WarehouseResource(dg.ConfigurableResource):
    """The working DuckDB warehouse (`$SCORECARD_DATA_DIR/warehouse.duckdb` unless set)."""

    database: str = ""

    @property
    def path(self) -> str:
        return self.database or str(get_settings().warehouse_path)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        get_settings().data_dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path)
        try:
            yield con
        finally:
            con.close()
