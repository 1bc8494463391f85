"""Analysts never hit a lock and never see half a refresh.

Reader PROCESSES loop on data/analytics.duckdb while the `analytics/snapshot` asset republishes
it through Dagster again and again from a warehouse whose marts change between publishes (the
only step of a refresh that touches the snapshot). Every read must succeed and see one snapshot:
the tables' row counts match that snapshot's marts.snapshot_manifest, and every table carries the
same version. A publish that fails half-way leaves the published snapshot exactly as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.publish import build_publish_asset
from orchestration.resources import WarehouseResource

pytestmark = pytest.mark.e2e

READERS = 3
PUBLISHES = 6

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    snapshot, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    with out.open("w") as log:
        while not stop.exists():
            record = {"snapshot_id": None, "consistent": None, "error": None}
            try:
                con = duckdb.connect(str(snapshot), read_only=True)
                try:
                    manifest = con.execute(
                        "select snapshot_id, table_name, row_count from marts.snapshot_manifest"
                    ).fetchall()
                    counts = {
                        name: con.execute(f"select count(*) from {name}").fetchone()[0]
                        for _, name, _ in manifest
                    }
                    versions = {
                        v
                        for _, name, _ in manifest
                        for (v,) in con.execute(f"select distinct version from {name}").fetchall()
                    }
                finally:
                    con.close()
                record["snapshot_id"] = manifest[0][0]
                record["consistent"] = (
                    len({sid for sid, _, _ in manifest}) == 1
                    and all(counts[name] == rows for _, name, rows in manifest)
                    and len(versions) == 1
                )
            except Exception as error:
                record["error"] = f"{type(error).__name__}: {error}"
            log.write(json.dumps(record) + "\\n")
            log.flush()
    """
)


def _build_marts(warehouse: Path, version: int) -> None:
    """Three marts whose sizes and contents depend on the version (old and new never match)."""
    con = duckdb.connect(str(warehouse))
    con.execute("create schema if not exists marts")
    for table, scale in (("fct_kpi_observations", 3000), ("mart_alerts", 200), ("dim_kpi", 110)):
        rows = scale + version * 7
        con.execute(
            f"create or replace table marts.{table} as "
            f"select range as id, {version} as version, repeat('x', 40) as padding "
            f"from range({rows})"
        )
    con.close()


def _publish(warehouse: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_publish_asset()],
        instance=instance,
        resources={"warehouse": WarehouseResource(database=str(warehouse))},
        raise_on_error=False,
    )


def _snapshot_id(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select distinct snapshot_id from marts.snapshot_manifest").fetchone()[0]
    finally:
        con.close()


def test_readers_see_the_old_or_the_new_snapshot_never_a_mix(isolated_data_dir, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    snapshot = isolated_data_dir / "analytics.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    _build_marts(warehouse, 1)
    assert _publish(warehouse, instance).success
    published = [_snapshot_id(snapshot)]

    stop = tmp_path / "stop"
    logs = [tmp_path / f"reader{i}.jsonl" for i in range(READERS)]
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(snapshot), str(stop), str(log)])
        for log in logs
    ]
    try:
        # Let every reader get going on the first snapshot before the refreshes start.
        deadline = time.monotonic() + 60
        while not all(log.exists() and log.stat().st_size for log in logs):
            assert time.monotonic() < deadline, "readers did not start"
            time.sleep(0.1)
        for version in range(2, PUBLISHES + 1):
            _build_marts(warehouse, version)
            result = _publish(warehouse, instance)
            assert result.success
            published.append(_snapshot_id(snapshot))
            time.sleep(0.2)
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)

    reads = [json.loads(line) for log in logs for line in log.read_text().splitlines()]
    errors = [r["error"] for r in reads if r["error"]]
    assert errors == []
    assert all(r["consistent"] for r in reads)
    seen = {r["snapshot_id"] for r in reads}
    assert seen <= set(published)
    assert len(seen) >= 2, "the readers never overlapped a publish"
    assert len(set(published)) == PUBLISHES
    # No leftovers: one database, one Parquet folder behind the link.
    assert sorted(p.name for p in isolated_data_dir.iterdir() if p.name.startswith(".")) == [
        f".analytics_parquet.{published[-1]}"
    ]
    parquet = isolated_data_dir / "analytics_parquet"
    assert parquet.is_symlink()
    assert sorted(p.name for p in parquet.iterdir()) == [
        "dim_kpi.parquet",
        "fct_kpi_observations.parquet",
        "mart_alerts.parquet",
    ]


def test_a_publish_that_fails_half_way_leaves_the_snapshot_as_it_was(
    isolated_data_dir, tmp_path, monkeypatch
):
    import orchestration.publish as publish

    warehouse = tmp_path / "warehouse.duckdb"
    snapshot = isolated_data_dir / "analytics.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    _build_marts(warehouse, 1)
    assert _publish(warehouse, instance).success
    before = snapshot.read_bytes()
    parquet_target = (isolated_data_dir / "analytics_parquet").resolve()

    _build_marts(warehouse, 2)

    def disk_full(*args, **kwargs):  # the new DuckDB file is written; Parquet then fails
        raise RuntimeError("simulated failure while writing Parquet")

    monkeypatch.setattr(publish, "_write_parquet", disk_full)
    result = _publish(warehouse, instance)

    assert not result.success
    # Not a transient error: failed at once, no retries.
    retries = [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert retries == []
    assert snapshot.read_bytes() == before
    assert (isolated_data_dir / "analytics_parquet").resolve() == parquet_target
    assert sorted(p.name for p in isolated_data_dir.iterdir() if p.name.startswith(".")) == [
        parquet_target.name
    ]
