"""The message table: every field survives JSONL, CSV and Parquet; writes are atomic."""

from __future__ import annotations

import csv
import gc
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from classifier.errors import TableError
from classifier.records import (
    COLUMNS,
    Message,
    message_from_dict,
    output_format,
    reaction,
    read_table,
    table_writer,
    write_table,
)

FORMATS = ["jsonl", "csv", "parquet"]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


AWARE = Message(
    conversation_id="telegram-123",
    message_id="telegram-123/42",
    timestamp=utc(2024, 1, 5, 9, 0, 1, 250_000),
    tz_known=True,
    sender="Anna Berg",
    text='First line, with a comma\nsecond "quoted" line\r\nthird\ttabbed',
    kind="message",
    sender_id="user777",
    reply_to="telegram-123/41",
    reactions=[reaction("👍", "Ben", None, 1), reaction("❤️", None, None, 3)],
    edited=True,
    edited_at=utc(2024, 1, 5, 9, 3),
    read_at=utc(2024, 1, 5, 10, 0, 0, 1),
    read_by="you",
    conversation_name='Anna & Ben, "the" chat',
    source="result.json:messages[3]",
)
NAIVE = Message(
    conversation_id="whatsapp-chat",
    message_id="whatsapp-chat/0a1b2c3d4e5f",
    timestamp=datetime(2019, 6, 20, 16, 0, 15),
    tz_known=False,
    sender="👩‍👩‍👧 family",
    text="",
    kind="media",
    reactions=[reaction("😂", "Chloé", datetime(2019, 6, 20, 16, 1), 1)],
    edited_at=datetime(2019, 6, 20, 16, 5),
    read_at=datetime(2019, 6, 20, 16, 6),
    source="_chat.txt:17",
)
BARE = Message(
    conversation_id="slack-C0BMQB6JE",
    message_id="slack-C0BMQB6JE/1452800000.000002",
    timestamp=utc(2016, 1, 14, 19, 33, 20),
    tz_known=True,
    sender="",
    text="\u200fعربي mixed ltr\u200e, 中文, \x00nul and \u2028separator\u2029",
    kind="system",
    conversation_name="",
    source="general/2016-01-14.json:messages[0]",
)
# Reaction times with a zone: Parquet stores them naive UTC and must restore the zone.
AWARE_REACTION_TIME = Message(
    conversation_id="signal-anna",
    message_id="signal-anna/7",
    timestamp=utc(2023, 5, 1, 18, 4, 9),
    tz_known=True,
    sender="Me",
    text="ok",
    reactions=[reaction("👍", "Anna", utc(2023, 5, 1, 18, 5), 1)],
    source="chat.md:7",
)
MESSAGES = [AWARE, NAIVE, BARE]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_every_field(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"table.{fmt}"
    assert write_table(MESSAGES, path) == 3
    back = list(read_table(path))
    assert back == MESSAGES
    for original, copy in zip(MESSAGES, back, strict=True):
        # An aware and a naive datetime are never ==, but say so plainly on failure.
        assert (copy.timestamp.tzinfo is None) == (original.timestamp.tzinfo is None)
        for name in ("edited_at", "read_at"):
            value, expected = getattr(copy, name), getattr(original, name)
            assert (value is None) == (expected is None)
            if value is not None:
                assert (value.tzinfo is None) == (expected.tzinfo is None)
        assert copy.timestamp.tzinfo in (None, timezone.utc)


@pytest.mark.parametrize(
    "fmt",
    [
        "jsonl",
        "csv",
        "parquet",
    ],
)
def test_round_trip_keeps_reaction_time_zone(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"table.{fmt}"
    write_table([AWARE_REACTION_TIME], path)
    assert list(read_table(path)) == [AWARE_REACTION_TIME]


def test_written_forms(tmp_path: Path) -> None:
    write_table(MESSAGES, tmp_path / "t.jsonl")
    first = orjson.loads((tmp_path / "t.jsonl").read_bytes().splitlines()[0])
    assert list(first) == list(COLUMNS)
    assert first["timestamp"] == "2024-01-05T09:00:01.250000+00:00"
    assert first["reactions"][0] == {"emoji": "👍", "by": "Ben", "at": None, "count": 1}

    write_table(MESSAGES, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 4  # multi-line text stays inside one quoted record
    assert rows[2][COLUMNS.index("timestamp")] == "2019-06-20T16:00:15"
    assert rows[2][COLUMNS.index("tz_known")] == "false"


def test_empty_optional_strings_read_back_as_none(tmp_path: Path) -> None:
    """The table has no empty-string ids: '' and None are both 'absent'."""
    message = Message("c", "c/1", utc(2024, 1, 1), True, "a", "b", sender_id="")
    for fmt in FORMATS:
        write_table([message], tmp_path / f"t.{fmt}")
        (back,) = read_table(tmp_path / f"t.{fmt}")
        assert back.sender_id is None


def test_empty_table_round_trips(tmp_path: Path) -> None:
    for fmt in FORMATS:
        assert write_table([], tmp_path / f"t.{fmt}") == 0
        assert list(read_table(tmp_path / f"t.{fmt}")) == []


# ---------------------------------------------------------------------------
# Atomic output


class Boom(Exception):
    pass


# A failed Parquet write leaves pyarrow's writer to complain when it is collected:
# test_failed_parquet_write_closes_its_writer records that bug.
unclosed_parquet_writer = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning"
)


@unclosed_parquet_writer
@pytest.mark.parametrize("fmt", FORMATS)
def test_failure_inside_table_writer_leaves_no_file(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    with pytest.raises(Boom), table_writer(target) as sink:
        sink.write(MESSAGES)
        raise Boom
    assert list(tmp_path.iterdir()) == []


@unclosed_parquet_writer
@pytest.mark.parametrize("fmt", FORMATS)
def test_failing_message_stream_keeps_the_old_file(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    write_table([AWARE], target)
    before = target.read_bytes()

    def messages() -> Iterator[Message]:
        yield from MESSAGES * 3000  # more than one batch reaches the sink
        raise Boom

    with pytest.raises(Boom):
        write_table(messages(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_unwritable_folder_is_a_table_error(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="cannot write output"):
        write_table(MESSAGES, tmp_path / "missing" / "out.jsonl")


# ---------------------------------------------------------------------------
# Formats and errors


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (None, "jsonl"),
        ("-", "jsonl"),
        ("a.jsonl", "jsonl"),
        ("a.NDJSON", "jsonl"),
        ("a.json", "jsonl"),
        ("a.CSV", "csv"),
        ("a.parquet", "parquet"),
        ("a.pq", "parquet"),
    ],
)
def test_output_format(path: str | None, fmt: str) -> None:
    assert output_format(path) == fmt


@pytest.mark.parametrize("path", ["out.txt", "out.xlsx", "out"])
def test_output_format_rejects_unknown_extension(path: str) -> None:
    with pytest.raises(TableError, match=r"use \.jsonl, \.csv or \.parquet"):
        output_format(path)


def test_read_table_names_bad_jsonl_line(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    write_table([AWARE], path)
    with open(path, "ab") as stream:
        stream.write(b"\n[1, 2]\n")
    with pytest.raises(TableError, match=r"t\.jsonl:3: expected a JSON object"):
        list(read_table(path))
    path.write_bytes(
        b'{"timestamp": "2024-01-01", "sender": "a", "text": "b"}\n{oops\n'
    )
    with pytest.raises(TableError, match=r"t\.jsonl:2: not valid JSON"):
        list(read_table(path))


def test_message_from_dict_defaults_and_missing_column() -> None:
    message = message_from_dict(
        {"timestamp": "2024-01-05T09:00:00", "sender": "a", "text": "b"}, "x:1"
    )
    assert message.tz_known is False and message.kind == "message"
    assert message.source == "x:1"
    aware = message_from_dict({"timestamp": 1704445200, "sender": "a", "text": "b"})
    assert aware.timestamp == utc(2024, 1, 5, 9) and aware.tz_known
    millis = message_from_dict({"timestamp": "1704445200500", "sender": "", "text": ""})
    assert millis.timestamp == utc(2024, 1, 5, 9, 0, 0, 500_000)
    forced = message_from_dict(
        {"timestamp": "2024-01-05 09:00", "tz_known": "true", "sender": "", "text": ""}
    )
    assert forced.timestamp == utc(2024, 1, 5, 9)
    with pytest.raises(TableError, match="x:2: missing column 'text'"):
        message_from_dict({"timestamp": "2024-01-05", "sender": "a"}, "x:2")


# ---------------------------------------------------------------------------
# Bugs once found in records.py, kept as regression tests


@pytest.mark.parametrize("value", [1e20, "9" * 30, "0001-01-01T00:00:00+01:00"])
def test_out_of_range_time_is_a_table_error(value: object) -> None:
    with pytest.raises(TableError):
        message_from_dict({"timestamp": value, "sender": "", "text": ""}, "x:1")


def test_offset_time_is_always_tz_known() -> None:
    message = message_from_dict(
        {
            "timestamp": "2024-01-05T09:00:00+02:00",
            "tz_known": "false",
            "sender": "",
            "text": "",
        }  # fmt: skip
    )
    assert message.timestamp == utc(2024, 1, 5, 7)
    assert message.tz_known is True


def test_csv_round_trips_a_long_message(tmp_path: Path) -> None:
    long = Message("c", "c/1", utc(2024, 1, 1), True, "a", "x" * 200_000, source="s")
    write_table([long], tmp_path / "t.csv")
    # The limit is process-wide and the table reader raises it: use the default.
    previous = csv.field_size_limit(131_072)
    try:
        assert list(read_table(tmp_path / "t.csv")) == [long]
    finally:
        csv.field_size_limit(previous)


def test_non_utf8_csv_is_a_table_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"timestamp,sender,text\n2024-01-01,Zo\xeb,hi\n")
    with pytest.raises(TableError):
        list(read_table(path))


@pytest.mark.parametrize(
    "row",
    [
        {"timestamp": "meet me at the usual place", "sender": "", "text": ""},
        {"timestamp": "2024-01-01", "sender": "", "text": "", "kind": "private words"},
        {"timestamp": "2024-01-01", "sender": "", "text": "", "edited": "secret"},
    ],
)
def test_errors_do_not_quote_values(row: dict[str, str]) -> None:
    with pytest.raises(TableError) as caught:
        message_from_dict(row, "x:1")
    for word in ("usual place", "private", "secret"):
        assert word not in str(caught.value)


def test_failed_parquet_write_closes_its_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(Boom), table_writer(tmp_path / "out.parquet") as sink:
        sink.write(MESSAGES)
        raise Boom
    del sink
    gc.collect()
    assert unraisable == []
