"""Properties of the WhatsApp reader: no crash, and valid chats read back exactly."""

from __future__ import annotations

import re
import tempfile
from datetime import datetime
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from classifier.errors import ExportError
from classifier.exports import ParseOptions, open_export, whatsapp
from classifier.exports._common import INVISIBLE
from classifier.records import KINDS, Message
from classifier.report import ParseReport

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _read(data: bytes, date_order: str | None = None, strict: bool = False):
    """Write ``data`` to a file and read it: (sniffed, messages, report)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chat.txt"
        path.write_bytes(data)
        export = open_export(path)
        try:
            sniffed = whatsapp.sniff(export)
            report = ParseReport(strict=strict)
            options = ParseOptions(date_order=date_order)
            messages = list(whatsapp.read(export, options, report))
        finally:
            export.close()
    return sniffed, messages, report


# ---------------------------------------------------------------------------
# Never crash

_digits = st.integers(0, 99).map(str) | st.integers(0, 9999).map(lambda n: f"{n:04d}")
_sep = st.sampled_from(["/", ".", "-", ":"])
_space = st.sampled_from([" ", "\u202f", "\u00a0", "", "  "])
_ampm = st.sampled_from(["", "AM", "pm", "a.m.", "p. m.", "p.\u00a0m.", "x"])
_sender = st.sampled_from(["Anna: ", "~\u202fAK: ", "", "Bob:", "\u200eGroup: \u200e"])
_body = st.sampled_from(
    [
        "hi",
        "",
        "\u200eimage omitted",
        "<Media omitted>",
        "This message was deleted",
        "POLL:",
        "OPTION: a (1 vote)",
        "Missed voice call",
        "ok <This message was edited>",
        'Anna created group "a: b"',
        "Messages and calls are end-to-end encrypted.",
        ".",
    ]
)


@st.composite
def header_like_lines(draw) -> str:
    """Lines that look more or less like WhatsApp headers, valid or not."""
    a, b, c = draw(_digits), draw(_digits), draw(_digits)
    sep = draw(_sep)
    date = f"{a}{sep}{b}{sep}{c}"
    time = f"{draw(st.integers(0, 99))}:{draw(st.integers(0, 99)):02d}"
    if draw(st.booleans()):
        time += f":{draw(st.integers(0, 99)):02d}"
    time += draw(_space) + draw(_ampm)
    comma = draw(st.sampled_from([", ", " ", ",", ""]))
    if draw(st.booleans()):
        head = f"[{date}{comma}{time}] "
    else:
        after = draw(st.sampled_from([" - ", " -", ". - ", ": ", " \u2013 "]))
        head = f"{date}{comma}{time}{after}"
    prefix = draw(st.sampled_from(["", "\ufeff", "\u200e"]))
    return prefix + head + draw(_sender) + draw(_body)


_any_line = st.text(max_size=40) | header_like_lines() | st.just("")


@SETTINGS
@given(
    lines=st.lists(_any_line, max_size=25),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    date_order=st.sampled_from([None, "dmy", "mdy", "ymd"]),
    strict=st.booleans(),
)
def test_reader_never_crashes(lines, newline, date_order, strict):
    data = newline.join(lines).encode("utf-8")
    try:
        sniffed, messages, report = _read(data, date_order, strict)
    except ExportError:
        return  # unreadable input, said clearly (includes DateOrderError, RecordError)
    assert isinstance(sniffed, bool)
    assert all(isinstance(m, Message) for m in messages)
    for message in messages:
        assert message.kind in KINDS
        assert message.timestamp.tzinfo is None and message.tz_known is False
        assert "\r" not in message.text
        assert message.message_id.startswith(message.conversation_id + "/")
    assert len({m.message_id for m in messages}) == len(messages)
    # Every header line gave a message or a problem, or is counted as text in a
    # layout the file does not use.
    text = data.decode("utf-8").removeprefix("\ufeff")
    headers = sum(
        1 for line in re.split(r"\r\n|\r|\n", text) if whatsapp._HEADER.match(line)
    )
    invalid = sum(1 for p in report.problems if p["reason"].startswith("invalid"))
    foreign = sum(
        int(found.group(1))
        for n in report.notes
        if (found := re.match(r"(\d+) line\(s\) look like message headers", n["note"]))
    )
    assert len(messages) + invalid + foreign == headers


@SETTINGS
@given(st.binary(max_size=300))
def test_sniff_never_raises_on_bytes(data):
    assume(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "blob.txt"
        path.write_bytes(data)
        export = open_export(path)
        try:
            assert isinstance(whatsapp.sniff(export), bool)
        finally:
            export.close()


# ---------------------------------------------------------------------------
# Valid chats read back exactly

_text_char = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters=INVISIBLE + "<"
)
_sender_char = st.characters(
    blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
    blacklist_characters=INVISIBLE + "~",
)
_names = st.lists(_sender_char, min_size=1, max_size=8).map("".join) | st.sampled_from(
    [
        "Anna",
        "Jonas Weber",
        "Prof. Oak",
        "Jessie & James",
        "+44 7700 900123",
        "🦊",
        "a-b",
    ]
)


@st.composite
def texts(draw) -> str:
    """A message text: one or more lines, blank lines inside but not at the end."""
    lines = draw(st.lists(st.text(_text_char, max_size=30), min_size=1, max_size=4))
    if len(lines) > 1 and not lines[-1]:
        lines[-1] = "end"
    assume(not any(whatsapp._HEADER.match(line) for line in lines[1:]))
    return "\n".join(lines)


@st.composite
def chats(draw):
    """A chat's messages and a way to write its headers."""
    order = draw(st.sampled_from(["dmy", "mdy", "ymd"]))
    long_year = draw(st.booleans())
    style = {
        "order": order,
        "long_year": long_year,
        "sep": draw(st.sampled_from(["/", ".", "-"])),
        "zero": draw(st.booleans()),
        "comma": draw(st.sampled_from([", ", " "])),
        "ios": draw(st.booleans()),
        "after": draw(st.sampled_from([" - ", ": "])),  # ": " before 2015
        "seconds": draw(st.booleans()),
        "clock": draw(st.sampled_from(["24", "AM", "am", "a.m.", "a. m."])),
        "space": draw(st.sampled_from([" ", "\u202f", "\u00a0"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "bom": draw(st.booleans()),
    }
    low = datetime(2000 if not long_year else 1990, 1, 1)
    moments = st.datetimes(min_value=low, max_value=datetime(2099, 12, 31, 23, 59, 59))
    messages = draw(
        st.lists(st.tuples(moments, _names, texts()), min_size=1, max_size=12)
    )
    drop = {"microsecond": 0} if style["seconds"] else {"microsecond": 0, "second": 0}
    return style, [
        (moment.replace(**drop), sender, text) for moment, sender, text in messages
    ]


def header(style: dict, moment: datetime) -> str:
    """Write one header in the given style."""
    year = f"{moment.year:04d}" if style["long_year"] else f"{moment.year % 100:02d}"
    form = "{:02d}" if style["zero"] else "{}"
    day, month = form.format(moment.day), form.format(moment.month)
    sep = style["sep"]
    if style["order"] == "dmy":
        date = f"{day}{sep}{month}{sep}{year}"
    elif style["order"] == "mdy":
        date = f"{month}{sep}{day}{sep}{year}"
    else:
        date = f"{year}{sep}{month}{sep}{day}"
    clock = style["clock"]
    hour = moment.hour
    if clock != "24":
        hour = hour % 12 or 12
    time = f"{form.format(hour)}:{moment.minute:02d}"
    if style["seconds"]:
        time += f":{moment.second:02d}"
    if clock != "24":
        marker = (
            clock if moment.hour < 12 else clock.replace("a", "p").replace("A", "P")
        )
        time += style["space"] + marker
    stamp = f"{date}{style['comma']}{time}"
    return f"[{stamp}] " if style["ios"] else f"{stamp}{style['after']}"


def _is_plain_sender(name: str) -> bool:
    return (
        ": " not in name
        and whatsapp._clean_sender(name) == name
        and not whatsapp._SYSTEM_SENDER.search(name)
    )


@SETTINGS
@given(chats())
def test_valid_chats_read_back_exactly(chat):
    style, messages = chat
    for _, sender, _ in messages:
        assume(_is_plain_sender(sender))
    lines = [
        header(style, moment) + f"{sender}: {text}" for moment, sender, text in messages
    ]
    body = style["newline"].join(line.replace("\n", style["newline"]) for line in lines)
    data = ("\ufeff" if style["bom"] else "") + body + style["newline"]
    sniffed, got, report = _read(data.encode("utf-8"), date_order=style["order"])
    assert sniffed
    assert [(m.timestamp, m.sender, m.text, m.kind) for m in got] == [
        (moment, sender, text, "message") for moment, sender, text in messages
    ]
    assert report.problems == []
    assert len({m.message_id for m in got}) == len(got)


# ---------------------------------------------------------------------------
# Ids stay unique however far apart identical messages are


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(0, 7), st.sampled_from(["Anna", "Ben"]), st.sampled_from("ab")
        ),
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 4),
)
def test_ids_unique_whatever_the_window(items, window):
    """Repeats older than the id window (made tiny here) still get new ids."""
    lines = [f"13/01/21, 10:0{minute} - {who}: {text}" for minute, who, text in items]

    def ids(count: int) -> list[str]:
        data = ("\n".join(lines[:count]) + "\n").encode()
        with mock.patch.object(whatsapp, "_ID_WINDOW", window):
            _, messages, _ = _read(data)
        # The conversation part comes from the temporary folder's name.
        return [m.message_id.split("/", 1)[1] for m in messages]

    first = ids(len(lines))
    assert len(first) == len(items)
    assert len(set(first)) == len(first)
    assert ids(len(lines)) == first
    # Later lines never change the ids of earlier ones.
    assert ids(5) == first[:5]
