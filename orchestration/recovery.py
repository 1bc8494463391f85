"""Release the runs of a pipeline process that died without telling Dagster.

A run whose process is killed (SIGKILL, the OOM killer, a power cut) stays STARTED in Dagster's run
storage and keeps its slot of the `duckdb_writer` pool (dagster.yaml: limit 1). Every later run
then waits for that slot forever ("Step still blocked by limit for pool duckdb_writer"): one crash
stops every refresh after it. Dagster's run monitoring frees such slots only for runs it launched
itself and only with the daemon running; `scorecard refresh` runs in-process. So before a run we
look for runs whose process no longer exists on this machine, report them failed (visible in the
UI with the reason) and free their pool slots. The warehouse itself needs no repair: every write
is a DuckDB transaction, and a re-run replaces what the dead run had committed.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster._core.storage.dagster_run import FINISHED_STATUSES  # no public name in 1.13

_RUNNING = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _run_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The process that started the run (the pid recorded with its RUN_START event)."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.RUN_START, limit=1
    ).records
    if not records or records[0].event_log_entry.dagster_event is None:
        return None
    return records[0].event_log_entry.dagster_event.pid


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark runs whose process is gone as failed and free every pool slot they hold.

    Returns the ids of the runs released. Runs of live processes are left alone."""
    released = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=_RUNNING)):
        run = record.dagster_run
        pid = _run_pid(instance, run.run_id)
        if pid is None or pid == os.getpid() or _process_exists(pid):
            continue
        instance.report_run_failed(
            run,
            message=(
                f"the process that ran it (pid {pid}) no longer exists: it was killed or "
                "crashed. Marked failed so that its duckdb_writer pool slot is freed; re-run "
                "the refresh (every load and model is idempotent)."
            ),
        )
        released.append(run.run_id)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        holders = storage.get_concurrency_run_ids()
        if holders:
            finished = instance.get_run_records(
                filters=dg.RunsFilter(run_ids=list(holders), statuses=list(FINISHED_STATUSES))
            )
            for record in finished:
                storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
    return released
