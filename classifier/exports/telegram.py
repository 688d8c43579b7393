"""Telegram Desktop JSON: a single chat's ``result.json`` or the whole-account export.

A single chat looks like ``{"name", "type", "id", "messages": [...]}``; the
whole-account export wraps chats as ``{"personal_information": {...}, "chats":
{"list": [chat, ...]}, "left_chats": {"list": [...]}, ...}``. Each chat becomes its
own conversation, ``telegram-<chat id>`` (or a slug of its name when it has no id).

The traps, all handled here:

- ``text`` is a string or a list of strings and ``{"type", "text"}`` objects; the
  parts are joined exactly as written, with no spaces added.
- Time: ``date_unixtime`` (a *string* of UTC epoch seconds) is preferred; older
  exports carry only ``date``, the exporting computer's wall clock with no offset,
  and some files mix the two. Such messages keep their wall time (``tz_known`` is
  False) and the report says how many there were.
- Reaction times (``recent[].date``) and ``edited`` are wall time only. For messages
  with an absolute time they are turned into UTC with the computer's offset as the
  same file shows it (messages that carry both ``date`` and ``date_unixtime``), and
  left out (None, each one reported as a problem) where the file shows no offset,
  so a row never mixes clocks.
- In forum supergroups a ``reply_to_message_id`` that points at a ``topic_created``
  service message only names the topic: it is not a reply. A reply with
  ``reply_to_peer_id`` points into another chat: not a reply in this conversation.
- ``"unsupported"`` messages carry only an ``id``: they are kept as empty system rows
  with the time of the message before them (or after, for the first one).
- Messages without ``id`` (some third-party whole-account files) get synthetic ids.
- Service messages (``type: "service"``) have no text of their own; their ``text``
  is the ``action`` with its details, e.g. ``phone_call: missed, 12 s`` or
  ``invite_members: Anna, Ben``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any

from ..errors import ExportError
from ..records import Message, reaction
from ..report import ParseReport
from ._common import NOT_MINE, ParseOptions, load_json, slug, synthetic_id
from ._source import Export

__all__ = ["sniff", "read"]

_HEAD_SIZE = 65_536
# A folder or zip without a ``result.json`` is sniffed by looking at this many of its
# JSON files at most, so detection stays cheap on big folders of other formats.
_SNIFF_FILES = 20
_CHAT_TYPES = frozenset(
    {
        "personal_chat",
        "private_group",
        "private_supergroup",
        "public_supergroup",
        "private_channel",
        "public_channel",
        "bot_chat",
        "saved_messages",
        "replies",
        "verification_codes",
    }
)
# Keys that Telegram Desktop writes only for a message with an attachment.
_MEDIA_KEYS = (
    "photo",
    "file",
    "media_type",
    "sticker_emoji",
    "location_information",
    "live_location_period_seconds",
    "place_name",
    "contact_information",
    "contact_vcard",
    "game_title",
    "invoice_information",
    "giveaway_information",
    "giveaway_results",
    "paid_media",
    "todo_list",
)
_CALL_ACTIONS = frozenset({"phone_call", "group_call"})
_DELETED = "Deleted Account"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_INTEGER = re.compile(r"-?[0-9]+")

# Start-of-file patterns for a head too large to parse whole (file > 64 KB).
_HEAD_MESSAGES = re.compile(r'"messages"\s*:\s*\[\s*\{')
_HEAD_MESSAGE_TYPE = re.compile(r'"type"\s*:\s*"(?:message|service|unsupported)"')
_HEAD_MESSAGE_TIME = re.compile(r'"(?:date|date_unixtime)"\s*:\s*"')
_HEAD_ACCOUNT = re.compile(
    r'"personal_information"\s*:\s*\{'
    r'|"(?:chats|left_chats)"\s*:\s*\{\s*(?:"about"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*)?'
    r'"list"\s*:\s*\['
)
_HEAD_ACCOUNT_START = re.compile(
    r'\{\s*"about"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*"(?:personal_information|'
    r"profile_pictures|stories|contacts|frequent_contacts|sessions|web_sessions|"
    r'other_data|chats|left_chats)"\s*:'
)


# ---------------------------------------------------------------------------
# Detection


def _is_telegram_object(data: object) -> bool:
    """Whether parsed JSON has the shape of a Telegram Desktop export."""
    if not isinstance(data, dict):
        return False
    messages = data.get("messages")
    if isinstance(messages, list):
        if not messages:
            return data.get("type") in _CHAT_TYPES
        return any(
            isinstance(m, dict)
            and "type" in m
            and ("date" in m or "date_unixtime" in m)
            for m in messages[:20]
        )
    if "messages" in data:
        return False
    sections = (data.get("chats"), data.get("left_chats"))
    if any(isinstance(s, dict) and "list" in s for s in sections):
        return True
    return isinstance(data.get("personal_information"), dict)


def _looks_like_telegram(head: bytes) -> bool:
    """Whether the first bytes of a file read like Telegram Desktop JSON."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("{"):
        return False
    if len(head) < _HEAD_SIZE:
        # The whole file is here: judge its structure, not its spelling.
        try:
            return _is_telegram_object(json.loads(text))
        except (ValueError, RecursionError):
            pass  # damaged or truncated: the file's start may still be telling
    if _HEAD_ACCOUNT.search(text) or _HEAD_ACCOUNT_START.match(text):
        return True
    return bool(
        _HEAD_MESSAGES.search(text)
        and _HEAD_MESSAGE_TYPE.search(text)
        and _HEAD_MESSAGE_TIME.search(text)
    )


def _member_is_telegram(export: Export, member: str) -> bool:
    """Sniff one member without letting a damaged file raise."""
    try:
        return _looks_like_telegram(export.head(member, size=_HEAD_SIZE))
    except NOT_MINE:
        return False


def _json_members(export: Export) -> list[str]:
    """The members to sniff: each ``result.json`` first, then other ``.json``."""
    if export.kind == "file":
        return list(export.members)
    jsons = [m for m in export.members if m.lower().endswith(".json")]
    results = [m for m in jsons if PurePosixPath(m).name.lower() == "result.json"]
    return results + [m for m in jsons if m not in results]


def sniff(export: Export) -> bool:
    """Whether ``export`` is Telegram Desktop JSON, or a folder or zip holding one.

    Parameters
    ----------
    export : Export
        A file, folder or zip.

    Returns
    -------
    bool
        True for a JSON object with a top-level ``"messages"`` list whose items have
        ``"type"`` and ``"date"`` or ``"date_unixtime"``, or with ``"chats"`` holding
        a ``"list"`` (the whole-account export). Only the first 64 KB are read; when
        the file is longer, its start is matched against the keys Telegram writes.
        Never raises.
    """
    members = _json_members(export)
    if export.kind != "file":
        named = [m for m in members if PurePosixPath(m).name.lower() == "result.json"]
        members = named + [m for m in members if m not in named][:_SNIFF_FILES]
    return any(_member_is_telegram(export, member) for member in members)


# ---------------------------------------------------------------------------
# Small readers of field values


def _native_id(value: object) -> str | None:
    """A message or chat id as text: an integer or a string of digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return str(int(value))
    return None


def _unix_time(value: object) -> datetime | None:
    """``date_unixtime`` (a string of epoch seconds, or a number) as aware UTC."""
    seconds = _native_id(value)
    if seconds is None:
        return None
    try:
        return _EPOCH + timedelta(seconds=int(seconds))
    except OverflowError:
        return None


def _wall_time(value: object) -> datetime | None:
    """``date`` (ISO 8601, normally without offset); an offset, if any, gives UTC."""
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return stamp.astimezone(timezone.utc) if stamp.tzinfo is not None else stamp


def _flatten(value: object) -> tuple[str, int]:
    """Join ``text`` (string or a list of strings and objects) and count bad parts."""
    if isinstance(value, str):
        return value, 0
    if isinstance(value, list):
        parts: list[str] = []
        bad = 0
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                bad += 1
        return "".join(parts), bad
    return "", 1


def _person(raw: dict[str, Any], name_key: str, id_key: str) -> tuple[str, str | None]:
    """A display name and id; a ``null`` name is a deleted account."""
    ident = raw.get(id_key)
    sender_id = None if ident is None or ident == "" else str(ident)
    if name_key not in raw:
        return "", sender_id
    name = raw[name_key]
    if name is None:
        return _DELETED, sender_id
    return (name if isinstance(name, str) else str(name)), sender_id


def _describe_action(raw: dict[str, Any]) -> str:
    """The text of a service message: its action and the details that matter."""
    action = raw.get("action")
    if not isinstance(action, str) or not action:
        info = raw.get("information_text")
        return info if isinstance(info, str) else ""
    details: list[str] = []
    for key in ("title", "new_title", "inviter"):
        value = raw.get(key)
        if isinstance(value, str) and value:
            details.append(value)
    members = raw.get("members")
    if isinstance(members, list) and members:
        details.append(
            ", ".join(m if isinstance(m, str) else _DELETED for m in members)
        )
    reason = raw.get("discard_reason")
    if isinstance(reason, str) and reason:
        details.append(reason)
    duration = raw.get("duration_seconds", raw.get("duration"))
    if isinstance(duration, int) and not isinstance(duration, bool):
        details.append(f"{duration} s")
    return f"{action}: {', '.join(details)}" if details else action


def _format_offset(seconds: float) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = int(abs(seconds)) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _same_peer(peer: object, chat_id: str | None) -> bool:
    """Whether a reply peer (``user1``, ``chat2``, ``channel3``) is this chat."""
    if chat_id is None or not isinstance(peer, str | int):
        return False
    digits = re.sub(r"^[a-z_]+", "", str(peer))
    return digits == chat_id


# ---------------------------------------------------------------------------
# The exporting computer's clock


class _LocalClock:
    """UTC offsets of the exporting computer, read off messages that carry both times.

    Telegram writes ``date`` as the computer's wall clock and ``date_unixtime`` as
    UTC; their difference is the offset in force at that moment (daylight saving
    makes it change over a year, so the observation nearest in time is used).
    """

    def __init__(self) -> None:
        self._points: list[tuple[float, float]] = []
        self._keys: list[float] = []
        self.disagreements: Counter[float] = Counter()

    def observe(self, wall: datetime | None, utc: datetime | None) -> None:
        if wall is None or utc is None or wall.tzinfo is not None:
            return
        offset = (wall - utc.replace(tzinfo=None)).total_seconds()
        # Every real zone is a whole quarter hour from UTC, at most 14 hours away;
        # anything else means the two fields were edited apart, not a time zone.
        if offset % 900 or abs(offset) > 14 * 3600:
            self.disagreements[offset] += 1
            return
        self._points.append((utc.timestamp(), offset))

    def finish(self) -> None:
        self._points.sort()
        self._keys = [p[0] for p in self._points]

    @property
    def offsets(self) -> list[float]:
        return sorted({p[1] for p in self._points})

    def _offset_near(self, epoch: float) -> float:
        i = bisect_left(self._keys, epoch)
        near = [j for j in (i - 1, i) if 0 <= j < len(self._points)]
        return min((abs(self._keys[j] - epoch), self._points[j][1]) for j in near)[1]

    def to_utc(self, wall: datetime) -> datetime | None:
        """A wall-clock time as aware UTC, or None when the file shows no offset."""
        if not self._points:
            return None
        guess = wall.replace(tzinfo=timezone.utc).timestamp() - self._points[0][1]
        offset = self._offset_near(guess)
        return (wall - timedelta(seconds=offset)).replace(tzinfo=timezone.utc)

    def to_wall(self, utc: datetime) -> datetime | None:
        """A UTC time as the computer's wall clock, or None when no offset is known."""
        if not self._points:
            return None
        offset = self._offset_near(utc.timestamp())
        return (utc + timedelta(seconds=offset)).replace(tzinfo=None)


def _aligned(
    wall: datetime | None,
    utc: datetime | None,
    absolute: bool,
    clock: _LocalClock,
    stats: Counter[str],
    lost: tuple[ParseReport, str, str],
) -> datetime | None:
    """A secondary time (edit, reaction) on the same clock as its message's time.

    ``lost`` is (report, place, what): a time that cannot be put on the message's
    clock is left out (None) and recorded there as a problem.
    """
    if absolute:
        if utc is not None:
            return utc
        if wall is None:
            return None
        if wall.tzinfo is not None:
            return wall
        converted = clock.to_utc(wall)
        given = "wall-clock only"
    else:
        if wall is not None and wall.tzinfo is None:
            return wall
        absolute_value = utc if utc is not None else wall
        if absolute_value is None:
            return None
        converted = clock.to_wall(absolute_value)
        given = "in UTC only, its message in wall-clock time,"
    if converted is not None:
        stats["times converted"] += 1
    else:
        report, place, what = lost
        report.problem(
            place,
            f"the {what} time is {given} and this file shows no UTC offset to "
            "convert it; left out (None)",
        )
    return converted


# ---------------------------------------------------------------------------
# Reading


@dataclass
class _Chat:
    """One chat object and where it sits in the file."""

    raw: dict[str, Any]
    place: str  # "" for a single-chat file, "chats.list[3]" in an account export
    conversation_id: str = ""
    name: str = ""
    chat_id: str | None = None
    stats: Counter[str] = field(default_factory=Counter)

    def at(self, what: str) -> str:
        return f"{self.place}.{what}" if self.place else what


@dataclass
class _Run:
    """State shared by every file of one export (ids must stay unique across them)."""

    export: Export
    report: ParseReport
    owners: dict[str, object] = field(default_factory=dict)
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)


def _conversation(run: _Run, chat: _Chat, member: str) -> None:
    """Give a chat its conversation id and name; ids stay unique within the export."""
    raw = chat.raw
    name = raw.get("name")
    chat_type = raw.get("type")
    if isinstance(name, str) and name:
        chat.name = name
    elif chat_type == "saved_messages":
        chat.name = "Saved Messages"
    elif chat_type in ("personal_chat", "bot_chat"):
        chat.name = _DELETED
    chat.chat_id = _native_id(raw.get("id"))
    owner: tuple[str, ...]
    if chat.chat_id is not None:
        # The same chat in two files (two exports side by side) is one conversation.
        base, owner = f"telegram-{chat.chat_id}", ("id", chat.chat_id)
    else:
        base, owner = f"telegram-{slug(chat.name)}", ("chat", member, chat.place)
    candidate, n = base, 1
    while run.owners.get(candidate, owner) != owner:
        n += 1
        candidate = f"{base}-{n}"
    run.owners[candidate] = owner
    chat.conversation_id = candidate


def _record_exporter(run: _Run, data: dict[str, Any], member: str) -> None:
    """Say who made a whole-account export, from ``personal_information``."""
    info = data.get("personal_information")
    if not isinstance(info, dict):
        return
    names = " ".join(
        part
        for part in (info.get("first_name"), info.get("last_name"))
        if isinstance(part, str) and part
    )
    raw_username = info.get("username")
    username = raw_username if isinstance(raw_username, str) else ""
    user_id = _native_id(info.get("user_id"))
    if user_id is None and not names and not username:
        return
    shown = ", ".join(p for p in (names, username) if p)
    if user_id is not None:
        value = f"user{user_id}"
        evidence = (
            f"personal_information.user_id {user_id}, the sender_id of its messages"
        )
    else:
        value, evidence = names or username, "personal_information names"
    if shown and user_id is not None:
        evidence += f" ({shown})"
    run.report.decide(
        run.export.where(member, "personal_information"),
        what="exporter",
        value=value,
        evidence=evidence,
    )


def _message_time(
    raw: dict[str, Any], stats: Counter[str]
) -> tuple[datetime, bool] | None:
    """The message time: ``date_unixtime`` as UTC, else ``date`` as wall time."""
    has_unix = raw.get("date_unixtime") is not None
    utc = _unix_time(raw.get("date_unixtime")) if has_unix else None
    if utc is not None:
        return utc, True
    if has_unix:
        stats["unreadable date_unixtime"] += 1
    wall = _wall_time(raw.get("date"))
    if wall is None:
        return None
    if wall.tzinfo is not None:
        return wall, True
    stats["wall time only"] += 1
    return wall, False


def _reactions(
    value: object,
    where: str,
    absolute: bool,
    clock: _LocalClock,
    run: _Run,
    file_stats: Counter[str],
) -> list[dict[str, Any]]:
    """``reactions`` as reaction dicts: one per named reactor, then the rest."""
    if value is None:
        return []
    if not isinstance(value, list):
        run.report.problem(f"{where}.reactions", "'reactions' is not a list; not read")
        return []
    result: list[dict[str, Any]] = []
    for k, entry in enumerate(value):
        place = f"{where}.reactions[{k}]"
        if not isinstance(entry, dict):
            run.report.problem(place, "the reaction is not a JSON object")
            continue
        emoji = _reaction_emoji(entry)
        if emoji is None:
            run.report.problem(place, "the reaction has no emoji, document_id or type")
            continue
        recent = entry.get("recent")
        if recent is None:
            recent = []
        elif not isinstance(recent, list):
            run.report.problem(f"{place}.recent", "'recent' is not a list; not read")
            recent = []
        named: list[dict[str, Any]] = []
        for r, who in enumerate(recent):
            if not isinstance(who, dict):
                run.report.problem(
                    f"{place}.recent[{r}]", "the reactor is not a JSON object"
                )
                continue
            name, ident = _person(who, "from", "from_id")
            at = _aligned(
                _wall_time(who.get("date")),
                _unix_time(who.get("date_unixtime")),
                absolute,
                clock,
                file_stats,
                (run.report, f"{place}.recent[{r}]", "reaction"),
            )
            named.append(reaction(emoji, name or ident, at, 1))
        count = entry.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            total = count
        else:
            if count is not None:
                run.report.problem(
                    f"{place}.count", "the reaction count is not a number"
                )
            total = len(named) or 1
        result.extend(named)
        if total > len(named):
            result.append(reaction(emoji, None, None, total - len(named)))
    return result


def _reaction_emoji(entry: dict[str, Any]) -> str | None:
    """The emoji; ``custom:<document_id>`` for a custom emoji, ``paid`` for stars."""
    kind = entry.get("type")
    if kind == "custom_emoji":
        document = entry.get("document_id")
        return None if document is None or document == "" else f"custom:{document}"
    if kind == "paid":
        return "paid"
    emoji = entry.get("emoji")
    if isinstance(emoji, str) and emoji:
        return emoji
    if isinstance(kind, str) and kind and kind != "emoji":
        return kind
    return None


def _scan(messages: list[Any]) -> tuple[set[str], set[str]]:
    """Ids present in a chat, and ids of its ``topic_created`` service messages."""
    ids: set[str] = set()
    topics: set[str] = set()
    for raw in messages:
        if not isinstance(raw, dict):
            continue
        ident = _native_id(raw.get("id"))
        if ident is None:
            continue
        ids.add(ident)
        if raw.get("type") == "service" and raw.get("action") == "topic_created":
            topics.add(ident)
    return ids, topics


def _borrowed_time(
    messages: list[Any], j: int, previous: tuple[datetime, bool] | None
) -> tuple[datetime, bool] | None:
    """For an undated ``unsupported`` message: the time before it, else after it."""
    if previous is not None:
        return previous
    scratch: Counter[str] = Counter()
    for raw in messages[j + 1 :]:
        if isinstance(raw, dict):
            found = _message_time(raw, scratch)
            if found is not None:
                return found
    return None


def _read_chat(
    run: _Run,
    chat: _Chat,
    member: str,
    clock: _LocalClock,
    file_stats: Counter[str],
) -> Iterator[Message]:
    """Yield one chat's messages in file order."""
    export, report = run.export, run.report
    messages = chat.raw.get("messages")
    if not isinstance(messages, list):
        report.problem(
            export.where(member, chat.at("messages")),
            "the chat has no 'messages' list; its messages could not be read",
        )
        return
    cid, stats = chat.conversation_id, chat.stats
    ids, topics = _scan(messages)
    repeats: Counter[tuple[str, str, str]] = Counter()
    previous: tuple[datetime, bool] | None = None
    last_by_clock: dict[bool, datetime] = {}
    for j, raw in enumerate(messages):
        where = export.where(member, chat.at(f"messages[{j}]"))
        if not isinstance(raw, dict):
            report.problem(where, "the message is not a JSON object")
            continue
        file_stats["messages"] += 1
        mtype = raw.get("type")
        found = _message_time(raw, file_stats)
        if found is None and mtype == "unsupported":
            found = _borrowed_time(messages, j, previous)
            if found is not None:
                stats["undated unsupported"] += 1
        if found is None:
            report.problem(
                where, "the message has no readable 'date_unixtime' or 'date'"
            )
            continue
        timestamp, absolute = found
        previous = found
        last = last_by_clock.get(absolute)
        if last is not None and timestamp < last:
            stats["backwards"] += 1
        last_by_clock[absolute] = timestamp

        if mtype == "service":
            sender, sender_id = _person(raw, "actor", "actor_id")
            if not sender and sender_id is None:
                sender, sender_id = _person(raw, "from", "from_id")
        else:
            sender, sender_id = _person(raw, "from", "from_id")

        text_value = raw.get("text")
        if text_value is None:
            text_value = raw.get("text_entities")
        text, bad_parts = _flatten(text_value) if text_value is not None else ("", 0)
        if bad_parts:
            report.problem(
                f"{where}.text",
                f"{bad_parts} text part(s) are neither strings nor {{type, text}} "
                "objects; the message is kept without them",
            )

        if mtype == "service":
            action = raw.get("action")
            kind = "call" if action in _CALL_ACTIONS else "system"
            text = text or _describe_action(raw)
        elif mtype == "unsupported":
            kind, text = "system", ""
            stats["unsupported"] += 1
        else:
            if mtype != "message":
                stats["unknown type"] += 1
            poll = raw.get("poll")
            if isinstance(poll, dict):
                kind = "poll"
                if not text:
                    question = poll.get("question")
                    text = _flatten(question)[0] if question is not None else ""
            elif any(key in raw for key in _MEDIA_KEYS):
                kind = "media"
            else:
                kind = "message"

        native = _native_id(raw.get("id"))
        if native is None:
            key = (timestamp.isoformat(), sender_id or sender, text)
            repeats[key] += 1
            native = synthetic_id(*key, repeats[key])
            stats["synthetic ids"] += 1
        message_id = f"{cid}/{native}"
        first = run.seen.get(message_id)
        if first is not None:
            if first == raw:
                stats["duplicates"] += 1
            else:
                report.problem(
                    where,
                    f"message id {native} appears twice with different content; "
                    "the first copy is kept",
                )
            continue
        run.seen[message_id] = raw

        reply_to = None
        reply_value = raw.get("reply_to_message_id")
        if reply_value is not None:
            target = _native_id(reply_value)
            if target is None:
                report.problem(
                    where, "reply_to_message_id is not a message id; no reply link"
                )
            elif raw.get("reply_to_peer_id") is not None and not _same_peer(
                raw["reply_to_peer_id"], chat.chat_id
            ):
                stats["other chat replies"] += 1
            elif target in topics:
                stats["topic markers"] += 1
            else:
                reply_to = f"{cid}/{target}"
                if target not in ids:
                    stats["replies outside"] += 1

        edited_wall = _wall_time(raw.get("edited"))
        edited_utc = _unix_time(raw.get("edited_unixtime"))
        edited = raw.get("edited") is not None or raw.get("edited_unixtime") is not None
        edited_at = (
            _aligned(
                edited_wall,
                edited_utc,
                absolute,
                clock,
                file_stats,
                (report, f"{where}.edited", "edit"),
            )
            if edited
            else None
        )

        yield Message(
            conversation_id=cid,
            message_id=message_id,
            timestamp=timestamp,
            tz_known=absolute,
            sender=sender,
            sender_id=sender_id,
            text=text,
            kind=kind,
            reply_to=reply_to,
            reactions=_reactions(
                raw.get("reactions"), where, absolute, clock, run, file_stats
            ),
            edited=edited,
            edited_at=edited_at,
            conversation_name=chat.name,
            source=where,
        )
    _chat_notes(run, chat, member)


_CHAT_NOTES = {
    "synthetic ids": "{n} message(s) have no 'id'; their ids were made from time, "
    "sender and text",
    "topic markers": "{n} reply_to_message_id value(s) point at a topic_created "
    "message: they name the forum topic and are not replies",
    "other chat replies": "{n} message(s) reply to a message in another chat "
    "(reply_to_peer_id); they are not replies within this conversation",
    "replies outside": "{n} reply link(s) point at messages that are not in this "
    "export (deleted, or outside its date range)",
    "unsupported": "{n} message(s) of type 'unsupported' (content Telegram Desktop "
    "could not export) are kept as empty system rows",
    "undated unsupported": "{n} 'unsupported' message(s) carry no date; they were "
    "given the time of the message next to them",
    "unknown type": "{n} message(s) have a missing or unknown 'type'; read as "
    "ordinary messages",
    "duplicates": "{n} duplicate message(s) (same id, same content) merged",
    "backwards": "{n} timestamp(s) run backwards; kept in file order",
}


def _chat_notes(run: _Run, chat: _Chat, member: str) -> None:
    where = run.export.where(member, chat.place or None)
    for key, template in _CHAT_NOTES.items():
        if chat.stats[key]:
            run.report.note(where, template.format(n=chat.stats[key]))


def _file_notes(
    run: _Run, member: str, clock: _LocalClock, stats: Counter[str]
) -> None:
    where = run.export.where(member)
    offsets = ", ".join(_format_offset(o) for o in clock.offsets)
    wall_only, total = stats["wall time only"], stats["messages"]
    if wall_only:
        mixed = (
            " while the others are UTC (date_unixtime): do not compare the two"
            if wall_only < total
            else ""
        )
        seen = (
            f"; messages with both fields put that clock at {offsets}"
            if offsets
            else ""
        )
        run.report.note(
            where,
            f"{wall_only} of {total} messages have only the local 'date' (no "
            "'date_unixtime'): their times are the exporting computer's wall clock "
            f"(tz_known false){mixed}{seen}",
        )
    if clock.disagreements:
        gaps = ", ".join(_format_offset(o) for o in sorted(clock.disagreements))
        run.report.note(
            where,
            f"{clock.disagreements.total()} message(s) have a 'date' and a "
            f"'date_unixtime' that disagree by an offset no time zone has ({gaps}); "
            "'date_unixtime' was used and these pairs were not taken as the "
            "computer's offset",
        )
    if stats["unreadable date_unixtime"]:
        run.report.note(
            where,
            f"{stats['unreadable date_unixtime']} 'date_unixtime' value(s) are not "
            "epoch seconds; 'date' was used instead",
        )
    if stats["times converted"]:
        run.report.note(
            where,
            f"{stats['times converted']} edit or reaction time(s) were given on the "
            f"other clock than their message's and were converted with the offset "
            f"observed in this file ({offsets})",
        )


def _chats_of(run: _Run, data: dict[str, Any], member: str) -> list[_Chat]:
    """A file's chat objects: itself, or each entry of ``chats`` and ``left_chats``."""
    export, report = run.export, run.report
    if "messages" in data:
        if not isinstance(data["messages"], list):
            raise ExportError(
                "'messages' is not a list; damaged file or not a Telegram export",
                export.where(member, "messages"),
            )
        return [_Chat(data, "")]
    sections = [s for s in ("chats", "left_chats") if s in data]
    if not sections:
        raise ExportError(
            "no 'messages' and no 'chats' list: not a Telegram Desktop chat export. In "
            "Telegram Desktop use Export chat history (or Settings > Advanced > Export "
            "Telegram data) and choose JSON",
            export.where(member),
        )
    chats: list[_Chat] = []
    for section in sections:
        value = data[section]
        listed = value.get("list") if isinstance(value, dict) else None
        if not isinstance(listed, list):
            report.problem(
                export.where(member, section),
                f"'{section}' has no 'list' of chats; those chats could not be read",
            )
            continue
        for i, raw in enumerate(listed):
            place = f"{section}.list[{i}]"
            if not isinstance(raw, dict):
                report.problem(
                    export.where(member, place), "the chat is not a JSON object"
                )
                continue
            chats.append(_Chat(raw, place))
    return chats


def _read_member(run: _Run, member: str) -> Iterator[Message]:
    """Yield the messages of one ``result.json``."""
    export = run.export
    data = load_json(export, member)
    if not isinstance(data, dict):
        raise ExportError(
            "the top level is not a JSON object; this is not a Telegram Desktop export",
            export.where(member),
        )
    chats = _chats_of(run, data, member)
    _record_exporter(run, data, member)
    clock = _LocalClock()
    for chat in chats:
        messages = chat.raw.get("messages")
        for raw in messages if isinstance(messages, list) else ():
            if isinstance(raw, dict):
                clock.observe(
                    _wall_time(raw.get("date")), _unix_time(raw.get("date_unixtime"))
                )
                clock.observe(
                    _wall_time(raw.get("edited")),
                    _unix_time(raw.get("edited_unixtime")),
                )
    clock.finish()
    file_stats: Counter[str] = Counter()
    for chat in chats:
        _conversation(run, chat, member)
        yield from _read_chat(run, chat, member, clock, file_stats)
    _file_notes(run, member, clock, file_stats)


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read Telegram Desktop JSON into message rows, chat by chat, in file order.

    Parameters
    ----------
    export : Export
        A ``result.json`` (single chat or whole account), or a folder or zip that
        holds one or more of them.
    options : ParseOptions
        Reading options (``strict`` acts through ``report``).
    report : ParseReport
        Receives unreadable records, notes and the exporter (whole-account export).

    Yields
    ------
    Message
        One per message; ``conversation_id`` is ``telegram-<chat id>``.

    Raises
    ------
    ExportError
        If a file is not JSON (naming line and column), is truncated, or is not a
        Telegram export; or a folder or zip holds no Telegram JSON.
    """
    members = (
        list(export.members)
        if export.kind == "file"
        else [m for m in _json_members(export) if _member_is_telegram(export, m)]
    )
    if not members:
        raise ExportError(
            "no Telegram Desktop JSON export (result.json) in here; export the chat "
            "as JSON from Telegram Desktop",
            export.name,
        )
    run = _Run(export, report)
    for member in members:
        yield from _read_member(run, member)
