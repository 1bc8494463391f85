"""The balanced scorecard as a terminal table, read from the warehouse after a refresh."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

STATUS_STYLE = {
    "green": "green",
    "yellow": "yellow",
    "red": "bold red",
    "no_data": "dim",
    "no_target": "cyan",
    "provisional": "magenta",
}

_NUMBER = "regexp_replace(format('{{:,.2f}}', {0}), '\\.?0+$', '')"
_TARGET_TEXT = f"""
case target_operator
    when 'none' then '—'
    when 'range' then {_NUMBER.format("target_low")} || '–' || {_NUMBER.format("target_high")}
    else target_operator || ' ' || {_NUMBER.format("target_value")}
end
"""


def latest_closed_month(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select max(period_start) from marts.mart_balanced_scorecard "
        "where grain = 'month' and not is_partial"
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def print_scorecard(database: Path, month: str | None = None, console: Console | None = None):
    # Wide enough for KPI ids when printed to a log or a pipe (rich assumes 80 columns there).
    console = console or Console(width=None if sys.stdout.isatty() else 120)
    con = duckdb.connect(str(database), read_only=True)
    try:
        month = month or latest_closed_month(con)
        if month is None:
            console.print("[red]No closed month in marts.mart_balanced_scorecard yet.[/red]")
            return
        summary = con.execute(
            """
            select perspective,
                   count(*) filter (status = 'green'),
                   count(*) filter (status = 'yellow'),
                   count(*) filter (status = 'red'),
                   count(*) filter (status = 'no_data'),
                   count(*) filter (status not in ('green', 'yellow', 'red', 'no_data')),
                   count(*)
            from marts.mart_balanced_scorecard where grain = 'month' and period_start = ?
            group by perspective
            order by case perspective when 'financial' then 1 when 'client' then 2
                     when 'internal_process' then 3 else 4 end
            """,
            [month],
        ).fetchall()
        has_quality = bool(
            con.execute(
                "select count(*) from information_schema.columns where table_schema = 'marts' "
                "and table_name = 'mart_balanced_scorecard' and column_name = 'quality_status'"
            ).fetchone()[0]
        )
        quality = "quality_status" if has_quality else "null"
        rows = con.execute(
            f"""
            select perspective, kpi_id, kpi_name, unit, value, rag_value, {_TARGET_TEXT}, status,
                   gap_pct, {quality}
            from marts.mart_balanced_scorecard
            where grain = 'month' and period_start = ? and status <> 'no_data'
            order by perspective, kpi_id
            """,
            [month],
        ).fetchall()
    finally:
        con.close()

    roll_up = Table(title=f"Balanced scorecard — {month[:7]} (company, month)")
    for header in ("perspective", "green", "yellow", "red", "no data", "other", "KPIs"):
        roll_up.add_column(header, justify="left" if header == "perspective" else "right")
    for perspective, *counts in summary:
        roll_up.add_row(perspective, *(str(c) for c in counts))
    console.print(roll_up)

    detail = Table(title="KPIs with data")
    for header in ("perspective", "kpi", "value", "target", "status", "gap %", "data quality"):
        detail.add_column(header, justify="right" if header in ("value", "gap %") else "left")
    for perspective, kpi_id, _name, unit, value, rag_value, target, status, gap_pct, dq in rows:
        shown = _format(value, unit)
        if rag_value is not None and value is not None and abs(rag_value - value) > 1e-9:
            # Annual targets judge the annualised value (catalogue §1.3): show both.
            shown += f" (annualised {_format(rag_value, unit)})"
        detail.add_row(
            perspective,
            kpi_id,
            shown,
            target,
            f"[{STATUS_STYLE.get(status, '')}]{status}[/]",
            "" if gap_pct is None else f"{gap_pct:+.1f}",
            dq or "",
        )
    console.print(detail)
    if not has_quality:
        console.print("[dim]This snapshot has no data-quality status (quality_status) yet.[/dim]")


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "usd":
        return f"${value:,.0f}"
    if unit == "pct":
        return f"{value:.1f}%"
    return f"{value:,.2f}"
