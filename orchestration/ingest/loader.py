"""Load landing files into `raw`, one file per partition, quarantining what cannot be loaded.

DuckDB's own readers do the parsing (read_jsonl.py, read_csv.py). A batch of partitions is read in
one statement, so a year's backfill is one scan, not 365. Every record ends up in exactly one
place, the raw table or `raw.quarantine` with its file, line and reason, and `raw.load_log` says
how many went where: rows in = rows loaded + rows quarantined, checked on every load against a
count taken independently of the reader. The batch's partitions are replaced inside one
transaction, so re-running never duplicates and a failure keeps the previous state.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.contract import Extract
from orchestration.ingest.ddl import LOAD_LOG_TABLE, QUARANTINE_TABLE, ensure_raw_table, quote
from orchestration.ingest.errors import AccountingError, ExtractError
from orchestration.ingest.read_csv import stage_csv
from orchestration.ingest.read_jsonl import stage_jsonl
from orchestration.ingest.staging_tables import Delivery

READERS = {"jsonl": stage_jsonl, "csv": stage_csv}


@dataclass(frozen=True)
class LoadResult:
    raw_table: str
    partition_key: str
    source_file: str
    status: str  # loaded | empty | missing | duplicate | rejected
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    message: str = ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _source_file(path: Path, landing_dir: Path) -> str:
    return str(path.relative_to(landing_dir)) if path.is_relative_to(landing_dir) else str(path)


def _delivered_hashes(con: duckdb.DuckDBPyConnection, extract: Extract) -> dict[str, tuple]:
    """file hash -> (source file, partition) of every file of `extract` loaded with records."""
    rows = con.execute(
        f"""
        select file_hash, source_file, partition_key from {LOAD_LOG_TABLE}
        where raw_table = ? and status = 'loaded' and rows_in > 0
        """,
        [extract.raw_table],
    ).fetchall()
    return {file_hash: (source_file, partition) for file_hash, source_file, partition in rows}


def _log(con: duckdb.DuckDBPyConnection, results: Sequence[LoadResult], hashes: dict) -> None:
    if not results:  # e.g. a month-end export over a range without a month end: nothing was due
        return
    loaded_at = _now()
    con.executemany(
        f"insert into {LOAD_LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [r.raw_table, r.partition_key, r.source_file, hashes.get(r.source_file), r.status,
             r.rows_in, r.rows_loaded, r.rows_quarantined, r.message, loaded_at]
            for r in results
        ],
    )  # fmt: skip


def _has_records(path: Path, fmt: str) -> bool:
    """Whether a non-empty file holds more than a CSV header."""
    if fmt != "csv":
        return True
    with path.open("rb") as handle:
        handle.readline()
        return any(line.strip() for line in handle)


def _triage(
    con: duckdb.DuckDBPyConnection, extract: Extract, landing_dir: Path, partitions: Sequence[str]
) -> tuple[list[Delivery], list[LoadResult]]:
    """Files to read, and the partitions settled without reading (missing, empty, duplicate)."""
    deliveries, settled = [], []
    batch_hashes: dict[str, str] = {}  # the same bytes twice in one backfill are a duplicate too
    delivered = _delivered_hashes(con, extract)
    for partition in partitions:
        if not extract.is_due(partition):
            continue
        path = extract.landing_file(landing_dir, partition)
        source_file = _source_file(path, landing_dir)
        status, message = "", ""
        if not path.exists():
            status, message = "missing", "MissingExtract: no file delivered for this partition"
        elif path.stat().st_size == 0:
            status = "empty"
            message = (
                "EmptyExtract: the file is empty (0 bytes); re-deliver it if data was expected"
            )
        else:
            delivery = Delivery(partition, path, source_file, file_sha256(path))
            duplicate_of = None
            if _has_records(path, extract.format):  # header-only days look alike, legitimately
                earlier = delivered.get(delivery.file_hash)
                duplicate_of = batch_hashes.get(delivery.file_hash) or (
                    earlier[0] if earlier and earlier[1] != partition else None
                )
            if duplicate_of is None:
                batch_hashes[delivery.file_hash] = source_file
                deliveries.append(delivery)
                continue
            status = "duplicate"
            message = f"DuplicateDelivery: same bytes as {duplicate_of}, already loaded; skipped"
        settled.append(
            LoadResult(extract.raw_table, partition, source_file, status, 0, 0, 0, message)
        )
    return deliveries, settled


def load_partitions(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    landing_dir: Path,
    partitions: Sequence[str],
) -> list[LoadResult]:
    """Replace `partitions` of `extract` with the content of their landing files."""
    reader = READERS.get(extract.format)
    if reader is None:
        raise ExtractError(extract.landing_path, f"format {extract.format!r} has no reader")
    ensure_raw_table(con, extract)
    deliveries, results = _triage(con, extract, landing_dir, partitions)
    hashes = {d.source_file: d.file_hash for d in deliveries}

    # Reading happens before the transaction: a file DuckDB cannot read would abort it.
    readable, rejected = reader(con, extract, deliveries) if deliveries else ([], [])
    con.execute("begin transaction")
    try:
        loaded_at = _now()
        keys = [d.partition for d in (*readable, *(d for d, _ in rejected))]
        con.execute(
            f"delete from {extract.raw_table} where _partition in (select cast(unnest(?) as date))",
            [keys],
        )
        con.execute(
            f"delete from {QUARANTINE_TABLE} where raw_table = ? "
            "and partition_key in (select unnest(?))",
            [extract.raw_table, keys],
        )
        for delivery, error in rejected:
            results.append(_reject_file(con, extract, delivery, error, loaded_at))
        if readable:
            results.extend(_insert(con, extract, readable, loaded_at))
        _log(con, results, hashes)
        con.execute("commit")
    except Exception:
        # A failed write (e.g. no space left on the device) may already have aborted the
        # transaction; the rollback must not replace that error with "no transaction is active".
        with contextlib.suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise
    return sorted(results, key=lambda r: (r.partition_key, r.source_file))


def _reject_file(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    delivery: Delivery,
    error: ExtractError,
    loaded_at: datetime,
) -> LoadResult:
    """A file that cannot be read at all is kept as one quarantine row naming the error."""
    con.execute(
        f"insert into {QUARANTINE_TABLE} values (?, ?, ?, null, ?, null, ?)",
        [extract.raw_table, delivery.partition, delivery.source_file, str(error), loaded_at],
    )
    return LoadResult(extract.raw_table, delivery.partition, delivery.source_file, "rejected",
                      1, 0, 1, str(error))  # fmt: skip


def _insert(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    deliveries: Sequence[Delivery],
    loaded_at: datetime,
) -> list[LoadResult]:
    con.execute(
        "create or replace temp table _deliveries as "
        "select unnest(?) as filename, unnest(?) as source_file, unnest(?) as file_hash, "
        "cast(unnest(?) as date) as partition_key",
        [
            [str(d.path) for d in deliveries],
            [d.source_file for d in deliveries],
            [d.file_hash for d in deliveries],
            [d.partition for d in deliveries],
        ],
    )
    names = ", ".join(quote(c.name) for c in extract.columns)
    con.execute(
        f"""
        insert into {extract.raw_table}
        select {names}, d.source_file, d.file_hash, s.line_number, d.partition_key, ?
        from _staged as s join _deliveries as d using (filename)
        where s._reason is null
        """,
        [loaded_at],
    )
    con.execute(
        f"""
        insert into {QUARANTINE_TABLE}
        select ?, cast(d.partition_key as varchar), d.source_file, s.line_number, s._reason,
               left(s.line, 2000), ?
        from _staged as s join _deliveries as d using (filename)
        where s._reason is not null
        """,
        [extract.raw_table, loaded_at],
    )
    counts = con.execute(
        """
        select cast(d.partition_key as varchar), d.source_file, coalesce(f.rows_in, 0),
               count(s.filename) filter (s._reason is null),
               count(s.filename) filter (s._reason is not null),
               any_value(f.note)
        from _deliveries as d
        left join _file_rows as f using (filename)
        left join _staged as s using (filename)
        group by all
        """
    ).fetchall()
    results = []
    for partition, source_file, rows_in, loaded, quarantined, note in counts:
        if rows_in != loaded + quarantined:
            raise AccountingError(
                f"{source_file}: {rows_in} records in the file but {loaded} loaded + "
                f"{quarantined} quarantined; nothing from this batch was kept. A quoted field "
                "spanning lines is the usual cause in CSV exports."
            )
        message = "; ".join(
            part
            for part in (f"{quarantined} row(s) quarantined" if quarantined else "", note)
            if part
        )
        results.append(LoadResult(extract.raw_table, partition, source_file, "loaded", rows_in,
                                  loaded, quarantined, message))  # fmt: skip
    return results
