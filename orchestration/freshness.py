"""Freshness: a late source or a late deliverable shows in the Dagster UI against its SLA.

- Sources: each ingest asset gets a time-window freshness policy from its extract's dbt source
  freshness (`warn_after` / `error_after` in the contract's sources YAML, as resolved by dbt into
  the manifest), so the UI flags an extract that stopped arriving.
- Deliverables: the snapshot and the day and week reports get a cron freshness policy from
  seeds/delivery_schedule.csv (e.g. materialised between 06:00 and 09:00 every day).
- Partitioned reports also get a `delivered_on_time` asset check: was the latest period whose
  deadline has passed materialised by its deadline? It also covers the monthly close, whose
  deadline (the 5th business day) no cron can express. deadline_checks_sensor runs the checks
  just after each deadline.

Freshness policies need `freshness: enabled: true` in dagster.yaml (orchestration/dagster.yaml).
"""

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.deliveries import Deliverable, deliverable, deliverables
from orchestration.settings import get_settings

_DBT_PERIODS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}
DEADLINE_CHECK = "delivered_on_time"


def _window(rule: dict | None) -> timedelta | None:
    if not rule or rule.get("count") is None or rule.get("period") is None:
        return None
    return rule["count"] * _DBT_PERIODS[rule["period"]]


def source_freshness_policies(manifest_path: Path) -> dict[tuple[str, str], dg.FreshnessPolicy]:
    """(schema, identifier) -> a time-window policy, for every source with dbt freshness."""
    manifest = json.loads(manifest_path.read_text())
    policies = {}
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        fail, warn = _window(freshness.get("error_after")), _window(freshness.get("warn_after"))
        if fail is None:
            continue  # dbt's `freshness: null`: the source has no SLA
        policies[(source["schema"], source["identifier"])] = dg.FreshnessPolicy.time_window(
            fail_window=fail, warn_window=warn if warn is not None and warn < fail else None
        )
    return policies


def deliverable_freshness_policy(name: str) -> dg.FreshnessPolicy | None:
    """A cron policy (deadline, and how long before it the run may start), if it has one."""
    row = deliverable(name)
    if row.deadline_cron is None or row.lower_bound is None:
        return None
    return dg.FreshnessPolicy.cron(
        deadline_cron=row.deadline_cron,
        lower_bound_delta=row.lower_bound,
        timezone=get_settings().business_tz,
    )


GRAIN_OF_PARTITIONS = {
    dg.DailyPartitionsDefinition: "day",
    dg.WeeklyPartitionsDefinition: "week",
    dg.MonthlyPartitionsDefinition: "month",
}


def deliverable_for(partitions_def: dg.PartitionsDefinition | None) -> Deliverable | None:
    """The deliverable whose deadline a partitioned report is judged by (by grain)."""
    grain = next(
        (g for cls, g in GRAIN_OF_PARTITIONS.items() if isinstance(partitions_def, cls)), None
    )
    return next((d for d in deliverables().values() if d.grain == grain), None)


def latest_due_partition(
    partitions_def: dg.TimeWindowPartitionsDefinition, row: Deliverable, now: datetime
) -> str | None:
    """The most recent partition whose deadline is at or before `now`."""
    tz = get_settings().business_tz
    keys = partitions_def.get_partition_keys(current_time=now)
    # A deadline falls within a couple of periods after the period's end.
    for key in reversed(keys[-3:]):
        if row.deadline(date.fromisoformat(key[:10]), tz) <= now:
            return key
    return None


def build_deadline_check(
    key: dg.AssetKey, partitions_def: dg.PartitionsDefinition | None
) -> dg.AssetChecksDefinition | None:
    """`delivered_on_time` for a report with day, week or month partitions, else None."""
    row = deliverable_for(partitions_def)
    if row is None or not isinstance(partitions_def, dg.TimeWindowPartitionsDefinition):
        return None

    @dg.asset_check(
        asset=key,
        name=DEADLINE_CHECK,
        description=(
            f"The latest {row.grain} whose deadline has passed was materialised by its deadline "
            f"({row.catalogue_ref}; seeds/delivery_schedule.csv)."
        ),
        blocking=False,
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        tz = get_settings().business_tz
        now = datetime.now(ZoneInfo(tz))
        partition = latest_due_partition(partitions_def, row, now)
        if partition is None:
            return dg.AssetCheckResult(passed=True, metadata={"partition": "none due yet"})
        deadline = row.deadline(date.fromisoformat(partition[:10]), tz)
        first = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition]),
            limit=1,
            ascending=True,
        ).records
        metadata: dict = {"partition": partition, "deadline": deadline.isoformat()}
        if not first:
            late = (now - deadline).total_seconds() / 60
            metadata |= {"materialised_at": "not yet", "late_by_minutes": round(late)}
            return dg.AssetCheckResult(
                passed=False, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata
            )
        done = datetime.fromtimestamp(first[0].timestamp, ZoneInfo(tz))
        late = max(0.0, (done - deadline).total_seconds() / 60)
        metadata |= {"materialised_at": done.isoformat(), "late_by_minutes": round(late)}
        return dg.AssetCheckResult(
            passed=done <= deadline, severity=dg.AssetCheckSeverity.WARN, metadata=metadata
        )

    return _check


def deadline_targets(
    assets: Sequence[dg.AssetsDefinition],
) -> list[tuple[dg.AssetKey, dg.TimeWindowPartitionsDefinition]]:
    """Every report asset (group `reports`) with day, week or month partitions."""
    targets = []
    for asset in assets:
        partitions_def = asset.partitions_def
        if not asset.is_executable or not isinstance(
            partitions_def, dg.TimeWindowPartitionsDefinition
        ):
            continue
        if deliverable_for(partitions_def) is None:
            continue
        for key in sorted(asset.keys, key=str):
            if asset.group_names_by_key.get(key) == "reports":
                targets.append((key, partitions_def))
    return targets


def deadline_checks(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetChecksDefinition]:
    """A `delivered_on_time` check for every partitioned report."""
    checks = []
    for key, partitions_def in deadline_targets(assets):
        check = build_deadline_check(key, partitions_def)
        if check is not None:
            checks.append(check)
    return checks


def _with_report_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.group_name != "reports" or spec.freshness_policy is not None:
        return spec
    row = deliverable_for(spec.partitions_def)
    policy = deliverable_freshness_policy(row.name) if row else None
    return dg.apply_freshness_policy(spec, policy) if policy else spec


def with_deliverable_freshness(
    assets: Sequence[dg.AssetsDefinition],
) -> list[dg.AssetsDefinition]:
    """Reports with a day or week grain get their deliverable's cron freshness policy."""
    return list(dg.map_asset_specs(_with_report_freshness, assets))
