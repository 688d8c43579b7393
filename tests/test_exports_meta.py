"""The Messenger / Instagram reader, on the two samples and on synthetic threads."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import classifier
from classifier.errors import ExportError, RecordError
from classifier.exports import open_export
from classifier.exports._common import ParseOptions
from classifier.exports.meta import read, repair_mojibake, sniff
from classifier.records import Message, reaction
from classifier.report import ParseReport

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "exports"
MESSENGER = SAMPLES / "messenger" / "chatanalytics_2A_7M.json"
INSTAGRAM = SAMPLES / "instagram" / "chatminer_test_export.json"
SYNTHETIC = FIXTURES / "synthetic" / "meta"
MOJIBAKE = SYNTHETIC / "mojibake_reactions.json"
CORRECT = SYNTHETIC / "correct_unicode.json"
TWO_FILES = SYNTHETIC / "two_file_thread"
IG_TREE = SYNTHETIC / "your_instagram_activity"
E2EE = SYNTHETIC / "e2ee_thread.json"
TRUNCATED = SYNTHETIC / "truncated.json"

T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z, the start of every synthetic thread


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def at_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms // 1000, tz=timezone.utc).replace(
        microsecond=(ms % 1000) * 1000
    )


def read_all(
    path: Path, report: ParseReport | None = None
) -> tuple[list[Message], ParseReport]:
    report = report if report is not None else ParseReport()
    export = open_export(path)
    try:
        assert sniff(export)
        return list(read(export, ParseOptions(), report)), report
    finally:
        export.close()


def notes(report: ParseReport) -> list[str]:
    return [n["note"] for n in report.notes]


def thread(messages: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A "Download your information" thread, ``messages`` given oldest first."""
    return {
        "participants": [{"name": "Ana"}, {"name": "Bea"}],
        "messages": list(reversed(messages)),
        **top,
    }


def write_json(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def zip_tree(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def assert_chronological(messages: list[Message]) -> None:
    stamps = [m.timestamp for m in messages]
    assert stamps == sorted(stamps)


def assert_well_formed(messages: list[Message], report: ParseReport) -> None:
    """Ids unique and prefixed, UTC times, and no message text in the report."""
    ids = [m.message_id for m in messages]
    assert len(set(ids)) == len(ids)
    for m in messages:
        assert m.message_id.startswith(f"{m.conversation_id}/")
        assert m.tz_known and m.timestamp.utcoffset().total_seconds() == 0
        assert m.sender_id is None and m.reply_to is None and not m.edited
    reported = json.dumps(report.to_dict(), default=str)
    for m in messages:
        if len(m.text) > 12:
            assert m.text not in reported


# ---------------------------------------------------------------------------
# The public samples


def test_messenger_sample_bom_newest_first_and_media_only() -> None:
    assert MESSENGER.read_bytes().startswith(b"\xef\xbb\xbf")
    messages, report = read_all(MESSENGER)
    assert len(messages) == 7
    assert Counter(m.kind for m in messages) == {"message": 3, "media": 4}
    assert Counter(m.sender for m in messages) == {"Bob": 5, "Alice": 2}
    assert messages[0].timestamp == utc(2014, 11, 5, 0, 27, 20, 411000)
    assert messages[-1].timestamp == utc(2014, 11, 5, 0, 35, 32, 56000)
    assert_chronological(messages)
    # The file runs newest first: the output is the file read backwards.
    assert [m.source.rsplit(":", 1)[1] for m in messages] == [
        f"messages[{i}]" for i in range(6, -1, -1)
    ]
    assert messages[0].source == f"{MESSENGER}:messages[6]"
    assert [(m.sender, m.kind, m.text) for m in messages] == [
        ("Bob", "media", ""),  # photos
        ("Bob", "media", ""),  # sticker
        ("Alice", "media", ""),  # audio_files
        ("Bob", "media", ""),  # files
        ("Bob", "message", "you what"),
        ("Bob", "message", "Whats up!"),
        ("Alice", "message", "Hello"),
    ]
    assert {m.conversation_id for m in messages} == {"messenger-inbox-alice-aaaaaaaaaa"}
    assert {m.conversation_name for m in messages} == {"Alice"}
    assert all(m.reactions == [] for m in messages)
    assert notes(report) == ["messages are stored newest first; output in time order"]
    assert report.problems == []
    assert_well_formed(messages, report)


def test_instagram_sample_minimal_shape() -> None:
    messages, report = read_all(INSTAGRAM)
    assert [(m.timestamp, m.sender, m.text, m.kind) for m in messages] == [
        (utc(2019, 12, 24, 11, 23), "Jane Doe", "Hello John!", "message"),
        (utc(2020, 1, 17, 20, 49), "John Doe", "Hello Jane!", "message"),
    ]
    # No title, participants or thread path: the file name and the senders stand in.
    assert {m.conversation_id for m in messages} == {"instagram-chatminer-test-export"}
    assert {m.conversation_name for m in messages} == {"Jane Doe, John Doe"}
    assert [m.source for m in messages] == [
        f"{INSTAGRAM}:messages[1]",
        f"{INSTAGRAM}:messages[0]",
    ]
    assert notes(report) == ["messages are stored newest first; output in time order"]
    assert report.problems == []
    assert_well_formed(messages, report)


def test_samples_through_the_public_api() -> None:
    report = ParseReport()
    rows = list(
        classifier.parse([MESSENGER, INSTAGRAM], format="instagram", report=report)
    )
    assert len(rows) == 9
    assert [e["format"] for e in report.inputs] == ["messenger", "messenger"]
    assert report.conversations == {
        "messenger-inbox-alice-aaaaaaaaaa": 7,
        "instagram-chatminer-test-export": 2,
    }


def test_ids_are_deterministic() -> None:
    first, _ = read_all(MOJIBAKE)
    second, _ = read_all(MOJIBAKE)
    assert [m.message_id for m in first] == [m.message_id for m in second]


# ---------------------------------------------------------------------------
# Mojibake, reactions, unsent messages, events


def test_repair_mojibake_only_when_it_works() -> None:
    assert repair_mojibake("\u00f0\u009f\u0098\u00a2") == "😢"
    assert repair_mojibake("Jos\u00c3\u00a9") == "José"
    assert repair_mojibake("\u00e2\u009d\u00a4") == "❤"
    # Already correct: fails latin-1 encoding, or utf-8 decoding; left alone.
    for text in (
        "José",
        "😢",
        "naïve café",
        "Ñandú · 100 °C · £5",
        "日本",
        "plain",
        "",
    ):
        assert repair_mojibake(text) == text
    assert repair_mojibake("\u00c3") == "\u00c3"  # a lone lead byte is not UTF-8


def test_mojibake_thread_repaired_and_classified() -> None:
    assert b"\\u00c3\\u00a9" in MOJIBAKE.read_bytes()  # the file really is escaped
    messages, report = read_all(MOJIBAKE)
    assert [(m.sender, m.kind, m.text) for m in messages] == [
        ("Ana", "system", "Ana added Zoë to the group."),  # Subscribe
        ("José María", "message", "Hola 😢 ¿qué tal?"),
        ("Zoë", "reaction", "Reacted 😢 to your message "),
        ("José María", "deleted", ""),  # is_unsent
        ("Ana", "call", "Ana missed your call."),
        ("Ana", "call", "The video chat ended."),
        ("Zoë", "media", ""),  # photo only
        ("Ana", "media", "https://example.com/menu"),  # share with no content
        ("José María", "system", "José María named the group Café crew."),  # no type
        ("Zoë", "system", "Zoë left the group."),  # Unsubscribe
        ("Ana", "system", "Ana left the group."),  # no type, read from the content
        ("José María", "message", "Bob left the group."),  # typed: Bob is not him
        ("Zoë", "message", "first of two at the same millisecond"),
        ("Zoë", "message", "second of two at the same millisecond"),
        ("José María", "deleted", "José María unsent a message"),
        ("Ana", "media", "Ana sent an attachment."),
    ]
    assert Counter(m.kind for m in messages) == {
        "system": 4,
        "message": 4,
        "reaction": 1,
        "deleted": 2,
        "call": 2,
        "media": 3,
    }
    assert messages[0].timestamp == at_ms(T0) == utc(2023, 11, 14, 22, 13, 20)
    assert messages[-1].timestamp == at_ms(T0 + 840_000)
    assert_chronological(messages)
    assert {m.conversation_name for m in messages} == {"Café crew"}
    assert {m.conversation_id for m in messages} == {
        "messenger-inbox-cafecrew-1234567890"
    }
    # Reactions: emoji and actor repaired; the time is in seconds when present.
    assert messages[1].reactions == [
        reaction("😢", by="Zoë", at=utc(2023, 11, 14, 22, 14, 50))
    ]
    # An unsent message keeps its reactions.
    assert messages[3].reactions == [reaction("❤", by="Ana", at=None)]
    # Equal times keep the reversed file order, i.e. the order they were sent in.
    assert messages[12].source.endswith(":messages[3]")
    assert messages[13].source.endswith(":messages[2]")
    assert messages[12].message_id != messages[13].message_id
    assert report.problems == [
        {"where": f"{MOJIBAKE}:messages[4]", "reason": "message has no 'timestamp_ms'"}
    ]
    assert notes(report) == [
        "messages are stored newest first; output in time order",
        "repaired 22 mis-encoded strings (UTF-8 stored as Latin-1 escapes)",
    ]
    assert_well_formed(messages, report)


def test_correct_unicode_is_not_touched() -> None:
    messages, report = read_all(CORRECT)
    assert [(m.sender, m.text) for m in messages] == [
        ("José", "naïve café — ¿qué? 😢 日本"),
        ("Zoë", "Ñandú · 100 °C · £5"),
        ("José", "plain ascii"),
    ]
    assert messages[0].reactions == [
        reaction("❤️", by="Zoë", at=utc(2023, 11, 14, 22, 13, 50))
    ]
    assert {m.conversation_name for m in messages} == {"Zoë"}
    assert not any("repaired" in n for n in notes(report))


def test_missing_timestamp_is_a_problem_and_strict_stops() -> None:
    _, report = read_all(MOJIBAKE)
    assert [p["where"] for p in report.problems] == [f"{MOJIBAKE}:messages[4]"]
    with pytest.raises(RecordError) as info:
        read_all(MOJIBAKE, ParseReport(strict=True))
    assert info.value.where == f"{MOJIBAKE}:messages[4]"


@pytest.mark.parametrize(
    ("sender", "content", "kind"),
    [
        ("Ana", "Ana left the group.", "system"),
        ("Ana", "You left the group.", "system"),
        ("Ana", "Ana Lima left the group.", "system"),  # same first name
        ("Ana", "Bea left the group.", "message"),  # someone else's name: talk
        ("Ana", "Ana named the group Trip 2024.", "system"),
        ("Ana", "Ana added Bea to the group.", "system"),
        ("Ana", "Ana removed Bea from the group.", "system"),
        ("Ana", "Ana set the nickname for Bea to Bee.", "system"),
        ("Ana", "Ana changed the group photo.", "system"),
        ("Ana", "Ana unsent a message", "deleted"),
        ("Ana", "You unsent a message", "deleted"),
        ("Ana", "Reacted ❤ to your message ", "reaction"),
        ("Ana", "Ana reacted 😂 to Bea's message", "reaction"),
        ("Ana", "Liked a message", "reaction"),
        ("Ana", "sent an attachment.", "media"),
        ("Ana", "You sent an attachment.", "media"),
        ("Ana", "Ana sent a photo.", "media"),
        ("Ana", "Ana started a video chat.", "call"),
        ("Ana", "Ana missed your call.", "call"),
        ("Ana", "Ana missed a video chat from Bea.", "call"),
        ("Ana", "The video chat ended.", "call"),
        ("Ana", "I liked a message you sent", "message"),
        ("Ana", "left the group?", "message"),
        ("Ana", "Ana left the group.\nNot really, joking", "message"),
    ],
)
def test_events_written_as_content(
    tmp_path: Path, sender: str, content: str, kind: str
) -> None:
    path = write_json(
        tmp_path / "chat.json",
        thread([{"sender_name": sender, "timestamp_ms": T0, "content": content}]),
    )
    [message], _ = read_all(path)
    assert (message.kind, message.text) == (kind, content)


def test_type_fields_decide_before_the_content(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "chat.json",
        thread(
            [
                {
                    "sender_name": "Ana",
                    "timestamp_ms": T0,
                    "type": "Call",
                    "call_duration": 0,
                    "missed": True,
                },
                {
                    "sender_name": "Ana",
                    "timestamp_ms": T0 + 1,
                    "call_duration": 61,
                    "content": "hello",
                },
                {
                    "sender_name": "Bea",
                    "timestamp_ms": T0 + 2,
                    "type": "Unsubscribe",
                    "content": "hello",
                },
                {
                    "sender_name": "Bea",
                    "timestamp_ms": T0 + 3,
                    "is_unsent": True,
                    "content": "Ana left the group.",
                },
                {
                    "sender_name": "Bea",
                    "timestamp_ms": T0 + 4,
                    "content": "",
                    "gifs": [{"uri": "g.gif"}],
                },
                {
                    "sender_name": "Bea",
                    "timestamp_ms": T0 + 5,
                    "share": {"share_text": "a post"},
                },
                {
                    "sender_name": "Bea",
                    "timestamp_ms": T0 + 6,
                    "sticker": {"uri": "s.png"},
                    "content": "nice",
                },
                {"sender_name": "Bea", "timestamp_ms": T0 + 7},
            ]
        ),
    )
    messages, _ = read_all(path)
    assert [(m.kind, m.text) for m in messages] == [
        ("call", ""),
        ("call", "hello"),
        ("system", "hello"),
        ("deleted", "Ana left the group."),
        ("media", ""),
        ("media", "a post"),
        ("message", "nice"),  # has content: the caption is the message
        ("message", ""),
    ]


# ---------------------------------------------------------------------------
# Threads split over files, whole trees, zips


def test_two_file_thread_merged_in_order_with_duplicate_dropped() -> None:
    messages, report = read_all(TWO_FILES)
    assert [(m.sender, m.text) for m in messages] == [
        ("Ana", "are we still on for saturday?"),
        ("Bea", "yes!"),
        ("Ana", "great, 10am at the station"),
        ("Bea", "see you there"),
        ("Ana", "running 5 min late"),
    ]
    assert [m.source.split("two_file_thread/")[1] for m in messages] == [
        "message_2.json:messages[2]",
        "message_2.json:messages[1]",
        "message_2.json:messages[0]",
        "message_1.json:messages[1]",
        "message_1.json:messages[0]",
    ]
    # The copy kept is the older file's; the reaction only the newer copy had is kept.
    assert messages[2].reactions == [reaction("👍", by="Bea")]
    assert messages[0].timestamp == at_ms(T0)
    assert messages[-1].timestamp == at_ms(T0 + 3_600_000)
    assert {m.conversation_id for m in messages} == {"messenger-inbox-bea-1122334455"}
    assert {m.conversation_name for m in messages} == {"Bea"}
    assert notes(report) == [
        "one thread in 2 files; merged in time order",
        "messages are stored newest first; output in time order",
        "1 duplicate messages merged (same time, sender and text)",
        "repaired 1 mis-encoded strings (UTF-8 stored as Latin-1 escapes)",
    ]
    assert {n["where"] for n in report.notes} == {str(TWO_FILES)}
    assert_well_formed(messages, report)


def test_single_message_file_alone() -> None:
    messages, _ = read_all(TWO_FILES / "message_2.json")
    assert [m.text for m in messages] == [
        "are we still on for saturday?",
        "yes!",
        "great, 10am at the station",
    ]
    assert messages[0].conversation_id == "messenger-inbox-bea-1122334455"


def test_message_file_without_thread_path_named_after_its_folder(
    tmp_path: Path,
) -> None:
    path = write_json(
        tmp_path / "carla_555" / "message_1.json",
        {"messages": [{"sender_name": "Carla", "timestamp_ms": T0, "content": "hi"}]},
    )
    [message], _ = read_all(path)
    assert message.conversation_id == "messenger-carla-555"
    assert message.conversation_name == "Carla"


def test_files_in_numeric_order_decide_equal_times(tmp_path: Path) -> None:
    # Eleven files, one message each, all in the same millisecond: message_1 is the
    # newest, so the output runs from message_11 down to message_1 (not 9, 8, ... as
    # a text sort of the file names would give).
    folder = tmp_path / "thread"
    for n in range(1, 12):
        write_json(
            folder / f"message_{n}.json",
            thread(
                [{"sender_name": "Ana", "timestamp_ms": T0, "content": f"file {n}"}]
            ),
        )
    messages, report = read_all(folder)
    assert [m.text for m in messages] == [f"file {n}" for n in range(11, 0, -1)]
    assert "one thread in 11 files; merged in time order" in notes(report)


def build_inbox(root: Path) -> Path:
    """A package tree with two threads: one split over two files, one single."""
    inbox = root / "messages" / "inbox"
    shutil.copytree(TWO_FILES, inbox / "bea_1122334455")
    (inbox / "zoe_987654321").mkdir(parents=True)
    shutil.copy(CORRECT, inbox / "zoe_987654321" / "message_1.json")
    (inbox / "zoe_987654321" / "photos").mkdir()
    (inbox / "zoe_987654321" / "photos" / "1.jpg").write_bytes(b"\xff\xd8\xff")
    return root


def test_whole_tree_folder_and_zip_read_the_same(tmp_path: Path) -> None:
    tree = build_inbox(tmp_path / "facebook-ana")
    archive = zip_tree(tree, tmp_path / "facebook-ana.zip")
    from_folder, folder_report = read_all(tree)
    from_zip, _ = read_all(archive)
    strip = [
        (m.conversation_id, m.message_id, m.timestamp, m.sender, m.text, m.kind)
        for m in from_folder
    ]
    assert strip == [
        (m.conversation_id, m.message_id, m.timestamp, m.sender, m.text, m.kind)
        for m in from_zip
    ]
    assert Counter(m.conversation_id for m in from_folder) == {
        "messenger-inbox-bea-1122334455": 5,
        "messenger-inbox-zoe-987654321": 3,
    }
    # Each thread is one run, in time order within it.
    ids = [m.conversation_id for m in from_folder]
    assert ids == sorted(ids, key=ids.index)
    assert_chronological(from_folder[:5])
    assert_chronological(from_folder[5:])
    assert from_zip[0].source == (
        f"{archive}!messages/inbox/bea_1122334455/message_2.json:messages[2]"
    )
    assert folder_report.problems == []


def test_instagram_tree() -> None:
    messages, report = read_all(IG_TREE)
    assert [(m.sender, m.kind, m.text) for m in messages] == [
        ("janedoe", "message", "did you see the post?"),
        ("John Roe", "reaction", "Liked a message"),
        ("John Roe", "media", "sent an attachment."),
        ("janedoe", "reaction", "Reacted 😂 to your message"),
    ]
    assert {m.conversation_id for m in messages} == {
        "instagram-inbox-johnroe-17841400000000000"
    }
    assert {m.conversation_name for m in messages} == {"John Roe"}
    assert report.problems == []


def test_broken_file_inside_a_folder_is_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "thread"
    shutil.copytree(TWO_FILES, folder)
    text = (folder / "message_2.json").read_text(encoding="utf-8")
    (folder / "message_2.json").write_text(text[: text.index("yes!")], encoding="utf-8")
    messages, report = read_all(folder)
    assert [m.text for m in messages] == [
        "great, 10am at the station",
        "see you there",
        "running 5 min late",
    ]
    [problem] = report.problems
    assert problem["where"].startswith(f"{folder / 'message_2.json'}:")
    assert problem["where"].rsplit(":", 2)[1:] == [
        "19",
        "18",
    ]  # the cut string starts there
    with pytest.raises(RecordError):
        read_all(folder, ParseReport(strict=True))


def test_duplicates_need_the_same_attachments(tmp_path: Path) -> None:
    # Two photo messages in one millisecond are two messages, with distinct ids.
    path = write_json(
        tmp_path / "chat.json",
        thread(
            [
                {
                    "sender_name": "Ana",
                    "timestamp_ms": T0,
                    "photos": [{"uri": "a.jpg"}],
                },
                {
                    "sender_name": "Ana",
                    "timestamp_ms": T0,
                    "photos": [{"uri": "b.jpg"}],
                },
                {
                    "sender_name": "Ana",
                    "timestamp_ms": T0,
                    "photos": [{"uri": "b.jpg"}],
                },
            ]
        ),
    )
    messages, report = read_all(path)
    assert len(messages) == 2
    assert len({m.message_id for m in messages}) == 2
    assert "1 duplicate messages merged (same time, sender and text)" in notes(report)


# ---------------------------------------------------------------------------
# End-to-end-encrypted export


def test_e2ee_shape() -> None:
    messages, report = read_all(E2EE)
    assert [(m.sender, m.kind, m.text) for m in messages] == [
        ("Ana Lima", "message", "Oi João! 😊"),  # correct already: kept
        ("João", "message", "Tudo bem? 😢"),  # mis-encoded: repaired
        ("Ana Lima", "media", ""),
        ("João", "deleted", ""),
        ("Ana Lima", "message", ""),  # a placeholder
        ("João", "message", "https://example.org/trip"),
        ("Ana Lima", "reaction", "Reacted 😢 to your message"),
    ]
    assert messages[0].reactions == [reaction("❤", by="João", at=None)]
    assert messages[3].reactions == [reaction("😮", by="Ana Lima", at=None)]
    assert messages[0].timestamp == at_ms(T0)
    assert messages[-1].timestamp == at_ms(T0 + 360_000)
    assert [m.source for m in messages] == [f"{E2EE}:messages[{i}]" for i in range(7)]
    assert {m.conversation_id for m in messages} == {"messenger-joao-7"}
    assert {m.conversation_name for m in messages} == {"João_7"}
    # Stored oldest first: nothing reversed.
    assert notes(report) == [
        "repaired 8 mis-encoded strings (UTF-8 stored as Latin-1 escapes)",
        "1 placeholder messages carry no content",
    ]
    assert_well_formed(messages, report)


def test_e2ee_folder_of_loose_thread_files(tmp_path: Path) -> None:
    folder = tmp_path / "secure_storage"
    folder.mkdir()
    shutil.copy(E2EE, folder / "Joao_7.json")
    write_json(
        folder / "Bea_3.json",
        {
            "participants": ["Ana Lima", "Bea"],
            "threadName": "Bea_3",
            "messages": [{"senderName": "Bea", "timestamp": T0, "text": "oi"}],
        },
    )
    (folder / "media").mkdir()
    (folder / "media" / "3f2a9c1e.jpeg").write_bytes(b"\xff\xd8\xff")
    messages, _ = read_all(folder)
    assert Counter(m.conversation_id for m in messages) == {
        "messenger-bea-3": 1,
        "messenger-joao-7": 7,
    }


# ---------------------------------------------------------------------------
# Bad input and detection


def test_truncated_file_names_the_place() -> None:
    export = open_export(TRUNCATED)
    assert sniff(export)
    with pytest.raises(ExportError) as info:
        list(read(export, ParseOptions(), ParseReport()))
    assert info.value.where == f"{TRUNCATED}:86:18"
    assert str(TRUNCATED) in str(info.value)


def test_file_cut_between_values_says_truncated(tmp_path: Path) -> None:
    text = MOJIBAKE.read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index("}", 1000) + 2], encoding="utf-8")
    with pytest.raises(ExportError, match="truncated") as info:
        read_all(path)
    assert info.value.where.startswith(f"{path}:")


@pytest.mark.parametrize(
    "value",
    [
        {"messages": {"sender_name": "Ana", "timestamp_ms": 1}},
        [{"messages": [], "sender_name": "Ana", "timestamp_ms": 1}],
    ],
)
def test_wrong_structure(tmp_path: Path, value: Any) -> None:
    path = write_json(tmp_path / "chat.json", value)
    export = open_export(path)
    with pytest.raises(ExportError, match="no 'messages' list") as info:
        list(read(export, ParseOptions(), ParseReport()))
    assert info.value.where == str(path)


def test_bad_records_are_problems(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "chat.json",
        thread(
            [
                {"sender_name": "Ana", "timestamp_ms": T0, "content": "ok"},
                "not an object",
                {"sender_name": "Ana", "timestamp_ms": "soon", "content": "x"},
                {"sender_name": "Ana", "timestamp_ms": True, "content": "x"},
                {
                    "sender_name": "Ana",
                    "timestamp_ms": T0 + 1,
                    "content": "fine",
                    "reactions": [{"actor": "Bea"}, {"reaction": "👍", "actor": "Bea"}],
                },
                {"timestamp_ms": T0 + 2, "content": "no sender"},
            ]
        ),
    )
    messages, report = read_all(path)
    assert [(m.sender, m.text) for m in messages] == [
        ("Ana", "ok"),
        ("Ana", "fine"),
        ("", "no sender"),
    ]
    assert messages[1].reactions == [reaction("👍", by="Bea")]
    # File order is newest first: messages[0] is the last one written above.
    assert report.problems == [
        {
            "where": f"{path}:messages[1].reactions[0]",
            "reason": "reaction without a 'reaction' emoji",
        },
        {
            "where": f"{path}:messages[2]",
            "reason": "'timestamp_ms' is not a time in milliseconds",
        },
        {
            "where": f"{path}:messages[3]",
            "reason": "'timestamp_ms' is not a time in milliseconds",
        },
        {"where": f"{path}:messages[4]", "reason": "not a message object"},
    ]
    assert "1 messages have no sender name" in notes(report)


def test_sniff_accepts_our_shapes(tmp_path: Path) -> None:
    for path in (
        MESSENGER,
        INSTAGRAM,
        MOJIBAKE,
        CORRECT,
        E2EE,
        TRUNCATED,
        TWO_FILES,
        IG_TREE,
        TWO_FILES / "message_1.json",
    ):
        assert sniff(open_export(path)), path
    archive = open_export(zip_tree(TWO_FILES, tmp_path / "thread.zip"))
    try:
        assert sniff(archive)
    finally:
        archive.close()


def test_sniff_rejects_other_formats(tmp_path: Path) -> None:
    others = [
        p
        for p in sorted(SAMPLES.glob("*/*"))
        if p.parent.name not in ("messenger", "instagram")
    ]
    assert len(others) >= 20
    for path in others:
        assert not sniff(open_export(path)), path
    odd = {
        "binary.json": b'\x00\x01\x02{"messages"',
        "latin1.json": b"\xff\xfe{\x00",
        "empty_object.json": b"{}",
        "words.txt": b"messages sender_name timestamp_ms",
        "list.json": b'[{"messages": [], "sender_name": "a", "timestamp_ms": 1}]',
        "discordish.json": b'{"messages": [{"timestamp": "2020", "author": {}}]}',
    }
    for name, data in odd.items():
        (tmp_path / name).write_bytes(data)
        assert not sniff(open_export(tmp_path / name)), name
    not_a_thread = tmp_path / "folder" / "message_1.json"
    not_a_thread.parent.mkdir()
    not_a_thread.write_text('{"hello": 1}', encoding="utf-8")
    assert not sniff(open_export(not_a_thread.parent))
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(E2EE, mixed / "a.json")
    (mixed / "b.json").write_text('{"channels": []}', encoding="utf-8")
    assert not sniff(open_export(mixed))


def test_unreadable_reaction_time_is_a_problem(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "message_1.json",
        thread(
            [
                {
                    "sender_name": "Ana",
                    "timestamp_ms": 1700000000000,
                    "content": "hello there",
                    "reactions": [
                        {"reaction": "👍", "actor": "Bea", "timestamp": "soon"}
                    ],
                }
            ]
        ),
    )
    messages, report = read_all(path)
    assert messages[0].reactions == [reaction("👍", by="Bea", at=None)]
    assert report.problems == [
        {
            "where": f"{path}:messages[0].reactions[0]",
            "reason": "reaction time is not a timestamp; kept without it",
        }
    ]
    assert not any("reaction time" in n for n in notes(report))
    with pytest.raises(RecordError):
        read_all(path, ParseReport(strict=True))
