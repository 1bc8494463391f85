"""CSV: DuckDB's `read_csv` types every column by the contract and keeps the rows it cannot read
(cast errors, missing or extra fields, invalid UTF-8) in its rejects table, with line numbers.

Columns are matched by header name, so a reordered export still loads; columns the contract does
not know are ignored and named in the load log. A header that lacks a contract column or repeats
one is a WrongColumnsError and the whole file goes to quarantine, line by line.

One bad file never costs the rest of the batch:
- a batch DuckDB cannot parse is re-read file by file; a file that fails DuckDB's strict parser
  (e.g. mixed CRLF and LF endings) is read once more with `strict_mode = false`, and only if that
  fails too is it quarantined line by line as an UnreadableExtractError;
- each file's loaded + rejected records are compared with its record count taken by Python's own
  CSV parser (RFC 4180: a quoted field may span lines); a file that does not add up (an
  unterminated quote that swallowed lines) is quarantined line by line as an UnaccountedRowsError.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence

import duckdb

from orchestration.contract import Extract
from orchestration.ingest.errors import (
    BadEncodingError,
    ExtractError,
    UnaccountedRowsError,
    UnreadableExtractError,
    WrongColumnsError,
)
from orchestration.ingest.read_jsonl import read_lines
from orchestration.ingest.staging_tables import Delivery, nul_reasons, primary_key_reasons


def _header(delivery: Delivery) -> list[str]:
    with delivery.path.open("rb") as handle:
        first = handle.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadEncodingError(
            delivery.source_file, f"the header is not UTF-8 ({exc.reason})", "re-export as UTF-8"
        ) from exc
    return next(csv.reader([text.rstrip("\r\n")]), [])


def _is_record(row: list[str]) -> bool:
    """Blank and whitespace-only lines are not records (DuckDB skips them too)."""
    return bool(row) and not (len(row) == 1 and not row[0].strip())


def _record_count(delivery: Delivery) -> int:
    """Records after the header, counted by Python's CSV parser, independently of DuckDB's."""
    with delivery.path.open("rb") as raw:
        quoted = any(b'"' in block for block in iter(lambda: raw.read(1 << 20), b""))
    if not quoted:  # no quote, no field spanning lines: counting lines is exact and faster
        with delivery.path.open("rb") as handle:
            handle.readline()
            return sum(1 for line in handle if line.strip())
    with delivery.path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        return sum(1 for row in rows if _is_record(row))


def _line_count(delivery: Delivery) -> int:
    """Non-blank lines after the header: the records of a file quarantined line by line."""
    with delivery.path.open("rb") as handle:
        handle.readline()
        return sum(1 for line in handle if line.strip())


def _quarantine_whole_file(
    con: duckdb.DuckDBPyConnection, extract: Extract, delivery: Delivery, error: ExtractError
) -> bool:
    """Every data line of a file that cannot be read as the contract says, with the reason."""
    readable, _ = read_lines(con, [delivery])
    if not readable:
        return False
    con.execute("delete from _staged where filename = ?", [str(delivery.path)])
    con.execute("delete from _file_rows where filename = ?", [str(delivery.path)])
    con.execute(
        """
        insert into _staged (filename, line_number, line, _reason)
        select filename, line_number, line, ?
        from _lines where line_number > 1 and trim(line) <> ''
        """,
        [str(error)],
    )
    con.execute(
        "insert into _file_rows values (?, ?, null)", [str(delivery.path), _line_count(delivery)]
    )
    return True


def _create_staged(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    columns = ", ".join(f'"{c.name}" {c.data_type}' for c in extract.columns)
    con.execute(
        "create or replace temp table _staged (filename varchar, line_number bigint, "
        f"line varchar, _reason varchar, {columns})"
    )
    con.execute(
        "create or replace temp table _file_rows (filename varchar, rows_in bigint, note varchar)"
    )


def _read_group(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    header: tuple[str, ...],
    files: list[str],
    strict: bool = True,
) -> None:
    types = {c.name: c.data_type.upper() for c in extract.columns}
    columns = {name: types.get(name, "VARCHAR") for name in header}
    con.execute("drop table if exists _rejects")
    con.execute("drop table if exists _reject_scans")
    con.execute(
        """
        create or replace temp table _read as
        select * from read_csv(
            ?, header = true, auto_detect = false, columns = ?, filename = true,
            delim = ',', quote = '"', escape = '"', strict_mode = ?,
            store_rejects = true, rejects_table = '_rejects', rejects_scan = '_reject_scans'
        )
        """,
        [files, columns, strict],
    )
    names = ", ".join(f'"{c.name}"' for c in extract.columns)
    reasons = primary_key_reasons(extract, lambda column: f'"{column.name}"')
    reasons += nul_reasons(extract, lambda column: f'"{column.name}"')
    con.execute(
        f"""
        insert into _staged (filename, line_number, line, _reason, {names})
        select filename, null, null, nullif(concat_ws('; ', {", ".join(reasons)}), ''),
               {names}
        from _read
        """
    )
    con.execute(
        """
        insert into _staged (filename, line_number, line, _reason)
        select s.file_path, r.line, any_value(r.csv_line),
               string_agg(distinct r.error_type || coalesce(' (' || r.column_name || ')', '')
                          || ': ' || r.error_message, '; ')
        from _rejects as r
        join _reject_scans as s using (scan_id, file_id)
        group by s.file_path, r.line
        """
    )


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _read_isolating(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    header: tuple[str, ...],
    members: list[Delivery],
    notes: dict[str, list[str]],
) -> list[tuple[Delivery, ExtractError]]:
    """Read a group of files with one header; a file DuckDB cannot parse is isolated."""
    try:
        _read_group(con, extract, header, [str(d.path) for d in members])
        return []
    except duckdb.Error:
        pass  # find the offending file(s) one by one; the others still load
    unreadable = []
    for delivery in members:
        try:
            _read_group(con, extract, header, [str(delivery.path)])
            continue
        except duckdb.Error as strict_error:
            strict_reason = _first_line(strict_error)
        try:
            _read_group(con, extract, header, [str(delivery.path)], strict=False)
            notes[str(delivery.path)].append(
                f"read with strict_mode=false after: {strict_reason} (mixed line endings?)"
            )
        except duckdb.Error as error:
            unreadable.append(
                (
                    delivery,
                    UnreadableExtractError(
                        delivery.source_file,
                        f"DuckDB's CSV reader cannot parse it ({_first_line(error)})",
                        "re-export it as RFC 4180 CSV (comma, double quotes, one line ending)",
                    ),
                )
            )
    return unreadable


def _unaccounted(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """(filename, records counted, records staged) of files whose counts disagree."""
    return con.execute(
        """
        select f.filename, f.rows_in, count(s.filename)
        from _file_rows as f left join _staged as s using (filename)
        group by f.filename, f.rows_in
        having f.rows_in <> count(s.filename)
        """
    ).fetchall()


def _header_problem(extract: Extract, delivery: Delivery, header: list[str]) -> str | None:
    missing = sorted({c.name for c in extract.columns} - set(header))
    if missing:
        return f"header lacks contract column(s) {missing}; found {header}"
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        return f"header repeats column(s) {repeated}; found {header}"
    return None


def stage_csv(
    con: duckdb.DuckDBPyConnection, extract: Extract, deliveries: Sequence[Delivery]
) -> tuple[list[Delivery], list[tuple[Delivery, ExtractError]]]:
    _create_staged(con, extract)
    known = {c.name for c in extract.columns}
    groups: dict[tuple[str, ...], list[Delivery]] = defaultdict(list)
    notes: dict[str, list[str]] = defaultdict(list)
    by_path = {str(d.path): d for d in deliveries}
    readable: list[Delivery] = []
    rejected: list[tuple[Delivery, ExtractError]] = []

    def quarantine(delivery: Delivery, error: ExtractError) -> None:
        if not _quarantine_whole_file(con, extract, delivery, error):
            # Not even readable as lines (invalid UTF-8): one quarantine row for the file.
            for table in ("_staged", "_file_rows"):
                con.execute(f"delete from {table} where filename = ?", [str(delivery.path)])
            rejected.append((delivery, error))
            readable.remove(delivery)

    for delivery in deliveries:
        try:
            header = _header(delivery)
        except BadEncodingError as error:
            rejected.append((delivery, error))
            continue
        readable.append(delivery)
        problem = _header_problem(extract, delivery, header)
        if problem:
            quarantine(
                delivery,
                WrongColumnsError(
                    delivery.source_file,
                    problem,
                    "fix the export or the contract in dbt_project/models/staging",
                ),
            )
            continue
        ignored = [name for name in header if name not in known]
        if ignored:
            notes[str(delivery.path)].append(f"ignored column(s) not in the contract: {ignored}")
        groups[tuple(header)].append(delivery)
    for header, members in groups.items():
        for delivery, error in _read_isolating(con, extract, header, members, notes):
            quarantine(delivery, error)
    counted = {row[0] for row in con.execute("select filename from _file_rows").fetchall()}
    uncounted = [d for d in readable if str(d.path) not in counted]
    if uncounted:
        con.executemany(
            "insert into _file_rows values (?, ?, null)",
            [[str(d.path), _record_count(d)] for d in uncounted],
        )
    for filename, counted, staged in _unaccounted(con):
        quarantine(
            by_path[filename],
            UnaccountedRowsError(
                by_path[filename].source_file,
                f"{counted} record(s) in the file but DuckDB's reader returned {staged} "
                "(loaded + rejected)",
                "look for an unterminated quote; the file's lines are quarantined",
            ),
        )
    for filename, messages in notes.items():
        con.execute(
            "update _file_rows set note = ? where filename = ?", ["; ".join(messages), filename]
        )
    return readable, rejected
