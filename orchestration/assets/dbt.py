"""dbt models, seeds and tests as Dagster assets and asset checks.

Two asset definitions over one dbt project (dagster-open-platform style):
- the incremental models (the biggest, event-level staging tables) on the daily partitions of
  ingest, with the partition window handed to dbt as vars {min_date, max_date}; a backfill of any
  range is one run and one `dbt build` (BackfillPolicy.single_run);
- every other model, seed and test, unpartitioned, rebuilt from those tables on each refresh.

The manifest is built at install time (`scorecard prepare`, run by `make install`), never at
import time (DESIGN.md §9). dbt sources map to the ingest assets' keys, so lineage runs from the
landing files to the marts.
"""

import json
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.partitions import daily_partitions
from orchestration.resources import WRITER_POOL
from orchestration.retries import TRANSIENT_RETRY, is_transient
from orchestration.settings import (
    DBT_PROJECT_DIR,
    dbt_environment,
    dbt_executable,
    get_settings,
)

INCREMENTAL_MODELS = "config.materialized:incremental"
# A run tag that pins the KPIs' evaluation time (catalogue §1.1), set by the schedules so that a
# re-execution of a tick computes the same numbers as the tick did.
AS_OF_TAG = "scorecard/as_of"


class ManifestMissingError(RuntimeError):
    """The dbt manifest has not been built: run `make install` (or `scorecard prepare`)."""


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR)


def prepare_manifest() -> None:
    """Parse the dbt project into target/manifest.json (install/build time only)."""
    os.environ.update(dbt_environment())
    project = dbt_project()
    project.preparer.prepare(project)


class ScorecardTranslator(DagsterDbtTranslator):
    """Sources become the ingest assets (`raw/<identifier>`); groups are layer and domain."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["identifier"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return group_for_fqn(dbt_resource_props.get("fqn", []))


def group_for_fqn(fqn: list[str]) -> str:
    """The UI group of a model from its folder: `<layer>` or `<layer>_<domain>`.

    ['scorecard', 'staging', 'dialer', 'stg_dialer__calls'] -> 'staging' (one group per layer:
    forty source systems would drown the view); ['scorecard', 'intermediate', 'kpi', 'finance',
    'int_kpi_finance_margins'] -> 'intermediate_finance'; ['scorecard', 'marts', 'scorecard',
    'mart_scorecard_client'] -> 'marts_scorecard'. The `kpi` folder level is only a namespace.
    """
    folders = [part for part in fqn[1:-1] if part != "kpi"]
    if not folders:
        return "dbt"
    layer = folders[0]
    if layer == "staging" or len(folders) == 1:
        return layer
    return f"{layer}_{folders[1]}"


def partition_window_vars(first_day: date, last_day: date) -> dict[str, str]:
    """dbt vars for a window of daily partitions: min_date inclusive, max_date exclusive."""
    if last_day < first_day:
        raise ValueError(f"partition window {first_day}...{last_day} ends before it starts")
    return {
        "min_date": first_day.isoformat(),
        "max_date": (last_day + timedelta(days=1)).isoformat(),
    }


def dbt_vars(as_of: datetime | None = None) -> dict[str, str]:
    """The run's evaluation time and the first day of the date spine."""
    settings = get_settings()
    as_of = as_of or settings.as_of()
    return {
        "as_of": as_of.isoformat(sep=" "),
        "spine_start": settings.partitions_start.isoformat(),
    }


def run_as_of(context: dg.AssetExecutionContext) -> datetime | None:
    """The as-of time a schedule pinned on this run, if any (naive UTC)."""
    raw = context.run.tags.get(AS_OF_TAG)
    return datetime.fromisoformat(raw) if raw else None


_TRANSIENT_DBT = re.compile(r"could not set lock|database is locked|resource temporarily", re.I)


def _stop(process: subprocess.Popen, grace_seconds: float = 20.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _stream_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, args: list[str]
) -> Iterator[Any]:
    """Run `dbt build`; a lock conflict is retried (RetryPolicy), a model or test error is not."""
    os.environ.update(dbt_environment())
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    try:
        yield from invocation.stream()
    except BaseException:
        # dagster-dbt stops dbt only on an interrupt. On any other error the step stops reading
        # dbt's output, dbt blocks on a full pipe while holding the warehouse's write lock, and
        # the retry waits on that lock for ever: stop dbt before the error propagates.
        _stop(invocation.process)
        raise
    error = invocation.get_error()
    if error is None:
        return
    if _TRANSIENT_DBT.search(str(error)) or is_transient(error):
        raise error
    # A failing model or test gives the same answer on a retry: fail at once, keep the log.
    raise dg.Failure(description=str(error), allow_retries=False)


class IncrementalBuildConfig(dg.Config):
    """Run config of the incremental models (the launchpad in the UI)."""

    full_refresh: bool = False
    """Rebuild the incremental tables from every delivery (e.g. after a staging model changed)."""


def manifest_path() -> Path:
    """The prepared manifest, or a clear error naming the command that builds it."""
    path = dbt_project().manifest_path
    if not path.exists():
        raise ManifestMissingError(
            f"{path} does not exist: run `make install` (or `scorecard prepare`) "
            "to build the dbt manifest"
        )
    return path


def build_dbt_assets() -> list[dg.AssetsDefinition]:
    manifest = manifest_path()

    @dbt_assets(
        manifest=manifest,
        project=dbt_project(),
        dagster_dbt_translator=ScorecardTranslator(),
        select=INCREMENTAL_MODELS,
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=TRANSIENT_RETRY,
        pool=WRITER_POOL,
        name="scorecard_dbt_incremental_models",
    )
    def scorecard_dbt_incremental_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, config: IncrementalBuildConfig
    ) -> Iterator[Any]:
        window = context.partition_time_window
        # Partition windows are [start, end) in the business time zone; keys are local dates.
        first_day = window.start.date()
        last_day = (window.end - timedelta(days=1)).date()
        dbt_args = {**dbt_vars(run_as_of(context)), **partition_window_vars(first_day, last_day)}
        context.log.info(f"incremental window {first_day}..{last_day}")
        args = [
            "build",
            "--exclude-resource-type",
            "unit_test",
            # Only tests whose every parent is built here; a relationship test against a model
            # of the other asset definition (e.g. calls -> employees) runs with that one, after
            # it exists, and is logged there as an observation.
            "--indirect-selection",
            "cautious",
            "--vars",
            json.dumps(dbt_args),
            *(["--full-refresh"] if config.full_refresh else []),
        ]
        yield from _stream_build(context, dbt, args)

    @dbt_assets(
        manifest=manifest,
        project=dbt_project(),
        dagster_dbt_translator=ScorecardTranslator(),
        exclude=INCREMENTAL_MODELS,
        retry_policy=TRANSIENT_RETRY,
        pool=WRITER_POOL,
        name="scorecard_dbt_models",
    )
    def scorecard_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource
    ) -> Iterator[Any]:
        # dbt unit tests check KPI logic on fixtures; they run in the test suite, not every refresh.
        args = [
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(dbt_vars(run_as_of(context))),
        ]
        yield from _stream_build(context, dbt, args)

    return [scorecard_dbt_incremental_models, scorecard_dbt_models]


def unowned_source_specs(produced: set[dg.AssetKey]) -> list[dg.AssetSpec]:
    """dbt sources that no asset produces (tables written as a side effect, e.g. the loader's
    raw.load_log), declared as external assets in the group of their schema instead of
    Dagster's `default` group."""
    manifest = json.loads(manifest_path().read_text())
    specs = []
    for source in manifest["sources"].values():
        key = dg.AssetKey([source["schema"], source["identifier"]])
        if key in produced:
            continue
        specs.append(
            dg.AssetSpec(
                key=key,
                group_name=source["schema"],
                description=source.get("description") or None,
                kinds={"duckdb"},
            )
        )
    return sorted(specs, key=lambda spec: spec.key.to_user_string())


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=str(dbt_executable()))
