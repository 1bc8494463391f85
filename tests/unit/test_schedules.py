"""Schedule ticks evaluated at given times yield the right runs and partition keys.

Times are in the business time zone (America/New_York by default) and come from
seeds/delivery_schedule.csv: daily refresh 06:00, weekly summary Monday 07:00, monthly close
07:00 on days 1-10 until the month is closed. Each tick is evaluated with Dagster's
build_schedule_context(scheduled_execution_time=...).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.assets.dbt import AS_OF_TAG
from orchestration.business_calendar import business_calendar
from orchestration.deliveries import deliverable, deliverables
from orchestration.jobs import CLOSE_TAG, DEADLINE_TAG, build_schedules

NY = ZoneInfo("America/New_York")
MONTHLY_REPORT = dg.AssetKey(["reports", "monthly_strategic_analysis"])


@pytest.fixture
def schedules() -> dict[str, dg.ScheduleDefinition]:
    names = ["daily_refresh", "weekly_summary", "monthly_close"]
    return {s.name: s for s in build_schedules(names, [MONTHLY_REPORT])}


def _tick(schedule: dg.ScheduleDefinition, at: datetime, instance=None):
    """(run requests, skip message) of one tick at `at`."""
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=at)
    result = schedule(context)
    if isinstance(result, dg.SkipReason):
        return [], result.skip_message
    return [result] if isinstance(result, dg.RunRequest) else list(result), None


def test_the_schedules_read_the_delivery_seed(schedules):
    assert {n: (s.cron_schedule, s.execution_timezone) for n, s in schedules.items()} == {
        "daily_refresh_schedule": ("0 6 * * *", "America/New_York"),
        "weekly_summary_schedule": ("0 7 * * 1", "America/New_York"),
        "monthly_close_schedule": ("0 7 1-10 * *", "America/New_York"),
    }
    assert set(deliverables()) == {"daily_refresh", "weekly_summary", "monthly_close"}


@pytest.mark.parametrize(
    ("tick", "partition", "as_of_utc", "deadline"),
    [
        # An ordinary day (EST, UTC-5): 06:00 local = 11:00 UTC; due 09:00 the same morning.
        (datetime(2025, 2, 12, 6, tzinfo=NY), "2025-02-11", "2025-02-12T11:00:00",
         "2025-02-12T09:00:00-05:00"),
        # DST starts at 02:00 on 9 March 2025: 06:00 EDT = 10:00 UTC, partition still the 8th.
        (datetime(2025, 3, 9, 6, tzinfo=NY), "2025-03-08", "2025-03-09T10:00:00",
         "2025-03-09T09:00:00-04:00"),
        # DST ends at 02:00 on 2 November 2025 (a 25-hour day): 06:00 EST = 11:00 UTC.
        (datetime(2025, 11, 2, 6, tzinfo=NY), "2025-11-01", "2025-11-02T11:00:00",
         "2025-11-02T09:00:00-05:00"),
        # Month end, leap year and year end.
        (datetime(2025, 3, 1, 6, tzinfo=NY), "2025-02-28", "2025-03-01T11:00:00",
         "2025-03-01T09:00:00-05:00"),
        (datetime(2024, 3, 1, 6, tzinfo=NY), "2024-02-29", "2024-03-01T11:00:00",
         "2024-03-01T09:00:00-05:00"),
        (datetime(2026, 1, 1, 6, tzinfo=NY), "2025-12-31", "2026-01-01T11:00:00",
         "2026-01-01T09:00:00-05:00"),
    ],
)  # fmt: skip
def test_daily_refresh_ingests_yesterday(schedules, tick, partition, as_of_utc, deadline):
    requests, _ = _tick(schedules["daily_refresh_schedule"], tick)
    assert [(r.partition_key, r.run_key) for r in requests] == [
        (partition, f"daily_refresh:{partition}")
    ]
    assert requests[0].tags[AS_OF_TAG] == as_of_utc
    assert requests[0].tags[DEADLINE_TAG] == deadline


def test_a_tick_evaluated_twice_asks_for_the_same_run(schedules):
    at = datetime(2025, 6, 10, 6, tzinfo=NY)
    first, _ = _tick(schedules["daily_refresh_schedule"], at)
    second, _ = _tick(schedules["daily_refresh_schedule"], at)
    assert first[0].run_key == second[0].run_key == "daily_refresh:2025-06-09"


@pytest.mark.parametrize(
    ("tick", "partition", "deadline"),
    [
        # Monday 3 March 2025: the ISO week Mon 24 Feb - Sun 2 Mar, due Monday 10:00.
        (datetime(2025, 3, 3, 7, tzinfo=NY), "2025-02-24", "2025-03-03T10:00:00-05:00"),
        # Monday 10 March 2025, the day after DST started (EDT).
        (datetime(2025, 3, 10, 7, tzinfo=NY), "2025-03-03", "2025-03-10T10:00:00-04:00"),
        # A week across the year end: Mon 29 Dec 2025 - Sun 4 Jan 2026.
        (datetime(2026, 1, 5, 7, tzinfo=NY), "2025-12-29", "2026-01-05T10:00:00-05:00"),
    ],
)
def test_weekly_summary_covers_the_week_that_just_ended(schedules, tick, partition, deadline):
    requests, _ = _tick(schedules["weekly_summary_schedule"], tick)
    assert [(r.partition_key, r.run_key) for r in requests] == [
        (partition, f"weekly_summary:{partition}")
    ]
    assert requests[0].tags[DEADLINE_TAG] == deadline


def test_the_fifth_business_day_comes_from_the_calendar_seeds():
    calendar = business_calendar()
    # February 2025 starts on a Saturday: Mon 3 .. Fri 7 are business days 1..5.
    assert calendar.nth_business_day(date(2025, 2, 1), 5) == date(2025, 2, 7)
    # January 2026: Thu 1 is New Year's Day (seeds/holidays.csv), so Fri 2, Mon 5, Tue 6,
    # Wed 7, Thu 8.
    assert calendar.nth_business_day(date(2026, 1, 1), 5) == date(2026, 1, 8)
    # September 2025: Mon 1 is Labor Day: Tue 2 .. Mon 8.
    assert calendar.nth_business_day(date(2025, 9, 1), 5) == date(2025, 9, 8)
    close = deliverable("monthly_close")
    # The close of December 2025 is due at the end (17:00) of Thursday 8 January 2026.
    assert close.deadline(date(2025, 12, 1), "America/New_York").isoformat() == (
        "2026-01-08T17:00:00-05:00"
    )


def test_monthly_close_runs_every_morning_until_the_month_is_closed(schedules, tmp_path):
    schedule = schedules["monthly_close_schedule"]
    # The schedule reads the instance; schedule contexts need a persistent one.
    instance = dg.DagsterInstance.local_temp(str(tmp_path))

    # 1 Feb 2025 (Saturday), nothing loaded yet: a close run for January, month not complete.
    requests, _ = _tick(schedule, datetime(2025, 2, 1, 7, tzinfo=NY), instance)
    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("2025-01-01", "monthly_close:2025-01-01:2025-02-01")
    ]
    assert requests[0].tags[CLOSE_TAG] == "false"
    assert requests[0].tags[DEADLINE_TAG] == "2025-02-07T17:00:00-05:00"

    # The ledger files of 31 January (cadence month_end in the contract) arrive and load.
    for extract in ("quickbooks__gl_entries", "quickbooks__balance_snapshots"):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                dg.AssetKey(["raw", extract]), partition="2025-01-31", metadata={"files_loaded": 1}
            )
        )
    # Monday 3 Feb: the month is complete but no close run has used it yet: run again.
    requests, _ = _tick(schedule, datetime(2025, 2, 3, 7, tzinfo=NY), instance)
    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("2025-01-01", "monthly_close:2025-01-01:2025-02-03")
    ]
    assert requests[0].tags[CLOSE_TAG] == "true"

    # That run builds January's report after the month-end loads: the month is closed.
    instance.report_runless_asset_event(
        dg.AssetMaterialization(MONTHLY_REPORT, partition="2025-01-01")
    )
    requests, skip = _tick(schedule, datetime(2025, 2, 4, 7, tzinfo=NY), instance)
    assert requests == []
    assert skip.startswith("2025-01 is closed")


def test_a_month_end_file_that_was_missing_keeps_the_month_open(schedules, tmp_path):
    instance = dg.DagsterInstance.local_temp(str(tmp_path))
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            dg.AssetKey(["raw", "quickbooks__gl_entries"]),
            partition="2025-01-31",
            metadata={"files_loaded": 1},
        )
    )
    # The balance snapshot partition ran but found no file (the ingest asset records 0 loaded).
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            dg.AssetKey(["raw", "quickbooks__balance_snapshots"]),
            partition="2025-01-31",
            metadata={"files_loaded": 0, "files_missing": 1},
        )
    )
    instance.report_runless_asset_event(
        dg.AssetMaterialization(MONTHLY_REPORT, partition="2025-01-01")
    )
    requests, _ = _tick(
        schedules["monthly_close_schedule"], datetime(2025, 2, 5, 7, tzinfo=NY), instance
    )
    assert [r.tags[CLOSE_TAG] for r in requests] == ["false"]


@pytest.mark.parametrize(
    ("grain", "now", "due"),
    [
        # Day D is due 09:00 on D+1: at 08:59 on 10 March the 9th is not due yet.
        ("daily_refresh", datetime(2025, 3, 10, 8, 59, tzinfo=NY), "2025-03-08"),
        ("daily_refresh", datetime(2025, 3, 10, 9, 0, tzinfo=NY), "2025-03-09"),
        # The week of Mon 24 Feb is due Monday 3 March 10:00.
        ("weekly_summary", datetime(2025, 3, 3, 9, 59, tzinfo=NY), "2025-02-17"),
        ("weekly_summary", datetime(2025, 3, 3, 10, 0, tzinfo=NY), "2025-02-24"),
        # December 2025 closes by 17:00 on Thursday 8 January 2026 (5th business day).
        ("monthly_close", datetime(2026, 1, 8, 16, 59, tzinfo=NY), "2025-11-01"),
        ("monthly_close", datetime(2026, 1, 8, 17, 0, tzinfo=NY), "2025-12-01"),
    ],
)
def test_the_deadline_checks_judge_the_latest_period_that_is_due(grain, now, due):
    from orchestration.freshness import latest_due_partition
    from orchestration.partitions import daily_partitions, monthly_partitions, weekly_partitions

    partitions = {
        "daily_refresh": daily_partitions(),
        "weekly_summary": weekly_partitions(),
        "monthly_close": monthly_partitions(),
    }[grain]
    assert latest_due_partition(partitions, deliverable(grain), now) == due
