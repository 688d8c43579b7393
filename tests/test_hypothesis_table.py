"""Property tests for the message table: round trips, and readers that never crash.

1. Any :class:`Message` survives ``write_table`` and reading back, in JSONL, CSV and
   Parquet, both through :func:`read_table` and through the plain-table reader.
2. The plain-table reader, given arbitrary bytes, text or near-miss tables, raises a
   :class:`ClassifierError` or yields well-formed messages, and nothing else.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.errors import ClassifierError
from classifier.exports import open_export
from classifier.exports._common import ParseOptions
from classifier.exports.table import _Table, read, sniff
from classifier.records import (
    COLUMNS,
    KINDS,
    Message,
    reaction,
    read_table,
    write_table,
)
from classifier.report import ParseReport

FORMATS = ["jsonl", "csv", "parquet"]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Any Unicode text except lone surrogates (which UTF-8 cannot hold).
text = st.text(st.characters(blacklist_categories=("Cs",)))
some_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1)
# Optional strings: the table does not tell '' from None, so '' is never generated.
maybe_text = st.none() | some_text
instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


@st.composite
def messages(draw: st.DrawFn, index: int = 0) -> Message:
    tz_known = draw(st.booleans())

    def stamp() -> datetime:
        value = draw(instants)
        return value.replace(tzinfo=timezone.utc) if tz_known else value

    def maybe_stamp() -> datetime | None:
        return stamp() if draw(st.booleans()) else None

    conversation = draw(some_text)
    reactions = [
        reaction(
            draw(some_text),
            draw(maybe_text),
            maybe_stamp(),
            draw(st.integers(min_value=1, max_value=2**40)),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Message(
        conversation_id=conversation,
        # The full "<conversation_id>/<id>" form, which the table reader keeps as is;
        # the index keeps ids unique within a list.
        message_id=f"{conversation}/{index}{draw(text)}",
        timestamp=stamp(),
        tz_known=tz_known,
        sender=draw(text),
        text=draw(text),
        kind=draw(st.sampled_from(KINDS)),
        sender_id=draw(maybe_text),
        reply_to=draw(maybe_text),
        reactions=reactions,
        edited=draw(st.booleans()),
        edited_at=maybe_stamp(),
        read_at=maybe_stamp(),
        read_by=draw(maybe_text),
        conversation_name=draw(text),
        source=draw(some_text),
        sender_tz=draw(
            st.sampled_from([None, "Europe/Berlin", "America/New_York", "+05:30"])
        ),
    )


@st.composite
def message_lists(draw: st.DrawFn) -> list[Message]:
    size = draw(st.integers(min_value=0, max_value=4))
    return [draw(messages(index)) for index in range(size)]


def read_with_table_reader(path: Path) -> list[Message]:
    export = open_export(path)
    try:
        assert sniff(export)
        report = ParseReport(strict=True)
        return list(read(export, ParseOptions(), report))
    finally:
        export.close()


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(rows=message_lists())
def test_any_messages_round_trip(fmt: str, rows: list[Message]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"table.{fmt}"
        write_table(rows, path)
        if rows:
            assert read_with_table_reader(path) == rows
        assert list(read_table(path)) == rows


# ---------------------------------------------------------------------------
# Never crash

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,  # fmt: skip
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3)
    ),
    max_leaves=6,
)
field_values = st.one_of(
    text,
    st.sampled_from(
        [
            "",
            "2024-01-05T09:00:00+01:00",
            "2024-01-05 09:00",
            "1704445200",
            "1704445200123",
            "1e20",
            "9" * 25,
            "true",
            "no",
            "maybe",
            "message",
            "system",
            "[]",
            '[{"emoji": "x"}]',
            '[{"emoji": "x", "at": 1e300}]',
            '[{"count": 1}]',
            "0001-01-01T00:00:00+01:00",
            '"',
            '"a""b"',
        ]
    ),  # fmt: skip
)
names = st.sampled_from([*COLUMNS, "is_system", "deleted", "Text", "body", " ts "])
TIMES = [
    "2024-01-05T09:00:00+01:00", "2024-01-05T09:00:00Z", "2024-01-05 09:00",
    "2024-01-05T09:00:00.123456", "2024-01-05", " 2024-01-05T09:00 ", "1704445200",
    "1704445200.25", "1704445200123", "1704445200123456", "-86400",
]  # fmt: skip
FLAGS = ["", "true", "false", "1", "0", "yes", "N", "maybe"]
REACTIONS = [
    "", "[]", '[{"emoji": "👍"}]', '[{"emoji": "x", "by": "A", "count": 2}]',
    '[{"emoji": "x", "by": null, "at": "2024-01-05T09:00:00Z", "count": 1}]',
    '[{"emoji": "x", "at": "2024-01-05T09:00:00"}]', "👍 (2)",
]  # fmt: skip
# Mostly plausible values per column, so rows get read and not only reported.
plausible = {
    "timestamp": st.sampled_from(TIMES),
    " ts ": st.sampled_from(TIMES),
    "edited_at": st.sampled_from(["", *TIMES]),
    "read_at": st.sampled_from(["", *TIMES]),
    "tz_known": st.sampled_from(FLAGS),
    "edited": st.sampled_from(FLAGS),
    "is_system": st.sampled_from(FLAGS),
    "deleted": st.sampled_from(FLAGS),
    "kind": st.sampled_from(["", *KINDS, "Media ", "sticker"]),
    "reactions": st.sampled_from(REACTIONS),
    "message_id": st.sampled_from(["", "1", "2", "c/1", "3.0"]) | text,
    "reply_to": st.sampled_from(["", "1", "c/1"]) | text,
    "conversation_id": st.sampled_from(["", "c", "d"]),
}


def value_for(draw: st.DrawFn, name: str) -> str:
    if name in plausible and draw(st.integers(0, 4)):
        return draw(plausible[name])
    return draw(field_values)


@st.composite
def near_csv(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(names, min_size=1, max_size=8, unique=True))
    required = ["timestamp", "sender", "text"]
    if draw(st.integers(0, 3)):
        header = [*required, *(h for h in header if h not in required)]
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = [value_for(draw, name) for name in header]
        if not draw(st.integers(0, 7)):
            row = row[: draw(st.integers(0, len(row)))] or [*row, "extra"]
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    if not draw(st.integers(0, 3)):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=4)) + data[cut:]
    return data


@st.composite
def near_jsonl(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        keys = draw(st.lists(names, max_size=8, unique=True))
        if draw(st.integers(0, 3)):
            keys = ["timestamp", "sender", "text", *keys]
        row = {
            key: draw(json_values)
            if not draw(st.integers(0, 3))
            else value_for(draw, key)
            for key in keys
        }
        if "reactions" in row and draw(st.booleans()):
            try:
                row["reactions"] = json.loads(row["reactions"])
            except (TypeError, ValueError):
                pass
        line = json.dumps(row, ensure_ascii=draw(st.booleans())).encode()
        if not draw(st.integers(0, 7)):
            line = line[: draw(st.integers(0, len(line)))]
        lines.append(line)
    return b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\r\n", b"\xff"]))


inputs = st.one_of(
    st.binary(min_size=1, max_size=300),
    text.map(lambda t: t.encode("utf-8")),
    near_csv(),
    near_jsonl(),
)


def check_messages(rows: list[Message]) -> None:
    ids = [m.message_id for m in rows]
    assert len(set(ids)) == len(ids)
    for message in rows:
        assert isinstance(message, Message)
        assert isinstance(message.timestamp, datetime)
        assert message.tz_known == (message.timestamp.tzinfo is not None)
        assert message.kind in KINDS
        assert isinstance(message.text, str) and isinstance(message.sender, str)
        assert message.conversation_id and message.message_id
    # Whatever was read can be written: no lone surrogates, no odd types.
    write_table(rows, io_path := Path(tempfile.mkdtemp()) / "out.jsonl")
    assert list(read_table(io_path)) == rows


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".txt"])
@pytest.mark.parametrize("strict", [False, True])
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    data=inputs, columns=st.sampled_from([{}, {"text": "body"}, {"timestamp": " ts "}])
)
def test_reader_never_crashes(
    suffix: str, strict: bool, data: bytes, columns: dict[str, str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            export = open_export(path)
        except ClassifierError:
            return
        try:
            claimed = sniff(export)
            assert isinstance(claimed, bool)
            if not claimed:
                return
            report = ParseReport(strict=strict)
            try:
                rows = list(read(export, ParseOptions(columns=columns), report))
            except ClassifierError:
                return
        finally:
            export.close()
        check_messages(rows)
        for problem in report.problems:
            assert problem["where"].startswith(str(path))


def read_quietly(
    path: Path, columns: dict[str, str]
) -> tuple[list[Message], list[dict[str, str]]] | str:
    """Messages and problems, or the error's class name."""
    export = open_export(path)
    try:
        report = ParseReport()
        rows = list(read(export, ParseOptions(columns=columns), report))
    except ClassifierError as exc:
        return type(exc).__name__
    finally:
        export.close()
    return rows, report.problems


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.one_of(near_csv(), near_jsonl()))
def test_shortcuts_give_the_general_result(suffix: str, data: bytes) -> None:
    """The JSONL fast path and the direct build agree with message_from_dict."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            export = open_export(path)
        except ClassifierError:
            return
        claimed = sniff(export)
        export.close()
        if not claimed:
            return
        quick = read_quietly(path, {})
        _Table.direct = False
        try:
            # Any mapping, even text -> text, turns the JSONL fast path off too.
            general = read_quietly(path, {"text": "text"})
        finally:
            _Table.direct = True
        if isinstance(quick, str) or isinstance(general, str):
            assert isinstance(quick, str) and isinstance(general, str)
        else:
            assert quick == general
