"""DiscordChatExporter JSON and CSV readers, on the public samples and our own files.

Every expectation below was established by reading the fixture files by hand.
"""

from __future__ import annotations

import importlib
import re
import shutil
import zipfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

import classifier
from classifier.errors import ExportError, RecordError
from classifier.exports import (
    FORMATS,
    ParseOptions,
    detect_format,
    discord,
    open_export,
)
from classifier.records import reaction, read_table, write_table
from classifier.report import ParseReport

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "exports" / "discord"
SYNTHETIC = FIXTURES / "synthetic" / "discord"
DM = SAMPLES / "chatanalytics_DM_2A_2M.json"
GC = SAMPLES / "chatanalytics_GC_3A_5M.json"
FEATURES = SYNTHETIC / "dce_features.json"
QUOTED_CSV = SYNTHETIC / "dce_quoted_header.csv"
BARE_CSV = SYNTHETIC / "dce_bare_header.csv"

SURROGATE = re.compile("[\ud800-\udfff]")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def read_json(path: Path, report: ParseReport | None = None):
    report = report if report is not None else ParseReport()
    export = open_export(path)
    try:
        return list(discord.read(export, ParseOptions(), report)), report
    finally:
        export.close()


def read_csv(path: Path, report: ParseReport | None = None):
    report = report if report is not None else ParseReport()
    export = open_export(path)
    try:
        return list(discord.read_csv(export, ParseOptions(), report)), report
    finally:
        export.close()


def notes(report: ParseReport) -> list[str]:
    return [n["note"] for n in report.notes]


def all_strings(message) -> list[str]:
    values = [message.sender, message.text, message.conversation_name]
    values += [r["emoji"] for r in message.reactions]
    values += [r["by"] for r in message.reactions if r["by"]]
    return values


# ---------------------------------------------------------------------------
# The public samples


def test_dm_sample_exactly():
    messages, report = read_json(DM)

    assert [m.kind for m in messages] == ["message", "message", "call"]
    assert [m.message_id for m in messages] == [
        "discord-530805775262679064/530805779645595660",
        "discord-530805775262679064/538148765782114306",
        "discord-530805775262679064/100",
    ]
    assert {m.conversation_id for m in messages} == {"discord-530805775262679064"}
    # A DM's guild is "Direct Messages"; the channel name names the chat.
    assert {m.conversation_name for m in messages} == {"Someones name"}
    # nickname wins over name; the bot is kept as an ordinary sender.
    assert [m.sender for m in messages] == [
        "mlomb",
        "Someones nickname",
        "Someones nickname",
    ]
    assert [m.sender_id for m in messages] == [
        "111111111111111111",
        "444444444444444444",
        "444444444444444444",
    ]
    assert [m.text for m in messages] == [
        "blah",
        "something something text",
        "Started a call that lasted 251 minutes.",
    ]
    assert all(m.tz_known for m in messages)
    assert messages[0].timestamp == utc(2019, 1, 4, 17, 52, 39, 762000)
    assert messages[1].timestamp == utc(2019, 1, 25, 0, 11, 4, 83000)
    assert messages[-1].timestamp == utc(2020, 7, 17, 17, 3, 14, 366000)
    assert all(m.reply_to is None and not m.edited for m in messages)
    assert [m.source.rsplit(":", 1)[1] for m in messages] == [
        "messages[0]",
        "messages[1]",
        "messages[2]",
    ]

    # "\uD83D\uDC46" in the file: one emoji, no reactor list (older DCE), count 42.
    assert messages[0].reactions == [reaction("\U0001f446", None, None, 42)]
    assert messages[0].reactions[0]["emoji"] == "👆"
    assert len(messages[0].reactions[0]["emoji"]) == 1
    assert all(not SURROGATE.search(s) for m in messages for s in all_strings(m))
    assert messages[1].reactions == [] and messages[2].reactions == []

    assert report.problems == []
    assert report.decisions == []
    assert notes(report) == ["messages from bot accounts (isBot), kept as messages: 2"]


def test_group_sample_exactly():
    messages, report = read_json(GC)
    conversation = "discord-1064990764406419508"

    assert [m.kind for m in messages] == [
        "system",
        "message",
        "system",
        "message",
        "message",
        "call",
    ]
    assert Counter(m.kind for m in messages) == {"message": 3, "system": 2, "call": 1}
    assert [m.text for m in messages] == [
        "Changed the channel name.",
        "Should honor nickname over name",
        "Changed the channel icon.",
        "hey @mlomb whats up, check out https://chatanalytics.app",
        "woah nice :custom_emoji:",
        "Started a call that lasted 113 minutes.",
    ]
    # "not a plant" is the user name, "theplant" the nickname people see.
    assert [m.sender for m in messages] == [
        "lombi",
        "theplant",
        "lombi",
        "lombi",
        "mlomb",
        "mlomb",
    ]
    assert messages[1].sender_id == "333333333333333333"
    assert {m.conversation_name for m in messages} == {"a group chat"}
    # File order is kept although the fifth id is a smaller snowflake than the rest.
    assert [m.message_id.split("/")[1] for m in messages] == [
        "1064990775659729017",
        "1064990824305274930",
        "1064991038751649806",
        "1064991070322180096",
        "530805779645595660",
        "100",
    ]
    assert all(m.conversation_id == conversation for m in messages)
    assert messages[0].timestamp == utc(2023, 1, 17, 19, 33, 7, 489000)
    assert messages[-1].timestamp == utc(2023, 3, 3, 14, 47, 59, 187000)
    assert [m.timestamp for m in messages] == sorted(m.timestamp for m in messages)

    # The reply reference points at the "theplant" message earlier in the file.
    assert messages[4].reply_to == f"{conversation}/1064990824305274930"
    assert [m.reply_to for i, m in enumerate(messages) if i != 4] == [None] * 5
    assert messages[4].reply_to == messages[1].message_id
    assert report.decisions[0]["what"] == "reply links"
    assert "type Default" in report.decisions[0]["evidence"]

    assert all(m.reactions == [] for m in messages)
    assert report.problems == []
    assert notes(report) == ["messageCount says 5 but the file holds 6 messages"]


def test_samples_through_the_public_api_keep_ids_unique(tmp_path):
    report = ParseReport()
    rows = list(classifier.parse([DM, GC], format="discord", report=report))
    assert len(rows) == 9
    # Both files hold ids "100" and "530805779645595660"; their channels differ.
    assert len({m.message_id for m in rows}) == 9
    assert report.conversations == {
        "discord-530805775262679064": 3,
        "discord-1064990764406419508": 6,
    }
    assert report.kinds == {"message": 5, "call": 2, "system": 2}
    assert report.first == datetime(2019, 1, 4, 17, 52, 39, 762000)
    assert report.last == datetime(2023, 3, 3, 14, 47, 59, 187000)
    # The table round-trips: no lone surrogate reaches the output.
    out = tmp_path / "out.jsonl"
    write_table(rows, out)
    back = list(read_table(out))
    assert back[0].reactions[0]["emoji"] == "👆"


def test_sample_messages_are_what_the_json_says():
    """Cross-check every sample message against the raw JSON, field by field."""
    import json

    for path in (DM, GC):
        raw = json.loads(path.read_text(encoding="utf-8"))
        messages, _ = read_json(path)
        assert len(messages) == len(raw["messages"])
        for message, record in zip(messages, raw["messages"], strict=True):
            assert message.message_id.endswith("/" + record["id"])
            assert message.timestamp == datetime.fromisoformat(record["timestamp"])
            assert message.sender == (
                record["author"]["nickname"] or record["author"]["name"]
            )
            assert message.text == record["content"]


# ---------------------------------------------------------------------------
# Our synthetic JSON


@pytest.fixture(scope="module")
def features():
    return read_json(FEATURES)


def by_id(messages, native: str):
    found = [m for m in messages if m.message_id == f"discord-1000/{native}"]
    assert len(found) == 1, native
    return found[0]


def test_synthetic_json_rows_and_order(features):
    messages, report = features
    assert [m.message_id.split("/")[1] for m in messages] == [
        "2001",
        "2002",
        "2003",
        "2004",
        "2005",
        "2006",
        "2007",
        "2008",
        "2009",
        "2011",
        "2012",
        "2013",
        "2014",
        "2015",
        "2016",
        "1500",
    ]
    assert {m.conversation_name for m in messages} == {"general"}
    assert Counter(m.kind for m in messages) == {"message": 8, "media": 2, "system": 6}
    # +02:00 in the file, UTC here.
    assert messages[0].timestamp == utc(2024, 5, 1, 10, 0)
    assert messages[-1].timestamp == utc(2024, 5, 1, 9, 59, 30)
    assert "timestamps earlier than the one before (file order kept): 1" in notes(
        report
    )


def test_synthetic_json_every_record_is_a_row_or_a_problem(features):
    messages, report = features
    assert report.problems == [
        {
            "where": f"{FEATURES}:messages[10]",
            "reason": 'the message has no "timestamp"',
        },
        {"where": f"{FEATURES}:messages[11]", "reason": 'the message has no "id"'},
    ]
    # 19 records: 16 rows, 2 problems, 1 duplicate.
    assert len(messages) + len(report.problems) + 1 == 19


def test_duplicate_id_is_removed_keeping_the_first(features):
    messages, report = features
    assert [m.message_id for m in messages].count("discord-1000/2002") == 1
    assert by_id(messages, "2002").source.endswith("messages[1]")
    assert "1 duplicate message (same id, same content) merged" in notes(report)


def test_replies_only_where_the_reference_is_a_reply(features):
    messages, report = features
    assert by_id(messages, "2002").reply_to == "discord-1000/2001"
    # A reply to a message outside the file keeps its link, with a note.
    assert by_id(messages, "2009").reply_to == "discord-1000/1999"
    assert "replies to messages not in this file (reply_to kept): 1" in notes(report)
    # Forward, pin, reply into another channel, contentless legacy reference: no link.
    for native in ("2003", "2004", "2005", "2016"):
        assert by_id(messages, native).reply_to is None, native
    assert "replies into another channel (not linked): 1" in notes(report)
    assert report.decisions == []
    assert [m.message_id for m in messages if m.reply_to] == [
        "discord-1000/2002",
        "discord-1000/2009",
    ]


def test_kinds_of_the_synthetic_types(features):
    messages, report = features
    assert by_id(messages, "2003").text == "look at this"  # the forwarded content
    assert by_id(messages, "2003").kind == "message"
    assert by_id(messages, "2006").kind == "media"  # attachment only
    assert by_id(messages, "2007").kind == "media"  # sticker only
    for native in ("2004", "2008", "2011", "2012", "2014", "2015"):
        assert by_id(messages, native).kind == "system", native
    assert by_id(messages, "2012").text == "pong"
    assert by_id(messages, "2012").sender == "PingBot"
    assert "message types read as system rows: 20 (1)" in notes(report)
    assert "messages from bot accounts (isBot), kept as messages: 1" in notes(report)


def test_senders_and_edits(features):
    messages, _ = features
    assert by_id(messages, "2001").sender == "anna"  # nickname "" -> name
    assert by_id(messages, "2003").sender == "carla"  # nickname null -> name
    assert by_id(messages, "2002").sender == "Ben B"
    deleted = by_id(messages, "2008")
    assert (deleted.sender, deleted.sender_id) == ("Deleted User", "456")
    edited = by_id(messages, "2002")
    assert edited.edited is True
    assert edited.edited_at == utc(2024, 5, 1, 10, 3)
    assert [m.message_id for m in messages if m.edited] == ["discord-1000/2002"]


def test_reactions_list_each_user_and_the_rest(features):
    messages, _ = features
    assert by_id(messages, "2001").reactions == [
        reaction("👍", "Ben B", None, 1),
        reaction("👍", "carla", None, 1),
        reaction("👍", None, None, 1),
        reaction("party_blob", None, None, 1),
    ]


def test_lone_surrogate_is_repaired(features):
    messages, report = features
    assert by_id(messages, "2013").text == "broken \ufffd here"
    assert all(not SURROGATE.search(s) for m in messages for s in all_strings(m))
    # load_json replaces lone surrogates as it loads the file.
    assert not any("surrogate" in n for n in notes(report))


def test_strict_stops_at_the_first_unreadable_message():
    with pytest.raises(RecordError) as info:
        read_json(FEATURES, ParseReport(strict=True))
    assert info.value.where == f"{FEATURES}:messages[10]"


def test_a_channel_split_into_parts_reads_in_part_order(tmp_path):
    import json

    raw = json.loads(GC.read_text(encoding="utf-8"))
    head = {k: v for k, v in raw.items() if k != "messages"}
    folder = tmp_path / "export"
    folder.mkdir()
    parts = {
        "chat [part 1].json": raw["messages"][0:2],
        "chat [part 2].json": raw["messages"][1:4],  # repeats one message of part 1
        "chat [part 10].json": raw["messages"][4:6],
    }
    for name, chunk in parts.items():
        (folder / name).write_text(json.dumps({**head, "messages": chunk}), "utf-8")
    (folder / "settings.json").write_text('{"theme": "dark"}', "utf-8")
    (folder / "chat [part 1].json_Files").mkdir()
    (folder / "chat [part 1].json_Files" / "cat.png").write_bytes(b"\x89PNG")

    messages, report = read_json(folder)
    expected, _ = read_json(GC)
    assert [m.message_id for m in messages] == [m.message_id for m in expected]
    assert "1 duplicate message (same id, same content) merged" in notes(report)
    assert "JSON files that are not DiscordChatExporter exports, skipped: 1" in notes(
        report
    )

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    assert discord.sniff(open_export(archive))
    from_zip, _ = read_json(archive)
    assert [m.message_id for m in from_zip] == [m.message_id for m in expected]
    assert from_zip[0].source == f"{archive}!chat [part 1].json:messages[0]"


# ---------------------------------------------------------------------------
# Broken JSON


def test_truncated_json_names_file_line_and_column(tmp_path):
    data = GC.read_bytes()
    broken = tmp_path / "truncated.json"
    broken.write_bytes(data[: len(data) // 2])
    export = open_export(broken)
    assert discord.sniff(export)  # detection still works on the head
    with pytest.raises(ExportError) as info:
        list(classifier.parse([broken], format="discord"))
    assert re.fullmatch(re.escape(str(broken)) + r":\d+:\d+", info.value.where)
    assert "truncated" in info.value.reason


def test_json_without_a_messages_list_is_refused(tmp_path):
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"guild": {}, "channel": {}, "messages": {"0": {}}}', "utf-8")
    assert not discord.sniff(open_export(wrong))
    with pytest.raises(ExportError) as info:
        read_json(wrong)
    assert info.value.where == str(wrong)
    assert '"messages" list' in info.value.reason


def test_records_of_the_wrong_shape_are_problems(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text(
        '{"guild": {"id": "1", "name": "g"}, "channel": {"id": "5", "name": "c"},'
        ' "messages": ["text", {"id": "7", "timestamp": "yesterday", "author": {}},'
        ' {"id": "8", "timestamp": "2024-01-01T00:00:00+00:00"},'
        ' {"id": "9", "timestamp": "2024-01-01T00:00:00+00:00",'
        '  "author": {"id": "3", "name": "x"}, "content": "ok"}]}',
        "utf-8",
    )
    messages, report = read_json(path)
    assert [m.message_id for m in messages] == ["discord-5/9"]
    assert messages[0].kind == "message"  # a missing type reads as Default
    assert report.problems == [
        {"where": f"{path}:messages[0]", "reason": "the message is not a JSON object"},
        {
            "where": f"{path}:messages[1]",
            "reason": '"timestamp" is not an ISO 8601 time',
        },
        {"where": f"{path}:messages[2]", "reason": 'the message has no "author"'},
    ]


# ---------------------------------------------------------------------------
# CSV


def test_quoted_header_csv_exactly():
    messages, report = read_csv(QUOTED_CSV)
    conversation = "discord-dce-quoted-header"

    assert {m.conversation_id for m in messages} == {conversation}
    assert {m.conversation_name for m in messages} == {"dce_quoted_header"}
    assert [m.kind for m in messages] == [
        "message",
        "media",
        "message",
        "message",
        "call",
        "message",
        "message",
        "message",
    ]
    assert [m.sender for m in messages] == [
        "anna#1234",
        "ben#5678",
        "anna#1234",
        "ben#5678",
        "anna#1234",
        "anna#1234",
        "anna#1234",
        "ben#5678",
    ]
    assert messages[0].sender_id == "111111111111111111"
    # A Content spread over two lines is one message; CSV line numbers follow.
    assert messages[0].text == "are you coming tonight?\nI saved you a seat"
    assert [m.source.rsplit(":", 1)[1] for m in messages] == [
        "2",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
    ]
    assert messages[1].text == ""  # attachment only
    assert messages[2].text == 'nice, "quoted" word'
    assert messages[7].kind == "message"  # attachments beside text
    # +01:00 in the file; 7 fractional digits are cut to microseconds.
    assert messages[0].timestamp == utc(2020, 3, 1, 9, 0)
    assert messages[1].timestamp == utc(2020, 3, 1, 9, 5, 30, 123456)
    assert messages[-1].timestamp == utc(2020, 3, 1, 9, 10)
    assert all(m.tz_known and m.reply_to is None for m in messages)

    assert messages[2].reactions == [
        reaction("👍", None, None, 2),
        reaction("custom_emoji", None, None, 1),
    ]
    assert messages[3].reactions == [
        reaction("a,b", None, None, 3),
        reaction("(╯°□°)╯", None, None, 1),
    ]
    assert all(m.reactions == [] for i, m in enumerate(messages) if i not in (2, 3))

    # Two identical rows get different, deterministic ids.
    ids = [m.message_id for m in messages]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(conversation + r"/[0-9a-f]{12}", i) for i in ids)
    again, _ = read_csv(QUOTED_CSV)
    assert [m.message_id for m in again] == ids

    assert report.problems == []
    assert report.decisions[0]["what"] == "system rows"


def test_bare_header_csv_with_damaged_rows():
    messages, report = read_csv(BARE_CSV)

    assert [m.text for m in messages] == [
        "hello",
        "line one\nline two\n\nline four",
        "after the long one",
        "no offset",
        "bad reactions",
    ]
    assert [m.source.rsplit(":", 1)[1] for m in messages] == ["2", "5", "9", "10", "11"]
    assert report.problems == [
        {
            "where": f"{BARE_CSV}:3",
            "reason": "Date is not an ISO 8601 time (DCE 2.42 and later write a "
            "localised date without seconds or time zone; export the channel as "
            "JSON instead)",
        },
        {
            "where": f"{BARE_CSV}:4",
            "reason": "expected 6 fields, found 5 (damaged row?)",
        },
        {
            "where": f"{BARE_CSV}:11",
            "reason": "the Reactions value is not an 'emoji (count)' list; reactions "
            "from the unreadable part on are left out",
        },
    ]
    assert messages[0].timestamp == utc(2023, 9, 23, 10, 15, 48, 379000)
    # No offset: wall time, never a guessed zone.
    assert messages[3].timestamp == datetime(2023, 9, 23, 13, 23)
    assert messages[3].tz_known is False
    assert messages[2].reactions == [reaction("👍", None, None, 1)]
    assert messages[4].reactions == []
    assert "dates without a UTC offset, kept as wall time: 1" in notes(report)
    assert {m.sender for m in messages} == {"carla", "dan"}


def test_truncated_csv_keeps_the_rows_before(tmp_path):
    data = QUOTED_CSV.read_bytes()
    cut = data.index(b"I saved")  # inside the quoted, multi-line Content
    broken = tmp_path / "cut.csv"
    broken.write_bytes(data[:cut])
    messages, report = read_csv(broken)
    assert messages == []
    assert report.problems == [
        {
            "where": f"{broken}:2",
            "reason": "the file ends inside a quoted field: it was truncated; export "
            "the channel again",
        }
    ]

    cut = data.index(b'"111111111111111111","anna#1234","2020-03-01T10:06')
    broken.write_bytes(data[: cut + 30])
    messages, report = read_csv(broken)
    assert len(messages) == 2
    assert report.problems[0]["where"] == f"{broken}:5"


def test_csv_with_another_header_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("timestamp,sender,text\n2024-01-01,a,b\n", "utf-8")
    assert not discord.sniff_csv(open_export(other))
    with pytest.raises(ExportError) as info:
        read_csv(other)
    assert info.value.where == f"{other}:1"


# ---------------------------------------------------------------------------
# Detection


def test_sniff_accepts_both_layouts_and_nothing_else(tmp_path):
    assert discord.sniff(open_export(DM)) and discord.sniff(open_export(GC))
    assert discord.sniff(open_export(FEATURES))
    assert not discord.sniff_csv(open_export(GC))
    assert discord.sniff_csv(open_export(QUOTED_CSV))  # quoted header
    assert discord.sniff_csv(open_export(BARE_CSV))  # bare header after a BOM
    assert not discord.sniff(open_export(QUOTED_CSV))

    others = [
        p
        for p in (FIXTURES / "exports").rglob("*")
        if p.is_file() and p.parent != SAMPLES
    ]
    assert others
    for path in others:
        export = open_export(path)
        assert not discord.sniff(export), path
        assert not discord.sniff_csv(export), path
    slack = FIXTURES / "exports" / "slack" / "hfaran_testarchive"
    assert not discord.sniff(open_export(slack))

    odd = {
        "binary.bin": bytes(range(256)) * 4,
        "brace.json": b"{",
        "latin1.csv": "AuthorID,Author,Date,Contént\n".encode("latin-1"),
        "list.json": b'[{"guild": {}, "channel": {}, "messages": []}]',
        "words.txt": b"AuthorID Author Date Content Attachments Reactions\n",
    }
    for name, data in odd.items():
        path = tmp_path / name
        path.write_bytes(data)
        export = open_export(path)
        assert not discord.sniff(export), name
        assert not discord.sniff_csv(export), name


def test_detection_picks_the_discord_readers():
    # Detection asks each reader in order; only those before ours must exist.
    missing = []
    for name, reader in FORMATS.items():
        try:
            importlib.import_module(f"classifier.exports.{reader.module}")
        except ModuleNotFoundError:
            missing.append(reader.module)
        if name == "discord-csv":
            break
    if missing:
        pytest.skip(f"other readers not written yet: {', '.join(missing)}")
    assert detect_format(open_export(DM)) == "discord"
    assert detect_format(open_export(GC)) == "discord"
    assert detect_format(open_export(QUOTED_CSV)) == "discord-csv"
    assert detect_format(open_export(BARE_CSV)) == "discord-csv"


def test_csv_in_a_folder_is_read_with_the_public_api(tmp_path):
    folder = tmp_path / "csvs"
    folder.mkdir()
    shutil.copy(QUOTED_CSV, folder / "dce_quoted_header.csv")
    shutil.copy(BARE_CSV, folder / "dce_bare_header.csv")
    (folder / "notes.csv").write_text("a,b\n1,2\n", "utf-8")
    report = ParseReport()
    rows = list(classifier.parse([folder], format="discord-csv", report=report))
    assert report.conversations == {
        "discord-dce-bare-header": 5,
        "discord-dce-quoted-header": 8,
    }
    assert len(rows) == 13
    assert "CSV files that are not DiscordChatExporter exports, skipped: 1" in notes(
        report
    )


# ---------------------------------------------------------------------------
# Review fixes


def _dce_json(path: Path, messages: list[dict]) -> Path:
    import json

    data = {
        "guild": {"id": "1", "name": "g"},
        "channel": {"id": "5", "name": "c"},
        "messages": messages,
    }
    path.write_text(json.dumps(data), "utf-8")
    return path


def _record(native: str, content: str, **extra) -> dict:
    return {
        "id": native,
        "type": "Default",
        "timestamp": "2024-01-01T00:00:00+00:00",
        "author": {"id": "3", "name": "x"},
        "content": content,
        **extra,
    }


def test_repeated_id_with_other_content_is_a_problem_naming_both_places(tmp_path):
    path = _dce_json(
        tmp_path / "c.json",
        [
            _record("1", "first words"),
            _record("2", "two"),
            _record("1", "other words"),
            _record("2", "two"),
        ],
    )
    messages, report = read_json(path)
    assert [(m.message_id, m.text) for m in messages] == [
        ("discord-5/1", "first words"),
        ("discord-5/2", "two"),
    ]
    assert report.problems == [
        {
            "where": f"{path}:messages[2]",
            "reason": "message id 1 appears again with different content (first at "
            f"{path}:messages[0]); the first is kept",
        }
    ]
    assert "1 duplicate message (same id, same content) merged" in notes(report)
    with pytest.raises(RecordError):
        read_json(path, ParseReport(strict=True))


def test_repeated_id_across_parts_with_other_content_is_a_problem(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _dce_json(folder / "c [part 1].json", [_record("1", "before the edit")])
    _dce_json(folder / "c [part 2].json", [_record("1", "after the edit")])
    messages, report = read_json(folder)
    assert [m.text for m in messages] == ["before the edit"]
    assert [p["where"] for p in report.problems] == [
        f"{folder / 'c [part 2].json'}:messages[0]"
    ]
    assert f"{folder / 'c [part 1].json'}:messages[0]" in report.problems[0]["reason"]


REACTION_LOST = "a reaction without an emoji was left out"


def test_lost_reactions_and_edit_times_are_problems(tmp_path):
    path = _dce_json(
        tmp_path / "c.json",
        [
            _record(
                "1",
                "hi",
                reactions=[{"emoji": {"name": ""}, "count": 1}, "odd"],
                timestampEdited="later that day",
            ),
        ],
    )
    messages, report = read_json(path)
    assert messages[0].reactions == [] and messages[0].edited is True
    assert messages[0].edited_at is None
    assert report.problems == [
        {
            "where": f"{path}:messages[0]",
            "reason": "timestampEdited is not an ISO 8601 time; edited_at left empty",
        },
        {"where": f"{path}:messages[0]", "reason": REACTION_LOST},
        {"where": f"{path}:messages[0]", "reason": REACTION_LOST},
    ]
    assert not any("reaction" in n or "timestampEdited" in n for n in notes(report))


def test_damaged_csv_member_in_a_zip_is_an_export_error(tmp_path):
    body = QUOTED_CSV.read_bytes()
    header, _, rows = body.partition(b"\r\n")
    data = header + b"\r\n" + rows * 40  # well past what sniffing reads
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("chat.csv", data)
    raw = bytearray(archive.read_bytes())
    spot = raw.rindex(b"anna")  # inside the member's last rows
    raw[spot] ^= 0x20
    archive.write_bytes(bytes(raw))
    export = open_export(archive)
    assert discord.sniff_csv(export)
    with pytest.raises(ExportError) as info:
        read_csv(archive)
    assert info.value.where == f"{archive}!chat.csv"
    assert "damaged" in info.value.reason


def test_damaged_csv_member_head_is_an_export_error_not_a_skip(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("chat.csv", BARE_CSV.read_bytes())
    raw = bytearray(archive.read_bytes())
    raw[raw.index(b"hello")] ^= 0x20
    archive.write_bytes(bytes(raw))
    with pytest.raises(ExportError) as info:
        read_csv(archive)
    assert info.value.where == f"{archive}!chat.csv"


def test_csv_reactions_left_out_are_a_problem():
    messages, report = read_csv(BARE_CSV)
    assert messages[-1].reactions == []
    assert {
        "where": f"{BARE_CSV}:11",
        "reason": "the Reactions value is not an 'emoji (count)' list; reactions "
        "from the unreadable part on are left out",
    } in report.problems
