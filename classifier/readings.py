"""Alternative readings and a check-in for every flag, from ``readings.json``.

A flag says that a moment *may be read as* a small rejection. :func:`readings_for`
answers with two to four other ways to read the same moment, ranked, each with its
``basis``: the evidence from the chat that supports it ("Sam's usual reply time is
about 4 hours", "it was 23:50 for them"), or, for a reading the chat holds no evidence
for, the word "general:" and why it is offered anyway. It also gives one check-in: a
message the reader could send, worded without accusation.

The wording is data, not code, so it can be reviewed and extended without touching
Python. ``classifier/readings.json`` holds::

    {
      "format_version": 1,
      "about": ["free text for people editing the file", ...],
      "readings": [
        {"id": "slow.usual_pace",            # unique, named in every error
         "kind": "evidence",                 # or "general"
         "flags": ["slow_reply", "unanswered"],
         "when": [{"key": "usual_seconds", "gte": 7200}],
         "weight": 70,                       # rank: higher first
         "theme": "pace",                    # at most one reading per theme
         "text": "Slow replies may simply be {sender_s} rhythm.",
         "basis": "{sender_s} usual reply time is {usual_human}"},
        ...
      ],
      "check_ins": [
        {"id": "checkin.slow", "flags": ["slow_reply"], "when": [], "weight": 0,
         "text": "When replies take longer than usual, I sometimes ..."},
        ...
      ]
    }

Condition language (``when``): a list of conditions that must all hold. A condition
is ``{"key": KEY, OP: VALUE}`` with one operator, or ``{"any": [conditions]}``, which
holds when at least one of its conditions does. Operators:

``eq``, ``ne``
    equal, not equal (``ne`` also holds when the key is missing).
``gt``, ``gte``, ``lt``, ``lte``
    compare a number; a missing key never holds.
``in``
    the value is one of a list.
``contains``
    a list value (``cues``, ``expected``) holds this item.
``present``
    ``true``: the key has a usable value; ``false``: it is missing or unusable.

Keys are the evidence keys of :data:`KEY_KINDS` (the shared vocabulary of the flags),
plus ``is_group`` from the :class:`ReadingContext` and three derived values:
``expected_count`` (how many people were expected to answer), ``gap_ratio`` (the gap
over the usual reply time) and ``length_vs_usual`` (the reply's words over the
sender's usual). A value of the wrong type counts as missing.

Templates are :meth:`str.format` strings over the friendly fields of
:data:`FIELD_SOURCES` (``{usual_human}`` is "about 4 hours", ``{local_time}``
"23:50", ``{one_word_pct}`` "60%"). A field built from evidence may be used only when
the entry's conditions make sure that evidence is there, so a template is never left
half filled. The file is checked when it is loaded (:class:`ReadingsError` names the
entry) and kept for the life of the process.

Ranking: readings backed by evidence come first, by ``weight`` then ``id``, up to
four, one per ``theme``. General readings fill the list up to three, in themes not
taken yet: the heaviest one that holds, then others taken in turn from a digest of the
evidence, so every general reading gets shown and a long chat does not repeat the same
three on every flag; the output stays deterministic. A night-time gap's reading has
the highest weight, so it comes first: a gap over the night is not evidence.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ClassifierError
from .labels import CATEGORIES, FLAG_TYPES, SILENCE_TYPES

__all__ = [
    "FLAG_TYPES",
    "SILENCE_TYPES",
    "CATEGORIES",
    "KEY_KINDS",
    "FIELD_SOURCES",
    "OPERATORS",
    "ReadingContext",
    "ReadingsData",
    "ReadingsError",
    "readings_for",
    "load_readings",
    "validate_readings",
    "human_duration",
    "human_clock",
    "human_percent",
    "human_count",
]

#: Evidence keys a condition may test, and the kind of value each holds. Derived keys
#: are computed from evidence and ``is_group`` comes from the context.
KEY_KINDS: dict[str, str] = {
    # silences
    "waiting_sender": "str",
    "expected": "list",
    "gap_seconds": "number",
    "usual_seconds": "number",
    "high_seconds": "number",
    "replier_history": "number",
    "local_hour": "number",
    "hour_is_local": "bool",
    "night": "bool",
    "messages_meanwhile": "number",
    "burst": "number",
    "answered_later_warmly": "bool",
    "active_elsewhere": "bool",
    "reply_link": "str",
    "reaction": "str",
    # text flags
    "category": "str",
    "cues": "list",
    "answers": "str",
    "reader": "str",
    "reply_words": "number",
    "usual_words": "number",
    "one_word_rate": "number",
    # derived
    "expected_count": "number",
    "gap_ratio": "number",
    "length_vs_usual": "number",
    "is_group": "bool",
}
# Derived keys and the evidence they are computed from.
_DERIVED_SOURCES: dict[str, tuple[str, ...]] = {
    "expected_count": ("expected",),
    "gap_ratio": ("gap_seconds", "usual_seconds"),
    "length_vs_usual": ("reply_words", "usual_words"),
    "is_group": (),
}
_EVIDENCE_KINDS = [(k, v) for k, v in KEY_KINDS.items() if k not in _DERIVED_SOURCES]
#: Operators of the condition language, and the kinds of key each applies to.
OPERATORS: dict[str, tuple[str, ...]] = {
    "eq": ("number", "bool", "str"),
    "ne": ("number", "bool", "str"),
    "gt": ("number",),
    "gte": ("number",),
    "lt": ("number",),
    "lte": ("number",),
    "in": ("number", "str"),
    "contains": ("list",),
    "present": ("number", "bool", "str", "list"),
}
#: Template fields, and the evidence keys each needs. Fields with no source are
#: always filled (names fall back to "the other person").
FIELD_SOURCES: dict[str, tuple[str, ...]] = {
    "sender": (),
    "sender_s": (),
    "reader": (),
    "reader_s": (),
    "hour_whose": (),
    "gap_human": ("gap_seconds",),
    "usual_human": ("usual_seconds",),
    "high_human": ("high_seconds",),
    "local_time": ("local_hour",),
    "part_of_day": ("local_hour",),
    "messages_meanwhile_words": ("messages_meanwhile",),
    "burst_words": ("burst",),
    "replier_history_words": ("replier_history",),
    "expected_count_words": ("expected",),
    "expected_names": ("expected",),
    "reaction": ("reaction",),
    "one_word_pct": ("one_word_rate",),
    "reply_words_human": ("reply_words",),
    "usual_words_human": ("usual_words",),
}

_KINDS = ("evidence", "general")
_READING_KEYS = {"id", "kind", "flags", "when", "weight", "theme", "text", "basis"}
_CHECK_IN_KEYS = {"id", "flags", "when", "weight", "text"}
_TOP_KEYS = {"format_version", "about", "readings", "check_ins"}
_FORMAT_VERSION = 1
# Keys that describe the flag rather than the chat: a reading whose only conditions
# are on these is not grounded in evidence.
_NOT_EVIDENCE = {"category", "is_group"}
# Readings per flag: evidence readings up to the most, general ones fill up to target.
MAX_READINGS = 4
TARGET_READINGS = 3
MIN_READINGS = 2
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()


class ReadingsError(ClassifierError):
    """The readings data file is malformed; the message names the entry and the fix."""


@dataclass(frozen=True)
class ReadingContext:
    """Who is who around a flag.

    Parameters
    ----------
    sender : str or None
        For a text flag, who sent the flagged reply; for a silence, who went quiet
        (the person or people expected to answer).
    reader : str or None
        The person who may feel stung: the one answered, or the one left waiting.
    is_group : bool
        Whether the conversation has more than two people.
    """

    sender: str | None = None
    reader: str | None = None
    is_group: bool = False


@dataclass(frozen=True)
class _Condition:
    key: str
    op: str
    value: Any
    any_of: tuple[_Condition, ...] = ()


@dataclass(frozen=True)
class _Entry:
    id: str
    flags: frozenset[str]
    when: tuple[_Condition, ...]
    weight: float
    text: str
    kind: str = "check_in"
    theme: str = ""
    basis: str = ""


@dataclass(frozen=True)
class ReadingsData:
    """A validated readings file.

    Attributes
    ----------
    readings : tuple
        The reading entries, in file order.
    check_ins : tuple
        The check-in entries, in file order.
    where : str
        Where the file was read from, for messages.
    """

    readings: tuple[_Entry, ...]
    check_ins: tuple[_Entry, ...]
    where: str

    @cached_property
    def by_flag(self) -> dict[str, tuple[list[_Compiled], list[_Compiled]]]:
        """Per flag type, its readings and its check-ins ranked, conditions compiled."""
        index = {}
        for flag_type in FLAG_TYPES:
            index[flag_type] = tuple(
                [
                    (e, _all_of([_compile(c) for c in e.when]))
                    for e in sorted(entries, key=_rank)
                    if flag_type in e.flags
                ]
                for entries in (self.readings, self.check_ins)
            )
        return index  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
# Friendly formatting


def human_count(n: float) -> str:
    """A count in words up to twenty, in digits above: ``12`` -> ``"twelve"``.

    Examples
    --------
    >>> human_count(12), human_count(45)
    ('twelve', '45')
    """
    value = int(round(n))
    if 0 <= value < len(_NUMBER_WORDS):
        return _NUMBER_WORDS[value]
    return str(value)


def human_duration(seconds: float) -> str:
    """A duration as a person would say it.

    Minutes are exact below an hour; hours are rounded ("about 4 hours", to the half
    hour below three hours); then days, weeks and months.

    Parameters
    ----------
    seconds : float
        The duration; negative values count as zero.

    Returns
    -------
    str
        For example ``"under a minute"``, ``"2 minutes"``, ``"about an hour and a
        half"``, ``"about 4 hours"``, ``"a day and a half"``, ``"about 3 weeks"``.

    Examples
    --------
    >>> human_duration(120), human_duration(4 * 3600 + 600), human_duration(36 * 3600)
    ('2 minutes', 'about 4 hours', 'a day and a half')
    """
    s = max(0.0, float(seconds))
    if s < 45:
        return "under a minute"
    if s < 90:
        return "a minute"
    if s < 55 * 60:
        return f"{round(s / 60)} minutes"
    if s < 2.75 * 3600:
        halves = round(s / 1800)
        exact = abs(s - halves * 1800) < 60
        whole, half = divmod(halves, 2)
        if whole == 1:
            words = "an hour and a half" if half else "an hour"
        else:
            words = f"{whole} and a half hours" if half else f"{whole} hours"
        return words if exact else f"about {words}"
    if s < 20 * 3600:
        hours = round(s / 3600)
        return (
            f"{hours} hours" if abs(s - hours * 3600) < 60 else f"about {hours} hours"
        )
    days = s / 86400
    if days < 1.25:
        return "about a day"
    if days < 1.75:
        return "a day and a half"
    if days < 13.5:
        return f"about {round(days)} days"
    if days < 60:
        return f"about {round(days / 7)} weeks"
    return f"about {round(days / 30)} months"


def human_clock(hour: float) -> str:
    """An hour of the day as a clock time: ``23.8333`` -> ``"23:50"``.

    A whole hour is taken to be known only to the hour, so ``23`` gives ``"after
    23:00"`` and ``0`` gives ``"after midnight"``.

    Examples
    --------
    >>> human_clock(23 + 50 / 60), human_clock(9), human_clock(0)
    ('23:50', 'after 09:00', 'after midnight')
    """
    minutes = round(float(hour) * 60) % (24 * 60)
    if float(hour) == int(hour):
        return "after midnight" if minutes == 0 else f"after {minutes // 60:02d}:00"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def human_percent(rate: float) -> str:
    """A share from 0 to 1 as a whole percentage: ``0.6`` -> ``"60%"``.

    Examples
    --------
    >>> human_percent(0.6), human_percent(0.004)
    ('60%', 'under 1%')
    """
    pct = float(rate) * 100
    if 0 < pct < 0.5:
        return "under 1%"
    return f"{round(pct)}%"


def _part_of_day(hour: float) -> str:
    """A coarse name for the hour: "late at night", "in the evening"..."""
    h = float(hour) % 24
    if h < 5:
        return "late at night"
    if h < 9:
        return "early in the morning"
    if h < 12:
        return "in the morning"
    if h < 17:
        return "in the afternoon"
    if h < 21:
        return "in the evening"
    return "late in the evening"


def _words(n: float) -> str:
    """A word count: "one word", "3 words"."""
    value = round(n)
    return "one word" if value == 1 else f"{human_count(value)} words"


def _names(names: Sequence[str], is_group: bool) -> str:
    """Names joined for a sentence: "Sam", "Sam and Priya", "Sam, Priya and Lee"."""
    if not names:
        return "the others" if is_group else "the other person"
    if len(names) > 3:
        return "the others"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _possessive(name: str) -> str:
    """ "Sam" -> "Sam's", "the others" -> "the others'"."""
    return "the others'" if name == "the others" else f"{name}'s"


# --------------------------------------------------------------------------------------
# Evidence


def _plain(value: Any) -> Any:
    """Numpy scalars to Python ones (without importing numpy)."""
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (list, tuple, dict, str)):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def _number(value: Any) -> float | None:
    """A finite number, or None (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _clean(kind: str, value: Any) -> Any:
    """A value checked against its key's kind; anything unusable becomes None."""
    if kind == "list":
        value = value.tolist() if hasattr(value, "tolist") else value  # numpy arrays
        if not isinstance(value, (list, tuple)):
            return None
        items = [x for x in (_plain(v) for v in value) if isinstance(x, str) and x]
        return items or None
    value = _plain(value)
    if kind == "number":
        return _number(value)
    if kind == "bool":
        return value if isinstance(value, bool) else None
    return value if isinstance(value, str) and value else None


def _values(evidence: Mapping[str, Any], context: ReadingContext) -> dict[str, Any]:
    """Evidence cleaned to the kinds of :data:`KEY_KINDS`, plus the derived keys."""
    raw = dict(evidence)
    usual = raw.get("usual")
    if isinstance(usual, Mapping):  # a text flag may nest the sender's usual
        for key, value in usual.items():
            raw.setdefault(key, value)
    values = {
        key: None if (value := raw.get(key)) is None else _clean(kind, value)
        for key, kind in _EVIDENCE_KINDS
    }
    expected = values["expected"]
    values["expected_count"] = len(expected) if expected else None
    gap, usual_s = values["gap_seconds"], values["usual_seconds"]
    values["gap_ratio"] = gap / usual_s if gap is not None and usual_s else None
    words, usual_w = values["reply_words"], values["usual_words"]
    values["length_vs_usual"] = (
        words / usual_w if words is not None and usual_w else None
    )
    values["is_group"] = bool(context.is_group)
    return values


def _people(
    flag_type: str, values: Mapping[str, Any], context: ReadingContext
) -> tuple[str, str]:
    """The names for ``{sender}`` (who sent or went quiet) and ``{reader}``."""
    waiting = values["waiting_sender"]
    expected = values["expected"] or []
    if flag_type == "text":
        sender = context.sender or "the other person"
        reader = context.reader or values["reader"] or "the person they answered"
        return sender, reader
    reader = context.reader or waiting or "the person left waiting"
    # A silence's sender is who went quiet; a context that names the one left waiting
    # instead is read from the evidence.
    quiet = context.sender
    if not quiet or quiet in (waiting, context.reader):
        quiet = _names(expected, context.is_group)
    return quiet, reader


def _fields(values: Mapping[str, Any], sender: str, reader: str) -> dict[str, str]:
    """Every friendly field whose evidence is there (see :data:`FIELD_SOURCES`)."""
    out = {
        "sender": sender,
        "sender_s": _possessive(sender),
        "reader": reader,
        "reader_s": _possessive(reader),
        "hour_whose": "for them" if values["hour_is_local"] else "by the chat's clock",
    }
    number_fields: dict[str, tuple[str, Callable[[float], str]]] = {
        "gap_human": ("gap_seconds", human_duration),
        "usual_human": ("usual_seconds", human_duration),
        "high_human": ("high_seconds", human_duration),
        "local_time": ("local_hour", human_clock),
        "part_of_day": ("local_hour", _part_of_day),
        "messages_meanwhile_words": ("messages_meanwhile", human_count),
        "burst_words": ("burst", human_count),
        "replier_history_words": ("replier_history", human_count),
        "one_word_pct": ("one_word_rate", human_percent),
        "reply_words_human": ("reply_words", _words),
        "usual_words_human": ("usual_words", lambda n: f"about {_words(n)}"),
    }
    for name, (key, fmt) in number_fields.items():
        if values[key] is not None:
            out[name] = fmt(values[key])
    if values["expected"]:
        out["expected_count_words"] = human_count(len(values["expected"]))
        out["expected_names"] = _names(values["expected"], bool(values["is_group"]))
    if values["reaction"]:
        out["reaction"] = values["reaction"]
    return out


def _same(value: Any, target: Any) -> bool:
    """Equality that keeps booleans, numbers and strings apart."""
    if isinstance(target, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(target, bool) and value == target
    return value is not None and value == target


_Test = Callable[[Mapping[str, Any]], bool]
_Compiled = tuple["_Entry", _Test]


def _all_of(tests: list[_Test]) -> _Test:
    """One test that holds when all of ``tests`` hold."""
    if not tests:
        return lambda values: True
    if len(tests) == 1:
        return tests[0]

    def every(values: Mapping[str, Any]) -> bool:
        for test in tests:
            if not test(values):
                return False
        return True

    return every


def _compile(cond: _Condition) -> _Test:
    """One condition as a function of the cleaned values (what :func:`_holds` does,
    with the operator chosen once instead of at every flag)."""
    if cond.any_of:
        parts = tuple(_compile(c) for c in cond.any_of)
        return lambda values: any(part(values) for part in parts)
    key, op, target = cond.key, cond.op, cond.value
    if op in ("gt", "gte", "lt", "lte"):
        compare = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt,
                   "lte": operator.le}[op]  # fmt: skip

        def ordered(values: Mapping[str, Any]) -> bool:
            value = values.get(key)
            return value is not None and bool(compare(value, target))

        return ordered
    if op == "present":
        return lambda values: (values.get(key) is not None) == target
    if op == "contains":
        return lambda values: isinstance(v := values.get(key), list) and target in v
    targets = target if op == "in" else [target]
    if all(isinstance(t, str) for t in targets):
        allowed = frozenset(targets)

        def member(values: Mapping[str, Any]) -> bool:
            value = values.get(key)
            return isinstance(value, str) and value in allowed

    else:

        def member(values: Mapping[str, Any]) -> bool:
            value = values.get(key)
            return any(_same(value, t) for t in targets)

    return (lambda values: not member(values)) if op == "ne" else member


def _holds(cond: _Condition, values: Mapping[str, Any]) -> bool:
    """Whether one condition holds for the cleaned values."""
    if cond.any_of:
        return any(_holds(c, values) for c in cond.any_of)
    value = values.get(cond.key)
    op, target = cond.op, cond.value
    if op == "present":
        return (value is not None) == target
    if op == "eq":
        return _same(value, target)
    if op == "ne":
        return not _same(value, target)
    if op == "in":
        return any(_same(value, t) for t in target)
    if op == "contains":
        return isinstance(value, list) and target in value
    if value is None:
        return False
    if op == "gt":
        return bool(value > target)
    if op == "gte":
        return bool(value >= target)
    if op == "lt":
        return bool(value < target)
    return bool(value <= target)


# --------------------------------------------------------------------------------------
# Loading and validating the data file


def _fail(where: str, what: str, message: str) -> ReadingsError:
    return ReadingsError(f"{where}: {what}: {message}")


def _condition(raw: Any, where: str, what: str) -> _Condition:
    """Check and compile one condition."""
    if not isinstance(raw, dict):
        raise _fail(where, what, f"a condition must be an object, not {raw!r}")
    if "any" in raw:
        if set(raw) != {"any"} or not isinstance(raw["any"], list) or not raw["any"]:
            raise _fail(
                where, what, '"any" takes a non-empty list of conditions, alone'
            )
        parts = tuple(_condition(c, where, what) for c in raw["any"])
        return _Condition(key="", op="any", value=None, any_of=parts)
    key = raw.get("key")
    ops = [k for k in raw if k != "key"]
    if not isinstance(key, str) or key not in KEY_KINDS:
        raise _fail(
            where,
            what,
            f"unknown condition key {key!r}; known keys: {', '.join(KEY_KINDS)}",
        )
    if len(ops) != 1:
        raise _fail(
            where, what, f"condition on {key!r} needs exactly one operator, got {ops}"
        )
    op = ops[0]
    if op not in OPERATORS:
        raise _fail(
            where,
            what,
            f"unknown condition operator {op!r}; use one of {', '.join(OPERATORS)}",
        )
    kind = KEY_KINDS[key]
    if kind not in OPERATORS[op]:
        raise _fail(where, what, f"operator {op!r} does not apply to {kind} {key!r}")
    value = raw[op]
    targets = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        raise _fail(where, what, f'"in" on {key!r} takes a non-empty list')
    for target in targets:
        ok = {
            "present": isinstance(target, bool),
            "contains": isinstance(target, str),
        }.get(op)
        if ok is None:
            ok = {
                "number": _number(target) is not None,
                "bool": isinstance(target, bool),
                "str": isinstance(target, str),
            }[kind]
        if not ok:
            raise _fail(where, what, f"{op!r} on {key!r}: {target!r} is not a {kind}")
        if key == "category" and target not in CATEGORIES:
            raise _fail(
                where,
                what,
                f"unknown category {target!r}; categories: {', '.join(CATEGORIES)}",
            )
    return _Condition(key=key, op=op, value=value)


def _guaranteed(cond: _Condition) -> set[str]:
    """Evidence keys that are surely present when the condition holds."""
    if cond.any_of:
        sets = [_guaranteed(c) for c in cond.any_of]
        return set.intersection(*sets)
    if cond.op == "ne" or (cond.op == "present" and cond.value is False):
        return set()
    return {cond.key, *_DERIVED_SOURCES.get(cond.key, ())}


def _template(text: Any, field: str, entry: _Entry, where: str) -> str:
    """Check that a template parses and that every field can be filled."""
    what = f"entry {entry.id!r} {field}"
    if not isinstance(text, str) or not text.strip():
        raise _fail(where, what, "must be a non-empty string")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as e:
        raise _fail(where, what, f"template does not parse ({e})") from None
    present: set[str] = set()
    for cond in entry.when:
        present |= _guaranteed(cond)
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in FIELD_SOURCES:
            raise _fail(
                where,
                what,
                f"field {{{name}}} can never be filled; "
                f"fields: {', '.join(FIELD_SOURCES)}",
            )
        if spec or conversion:
            raise _fail(
                where, what, f"field {{{name}}} takes no format spec or conversion"
            )
        missing = [k for k in FIELD_SOURCES[name] if k not in present]
        if missing:
            raise _fail(
                where,
                what,
                f"field {{{name}}} needs {missing[0]!r}, which this entry's "
                f'conditions do not ensure; add {{"key": "{missing[0]}", '
                '"present": true}',
            )
    return text


def _entry(raw: Any, index: int, section: str, where: str) -> _Entry:
    """Check and compile one reading or check-in."""
    if not isinstance(raw, dict):
        raise _fail(where, f"{section}[{index}]", "must be an object")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id:
        raise _fail(where, f"{section}[{index}]", 'needs a string "id"')
    what = f"entry {entry_id!r}"
    allowed = _READING_KEYS if section == "readings" else _CHECK_IN_KEYS
    required = allowed - {"when"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _fail(
            where, what, f"unknown field(s) {unknown}; allowed: {sorted(allowed)}"
        )
    absent = sorted(required - set(raw))
    if absent:
        raise _fail(where, what, f"missing field(s) {absent}")
    flags = raw["flags"]
    if not isinstance(flags, list) or not flags:
        raise _fail(where, what, '"flags" must be a non-empty list of flag types')
    for flag in flags:
        if flag not in FLAG_TYPES:
            raise _fail(
                where,
                what,
                f"unknown flag type {flag!r}; flag types: {', '.join(FLAG_TYPES)}",
            )
    when_raw = raw.get("when", [])
    if not isinstance(when_raw, list):
        raise _fail(where, what, '"when" must be a list of conditions')
    when = tuple(_condition(c, where, what) for c in when_raw)
    weight = _number(raw["weight"])
    if weight is None or not 0 <= weight <= 100:
        raise _fail(where, what, '"weight" must be a number from 0 to 100')
    entry = _Entry(
        id=entry_id, flags=frozenset(flags), when=when, weight=weight, text=""
    )
    if section == "readings":
        kind, theme, basis = raw["kind"], raw["theme"], raw["basis"]
        if kind not in _KINDS:
            raise _fail(where, what, f'"kind" must be one of {_KINDS}, not {kind!r}')
        if not isinstance(theme, str) or not theme:
            raise _fail(where, what, '"theme" must be a non-empty string')
        is_general = isinstance(basis, str) and basis.startswith("general:")
        if (kind == "general") != is_general:
            raise _fail(
                where,
                what,
                'a general reading\'s basis starts with "general:", and only theirs',
            )
        tested = {k for c in when for k in _keys(c)}
        if kind == "evidence" and not tested - _NOT_EVIDENCE:
            raise _fail(
                where,
                what,
                "an evidence reading needs a condition on the chat's evidence",
            )
        entry = replace(entry, kind=kind, theme=theme)
        entry = replace(entry, basis=_template(basis, "basis", entry, where))
    return replace(entry, text=_template(raw["text"], "text", entry, where))


def _keys(cond: _Condition) -> set[str]:
    """Every key a condition tests."""
    if cond.any_of:
        return set().union(*(_keys(c) for c in cond.any_of))
    return {cond.key}


def validate_readings(data: Any, where: str = "readings.json") -> ReadingsData:
    """Check a parsed readings file and compile it.

    Parameters
    ----------
    data : object
        The parsed JSON (see the module docstring for the schema).
    where : str
        Where it came from, for messages.

    Returns
    -------
    ReadingsData

    Raises
    ------
    ReadingsError
        On any problem: an unknown flag type, condition key or operator, a template
        field that can never be filled or that the conditions do not ensure, a
        duplicate id, or a flag type left without enough general readings or without
        an unconditional check-in. The message names the entry.
    """
    if not isinstance(data, dict):
        raise ReadingsError(f"{where}: the file must hold a JSON object")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ReadingsError(f"{where}: unknown top-level field(s) {unknown}")
    if data.get("format_version") != _FORMAT_VERSION:
        raise ReadingsError(
            f"{where}: format_version must be {_FORMAT_VERSION}, "
            f"got {data.get('format_version')!r}"
        )
    sections: dict[str, tuple[_Entry, ...]] = {}
    seen: set[str] = set()
    for section in ("readings", "check_ins"):
        raw = data.get(section)
        if not isinstance(raw, list):
            raise ReadingsError(f"{where}: {section!r} must be a list")
        entries = tuple(_entry(e, i, section, where) for i, e in enumerate(raw))
        for entry in entries:
            if entry.id in seen:
                raise _fail(where, f"entry {entry.id!r}", "duplicate id")
            seen.add(entry.id)
        sections[section] = entries
    result = ReadingsData(sections["readings"], sections["check_ins"], where)
    _check_coverage(result)
    return result


def _check_coverage(data: ReadingsData) -> None:
    """Every flag type, even with no evidence, gets enough readings and a check-in."""
    for flag_type in FLAG_TYPES:
        for is_group in (False, True):
            values = _values({}, ReadingContext(is_group=is_group))
            themes = {
                e.theme
                for e in data.readings
                if e.kind == "general"
                and flag_type in e.flags
                and all(_holds(c, values) for c in e.when)
            }
            if len(themes) < TARGET_READINGS:
                raise ReadingsError(
                    f"{data.where}: flag type {flag_type!r} has general readings in "
                    f"only {len(themes)} theme(s) that hold without evidence; "
                    f"add some so every flag gets {TARGET_READINGS}"
                )
            if not any(
                flag_type in e.flags and all(_holds(c, values) for c in e.when)
                for e in data.check_ins
            ):
                raise ReadingsError(
                    f"{data.where}: flag type {flag_type!r} has no check-in that "
                    "holds without evidence; add one with no conditions"
                )


def _read(text: str, where: str) -> ReadingsData:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReadingsError(
            f"{where}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    return validate_readings(data, where)


@lru_cache(maxsize=1)
def _default() -> ReadingsData:
    source = resources.files("classifier").joinpath("readings.json")
    return _read(source.read_text(encoding="utf-8"), "classifier/readings.json")


def load_readings(path: str | Path | None = None) -> ReadingsData:
    """Load and validate a readings file.

    Parameters
    ----------
    path : str or Path, optional
        A readings file to use instead of the one shipped in the package. The shipped
        file is read once per process and cached; other paths are read every time.

    Returns
    -------
    ReadingsData

    Raises
    ------
    ReadingsError
        If the file is not valid JSON or fails :func:`validate_readings`.
    """
    if path is None:
        return _default()
    return _read(Path(path).read_text(encoding="utf-8"), str(path))


# --------------------------------------------------------------------------------------
# Readings for one flag


def _rank(entry: _Entry) -> tuple[float, str]:
    return (-entry.weight, entry.id)


def _digest(flag_type: str, values: Mapping[str, Any]) -> int:
    """A stable number from the flag's evidence, to vary the general readings."""
    raw = json.dumps([flag_type, values], sort_keys=True, default=str)
    return int.from_bytes(hashlib.blake2b(raw.encode(), digest_size=8).digest(), "big")


def _choose(firing: list[_Entry], digest: int) -> list[_Entry]:
    """Pick the readings to show from those whose conditions hold.

    Evidence readings first, by weight, up to :data:`MAX_READINGS`, one per theme.
    Then general readings fill the list up to :data:`TARGET_READINGS`: the heaviest
    first (the one that fits the flag best), the others picked in turn by ``digest``,
    so that a chat with many flags does not repeat the same general readings on each
    and every general reading has its turn.
    """
    chosen: list[_Entry] = []
    themes: set[str] = set()
    for entry in sorted((e for e in firing if e.kind == "evidence"), key=_rank):
        if len(chosen) < MAX_READINGS and entry.theme not in themes:
            themes.add(entry.theme)
            chosen.append(entry)
    general: list[_Entry] = []
    for entry in sorted((e for e in firing if e.kind == "general"), key=_rank):
        if entry.theme not in themes:
            themes.add(entry.theme)
            general.append(entry)
    room = max(0, TARGET_READINGS - len(chosen))
    if room and general:
        rest = general[1:]
        start = digest % len(rest) if rest else 0
        turn = [rest[(start + i) % len(rest)] for i in range(min(room - 1, len(rest)))]
        chosen += sorted([general[0], *turn], key=_rank)
    return chosen


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def readings_for(
    flag: Mapping[str, Any],
    context: ReadingContext,
    *,
    data: ReadingsData | None = None,
) -> tuple[list[dict[str, str]], str | None]:
    """Alternative readings and one check-in for a flag.

    Parameters
    ----------
    flag : dict
        ``{"type", "score", "evidence"}``, with the evidence keys of
        :data:`KEY_KINDS`; missing or unusable evidence counts as absent.
    context : ReadingContext
        Who sent (or went quiet), who may feel stung, and whether it is a group.
    data : ReadingsData, optional
        Readings to use instead of the shipped file.

    Returns
    -------
    readings : list of dict
        Two to four ``{"text", "basis"}``, ranked: those backed by evidence from the
        chat first, then general ones, whose ``basis`` starts with ``"general:"``.
    check_in : str or None
        One suggestion the reader could send, or None if the data has none.

    Raises
    ------
    ReadingsError
        If the flag type is unknown.

    Examples
    --------
    >>> flag = {"type": "slow_reply", "score": 0.8,
    ...         "evidence": {"usual_seconds": 4 * 3600 + 600, "night": False}}
    >>> found, check_in = readings_for(flag, ReadingContext(sender="Sam"))
    >>> found[0]["basis"]
    "Sam's usual reply time is about 4 hours"
    """
    chosen, check_in, fields = _select(flag, context, data or load_readings())
    readings = [
        {
            "text": _capital(e.text.format_map(fields)),
            "basis": e.basis.format_map(fields),
        }
        for e in chosen
    ]
    if check_in is None:
        return readings, None
    return readings, _capital(check_in.text.format_map(fields))


def _select(
    flag: Mapping[str, Any], context: ReadingContext, data: ReadingsData
) -> tuple[list[_Entry], _Entry | None, dict[str, str]]:
    """The readings and check-in chosen for a flag, and the fields to fill them."""
    flag_type = flag.get("type")
    if flag_type not in FLAG_TYPES:
        raise ReadingsError(
            f"unknown flag type {flag_type!r}; "
            f"readings exist for {', '.join(FLAG_TYPES)}"
        )
    evidence = flag.get("evidence") or {}
    values = _values(evidence if isinstance(evidence, Mapping) else {}, context)
    sender, reader = _people(flag_type, values, context)

    readings, check_ins = data.by_flag[flag_type]
    firing = [entry for entry, holds in readings if holds(values)]
    chosen = _choose(firing, _digest(flag_type, values))
    check_in = next((entry for entry, holds in check_ins if holds(values)), None)
    return chosen, check_in, _fields(values, sender, reader)
