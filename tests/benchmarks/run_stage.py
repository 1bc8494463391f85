"""Child process: materialise one pipeline stage (or the whole refresh) through Dagster.

    python tests/benchmarks/run_stage.py <stage|refresh> --start D --end D [--result FILE]
                                         [--partitioned-only] [--only KEY,KEY]

It uses the persistent Dagster instance under $DAGSTER_HOME and the data folder of
$SCORECARD_DATA_DIR, like `scorecard refresh`, and evaluates KPIs as of 06:00 the morning after
`end` unless SCORECARD_AS_OF is set. The outcome (run ids, failed steps and checks) is written as
JSON to --result; the exit status is 1 when a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_stages import STAGES, run_stage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    # "none" loads the definitions and the instance and runs nothing: the cost of a child.
    parser.add_argument("stage", choices=[*STAGES, "refresh", "none"])
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--result", type=Path)
    parser.add_argument(
        "--partitioned-only", action="store_true", help="only the stage's partitioned assets"
    )
    parser.add_argument(
        "--only", help="comma-separated asset keys (raw/crm__contacts): only these and their checks"
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    from orchestration.cli import _default_as_of
    from orchestration.instance import get_instance

    os.environ.setdefault("SCORECARD_AS_OF", _default_as_of(args.end).isoformat())
    instance = get_instance()
    if args.stage == "none":
        from orchestration.definitions import build_definitions

        build_definitions()
        outcome = {"stage": "none", "run_ids": [], "failed_steps": [], "failed_checks": []}
    elif args.stage == "refresh":
        from orchestration.refresh import refresh

        result = refresh(args.start.isoformat(), args.end.isoformat(), instance=instance)
        outcome = {
            "stage": "refresh",
            "run_ids": result.run_ids,
            "failed_steps": [],
            "failed_checks": result.failed_checks,
        }
    else:
        import dagster as dg

        only = (
            frozenset(dg.AssetKey.from_user_string(k) for k in args.only.split(","))
            if args.only
            else None
        )
        stage = run_stage(
            args.stage,
            args.start,
            args.end,
            instance=instance,
            partitioned_only=args.partitioned_only,
            only=only,
        )
        outcome = {
            "stage": stage.stage,
            "run_ids": stage.run_ids,
            "failed_steps": stage.failed_steps,
            "failed_checks": stage.failed_checks,
        }
    if args.result:
        args.result.write_text(json.dumps(outcome))
    print("STAGE_OUTCOME " + json.dumps(outcome), flush=True)
    return 1 if outcome["failed_steps"] else 0


if __name__ == "__main__":
    sys.exit(main())
