"""Chat export readers, one module per format, and format detection.

Each format module defines ``sniff(export) -> bool`` (does this content look like my
format?) and ``read(export, options, report) -> Iterator[Message]``. This package is the
only code that knows a vendor's layout.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import ExportError, UnknownFormatError
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


# Magic numbers of files people may give by mistake (a zip is recognised on opening).
_BINARY_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"OggS",
    b"SQLite format 3\x00",
    b"\x1f\x8b",  # gzip
)
# A text file may hold a stray NUL (a CSV field can) or control character; binary
# files hold many (random bytes: a NUL in 256, a control character in 9).
_NUL_SHARE = 0.01
_CONTROL_SHARE = 0.05
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# Files of a folder or zip that may hold a chat (media and the like are not looked at).
_TEXT_SUFFIXES = frozenset(
    (".txt", ".txtin", ".md", ".json", ".jsonl", ".ndjson", ".csv", ".html", ".htm")
)
_BLANK = b" \t\r\n\xef\xbb\xbf"


def _utf16_or_32(head: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when the bytes are text in that encoding."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    # Latin-script text in UTF-16: one byte of most pairs is NUL (LE odd, BE even),
    # the other a printable ASCII character.
    half = len(sample) // 2
    for high, low in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if high.count(0) < 0.6 * half or low.count(0) > 0.05 * half:
            continue
        ascii_pairs = [b for h, b in zip(high, low, strict=True) if h == 0]
        printable = sum(0x20 <= b < 0x7F or b in b"\t\n\r" for b in ascii_pairs)
        if printable >= 0.9 * len(ascii_pairs):
            return "UTF-16"
    return None


def _not_text(export: Export) -> str | None:
    """Why a file cannot be a chat export's text (UTF-16, binary), or None."""
    if export.kind != "file":
        return None
    head = export.head(size=8192)
    if head.startswith(b"PAR1"):
        return None
    encoding = _utf16_or_32(head)
    if encoding is not None:
        return (
            f"this is {encoding} text, and reread reads UTF-8: open it in a text "
            "editor and save it as UTF-8 (or convert it, e.g. with iconv -f "
            f"{encoding} -t UTF-8), then read it again"
        )
    if head.startswith(_BINARY_MAGIC) or head[4:8] == b"ftyp":
        return _BINARY
    nuls = head.count(0)
    if nuls > 1 and nuls > _NUL_SHARE * len(head):
        return _BINARY
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls > 1 and controls > _CONTROL_SHARE * len(head):
        return _BINARY
    return None


_BINARY = (
    "this is a binary file, not a chat export; give the .txt, .json or .zip "
    "that the app exported"
)


def _refuse_unreadable(export: Export) -> None:
    """Raise when a file is not text or is empty: no reader could claim it.

    Raises
    ------
    UnknownFormatError
        For UTF-16/UTF-32 text, binary files and blank files.
    """
    reason = _not_text(export)
    if reason is not None:
        raise UnknownFormatError(reason, export.name)
    if export.kind != "file":
        return
    head = export.head(size=8192)
    if len(head) < 8192 and not head.strip(_BLANK):
        raise UnknownFormatError(
            "the file is empty (blank lines only); export the chat again", export.name
        )


def _refuse_empty_tree(export: Export) -> None:
    """In a folder or zip no reader claims, name an empty chat file if that is why.

    Raises
    ------
    ExportError
        When every text file inside is empty (a WhatsApp zip whose ``_chat.txt``
        is empty, with or without its media).
    ExportError
        When a member is damaged: sniffers treat unreadable members as "not mine".
    """
    if export.kind == "file":
        return
    texts = []
    for member in export.members:
        is_text = PurePosixPath(member).suffix.lower() in _TEXT_SUFFIXES
        if is_text or export.kind == "zip":
            head = export.head(member, size=1024)
            if is_text:
                texts.append((member, head))
    if texts and all(len(h) < 1024 and not h.strip(_BLANK) for _, h in texts):
        raise ExportError(
            "the file is empty; export the chat again", export.where(texts[0][0])
        )


def detect_format(export: Export) -> str:
    """Name the format of an export from its content.

    Raises
    ------
    UnknownFormatError
        If no reader recognises it; the message lists the formats and ``--format``.
        A UTF-16 file, a binary file or a blank file is named as such.
    ExportError
        If a folder or zip holds only empty chat files, naming the first, or a
        damaged member.
    """
    _refuse_unreadable(export)
    for reader in _READERS:
        sniff, _ = reader.functions()
        if sniff(export):
            return reader.name
    _refuse_empty_tree(export)
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
        # No reader reads UTF-16 or binary files, whatever the user names.
        _refuse_unreadable(export)
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
