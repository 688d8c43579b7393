"""The WhatsApp reader against every public sample and the team's synthetic files."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from classifier import parse
from classifier.errors import DateOrderError, ExportError, RecordError
from classifier.exports import ParseOptions, detect_format, open_export, whatsapp
from classifier.report import ParseReport

SAMPLES = Path(__file__).parent / "fixtures" / "exports" / "whatsapp"
SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic" / "whatsapp"
NNBSP, NBSP, LRM = "\u202f", "\u00a0", "\u200e"


def read_all(path, date_order=None, strict=False):
    """All messages of one export and the report."""
    report = ParseReport(strict=strict)
    export = open_export(path)
    try:
        messages = list(
            whatsapp.read(export, ParseOptions(date_order=date_order), report)
        )
    finally:
        export.close()
    return messages, report


def kinds(messages):
    return dict(Counter(m.kind for m in messages))


def rows(messages):
    return [(m.timestamp, m.sender, m.text, m.kind) for m in messages]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Public samples


def test_every_sample_is_sniffed_as_whatsapp():
    for path in sorted(SAMPLES.iterdir()):
        export = open_export(path)
        assert whatsapp.sniff(export), path.name
        export.close()


# The three chat-miner files are one chat written in three locales.
CHATMINER_ROWS = [
    (
        datetime(2019, 1, 1, 11, 25),
        "John Doe",
        "Lorem ipsum dolor sit amet.",
        "message",
    ),
    (datetime(2019, 1, 20, 11, 23), "John Doe", ".", "message"),
    (
        datetime(2019, 1, 30, 20, 49),
        "Jahn Doe",
        "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.",
        "message",
    ),
    (
        datetime(2020, 6, 10, 15, 55),
        "John-John Doe",
        "Lorem ipsum : dolor sit amet.",
        "message",
    ),
    (
        datetime(2020, 6, 20, 0, 8),
        "",
        '+12 345 578 created group "Groupname"',
        "system",
    ),
    (datetime(2020, 6, 30, 9, 10), "", "You were added", "system"),
    (
        datetime(2021, 12, 10, 10, 10),
        "John Doe \U0001f913",
        "Lorem ipsum \U0001f913",
        "message",
    ),
    (datetime(2021, 12, 20, 12, 10), "\U0001f913", "Lorem ipsum \U0001f913", "message"),
    (
        datetime(2021, 12, 30, 22, 1),
        "John Doe",
        "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.",
        "message",
    ),
]


@pytest.mark.parametrize(
    ("name", "order", "evidence_line"),
    [
        ("chatminer_test_ddmmyy_24hrs.txt", "dmy", 2),
        ("chatminer_test_mmddyyyy_12hrs.txt", "mdy", 2),
        ("chatminer_test_bracket_mmddyy_24hrs.txt", "mdy", 2),
    ],
)
def test_chatminer_samples_read_the_same_chat(name, order, evidence_line):
    messages, report = read_all(SAMPLES / name)
    assert rows(messages) == CHATMINER_ROWS
    assert kinds(messages) == {"message": 7, "system": 2}
    # "John Doe:." has no space after the colon: sender "John Doe", text ".".
    assert messages[1].sender == "John Doe" and messages[1].text == "."
    # Line 4 continues line 3; the next message starts at line 5.
    assert [m.source.rsplit(":", 1)[1] for m in messages] == [
        "1",
        "2",
        "3",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
    ]
    assert all(not m.tz_known and m.timestamp.tzinfo is None for m in messages)
    [decision] = report.decisions
    assert decision["what"] == "date order" and decision["value"] == order
    assert f"line {evidence_line}" in decision["evidence"]
    assert "Lorem" not in decision["evidence"]
    assert report.problems == []


def test_chatminer_ids_do_not_depend_on_the_locale():
    ids = []
    for name in (
        "chatminer_test_ddmmyy_24hrs.txt",
        "chatminer_test_mmddyyyy_12hrs.txt",
    ):
        messages, _ = read_all(SAMPLES / name)
        ids.append([m.message_id.split("/", 1)[1] for m in messages])
    assert ids[0] == ids[1]
    assert len(set(ids[0])) == 9


def test_twelve_hour_sample_midnight_and_noon():
    messages, report = read_all(SAMPLES / "chatminer_test_mmddyyyy_12hrs.txt")
    # "00:08 a. m." is impossible on a 12-hour clock: read as just after midnight.
    assert messages[4].timestamp == datetime(2020, 6, 20, 0, 8)
    # "12:10 p. m." is ten past noon, "08:49 p. m." is evening.
    assert messages[7].timestamp == datetime(2021, 12, 20, 12, 10)
    assert messages[2].timestamp == datetime(2019, 1, 30, 20, 49)
    assert report.problems == []
    [note] = report.notes
    assert "00 with a.m." in note["note"] and "line 6" in note["note"]


def test_chatanalytics_sample_keeps_the_line_that_runs_backwards():
    messages, report = read_all(SAMPLES / "chatanalytics_2A_5M.txt")
    assert [(m.timestamp, m.sender, m.kind) for m in messages] == [
        (datetime(2021, 1, 1, 12, 0), "A", "message"),
        (datetime(2021, 1, 1, 12, 1), "B", "message"),
        (datetime(2021, 1, 1, 12, 2), "A", "message"),
        (datetime(2021, 1, 1, 12, 3), "B", "media"),
        (datetime(2021, 1, 1, 12, 2), "A", "message"),
    ]
    assert messages[3].text == "<media omitted>"
    assert messages[4].text == "This message should be reordered"
    assert messages[4].source.endswith("chatanalytics_2A_5M.txt:5")
    # Every date is 1/1/21: the order cannot matter, so the reader does not ask.
    [decision] = report.decisions
    assert decision["value"] == "either"
    [note] = report.notes
    assert (
        note["note"].startswith("1 message(s) are older") and "line 5" in note["note"]
    )
    assert "reordered" not in note["note"]


MIXED = [
    # (line, timestamp, sender, text)
    (1, datetime(2019, 12, 24, 11, 23), "John Doe", "Lorem ipsum dolor sit amet."),
    (2, datetime(2019, 12, 24, 11, 23), "John Doe", "Lorem ipsum : dolor sit amet."),
    (
        3,
        datetime(2020, 1, 17, 20, 49),
        "Jahn Doe",
        "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.",
    ),
    (
        5,
        datetime(2020, 1, 18, 14, 53),
        "Jahn Doe",
        "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit.\n"
        "Pellentesque non tincidunt erat.\n"
        "Nullam suscipit diam dolor, non pretium leo semper eu.\n"
        "Aliquam pellentesque facilisis nunc eu rhoncus.\nCras scelerisque neque.",
    ),
    (
        11,
        datetime(2017, 7, 6, 19, 25),
        "",
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not "
        "even WhatsApp, can read or listen to them. Tap to learn more.",
    ),
    (12, datetime(2014, 12, 24, 17, 8), "", '+12 345 578 created group "Groupname"'),
    (13, datetime(2014, 12, 24, 17, 8), "", "You were added"),
    (14, datetime(2017, 7, 16, 19, 13), "+12 345 578", "Lorem ipsum."),
    (15, datetime(2019, 9, 24, 23, 30), "John Doe", "Hello world"),
    (16, datetime(2019, 9, 24, 11, 30), "John Doe", "Testing am"),
    (17, datetime(2019, 12, 24, 23, 30), "John Doe", "Testing spacing in pm"),
    (18, datetime(2022, 9, 10, 22, 37), "John Doe", "Testing date and time formats"),
    (19, datetime(2022, 9, 10, 22, 37), "John Doe", "Testing brackets"),
    (20, datetime(2022, 9, 10, 22, 37), "John Doe", "Testing date dashes"),
    (
        21,
        datetime(2021, 10, 24, 15, 21, 43),
        "John-John Doe",
        "Testing dash in author's first name",
    ),
    (
        22,
        datetime(2021, 10, 24, 15, 21, 43),
        "John-John Doe",
        "Testing dash in author's first name",
    ),
    (
        23,
        datetime(2021, 10, 24, 15, 21, 43),
        "John-John Doe",
        "Testing dash - in message body",
    ),
    (24, datetime(2022, 9, 10, 22, 37), "John Doe", f"Testing abnormal{NBSP}unicode"),
    (
        25,
        datetime(2022, 9, 10, 22, 37),
        "John Doe \U0001f913",
        "Testing emoji \U0001f913",
    ),
    (26, datetime(2022, 9, 10, 22, 37), "\U0001f913", "Testing emoji \U0001f913"),
    (
        27,
        datetime(2022, 12, 24, 13, 1),
        "John Doe",
        f"Testing abnormal{NBSP}unicode with yyyy first",
    ),
    (
        28,
        datetime(2022, 12, 24, 13, 1),
        "John Doe \U0001f913",
        "Testing emoji \U0001f913 with yyyy first",
    ),
    (
        29,
        datetime(2022, 12, 24, 13, 1),
        "\U0001f913",
        "Testing emoji \U0001f913 with yyyy first",
    ),
]


def test_mixed_formats_sample_whole_file():
    """A stress test of the header parser (a new style on nearly every line).

    A real export writes every header in one layout, so a line in a layout the file
    does not use is pasted text and continues the message above it. A layout is used
    when it is the most common, or comes at least twice and in 5% of the headers.
    Here that holds for M/D/YY, HH:MM - (lines 1-14), M/D/YYYY H:MM a.m. -
    (15-17), [MM.DD.YY, HH:MM:SS] (21, 23), MM/DD/YY, HH:MM p. m. - (24-26) and
    YYYY/MM/DD, HH:MM. - (27-29); the styles of lines 18, 19, 20 and 22 come once
    each, so those lines are read as text. Each still parses as a header in a file
    of its own (test_mixed_formats_sample_line_by_line).
    """
    path = SAMPLES / "chatminer_testlog_mixed_formats.txt"
    raw = path.read_text("utf-8").split("\n")
    absorbed = {17: raw[17:20], 21: raw[21:22]}  # lines 18-20 and 22
    expected = [
        (line, timestamp, sender, "\n".join([text, *absorbed.get(line, [])]))
        for line, timestamp, sender, text in MIXED
        if line not in (18, 19, 20, 22)
    ]
    messages, report = read_all(path)
    assert [
        (int(m.source.rsplit(":", 1)[1]), m.timestamp, m.sender, m.text)
        for m in messages
    ] == expected
    assert kinds(messages) == {"message": 16, "system": 3}
    [decision] = report.decisions
    assert decision["value"] == "mdy"
    # Decided from "12/24/19" in line 1; the year-first lines are read year-first.
    assert decision["evidence"].startswith(
        "a day above 12 (24) comes second in line 1 and in 7 more date(s); no date has "
        "a first field above 12"
    )
    assert "4-digit year (line 27)" in decision["evidence"]
    assert report.problems == []
    notes = [n["note"] for n in report.notes]
    assert notes[0].startswith("the headers come in 5 layouts: NN/NN/YY, HH:MM - ")
    assert notes[1] == (
        "4 line(s) look like message headers in a layout this file does not use "
        "(NN/NN/YY HH:MM:SS a.m./p.m. -; [NN/NN/YY HH:MM:SS a.m./p.m.]; NN-NN-YYYY "
        "HH:MM:SS a.m./p.m. -; 1 more; first at line 18); read as message text, not "
        "as new messages"
    )
    assert "Lorem" not in " ".join(notes) and "Testing" not in " ".join(notes)
    # Lines 23 and 21 (with 22 in it) are the same time and sender: ids differ.
    assert len({m.message_id for m in messages}) == len(messages)


def _mixed_header_lines():
    lines = (
        (SAMPLES / "chatminer_testlog_mixed_formats.txt").read_text("utf-8").split("\n")
    )
    by_line = {entry[0]: entry for entry in MIXED}
    return [(lines[n - 1], by_line[n]) for n in sorted(by_line)]


@pytest.mark.parametrize(("line", "expected"), _mixed_header_lines())
def test_mixed_formats_sample_line_by_line(tmp_path, line, expected):
    """Each header style of the stress file parses alone (the dates are month-first)."""
    assert whatsapp._HEADER.match(line)
    path = tmp_path / "one.txt"
    path.write_text(line + "\n", encoding="utf-8")
    [message], report = read_all(path, date_order="mdy")
    _, timestamp, sender, text = expected
    assert (message.timestamp, message.sender) == (timestamp, sender)
    assert message.text == text.split("\n")[0]
    assert report.problems == []


def test_pustur_ios_sample():
    messages, report = read_all(SAMPLES / "pustur_example_2024_chat.txt")
    assert len(messages) == 52
    assert kinds(messages) == {"system": 4, "message": 43, "media": 4, "poll": 1}
    assert Counter(m.sender for m in messages) == {
        "Loris": 29,
        "John": 12,
        "Emily": 7,
        "": 4,
    }
    assert messages[0].timestamp == datetime(2019, 6, 20, 15, 58, 47)
    assert messages[-1].timestamp == datetime(2019, 6, 20, 16, 45, 28)
    assert [m.text for m in messages[:4]] == [
        "Messages to this group are now secured with end-to-end encryption.",
        "Loris created group \u201cWhatsApp Chat Parser Example\u201d",
        "Loris added Emily",
        "Loris added John",
    ]
    media = [m for m in messages if m.kind == "media"]
    assert [m.text for m in media] == [
        "<attached: 00000001-PHOTO-2019-06-20-16-00-15.jpg>",
        "<attached: 00000002-VIDEO-2019-06-20-16-01-42.mp4>",
        "<attached: 00000003-AUDIO-2019-06-20-16-03-55.mp3>",
        "<attached: 00000004-whatsapp-chat-parser-example.zip>",
    ]
    assert all(m.sender == "Loris" for m in media)
    [poll] = [m for m in messages if m.kind == "poll"]
    assert poll.sender == "Loris"
    assert poll.text == (
        "POLL:\nWhen can we meet?\n"
        "OPTION: Thursday 15 evening (2 votes)\n"
        "OPTION: Friday 16 afternoon (1 vote)\n"
        "OPTION: Friday 16 evening (2 votes)\n"
        "OPTION: Saturday 17 afternoon (3 votes)\n"
        "OPTION: Saturday 17 evening (3 votes)"
    )
    assert poll.source.endswith(":48")
    by_line = {int(m.source.rsplit(":", 1)[1]): m for m in messages}
    assert by_line[24].text == "Come on...\ndon't be so mysterious and show us!"
    assert by_line[30].text.startswith(
        "Cool, now I'd like to share another file,\nthis one"
    )
    assert by_line[60].text == (
        "Links:\n- https://github.com/Pustur/whatsapp-chat-parser\n"
        "- https://github.com/Pustur/whatsapp-chat-parser-website"
    )
    # CRLF and LF are mixed: no carriage return survives.
    assert not any("\r" in m.text for m in messages)
    # "<img>, <video> or <audio>" in a text is not a media marker.
    assert by_line[34].kind == "message"
    assert report.decisions[0]["value"] == "dmy"
    assert report.problems == [] and report.notes == []


def test_pustur_short_chat_cannot_tell_the_date_order():
    with pytest.raises(DateOrderError) as caught:
        read_all(SAMPLES / "pustur_short-chat.txt")
    message = str(caught.value)
    assert "--date-order dmy" in message and "pustur_short-chat.txt" in message
    assert caught.value.where.endswith("pustur_short-chat.txt")


def test_pustur_short_chat_with_date_order():
    messages, report = read_all(SAMPLES / "pustur_short-chat.txt", date_order="dmy")
    assert rows(messages) == [
        (
            datetime(2017, 3, 6, 0, 45),
            "",
            "Messages to this group are now secured with end-to-end encryption. "
            "Tap for more info.",
            "system",
        ),
        (datetime(2017, 3, 6, 0, 45), "", 'You created group "ShortChat"', "system"),
        (
            datetime(2017, 3, 6, 0, 45),
            "Sample User",
            "This is a test message",
            "message",
        ),
        (datetime(2017, 5, 8, 1, 48), "TestBot", "Hey I'm a test too!", "message"),
        # A blank line inside a message does not end it.
        (
            datetime(2017, 4, 9, 1, 50),
            "+410123456789",
            "How are you?\n\nIs everything alright?",
            "message",
        ),
    ]
    [decision] = report.decisions
    assert (
        decision["value"] == "dmy" and "given with --date-order" in decision["evidence"]
    )
    [note] = report.notes  # 8 May then 9 April
    assert "line 5" in note["note"]
    mdy, _ = read_all(SAMPLES / "pustur_short-chat.txt", date_order="mdy")
    assert [m.timestamp.date().isoformat() for m in mdy] == [
        "2017-06-03",
        "2017-06-03",
        "2017-06-03",
        "2017-08-05",
        "2017-09-04",
    ]


def test_whatstk_pokemon_sample():
    messages, report = read_all(SAMPLES / "whatstk_pokemon.txt")
    assert len(messages) == 20
    assert kinds(messages) == {"system": 2, "message": 18}
    # The chat's name as a pseudo-sender of the encryption notice is not a person.
    assert messages[0].sender == "" and messages[0].text.startswith(
        "Messages and calls are end-to-end encrypted. No one outside"
    )
    assert messages[1].sender == "" and messages[1].text.startswith(
        "Messages you send to this group are now secured"
    )
    assert Counter(m.sender for m in messages if m.sender) == {
        "Ash Ketchum": 4,
        "Misty": 4,
        "Brock": 3,
        "Prof. Oak": 2,
        "Raichu": 2,
        "Jessie & James": 1,
        "Meowth": 1,
        "Wobbuffet": 1,
    }
    assert messages[0].timestamp == datetime(2016, 4, 15, 15, 4)
    assert messages[-1].timestamp == datetime(2016, 10, 31, 12, 23)
    # The file ends with a blank line: not part of the last message.
    assert messages[-1].text == "Wo-bbu-ffet"
    assert messages[12].text == (
        "Hey, thanks for adding us. Wanna meet soon? Just for the old times."
    )
    assert report.decisions[0]["value"] == "dmy"
    assert "line 1" in report.decisions[0]["evidence"]
    assert report.problems == [] and report.notes == []


def test_conversation_ids_names_and_sources():
    messages, _ = read_all(SAMPLES / "whatstk_pokemon.txt")
    assert {m.conversation_id for m in messages} == {"whatsapp-whatstk-pokemon"}
    assert {m.conversation_name for m in messages} == {"whatstk_pokemon"}
    assert messages[2].source == f"{SAMPLES / 'whatstk_pokemon.txt'}:3"
    assert all(m.message_id.startswith("whatsapp-whatstk-pokemon/") for m in messages)
    again, _ = read_all(SAMPLES / "whatstk_pokemon.txt")
    assert [m.message_id for m in again] == [m.message_id for m in messages]


def test_parse_api_with_format():
    report = ParseReport()
    messages = list(
        parse([SAMPLES / "whatstk_pokemon.txt"], format="whatsapp", report=report)
    )
    assert len(messages) == 20
    assert report.inputs[0]["format"] == "whatsapp"
    assert report.kinds == {"message": 18, "system": 2}


# ---------------------------------------------------------------------------
# Synthetic files


def test_ios_narrow_spaces_and_markers():
    messages, report = read_all(SYNTHETIC / "ios_12h_narrow_space.txt")
    got = [
        (
            int(m.source.rsplit(":", 1)[1]),
            m.timestamp,
            m.sender,
            m.kind,
            m.edited,
            m.text,
        )
        for m in messages
    ]
    assert got == [
        (
            1,
            datetime(2023, 1, 14, 21, 5, 12),
            "",
            "system",
            False,
            "Messages and calls are end-to-end encrypted. No one outside of this chat, "
            "not even WhatsApp, can read or listen to them.",
        ),
        (
            2,
            datetime(2023, 1, 14, 21, 5, 12),
            "",
            "system",
            False,
            "Maya created group \u201cClimbing Crew\u201d",
        ),
        (3, datetime(2023, 1, 14, 21, 5, 13), "", "system", False, "Maya added Jonas"),
        (
            4,
            datetime(2023, 1, 14, 21, 6, 40),
            "Maya",
            "message",
            False,
            "Who's in for Saturday?",
        ),
        (5, datetime(2023, 1, 14, 21, 7, 2), "Jonas", "media", False, "image omitted"),
        (
            6,
            datetime(2023, 1, 14, 21, 7, 30),
            "Jonas",
            "message",
            True,
            "Me! But I can only come after 2",
        ),
        (
            7,
            datetime(2023, 1, 14, 21, 8),
            "Maya",
            "deleted",
            False,
            "This message was deleted",
        ),
        (
            8,
            datetime(2023, 1, 14, 23, 59, 59),
            "Maya",
            "message",
            False,
            "Ok great.\n\nBring chalk \U0001f9d7\u200d\u2640\ufe0f",
        ),
        (
            11,
            datetime(2023, 1, 15, 0, 0, 30),
            "Jonas",
            "call",
            False,
            "Missed voice call",
        ),
        (
            12,
            datetime(2023, 1, 15, 8, 0, 1),
            "",
            "system",
            False,
            f"~{NNBSP}Sam joined using this group's invite link",
        ),
        (
            13,
            datetime(2023, 1, 15, 8, 1),
            "Sam",
            "message",
            False,
            "hi all, Sam here \U0001f44b",
        ),
        (
            14,
            datetime(2023, 1, 15, 12, 10),
            "Maya",
            "deleted",
            False,
            "You deleted this message",
        ),
        (
            15,
            datetime(2023, 1, 15, 12, 11),
            "Jonas",
            "media",
            False,
            "Route map.pdf \u2022 2 pages document omitted",
        ),
        (
            16,
            datetime(2023, 1, 15, 12, 12),
            "Maya",
            "media",
            False,
            "<attached: 00000014-PHOTO-2023-01-15-12-12-00.jpg>",
        ),
        (
            17,
            datetime(2023, 1, 15, 12, 13),
            "Jonas",
            "message",
            True,
            "Haha that wall is huge\nsee you at 10",
        ),
        (19, datetime(2023, 1, 15, 12, 14), "Maya", "media", False, "sticker omitted"),
        # U+202F inside message text is the sender's: kept.
        (
            20,
            datetime(2023, 1, 15, 12, 15),
            "Sam",
            "message",
            False,
            f"12:15{NNBSP}PM works for me",
        ),
    ]
    assert not any(LRM in m.text or LRM in m.sender for m in messages)
    assert report.decisions[0]["value"] == "mdy"
    assert report.problems == [] and report.notes == []


def test_android_markers_and_problems():
    messages, report = read_all(SYNTHETIC / "android_markers_and_problems.txt")
    got = [
        (int(m.source.rsplit(":", 1)[1]), m.sender, m.kind, m.edited, m.text)
        for m in messages
    ]
    assert got == [
        (
            1,
            "",
            "system",
            False,
            "Messages and calls are end-to-end encrypted. Only people in this chat can "
            "read, listen to, or share them. Learn more.",
        ),
        # ": " inside a quoted group name or subject does not make a sender.
        (2, "", "system", False, 'Anna created group "Trip: Lisbon"'),
        (
            3,
            "",
            "system",
            False,
            'Anna changed the subject from "Trip" to "Trip: Lisbon 2023"',
        ),
        (4, "", "system", False, "Anna added Ben"),
        (
            5,
            "Ben",
            "media",
            False,
            "IMG-20230115-WA0003.jpg (file attached)\nthe view from the hostel",
        ),
        (7, "Anna", "media", False, "<Media omitted>"),
        (8, "Ben", "message", False, "null"),
        (9, "Anna", "deleted", False, "You deleted this message"),
        (10, "Ben", "deleted", False, "This message was deleted"),
        (11, "Anna", "message", True, "Dinner at 8?"),
        (12, "Ben", "message", True, "\u00bfCena a las 9?"),
        (
            13,
            "Anna",
            "poll",
            False,
            "POLL:\nWhere do we eat?\nOPTION: Tasca (2 votes)\nOPTION: Pizza (0 votes)",
        ),
        (17, "", "call", False, "Missed voice call"),
        # A person writing "left" is not a membership line.
        (21, "Ben", "message", False, "left"),
        (22, "Anna", "message", False, "sent from the plane, delivered late"),
        (23, "", "system", False, "Ben left"),
    ]
    where = str(SYNTHETIC / "android_markers_and_problems.txt")
    assert report.problems == [
        {
            "where": f"{where}:18",
            "reason": "invalid date: day 31 of month 2 (dates read as dmy); line 18 "
            "and its 1 continuation line(s) not read",
        },
        {"where": f"{where}:20", "reason": "invalid time: hour 25; line 20 not read"},
    ]
    [note] = report.notes
    assert note == {
        "where": where,
        "note": "1 message(s) are older than the message before them (first at line "
        "22); kept in file order",
    }
    # Every line is accounted for: 23 lines = 16 messages' lines + 3 in problems.
    assert sum(1 + m.text.count("\n") for m in messages) + 3 == 23


def test_invalid_header_stops_strict_reading():
    with pytest.raises(RecordError) as caught:
        read_all(SYNTHETIC / "android_markers_and_problems.txt", strict=True)
    assert caught.value.where.endswith("android_markers_and_problems.txt:18")


def test_ambiguous_dates_ask_for_the_order():
    path = SYNTHETIC / "ambiguous_dates.txt"
    with pytest.raises(DateOrderError) as caught:
        read_all(path)
    assert "--date-order dmy or --date-order mdy" in str(caught.value)
    assert "Friday" not in str(caught.value)
    dmy, report = read_all(path, date_order="dmy")
    assert [m.timestamp for m in dmy] == [
        datetime(2021, 4, 3, 10, 0),
        datetime(2021, 4, 3, 10, 5),
        datetime(2021, 4, 5, 18, 30),
        datetime(2021, 4, 6, 9, 12),
    ]
    assert report.decisions == [
        {
            "where": str(path),
            "what": "date order",
            "value": "dmy",
            "evidence": "given with --date-order; the dates in the file cannot tell",
        }
    ]
    mdy, _ = read_all(path, date_order="mdy")
    assert [m.timestamp.date() for m in mdy][::2] == [
        datetime(2021, 3, 4).date(),
        datetime(2021, 5, 4).date(),
    ]


def test_ambiguous_dates_hint_from_time_order(tmp_path):
    # Read month-first these dates jump back in time at every step.
    lines = [
        f"{d:02d}/{m:02d}/21, 10:00 - Anna: hi" for m in (1, 2, 3, 4) for d in (1, 5, 9)
    ]
    with pytest.raises(DateOrderError) as caught:
        read_all(write(tmp_path / "chat.txt", lines))
    assert (
        "(a hint, not a proof: read as mdy the dates jump back in time 3 times, read "
        "as dmy 0 times)" in str(caught.value)
    )
    # Too few steps back to be worth a hint.
    with pytest.raises(DateOrderError) as caught:
        read_all(write(tmp_path / "chat.txt", lines[:9]))
    assert "not a proof" not in str(caught.value)


def test_continuation_before_the_first_header_is_a_problem():
    path = SYNTHETIC / "continuation_first.txt"
    messages, report = read_all(path)
    assert rows(messages) == [
        (datetime(2022, 6, 21, 19, 2), "Anna", "Sunny today!", "message"),
        (datetime(2022, 6, 21, 19, 3), "Ben", "Finally", "message"),
    ]
    assert report.problems == [
        {
            "where": f"{path}:1",
            "reason": "lines 1-3: text before the first message header (no date, time "
            "or sender to attach it to); not read",
        }
    ]


def test_pasted_lines_in_other_layouts_continue_the_message():
    path = SYNTHETIC / "pasted_other_layouts.txt"
    messages, report = read_all(path)
    assert [
        (int(m.source.rsplit(":", 1)[1]), m.timestamp, m.sender, m.text, m.kind)
        for m in messages
    ] == [
        (
            1,
            datetime(2023, 5, 12, 8, 58),
            "Anna",
            "did you see what Ben wrote in the other group?",
            "message",
        ),
        # An iOS header in an Android file: text Carl pasted, not a message of Ben's.
        (
            2,
            datetime(2023, 5, 12, 8, 59),
            "Carl",
            "yes, I copied it from there:\n"
            "[12/05/2023, 09:00:00] Ben: secret plan, tell nobody",
            "message",
        ),
        (4, datetime(2023, 5, 12, 9, 1), "Anna", "lol", "message"),
        # A year-first line is not a system line here.
        (
            5,
            datetime(2023, 5, 13, 10, 1),
            "Carl",
            "and this line from my calendar app\n2023-05-13 10:02 - not a header line",
            "message",
        ),
        # Same date layout, but a 12-hour clock this file does not use.
        (
            7,
            datetime(2023, 5, 13, 10, 3),
            "Anna",
            "ok, and this from my old phone:\n13/05/2023, 9:04 PM - Dora: see you at 9",
            "message",
        ),
        (9, datetime(2023, 5, 13, 10, 5), "Carl", "\U0001f44d", "message"),
    ]
    assert report.notes == [
        {
            "where": str(path),
            "note": "3 line(s) look like message headers in a layout this file does "
            "not use ([NN/NN/YYYY, HH:MM:SS]; YYYY-NN-NN HH:MM -; NN/NN/YYYY, HH:MM "
            "am/pm -; first at line 3); read as message text, not as new messages",
        }
    ]
    # The pasted lines give no date-order evidence either (no "year-first" here).
    assert report.decisions[0]["evidence"] == (
        "a day above 12 (13) comes first in line 5; no date has a second field above 12"
    )
    assert report.problems == []


def _android(day: int, text: str = "hi") -> str:
    return (
        f"{datetime(2021, 1, 1) + timedelta(days=day):%d/%m/%Y, %H:%M} - Anna: {text}"
    )


def _ios(day: int, text: str = "hi") -> str:
    return (
        f"[{datetime(2021, 1, 1) + timedelta(days=day):%d/%m/%Y, %H:%M:%S}] Ben: {text}"
    )


def test_a_second_export_pasted_below_is_read(tmp_path):
    # 3 of 33 headers (9%) in a second layout: two exports pasted together.
    lines = [_android(day) for day in range(30)]
    lines += [_ios(day) for day in range(30, 33)]
    messages, report = read_all(write(tmp_path / "chat.txt", lines))
    assert len(messages) == 33
    assert [m.sender for m in messages[-4:]] == ["Anna", "Ben", "Ben", "Ben"]
    assert [n["note"] for n in report.notes] == [
        "the headers come in 2 layouts: NN/NN/YYYY, HH:MM - (from line 1), "
        "[NN/NN/YYYY, HH:MM:SS] (from line 31); the file may be several exports "
        "pasted together"
    ]
    # A layout used once is pasted text, however small the file.
    messages, report = read_all(write(tmp_path / "chat.txt", lines[:31]))
    assert len(messages) == 30 and messages[-1].text == f"hi\n{lines[30]}"


@pytest.mark.parametrize(("pasted", "read"), [(99, False), (100, True)])
def test_a_long_second_export_is_read_even_below_five_percent(tmp_path, pasted, read):
    lines = [_android(day) for day in range(2100)]
    lines += [_ios(day) for day in range(2100, 2100 + pasted)]
    messages, report = read_all(write(tmp_path / "chat.txt", lines))
    assert len(messages) == (2100 + pasted if read else 2100)
    if not read:
        assert messages[-1].text.count("\n") == pasted
        assert report.notes[0]["note"].startswith(
            "99 line(s) look like message headers in a layout this file does not use "
            "([NN/NN/YYYY, HH:MM:SS]; first at line 2101)"
        )


def test_a_pasted_line_does_not_lend_its_layout_to_the_lines_after_it(tmp_path):
    # The 12-hour line starts like the 24-hour lines after it ("14/01/2021,"): the
    # first pass counts those without parsing them only after two in a row.
    lines = [_android(day) for day in range(12)]
    lines.insert(5, "14/01/2021, 9:00 PM - Ben: pasted")
    lines += [f"14/01/2021, 10:0{n} - Anna: more" for n in range(4)]
    messages, report = read_all(write(tmp_path / "chat.txt", lines))
    assert len(messages) == 16
    assert messages[4].text == "hi\n14/01/2021, 9:00 PM - Ben: pasted"
    assert report.notes[0]["note"].startswith("1 line(s) look like message headers")


def test_a_pasted_line_before_the_first_header(tmp_path):
    lines = ["[01/02/2021, 10:00:00] Ben: pasted above", *map(_android, range(40))]
    messages, report = read_all(write(tmp_path / "chat.txt", lines))
    assert len(messages) == 40
    assert report.problems[0]["reason"].startswith(
        "line 1: text before the first message header"
    )
    assert report.notes[0]["note"].startswith("1 line(s) look like message headers")


# ---------------------------------------------------------------------------
# Date order: decisions and contradictions


def test_year_first_file(tmp_path):
    path = write(
        tmp_path / "chat.txt",
        ["2022/12/24, 13:01 - Anna: hi", "2022/01/02, 09:00 - Ben: later"],
    )
    messages, report = read_all(path)
    assert [m.timestamp for m in messages] == [
        datetime(2022, 12, 24, 13, 1),
        datetime(2022, 1, 2, 9, 0),
    ]
    assert report.decisions[0]["value"] == "ymd"
    assert "line 1" in report.decisions[0]["evidence"]


def test_mixed_orders_are_an_error(tmp_path):
    path = write(
        tmp_path / "chat.txt",
        [
            "30/01/21, 10:00 - Anna: hi",
            "01/02/21, 10:00 - Ben: yo",
            "01/24/21, 10:00 - Anna: ?",
        ],
    )
    with pytest.raises(DateOrderError) as caught:
        read_all(path)
    message = str(caught.value)
    assert (
        "line 1 has day 30 first" in message and "line 3 has day 24 second" in message
    )
    with pytest.raises(DateOrderError) as caught:
        read_all(path, date_order="dmy")
    assert caught.value.where == f"{path}:3"
    assert "mixes day-first and month-first" in str(caught.value)


def test_date_order_option_that_the_file_rules_out(tmp_path):
    """The file's own dates decide; --date-order is only for files that cannot."""
    path = write(
        tmp_path / "chat.txt",
        ["01/02/21, 10:00 - Anna: hi", "30/01/21, 10:00 - Ben: yo"],
    )
    messages, report = read_all(path, date_order="mdy")
    assert [m.timestamp for m in messages] == [
        datetime(2021, 2, 1, 10, 0),
        datetime(2021, 1, 30, 10, 0),
    ]
    assert report.decisions == [
        {
            "where": str(path),
            "what": "date order",
            "value": "dmy",
            "evidence": "a day above 12 (30) comes first in line 2; no date has a "
            "second field above 12; --date-order mdy not used: line 2 rules it out",
        }
    ]
    assert report.notes[0] == {
        "where": str(path),
        "note": "--date-order mdy does not fit line 2 (its first field 30 cannot be a "
        "month); the file's own dates decide, so they are read as dmy",
    }
    messages, report = read_all(path, date_order="dmy")
    assert messages[0].timestamp == datetime(2021, 2, 1, 10, 0)
    assert "the file agrees" in report.decisions[0]["evidence"]
    # Strict reading does not stop: nothing was lost.
    messages, _ = read_all(path, date_order="mdy", strict=True)
    assert len(messages) == 2


def test_date_order_option_serves_several_files():
    """`reread parse pustur_short-chat.txt whatstk_pokemon.txt --date-order mdy`."""
    report = ParseReport()
    short, pokemon = SAMPLES / "pustur_short-chat.txt", SAMPLES / "whatstk_pokemon.txt"
    rows = list(parse([short, pokemon], date_order="mdy", report=report))
    assert len(rows) == 5 + 20
    assert [d["value"] for d in report.decisions] == ["mdy", "dmy"]
    assert report.decisions[0]["evidence"] == (
        "given with --date-order; the dates in the file cannot tell"
    )
    assert report.decisions[1]["evidence"].endswith(
        "--date-order mdy not used: line 1 rules it out"
    )
    assert [n["where"] for n in report.notes if "--date-order" in n["note"]] == [
        str(pokemon)
    ]
    # Pokemon is read exactly as without the option.
    alone, _ = read_all(pokemon)
    assert rows[5:] == alone


def test_date_order_option_without_a_choice_in_the_file(tmp_path):
    # Year-first dates decide themselves: the option is not needed.
    path = write(tmp_path / "chat.txt", ["2021/01/13, 10:00 - Anna: hi"])
    [message], report = read_all(path, date_order="mdy")
    assert message.timestamp == datetime(2021, 1, 13, 10, 0)
    assert report.decisions[0]["value"] == "ymd"
    assert report.decisions[0]["evidence"].endswith("--date-order mdy not needed")
    assert report.notes == []
    # "13/1/10" reads day-first, but as well year-first with a 2-digit year: a given
    # ymd is not ruled out, so it is used.
    path = write(tmp_path / "chat.txt", ["13/1/10, 10:00 - Anna: hi"])
    [message], report = read_all(path, date_order="ymd")
    assert message.timestamp == datetime(2013, 1, 10, 10, 0)
    assert report.decisions[0]["evidence"] == (
        "given with --date-order; the dates in the file fit it as well as dmy"
    )
    # Ruled out, with nothing else to go on: still an error.
    path = write(tmp_path / "chat.txt", ["01/02/2021, 10:00 - Anna: hi"])
    with pytest.raises(DateOrderError) as caught:
        read_all(path, date_order="ymd")
    assert caught.value.where == f"{path}:1"
    assert "its date ends with a 4-digit year" in str(caught.value)


def test_bad_date_order_option(tmp_path):
    path = write(tmp_path / "chat.txt", ["30/01/21, 10:00 - Anna: hi"])
    with pytest.raises(ExportError, match="dmy, mdy or ymd"):
        read_all(path, date_order="dm")


def test_year_first_with_two_digit_year(tmp_path):
    path = write(tmp_path / "chat.txt", ["[21/5/3 10:00:00] Anna: hi"])
    with pytest.raises(DateOrderError) as caught:
        read_all(path)
    assert "line 1 ends in a 1-digit field" in str(caught.value)
    assert "--date-order ymd" in str(caught.value)
    [message], _ = read_all(path, date_order="ymd")
    assert message.timestamp == datetime(2021, 5, 3, 10, 0)
    messages, report = read_all(path, date_order="dmy")
    assert messages == []
    assert report.problems[0]["reason"].startswith("invalid date: a 1-digit year")


def test_two_digit_years_are_this_century(tmp_path):
    path = write(tmp_path / "chat.txt", ["31.12.99, 23:59 - Anna: party"])
    [message], _ = read_all(path)
    assert message.timestamp == datetime(2099, 12, 31, 23, 59)


# ---------------------------------------------------------------------------
# Header variants and senders


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("13/01/2021, 9:05 - ", datetime(2021, 1, 13, 9, 5)),
        ("[13/01/2021, 9:05:07 PM] ", datetime(2021, 1, 13, 21, 5, 7)),
        (f"[13/01/2021, 9:05:07{NNBSP}PM] ", datetime(2021, 1, 13, 21, 5, 7)),
        (f"13/01/2021, 12:05{NBSP}am - ", datetime(2021, 1, 13, 0, 5)),
        ("13/01/2021, 12:05 p.m. - ", datetime(2021, 1, 13, 12, 5)),
        (f"13/01/2021, 9:05 p.{NBSP}m. - ", datetime(2021, 1, 13, 21, 5)),
        ("13.01.21, 21:05 - ", datetime(2021, 1, 13, 21, 5)),
        ("13-01-2021 21:05 - ", datetime(2021, 1, 13, 21, 5)),
        ("[13.01.21 21:05:59] ", datetime(2021, 1, 13, 21, 5, 59)),
        (f"{LRM}[13.01.21, 21:05:59] ", datetime(2021, 1, 13, 21, 5, 59)),
        ("13/01/2021, 21:05. - ", datetime(2021, 1, 13, 21, 5)),
        ("2021/01/13, 21:05 - ", datetime(2021, 1, 13, 21, 5)),
        ("2021-01-13, 9:05 p.m. - ", datetime(2021, 1, 13, 21, 5)),
        ("[2021/01/13 21:05:46] ", datetime(2021, 1, 13, 21, 5, 46)),
        # Exports from before 2015 end the time with ": ".
        ("13/01/2014, 1:59:59 PM: ", datetime(2014, 1, 13, 13, 59, 59)),
        ("13/01/2014 17:03:48: ", datetime(2014, 1, 13, 17, 3, 48)),
        # Arabic ص (a.m.) and م (p.m.), Arabic-Indic digits, U+200F, Arabic comma.
        ("13/01/2021, 10:00 \u0645 - ", datetime(2021, 1, 13, 22, 0)),
        ("13/01/2021, 10:00 \u0635 - ", datetime(2021, 1, 13, 10, 0)),
        (f"13/01/2021, 12:30{NNBSP}\u0635 - ", datetime(2021, 1, 13, 0, 30)),
        ("١٣/٠١/٢٠٢١ ١٠:٠٠ - ", datetime(2021, 1, 13, 10, 0)),
        ("١٣\u200f/١\u200f/٢٠٢١، ١٠:٠٠ \u0645 - ", datetime(2021, 1, 13, 22, 0)),
        ("[١٣\u200f/١\u200f/٢٠٢١، ١٠:٠٠:٠٥ \u0635] ", datetime(2021, 1, 13, 10, 0, 5)),
        # German and Chinese clock words (before or after the time).
        ("13.01.21, 10:00 nachm. - ", datetime(2021, 1, 13, 22, 0)),
        ("13.01.21, 12:10 vorm. - ", datetime(2021, 1, 13, 0, 10)),
        ("2021/1/13 下午10:00 - ", datetime(2021, 1, 13, 22, 0)),
        ("2021/1/13 上午10:00 - ", datetime(2021, 1, 13, 10, 0)),
        ("[2021/1/13 下午10:00:05] ", datetime(2021, 1, 13, 22, 0, 5)),
        ("2021/1/13 10:00 下午 - ", datetime(2021, 1, 13, 22, 0)),
    ],
)
def test_header_variants(tmp_path, header, expected):
    path = tmp_path / "chat.txt"
    path.write_text(f"{header}Anna: hello\n", encoding="utf-8")
    [message], report = read_all(path)
    assert (message.timestamp, message.sender, message.text) == (
        expected,
        "Anna",
        "hello",
    )
    assert report.problems == []


@pytest.mark.parametrize(
    ("raw", "sender"),
    [
        (f"~{NNBSP}AK", "AK"),
        ("~ AK", "AK"),
        (f"\u202a+44{NBSP}7700 900123\u202c", "+44 7700 900123"),
        (f"{LRM}Prof. Oak", "Prof. Oak"),
        ("Jessie & James", "Jessie & James"),
        ("a:b", "a:b"),
    ],
)
def test_sender_names_are_cleaned(tmp_path, raw, sender):
    path = tmp_path / "chat.txt"
    path.write_text(f"13/01/2021, 21:05 - {raw}: hi: there\n", encoding="utf-8")
    [message], _ = read_all(path)
    assert (message.sender, message.text, message.kind) == (
        sender,
        "hi: there",
        "message",
    )


def test_tilde_actor_system_line(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(
        f"[28/02/2022, 9:52:58{NNBSP}PM] ~{NNBSP}AK: ~{NNBSP}AK created this group\n",
        encoding="utf-8",
    )
    [message], _ = read_all(path)
    assert (message.kind, message.sender) == ("system", "")
    assert message.timestamp == datetime(2022, 2, 28, 21, 52, 58)


def test_group_name_and_actor_in_the_sender_place(tmp_path):
    """iOS group exports as seen in other parsers' bug reports (names made up)."""
    path = write(
        tmp_path / "chat.txt",
        [
            f"[27/12/20, 18:51:14] Hiking 2024: {LRM}Messages and calls are end-to-end "
            "encrypted. No one outside of this chat, not even WhatsApp, can read or "
            "listen to them.",
            f"[27/12/20, 18:52:00] ~{NNBSP}Kai: ~{NNBSP}Kai created this group",
            "[27/12/20, 18:53:00] Hiking 2024: You joined using this group's "
            "invite link",
            "[18/07/21, 20:36:20] Ana - Lisbon: Who is driving?",
            "[20/07/21, 11:21:27] +1 (555) 010\u20110199: +1 (555) 010\u20110199 "
            "joined using this group's invite link",
            "[20/07/21, 11:22:00] Ben: Ben added a photo to the album, have a look",
            "[20/07/21, 11:23:00] Hiking 2024: Your security code with Ana changed. "
            "Tap to learn more.",
        ],
    )
    messages, _ = read_all(path)
    assert [(m.sender, m.kind) for m in messages] == [
        ("", "system"),
        ("", "system"),
        ("", "system"),
        ("Ana - Lisbon", "message"),
        ("", "system"),
        # "Ben added a photo…" after Ben's own name is Ben talking.
        ("Ben", "message"),
        ("", "system"),
    ]


def test_identical_messages_get_distinct_stable_ids(tmp_path):
    path = write(tmp_path / "chat.txt", ["13/01/21, 10:00 - Anna: ok"] * 3)
    first, _ = read_all(path)
    second, _ = read_all(path)
    assert len({m.message_id for m in first}) == 3
    assert [m.message_id for m in first] == [m.message_id for m in second]


def test_ids_stay_unique_when_a_chat_is_pasted_twice(tmp_path):
    """Identical messages further apart than the id window still get new ids."""
    start = datetime(2023, 5, 13, 8, 0)
    chat = [
        f"{start + timedelta(minutes=n):%d/%m/%Y, %H:%M} - Anna: same"
        for n in range(600)
    ]
    path = write(tmp_path / "twice.txt", chat + chat)
    messages, report = read_all(path)
    again, _ = read_all(path)
    once, _ = read_all(write(tmp_path / "twice.txt", chat))
    ids = [m.message_id for m in messages]
    assert len(messages) == 1200 and len(set(ids)) == 1200
    assert ids == [m.message_id for m in again]
    # The first copy keeps the ids it has on its own.
    assert ids[:600] == [m.message_id for m in once]
    # 600 distinct times, 512 remembered: the second copy's first 88 are older.
    assert report.notes == [
        {
            "where": str(path),
            "note": "88 message(s) have a timestamp older than the last 512 distinct "
            "timestamps (first at line 601), as when exports are pasted together or "
            "the clock goes back; their ids include their line number so that they "
            "stay unique",
        },
        {
            "where": str(path),
            "note": "1 message(s) are older than the message before them (first at "
            "line 601); kept in file order",
        },
    ]


def test_arabic_sample():
    path = SYNTHETIC / "arabic_12h.txt"
    messages, report = read_all(path)
    assert rows(messages) == [
        (datetime(2022, 4, 24, 14, 7), "عمار", "السلام عليكم", "message"),
        (datetime(2022, 4, 24, 14, 8), "ليلى", "أهلاً\nكيف حالك؟", "message"),
        (datetime(2022, 4, 25, 0, 5), "عمار", "بخير", "message"),
        (datetime(2022, 4, 25, 9, 15), "ليلى", "صباح الخير", "message"),
    ]
    assert report.decisions[0]["value"] == "dmy"
    assert report.problems == [] and report.notes == []
    export = open_export(path)
    assert detect_format(export) == "whatsapp"
    export.close()


def test_arabic_pm_word_is_a_chat(tmp_path):
    path = write(tmp_path / "chat.txt", ["13/05/2023, 10:00 \u0645 - Anna: hi"])
    [message] = parse([path])
    assert (message.timestamp, message.sender) == (datetime(2023, 5, 13, 22, 0), "Anna")


# ---------------------------------------------------------------------------
# Zips and folders


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_ios_zip_with_media(tmp_path):
    chat = (SAMPLES / "pustur_example_2024_chat.txt").read_bytes()
    path = _zip(
        tmp_path / "WhatsApp Chat - Chat Parser Example.zip",
        {
            "00000001-PHOTO-2019-06-20-16-00-15.jpg": b"\xff\xd8\xff\xe0 not a jpeg",
            "notes.txt": b"shopping list\nmilk\n",
            "_chat.txt": chat,
        },
    )
    export = open_export(path)
    assert whatsapp.sniff(export)
    export.close()
    messages, report = read_all(path)
    plain, _ = read_all(SAMPLES / "pustur_example_2024_chat.txt")
    assert rows(messages) == rows(plain)
    assert {m.conversation_id for m in messages} == {"whatsapp-chat-parser-example"}
    assert {m.conversation_name for m in messages} == {"Chat Parser Example"}
    assert messages[4].source == f"{path}!_chat.txt:5"
    assert report.decisions[0]["where"] == f"{path}!_chat.txt"


def test_android_zip_picks_the_chat_among_other_texts(tmp_path):
    chat = (SAMPLES / "whatstk_pokemon.txt").read_bytes()
    path = _zip(
        tmp_path / "WhatsApp Chat with Pokemon Chat.zip",
        {
            "a-readme.txt": b"not a chat\n",
            "WhatsApp Chat with Pokemon Chat.txt": chat,
            "IMG-20160806-WA0001.jpg": b"\xff\xd8",
        },
    )
    messages, _ = read_all(path)
    assert len(messages) == 20
    assert messages[0].source.startswith(f"{path}!WhatsApp Chat with Pokemon Chat.txt:")
    assert messages[0].conversation_id == "whatsapp-pokemon-chat"


def test_zip_with_an_oddly_named_chat(tmp_path):
    chat = (SAMPLES / "chatanalytics_2A_5M.txt").read_bytes()
    path = _zip(tmp_path / "backup.zip", {"notes.txt": b"hello\n", "export.txt": chat})
    messages, _ = read_all(path)
    assert len(messages) == 5 and messages[0].source.startswith(f"{path}!export.txt:")


def test_folder_export(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "WhatsApp Chat with Anna.txt").write_bytes(
        (SAMPLES / "whatstk_pokemon.txt").read_bytes()
    )
    (folder / "IMG-0001.jpg").write_bytes(b"\xff\xd8")
    messages, _ = read_all(folder)
    assert len(messages) == 20
    assert messages[0].conversation_id == "whatsapp-anna"
    assert messages[0].conversation_name == "Anna"


def _chat_file(path: Path, text: str = "hi") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(path, [f"13/01/21, 10:00 - Anna: {text}"])


def test_generic_file_names_take_the_folder_name(tmp_path):
    """Two iOS exports unpacked side by side: ids do not depend on input order."""
    anna = _chat_file(tmp_path / "Anna" / "_chat.txt")
    ben = _chat_file(tmp_path / "WhatsApp Chat - Ben" / "_chat.txt")
    forward = list(parse([anna, ben]))
    backward = list(parse([ben, anna]))
    assert [m.conversation_id for m in forward] == ["whatsapp-anna", "whatsapp-ben"]
    assert [m.conversation_id for m in backward] == ["whatsapp-ben", "whatsapp-anna"]
    assert [m.conversation_name for m in forward] == ["Anna", "Ben"]
    assert {m.message_id for m in forward} == {m.message_id for m in backward}


@pytest.mark.parametrize(
    "file_name", ["_chat.txt", "chat.txt", "WhatsApp Chat.txt", "_chat (1).txt"]
)
def test_generic_names(tmp_path, file_name):
    [message], _ = read_all(_chat_file(tmp_path / "Trip 2023" / file_name))
    assert message.conversation_id == "whatsapp-trip-2023"
    assert message.conversation_name == "Trip 2023"


def test_other_file_names_keep_their_own(tmp_path):
    [message], _ = read_all(_chat_file(tmp_path / "exports" / "anna-2023.txt"))
    assert message.conversation_name == "anna-2023"
    [message], _ = read_all(
        _chat_file(tmp_path / "exports" / "WhatsApp Chat with Anna.txt")
    )
    assert message.conversation_name == "Anna"


def test_generic_names_inside_a_zip(tmp_path):
    chat = b"13/01/21, 10:00 - Anna: hi\n"
    path = _zip(
        tmp_path / "Backup.zip",
        {"_chat.txt": chat, "old/_chat.txt": chat, "Ben/_chat.txt": chat},
    )
    report = ParseReport()
    rows = list(parse([path], report=report))
    assert {(m.source.rsplit(":", 1)[0], m.conversation_id) for m in rows} == {
        (f"{path}!_chat.txt", "whatsapp-backup"),
        (f"{path}!Ben/_chat.txt", "whatsapp-ben"),
        (f"{path}!old/_chat.txt", "whatsapp-old"),
    }


def test_a_folder_of_chats_is_read_one_chat_per_call(tmp_path):
    """The reader takes one chat, the same every time; the caller reads the rest."""
    folders = []
    for order in (["B", "A"], ["A", "B"]):
        folder = tmp_path / "".join(order)
        for name in order:  # created in a different order each time
            _chat_file(folder / name / "_chat.txt", f"from {name}")
        _chat_file(folder / "notes" / "WhatsApp Chat with Cleo.txt", "from Cleo")
        folders.append(folder)
    for folder in folders:
        for _ in range(2):
            messages, _ = read_all(folder)
            # Preferred names first, then nearest the top, then by name.
            assert [(m.text, m.conversation_id) for m in messages] == [
                ("from A", "whatsapp-a")
            ]
            assert {m.source for m in messages} == {f"{folder / 'A' / '_chat.txt'}:1"}
        rows = list(parse([folder]))
        assert sorted((m.conversation_id, m.text) for m in rows) == [
            ("whatsapp-a", "from A"),
            ("whatsapp-b", "from B"),
            ("whatsapp-cleo", "from Cleo"),
        ]
    zipped = _zip(
        tmp_path / "chats.zip",
        {
            "B/_chat.txt": b"13/01/21, 10:00 - Anna: from B\n",
            "A/_chat.txt": b"13/01/21, 10:00 - Anna: from A\n",
        },
    )
    [message], _ = read_all(zipped)
    assert (message.text, message.conversation_id) == ("from A", "whatsapp-a")


def test_zip_without_a_chat(tmp_path):
    path = _zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8", "b.txt": b"hello\n"})
    export = open_export(path)
    assert not whatsapp.sniff(export)
    export.close()
    with pytest.raises(ExportError) as caught:
        read_all(path)
    assert caught.value.where == str(path)
    assert "none of its 1 .txt files" in str(caught.value)


# ---------------------------------------------------------------------------
# Bad input and other formats


def test_not_a_chat(tmp_path):
    path = write(tmp_path / "notes.txt", ["dear diary", "today was fine", "", "bye"])
    export = open_export(path)
    assert not whatsapp.sniff(export)
    export.close()
    with pytest.raises(ExportError) as caught:
        read_all(path)
    assert caught.value.where == str(path)
    assert "no WhatsApp message header found" in str(caught.value)
    assert "diary" not in str(caught.value)


def test_other_formats_are_not_claimed():
    root = SAMPLES.parent
    for path in [
        root / "telegram" / "chatanalytics_DM_2A_7M.json",
        root / "messenger" / "chatanalytics_2A_7M.json",
        root / "imessage" / "dbiR_+15550000001.txt",
        root / "imessage" / "imessage-exporter_example.html",
        root / "slack" / "hfaran_testarchive",
        root / "discord" / "chatanalytics_DM_2A_2M.json",
    ]:
        export = open_export(path)
        assert not whatsapp.sniff(export), path
        export.close()


def test_note_pasted_above_the_chat(tmp_path):
    lines = [f"note line {n}" for n in range(1, 8)] + ["13/01/21, 10:00 - Anna: hi"]
    path = write(tmp_path / "chat.txt", lines)
    export = open_export(path)
    assert whatsapp.sniff(export)
    export.close()
    [message], report = read_all(path)
    assert message.source == f"{path}:8"
    assert report.problems[0]["where"] == f"{path}:1"
    assert report.problems[0]["reason"].startswith("lines 1-7: text before the first")


def test_whole_file_is_read_for_headers(tmp_path):
    # Sniffing gives up after 20 lines; a forced read still finds the chat below.
    lines = [f"note line {n}" for n in range(1, 31)] + ["13/01/21, 10:00 - Anna: hi"]
    path = write(tmp_path / "chat.txt", lines)
    export = open_export(path)
    assert not whatsapp.sniff(export)
    export.close()
    [message], report = read_all(path)
    assert message.text == "hi" and len(report.problems) == 1


def test_every_whatsapp_sample_is_detected_as_whatsapp(tmp_path):
    """Through the registry: no reader listed before WhatsApp claims these."""
    paths = sorted(SAMPLES.iterdir()) + sorted(SYNTHETIC.glob("*.txt"))
    paths.append(
        _zip(tmp_path / "chat.zip", {"_chat.txt": paths[0].read_bytes(), "a.jpg": b"1"})
    )
    for path in paths:
        export = open_export(path)
        assert detect_format(export) == "whatsapp", path.name
        export.close()


def test_binary_input_is_not_sniffed(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_bytes(bytes(range(256)) * 10)
    export = open_export(path)
    assert not whatsapp.sniff(export)
    export.close()


def test_file_truncated_inside_a_character(tmp_path):
    data = "13/01/21, 10:00 - Anna: hi\n13/01/21, 10:01 - Ben: caf\u00e9".encode()
    path = tmp_path / "chat.txt"
    path.write_bytes(data[:-1])
    with pytest.raises(ExportError) as caught:
        read_all(path)
    assert caught.value.where == f"{path}:2"
    assert "UTF-8" in str(caught.value)


def test_file_truncated_inside_a_header(tmp_path):
    # The cut header cannot be told from text: it continues the message before it.
    path = tmp_path / "chat.txt"
    path.write_text("13/01/21, 10:00 - Anna: hi\n13/01/21, 10:0", encoding="utf-8")
    [message], report = read_all(path)
    assert message.text == "hi\n13/01/21, 10:0"
    assert report.problems == []


def test_crlf_and_lf_mixed(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_bytes(
        b"13/01/21, 10:00 - Anna: one\r\ntwo\nthree\r\n13/01/21, 10:01 - Ben: four\r\n"
    )
    messages, _ = read_all(path)
    assert [m.text for m in messages] == ["one\ntwo\nthree", "four"]
