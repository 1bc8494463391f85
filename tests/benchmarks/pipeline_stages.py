"""The pipeline cut into stages, each materialised through Dagster on its own.

The benchmark measures each stage in its own child process (so CPU time and peak RSS belong to
that stage) and the fault suite kills a child in the middle of one. The stages come from the
Definitions, not from a hand list of assets, so assets added later land in a stage by their
group or kind:

- ingest:  the daily-partitioned ingest assets (group `raw`), without their checks;
- quality: every asset check on an ingest or dbt asset that is not a dbt test (the GX suites),
  plus assets of group `quality` if any;
- dbt:     the dbt assets (kind `dbt`): seeds, models and their tests, incremental ones included;
- publish: group `publish` (the analytics snapshot);
- reports: group `reports`;
- other:   anything else (e.g. an alert sink), run last so that nothing is skipped.

A partitioned asset with a single-run backfill policy gets the whole range start..end in one run
(as `scorecard refresh` does); reports and any other partitioned asset get their last partition
that ends by the day after `end`, i.e. what the daily, weekly and monthly schedules would build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import dagster as dg

# Dagster exposes no public name for the tags of a single-run partition range.
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

STAGES = ("ingest", "quality", "dbt", "publish", "reports", "other")


def _run_config() -> dict:
    # INFO as `scorecard refresh` logs; the fault suite asks for DEBUG to see each STEP_START.
    level = os.environ.get("SCORECARD_STAGE_LOG_LEVEL", "INFO")
    return {"loggers": {"console": {"config": {"log_level": level}}}}


@dataclass
class StageRun:
    """One Dagster run of a stage: a selection plus its partition tags or key."""

    selection: dg.AssetSelection
    description: str
    tags: dict[str, str] = field(default_factory=dict)
    partition_key: str | None = None


def stage_of(spec: dg.AssetSpec) -> str:
    if spec.group_name == "raw":
        return "ingest"
    if "dbt" in spec.kinds:
        return "dbt"
    if spec.group_name in ("publish", "reports", "quality"):
        return str(spec.group_name)
    return "other"


def _last_partition(partitions_def: dg.PartitionsDefinition, end: date) -> str | None:
    """The last partition whose window has ended by the day after `end`."""
    now = datetime.combine(end + timedelta(days=1), time(23, 59))
    keys = partitions_def.get_partition_keys(current_time=now)
    ends_by = [
        k
        for k in keys
        if partitions_def.time_window_for_partition_key(k).end.date() <= end + timedelta(days=1)
    ]
    return ends_by[-1] if ends_by else None


def plan(
    defs: dg.Definitions,
    stage: str,
    start: date,
    end: date,
    partitioned_only: bool = False,
    only: frozenset[dg.AssetKey] | None = None,
) -> list[StageRun]:
    """The Dagster runs that materialise `stage` for the daily partitions start..end
    (with partitioned_only, only its partitioned assets: e.g. the incremental dbt models; with
    `only`, only those assets and the checks on them)."""
    runs: list[StageRun] = []
    groups: dict[object, list[dg.AssetKey]] = {}
    policies: dict[object, tuple[dg.PartitionsDefinition | None, bool]] = {}
    for assets_def in defs.assets or []:
        if not isinstance(assets_def, dg.AssetsDefinition):
            continue
        keys = [
            spec.key
            for spec in assets_def.specs
            if stage_of(spec) == stage and (only is None or spec.key in only)
        ]
        if not keys or not assets_def.is_executable:
            continue
        pdef = assets_def.partitions_def
        if partitioned_only and pdef is None:
            continue
        # Reports are per period: a refresh is followed by the latest ones (what the daily,
        # weekly and monthly schedules build), never one per day of the range.
        single_run = (
            stage != "reports"
            and assets_def.backfill_policy is not None
            and assets_def.backfill_policy.max_partitions_per_run is None
        )
        group_key = (repr(pdef), single_run)
        groups.setdefault(group_key, []).extend(keys)
        policies[group_key] = (pdef, single_run)
    for group_key, keys in groups.items():
        pdef, single_run = policies[group_key]
        selection = dg.AssetSelection.assets(*keys).without_checks()
        if stage != "ingest":  # checks defined with the asset (dbt tests) run with it
            selection = dg.AssetSelection.assets(*keys)
        label = f"{stage}: {len(keys)} asset(s)"
        if pdef is None:
            runs.append(StageRun(selection, label))
        elif single_run:
            tags = {
                ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
                ASSET_PARTITION_RANGE_END_TAG: end.isoformat(),
            }
            runs.append(StageRun(selection, f"{label}, {start}..{end}", tags=tags))
        else:
            key = _last_partition(pdef, end)
            if key is not None:
                runs.append(StageRun(selection, f"{label}, partition {key}", partition_key=key))
    if stage == "quality" and not partitioned_only:
        dbt_owned = {
            check_key
            for assets_def in defs.assets or []
            if isinstance(assets_def, dg.AssetsDefinition)
            for check_key in assets_def.check_keys
        }
        stage_by_key = {
            spec.key: stage_of(spec)
            for assets_def in defs.assets or []
            if isinstance(assets_def, dg.AssetsDefinition)
            for spec in assets_def.specs
        }
        # Data checks only: a check on a report (delivered on time) runs with the reports.
        check_keys = [
            key
            for checks_def in defs.asset_checks or []
            for key in checks_def.check_keys
            if key not in dbt_owned
            and stage_by_key.get(key.asset_key) in ("ingest", "dbt")
            and (only is None or key.asset_key in only)
        ]
        if check_keys:
            # Judged over the run's load days, as when the checks run beside their ingest.
            tags = {
                ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
                ASSET_PARTITION_RANGE_END_TAG: end.isoformat(),
            }
            runs.append(
                StageRun(
                    dg.AssetSelection.checks(*check_keys),
                    f"quality: {len(check_keys)} checks, {start}..{end}",
                    tags=tags,
                )
            )
    return runs


@dataclass(frozen=True)
class StageOutcome:
    stage: str
    run_ids: list[str]
    failed_steps: list[str]
    failed_checks: list[str]

    @property
    def success(self) -> bool:
        return not self.failed_steps


def _executables(defs: dg.Definitions) -> list:
    return [*(defs.assets or []), *(defs.asset_checks or [])]


def run_stage(
    stage: str,
    start: date,
    end: date,
    instance: dg.DagsterInstance | None = None,
    partitioned_only: bool = False,
    only: frozenset[dg.AssetKey] | None = None,
) -> StageOutcome:
    """Materialise one stage in this process (the child of the benchmark or fault test)."""
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    run_ids, failed_steps, failed_checks = [], [], []
    for stage_run in plan(defs, stage, start, end, partitioned_only, only):
        result = dg.materialize(
            _executables(defs),
            selection=stage_run.selection,
            instance=instance,
            resources=defs.resources or {},
            run_config=_run_config(),
            tags=stage_run.tags or None,
            partition_key=stage_run.partition_key,
            raise_on_error=False,
        )
        run_ids.append(result.run_id)
        failed_steps += [
            event.step_key or "?"
            for event in result.all_events
            if event.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        if not result.success and not failed_steps:
            failed_steps.append(f"run {result.run_id}")
        failed_checks += [
            f"{e.asset_key.to_user_string()}:{e.check_name}"
            for e in result.get_asset_check_evaluations()
            if not e.passed
        ]
    return StageOutcome(stage, run_ids, failed_steps, failed_checks)


def iter_stages(include_other: bool = True) -> Iterator[str]:
    yield from (s for s in STAGES if include_other or s != "other")
