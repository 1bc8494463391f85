"""Baseline (b), the quality checks as one plain SQL query per table.

    python tests/benchmarks/handwritten_checks.py --warehouse W --as-of T --out J

The check list is the suites' own (orchestration.quality: the rules generated from the extract
contract and expectations/, the reconciliations), so the baseline follows when a rule is added.
For each extract one query computes every rule per load day and judges it against its threshold
(the frame the GX suites validate, compared in SQL); one more per reconciliation. Nothing is
written and there is no GX, no Dagster: what checking the same things costs in DuckDB alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.contract import load_contract
from orchestration.settings import get_settings

JUDGE = (
    "select count(*) as evaluations, "
    "count(*) filter (where observed is not null and not (case operator "
    "when '>=' then observed >= threshold else observed <= threshold end)) as failed "
    "from ({frame})"
)


def queries(as_of: datetime) -> dict[str, str]:
    """{name: SQL} per extract and per reconciliation, from the suites' rule lists."""
    from orchestration.quality.frames import LoadDays, frame_sql
    from orchestration.quality.reconciliation import reconciliation_frame_sql, reconciliations
    from orchestration.quality.session import FRAME_STANDARDS, rules_for

    tz, every_day = get_settings().business_tz, LoadDays()
    found = {}
    for extract in load_contract():
        rules = rules_for(extract, FRAME_STANDARDS, tz, as_of, every_day)
        frame = frame_sql(extract, rules, every_day, with_types=True)
        found[extract.identifier] = JUDGE.format(frame=frame)
    for rec in reconciliations():
        found[f"reconciliation.{rec.name}"] = JUDGE.format(
            frame=reconciliation_frame_sql(rec, every_day, tz)
        )
    return found


def run(warehouse: Path, as_of: datetime) -> dict:
    sql = queries(as_of)
    con = duckdb.connect(str(warehouse), read_only=True)
    seconds, evaluations, failed = {}, 0, 0
    try:
        for name, query in sql.items():
            began = time.perf_counter()
            checked, failing = con.execute(query).fetchone()
            seconds[name] = time.perf_counter() - began
            evaluations += checked
            failed += failing
    finally:
        con.close()
    return {
        "total_s": round(sum(seconds.values()), 3),
        "queries": len(sql),
        "evaluations": evaluations,
        "failed": failed,
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--as-of", type=datetime.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(run(args.warehouse, args.as_of)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
