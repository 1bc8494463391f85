"""The persistent Dagster instance under $DAGSTER_HOME, so CLI runs show up in the UI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from orchestration.settings import get_settings

TEMPLATE = Path(__file__).with_name("dagster.yaml")


def ensure_dagster_home() -> Path:
    home = get_settings().dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(TEMPLATE, config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance() -> dg.DagsterInstance:
    from orchestration.recovery import release_dead_runs

    ensure_dagster_home()
    instance = dg.DagsterInstance.get()
    # A run killed mid-way would hold the duckdb_writer pool slot forever (recovery.py).
    release_dead_runs(instance)
    return instance
