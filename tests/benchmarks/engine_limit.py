"""Baseline (a), the engine limit: dbt's compiled SQL run as plain SQL in one DuckDB connection.

    python tests/benchmarks/engine_limit.py --warehouse W --manifest M --seeds-from F --out J

W is a copy of the warehouse taken right after ingest (raw tables only), named warehouse.duckdb
so that the compiled relation names ("warehouse"."staging"."stg_…") resolve. M is the manifest
of `dbt compile --full-refresh` (compiled_code of every node; incremental models compiled as a
full build). The seeds and the sources written after ingest (the quality checks' results) are
copied from F, the built warehouse, before the clock starts: inputs of dbt, not its work.
Then every model runs in dependency order (`create or replace view` or
`table`; ephemeral models are inlined by dbt already) and every data test as
`select count(*)` over its compiled query, exactly the work of `dbt build` without dbt or Dagster.
The per-node seconds go to J.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb


def _order(nodes: dict) -> list[str]:
    graph = {
        uid: [d for d in node.get("depends_on", {}).get("nodes", []) if d in nodes]
        for uid, node in nodes.items()
        if node["resource_type"] in ("model", "test", "seed")
    }
    return list(TopologicalSorter(graph).static_order())


def _copy_inputs(con: duckdb.DuckDBPyConnection, manifest: dict, built: Path) -> None:
    """The seeds, and any source the ingest copy lacks (the quality checks' results table,
    written after ingest), from the built warehouse: inputs of dbt, not work it does."""
    con.execute(f"attach '{built}' as built (read_only)")
    existing = {
        (schema, table)
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'warehouse'"
        ).fetchall()
    }
    wanted = [
        (n["schema"], n.get("alias") or n["name"])
        for n in manifest["nodes"].values()
        if n["resource_type"] == "seed"
    ]
    wanted += [(s["schema"], s["identifier"]) for s in manifest["sources"].values()]
    for schema, name in wanted:
        if (schema, name) in existing:
            continue
        con.execute(f'create schema if not exists "{schema}"')
        con.execute(
            f'create or replace table "{schema}"."{name}" as '
            f'select * from built."{schema}"."{name}"'
        )
    con.execute("detach built")


def _statement(node: dict) -> str | None:
    code = node.get("compiled_code")
    if not code:
        return None
    if node["resource_type"] == "test":
        return f"select count(*) from ({code}) as dbt_test"
    materialized = node["config"].get("materialized")
    if materialized == "ephemeral":
        return None
    kind = "view" if materialized == "view" else "table"
    return f"create or replace {kind} {node['relation_name']} as {code}"


def run(warehouse: Path, manifest: Path, seeds_from: Path) -> dict:
    compiled = json.loads(manifest.read_text())
    nodes = compiled["nodes"]
    con = duckdb.connect(str(warehouse))
    try:
        _copy_inputs(con, compiled, seeds_from)
        schemas = {n["schema"] for n in nodes.values() if n["resource_type"] == "model"}
        for schema in schemas:
            con.execute(f'create schema if not exists "{schema}"')
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        for uid in _order(nodes):
            statement = _statement(nodes[uid])
            if statement is None:
                continue
            began = time.perf_counter()
            con.execute(statement).fetchall()
            seconds[uid] = time.perf_counter() - began
        total = time.perf_counter() - started
    finally:
        con.close()
    models = sum(s for uid, s in seconds.items() if uid.startswith("model."))
    tests = sum(s for uid, s in seconds.items() if uid.startswith("test."))
    return {
        "total_s": round(total, 3),
        "models_s": round(models, 3),
        "tests_s": round(tests, 3),
        "nodes": len(seconds),
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--seeds-from", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(run(args.warehouse, args.manifest, args.seeds_from)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
