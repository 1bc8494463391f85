"""Named errors for bad extracts. Each says which file, what rule failed and what to do."""

from __future__ import annotations


class ExtractError(Exception):
    """A whole landing file cannot be loaded; its lines are quarantined with this reason."""

    rule = "extract_error"

    def __init__(self, path: str, detail: str, hint: str = "") -> None:
        self.path = path
        self.detail = detail
        self.hint = hint
        message = f"{self.__class__.__name__}: {path}: {detail}"
        if hint:
            message += f" — {hint}"
        super().__init__(message)


class WrongColumnsError(ExtractError):
    rule = "wrong_columns"


class BadEncodingError(ExtractError):
    rule = "bad_encoding"


class UnreadableExtractError(ExtractError):
    """DuckDB's reader cannot parse the file at all, even leniently; its lines are quarantined."""

    rule = "unreadable"


class UnaccountedRowsError(ExtractError):
    """The reader's loaded + rejected records do not match the file's own record count (e.g. an
    unterminated quote swallowed lines). The whole file is quarantined line by line instead, so
    nothing is lost and the rest of the batch still loads."""

    rule = "unaccounted_rows"


class AccountingError(RuntimeError):
    """rows in != rows loaded + rows quarantined after every per-file fallback: a bug, never a
    data problem. Nothing from the batch is kept."""
