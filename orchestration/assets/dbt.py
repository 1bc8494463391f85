"""dbt models, seeds and tests as Dagster assets and asset checks.
The manifest is built at install time (`scorecard prepare`, run by `make install`), never at
import time (DESIGN.md §9). dbt sources map to the ingest assets' keys, so lineage runs from the
landing files to the marts.
"""

import json
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import WRITER_POOL
from orchestration.settings import (
    DBT_PROJECT_DIR,
    dbt_environment,
    dbt_executable,
    get_settings,
)


class ManifestMissingError(RuntimeError):
    """The dbt manifest has not been built: run `make install` (or `scorecard prepare`)."""


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR)


def prepare_manifest() -> None:
    """Parse the dbt project into target/manifest.json (install/build time only)."""
    import os

    os.environ.update(dbt_environment())
    project = dbt_project()
    project.preparer.prepare(project)


class ScorecardTranslator(DagsterDbtTranslator):
    """Sources become the ingest assets (`raw/<identifier>`); groups follow the dbt layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["identifier"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "dbt"
        return layer


def dbt_vars() -> dict[str, str]:
    settings = get_settings()
    return {
        "as_of": settings.as_of().isoformat(sep=" "),
        "spine_start": settings.partitions_start.isoformat(),
    }


def build_dbt_assets() -> dg.AssetsDefinition:
    manifest_path = dbt_project().manifest_path
    if not manifest_path.exists():
        raise ManifestMissingError(
            f"{manifest_path} does not exist: run `make install` (or `scorecard prepare`) "
            "to build the dbt manifest"
        )

    @dbt_assets(
        manifest=manifest_path,
        project=dbt_project(),
        dagster_dbt_translator=ScorecardTranslator(),
        pool=WRITER_POOL,
    )
    def scorecard_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource
    ) -> Iterator[Any]:
        import os

        os.environ.update(dbt_environment())
        # dbt unit tests check KPI logic on fixtures; they run in the test suite, not every refresh.
        args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_vars())]
        yield from dbt.cli(args, context=context).stream()

    return scorecard_dbt_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=str(dbt_executable()))
