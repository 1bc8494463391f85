"""What every source generator gets: the world, where to write, and where to record the truth.

Generators write files in the formats a real export has and record what they planted
(performance gaps, data-quality defects) so tests can check that the warehouse finds exactly that.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from orchestration.contract import Extract
from orchestration.extracts.world import World


@dataclass
class GenerationContext:
    world: World
    landing_dir: Path
    defects: bool
    planted_gaps: list[dict] = field(default_factory=list)
    planted_defects: list[dict] = field(default_factory=list)
    # corrective actions raised against planted gaps, with the verified effect they must show
    planted_actions: list[dict] = field(default_factory=list)

    def path(self, extract: Extract, day: date | str) -> Path:
        key = day.isoformat() if isinstance(day, date) else day
        path = extract.landing_file(self.landing_dir, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def plant_gap(
        self,
        kpi_id: str,
        expected_status: Iterable[str],
        description: str,
        department: str | None = None,
        grain: str = "month",
        period_start: date | None = None,
        period_end: date | None = None,
        **details: Any,
    ) -> None:
        """A KPI the warehouse must judge yellow/red over [period_start, period_end]."""
        self.planted_gaps.append(
            {
                "kpi_id": kpi_id,
                "department": department,
                "grain": grain,
                "expected_status": sorted(expected_status),
                "period_start": (period_start or self.world.start).isoformat(),
                "period_end": (period_end or self.world.end).isoformat(),
                "description": description,
                **details,
            }
        )

    def plant_defect(
        self, kind: str, raw_table: str, description: str, rows: int = 0, **details: Any
    ) -> None:
        """A data-quality fault the quality checks must catch (only with --defects)."""
        self.planted_defects.append(
            {"kind": kind, "raw_table": raw_table, "rows": rows, "description": description,
             **details}
        )  # fmt: skip


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_csv(path: Path, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """A CSV export: header, comma-separated, minimal quoting, `\\n` line ends, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
        count += 1
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return count


def write_jsonl(path: Path, objects: Iterable[Mapping[str, Any]]) -> int:
    lines = [json.dumps(o, separators=(",", ":"), default=str) for o in objects]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def write_daily(
    ctx: GenerationContext,
    extract: Extract,
    rows_by_day: Mapping[date, list[Mapping[str, Any]]],
    columns: list[str] | None = None,
) -> int:
    """One file per due day of the window (header-only or empty on days with no rows)."""
    columns = columns or [c.name for c in extract.columns]
    total = 0
    for day in ctx.world.days():
        if not extract.is_due(day.isoformat()):
            continue
        rows = rows_by_day.get(day, [])
        if extract.format == "csv":
            total += write_csv(ctx.path(extract, day), columns, rows)
        else:
            total += write_jsonl(ctx.path(extract, day), rows)
    return total


Writer = Callable[[GenerationContext, Extract], int]
