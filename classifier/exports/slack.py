"""Slack workspace exports: a folder or ``.zip`` of ``<channel>/YYYY-MM-DD.json`` files.

Layout (see ``docs/chat-export-formats.md`` §5): ``channels.json`` (and, on paid
plans, ``groups.json``, ``mpims.json``, ``dms.json``) lists the conversations,
``users.json`` the people, and each conversation has a folder of day files, each a
JSON array of messages. The folder is named after the channel's ``name`` or, for DMs,
its ``id``; a folder that matches no record is still read, as a conversation named
after the folder.

Each conversation becomes one ``conversation_id`` (``slack-<channel id>``). A message's
``ts`` is both its UTC time and its id, so ``message_id`` is ``slack-<channel id>/<ts>``
and a thread reply's ``reply_to`` is ``slack-<channel id>/<thread_ts>``. Replies live in
the day file of the day they were posted, so each conversation is gathered whole, put in
time order (stable), and deduplicated on ``ts`` before it is yielded.

Text is Slack markup, rendered to plain text: ``<@U123>`` becomes ``@Name`` (``@U123``
when the name is unknown), ``<#C123|general>`` ``#general``, ``<!here>`` ``@here``,
``<https://x|label>`` ``label``, ``<https://x>`` ``https://x``, and ``&lt; &gt; &amp;``
are unescaped. A message with no text but with attachments (bots post that way) takes
the text of their ``fallback`` summaries.

Names come from ``users.json`` (display name, then real name, then handle); without
it, from the ``user_profile`` some exporters embed in messages (the first one seen for
a user, within the conversation being read or an earlier one); otherwise the user id.
``sender_id`` is always the user id (the ``bot_id`` for bot messages).
``sender_tz`` is the user's ``tz`` in ``users.json`` (or its fixed ``tz_offset``): the
only export that says where a person is, so their night can be told from a silence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import ExportError
from ..records import Message, reaction
from ..report import ParseReport
from ..timezones import check_zone
from ._common import ParseOptions, load_json
from ._source import Export

__all__ = ["sniff", "read"]

#: Conversation lists, in the order a folder name is looked up in them.
LIST_FILES = ("channels.json", "groups.json", "mpims.json", "dms.json")
_USER_FILES = ("users.json", "org_users.json")
_DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_TS = re.compile(r"(\d{1,12})(?:\.(\d{1,9}))?")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: Subtypes that are notices, not something a person said.
SYSTEM_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "channel_convert_to_private",
        "channel_convert_to_public",
        "channel_posting_permissions",
        "channel_canvas_updated",
        "group_join",
        "group_leave",
        "group_topic",
        "group_purpose",
        "group_name",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        "bot_add",
        "bot_remove",
        "bot_enable",
        "bot_disable",
        "app_conversation_join",
        "app_conversation_leave",
        "reminder_add",
        "reminder_delete",
        "joiner_notification",
        "joiner_notification_for_inviter",
    }
)
#: Subtypes that are messages someone (or a bot) wrote.
MESSAGE_SUBTYPES = frozenset(
    {
        "bot_message",
        "me_message",
        "thread_broadcast",
        "reply_broadcast",
        "file_comment",
        "file_mention",
        "slackbot_response",
    }
)
_OTHER_KINDS = {
    "tombstone": "deleted",
    "file_share": "media",
    "huddle_thread": "call",
    "sh_room_created": "call",
}
_BROADCASTS = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}


def sniff(export: Export) -> bool:
    """Whether ``export`` is a Slack workspace export (folder or zip).

    It is when a folder holding ``channels.json`` (or ``groups.json``, ``mpims.json``,
    ``dms.json``), at any depth, also holds a subfolder with a ``YYYY-MM-DD.json`` file.
    A plain file is never a Slack export.
    """
    if export.kind == "file":
        return False
    return bool(_roots_with_days(export.members))


@dataclass
class _Conversation:
    """One conversation: its id, display name and day files."""

    key: str
    name: str
    folders: list[str] = field(default_factory=list)
    days: list[tuple[str, str]] = field(default_factory=list)  # (day file name, member)

    @property
    def conversation_id(self) -> str:
        return f"slack-{self.key}"


@dataclass
class _Names:
    """User ids to names: ``users.json`` first, then profiles seen in messages."""

    users: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)

    def known(self, user_id: str) -> str | None:
        return self.users.get(user_id) or self.profiles.get(user_id)

    def name(self, user_id: str) -> str:
        return self.known(user_id) or user_id

    def learn(self, user_id: str, profile: Any) -> None:
        if user_id not in self.profiles:
            name = _profile_name(profile)
            if name:
                self.profiles[user_id] = name


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read every conversation of a Slack export, each in time order.

    Parameters
    ----------
    export : Export
        A folder or zip holding the export (``channels.json`` may sit in a subfolder).
    options : ParseOptions
        Unused: Slack exports need no options.
    report : ParseReport
        Receives a problem for each record that cannot be read, and notes for merged
        duplicates, reordered messages, folders with no conversation record, a missing
        ``users.json``, unknown subtypes and thread replies whose root is not exported.

    Yields
    ------
    Message
        One per message record, conversation by conversation.

    Raises
    ------
    ExportError
        If there is no Slack export here (or several), if a list file or day file is
        not valid JSON (naming the file and line:column), or if a day file is not a
        JSON array.
    """
    root = _find_root(export)
    names = _Names()
    users_file = _load_users(export, root, names)
    if users_file is None:
        report.note(
            export.where(_join(root, "users.json")),
            "users.json is missing; senders whose messages carry no user_profile keep "
            "their Slack user ids as names",
        )
    conversations = _conversations(export, root, names, report)
    unknown: Counter[str] = Counter()
    for conversation in conversations:
        yield from _read_conversation(export, conversation, names, report, unknown)
    for subtype, count in sorted(unknown.items()):
        report.note(
            export.where(root or None),
            f"{count} record(s) with subtype {subtype!r}, which reread does not know, "
            "were read as ordinary messages",
        )


# ---------------------------------------------------------------------------
# Layout


def _join(root: str, name: str) -> str:
    return f"{root}/{name}" if root else name


def _roots_with_days(members: Iterable[str]) -> list[str]:
    """Folders holding a conversation list and at least one ``<folder>/<day>.json``."""
    members = list(members)
    roots = {m.rpartition("/")[0] for m in members if _base(m) in LIST_FILES}
    if not roots:
        return []
    day_roots = set()
    for member in members:
        parts = member.rsplit("/", 2)
        if len(parts) >= 2 and _DAY_FILE.fullmatch(parts[-1]):
            day_roots.add(parts[0] if len(parts) == 3 else "")
    return sorted(roots & day_roots)


def _base(member: str) -> str:
    return member.rpartition("/")[2]


def _find_root(export: Export) -> str:
    """The folder (``""`` for the top) holding ``channels.json`` and the channels."""
    roots = _roots_with_days(export.members)
    if not roots:
        raise ExportError(
            "no Slack export here: expected channels.json (or groups.json, mpims.json, "
            "dms.json) next to channel folders of YYYY-MM-DD.json files",
            export.name,
        )
    if len(roots) > 1:
        shown = ", ".join(f"{root or '.'}/" for root in roots)
        raise ExportError(
            f"holds {len(roots)} Slack exports ({shown}); give them one at a time",
            export.name,
        )
    return roots[0]


def _load_list(export: Export, member: str) -> list[Any]:
    data = load_json(export, member)
    if not isinstance(data, list):
        raise ExportError(
            f"expected a JSON array of records, found a JSON {_json_type(data)}; "
            "the export is damaged",
            export.where(member),
        )
    return data


def _load_users(export: Export, root: str, names: _Names) -> str | None:
    """Fill ``names.users`` from ``users.json`` / ``org_users.json``; the file read."""
    found = None
    for filename in _USER_FILES:
        member = _join(root, filename)
        if member not in export.members:
            continue
        found = found or member
        for record in _load_list(export, member):
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                name = _user_name(record)
                if name:
                    names.users.setdefault(record["id"], name)
                zone = _user_zone(record)
                if zone:
                    names.zones.setdefault(record["id"], zone)
    return found


def _user_zone(record: dict[str, Any]) -> str | None:
    """A ``users.json`` record's time zone: ``tz``, else the fixed ``tz_offset``."""
    zone = record.get("tz")
    if isinstance(zone, str) and zone.strip():
        try:
            return check_zone(zone)
        except ValueError:
            pass
    offset = record.get("tz_offset")
    if type(offset) is int:  # seconds east of UTC
        try:
            return check_zone(offset / 3600)
        except ValueError:
            pass
    return None


def _user_name(record: dict[str, Any]) -> str:
    """A ``users.json`` record's name: display name, then real name, then handle."""
    profile = record.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    for value in (
        profile.get("display_name"),
        profile.get("real_name"),
        record.get("real_name"),
        record.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _profile_name(profile: Any) -> str:
    """A message's embedded ``user_profile`` name: display name, real name, handle."""
    if not isinstance(profile, dict):
        return ""
    for key in ("display_name", "real_name", "name"):
        value = profile.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _conversations(
    export: Export, root: str, names: _Names, report: ParseReport
) -> list[_Conversation]:
    """Map each channel folder to its conversation; folders of one id share one."""
    by_folder: dict[str, tuple[str, str]] = {}  # folder name -> (key, display name)
    for filename in LIST_FILES:
        member = _join(root, filename)
        if member not in export.members:
            continue
        skipped = 0
        for record in _load_list(export, member):
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                skipped += 1
                continue
            channel_id = record["id"]
            name = _first_text(record.get("name"))
            if name and filename in ("channels.json", "groups.json"):
                names.channels.setdefault(channel_id, name)
            display = _display_name(filename, channel_id, name, record, names)
            for folder in (name, channel_id):
                if folder:
                    by_folder.setdefault(folder, (channel_id, display))
        if skipped:
            report.note(
                export.where(member),
                f"{skipped} record(s) with no 'id' were ignored; their folders are "
                "read as conversations named after the folder",
            )

    prefix = f"{root}/" if root else ""
    conversations: dict[str, _Conversation] = {}
    for member in export.members:
        if not member.startswith(prefix):
            continue
        parts = member[len(prefix) :].split("/")
        if len(parts) != 2 or not _DAY_FILE.fullmatch(parts[1]):
            continue
        folder, day = parts
        key, display = by_folder.get(folder, (folder, f"#{folder}"))
        conversation = conversations.get(key)
        if conversation is None:
            conversation = conversations[key] = _Conversation(key, display)
        if folder not in conversation.folders:
            conversation.folders.append(folder)
            if folder not in by_folder:
                report.note(
                    export.where(prefix + folder),
                    "this folder matches no record in channels.json, groups.json, "
                    "mpims.json or dms.json; read as a conversation named after "
                    "the folder",
                )
        conversation.days.append((day, member))
    for conversation in conversations.values():
        conversation.days.sort()
    return list(conversations.values())


def _display_name(
    filename: str, channel_id: str, name: str, record: dict[str, Any], names: _Names
) -> str:
    """``#name`` for channels; the members' names for DMs and group DMs."""
    if filename in ("channels.json", "groups.json"):
        return f"#{name or channel_id}"
    members = record.get("members")
    if isinstance(members, list) and members:
        return ", ".join(names.name(m) for m in members if isinstance(m, str))
    return name or channel_id


# ---------------------------------------------------------------------------
# Messages


@dataclass
class _Record:
    ts: str
    timestamp: datetime
    data: dict[str, Any]
    where: str


def _read_conversation(
    export: Export,
    conversation: _Conversation,
    names: _Names,
    report: ParseReport,
    unknown: Counter[str],
) -> Iterator[Message]:
    """Gather a conversation's day files; yield it in time order without duplicates."""
    records: list[_Record] = []
    for _day, member in conversation.days:
        data = load_json(export, member)
        if not isinstance(data, list):
            raise ExportError(
                f"a Slack day file must be a JSON array of messages, found a JSON "
                f"{_json_type(data)}; the export is damaged",
                export.where(member),
            )
        for index, item in enumerate(data):
            where = export.where(member, f"messages[{index}]")
            if not isinstance(item, dict):
                report.problem(
                    where, f"record is a JSON {_json_type(item)}, not an object"
                )
                continue
            parsed = _parse_ts(item.get("ts"))
            if parsed is None:
                reason = (
                    "has no 'ts'"
                    if "ts" not in item
                    else "'ts' is not a Slack timestamp"
                )
                report.problem(where, f"record {reason}")
                continue
            user = item.get("user")
            if isinstance(user, str) and "user_profile" in item:
                names.learn(user, item["user_profile"])
            records.append(_Record(parsed[0], parsed[1], item, where))

    place = export.where(_folder_member(conversation.days[0][1]))
    backwards = sum(
        1
        for a, b in zip(records, records[1:], strict=False)
        if b.timestamp < a.timestamp
    )
    if backwards:
        records.sort(key=lambda r: r.timestamp)
        report.note(
            place,
            f"{backwards} message(s) came earlier than the one before them in the day "
            "files; the conversation was put in time order",
        )

    messages: dict[str, Message] = {}
    duplicates = 0
    for record in records:
        message = _message(record, conversation, names, report, unknown)
        first = messages.get(record.ts)
        if first is None:
            messages[record.ts] = message
        elif replace(first, source="") == replace(message, source=""):
            duplicates += 1
        else:
            report.problem(
                record.where,
                f"another record with the same ts ({first.source}) differs from this "
                "one; kept the first",
            )
    if duplicates:
        report.note(place, f"{duplicates} duplicate message(s) merged (same ts)")

    orphans = sum(
        1
        for m in messages.values()
        if m.reply_to is not None and m.reply_to.rpartition("/")[2] not in messages
    )
    if orphans:
        report.note(
            place,
            f"{orphans} thread reply(ies) point to a thread root that is not in the "
            "export",
        )
    yield from messages.values()


def _folder_member(member: str) -> str:
    return member.rpartition("/")[0]


def _parse_ts(value: Any) -> tuple[str, datetime] | None:
    """A Slack ``ts`` as its six-digit text (``"1452837318.000002"``) and UTC time."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        text = f"{value:.6f}"
    else:
        return None
    match = _TS.fullmatch(text)
    if match is None:
        return None
    # Integer arithmetic: a float would round the microseconds.
    seconds, fraction = int(match[1]), (match[2] or "").ljust(6, "0")
    try:
        stamp = _EPOCH + timedelta(seconds=seconds, microseconds=int(fraction[:6]))
    except OverflowError:
        return None
    # Slack writes six digits; a shorter form is padded so ids and thread links agree.
    return f"{seconds}.{fraction}", stamp


def _kind(
    subtype: str | None, data: dict[str, Any], text: str, unknown: Counter[str]
) -> str:
    if subtype in _OTHER_KINDS:
        return _OTHER_KINDS[subtype]
    if subtype in SYSTEM_SUBTYPES:
        return "system"
    if subtype is not None and subtype not in MESSAGE_SUBTYPES:
        unknown[subtype] += 1
    if data.get("files") and not text.strip():
        return "media"
    return "message"


def _message(
    record: _Record,
    conversation: _Conversation,
    names: _Names,
    report: ParseReport,
    unknown: Counter[str],
) -> Message:
    data = record.data
    subtype = data.get("subtype") if isinstance(data.get("subtype"), str) else None
    raw_text = data.get("text")
    text = render_markup(raw_text, names) if isinstance(raw_text, str) else ""
    if not text.strip():
        fallback = _attachment_text(data.get("attachments"), names)
        if fallback:
            text = fallback

    user = (
        data.get("user") if isinstance(data.get("user"), str) and data["user"] else None
    )
    sender_tz = None
    bot_id = data.get("bot_id") if isinstance(data.get("bot_id"), str) else None
    if subtype == "bot_message" or (user is None and bot_id):
        bot_profile = data.get("bot_profile")
        bot_name = bot_profile.get("name") if isinstance(bot_profile, dict) else None
        sender = _first_text(data.get("username"), bot_name, bot_id, user)
        sender_id = bot_id or user
    elif user is not None:
        sender, sender_id = names.name(user), user
        sender_tz = names.zones.get(user)
    else:
        sender, sender_id = _first_text(data.get("username")), None

    conversation_id = conversation.conversation_id
    reply_to = None
    thread = (
        _parse_ts(data.get("thread_ts")) if data.get("thread_ts") is not None else None
    )
    if thread is not None and thread[0] != record.ts:
        reply_to = f"{conversation_id}/{thread[0]}"
    elif thread is None and data.get("thread_ts") is not None:
        report.problem(
            record.where, "'thread_ts' is not a Slack timestamp; no reply link"
        )

    edited = data.get("edited")
    edited_at = None
    if isinstance(edited, dict):
        parsed = _parse_ts(edited.get("ts"))
        edited_at = parsed[1] if parsed else None

    return Message(
        conversation_id=conversation_id,
        message_id=f"{conversation_id}/{record.ts}",
        timestamp=record.timestamp,
        tz_known=True,
        sender=sender,
        sender_id=sender_id,
        text=text,
        kind=_kind(subtype, data, text, unknown),
        reply_to=reply_to,
        reactions=_reactions(data.get("reactions"), names, record.where, report),
        edited=bool(edited),
        edited_at=edited_at,
        conversation_name=conversation.name,
        source=record.where,
        sender_tz=sender_tz,
    )


def _first_text(*values: Any) -> str:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _reactions(
    value: Any, names: _Names, where: str, report: ParseReport
) -> list[dict[str, Any]]:
    """One entry per reacting user, plus one with ``by=None`` for any the count adds."""
    if not isinstance(value, list):
        return []
    result: list[dict[str, Any]] = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            report.problem(where, "a reaction with no emoji name was left out")
            continue
        emoji = f":{entry['name']}:"
        users = entry.get("users")
        users = (
            [u for u in users if isinstance(u, str)] if isinstance(users, list) else []
        )
        result.extend(reaction(emoji, by=names.name(u)) for u in users)
        count = entry.get("count")
        if (
            isinstance(count, int)
            and not isinstance(count, bool)
            and count > len(users)
        ):
            result.append(reaction(emoji, by=None, count=count - len(users)))
    return result


def _attachment_text(value: Any, names: _Names) -> str:
    """The ``fallback`` summaries (else ``text``) of a message's attachments."""
    if not isinstance(value, list):
        return ""
    parts = []
    for attachment in value:
        if isinstance(attachment, dict):
            summary = _first_text(attachment.get("fallback"), attachment.get("text"))
            if summary:
                parts.append(render_markup(summary, names))
    return "\n".join(parts)


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


# ---------------------------------------------------------------------------
# Markup

_MARKUP = re.compile(r"<([^<>\n]+)>|&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}
_ENTITY = re.compile(r"&(lt|gt|amp);")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S")


def _unescape(text: str) -> str:
    """Undo Slack's three escapes in one pass (``&amp;lt;`` stays ``&lt;``)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m[1]], text)


def render_markup(text: str, names: _Names | None = None) -> str:
    """Slack message markup as plain text.

    ``<@U123>`` -> ``@Name`` (``@U123`` when unknown), ``<#C123|general>`` ->
    ``#general``, ``<!here>`` -> ``@here``, ``<!subteam^S1|@team>`` -> ``@team``,
    ``<url|label>`` -> ``label``, ``<url>`` -> ``url``; ``&lt; &gt; &amp;`` unescaped.
    Newlines are kept.
    """
    names = names or _Names()

    def replace_one(match: re.Match[str]) -> str:
        if match[2]:
            return _ENTITIES[match[2]]
        target, bar, label = match[1].partition("|")
        label = _unescape(label)
        if target.startswith("@"):
            user_id = target[1:]
            return "@" + (names.known(user_id) or label or user_id)
        if target.startswith("#"):
            channel_id = target[1:]
            return "#" + (label or names.channels.get(channel_id) or channel_id)
        if target.startswith("!"):
            command = target[1:]
            if command in _BROADCASTS:
                return _BROADCASTS[command]
            return label or "@" + command.removeprefix("subteam^")
        if _SCHEME.match(target):
            return label if bar and label else _unescape(target)
        # Not markup: Slack escapes a literal "<", but other tools may not.
        return f"<{_unescape(match[1])}>"

    return _MARKUP.sub(replace_one, text)
