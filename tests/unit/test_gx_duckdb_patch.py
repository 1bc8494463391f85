"""Guards the one GX workaround (orchestration/quality/gx_duckdb.py, DESIGN.md §9).

If a GX upgrade moves the private name or breaks SQL expectations on DuckDB, these fail loudly.
"""

from __future__ import annotations

import duckdb

from orchestration.quality.gx_duckdb import apply_duckdb_patch, duckdb_datasource


def test_patch_adds_duckdb_to_gx_persisted_connection_dialects():
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    apply_duckdb_patch()
    apply_duckdb_patch()  # idempotent
    names = [str(getattr(d, "value", d)) for d in engine._PERSISTED_CONNECTION_DIALECTS]
    assert names.count("duckdb") == 1
    assert engine._dialect_requires_persisted_connection(connection_string="duckdb:///x.db")


def test_sql_expectations_return_real_results_on_duckdb(tmp_path):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    database = tmp_path / "gx.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.t as select * from (values (1, 'a'), (2, null), (3, 'c'))")
        con.execute("alter table raw.t rename column col0 to id")
        con.execute("alter table raw.t rename column col1 to label")

    with duckdb_datasource(database) as (context, datasource):
        asset = datasource.add_table_asset(name="t", table_name="t", schema_name="raw")
        batch = asset.add_batch_definition_whole_table("all").get_batch()
        suite = context.suites.add(gx.ExpectationSuite(name="guard"))
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="label"))
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="label", mostly=0.6))
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="id", min_value=1))
        result = batch.validate(suite)

    strict, lenient, between = result.results
    # 1 null of 3 rows: fails at mostly=1.0, passes at 0.6 (2/3 = 0.667 non-null).
    assert (strict.success, strict.result["unexpected_count"], strict.result["element_count"]) == (
        False,
        1,
        3,
    )
    assert lenient.success is True
    assert between.success is True

    # GX's connections are closed: a read-only connection (other settings) can open now.
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from raw.t").fetchone() == (3,)
