"""Scoring the message table: text flags, silences, readings, a conversation at a time.

The message table streams in; each conversation is scored once it is complete (a
reader writes conversations one after another, so memory is bounded by the largest
conversation), and records come out in input order. Work is shared between processes
by chunks of conversations that return plain records, never spaCy Docs.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import os
from collections import Counter, namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from .errors import ClassifierError
from .labels import CATEGORIES
from .records import Message

__all__ = [
    "OUTPUT_COLUMNS",
    "InterleavedError",
    "ScoreSummary",
    "TextModel",
    "load_text_model",
    "conversations",
    "ConversationScores",
    "records_for",
    "score_conversation",
    "score_conversations",
    "score_messages",
]

#: The fields of a scored record, in order (``text`` is left out with ``--no-text``).
OUTPUT_COLUMNS = (
    "message_id",
    "conversation_id",
    "sender",
    "timestamp",
    "text",
    "risk",
    "category",
    "flags",
    "readings",
    "check_in",
)
# Messages per task: large enough to pay for sending it to a worker.
_CHUNK_MESSAGES = 10_000


_SENDER = itemgetter("sender")


class InterleavedError(ClassifierError):
    """A streamed table mixes conversations; scoring needs each one whole."""


@dataclass
class TextModel:
    """A loaded text model and the thresholds saved with it."""

    pipeline: Any
    thresholds: Any


def load_text_model(path: Any = None, *, trust: bool = False) -> TextModel:
    """Load a model folder (the shipped one by default) for scoring.

    Loading takes seconds, so a process keeps the models it loaded, keyed by path
    and modification time (a retrained model is loaded again).
    """
    from .persist import MODEL_FILE, default_model_path

    target = Path(path) if path is not None else default_model_path()
    model_file = target / MODEL_FILE if target.is_dir() else target
    try:
        stamp = model_file.stat().st_mtime_ns
    except OSError:
        stamp = 0  # load_model says what is missing
    return _load_text_model(str(target.resolve()), stamp, trust)


@lru_cache(maxsize=4)
def _load_text_model(path: str, stamp: int, trust: bool) -> TextModel:
    from .model import Thresholds
    from .persist import load_model

    loaded = load_model(path, trust=trust)
    return TextModel(
        loaded.pipeline, Thresholds(**loaded.metadata.get("thresholds", {}))
    )


@dataclass
class ScoreSummary:
    """Per person, what the run found: for the report on stderr.

    Attributes
    ----------
    people : dict
        Name -> ``flags_received``, ``flags_sent``, ``messages``, and the medians
        ``usual_reply_seconds`` and ``usual_reply_words`` (None when unknown).
    messages, conversations : int
        How many were scored.
    """

    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: int = 0
    conversations: int = 0
    flag_types: Counter[str] = field(default_factory=Counter)

    def add(self, records: list[dict[str, Any]], stats: dict[str, dict]) -> None:
        self.conversations += 1
        self.messages += len(records)
        for name, values in stats.items():
            person = self._person(name)
            person["_reply_seconds"].append(values.get("usual_reply_seconds"))
            person["_reply_words"].append(values.get("usual_reply_words"))
        for sender, count in Counter(map(_SENDER, records)).items():
            if sender:
                self._person(sender)["messages"] += count
        for record in records:
            if not record["flags"]:
                continue
            sender = record["sender"]
            for flag in record["flags"]:
                self.flag_types[flag["type"]] += 1
                if flag["type"] == "text":
                    if sender:
                        self._person(sender)["flags_sent"] += 1
                    reader = flag["evidence"].get("reader")
                    if reader:
                        self._person(reader)["flags_received"] += 1
                else:
                    if sender:  # the one left waiting
                        self._person(sender)["flags_received"] += 1
                    for name in flag["evidence"].get("expected") or []:
                        self._person(name)["flags_sent"] += 1

    def _person(self, name: str) -> dict[str, Any]:
        if name not in self.people:
            self.people[name] = {
                "messages": 0, "flags_received": 0, "flags_sent": 0,
                "_reply_seconds": [], "_reply_words": [],
            }  # fmt: skip
        return self.people[name]

    def to_dict(self) -> dict[str, Any]:
        people = {}
        for name, p in sorted(self.people.items(), key=lambda kv: -kv[1]["messages"]):
            seconds = [s for s in p["_reply_seconds"] if s is not None]
            words = [w for w in p["_reply_words"] if w is not None]
            people[name] = {
                "messages": p["messages"],
                "flags_received": p["flags_received"],
                "flags_sent": p["flags_sent"],
                "usual_reply_seconds": float(np.median(seconds)) if seconds else None,
                "usual_reply_words": float(np.median(words)) if words else None,
            }
        return {
            "messages": self.messages,
            "conversations": self.conversations,
            "flags": dict(self.flag_types.most_common()),
            "people": people,
        }


def _frame(messages: list[Message]) -> pd.DataFrame:
    """The conversation as the table :func:`classifier.conversation.analyse` reads."""
    return pd.DataFrame(
        {name: [getattr(m, name) for m in messages] for name in _SCORED_FIELDS}
    )


@dataclass
class ConversationScores:
    """What scoring found in one conversation, without the messages themselves.

    Small enough to send back from a worker process: the messages are joined to it
    where they already are (see :func:`records_for`).

    Attributes
    ----------
    risk : ndarray of float
        Per message, the text model's risk rounded to 4 places (NaN where the
        message answers nothing written).
    category : ndarray of int8
        Per message, the index of its category in :data:`CATEGORIES` (-1: none).
    flagged : dict
        Message index -> ``(flags, readings, check_in)``, for flagged messages only.
    stats : dict
        Per sender, the usual reply time and length (for the summary).
    """

    risk: np.ndarray
    category: np.ndarray
    flagged: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]]
    stats: dict[str, dict]


def score_conversation(
    messages: list[Message],
    model: Any,
    *,
    sensitivity: str = "medium",
    me: str | None = None,
    include_text: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, dict]]:
    """Score one conversation; return its records (input order) and sender stats."""
    (scores,) = score_conversations([messages], model, sensitivity=sensitivity, me=me)
    return records_for(messages, scores, me=me, include_text=include_text), scores.stats


def score_conversations(
    batch: list[list[Message]],
    model: Any,
    *,
    sensitivity: str = "medium",
    me: str | None = None,
) -> list[ConversationScores]:
    """Score several conversations, reading all their texts in one pass.

    The text model costs milliseconds per call whatever its size, so the replies of
    the whole batch go through it together.
    """
    from .conversation import SENSITIVITY
    from .nlp import analyse as analyse_text

    level = SENSITIVITY[sensitivity]
    texts = [m.text for messages in batch for m in messages]
    _, cues = analyse_text(texts)
    # Conversation k is rows bounds[k]:bounds[k + 1] of the batch.
    bounds = np.cumsum([0, *map(len, batch)]).tolist()
    spans = list(zip(bounds, bounds[1:], strict=False))
    prepared = [
        _prepare(messages, cues[a:b], level, me)
        for messages, (a, b) in zip(batch, spans, strict=True)
    ]
    risk = np.full(len(texts), np.nan)
    category: list[str | None] = [None] * len(texts)
    if any(p.pairs is not None for p in prepared):
        from .model import predict_pairs

        pairs = pd.concat([p.pairs for p in prepared if p.pairs is not None])
        scored = predict_pairs(
            model.pipeline, pairs.reset_index(drop=True), model.thresholds
        )
        rows = np.concatenate(
            [p.answering + a for p, (a, _) in zip(prepared, spans, strict=True)]
        )
        risk[rows] = scored["risk"].to_numpy()
        for row, name in zip(rows.tolist(), scored["category"].tolist(), strict=True):
            category[row] = name
    return [
        _finish(p, risk[a:b], category[a:b], level)
        for p, (a, b) in zip(prepared, spans, strict=True)
    ]


@dataclass
class _Prepared:
    """A conversation analysed, with the (context, reply) pairs it gives the model."""

    messages: list[Message]
    texts: list[str]
    cues: np.ndarray
    view: Any
    answering: np.ndarray
    pairs: pd.DataFrame | None


def _prepare(
    messages: list[Message], cues: np.ndarray, level: Any, me: str | None
) -> _Prepared:
    from .conversation import analyse

    conv = _frame(messages)
    texts = conv["text"].tolist()
    view = analyse(conv, cues, sensitivity=level, me=me)
    kinds = conv["kind"].tolist()
    senders = conv["sender"].tolist()
    # Only written replies have a text to read; a photo or sticker answers, but the
    # text model cannot read it.
    answering = np.flatnonzero(
        (view.answers >= 0) & np.array([k == "message" for k in kinds], dtype=bool)
    )
    pairs = None
    if len(answering):
        pairs = view.history.iloc[answering].reset_index(drop=True)
        pairs.insert(0, "text", [texts[i] for i in answering])
        pairs.insert(
            0, "context", [_turn_text(texts, senders, kinds, view.answers[i])
                           for i in answering],
        )  # fmt: skip
    return _Prepared(messages, texts, cues, view, answering, pairs)


def _finish(
    p: _Prepared, risk: np.ndarray, category: list[str | None], level: Any
) -> ConversationScores:
    """Flags, readings and check-ins of a conversation whose replies are scored."""
    from .nlp import CUE_NAMES
    from .readings import ReadingContext, readings_for

    messages, view, cues = p.messages, p.view, p.cues
    usual_tokens = view.history["sender_usual_tokens"].to_numpy(dtype=float)
    warm_columns = [CUE_NAMES.index(c) for c in _WARM_CUES]
    warm_rows = np.flatnonzero(cues[:, warm_columns].any(axis=1)).tolist()
    senders = [m.sender for m in messages]
    one_word = _prior_one_word_rates(senders, p.texts, [m.kind for m in messages])
    is_group = bool(view.is_group)
    flagged = {}
    # Only messages with a silence flag or a risky text can be flagged.
    texts_flagged = np.flatnonzero(risk >= level.text_flag).tolist()  # NaN: False
    silences = [i for i, found in enumerate(view.silence_flags) if found]
    for i in sorted({*texts_flagged, *silences}):
        message = messages[i]
        flags = list(view.silence_flags[i])
        if risk[i] >= level.text_flag:
            flags.append(
                _text_flag(
                    messages[int(view.answers[i])],
                    message,
                    risk[i],
                    category[i],
                    [CUE_NAMES[j] for j in np.flatnonzero(cues[i])],
                    usual_tokens[i],
                    one_word[i],
                )  # fmt: skip
            )
            flags[-1]["evidence"]["answered_later_warmly"] = _warm_later(
                messages, warm_rows, i
            )
        if not flags:
            continue
        readings: list[dict[str, Any]] = []
        check_in = None
        flags.sort(key=lambda f: -f["score"])
        for flag in flags:
            reader = (
                flag["evidence"].get("reader") if flag["type"] == "text"
                else message.sender
            )  # fmt: skip
            context = ReadingContext(
                sender=message.sender, reader=reader, is_group=is_group
            )
            found, suggestion = readings_for(flag, context)
            readings.extend({**r, "flag": flag["type"]} for r in found)
            check_in = check_in or suggestion
        flagged[i] = (flags, readings, check_in)
    return ConversationScores(
        # Python's rounding, as the text flag's score has it (numpy's differs at ties)
        risk=np.array([round(r, 4) if r == r else r for r in risk.tolist()]),
        category=np.array(
            [-1 if c is None else _CATEGORY_INDEX[c] for c in category], dtype=np.int8
        ),
        flagged=flagged,
        stats=view.sender_stats,
    )


_CATEGORY_INDEX = {name: i for i, name in enumerate(CATEGORIES)}


def records_for(
    messages: list[Message],
    scores: ConversationScores,
    *,
    me: str | None = None,
    include_text: bool = True,
) -> list[dict[str, Any]]:
    """The output records of a scored conversation, in input order."""
    records = []
    flagged = scores.flagged
    risks = [None if r != r else r for r in scores.risk.tolist()]  # NaN: no risk
    categories = [None if c < 0 else CATEGORIES[c] for c in scores.category.tolist()]
    for i, message in enumerate(messages):
        flags, readings, check_in = flagged.get(i) or ([], [], None)
        record = {
            "message_id": message.message_id,
            "conversation_id": message.conversation_id,
            "sender": message.sender,
            "timestamp": message.timestamp,
            "text": message.text,
            "risk": risks[i],
            "category": categories[i],
            "flags": flags,
            "readings": readings,
            "check_in": check_in,
        }
        if me is not None:
            record["perspective"] = _perspective(message.sender, flags, me)
        if not include_text:
            del record["text"]
        records.append(record)
    return records


def _text_flag(
    answered_message: Message,
    message: Message,
    risk: float,
    category: str | None,
    cue_names: list[str],
    usual_words: float,
    one_word_rate: float | None,
) -> dict[str, Any]:
    """The flag for a reply whose text may be read as a small rejection."""
    stamp, hour_is_local = message.timestamp, False
    if message.sender_tz and message.tz_known:
        from .timezones import utc_offset

        stamp += timedelta(seconds=utc_offset(message.sender_tz, stamp))
        hour_is_local = True
    evidence = {
        "category": category,
        "cues": cue_names,
        "answers": answered_message.message_id,
        "reader": answered_message.sender,
        "reply_words": len(message.text.split()),
        "usual_words": None if np.isnan(usual_words) else float(usual_words),
        "one_word_rate": one_word_rate,
        # The replier's own hour where the export gives their time zone; otherwise
        # the export's clock (the exporter's wall time, or UTC).
        "local_hour": round(stamp.hour + stamp.minute / 60, 3),
        "hour_is_local": hour_is_local,
    }
    return {"type": "text", "score": round(float(risk), 4), "evidence": evidence}


# Cues that make a later message from the same person read as warm.
_WARM_CUES = ("affection", "enthusiasm", "apology", "gratitude")
_WARM_WITHIN_S = 48 * 3600


def _warm_later(messages: list[Message], warm_rows: list[int], i: int) -> bool:
    """Whether the sender of message ``i`` wrote something warm in the next 48 hours.

    ``warm_rows`` are the indices of messages with a warm cue, in order. Looks at
    most 200 messages ahead, and stops at the first one past the 48 hours.
    """
    sender, start = messages[i].sender, messages[i].timestamp
    end = min(i + 200, len(messages))
    first = next(
        (
            j
            for j in itertools.takewhile(
                lambda j: j < end,
                itertools.islice(warm_rows, bisect.bisect_right(warm_rows, i), None),
            )
            if messages[j].sender == sender
        ),
        None,
    )
    if first is None:
        return False
    return all(
        (messages[j].timestamp - start).total_seconds() <= _WARM_WITHIN_S
        for j in range(i + 1, first + 1)
    )


def _turn_text(
    texts: list[str], senders: list[str], kinds: list[str], last: int, most: int = 6
) -> str:
    """The message answered, with the messages its sender wrote just before it.

    A long message is often sent in pieces ("ok i have to tell someone", then the
    news, then "sorry that was an essay"); a reply answers all of them.
    """
    first = last
    while (
        first > 0
        and last - first + 1 < most
        and senders[first - 1] == senders[last]
        and kinds[first - 1] in ("message", "media")
    ):
        first -= 1
    return "\n".join(texts[first : last + 1])


def _prior_one_word_rates(
    senders: list[str], texts: list[str], kinds: list[str], at_least: int = 5
) -> list[float | None]:
    """Per message, its sender's share of one-word messages before it (or None)."""
    counts: dict[str, list[int]] = {}
    rates: list[float | None] = []
    for sender, text, kind in zip(senders, texts, kinds, strict=True):
        seen = counts.setdefault(sender, [0, 0])
        rates.append(seen[0] / seen[1] if seen[1] >= at_least else None)
        if kind == "message":
            seen[0] += len(text.split()) == 1
            seen[1] += 1
    return rates


def _perspective(sender: str, flags: list[dict[str, Any]], me: str) -> str:
    """From ``me``'s side: a flag on a message I sent, received, or neither."""
    if not flags:
        return "none"
    if sender == me:
        waiting = any(f["type"] != "text" for f in flags)
        return "received" if waiting else "sent"
    if any(f["evidence"].get("reader") == me for f in flags if f["type"] == "text"):
        return "received"
    return "other"


def conversations(messages: Iterable[Message]) -> Iterator[list[Message]]:
    """Group a stream into conversations, in input order.

    Every reader writes a conversation's messages together, so a conversation ends
    when the next begins, and memory holds one conversation at a time.

    Raises
    ------
    InterleavedError
        If a conversation comes back after another one started (a table whose rows
        mix conversations): group the rows by ``conversation_id`` first, or score it
        as a DataFrame with :func:`classifier.score`, which accepts any order.
    """
    current: list[Message] = []
    finished: set[str] = set()
    for number, message in enumerate(messages, start=1):
        cid = message.conversation_id
        if current and current[0].conversation_id == cid:
            current.append(message)
            continue
        if cid in finished:
            raise InterleavedError(
                f"record {number} ({message.source or 'no source'}): conversation "
                f"{cid!r} comes back after other conversations; group the rows by "
                "conversation_id (a stable sort keeps their order) and score again"
            )
        if current:
            finished.add(current[0].conversation_id)
            yield current
        current = [message]
    if current:
        yield current


def score_messages(
    messages: Iterable[Message],
    model_path: Any = None,
    *,
    trust: bool = False,
    sensitivity: str = "medium",
    me: str | None = None,
    include_text: bool = True,
    n_jobs: int = 1,
    summary: ScoreSummary | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Score a message stream; yield one record per message, in input order.

    Conversations go out in chunks of about ``_CHUNK_MESSAGES`` messages. With
    ``n_jobs > 1`` the chunks are shared between processes, each of which loads the
    model once; a worker gets the fields scoring reads and sends back only the
    scores, which are joined here to the messages. Records are written while the
    workers go on with the next chunks, and only a few chunks are in flight.
    """
    summary = summary if summary is not None else ScoreSummary()
    options: dict[str, Any] = {"sensitivity": sensitivity, "me": me}
    held: list[list[list[Message]]] = []
    chunks = _remember(_chunks(conversations(messages)), held)
    results: Iterable[list[ConversationScores]]
    if n_jobs == 1:
        results = (
            score_conversations(chunk, load_text_model(model_path, trust=trust),
                                **options)
            for chunk in chunks
        )  # fmt: skip
    else:
        from joblib import Parallel, delayed

        results = Parallel(
            n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs"
        )(
            delayed(_score_chunk)(
                _compact(chunk), model_path, trust, options, os.getpid()
            )
            for chunk in chunks
        )
    for scored in results:
        chunk = held.pop(0)
        for conversation, scores in zip(chunk, scored, strict=True):
            records = records_for(
                conversation, scores, me=me, include_text=include_text
            )
            summary.add(records, scores.stats)
            if progress is not None:
                progress(len(records))
            yield from records


def _remember(
    chunks: Iterable[list[list[Message]]], held: list[list[list[Message]]]
) -> Iterator[list[list[Message]]]:
    """Pass the chunks on, keeping each in ``held`` until its scores come back."""
    for chunk in chunks:
        held.append(chunk)
        yield chunk


# The Message fields scoring reads: what a worker gets, and the conversation's table.
_SCORED_FIELDS = (
    "conversation_id", "message_id", "timestamp", "tz_known", "sender", "text",
    "kind", "reply_to", "reactions", "read_at", "sender_tz",
)  # fmt: skip


_Scored = namedtuple("_Scored", _SCORED_FIELDS)  # type: ignore[misc]


def _compact(chunk: list[list[Message]]) -> list[list[tuple[Any, ...]]]:
    """A chunk as tuples of the fields scoring reads: a third of the pickling."""
    fields = attrgetter(*_SCORED_FIELDS)
    return [list(map(fields, conversation)) for conversation in chunk]


def settle_heap() -> None:
    """Tune the garbage collector of a process that only scores (a worker, the CLI).

    Scoring allocates millions of small objects, and each collection used to walk
    the loaded model and caches again: freezing what exists once the model is loaded
    and collecting less often made scoring about 15% faster. Not for a library
    caller's process, whose heap is its own.
    """
    global _HEAP_SETTLED
    if not _HEAP_SETTLED:
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        _HEAP_SETTLED = True


_HEAP_SETTLED = False


def _chunks(stream: Iterable[list[Message]]) -> Iterator[list[list[Message]]]:
    """Conversations gathered into chunks of about ``_CHUNK_MESSAGES`` messages."""
    chunk: list[list[Message]] = []
    size = 0
    for conversation in stream:
        chunk.append(conversation)
        size += len(conversation)
        if size >= _CHUNK_MESSAGES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _score_chunk(
    chunk: list[list[tuple[Any, ...]]],
    model_path: Any,
    trust: bool,
    options: dict[str, Any],
    parent: int,
) -> list[ConversationScores]:
    """Score a chunk of conversations (in a worker: the model loads once there)."""
    model = load_text_model(model_path, trust=trust)
    if os.getpid() != parent:  # a worker process, not a thread of the caller's
        settle_heap()
    # Read like messages: the fields scoring reads, by name, at a tuple's cost.
    batch = cast(list[list[Message]], [list(map(_Scored._make, c)) for c in chunk])
    return score_conversations(batch, model, **options)
