"""Materialise the whole pipeline through Dagster in ONE run: ingest a range of daily partitions,
update the incremental models for that range, then build everything downstream (dbt seeds,
models and tests, GX checks, the analytics snapshot, alert delivery).

A range of any length is one run and one statement per extract (the assets' single-run backfill
policy), exactly what the UI does for a backfill. Reports are per period: the schedules and
`scorecard report` build them from the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

# Dagster exposes no public name for the tags of a single-run partition range.
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.definitions import build_definitions
from orchestration.partitions import daily_partitions

# In-process runs log to the terminal; DEBUG events drown the useful lines there.
_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
REPORTS_GROUP = "reports"


class RefreshFailed(RuntimeError):
    """A Dagster run failed; the message names the failing steps. The run log has the details."""


@dataclass(frozen=True)
class RefreshResult:
    run_ids: list[str]
    failed_checks: list[str]


def _raise_on_failure(result: dg.ExecuteInProcessResult, what: str) -> None:
    if not result.success:
        failed = [
            event.step_key
            for event in result.all_events
            if event.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        blocked = [
            f"{e.asset_key.to_user_string()}:{e.check_name}"
            for e in result.get_asset_check_evaluations()
            if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
        ]
        raise RefreshFailed(
            f"{what} failed in run {result.run_id}: steps {failed or 'unknown'}; "
            + (
                f"blocking data-quality checks failed: {blocked}, so the marts were not "
                "rebuilt (see quality.check_results and data/quality/index.html); "
                if blocked
                else ""
            )
            + "see the run in the Dagster UI (`make ui`)"
        )


def _failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    failed = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failed


def refresh_selection(defs: dg.Definitions) -> list[dg.AssetKey]:
    """Every materialisable daily-partitioned or unpartitioned asset, except reports."""
    graph = defs.resolve_asset_graph()
    daily = {
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable and graph.get(key).partitions_def == daily_partitions()
    }
    unpartitioned = {
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable and graph.get(key).partitions_def is None
    }
    return sorted(
        (k for k in daily | unpartitioned if graph.get(k).group_name != REPORTS_GROUP), key=str
    )


def refresh(start: str, end: str, instance: dg.DagsterInstance | None = None) -> RefreshResult:
    """Ingest daily partitions start..end and build everything downstream, in one run."""
    defs = build_definitions()
    result = dg.materialize(
        [*(defs.assets or []), *(defs.asset_checks or [])],
        selection=dg.AssetSelection.assets(*refresh_selection(defs)),
        instance=instance,
        resources=defs.resources or {},
        run_config=_RUN_CONFIG,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: start,
            ASSET_PARTITION_RANGE_END_TAG: end,
        },
        raise_on_error=False,
    )
    _raise_on_failure(result, "refresh")
    return RefreshResult(run_ids=[result.run_id], failed_checks=_failed_checks(result))
