"""Tools of the fault suite: run a pipeline stage in a child process, SIGKILL it at a chosen
point, and compare warehouses by per-table checksums.

A stage child is `tests/benchmarks/run_stage.py` (the benchmark's own runner), started in its own
session so that SIGKILL reaches the whole process group: Dagster, and dbt under it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

RUN_STAGE = Path(__file__).resolve().parents[1] / "benchmarks" / "run_stage.py"

# Audit stamps that differ between two runs of the same data by design (wall-clock times, ids
# of runs and snapshots).
VOLATILE_COLUMNS = frozenset(
    {
        "_loaded_at",
        "loaded_at",
        "quarantined_at",
        "evaluated_at",
        "last_evaluated_at",
        "run_id",
        "published_at",
        "snapshot_id",
    }
)
# Stamp tables: the snapshot's manifest (its id, run, time and the row count of each table, which
# counts every attempt of a log table) describes the snapshot; its tables are compared directly.
VOLATILE_TABLES = frozenset({"marts.snapshot_manifest"})
# Tables that keep one row per attempt (a log: the load log, and whatever records its run id):
# compared as sets once the stamps are dropped, so a killed attempt followed by a re-run equals
# one clean attempt. Every other table is compared row for row, duplicates included.
HISTORY_TABLES = frozenset({"raw.load_log"})
HISTORY_MARKERS = frozenset({"run_id"})


def _is_log(schema: str, table: str, columns: Iterable[str]) -> bool:
    return f"{schema}.{table}" in HISTORY_TABLES or any(c in HISTORY_MARKERS for c in columns)


def stage_env(data_dir: Path, partitions_start: str, as_of: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SCORECARD_DATA_DIR=str(data_dir),
        DAGSTER_HOME=str(data_dir / "dagster"),
        SCORECARD_PARTITIONS_START=partitions_start,
        SCORECARD_AS_OF=as_of,
        PYTHONUNBUFFERED="1",
    )
    return env


def stage_command(stage: str, start: str, end: str, *options: str) -> list[str]:
    return [sys.executable, str(RUN_STAGE), stage, "--start", start, "--end", end, *options]


@dataclass(frozen=True)
class ChildOutcome:
    killed: bool
    returncode: int
    output: str
    marker_lines: int  # lines matching the marker seen before the kill (or in total)

    def stage_outcome(self) -> dict:
        for line in reversed(self.output.splitlines()):
            if line.startswith("STAGE_OUTCOME "):
                return json.loads(line.removeprefix("STAGE_OUTCOME "))
        raise AssertionError(f"the stage child printed no outcome:\n{self.output[-3000:]}")


def run_child(
    command: list[str],
    env: dict[str, str],
    *,
    kill_at: tuple[str, int, float] | None = None,
    timeout: float = 600,
) -> ChildOutcome:
    """Run `command`; with kill_at=(regex, n, delay_s), SIGKILL its process group `delay_s` after
    the n-th output line matching regex. Output is stdout and stderr merged."""
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    watchdog = threading.Timer(timeout, lambda: _kill_group(process))
    watchdog.start()
    pattern, nth, delay = kill_at if kill_at else (None, 0, 0.0)
    seen, killed, lines = 0, False, []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            lines.append(line)
            if pattern and not killed and re.search(pattern, line):
                seen += 1
                if seen == nth:
                    time.sleep(delay)
                    killed = _kill_group(process)
        process.wait()
    finally:
        watchdog.cancel()
        _kill_group(process)  # nothing of the group may outlive the test
    return ChildOutcome(killed, process.returncode, "".join(lines), seen)


def _kill_group(process: subprocess.Popen) -> bool:
    try:
        os.killpg(process.pid, signal.SIGKILL)
        return True
    except ProcessLookupError:
        return False


def run_stage_child(
    stage: str, start: str, end: str, env: dict[str, str], *options: str, **kwargs
) -> ChildOutcome:
    return run_child(stage_command(stage, start, end, *options), env, **kwargs)


def assert_completed(outcome: ChildOutcome) -> dict:
    assert outcome.returncode == 0 and not outcome.killed, outcome.output[-4000:]
    result = outcome.stage_outcome()
    assert result["failed_steps"] == [], result
    return result


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()


def _expression(name: str, data_type: str) -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    # Parallel aggregation may change the last bits of a double from run to run.
    if data_type in ("DOUBLE", "FLOAT", "REAL") or data_type.startswith("DECIMAL"):
        return f"round({quoted}, 6)"
    return quoted


def table_checksums(
    database: Path, schemas: Iterable[str], volatile: frozenset[str] = VOLATILE_COLUMNS
) -> dict[str, tuple[int, int]]:
    """{schema.table: (rows, checksum)} of every base table in `schemas`, stamps left out.

    A log table (one with an attempt stamp) is compared as a set of distinct rows."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_type = 'BASE TABLE' "
            "and table_schema in (select unnest(?)) order by 1, 2",
            [list(schemas)],
        ).fetchall()
        sums = {}
        for schema, table in tables:
            if f"{schema}.{table}" in VOLATILE_TABLES:
                continue
            columns = _columns(con, schema, table)
            kept = [_expression(n, t) for n, t in columns if n not in volatile]
            is_log = _is_log(schema, table, (n for n, _ in columns))
            source = f'{schema}."{table}"'
            rows = f"select {'distinct ' if is_log else ''}{', '.join(kept)} from {source}"
            sums[f"{schema}.{table}"] = con.execute(
                f"select count(*), coalesce(sum(hash(r)), 0) from ({rows}) as r"
            ).fetchone()
        return sums
    finally:
        con.close()


def differing(left: dict, right: dict) -> dict[str, tuple]:
    """Tables whose (rows, checksum) differ, with both sides (None = missing on that side)."""
    return {
        name: (left.get(name), right.get(name))
        for name in sorted(set(left) | set(right))
        if left.get(name) != right.get(name)
    }


def _frozen(value):
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def _rows(database: Path, table: str, volatile: frozenset[str]) -> tuple[list[str], list[tuple]]:
    schema, name = table.split(".", 1)
    con = duckdb.connect(str(database), read_only=True)
    try:
        columns = [(n, t) for n, t in _columns(con, schema, name) if n not in volatile]
        is_log = _is_log(schema, name, (n for n, _ in _columns(con, schema, name)))
        select = ", ".join('"' + n.replace('"', '""') + '"' for n, _ in columns)
        rows = con.execute(
            f'select {"distinct " if is_log else ""}{select} from {schema}."{name}"'
        ).fetchall()
        return [t for _, t in columns], [tuple(_frozen(v) for v in row) for row in rows]
    finally:
        con.close()


def _tolerant_difference(left: Path, right: Path, table: str, volatile: frozenset[str]) -> str:
    """'' when the table holds the same rows on both sides, doubles equal to 1e-9 relative
    (parallel sums may order additions differently); else what differs."""
    import math
    from collections import Counter, defaultdict

    types, left_rows = _rows(left, table, volatile)
    _, right_rows = _rows(right, table, volatile)
    floats = [i for i, t in enumerate(types) if t in ("DOUBLE", "FLOAT", "REAL")]
    exact = [i for i in range(len(types)) if i not in floats]

    def split(rows):
        groups = defaultdict(list)
        for row in rows:
            groups[tuple(row[i] for i in exact)].append(tuple(row[i] for i in floats))
        return groups

    a, b = split(left_rows), split(right_rows)
    if Counter({k: len(v) for k, v in a.items()}) != Counter({k: len(v) for k, v in b.items()}):
        only = set(a) ^ set(b)
        return (
            f"rows differ ({len(left_rows)} vs {len(right_rows)}; e.g. {sorted(only, key=str)[:2]})"
        )
    for key, values in a.items():
        for x, y in zip(sorted(values, key=str), sorted(b[key], key=str), strict=True):
            for u, v in zip(x, y, strict=True):
                same = (u is None and v is None) or (
                    u is not None
                    and v is not None
                    and math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-9)
                )
                if not same:
                    return f"values differ for {key[:4]}: {x[:4]} vs {y[:4]}"
    return ""


def database_differences(
    left: Path, right: Path, schemas: Iterable[str], volatile: frozenset[str] = VOLATILE_COLUMNS
) -> dict[str, str]:
    """{schema.table: what differs} between two databases, empty when they hold the same data
    (stamps left out, logs as sets, doubles to 1e-9)."""
    schemas = list(schemas)
    ours, theirs = (
        table_checksums(left, schemas, volatile),
        table_checksums(right, schemas, volatile),
    )
    found = {}
    for name in sorted(set(ours) | set(theirs)):
        if name not in ours or name not in theirs:
            found[name] = "missing on the left" if name not in ours else "missing on the right"
        elif ours[name] != theirs[name]:
            difference = _tolerant_difference(left, right, name, volatile)
            if difference:
                found[name] = difference
    return found


def schemas_of(database: Path) -> list[str]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [
            row[0]
            for row in con.execute(
                "select distinct table_schema from information_schema.tables "
                "where table_catalog = current_database() order by 1"
            ).fetchall()
        ]
    finally:
        con.close()


def partition_accounting(database: Path) -> list[tuple]:
    """Partitions whose raw rows differ from what their latest load says was loaded: a
    duplicate or a lost row shows up here."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = [
            row[0] for row in con.execute("select distinct raw_table from raw.load_log").fetchall()
        ]
        problems = []
        for table in tables:
            problems += con.execute(
                f"""
                with latest as (
                    select partition_key, rows_loaded from raw.load_log
                    where raw_table = ? and status in ('loaded', 'rejected')
                    qualify row_number() over (
                        partition by partition_key order by loaded_at desc) = 1
                ),
                actual as (
                    select cast(_partition as varchar) as partition_key, count(*) as rows
                    from {table} group by 1
                )
                select ?, coalesce(l.partition_key, a.partition_key), l.rows_loaded, a.rows
                from latest as l full join actual as a using (partition_key)
                where coalesce(l.rows_loaded, 0) <> coalesce(a.rows, 0)
                """,
                [table, table],
            ).fetchall()
        return problems
    finally:
        con.close()


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A RAM file system of `size` at `path`: a disk that really fills up (ENOSPC)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def resize_tmpfs(path: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """`path` read-only for this process: a read-only bind mount as root (root ignores file
    modes), file modes otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
            yield path
        finally:
            subprocess.run(["umount", "-l", str(path)], check=False)
        return
    modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")]}
    for p, mode in modes.items():
        p.chmod(mode & ~0o222)
    try:
        yield path
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def requested(requests) -> set[tuple[str, str]]:
    """(raw table, day) pairs a sensor's run requests ask to ingest, whether each request names
    one partition or a range of them."""
    from datetime import date, timedelta

    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    pairs = set()
    for request in requests:
        if request.partition_key is not None:
            days = [request.partition_key]
        else:
            first = date.fromisoformat(request.tags[ASSET_PARTITION_RANGE_START_TAG])
            last = date.fromisoformat(request.tags[ASSET_PARTITION_RANGE_END_TAG])
            days = [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]
        for key in request.asset_selection or []:
            if key.path[0] == "raw":
                pairs |= {(key.path[-1], day) for day in days}
    return pairs
