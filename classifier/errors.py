"""The exception hierarchy: each error raised on purpose is a ClassifierError."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class of every error that reread raises on purpose."""


class ExportError(ClassifierError):
    """An export could not be read: the message says which file, where, and what to do.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    where : str, optional
        The place: a path, ``path:line`` or ``path:messages[12]``.
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        self.where = where
        self.reason = message
        super().__init__(f"{where}: {message}" if where else message)


class UnknownFormatError(ExportError):
    """No reader recognises the file, or a forced ``--format`` does not match it."""


class DateOrderError(ExportError):
    """A WhatsApp file's dates cannot tell day from month; ``--date-order`` decides."""


class RecordError(ExportError):
    """One line or record inside an otherwise readable export is malformed."""


class TableError(ClassifierError):
    """A message table (JSONL, CSV, Parquet) is malformed, or cannot be written."""
