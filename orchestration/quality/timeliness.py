"""Timeliness per extract and load day (SOP-007 §4.3, catalogue §7.3), judged fairly in backfills.

Three rules, each against the **scheduled time of the partition** (the close of its business
day), never the wall-clock load time, so loading last year's files today is as timely as the
daily runs that should have loaded them:

- delivered: every due partition has a readable file (not missing, duplicate or rejected:
  raw.load_log);
- on_time_records: every record that carries a new event time (a new key, or a change of its
  event time) arrives within the extract's SLA (contract `freshness.error_after`) of the
  scheduled time of the partition that delivered it. The first file of an extract is its
  initial export and holds older records by design: it is not judged;
- freshness_lag_hours: hours from the scheduled time of the latest delivered partition to the
  reference time, within the SLA. The reference is the run's as-of, or the scheduled time of the
  last partition of the run's range when that is earlier (a backfill).
"""

from __future__ import annotations

from datetime import date, datetime

from orchestration.contract import Extract
from orchestration.ingest.ddl import LOAD_LOG_TABLE
from orchestration.quality.rules import Rule
from orchestration.quality.sql import event_timestamp, literal, partition_end_utc, quote
from orchestration.quality.thresholds import Threshold, threshold

DELIVERED_STATUSES = ("loaded", "empty")


def _latest_log(extract: Extract) -> str:
    """The latest load-log entry of each partition of the extract (a re-run supersedes)."""
    return (
        f"select cast(partition_key as date) as load_day, status from {LOAD_LOG_TABLE} "
        f"where raw_table = {literal(extract.raw_table)} "
        "qualify row_number() over (partition by partition_key order by loaded_at desc) = 1"
    )


def _delivered(extract: Extract) -> Rule:
    statuses = ", ".join(literal(s) for s in DELIVERED_STATUSES)
    return Rule(
        table=extract.identifier,
        standard="timeliness",
        name="delivered",
        description="Every due partition has a delivered, readable file (raw.load_log).",
        threshold=threshold("timeliness", "delivered"),
        checks=f"select load_day, status in ({statuses}) as valid from ({_latest_log(extract)})",
    )


def _on_time_records(extract: Extract, tz: str) -> Rule | None:
    if extract.event_time is None or extract.freshness_error_hours is None:
        return None
    event = event_timestamp(extract.column(extract.event_time), tz)
    key = ", ".join(f"t.{quote(k)}" for k in extract.primary_key)
    previous = f"lag({event}) over (partition by {key} order by t._partition, t._line)"
    lag_hours = f"date_diff('minute', {event}, {partition_end_utc('t._partition', tz)}) / 60.0"
    return Rule(
        table=extract.identifier,
        standard="timeliness",
        name="on_time_records",
        description=(
            f"Records with a new {extract.event_time} arrive within "
            f"{extract.freshness_error_hours:g} h of their partition's scheduled time."
        ),
        threshold=threshold("timeliness", "on_time_records"),
        valid_when=(
            f"case when t._partition > (select min(_partition) from {extract.raw_table}) "
            f"and {previous} is distinct from {event} then {lag_hours} <= "
            f"{extract.freshness_error_hours} end"
        ),
    )


def reference_time(as_of: datetime, range_end: date | None, tz: str) -> str:
    """SQL for the moment freshness is judged at: as-of, or the end of a backfilled range."""
    as_of_sql = f"timestamp {literal(as_of.isoformat(sep=' '))}"
    if range_end is None:
        return as_of_sql
    return f"least({as_of_sql}, {partition_end_utc(f'date {literal(range_end.isoformat())}', tz)})"


def _freshness(extract: Extract, tz: str, reference: str) -> Rule | None:
    if extract.freshness_error_hours is None:
        return None
    statuses = ", ".join(literal(s) for s in DELIVERED_STATUSES)
    latest = (
        f"select max(load_day) as load_day from ({_latest_log(extract)}) "
        f"where status in ({statuses})"
    )
    return Rule(
        table=extract.identifier,
        standard="timeliness",
        name="freshness_lag_hours",
        description=(
            f"The latest delivered partition was scheduled at most "
            f"{extract.freshness_error_hours:g} h before the run's reference time."
        ),
        threshold=Threshold(
            "timeliness", "freshness_lag_hours", "<=", extract.freshness_error_hours
        ),
        measure=(
            f"select load_day, date_diff('minute', {partition_end_utc('load_day', tz)}, "
            f"{reference}) / 60.0 as observed from ({latest}) where load_day is not null"
        ),
    )


def timeliness_rules(
    extract: Extract, tz: str, as_of: datetime, range_end: date | None
) -> list[Rule]:
    reference = reference_time(as_of, range_end, tz)
    candidates = [
        _delivered(extract),
        _on_time_records(extract, tz),
        _freshness(extract, tz, reference),
    ]
    return [rule for rule in candidates if rule is not None]
