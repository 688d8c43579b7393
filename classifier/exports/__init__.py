"""Chat export readers, one module per format, and format detection.

Each format module defines ``sniff(export) -> bool`` (does this content look like my
format?) and ``read(export, options, report) -> Iterator[Message]``. This package is the
only code that knows a vendor's layout.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import UnknownFormatError
from ..records import Message
from ..report import ParseReport
from ._common import ParseOptions
from ._source import Export, open_export

__all__ = [
    "FORMATS",
    "Export",
    "ParseOptions",
    "detect_format",
    "open_export",
    "read_export",
]


@dataclass(frozen=True)
class Reader:
    """A registered format: its module and the names of its sniff and read functions."""

    name: str
    module: str
    description: str
    sniff: str = "sniff"
    read: str = "read"

    def functions(
        self,
    ) -> tuple[Callable[[Export], bool], Callable[..., Iterator[Message]]]:
        module = importlib.import_module(f"{__name__}.{self.module}")
        return getattr(module, self.sniff), getattr(module, self.read)


# Most specific first: detection takes the first reader whose sniff says yes.
_READERS = [
    Reader("slack", "slack", "Slack workspace export (folder or .zip)"),
    Reader("telegram", "telegram", "Telegram Desktop JSON (one chat or whole account)"),
    Reader("discord", "discord", "DiscordChatExporter JSON"),
    Reader(
        "discord-csv", "discord", "DiscordChatExporter CSV", "sniff_csv", "read_csv"
    ),
    Reader("messenger", "meta", "Facebook Messenger or Instagram JSON"),
    Reader("imessage", "imessage", "imessage-exporter TXT or HTML"),
    Reader("signal", "signal", "signal-export Markdown"),
    Reader("whatsapp", "whatsapp", "WhatsApp .txt or the .zip the app makes"),
    Reader("table", "table", "a message table: CSV, JSONL or Parquet"),
]
FORMATS: dict[str, Reader] = {reader.name: reader for reader in _READERS}
# Names users may reasonably type for a format we read under another name.
ALIASES = {
    "instagram": "messenger",
    "csv": "table",
    "jsonl": "table",
    "parquet": "table",
}


def _looks_binary(export: Export) -> bool:
    if export.kind != "file":
        return False
    head = export.head(size=8192)
    if head.startswith(b"PAR1"):
        return False
    return b"\x00" in head


def detect_format(export: Export) -> str:
    """Name the format of an export from its content.

    Raises
    ------
    UnknownFormatError
        If no reader recognises it; the message lists the formats and ``--format``.
    """
    if _looks_binary(export):
        raise UnknownFormatError(
            "this is a binary file, not a chat export; give the .txt, .json or .zip "
            "that the app exported",
            export.name,
        )
    for reader in _READERS:
        sniff, _ = reader.functions()
        if sniff(export):
            return reader.name
    if export.kind == "zip":
        # Sniffers treat unreadable members as "not mine"; say so if that is why.
        for member in export.members:
            export.head(member, size=1024)
    raise UnknownFormatError(
        "not a chat export reread recognises. Supported: "
        + ", ".join(FORMATS)
        + ". If it is one of these, name it with --format",
        export.name,
    )


def resolve_format(name: str) -> Reader:
    """The reader registered under ``name`` (or an alias of it)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise UnknownFormatError(
            f"unknown format {name!r}; choose one of {', '.join(FORMATS)}"
        )
    return FORMATS[key]


def read_export(
    export: Export, options: ParseOptions, report: ParseReport
) -> tuple[str, Iterator[Message]]:
    """Pick the reader (forced or detected) and return its name and its message stream.

    A forced format that does not match the content raises
    :class:`UnknownFormatError` naming what was detected instead.
    """
    if options.format:
        reader = resolve_format(options.format)
        sniff, read = reader.functions()
        if not sniff(export):
            try:
                found = f"; it looks like {detect_format(export)}"
            except UnknownFormatError:
                found = ""
            raise UnknownFormatError(
                f"--format {options.format} does not match this file{found}. "
                "Leave --format out to detect the format",
                export.name,
            )
        return reader.name, read(export, options, report)
    name = detect_format(export)
    _, read = FORMATS[name].functions()
    return name, read(export, options, report)
