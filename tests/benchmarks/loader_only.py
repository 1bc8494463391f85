"""The ingest engine limit: the project's own loader (DuckDB readers, quarantine, accounting)
called directly for every extract, without Dagster.

    python tests/benchmarks/loader_only.py --landing L --start D --end D --out J

Loads the daily partitions start..end of every extract of the contract into a fresh DuckDB file
beside J; the seconds per extract and the rows loaded go to J. The difference with the ingest
stage is what Dagster adds (run and event storage, one materialization event per partition).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.contract import load_contract
from orchestration.ingest.loader import load_partitions


def run(landing: Path, start: date, end: date, database: Path) -> dict:
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    seconds, rows = {}, 0
    try:
        for extract in load_contract():
            began = time.perf_counter()
            results = load_partitions(con, extract, landing, days)
            seconds[extract.identifier] = time.perf_counter() - began
            rows += sum(r.rows_in for r in results)
    finally:
        con.close()
        database.unlink(missing_ok=True)
    return {"total_s": round(sum(seconds.values()), 3), "rows": rows, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(args.landing, args.start, args.end, args.out.with_suffix(".duckdb"))
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
