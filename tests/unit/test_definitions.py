"""The code location loads, and its asset keys are reviewed like code (snapshot)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.contract import load_contract
from orchestration.definitions import build_definitions
from orchestration.settings import PROJECT_ROOT

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "asset_keys.txt"


def _asset_keys() -> list[str]:
    graph = build_definitions().resolve_asset_graph()
    return sorted(key.to_user_string() for key in graph.get_all_asset_keys())


def test_dagster_definitions_validate(dbt_manifest, tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    dagster = Path(sys.executable).with_name("dagster")
    completed = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Validation successful" in completed.stdout + completed.stderr


def test_every_contract_extract_is_an_ingest_asset_with_a_quality_check(dbt_manifest):
    defs = build_definitions()
    keys = set(_asset_keys())
    check_keys = {
        (key.asset_key.to_user_string(), key.name)
        for check in defs.asset_checks or []
        for key in check.check_keys
    }
    for extract in load_contract():
        raw_key = "/".join(extract.asset_key_path)
        assert raw_key in keys
        assert (raw_key, "gx_completeness") in check_keys


def test_asset_keys_match_snapshot(dbt_manifest):
    """Renaming an asset breaks lineage and history: the diff of this file shows it in review.
    Refresh it with `UPDATE_SNAPSHOTS=1 pytest tests/unit/test_definitions.py`."""
    keys = "\n".join(_asset_keys()) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(keys)
    assert SNAPSHOT.read_text() == keys
