"""Which period a report covers, and when it is sent (catalogue §7.1 AC7/AC8, §7.3).

Partition keys follow orchestration.partitions: a daily key is the day whose data the report
covers (sent at 08:00 the next morning), a weekly key the Monday of the week covered (sent the
following Monday), a monthly key the first day of the month covered (sent on the 1st of the next).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("daily", "weekly", "monthly", "dashboard")
SEND_TIME = time(8, 0)  # AC7 daily digest and AC8 weekly summary both go at 08:00.


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    start: date
    end: date  # first day after the period
    start_utc: datetime  # the period's first instant in business time, as naive UTC
    end_utc: datetime
    send_at_utc: datetime  # when the report is due: the instant open alerts are read at

    @property
    def file_stem(self) -> str:
        return (
            self.start.isoformat()[:7]
            if self.kind in ("monthly", "dashboard")
            else self.start.isoformat()
        )

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def to_utc(day: date, at: time, tz: str) -> datetime:
    """A business-time wall-clock instant as naive UTC (DST-aware)."""
    local = datetime.combine(day, at, tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC).replace(tzinfo=None)


def business_date(instant_utc: datetime, tz: str) -> date:
    return instant_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).date()


def period_for(kind: str, day: date, tz: str) -> ReportPeriod:
    """The period of `kind` that contains `day` (the dashboard covers a month)."""
    if kind == "daily":
        start, end = day, day + timedelta(days=1)
    elif kind == "weekly":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    elif kind in ("monthly", "dashboard"):
        start = _month_start(day)
        end = _next_month(start)
    else:
        raise ValueError(f"unknown report {kind!r}; choose one of {', '.join(KINDS)}")
    return ReportPeriod(
        kind,
        start,
        end,
        start_utc=to_utc(start, time(0), tz),
        end_utc=to_utc(end, time(0), tz),
        send_at_utc=to_utc(end, SEND_TIME, tz),
    )


def latest_complete(kind: str, as_of_utc: datetime, tz: str) -> ReportPeriod:
    """The latest period of `kind` that had ended by the snapshot's as-of time."""
    today = business_date(as_of_utc, tz)
    if kind == "daily":
        return period_for(kind, today - timedelta(days=1), tz)
    if kind == "weekly":
        this_monday = today - timedelta(days=today.weekday())
        return period_for(kind, this_monday - timedelta(days=7), tz)
    return period_for(kind, _month_start(today) - timedelta(days=1), tz)


def from_partition_key(kind: str, key: str, tz: str) -> ReportPeriod:
    """A Dagster partition key ('2025-12-01' for day, Monday or month) to its period."""
    return period_for(kind, date.fromisoformat(key), tz)
