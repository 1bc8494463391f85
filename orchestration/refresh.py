"""Materialise the whole pipeline through Dagster: ingest a partition range, then everything
downstream (dbt seeds, models and tests, GX checks)."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

# Dagster exposes no public name for the tags of a single-run partition range.
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.definitions import build_definitions

# In-process runs log to the terminal; DEBUG events drown the useful lines there.
_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


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
        raise RefreshFailed(
            f"{what} failed in run {result.run_id}: steps {failed or 'unknown'}; "
            "see the run in the Dagster UI (`make ui`)"
        )


def _failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    failed = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failed


def refresh(start: str, end: str, instance: dg.DagsterInstance | None = None) -> RefreshResult:
    """Ingest daily partitions start..end (one run), then build everything downstream."""
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    partitioned = [k for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned]
    unpartitioned = [
        k
        for k in graph.get_all_asset_keys()
        if not graph.get(k).is_partitioned and graph.get(k).is_materializable
    ]
    assets = list(defs.assets or [])
    checks = list(defs.asset_checks or [])
    resources = defs.resources or {}
    run_ids, failed_checks = [], []

    ingest = dg.materialize(
        [*assets, *checks],
        selection=dg.AssetSelection.assets(*partitioned),
        instance=instance,
        resources=resources,
        run_config=_RUN_CONFIG,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: start,
            ASSET_PARTITION_RANGE_END_TAG: end,
        },
        raise_on_error=False,
    )
    _raise_on_failure(ingest, "ingest")
    run_ids.append(ingest.run_id)
    failed_checks += _failed_checks(ingest)

    downstream = dg.materialize(
        [*assets, *checks],
        selection=dg.AssetSelection.assets(*unpartitioned),
        instance=instance,
        resources=resources,
        run_config=_RUN_CONFIG,
        raise_on_error=False,
    )
    _raise_on_failure(downstream, "transform")
    run_ids.append(downstream.run_id)
    failed_checks += _failed_checks(downstream)
    return RefreshResult(run_ids=run_ids, failed_checks=failed_checks)
