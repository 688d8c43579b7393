"""Plain message tables: CSV, JSONL or Parquet files already in the table's columns.

This is the reader for ``reread parse`` output read back in, and for tables people build
themselves. Columns carry the names of :class:`~classifier.records.Message` fields;
``ParseOptions.columns`` (``--text-col`` and friends) maps our names to other ones.
Only ``timestamp``, ``sender`` and ``text`` are required; the rest get defaults.

Rows keep their ``conversation_id`` and ``message_id`` when they already have them, so a
table written by ``reread parse`` reads back into identical rows. An id that is not yet
in the ``<conversation_id>/<id>`` form gets that prefix (and so does its ``reply_to``),
which keeps ids unique across conversations and inputs as the schema requires.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import IO, Any, ClassVar

import orjson

from ..errors import ExportError, TableError
from ..records import COLUMNS, KINDS, Message, message_from_dict, parse_timestamp
from ..report import ParseReport
from ..timezones import check_zone
from ._common import ParseOptions, slug, strip_invisible
from ._source import Export

__all__ = ["sniff", "read", "REQUIRED_COLUMNS", "COLUMN_OPTIONS"]

#: Columns a table must have (after mapping).
REQUIRED_COLUMNS = ("timestamp", "sender", "text")
#: The command-line option that maps each of our columns to another name.
COLUMN_OPTIONS = {
    "text": "--text-col",
    "sender": "--sender-col",
    "timestamp": "--time-col",
    "conversation_id": "--conversation-col",
    "message_id": "--id-col",
    "reply_to": "--reply-to-col",
    "kind": "--kind-col",
    "sender_tz": "--tz-col",
}
# Flags from the generic import format in the field guide (section 9); they set
# ``kind`` on rows that have none.
_FLAG_COLUMNS = ("is_system", "deleted")

_FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
# Column names that make a file look like a message table when its extension does not.
_TIME_NAMES = ("timestamp", "time", "date", "datetime", "ts", "sent_at", "created_at")
_TEXT_NAMES = ("text", "message", "body", "content", "msg")
_SENDER_NAMES = ("sender", "author", "from", "user", "name", "sender_name", "username")
_SUGGEST = {"timestamp": _TIME_NAMES, "text": _TEXT_NAMES, "sender": _SENDER_NAMES}
# Names a column of a message table is commonly given. An error lists the input's
# column names only when one of them is such a name (or one the user mapped): a file
# without a header row would otherwise have its first message quoted back.
_KNOWN_NAMES = frozenset(
    (*COLUMNS, *_TIME_NAMES, *_TEXT_NAMES, *_SENDER_NAMES)
    + ("is_system", "deleted", "id", "msg_id", "sender_id", "user_id", "author_id")
    + ("from_id", "chat", "chat_id", "chat_name", "conversation", "channel")
    + ("thread", "thread_id", "type", "reply_to_id", "in_reply_to", "parent_id")
    + ("edited", "edited_at", "reactions", "read_at", "read_by", "source")
    + ("date_time", "unixtime", "date_unixtime", "sent_by", "received_at")
)
_DCE_HEADER = {"authorid", "author", "date", "content"}
# signal-export's data.json is JSON Lines too; the Signal reader owns it.
_SIGNAL_EXPORT_KEYS = {"date", "sender", "body", "quote", "sticker"}
_DELIMITERS = (",", ";", "\t", "|")

_HEAD_BYTES = 65_536
# The csv module refuses fields over 128 KiB by default, less than one long message.
_FIELD_LIMIT = 16 * 1024 * 1024
_PARQUET_BATCH = 8_192
# Duplicate ids are looked for among this many most recent rows, so that memory stays
# flat however long the table is (an exact check costs about 130 bytes a row).
_RECENT_IDS = 200_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_UNIT_SIZES = {
    "seconds": "of at most 10^11",
    "milliseconds": "between 10^11 and 10^14",
    "microseconds": "between 10^14 and 10^17",
    "nanoseconds": "of 10^17 or more",
}
_KIND_SET = frozenset(KINDS)
_COLUMNS_BEFORE_ZONES = COLUMNS[:-1]  # sender_tz is the last column
_COLUMN_SET = frozenset(COLUMNS)
_BOOL_WORDS = {
    "true": True, "1": True, "yes": True, "t": True, "y": True,
    "false": False, "0": False, "no": False, "f": False, "n": False,
}  # fmt: skip
# What reading a member can raise while streaming (a damaged zip member fails its CRC
# or its inflation), and when opening it (an encrypted member raises RuntimeError,
# an unsupported compression NotImplementedError).
_STREAM_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error)
_READ_ERRORS = (*_STREAM_ERRORS, RuntimeError, NotImplementedError)


class _Unreadable(ValueError):
    """A value that cannot be read; ``args[0]`` is the reason, free of message text."""


# ---------------------------------------------------------------------------
# Detection


def sniff(export: Export) -> bool:
    """Whether the export is a message table (CSV, JSONL, Parquet) or a folder of them.

    A file is claimed when its content shows it: Parquet magic bytes, a JSONL first
    line that is an object with a time key and a text key, or a CSV header with such
    names. A ``.csv``, ``.jsonl``/``.ndjson`` or ``.parquet``/``.pq`` file is claimed by
    its extension alone, so that ``--format csv`` with ``--text-col`` works on any
    table. DiscordChatExporter CSV and JSON documents (a single object over many lines)
    are never claimed. A folder or zip is claimed when every file in it is a table.
    Never raises.
    """
    try:
        members = _candidates(export)
        if not members:
            return False
        return all(_member_format(export, member) is not None for member in members)
    except (ExportError, ValueError, csv.Error, *_READ_ERRORS):
        return False


def _candidates(export: Export) -> list[str]:
    """The members to read: the file, or every file of a folder or zip of tables."""
    if export.kind == "file":
        return list(export.members[:1])
    if all(PurePosixPath(m).suffix.lower() in _FORMATS for m in export.members):
        return list(export.members)
    return []


def _member_format(export: Export, member: str) -> str | None:
    """``csv``, ``jsonl`` or ``parquet`` for one member; None if not a table."""
    head = export.head(member, size=_HEAD_BYTES)
    suffix = PurePosixPath(member).suffix.lower()
    by_name = _FORMATS.get(suffix)
    if head.startswith(b"PAR1"):
        return "parquet"
    if by_name == "parquet" or not head.strip():
        return None
    # The head may end inside a character or a line: decode for a look, never for data.
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    complete = lines[:-1] if len(head) == _HEAD_BYTES else lines
    first = next((line.strip() for line in complete if line.strip()), None)
    if first is None:
        return (
            by_name if by_name in ("csv", "jsonl") and len(head) < _HEAD_BYTES else None
        )
    if first[0] in "{[":
        if first in ("{", "["):
            return None  # a JSON document spread over lines, not JSON Lines
        try:
            obj = orjson.loads(first)
        except orjson.JSONDecodeError:
            return "jsonl" if by_name == "jsonl" else None
        if not isinstance(obj, dict):
            return None
        if by_name == "jsonl":
            return "jsonl"
        if _looks_like_table(obj) and not _SIGNAL_EXPORT_KEYS <= obj.keys():
            return "jsonl"
        return None
    header = _split_header(first)
    if _is_dce(header):
        return None
    if by_name == "csv" or _looks_like_table(header):
        return "csv"
    return "jsonl" if by_name == "jsonl" else None


def _normal(name: object) -> str:
    """A column name for loose comparison: no invisible marks, edge spaces or case."""
    return strip_invisible(str(name)).strip().casefold()


def _looks_like_table(names: Iterable[object]) -> bool:
    found = {_normal(name) for name in names}
    return bool(found & set(_TIME_NAMES)) and bool(found & set(_TEXT_NAMES))


def _is_dce(header: list[str]) -> bool:
    return _DCE_HEADER <= {_normal(name) for name in header}


def _delimiter(line: str) -> str:
    """The field separator of a header line: a comma, else the one that occurs most."""
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] and counts[","] == 0 else ","


def _split_header(line: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=_delimiter(line)), [])
    except csv.Error:
        return []


# ---------------------------------------------------------------------------
# Reading


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read a message table (or a folder or zip of them) into messages, in file order.

    Parameters
    ----------
    export : Export
        A ``.csv``, ``.jsonl``/``.ndjson`` or ``.parquet`` file, or a folder or zip
        holding only such files.
    options : ParseOptions
        ``columns`` maps our column names to the input's (``{"text": "body"}``);
        ``format`` set to ``csv``, ``jsonl`` or ``parquet`` forces that reading.
    report : ParseReport
        Receives every row that cannot be read (bad time, bad kind, duplicate id,
        broken JSON or CSV), by line (CSV, JSONL) or row (Parquet).

    Yields
    ------
    Message
        One per readable row. Ids already in the ``<conversation_id>/...`` form are
        kept exactly; others get that prefix. Without a ``conversation_id`` column the
        conversation is ``table-<file stem>``; without ``message_id`` the id is
        ``<conversation_id>/<row number>``.

    Raises
    ------
    ExportError
        If a required column is missing (the message lists the columns there are and
        the option that maps one), a mapped column does not exist, or the file is not
        a readable CSV, JSONL or Parquet file at all.
    """
    mapping = _check_mapping(options.columns)
    forced = options.format.lower() if options.format else None
    members = _candidates(export)
    if not members:
        raise ExportError(
            "not a message table: give a .csv, .jsonl or .parquet file, or a folder "
            "or zip holding only such files",
            export.name,
        )
    seen: dict[str, Any] = {}
    for index, member in enumerate(members):
        fmt = forced if forced in ("csv", "jsonl", "parquet") else None
        if fmt is None:
            try:
                fmt = _member_format(export, member)
            except _READ_ERRORS as exc:
                raise ExportError(
                    f"cannot read the file ({exc})", export.where(member)
                ) from None
        if fmt is None:
            raise ExportError(
                "cannot tell whether this is CSV, JSONL or Parquet; name it with "
                "--format csv, --format jsonl or --format parquet",
                export.where(member),
            )
        table = _Table(
            export, member, mapping, report, seen, index if len(members) > 1 else None
        )
        readers = {"csv": table.read_csv, "jsonl": table.read_jsonl,
                   "parquet": table.read_parquet}  # fmt: skip
        try:
            yield from readers[fmt]()
        except _STREAM_ERRORS as exc:
            raise ExportError(
                f"cannot read the file ({exc}); it may be damaged or cut short",
                export.where(member),
            ) from None
        table.finish()


def _check_mapping(columns: dict[str, str]) -> dict[str, str]:
    unknown = [name for name in columns if name not in _COLUMN_SET]
    if unknown:
        raise ExportError(
            f"cannot map unknown column {unknown[0]!r}; the table's columns are "
            + ", ".join(COLUMNS)
        )
    return {ours: theirs for ours, theirs in columns.items() if theirs}


@dataclass
class _Table:
    """Reading state for one member: column lookup, defaults, ids seen, and counters."""

    export: Export
    member: str
    mapping: dict[str, str]
    report: ParseReport
    seen: dict[str, Any]
    member_index: int | None
    lookup: dict[str, str] = field(default_factory=dict)
    conversation: str = ""
    name: str = ""
    units: dict[str, int] = field(default_factory=dict)
    default_conversation: int = 0
    row_number_ids: int = 0
    #: Build common rows without message_from_dict (tests turn it off to compare).
    direct: ClassVar[bool] = True
    prefix: str = ""
    place_word: str = "line"
    offset_but_not_known: int = 0
    bad_zones: int = 0
    first_bad_zone: str = ""

    def __post_init__(self) -> None:
        stem = PurePosixPath(self.member).stem
        self.conversation = f"table-{slug(stem, 'table')}"
        self.name = stem
        self.prefix = self.export.where(self.member)

    def where(self, place: str | int | None = None) -> str:
        return self.prefix if place is None else f"{self.prefix}:{place}"

    # -- columns ------------------------------------------------------------

    def resolve(self, names: list[str], *, header: bool = True) -> None:
        """Match our columns to the input's names; raise if a required one is absent.

        An exact name wins; otherwise a single name equal when case, spaces and
        invisible marks are ignored is taken, and the choice is reported.
        """
        exact: dict[str, int] = {}
        loose: dict[str, list[str]] = {}
        for name in names:
            exact[name] = exact.get(name, 0) + 1
            loose.setdefault(_normal(name), []).append(name)
        lookup: dict[str, str] = {}
        for ours in (*COLUMNS, *_FLAG_COLUMNS):
            wanted = self.mapping.get(ours, ours)
            found: str | None = None
            if exact.get(wanted):
                found = wanted
            elif len(loose.get(_normal(wanted), ())) == 1:
                found = loose[_normal(wanted)][0]
                self.report.decide(
                    self.where(), f"column for {ours!r}", found,
                    f"the only column named {wanted!r} ignoring case and spaces",
                )  # fmt: skip
            if found is not None and exact.get(found, 0) > 1:
                raise ExportError(
                    f"column {found!r} appears {exact[found]} times in the header; "
                    "rename one of them",
                    self.where(),
                )
            named = ours in self.mapping and header
            if found is None and (ours in REQUIRED_COLUMNS or named):
                raise ExportError(
                    self._missing(ours, wanted, names, header), self.where()
                )
            if found is None and not header:
                # JSON Lines records need not share keys: later ones may have it.
                found = wanted
            if found is not None:
                lookup[ours] = found
        self.lookup = lookup
        used = set(lookup.values())
        ignored = [name for name in names if name not in used]
        if ignored:
            self.report.note(
                self.where(),
                ("columns not read: " if header else "fields not read (first record): ")
                + ", ".join(_show_name(n) for n in ignored[:20])
                + (f" and {len(ignored) - 20} more" if len(ignored) > 20 else ""),
            )

    def _missing(self, ours: str, wanted: str, names: list[str], header: bool) -> str:
        option = COLUMN_OPTIONS[ours]
        what = "column" if header else "field"
        if header and any(_header_cell_is_data(name) for name in names):
            return (
                f"no column {wanted!r}: the first row holds values, not column names. "
                "Add a header row such as timestamp,sender,text"
            )
        known = _KNOWN_NAMES | {_normal(name) for name in self.mapping.values()}
        if names and not any(_normal(name) in known for name in names):
            # Perhaps no header row: the names may be the first message's words.
            count = f"{len(names)} {what}{'s' if len(names) != 1 else ''}"
            missing = (
                f"no {what} {wanted!r} (named with {option})"
                if ours in self.mapping
                else f"no {what} {ours!r}"
            )
            if header:
                return (
                    f"{missing}; the first row has {count} and none is a known "
                    "column name: the file may lack a header row (add one such as "
                    f"timestamp,sender,text), or map its columns with {option} NAME"
                )
            return (
                f"{missing}; the first record has {count} and none is a known "
                f"field name. Map one with {option} NAME"
            )
        listing = ", ".join(_show_name(name) for name in names[:30]) or "(none)"
        if len(names) > 30:
            listing += f" and {len(names) - 30} more"
        plural = "columns are" if header else "fields of the first record are"
        if ours in self.mapping:
            return (
                f"no {what} {wanted!r} (named with {option}); the {plural}: {listing}"
            )
        message = (
            f"no {what} {ours!r}; the {plural}: {listing}. Map one with {option} NAME"
        )
        present = {_normal(name): name for name in names}
        guess = next((present[n] for n in _SUGGEST[ours] if n in present), None)
        if guess is not None:
            message += f" (perhaps {option} {guess})"
        return message

    # -- one row --------------------------------------------------------------

    def build(self, values: dict[str, Any], number: int, where: str) -> Message | None:
        """Turn one row (our column names -> raw values) into a message, or report it.

        Returns None, after reporting the problem, if the row cannot be read.
        """
        try:
            timestamp = self.read_time(values.get("timestamp"))
        except _Unreadable as exc:
            self.report.problem(where, f"{self.label('timestamp')}: {exc.args[0]}")
            return None
        sender = values.get("sender")
        text = values.get("text")
        try:
            flag = values.get("tz_known")
            tz_known = None if flag is None else _optional_bool(flag)
            kind = values.get("kind")
            if kind not in KINDS:  # the usual values pass at the cost of a comparison
                kind = self._kind(values)
            for column, value in (("sender", sender), ("text", text)):
                if type(value) is not str and isinstance(value, list | dict):
                    raise _Unreadable(
                        f"{self.label(column)}: expected text, found a list or object"
                    )
        except _Unreadable as exc:
            self.report.problem(where, exc.args[0])
            return None
        if tz_known is False and timestamp.tzinfo is not None:
            # An offset or an epoch number is an absolute time whatever the flag says.
            self.offset_but_not_known += 1
            tz_known = True
        conversation = _id_text(values.get("conversation_id"))
        if not conversation:
            conversation = self.conversation
            self.default_conversation += 1
        prefix = f"{conversation}/"
        raw_id = _id_text(values.get("message_id"))
        native = not raw_id.startswith(prefix)
        if not raw_id:
            raw_id = str(number)
            self.row_number_ids += 1
        message_id = prefix + raw_id if native else raw_id
        reply_to = _id_text(values.get("reply_to"))
        if reply_to and native and not reply_to.startswith(prefix):
            reply_to = prefix + reply_to
        source = values.get("source")
        if not (isinstance(source, str) and source):
            source = where
        name = (
            values["conversation_name"] if "conversation_name" in values else self.name
        )
        reactions = values.get("reactions")
        edited = values.get("edited")
        edited_at = values.get("edited_at")
        read_at = values.get("read_at")
        sender_tz = values.get("sender_tz")
        if sender_tz is not None:
            sender_tz = self.zone(sender_tz, where)
        if (
            self.direct
            and not reactions
            and (edited is None or edited == "" or type(edited) is bool)
            and (edited_at is None or edited_at == "")
            and (read_at is None or read_at == "")
        ):
            # The common row needs none of message_from_dict's parsing; build it here
            # with the same results (tests compare both ways) at half the cost.
            if tz_known is None:
                tz_known = timestamp.tzinfo is not None
            elif tz_known and timestamp.tzinfo is None:
                timestamp = timestamp.replace(tzinfo=timezone.utc)
            return Message(
                conversation, message_id, timestamp, tz_known, _text(sender),
                _text(text), kind, _id_text(values.get("sender_id")) or None,
                reply_to or None, [], edited is True, None, None,
                _text(values.get("read_by")) or None, _text(name), source, sender_tz,
            )  # fmt: skip
        row = {
            "conversation_id": conversation,
            "message_id": message_id,
            "timestamp": timestamp,
            "tz_known": tz_known,
            "sender": sender,
            "text": text,
            "kind": kind,
            "sender_id": _id_text(values.get("sender_id")) or None,
            "reply_to": reply_to or None,
            "reactions": reactions,
            "edited": edited,
            "edited_at": edited_at,
            "read_at": read_at,
            "read_by": values.get("read_by"),
            "conversation_name": name,
            "source": source,
            "sender_tz": sender_tz,
        }
        try:
            message = message_from_dict(row, where)
        except (TableError, OverflowError, OSError):
            # OverflowError/OSError: records.parse_timestamp lets them out for epoch
            # numbers beyond the platform's range.
            self.report.problem(where, self._diagnose(row))
            return None
        return message

    def zone(self, value: Any, where: str) -> str | None:
        """A row's ``sender_tz``, checked; a bad one is left out (and counted), the
        message kept."""
        if value == "" or value != value:  # NaN from a DataFrame or Parquet
            return None
        try:
            return check_zone(value)
        except (ValueError, TypeError):
            self.bad_zones += 1
            self.first_bad_zone = self.first_bad_zone or where
            return None

    def unique(self, message: Message, place: int) -> bool:
        """Remember a message's id; report and refuse it if an earlier row had it.

        ``place`` is the line (CSV, JSONL) or row (Parquet) number, kept per id to
        name the first occurrence. Only the most recent ``_RECENT_IDS`` ids are kept.
        """
        first = self.seen.get(message.message_id)
        if first is None:
            _remember(
                self.seen,
                message.message_id,
                place if self.member_index is None else (self.member_index, place),
            )
            return True
        if isinstance(first, tuple):
            index, first = first
            if index != self.member_index:
                earlier = f"{self.export.members[index]} {self.place_word} {first}"
            else:
                earlier = f"{self.place_word} {first}"
        else:
            earlier = f"{self.place_word} {first}"
        where = self.where(f"row {place}" if self.place_word == "row" else place)
        self.report.problem(
            where,
            f"duplicate message_id: {earlier} has the same id; this row is skipped",
        )
        return False

    def label(self, ours: str) -> str:
        theirs = self.lookup.get(ours, ours)
        return f"column {ours!r}" if theirs == ours else f"column {theirs!r} ({ours})"

    def _kind(self, values: dict[str, Any]) -> str:
        """The row's kind, from ``kind`` or else the ``is_system``/``deleted`` flags."""
        raw = values.get("kind")
        if raw is None or raw == "" or _is_nan(raw):
            if _optional_bool(values.get("is_system"), "is_system"):
                return "system"
            if _optional_bool(values.get("deleted"), "deleted"):
                return "deleted"
            return "message"
        kind = str(raw).strip().lower()
        if kind not in _KIND_SET:
            raise _Unreadable(f"{self.label('kind')}: not one of {', '.join(KINDS)}")
        return kind

    def _diagnose(self, row: dict[str, Any]) -> str:
        """Which column made :func:`message_from_dict` fail, said without its value."""
        base = {"timestamp": row["timestamp"], "tz_known": row["tz_known"],
                "sender": "", "text": ""}  # fmt: skip
        hints = {
            "edited": "expected true or false",
            "edited_at": "cannot read it as a time",
            "read_at": "cannot read it as a time",
            "reactions": 'expected a JSON list of {"emoji", "by", "at", "count"}',
            "sender": "cannot read it as text",
            "text": "cannot read it as text",
        }
        for column, hint in hints.items():
            try:
                message_from_dict({**base, column: row[column]})
            except (TableError, OverflowError, OSError):
                return f"{self.label(column)}: {hint}"
        return "cannot read this row"

    def read_time(self, value: Any) -> datetime:
        """A timestamp from ISO 8601 text, an epoch number, or a datetime (Parquet)."""
        if type(value) is str:
            text = value.strip()
            if not text:
                raise _Unreadable("empty; every row needs a time")
            # "2024-..." is ISO; only other shapes may be epoch numbers.
            if not (text[4:5] == "-" and text[:4].isdigit()) and _NUMBER.fullmatch(
                text
            ):
                return self._epoch(float(text) if "." in text else int(text))
            try:
                stamp = datetime.fromisoformat(text)
            except ValueError as exc:
                raise _Unreadable(
                    f"cannot read {_show_value(text)} as a time; use ISO 8601 "
                    "(2024-01-05T09:00:00+01:00) or epoch seconds"
                ) from exc
        elif value is None or value == "" or _is_nan(value):
            raise _Unreadable("empty; every row needs a time")
        elif isinstance(value, datetime):
            stamp = value
        elif isinstance(value, date):
            stamp = datetime(value.year, value.month, value.day)
        elif isinstance(value, bool):
            raise _Unreadable("true/false is not a time")
        elif isinstance(value, int | float):
            return self._epoch(value)
        else:
            raise _Unreadable(f"a {type(value).__name__} is not a time")
        try:
            return parse_timestamp(stamp)
        except (ValueError, OverflowError) as exc:
            raise _Unreadable("out of range once converted to UTC") from exc

    def _epoch(self, number: int | float) -> datetime:
        """Epoch seconds, milliseconds, microseconds or nanoseconds (by size) as UTC."""
        size = abs(number)
        unit = (
            "seconds" if size <= 1e11 else "milliseconds" if size < 1e14
            else "microseconds" if size < 1e17 else "nanoseconds"
        )  # fmt: skip
        try:
            if unit in ("seconds", "milliseconds"):
                stamp = parse_timestamp(number)
            elif isinstance(number, int):
                micros = number if unit == "microseconds" else number // 1000
                stamp = _EPOCH + timedelta(microseconds=micros)
            else:
                divisor = 1e6 if unit == "microseconds" else 1e9
                stamp = parse_timestamp(number / divisor)
        except (ValueError, OverflowError, OSError) as exc:
            raise _Unreadable(
                f"the number {number!r} is out of range for a time"
            ) from exc
        self.units[unit] = self.units.get(unit, 0) + 1
        return stamp

    def finish(self) -> None:
        """Report what was decided for the whole member."""
        if self.units:
            value = " and ".join(f"epoch {unit}" for unit in self.units)
            evidence = ", ".join(
                f"{n} numeric value(s) {_UNIT_SIZES[unit]}"
                for unit, n in self.units.items()
            )
            self.report.decide(
                self.where(), "numeric timestamps (UTC)", value, evidence
            )
        if self.default_conversation:
            self.report.note(
                self.where(),
                f"{self.default_conversation} rows have no conversation_id: they are "
                f"conversation {self.conversation}",
            )
        if self.row_number_ids:
            self.report.note(
                self.where(),
                f"{self.row_number_ids} rows have no message_id: their ids are "
                "<conversation_id>/<row number>",
            )
        if self.bad_zones:
            self.report.note(
                self.first_bad_zone,
                f"{self.bad_zones} rows have a {self.label('sender_tz')} that is not a "
                "time zone (use an IANA name such as Europe/Berlin or an offset such "
                "as +02:00): their messages are kept without it; the first is here",
            )
        if self.offset_but_not_known:
            self.report.note(
                self.where(),
                f"{self.offset_but_not_known} rows say tz_known is false but their "
                "time has an offset or is an epoch number; read as UTC, tz_known true",
            )

    # -- JSONL ---------------------------------------------------------------

    def read_jsonl(self) -> Iterator[Message]:
        loads = orjson.loads
        seen = self.seen
        single = self.member_index is None
        fast_ok = not self.mapping
        resolved = False
        identity = same_names = False
        number = 0
        with self._open() as stream:
            for line_number, line in enumerate(stream, start=1):
                if line[:1] != b"{":
                    if line_number == 1 and line.startswith(b"\xef\xbb\xbf"):
                        line = line[3:]
                    if not line.strip():
                        continue
                number += 1
                try:
                    row = loads(line)
                except orjson.JSONDecodeError as exc:
                    if not resolved and line.strip() in (b"{", b"["):
                        raise ExportError(
                            "this is one JSON document, not JSON Lines (one object per "
                            "line); if it is a chat export, leave --format out",
                            self.where(line_number),
                        ) from None
                    self.report.problem(self.where(line_number), _json_reason(exc))
                    continue
                if type(row) is not dict:
                    self.report.problem(
                        self.where(line_number),
                        f"expected a JSON object, found {_json_type(row)}",
                    )
                    continue
                if not resolved:
                    self.resolve(list(row), header=False)
                    resolved = True
                    same_names = all(k == v for k, v in self.lookup.items())
                    identity = fast_ok and same_names
                message = _fast(row) if identity else None
                if message is None:
                    message = self._slow(row, number, line_number, same_names)
                    if message is None:
                        continue
                message_id = message.message_id
                if single and message_id not in seen:
                    _remember(seen, message_id, line_number)
                    yield message
                elif self.unique(message, line_number):
                    yield message

    def _slow(
        self, row: dict[str, Any], number: int, line_number: int, same_names: bool
    ) -> Message | None:
        """One JSONL record through the general path (mapping, defaults, checks)."""
        where = f"{self.prefix}:{line_number}"
        if same_names:
            values = row
        else:
            values = {
                ours: row[theirs]
                for ours, theirs in self.lookup.items()
                if theirs in row
            }
        for column in REQUIRED_COLUMNS:
            if column not in values:
                self.report.problem(
                    where, f"no field {self.lookup[column]!r} in this record"
                )
                return None
        return self.build(values, number, where)

    # -- CSV -----------------------------------------------------------------

    def read_csv(self) -> Iterator[Message]:
        if csv.field_size_limit() < _FIELD_LIMIT:
            # The limit is process-wide, so it is only ever raised, never lowered.
            csv.field_size_limit(_FIELD_LIMIT)
        bad_lines: list[int] = []
        with self._open() as raw:
            stream = io.TextIOWrapper(
                raw, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            lines = _checked_lines(stream, bad_lines)
            first = next(lines, None)
            while first is not None and not first.strip():
                first = next(lines, None)
            if first is None:
                raise ExportError("the file has no header row", self.where())
            delimiter = _delimiter(first)
            if delimiter != ",":
                self.report.decide(
                    self.where(), "CSV delimiter", repr(delimiter),
                    "the header line has no comma",
                )  # fmt: skip
            reader = csv.reader(_chain(first, lines), delimiter=delimiter, strict=True)
            try:
                header = next(reader)
            except csv.Error as exc:
                raise ExportError(
                    f"cannot read the header row ({exc})", self.where(1)
                ) from None
            if bad_lines:
                raise ExportError(_NOT_UTF8, self.where(bad_lines[0])) from None
            header_end = reader.line_num
            names = [strip_invisible(name).strip() for name in header]
            self.resolve(names)
            index = {ours: names.index(theirs) for ours, theirs in self.lookup.items()}
            width = len(names)
            number = 0
            previous = reader.line_num
            while True:
                start = previous + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    previous = reader.line_num
                    number += 1
                    self._csv_error(exc, start)
                    continue
                previous = reader.line_num
                if not fields or not any(f.strip() for f in fields):
                    continue
                number += 1
                where = self.where(start)
                if bad_lines and bad_lines[-1] >= start:
                    self.report.problem(where, _NOT_UTF8)
                    continue
                if len(fields) < width or any(f.strip() for f in fields[width:]):
                    self.report.problem(
                        where,
                        f"has {len(fields)} fields but the header (line {header_end}) "
                        f"has {width}; a field with a comma or a quote is probably not "
                        "quoted",
                    )
                    continue
                values = {ours: fields[i] for ours, i in index.items()}
                message = self.build(values, number, where)
                if message is not None and self.unique(message, start):
                    yield message

    def _csv_error(self, exc: csv.Error, start: int) -> None:
        reason = str(exc)
        if "field larger than field limit" in reason:
            raise ExportError(
                f"the record starting here is longer than {csv.field_size_limit()} "
                'characters: a quote (") is probably never closed',
                self.where(start),
            ) from None
        if "unexpected end of data" in reason:
            reason = 'a quoted field starts here and is never closed (a missing ")'
        else:
            reason = f"not valid CSV ({reason})"
        self.report.problem(self.where(start), reason)

    # -- Parquet -------------------------------------------------------------

    def read_parquet(self) -> Iterator[Message]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            if self.export.file_path is not None:
                parquet = pq.ParquetFile(self.export.file_path)
            elif self.export.kind == "folder":
                parquet = pq.ParquetFile(self.export.path / self.member)
            else:
                parquet = pq.ParquetFile(
                    pa.BufferReader(self.export.read_bytes(self.member))
                )
        except (pa.ArrowException, *_READ_ERRORS) as exc:
            raise ExportError(
                f"not a readable Parquet file ({exc})", self.where()
            ) from None
        names = list(parquet.schema_arrow.names)
        self.place_word = "row"
        self.resolve(names)
        columns = sorted(set(self.lookup.values()), key=names.index)
        number = 0
        batches = parquet.iter_batches(batch_size=_PARQUET_BATCH, columns=columns)
        while True:
            try:
                batch = next(batches, None)
            except (pa.ArrowException, *_READ_ERRORS) as exc:
                raise ExportError(
                    f"the Parquet file is damaged after row {number} ({exc})",
                    self.where(),
                ) from None
            if batch is None:
                break
            for row in _micro_timestamps(batch).to_pylist():
                number += 1
                where = self.where(f"row {number}")
                values = {ours: row[theirs] for ours, theirs in self.lookup.items()}
                message = self.build(values, number, where)
                if message is None or not self.unique(message, number):
                    continue
                if message.tz_known:
                    # Parquet stores reaction times as naive UTC (records._naive_utc).
                    for entry in message.reactions:
                        at = entry["at"]
                        if isinstance(at, datetime) and at.tzinfo is None:
                            entry["at"] = at.replace(tzinfo=timezone.utc)
                yield message

    def _open(self) -> IO[bytes]:
        try:
            return self.export.open(self.member)
        except _READ_ERRORS as exc:
            raise ExportError(f"cannot open the file ({exc})", self.where()) from None


def _fast(row: dict[str, Any]) -> Message | None:
    """A row exactly as ``reread parse`` writes it, as a :class:`Message`; else None.

    Builds the same message that :meth:`_Table.build` would, for the common case
    only: every column present in schema order, ids in full form, no reactions and
    no edit or read times. Anything else returns None and takes the general path.
    This is the hot loop of re-reading a large table, hence the one flat test.
    """
    keys = tuple(row)
    values: Iterable[Any]
    if keys == COLUMNS:
        values = row.values()
    elif keys == _COLUMNS_BEFORE_ZONES:  # written by reread before sender_tz
        values = [*row.values(), None]
    else:
        return None
    # fmt: off
    (conversation, message_id, stamp, tz_known, sender, text, kind, sender_id,
     reply_to, reactions, edited, edited_at, read_at, read_by, name,
     source, sender_tz) = values
    if not (
        type(conversation) is type(message_id) is type(stamp) is type(sender)
        is type(text) is type(name) is type(source) is str
        and type(tz_known) is type(edited) is bool
        and kind in KINDS and reactions == [] and edited_at is read_at is None
        and conversation and source and len(stamp) > 10 and stamp[4] == "-"
        and message_id.startswith(conversation)
        and message_id[len(conversation):len(conversation) + 1] == "/"
        and (sender_id is None or (type(sender_id) is str and sender_id))
        and (reply_to is None or (type(reply_to) is str and reply_to))
        and (read_by is None or (type(read_by) is str and read_by))
    ):
        return None
    # fmt: on
    if sender_tz is not None:
        try:
            sender_tz = check_zone(sender_tz)
        except (ValueError, TypeError):
            return None  # the general path reports it
    try:
        timestamp = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if tz_known:
        if timestamp.tzinfo is not timezone.utc:
            if timestamp.tzinfo is None:
                return None
            try:
                timestamp = timestamp.astimezone(timezone.utc)
            except OverflowError:
                return None
    elif timestamp.tzinfo is not None:
        return None
    return Message(
        conversation, message_id, timestamp, tz_known, sender, text, kind, sender_id,
        reply_to, reactions, edited, None, None, read_by, name, source, sender_tz,
    )  # fmt: skip


_NOT_UTF8 = (
    "not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8') and read it again"
)


def _checked_lines(stream: Iterable[str], bad: list[int]) -> Iterator[str]:
    """Lines decoded with ``surrogateescape``; bad lines' numbers go to ``bad``."""
    for number, line in enumerate(stream, start=1):
        if not line.isascii():
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:
                bad.append(number)
        yield line


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _micro_timestamps(batch: Any) -> Any:
    """Cast nanosecond timestamp columns to microseconds: rows then hold datetimes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = list(batch.columns)
    changed = False
    for i, array in enumerate(arrays):
        kind = array.type
        if pa.types.is_timestamp(kind) and kind.unit == "ns":
            arrays[i] = pc.cast(array, pa.timestamp("us", tz=kind.tz), safe=False)
            changed = True
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


# ---------------------------------------------------------------------------
# Values


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _text(value: Any) -> str:
    """A text column's value as records.message_from_dict reads it (None is "")."""
    if type(value) is str:
        return value
    if value is None or _is_nan(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _id_text(value: Any) -> str:
    """An id as text; a whole float (pandas' integer column with gaps) drops ``.0``."""
    if type(value) is str:
        return value
    if value is None or _is_nan(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _optional_bool(value: Any, column: str = "tz_known") -> bool | None:
    if value is None or value == "" or _is_nan(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    flag = _BOOL_WORDS.get(str(value).strip().lower())
    if flag is None:
        raise _Unreadable(f"column {column!r}: expected true or false")
    return flag


def _show_value(text: str) -> str:
    """A value for an error message only if it looks like a date, never chat text."""
    compact = text.replace(" ", "")
    digits = sum(ch.isdigit() for ch in compact)
    if len(text) <= 40 and compact and digits * 2 >= len(compact):
        return repr(text)
    return f"a {len(text)}-character value"


def _show_name(name: str) -> str:
    if not name:
        return "(unnamed)"
    return name if len(name) <= 40 else name[:37] + "..."


def _header_cell_is_data(name: str) -> bool:
    """Whether a header cell looks like a value (a time, a number), not a name."""
    text = name.strip()
    if not text:
        return False
    if _NUMBER.fullmatch(text):
        return True
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return len(text) > 60
    return True


def _json_reason(exc: orjson.JSONDecodeError) -> str:
    if "UTF-8" in str(exc):
        return "not UTF-8 text; save the file as UTF-8 and read it again"
    return f"not valid JSON ({exc})"


def _json_type(value: Any) -> str:
    names: dict[type, str] = {
        list: "an array", str: "a string", int: "a number", float: "a number",
        bool: "true/false", type(None): "null",
    }  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _remember(seen: dict[str, Any], message_id: str, place: Any) -> None:
    """Record an id; past ``_RECENT_IDS`` entries, forget the older half in one go."""
    seen[message_id] = place
    if len(seen) > _RECENT_IDS:
        newest = list(seen.items())[_RECENT_IDS // 2 :]
        seen.clear()
        seen.update(newest)
