"""Load landing files into `raw`, one file per partition, quarantining what cannot be loaded.

DuckDB's own readers do the parsing (`read_text` and its JSON functions for JSON lines). A batch
of partitions is read in one statement, so a year's backfill is one scan, not 365. Every record
ends up in exactly one place, the raw table or `raw.quarantine` with its file, line and reason,
and `raw.load_log` says how many went where: rows in = rows loaded + rows quarantined, checked
on every load. The batch's partitions are replaced inside one transaction, so re-running never
duplicates and a failure keeps the previous state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.contract import Column, Extract
from orchestration.ingest.ddl import LOAD_LOG_TABLE, QUARANTINE_TABLE, ensure_raw_table, quote
from orchestration.ingest.errors import AccountingError, BadEncodingError, ExtractError


@dataclass(frozen=True)
class LoadResult:
    raw_table: str
    partition_key: str
    source_file: str
    status: str  # loaded | missing | duplicate | rejected
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    message: str = ""


@dataclass(frozen=True)
class _Delivery:
    partition: str
    path: Path
    source_file: str
    file_hash: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _json_text(column: Column) -> str:
    return f"json_extract_string(line, {_literal(column.json_path)})"


def _read_lines(con: duckdb.DuckDBPyConnection, deliveries: Sequence[_Delivery]) -> None:
    """`_lines(filename, line_number, line)`: every line of every file, numbered from 1."""
    con.execute(
        """
        create or replace temp table _lines as
        select filename,
               unnest(range(1, len(parts) + 1)) as line_number,
               rtrim(unnest(parts), chr(13)) as line
        from (select filename, string_split(content, chr(10)) as parts from read_text(?))
        """,
        [[str(d.path) for d in deliveries]],
    )
    # The newline that ends a file's last record is not a record of its own.
    con.execute(
        """
        delete from _lines as l
        where trim(line) = ''
          and line_number = (select max(line_number) from _lines as m where m.filename = l.filename)
        """
    )


def _stage_jsonl(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    """`_staged`: every line typed by the contract, with the reason it cannot load (or null)."""
    typed_columns, reasons = [], []
    for column in extract.columns:
        text = _json_text(column)
        typed = f"try_cast({text} as {column.data_type})"
        # Only valid JSON reaches the JSON functions; the reason below covers the rest.
        typed_columns.append(f"case when _valid then {typed} end as {quote(column.name)}")
        reasons.append(
            f"case when {text} is not null and {typed} is null then "
            f"'column {column.name}: ' || left({text}, 60) || ' is not {column.data_type}' end"
        )
    for key in extract.primary_key:
        text = _json_text(extract.column(key))
        reasons.append(f"case when {text} is null then 'primary key {key} is missing' end")
    reason = (
        "case when trim(line) = '' then 'empty line' "
        "when not _valid then 'malformed JSON' "
        "when json_type(line::json) <> 'OBJECT' then 'not a JSON object' "
        f"else nullif(concat_ws('; ', {', '.join(reasons)}), '') end"
    )
    con.execute(
        f"""
        create or replace temp table _staged as
        select filename, line_number, line, {reason} as _reason, {", ".join(typed_columns)}
        from (select *, coalesce(json_valid(line), false) as _valid from _lines)
        """
    )


def _already_delivered(
    con: duckdb.DuckDBPyConnection, extract: Extract, delivery: _Delivery
) -> str | None:
    row = con.execute(
        f"""
        select source_file from {LOAD_LOG_TABLE}
        where raw_table = ? and file_hash = ? and status = 'loaded' and rows_in > 0
          and partition_key <> ?
        limit 1
        """,
        [extract.raw_table, delivery.file_hash, delivery.partition],
    ).fetchone()
    return row[0] if row else None


def _log(con: duckdb.DuckDBPyConnection, results: Sequence[LoadResult], hashes: dict) -> None:
    loaded_at = _now()
    for r in results:
        con.execute(
            f"insert into {LOAD_LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                r.raw_table,
                r.partition_key,
                r.source_file,
                hashes.get(r.source_file),
                r.status,
                r.rows_in,
                r.rows_loaded,
                r.rows_quarantined,
                r.message,
                loaded_at,
            ],
        )


def _source_file(path: Path, landing_dir: Path) -> str:
    return str(path.relative_to(landing_dir)) if path.is_relative_to(landing_dir) else str(path)


def load_partitions(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    landing_dir: Path,
    partitions: Sequence[str],
) -> list[LoadResult]:
    """Replace `partitions` of `extract` with the content of their landing files."""
    if extract.format != "jsonl":
        raise NotImplementedError(f"{extract.identifier}: format {extract.format!r} has no loader")
    ensure_raw_table(con, extract)
    results: list[LoadResult] = []
    deliveries: list[_Delivery] = []
    for partition in partitions:
        path = extract.landing_file(landing_dir, partition)
        source_file = _source_file(path, landing_dir)
        if not path.exists():
            results.append(
                LoadResult(
                    extract.raw_table,
                    partition,
                    source_file,
                    "missing",
                    0,
                    0,
                    0,
                    "no extract delivered for this partition",
                )
            )
            continue
        delivery = _Delivery(partition, path, source_file, file_sha256(path))
        duplicate_of = _already_delivered(con, extract, delivery)
        if duplicate_of is not None:
            results.append(
                LoadResult(
                    extract.raw_table,
                    partition,
                    source_file,
                    "duplicate",
                    0,
                    0,
                    0,
                    f"DuplicateDelivery: same bytes as {duplicate_of}, already loaded; skipped",
                )
            )
            continue
        deliveries.append(delivery)
    hashes = {d.source_file: d.file_hash for d in deliveries}

    con.execute("begin transaction")
    try:
        readable, rejected = _split_unreadable(con, deliveries)
        loaded_at = _now()
        keys = [d.partition for d in (*readable, *rejected)]
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
            con.execute(
                f"insert into {QUARANTINE_TABLE} values (?, ?, ?, null, ?, null, ?)",
                [
                    extract.raw_table,
                    delivery.partition,
                    delivery.source_file,
                    str(error),
                    loaded_at,
                ],
            )
            results.append(
                LoadResult(
                    extract.raw_table,
                    delivery.partition,
                    delivery.source_file,
                    "rejected",
                    1,
                    0,
                    1,
                    str(error),
                )
            )
        if readable:
            results.extend(_insert(con, extract, readable, loaded_at))
        _log(con, results, hashes)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return sorted(results, key=lambda r: r.partition_key)


def _split_unreadable(
    con: duckdb.DuckDBPyConnection, deliveries: Sequence[_Delivery]
) -> tuple[list[_Delivery], list[tuple[_Delivery, ExtractError]]]:
    """Stage the readable files; a file DuckDB cannot decode is rejected on its own."""
    if not deliveries:
        return [], []
    try:
        _read_lines(con, deliveries)
        return list(deliveries), []
    except duckdb.Error:
        pass  # find the offending file(s) one by one; the rest still load
    readable, rejected = [], []
    for delivery in deliveries:
        try:
            _read_lines(con, [delivery])
            readable.append(delivery)
        except duckdb.Error as exc:
            rejected.append(
                (
                    delivery,
                    BadEncodingError(
                        delivery.source_file,
                        f"cannot be read as UTF-8 text ({exc})",
                        "re-export the file as UTF-8",
                    ),
                )
            )
    if readable:
        _read_lines(con, readable)
    return readable, rejected


def _insert(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    deliveries: Sequence[_Delivery],
    loaded_at: datetime,
) -> list[LoadResult]:
    _stage_jsonl(con, extract)
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
        order by d.partition_key, s.line_number
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
        order by d.partition_key, s.line_number
        """,
        [extract.raw_table, loaded_at],
    )
    counts = con.execute(
        """
        select cast(d.partition_key as varchar), d.source_file,
               count(s.line_number),
               count(s.line_number) filter (s._reason is null),
               count(s.line_number) filter (s._reason is not null)
        from _deliveries as d left join _staged as s using (filename)
        group by all
        """
    ).fetchall()
    results = []
    for partition, source_file, rows_in, loaded, quarantined in counts:
        if rows_in != loaded + quarantined:
            raise AccountingError(
                f"{source_file}: {rows_in} rows in but {loaded} loaded + {quarantined} quarantined"
            )
        message = f"{quarantined} row(s) quarantined" if quarantined else ""
        results.append(
            LoadResult(
                extract.raw_table,
                partition,
                source_file,
                "loaded",
                rows_in,
                loaded,
                quarantined,
                message,
            )
        )
    return results
