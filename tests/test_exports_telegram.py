"""Telegram Desktop JSON reader: the four sample exports and synthetic traps."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from classifier import parse
from classifier.errors import ExportError, RecordError
from classifier.exports import open_export
from classifier.exports._common import ParseOptions
from classifier.exports.telegram import read, sniff
from classifier.records import Message, reaction
from classifier.report import ParseReport

SAMPLES = Path(__file__).parent / "fixtures" / "exports" / "telegram"
UTC = timezone.utc


def _read(path: Path, strict: bool = False) -> tuple[list[Message], ParseReport]:
    report = ParseReport(strict=strict)
    export = open_export(path)
    try:
        return list(read(export, ParseOptions(strict=strict), report)), report
    finally:
        export.close()


def _write(tmp_path: Path, data: object, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _chat(messages: list[object], **extra: object) -> dict[str, object]:
    return {
        "name": "Anna",
        "type": "personal_chat",
        "id": 42,
        "messages": messages,
        **extra,
    }


def _msg(ident: int | None, unix: int, sender: str = "Anna", **extra: object) -> dict:
    message: dict[str, object] = {
        "type": "message",
        "date_unixtime": str(unix),
        "from": sender,
        "from_id": f"user{sum(map(ord, sender))}",
        "text": "hi",
    }
    if ident is not None:
        message["id"] = ident
    message.update(extra)
    return message


def _notes(report: ParseReport) -> str:
    return "\n".join(n["note"] for n in report.notes)


# ---------------------------------------------------------------------------
# The sample files


def test_personal_chat_sample() -> None:
    path = SAMPLES / "tgparser_personal_chat.json"
    messages, report = _read(path)
    assert [m.message_id for m in messages] == [
        f"telegram-123456789/{i}" for i in range(1, 6)
    ]
    assert Counter(m.kind for m in messages) == {"message": 4, "call": 1}
    assert [m.sender for m in messages] == ["Alice", "Bob", "Alice", "Bob", "Alice"]
    assert [m.sender_id for m in messages] == [
        "user111",
        "user222",
        "user111",
        "user222",
        "user111",
    ]
    assert {m.conversation_id for m in messages} == {"telegram-123456789"}
    assert {m.conversation_name for m in messages} == {"Test User"}
    # date_unixtime wins over date; here the two disagree by 20 minutes for the first
    # three messages (the fixture was written by hand), which is reported.
    assert messages[0].timestamp == datetime(2024, 1, 15, 10, 50, tzinfo=UTC)
    assert messages[-1].timestamp == datetime(2024, 1, 16, 10, 0, tzinfo=UTC)
    assert all(m.tz_known for m in messages)
    assert "UTC-00:20" in _notes(report)
    # The list of strings and {type, text} objects is joined exactly.
    assert messages[2].text == "Check this important message"
    assert messages[3].reply_to == "telegram-123456789/3"
    assert [m.reply_to for m in messages if m is not messages[3]] == [None] * 4
    call = messages[4]
    assert (call.kind, call.sender, call.sender_id, call.text) == (
        "call",
        "Alice",
        "user111",
        "phone_call",
    )
    assert messages[0].source == f"{path}:messages[0]"
    assert report.problems == []


def test_supergroup_topics_are_not_replies() -> None:
    messages, report = _read(SAMPLES / "tgparser_supergroup_with_topics.json")
    assert len(messages) == 7
    assert Counter(m.kind for m in messages) == {"system": 3, "message": 4}
    assert Counter(m.sender for m in messages) == {
        "Admin": 3,
        "User1": 2,
        "User2": 1,
        "User3": 1,
    }
    assert messages[0].timestamp == datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    assert messages[-1].timestamp == datetime(2024, 1, 11, 9, 0, tzinfo=UTC)
    # Messages 3, 5 and 6 "reply" to topic_created messages 2 and 4: topic markers.
    assert [m.reply_to for m in messages] == [None] * 7
    assert "3 reply_to_message_id value(s) point at a topic_created" in _notes(report)
    assert [m.text for m in messages if m.kind == "system"] == [
        "create_group: Test Group",
        "topic_created: General",
        "topic_created: Finances",
    ]
    # A reaction with a count and no `recent`: one anonymous entry carrying the count.
    assert messages[5].reactions == [reaction("👍", None, None, 3)]
    assert all(m.reactions == [] for m in messages if m is not messages[5])
    assert report.problems == []


def test_mixed_date_versions_sample() -> None:
    path = SAMPLES / "chatanalytics_DM_2A_7M.json"
    messages, report = _read(path)
    assert [m.message_id.split("/")[1] for m in messages] == [
        "2675",
        "3644",
        "3645",
        "3662",
        "3663",
        "3672",
        "3673",
        "3674",
    ]
    assert Counter(m.kind for m in messages) == {
        "system": 1,
        "message": 4,
        "media": 2,
        "call": 1,
    }
    assert Counter(m.sender for m in messages) == {"Bob": 3, "Alice": 5}
    assert {m.conversation_id for m in messages} == {"telegram-700000000"}
    # Only `date`: naive wall time; `date_unixtime` (alone or with `date`): UTC.
    assert [m.tz_known for m in messages] == [False] * 3 + [True] * 5
    assert messages[0].timestamp == datetime(2019, 7, 5, 16, 55, 32)
    assert messages[2].timestamp == datetime(2022, 3, 8, 13, 7, 42)
    assert messages[3].timestamp == datetime(2022, 5, 9, 22, 23, 53, tzinfo=UTC)
    assert messages[-1].timestamp == datetime(2023, 8, 11, 2, 11, 2, tzinfo=UTC)
    assert messages[0].text == "joined_telegram"
    assert messages[0].kind == "system"
    assert messages[0].sender_id == "user700000000"
    # Emoji in a text array, joined with no extra space.
    assert messages[1].text == "https://google.com 👀"
    assert [(m.kind, m.text) for m in messages[5:7]] == [("media", ""), ("media", "")]
    assert messages[7].kind == "call"
    assert messages[7].text == "phone_call: hangup, 56 s"
    notes = [n for n in report.notes if n["where"] == str(path)]
    assert len(notes) == 1
    assert notes[0]["note"].startswith("3 of 8 messages have only the local 'date'")
    # Message 3674 carries both fields: the exporting computer ran at UTC-3.
    assert "UTC-03:00" in notes[0]["note"]
    assert report.problems == []


def test_batch_export_without_ids() -> None:
    path = SAMPLES / "chatminer_test_batch_export.json"
    messages, report = _read(path)
    assert len(messages) == 2
    assert {m.conversation_id for m in messages} == {"telegram-chatname"}
    assert {m.conversation_name for m in messages} == {"Chatname"}
    assert [m.sender for m in messages] == ["Author 1", "Author 2"]
    assert [m.sender_id for m in messages] == [None, None]
    assert [m.kind for m in messages] == ["message", "message"]
    assert [m.text for m in messages] == [
        "Minimal Message",
        "Link:https://telegram.org/",
    ]
    assert messages[0].timestamp == datetime(2018, 12, 5, 10, 39, 10, tzinfo=UTC)
    assert messages[1].timestamp == datetime(2018, 12, 5, 10, 49, 24, tzinfo=UTC)
    assert messages[0].source == f"{path}:chats.list[0].messages[0]"
    ids = [m.message_id for m in messages]
    assert len(set(ids)) == 2
    assert all(
        i.startswith("telegram-chatname/") and len(i.split("/")[1]) == 12 for i in ids
    )
    assert ids == [m.message_id for m in _read(path)[0]]  # deterministic
    assert "2 message(s) have no 'id'" in _notes(report)
    assert report.decisions == []  # no personal_information in this file
    assert report.problems == []


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_samples_are_sniffed(path: Path) -> None:
    assert sniff(open_export(path))


def test_parse_api_with_forced_format() -> None:
    report = ParseReport()
    paths = [
        SAMPLES / "tgparser_personal_chat.json",
        SAMPLES / "chatminer_test_batch_export.json",
    ]
    rows = list(parse(paths, format="telegram", report=report))
    assert len(rows) == 7
    assert [entry["format"] for entry in report.inputs] == ["telegram", "telegram"]
    assert report.conversations == {"telegram-123456789": 5, "telegram-chatname": 2}


# ---------------------------------------------------------------------------
# Synthetic traps


def test_reactions_with_recent(tmp_path: Path) -> None:
    # The computer ran at UTC+2: date 12:00 local is 10:00 UTC.
    message = _msg(
        7,
        1709287200,
        date="2024-03-01T12:00:00",
        reactions=[
            {
                "type": "emoji",
                "count": 5,
                "emoji": "❤",
                "recent": [
                    {"from": "Ben", "from_id": "user2", "date": "2024-03-01T12:05:00"},
                    {"from": None, "from_id": "user3", "date": "2024-03-01T12:06:30"},
                ],
            },
            {
                "type": "custom_emoji",
                "count": 1,
                "document_id": "5368324170671202286",
                "recent": [
                    {"from": "Cleo", "from_id": "user4", "date": "2024-03-01T13:00:00"}
                ],
            },
            {"type": "paid", "count": 2},
            {"type": "emoji", "count": 2, "emoji": "👍", "recent": [{"from": "Ben"}]},
        ],
    )
    messages, report = _read(_write(tmp_path, _chat([message])))
    assert messages[0].timestamp == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert messages[0].reactions == [
        reaction("❤", "Ben", datetime(2024, 3, 1, 10, 5, tzinfo=UTC), 1),
        reaction(
            "❤", "Deleted Account", datetime(2024, 3, 1, 10, 6, 30, tzinfo=UTC), 1
        ),
        reaction("❤", None, None, 3),
        reaction(
            "custom:5368324170671202286",
            "Cleo",
            datetime(2024, 3, 1, 11, tzinfo=UTC),
            1,
        ),
        reaction("paid", None, None, 2),
        reaction("👍", "Ben", None, 1),
        reaction("👍", None, None, 1),
    ]
    assert "converted with the offset observed in this file (UTC+02:00)" in _notes(
        report
    )
    assert report.problems == []


def test_reaction_times_without_known_offset_are_left_out(tmp_path: Path) -> None:
    recent = [{"from": "Ben", "from_id": "user2", "date": "2024-03-01T12:05:00"}]
    message = _msg(
        1,
        1709287200,
        reactions=[{"type": "emoji", "count": 1, "emoji": "❤", "recent": recent}],
    )
    path = _write(tmp_path, _chat([message]))
    messages, report = _read(path)
    assert messages[0].reactions == [reaction("❤", "Ben", None, 1)]
    # The time is lost: a problem at the reactor, not a note.
    assert report.problems == [
        {
            "where": f"{path}:messages[0].reactions[0].recent[0]",
            "reason": "the reaction time is wall-clock only and this file shows no "
            "UTC offset to convert it; left out (None)",
        }
    ]
    assert "left out" not in _notes(report)
    with pytest.raises(RecordError):
        _read(path, strict=True)


def test_edit_times_without_known_offset_are_problems(tmp_path: Path) -> None:
    message = _msg(1, 1709287200, edited="2024-03-01T12:30:00")
    path = _write(tmp_path, _chat([message]))
    messages, report = _read(path)
    assert (messages[0].edited, messages[0].edited_at) == (True, None)
    assert report.problems == [
        {
            "where": f"{path}:messages[0].edited",
            "reason": "the edit time is wall-clock only and this file shows no "
            "UTC offset to convert it; left out (None)",
        }
    ]


def test_unreadable_reply_id_is_a_problem(tmp_path: Path) -> None:
    chat = _chat([_msg(1, 1700000000), _msg(2, 1700000060, reply_to_message_id="x")])
    path = _write(tmp_path, chat)
    messages, report = _read(path)
    assert [m.reply_to for m in messages] == [None, None]
    assert report.problems == [
        {
            "where": f"{path}:messages[1]",
            "reason": "reply_to_message_id is not a message id; no reply link",
        }
    ]
    assert "reply_to_message_id" not in _notes(report)


def test_reactions_on_wall_clock_messages_stay_wall_clock(tmp_path: Path) -> None:
    recent = [{"from": "Ben", "from_id": "user2", "date": "2021-03-01T12:05:00"}]
    message = {
        "id": 1,
        "type": "message",
        "date": "2021-03-01T12:00:00",
        "from": "Anna",
        "from_id": "user1",
        "text": "x",
        "reactions": [{"type": "emoji", "count": 1, "emoji": "❤", "recent": recent}],
    }
    messages, _ = _read(_write(tmp_path, _chat([message])))
    assert messages[0].tz_known is False
    assert messages[0].reactions == [
        reaction("❤", "Ben", datetime(2021, 3, 1, 12, 5), 1)
    ]


def test_edited(tmp_path: Path) -> None:
    new = _msg(
        1,
        1709287200,
        date="2024-03-01T12:00:00",
        edited="2024-03-01T12:30:00",
        edited_unixtime="1709289000",
    )
    old = {
        "id": 2,
        "type": "message",
        "date": "2020-01-01T09:00:00",
        "edited": "2020-01-01T09:10:00",
        "from": "Anna",
        "from_id": "user1",
        "text": "x",
    }
    plain = _msg(3, 1709290000)
    messages, report = _read(_write(tmp_path, _chat([new, old, plain])))
    assert (messages[0].edited, messages[0].edited_at) == (
        True,
        datetime(2024, 3, 1, 10, 30, tzinfo=UTC),
    )
    # An old export: edit time on the same wall clock as the message.
    assert (messages[1].edited, messages[1].edited_at) == (
        True,
        datetime(2020, 1, 1, 9, 10),
    )
    assert messages[1].tz_known is False
    assert (messages[2].edited, messages[2].edited_at) == (False, None)
    assert report.problems == []


def test_reply_to_peer_id_is_not_a_reply_here(tmp_path: Path) -> None:
    chat = _chat(
        [
            _msg(1, 1700000000),
            _msg(2, 1700000060, reply_to_message_id=1),
            _msg(3, 1700000120, reply_to_message_id=77, reply_to_peer_id="channel555"),
            _msg(4, 1700000180, reply_to_message_id=1, reply_to_peer_id="user42"),
            _msg(5, 1700000240, reply_to_message_id=999),
        ]
    )
    messages, report = _read(_write(tmp_path, chat))
    assert [m.reply_to for m in messages] == [
        None,
        "telegram-42/1",
        None,
        "telegram-42/1",  # the peer is this chat itself
        "telegram-42/999",
    ]
    notes = _notes(report)
    assert "1 message(s) reply to a message in another chat" in notes
    assert "1 reply link(s) point at messages that are not in this export" in notes


def test_truncated_file(tmp_path: Path) -> None:
    text = json.dumps(_chat([_msg(1, 1700000000), _msg(2, 1700000060)]), indent=1)
    path = tmp_path / "result.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    export = open_export(path)
    assert sniff(export)  # still recognised, so the user gets the real reason
    with pytest.raises(ExportError) as caught:
        _read(path)
    assert "truncated" in str(caught.value)
    assert caught.value.where is not None
    line, column = caught.value.where.rsplit(":", 2)[1:]
    assert caught.value.where.startswith(str(path))
    assert line.isdigit() and column.isdigit()


def test_invalid_json_and_wrong_structure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"messages": [{"type": "message", "date": "x",}]}', encoding="utf-8"
    )
    with pytest.raises(ExportError, match=r"invalid JSON") as caught:
        _read(bad)
    assert caught.value.where == f"{bad}:1:47"
    listing = _write(tmp_path, [1, 2], "array.json")
    with pytest.raises(ExportError, match="not a JSON object"):
        _read(listing)
    other = _write(tmp_path, {"guild": {}, "channel": {}}, "other.json")
    with pytest.raises(ExportError, match="not a Telegram Desktop chat export"):
        _read(other)
    broken = _write(tmp_path, {"name": "x", "messages": {"a": 1}}, "broken.json")
    with pytest.raises(ExportError) as caught:
        _read(broken)
    assert caught.value.where == f"{broken}:messages"


def test_whole_account_export(tmp_path: Path) -> None:
    data = {
        "about": "Here is the data you requested.",
        "personal_information": {
            "user_id": 111,
            "first_name": "Anna",
            "last_name": "Berg",
            "phone_number": "+00 000 000",
            "username": "@anna",
        },
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {
                    "name": "Ben",
                    "type": "personal_chat",
                    "id": 222,
                    "messages": [
                        _msg(1, 1700000000, "Anna"),
                        _msg(2, 1700000060, "Ben", reply_to_message_id=1),
                    ],
                },
                "not a chat",
                {
                    "name": "Book club",
                    "type": "private_group",
                    "id": 333,
                    "messages": [_msg(1, 1700000100, "Cleo"), 7],
                },
            ],
        },
        "left_chats": {
            "about": "Chats you left.",
            "list": [
                {
                    "name": "Old group",
                    "type": "private_supergroup",
                    "id": 444,
                    "messages": [_msg(9, 1600000000, "Dan")],
                },
                {
                    "name": "No id",
                    "type": "private_group",
                    "messages": [_msg(1, 1600000100)],
                },
            ],
        },
    }
    path = _write(tmp_path, data)
    assert sniff(open_export(path))
    messages, report = _read(path)
    assert [m.message_id for m in messages] == [
        "telegram-222/1",
        "telegram-222/2",
        "telegram-333/1",
        "telegram-444/9",
        "telegram-no-id/1",
    ]
    assert [m.conversation_name for m in messages] == [
        "Ben",
        "Ben",
        "Book club",
        "Old group",
        "No id",
    ]
    assert messages[1].reply_to == "telegram-222/1"
    assert messages[3].source == f"{path}:left_chats.list[0].messages[0]"
    assert report.decisions == [
        {
            "where": f"{path}:personal_information",
            "what": "exporter",
            "value": "user111",
            "evidence": "personal_information.user_id 111, the sender_id of its "
            "messages (Anna Berg, @anna)",
        }
    ]
    assert "000" not in json.dumps(report.to_dict())  # the phone number stays out
    assert report.problems == [
        {"where": f"{path}:chats.list[1]", "reason": "the chat is not a JSON object"},
        {
            "where": f"{path}:chats.list[2].messages[1]",
            "reason": "the message is not a JSON object",
        },
    ]


def test_problems_raise_under_strict(tmp_path: Path) -> None:
    path = _write(tmp_path, _chat([_msg(1, 1700000000), "oops"]))
    with pytest.raises(RecordError) as caught:
        _read(path, strict=True)
    assert caught.value.where == f"{path}:messages[1]"


def test_message_without_any_time_is_a_problem(tmp_path: Path) -> None:
    undated = {"id": 2, "type": "message", "from": "Anna", "text": "secret words"}
    bad_date = {
        "id": 3,
        "type": "message",
        "date": "yesterday",
        "from": "Anna",
        "text": "x",
    }
    path = _write(tmp_path, _chat([_msg(1, 1700000000), undated, bad_date]))
    messages, report = _read(path)
    assert [m.message_id for m in messages] == ["telegram-42/1"]
    assert [p["where"] for p in report.problems] == [
        f"{path}:messages[1]",
        f"{path}:messages[2]",
    ]
    assert "secret" not in json.dumps(report.to_dict())


def test_unsupported_message_is_kept(tmp_path: Path) -> None:
    chat = _chat(
        [
            {"id": 1, "type": "unsupported"},
            _msg(2, 1700000000),
            {"id": 3, "type": "unsupported"},
            _msg(4, 1700000600),
        ]
    )
    messages, report = _read(_write(tmp_path, chat))
    assert [(m.message_id, m.kind, m.text, m.sender) for m in messages] == [
        ("telegram-42/1", "system", "", ""),
        ("telegram-42/2", "message", "hi", "Anna"),
        ("telegram-42/3", "system", "", ""),
        ("telegram-42/4", "message", "hi", "Anna"),
    ]
    # No date of their own: the first takes the time after it, the other the one before.
    stamp = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert [m.timestamp for m in messages[:3]] == [stamp, stamp, stamp]
    notes = _notes(report)
    assert "2 message(s) of type 'unsupported'" in notes
    assert "2 'unsupported' message(s) carry no date" in notes
    assert report.problems == []


def test_media_poll_and_captions(tmp_path: Path) -> None:
    chat = _chat(
        [
            _msg(
                1,
                1700000000,
                text="look",
                photo="photos/photo_1.jpg",
                width=1,
                height=1,
            ),
            _msg(
                2,
                1700000001,
                text="",
                file="stickers/s.webp",
                media_type="sticker",
                sticker_emoji="😂",
            ),
            _msg(
                3,
                1700000002,
                text="",
                media_type="voice_message",
                file="(File not included.)",
            ),
            _msg(
                4,
                1700000003,
                text="",
                location_information={"latitude": 1, "longitude": 2},
            ),
            _msg(5, 1700000004, text="", contact_information={"first_name": "Z"}),
            _msg(
                6,
                1700000005,
                text="",
                poll={
                    "question": "Lunch?",
                    "closed": False,
                    "total_voters": 0,
                    "answers": [],
                },
            ),
            _msg(7, 1700000006, text="vote!", poll={"question": "Dinner?"}),
        ]
    )
    messages, _ = _read(_write(tmp_path, chat))
    assert [(m.kind, m.text) for m in messages] == [
        ("media", "look"),
        ("media", ""),
        ("media", ""),
        ("media", ""),
        ("media", ""),
        ("poll", "Lunch?"),
        ("poll", "vote!"),
    ]


def test_service_messages(tmp_path: Path) -> None:
    chat = _chat(
        [
            {
                "id": 1,
                "type": "service",
                "date_unixtime": "1700000000",
                "actor": "Anna",
                "actor_id": "user1",
                "action": "invite_members",
                "members": ["Ben", None],
                "text": "",
            },
            {
                "id": 2,
                "type": "service",
                "date_unixtime": "1700000100",
                "actor": None,
                "actor_id": "user9",
                "action": "group_call",
                "duration": 120,
                "text": "",
            },
            {
                "id": 3,
                "type": "service",
                "date_unixtime": "1700000200",
                "actor": "Ben",
                "actor_id": "user2",
                "action": "phone_call",
                "discard_reason": "missed",
                "text": "",
            },
        ],
        type="private_group",
    )
    messages, _ = _read(_write(tmp_path, chat))
    assert [(m.kind, m.sender, m.sender_id, m.text) for m in messages] == [
        ("system", "Anna", "user1", "invite_members: Ben, Deleted Account"),
        ("call", "Deleted Account", "user9", "group_call: 120 s"),
        ("call", "Ben", "user2", "phone_call: missed"),
    ]


def test_deleted_account_and_text_entities(tmp_path: Path) -> None:
    ghost = _msg(1, 1700000000, **{"from": None, "from_id": "user404"})
    entities = _msg(2, 1700000060)
    del entities["text"]
    entities["text_entities"] = [
        {"type": "plain", "text": "see "},
        {"type": "text_link", "text": "this", "href": "https://example.org"},
        {"type": "custom_emoji", "text": "🙂", "document_id": "1"},
    ]
    messages, report = _read(_write(tmp_path, _chat([ghost, entities])))
    assert (messages[0].sender, messages[0].sender_id) == ("Deleted Account", "user404")
    assert messages[1].text == "see this🙂"
    assert report.problems == []


def test_repeated_messages_without_ids_get_distinct_ids(tmp_path: Path) -> None:
    same = {"type": "message", "date_unixtime": "1700000000", "from": "A", "text": "ok"}
    data = {
        "chats": {
            "list": [{"name": "Twice", "messages": [same, same, dict(same, text="no")]}]
        }
    }
    path = _write(tmp_path, data)
    first, _ = _read(path)
    again, _ = _read(path)
    ids = [m.message_id for m in first]
    assert len(set(ids)) == 3
    assert ids == [m.message_id for m in again]


def test_duplicates_by_id_are_merged(tmp_path: Path) -> None:
    one = _msg(1, 1700000000)
    changed = _msg(1, 1700000000, text="other")
    path = _write(tmp_path, _chat([one, _msg(2, 1700000060), dict(one), changed]))
    messages, report = _read(path)
    assert [m.message_id for m in messages] == ["telegram-42/1", "telegram-42/2"]
    assert "1 duplicate message(s) (same id, same content) merged" in _notes(report)
    assert report.problems == [
        {
            "where": f"{path}:messages[3]",
            "reason": "message id 1 appears twice with different content; "
            "the first copy is kept",
        }
    ]


def test_unknown_text_parts_are_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path, _chat([_msg(1, 1700000000, text=["a", 5, {"type": "bold"}, "b"])])
    )
    messages, report = _read(path)
    assert messages[0].text == "ab"
    assert report.problems[0]["where"] == f"{path}:messages[0].text"


def test_zip_and_folder_exports(tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport_2024-01-16"
    folder.mkdir()
    (folder / "photos").mkdir()
    (folder / "photos" / "photo_1.jpg").write_bytes(b"\xff\xd8\xff")
    source = SAMPLES / "tgparser_personal_chat.json"
    (folder / "result.json").write_bytes(source.read_bytes())
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(folder / "result.json", "ChatExport_2024-01-16/result.json")
        zf.write(
            folder / "photos" / "photo_1.jpg",
            "ChatExport_2024-01-16/photos/photo_1.jpg",
        )
    for target in (folder, archive):
        export = open_export(target)
        try:
            assert sniff(export)
        finally:
            export.close()
        messages, _ = _read(target)
        assert len(messages) == 5
    messages, _ = _read(archive)
    assert (
        messages[0].source == f"{archive}!ChatExport_2024-01-16/result.json:messages[0]"
    )


def test_same_chat_twice_in_a_folder_is_merged(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "result.json").write_bytes(
            (SAMPLES / "tgparser_personal_chat.json").read_bytes()
        )
    messages, report = _read(tmp_path)
    assert len(messages) == 5
    assert "5 duplicate message(s)" in _notes(report)


# ---------------------------------------------------------------------------
# Detection


@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "x", "type": "personal_chat", "id": 1}',
        b'{"messages": [{"id": "1", "type": "Default", "timestamp": "2020-01-01"}]}',
        b'{"participants": [], "messages": [{"sender_name": "a", "timestamp_ms": 1}]}',
        b'[{"type": "message", "ts": "1.0"}]',
        b'{"timestamp": "2020-01-01T00:00:00", "sender": "a", "text": "b"}\n',
        b"12/01/2020, 10:00 - Anna: hi\n",
        b"\x00\x01\x02\xff\xfe",
        b"{",
        b'{"messages": "none"}',
    ],
)
def test_sniff_rejects_other_content(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    assert not sniff(open_export(path))


def test_sniff_accepts_empty_chat(tmp_path: Path) -> None:
    assert sniff(open_export(_write(tmp_path, _chat([]))))


def test_sniff_large_files_by_their_start(tmp_path: Path) -> None:
    long_chat = _chat([_msg(i, 1700000000 + i, text="x" * 200) for i in range(1, 600)])
    big = _write(tmp_path, long_chat, "big.json")
    assert big.stat().st_size > 65_536
    assert sniff(open_export(big))
    account = {
        "about": "Here is the data you requested.",
        "contacts": {
            "about": "",
            "list": [{"first_name": "x" * 100} for _ in range(900)],
        },
        "chats": {"about": "", "list": [long_chat]},
    }
    assert sniff(open_export(_write(tmp_path, account, "account.json")))
    discord = {
        "guild": {"id": "0"},
        "messages": [
            {
                "id": str(i),
                "type": "Default",
                "timestamp": "2020-01-01",
                "content": "x" * 200,
            }
            for i in range(600)
        ],
    }
    other = _write(tmp_path, discord, "discord.json")
    assert other.stat().st_size > 65_536
    assert not sniff(open_export(other))
