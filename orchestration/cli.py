"""`scorecard`: prepare, generate, refresh, show, demo, ui."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import warnings
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from orchestration.settings import PROJECT_ROOT, get_settings

DEMO_START = "2025-01-01"
DEMO_END = "2025-12-31"
DEMO_SEED = 42


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"--scale must be positive, got {value}")
    return number


def cmd_prepare(_: argparse.Namespace) -> int:
    from orchestration.assets.dbt import prepare_manifest

    prepare_manifest()
    print("dbt manifest prepared")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from orchestration.extracts.generate import GenerateOptions, generate

    settings = get_settings()
    options = GenerateOptions(
        scale=args.scale,
        seed=args.seed,
        start=args.start,
        end=args.end,
        defects=args.defects,
        tz=settings.business_tz,
    )
    truth = generate(settings.landing_dir, options, show_progress=sys.stderr.isatty())
    total = sum(truth["rows"].values())
    print(f"wrote {total:,} rows for {len(truth['rows'])} extracts to {settings.landing_dir}")
    return 0


def _default_as_of(end: date) -> datetime:
    """The morning after the last extract day, 06:00 business time: the daily refresh's time."""
    tz = ZoneInfo(get_settings().business_tz)
    local = datetime.combine(end + timedelta(days=1), time(6, 0), tzinfo=tz)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def cmd_refresh(args: argparse.Namespace) -> int:
    from orchestration.instance import get_instance
    from orchestration.refresh import refresh

    if "SCORECARD_AS_OF" not in os.environ:
        os.environ["SCORECARD_AS_OF"] = _default_as_of(args.end).isoformat()
    result = refresh(args.start.isoformat(), args.end.isoformat(), instance=get_instance())
    print(f"refreshed {args.start}..{args.end} in runs {', '.join(result.run_ids)}")
    if result.failed_checks:
        print("quality checks that did not pass: " + ", ".join(result.failed_checks))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from orchestration.scorecard_view import print_scorecard

    print_scorecard(get_settings().analytics_path, month=args.month)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    generate_args = argparse.Namespace(
        scale=args.scale,
        seed=DEMO_SEED,
        start=_iso_date(DEMO_START),
        end=_iso_date(DEMO_END),
        defects=False,
    )
    cmd_generate(generate_args)
    cmd_refresh(argparse.Namespace(start=generate_args.start, end=generate_args.end))
    return cmd_show(argparse.Namespace(month=None))


def cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.instance import ensure_dagster_home

    ensure_dagster_home()
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    return subprocess.call(command, cwd=PROJECT_ROOT)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scorecard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("prepare", help="build the dbt manifest (run by `make install`)").set_defaults(
        func=cmd_prepare
    )

    gen = sub.add_parser("generate", help="write demo extracts for every source")
    gen.add_argument("--scale", type=_positive_float, default=1.0)
    gen.add_argument("--seed", type=int, default=DEMO_SEED)
    gen.add_argument("--start", type=_iso_date, default=_iso_date(DEMO_START))
    gen.add_argument("--end", type=_iso_date, default=_iso_date(DEMO_END))
    gen.add_argument("--defects", action="store_true", help="plant data-quality faults")
    gen.set_defaults(func=cmd_generate)

    ref = sub.add_parser("refresh", help="ingest a partition range and build every asset")
    ref.add_argument("--start", type=_iso_date, required=True)
    ref.add_argument("--end", type=_iso_date, required=True)
    ref.set_defaults(func=cmd_refresh)

    show = sub.add_parser("show", help="print the balanced scorecard")
    show.add_argument("--month", help="first day of the month to show (default: latest closed)")
    show.set_defaults(func=cmd_show)

    demo = sub.add_parser("demo", help="generate, refresh and print the scorecard")
    demo.add_argument("--scale", type=_positive_float, default=1.0)
    demo.set_defaults(func=cmd_demo)

    ui = sub.add_parser("ui", help="start the Dagster UI")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Dagster marks BackfillPolicy as beta on every definitions load; say it once in the docs,
    # not a hundred times in a terminal.
    warnings.filterwarnings("ignore", message=".*is currently in (beta|preview).*")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
