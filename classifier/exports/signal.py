"""Signal chats exported by signal-export: ``chat.md`` and ``data.json``.

Signal has no export of its own. signal-export (carderne/signal-export) decrypts the
Signal Desktop database and writes, per chat, a folder holding ``chat.md``
(Markdown), ``data.json`` (JSON Lines despite its name), ``index.html`` and a
``media`` folder. This reader takes one ``chat.md`` (older versions: ``index.md``),
one ``data.json``, a chat folder, or the whole export folder or zip (one
conversation per chat folder). Where a folder holds both files, ``data.json`` is
read, because it keeps fields that Markdown flattens.

Markdown layout, as signal-export writes it (each body ends with two spaces)::

    [2023-05-01 18:04:09] Me: see you at eight
    (- Anna: 👍 -)

    [2023-05-01 18:06:30] Anna:

    > see you at eight

    make it half past

- Headers are ``[YYYY-MM-DD HH:MM:SS] SENDER: ``; older versions wrote
  ``[YYYY-MM-DD HH:MM]`` or ``[YYYY-MM-DD, HH:MM]``. All are read. Times are the
  exporting computer's wall time with no offset, so ``tz_known`` is False.
- The two trailing spaces (a Markdown line break) are stripped. Lines up to the
  next header belong to the message; blank lines around messages are dropped.
- A quote-reply puts a ``> quoted text`` block right after ``SENDER: ``. Signal
  keeps the quoted *text*, not an id, so ``reply_to`` is the most recent earlier
  message of the chat whose text equals the quote; only when none equals it, the
  most recent one whose text starts with the quote (ending at a word boundary).
  When none matches, ``reply_to`` is None and the report counts the unmatched
  quotes.
- ``(- Name: emoji, Name2: emoji -)`` on the next line lists reactions. Stickers
  are ``(( label ))`` or a link into ``exported_stickers``; attachments are
  Markdown links (``![name](./media/...)`` for images). A message holding only
  attachments or a sticker is ``media`` (its text is the file names or the
  sticker label); with other text it stays a ``message`` without the links.
- ``(This message was deleted)`` is a ``deleted`` row. The call lines
  signal-export writes (``Missed voice call``, ``Outgoing video call (accepted,
  2m 5s)``...) are ``call`` rows.
- ``Me`` is the exporter (recorded in the report as a decision).

A WhatsApp iOS export from a phone that writes ISO dates (a Swedish locale, for
example) looks the same: ``[2021-01-30 20:49:12] Name: text``. :func:`sniff`
rejects such a file only when it shows something WhatsApp writes and
signal-export never does: a left-to-right mark before a header or a media
placeholder, ``image omitted``, ``<attached: ...>``, the end-to-end encryption
notice, ``~ `` before a sender, or a header in another date layout. Without such a
tell the file is read as Signal; when it also lacks every signal-export mark
(trailing double spaces, blank lines between messages, ``Me``, reactions,
links), the report records that choice. Use ``--format whatsapp`` to read it as
WhatsApp.

Ids are synthetic: ``signal-<slug of the chat folder or file stem>/<hash>`` from
the timestamp, sender, text and the count of identical earlier triples.
"""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any

from ..errors import ExportError
from ..records import Message, reaction
from ..report import ParseReport
from ._common import (
    NOT_MINE,
    ParseOptions,
    repair_surrogates,
    slug,
    strip_invisible,
    synthetic_id,
)
from ._source import Export

__all__ = ["sniff", "read"]


_MARKDOWN_NAMES = ("chat.md", "index.md")
_JSON_NAME = "data.json"
_GENERIC_STEMS = {"chat", "index", "data"}

# ``[2023-05-01 18:04:09] Me: text``; older: ``[2019-12-24, 12:23] Jane Doe: text``.
# The sender runs to the first colon followed by a space (or the line end), as in
# signal-export's own reader.
_HEADER = re.compile(
    r"^\[(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?P<comma>,?) "
    r"(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\] "
    r"(?P<sender>[^\n]+?):(?: |$)(?P<rest>.*)$"
)
# A header in some other chat-export layout (WhatsApp iOS and Android).
_OTHER_LAYOUT = re.compile(
    r"^\u200e?(?:\[\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}[:.]\d{2}[^\]]{0,16}\] "
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}[:.]\d{2}[^-\n]{0,16} - )"
)
# Things WhatsApp writes that signal-export never does.
_WHATSAPP_TELLS = re.compile(
    r"^\u200e\[|^\[[^\]]+\] [^:]+: \u200e|^\[[^\]]+\] ~[ \u202f]"
    r"|end-to-end encrypted|are now secured with end-to-end encryption"
    r"|<attached: |<Media omitted>"
    r"|^\[[^\]]+\] [^:]+: "
    r"(?:image|video|audio|sticker|GIF|document|Contact card) omitted$"
)
_REACTIONS_LINE = re.compile(r"^\(- (?P<list>.+) -\)(?P<tail>.*)$")
_REACTION_ITEM = re.compile(r"(?P<name>.+?): (?P<emoji>[^\s,]+)(?:, |$)")
_STICKER_LINE = re.compile(r"^\(\( (?P<label>.*) \)\)(?P<tail>.*)$")
# Attachment links: a relative target (signal-export writes ``./media/...`` and
# ``../exported_stickers/...``); one level of parentheses is allowed inside the path
# because file names such as ``photo_(1).jpg`` keep theirs.
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<name>[^\]\n]*)\]\((?P<path>(?:[^()\s]|\([^()\s]*\))*)\)"
)
_DELETED = "(This message was deleted)"
# A JSON escape of half a UTF-16 surrogate pair (``\\ud83d``): the decoder keeps a
# lone half, which no UTF-8 writer can encode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_CALL = re.compile(
    r"^(?:(?:Incoming|Outgoing|Missed) (?:voice |video )?call(?: \([^)]*\))?)$"
)


# ---------------------------------------------------------------------------
# Detection


def sniff(export: Export) -> bool:
    """Whether ``export`` is a signal-export ``chat.md`` or ``data.json`` (or folder).

    A text file is claimed only when its first line is a year-first bracketed header
    (``[YYYY-MM-DD HH:MM:SS] Name: `` or ``[YYYY-MM-DD, HH:MM] Name: ``) and nothing in
    its first lines is a header in another layout or a WhatsApp-only mark. A Swedish-
    locale WhatsApp iOS file with no such mark cannot be told apart; it is read as
    Signal unless ``--format whatsapp`` is given. A JSON Lines file is claimed when its
    first object has the keys ``date``, ``sender`` and ``body``.

    Parameters
    ----------
    export : Export
        A file, folder or zip; only the first 64 KiB of a file are looked at.

    Returns
    -------
    bool
        True when this reader should read it; never raises on other input.
    """
    try:
        if export.kind == "file":
            return _sniff_member(export, None)
        for member in _chat_members(export)[:3]:
            if _sniff_member(export, member):
                return True
    except NOT_MINE:
        return False
    return False


def _sniff_member(export: Export, member: str | None) -> bool:
    """Whether one file looks like signal-export Markdown or JSON Lines."""
    lines = _head_lines(export, member)
    if lines is None:
        return False
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        return False
    if first.lstrip().startswith("{"):
        return _looks_like_data_json(first)
    if not _HEADER.match(first):
        return False
    for line in lines[:400]:
        if _WHATSAPP_TELLS.search(line):
            return False
        if _OTHER_LAYOUT.match(line) and not _HEADER.match(line):
            return False
    return True


def _looks_like_data_json(line: str) -> bool:
    """Whether a line is a signal-export ``data.json`` message object."""
    try:
        obj = json.loads(line)
    except ValueError:
        return False
    return isinstance(obj, dict) and {"date", "sender", "body"} <= obj.keys()


def _head_lines(
    export: Export, member: str | None, size: int = 65_536
) -> list[str] | None:
    """The first lines of a member as text, or None when it is not UTF-8."""
    data = export.head(member, size=size)
    if b"\x00" in data:
        return None
    if len(data) == size and b"\n" in data:
        data = data[: data.rindex(b"\n")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text.splitlines()


def _chat_members(export: Export) -> list[str]:
    """One member per chat folder: ``data.json`` where present, else the Markdown."""
    by_folder: dict[str, dict[str, str]] = {}
    for member in export.members:
        path = PurePosixPath(member)
        name = path.name.lower()
        if name in _MARKDOWN_NAMES or name == _JSON_NAME:
            by_folder.setdefault(str(path.parent), {})[name] = member
    chosen = []
    for folder in sorted(by_folder):
        names = by_folder[folder]
        for preferred in (_JSON_NAME, *_MARKDOWN_NAMES):
            if preferred in names:
                chosen.append(names[preferred])
                break
    return chosen


# ---------------------------------------------------------------------------
# Reading


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read every chat in a signal-export file, chat folder, or export folder or zip.

    Parameters
    ----------
    export : Export
        A ``chat.md``, ``index.md`` or ``data.json`` file, or a folder or zip holding
        chat folders.
    options : ParseOptions
        Only ``strict`` matters (through ``report``).
    report : ParseReport
        Receives unreadable records, unmatched quotes and the exporter decision.

    Yields
    ------
    Message
        In file order, one conversation after another.

    Raises
    ------
    ExportError
        If a file holds no signal-export message at all, or a ``data.json`` is not
        JSON Lines.
    """
    if export.kind == "file":
        members: list[str | None] = [None]
    else:
        members = list(_chat_members(export))
        if not members:
            raise ExportError(
                "no chat.md or data.json inside; give the folder signal-export wrote",
                export.name,
            )
        for other in export.members:
            name = PurePosixPath(other).name.lower()
            if other not in members and (name in _MARKDOWN_NAMES or name == _JSON_NAME):
                report.note(
                    export.where(other),
                    "not read: the data.json beside it holds the same chat",
                )
    for member in members:
        chat = _Chat.for_member(export, member)
        if _is_json_lines(export, member):
            yield from _read_json_lines(export, member, chat, report)
        else:
            yield from _read_markdown(export, member, chat, report)
        chat.finish(export.where(member), report)


def _is_json_lines(export: Export, member: str | None) -> bool:
    """Whether a member is ``data.json`` (by name or by its first line)."""
    name = PurePosixPath(member).name if member else export.path.name
    if name.lower() == _JSON_NAME:
        return True
    lines = _head_lines(export, member) or []
    first = next((line for line in lines if line.strip()), "")
    return first.lstrip().startswith("{")


class _QuoteIndex:
    """Earlier messages by normalized text, to find the one a quote-reply quotes.

    The most recent earlier message whose text equals the quote wins, however far
    back it is. Only when none equals it, the most recent message whose text starts
    with the quote, the quote ending at a word boundary, is taken: a quote ``ok``
    never links to ``okay then``. For that prefix search the last :attr:`window`
    messages are looked at one by one; older ones only for quotes of at least
    :attr:`bucket` characters, by their first characters (a short quote that only
    starts an old message is weak evidence anyway).
    """

    window = 300
    bucket = 16

    def __init__(self) -> None:
        """Start empty."""
        self._recent: deque[tuple[str, int, str]] = deque(maxlen=self.window)
        self._latest: dict[str, tuple[int, str]] = {}
        self._by_start: dict[str, dict[str, tuple[int, str]]] = {}
        self._count = 0

    def add(self, text: str, message_id: str) -> None:
        """Remember a message as the latest one with this text."""
        key = _normalize(text)
        if not key:
            return
        self._count += 1
        entry = (self._count, message_id)
        self._recent.append((key, *entry))
        self._latest[key] = entry
        if len(key) >= self.bucket:
            self._by_start.setdefault(key[: self.bucket], {})[key] = entry

    def find(self, quote: str) -> str | None:
        """The newest message equal to the quote, else the newest it starts."""
        key = _normalize(quote)
        if not key:
            return None
        exact = self._latest.get(key)
        if exact is not None:
            return exact[1]
        for text, _, message_id in reversed(self._recent):
            if _starts_with_words(text, key):
                return message_id
        best: tuple[int, str] | None = None
        if len(key) >= self.bucket:
            for text, entry in self._by_start.get(key[: self.bucket], {}).items():
                if _starts_with_words(text, key) and (
                    best is None or entry[0] > best[0]
                ):
                    best = entry
        return best[1] if best else None


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _starts_with_words(text: str, prefix: str) -> bool:
    """Whether ``text`` starts with ``prefix``, which ends at a word boundary."""
    if not text.startswith(prefix):
        return False
    if len(text) == len(prefix):
        return True
    return not (_is_word_char(prefix[-1]) and _is_word_char(text[len(prefix)]))


def _normalize(text: str) -> str:
    # signal-export strips backticks from bodies but not from quotes.
    """Text as compared with quotes: no backticks, runs of spaces collapsed."""
    return " ".join(text.replace("`", "").split())


@dataclass
class _Chat:
    """State of one conversation while its rows are produced."""

    conversation_id: str
    name: str
    quotes: _QuoteIndex = field(default_factory=_QuoteIndex)
    occurrences: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    exporter_seen: bool = False
    last: datetime | None = None
    backwards: int = 0
    unmatched: list[str] = field(default_factory=list)
    signal_marks: bool = False
    iso_seconds_layout: bool = False
    count: int = 0

    @classmethod
    def for_member(cls, export: Export, member: str | None) -> _Chat:
        """The conversation for a file: named after its chat folder or stem."""
        path = PurePosixPath(member) if member else PurePosixPath(export.path.name)
        name = path.stem
        if name.lower() in _GENERIC_STEMS:
            parent = path.parent.name if member else export.path.resolve().parent.name
            if not parent and member:
                parent = export.path.stem
            name = parent or name
        return cls(conversation_id=f"signal-{slug(name)}", name=name)

    def message(
        self,
        *,
        timestamp: datetime,
        tz_known: bool,
        sender: str,
        text: str,
        kind: str,
        quote: str | None,
        reactions: list[dict[str, Any]],
        source: str,
        report: ParseReport,
    ) -> Message:
        """Build one row: id, reply link, exporter decision and order checks."""
        triple = (timestamp.isoformat(), sender, text)
        n = self.occurrences[triple]
        self.occurrences[triple] += 1
        message_id = f"{self.conversation_id}/{synthetic_id(*triple, n)}"
        reply_to = None
        if quote is not None:
            reply_to = self.quotes.find(quote)
            if reply_to is None:
                self.unmatched.append(source)
        if sender == "Me" and not self.exporter_seen:
            self.exporter_seen = True
            report.decide(
                source,
                "exporter",
                "Me",
                "signal-export writes the exporter's own messages with the sender 'Me'",
            )
        stamp = timestamp.replace(tzinfo=None)
        if self.last is not None and stamp < self.last:
            self.backwards += 1
        self.last = stamp
        if kind != "deleted":
            self.quotes.add(text, message_id)
        self.count += 1
        return Message(
            conversation_id=self.conversation_id,
            message_id=message_id,
            timestamp=timestamp,
            tz_known=tz_known,
            sender=sender,
            text=text,
            kind=kind,
            reply_to=reply_to,
            reactions=reactions,
            conversation_name=self.name,
            source=source,
        )

    def finish(self, where: str, report: ParseReport) -> None:
        """Report what was noticed across the whole conversation."""
        if self.unmatched:
            report.note(
                where,
                f"{len(self.unmatched)} quoted replies match no earlier message of "
                f"the chat (first at {self.unmatched[0]}); their reply_to is empty",
            )
        if self.backwards:
            report.note(
                where,
                f"{self.backwards} timestamps run backwards; order kept as in the file",
            )
        if self.iso_seconds_layout and not self.signal_marks and self.count:
            report.decide(
                where,
                "format",
                "signal",
                "the [YYYY-MM-DD HH:MM:SS] headers match signal-export, but the file "
                "has none of its marks (trailing double spaces, blank lines between "
                "messages, 'Me'); a WhatsApp export from a phone using ISO dates "
                "looks the same: use --format whatsapp if that is what this is",
            )


# --- Markdown ---------------------------------------------------------------


@dataclass
class _Block:
    """One Markdown message: its header line, time, sender and raw lines."""

    line: int
    timestamp: datetime | None
    sender: str
    lines: list[str]


def _read_markdown(
    export: Export, member: str | None, chat: _Chat, report: ParseReport
) -> Iterator[Message]:
    """Rows from a ``chat.md``, one block of lines per header."""
    block: _Block | None = None
    preamble: int | None = None
    headers = 0
    blank_between = False
    for number, line in enumerate(export.text_lines(member), 1):
        match = _HEADER.match(line)
        if match is None:
            if block is not None:
                block.lines.append(line)
            elif line.strip() and preamble is None:
                preamble = number
            continue
        headers += 1
        if block is not None:
            if block.lines and not block.lines[-1].strip():
                blank_between = True
            yield from _finish_block(export, member, block, chat, report)
        if match["s"] is not None and not match["comma"]:
            chat.iso_seconds_layout = True
        block = _Block(
            number,
            _header_time(match),
            strip_invisible(match["sender"]).strip(),
            [match["rest"]],
        )
    if block is not None:
        yield from _finish_block(export, member, block, chat, report)
    if headers == 0:
        raise ExportError(
            "no signal-export message header ([YYYY-MM-DD HH:MM:SS] Name: text) found; "
            "this is not a signal-export chat.md",
            export.where(member),
        )
    if blank_between:
        chat.signal_marks = True
    if preamble is not None:
        report.problem(
            export.where(member, preamble),
            "text before the first message header belongs to no message",
        )


def _header_time(match: re.Match[str]) -> datetime | None:
    """The header's wall time, or None when the date is impossible."""
    try:
        return datetime(
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"]),
            int(match["mi"]),
            int(match["s"] or 0),
        )
    except ValueError:
        return None


def _finish_block(
    export: Export, member: str | None, block: _Block, chat: _Chat, report: ParseReport
) -> Iterator[Message]:
    """Turn one Markdown block into a row (or a problem)."""
    where = export.where(member, block.line)
    if block.timestamp is None:
        report.problem(where, "the message header holds an impossible date or time")
        return
    lines = block.lines
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    if any(line.endswith("  ") for line in lines) or block.sender == "Me":
        chat.signal_marks = True

    # A quote-reply: ``Sender: `` then a blank line, ``> quote`` lines, a blank line.
    quote: str | None = None
    if not lines[0].strip() and len(lines) > 1:
        i = 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i < len(lines) and lines[i].startswith(">"):
            quoted = []
            while i < len(lines) and lines[i].startswith(">"):
                quoted.append(
                    lines[i][2:] if lines[i].startswith("> ") else lines[i][1:]
                )
                i += 1
            quote = "\n".join(quoted).strip()
            while i < len(lines) and not lines[i].strip():
                i += 1
            lines = lines[i:] or [""]
            chat.signal_marks = True

    if len(lines) == 1 and lines[0].strip() == _DELETED:
        chat.signal_marks = True
        yield chat.message(
            timestamp=block.timestamp,
            tz_known=False,
            sender=block.sender,
            text="This message was deleted",
            kind="deleted",
            quote=None,
            reactions=[],
            source=where,
            report=report,
        )
        return

    # Reactions and sticker lines close the body; attachment links may trail them.
    reactions: list[dict[str, Any]] = []
    sticker: str | None = None
    tails: list[str] = []
    while len(lines) > 1:
        last = lines[-1]
        found = _REACTIONS_LINE.match(last)
        if found and not reactions:
            reactions = _parse_reactions(found["list"])
            if reactions:
                tails.append(found["tail"])
                lines = lines[:-1]
                continue
        found = _STICKER_LINE.match(last)
        if found and sticker is None:
            sticker = found["label"].strip() or "sticker"
            tails.append(found["tail"])
            lines = lines[:-1]
            continue
        break
    if reactions or sticker is not None:
        chat.signal_marks = True

    body = "\n".join(lines + tails[::-1])
    attachments: list[str] = []

    def _take(link: re.Match[str]) -> str:
        """Remove an attachment link from the body and remember it."""
        if "://" in link["path"] or link["path"].startswith(("mailto:", "#")):
            return link.group(0)
        if "exported_stickers/" in link["path"]:
            nonlocal sticker
            sticker = sticker or link["name"].strip() or "sticker"
        else:
            attachments.append(link["name"].strip() or PurePosixPath(link["path"]).name)
        return ""

    body = _LINK.sub(_take, body)
    if attachments or sticker is not None:
        chat.signal_marks = True
    text = "\n".join(
        line.rstrip(" ") if line.endswith("  ") else line for line in body.split("\n")
    ).strip("\n")
    if not text.strip():
        text = ""

    kind = "message"
    if not text and (attachments or sticker is not None):
        kind = "media"
        text = ", ".join(attachments) if attachments else (sticker or "sticker")
    elif _CALL.match(text):
        kind = "call"
    yield chat.message(
        timestamp=block.timestamp,
        tz_known=False,
        sender=block.sender,
        text=text,
        kind=kind,
        quote=quote,
        reactions=reactions,
        source=where,
        report=report,
    )


def _parse_reactions(listing: str) -> list[dict[str, Any]]:
    """``Anna: 👍, Ben Li: ❤️`` -> reaction dicts; empty when the line is not a list."""
    found = []
    position = 0
    for item in _REACTION_ITEM.finditer(listing):
        if item.start() != position:
            return []
        found.append(reaction(item["emoji"], by=item["name"].strip()))
        position = item.end()
    return found if position == len(listing) else []


# --- data.json (JSON Lines) -------------------------------------------------


def _read_json_lines(
    export: Export, member: str | None, chat: _Chat, report: ParseReport
) -> Iterator[Message]:
    """Rows from a ``data.json`` (one JSON object per line)."""
    chat.signal_marks = True
    seen_record = False
    for number, line in enumerate(export.text_lines(member), 1):
        if not line.strip():
            continue
        where = export.where(member, number)
        try:
            record = json.loads(line)
        except ValueError:
            if not seen_record:
                raise ExportError(
                    "not JSON Lines: signal-export's data.json holds one JSON object "
                    "per line; the file is damaged or not a signal-export data.json",
                    where,
                ) from None
            report.problem(where, "not a JSON object: the line is damaged or cut short")
            continue
        if not isinstance(record, dict):
            if not seen_record:
                raise ExportError(
                    "not JSON Lines: expected one message object per line, found "
                    f"a JSON {type(record).__name__}",
                    where,
                )
            report.problem(
                where,
                f"expected a message object, found a JSON {type(record).__name__}",
            )
            continue
        seen_record = True
        if _SURROGATE_ESCAPE.search(line):
            record = repair_surrogates(record)
        message = _json_message(record, chat, where, report)
        if message is not None:
            yield message
    if not seen_record:
        raise ExportError(
            "the file holds no messages; export the chat again", export.where(member)
        )


def _json_message(
    record: dict[str, Any], chat: _Chat, where: str, report: ParseReport
) -> Message | None:
    """One ``data.json`` object as a row, or None after a problem."""
    raw_date = record.get("date")
    if not isinstance(raw_date, str):
        report.problem(where, "missing field 'date'")
        return None
    try:
        timestamp = datetime.fromisoformat(raw_date.strip())
    except ValueError:
        report.problem(where, "field 'date' is not an ISO 8601 date")
        return None
    tz_known = timestamp.tzinfo is not None
    if tz_known:
        timestamp = timestamp.astimezone(timezone.utc)
    sender = record.get("sender")
    if not isinstance(sender, str):
        report.problem(where, "missing field 'sender'")
        return None
    sender = strip_invisible(sender).strip()
    body = record.get("body")
    text = _strip_breaks(body if isinstance(body, str) else "")

    attachments = [
        _attachment_name(item) for item in _as_list(record.get("attachments")) if item
    ]
    sticker = _sticker_label(record.get("sticker"))
    reactions = []
    for item in _as_list(record.get("reactions")):
        name, emoji = _reaction_fields(item)
        if emoji:
            reactions.append(reaction(emoji, by=name))
        else:
            report.problem(where, "a reaction without an emoji was left out")
    quote = _unquote(record.get("quote"))

    if record.get("deleted") is True:
        kind, text, quote = "deleted", text or "This message was deleted", None
    elif (
        record.get("call") is True or record.get("missed") is True or _CALL.match(text)
    ):
        kind = "call"
        if not text:
            text = "Missed call" if record.get("missed") is True else "Call"
    elif not text and (attachments or sticker):
        kind = "media"
        text = ", ".join(attachments) if attachments else sticker or "sticker"
    else:
        kind = "message"
    return chat.message(
        timestamp=timestamp,
        tz_known=tz_known,
        sender=sender,
        text=text,
        kind=kind,
        quote=quote,
        reactions=reactions,
        source=where,
        report=report,
    )


def _strip_breaks(text: str) -> str:
    """Drop the Markdown line-break spaces at line ends."""
    lines = text.split("\n")
    return "\n".join(
        line.rstrip(" ") if line.endswith("  ") else line for line in lines
    ).strip("\n")


def _as_list(value: Any) -> Iterable[Any]:
    """The value when it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def _attachment_name(item: Any) -> str:
    """The file name of an attachment entry."""
    if isinstance(item, dict):
        name = item.get("name") or item.get("fileName") or item.get("path") or ""
        return PurePosixPath(str(name)).name or "attachment"
    return PurePosixPath(str(item)).name or "attachment"


def _sticker_label(value: Any) -> str | None:
    """Older versions store the sticker's emoji as a string, newer ones an object."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return str(value.get("emoji") or "").strip() or "sticker"
    return None


def _reaction_fields(item: Any) -> tuple[str | None, str]:
    # signal-export stores a named tuple, which json.dumps writes as a list.
    """(name, emoji) from a reaction entry, list or object."""
    if isinstance(item, dict):
        name, emoji = item.get("name"), item.get("emoji")
    elif isinstance(item, list | tuple) and len(item) == 2:
        name, emoji = item
    else:
        return None, ""
    return (str(name).strip() if name else None), (str(emoji).strip() if emoji else "")


def _unquote(value: Any) -> str | None:
    """Undo the Markdown signal-export stores quotes in (``\\n\\n> text\\n\\n``)."""
    if not isinstance(value, str) or not value.strip():
        return None
    lines = value.strip("\n").split("\n")
    if all(line.startswith(">") for line in lines):
        lines = [line[2:] if line.startswith("> ") else line[1:] for line in lines]
    quote = "\n".join(lines).strip()
    return quote or None
