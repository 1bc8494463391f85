"""What both readers produce: `_staged`, one row per record of the batch.

Columns: filename, line_number, line (the record as text, for quarantine), _reason (null when the
record loads), then every contract column typed. `_file_rows(filename, rows_in, note)` holds each
file's record count measured independently of `_staged`, so accounting can be checked, and a note
for the load log (e.g. columns the contract does not know, ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.contract import Column, Extract


@dataclass(frozen=True)
class Delivery:
    partition: str
    path: Path
    source_file: str
    file_hash: str


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def primary_key_reasons(extract: Extract, text_of) -> list[str]:
    """A record without its key cannot be deduplicated or corrected later: it is quarantined."""
    return [
        f"case when {text_of(extract.column(key))} is null then 'primary key {key} is missing' end"
        for key in extract.primary_key
    ]


def cast_reason(column: Column, text: str, typed: str) -> str:
    return (
        f"case when {text} is not null and {typed} is null then "
        f"'column {column.name}: ' || left({text}, 60) || ' is not {column.data_type}' end"
    )


def nul_reasons(extract: Extract, text_of) -> list[str]:
    """A NUL byte inside a text value is a corrupt export (binary junk, a truncated write), not
    data: the record is quarantined rather than loaded with the byte in it."""
    return [
        f"case when contains({text_of(column)}, chr(0)) then "
        f"'column {column.name} holds a NUL byte (corrupt export)' end"
        for column in extract.columns
        if column.data_type == "varchar"
    ]
