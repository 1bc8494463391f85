"""CSV: DuckDB's `read_csv` types every column by the contract and keeps the rows it cannot read
(cast errors, missing or extra fields, invalid UTF-8) in its rejects table, with line numbers.

Columns are matched by header name, so a reordered export still loads; a header that lacks a
contract column is a WrongColumnsError and the whole file goes to quarantine, line by line.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence

import duckdb

from orchestration.contract import Extract
from orchestration.ingest.errors import BadEncodingError, ExtractError, WrongColumnsError
from orchestration.ingest.read_jsonl import read_lines
from orchestration.ingest.staging_tables import Delivery, primary_key_reasons


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


def _record_count(delivery: Delivery) -> int:
    """Non-blank lines after the header, counted without the CSV parser."""
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
    con.execute(
        """
        insert into _staged (filename, line_number, line, _reason)
        select filename, line_number, line, ?
        from _lines where line_number > 1 and trim(line) <> ''
        """,
        [str(error)],
    )
    return True


def _create_staged(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    columns = ", ".join(f'"{c.name}" {c.data_type}' for c in extract.columns)
    con.execute(
        "create or replace temp table _staged (filename varchar, line_number bigint, "
        f"line varchar, _reason varchar, {columns})"
    )


def _read_group(
    con: duckdb.DuckDBPyConnection, extract: Extract, header: tuple[str, ...], files: list[str]
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
            delim = ',', quote = '"', escape = '"',
            store_rejects = true, rejects_table = '_rejects', rejects_scan = '_reject_scans'
        )
        """,
        [files, columns],
    )
    names = ", ".join(f'"{c.name}"' for c in extract.columns)
    pk_reasons = primary_key_reasons(extract, lambda column: f'"{column.name}"')
    con.execute(
        f"""
        insert into _staged (filename, line_number, line, _reason, {names})
        select filename, null, null, nullif(concat_ws('; ', {", ".join(pk_reasons)}), ''),
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


def stage_csv(
    con: duckdb.DuckDBPyConnection, extract: Extract, deliveries: Sequence[Delivery]
) -> tuple[list[Delivery], list[tuple[Delivery, ExtractError]]]:
    _create_staged(con, extract)
    required = {c.name for c in extract.columns}
    groups: dict[tuple[str, ...], list[Delivery]] = defaultdict(list)
    readable: list[Delivery] = []
    rejected: list[tuple[Delivery, ExtractError]] = []
    for delivery in deliveries:
        try:
            header = _header(delivery)
        except BadEncodingError as error:
            rejected.append((delivery, error))
            continue
        missing = sorted(required - set(header))
        if missing:
            error = WrongColumnsError(
                delivery.source_file,
                f"header lacks contract column(s) {missing}; found {header}",
                "fix the export or the contract in dbt_project/models/staging",
            )
            if _quarantine_whole_file(con, extract, delivery, error):
                readable.append(delivery)
            else:
                rejected.append((delivery, error))
            continue
        groups[tuple(header)].append(delivery)
        readable.append(delivery)
    for header, members in groups.items():
        _read_group(con, extract, header, [str(d.path) for d in members])
    con.execute("create or replace temp table _file_rows (filename varchar, rows_in bigint)")
    for delivery in readable:
        con.execute(
            "insert into _file_rows values (?, ?)", [str(delivery.path), _record_count(delivery)]
        )
    return readable, rejected
