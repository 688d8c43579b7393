"""DiscordChatExporter (DCE) exports: the JSON layout and the older CSV layout.

Discord has no chat export of its own; DCE writes one file per channel. The JSON file
carries message ids, reply references, reactions (with the people who reacted, in newer
versions), edits and calls. The CSV file carries only author, date, text, attachment
URLs and reaction counts, so ids are synthesized and there are no replies.

A folder or zip holding several DCE files (a whole server, or one channel split into
``[part N]`` files) is read member by member in natural name order; parts of the same
channel share one conversation and are deduplicated together.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any

import orjson

from ..errors import ExportError
from ..records import Message, reaction
from ..report import ParseReport
from ._common import (
    NOT_MINE,
    ParseOptions,
    load_json,
    slug,
    strip_invisible,
    synthetic_id,
)
from ._source import Export

__all__ = ["sniff", "read", "sniff_csv", "read_csv", "CSV_HEADER"]

#: The first line of every DCE CSV file (older versions quote each field).
CSV_HEADER = ("AuthorID", "Author", "Date", "Content", "Attachments", "Reactions")

# DCE writes ``guild``, ``channel``, ``dateRange``, ``exportedAt`` and then opens
# ``messages``, so all three keys sit in the first few hundred bytes of a real file.
_JSON_KEYS = (
    re.compile(rb'"guild"\s*:\s*\{'),
    re.compile(rb'"channel"\s*:\s*\{'),
    re.compile(rb'"messages"\s*:\s*\['),
)
_SNIFF_MEMBERS = 10

# What reading a damaged zip member raises part-way (its CRC fails at the end, its
# inflation in the middle); Export.head and text_lines map these, a raw stream does not.
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError)

_MESSAGE_TYPES = frozenset({"Default", "Reply"})
# The system types DCE names (MessageKind); any other type, named or numeric, is a
# system row too, but is counted in a note so a new type does not go unnoticed.
_SYSTEM_TYPES = frozenset(
    {
        "RecipientAdd",
        "RecipientRemove",
        "ChannelNameChange",
        "ChannelIconChange",
        "ChannelPinnedMessage",
        "GuildMemberJoin",
        "ThreadCreated",
    }
)

_REACTION = re.compile(r"(?P<emoji>.+?) \((?P<count>[0-9]+)\)(?=,|$)", re.DOTALL)
# The sentences some DCE versions write into the CSV Content column for system
# messages (``GetFallbackContent``); matched whole, never as part of a text.
_CSV_SYSTEM_TEXT = frozenset(
    {
        "Added a recipient.",
        "Removed a recipient.",
        "Changed the channel name.",
        "Changed the channel icon.",
        "Pinned a message.",
        "Started a thread.",
        "Joined the server.",
    }
)
_CSV_CALL_TEXT = re.compile(r"Started a call that lasted [0-9]+ minutes?\.")
_DIGITS = re.compile(r"([0-9]+)")


# ---------------------------------------------------------------------------
# Shared helpers


def _natural_key(name: str) -> list[Any]:
    """Sort ``[part 2]`` before ``[part 10]``."""
    parts: list[Any] = _DIGITS.split(name.lower())
    parts[1::2] = [int(p) for p in parts[1::2]]
    return parts


def _candidates(export: Export, suffix: str) -> list[str]:
    """The members that may hold a DCE file: the file itself, or ``*.suffix``."""
    if export.kind == "file":
        return list(export.members)
    found = [m for m in export.members if m.lower().endswith(suffix)]
    return sorted(found, key=_natural_key)


def _head(export: Export, member: str, size: int, quiet: bool) -> bytes | None:
    """The start of a member; None when it cannot be read and ``quiet``.

    Raises
    ------
    ExportError
        When not ``quiet`` and the member is damaged or cannot be opened.
    """
    if not quiet:
        return export.head(member, size=size)
    try:
        return export.head(member, size=size)
    except NOT_MINE:
        return None


def _is_dce_json(export: Export, member: str, quiet: bool = True) -> bool:
    head = _head(export, member, 65_536, quiet)
    if head is None:
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{"):
        return False
    return all(key.search(start) for key in _JSON_KEYS)


def _is_dce_csv(export: Export, member: str, quiet: bool = True) -> bool:
    head = _head(export, member, 4096, quiet)
    if head is None:
        return False
    text = head.decode("utf-8", "ignore").lstrip("\ufeff")
    first = text.splitlines()[0] if text else ""
    try:
        fields = next(csv.reader([first]), [])
    except csv.Error:
        return False
    return tuple(strip_invisible(f).strip() for f in fields) == CSV_HEADER


def _text(value: Any) -> str:
    """A string field as text (``None`` is empty).

    Lone UTF-16 surrogates were already replaced when the file was loaded
    (:func:`load_json`).
    """
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _fingerprint(raw: dict[str, Any]) -> bytes:
    """A digest of a whole message object, to tell a repeat from a clash."""
    try:
        encoded = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, in a hand-made file
        encoded = json.dumps(raw, sort_keys=True).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=16).digest()


def _parse_time(value: Any) -> tuple[datetime, bool]:
    """An ISO 8601 time as aware UTC (with an offset) or naive wall time (without).

    Raises
    ------
    ValueError
        If the value is not an ISO 8601 timestamp.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("not a timestamp")
    stamp = datetime.fromisoformat(value.strip())
    if stamp.tzinfo is None:
        return stamp, False
    return stamp.astimezone(timezone.utc), True


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------------------
# JSON


def sniff(export: Export) -> bool:
    """Whether the export is (or holds) a DiscordChatExporter JSON file.

    Parameters
    ----------
    export : Export
        A file, folder or zip.

    Returns
    -------
    bool
        True if the first 64 KiB of the file (or of one of the first ten ``.json``
        members) open a JSON object with ``"guild"`` and ``"channel"`` objects and a
        ``"messages"`` list. Works on a truncated file; never raises.
    """
    members = _candidates(export, ".json")[:_SNIFF_MEMBERS]
    return any(_is_dce_json(export, member) for member in members)


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read DiscordChatExporter JSON files into messages, in file order.

    Parameters
    ----------
    export : Export
        A DCE ``.json`` file, or a folder or zip of them.
    options : ParseOptions
        Unused; DCE files carry their own time zone.
    report : ParseReport
        Receives unreadable messages, duplicates, count mismatches and decisions.

    Yields
    ------
    Message
        One per message, in the order of the file (never re-sorted by id).

    Raises
    ------
    ExportError
        If a file is not valid JSON (with line and column) or has no ``messages`` list.
    """
    seen: dict[str, tuple[bytes, str]] = {}
    skipped = 0
    for member in _candidates(export, ".json"):
        # A member that cannot be read is an error here, not "some other file".
        if export.kind != "file" and not _is_dce_json(export, member, quiet=False):
            skipped += 1
            continue
        yield from _JsonFile(export, member, report, seen).messages()
    if skipped:
        report.note(
            export.where(),
            f"JSON files that are not DiscordChatExporter exports, skipped: {skipped}",
        )


class _JsonFile:
    """One DCE JSON file being read: its channel, its ids, and counts for the notes.

    ``seen`` maps the message ids already produced from earlier files of the same
    export to a digest of their object and their place, so a channel split into parts
    (or exported twice) is deduplicated whole, and a repeated id whose content differs
    is reported rather than dropped unseen.
    """

    def __init__(
        self,
        export: Export,
        member: str,
        report: ParseReport,
        seen: dict[str, tuple[bytes, str]],
    ):
        self.export = export
        self.member = member
        self.report = report
        self.seen = seen
        self.where = export.where(member)
        self.counter: Counter[str] = Counter()
        data = load_json(export, member)
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise ExportError(
                'not a DiscordChatExporter JSON export: there is no "messages" list at '
                "the top level; export the channel again as JSON",
                self.where,
            )
        self.records: list[Any] = data["messages"]
        self.declared = data.get("messageCount")
        raw_guild, raw_channel = data.get("guild"), data.get("channel")
        guild = raw_guild if isinstance(raw_guild, dict) else {}
        channel = raw_channel if isinstance(raw_channel, dict) else {}
        stem = PurePosixPath(member).stem
        self.channel_id = self.text(channel.get("id")).strip()
        if self.channel_id:
            self.conversation_id = f"discord-{self.channel_id}"
        else:
            self.conversation_id = f"discord-{slug(stem)}"
            report.note(
                self.where,
                "the channel has no id; the conversation id is made from the file name",
            )
        # Every DM's guild is "Direct Messages"; the channel name names the person.
        self.conversation_name = (
            self.name(channel.get("name")) or self.name(guild.get("name")) or stem
        )
        self.ids_in_file = {
            str(r["id"]).strip()
            for r in self.records
            if isinstance(r, dict) and r.get("id") is not None
        }

    def text(self, value: Any) -> str:
        """A string field as text."""
        return _text(value)

    def name(self, value: Any) -> str:
        """A name: direction marks and outer spaces removed."""
        return strip_invisible(self.text(value)).strip()

    def person(self, user: Any) -> str:
        """The name people see: the nickname (display name), else the user name."""
        if not isinstance(user, dict):
            return ""
        return self.name(user.get("nickname")) or self.name(user.get("name"))

    def messages(self) -> Iterator[Message]:
        """The file's messages in file order, duplicates (same id) left out."""
        declared = self.declared
        if (
            isinstance(declared, int)
            and not isinstance(declared, bool)
            and declared != len(self.records)
        ):
            self.report.note(
                self.where,
                f"messageCount says {declared} but the file holds "
                f"{len(self.records)} messages",
            )
        previous: datetime | None = None
        for index, raw in enumerate(self.records):
            message = self.message(
                raw, self.export.where(self.member, f"messages[{index}]")
            )
            if message is None:
                continue
            stamp = message.timestamp
            if (
                previous is not None
                and (previous.tzinfo is None) == (stamp.tzinfo is None)
                and stamp < previous
            ):
                self.counter["backwards"] += 1
            previous = stamp
            yield message
        self.notes()

    def message(self, raw: Any, place: str) -> Message | None:
        """One message object as a row; None if unreadable (recorded) or a duplicate."""
        if not isinstance(raw, dict):
            self.report.problem(place, "the message is not a JSON object")
            return None
        native_id = "" if raw.get("id") is None else self.text(raw["id"]).strip()
        if not native_id:
            self.report.problem(place, 'the message has no "id"')
            return None
        message_id = f"{self.conversation_id}/{native_id}"
        fingerprint = _fingerprint(raw)
        first = self.seen.get(message_id)
        if first is not None:
            if first[0] == fingerprint:
                self.counter["duplicates"] += 1
            else:
                self.report.problem(
                    place,
                    f"message id {native_id} appears again with different content "
                    f"(first at {first[1]}); the first is kept",
                )
            return None
        if raw.get("timestamp") in (None, ""):
            self.report.problem(place, 'the message has no "timestamp"')
            return None
        try:
            timestamp, tz_known = _parse_time(raw["timestamp"])
        except ValueError:
            self.report.problem(place, '"timestamp" is not an ISO 8601 time')
            return None
        author = raw.get("author")
        if not isinstance(author, dict):
            self.report.problem(place, 'the message has no "author"')
            return None
        self.seen[message_id] = (fingerprint, place)
        if not tz_known:
            self.counter["naive"] += 1
        if author.get("isBot") is True:
            self.counter["bots"] += 1

        type_name = raw.get("type") or "Default"
        type_name = type_name if isinstance(type_name, str) else str(type_name)
        text = self.text(raw.get("content"))
        attachments = raw.get("attachments") or []
        stickers = raw.get("stickers") or []
        forwarded = raw.get("forwardedMessage")
        if not text.strip() and isinstance(forwarded, dict):
            # A forward's own content is empty; what was forwarded is what people saw.
            text = self.text(forwarded.get("content"))
            attachments = attachments or forwarded.get("attachments") or []
            stickers = stickers or forwarded.get("stickers") or []
        if type_name in _MESSAGE_TYPES:
            kind = (
                "media" if not text.strip() and (attachments or stickers) else "message"
            )
        elif type_name == "Call":
            kind = "call"
            if not _readable_time(raw.get("callEndedTimestamp")):
                self.counter["bad_call_end"] += 1
        else:
            kind = "system"
            if type_name not in _SYSTEM_TYPES:
                self.counter[f"type:{type_name}"] += 1

        edited_at: datetime | None = None
        edited = raw.get("timestampEdited") not in (None, "")
        if edited:
            try:
                edited_at, _ = _parse_time(raw["timestampEdited"])
            except ValueError:
                self.report.problem(
                    place,
                    "timestampEdited is not an ISO 8601 time; edited_at left empty",
                )

        return Message(
            conversation_id=self.conversation_id,
            message_id=message_id,
            timestamp=timestamp,
            tz_known=tz_known,
            sender=self.person(author),
            sender_id=self.text(author.get("id")).strip() or None,
            text=text,
            kind=kind,
            reply_to=self.reply_to(raw, type_name, bool(text.strip() or attachments)),
            reactions=self.reactions(raw.get("reactions"), place),
            edited=edited,
            edited_at=edited_at,
            conversation_name=self.conversation_name,
            source=place,
        )

    def reply_to(
        self, raw: dict[str, Any], type_name: str, has_content: bool
    ) -> str | None:
        """The replied-to message id, only for a reply within this channel.

        A ``reference`` also sits on forwards (reference ``type: Forward``), pins,
        crossposts and thread starts; none of those is a reply.
        """
        reference = raw.get("reference")
        if not isinstance(reference, dict) or reference.get("messageId") in (None, ""):
            return None
        target_id = str(reference["messageId"]).strip()
        legacy = False
        if type_name == "Reply":
            if reference.get("type") not in (None, "Default"):
                return None
        elif type_name == "Default":
            # Files from before DCE wrote a reference ``type`` (and hand-made files)
            # can hold a reply as type Default. A forward there has no content of its
            # own, so only a reference beside content of its own is read as a reply.
            if "type" in reference or not has_content:
                return None
            legacy = True
        else:
            return None
        channel = reference.get("channelId")
        if channel not in (None, "") and str(channel).strip() != self.channel_id:
            self.counter["other_channel"] += 1
            return None
        if legacy:
            self.counter["legacy_replies"] += 1
        if target_id not in self.ids_in_file:
            self.counter["dangling"] += 1
        return f"{self.conversation_id}/{target_id}"

    def reactions(self, value: Any, place: str) -> list[dict[str, Any]]:
        """One entry per listed reactor, plus one (``by`` None) for those not listed.

        A reaction without an emoji is left out and recorded as a problem at ``place``.
        """
        if not isinstance(value, list):
            return []
        reactions: list[dict[str, Any]] = []
        for entry in value:
            emoji_data = entry.get("emoji") if isinstance(entry, dict) else None
            if not isinstance(emoji_data, dict):
                self.report.problem(place, "a reaction without an emoji was left out")
                continue
            emoji = (
                self.text(emoji_data.get("name"))
                or self.text(emoji_data.get("code"))
                or self.text(emoji_data.get("id"))
            )
            if not emoji:
                self.report.problem(place, "a reaction without an emoji was left out")
                continue
            users = entry.get("users")
            listed = (
                [u for u in users if isinstance(u, dict)]
                if isinstance(users, list)
                else []
            )
            count = entry.get("count")
            if not isinstance(count, int) or isinstance(count, bool):
                count = len(listed) or 1
            for user in listed:
                reactions.append(reaction(emoji, by=self.person(user) or None))
            if count > len(listed):
                reactions.append(reaction(emoji, count=count - len(listed)))
        return reactions

    def notes(self) -> None:
        """Turn the file's counts into notes and decisions (never message text)."""
        counter, where, report = self.counter, self.where, self.report
        if counter["duplicates"]:
            report.note(
                where,
                f"{_plural(counter['duplicates'], 'duplicate message')} (same id, same "
                "content) merged",
            )
        if counter["legacy_replies"]:
            report.decide(
                where,
                "reply links",
                "references on Default messages read as replies",
                "messages of type Default with a reference to a message in this "
                "channel, no reference type (so not a marked forward) and content of "
                f"their own: {counter['legacy_replies']}; current DCE marks replies "
                "with type Reply",
            )
        if counter["bots"]:
            report.note(
                where,
                f"messages from bot accounts (isBot), kept as messages: "
                f"{counter['bots']}",
            )
        unknown = sorted(
            (k[5:], n) for k, n in counter.items() if k.startswith("type:")
        )
        if unknown:
            listed = ", ".join(f"{name} ({n})" for name, n in unknown)
            report.note(where, f"message types read as system rows: {listed}")
        texts = {
            "naive": "timestamps without a UTC offset, kept as wall time",
            "backwards": "timestamps earlier than the one before (file order kept)",
            "dangling": "replies to messages not in this file (reply_to kept)",
            "other_channel": "replies into another channel (not linked)",
            "bad_call_end": "unreadable callEndedTimestamp values",
        }
        for key, text in texts.items():
            if counter[key]:
                report.note(where, f"{text}: {counter[key]}")


def _readable_time(value: Any) -> bool:
    """Whether an optional time field is absent or ISO 8601."""
    if value in (None, ""):
        return True
    try:
        _parse_time(value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------
# CSV


def sniff_csv(export: Export) -> bool:
    """Whether the export is (or holds) a DiscordChatExporter CSV file.

    Parameters
    ----------
    export : Export
        A file, folder or zip.

    Returns
    -------
    bool
        True if the first line of the file (or of one of the first ten ``.csv``
        members) is the DCE header, quoted or not, after an optional BOM. Never raises.
    """
    members = _candidates(export, ".csv")[:_SNIFF_MEMBERS]
    return any(_is_dce_csv(export, member) for member in members)


def read_csv(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read DiscordChatExporter CSV files into messages, in file order.

    DCE CSV has no message ids, replies or edits: ids are synthesized from the time,
    author, text and the occurrence of that triple, and the conversation id comes
    from the file name.

    Parameters
    ----------
    export : Export
        A DCE ``.csv`` file, or a folder or zip of them.
    options : ParseOptions
        Unused.
    report : ParseReport
        Receives rows with a wrong field count or an unreadable date (by CSV line).

    Yields
    ------
    Message
        One per row.

    Raises
    ------
    ExportError
        If a file does not start with the DCE header or is not UTF-8.
    """
    members = _candidates(export, ".csv")
    skipped = read_any = 0
    for member in members:
        if export.kind != "file" and not _is_dce_csv(export, member, quiet=False):
            skipped += 1
            continue
        read_any += 1
        yield from _read_csv_member(export, member, report)
    if read_any:
        report.note(
            export.where(),
            "DiscordChatExporter CSV has no message ids, replies or edits; "
            "a JSON export of the same channel carries them",
        )
    if skipped:
        report.note(
            export.where(),
            f"CSV files that are not DiscordChatExporter exports, skipped: {skipped}",
        )


def _read_csv_member(
    export: Export, member: str, report: ParseReport
) -> Iterator[Message]:
    """The rows of one CSV member; a damaged zip member is an ExportError."""
    try:
        yield from _csv_member_rows(export, member, report)
    except _DAMAGE as exc:
        raise ExportError(
            f"the archive is damaged ({exc}); copy or export it again",
            export.where(member),
        ) from None


def _csv_member_rows(
    export: Export, member: str, report: ParseReport
) -> Iterator[Message]:
    stem = PurePosixPath(member).stem
    conversation_id = f"discord-{slug(stem)}"
    occurrences: Counter[tuple[str, str, str, str]] = Counter()
    counter: Counter[str] = Counter()
    with export.open(member) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        # strict: DCE always writes well-formed CSV, so a stray quote or a file that
        # ends inside a quoted field is damage worth reporting, not guessing around.
        reader = csv.reader(stream, strict=True)
        end = 0
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError):
            header = None
        if (
            header is None
            or tuple(strip_invisible(f).strip() for f in header) != CSV_HEADER
        ):
            raise ExportError(
                "the first line is not the DiscordChatExporter CSV header "
                f"({','.join(CSV_HEADER)})",
                export.where(member, 1),
            )
        end = reader.line_num
        while True:
            start = end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise ExportError(
                    "this line is not UTF-8 text; export the channel again, or convert "
                    "the file to UTF-8",
                    export.where(member, start),
                ) from None
            except csv.Error as exc:
                reason = (
                    "the file ends inside a quoted field: it was truncated; export "
                    "the channel again"
                    if "end of data" in str(exc)
                    else f"unreadable CSV row ({exc})"
                )
                report.problem(export.where(member, start), reason)
                if reader.line_num <= end:
                    break
                end = reader.line_num
                continue
            end = reader.line_num
            if not row:
                continue
            place = export.where(member, start)
            message = _csv_message(
                row, place, report, counter, conversation_id, stem, occurrences
            )
            if message is not None:
                yield message
    where = export.where(member)
    if counter["system"]:
        report.decide(
            where,
            "system rows",
            "DCE's generated sentences read as system or call rows",
            "rows whose Content is exactly a sentence DCE writes for system messages "
            f"(such as 'Started a call that lasted N minutes.'): {counter['system']}",
        )
    if counter["naive"]:
        report.note(
            where,
            f"dates without a UTC offset, kept as wall time: {counter['naive']}",
        )


def _csv_message(
    row: list[str],
    place: str,
    report: ParseReport,
    counter: Counter[str],
    conversation_id: str,
    conversation_name: str,
    occurrences: Counter[tuple[str, str, str, str]],
) -> Message | None:
    """One CSV row as a message, or None after recording why it is unreadable."""
    if len(row) != len(CSV_HEADER):
        report.problem(
            place, f"expected {len(CSV_HEADER)} fields, found {len(row)} (damaged row?)"
        )
        return None
    author_id, author, date, text, attachments, reactions_text = row
    try:
        timestamp, tz_known = _parse_time(date)
    except ValueError:
        report.problem(
            place,
            "Date is not an ISO 8601 time (DCE 2.42 and later write a localised date "
            "without seconds or time zone; export the channel as JSON instead)",
        )
        return None
    if not tz_known:
        counter["naive"] += 1
    sender = strip_invisible(author).strip()
    sender_id = author_id.strip() or None
    if _CSV_CALL_TEXT.fullmatch(text):
        kind = "call"
        counter["system"] += 1
    elif text in _CSV_SYSTEM_TEXT:
        kind = "system"
        counter["system"] += 1
    elif not text.strip() and attachments.strip():
        kind = "media"
    else:
        kind = "message"
    key = (timestamp.isoformat(), sender_id or "", sender, text)
    occurrences[key] += 1
    native = synthetic_id(*key, occurrences[key])
    return Message(
        conversation_id=conversation_id,
        message_id=f"{conversation_id}/{native}",
        timestamp=timestamp,
        tz_known=tz_known,
        sender=sender,
        sender_id=sender_id,
        text=text,
        kind=kind,
        reactions=_csv_reactions(reactions_text, place, report),
        conversation_name=conversation_name,
        source=place,
    )


def _csv_reactions(value: str, place: str, report: ParseReport) -> list[dict[str, Any]]:
    """``👍 (2),custom_name (1)`` as reactions; names may hold commas or parentheses.

    Each entry must end in `` (N)`` followed by a comma or the end, and the shortest
    name that allows that is taken, so ``a,b (2)`` and ``(╯°□°)╯ (1)`` read whole.
    """
    if not value.strip():
        return []
    reactions: list[dict[str, Any]] = []
    position = 0
    while position < len(value):
        match = _REACTION.match(value, position)
        if match is None:
            report.problem(
                place,
                "the Reactions value is not an 'emoji (count)' list; reactions from "
                "the unreadable part on are left out",
            )
            return reactions
        reactions.append(reaction(match["emoji"], count=int(match["count"])))
        position = match.end() + 1
    return reactions
