"""The deliverables and their deadlines, read from seeds/delivery_schedule.csv (catalogue §7.3).

The schedules (orchestration/jobs.py), the freshness policies and the deadline checks
(orchestration/freshness.py) all read this one file, so a changed time changes all of them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

# Dagster's own cron arithmetic (DST-aware, the same the scheduler uses); no public name exists.
from dagster._utils.schedules import get_next_cron_tick

from orchestration.business_calendar import business_calendar
from orchestration.settings import SEEDS_DIR

DAILY_REFRESH = "daily_refresh"
WEEKLY_SUMMARY = "weekly_summary"
MONTHLY_CLOSE = "monthly_close"
GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class Deliverable:
    name: str
    grain: str
    run_cron: str
    deadline_cron: str | None
    deadline_business_day: int | None
    lower_bound: timedelta | None
    catalogue_ref: str

    def period_end(self, period_start: date) -> date:
        """The first day after the period (exclusive end)."""
        if self.grain == "day":
            return period_start + timedelta(days=1)
        if self.grain == "week":
            return period_start + timedelta(days=7)
        next_month = period_start.replace(day=28) + timedelta(days=4)
        return next_month.replace(day=1)

    def deadline(self, period_start: date, tz: str) -> datetime:
        """When the period's run must be done (aware, business time zone)."""
        end = self.period_end(period_start)
        if self.deadline_business_day is not None:
            day = business_calendar().nth_business_day(end, self.deadline_business_day)
            return business_calendar().close_of_business(day, tz)
        start_of_next = datetime.combine(end, time(0), tzinfo=ZoneInfo(tz))
        return get_next_cron_tick(self.deadline_cron or "", start_of_next, tz)


class DeliveryScheduleError(ValueError):
    """seeds/delivery_schedule.csv is malformed: the message names the row and column."""


def _optional(raw: str | None) -> str | None:
    return raw.strip() if raw and raw.strip() else None


def _parse(row: dict[str, str], line: int) -> Deliverable:
    where = f"seeds/delivery_schedule.csv line {line}"
    grain = row["grain"].strip()
    if grain not in GRAINS:
        raise DeliveryScheduleError(f"{where}: grain {grain!r} is not one of {GRAINS}")
    deadline_cron = _optional(row.get("deadline_cron"))
    business_day = _optional(row.get("deadline_business_day"))
    if (deadline_cron is None) == (business_day is None):
        raise DeliveryScheduleError(
            f"{where}: set exactly one of deadline_cron and deadline_business_day"
        )
    lower_bound = _optional(row.get("lower_bound_hours"))
    return Deliverable(
        name=row["deliverable"].strip(),
        grain=grain,
        run_cron=row["run_cron"].strip(),
        deadline_cron=deadline_cron,
        deadline_business_day=int(business_day) if business_day else None,
        lower_bound=timedelta(hours=int(lower_bound)) if lower_bound else None,
        catalogue_ref=row.get("catalogue_ref", "").strip(),
    )


@cache
def _load(seeds_dir: Path) -> dict[str, Deliverable]:
    with (seeds_dir / "delivery_schedule.csv").open(newline="") as handle:
        rows = [_parse(row, line) for line, row in enumerate(csv.DictReader(handle), start=2)]
    return {row.name: row for row in rows}


def deliverables(seeds_dir: Path = SEEDS_DIR) -> dict[str, Deliverable]:
    return _load(seeds_dir.resolve())


def deliverable(name: str) -> Deliverable:
    try:
        return deliverables()[name]
    except KeyError:
        raise DeliveryScheduleError(
            f"seeds/delivery_schedule.csv has no row for {name!r}; add it"
        ) from None
