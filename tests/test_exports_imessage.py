"""Tests for the imessage-exporter reader (TXT and HTML)."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

import classifier
from classifier.errors import ExportError, RecordError, UnknownFormatError
from classifier.exports import imessage, open_export
from classifier.exports._common import ParseOptions
from classifier.records import Message
from classifier.report import ParseReport

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "exports" / "imessage"
ONE_TO_ONE = SAMPLES / "dbiR_+15550000001.txt"
GROUP = SAMPLES / "dbiR_groupchat_two_handles.txtin"
HTML = SAMPLES / "imessage-exporter_example.html"
SYNTHETIC = FIXTURES / "synthetic" / "imessage" / "Sam Rivera, Jo Park.txt"


def read(path: Path, strict: bool = False) -> tuple[list[Message], ParseReport]:
    report = ParseReport(strict=strict)
    export = open_export(path)
    try:
        return list(imessage.read(export, ParseOptions(strict=strict), report)), report
    finally:
        export.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def taps(message: Message) -> list[tuple[str, str | None]]:
    return [(r["emoji"], r["by"]) for r in message.reactions]


def test_sniff_claims_the_samples_and_folders():
    for path in (ONE_TO_ONE, GROUP, HTML, SYNTHETIC, SAMPLES, SYNTHETIC.parent):
        assert imessage.sniff(open_export(path)), path


# --- dbiR one-to-one TXT (single space before the hour, unpadded day) ---------


def test_one_to_one_txt_exactly():
    messages, report = read(ONE_TO_ONE)
    assert len(messages) == 17
    assert Counter(m.kind for m in messages) == {"message": 17}
    assert Counter(m.sender for m in messages) == {"Me": 10, "Alice Test": 7}
    assert messages[0].timestamp == datetime(2024, 1, 5, 9, 0)
    assert messages[0].text == (
        "good morning! i was just thinking about that hike we talked about doing "
        "this spring"
    )
    assert messages[-1].timestamp == datetime(2024, 1, 20, 21, 30)
    assert (messages[-1].sender, messages[-1].text) == (
        "Alice Test",
        "tomorrow is fine",
    )
    assert [m.text for m in messages if m.sender == "Alice Test"] == [
        "oh yeah maybe",
        "cool",
        "busy",
        "ha thanks",
        "lol",
        "hey do you still have my charger",
        "tomorrow is fine",
    ]
    # 2:00:00 PM is 14:00; the only read receipt is exact.
    assert messages[3].timestamp == datetime(2024, 1, 5, 14, 0)
    assert [(m.read_at, m.read_by) for m in messages if m.read_at] == [
        (datetime(2024, 1, 5, 11, 30, 4), "you")
    ]
    assert messages[1].timestamp == datetime(2024, 1, 5, 11, 30)
    assert all(m.tz_known is False for m in messages)
    assert {m.conversation_id for m in messages} == {"imessage-dbir-15550000001"}
    assert {m.conversation_name for m in messages} == {"dbiR_+15550000001"}
    assert [m.source.rsplit(":", 1)[1] for m in messages[:3]] == ["1", "5", "9"]
    assert len({m.message_id for m in messages}) == 17
    assert all(
        not m.reactions and m.reply_to is None and not m.edited for m in messages
    )
    assert report.problems == [] and report.notes == []
    assert [(d["what"], d["value"]) for d in report.decisions] == [("exporter", "Me")]


def test_group_txt_with_bare_handles():
    messages, report = read(GROUP)
    assert [(m.timestamp, m.sender, m.text) for m in messages] == [
        (datetime(2024, 5, 1, 12, 0), "Me", "group dinner friday?"),
        (datetime(2024, 5, 1, 12, 5), "+13105550001", "im in"),
        (datetime(2024, 5, 1, 12, 10), "+13105550002", "same, where are we thinking"),
        (datetime(2024, 5, 1, 12, 15), "Me", "that thai place on fifth"),
    ]
    assert {m.conversation_id for m in messages} == {
        "imessage-dbir-groupchat-two-handles"
    }
    assert report.problems == []


def test_public_parse_with_forced_format():
    report = ParseReport()
    messages = list(classifier.parse([GROUP], format="imessage", report=report))
    assert len(messages) == 4
    assert report.inputs[0]["format"] == "imessage"
    again = list(classifier.parse([GROUP], format="imessage"))
    assert [m.message_id for m in messages] == [m.message_id for m in again]


# --- the imessage-exporter example HTML ----------------------------------------


def test_example_html_exactly():
    messages, report = read(HTML)
    assert len(messages) == 11
    assert Counter(m.kind for m in messages) == {"message": 10, "system": 1}
    assert [(m.timestamp.strftime("%H:%M:%S"), m.sender) for m in messages] == [
        ("17:04:04", "Me"),
        ("17:04:05", "Me"),
        ("17:04:50", "Me"),
        ("17:31:49", "steve@icloud.com"),
        ("17:32:03", "Me"),
        ("17:35:03", "+15558675309"),
        ("17:37:53", "Me"),
        ("17:40:03", "+15558675309"),
        ("17:44:25", "Me"),
        ("17:45:03", "+15558675309"),
        ("17:47:37", "Me"),
    ]
    assert messages[0].timestamp == datetime(2022, 7, 17, 17, 4, 4)
    assert messages[-1].timestamp == datetime(2022, 7, 17, 17, 47, 37)
    first, app, announcement, steve, r1, r2, r3, disliked, dedupe, edited, sms = (
        messages
    )
    # Subject line first, then the bubble.
    assert first.text == (
        "iMessage Data Exporter\nHey, did you see that new iMessage Rust project? "
        "You can export your message history to portable formats!"
    )
    assert taps(first) == [("❓", "+15558675309")]
    assert app.text == "https://github.com/ReagentX/imessage-exporter"
    assert (announcement.kind, announcement.text) == (
        "system",
        "You renamed the conversation to 🦀 iMessage Exporter 🦀",
    )
    # Read receipts: timestamp plus the written-out duration.
    assert [(m.read_at, m.read_by) for m in messages if m.read_at] == [
        (datetime(2022, 7, 17, 17, 31, 54), "you"),
        (datetime(2022, 7, 17, 17, 36, 6), "you"),
        (datetime(2022, 7, 17, 17, 43, 4), "you"),
    ]
    assert (steve.read_at, r2.read_at, disliked.read_at) == (
        datetime(2022, 7, 17, 17, 31, 54),
        datetime(2022, 7, 17, 17, 36, 6),
        datetime(2022, 7, 17, 17, 43, 4),
    )
    # Nested replies point at their parent and sit at their own time.
    assert [r1.reply_to, r2.reply_to, r3.reply_to] == [steve.message_id] * 3
    assert edited.reply_to == dedupe.message_id
    assert [
        m.reply_to for m in (first, app, announcement, steve, disliked, dedupe, sms)
    ] == [None] * 7
    # Tapbacks, including the sticker tapback.
    assert taps(r1) == [("sticker", "Me"), ("❤️", "+15558675309")]
    assert taps(r2) == [("👍", "Me")]
    assert taps(r3) == [("‼️", "steve@icloud.com")]
    assert taps(disliked) == [("👎", "Me")]
    assert taps(dedupe) == [("👍", "steve@icloud.com"), ("❤️", "+15558675309")]
    assert sum(len(m.reactions) for m in messages) == 8
    # A reply with text and a photo stays a message.
    assert (r3.kind, r3.text) == (
        "message",
        "Yes, even those! They get converted to JPEG.",
    )
    # Edit history: final text, edited 9 seconds after it was sent.
    assert (edited.text, edited.edited, edited.edited_at) == (
        "That's amazing!",
        True,
        datetime(2022, 7, 17, 17, 45, 12),
    )
    assert [m for m in messages if m.edited] == [edited]
    assert sms.text.startswith("Hang on guys")
    assert {m.conversation_id for m in messages} == {
        "imessage-imessage-exporter-example"
    }
    assert len({m.message_id for m in messages}) == 11
    assert first.source.endswith("imessage-exporter_example.html:6")
    assert report.problems == [] and report.notes == []


# --- synthetic TXT in the real layout ------------------------------------------


def test_synthetic_txt_in_real_layout():
    messages, report = read(SYNTHETIC)
    assert [
        (m.timestamp.strftime("%H:%M:%S"), m.sender, m.kind, m.text) for m in messages
    ] == [
        ("09:05:12", "Me", "message", "hey, are you around this weekend?"),
        ("09:07:30", "Me", "message", "also I found your scarf"),
        (
            "09:08:01",
            "Me",
            "message",
            "it was under the couch\n\nno idea how it got there",
        ),
        ("09:15:44", "Sam Rivera", "deleted", "sorry wrong chat"),
        ("09:20:40", "Sam Rivera", "message", "maybe sunday? saturday is packed"),
        ("09:21:02", "Me", "message", "sunday works"),
        ("10:02:13", "Jo Park", "media", "IMG_5512.HEIC"),
        ("10:02:40", "Me", "media", "sticker.heic"),
        ("10:30:00", "Me", "message", "can't wait"),
        ("11:00:00", "Me", "system", "You renamed the conversation to Sunday plans"),
        (
            "11:05:10",
            "Jo Park",
            "deleted",
            "They unsent this message part 1 minute, 5 seconds after sending!",
        ),
    ]
    hey, edit, _, _, reply1, reply2, photo, _, _, _, _ = messages
    assert taps(hey) == [("👍", "Sam Rivera")]
    assert taps(reply2) == [("❤️", "Sam Rivera")]
    assert taps(photo) == [("☕️", "Me"), ("😂", "Sam Rivera")]
    assert reply1.reply_to == hey.message_id and reply2.reply_to == hey.message_id
    assert sum(m.reply_to is not None for m in messages) == 2
    assert (reply1.read_at, reply1.read_by) == (datetime(2024, 3, 3, 9, 22, 45), "you")
    assert (edit.read_at, edit.read_by) == (datetime(2024, 3, 3, 10, 10, 39), "them")
    assert (edit.edited, edit.edited_at) == (True, datetime(2024, 3, 3, 9, 7, 42))
    # The reply kept at its place in time carries that copy's line.
    assert reply1.source.endswith("Sam Rivera, Jo Park.txt:36")
    assert {m.conversation_id for m in messages} == {"imessage-sam-rivera-jo-park"}
    assert {m.conversation_name for m in messages} == {"Sam Rivera, Jo Park"}
    assert report.problems == []
    assert [n["note"] for n in report.notes] == [
        "2 replies appear both under their parent and at their own time; each "
        "pair was merged into one row"
    ]


def test_reply_whose_parent_is_missing(tmp_path):
    text = (
        "Jan 02, 2024 12:05:00 AM\nMe\nanswering something older\n"
        "This message responded to an earlier message.\n\n"
        "Jan 02, 2024 12:06:00 AM\nKim\nok\n"
    )
    messages, report = read(write(tmp_path, "Kim.txt", text))
    assert [(m.timestamp, m.reply_to) for m in messages] == [
        (datetime(2024, 1, 2, 0, 5), None),
        (datetime(2024, 1, 2, 0, 6), None),
    ]
    assert report.notes[0]["note"].startswith("1 messages are marked as replies")


# --- newer HTML layout (GUIDs, div.tapbacks, reply ids) -------------------------

NEW_HTML = FIXTURES / "synthetic" / "imessage" / "Kim, Lee.html"


def test_newer_html_layout():
    path = NEW_HTML
    assert imessage.sniff(open_export(path))
    messages, report = read(path)
    cid = "imessage-kim-lee"
    assert [(m.message_id, m.sender, m.kind, m.text) for m in messages] == [
        (f"{cid}/AAA-1", "Me", "message", "first line\nsecond line"),
        (f"{cid}/BBB-2", "Kim", "message", "a reply"),
        (f"{cid}/CCC-3", "Lee", "deleted", "oops"),
        (
            f"{cid}/DDD-4",
            "Lee",
            "deleted",
            "Lee unsent this message part 5 seconds after sending!",
        ),
        (f"{cid}/EEE-5", "Me", "media", "IMG_0001.jpeg"),
        (messages[5].message_id, "Me", "system", "You named the conversation Trip"),
        (messages[6].message_id, "Kim", "deleted", "Kim unsent a message."),
    ]
    assert taps(messages[0]) == [("😂", "Kim"), ("☕️", "Lee")]
    assert (messages[0].read_at, messages[0].read_by) == (
        datetime(2022, 5, 17, 17, 30, 42),
        "them",
    )
    assert messages[1].reply_to == f"{cid}/AAA-1"
    assert messages[1].source.endswith(":33")  # the in-place copy, not the nested one
    assert [m.reply_to for m in messages[2:]] == [None] * 5
    assert report.problems == []
    assert "merged into one row" in report.notes[0]["note"]


# --- folders and zips -----------------------------------------------------------


def test_zip_of_an_export_folder(tmp_path):
    archive = tmp_path / "imessage_export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(ONE_TO_ONE, "imessage_export/+15550000001.txt")
        z.write(HTML, "imessage_export/Steve.html")
        z.writestr("imessage_export/attachments/1/IMG_1.jpeg", b"\xff\xd8\xff")
        z.writestr("imessage_export/notes.txt", "not a conversation\n")
    assert imessage.sniff(open_export(archive))
    messages, report = read(archive)
    assert Counter(m.conversation_id for m in messages) == {
        "imessage-15550000001": 17,
        "imessage-steve": 11,
    }
    assert report.notes == [
        {
            "where": str(archive),
            "note": "1 .txt/.html files are not imessage-exporter conversations "
            "and were skipped",
        }
    ]


# --- bad input --------------------------------------------------------------------


def test_truncated_txt_reports_the_header_without_sender(tmp_path):
    cut = ONE_TO_ONE.read_text(encoding="utf-8").split("Alice Test\ntomorrow is fine")[
        0
    ]
    path = write(tmp_path, "cut.txt", cut)
    messages, report = read(path)
    assert len(messages) == 16
    assert report.problems == [
        {
            "where": f"{path}:65",
            "reason": "a message timestamp with no sender line after it",
        }
    ]
    with pytest.raises(RecordError) as excinfo:
        read(path, strict=True)
    assert excinfo.value.where == f"{path}:65"


def test_truncated_html_reports_the_cut_message(tmp_path):
    text = HTML.read_text(encoding="utf-8")
    cut = text[
        : text.index("Jul 17, 2022 5:47:37 PM</span>")
        + len("Jul 17, 2022 5:47:37 PM</span>")
    ]
    path = write(tmp_path, "cut.html", cut)
    messages, report = read(path)
    assert len(messages) == 10
    assert report.problems == [
        {"where": f"{path}:176", "reason": "a message without a sender"}
    ]


def test_impossible_dates_and_stray_text(tmp_path):
    text = (
        "stray line\n\n"
        "Feb 30, 2024  9:00:00 AM\nMe\nnever was\n\n"
        "Mar 01, 2024 13:00:00 PM\nMe\nno such hour\n\n"
        "Mar 01, 2024  9:00:00 AM (Read by you after 3 fortnights)\nKim\nfine\n"
    )
    path = write(tmp_path, "odd.txt", text)
    messages, report = read(path)
    assert [(m.text, m.read_at, m.read_by) for m in messages] == [("fine", None, "you")]
    assert [(p["where"].rsplit(":", 1)[1], p["reason"]) for p in report.problems] == [
        ("1", "text outside any message (no timestamp line before it)"),
        ("3", "the timestamp line holds an impossible date or time"),
        ("7", "the timestamp line holds an impossible date or time"),
        ("11", "read receipt duration not understood; read_at left empty"),
    ]
    assert not any("read_at" in n["note"] for n in report.notes)
    # No message text leaks into the report.
    assert "never was" not in json.dumps(report.to_dict())


def test_files_that_are_not_imessage(tmp_path):
    other = write(tmp_path, "chat.txt", "[2021-01-30 20:49:12] Anna: Hej\n")
    assert not imessage.sniff(open_export(other))
    with pytest.raises(UnknownFormatError):
        list(classifier.parse([other], format="imessage"))
    with pytest.raises(ExportError) as excinfo:
        read(other)
    assert excinfo.value.where == str(other)
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02\xff")
    assert not imessage.sniff(open_export(binary))
    assert not imessage.sniff(
        open_export(FIXTURES / "exports" / "signal" / "chatminer_test_export.txt")
    )


def test_older_txt_reactions_heading_and_sticker_tapbacks(tmp_path):
    text = (
        "Jan 02, 2024  9:00:00 AM\nMe\nsee you there\nReactions:\n"
        "Emphasized by Kim\n"
        "Sticker from Kim: /Users/me/Library/Messages/StickerCache/x/y.heic\n"
        "Reacted 🎉 by Lee\n\n\n"
        "Jan 02, 2024  9:01:00 AM\nKim\nhttps://example.com/photo.jpg\n\n"
        "Jan 02, 2024  9:02:00 AM\nKim\n"
        "/Users/me/Library/Messages/Attachments/ab/11/X/IMG_0002.HEIC\n"
        "Transcription: call me back\n"
    )
    messages, report = read(write(tmp_path, "Kim.txt", text))
    assert taps(messages[0]) == [("‼️", "Kim"), ("sticker", "Kim"), ("🎉", "Lee")]
    assert (messages[1].kind, messages[1].text) == (
        "message",
        "https://example.com/photo.jpg",
    )
    assert (messages[2].kind, messages[2].text) == ("media", "call me back")
    assert report.problems == []


def test_lost_edit_times_and_tapbacks_are_problems(tmp_path):
    text = (
        "Mar 01, 2024  9:00:00 AM\nMe\n"
        "Mar 01, 2024  9:00:00 AM first words\n"
        "Edited a fortnight later: second words\n"
    )
    path = write(tmp_path, "edit.txt", text)
    messages, report = read(path)
    assert [(m.text, m.edited, m.edited_at) for m in messages] == [
        ("second words", True, None)
    ]
    assert report.problems == [
        {
            "where": f"{path}:1",
            "reason": "edit delay not understood; edited_at left empty",
        }
    ]
    with pytest.raises(RecordError):
        read(path, strict=True)

    html = (NEW_HTML).read_text(encoding="utf-8")
    odd = html.replace(
        '<div class="tapback"><span class="tapback"><b>Laughed</b> by Kim</span></div>',
        '<div class="tapback"><span class="tapback">shrugged at it</span></div>',
    )
    assert odd != html
    path = write(tmp_path, "Kim, Lee.html", odd)
    messages, report = read(path)
    assert taps(messages[0]) == [("☕️", "Lee")]
    assert [p["reason"] for p in report.problems] == [
        "a tapback that could not be read was left out"
    ]
    assert not any("tapback" in n["note"] for n in report.notes)
