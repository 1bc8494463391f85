"""JSON lines: DuckDB's `read_text` splits the files and its JSON functions type each field."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from orchestration.contract import Column, Extract
from orchestration.ingest.errors import BadEncodingError, ExtractError
from orchestration.ingest.staging_tables import (
    Delivery,
    cast_reason,
    literal,
    nul_reasons,
    primary_key_reasons,
)


def _read_lines(con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery]) -> None:
    con.execute(
        """
        create or replace temp table _lines as
        select filename,
               unnest(range(1, len(parts) + 1)) as line_number,
               -- CRLF endings and a UTF-8 byte-order mark are encoding details, not content.
               ltrim(rtrim(unnest(parts), chr(13)), chr(65279)) as line
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


def read_lines(
    con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery]
) -> tuple[list[Delivery], list[tuple[Delivery, ExtractError]]]:
    """`_lines(filename, line_number, line)` for every readable file; the rest are rejected."""
    try:
        _read_lines(con, deliveries)
        return list(deliveries), []
    except duckdb.Error:
        pass  # find the offending file(s) one by one; the others still load
    readable, rejected = [], []
    for delivery in deliveries:
        try:
            _read_lines(con, [delivery])
            readable.append(delivery)
        except duckdb.Error as exc:
            error = BadEncodingError(
                delivery.source_file,
                f"cannot be read as UTF-8 text ({str(exc).splitlines()[0]})",
                "re-export the file as UTF-8",
            )
            rejected.append((delivery, error))
    if readable:
        _read_lines(con, readable)
    return readable, rejected


def _text(column: Column) -> str:
    return f"json_extract_string(line, {literal(column.json_path)})"


def stage_jsonl(
    con: duckdb.DuckDBPyConnection, extract: Extract, deliveries: Sequence[Delivery]
) -> tuple[list[Delivery], list[tuple[Delivery, ExtractError]]]:
    readable, rejected = read_lines(con, deliveries)
    if not readable:
        return readable, rejected
    typed_columns, reasons = [], []
    for column in extract.columns:
        text = _text(column)
        typed = f"try_cast({text} as {column.data_type})"
        # Only valid JSON reaches the JSON functions; the reason below covers the rest.
        typed_columns.append(f'case when _valid then {typed} end as "{column.name}"')
        reasons.append(cast_reason(column, text, typed))
    reasons += primary_key_reasons(extract, _text)
    reasons += nul_reasons(extract, _text)
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
    con.execute(
        "create or replace temp table _file_rows as "
        "select filename, count(*) as rows_in, cast(null as varchar) as note "
        "from _lines group by filename"
    )
    return readable, rejected
