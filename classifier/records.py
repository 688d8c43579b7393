"""The message table: one schema for every export format; its JSONL, CSV, Parquet forms.

Every reader in :mod:`classifier.exports` yields :class:`Message` rows; everything after
parsing (scoring, silences, reports) sees only this shape. This module also owns reading
and writing the table, so that a file written by ``reread parse`` reads back unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import orjson

from .errors import TableError
from .timezones import check_zone

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "KINDS",
    "COLUMNS",
    "Message",
    "message_from_dict",
    "message_to_dict",
    "parse_timestamp",
    "read_table",
    "write_table",
    "table_writer",
    "output_format",
    "read_pairs",
    "write_predictions",
    "write_scored",
    "PAIR_COLUMNS",
]

#: What a row is. ``message`` is ordinary text; ``media`` a photo, file, sticker or
#: voice note (``text`` may hold a caption or the placeholder); ``system`` a membership,
#: rename or encryption notice; ``deleted`` a message that was unsent or deleted;
#: ``call`` a call or missed call; ``poll`` a poll; ``reaction`` a reaction that the
#: format records as a message of its own (Messenger's "Reacted ❤ to your message").
KINDS = ("message", "media", "system", "deleted", "call", "poll", "reaction")


@dataclass(slots=True)
class Message:
    """One row of the message table.

    Attributes
    ----------
    conversation_id : str
        Stable id of the chat the message belongs to, unique within a run.
    message_id : str
        Unique within a run: ``<conversation_id>/<id>``, the format's own id where it
        has one, otherwise synthesized deterministically from the source.
    timestamp : datetime
        UTC (timezone-aware) when ``tz_known``; otherwise the naive wall-clock time
        the export shows. A zone is never invented.
    tz_known : bool
        Whether ``timestamp`` is an absolute time.
    sender : str
        Display name as the export shows it; empty for system lines with no actor.
    sender_id : str or None
        The format's stable id for the sender, where it has one.
    text : str
        The message text, whole (multi-line messages keep their newlines); may be empty.
    kind : str
        One of :data:`KINDS`.
    reply_to : str or None
        ``message_id`` of the message this one replies to, where the format links it.
    reactions : list of dict
        ``{"emoji", "by", "at", "count"}`` per reaction; ``by`` and ``at`` are None
        where the format does not say who or when; ``count`` says how many reacted.
    edited : bool
        Whether the export marks the message as edited.
    edited_at : datetime or None
        When, where the format says.
    read_at : datetime or None
        When the message was read, where the format carries read receipts (iMessage).
    read_by : str or None
        Who read it at ``read_at`` ("you" for the exporter, or a name).
    conversation_name : str
        The chat's display name (group title, channel, other person, or file name).
    source : str
        Where the row came from: ``file:line`` for text formats, ``file:messages[i]``
        for JSON records. Used in error reports.
    sender_tz : str or None
        The sender's time zone where the export says (Slack's ``users.json``) or the
        table gives it: an IANA name (``Europe/Berlin``) or an offset (``+05:30``).
        With it, the hour a message was sent or left waiting is known for them.
    """

    conversation_id: str
    message_id: str
    timestamp: datetime
    tz_known: bool
    sender: str
    text: str
    kind: str = "message"
    sender_id: str | None = None
    reply_to: str | None = None
    reactions: list[dict[str, Any]] = field(default_factory=list)
    edited: bool = False
    edited_at: datetime | None = None
    read_at: datetime | None = None
    read_by: str | None = None
    conversation_name: str = ""
    source: str = ""
    sender_tz: str | None = None


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Message))
_TIME_COLUMNS = ("timestamp", "edited_at", "read_at")
_BOOL_COLUMNS = ("tz_known", "edited")
_OPTIONAL_TEXT = ("sender_id", "reply_to", "read_by", "sender_tz")


def reaction(
    emoji: str, by: str | None = None, at: datetime | None = None, count: int = 1
) -> dict[str, Any]:
    """Build one entry of :attr:`Message.reactions`."""
    return {"emoji": emoji, "by": by, "at": at, "count": count}


def parse_timestamp(value: Any, *, tz_known: bool | None = None) -> datetime:
    """Read a timestamp written by this module (ISO 8601), or an epoch number.

    A value with an offset is converted to UTC. A naive value stays naive unless
    ``tz_known`` says it is UTC. Epoch numbers (seconds, or milliseconds when larger
    than 10^11) are UTC.

    Raises
    ------
    ValueError
        If the value is not a timestamp.
    """
    if isinstance(value, datetime):
        ts = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError):
            raise ValueError("epoch number out of range") from None
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("empty timestamp")
        if text.lstrip("-").replace(".", "", 1).isdigit():
            return parse_timestamp(float(text))
        ts = datetime.fromisoformat(text)
    else:
        raise ValueError(f"not a timestamp: {type(value).__name__}")
    if ts.tzinfo is not None:
        try:
            return ts.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError("out of range once converted to UTC") from None
    if tz_known:
        return ts.replace(tzinfo=timezone.utc)
    return ts


def message_to_dict(message: Message) -> dict[str, Any]:
    """A plain dict of the row, timestamps as ISO 8601 strings."""
    row = {name: getattr(message, name) for name in COLUMNS}
    for name in _TIME_COLUMNS:
        if row[name] is not None:
            row[name] = row[name].isoformat()
    row["reactions"] = [
        {
            **r,
            "at": r["at"].isoformat()
            if isinstance(r.get("at"), datetime)
            else r.get("at"),
        }
        for r in message.reactions
    ]
    return row


def message_from_dict(row: dict[str, Any], where: str = "") -> Message:
    """Build a :class:`Message` from a dict in the table's columns.

    Raises
    ------
    TableError
        Naming ``where`` and the column, if a required column is missing or a value
        cannot be read.
    """
    try:
        missing = [c for c in ("timestamp", "sender", "text") if c not in row]
        if missing:
            raise ValueError(f"missing column {missing[0]!r}")
        tz_flag = row.get("tz_known")
        tz_known = (
            None if tz_flag in (None, "") else _column("tz_known", _to_bool, tz_flag)
        )
        timestamp = _column(
            "timestamp", parse_timestamp, row["timestamp"], tz_known=tz_known
        )
        # An offset or an epoch number is an absolute time, whatever the flag says.
        tz_known = timestamp.tzinfo is not None
        kind = row.get("kind") or "message"
        if kind not in KINDS:
            raise ValueError(f"column 'kind' is not one of {', '.join(KINDS)}")
        reactions = row.get("reactions") or []
        if isinstance(reactions, str):
            text = reactions.strip()
            reactions = _column("reactions", orjson.loads, text) if text else []
        return Message(
            conversation_id=_to_str(row.get("conversation_id")),
            message_id=_to_str(row.get("message_id")),
            timestamp=timestamp,
            tz_known=tz_known,
            sender=_to_str(row["sender"]),
            text=_to_str(row["text"]),
            kind=kind,
            sender_id=_to_optional_str(row.get("sender_id")),
            reply_to=_to_optional_str(row.get("reply_to")),
            reactions=[
                _column("reactions", _reaction_from_dict, item, tz_known)
                for item in reactions
            ],
            edited=_column("edited", _to_bool, row.get("edited") or False),
            edited_at=_column(
                "edited_at", _optional_time, row.get("edited_at"), tz_known
            ),
            read_at=_column("read_at", _optional_time, row.get("read_at"), tz_known),
            read_by=_to_optional_str(row.get("read_by")),
            conversation_name=_to_str(row.get("conversation_name")),
            source=_to_str(row.get("source")) or where,
            sender_tz=_optional_zone(row.get("sender_tz")),
        )
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise TableError(f"{where}: {exc}" if where else str(exc)) from None


def _column(name: str, read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``read(*args, **kwargs)``; a failure names the column, never the value."""
    try:
        return read(*args, **kwargs)
    except (ValueError, TypeError, OverflowError, OSError):
        raise ValueError(f"column {name!r}: cannot read the value") from None


def _reaction_from_dict(value: Any, tz_known: bool | None = None) -> dict[str, Any]:
    if not isinstance(value, dict) or "emoji" not in value:
        raise ValueError("each reaction needs an 'emoji'")
    at = value.get("at")
    return reaction(
        emoji=str(value["emoji"]),
        by=_to_optional_str(value.get("by")),
        # Parquet stores reaction times naive UTC, as it does the row's times.
        at=parse_timestamp(at, tz_known=tz_known) if at not in (None, "") else None,
        count=int(value.get("count") or 1),
    )


def _optional_time(value: Any, tz_known: bool) -> datetime | None:
    if value is None or value == "" or _is_nan(value):
        return None
    return parse_timestamp(value, tz_known=tz_known)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _to_str(value: Any) -> str:
    if value is None or _is_nan(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _to_optional_str(value: Any) -> str | None:
    text = _to_str(value)
    return text or None


def _optional_zone(value: Any) -> str | None:
    """A zone checked by :func:`check_zone`; the error never quotes the value."""
    if value is None or value != value:  # NaN: missing in pandas
        return None
    if isinstance(value, str) and not value.strip():
        return None
    try:
        return check_zone(value if isinstance(value, int | float) else str(value))
    except ValueError:
        raise ValueError(
            "column 'sender_tz' is not a time zone; use an IANA name such as "
            "Europe/Berlin or an offset such as +02:00"
        ) from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "t", "y"):
        return True
    if text in ("false", "0", "no", "f", "n", ""):
        return False
    raise ValueError(f"not a boolean: {value!r}")


# ---------------------------------------------------------------------------
# Output


def output_format(path: str | os.PathLike[str] | None) -> str:
    """The table format: ``jsonl`` (and stdout), ``csv``, ``parquet``."""
    if path is None or str(path) == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix in (".csv",):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise TableError(
        f"{path}: cannot tell the output format from the extension "
        f"{suffix or '(none)'!r}; use .jsonl, .csv or .parquet"
    )


class Sink(Protocol):
    """What :func:`table_writer` yields: ``write(rows)`` gives the count; ``close``."""

    def write(self, messages: Iterable[Message]) -> int: ...

    def close(self) -> None: ...


class _JsonlSink:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, messages: Iterable[Message]) -> int:
        # One small write per row into a buffered stream: building big joined batches
        # costs more in allocation than it saves in calls.
        write, dumps = self.stream.write, orjson.dumps
        option = orjson.OPT_APPEND_NEWLINE
        count = 0
        for message in messages:
            write(dumps(message, option=option))
            count += 1
        return count

    def close(self) -> None:
        self.stream.flush()


class _CsvSink:
    def __init__(self, stream: IO[bytes]) -> None:
        self.text = io.TextIOWrapper(
            stream, encoding="utf-8", newline="", write_through=True
        )
        self.writer = csv.writer(self.text)
        self.writer.writerow(COLUMNS)

    def write(self, messages: Iterable[Message]) -> int:
        count = 0
        for message in messages:
            count += 1
            row = message_to_dict(message)
            row["reactions"] = (
                orjson.dumps(row["reactions"]).decode() if row["reactions"] else ""
            )
            for name in _BOOL_COLUMNS:
                row[name] = "true" if row[name] else "false"
            self.writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
        return count

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def _arrow_schema():  # type: ignore[no-untyped-def]
    import pyarrow as pa

    reaction_type = pa.struct(
        [
            ("emoji", pa.string()),
            ("by", pa.string()),
            ("at", pa.timestamp("us")),
            ("count", pa.int64()),
        ]
    )
    types = {
        "timestamp": pa.timestamp("us"),
        "edited_at": pa.timestamp("us"),
        "read_at": pa.timestamp("us"),
        "tz_known": pa.bool_(),
        "edited": pa.bool_(),
        "reactions": pa.list_(reaction_type),
    }
    return pa.schema([(name, types.get(name, pa.string())) for name in COLUMNS])


def _naive_utc(value: datetime | None) -> datetime | None:
    """Parquet holds one timestamp type: UTC is stored naive, ``tz_known`` says so."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


class _ParquetClosing:
    """Closing for the Parquet sinks: flush what is pending, then the writer."""

    writer: Any

    def _flush(self) -> None:
        raise NotImplementedError  # each sink flushes its own rows

    def close(self) -> None:
        self._flush()
        self.writer.close()

    def abort(self) -> None:
        """Close pyarrow's writer after a failure, before its stream is closed."""
        try:
            self.writer.close()
        except (OSError, ValueError):
            pass


class _ParquetSink(_ParquetClosing):
    batch_rows = 65_536

    def __init__(self, stream: IO[bytes]) -> None:
        import pyarrow.parquet as pq

        self.schema = _arrow_schema()
        self.writer = pq.ParquetWriter(stream, self.schema)
        self.pending: list[Message] = []

    def write(self, messages: Iterable[Message]) -> int:
        count = 0
        for message in messages:
            count += 1
            self.pending.append(message)
            if len(self.pending) >= self.batch_rows:
                self._flush()
        return count

    def _flush(self) -> None:
        import pyarrow as pa

        if not self.pending:
            return
        columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        for message in self.pending:
            for name in COLUMNS:
                value = getattr(message, name)
                if name in _TIME_COLUMNS:
                    value = _naive_utc(value)
                elif name == "reactions":
                    value = [{**r, "at": _naive_utc(r.get("at"))} for r in value]
                columns[name].append(value)
        self.writer.write_table(pa.table(columns, schema=self.schema))
        self.pending = []


_SINKS: dict[str, Callable[[IO[bytes]], Sink]] = {
    "jsonl": _JsonlSink,
    "csv": _CsvSink,
    "parquet": _ParquetSink,
}


@contextmanager
def table_writer(
    path: str | os.PathLike[str] | None,
    format: str | None = None,
    sinks: dict[str, Callable[[IO[bytes]], Sink]] | None = None,
) -> Iterator[Sink]:
    """Open a sink with a ``write(messages)`` method (``path`` ``-`` or None: stdout).

    A file is written to a temporary name beside it and renamed into place only when
    the block ends without an error, so a failure never leaves a partial output file.
    """
    fmt = format or output_format(path)
    sinks = sinks or _SINKS
    if path is None or str(path) == "-":
        sink = sinks[fmt](sys.stdout.buffer)
        yield sink
        sink.close()
        return
    target = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent or "."
        )
    except OSError as exc:
        raise TableError(f"{target}: cannot write output: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as stream:
            sink = sinks[fmt](stream)
            try:
                yield sink
            except BaseException:
                abort = getattr(sink, "abort", None)
                if abort is not None:
                    abort()
                raise
            sink.close()
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_table(
    messages: Iterable[Message],
    path: str | os.PathLike[str] | None,
    format: str | None = None,
) -> int:
    """Write messages to ``path`` in the format of its extension; return the count."""
    with table_writer(path, format) as sink:
        return sink.write(messages)


# ---------------------------------------------------------------------------
# Input


# The csv module refuses fields over 128 KiB by default: less than one long message.
_CSV_FIELD_LIMIT = 16 * 1024 * 1024


def _json_objects(
    path: str | os.PathLike[str],
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL file (``-``: stdin)."""
    where = "<stdin>" if str(path) == "-" else str(path)
    with (
        contextlib.nullcontext(sys.stdin.buffer)
        if str(path) == "-"
        else open(path, "rb")
    ) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise TableError(f"{where}:{number}: not valid JSON ({exc})") from None
            if not isinstance(row, dict):
                raise TableError(f"{where}:{number}: expected a JSON object")
            yield number, row


def read_table(
    path: str | os.PathLike[str], format: str | None = None
) -> Iterator[Message]:
    """Read a table written by :func:`write_table` (JSONL, CSV, Parquet) into rows.

    ``-`` reads JSONL from standard input; its places are named ``<stdin>:LINE``.
    """
    fmt = format or output_format(path)
    where = "<stdin>" if str(path) == "-" else str(path)
    if fmt == "jsonl":
        for number, row in _json_objects(path):
            yield message_from_dict(row, f"{where}:{number}")
    elif fmt == "csv":
        if csv.field_size_limit() < _CSV_FIELD_LIMIT:
            csv.field_size_limit(_CSV_FIELD_LIMIT)  # process-wide: only ever raised
        with open(path, encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            try:
                for number, row in enumerate(reader, start=2):
                    yield message_from_dict(row, f"{where}:{reader.line_num or number}")
            except UnicodeDecodeError:
                raise TableError(
                    f"{where}:{reader.line_num + 1}: not UTF-8 text"
                ) from None
            except csv.Error as exc:
                raise TableError(f"{where}:{reader.line_num}: {exc}") from None
    else:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        index = 0
        for batch in parquet.iter_batches(batch_size=65_536):
            for row in batch.to_pylist():
                index += 1
                yield message_from_dict(row, f"{where}:row {index}")


# ---------------------------------------------------------------------------
# Labelled pairs (training and evaluation data)

#: Columns of a labelled-pairs file: the message answered, the reply, its label.
PAIR_COLUMNS = ("context", "text", "label")


def read_pairs(
    path: str | os.PathLike[str], *, require_label: bool = True
) -> pd.DataFrame:
    """Read labelled (context, reply) pairs from JSONL, CSV or Parquet.

    Columns: ``context``, ``text``, ``label`` (required when ``require_label``), and
    optionally ``sender``, ``source`` and the history columns of
    :mod:`classifier.features`. Rows keep their file order.

    Raises
    ------
    TableError
        Naming the file and line when a row is not an object, a required column is
        missing, or a value is not text.
    """
    import pandas as pd

    fmt = output_format(path)
    where = str(path)
    required = PAIR_COLUMNS if require_label else PAIR_COLUMNS[:2]
    if fmt == "jsonl":
        rows = []
        try:
            for number, row in _json_objects(path):
                for column in required:
                    if not isinstance(row.get(column), str):
                        raise TableError(
                            f"{where}:{number}: {column!r} is missing or not text"
                        )
                rows.append(row)
        except OSError as exc:
            raise TableError(f"{where}: cannot read ({exc.strerror})") from None
        frame = pd.DataFrame(rows)
    else:
        try:
            frame = (
                pd.read_csv(path, dtype=str, keep_default_na=False)
                if fmt == "csv"
                else pd.read_parquet(path)
            )
        except (OSError, ValueError) as exc:
            raise TableError(f"{where}: cannot read ({exc})") from None
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise TableError(
                f"{where}: no column {missing[0]!r}; columns are: "
                + ", ".join(map(str, frame.columns))
            )
    if frame.empty:
        raise TableError(f"{where}: no pairs in the file")
    return frame.reset_index(drop=True)


def write_predictions(scored: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write one JSON object per scored row, in order: ``risk``, ``category``, ...

    Written beside the target and renamed into place, like :func:`table_writer`.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                    dir=target.parent)  # fmt: skip
    try:
        with os.fdopen(fd, "wb") as stream:
            for row in scored.to_dict(orient="records"):
                stream.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE
                                          | orjson.OPT_SERIALIZE_NUMPY))  # fmt: skip
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# Scored records (the output of ``reread score``)


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _flat(record: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    """One scored record as flat cells: timestamps ISO, lists as JSON text."""
    row = []
    for column in columns:
        value = record.get(column)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, list | dict):
            value = _json_text(value)
        row.append(value)
    return row


class _ScoredJsonl:
    def __init__(self, stream: IO[bytes], columns: Sequence[str]) -> None:
        self.stream, self.columns = stream, columns

    def write(self, records: Iterable[dict[str, Any]]) -> int:  # type: ignore[override]
        option = orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY
        count = 0
        for record in records:
            self.stream.write(orjson.dumps(record, option=option))
            count += 1
        return count

    def close(self) -> None:
        self.stream.flush()


class _ScoredCsv:
    def __init__(self, stream: IO[bytes], columns: Sequence[str]) -> None:
        self.columns = columns
        self.text = io.TextIOWrapper(
            stream, encoding="utf-8", newline="", write_through=True
        )
        self.writer = csv.writer(self.text)
        self.writer.writerow(columns)

    def write(self, records: Iterable[dict[str, Any]]) -> int:  # type: ignore[override]
        count = 0
        for record in records:
            self.writer.writerow(
                ["" if v is None else v for v in _flat(record, self.columns)]
            )
            count += 1
        return count

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


class _ScoredParquet(_ParquetClosing):
    batch_rows = 65_536

    def __init__(self, stream: IO[bytes], columns: Sequence[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"risk": pa.float64()}
        self.schema = pa.schema([(c, types.get(c, pa.string())) for c in columns])
        self.columns = columns
        self.writer = pq.ParquetWriter(stream, self.schema)
        self.pending: list[list[Any]] = []

    def write(self, records: Iterable[dict[str, Any]]) -> int:  # type: ignore[override]
        count = 0
        for record in records:
            self.pending.append(_flat(record, self.columns))
            count += 1
            if len(self.pending) >= self.batch_rows:
                self._flush()
        return count

    def _flush(self) -> None:
        import pyarrow as pa

        if self.pending:
            columns = list(zip(*self.pending, strict=True))
            self.writer.write_table(
                pa.table(
                    dict(zip(self.columns, columns, strict=True)), schema=self.schema
                )
            )  # noqa: E501
            self.pending = []


def write_scored(
    records: Iterable[dict[str, Any]],
    path: str | os.PathLike[str] | None,
    columns: Sequence[str],
) -> int:
    """Write scored records: JSONL (nested as is), CSV or Parquet (lists as JSON text).

    Atomic like :func:`write_table`; returns the number of records.
    """
    from functools import partial

    sinks: dict[str, Callable[[IO[bytes]], Sink]] = {
        name: partial(cls, columns=columns)  # type: ignore[misc]
        for name, cls in (
            ("jsonl", _ScoredJsonl), ("csv", _ScoredCsv), ("parquet", _ScoredParquet)
        )
    }  # fmt: skip
    with table_writer(path, sinks=sinks) as sink:
        return sink.write(records)  # type: ignore[arg-type]
