"""Small SQL builders the quality suites share (DuckDB dialect, naive UTC timestamps)."""

from __future__ import annotations

from collections.abc import Iterable

from orchestration.contract import Column


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A SQL literal for a string, number or date-like value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def in_list(values: Iterable[object]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def local_midnight_utc(day_sql: str, tz: str) -> str:
    """The naive UTC instant at which a business-time-zone day starts."""
    return (
        f"cast(timezone('UTC', timezone({literal(tz)}, cast({day_sql} as timestamp))) as timestamp)"
    )


def partition_end_utc(day_sql: str, tz: str) -> str:
    """When a daily partition closes: midnight after its day, business time zone, as naive UTC.

    Timeliness is judged against this scheduled time, not against the wall-clock load time, so
    a backfill of last year's files is as timely as the daily run that should have loaded them.
    """
    return local_midnight_utc(f"{day_sql} + interval 1 day", tz)


def event_timestamp(column: Column, tz: str, alias: str = "t") -> str:
    """A contract event-time column as a naive UTC timestamp, whatever its raw type.

    Stripe columns are epoch seconds; a date is the start of that business day.
    """
    ref = f"{alias}.{quote(column.name)}"
    if column.data_type == "bigint":
        return f"make_timestamp(cast({ref} as bigint) * 1000000)"
    if column.data_type == "date":
        return local_midnight_utc(ref, tz)
    return f"cast({ref} as timestamp)"
