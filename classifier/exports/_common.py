"""Small helpers every reader shares: invisible characters, ids, options."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from ..errors import ExportError
from ._source import Export

__all__ = [
    "ParseOptions",
    "NOT_MINE",
    "INVISIBLE",
    "strip_invisible",
    "clean_header_spaces",
    "slug",
    "synthetic_id",
    "load_json",
    "repair_surrogates",
]


@dataclass
class ParseOptions:
    """How to read an export; every field has a sensible default.

    Parameters
    ----------
    format : str or None
        Force a reader by name instead of detecting one.
    date_order : str or None
        ``"dmy"``, ``"mdy"`` or ``"ymd"`` for WhatsApp files whose dates cannot tell.
    strict : bool
        Stop at the first unreadable line or record.
    columns : dict
        For plain tables: our column name -> the input's column name
        (``{"text": "body", "sender": "author"}``).
    """

    format: str | None = None
    date_order: str | None = None
    strict: bool = False
    columns: dict[str, str] = field(default_factory=dict)


#: What reading an export's head may raise when the file is not in a reader's format
#: (or is damaged): a sniffer answers False to all of them. RuntimeError and
#: NotImplementedError come from zipfile (a password, an unknown compression);
#: UnicodeDecodeError is a ValueError.
NOT_MINE = (
    ExportError,
    OSError,
    ValueError,
    RuntimeError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
)

# Direction marks and isolates that exports put around names and system lines
# (U+200E/F, U+202A-U+202E, U+2066-U+2069) and the BOM. Zero-width joiners are kept:
# they hold emoji sequences together.
INVISIBLE = "\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE_TABLE = str.maketrans("", "", INVISIBLE)
_HEADER_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})


def strip_invisible(text: str) -> str:
    """Remove direction marks and the BOM (used for headers, names and markers)."""
    return text.translate(_INVISIBLE_TABLE)


def clean_header_spaces(text: str) -> str:
    """Turn narrow and no-break spaces into plain spaces (headers only, not text)."""
    return text.translate(_HEADER_SPACES)


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "chat") -> str:
    """A short ASCII id part from a name: ``"Chat with Anna"`` -> ``chat-with-anna``.

    When the ASCII form loses something (letters outside ASCII, emoji, a cut at 60
    characters), a short hash of the whole name is appended, so that "Иван" and
    "Пётр" do not both become ``chat``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    lowered = ascii_text.decode("ascii").lower()
    cleaned = _SLUG_DROP.sub("-", lowered).strip("-")
    short = cleaned[:60].strip("-")
    lossy = short != cleaned or any(
        not ch.isascii() and unicodedata.category(ch) != "Mn"
        for ch in unicodedata.normalize("NFKD", text)
    )
    if not lossy:
        return short or fallback
    return f"{short or fallback}-{synthetic_id(text)[:6]}"


def synthetic_id(*parts: object) -> str:
    """A deterministic 12-hex-digit id for formats that carry none."""
    digest = hashlib.blake2b(
        "\x1f".join(map(str, parts)).encode("utf-8"), digest_size=6
    )
    return digest.hexdigest()


def load_json(export: Export, member: str | None = None) -> object:
    """Parse a JSON member whole; a broken or truncated file names the line and column.

    Raises
    ------
    ExportError
        With the place where parsing stopped and what to do.
    """
    text = export.read_text(member)
    if not text.strip():
        raise ExportError(
            "the file is empty; export the chat again", export.where(member)
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # A string that never closes can only end at the end of the file.
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith(
            "Unterminated string"
        )
        hint = (
            "the file ends in the middle of the JSON: it was truncated; "
            "export or copy it again"
            if truncated
            else f"invalid JSON ({exc.msg}); the file is damaged or not a chat export"
        )
        raise ExportError(
            hint, export.where(member, f"{exc.lineno}:{exc.colno}")
        ) from None
    if _SURROGATE_ESCAPE.search(text):
        data = repair_surrogates(data)
    return data


# A \uD800-\uDFFF escape: JSON allows half of a surrogate pair, which no writer can
# encode as UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def repair_surrogates(value: Any) -> Any:
    """Replace lone UTF-16 surrogates in every string of a JSON value with U+FFFD.

    Whole pairs (an emoji written as two escapes) were already joined by the JSON
    decoder, so only halves are left to replace.
    """
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [repair_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {repair_surrogates(k): repair_surrogates(v) for k, v in value.items()}
    return value
