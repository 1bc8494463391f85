"""dbt docs for the published marts, generated from a copy of the analytics snapshot.

`dbt docs generate` reads the column types of the catalog from the database; pointing it at a
throwaway copy of the snapshot keeps it off the working warehouse (which a refresh may hold
locked) and documents exactly what analysts can query. `--no-compile` reuses the manifest built
by `scorecard prepare`; `--static` writes one self-contained page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from orchestration.reports.snapshot import REBUILD_HINT, SnapshotMissing
from orchestration.settings import DBT_PROJECT_DIR, Settings, dbt_environment, dbt_executable

DOCS_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


class DocsFailed(RuntimeError):
    pass


def generate_docs(settings: Settings) -> Path:
    """Write data/docs/ (index.html opens offline); returns the page's path."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        raise DocsFailed(f"{manifest} is missing: run `make install` (or `scorecard prepare`)")
    if not settings.analytics_path.exists():
        raise SnapshotMissing(
            f"the analytics snapshot {settings.analytics_path} does not exist: {REBUILD_HINT}"
        )
    docs_dir = settings.data_dir / "docs"
    with tempfile.TemporaryDirectory(prefix="scorecard-docs-") as tmp:
        work = Path(tmp)
        target = work / "target"
        target.mkdir()
        shutil.copyfile(manifest, target / "manifest.json")
        database = work / "catalog_source.duckdb"
        shutil.copyfile(settings.analytics_path, database)
        env = {**dbt_environment(settings), "SCORECARD_WAREHOUSE_PATH": str(database)}
        completed = subprocess.run(
            [
                str(dbt_executable()),
                "docs",
                "generate",
                "--no-compile",
                "--static",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(target),
                "--log-path",
                str(work / "logs"),
            ],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise DocsFailed(
                "dbt docs generate failed:\n" + (completed.stdout + completed.stderr)[-3000:]
            )
        docs_dir.mkdir(parents=True, exist_ok=True)
        for name in DOCS_FILES:
            shutil.copyfile(target / name, docs_dir / name)
    return docs_dir / "static_index.html"
