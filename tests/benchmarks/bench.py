"""`make bench`: the pipeline's speed and memory against its engine's own limit.

    python tests/benchmarks/bench.py [--scales 1,10] [--keep]      (or BENCH_SCALES=1,10)

For each generator scale (1 by default; 10 on demand) in $SCORECARD_DATA_DIR/bench/scale-<s>/:

1. generate a year (2025) plus the first day of 2026;
2. full refresh of 2025, stage by stage, each in its own child process (run_stage.py) so that
   wall time, CPU time and peak RSS are the stage's own: ingest, quality, dbt, publish, reports,
   other; `none` measures what any child costs (Python, imports, the Dagster definitions);
3. baselines on the same data: the project's loader without Dagster (loader_only.py), the
   compiled SQL of every dbt node in one DuckDB connection (engine_limit.py), the quality rules
   as one SQL query per table (handwritten_checks.py), and MRR, NPS and dispute success rate for
   December 2025 in pandas (pandas_kpis.py), checked equal to the warehouse's numbers;
4. one more day (2026-01-01) as the daily incremental refresh, stage by stage.

Results: a printed table and $SCORECARD_DATA_DIR/bench/bench-<time>.json (+ latest.json), with
the ratios and targets of issue #10 reported as met / not met / not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import Measurement, measure  # noqa: E402
from pipeline_stages import STAGES  # noqa: E402

from orchestration.cli import _default_as_of  # noqa: E402
from orchestration.settings import DBT_PROJECT_DIR, dbt_executable, get_settings  # noqa: E402

# The workload: a year, then its next day as the incremental refresh; KPIs of its last month.
# `--through` shortens the year for a quick check of the benchmark itself (not for figures).
YEAR_START, YEAR_END, NEXT_DAY = date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1)
KPI_MONTH = date(2025, 12, 1)


def configure_window(through: date) -> None:
    global YEAR_END, NEXT_DAY, KPI_MONTH
    YEAR_END, NEXT_DAY = through, through + timedelta(days=1)
    first = through.replace(day=1)  # the last month closed by `through`
    KPI_MONTH = first if NEXT_DAY.day == 1 else (first - timedelta(days=1)).replace(day=1)


SEED = 42
HEADLINE_MODELS = ("int_kpi_mrr", "int_kpi_client_surveys", "int_kpi_client_disputes")
HEADLINE_KPIS = ("mrr", "nps_company", "dispute_success_rate")
PIPELINE = [s for s in STAGES]  # generate is timed too, but is not part of the pipeline total


def _python() -> str:
    return sys.executable


def _env(work: Path, as_of: datetime | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SCORECARD_DATA_DIR=str(work),
        DAGSTER_HOME=str(work / "dagster"),
        SCORECARD_PARTITIONS_START=YEAR_START.isoformat(),
        PYTHONUNBUFFERED="1",
    )
    env.pop("SCORECARD_AS_OF", None)
    if as_of is not None:
        env["SCORECARD_AS_OF"] = as_of.isoformat(sep=" ")
    return env


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def _raw_rows(warehouse: Path) -> int:
    with _connect(warehouse) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_name not in ('quarantine', 'load_log')"
        ).fetchall()
        return sum(con.execute(f'select count(*) from raw."{t}"').fetchone()[0] for (t,) in tables)


def _rows_in(warehouse: Path, start: date, end: date) -> int:
    """Records in the files of start..end (the latest load of each partition)."""
    with _connect(warehouse) as con:
        return con.execute(
            """
            with latest as (
                select rows_in from raw.load_log
                where cast(partition_key as date) between ? and ?
                qualify row_number() over (partition by raw_table, partition_key
                                           order by loaded_at desc) = 1
            )
            select coalesce(sum(rows_in), 0) from latest
            """,
            [start, end],
        ).fetchone()[0]


def _published_rows(snapshot: Path) -> int | None:
    if not snapshot.exists():
        return None
    with _connect(snapshot) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return sum(
            con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for (t,) in tables
        )


def _with_rows(m: Measurement, rows: int | None) -> Measurement:
    return Measurement(m.name, m.wall_s, m.cpu_s, m.peak_rss_mb, m.returncode, rows)


def _stage(work: Path, logs: Path, stage: str, start: date, end: date, as_of: datetime):
    command = [
        _python(),
        str(HERE / "run_stage.py"),
        stage,
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
    ]
    return measure(stage, command, _env(work, as_of), logs / f"{stage}-{start}-{end}.log")


def _stage_rows(stage: str, work: Path, start: date, end: date, raw_rows: int) -> int | None:
    if stage == "ingest":
        return _rows_in(work / "warehouse.duckdb", start, end)
    if stage in ("quality", "dbt"):
        return raw_rows
    if stage in ("publish", "reports"):
        return _published_rows(work / "analytics.duckdb")
    return None


def _refresh(work: Path, logs: Path, start: date, end: date, on_ingested=None) -> list[dict]:
    """Every stage of a refresh of start..end, measured; `on_ingested` runs after ingest."""
    as_of = _default_as_of(end)
    results = []
    raw_rows = 0
    for stage in PIPELINE:
        print(f"  {stage} {start}..{end} ...", flush=True)
        measured = _stage(work, logs, stage, start, end, as_of)
        if stage == "ingest":
            raw_rows = _raw_rows(work / "warehouse.duckdb")
            if on_ingested:
                on_ingested()
        results.append(_with_rows(measured, _stage_rows(stage, work, start, end, raw_rows)))
    return [r.as_dict() for r in results]


def _compile(work: Path, logs: Path, target: Path, as_of: datetime) -> tuple[Measurement, Path]:
    """`dbt compile --full-refresh` against the built warehouse: every node's compiled SQL."""
    env = _env(work, as_of)
    env["SCORECARD_WAREHOUSE_PATH"] = str(work / "warehouse.duckdb")
    env["PATH"] = str(dbt_executable().parent) + os.pathsep + env.get("PATH", "")
    dbt_vars = {"as_of": as_of.isoformat(sep=" "), "spine_start": YEAR_START.isoformat()}
    command = [
        str(dbt_executable()),
        "compile",
        "--full-refresh",
        "--quiet",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--vars",
        json.dumps(dbt_vars),
    ]
    return measure("dbt compile", command, env, logs / "dbt-compile.log"), target / "manifest.json"


def _ancestors(manifest: dict, names: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(model unique ids, source identifiers) upstream of the named models, themselves included."""
    nodes, sources = manifest["nodes"], manifest["sources"]
    todo = [uid for uid, n in nodes.items() if n["resource_type"] == "model" and n["name"] in names]
    models, found_sources = set(), set()
    while todo:
        uid = todo.pop()
        if uid in models:
            continue
        models.add(uid)
        for dep in nodes[uid].get("depends_on", {}).get("nodes", []):
            if dep in sources:
                found_sources.add(sources[dep]["identifier"])
            elif dep in nodes and nodes[dep]["resource_type"] == "model":
                todo.append(dep)
    return models, found_sources


def _warehouse_kpis(snapshot: Path) -> dict[str, dict]:
    with _connect(snapshot) as con:
        rows = con.execute(
            """
            select kpi_id, numerator, denominator, value from marts.fct_kpi_observations
            where kpi_id in (select unnest(?)) and grain = 'month' and entity_type = 'company'
              and period_start = ?
            """,
            [list(HEADLINE_KPIS), KPI_MONTH],
        ).fetchall()
    return {k: {"numerator": n, "denominator": d, "value": v} for k, n, d, v in rows}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _baselines(work: Path, logs: Path) -> dict:
    out = work / "baselines"
    out.mkdir(exist_ok=True)
    as_of = _default_as_of(YEAR_END)
    env = _env(work, as_of)
    landing = work / "landing"
    results: dict = {}

    print("  baseline: loader without Dagster ...", flush=True)
    loader = measure(
        "loader only",
        [
            _python(),
            str(HERE / "loader_only.py"),
            "--landing",
            str(landing),
            "--start",
            YEAR_START.isoformat(),
            "--end",
            YEAR_END.isoformat(),
            "--out",
            str(out / "loader.json"),
        ],
        env,
        logs / "loader-only.log",
    )
    results["loader_only"] = {**loader.as_dict(), **json.loads((out / "loader.json").read_text())}

    print("  baseline: dbt compile + compiled SQL in one DuckDB connection ...", flush=True)
    compiled, manifest_path = _compile(work, logs, out / "target", as_of)
    results["dbt_compile"] = compiled.as_dict()
    engine = measure(
        "engine limit",
        [
            _python(),
            str(HERE / "engine_limit.py"),
            "--warehouse",
            str(work / "engine" / "warehouse.duckdb"),
            "--manifest",
            str(manifest_path),
            "--seeds-from",
            str(work / "warehouse.duckdb"),
            "--out",
            str(out / "engine.json"),
        ],
        env,
        logs / "engine-limit.log",
    )
    engine_detail = json.loads((out / "engine.json").read_text())
    results["engine_limit"] = {
        **engine.as_dict(),
        **{k: v for k, v in engine_detail.items() if k != "seconds"},
    }

    print("  baseline: quality rules as one SQL query per table ...", flush=True)
    checks = measure(
        "hand-written checks",
        [
            _python(),
            str(HERE / "handwritten_checks.py"),
            "--warehouse",
            str(work / "warehouse.duckdb"),
            "--as-of",
            as_of.isoformat(),
            "--out",
            str(out / "checks.json"),
        ],
        env,
        logs / "handwritten-checks.log",
    )
    checks_detail = json.loads((out / "checks.json").read_text())
    results["handwritten_checks"] = {
        **checks.as_dict(),
        **{k: v for k, v in checks_detail.items() if k != "seconds"},
    }

    print("  baseline: headline KPIs in pandas ...", flush=True)
    pandas_run = measure(
        "pandas KPIs",
        [
            _python(),
            str(HERE / "pandas_kpis.py"),
            "--landing",
            str(landing),
            "--start",
            YEAR_START.isoformat(),
            "--end",
            YEAR_END.isoformat(),
            "--month",
            KPI_MONTH.isoformat(),
            "--as-of",
            as_of.isoformat(),
            "--out",
            str(out / "pandas.json"),
        ],
        env,
        logs / "pandas-kpis.log",
    )
    pandas_detail = json.loads((out / "pandas.json").read_text())
    warehouse_values = _warehouse_kpis(work / "analytics.duckdb")
    equal = {
        kpi: all(
            _close(pandas_detail["kpis"][kpi][f], (warehouse_values.get(kpi) or {}).get(f))
            for f in ("numerator", "denominator", "value")
        )
        for kpi in HEADLINE_KPIS
    }
    manifest = json.loads(manifest_path.read_text())
    models, sources = _ancestors(manifest, HEADLINE_MODELS)
    engine_seconds = sum(s for uid, s in engine_detail["seconds"].items() if uid in models)
    loader_seconds = sum(
        s for identifier, s in results["loader_only"]["seconds"].items() if identifier in sources
    )
    results["pandas_kpis"] = {
        **pandas_run.as_dict(),
        "compute_s": pandas_detail["seconds"],
        "month": KPI_MONTH.isoformat(),
        "pandas": pandas_detail["kpis"],
        "warehouse": warehouse_values,
        "equal": equal,
        "warehouse_s": round(engine_seconds + loader_seconds, 3),
        "warehouse_sources": sorted(sources),
        "warehouse_models": len(models),
    }
    results["loader_only"].pop("seconds", None)
    return results


def _total(stages: list[dict], key: str, names=None) -> float:
    return round(sum(s[key] for s in stages if names is None or s["name"] in names), 2)


def run_scale(scale: float, root: Path, keep: bool) -> dict:
    work = root / f"scale-{scale:g}"
    logs = work / "logs"
    if work.exists():
        shutil.rmtree(work)
    logs.mkdir(parents=True)
    print(f"scale {scale:g}: {work}", flush=True)
    generate = measure(
        "generate",
        [
            str(Path(_python()).with_name("scorecard")),
            "generate",
            "--scale",
            f"{scale:g}",
            "--seed",
            str(SEED),
            "--start",
            YEAR_START.isoformat(),
            "--end",
            NEXT_DAY.isoformat(),
        ],
        _env(work),
        logs / "generate.log",
    )
    truth = json.loads((work / "landing" / "_planted_truth.json").read_text())
    generate = _with_rows(generate, sum(truth["rows"].values()))
    startup = _stage(work, logs, "none", YEAR_START, YEAR_END, _default_as_of(YEAR_END))

    def keep_raw_copy() -> None:  # the engine limit starts from exactly what ingest produced
        (work / "engine").mkdir()
        shutil.copyfile(work / "warehouse.duckdb", work / "engine" / "warehouse.duckdb")

    full = _refresh(work, logs, YEAR_START, YEAR_END, on_ingested=keep_raw_copy)
    baselines = _baselines(work, logs)
    incremental = _refresh(work, logs, NEXT_DAY, NEXT_DAY)
    # The same day again as `scorecard refresh` runs it (one Dagster run, reports excluded): no
    # per-stage child start-up; re-running a day is idempotent, so the work is the same.
    print(f"  refresh {NEXT_DAY} as one run ...", flush=True)
    one_run = _stage(work, logs, "refresh", NEXT_DAY, NEXT_DAY, _default_as_of(NEXT_DAY))
    result = {
        "scale": scale,
        "generate": generate.as_dict(),
        "child_startup": startup.as_dict(),
        "full_refresh": full,
        "incremental_day": incremental,
        "incremental_day_one_run": one_run.as_dict(),
        "baselines": baselines,
        "environment": _environment(),
    }
    if not keep:
        for path in (work / "engine", work / "baselines" / "target"):
            shutil.rmtree(path, ignore_errors=True)
    return result


def _environment() -> dict:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "duckdb": duckdb.__version__,
        "commit": commit,
        "load_average": os.getloadavg(),
    }


def ratios_and_targets(results: dict[float, dict]) -> dict:
    ratios: dict[str, dict] = {}
    targets: list[dict] = []
    for scale, r in sorted(results.items()):
        full, inc, b = r["full_refresh"], r["incremental_day"], r["baselines"]
        stage = {s["name"]: s for s in full}
        total = _total(full, "wall_s")
        engine = b["engine_limit"]["total_s"]
        end_to_end = _total(full, "wall_s", ("ingest", "quality", "dbt", "publish"))
        plain = b["loader_only"]["total_s"] + engine + b["handwritten_checks"]["total_s"]
        ratios[f"{scale:g}"] = {
            "pipeline_transform_over_engine_limit": round(stage["dbt"]["wall_s"] / engine, 2),
            "pipeline_end_to_end_over_plain_duckdb": round(end_to_end / plain, 2),
            "ingest_over_loader_only": round(
                stage["ingest"]["wall_s"] / b["loader_only"]["total_s"], 2
            ),
            "checks_over_handwritten_sql": round(
                stage["quality"]["wall_s"] / b["handwritten_checks"]["total_s"], 2
            ),
            "pandas_over_warehouse_headline_kpis": round(
                b["pandas_kpis"]["compute_s"] / b["pandas_kpis"]["warehouse_s"], 2
            ),
            "incremental_day_over_full_refresh": round(_total(inc, "wall_s") / total, 3),
            "incremental_day_one_run_over_full_refresh": round(
                r["incremental_day_one_run"]["wall_s"] / total, 3
            ),
            "checks_share_of_total": round(stage["quality"]["wall_s"] / total, 3),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in full + inc),
            "pipeline_total_s": total,
        }
    scales = sorted(results)
    if len(scales) > 1 and 1 in results and 10 in results:
        for key, label in (("pipeline_total_s", "pipeline"),):
            ratios["10_over_1"] = {
                f"{label}_wall": round(ratios["10"][key] / ratios["1"][key], 2),
                "generate_wall": round(
                    results[10]["generate"]["wall_s"] / results[1]["generate"]["wall_s"], 2
                ),
            }
    big = f"{max(scales):g}"
    at10 = "10" in ratios

    def target(name: str, value, limit, at: str, measured: bool) -> None:
        verdict = (
            "not measured"
            if not measured or value is None
            else ("met" if value <= limit else "not met")
        )
        targets.append(
            {"target": name, "value": value, "limit": limit, "at_scale": at, "verdict": verdict}
        )

    ten = ratios.get("10", {})
    target(
        "pipeline (dbt build) <= 2x engine limit at scale 10",
        ten.get("pipeline_transform_over_engine_limit"),
        2.0,
        "10",
        at10,
    )
    target(
        "incremental day <= 10% of full refresh",
        ratios[big]["incremental_day_over_full_refresh"],
        0.10,
        big,
        True,
    )
    target(
        "scale 10 <= 10x scale 1 (pipeline wall)",
        ratios.get("10_over_1", {}).get("pipeline_wall"),
        10.0,
        "10 / 1",
        "10_over_1" in ratios,
    )
    target("checks <= 25% of total", ratios[big]["checks_share_of_total"], 0.25, big, True)
    target("peak RSS <= 4 GB at scale 10", ten.get("peak_rss_mb"), 4096, "10", at10)
    return {"ratios": ratios, "targets": targets}


def _row(cells, widths) -> str:
    return "  ".join(
        str(c).rjust(w) if i else str(c).ljust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_report(results: dict[float, dict], summary: dict) -> None:
    widths = (26, 9, 9, 10, 12, 11)
    head = ("stage", "wall s", "CPU s", "RSS MB", "rows", "rows/s")
    for scale, r in sorted(results.items()):
        print(f"\n== scale {scale:g} ==")
        for title, stages in (
            ("full refresh 2025", [r["generate"], *r["full_refresh"]]),
            (f"incremental day {NEXT_DAY}", r["incremental_day"]),
        ):
            print(f"-- {title}")
            print(_row(head, widths))
            for s in stages:
                print(
                    _row(
                        (
                            s["name"],
                            _fmt(s["wall_s"]),
                            _fmt(s["cpu_s"]),
                            _fmt(s["peak_rss_mb"]),
                            _fmt(s["rows"]),
                            _fmt(s["rows_per_s"], 0),
                        ),
                        widths,
                    )
                )
            pipeline = [s for s in stages if s["name"] != "generate"]
            print(
                _row(
                    (
                        "total (without generate)",
                        _fmt(_total(pipeline, "wall_s")),
                        _fmt(_total(pipeline, "cpu_s")),
                        _fmt(max(s["peak_rss_mb"] for s in pipeline)),
                        "",
                        "",
                    ),
                    widths,
                )
            )
        one = r["incremental_day_one_run"]
        print(
            f"incremental day as one `scorecard refresh` run (no reports, no per-stage start-up):"
            f" {one['wall_s']} s wall, {one['cpu_s']} s CPU, {one['peak_rss_mb']} MB"
        )
        s = r["child_startup"]
        print(
            f"(each stage includes a child's start-up: {s['wall_s']} s wall, {s['cpu_s']} s CPU,"
            f" {s['peak_rss_mb']} MB)"
        )
        b = r["baselines"]
        print("-- baselines (same data)")
        print(_row(("baseline", "wall s", "CPU s", "RSS MB", "inner s", ""), widths))
        for key, inner in (
            ("loader_only", "total_s"),
            ("dbt_compile", None),
            ("engine_limit", "total_s"),
            ("handwritten_checks", "total_s"),
            ("pandas_kpis", "compute_s"),
        ):
            x = b[key]
            print(
                _row(
                    (
                        key,
                        _fmt(x["wall_s"]),
                        _fmt(x["cpu_s"]),
                        _fmt(x["peak_rss_mb"]),
                        _fmt(x.get(inner) if inner else None, 2),
                        "",
                    ),
                    widths,
                )
            )
        e = b["engine_limit"]
        print(
            f"engine limit: {e['nodes']} nodes, models {e['models_s']} s + tests {e['tests_s']} s"
        )
        p = b["pandas_kpis"]
        print(
            f"pandas vs warehouse, {p['month']}: equal {p['equal']}; warehouse path "
            f"{p['warehouse_s']} s (loader for {', '.join(p['warehouse_sources'])} + "
            f"{p['warehouse_models']} models)"
        )
    print("\n== ratios ==")
    for scale, values in summary["ratios"].items():
        print(f"scale {scale}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    print("\n== targets ==")
    for t in summary["targets"]:
        print(
            f"{t['verdict']:>12}  {t['target']}: {_fmt(t['value'], 3)} (limit {t['limit']}, "
            f"scale {t['at_scale']})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scales",
        default=os.environ.get("BENCH_SCALES", "1"),
        help="comma-separated generator scales (default 1; e.g. 1,10)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the engine-limit copies")
    parser.add_argument(
        "--through",
        type=date.fromisoformat,
        default=YEAR_END,
        help="last day of the workload (default 2025-12-31; shorter only to "
        "check the benchmark itself)",
    )
    args = parser.parse_args(argv)
    configure_window(args.through)
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    root = get_settings().data_dir / "bench"
    root.mkdir(parents=True, exist_ok=True)
    results = {scale: run_scale(scale, root, args.keep) for scale in scales}
    summary = ratios_and_targets(results)
    for r in results.values():
        if not all(r["baselines"]["pandas_kpis"]["equal"].values()):
            print("WARNING: pandas and the warehouse disagree on a headline KPI", file=sys.stderr)
    print_report(results, summary)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {"started": stamp, "scales": {f"{k:g}": v for k, v in results.items()}, **summary}
    (root / f"bench-{stamp}.json").write_text(json.dumps(payload, indent=2, default=str))
    (root / "latest.json").write_text(json.dumps(payload, indent=2, default=str))
    print(f"\nresults: {root / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
