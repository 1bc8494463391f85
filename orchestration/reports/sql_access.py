"""SQL access for analysts: run a query or list a KPI's history against the read-only snapshot,
and print the result as an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import difflib
import json
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.reports import formatting
from orchestration.reports.snapshot import connect, require

FORMATS = ("table", "csv", "json")
GRAINS = ("day", "week", "month", "quarter", "year")


class QueryError(ValueError):
    """The SQL failed, or the KPI / grain / department asked for does not exist."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]


def run_sql(snapshot: Path, sql: str) -> Result:
    con = connect(snapshot)
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return Result([], [])
        return Result([c[0] for c in cursor.description], cursor.fetchall())
    except duckdb.Error as exc:
        raise QueryError(f"SQL error: {exc}") from exc
    finally:
        con.close()


def _close_matches(word: str, candidates: list[str], names: dict[str, str] | None = None):
    """Ids close to `word`, or containing it; `names` (normalised display name → id) lets
    'net_promoter_score' find nps_company."""
    word = word.lower()
    found = difflib.get_close_matches(word, candidates, n=5, cutoff=0.6)
    found += [c for c in candidates if word and (word in c or c in word)]
    for name, kpi_id in (names or {}).items():
        if word and (word in name or difflib.SequenceMatcher(None, word, name).ratio() > 0.8):
            found.append(kpi_id)
    return list(dict.fromkeys(found))[:5]


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class KpiHistory:
    definition: dict[str, Any]
    result: Result


def kpi_history(snapshot: Path, kpi_id: str, grain: str, department: str | None) -> KpiHistory:
    """A KPI's observations over time, for the company or one department."""
    con = connect(snapshot)
    try:
        require(con, "dim_kpi", ["kpi_id", "kpi_name", "formula"])
        require(con, "fct_kpi_observations", ["quality_status"])
        catalogue = con.execute("select kpi_id, kpi_name from marts.dim_kpi").fetchall()
        ids = [row[0] for row in catalogue]
        if kpi_id not in ids:
            names = {_normalised(name or ""): row_id for row_id, name in catalogue}
            hint = _close_matches(kpi_id, ids, names)
            raise QueryError(
                f"unknown KPI id {kpi_id!r}"
                + (f"; did you mean: {', '.join(hint)}?" if hint else "")
                + ' (all ids: `scorecard sql "select kpi_id, kpi_name from marts.dim_kpi"`)'
            )
        cursor = con.execute("select * from marts.dim_kpi where kpi_id = ?", [kpi_id])
        names = [c[0] for c in cursor.description]
        definition = dict(zip(names, cursor.fetchone(), strict=True))
        if department is not None:
            departments = [
                r[0] for r in con.execute("select department from marts.dim_department").fetchall()
            ]
            if department not in departments:
                hint = _close_matches(department, departments)
                raise QueryError(
                    f"unknown department {department!r}; departments are "
                    f"{', '.join(sorted(departments))}"
                    + (f" (did you mean {hint[0]}?)" if hint else "")
                )
        entity_type, entity_id = ("department", department) if department else ("company", None)
        grains = [
            r[0]
            for r in con.execute(
                "select distinct grain from marts.fct_kpi_observations "
                "where kpi_id = ? and entity_type = ? and (? is null or entity_id = ?)",
                [kpi_id, entity_type, entity_id, entity_id],
            ).fetchall()
        ]
        if grain not in grains:
            scope = f"department {department}" if department else "the company"
            if not grains:
                raise QueryError(f"{kpi_id} has no observations for {scope} at any grain")
            available = ", ".join(g for g in GRAINS if g in grains)
            raise QueryError(
                f"{kpi_id} has no {grain}-grain observations for {scope}; "
                f"grains with data: {available}"
            )
        cursor = con.execute(
            """
            select period_start, value, rag_value, target_operator, target_value, target_low,
                   target_high, status, reason_code, gap_pct, trend, quality_status, is_partial
            from marts.fct_kpi_observations
            where kpi_id = ? and grain = ? and entity_type = ? and (? is null or entity_id = ?)
            order by period_start
            """,
            [kpi_id, grain, entity_type, entity_id, entity_id],
        )
        names = [c[0] for c in cursor.description]
        unit = definition["unit"]
        rows = []
        for raw in cursor.fetchall():
            row = dict(zip(names, raw, strict=True))
            rows.append(
                (
                    row["period_start"],
                    row["value"],
                    row["rag_value"] if row["rag_value"] != row["value"] else None,
                    formatting.format_target(
                        row["target_operator"],
                        row["target_value"],
                        row["target_low"],
                        row["target_high"],
                    ),
                    row["status"],
                    row["reason_code"],
                    row["gap_pct"],
                    row["trend"],
                    row["quality_status"],
                    row["is_partial"],
                )
            )
        columns = [
            "period_start",
            f"value ({unit})",
            "annualised",
            "target",
            "status",
            "reason",
            "gap_pct",
            "trend",
            "quality",
            "partial",
        ]
        return KpiHistory(definition, Result(columns, rows))
    finally:
        con.close()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def write_result(
    result: Result, fmt: str, out: TextIO | None = None, max_rows: int = 0, title: str = ""
) -> None:
    """Print as an aligned table (numbers right-aligned), CSV with a header, or JSON records."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_text(v) for v in row] for row in result.rows)
        return
    if fmt == "json":
        records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        json.dump(records, out, default=_json_default, indent=1)
        out.write("\n")
        return
    if not result.columns:
        out.write("OK\n")
        return
    shown = result.rows if max_rows <= 0 else result.rows[:max_rows]
    numeric = [
        all(isinstance(r[i], int | float | Decimal) or r[i] is None for r in shown) and shown
        for i in range(len(result.columns))
    ]
    table = Table(title=title or None, show_lines=False)
    for name, is_number in zip(result.columns, numeric, strict=True):
        table.add_column(name, justify="right" if is_number else "left", overflow="fold")
    for row in shown:
        table.add_row(*(_text(v) for v in row))
    console = Console(file=out, width=None if out.isatty() else 200)
    console.print(table)
    hidden = len(result.rows) - len(shown)
    footer = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    if hidden:
        footer += f" ({hidden} not shown: --max-rows 0 for all, or --format csv)"
    console.print(footer)
