"""Every mart and every mart column is described in the dbt manifest (so in dbt docs), and
`scorecard docs` writes the docs of the published marts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb


def _mart_models(manifest_path: Path) -> dict[str, dict]:
    manifest = json.loads(manifest_path.read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


def test_every_mart_and_mart_column_in_yaml_has_a_description(dbt_manifest):
    models = _mart_models(dbt_manifest)
    assert len(models) >= 15
    undocumented = sorted(name for name, node in models.items() if not node["description"].strip())
    assert undocumented == [], "marts without a description"
    missing = sorted(
        f"{name}.{column}"
        for name, node in models.items()
        for column, spec in node["columns"].items()
        if not (spec.get("description") or "").strip()
    )
    assert missing == [], "mart columns without a description"


def test_every_published_column_is_documented(dbt_manifest, demo_warehouse):
    """A column a model outputs but its YAML does not list would be undocumented in dbt docs.
    (The snapshot may hold publish bookkeeping that is not a dbt model; that is not a mart.)"""
    models = _mart_models(dbt_manifest)
    con = duckdb.connect(str(demo_warehouse.analytics_path), read_only=True)
    try:
        published = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by 1, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    assert published
    assert set(models) <= {table for table, _ in published}, "every mart model is published"
    undocumented = sorted(
        f"{table}.{column}"
        for table, column in published
        if table in models and column not in models[table]["columns"]
    )
    assert undocumented == []


def test_scorecard_docs_writes_the_docs_of_the_published_marts(demo_warehouse, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(demo_warehouse.analytics_path, data_dir / "analytics.duckdb")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("scorecard")), "docs"],
        env={**os.environ, "SCORECARD_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    docs = data_dir / "docs"
    catalog = json.loads((docs / "catalog.json").read_text())
    documented = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert {"mart_balanced_scorecard", "fct_kpi_observations", "dim_kpi"} <= documented
    page = (docs / "static_index.html").read_text()
    assert "mart_balanced_scorecard" in page and len(page) > 1_000_000
