"""iMessage conversations exported by imessage-exporter: TXT and HTML.

Apple has no export. imessage-exporter (ReagentX/imessage-exporter) reads the Mac's
``chat.db`` and writes one file per conversation, named after the contact, the
group title, or the handles joined by commas. This reader takes one such file
(any extension; the content decides), or a folder or zip of them (each file is
its own conversation).

TXT layout (blank lines separate top-level messages)::

    May 17, 2022  5:29:42 PM (Read by you after 1 hour, 49 seconds)
    Sample Contact
    Hello world
    Tapbacks:
    Loved by Me

        May 17, 2022  5:31:02 PM
        Me
        a reply, indented under its parent

    May 17, 2022  5:40:00 PM You renamed the conversation to Trip

- Timestamps are ``%b %d, %Y %l:%M:%S %p``: the hour is space-padded, so one-digit
  hours give two spaces. They are parsed loosely (one or more spaces, padded or
  unpadded day), because hand-made look-alikes exist. Times are the Mac's wall
  time with no offset: ``tz_known`` is False.
- ``(Read by you|them|NAME after 1 hour, 49 seconds)`` gives ``read_at`` (the
  timestamp plus the duration) and ``read_by`` as written.
- The line after the timestamp is the sender: ``Me`` (the exporter), a contact
  name, or a bare phone number or e-mail address. The body follows. A blank line
  ends a message only when an unindented timestamp line follows it; blank lines
  inside a body, or after a tapback list or a reply, stay with the message.
- ``Tapbacks:`` (older: ``Reactions:``) lists ``Loved by X``, ``Liked``,
  ``Disliked``, ``Laughed``, ``Emphasized``, ``Questioned`` (mapped to ❤️ 👍 👎 😂
  ‼️ ❓), emoji tapbacks (``☕️ by X``, ``Reacted 🎉 by X``) and sticker tapbacks
  (emoji ``sticker``).
- Replies are printed indented under the message they answer (``reply_to`` is
  that message) *and* again at their own place in time, marked ``This message
  responded to an earlier message.``. The two copies become one row, kept at its
  place in time; a marked reply whose parent is not in the file keeps
  ``reply_to`` None and is counted in the report.
- ``TIMESTAMP text`` then ``Edited N seconds later: text`` is an edit history:
  the row holds the final text, ``edited`` and ``edited_at``. ``This message was
  deleted from the conversation!`` (the text after it is kept) and unsent parts
  make ``deleted`` rows.
- Attachment paths, ``Sticker from X: path`` and missing-attachment notices are
  media; a message with only media is ``media`` (its text is the file names),
  one with text stays ``message``. ``Sent with Confetti`` and other effect lines
  are dropped.
- Announcements are one line, ``TIMESTAMP You renamed the conversation to ...``:
  a ``system`` row whose sender is the actor (``You`` becomes ``Me``);
  ``... unsent a message!`` is a ``deleted`` row.

The HTML export holds the same things as markup (``div.message >
div.sent|received``, ``span.timestamp``, ``span.sender``, ``div.message_part
span.bubble``, ``div.reactions div.reaction`` or ``div.tapbacks div.tapback``,
``div.replies div.reply``, ``div.edited`` tables, ``div.announcement``); it is
parsed with BeautifulSoup. Newer HTML exports carry each message's GUID, which
then becomes its id; otherwise ids are synthetic: ``imessage-<slug of file
stem>/<hash>`` from the timestamp, sender, text and the count of identical
earlier triples.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from ..errors import ExportError
from ..records import Message, reaction
from ..report import ParseReport
from ._common import (
    NOT_MINE,
    ParseOptions,
    clean_header_spaces,
    slug,
    strip_invisible,
    synthetic_id,
)
from ._source import Export

__all__ = ["sniff", "read"]

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ),
        1,
    )
}
_TS = (
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(?P<day>\d{1,2}), +"
    r"(?P<year>\d{4}) +(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r" *(?P<ampm>[AP]M)"
)
_TS_LINE = re.compile(r"^(?P<indent>[ \t]*)" + _TS + r"(?P<tail>.*)$")
_READ = re.compile(r"^ *\(Read by (?P<who>.+?) after (?P<after>[^()]*)\) *$")
_DURATION = re.compile(r"^(?P<n>\d+) (?P<unit>second|minute|hour|day|week)s?$")
_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86_400,
    "week": 604_800,
}
_ANNOUNCEMENT = re.compile(
    r"^(?P<who>.+?) (?P<action>renamed the conversation to .*|named the conversation .*"
    r"|added .+ to the conversation\.|removed .+ from the conversation\."
    r"|left the conversation\.|changed the group photo\.|removed the group photo\."
    r"|kept an audio message\.|unsent a message[.!]|performed unknown action .*)$"
)
_TAPBACK_EMOJI = {
    "Loved": "❤️",
    "Liked": "👍",
    "Disliked": "👎",
    "Laughed": "😂",
    "Emphasized": "‼️",
    "Questioned": "❓",
}
_TAPBACK = re.compile(r"^(?:Reacted )?(?P<kind>\S+) by (?P<who>.+)$")
_STICKER_TAPBACK = re.compile(
    r"^(?:.* )?Sticker from (?P<who>.+?)(?:: .*| not found!)$"
)
_STICKER = re.compile(r"^(?:[\w ]+ )?Sticker from (?P<who>.+?): (?P<path>.+)$")
_EDITED = re.compile(r"^Edited (?P<after>.*?) later: ?(?P<text>.*)$")
_UNSENT = re.compile(r"^(?P<who>.+?) unsent this message part(?: .+ after sending)?!$")
_OLD_DELETED = re.compile(r"^(?:You|They|.+) deleted a message\.$")
_EFFECT = re.compile(
    r"^Sent with (?:Confetti|Echo|Fireworks|Balloons|Heart|Lasers|Shooting Sta(?:r|rt)"
    r"|Sparkles|Spotlight|Slam|Loud|Gentle|Invisible Ink)$"
)
_MEDIA_EXTENSIONS = re.compile(
    r"\.(?:heic|heif|jpe?g|png|gif|webp|tiff?|bmp|mov|mp4|m4v|3gp|caf|m4a|amr|mp3|aac|"
    r"wav|pdf|vcf|pkpass|usdz|ics|zip|docx?|xlsx?|pptx?|gpx)$",
    re.IGNORECASE,
)
_MISSING_ATTACHMENT = (
    "Attachment missing!",
    "Attachment missing name metadata!",
    "Attachment does not exist!",
)
_DELETED_NOTE = "This message was deleted from the conversation!"
_REPLY_NOTE = "This message responded to an earlier message."
_LOCATION = (
    "Started sharing location!",
    "Stopped sharing location!",
    "Shared location!",
)
_UNFORMATTED = "Unable to format announcement!"


# ---------------------------------------------------------------------------
# Detection


def sniff(export: Export) -> bool:
    """Whether ``export`` is an imessage-exporter TXT or HTML file (or a folder).

    TXT: the first non-empty line is a timestamp line (``May 17, 2022  5:29:42 PM``,
    optionally with a read suffix) followed by a sender line, or a one-line
    announcement. HTML: the head names imessage-exporter, or has its
    ``class="message"`` / ``span.timestamp`` markup.

    Parameters
    ----------
    export : Export
        A file, folder or zip; only the first 128 KiB of a file are looked at.

    Returns
    -------
    bool
        True when this reader should read it; never raises on other input.
    """
    try:
        if export.kind == "file":
            return _sniff_member(export, None)
        return any(_sniff_member(export, m) for m in _candidates(export)[:20])
    except NOT_MINE:
        return False


def _candidates(export: Export) -> list[str]:
    """Members that may be exported conversations, by extension."""
    return [
        m
        for m in export.members
        if PurePosixPath(m).suffix.lower() in (".txt", ".txtin", ".html", ".htm")
    ]


def _sniff_member(export: Export, member: str | None) -> bool:
    """Whether one file looks like an imessage-exporter TXT or HTML export."""
    data = export.head(member, size=131_072)
    if b"\x00" in data:
        return False
    text = data.decode("utf-8-sig", errors="ignore")
    if _looks_like_html(text):
        lowered = text.lower()
        if "imessage-exporter" in lowered:
            return True
        return 'class="timestamp"' in lowered and (
            'class="message"' in lowered or 'class="sender"' in lowered
        )
    lines = text.splitlines()
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return False
    header = _TS_LINE.match(_clean(lines[index]))
    if header is None or header["indent"]:
        return False
    tail = header["tail"]
    if tail.startswith(" ") and _ANNOUNCEMENT.match(tail.strip()):
        return True
    if not _is_read_tail(tail):
        return False
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return bool(following.strip()) and _TS_LINE.match(_clean(following)) is None


def _looks_like_html(text: str) -> bool:
    """Whether text starts like an HTML document."""
    start = text.lstrip()[:200].lower()
    return start.startswith(("<html", "<!doctype html", "<head", "<meta", "<div"))


# ---------------------------------------------------------------------------
# Reading


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read every conversation in an imessage-exporter TXT or HTML file, folder or zip.

    Parameters
    ----------
    export : Export
        One exported conversation (TXT or HTML), or a folder or zip of them.
    options : ParseOptions
        Only ``strict`` matters (through ``report``).
    report : ParseReport
        Receives unreadable records, unmatched replies and the exporter decision.

    Yields
    ------
    Message
        In the file's (chronological) order, one conversation after another.

    Raises
    ------
    ExportError
        If a file holds no imessage-exporter message at all.
    """
    if export.kind == "file":
        members: list[str | None] = [None]
    else:
        candidates = _candidates(export)
        members = [m for m in candidates if _sniff_member(export, m)]
        if not members:
            raise ExportError(
                "no imessage-exporter .txt or .html conversation inside", export.name
            )
        if len(members) < len(candidates):
            report.note(
                export.name,
                f"{len(candidates) - len(members)} .txt/.html files are not "
                "imessage-exporter conversations and were skipped",
            )
    for member in members:
        name = PurePosixPath(member).stem if member else export.path.stem
        conversation = _Conversation(
            f"imessage-{slug(name)}", name, export, member, report
        )
        head = export.head(member, size=4096).decode("utf-8-sig", errors="ignore")
        if _looks_like_html(head):
            yield from conversation.run(_html_items(export, member, report))
        else:
            yield from conversation.run(_txt_items(export, member, report))


@dataclass
class _Parsed:
    """One message as read from the file, before ids and reply links are settled."""

    line: int
    timestamp: datetime
    sender: str
    text: str = ""
    kind: str = "message"
    reactions: list[dict[str, Any]] = field(default_factory=list)
    edited: bool = False
    edited_at: datetime | None = None
    read_at: datetime | None = None
    read_by: str | None = None
    reply_note: bool = False
    guid: str | None = None
    replies: list[_Parsed] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, ...]:
        """What identifies the two printed copies of one reply as the same message."""
        if self.guid:
            return (self.guid,)
        return (self.timestamp.isoformat(), self.sender, self.text)


@dataclass
class _Pending:
    """A nested reply waiting for its in-place copy."""

    order: int
    parsed: _Parsed
    message_id: str
    parent_id: str


class _Conversation:
    """Turns parsed items into rows: ids, reply links, merging of reply copies."""

    def __init__(
        self,
        conversation_id: str,
        name: str,
        export: Export,
        member: str | None,
        report: ParseReport,
    ) -> None:
        """Start a conversation with no rows yet."""
        self.conversation_id = conversation_id
        self.name = name
        self.export = export
        self.member = member
        self.report = report
        self.occurrences: Counter[tuple[str, str, str]] = Counter()
        self.pending: dict[tuple[str, ...], _Pending] = {}
        self.flushed: set[tuple[str, ...]] = set()
        self.emitted: set[str] = set()
        self.order = 0
        self.unmatched: list[str] = []
        self.duplicates = 0
        self.merged = 0
        self.backwards = 0
        self.last: datetime | None = None
        self.exporter_seen = False
        self.read_notes = 0

    def where(self, line: int | None = None) -> str:
        """A location in this conversation's file."""
        return self.export.where(self.member, line)

    def run(self, items: Iterator[_Parsed]) -> Iterator[Message]:
        """Rows for all items, then the report notes for the conversation."""
        count = 0
        for item in items:
            for message in self._top_level(item):
                count += 1
                yield message
        for message in self._flush(None):
            count += 1
            yield message
        if count == 0:
            raise ExportError(
                "no imessage-exporter message found (a message starts with a line like "
                "'May 17, 2022  5:29:42 PM' and a sender line)",
                self.where(),
            )
        self._finish()

    def _top_level(self, item: _Parsed) -> Iterator[Message]:
        """Rows for one top-level item; its nested replies wait until due."""
        yield from self._flush(item.timestamp)
        parent_id: str | None = None
        if item.reply_note:
            pending = self.pending.pop(item.key, None)
            if pending is not None:
                self.merged += 1
                parent_id = pending.parent_id
                message = self._build(
                    item, message_id=pending.message_id, reply_to=parent_id
                )
                if message is not None:
                    yield message
                own_id = pending.message_id
            elif item.key in self.flushed:
                self.duplicates += 1
                return
            else:
                self.unmatched.append(self.where(item.line))
                message = self._build(item)
                if message is None:
                    return
                own_id = message.message_id
                yield message
        else:
            message = self._build(item)
            if message is None:
                return
            own_id = message.message_id
            yield message
        for reply in item.replies:
            if reply.key in self.pending or reply.key in self.flushed:
                self.duplicates += 1
                continue
            self.order += 1
            self.pending[reply.key] = _Pending(
                self.order, reply, self._new_id(reply), own_id
            )

    def _flush(self, before: datetime | None) -> Iterator[Message]:
        """Emit nested replies whose own top-level copy never came (by their time)."""
        if not self.pending:
            return
        due = sorted(
            (
                p
                for p in self.pending.values()
                if before is None or p.parsed.timestamp < before
            ),
            key=lambda p: (p.parsed.timestamp, p.order),
        )
        for pending in due:
            key = pending.parsed.key
            del self.pending[key]
            self.flushed.add(key)
            message = self._build(
                pending.parsed,
                message_id=pending.message_id,
                reply_to=pending.parent_id,
            )
            if message is not None:
                yield message

    def _new_id(self, item: _Parsed) -> str:
        """The GUID-based or synthetic id of an item."""
        if item.guid:
            return f"{self.conversation_id}/{item.guid}"
        triple = (item.timestamp.isoformat(), item.sender, item.text)
        n = self.occurrences[triple]
        self.occurrences[triple] += 1
        return f"{self.conversation_id}/{synthetic_id(*triple, n)}"

    def _build(
        self,
        item: _Parsed,
        *,
        message_id: str | None = None,
        reply_to: str | None = None,
    ) -> Message | None:
        """The row for an item, or None when its id was already produced."""
        message_id = message_id or self._new_id(item)
        if message_id in self.emitted:
            self.duplicates += 1
            return None
        self.emitted.add(message_id)
        if item.sender == "Me" and not self.exporter_seen:
            self.exporter_seen = True
            self.report.decide(
                self.where(item.line),
                "exporter",
                "Me",
                "imessage-exporter writes the exporter's own messages as 'Me'",
            )
        if self.last is not None and item.timestamp < self.last:
            self.backwards += 1
        self.last = item.timestamp
        return Message(
            conversation_id=self.conversation_id,
            message_id=message_id,
            timestamp=item.timestamp,
            tz_known=False,
            sender=item.sender,
            text=item.text,
            kind=item.kind,
            reply_to=reply_to,
            reactions=item.reactions,
            edited=item.edited,
            edited_at=item.edited_at,
            read_at=item.read_at,
            read_by=item.read_by,
            conversation_name=self.name,
            source=self.where(item.line),
        )

    def _finish(self) -> None:
        """Report what was noticed across the conversation."""
        where = self.where()
        if self.unmatched:
            self.report.note(
                where,
                f"{len(self.unmatched)} messages are marked as replies to a message "
                f"that is not in this file (first at {self.unmatched[0]}); their "
                "reply_to is empty",
            )
        if self.merged:
            self.report.note(
                where,
                f"{self.merged} replies appear both under their parent and at their "
                "own time; each pair was merged into one row",
            )
        if self.duplicates:
            self.report.note(where, f"{self.duplicates} duplicate messages merged")
        if self.backwards:
            self.report.note(
                where,
                f"{self.backwards} timestamps run backwards; order kept as in the file",
            )


# --- shared pieces ----------------------------------------------------------


def _clean(line: str) -> str:
    """A line as headers are matched: no direction marks, plain spaces."""
    return clean_header_spaces(strip_invisible(line))


def _is_read_tail(tail: str) -> bool:
    """Whether what follows a timestamp is nothing or a read receipt."""
    return not tail.strip() or _READ.match(tail) is not None


def _timestamp(match: re.Match[str]) -> datetime | None:
    """The wall time a timestamp match names, or None when impossible."""
    hour = int(match["hour"])
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if match["ampm"] == "PM" else 0)
    try:
        return datetime(
            int(match["year"]),
            _MONTHS[match["mon"]],
            int(match["day"]),
            hour,
            int(match["minute"]),
            int(match["second"]),
        )
    except ValueError:
        return None


def _duration(text: str) -> timedelta | None:
    """``1 hour, 49 seconds`` -> a timedelta; None when a part is not understood."""
    total = 0
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        return None
    for part in parts:
        found = _DURATION.match(part)
        if found is None:
            return None
        total += int(found["n"]) * _UNIT_SECONDS[found["unit"]]
    return timedelta(seconds=total)


def _read_receipt(
    tail: str, timestamp: datetime, where: str, report: ParseReport
) -> tuple[datetime | None, str | None]:
    """(read_at, read_by) from a ``(Read by X after ...)`` suffix."""
    found = _READ.match(tail)
    if found is None:
        return None, None
    after = _duration(found["after"])
    if after is None:
        report.problem(
            where, "read receipt duration not understood; read_at left empty"
        )
        return None, found["who"]
    return timestamp + after, found["who"]


def _tapback(line: str, has_image: bool = False) -> dict[str, Any] | None:
    """A tapback line as a reaction, or None when it is not one."""
    text = " ".join(line.replace("\u00a0", " ").split())
    sticker = _STICKER_TAPBACK.match(text)
    if sticker:
        return reaction("sticker", by=sticker["who"])
    if has_image:
        # A sticker tapback: the image, maybe "App: Memoji", then "by X" / "from X".
        found = re.match(r"^(?:.* )?(?:from|by) (?P<who>.+)$", text)
        if found:
            return reaction("sticker", by=found["who"])
    found = _TAPBACK.match(text)
    if found is None:
        return None
    kind = found["kind"]
    if kind in _TAPBACK_EMOJI:
        return reaction(_TAPBACK_EMOJI[kind], by=found["who"])
    if re.search(r"[A-Za-z0-9]", kind):
        return None
    return reaction(kind, by=found["who"])


def _is_attachment(line: str) -> bool:
    """Whether a body line is an attachment path or notice."""
    if line in _MISSING_ATTACHMENT:
        return True
    if "\n" in line or "://" in line or len(line) > 400:
        return False
    if line.startswith(("/", "~/")) and "/" in line[2:]:
        return bool(_MEDIA_EXTENSIONS.search(line)) or "/Attachments/" in line
    if line.startswith("attachments/") or "/Library/Messages/" in line:
        return True
    if " " not in line and "/" in line and _MEDIA_EXTENSIONS.search(line):
        return True
    return (
        bool(_MEDIA_EXTENSIONS.search(line))
        and "/" not in line
        and len(line) < 120
        and (" " not in line or line.startswith("Audio Message"))
    )


def _media_name(value: str) -> str:
    """The file name shown for an attachment."""
    if value in _MISSING_ATTACHMENT:
        return "attachment"
    return PurePosixPath(value.strip()).name or value.strip()


@dataclass
class _Body:
    """The parts of a message body, gathered in order."""

    text: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    unsent: list[str] = field(default_factory=list)
    system: list[str] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    reply_note: bool = False
    edited: bool = False
    edited_at: datetime | None = None

    def settle(self, item: _Parsed) -> None:
        """Fill ``item``'s text and kind from the parts."""
        text = "\n".join(self.text).strip("\n")
        if not text.strip():
            text = ""
        item.reactions = self.reactions
        item.reply_note = self.reply_note
        item.edited = self.edited
        item.edited_at = self.edited_at
        if self.deleted:
            item.kind = "deleted"
            item.text = text or "\n".join(self.unsent) or _DELETED_NOTE
        elif self.unsent and not text and not self.media:
            item.kind = "deleted"
            item.text = "\n".join(self.unsent)
        elif not text and self.media:
            item.kind = "media"
            item.text = "\n".join(self.captions) or ", ".join(self.media)
        elif not text and self.system:
            item.kind = "system"
            item.text = "\n".join(self.system)
        else:
            item.kind = "message"
            item.text = text


def _apply_edits(
    body: _Body,
    timestamp: datetime,
    versions: list[tuple[str, str]],
    where: str,
    report: ParseReport,
) -> None:
    """Apply an edit history: (label, text) pairs, ``Edited N seconds later`` labels."""
    if not versions:
        return
    when = timestamp
    for label, _ in versions[1:]:
        found = re.match(r"^Edited (?P<after>.*?) later", label)
        step = _duration(found["after"]) if found else None
        if step is None:
            if label:
                report.problem(where, "edit delay not understood; edited_at left empty")
            when = None  # type: ignore[assignment]
            break
        when += step
    body.edited = len(versions) > 1
    body.edited_at = when if body.edited else None
    body.text.append(versions[-1][1])


# --- TXT --------------------------------------------------------------------


@dataclass
class _TxtItem:
    """One TXT message as lines, with its nested replies."""

    line: int
    timestamp: datetime
    tail: str
    indent: int
    sender: str | None = None
    lines: list[str] = field(default_factory=list)
    replies: list[_TxtItem] = field(default_factory=list)


def _txt_items(
    export: Export, member: str | None, report: ParseReport
) -> Iterator[_Parsed]:
    """Parsed messages from a TXT export, top-level items in file order."""
    top: _TxtItem | None = None
    reply: _TxtItem | None = None
    awaiting_sender: _TxtItem | None = None
    after_blank = True
    stray: int | None = None

    def finish(item: _TxtItem) -> _Parsed | None:
        """Parse a finished TXT item."""
        return _txt_parsed(item, export, member, report)

    for number, line in enumerate(export.text_lines(member), 1):
        if awaiting_sender is not None:
            item, awaiting_sender = awaiting_sender, None
            candidate = strip_invisible(line).strip()
            if candidate and _TS_LINE.match(_clean(line)) is None:
                item.sender = candidate
                after_blank = False
                continue
        if not line.strip():
            after_blank = True
            target = reply or top
            if target is not None:
                target.lines.append("")
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        header = _TS_LINE.match(_clean(line))
        if header is not None and indent == 0 and (after_blank or top is None):
            tail = header["tail"]
            announcement = (
                _ANNOUNCEMENT.match(tail.strip()) if tail.startswith(" ") else None
            )
            if _is_read_tail(tail) or announcement is not None:
                if top is not None:
                    parsed = finish(top)
                    if parsed is not None:
                        yield parsed
                top, reply, after_blank = None, None, False
                timestamp = _timestamp(header)
                if timestamp is None:
                    report.problem(
                        export.where(member, number),
                        "the timestamp line holds an impossible date or time",
                    )
                    continue
                if announcement is not None:
                    yield _announcement(
                        tail.strip(), timestamp, number, export.where(member, number)
                    )
                    continue
                top = _TxtItem(number, timestamp, tail, 0)
                awaiting_sender = top
                continue
        if (
            header is not None
            and indent > 0
            and top is not None
            and _is_read_tail(header["tail"])
        ):
            timestamp = _timestamp(header)
            if timestamp is not None:
                reply = _TxtItem(number, timestamp, header["tail"], indent)
                top.replies.append(reply)
                awaiting_sender = reply
                after_blank = False
                continue
        if after_blank and indent == 0 and line.strip() == _UNFORMATTED:
            report.problem(
                export.where(member, number),
                "an announcement imessage-exporter could not format (no date)",
            )
            if top is not None:
                parsed = finish(top)
                if parsed is not None:
                    yield parsed
            top, reply, after_blank = None, None, False
            continue
        if top is None:
            if stray is None:
                stray = number
                report.problem(
                    export.where(member, number),
                    "text outside any message (no timestamp line before it)",
                )
            after_blank = False
            continue
        if reply is not None and after_blank and indent == 0:
            reply = None
        target = reply or top
        if target.indent and line[: target.indent].isspace():
            line = line[target.indent :]
        target.lines.append(line)
        after_blank = False
    if top is not None:
        parsed = finish(top)
        if parsed is not None:
            yield parsed


def _announcement(text: str, timestamp: datetime, line: int, where: str) -> _Parsed:
    """A one-line announcement as a system (or deleted) item."""
    text = " ".join(text.split())
    found = _ANNOUNCEMENT.match(text)
    who = found["who"] if found else ""
    sender = "Me" if who == "You" else who
    kind = (
        "deleted"
        if found and found["action"].startswith("unsent a message")
        else "system"
    )
    return _Parsed(line=line, timestamp=timestamp, sender=sender, text=text, kind=kind)


def _txt_parsed(
    item: _TxtItem, export: Export, member: str | None, report: ParseReport
) -> _Parsed | None:
    """A TXT item and its replies as parsed messages (None after a problem)."""
    where = export.where(member, item.line)
    if not item.sender:
        report.problem(where, "a message timestamp with no sender line after it")
        return None
    parsed = _Parsed(line=item.line, timestamp=item.timestamp, sender=item.sender)
    parsed.read_at, parsed.read_by = _read_receipt(
        item.tail, item.timestamp, where, report
    )
    body = _txt_body(item.lines, item.timestamp, where, report)
    body.settle(parsed)
    for child in item.replies:
        child_parsed = _txt_parsed(child, export, member, report)
        if child_parsed is not None:
            parsed.replies.append(child_parsed)
    return parsed


def _txt_body(
    lines: list[str], timestamp: datetime, where: str, report: ParseReport
) -> _Body:
    """Gather the parts of a TXT message body."""
    body = _Body()
    i = 0
    after_media = False
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        i += 1
        if line == _DELETED_NOTE:
            body.deleted = True
            continue
        if line == _REPLY_NOTE:
            body.reply_note = True
            continue
        if line in ("Tapbacks:", "Reactions:"):
            while i < len(lines) and lines[i].strip():
                found = _tapback(lines[i].strip())
                if found is None:
                    break
                body.reactions.append(found)
                i += 1
            if i < len(lines) and not lines[i].strip():
                i += 1  # the blank line that closes the list
            continue
        edit_start = _TS_LINE.match(_clean(raw))
        if (
            edit_start is not None
            and edit_start["tail"].startswith(" ")
            and i < len(lines)
            and _EDITED.match(lines[i].strip())
        ):
            versions = [("", edit_start["tail"].strip())]
            while i < len(lines) and lines[i].strip():
                edit = _EDITED.match(lines[i].strip())
                if edit is not None:
                    versions.append(
                        (f"Edited {edit['after']} later", edit["text"].strip())
                    )
                else:
                    label, text = versions[-1]
                    versions[-1] = (label, f"{text}\n{lines[i]}")
                i += 1
            if i < len(lines):
                i += 1  # the blank line that closes the history
            _apply_edits(body, timestamp, versions, where, report)
            continue
        if _UNSENT.match(line) or (_OLD_DELETED.match(line) and len(lines) == 1):
            body.unsent.append(line)
            continue
        sticker = _STICKER.match(line)
        if sticker is not None:
            body.media.append(_media_name(sticker["path"].split(" (")[0]))
            after_media = True
            continue
        if _is_attachment(line):
            body.media.append(_media_name(line))
            after_media = True
            continue
        if after_media and line.startswith("Transcription: "):
            body.captions.append(line[len("Transcription: ") :])
            continue
        after_media = False
        if _EFFECT.match(line):
            continue
        if line in _LOCATION:
            body.system.append(line)
            continue
        body.text.append(raw)
    return body


# --- HTML -------------------------------------------------------------------


def _html_items(
    export: Export, member: str | None, report: ParseReport
) -> Iterator[_Parsed]:
    """Parsed messages from an HTML export, top-level items in file order."""
    from bs4 import BeautifulSoup
    from bs4.element import Tag

    soup = BeautifulSoup(export.read_text(member), "html.parser")

    def has_class(tag: Any, name: str) -> bool:
        """Whether a tag has a CSS class."""
        return isinstance(tag, Tag) and name in (tag.get("class") or [])

    def is_message(tag: Any) -> bool:
        """Whether a tag is a ``div.message``."""
        return isinstance(tag, Tag) and tag.name == "div" and has_class(tag, "message")

    for tag in soup.find_all("div"):
        if not (has_class(tag, "message") or has_class(tag, "announcement")):
            continue
        if tag.find_parent(is_message) is not None:
            continue
        where = export.where(member, tag.sourceline)
        if has_class(tag, "announcement"):
            parsed = _html_announcement(tag, where, report)
        else:
            parsed = _html_message(tag, export, member, report)
        if parsed is not None:
            yield parsed


def _html_announcement(tag: Any, where: str, report: ParseReport) -> _Parsed | None:
    """A ``div.announcement`` as a parsed item."""
    stamp = tag.find("span", class_="timestamp")
    header = (
        _TS_LINE.match(_clean(stamp.get_text().strip())) if stamp is not None else None
    )
    timestamp = _timestamp(header) if header is not None else None
    if timestamp is None:
        report.problem(where, "an announcement without a readable timestamp")
        return None
    stamp.extract()
    text = " ".join(tag.get_text(" ").split())
    text = re.sub(r" ([.!])$", r"\1", text)
    return _announcement(text, timestamp, tag.sourceline or 0, where)


def _own(tag: Any) -> Iterator[Any]:
    """Descendant tags of a message that belong to it, not to its nested replies."""
    from bs4.element import Tag

    for child in tag.children:
        if not isinstance(child, Tag):
            continue
        if "replies" in (child.get("class") or []):
            continue
        yield child
        yield from _own(child)


def _html_text(tag: Any) -> str:
    """The text of an element, ``<br>`` as newlines."""
    for br in tag.find_all("br"):
        br.replace_with("\n")
    return tag.get_text().strip()


def _html_message(
    div: Any, export: Export, member: str | None, report: ParseReport
) -> _Parsed | None:
    """A ``div.message`` and its nested replies as a parsed item."""
    from bs4.element import Tag

    where = export.where(member, div.sourceline)
    side = next(
        (
            child
            for child in div.children
            if isinstance(child, Tag)
            and {"sent", "received"} & set(child.get("class") or [])
        ),
        None,
    )
    if side is None:
        report.problem(where, "a message without its sent or received part")
        return None
    stamp = next(
        (
            t
            for t in _own(side)
            if t.name == "span" and "timestamp" in t.get("class", [])
        ),
        None,
    )
    header = (
        _TS_LINE.match(_clean(" ".join(stamp.get_text().split()))) if stamp else None
    )
    timestamp = _timestamp(header) if header is not None else None
    if header is None or timestamp is None:
        report.problem(where, "a message without a readable timestamp")
        return None
    sender_tag = next(
        (t for t in _own(side) if t.name == "span" and "sender" in t.get("class", [])),
        None,
    )
    sender = strip_invisible(sender_tag.get_text()).strip() if sender_tag else ""
    if not sender:
        report.problem(where, "a message without a sender")
        return None
    parsed = _Parsed(line=div.sourceline or 0, timestamp=timestamp, sender=sender)
    parsed.read_at, parsed.read_by = _read_receipt(
        header["tail"], timestamp, where, report
    )
    link = stamp.find("a", href=re.compile(r"message-guid=")) if stamp else None
    if link is not None:
        parsed.guid = str(link["href"]).split("message-guid=", 1)[1] or None

    body = _Body()
    for tag in list(_own(side)):
        classes = tag.get("class") or []
        if tag.name == "span" and "subject" in classes:
            subject = _html_text(tag)
            if subject:
                body.text.append(subject)
        elif tag.name == "span" and "deleted" in classes:
            body.deleted = True
        elif tag.name == "span" and "reply_context" in classes:
            body.reply_note = True
        elif tag.name == "div" and "message_part" in classes:
            _html_part(tag, body, timestamp, where, report)
        elif tag.name == "div" and ("reaction" in classes or "tapback" in classes):
            found = _tapback(
                tag.get_text(" ", strip=True), has_image=tag.find("img") is not None
            )
            if found is None:
                report.problem(where, "a tapback that could not be read was left out")
            else:
                body.reactions.append(found)
        elif tag.name == "span" and (
            "shared_location" in classes or "shareplay" in classes
        ):
            body.system.append(" ".join(tag.get_text(" ").split()))
    if div.get("id", "").startswith("r-"):
        body.reply_note = True
    body.settle(parsed)

    for replies in side.find_all("div", class_="replies", recursive=False):
        for holder in replies.find_all("div", class_="reply", recursive=False):
            nested = holder.find("div", class_="message", recursive=False)
            if nested is None:
                report.problem(
                    export.where(member, holder.sourceline), "a reply without a message"
                )
                continue
            child = _html_message(nested, export, member, report)
            if child is None:
                continue
            if child.guid is None and holder.get("id"):
                child.guid = str(holder["id"])
            parsed.replies.append(child)
    return parsed


def _html_part(
    tag: Any, body: _Body, timestamp: datetime, where: str, report: ParseReport
) -> None:
    """Gather one ``div.message_part`` into the body."""
    edited = tag.find("div", class_="edited")
    if edited is not None:
        versions = []
        for row in edited.find_all("tr"):
            cells = row.find_all("td", recursive=False)
            if len(cells) < 2:
                continue
            versions.append(
                (" ".join(cells[0].get_text(" ").split()), _html_text(cells[1]))
            )
        _apply_edits(body, timestamp, versions, where, report)
        return
    unsent = tag.find("span", class_="unsent")
    if unsent is not None:
        body.unsent.append(" ".join(unsent.get_text(" ").split()))
        return
    bubbles = tag.find_all("span", class_="bubble")
    if bubbles:
        body.text.extend(_html_text(bubble) for bubble in bubbles)
        return
    app = tag.find("div", class_="app")
    if app is not None:
        link = app.find("a", href=True)
        if link is not None:
            body.text.append(str(link["href"]))
        else:
            body.media.append(" ".join(app.get_text(" ").split()) or "app message")
        return
    error = tag.find("span", class_="attachment_error")
    if error is not None:
        body.media.append("attachment")
        return
    sources = [
        str(media.get("src"))
        for media in tag.find_all(["img", "video", "audio", "source"])
        if media.get("src")
    ]
    links = [str(a["href"]) for a in tag.find_all("a", href=True)]
    for path in sources or links:
        body.media.append(_media_name(path))
        break
    else:
        text = _html_text(tag)
        if text:
            body.text.append(text)
    transcription = tag.find("span", class_="transcription")
    if transcription is not None:
        body.captions.append(
            _html_text(transcription).removeprefix("Transcription:").strip()
        )
