"""Partition definitions shared by ingest and the jobs that run it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg

from orchestration.settings import get_settings


def daily_partitions() -> dg.DailyPartitionsDefinition:
    settings = get_settings()
    return dg.DailyPartitionsDefinition(
        start_date=settings.partitions_start.isoformat(), timezone=settings.business_tz
    )


def dates_in_range(start: str, end: str) -> list[str]:
    """Every ISO date from start to end inclusive (a partition key range of daily partitions)."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if last < first:
        raise ValueError(f"partition range {start}...{end} ends before it starts")
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def weekly_partitions() -> dg.WeeklyPartitionsDefinition:
    """ISO weeks starting Monday (the weekly summary is due Monday 10:00)."""
    settings = get_settings()
    start = settings.partitions_start
    first_monday = start + timedelta(days=(7 - start.weekday()) % 7)
    return dg.WeeklyPartitionsDefinition(
        start_date=first_monday.isoformat(), day_offset=1, timezone=settings.business_tz
    )


def monthly_partitions() -> dg.MonthlyPartitionsDefinition:
    """Calendar months (the monthly close and strategic analysis)."""
    settings = get_settings()
    first = settings.partitions_start.replace(day=1)
    return dg.MonthlyPartitionsDefinition(
        start_date=first.isoformat(), timezone=settings.business_tz
    )


def last_complete_partition(
    partitions_def: dg.TimeWindowPartitionsDefinition, at: datetime
) -> str | None:
    """The key of the last partition that had ended at `at` (None before the first one)."""
    keys = partitions_def.get_partition_keys(current_time=at)
    return keys[-1] if keys else None
