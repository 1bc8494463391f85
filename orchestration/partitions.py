"""Partition definitions shared by ingest and the jobs that run it."""

from __future__ import annotations

from datetime import date, timedelta

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
