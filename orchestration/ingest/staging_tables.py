"""What both readers produce: `_staged`, one row per record of the batch.

Columns: filename, line_number, line (the record as text, for quarantine), _reason (null when the
record loads), then every contract column typed. `_file_rows(filename, rows_in)` holds each file's
record count measured independently of `_staged`, so accounting can be checked.
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
