"""Facebook Messenger and Instagram DMs: "Download your information" JSON.

Also reads Messenger's end-to-end-encrypted export (2024 and later), which has the
same content under camelCase keys. A thread file looks like::

    {"participants": [{"name": ...}], "messages": [{"sender_name", "timestamp_ms",
     "content", "photos", "reactions", "is_unsent", ...}], "title", "thread_path", ...}

The traps, all handled here:

- Messages are stored **newest first**, and long threads are split over
  ``message_1.json`` (newest), ``message_2.json``, ... in one folder. The output is
  chronological (a stable sort on the time) and overlapping copies are merged.
- Every string is UTF-8 whose bytes were escaped one by one as ``\\u00XX``
  (mojibake). Each string is repaired on its own, and only when the repair works.
- Events ("X left the group", "Reacted 😢 to your message") arrive as ordinary
  ``content`` in the exporter's language; the English wording is recognised.
- There are no message ids; ids are synthesized from time, sender and text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import PurePosixPath
from typing import Any

from ..errors import ExportError
from ..records import Message, parse_timestamp, reaction
from ..report import ParseReport
from ._common import NOT_MINE, ParseOptions, load_json, slug, synthetic_id
from ._source import Export

__all__ = ["sniff", "read", "repair_mojibake"]

_THREAD_FILE = re.compile(r"message_(\d+)\.json", re.IGNORECASE)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Media keys of the "Download your information" message object.
_MEDIA_KEYS = ("photos", "videos", "audio_files", "gifs", "files", "sticker")
# A folder of loose JSON files (the end-to-end-encrypted download) is sniffed by
# looking at this many of them at most, so detection stays cheap.
_SNIFF_FILES = 5


# ---------------------------------------------------------------------------
# Detection


def _looks_like_thread(head: bytes) -> bool:
    """Whether the start of a file reads like a Messenger or Instagram thread."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("{") or '"messages"' not in text:
        return False
    if '"sender_name"' in text and '"timestamp_ms"' in text:
        return True
    return '"senderName"' in text and '"timestamp"' in text and '"participants"' in text


def _thread_file_number(member: str) -> int | None:
    """N for a ``message_N.json`` member, else None."""
    match = _THREAD_FILE.fullmatch(PurePosixPath(member).name)
    return int(match.group(1)) if match else None


def sniff(export: Export) -> bool:
    """Whether ``export`` is a Messenger or Instagram thread, or a folder/zip of them.

    Parameters
    ----------
    export : Export
        A file, folder or zip.

    Returns
    -------
    bool
        True for a JSON object whose start has ``"messages"`` and either
        ``"sender_name"`` and ``"timestamp_ms"`` or (end-to-end-encrypted export)
        ``"senderName"``, ``"timestamp"`` and ``"participants"``; and for a folder or
        zip holding ``message_N.json`` files (or loose JSON files) that look so.
    """
    try:
        if export.kind == "file":
            return _looks_like_thread(export.head())
        numbered = [m for m in export.members if _thread_file_number(m) is not None]
        if numbered:
            return any(
                _looks_like_thread(export.head(m)) for m in numbered[:_SNIFF_FILES]
            )
        # Loose files must all look like threads: a folder of mixed JSON is not ours.
        loose = [m for m in export.members if m.lower().endswith(".json")][
            :_SNIFF_FILES
        ]
        return bool(loose) and all(_looks_like_thread(export.head(m)) for m in loose)
    except NOT_MINE:
        # An unreadable input is simply not ours.
        return False


# ---------------------------------------------------------------------------
# Mojibake


def repair_mojibake(text: str) -> str:
    """Undo Meta's escaping of UTF-8 bytes as ``\\u00XX`` characters, if present.

    The repair ``text.encode("latin-1").decode("utf-8")`` is applied only when both
    steps succeed; a string that fails either step is already correct and is kept.

    Examples
    --------
    >>> repair_mojibake("Jos\\u00c3\\u00a9")
    'José'
    >>> repair_mojibake("José")
    'José'
    """
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


class _Repairer:
    """Repairs strings one by one and counts how many it changed."""

    def __init__(self) -> None:
        self.changed = 0

    def __call__(self, value: Any) -> str:
        if value is None:
            return ""
        text = value if isinstance(value, str) else str(value)
        fixed = repair_mojibake(text)
        if fixed != text:
            self.changed += 1
        return fixed


# ---------------------------------------------------------------------------
# Events written as content, in English


def _events() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, kind) for the events that exports write as content, in English."""
    actor = r"(?P<actor>[^\n]+?) "
    maybe_actor = rf"(?:{actor})?"
    system = [
        r"left the group\.?",
        r"named the group [^\n]+",
        r"removed the group name\.?",
        r"added [^\n]+ to the group\.?",
        r"removed [^\n]+ from the group\.?",
        r"joined the group[^\n]*",
        r"created the group[^\n]*",
        r"changed the group (?:photo|picture)\.?",
        r"(?:set|cleared|changed) (?:the|your|his own|her own|their own|own) "
        r"nickname[^\n]*",
        r"(?:set|changed) the (?:chat )?(?:theme|emoji|quick reaction)[^\n]*",
        r"(?:pinned|unpinned) a message\.?",
    ]
    call = [
        r"started (?:a|an) (?:video chat|call|audio call|video call|voice call)\.?",
        r"joined the (?:video chat|call|audio call|video call)\.?",
        r"missed (?:your|a|the) (?:call|video chat|audio call|video call|voice call)"
        r"(?: from [^\n]+)?\.?",
        r"called you\.?",
    ]
    media = [
        r"sent an attachment\.?",
        r"sent (?:a|an) (?:photo|video|voice message|audio clip|GIF|gif|sticker|file)"
        r"\.?",
        r"sent \d+ (?:photos|videos|files)\.?",
    ]
    reactions = [
        r"[Rr]eacted [^\n]{1,20}? to (?:your|a|their|his|her|[^\n]+?'s) message\.?",
        r"[Ll]iked (?:a|your) message\.?",
    ]
    events = [(re.compile(actor + p), "system") for p in system]
    events += [(re.compile(actor + p), "call") for p in call]
    events.append(
        (re.compile(r"(?:The )?(?:video chat|call) (?:has )?ended\.?"), "call")
    )
    events.append((re.compile(actor + r"unsent a message\.?"), "deleted"))
    # Instagram writes these without the actor ("sent an attachment.").
    events += [(re.compile(maybe_actor + p), "media") for p in media]
    events += [(re.compile(maybe_actor + p), "reaction") for p in reactions]
    return events


_EVENTS = _events()


def _event_kind(text: str, sender: str) -> str | None:
    """The kind of an event written as content, or None for ordinary talk.

    An event that names its actor counts only when the actor is the sender (full or
    first name) or "You" (how the export writes the exporter), so that someone typing
    "Bob left the group" as a message is not taken for the event.
    """
    stripped = text.strip()
    for pattern, kind in _EVENTS:
        match = pattern.fullmatch(stripped)
        if match is None:
            continue
        named = match.groupdict().get("actor")
        if named is None or not sender or named in ("You", sender):
            return kind
        if named.split()[:1] == sender.split()[:1]:
            return kind
    return None


# ---------------------------------------------------------------------------
# Reading


@dataclass
class _Row:
    """One message on its way to the output, with what dedup and ids need."""

    ms: int
    timestamp: datetime
    sender: str
    text: str
    kind: str
    media: tuple[str, ...]
    reactions: list[dict[str, Any]]
    source: str

    def key(self) -> tuple[Any, ...]:
        return (self.ms, self.sender, self.text, self.media)


@dataclass
class _Thread:
    """What the files of one thread say about it, and its messages in file order."""

    title: str = ""
    thread_path: str = ""
    participants: list[str] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    files: int = 0
    e2ee: bool = False
    placeholders: int = 0
    no_sender: int = 0


def _groups(export: Export, report: ParseReport) -> list[tuple[str | None, list[str]]]:
    """The threads of an export: (folder, its members in file order) each.

    A folder or zip is read as its ``message_N.json`` files, grouped by the folder
    that holds them (one thread each, files in N order); without any, as its loose JSON
    files that look like threads, one thread each.
    """
    if export.kind == "file":
        return [(None, [export.members[0]])]
    folders: dict[str, list[tuple[int, str]]] = {}
    for member in export.members:
        number = _thread_file_number(member)
        if number is not None:
            parent = str(PurePosixPath(member).parent)
            folders.setdefault(parent, []).append((number, member))
    if folders:
        return [
            (folder, [m for _, m in sorted(files)])
            for folder, files in sorted(folders.items())
        ]
    loose = [m for m in export.members if m.lower().endswith(".json")]
    threads = [m for m in loose if _looks_like_thread(export.head(m))]
    if len(threads) < len(loose):
        report.note(
            export.name,
            f"{len(loose) - len(threads)} JSON files are not chat threads; skipped",
        )
    return [(None, [m]) for m in threads]


def _load(export: Export, member: str, report: ParseReport) -> dict[str, Any] | None:
    """A thread file's JSON; inside a folder or zip a broken file is only a problem."""
    try:
        data = load_json(export, member)
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise ExportError(
                "not a Messenger or Instagram thread: it has no 'messages' list",
                export.where(member),
            )
    except ExportError as exc:
        if export.kind == "file":
            raise
        report.problem(exc.where or export.where(member), exc.reason)
        return None
    return data


def _timestamp_ms(value: Any) -> int:
    """Epoch milliseconds from a JSON value; ValueError if it is not a number."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError("not a whole number of milliseconds")


def _reactions(
    raw: Any,
    repair: _Repairer,
    export: Export,
    member: str,
    place: str,
    report: ParseReport,
) -> list[dict[str, Any]]:
    """The ``reactions`` list of one message as :func:`reaction` dicts."""
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        report.problem(
            export.where(member, f"{place}.reactions"), "'reactions' is not a list"
        )
        return []
    out = []
    for j, item in enumerate(raw):
        where = export.where(member, f"{place}.reactions[{j}]")
        if not isinstance(item, dict) or not item.get("reaction"):
            report.problem(where, "reaction without a 'reaction' emoji")
            continue
        at = None
        if item.get("timestamp") is not None:
            try:
                at = parse_timestamp(item["timestamp"])
            except (ValueError, OverflowError, OSError):
                report.problem(
                    where, "reaction time is not a timestamp; kept without it"
                )
        by = repair(item["actor"]) if item.get("actor") else None
        out.append(reaction(repair(item["reaction"]), by=by, at=at))
    return out


def _media_uris(message: dict[str, Any], e2ee: bool) -> tuple[str, ...]:
    """The ``uri`` of every attachment, or a marker for one that has none."""
    keys = ("media",) if e2ee else _MEDIA_KEYS
    uris: list[str] = []
    for key in keys:
        value = message.get(key)
        items = value if isinstance(value, list) else [value] if value else []
        for item in items:
            uri = item.get("uri") if isinstance(item, dict) else None
            uris.append(str(uri) if uri else key)
    return tuple(uris)


def _classify(
    message: dict[str, Any], e2ee: bool, text: str, sender: str
) -> tuple[str, bool]:
    """The kind of one message, and whether it is an E2EE placeholder.

    ``text`` is the repaired content, or for a share without content its link.
    """
    kind_name = str(message.get("type") or "").lower()
    if message.get("isUnsent" if e2ee else "is_unsent") is True:
        return "deleted", False
    if kind_name == "call" or (not e2ee and "call_duration" in message):
        return "call", False
    if kind_name in ("subscribe", "unsubscribe"):
        return "system", False
    has_content = bool(text) if e2ee else bool(message.get("content"))
    if not has_content:
        has_share = not e2ee and isinstance(message.get("share"), dict)
        if _media_uris(message, e2ee) or has_share:
            return "media", False
        return "message", kind_name == "placeholder"
    return _event_kind(text, sender) or "message", kind_name == "placeholder"


def _read_file(
    export: Export,
    member: str,
    data: dict[str, Any],
    thread: _Thread,
    repair: _Repairer,
    report: ParseReport,
) -> None:
    """Add one thread file's messages (in file order) and facts to ``thread``."""
    messages = data["messages"]
    raw_participants = data.get("participants")
    if not isinstance(raw_participants, list):
        raw_participants = []
    e2ee = (
        "threadName" in data
        or any(isinstance(p, str) for p in raw_participants)
        or any(isinstance(m, dict) and "senderName" in m for m in messages[:20])
    )
    thread.files += 1
    thread.e2ee = thread.e2ee or e2ee
    if not thread.title:
        thread.title = repair(data.get("threadName" if e2ee else "title"))
    if not thread.thread_path:
        thread.thread_path = repair(data.get("thread_path"))
    if not thread.participants:
        for p in raw_participants:
            name = p.get("name") if isinstance(p, dict) else p
            if name:
                thread.participants.append(repair(name))
    sender_key, time_key, text_key = (
        ("senderName", "timestamp", "text")
        if e2ee
        else ("sender_name", "timestamp_ms", "content")
    )
    for i, message in enumerate(messages):
        place = f"messages[{i}]"
        where = export.where(member, place)
        if not isinstance(message, dict):
            report.problem(where, "not a message object")
            continue
        if message.get(time_key) is None:
            report.problem(where, f"message has no '{time_key}'")
            continue
        try:
            ms = _timestamp_ms(message[time_key])
            timestamp = _EPOCH + timedelta(milliseconds=ms)
        except (ValueError, OverflowError):
            report.problem(where, f"'{time_key}' is not a time in milliseconds")
            continue
        sender = repair(message.get(sender_key))
        if not sender:
            thread.no_sender += 1
        raw_text = message.get(text_key)
        share = None if e2ee else message.get("share")
        if raw_text is None and isinstance(share, dict):
            raw_text = share.get("link") or share.get("share_text")
        text = repair(raw_text)
        kind, placeholder = _classify(message, e2ee, text, sender)
        thread.placeholders += placeholder
        reactions = _reactions(
            message.get("reactions"), repair, export, member, place, report
        )
        media = _media_uris(message, e2ee)
        thread.rows.append(
            _Row(ms, timestamp, sender, text, kind, media, reactions, where)
        )


def _runs_newest_first(thread: _Thread) -> bool:
    """Whether the thread's messages, files taken in N order, run newest first.

    The first and last times decide; when they are equal, the layout does: the
    "Download your information" files are newest first, the end-to-end-encrypted
    ones are not known to be.
    """
    first, last = thread.rows[0].ms, thread.rows[-1].ms
    if first != last:
        return first > last
    return not thread.e2ee


def _folder_name(export: Export, folder: str | None) -> str:
    """The name of the folder a ``message_N.json`` file sits in."""
    if folder not in (None, "", "."):
        return PurePosixPath(folder).name
    if export.kind == "file":
        return export.path.parent.name
    return export.path.stem if export.kind == "zip" else export.path.name


def _is_instagram(export: Export, member: str, thread: _Thread) -> bool:
    """Whether the path or the thread path names Instagram."""
    parts = [*export.path.parts, *PurePosixPath(member).parts, thread.thread_path]
    return any("instagram" in part.lower() for part in parts)


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read every thread of a Messenger or Instagram export, each in time order.

    Parameters
    ----------
    export : Export
        A thread file (``message_1.json`` or any name), a thread folder holding
        ``message_1.json``, ``message_2.json``, ..., or a whole ``messages/`` tree or
        zip with one folder per thread; or end-to-end-encrypted thread files.
    options : ParseOptions
        Unused: this format has no choices to make.
    report : ParseReport
        Gets a problem for every message that cannot be read, and notes for
        reordering, merged duplicates and repaired text.

    Yields
    ------
    Message
        Thread by thread, each thread in chronological order.

    Raises
    ------
    ExportError
        If a single thread file is truncated, not JSON, or has no ``messages`` list.
        Inside a folder or zip, such a file is reported as a problem instead.
    """
    taken: set[str] = set()
    for folder, members in _groups(export, report):
        yield from _read_thread(export, folder, members, report, taken)


def _read_thread(
    export: Export,
    folder: str | None,
    members: list[str],
    report: ParseReport,
    taken: set[str],
) -> Iterator[Message]:
    """Merge, order, deduplicate and emit the files of one thread."""
    thread = _Thread()
    repair = _Repairer()
    for member in members:
        data = _load(export, member, report)
        if data is not None:
            _read_file(export, member, data, thread, repair, report)
    if thread.files == 0:
        return
    first_member = members[0]
    if folder is None:
        where = export.where(first_member)
    else:
        where = export.name if folder == "." else export.where(folder)
    if thread.files > 1:
        report.note(where, f"one thread in {thread.files} files; merged in time order")
    rows = _in_time_order(thread, where, report)
    if repair.changed:
        report.note(
            where,
            f"repaired {repair.changed} mis-encoded strings "
            "(UTF-8 stored as Latin-1 escapes)",
        )
    if thread.placeholders:
        report.note(
            where, f"{thread.placeholders} placeholder messages carry no content"
        )
    if thread.no_sender:
        report.note(where, f"{thread.no_sender} messages have no sender name")

    conversation_id, name_source = _conversation_id(
        export, folder, first_member, thread
    )
    n = 1
    base = conversation_id
    while conversation_id in taken:
        n += 1
        conversation_id = f"{base}-{n}"
    taken.add(conversation_id)
    senders = ", ".join(dict.fromkeys(row.sender for row in rows if row.sender))
    conversation_name = (
        thread.title or ", ".join(thread.participants) or senders or name_source
    )

    repeats: Counter[tuple[int, str, str]] = Counter()
    for row in rows:
        triple = (row.ms, row.sender, row.text)
        native = synthetic_id(row.ms, row.sender, row.text, repeats[triple])
        repeats[triple] += 1
        yield Message(
            conversation_id=conversation_id,
            message_id=f"{conversation_id}/{native}",
            timestamp=row.timestamp,
            tz_known=True,
            sender=row.sender,
            text=row.text,
            kind=row.kind,
            reactions=row.reactions,
            conversation_name=conversation_name,
            source=row.source,
        )


def _in_time_order(thread: _Thread, where: str, report: ParseReport) -> list[_Row]:
    """The thread's messages oldest first, exact duplicates merged; notes for both."""
    rows = thread.rows
    if not rows:
        return rows
    if _runs_newest_first(thread):
        rows.reverse()
        if len(rows) > 1:
            report.note(where, "messages are stored newest first; output in time order")
    backwards = sum(1 for a, b in pairwise(rows) if b.ms < a.ms)
    if backwards:
        # Stable: equal times keep their (reversed) file order.
        rows.sort(key=lambda row: row.ms)
        report.note(where, f"{backwards} timestamps ran backwards; sorted by time")
    unique: dict[tuple[Any, ...], _Row] = {}
    for row in rows:
        kept = unique.setdefault(row.key(), row)
        if kept is not row:
            seen = {(r["emoji"], r["by"]) for r in kept.reactions}
            kept.reactions += [
                r for r in row.reactions if (r["emoji"], r["by"]) not in seen
            ]
    duplicates = len(rows) - len(unique)
    if duplicates:
        report.note(
            where,
            f"{duplicates} duplicate messages merged (same time, sender and text)",
        )
    return list(unique.values())


def _conversation_id(
    export: Export, folder: str | None, first_member: str, thread: _Thread
) -> tuple[str, str]:
    """``<platform>-<slug>`` for a thread, and the name the slug was made from.

    The slug comes from the thread path, else the title, else the folder of a
    ``message_N.json`` file (its name says nothing), else the file name.
    """
    if _thread_file_number(first_member) is not None:
        fallback = _folder_name(export, folder)
    else:
        fallback = PurePosixPath(first_member).stem
    source = thread.thread_path or thread.title or fallback
    platform = (
        "instagram" if _is_instagram(export, first_member, thread) else "messenger"
    )
    return f"{platform}-{slug(source)}", source
