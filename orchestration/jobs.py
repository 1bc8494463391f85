"""Jobs and schedules that run the business (DESIGN.md §1 and §6, catalogue §7.3).

- daily_refresh, 06:00: yesterday's ingest partition, the incremental models for it, every other
  model and test, the analytics snapshot, alert delivery and the daily reports (due 09:00).
- weekly_summary, Monday 07:00: last ISO week's reports (due Monday 10:00).
- monthly_close, 07:00 on the first days of the month: the marts, the snapshot and last month's
  reports, re-run every morning until the month is complete (its month-end extracts loaded and
  a close run built on them), due by the close of the 5th business day.

Times and deadlines come from seeds/delivery_schedule.csv, in the business time zone. Jobs select
assets by partitioning, so report assets join the right job as soon as they are defined. Every
tick yields RunRequest(partition_key=…, run_key=…): a tick evaluated twice launches one run.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.assets.dbt import AS_OF_TAG
from orchestration.contract import load_contract
from orchestration.deliveries import DAILY_REFRESH, MONTHLY_CLOSE, WEEKLY_SUMMARY, deliverable
from orchestration.freshness import DEADLINE_CHECK, deadline_targets
from orchestration.partitions import (
    daily_partitions,
    last_complete_partition,
    monthly_partitions,
    weekly_partitions,
)
from orchestration.settings import get_settings

INGEST_JOB = "ingest_extracts"
DEADLINE_TAG = "scorecard/deadline"
CLOSE_TAG = "scorecard/month_complete"

# In-process: one process per run instead of one per step, so dbt's manifest is loaded once per
# run and a daily run does not pay process start-up eighty times (DESIGN.md §9).
EXECUTOR = dg.in_process_executor


@dataclass(frozen=True)
class AssetsByPartitioning:
    daily: frozenset[dg.AssetKey]
    weekly: frozenset[dg.AssetKey]
    monthly: frozenset[dg.AssetKey]
    unpartitioned: frozenset[dg.AssetKey]

    @classmethod
    def of(cls, assets: Sequence[dg.AssetsDefinition]) -> AssetsByPartitioning:
        found: dict[str, set[dg.AssetKey]] = {"d": set(), "w": set(), "m": set(), "u": set()}
        by_def = {daily_partitions(): "d", weekly_partitions(): "w", monthly_partitions(): "m"}
        for asset in assets:
            if not asset.is_executable:
                continue
            if asset.partitions_def is None:
                kind = "u"
            elif asset.partitions_def in by_def:
                kind = by_def[asset.partitions_def]
            else:
                raise ValueError(
                    f"{sorted(k.to_user_string() for k in asset.keys)} use partitions "
                    f"{asset.partitions_def} that no job runs; use orchestration.partitions"
                )
            found[kind].update(asset.keys)
        return cls(*(frozenset(found[k]) for k in ("d", "w", "m", "u")))


def monthly_report_keys(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    """The monthly-partitioned assets whose runs close a month."""
    return sorted(AssetsByPartitioning.of(assets).monthly, key=str)


def build_jobs(assets: Sequence[dg.AssetsDefinition]) -> list[dg.UnresolvedAssetJobDefinition]:
    """The jobs for the assets defined; weekly and monthly ones only once reports exist."""
    groups = AssetsByPartitioning.of(assets)
    # Deadline checks judge the latest period due, not the run's: deadline_checks_sensor runs them.
    deadline = dg.AssetSelection.checks(
        *(dg.AssetCheckKey(key, DEADLINE_CHECK) for key, _ in deadline_targets(assets))
    )
    daily = dg.AssetSelection.assets(*groups.daily) - deadline
    weekly = dg.AssetSelection.assets(*groups.weekly) - deadline
    monthly = dg.AssetSelection.assets(*groups.monthly) - deadline
    jobs = [
        dg.define_asset_job(
            INGEST_JOB,
            selection=daily - dg.AssetSelection.groups("reports"),
            description=(
                "Load extract files into raw and update the incremental models for their "
                "partitions (started by new_extracts_sensor for each landed or re-delivered file)."
            ),
            executor_def=EXECUTOR,
        ),
        dg.define_asset_job(
            DAILY_REFRESH,
            selection=dg.AssetSelection.all() - weekly - monthly - deadline,
            description=(
                "Yesterday's partition: ingest, incremental models, every other model and test, "
                "the analytics snapshot, alerts and daily reports. "
                + deliverable(DAILY_REFRESH).catalogue_ref
            ),
            executor_def=EXECUTOR,
        ),
    ]
    if groups.weekly:
        jobs.append(
            dg.define_asset_job(
                WEEKLY_SUMMARY,
                selection=weekly,
                description="Last ISO week's reports. " + deliverable(WEEKLY_SUMMARY).catalogue_ref,
                executor_def=EXECUTOR,
            )
        )
    if groups.monthly:
        jobs.append(
            dg.define_asset_job(
                MONTHLY_CLOSE,
                # The report and what it reads, rebuilt so a late month-end file is included.
                selection=monthly.upstream() - daily - deadline,
                description=(
                    "Last month's close: marts, snapshot and monthly reports, re-run until the "
                    "month is complete. " + deliverable(MONTHLY_CLOSE).catalogue_ref
                ),
                executor_def=EXECUTOR,
            )
        )
    return jobs


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _deadline_tag(name: str, period_start: str) -> str:
    deadline = deliverable(name).deadline(date.fromisoformat(period_start), _tz())
    return deadline.isoformat()


def _tz() -> str:
    return get_settings().business_tz


def daily_refresh_request(tick: datetime) -> dg.RunRequest:
    """The run of a daily tick: the last complete day before it, evaluated as of the tick."""
    partition = last_complete_partition(daily_partitions(), tick)
    return dg.RunRequest(
        run_key=f"{DAILY_REFRESH}:{partition}",
        partition_key=partition,
        tags={
            AS_OF_TAG: _utc_naive(tick).isoformat(),
            DEADLINE_TAG: _deadline_tag(DAILY_REFRESH, partition),
        },
    )


def weekly_summary_request(tick: datetime) -> dg.RunRequest:
    """The run of a Monday tick: the ISO week (Monday to Sunday) that just ended."""
    partition = last_complete_partition(weekly_partitions(), tick)
    return dg.RunRequest(
        run_key=f"{WEEKLY_SUMMARY}:{partition}",
        partition_key=partition,
        tags={
            AS_OF_TAG: _utc_naive(tick).isoformat(),
            DEADLINE_TAG: _deadline_tag(WEEKLY_SUMMARY, partition),
        },
    )


@dataclass(frozen=True)
class CloseState:
    """What the instance knows about a month's close."""

    month_end_loaded_at: float | None  # when the last month-end extract loaded; None = not all
    closed_at: float | None  # last successful close-run materialisation of the month's reports

    @property
    def complete(self) -> bool:
        return self.month_end_loaded_at is not None

    @property
    def closed(self) -> bool:
        return (
            self.complete
            and self.closed_at is not None
            and self.closed_at > (self.month_end_loaded_at or 0)
        )


def monthly_close_request(tick: datetime, state: CloseState) -> dg.RunRequest | dg.SkipReason:
    """A close run every tick until the month is complete and a run after that succeeded."""
    partition = last_complete_partition(monthly_partitions(), tick)
    if state.closed:
        return dg.SkipReason(
            f"{partition[:7]} is closed: month-end extracts loaded and the close run after them "
            "succeeded"
        )
    day = tick.astimezone(ZoneInfo(_tz())).date().isoformat()
    return dg.RunRequest(
        run_key=f"{MONTHLY_CLOSE}:{partition}:{day}",
        partition_key=partition,
        tags={
            AS_OF_TAG: _utc_naive(tick).isoformat(),
            DEADLINE_TAG: _deadline_tag(MONTHLY_CLOSE, partition),
            CLOSE_TAG: str(state.complete).lower(),
        },
    )


def _latest_materialization(
    instance: dg.DagsterInstance, key: dg.AssetKey, partition: str
) -> dg.EventLogRecord | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    ).records
    return records[0] if records else None


def close_state(
    instance: dg.DagsterInstance, month_start: str, report_keys: Sequence[dg.AssetKey]
) -> CloseState:
    """Read the month's close state: month-end extracts (contract cadence) and report runs."""
    start = date.fromisoformat(month_start)
    last_day = (deliverable(MONTHLY_CLOSE).period_end(start)).toordinal() - 1
    last_partition = date.fromordinal(last_day).isoformat()
    loaded_at: list[float] = []
    for extract in load_contract():
        if extract.cadence != "month_end":
            continue
        record = _latest_materialization(
            instance, dg.AssetKey(extract.asset_key_path), last_partition
        )
        materialization = record.asset_materialization if record else None
        loaded = materialization and materialization.metadata.get("files_loaded")
        if not loaded or not loaded.value:
            return CloseState(month_end_loaded_at=None, closed_at=None)
        loaded_at.append(record.timestamp)
    report_times = []
    for key in report_keys:
        record = _latest_materialization(instance, key, month_start)
        if record is None:
            report_times = []
            break
        report_times.append(record.timestamp)
    return CloseState(
        month_end_loaded_at=max(loaded_at, default=0.0),
        closed_at=min(report_times) if report_times else None,
    )


def build_schedules(
    job_names: Collection[str], monthly_report_keys: Sequence[dg.AssetKey]
) -> list[dg.ScheduleDefinition]:
    """One schedule per job of the delivery schedule that is defined."""
    names = set(job_names)
    tz = _tz()
    schedules = []

    if DAILY_REFRESH in names:

        @dg.schedule(
            name=f"{DAILY_REFRESH}_schedule",
            cron_schedule=deliverable(DAILY_REFRESH).run_cron,
            execution_timezone=tz,
            job_name=DAILY_REFRESH,
            description=deliverable(DAILY_REFRESH).catalogue_ref,
        )
        def daily_refresh_schedule(context: dg.ScheduleEvaluationContext):
            return daily_refresh_request(context.scheduled_execution_time)

        schedules.append(daily_refresh_schedule)

    if WEEKLY_SUMMARY in names:

        @dg.schedule(
            name=f"{WEEKLY_SUMMARY}_schedule",
            cron_schedule=deliverable(WEEKLY_SUMMARY).run_cron,
            execution_timezone=tz,
            job_name=WEEKLY_SUMMARY,
            description=deliverable(WEEKLY_SUMMARY).catalogue_ref,
        )
        def weekly_summary_schedule(context: dg.ScheduleEvaluationContext):
            return weekly_summary_request(context.scheduled_execution_time)

        schedules.append(weekly_summary_schedule)

    if MONTHLY_CLOSE in names:
        report_keys = list(monthly_report_keys)

        @dg.schedule(
            name=f"{MONTHLY_CLOSE}_schedule",
            cron_schedule=deliverable(MONTHLY_CLOSE).run_cron,
            execution_timezone=tz,
            job_name=MONTHLY_CLOSE,
            description=deliverable(MONTHLY_CLOSE).catalogue_ref,
        )
        def monthly_close_schedule(context: dg.ScheduleEvaluationContext):
            tick = context.scheduled_execution_time
            month = last_complete_partition(monthly_partitions(), tick)
            return monthly_close_request(tick, close_state(context.instance, month, report_keys))

        schedules.append(monthly_close_schedule)
    return schedules
