"""`scorecard`: prepare, generate, refresh, show, sql, kpi, report, docs, demo, ui."""

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


def _fail(message: str, code: int = 2) -> int:
    print(f"scorecard: {message}", file=sys.stderr)
    return code


def cmd_sql(args: argparse.Namespace) -> int:
    from orchestration.reports.snapshot import SnapshotError
    from orchestration.reports.sql_access import QueryError, run_sql, write_result

    try:
        result = run_sql(get_settings().analytics_path, args.query)
    except (QueryError, SnapshotError) as exc:
        return _fail(str(exc), 1)
    write_result(result, args.format, max_rows=args.max_rows)
    return 0


def cmd_kpi(args: argparse.Namespace) -> int:
    from orchestration.reports.formatting import format_target
    from orchestration.reports.snapshot import SnapshotError
    from orchestration.reports.sql_access import QueryError, kpi_history, write_result

    try:
        history = kpi_history(
            get_settings().analytics_path, args.kpi_id, args.grain, args.department
        )
    except (QueryError, SnapshotError) as exc:
        return _fail(str(exc))
    kpi = history.definition
    scope = f"department {args.department}" if args.department else "company"
    target = format_target(
        kpi["target_operator"], kpi["target_value"], kpi["target_low"], kpi["target_high"]
    )
    title = (
        f"{kpi['kpi_name']} ({kpi['kpi_id']}) — {kpi['perspective']}, {kpi['level']}, "
        f"{kpi['department']} · {scope}, {args.grain} · target {target}"
        f" ({kpi['direction']}, unit {kpi['unit']})"
    )
    if args.format == "table":
        print(title)
        print(f"formula: {kpi['formula']}")
    write_result(history.result, args.format, max_rows=args.max_rows)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.reports.build import PeriodNotInSnapshot, build_report
    from orchestration.reports.snapshot import SnapshotError

    settings = get_settings()
    try:
        built = build_report(
            args.kind,
            settings.analytics_path,
            settings.reports_dir,
            settings.business_tz,
            args.date,
        )
    except (PeriodNotInSnapshot, SnapshotError) as exc:
        return _fail(str(exc))
    print(f"{args.kind} report for {built.period.start}: {built.html} and {built.markdown}")
    return 0


def cmd_docs(_: argparse.Namespace) -> int:
    from orchestration.reports.dbt_docs import DocsFailed, generate_docs
    from orchestration.reports.snapshot import SnapshotError

    try:
        page = generate_docs(get_settings())
    except (DocsFailed, SnapshotError) as exc:
        return _fail(str(exc), 1)
    print(f"dbt docs written to {page.parent} (open {page.name} in a browser)")
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
    # The latest complete period of every report, and the dbt docs of the published marts.
    for kind in ("daily", "weekly", "monthly", "dashboard"):
        if cmd_report(argparse.Namespace(kind=kind, date=None)) != 0:
            return 1
    if cmd_docs(argparse.Namespace()) != 0:
        return 1
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

    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--format", choices=("table", "csv", "json"), default="table")
    output.add_argument(
        "--max-rows", type=int, default=200, help="rows shown as a table (0 = all; csv/json: all)"
    )

    sql = sub.add_parser(
        "sql", parents=[output], help="run SQL against the read-only analytics snapshot"
    )
    sql.add_argument("query", help='e.g. "select * from marts.mart_balanced_scorecard limit 5"')
    sql.set_defaults(func=cmd_sql)

    kpi = sub.add_parser("kpi", parents=[output], help="a KPI's values, targets and statuses")
    kpi.add_argument("kpi_id", help="catalogue id, e.g. mrr (see marts.dim_kpi)")
    kpi.add_argument(
        "--grain", choices=("day", "week", "month", "quarter", "year"), default="month"
    )
    kpi.add_argument("--department", help="a department's rows instead of the company's")
    kpi.set_defaults(func=cmd_kpi)

    report = sub.add_parser("report", help="rebuild one report into data/reports/")
    report.add_argument("kind", choices=("daily", "weekly", "monthly", "dashboard"))
    report.add_argument(
        "--date",
        type=_iso_date,
        help="a day in the period to report (default: the latest complete period)",
    )
    report.set_defaults(func=cmd_report)

    sub.add_parser(
        "docs", help="generate dbt docs of the published marts into data/docs/"
    ).set_defaults(func=cmd_docs)

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
