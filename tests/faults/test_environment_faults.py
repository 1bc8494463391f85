"""Faults of the machine and of the deliveries, run through the Dagster assets themselves:

- the disk fills up during ingest or publish (a real tmpfs of a few MB: ENOSPC, not a mock);
- the data directory is read-only;
- a source delivers nothing for a day, then the file arrives late;
- the same file is delivered twice.

Each ends in an error that names the path, or in a named status in `raw.load_log`, and leaves
what was committed before exactly as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

# Dagster exposes no public name for the tags of a single-run partition range.
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from faultkit import (
    database_differences,
    partition_accounting,
    read_only,
    requested,
    resize_tmpfs,
    table_checksums,
    tmpfs,
)

from orchestration.contract import get_extract
from orchestration.ingest.loader import load_partitions
from orchestration.resources import WarehouseResource

TICKETS, CALLS = "support__tickets", "dialer__calls"


@pytest.fixture(scope="module")
def defs(demo_warehouse) -> dg.Definitions:
    from orchestration.definitions import build_definitions

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCORECARD_PARTITIONS_START", demo_warehouse.start.isoformat())
        return build_definitions()


def _materialize(
    defs: dg.Definitions, identifier: str, start: str, end: str, warehouse: Path | None = None
) -> dg.ExecuteInProcessResult:
    """One ingest asset over start..end, in-process, as the refresh runs it."""
    resources = dict(defs.resources or {})
    if warehouse is not None:
        resources["warehouse"] = WarehouseResource(database=str(warehouse))
    return dg.materialize(
        [*(defs.assets or []), *(defs.asset_checks or [])],
        selection=dg.AssetSelection.assets(
            dg.AssetKey(get_extract(identifier).asset_key_path)
        ).without_checks(),
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        tags={ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end},
        raise_on_error=False,
    )


def _failure_messages(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        str(event.step_failure_data.error)
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.STEP_FAILURE
    )


def _point_at(monkeypatch, data_dir: Path, landing: Path) -> None:
    monkeypatch.setenv("SCORECARD_DATA_DIR", str(data_dir))
    if not (data_dir / "landing").exists():
        (data_dir / "landing").symlink_to(landing, target_is_directory=True)


def test_disk_full_during_ingest_names_the_file_and_keeps_what_was_committed(
    defs, demo_warehouse, tmp_path, monkeypatch
):
    landing = demo_warehouse.data_dir / "landing"
    with tmpfs(tmp_path / "disk", "3m") as disk:
        _point_at(monkeypatch, disk, landing)
        warehouse = disk / "warehouse.duckdb"
        assert _materialize(defs, TICKETS, "2025-03-03", "2025-03-07").success
        before = table_checksums(warehouse, ["raw"])

        # Twenty days of dialer calls do not fit in what is left of 3 MB.
        full = _materialize(defs, CALLS, "2025-03-01", "2025-03-20")
        assert not full.success
        message = _failure_messages(full)
        assert "No space left on device" in message and str(warehouse) in message, message
        after = table_checksums(warehouse, ["raw"])
        # The tickets and their load log are untouched; the calls table holds nothing half-done.
        assert after[f"raw.{TICKETS}"] == before[f"raw.{TICKETS}"]
        assert after["raw.load_log"] == before["raw.load_log"]
        assert after.get(f"raw.{CALLS}", (0, 0))[0] == 0

        resize_tmpfs(disk, "64m")  # space freed: the same run now completes
        assert _materialize(defs, CALLS, "2025-03-01", "2025-03-20").success
        clean = tmp_path / "clean.duckdb"
        with duckdb.connect(str(clean)) as con:
            days = [f"2025-03-{d:02d}" for d in range(1, 21)]
            load_partitions(con, get_extract(CALLS), landing, days)
        ours = table_checksums(warehouse, ["raw"])[f"raw.{CALLS}"]
        assert ours == table_checksums(clean, ["raw"])[f"raw.{CALLS}"]
        assert partition_accounting(warehouse) == []


def test_disk_full_during_publish_keeps_the_published_snapshot(
    defs, demo_warehouse, tmp_path, monkeypatch
):
    snapshot_size = demo_warehouse.analytics_path.stat().st_size
    working = tmp_path / "warehouse.duckdb"  # the working warehouse stays on the big disk
    shutil.copyfile(demo_warehouse.warehouse_path, working)
    size_mb = 3 * snapshot_size // 2**20 + 8
    with tmpfs(tmp_path / "disk", f"{size_mb}m") as disk:
        monkeypatch.setenv("SCORECARD_DATA_DIR", str(disk))
        monkeypatch.setenv("SCORECARD_AS_OF", demo_warehouse.as_of)  # the snapshot records it
        published = disk / "analytics.duckdb"
        shutil.copyfile(demo_warehouse.analytics_path, published)
        clean = demo_warehouse.analytics_path
        # Leave about a third of a snapshot free: the new file cannot be written whole.
        filler = disk / "filler"
        free = shutil.disk_usage(disk).free
        filler.write_bytes(b"\0" * max(free - snapshot_size // 3, 0))

        result = dg.materialize(
            [*(defs.assets or []), *(defs.asset_checks or [])],
            selection=dg.AssetSelection.assets(dg.AssetKey(["analytics", "snapshot"])),
            resources={
                **(defs.resources or {}),
                "warehouse": WarehouseResource(database=str(working)),
            },
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
        assert not result.success
        message = _failure_messages(result)
        assert "No space left on device" in message and str(disk) in message, message
        # Readers still get the whole previous snapshot, and the half-written one is gone
        # (it would hold the space the next attempt needs).
        assert database_differences(published, clean, ["marts"]) == {}
        assert sorted(p.name for p in disk.iterdir() if p.name.endswith((".new", ".wal"))) == []

        filler.unlink()
        result = dg.materialize(
            [*(defs.assets or []), *(defs.asset_checks or [])],
            selection=dg.AssetSelection.assets(dg.AssetKey(["analytics", "snapshot"])),
            resources={
                **(defs.resources or {}),
                "warehouse": WarehouseResource(database=str(working)),
            },
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
        assert result.success, _failure_messages(result)
        assert database_differences(published, clean, ["marts"]) == {}
        stale = sorted(p.name for p in disk.iterdir() if p.name.endswith((".new", ".wal")))
        assert stale == []


def test_read_only_data_directory_fails_naming_the_path_and_changes_nothing(
    defs, demo_warehouse, tmp_path, monkeypatch
):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _point_at(monkeypatch, data_dir, demo_warehouse.data_dir / "landing")
    assert _materialize(defs, TICKETS, "2025-03-03", "2025-03-05").success
    warehouse = data_dir / "warehouse.duckdb"
    before = table_checksums(warehouse, ["raw"])
    with read_only(data_dir):
        result = _materialize(defs, TICKETS, "2025-03-03", "2025-03-07")
        assert not result.success
        message = _failure_messages(result)
        assert str(warehouse) in message, message
        assert "Read-only file system" in message or "Permission denied" in message, message
    assert table_checksums(warehouse, ["raw"]) == before
    assert _materialize(defs, TICKETS, "2025-03-03", "2025-03-07").success  # writable again


def _load_log(warehouse: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select partition_key, status, rows_loaded, message from raw.load_log "
            "where raw_table = ? order by loaded_at, partition_key",
            [table],
        ).fetchall()


def test_missing_day_is_named_then_the_late_file_is_picked_up_once_and_loaded(
    defs, demo_warehouse, tmp_path, monkeypatch
):
    from orchestration.sensors import new_extracts_sensor

    extract = get_extract(TICKETS)
    landing = tmp_path / "landing"
    days = [f"2025-03-0{d}" for d in range(3, 8)]
    for day in days:
        target = extract.landing_file(landing, day)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(extract.landing_file(demo_warehouse.data_dir / "landing", day), target)
    late = extract.landing_file(landing, "2025-03-05")
    held_back = late.read_bytes()
    late.unlink()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _point_at(monkeypatch, data_dir, landing)

    ticks = dg.build_sensor_context(cursor=None)
    first = new_extracts_sensor(ticks)
    assert requested(first) == {(TICKETS, d) for d in days if d != "2025-03-05"}
    result = _materialize(defs, TICKETS, days[0], days[-1])
    assert result.success
    [materialization] = [
        m for m in result.get_asset_materialization_events() if m.partition == days[0]
    ]
    metadata = materialization.materialization.metadata
    assert metadata["files_missing"].value == 1 and metadata["files_loaded"].value == 4
    warehouse = data_dir / "warehouse.duckdb"
    missing = [row for row in _load_log(warehouse, extract.raw_table) if row[1] == "missing"]
    assert [(r[0], r[3]) for r in missing] == [
        ("2025-03-05", "MissingExtract: no file delivered for this partition")
    ]

    late.write_bytes(held_back)  # the file arrives two days late
    next_tick = dg.build_sensor_context(cursor=ticks.cursor)
    second = new_extracts_sensor(next_tick)
    assert requested(second) == {(TICKETS, "2025-03-05")}
    third = new_extracts_sensor(dg.build_sensor_context(cursor=next_tick.cursor))
    assert isinstance(third, dg.SkipReason)  # requested once, not on every tick
    assert _materialize(defs, TICKETS, "2025-03-05", "2025-03-05").success

    clean = tmp_path / "clean.duckdb"
    with duckdb.connect(str(clean)) as con:
        load_partitions(con, extract, landing, days)
    key = f"raw.{TICKETS}"
    assert table_checksums(warehouse, ["raw"])[key] == table_checksums(clean, ["raw"])[key]
    assert partition_accounting(warehouse) == []


def test_the_same_file_delivered_twice_loads_once(defs, demo_warehouse, tmp_path, monkeypatch):
    extract = get_extract(TICKETS)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    landing = tmp_path / "landing"
    source = extract.landing_file(demo_warehouse.data_dir / "landing", "2025-03-04")
    for day in ("2025-03-04", "2025-03-05"):  # the 4th's export, delivered again as the 5th
        target = extract.landing_file(landing, day)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    _point_at(monkeypatch, data_dir, landing)
    assert _materialize(defs, TICKETS, "2025-03-04", "2025-03-05").success
    # Re-delivered for its own day too (the sensor sees a new version): still once.
    extract.landing_file(landing, "2025-03-04").touch()
    assert _materialize(defs, TICKETS, "2025-03-04", "2025-03-04").success
    warehouse = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows, distinct = con.execute(
            f"select count(*), count(distinct ticket_id) from {extract.raw_table}"
        ).fetchone()
    expected = sum(1 for line in source.read_text().splitlines()[1:] if line.strip())
    assert rows == distinct == expected
    statuses = [(r[0], r[1]) for r in _load_log(warehouse, extract.raw_table)]
    assert statuses == [
        ("2025-03-04", "loaded"),
        ("2025-03-05", "duplicate"),
        ("2025-03-04", "loaded"),
    ]
    assert partition_accounting(warehouse) == []
