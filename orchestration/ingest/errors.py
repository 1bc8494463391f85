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


class AccountingError(RuntimeError):
    """rows in != rows loaded + rows quarantined: a bug, never a data problem. Nothing is kept."""
