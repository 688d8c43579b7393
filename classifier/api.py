"""The Python API: one function per CLI command. The CLI is a thin layer over these."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from .exports import ParseOptions, open_export, read_export
from .records import Message
from .report import ParseReport

__all__ = ["parse"]


def parse(
    paths: Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    date_order: str | None = None,
    strict: bool = False,
    columns: dict[str, str] | None = None,
    report: ParseReport | None = None,
) -> Iterator[Message]:
    """Read chat exports into rows of the message table, lazily, in input order.

    Parameters
    ----------
    paths : iterable of path
        Export files, folders or zips; each is detected on its own.
    format : str, optional
        Force a reader (see ``classifier.exports.FORMATS``) instead of detecting one.
    date_order : {"dmy", "mdy", "ymd"}, optional
        Day/month order for WhatsApp files whose dates cannot decide it.
    strict : bool
        Stop at the first unreadable line or record instead of reporting it.
    columns : dict, optional
        For plain tables, our column name -> the input's column name.
    report : ParseReport, optional
        Filled in as rows are produced: counts, decisions, unreadable records.

    Yields
    ------
    Message
        One per message, ``conversation_id`` and ``message_id`` unique across inputs.

    Raises
    ------
    ExportError
        If an input cannot be read at all, naming the file and the place.

    Examples
    --------
    >>> rows = list(parse(["examples/whatsapp-maya-and-jonas.txt"]))  # doctest: +SKIP
    """
    report = report if report is not None else ParseReport(strict=strict)
    report.strict = strict
    options = ParseOptions(
        format=format, date_order=date_order, strict=strict, columns=dict(columns or {})
    )
    taken: set[str] = set()
    for path in paths:
        export = open_export(path)
        try:
            name, messages = read_export(export, options, report)
            entry: dict[str, Any] = {
                "path": export.name,
                "format": name,
                "messages": 0,
                "conversations": 0,
            }
            report.inputs.append(entry)
            renamed: dict[str, str] = {}
            seen_here: set[str] = set()
            for message in messages:
                conversation = message.conversation_id
                if conversation not in seen_here:
                    seen_here.add(conversation)
                    renamed[conversation] = _unique(conversation, taken)
                    entry["conversations"] += 1
                new_id = renamed[conversation]
                if new_id != conversation:
                    _move(message, conversation, new_id)
                entry["messages"] += 1
                report.count(message)
                yield message
        finally:
            export.close()


def _unique(conversation_id: str, taken: set[str]) -> str:
    """The id itself, or ``id~2``, ``id~3``... when an earlier input already used it."""
    candidate, n = conversation_id, 1
    while candidate in taken:
        n += 1
        candidate = f"{conversation_id}~{n}"
    taken.add(candidate)
    return candidate


def _move(message: Message, old: str, new: str) -> None:
    """Rename a message's conversation, keeping its ids and reply link consistent."""
    prefix = f"{old}/"
    message.conversation_id = new
    if message.message_id.startswith(prefix):
        message.message_id = f"{new}/{message.message_id[len(prefix) :]}"
    if message.reply_to and message.reply_to.startswith(prefix):
        message.reply_to = f"{new}/{message.reply_to[len(prefix) :]}"
