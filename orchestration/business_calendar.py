"""Business days from the seeds business_calendar and holidays (catalogue §1.1), in Python.

dbt's dim_date numbers the business days of each month in the warehouse; the scheduler needs the
same answer before the warehouse exists and without opening it (DuckDB's lock), so it reads the
same two seed files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from orchestration.settings import SEEDS_DIR


@dataclass(frozen=True)
class BusinessCalendar:
    opening: dict[int, tuple[time, time]]  # ISO weekday -> (opens_at, closes_at), working days
    holidays: frozenset[date]
    last_listed_holiday: date

    def is_business_day(self, day: date) -> bool:
        return day.isoweekday() in self.opening and day not in self.holidays

    def nth_business_day(self, month_start: date, n: int) -> date:
        """The n-th business day of the month that starts on month_start (n >= 1)."""
        if n < 1:
            raise ValueError(f"business day number must be >= 1, got {n}")
        if month_start > self.last_listed_holiday:
            raise ValueError(
                f"seeds/holidays.csv lists holidays up to {self.last_listed_holiday}; add the "
                f"holidays of {month_start:%Y} before scheduling {month_start:%Y-%m}"
            )
        day, seen = month_start.replace(day=1), 0
        while True:
            if self.is_business_day(day):
                seen += 1
                if seen == n:
                    return day
            day += timedelta(days=1)
            if day.month != month_start.month:
                raise ValueError(f"{month_start:%Y-%m} has fewer than {n} business days")

    def close_of_business(self, day: date, tz: str) -> datetime:
        """The closing time of a business day as an aware datetime in the business time zone."""
        closes_at = self.opening[day.isoweekday()][1]
        return datetime.combine(day, closes_at, tzinfo=ZoneInfo(tz))


def _parse_time(raw: str) -> time:
    return time.fromisoformat(raw)


@cache
def _load(seeds_dir: Path) -> BusinessCalendar:
    opening = {}
    with (seeds_dir / "business_calendar.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["is_working_day"].strip().lower() == "true":
                opening[int(row["iso_day_of_week"])] = (
                    _parse_time(row["opens_at"]),
                    _parse_time(row["closes_at"]),
                )
    with (seeds_dir / "holidays.csv").open(newline="") as handle:
        holidays = frozenset(date.fromisoformat(r["holiday_date"]) for r in csv.DictReader(handle))
    return BusinessCalendar(opening, holidays, max(holidays))


def business_calendar(seeds_dir: Path = SEEDS_DIR) -> BusinessCalendar:
    return _load(seeds_dir.resolve())
