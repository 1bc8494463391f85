"""One quality run: frames in DuckDB, suites in GX, Data Docs, results kept, verdicts returned.

The asset checks (orchestration/assets/quality.py) call `run_quality` inside the warehouse
writer's turn. DuckDB and GX never hold the file at the same time: the frames are written and
that connection closed before GX opens its own, and GX's connections are closed before the
results are appended (DESIGN.md §9).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.contract import Extract, get_extract
from orchestration.quality.accuracy import accuracy_rules
from orchestration.quality.completeness import completeness_rules
from orchestration.quality.frames import QUALITY_SCHEMA, LoadDays, frame_table, write_frame
from orchestration.quality.reconciliation import Reconciliation, reconciliation_frame_sql
from orchestration.quality.results import append_frame_results, failing_rows_sql
from orchestration.quality.rules import Rule
from orchestration.quality.sql import literal
from orchestration.quality.suites import SuiteOutcome, SuiteSpec, run_suites
from orchestration.quality.timeliness import timeliness_rules

FRAME_STANDARDS = ("completeness", "accuracy", "timeliness")
# The Dagster check that reports each standard (one check per suite and asset).
CHECK_NAMES = {
    "completeness": "gx_completeness",
    "accuracy": "gx_accuracy",
    "timeliness": "gx_timeliness",
    "reconciliation": "gx_reconciliation",
}
GX_TYPE = "expect_column_pair_values_a_to_be_greater_than_b"


@dataclass(frozen=True)
class Failure:
    rule: str
    column: str | None
    operator: str
    threshold: float
    worst: float | None
    failing_days: tuple[str, ...]
    blocking: bool


@dataclass
class CheckVerdict:
    """What one Dagster asset check reports: its suite, rules judged and the rules that failed."""

    source: str
    check_name: str
    suite: str
    rules: int = 0
    evaluations: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def blocking_failed(self) -> bool:
        return any(f.blocking for f in self.failures)


@dataclass(frozen=True)
class QualityRun:
    verdicts: dict[tuple[str, str], CheckVerdict]  # (source, check name) -> verdict
    results_written: int
    docs_index: Path


def rules_for(
    extract: Extract, standards: Iterable[str], tz: str, as_of: datetime, scope: LoadDays
) -> list[Rule]:
    builders = {
        "completeness": lambda: completeness_rules(extract),
        "accuracy": lambda: accuracy_rules(extract, tz),
        "timeliness": lambda: timeliness_rules(extract, tz, as_of, scope.last),
    }
    return [rule for standard in standards for rule in builders[standard]()]


@dataclass(frozen=True)
class _Frame:
    """A written frame and where its verdicts go."""

    table: str
    suite_sql: str  # the GX suite of each row r
    judged: tuple[Extract, ...]  # results are recorded against each of these extracts
    checks: tuple[tuple[str, str, str], ...]  # (source, standard, suite) reported per check


def _note(name: str, description: str, operator: str, value: float) -> str:
    return f"**{name}**: {description} (per load day, {operator} {value:g})"


def _suite(
    name: str, frame: str, where: str, description: str, notes: Sequence[tuple[str, str, Any]]
) -> SuiteSpec:
    operators = {threshold.operator for _, _, threshold in notes}
    return SuiteSpec(
        name=name,
        query=f"select * from {frame} where {where}",
        description=description,
        at_least=">=" in operators,
        at_most="<=" in operators,
        notes=tuple(_note(n, d, t.operator, t.value) for n, d, t in notes),
    )


def run_quality(
    database: Path,
    extracts: dict[Extract, set[str]],
    reconciliations: Sequence[Reconciliation],
    scope: LoadDays,
    as_of: datetime,
    run_id: str,
    docs_dir: Path,
    tz: str,
) -> QualityRun:
    """Judge `extracts` ({extract: standards}) and `reconciliations` over the load days of
    `scope`; append every verdict to quality.check_results and rebuild the Data Docs."""
    frames: list[_Frame] = []
    suites: list[SuiteSpec] = []
    with duckdb.connect(str(database)) as con:
        for extract, standards in extracts.items():
            identifier = extract.identifier
            chosen = [s for s in FRAME_STANDARDS if s in standards]
            rules = rules_for(extract, chosen, tz, as_of, scope)
            table = write_frame(con, extract, rules, scope, with_types="accuracy" in chosen)
            checks = []
            for standard in chosen:
                name = f"{identifier}.{standard}"
                suites.append(
                    _suite(
                        name,
                        table,
                        f"standard = {literal(standard)}",
                        f"{standard.capitalize()} of {extract.raw_table} per load day",
                        [
                            (r.name, r.description, r.threshold)
                            for r in rules
                            if r.standard == standard
                        ],
                    )
                )
                checks.append((identifier, standard, name))
            frames.append(
                _Frame(
                    table, f"{literal(identifier + '.')} || r.standard", (extract,), tuple(checks)
                )
            )
        con.execute(f"create schema if not exists {QUALITY_SCHEMA}")
        for rec in reconciliations:
            table = frame_table(rec.frame)
            con.execute(
                f"create or replace table {table} as {reconciliation_frame_sql(rec, scope, tz)}"
            )
            suites.append(
                _suite(
                    rec.suite,
                    table,
                    "true",
                    rec.description,
                    [(rec.name, rec.description, rec.threshold)],
                )
            )
            frames.append(
                _Frame(
                    table,
                    f"{literal('reconciliation.')} || r.rule",
                    tuple(get_extract(i) for i in rec.reads),
                    ((rec.attach_to, "reconciliation", rec.suite),),
                )
            )
    outcomes = run_suites(database, suites, docs_dir, run_name=run_id)
    evaluated_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    verdicts: dict[tuple[str, str], CheckVerdict] = {}
    written = 0
    with duckdb.connect(str(database)) as con:
        for frame in frames:
            failing = _failing(frame, outcomes)
            for extract in frame.judged:
                written += append_frame_results(
                    con, frame.table, extract.identifier, extract.raw_table, frame.suite_sql,
                    failing, GX_TYPE, run_id, as_of, evaluated_at,
                )  # fmt: skip
            for source, standard, suite in frame.checks:
                verdicts[(source, CHECK_NAMES[standard])] = _verdict(
                    con, frame.table, source, standard, suite, failing
                )
    return QualityRun(verdicts, written, docs_dir / "index.html")


def _failing(frame: _Frame, outcomes: dict[str, SuiteOutcome]) -> set[tuple[str, str, date | None]]:
    """(standard, rule, load day) of every frame row GX found out of bounds."""
    failing = set()
    for _, standard, suite in frame.checks:
        failing |= {(standard, rule, day) for rule, day in outcomes[suite].failing}
    return failing


def _verdict(
    con: duckdb.DuckDBPyConnection,
    frame: str,
    source: str,
    standard: str,
    suite: str,
    failing: set[tuple[str, str, date | None]],
) -> CheckVerdict:
    verdict = CheckVerdict(source, CHECK_NAMES[standard], suite)
    verdict.rules, verdict.evaluations = con.execute(
        f"select count(distinct rule), count(*) from {frame} where standard = ?", [standard]
    ).fetchone()
    rows = con.execute(
        f"""
        select
            r.rule, any_value(r.column_name), any_value(r.operator), any_value(r.threshold),
            case when any_value(r.operator) = '>=' then min(r.observed) else max(r.observed) end,
            list(cast(r.load_day as varchar) order by r.load_day), bool_or(r.blocking)
        from {frame} as r
        inner join {failing_rows_sql(failing)} as f
            on f.standard = r.standard and f.rule = r.rule
            and f.load_day is not distinct from r.load_day
        where r.standard = ?
        group by r.rule
        order by r.rule
        """,
        [standard],
    ).fetchall()
    verdict.failures = [
        Failure(
            rule, column, operator, threshold, worst, tuple(d or "table" for d in days), bool(b)
        )
        for rule, column, operator, threshold, worst, days, b in rows
    ]
    return verdict
