"""Tests for the signal-export reader (chat.md Markdown and data.json JSON Lines)."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

import classifier
from classifier.errors import ExportError, RecordError, UnknownFormatError
from classifier.exports import open_export, signal
from classifier.exports._common import ParseOptions
from classifier.records import Message, write_table
from classifier.report import ParseReport

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "exports" / "signal" / "chatminer_test_export.txt"
CHAT = FIXTURES / "synthetic" / "signal" / "AnnaBerg"


def read(path: Path, strict: bool = False) -> tuple[list[Message], ParseReport]:
    report = ParseReport(strict=strict)
    export = open_export(path)
    try:
        return list(signal.read(export, ParseOptions(strict=strict), report)), report
    finally:
        export.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def short(message_id: str | None) -> str | None:
    return message_id.rsplit("/", 1)[1] if message_id else None


# --- the public sample (old layout) ------------------------------------------


def test_sample_old_layout_exactly():
    messages, report = read(SAMPLE)
    assert [(m.timestamp, m.sender, m.text, m.kind) for m in messages] == [
        (datetime(2019, 12, 24, 12, 23), "Jane Doe", "Hello John!", "message"),
        (datetime(2020, 1, 17, 21, 49), "John Doe", "Hello\nJane!", "message"),
    ]
    assert all(m.tz_known is False and m.timestamp.tzinfo is None for m in messages)
    assert {m.conversation_id for m in messages} == {"signal-chatminer-test-export"}
    assert {m.conversation_name for m in messages} == {"chatminer_test_export"}
    assert [m.source.rsplit(":", 1)[1] for m in messages] == ["1", "2"]
    assert all(
        m.message_id.startswith("signal-chatminer-test-export/") for m in messages
    )
    assert len({m.message_id for m in messages}) == 2
    assert all(m.reply_to is None and m.reactions == [] for m in messages)
    # No "Me" in the file, so no exporter decision; and no problems at all.
    assert report.problems == [] and report.decisions == [] and report.notes == []


def test_sample_through_public_parse_and_ids_are_stable():
    report = ParseReport()
    first = list(classifier.parse([SAMPLE], format="signal", report=report))
    again = list(classifier.parse([SAMPLE], format="signal"))
    assert [m.message_id for m in first] == [m.message_id for m in again]
    assert report.inputs[0]["format"] == "signal"
    assert report.inputs[0]["messages"] == 2
    assert report.first == datetime(2019, 12, 24, 12, 23)
    assert report.last == datetime(2020, 1, 17, 21, 49)


def test_sniff_claims_signal_exports():
    for path in (SAMPLE, CHAT / "chat.md", CHAT / "data.json", CHAT, CHAT.parent):
        assert signal.sniff(open_export(path)), path


# --- current layout (synthetic chat.md) --------------------------------------

EXPECTED = [
    (
        datetime(2023, 5, 1, 18, 4, 9),
        "Me",
        "message",
        "are we still on for dinner tonight?",
    ),
    (
        datetime(2023, 5, 1, 18, 5, 12),
        "Anna Berg",
        "message",
        "yes! where do you want to go?",
    ),
    (
        datetime(2023, 5, 1, 18, 6, 30),
        "Anna Berg",
        "message",
        "also, can we make it half past?\nit's been a long day",
    ),
    (datetime(2023, 5, 1, 18, 7, 2), "Me", "message", "sure"),
    (datetime(2023, 5, 1, 18, 7, 40), "Anna Berg", "media", "🎉"),
    (
        datetime(2023, 5, 1, 18, 9, 15),
        "Me",
        "media",
        "2023-05-01T18-09-15.123_00_IMG_0412.jpg",
    ),
    (datetime(2023, 5, 1, 18, 10, 1), "Me", "deleted", "This message was deleted"),
    (datetime(2023, 5, 1, 18, 12, 44), "Anna Berg", "call", "Missed voice call"),
    (datetime(2023, 5, 1, 18, 13, 30), "Me", "message", "did you get my photo?"),
    (datetime(2023, 5, 1, 18, 14, 5), "Anna Berg", "message", "here's the menu"),
]


def check_anna_berg(
    messages: list[Message], report: ParseReport, unmatched_at: str
) -> None:
    got = [
        (m.timestamp.replace(microsecond=0), m.sender, m.kind, m.text) for m in messages
    ]
    assert got == EXPECTED
    assert {m.conversation_id for m in messages} == {"signal-annaberg"}
    assert {m.conversation_name for m in messages} == {"AnnaBerg"}
    assert all(m.tz_known is False for m in messages)
    assert len({m.message_id for m in messages}) == len(messages)
    # The quote-reply points at the message it quotes; its own text has no quote.
    assert messages[2].reply_to == messages[0].message_id
    # A quote that matches nothing keeps reply_to empty and is counted in a note.
    assert messages[8].reply_to is None
    assert [m.reply_to for i, m in enumerate(messages) if i != 2] == [None] * 9
    unmatched = [n for n in report.notes if "quoted replies" in n["note"]]
    assert len(unmatched) == 1 and unmatched[0]["note"].startswith("1 quoted replies")
    assert unmatched[0]["note"].endswith(f"{unmatched_at}); their reply_to is empty")
    # Reactions hang on the message above them.
    assert [(r["emoji"], r["by"]) for r in messages[0].reactions] == [
        ("👍", "Anna Berg")
    ]
    assert [(r["emoji"], r["by"]) for r in messages[3].reactions] == [
        ("❤️", "Anna Berg"),
        ("😂", "Me"),
    ]
    assert sum(len(m.reactions) for m in messages) == 3
    assert (
        report.decisions[0]["what"] == "exporter"
        and report.decisions[0]["value"] == "Me"
    )
    assert len(report.decisions) == 1
    assert report.problems == []
    # No chat text in the report.
    dumped = json.dumps(report.to_dict(), ensure_ascii=False)
    assert "dinner" not in dumped and "menu" not in dumped


def test_markdown_current_layout():
    messages, report = read(CHAT / "chat.md")
    check_anna_berg(messages, report, "chat.md:25")
    assert [m.source.rsplit(":", 1)[1] for m in messages] == [
        "1",
        "4",
        "6",
        "13",
        "16",
        "19",
        "21",
        "23",
        "25",
        "31",
    ]


def test_data_json():
    messages, report = read(CHAT / "data.json")
    check_anna_berg(messages, report, "data.json:9")
    # data.json keeps the milliseconds that Markdown drops.
    assert messages[0].timestamp == datetime(2023, 5, 1, 18, 4, 9, 512000)
    assert [m.source.rsplit(":", 1)[1] for m in messages] == [
        str(i) for i in range(1, 11)
    ]


def test_folder_prefers_data_json():
    messages, _ = read(CHAT)
    assert len(messages) == 10
    assert all("data.json:" in m.source for m in messages)


def test_export_root_zip_holds_one_conversation_per_chat_folder(tmp_path):
    archive = tmp_path / "signal-export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(CHAT / "chat.md", "AnnaBerg/chat.md")
        z.writestr("AnnaBerg/media/x.jpg", b"\xff\xd8")
        z.writestr("Bo/chat.md", "[2023-06-01 09:00:00] Bo: morning  \n\n")
        z.writestr("Bo/index.html", "<html></html>")
    assert signal.sniff(open_export(archive))
    messages, _ = read(archive)
    assert Counter(m.conversation_id for m in messages) == {
        "signal-annaberg": 10,
        "signal-bo": 1,
    }
    assert messages[-1].source.endswith("signal-export.zip!Bo/chat.md:1")


# --- quote matching ----------------------------------------------------------


def test_quote_matches_most_recent_equal_or_prefix(tmp_path):
    text = (
        "[2023-01-01 10:00:00] Me: ok  \n\n"
        "[2023-01-01 10:01:00] Bo: a long message about `the plan` for saturday  \n\n"
        "[2023-01-01 10:02:00] Me: ok  \n\n"
        "[2023-01-01 10:03:00] Bo: \n\n> ok\n\nwhich ok?  \n\n"
        "[2023-01-01 10:04:00] Me: \n\n> a long message about `the plan`\n\n"
        "yes that  \n\n"
        "[2023-01-01 10:05:00] Me: \n\n> line one\n> line two\n\nnot here  \n\n"
    )
    messages, report = read(write(tmp_path, "chat.md", text))
    assert messages[3].reply_to == messages[2].message_id  # most recent "ok"
    assert messages[4].reply_to == messages[1].message_id  # quote is a prefix
    assert messages[5].reply_to is None
    assert [m.text for m in messages[3:]] == ["which ok?", "yes that", "not here"]
    assert messages[0].message_id != messages[2].message_id
    assert any(n["note"].startswith("1 quoted replies") for n in report.notes)


# --- WhatsApp look-alikes -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[20.06.19, 15:58:47] John: Hey\n",
        "[2021-01-30 20:49:12] Anna: Hej\n"
        "[2021-01-30 20:50:01] Bo: \u200ebild utelämnad\n",
        "\u200e[2021-01-30 20:49:12] Anna: \u200eimage omitted\n",
        "[2021-01-30 20:49:12] Grupp: Messages and calls are end-to-end encrypted. "
        "No one outside of this chat can read them.\n",
        "[2021-01-30 20:49:12] Anna: Hej\n[30.01.21, 20:50:01] Bo: Hej\n",
        "[2021-01-30 20:49:12] ~ Anna: Hej\n",
        "[2021-01-30 20:49:12] Anna: <attached: 00000001-PHOTO-2021-01-30.jpg>\n",
        "30/01/2021, 20:49 - Anna: Hej\n",
        '{"a": 1}\n',
        "",
        "\n\n",
    ],
)
def test_sniff_rejects_whatsapp_and_others(tmp_path, text):
    path = write(tmp_path, "chat.txt", text or "x")
    if not text:
        path.write_bytes(b"\x00\x01binary")
    assert not signal.sniff(open_export(path))


def test_iso_whatsapp_without_tells_is_read_as_signal_and_the_choice_reported(tmp_path):
    path = write(
        tmp_path,
        "_chat.txt",
        "[2021-01-30 20:49:12] Anna: Hej\n[2021-01-30 20:50:01] Bo: Hej hej\n",
    )
    assert signal.sniff(open_export(path))
    messages, report = read(path)
    assert [m.sender for m in messages] == ["Anna", "Bo"]
    decision = [d for d in report.decisions if d["what"] == "format"]
    assert len(decision) == 1 and "--format whatsapp" in decision[0]["evidence"]
    # A real signal-export file never gets that decision.
    _, real = read(CHAT / "chat.md")
    assert not [d for d in real.decisions if d["what"] == "format"]


# --- bad input ----------------------------------------------------------------


def test_truncated_data_json_reports_the_cut_line(tmp_path):
    lines = (CHAT / "data.json").read_text(encoding="utf-8").splitlines()
    cut = "\n".join(lines[:4]) + "\n" + lines[4][:30]
    path = write(tmp_path, "AnnaBerg/data.json", cut)
    messages, report = read(path)
    assert len(messages) == 4
    assert report.problems == [
        {
            "where": f"{path}:5",
            "reason": "not a JSON object: the line is damaged or cut short",
        }
    ]
    with pytest.raises(RecordError) as excinfo:
        read(path, strict=True)
    assert excinfo.value.where == f"{path}:5"


def test_data_json_that_is_not_json_lines(tmp_path):
    path = write(tmp_path, "chat/data.json", json.dumps([{"date": "x"}], indent=2))
    with pytest.raises(ExportError) as excinfo:
        read(path)
    assert excinfo.value.where == f"{path}:1"
    assert "JSON Lines" in str(excinfo.value)


def test_data_json_record_problems(tmp_path):
    rows = [
        {"date": "2023-01-01T10:00:00", "sender": "Me", "body": "hi  "},
        {"sender": "Me", "body": "no date"},
        {"date": "yesterday", "sender": "Me", "body": "bad date"},
        {"date": "2023-01-01T10:01:00", "body": "no sender"},
        [1, 2],
        {"date": "2023-01-01T10:02:00+02:00", "sender": "Bo", "body": "aware"},
    ]
    path = write(tmp_path, "c/data.json", "\n".join(json.dumps(r) for r in rows) + "\n")
    messages, report = read(path)
    assert [m.text for m in messages] == ["hi", "aware"]
    assert messages[1].tz_known is True
    assert messages[1].timestamp == datetime.fromisoformat("2023-01-01T08:02:00+00:00")
    assert [p["reason"] for p in report.problems] == [
        "missing field 'date'",
        "field 'date' is not an ISO 8601 date",
        "missing field 'sender'",
        "expected a message object, found a JSON list",
    ]
    assert [p["where"].rsplit(":", 1)[1] for p in report.problems] == [
        "2",
        "3",
        "4",
        "5",
    ]


def test_markdown_problems_are_reported_not_dropped(tmp_path):
    text = (
        "stray preamble\n"
        "[2023-01-01 10:00:00] Me: fine  \n\n"
        "[2023-02-30 10:00:00] Me: impossible date  \n"
        "its continuation\n\n"
        "[2023-01-01 10:05:00] Bo: also fine  \n"
    )
    path = write(tmp_path, "chat.md", text)
    messages, report = read(path)
    assert [m.text for m in messages] == ["fine", "also fine"]
    assert sorted((p["where"], p["reason"]) for p in report.problems) == [
        (f"{path}:1", "text before the first message header belongs to no message"),
        (f"{path}:4", "the message header holds an impossible date or time"),
    ]
    with pytest.raises(RecordError):
        read(path, strict=True)


def test_markdown_without_any_header(tmp_path):
    path = write(tmp_path, "notes.md", "just some notes\nnothing else\n")
    with pytest.raises(ExportError) as excinfo:
        read(path)
    assert excinfo.value.where == str(path)
    with pytest.raises(UnknownFormatError):
        list(classifier.parse([path], format="signal"))


def test_folder_without_chat_files(tmp_path):
    write(tmp_path, "export/readme.txt", "nothing")
    with pytest.raises(ExportError):
        read(tmp_path / "export")


def test_quotes_of_old_messages_match_exactly_or_by_a_long_start(tmp_path):
    filler = "".join(
        f"[2023-01-01 11:{i // 60:02d}:{i % 60:02d}] Bo: filler {i}  \n\n"
        for i in range(400)
    )
    text = (
        "[2023-01-01 10:00:00] Me: see you at the station at eight  \n\n"
        "[2023-01-01 10:00:05] Me: ok  \n\n"
        + filler
        + "[2023-01-01 12:00:00] Bo: \n\n> ok\n\nexact  \n\n"
        "[2023-01-01 12:00:01] Bo: \n\n> see you at the station\n\nlong start  \n\n"
        "[2023-01-01 12:00:02] Bo: \n\n> see\n\nshort start  \n\n"
    )
    messages, _ = read(write(tmp_path, "chat.md", text))
    assert [m.reply_to for m in messages[-3:]] == [
        messages[1].message_id,
        messages[0].message_id,
        None,
    ]


# --- review fixes -------------------------------------------------------------


def test_quote_prefers_an_earlier_exact_match_over_a_later_prefix(tmp_path):
    # "ok" is a prefix of "okay then...", but the exact "ok" is what was quoted.
    text = (
        "[2023-01-01 10:00:00] Anna: ok  \n\n"
        "[2023-01-01 10:01:00] Me: okay then, see you at 8  \n\n"
        "[2023-01-01 10:02:00] Me: \n\n> ok\n\nreplying  \n\n"
    )
    messages, _ = read(write(tmp_path, "chat.md", text))
    assert messages[2].reply_to == messages[0].message_id


def test_quote_prefix_must_end_at_a_word_boundary(tmp_path):
    text = (
        "[2023-01-01 10:00:00] Anna: okay then, see you at 8  \n\n"
        "[2023-01-01 10:01:00] Me: \n\n> ok\n\ncut inside a word  \n\n"
        "[2023-01-01 10:02:00] Me: \n\n> okay then\n\nat a word end  \n\n"
        "[2023-01-01 10:03:00] Me: \n\n> okay then,\n\nafter punctuation  \n\n"
    )
    messages, report = read(write(tmp_path, "chat.md", text))
    assert [m.reply_to for m in messages[1:]] == [
        None,
        messages[0].message_id,
        messages[0].message_id,
    ]
    assert any(n["note"].startswith("1 quoted replies") for n in report.notes)


def test_quote_exact_match_found_beyond_the_recent_window(tmp_path):
    # An exact match far back beats a recent prefix match.
    filler = "".join(
        f"[2023-01-01 11:{i // 60:02d}:{i % 60:02d}] Bo: filler {i}  \n\n"
        for i in range(400)
    )
    text = (
        "[2023-01-01 10:00:00] Anna: see you  \n\n"
        + filler
        + "[2023-01-01 12:00:00] Bo: see you later  \n\n"
        "[2023-01-01 12:00:01] Me: \n\n> see you\n\nexact  \n\n"
    )
    messages, _ = read(write(tmp_path, "chat.md", text))
    assert messages[-1].reply_to == messages[0].message_id


def test_data_json_lone_surrogates_are_replaced(tmp_path):
    # A half emoji as a JSON escape; UTF-8 writers cannot encode it.
    lines = [
        '{"date": "2023-01-01T10:00:00", "sender": "Anna", "body": "hi \\ud83d"}',
        '{"date": "2023-01-01T10:01:00", "sender": "Me\\udc46", "body": "fine",'
        ' "quote": "> hi \\ud83d", "reactions": [["Anna", "\\ud83d"]]}',
        '{"date": "2023-01-01T10:02:00", "sender": "Bo", "body": "\\ud83d\\udc46"}',
    ]
    path = write(tmp_path, "data.json", "\n".join(lines) + "\n")
    messages, report = read(path)
    assert [m.text for m in messages] == ["hi \ufffd", "fine", "👆"]
    assert messages[1].sender == "Me\ufffd"
    assert messages[1].reply_to == messages[0].message_id
    assert messages[1].reactions[0]["emoji"] == "\ufffd"
    out = tmp_path / "out.jsonl"
    assert write_table(classifier.parse([path]), out) == 3
    assert "\ufffd" in out.read_text(encoding="utf-8")


def test_reaction_without_emoji_is_a_problem(tmp_path):
    line = (
        '{"date": "2023-01-01T10:00:00", "sender": "Anna", "body": "hi",'
        ' "reactions": [["Bo", ""], ["Me", "👍"]]}\n'
    )
    messages, report = read(write(tmp_path, "data.json", line))
    assert [r["emoji"] for r in messages[0].reactions] == ["👍"]
    assert [p["reason"] for p in report.problems] == [
        "a reaction without an emoji was left out"
    ]
    assert not any("reaction" in n["note"] for n in report.notes)
    with pytest.raises(RecordError):
        read(tmp_path / "data.json", strict=True)
