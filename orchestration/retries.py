"""Retries for transient failures only (DESIGN.md §6).

A step that writes the warehouse can fail because another process holds DuckDB's file lock, or
the disk or network hiccups; a retry with backoff then succeeds. A bad model, a failing test or a
malformed contract fails the same way every time, so those fail at once (`allow_retries=False`)
instead of burning minutes on retries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

# 10 s, 20 s, 40 s (±jitter): long enough for a competing writer or a reader to let go.
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)

_LOCK_MESSAGE = re.compile(r"could not set lock|database is locked|conflicting lock", re.I)
# DuckDB reports these as a plain IOException; a read-only or forbidden folder stays so.
_PERMANENT_IO_MESSAGE = re.compile(r"read-only file system|permission denied", re.I)


def is_transient(error: BaseException) -> bool:
    """Whether retrying the same step later may succeed."""
    if isinstance(error, (TimeoutError, ConnectionError, InterruptedError)):
        return True
    if isinstance(error, (duckdb.IOException, OSError)):
        # A missing file or a permission problem does not fix itself; a lock or I/O hiccup may.
        if isinstance(error, (FileNotFoundError, PermissionError, IsADirectoryError)):
            return False
        return not _PERMANENT_IO_MESSAGE.search(str(error))
    return bool(_LOCK_MESSAGE.search(str(error)))


@contextmanager
def retry_only_transient() -> Iterator[None]:
    """Let transient errors reach the step's RetryPolicy; fail anything else at once."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if is_transient(error):
            raise
        raise dg.Failure(
            description=f"{type(error).__name__}: {error}", allow_retries=False
        ) from error
