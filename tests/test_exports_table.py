"""The plain message-table reader: CSV, JSONL and Parquet in our columns or mapped."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import classifier
from classifier.cli import cli
from classifier.errors import ExportError, RecordError
from classifier.exports import detect_format, open_export
from classifier.exports._common import ParseOptions
from classifier.exports.table import read, sniff
from classifier.records import Message, reaction, read_table, write_table
from classifier.report import ParseReport

FIXTURES = Path(__file__).parent / "fixtures"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def read_all(
    path: Path, report: ParseReport | None = None, **columns: str
) -> list[Message]:
    report = report if report is not None else ParseReport()
    export = open_export(path)
    try:
        assert sniff(export)
        return list(read(export, ParseOptions(columns=columns), report))
    finally:
        export.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# Rows as `reread parse` writes them, with every field set somewhere.
PARSED = [
    Message(
        conversation_id="telegram-123",
        message_id="telegram-123/1",
        timestamp=utc(2024, 1, 5, 9, 0, 1, 250_000),
        tz_known=True,
        sender="Anna",
        text='line one, "quoted"\nline two',
        sender_id="user1",
        reactions=[reaction("👍", "Ben", utc(2024, 1, 5, 9, 2), 1), reaction("❤️")],
        edited=True,
        edited_at=utc(2024, 1, 5, 9, 3),
        read_at=utc(2024, 1, 5, 9, 4),
        read_by="you",
        conversation_name="Anna & Ben",
        source="result.json:messages[0]",
    ),
    Message(
        conversation_id="telegram-123",
        message_id="telegram-123/2",
        timestamp=utc(2024, 1, 5, 9, 5),
        tz_known=True,
        sender="Ben",
        text="",
        kind="media",
        reply_to="telegram-123/1",
        conversation_name="Anna & Ben",
        source="result.json:messages[1]",
    ),
    Message(
        conversation_id="whatsapp-chat",
        message_id="whatsapp-chat/0a1b2c3d4e5f",
        timestamp=datetime(2019, 6, 20, 16, 0, 15),
        tz_known=False,
        sender="",
        text='Anna created group "Trip" 🎉',
        kind="system",
        conversation_name="",
        source="_chat.txt:1",
    ),
]


# ---------------------------------------------------------------------------
# Our own output reads back unchanged


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_parse_output_reads_back_identically(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"messages.{fmt}"
    write_table(PARSED, path)
    export = open_export(path)
    assert detect_format(export) == "table"
    report = ParseReport()
    assert read_all(path, report) == PARSED
    assert report.problems == [] and report.notes == [] and report.decisions == []
    assert list(classifier.parse([path])) == PARSED


def test_parse_of_parse_output_is_byte_identical(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    write_table(PARSED * 1, first)
    write_table(classifier.parse([first]), second)
    assert second.read_bytes() == first.read_bytes()


def test_fast_and_general_jsonl_paths_agree(tmp_path: Path) -> None:
    """Rows in our exact form skip message_from_dict; the result must be the same."""
    base = orjson.loads(orjson.dumps(PARSED[1]))
    variants = [
        base,
        {**base, "message_id": "telegram-123/3",
         "timestamp": "2024-01-05T11:05:00+02:00"},
        {**base, "message_id": "telegram-123/4", "tz_known": False,
         "timestamp": "2024-01-05T09:05:00"},
        {**base, "message_id": "telegram-123/5", "tz_known": True,
         "timestamp": "2024-01-05T09:05:00"},
        {**base, "message_id": "telegram-123/6", "sender_id": "", "read_by": ""},
        {**base, "message_id": "telegram-123/7", "kind": "Media "},
        {**base, "message_id": "telegram-123/8", "sender_id": 42},
        {**base, "message_id": "9", "reply_to": "1"},
        {**base, "message_id": "telegram-123/10", "source": ""},
        {**base, "message_id": "telegram-123/11", "edited": "true"},
        {**base, "message_id": "telegram-123/12", "timestamp": "1704445200"},
    ]  # fmt: skip
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(row) for row in variants))
    fast = read_all(path)
    general = read_all(path, text="text")  # any mapping turns the fast path off
    assert fast == general
    assert len(fast) == len(variants)
    assert fast[1].timestamp == utc(2024, 1, 5, 9, 5)
    assert fast[2].timestamp == datetime(2024, 1, 5, 9, 5) and not fast[2].tz_known
    assert fast[3].timestamp == utc(2024, 1, 5, 9, 5) and fast[3].tz_known
    assert fast[4].sender_id is None and fast[4].read_by is None
    assert fast[5].kind == "media"
    assert fast[6].sender_id == "42"
    assert (fast[7].message_id, fast[7].reply_to) == (
        "telegram-123/9",
        "telegram-123/1",
    )
    assert fast[8].source == f"{path}:9"
    assert fast[9].edited is True
    assert fast[10].timestamp == utc(2024, 1, 5, 9) and fast[10].tz_known


def test_parquet_reaction_times_keep_their_zone(tmp_path: Path) -> None:
    """write_table stores them naive UTC; read_table loses the zone, this does not."""
    path = tmp_path / "t.parquet"
    write_table(PARSED[:1], path)
    (message,) = read_all(path)
    assert message.reactions[0]["at"] == utc(2024, 1, 5, 9, 2)


# ---------------------------------------------------------------------------
# Mapping columns and missing columns


def test_mapped_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "export.csv",
        "ts,author,body,thread,mid,parent,type,extra\n"
        "2024-01-05T09:00:00Z,Anna,hi,t1,m1,,message,x\n"
        "2024-01-05T09:01:00Z,Ben,hello back,t1,m2,m1,message,y\n"
        "2024-01-05T09:02:00Z,Ben,,t2,m1,,media,z\n",
    )
    report = ParseReport()
    rows = read_all(
        path, report, timestamp="ts", sender="author", text="body",
        conversation_id="thread", message_id="mid", reply_to="parent", kind="type",
    )  # fmt: skip
    assert [(m.conversation_id, m.message_id, m.reply_to) for m in rows] == [
        ("t1", "t1/m1", None),
        ("t1", "t1/m2", "t1/m1"),
        ("t2", "t2/m1", None),  # the same native id in another conversation
    ]
    assert [m.sender for m in rows] == ["Anna", "Ben", "Ben"]
    assert [m.kind for m in rows] == ["message", "message", "media"]
    assert rows[0].timestamp == utc(2024, 1, 5, 9) and rows[0].tz_known
    assert rows[0].conversation_name == "export"
    assert rows[0].source == f"{path}:2"
    assert report.problems == []
    assert report.notes == [{"where": str(path), "note": "columns not read: extra"}]


def test_cli_maps_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "chat.csv", "when,who,what\n1704445200,Anna,hi\n")
    result = CliRunner().invoke(
        cli,
        [
            "parse",
            str(path),
            "--time-col",
            "when",
            "--sender-col",
            "who",
            "--text-col",
            "what",
            "-q",
        ],  # fmt: skip
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (row,) = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert row["timestamp"] == "2024-01-05T09:00:00+00:00"
    assert row["message_id"] == "table-chat/1"
    assert (row["sender"], row["text"]) == ("Anna", "hi")


def test_missing_column_names_file_columns_and_option(tmp_path: Path) -> None:
    path = write(tmp_path / "messages.csv", "body,author,ts\nhi,Anna,2024-01-05\n")
    with pytest.raises(ExportError) as caught:
        read_all(path)
    assert str(caught.value) == (
        f"{path}: no column 'timestamp'; the columns are: body, author, ts. "
        "Map one with --time-col NAME (perhaps --time-col ts)"
    )
    with pytest.raises(ExportError) as caught:
        read_all(path, timestamp="ts")
    assert str(caught.value) == (
        f"{path}: no column 'sender'; the columns are: body, author, ts. "
        "Map one with --sender-col NAME (perhaps --sender-col author)"
    )
    with pytest.raises(ExportError) as caught:
        read_all(path, timestamp="ts", sender="author")
    assert "no column 'text'" in str(caught.value)
    assert "(perhaps --text-col body)" in str(caught.value)
    with pytest.raises(ExportError) as caught:
        read_all(path, timestamp="ts", sender="author", text="message")
    assert str(caught.value) == (
        f"{path}: no column 'message' (named with --text-col); the columns are: "
        "body, author, ts"
    )


def test_mapped_optional_column_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "timestamp,sender,text\n2024-01-05,a,x\n")
    with pytest.raises(ExportError) as caught:
        read_all(path, reply_to="parent")
    assert str(caught.value) == (
        f"{path}: no column 'parent' (named with --reply-to-col); the columns are: "
        "timestamp, sender, text"
    )


def test_missing_jsonl_field_and_unknown_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.jsonl", '{"date": "2024-01-05", "from": "A", "msg": "x"}\n'
    )
    with pytest.raises(ExportError, match=r"no field 'timestamp'; the fields of the "
                       r"first record are: date, from, msg\. Map one with --time-col "
                       r"NAME \(perhaps --time-col date\)"):  # fmt: skip
        read_all(path)
    assert len(read_all(path, timestamp="date", sender="from", text="msg")) == 1
    with pytest.raises(ExportError, match="cannot map unknown column 'body'"):
        read_all(path, body="msg")


def test_headerless_csv_error_does_not_quote_the_first_row(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "2024-01-05 09:00,Anna,meet me at the old place\n")
    with pytest.raises(ExportError) as caught:
        read_all(path)
    assert "first row holds values, not column names" in str(caught.value)
    assert "old place" not in str(caught.value)


def test_header_names_match_ignoring_case_and_spaces(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "\ufeff Timestamp ,SENDER,Text\n2024-01-05,A,x\n")
    report = ParseReport()
    (row,) = read_all(path, report)
    assert (row.sender, row.text) == ("A", "x")
    assert [d["what"] for d in report.decisions] == [
        "column for 'timestamp'",
        "column for 'sender'",
        "column for 'text'",
    ]
    assert report.decisions[0]["value"] == "Timestamp"


def test_pandas_index_column_is_noted(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", ",timestamp,sender,text\n0,2024-01-05,a,x\n")
    report = ParseReport()
    assert [m.text for m in read_all(path, report)] == ["x"]
    assert report.notes[0]["note"] == "columns not read: (unnamed)"


def test_duplicate_header_column_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "timestamp,sender,text,text\n2024-01-05,A,x,y\n")
    with pytest.raises(ExportError, match="column 'text' appears 2 times"):
        read_all(path)


# ---------------------------------------------------------------------------
# Timestamps


def test_epoch_seconds_milliseconds_and_finer(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    lines = [
        {"timestamp": 1704445200, "sender": "a", "text": "seconds"},
        {"timestamp": 1704445200.5, "sender": "a", "text": "seconds"},
        {"timestamp": "1704445200", "sender": "a", "text": "seconds"},
        {"timestamp": 1704445200123, "sender": "a", "text": "milliseconds"},
        {"timestamp": "1704445200123", "sender": "a", "text": "milliseconds"},
        {"timestamp": 1704445200123456, "sender": "a", "text": "microseconds"},
        {"timestamp": 1704445200123456789, "sender": "a", "text": "nanoseconds"},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    report = ParseReport()
    rows = read_all(path, report)
    base = utc(2024, 1, 5, 9)
    assert [m.timestamp for m in rows] == [
        base,
        base + timedelta(milliseconds=500),
        base,
        base + timedelta(milliseconds=123),
        base + timedelta(milliseconds=123),
        base + timedelta(microseconds=123456),
        base + timedelta(microseconds=123456),
    ]
    assert all(m.tz_known for m in rows)
    (decision,) = report.decisions
    assert decision["value"] == (
        "epoch seconds and epoch milliseconds and epoch microseconds and epoch "
        "nanoseconds"
    )
    assert decision["evidence"].startswith("3 numeric value(s) of at most 10^11")


def test_iso_forms_and_tz_known_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        "timestamp,sender,text,tz_known\n"
        "2024-01-05T09:00:00+01:00,a,offset,\n"
        "2024-01-05 09:00:00,a,naive,\n"
        "2024-01-05 09:00,a,naive says utc,true\n"
        "2024-01-05T09:00:00Z,a,zulu says false,false\n"
        "2024-01-05,a,date only,\n",
    )
    report = ParseReport()
    rows = read_all(path, report)
    assert [(m.timestamp, m.tz_known) for m in rows] == [
        (utc(2024, 1, 5, 8), True),
        (datetime(2024, 1, 5, 9), False),
        (utc(2024, 1, 5, 9), True),
        (utc(2024, 1, 5, 9), True),
        (datetime(2024, 1, 5), False),
    ]
    assert report.notes[-1]["note"].startswith("1 rows say tz_known is false")


def test_unreadable_times_are_reported_without_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        "time,sender,text\n"
        "05/01/2024 09:00,a,x\n"
        "see you at the station,a,y\n"
        ",a,z\n"
        "99999999999999999999999,a,w\n"
        "0001-01-01T00:00:00+01:00,a,v\n"
        "2024-01-05,a,fine\n",
    )
    report = ParseReport()
    rows = read_all(path, report, timestamp="time")
    assert [m.text for m in rows] == ["fine"]
    reasons = {p["where"]: p["reason"] for p in report.problems}
    assert reasons == {
        f"{path}:2": "column 'time' (timestamp): cannot read '05/01/2024 09:00' as a "
        "time; use ISO 8601 (2024-01-05T09:00:00+01:00) or epoch seconds",
        f"{path}:3": "column 'time' (timestamp): cannot read a 22-character value as "
        "a time; use ISO 8601 (2024-01-05T09:00:00+01:00) or epoch seconds",
        f"{path}:4": "column 'time' (timestamp): empty; every row needs a time",
        f"{path}:5": "column 'time' (timestamp): the number 99999999999999999999999 "
        "is out of range for a time",
        f"{path}:6": "column 'time' (timestamp): out of range once converted to UTC",
    }
    assert "station" not in str(report.to_dict())


# ---------------------------------------------------------------------------
# Bad rows, strict mode, CSV details


def test_bad_rows_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        "timestamp,sender,text,kind,edited,reactions\n"
        '2024-01-05,a,"multi\nline\ntext",,,\n'  # lines 2-4
        "2024-01-05,a,alpha,sticker,,\n"  # line 5
        "2024-01-05,a,bravo,many,fields,here,!\n"  # line 6
        "2024-01-05,a,charlie\n"  # line 7
        "\n"  # line 8: blank, not a record
        "2024-01-05,a,delta,,maybe,\n"  # line 9
        '2024-01-05,a,echo,,,"[1, 2]"\n'  # line 10
        '2024-01-05,a,"foxtrot "golf,,,\n'  # line 11
        "2024-01-05,a,last,,,\n",  # line 12
    )
    report = ParseReport()
    rows = read_all(path, report)
    assert [(m.text, m.source) for m in rows] == [
        ("multi\nline\ntext", f"{path}:2"),
        ("last", f"{path}:12"),
    ]
    assert rows[1].message_id == "table-m/8"  # the eighth record, counting bad ones
    assert report.problems == [
        {"where": f"{path}:5", "reason": "column 'kind': not one of message, media, "
         "system, deleted, call, poll, reaction"},
        {"where": f"{path}:6", "reason": "has 7 fields but the header (line 1) has 6; "
         "a field with a comma or a quote is probably not quoted"},
        {"where": f"{path}:7", "reason": "has 3 fields but the header (line 1) has 6; "
         "a field with a comma or a quote is probably not quoted"},
        {"where": f"{path}:9", "reason": "column 'edited': expected true or false"},
        {"where": f"{path}:10", "reason": "column 'reactions': expected a JSON list of "
         '{"emoji", "by", "at", "count"}'},
        {"where": f"{path}:11", "reason": "not valid CSV (',' expected after '\"')"},
    ]  # fmt: skip
    reasons = str(report.to_dict())
    for word in ("multi", "alpha", "bravo", "charlie", "delta", "echo", "foxtrot"):
        assert word not in reasons


def test_strict_stops_at_the_first_bad_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.jsonl",
        '{"timestamp": "2024-01-05", "sender": "a", "text": "ok"}\n'
        '{"timestamp": "soon", "sender": "a", "text": "bad"}\n'
        '{"timestamp": "2024-01-06", "sender": "a", "text": "never read"}\n',
    )
    export = open_export(path)
    rows = read(export, ParseOptions(strict=True), ParseReport(strict=True))
    assert next(rows).text == "ok"
    with pytest.raises(RecordError) as caught:
        next(rows)
    assert caught.value.where == f"{path}:2"
    assert "--strict" in str(caught.value)
    with pytest.raises(RecordError, match=r"m\.jsonl:2"):
        list(classifier.parse([path], strict=True))


def test_bom_crlf_csv_with_multiline_quoted_field(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbftimestamp,sender,text\r\n"
        b'2024-01-05 09:00,Zo\xc3\xab,"first line\r\nsecond, with ""quotes""\r\n'
        b'\xf0\x9f\x98\x80"\r\n'
        b"2024-01-05 09:01,Ben,next\r\n"
    )
    report = ParseReport()
    rows = read_all(path, report)
    assert [m.text for m in rows] == [
        'first line\r\nsecond, with "quotes"\r\n😀',
        "next",
    ]
    assert rows[0].sender == "Zoë"
    assert [m.source for m in rows] == [f"{path}:2", f"{path}:5"]
    assert report.problems == []


def test_semicolon_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "timestamp;sender;text\n2024-01-05;a;x, y\n")
    report = ParseReport()
    (row,) = read_all(path, report)
    assert row.text == "x, y"
    assert report.decisions[0]["what"] == "CSV delimiter"


def test_unclosed_quote_is_reported_at_its_start(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        'timestamp,sender,text\n2024-01-05,a,ok\n2024-01-05,a,"never closed\nmore\n',
    )
    report = ParseReport()
    assert [m.text for m in read_all(path, report)] == ["ok"]
    assert report.problems == [
        {"where": f"{path}:3",
         "reason": 'a quoted field starts here and is never closed (a missing ")'}
    ]  # fmt: skip


def test_long_message_in_csv(tmp_path: Path) -> None:
    long = Message("c", "c/1", utc(2024, 1, 1), True, "a", "x" * 300_000, source="s")
    write_table([long], tmp_path / "t.csv")
    assert read_all(tmp_path / "t.csv") == [long]


def test_non_utf8_rows_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(
        b"timestamp,sender,text\n2024-01-05,Zo\xeb,latin-1\n2024-01-05,Ann,fine\n"
    )
    report = ParseReport()
    assert [m.text for m in read_all(path, report)] == ["fine"]
    assert report.problems[0]["where"] == f"{path}:2"
    assert report.problems[0]["reason"].startswith("not UTF-8 text")
    path.write_bytes(b"timestamp,sender,t\xe9xt\n2024-01-05,a,b\n")
    with pytest.raises(ExportError, match="not UTF-8"):
        read_all(path)


def test_flags_from_the_generic_format(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        "timestamp,sender,text,is_system,deleted,kind\n"
        "2024-01-05,,Anna joined,true,,\n"
        "2024-01-05,a,,false,yes,\n"
        "2024-01-05,a,x,true,,call\n",
    )
    assert [m.kind for m in read_all(path)] == ["system", "deleted", "call"]


# ---------------------------------------------------------------------------
# JSONL details


def test_jsonl_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"timestamp": "2024-01-05", "sender": "a", "text": "one"}\r\n'
        b"\n"
        b"   \n"
        b"[1, 2]\n"
        b'{"timestamp": "2024-01-05", "sender": "a", "text": "cut\n'
        b'{"timestamp": "2024-01-05", "sender": "a"}\n'
        b'{"timestamp": "2024-01-05", "sender": "a", "text": "zo\xeb"}\n'
        b'{"timestamp": "2024-01-05", "sender": ["a"], "text": "list"}\n'
        b'{"timestamp": "2024-01-05", "sender": "a", "text": null}\n'
    )
    report = ParseReport()
    rows = read_all(path, report)
    assert [m.text for m in rows] == ["one", ""]
    assert [m.message_id for m in rows] == ["table-m/1", "table-m/7"]
    assert [(p["where"], p["reason"][:30]) for p in report.problems] == [
        (f"{path}:4", "expected a JSON object, found "),
        (f"{path}:5", "not valid JSON (unexpected con"),
        (f"{path}:6", "no field 'text' in this record"),
        (f"{path}:7", "not UTF-8 text; save the file "),
        (f"{path}:8", "column 'sender': expected text"),
    ]


def test_json_document_is_not_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path / "m.jsonl", '{\n  "messages": []\n}\n')
    export = open_export(path)
    assert not sniff(export)
    with pytest.raises(ExportError, match="one JSON document, not JSON Lines"):
        list(read(export, ParseOptions(format="jsonl"), ParseReport()))


# ---------------------------------------------------------------------------
# Parquet


def test_parquet_with_other_column_names_and_types(tmp_path: Path) -> None:
    path = tmp_path / "export.parquet"
    table = pa.table(
        {
            "when": pa.array(
                [1704445200123456789, 1704445260000000000, None],
                pa.timestamp("ns", tz="+01:00"),
            ),
            "who": ["Anna", "Ben", "Ben"],
            "body": ["hi", None, "no time"],
            "id": pa.array([1.0, 2.0, 3.0]),  # pandas turns int ids with gaps to float
            "parent": pa.array([None, 1.0, None]),
            "naive": pa.array(
                [datetime(2024, 1, 5, 9), None, None], pa.timestamp("us")
            ),
        }
    )
    pq.write_table(table, path)
    report = ParseReport()
    rows = read_all(
        path, report, timestamp="when", sender="who", text="body", message_id="id",
        reply_to="parent",
    )  # fmt: skip
    assert [(m.message_id, m.reply_to, m.text) for m in rows] == [
        ("table-export/1", None, "hi"),
        ("table-export/2", "table-export/1", ""),
    ]
    assert rows[0].timestamp == utc(2024, 1, 5, 9, 0, 0, 123456)
    assert rows[0].tz_known and rows[0].source == f"{path}:row 1"
    assert report.problems == [
        {"where": f"{path}:row 3",
         "reason": "column 'when' (timestamp): empty; every row needs a time"}
    ]  # fmt: skip
    assert report.notes[0]["note"] == "columns not read: naive"


def test_parquet_naive_times_stay_naive(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": pa.array([datetime(2024, 1, 5, 9)], pa.timestamp("us")),
                "sender": ["a"],
                "text": ["b"],
            }
        ),  # fmt: skip
        path,
    )
    (row,) = read_all(path)
    assert row.timestamp == datetime(2024, 1, 5, 9) and not row.tz_known


def test_parquet_inside_a_zip_and_a_folder_of_tables(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    write_table(PARSED[:2], folder / "a.parquet")
    write(folder / "b.csv", "timestamp,sender,text\n2024-01-05,Cy,hey\n")
    archive = tmp_path / "tables.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in ("a.parquet", "b.csv"):
            bundle.write(folder / name, name)
    for path in (folder, archive):
        report = ParseReport()
        rows = read_all(path, report)
        assert rows[:2] == PARSED[:2]
        assert (rows[2].conversation_id, rows[2].message_id) == ("table-b", "table-b/1")
    assert rows[2].source == f"{archive}!b.csv:2"


def test_damaged_parquet(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    write_table(PARSED, path)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ExportError, match=r"t\.parquet: not a readable Parquet file"):
        read_all(path)


# ---------------------------------------------------------------------------
# Ids


def test_duplicate_ids_are_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        "timestamp,sender,text,message_id\n"
        "2024-01-05,a,first,1\n"
        "2024-01-05,a,second,2\n"
        "2024-01-05,a,again,1\n"
        "2024-01-05,a,no id,\n",  # gets table-m/4 from its row number
    )
    report = ParseReport()
    rows = read_all(path, report)
    assert [m.message_id for m in rows] == ["table-m/1", "table-m/2", "table-m/4"]
    assert report.problems == [
        {"where": f"{path}:4",
         "reason": "duplicate message_id: line 2 has the same id; this row is skipped"}
    ]  # fmt: skip


def test_duplicate_ids_are_looked_for_among_recent_rows_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Memory stays flat: past the window, the older half of the ids is forgotten.
    monkeypatch.setattr("classifier.exports.table._RECENT_IDS", 4)
    ids = ["1", "2", "3", "4", "5", "1", "5"]
    path = write(
        tmp_path / "m.csv",
        "timestamp,sender,text,message_id\n"
        + "".join(f"2024-01-05,a,t,{i}\n" for i in ids),
    )
    report = ParseReport()
    rows = read_all(path, report)
    assert [m.message_id for m in rows] == [f"table-m/{i}" for i in ids[:6]]
    assert [p["where"] for p in report.problems] == [f"{path}:8"]


def test_duplicate_ids_across_files_of_a_folder(tmp_path: Path) -> None:
    write_table(PARSED[:1], tmp_path / "a.jsonl")
    write_table(PARSED[:1], tmp_path / "b.jsonl")
    report = ParseReport()
    assert read_all(tmp_path, report) == PARSED[:1]
    assert report.problems == [
        {"where": f"{tmp_path / 'b.jsonl'}:1",
         "reason": "duplicate message_id: a.jsonl line 1 has the same id; this row is "
                   "skipped"}
    ]  # fmt: skip


def test_two_tables_without_ids_get_distinct_conversations(tmp_path: Path) -> None:
    one = write(tmp_path / "one.csv", "timestamp,sender,text\n2024-01-05,a,x\n")
    two = write(tmp_path / "two.jsonl", '{"timestamp":1,"sender":"b","text":"y"}\n')
    rows = list(classifier.parse([one, two]))
    assert [m.message_id for m in rows] == ["table-one/1", "table-two/1"]
    assert [m.conversation_name for m in rows] == ["one", "two"]


# ---------------------------------------------------------------------------
# Detection


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("m.csv", "a,b\n1,2\n", True),  # any .csv: --format csv with mappings
        ("m.txt", "Date,From,Message\n2024-01-05,a,x\n", True),
        ("m.txt", "when,who,what\n2024-01-05,a,x\n", False),
        ("m.json", '{"time": 1, "from": "a", "content": "x"}\n', True),
        ("m.json", '{"name": "chat", "messages": []}\n', False),
        ("m.jsonl", '{"anything": 1}\n', True),
        ("m.jsonl", "[\n", False),
        ("m.ndjson", "garbage\n", True),
        ("m.parquet", "not parquet", False),
        ("m.txt", "12/31/19, 11:59 PM - Anna: text, with comma\n", False),
        ("dce.csv", '"AuthorID","Author","Date","Content","Attachments","Reactions"\n',
         False),
        ("signal.json", '{"date": "2023-05-01T18:04:09", "sender": "Me", "body": "x", '
         '"quote": "", "sticker": ""}\n', False),
    ],
)  # fmt: skip
def test_sniff(tmp_path: Path, name: str, content: str, claimed: bool) -> None:
    path = write(tmp_path / name, content)
    assert sniff(open_export(path)) is claimed


def test_sniff_parquet_by_magic_and_folders(tmp_path: Path) -> None:
    write_table(PARSED, tmp_path / "data.bin", "parquet")  # not a known extension
    assert output_format_free_sniff(tmp_path / "data.bin")
    (tmp_path / "data.bin").unlink()
    write_table(PARSED, tmp_path / "a.csv")
    assert sniff(open_export(tmp_path))
    write(tmp_path / "notes.txt", "hello")
    assert not sniff(open_export(tmp_path))


def output_format_free_sniff(path: Path) -> bool:
    with open(path, "rb") as stream:
        magic = stream.read(4)
    return magic == b"PAR1" and sniff(open_export(path))


def test_sniff_claims_no_sample_of_another_format() -> None:
    for path in sorted((FIXTURES / "exports").rglob("*")):
        if path.is_file() and path.suffix != ".md":
            assert not sniff(open_export(path)), path
    for path in sorted((FIXTURES / "synthetic").rglob("*")):
        if path.parent.name == "table":
            assert sniff(open_export(path)) is (path.suffix != ".md"), path
        elif path.is_file() and path.suffix not in (".md",):
            assert not sniff(open_export(path)), path
    for folder in (FIXTURES / "exports" / "slack").iterdir():
        assert not sniff(open_export(folder)), folder


def test_damaged_zip_member(tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a.csv", "timestamp,sender,text\n2024-01-05,a,b\n")
    data = archive.read_bytes()
    archive.write_bytes(data.replace(b"2024-01-05,a,b", b"2024-01-06,a,b"))
    export = open_export(archive)
    assert sniff(export) is False  # the CRC check fails: no claim, no exception
    with pytest.raises(ExportError, match=r"x\.zip!a\.csv: cannot read the file"):
        list(read(export, ParseOptions(format="csv"), ParseReport()))


def test_forced_format_reads_a_file_with_another_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", '{"timestamp": 1, "sender": "a", "text": "x"}\n')
    rows = list(classifier.parse([path], format="jsonl"))
    assert [m.text for m in rows] == ["x"]


def test_read_table_and_reader_agree_on_csv(tmp_path: Path) -> None:
    write_table(PARSED, tmp_path / "t.csv")
    assert read_all(tmp_path / "t.csv") == list(read_table(tmp_path / "t.csv"))


def test_parquet_with_odd_column_types(tmp_path: Path) -> None:
    path = tmp_path / "odd.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": pa.array([1704445200123, 1704445200124, None], pa.int64()),
                "sender": pa.array(["a", "b", "c"]).dictionary_encode(),
                "text": pa.array(["x", "y", "z"], pa.large_string()),
                "kind": pa.array(["message", "media", "message"]).dictionary_encode(),
                "reactions": ['[{"emoji": "👍", "count": 2}]', None, None],
                "tz_known": pa.array([None, None, None], pa.bool_()),
                "message_id": pa.array([10, 11, 12], pa.int64()),
            }
        ),
        path,
    )
    report = ParseReport()
    rows = read_all(path, report)
    assert [(m.message_id, m.kind, m.sender) for m in rows] == [
        ("table-odd/10", "message", "a"),
        ("table-odd/11", "media", "b"),
    ]
    assert rows[0].timestamp == utc(2024, 1, 5, 9, 0, 0, 123_000)
    assert rows[0].reactions == [reaction("👍", None, None, 2)]
    assert report.problems[0]["where"] == f"{path}:row 3"


def test_random_bytes_after_parquet_magic(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1" + bytes(range(256)) * 4)
    with pytest.raises(ExportError, match="not a readable Parquet file"):
        read_all(path)


SECRET = "I still love you but I cannot say it"


def test_headerless_csv_of_words_does_not_quote_the_first_row(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.csv", f"Anna,{SECRET},Monday\n")
    with pytest.raises(ExportError) as caught:
        read_all(path)
    message = str(caught.value)
    assert SECRET not in message and "Anna" not in message and "Monday" not in message
    assert message == (
        f"{path}: no column 'timestamp'; the first row has 3 columns and none is a "
        "known column name: the file may lack a header row (add one such as "
        "timestamp,sender,text), or map its columns with --time-col NAME"
    )
    # Mapped by the user: still no listing of the row's values.
    with pytest.raises(ExportError) as caught:
        read_all(path, timestamp="when")
    assert SECRET not in str(caught.value)
    assert "(named with --time-col)" in str(caught.value)
    result = CliRunner().invoke(cli, ["parse", str(path)])
    assert result.exit_code != 0
    assert SECRET not in result.output


def test_jsonl_of_unknown_keys_does_not_list_them(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.jsonl", f'{{"{SECRET}": 1, "Anna": 2}}\n')
    with pytest.raises(ExportError) as caught:
        read_all(path)
    assert SECRET not in str(caught.value) and "Anna" not in str(caught.value)
    assert str(caught.value) == (
        f"{path}: no field 'timestamp'; the first record has 2 fields and none is a "
        "known field name. Map one with --time-col NAME"
    )


def test_columns_are_listed_when_one_is_a_known_name(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "when,who,message\n2024-01-05,A,x\n")
    with pytest.raises(ExportError) as caught:
        read_all(path)
    assert str(caught.value) == (
        f"{path}: no column 'timestamp'; the columns are: when, who, message. "
        "Map one with --time-col NAME"
    )


def test_a_time_zone_column_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "zones.csv"
    path.write_text(
        "timestamp,sender,text,zone\n"
        "2024-03-04T12:00:00Z,Maya,hi,Europe/Berlin\n"
        "2024-03-04T12:01:00Z,Jonas,hey,-0500\n"
        "2024-03-04T12:02:00Z,Jonas,no zone,\n"
        "2024-03-04T12:03:00Z,Jonas,secret words,secret words\n"
        "2024-03-04T12:04:00Z,Jonas,a folder,America\n",
        encoding="utf-8",
    )
    report = ParseReport()
    messages = read_all(path, report, sender_tz="zone")
    # A bad zone is left out, the message kept, and the report says so once.
    assert [m.sender_tz for m in messages] == [
        "Europe/Berlin", "-05:00", None, None, None
    ]  # fmt: skip
    assert report.problems == []
    (note,) = [n for n in report.notes if "time zone" in n["note"]]
    assert note["note"].startswith("2 rows have a column 'zone'")
    assert note["where"].endswith(":5") and "secret" not in note["note"]
    # Our own output keeps it, through every format.
    for suffix in (".jsonl", ".csv", ".parquet"):
        out = tmp_path / f"out{suffix}"
        write_table(messages, out)
        assert list(read_table(out)) == messages


def test_zones_in_a_dataframe_may_be_numbers_or_missing() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "timestamp": ["2024-03-04T12:00:00Z"] * 3,
            "sender": ["a", "b", "c"],
            "text": ["x", "y", "z"],
            "sender_tz": [-5.0, None, 5.5],
        }
    )
    scored = classifier.score(frame)
    assert len(scored) == 3  # no row lost to a missing or numeric zone


def test_tables_written_before_time_zones_are_read_fast(tmp_path: Path) -> None:
    from classifier.exports import table

    message = Message(
        "c", "c/1", utc(2024, 1, 5, 9), True, "Maya", "hi", source="t.jsonl:1"
    )
    row = orjson.loads(_jsonl_line(message))
    assert table._fast(row) == message
    del row["sender_tz"]
    assert table._fast(row) == message
    row_with_zone = {**orjson.loads(_jsonl_line(message)), "sender_tz": "+0100"}
    assert table._fast(row_with_zone).sender_tz == "+01:00"


def _jsonl_line(message: Message) -> bytes:
    from classifier.records import message_to_dict

    return orjson.dumps(message_to_dict(message))
