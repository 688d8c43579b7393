"""Who answers whom, each person's own rhythm, and the silences that stand out.

:func:`analyse` walks one conversation once, in input order, and keeps everything it
needs as it goes, so every judgement rests only on what came before it:

* **Who answers whom.** A message answers the message the format links it to
  (``reply_to``). Otherwise consecutive messages by one sender form a *turn*, and the
  first message of a turn answers the last message of the turn before it, if it comes
  within a window scaled by the responder's own reply times (a reply to a bid may
  come later than a reply to small talk) and does not start a new topic after a long
  silence. In groups, a message that names someone (``@name``, a known name or first
  name at the start, after a greeting, or as the last word after a comma) answers
  that person's latest message; quoting (``> text``) answers the message quoted; and a
  new question that is not answer-like, right after someone's bid, is a new thread,
  not an answer. Later messages of a turn answer what its first message answered.
* **Bids**, the messages that invite a reply: questions, invitations and proposals,
  disclosures and news (cues from :mod:`classifier.nlp`; in groups also questions to
  the room without a question mark, "did anyone..."), ``@``-mentions in groups, and
  jokes (see :func:`_is_joke`). The bid of a turn is its strongest message.
* **Baselines**, per sender and per pair of people: reply latency as a histogram of
  log-seconds (median and 90th percentile, also split into day and late-night
  hours), reply length, one-word replies, emoji, exclamation and final-period
  habits. Reply latencies leave out the replier's night (see :func:`_awake`).
  Updating and reading a baseline costs O(1); a conversation costs O(n log n) time
  and O(n) memory.
* **Silences**, flags on the message left waiting (see :data:`SILENCE_TYPES`).

Heuristics, all deliberately simple and listed here so they can be reviewed:

* *Night.* The replier's night is 00:00-07:00 on their clock, and the three hours
  after it are time to wake up and reach the phone when the wait began before 07:00.
  Naive timestamps are the exporter's wall time and count as local
  (``hour_is_local``: True). For UTC timestamps the zone is unknown: the night is
  00:00-07:00 UTC unless the chat's own earlier messages (200 or more) show a clearly
  quieter 7-hour window, which is then taken as its night (``night_hours`` in the
  evidence says which); ``hour_is_local`` is False. Where the export gives the
  replier's time zone (``sender_tz``: Slack's ``users.json``), their night is
  00:00-07:00 there and the evidence's hour is theirs (``hour_is_local``: True).
* *Membership.* People are present from their first message or from a system row that
  adds them ("X added Y", "Y joined ...", Telegram ``invite_members: Y``,
  ``join_group_by_link``, Slack "has joined the channel", Discord "Joined the
  server."); they leave with "Y left", "X removed Y", ``remove_members: Y``. "You" in
  such a row is ``me``. Only people present when a bid was sent are expected to
  answer it, and people who have left are not expected.
* *Reactions.* A reaction in the ``reactions`` list (or a tapback) by the addressed
  person, or by someone unnamed, answers the message; a ``reaction`` row ("Reacted ❤
  to your message") answers the closest earlier message by someone else. A call by
  the addressed person answers too.
* *Groups.* A conversation is a group at a moment when three or more people are
  present. A bid that names people (see ``_Walk.addressed``), or replies to a message
  through the format's link, is addressed to them; otherwise it is open to everyone
  present, and anyone's answer or reaction answers it. ``slow_reply`` is only judged
  for addressed bids and one-to-one chats: in a group, nobody in particular owed an
  open question a quick answer. The ``mention`` bid is an ``@``-mention; a name
  used as address only says whom a bid is for.
* *Turns.* A sender's pause of more than an hour starts a new turn. When the person
  waiting for an answer comes back after such a pause, their earlier wait ends: it
  is flagged ``unanswered`` if it was already past its window, otherwise dropped
  (whatever comes next answers the new turn).
* *Jokes* are judged only as jokes: a joke's question is part of the joke, so a joke
  is never ``unanswered``. Laughter back is a laughter cue, a smiling or playful
  emoji, a joke back, or a reaction; ``unacknowledged_joke`` needs replies by
  others (``joke_replies``) among the next three within six hours, none laughing.
"""

from __future__ import annotations

import gc
import heapq
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .labels import SILENCE_TYPES
from .timezones import utc_offset

__all__ = [
    "MIN_HISTORY",
    "SENSITIVITY",
    "SILENCE_TYPES",
    "ConversationView",
    "Sensitivity",
    "analyse",
]


@dataclass(frozen=True)
class Sensitivity:
    """How readily silences and replies are flagged: the reader's own sensitivity.

    ``high`` means the reader is more sensitive, so thresholds are lower and more is
    flagged. Every gap below is in *awake* seconds (the replier's night left out).

    Attributes
    ----------
    name : str
        ``"low"``, ``"medium"`` or ``"high"``.
    text_flag : float
        Risk at or above which the text model's score becomes a text flag.
    slow_factor : float
        A reply is slow when the wait exceeds the replier's usual high quantile (90th
        percentile of their earlier reply times) times this...
    slow_floor_s : float
        ...and this absolute floor, in seconds.
    unanswered_factor : float
        A bid is unanswered when nobody it addressed has answered after their high
        quantile times this (and ``unanswered_floor_s``), while the chat went on.
    unanswered_floor_s : float
        The floor of that window, in seconds.
    group_messages : int
        Messages by others, with no answer to the bid, that make ``ignored_in_group``.
    joke_replies : int
        Replies by others without laughter that make ``unacknowledged_joke``.
    """

    name: str
    text_flag: float
    slow_factor: float
    slow_floor_s: float
    unanswered_factor: float
    unanswered_floor_s: float = 3 * 3600.0
    group_messages: int = 5
    joke_replies: int = 2


#: The three levels. ``medium`` is the default; each level moves every threshold.
SENSITIVITY: dict[str, Sensitivity] = {
    # Text risk is calibrated on data where half the replies are rejections; in a
    # real chat far fewer are, so a flag needs more than an even chance.
    "low": Sensitivity("low", 0.85, 4.0, 4 * 3600.0, 6.0, 6 * 3600.0, 8, 3),
    "medium": Sensitivity("medium", 0.7, 3.0, 2 * 3600.0, 4.0, 3 * 3600.0, 5, 2),
    "high": Sensitivity("high", 0.5, 2.0, 1 * 3600.0, 3.0, 1.5 * 3600.0, 4, 1),
}


#: Replies a baseline needs before it is used (per pair, per sender and time of day,
#: per sender, then the whole conversation; below that a population prior is used).
MIN_HISTORY = 5

_TALK = frozenset(("message", "media"))
_HOUR = 3600.0
_DAY = 86400.0
_NIGHT = 7 * _HOUR  # 00:00-07:00 on the replier's clock
_SLEEP = 10 * _HOUR  # the night and three hours to wake up, when the wait began in it
_NIGHT_WAIT = 2.0  # a wait across the night must exceed twice the usual threshold
_TURN_GAP = _HOUR  # a sender's pause longer than this starts a new turn
_CHAT_WINDOW = (2 * _HOUR, 24 * _HOUR)  # bounds of the window for small talk
_BID_WINDOW = 24 * _HOUR  # a bid waits at least this long (wall time) for its answer
_ADDRESS_WINDOW = 24 * _HOUR  # naming someone answers their message this recent
_GROUP_WINDOW = 6 * _HOUR  # others talking past a bid within this makes it ignored
_JOKE_LOOKAHEAD = 3  # a joke is judged on this many messages by others...
_JOKE_WINDOW = 6 * _HOUR  # ...within this time
_WARM_HORIZON = 48 * _HOUR  # how long to look for a warm word after a flag
_BURST = 300.0  # "messages in any five minutes around the bid"
# Population prior for the high quantile when a replier has fewer than MIN_HISTORY
# replies: three hours of awake time (so a new chat needs a long silence to flag).
_PRIOR_HIGH = 3 * _HOUR
_BINS_PER_E = 8  # latency histogram resolution: 8 bins per factor e (about 13%)
_LATENCY_BINS = 136  # up to e**17 s, far beyond any reply window
_TOKEN_BINS = 64
_MAX_EXPECTED_NAMES = 20
_QUIET_MIN = 200  # UTC messages needed before a chat's quiet hours move its night
_QUIET_EVERY = 64

_BID_BITS = ((1, "question"), (2, "invitation"), (4, "disclosure"), (8, "news"))
_KINDS_OF_BITS = tuple(
    tuple(kind for bit, kind in _BID_BITS if bits & bit) for bits in range(16)
)
_NOBODY: list[int] = []
_BID_WEIGHT = {
    "invitation": 3,
    "question": 3,
    "disclosure": 2,
    "news": 2,
    "mention": 2,
    "joke": 1,
}
_STRENGTH_OF_BITS = tuple(
    sum(_BID_WEIGHT[kind] for kind in kinds) for kinds in _KINDS_OF_BITS
)

# Tokens are counted as words plus runs of punctuation or emoji, close to the chat
# tokenizer's count ("I'm" and "fine!" are two tokens each).
_PUNCT = re.compile(r"[^\w\s]+")
_EMOJI = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff]")
_AT = re.compile(r"@([\w.'-]+)")
_TRAIL_NAME = re.compile(r",\s*@?([^\W\d_][\w'’-]*)\s*[?!.]*\s*$")
# How a joke marks itself at its end: a laughing or playful emoji, or a last word of
# laughter, "jk", "/s", ":p", ";)"; or a joke phrase near the end.
_JOKE_EMOJI = frozenset(
    "\U0001f602\U0001f923\U0001f606\U0001f61c\U0001f61d\U0001f61b\U0001f92a"
    "\U0001f609\U0001f639\U0001f480\U0001f941"
)
_JOKE_WORD = re.compile(
    r"a?(?:ha){2,}h?|(?:he){2,}h?|lo+l+|lmf?ao+|rofl|xd+|jk|j/k|kidding|/s|:p|;\)"
    r"|;-\)|;p"
)
_JOKE_ASCII = re.compile(r"jk|j/k|kidding|/s|:p|;\)|;-\)|;p|pun|myself out|dum|joke")
_JOKE_PHRASE = re.compile(
    r"\b(?:jk|j/k|just kidding|pun intended|see myself out|ba ?dum|dad joke)\b"
)
_TRAILING = " \t\n.!?~,\ufe0f\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
_LAUGH_START = re.compile(
    r"\W*(?:a?(?:ha){2,}|(?:he){2,}|lol|lmf?ao|rofl|xd)|\W*[😂🤣😆😹💀]"
)
# Smiling or playful emoji that acknowledge a joke (laughing faces are laughter cues).
_ACK_EMOJI = re.compile(
    "[\U0001f604\U0001f601\U0001f605\U0001f642\U0001f60a\U0001f606\U0001f61c"
    "\U0001f61d\U0001f61b\U0001f92a\U0001f60f\U0001f609\U0001f643\U0001f480"
    "\U0001f972\U0001f62d]"
)
_ANSWER_WORDS = frozenset(
    "yes yeah yea yep yup ya yas yess sure ok okay k kk no nope nah naw maybe def "
    "definitely totally absolutely course i'm im i i'd id i'll ill me count sounds "
    "same agreed true haha lol omg wow aw aww oh ah ooh nice great cool perfect love "
    "congrats sorry thanks thank ty cheers damn dang good fair exactly right hmm hm "
    "um well can't cant won't wont deal done in down".split()
)
_RECIPROCAL = re.compile(
    r"\b(?:and you|what about you|how about you|hbu|wbu|you\?)\W*$"
)
_GREETINGS = frozenset(
    "hey hi hello hiya yo oi thanks thx ty congrats congratulations sorry morning "
    "oh god omg aw aww ah ok okay yes no haha lol well so".split()
)
# First names that are also everyday words: an address only with punctuation after.
_COMMON_WORD_NAMES = frozenset(
    "will may mark bill rose grace joy hope faith sue pat art rob ray max frank "
    "gene guy jack june april august summer dawn sky rich sunny drew chase hunter "
    "amber ivy holly lily jade angel honey chip buck dusty".split()
)
# A leading name followed by one of these is talked about, not to ("sam left").
_THIRD_PERSON = frozenset(
    "has is was says said does did will would can could thinks thought wants "
    "left just already never always also and or had isn't wasn't doesn't didn't "
    "won't can't hasn't knows knew went got gets likes loves hates "
    "seems looks sounds".split()
)
# Questions to the room that carry no question mark ("did anyone see...").
_ASKS = re.compile(
    r"\W*(?:(?:did|does|do|is|are|was|were|has|have|can|could|would|will|should)"
    r"\s+(?:any|some|every)(?:one|body)\b|(?:any|some)(?:one|body)\s+(?:up|down|free"
    r"|fancy|want|wanna|got|have|has|know|seen|see|else|around|coming|going"
    r"|bringing|here|keen|interested)\b)"
)
_STRIP = ",:;!?.-—…'\"()"

# Membership rows (system kind), matched on the text with a final period removed.
_ADDED = re.compile(r"^(?P<actor>.+?) added (?P<who>.+?)(?: to (?:the|this) group)?$")
_JOINED = re.compile(
    r"^(?P<who>.+?) (?:has )?joined(?: using (?:this group's|an?) invite link"
    r"| the (?:group|channel|chat|server|conversation)| via (?:an? )?invite link"
    r"| from the community)?$",
    re.IGNORECASE,
)
_WERE_ADDED = re.compile(r"^(?P<who>.+?) (?:was|were) added(?: by .+)?$", re.I)
_REMOVED = re.compile(r"^(?P<actor>.+?) removed (?P<who>.+?)(?: from the group)?$")
_LEFT = re.compile(
    r"^(?P<who>.+?) (?:has )?left(?: the (?:group|channel|chat|conversation|server))?$",
    re.IGNORECASE,
)
_SELF_EVENTS = {
    "joined the server": "join",
    "left the group": "leave",
    "join_group_by_link": "join",
    "join_group_by_request": "join",
}
_TELEGRAM_MEMBERS = re.compile(r"^(invite_members|remove_members):\s*(?P<who>.+)$")
_DISCORD_ADDED = re.compile(r"^(Added|Removed) (?P<who>.+?) (?:to|from) the group$")
_REACTED = re.compile(r"^(?:\S+ )?[Rr]eacted (?P<emoji>.{1,20}?) to ")
_TAPBACK = re.compile(
    r"^(?P<kind>Loved|Liked|Disliked|Laughed at|Emphasized|Questioned) [“\"](?P<q>.*)"
)
_TAPBACK_EMOJI = {
    "Loved": "❤️",
    "Liked": "👍",
    "Disliked": "👎",
    "Laughed at": "😂",
    "Emphasized": "‼️",
    "Questioned": "❓",
}


@dataclass
class ConversationView:
    """What :func:`analyse` found in one conversation: one entry per message.

    Attributes
    ----------
    answers : numpy.ndarray of int64
        Index of the message each message answers, or -1. Only ``message`` and
        ``media`` rows answer or are answered.
    history : pandas.DataFrame
        :data:`classifier.features.HISTORY_COLUMNS`: the sender's median message
        length in tokens and share of messages ending in a period, from earlier
        messages only (NaN below :data:`MIN_HISTORY` messages).
    bids : list of list of str
        Kinds of bid per message (``question``, ``invitation``, ``disclosure``,
        ``news``, ``mention``, ``joke``); empty when the message is not a bid.
    silence_flags : list of list of dict
        ``{"type", "score", "evidence"}`` on the message left waiting.
    sender_stats : dict
        Per sender: ``usual_reply_seconds`` and ``usual_reply_words`` (medians),
        ``one_word_rate``, ``replies``, ``messages``, ``emoji_rate``,
        ``exclaim_rate``, ``period_rate`` (None where unknown).
    reply_link : list of str or None
        ``"explicit"`` (the format's link) or ``"inferred"`` where ``answers`` >= 0.
    one_word_rate : numpy.ndarray of float
        The sender's share of one-word replies before this message (NaN when fewer
        than :data:`MIN_HISTORY` replies).
    usual_words : numpy.ndarray of float
        The sender's median reply length in words before this message (or NaN).
    local_hour : numpy.ndarray of int
        Hour of the message on the file's clock (local wall time or UTC).
    hour_is_local : numpy.ndarray of bool
        Whether that hour is wall time (naive timestamps) rather than UTC.
    is_group : bool
        Whether three or more people took part at some point.
    """

    answers: np.ndarray
    history: pd.DataFrame
    bids: list[list[str]]
    silence_flags: list[list[dict[str, Any]]]
    sender_stats: dict[str, dict[str, Any]]
    reply_link: list[str | None]
    one_word_rate: np.ndarray
    usual_words: np.ndarray
    local_hour: np.ndarray
    hour_is_local: np.ndarray
    is_group: bool


# ---------------------------------------------------------------------------
# Small online statistics


class _Hist:
    """Counts over fixed bins, with the median and 90th-percentile bins on demand.

    ``add`` is O(1); a read moves a remembered pointer by as many bins as the
    values added since the last read can shift it, so reads are O(1) amortised
    (and never more than the bin count).
    """

    __slots__ = ("counts", "n", "mb", "mlow", "hb", "hlow")

    def __init__(self, size: int) -> None:
        self.counts = [0] * size
        self.n = 0
        # Pointer bins and the counts below them (kept exact on every add).
        self.mb = self.mlow = self.hb = self.hlow = 0

    def add(self, x: int) -> None:
        """Count one value in bin ``x``."""
        self.counts[x] += 1
        self.n += 1
        if x < self.mb:
            self.mlow += 1
        if x < self.hb:
            self.hlow += 1

    def median(self) -> int:
        """The bin of the lower median (the ceil(n/2)-th smallest value)."""
        self.mb, self.mlow = self._seek(self.mb, self.mlow, (self.n + 1) >> 1)
        return self.mb

    def high(self) -> int:
        """The bin of the 90th percentile, never the single largest value.

        The (n - max(1, n // 10))-th smallest value: with few replies one outlier
        does not become the person's usual "slow".
        """
        n = self.n
        rank = n - (n // 10 or 1) if n > 1 else 1
        self.hb, self.hlow = self._seek(self.hb, self.hlow, rank)
        return self.hb

    def _seek(self, b: int, low: int, rank: int) -> tuple[int, int]:
        """Move pointer bin ``b`` (with ``low`` values below it) to the bin holding
        the ``rank``-th smallest value; return the bin and the count below it."""
        counts = self.counts
        while low >= rank:
            b -= 1
            low -= counts[b]
        while low + counts[b] < rank:
            low += counts[b]
            b += 1
        return b, low


def _latency_bin(seconds: float) -> int:
    """The histogram bin of a reply time in seconds (log scale)."""
    if seconds <= 1.0:
        return 0
    return min(int(math.log(seconds) * _BINS_PER_E), _LATENCY_BINS - 1)


#: Seconds at the middle of each latency bin.
_BIN_SECONDS = [0.0] + [
    math.exp((b + 0.5) / _BINS_PER_E) for b in range(1, _LATENCY_BINS)
]


class _Person:
    """One sender's reply times so far, and counts for "messages meanwhile"."""

    __slots__ = ("latency", "latency_day", "latency_late", "latencies", "talk",
                 "turns", "last")  # fmt: skip

    def __init__(self) -> None:
        self.latency = _Hist(_LATENCY_BINS)
        self.latency_day = _Hist(_LATENCY_BINS)
        self.latency_late = _Hist(_LATENCY_BINS)
        self.latencies: list[float] = []
        self.talk = self.turns = 0
        self.last = -1  # index of their latest talk message


class _Pending:
    """A bid waiting for its answer (a plain slotted class: one is made per bid)."""

    __slots__ = (
        "idx", "turn", "waiting", "t", "expected", "group", "specific", "kinds",
        "strength", "shift", "zoned", "usual_bin", "high_bin", "k", "level",
        "slow_after", "unanswered_after", "give_up", "snaps", "snap_expected", "done",
        "ignored", "ignored_flag", "someone", "any_reaction", "reaction", "followups",
    )  # fmt: skip

    def __init__(
        self,
        idx: int,
        turn: int,
        waiting: int,
        t: float,
        expected: tuple[int, ...] | None,
        group: bool,
        kinds: list[str],
        strength: int,
        shift: float,
    ) -> None:
        self.idx = idx
        self.turn = turn
        self.waiting = waiting
        self.t = t
        self.expected = expected  # None: anyone present may answer
        self.group = group
        self.specific = not group or expected is not None  # owed a quick answer
        self.kinds = kinds
        self.strength = strength
        self.shift = shift
        self.zoned = False  # whether shift is from the replier's own time zone
        # The baseline at the time of the bid (bins; -1: the prior), the thresholds
        # it gives, and when to stop waiting.
        self.usual_bin = self.high_bin = -1
        self.k = 0
        self.level = "prior"
        self.slow_after = self.unanswered_after = self.give_up = 0.0
        # Counts at the time of the bid: all messages, the waiting person's, all
        # turns, theirs ("messages meanwhile" are differences of these).
        self.snaps: tuple[int, int, int, int] = (0, 0, 0, 0)
        self.snap_expected: tuple[int, ...] = ()
        self.done = self.ignored = self.someone = False
        self.ignored_flag: dict[str, Any] | None = None
        self.any_reaction: str | None = None
        # (emoji, when, by whom) by someone expected, or by someone unnamed
        self.reaction: tuple[str, float | None, int | None] | None = None
        self.followups = 0

    @property
    def usual(self) -> float | None:
        """The median reply time of the baseline, in seconds (None: the prior)."""
        return None if self.usual_bin < 0 else _BIN_SECONDS[self.usual_bin]

    @property
    def high(self) -> float | None:
        """The high quantile of the baseline, in seconds (None: the prior)."""
        return None if self.high_bin < 0 else _BIN_SECONDS[self.high_bin]


@dataclass(eq=False)
class _Joke:
    """A joke waiting for laughter back."""

    idx: int
    waiting: int
    t: float
    until: float
    seen: int = 0
    last_t: float = 0.0
    by: tuple[int, ...] = ()
    acked: bool = False


@dataclass(eq=False)
class _Watch:
    """Looks for a warm word to the waiting person after a flag."""

    evidence: dict[str, Any]
    waiting: int
    expected: frozenset[int] | None
    group: bool
    until: float


# ---------------------------------------------------------------------------
# Clock


def _seconds(conv: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Seconds on the file's clock, and whether each is wall time (not UTC)."""
    n = len(conv)
    column = conv["timestamp"]
    tz_known = (
        np.asarray(conv["tz_known"].to_numpy(), dtype=bool)
        if "tz_known" in conv.columns
        else None
    )
    dtype = column.dtype
    aware = isinstance(dtype, pd.DatetimeTZDtype)
    if aware or np.issubdtype(dtype, np.datetime64):
        # Epoch integers in the column's own unit (UTC for an aware column).
        per_second = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[column.dt.unit]
        seconds = np.asarray(column.array.asi8, dtype=np.float64) / per_second
        local = np.full(n, not aware) if tz_known is None else ~tz_known
        return seconds, local
    seconds = np.empty(n, dtype=np.float64)
    local = np.empty(n, dtype=bool)
    epoch = datetime(1970, 1, 1)
    previous = 0.0
    for i, value in enumerate(column.tolist()):
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                previous = value.timestamp()
                local[i] = False
            else:
                previous = (value - epoch).total_seconds()
                local[i] = True
        else:
            local[i] = True  # a missing time keeps the one before it
        seconds[i] = previous
    if tz_known is not None:
        local &= ~tz_known
    return seconds, local


def _awake(t0: float, t1: float, shift: float) -> float:
    """Seconds of ``[t0, t1]`` outside the replier's night.

    The night is 00:00-07:00 (after ``shift``), plus three hours to wake up when the
    wait began before that morning's 07:00. O(1) for any gap.
    """
    if t1 <= t0:
        return 0.0
    a = t0 - shift
    b = t1 - shift
    da = a - a % _DAY
    db = b - b % _DAY
    end = da + (_SLEEP if a - da < _NIGHT else _NIGHT)
    blocked = min(b, end) - a if a < end else 0.0
    if db > da:
        blocked += (round((db - da) / _DAY) - 1) * _SLEEP + min(b - db, _SLEEP)
    return (b - a) - blocked


def _spans_night(t0: float, t1: float, shift: float) -> bool:
    """Whether ``[t0, t1]`` touches 00:00-07:00 of the replier's clock."""
    a = t0 - shift
    b = max(t1, t0) - shift
    return (b - b % _DAY) > (a - a % _DAY) or a % _DAY < _NIGHT


def _night_factor(t0: float, t1: float, shift: float) -> float:
    """A wait across the night must be far longer than usual to count: twice."""
    return _NIGHT_WAIT if _spans_night(t0, t1, shift) else 1.0


def _is_late(t: float, shift: float) -> bool:
    """Whether ``t`` falls in the late-night bucket (22:00-07:00) of its clock."""
    hour = ((t - shift) % _DAY) / _HOUR
    return hour >= 22.0 or hour < 7.0


# Zones change their offset on a quarter hour of UTC (half-hour zones included).
_QUARTER = 900


@lru_cache(maxsize=8192)
def _zone_offset(zone: str, quarter: int) -> float:
    """UTC offset (seconds) of ``zone`` in quarter-hour ``quarter`` since the epoch."""
    return utc_offset(zone, datetime.fromtimestamp(quarter * _QUARTER, timezone.utc))


def _night_shifts(
    seconds: np.ndarray, local: np.ndarray, talk: np.ndarray
) -> list[float]:
    """Per row, how far the replier's night is moved from 00:00-07:00 on the clock.

    Wall-time rows: 0. UTC rows: once 200 earlier UTC messages are known (checked
    again every 64), the start of the chat's quietest 7-hour window if it holds at
    most 8% of them, else 0 (00:00-07:00 UTC). Only earlier messages count.
    """
    n = len(seconds)
    utc = talk & ~local
    count = int(utc.sum())
    if count <= _QUIET_MIN:
        return [0.0] * n
    hours = ((seconds[utc] % _DAY) // _HOUR).astype(np.int64)
    windows = (np.arange(24)[:, None] + np.arange(7)) % 24
    checks = np.arange(_QUIET_MIN, count, _QUIET_EVERY)
    values = np.zeros(len(checks))
    histogram = np.bincount(hours[:_QUIET_MIN], minlength=24)
    for k, c in enumerate(checks):
        if k:
            histogram += np.bincount(hours[checks[k - 1] : c], minlength=24)
        sums = histogram[windows].sum(axis=1)
        start = int(sums.argmin())
        if sums[start] <= 0.08 * c:
            values[k] = start * _HOUR
    before = np.cumsum(utc) - utc  # UTC messages before each row
    which = (before - _QUIET_MIN) // _QUIET_EVERY
    shifts = np.where(
        (before >= _QUIET_MIN) & ~local, values[np.clip(which, 0, len(values) - 1)], 0.0
    )
    return shifts.tolist()


# ---------------------------------------------------------------------------
# Text helpers


def _is_joke(text: str, laughter: bool) -> bool:
    """Whether a message marks itself as a joke or as playful.

    A joke ends with laughter or a playful emoji (``lol``, ``haha``, 😂, 😜, 😉,
    🥁), or with ``jk``, ``/s``, ``:p``, ``;)``, or says "just kidding", "pun
    intended", "I'll see myself out" near its end. A message that *starts* with
    laughter is laughing at something else, and a marker alone is a reaction, not
    a joke. Only the end of the message is read, which keeps this cheap.
    """
    end = text.rstrip(_TRAILING)
    if not end:
        return False
    tail = end[-40:].lower()
    if end[-1] in _JOKE_EMOJI or _JOKE_WORD.fullmatch(tail.rsplit(None, 1)[-1]):
        marked = " " in end.lstrip()
    else:
        marked = _JOKE_PHRASE.search(tail) is not None
    return marked and not (
        laughter and _LAUGH_START.match(text[:16].lower()) is not None
    )


class _Names:
    """Known people by full name, name without spaces, and first name."""

    __slots__ = ("index", "spaced")

    def __init__(self) -> None:
        self.index: dict[str, int] = {}  # lowercase name -> code (-1: ambiguous)
        self.spaced = False  # whether any name has a space in it

    def add(self, code: int, name: str) -> None:
        """Index a person's full name, name without spaces and first name."""
        full = name.strip().lstrip("~").strip().lower()
        if not full:
            return
        keys = {full, full.replace(" ", "")}
        if " " in full:
            self.spaced = True
        first = full.split()[0].strip(_STRIP)
        if len(first) >= 2 and not first[0].isdigit() and not first.startswith("+"):
            keys.add(first)
        for key in keys:
            known = self.index.get(key)
            if known is None:
                self.index[key] = code
            elif known != code and key == first and key not in (full,):
                self.index[key] = -1  # two people share this first name

    def get(self, key: str) -> int | None:
        """The code for a name as written (case and punctuation ignored), or None."""
        code = self.index.get(key.strip(_STRIP).lower())
        return None if code is None or code < 0 else code


def _split_names(text: str) -> list[str]:
    """Names in a list like ``Priya, Sam and Alex``."""
    parts = re.split(r",\s*|\s+and\s+", text.strip())
    return [p.strip().strip("\u200e\u200f").strip() for p in parts if p.strip()]


def _membership(text: str, sender: str) -> tuple[str, list[str]] | None:
    """``("join"|"leave", names)`` for a membership row, or None."""
    clean = text.strip().strip("\u200e\u200f").strip()
    if clean.endswith("."):
        clean = clean[:-1]
    if not clean:
        return None
    event = _SELF_EVENTS.get(clean.lower()) or _SELF_EVENTS.get(clean.split(":")[0])
    if event is not None:
        return (event, [sender]) if sender else None
    m = _TELEGRAM_MEMBERS.match(clean)
    if m:
        event = "join" if m.group(1) == "invite_members" else "leave"
        return event, _split_names(m.group("who"))
    m = _DISCORD_ADDED.match(clean)
    if m:
        return ("join" if m.group(1) == "Added" else "leave"), [m.group("who")]
    m = _ADDED.match(clean)
    if m:
        return "join", _split_names(m.group("who"))
    m = _WERE_ADDED.match(clean)
    if m:
        return "join", _split_names(m.group("who"))
    m = _REMOVED.match(clean)
    if m:
        return "leave", _split_names(m.group("who"))
    m = _JOINED.match(clean)
    if m and "call" not in clean.lower():
        who = m.group("who")
        return "join", [sender if sender and who.lstrip("@") == sender else who]
    m = _LEFT.match(clean)
    if m:
        who = m.group("who")
        return "leave", [sender if sender and who.lstrip("@") == sender else who]
    return None


def _score(ratio: float, weight: float = 1.0) -> float:
    """Logistic in log(ratio) with slope 2: 0.5 at the threshold, 0.8 at twice it."""
    if ratio <= 0:
        return 0.0
    r2 = ratio * ratio
    return round(weight * r2 / (1.0 + r2), 4)


# ---------------------------------------------------------------------------
# The walk


class _Walk:
    """State for one pass over one conversation."""

    def __init__(
        self, conv: pd.DataFrame, cues: np.ndarray, level: Sensitivity, me: str | None
    ) -> None:
        from .nlp import CUE_NAMES

        n = len(conv)
        if cues.shape[0] != n:
            raise ValueError(f"cues has {cues.shape[0]} rows for {n} messages")
        self.n = n
        self.level = level
        self.me = me
        self.texts = [t if isinstance(t, str) else "" for t in conv["text"].tolist()]
        self.sender_names = [
            s if isinstance(s, str) else "" for s in conv["sender"].tolist()
        ]
        self.kinds = (
            conv["kind"].tolist() if "kind" in conv.columns else ["message"] * n
        )
        self.reply_to = (
            conv["reply_to"].tolist() if "reply_to" in conv.columns else None
        )
        self.reactions = (
            conv["reactions"].tolist() if "reactions" in conv.columns else None
        )
        self.ids = conv["message_id"].tolist() if "message_id" in conv.columns else None
        seconds, local = _seconds(conv)
        self.seconds = seconds
        self.times: list[float] = seconds.tolist()
        self.local: list[bool] = local.tolist()
        talk = np.isin(np.asarray(self.kinds, dtype=object), list(_TALK))
        self.shifts = _night_shifts(seconds, np.asarray(local, dtype=bool), talk)
        # Time zones people have in the export (Slack's users.json), by name.
        self.zones: dict[str, str] = {}
        if "sender_tz" in conv.columns:
            zones = conv["sender_tz"].tolist()
            for name, zone in zip(self.sender_names, zones, strict=True):
                if isinstance(zone, str) and zone and name not in self.zones:
                    self.zones[name] = zone
        col = {name: i for i, name in enumerate(CUE_NAMES)}

        def cue(name: str) -> list[bool]:
            """Per message, whether it has the cue ``name``."""
            return (cues[:, col[name]] > 0).tolist()

        self.q = cue("question")
        self.inv = cue("invitation")
        self.laugh = cue("laughter")
        self.laugh_only = cue("laughter_only")
        self.emoji_only = cue("emoji_only")
        warm = (
            cues[:, [col[c] for c in ("affection", "enthusiasm", "gratitude",
                                       "apology", "excitement", "laughter")]]
            > 0
        ).any(axis=1)  # fmt: skip
        self.warm: list[bool] = np.asarray(warm, dtype=bool).tolist()
        bid_bits = np.zeros(n, dtype=np.int64)
        for bit, name in _BID_BITS:
            bid_bits |= np.where(cues[:, col[name]] > 0, bit, 0)
        self.bid_bits: list[int] = bid_bits.tolist()
        kind_array = np.asarray(self.kinds, dtype=object)
        is_text = kind_array == "message"
        self.is_text: list[bool] = is_text.tolist()
        candidate = (
            is_text
            & (cues[:, col["laughter_only"]] == 0)
            & (cues[:, col["emoji_only"]] == 0)
        ).tolist()
        # Only a message that could end like a joke is read closely (_is_joke):
        # laughter, an emoji near its end, or an ASCII joke marker there.
        # (Lowercasing the tail and matching case-sensitively is four times faster
        # than an IGNORECASE pattern.)
        search = _JOKE_ASCII.search
        self.joke_candidate: list[bool] = [
            c
            and (
                laughing
                or not text[-40:].isascii()
                or search(text[-40:].lower()) is not None
            )
            for c, laughing, text in zip(candidate, self.laugh, self.texts, strict=True)
        ]
        self.has_links = self.reply_to is not None and any(
            isinstance(ref, str) and ref for ref in self.reply_to
        )
        answer_like = (
            cues[:, [col[c] for c in ("ok_word", "gratitude", "apology", "laughter",
                                       "hedge", "noncommittal", "reason", "new_date",
                                       "affection", "enthusiasm", "excitement")]]
            > 0
        ).any(axis=1)  # fmt: skip
        self.answer_cue: list[bool] = np.asarray(answer_like, dtype=bool).tolist()

        # Output
        self.answers = [-1] * n
        self.link: list[str | None] = [None] * n
        self.bids: list[list[str] | None] = [None] * n
        self.flags: list[list[dict[str, Any]] | None] = [None] * n
        self.usual_tokens = [math.nan] * n
        self.period_rate = [math.nan] * n
        self.one_word_rate = [math.nan] * n
        self.usual_words = [math.nan] * n

        # People
        self.codes: dict[str, int] = {}
        self.people: list[_Person] = []
        self.person_names: list[str] = []
        self.names = _Names()
        self.since: dict[int, float] = {}  # present people, since first seen
        self.joined: dict[int, float] = {}  # when a system row added them
        self.max_present = 0
        # Turns
        self.turn_of = [-1] * n
        self.sender_of = [-1] * n
        self.turn_sender: list[int] = []
        self.turn_last: list[int] = []
        self.turn_target: list[int] = []
        self.turn_link: list[str | None] = []
        self.talk_count = 0
        # Baselines
        self.pair: dict[tuple[int, int], _Hist] = {}
        self.pooled = _Hist(_LATENCY_BINS)
        # Waiting
        self.active: dict[int, list[_Pending]] = {}
        self.turn_pending: list[_Pending | None] = []  # the wait a turn started
        self.expiry: list[tuple[float, int, _Pending]] = []
        self.group_checks: list[tuple[int, int, _Pending]] = []
        self.jokes: dict[int, _Joke] = {}
        self.watches: list[_Watch] = []
        self.seq = 0
        self.i = 0
        self.now = -math.inf
        self._talk_sorted: np.ndarray | None = None
        self._id_index: dict[str, int] | None = None
        self.tokens: list[int] | None = None  # the text model's counts, if given

    # -- people ----------------------------------------------------------

    def code(self, name: str) -> int:
        """The code of a sender name, made on first sight."""
        c = self.codes.get(name)
        if c is None:
            c = self.codes[name] = len(self.people)
            self.people.append(_Person())
            self.person_names.append(name)
            self.names.add(c, name)
        return c

    def person_of_name(self, name: str) -> int | None:
        """The code for a name in a system row or reaction (None: unknown).

        "You" is ``me`` (how exports write the exporter); "Me" is a sender of that
        name if there is one (iMessage), else ``me``. Unknown names become people.
        """
        clean = name.strip().strip("\u200e\u200f").lstrip("~").strip()
        if clean in self.codes:
            return self.codes[clean]
        if clean.lower() in ("you", "your", "me"):
            return None if self.me is None else self.code(self.me)
        if not clean:
            return None
        found = self.names.get(clean)
        return found if found is not None else self.code(clean)

    def shift_of(self, i: int) -> float:
        """How far row ``i``'s night is moved from 00:00-07:00 (seconds)."""
        return self.shifts[i]

    def replier_shift(self, replier: int, i: int, t: float) -> tuple[float, bool]:
        """Where ``replier``'s night is at time ``t``, and whether it is their own.

        Their own: 00:00-07:00 in the time zone the export gives them, for UTC rows.
        Otherwise the chat's night at row ``i`` (see :func:`_night_shifts`).
        """
        zone = self.zones.get(self.person_names[replier]) if self.zones else None
        if zone is None or self.local[i]:
            return self.shifts[i], False
        return -_zone_offset(zone, int(t // _QUARTER)), True

    # -- baselines -------------------------------------------------------

    def baseline(
        self, replier: int, waiting: int, late: bool
    ) -> tuple[_Hist | None, str, int]:
        """The histogram to judge ``replier`` by, its name, and its size."""
        h = self.pair.get((replier, waiting))
        if h is not None and h.n >= MIN_HISTORY:
            return h, "pair", h.n
        person = self.people[replier]
        h = person.latency_late if late else person.latency_day
        if h.n >= MIN_HISTORY:
            return h, ("sender_night" if late else "sender_day"), h.n
        h = person.latency
        if h.n >= MIN_HISTORY:
            return h, "sender", h.n
        return None, "prior", h.n

    def high_of(self, replier: int) -> float:
        """A replier's own high quantile in seconds (the prior below MIN_HISTORY)."""
        h = self.people[replier].latency
        return _BIN_SECONDS[h.high()] if h.n >= MIN_HISTORY else _PRIOR_HIGH

    def add_latency(
        self, replier: int, waiting: int, seconds: float, late: bool, group: bool
    ) -> None:
        """Count one reply time in the replier's baselines."""
        b = _latency_bin(seconds)
        person = self.people[replier]
        (person.latency_late if late else person.latency_day).add(b)
        person.latency.add(b)
        person.latencies.append(seconds)
        if group:
            # With two people the pair is the sender; only groups need pairs and a
            # pooled baseline for questions open to everyone.
            h = self.pair.get((replier, waiting))
            if h is None:
                h = self.pair[(replier, waiting)] = _Hist(_LATENCY_BINS)
            h.add(b)
            self.pooled.add(b)

    # -- the walk --------------------------------------------------------

    def run(self) -> None:
        """Walk the conversation once, then close every wait still open."""
        times, kinds = self.times, self.kinds
        for i in range(self.n):
            t = times[i]
            if t > self.now:
                self.now = t
            if self.expiry and self.expiry[0][0] < t:
                self.expire(t)
            if self.jokes:
                self.expire_jokes(t)
            if self.watches:
                self.watches = [w for w in self.watches if w.until >= t]
            kind = kinds[i]
            self.i = i
            if kind in _TALK:
                self.talk(i, t)
            elif kind == "system":
                self.system(i, t)
            elif kind == "reaction":
                self.reaction_row(i, t)
            elif kind == "call":
                self.call(i)
        for _, _, p in sorted(self.expiry, key=lambda e: e[1]):
            if not p.done:
                self.finish(p, self.now)
        for joke in list(self.jokes.values()):
            self.judge_joke(joke)

    def expire(self, t: float) -> None:
        """Close the waits whose time ran out before ``t``."""
        while self.expiry and self.expiry[0][0] < t:
            _, _, p = heapq.heappop(self.expiry)
            if not p.done:
                self.finish(p, t)

    def expire_jokes(self, t: float) -> None:
        """Judge the jokes whose window closed before ``t``."""
        for joke in [j for j in self.jokes.values() if j.until < t]:
            self.judge_joke(joke)

    # -- talk ------------------------------------------------------------

    def talk(self, i: int, t: float) -> None:
        """A message or media row: its turn, what it answers, baselines, its bids."""
        name = self.sender_names[i]
        r = self.codes.get(name)
        if r is None:
            r = self.code(name)
        person = self.people[r]
        since = self.since
        if r not in since:
            since[r] = t
            if len(since) > self.max_present:
                self.max_present = len(since)
        group = len(since) >= 3
        text = self.texts[i]

        # Turn
        turns = self.turn_sender
        same = bool(turns) and turns[-1] == r
        new_turn = not (same and t - self.times[self.turn_last[-1]] <= _TURN_GAP)
        previous = len(turns) - 1 if turns and not same else -1
        if new_turn and same and self.active.get(r):
            self.returned(r, t)
        explicit = self.explicit_target(i) if self.has_links else None
        addressed = self.addressed(text, r) if group or "@" in text else _NOBODY
        link: str | None
        if explicit is not None:
            target, link = explicit, "explicit"
        elif not new_turn:
            target, link = self.turn_target[-1], self.turn_link[-1]
        else:
            target = self.infer_target(i, r, t, text, group, addressed, previous)
            link = "inferred" if target >= 0 else None
        if target >= 0 and self.sender_names[target] == name:
            target, link = -1, None  # threading one's own messages answers nobody
        if new_turn:
            turns.append(r)
            self.turn_pending.append(None)
            self.turn_last.append(i)
            self.turn_target.append(target)
            self.turn_link.append(link)
            person.turns += 1
        else:
            self.turn_last[-1] = i
        turn = len(turns) - 1
        self.turn_of[i] = turn
        self.sender_of[i] = r
        if target >= 0:
            self.answers[i] = target
            self.link[i] = link

        # Answers to those waiting (the rest of a turn answers what its start did)
        if (target >= 0 and (new_turn or explicit is not None)) or addressed:
            self.respond(r, t, target, addressed, link)
        if self.watches:
            self.watch(i, r, target, addressed)
        if self.jokes:
            self.joke_reply(i, r, t)

        # Reply latency, from the end of the turn answered to the start of this one
        if new_turn and previous >= 0 and target >= 0:
            if self.turn_of[target] == previous:
                end = self.turn_last[previous]
                t_end = self.times[end]
                shift, _ = self.replier_shift(r, end, t_end)
                self.add_latency(
                    r,
                    turns[previous],
                    _awake(t_end, t, shift),
                    _is_late(t_end, shift),
                    group,
                )

        person.talk += 1
        person.last = i
        self.talk_count += 1
        if self.group_checks:
            self.check_groups()

        # Bids
        bits = self.bid_bits[i]
        mention = group and "@" in text and bool(addressed)
        joke = self.joke_candidate[i] and _is_joke(text, self.laugh[i])
        if group and not (bits & 1) and _ASKS.match(text[:40].lower()) is not None:
            bits |= 1  # a question to the room without a question mark
        if bits or mention or joke:
            kinds = list(_KINDS_OF_BITS[bits])
            strength = _STRENGTH_OF_BITS[bits]
            if mention:
                # An @-mention pings someone; a name used as address only says who
                # the message is for (see ``addressed``).
                kinds.append("mention")
                strength += _BID_WEIGHT["mention"]
            if joke:
                kinds.append("joke")
                self.start_joke(i, r, t)
            else:
                self.bid(i, r, t, turn, kinds, strength, addressed, target, group)
            self.bids[i] = kinds
        if self.reactions is not None:
            reactions = self.reactions[i]
            if isinstance(reactions, list | tuple | np.ndarray) and len(reactions):
                self.listed_reactions(i, r, turn, reactions)

    def returned(self, r: int, t: float) -> None:
        """The waiting person writes again after a pause: their earlier waits end.

        Coming back starts a new turn, so whatever comes next answers that. A bid
        already past its window stood unanswered until then and is flagged; one
        that was not is left unjudged (the silence was not long enough to count).
        """
        for p in list(self.active.get(r, ())):
            if p.done:
                continue
            limit = p.unanswered_after * _night_factor(p.t, t, p.shift)
            if _awake(p.t, t, p.shift) > limit:
                self.finish(p, t)
            else:
                self.close(p)

    def explicit_target(self, i: int) -> int | None:
        """The index of the message row ``i`` links to, if it is here."""
        assert self.reply_to is not None
        ref = self.reply_to[i]
        if not isinstance(ref, str) or not ref:
            return None
        if self._id_index is None:
            ids = self.ids or []
            self._id_index = {
                mid: k for k, mid in enumerate(ids) if isinstance(mid, str)
            }
        j = self._id_index.get(ref)
        if j is None or j >= i or self.kinds[j] not in _TALK:
            return None
        return j

    def addressed(self, text: str, r: int) -> list[int]:
        """People a message names as its addressees.

        ``@name``; a known name or first name as the first word, or after
        interjections ("hey sam", "oh god priya sorry", "Priya yes!!"); a name
        followed by punctuation among the first words ("happy birthday Alex!!",
        "Ben, you in?"); or a name as the last word after a comma ("..., Sam?").
        Names that are also common words ("will", "may") count only with
        punctuation after them.
        """
        found: list[int] = []
        index = self.names.index
        if "@" in text:
            for m in _AT.finditer(text):
                c = self.names.get(m.group(1))
                if c is None:
                    c = self.names.get(m.group(1).rstrip("."))
                if c is not None and c != r and c not in found:
                    found.append(c)
        words = text[:100].lower().split(None, 12)
        if not words:
            return found
        last = len(words) - 1
        k = 0
        while k < last and words[k].strip(_STRIP) in _GREETINGS:
            k += 1
        word = words[k]
        key = word.strip(_STRIP)
        after = words[k + 1] if k < last else ""
        c = index.get(f"{key} {after.strip(_STRIP)}") if self.names.spaced else None
        if c is None:
            c = index.get(key)
            if c is not None and not (
                word[-1] in ",:!?;"
                or key not in _COMMON_WORD_NAMES
                and after not in _THIRD_PERSON
            ):
                c = None
        if c is not None and c >= 0 and c != r and c not in found:
            found.append(c)
        for word in words[k + 1 : 12]:
            if word[-1] in ",:!?" and len(word) > 2:
                c = index.get(word.strip(_STRIP))
                if c is not None and c >= 0 and c != r and c not in found:
                    found.append(c)
        if "," in text[-40:]:
            trail = _TRAIL_NAME.search(text[-40:])
            if trail:
                c = self.names.get(trail.group(1))
                if c is not None and c != r and c not in found:
                    found.append(c)
        return found

    def infer_target(
        self,
        i: int,
        r: int,
        t: float,
        text: str,
        group: bool,
        addressed: list[int],
        previous: int,
    ) -> int:
        """Index of the message the first message of a turn answers, or -1."""
        if addressed:
            j = self.people[addressed[0]].last
            if j >= 0 and _awake(self.times[j], t, self.shift_of(i)) <= _ADDRESS_WINDOW:
                return j
            return -1
        if text[:1] in (">", "»"):
            j = self.quoted(i, r, text)
            if j >= 0:
                return j
        if previous < 0:
            return -1
        last = self.turn_last[previous]
        if self.joined.get(r, -math.inf) > self.times[last]:
            return -1  # they joined after it was sent
        waiting = self.turn_sender[previous]
        t_last = self.times[last]
        pending = self.turn_pending[previous]
        if pending is None:
            for p in self.active.get(waiting, ()):
                if p.turn <= previous:
                    pending = p
        if (
            pending is not None
            and not pending.done
            and (pending.expected is None or r in pending.expected)
        ):
            within = t <= pending.give_up
        else:
            window = min(max(3.0 * self.high_of(r), _CHAT_WINDOW[0]), _CHAT_WINDOW[1])
            within = _awake(t_last, t, self.shift_of(last)) <= window
        if not within:
            return -1
        if not group:
            return last
        # In a group, a new question that does not read as an answer opens a thread
        # of its own; a bid addressed to others is answered by them, or by what
        # reads as an answer.
        if self.asks(i, text) and not self.answer_like(i, text):
            return -1
        if (
            pending is not None
            and not pending.done
            and pending.expected is not None
            and r not in pending.expected
            and not self.answer_like(i, text)
        ):
            return -1
        return last

    def asks(self, i: int, text: str) -> bool:
        """A question or invitation (cues), or a question to the room without "?"."""
        return self.q[i] or self.inv[i] or _ASKS.match(text[:40].lower()) is not None

    def answer_like(self, i: int, text: str) -> bool:
        """Whether a message reads as an answer (answer words or cues)."""
        if self.answer_cue[i] or self.laugh_only[i] or self.emoji_only[i]:
            return True
        words = text[:40].split(None, 2)
        if words and words[0].lower().strip(_STRIP) in _ANSWER_WORDS:
            return True
        return _RECIPROCAL.search(text[-30:].lower()) is not None

    def quoted(self, i: int, r: int, text: str) -> int:
        """The earlier message by someone else that ``> text`` quotes, or -1."""
        first = text.splitlines()[0].lstrip(">» ").strip().lower()
        if len(first) < 3:
            return -1
        lo = max(0, i - 500)
        for j in range(i - 1, lo - 1, -1):
            if (
                self.kinds[j] in _TALK
                and self.sender_names[j] != self.sender_names[i]
                and first[:60] in self.texts[j].lower()
            ):
                return j
        return -1

    # -- bids and answers ------------------------------------------------

    def bid(
        self,
        i: int,
        r: int,
        t: float,
        turn: int,
        kinds: list[str],
        strength: int,
        addressed: list[int],
        target: int,
        group: bool,
    ) -> None:
        """Start (or extend) the wait of a bid: who should answer, and by when."""
        current = self.turn_pending[turn]
        if current is not None and not current.done:
            if strength >= current.strength:
                current.idx, current.kinds, current.strength = i, kinds, strength
                current.t = t
            return
        expected: tuple[int, ...] | None
        if group:
            # Addressed by name or by the format's reply link; otherwise open to all.
            if addressed:
                expected = tuple(addressed)
            elif target >= 0 and self.link[i] == "explicit":
                expected = (self.sender_of[target],)
            else:
                expected = None
        else:
            expected = tuple([c for c in self.since if c != r]) or None
        active = self.active.get(r)
        if active:
            for p in active:
                if p.expected == expected:
                    p.followups += 1  # the same wait, asked again
                    self.turn_pending[turn] = p
                    return
        shift, zoned = self.shifts[i], False
        if expected is not None and len(expected) == 1:
            shift, zoned = self.replier_shift(expected[0], i, t)
        if expected is None:
            hist: _Hist | None = self.pooled if self.pooled.n >= MIN_HISTORY else None
            level, k = ("chat" if hist is not None else "prior"), self.pooled.n
        elif len(expected) == 1:
            hist, level, k = self.baseline(expected[0], r, _is_late(t, shift))
        else:
            # Several people addressed: judge by the slowest of them.
            hist, level, k, best = None, "prior", 0, -1.0
            late = _is_late(t, shift)
            for x in expected[:3]:
                h, name, n = self.baseline(x, r, late)
                high = _BIN_SECONDS[h.high()] if h is not None else _PRIOR_HIGH
                if high > best:
                    hist, level, k, best = h, name, n, high
        p = _Pending(i, turn, r, t, expected, group, kinds, strength, shift)
        p.zoned = zoned
        s = self.level
        if hist is not None:
            p.usual_bin = hist.median()
            p.high_bin = hist.high()
            base = _BIN_SECONDS[p.high_bin]
        else:
            base = _PRIOR_HIGH
        p.k, p.level = k, level
        slow = base * s.slow_factor
        p.slow_after = slow if slow > s.slow_floor_s else s.slow_floor_s
        unanswered = base * s.unanswered_factor
        if unanswered < s.unanswered_floor_s:
            unanswered = s.unanswered_floor_s
        p.unanswered_after = unanswered
        p.give_up = t + max(_BID_WINDOW, 2.5 * unanswered)
        waiting = self.people[r]
        p.snaps = (self.talk_count, waiting.talk, len(self.turn_sender), waiting.turns)
        if group and expected is not None:
            p.snap_expected = tuple([self.people[x].talk for x in expected[:10]])
        if active is None:
            self.active[r] = [p]
        else:
            active.append(p)
        self.turn_pending[turn] = p
        self.seq += 1
        heapq.heappush(self.expiry, (p.give_up, self.seq, p))
        if group:
            heapq.heappush(
                self.group_checks, (self.talk_count + s.group_messages, self.seq, p)
            )

    def respond(
        self,
        r: int,
        t: float,
        target: int,
        addressed: list[int],
        link: str | None,
    ) -> None:
        """Let a message by ``r`` answer the bids it replies to or names."""
        active = self.active
        if target >= 0:
            waiting = active.get(self.sender_of[target])
            if waiting:
                turn = self.turn_of[target]
                for p in waiting[:]:
                    if p.turn <= turn and p.waiting != r:
                        self.answer(p, r, t, link)
        for x in addressed:
            waiting = active.get(x)
            if waiting:
                for p in waiting[:]:
                    if not p.done and p.waiting != r:
                        self.answer(p, r, t, link)

    def answer(self, p: _Pending, r: int, t: float, link: str | None) -> None:
        """A message by ``r`` answers the bid, if ``r`` is one it waits for."""
        if p.expected is None and self.joined.get(r, -math.inf) > p.t:
            return  # joined after the bid: neither expected nor able to answer it
        if p.expected is None or r in p.expected:
            self.resolve(p, r, t, link or "inferred", "message", None, self.i)
        else:
            p.someone = True

    def resolve(
        self,
        p: _Pending,
        r: int | None,
        t: float,
        link: str | None,
        answered_by: str,
        emoji: str | None,
        i: int,
    ) -> None:
        """The bid got its answer at ``t``: judge whether it was slow."""
        self.close(p)
        if p.reaction is not None:
            r_emoji, at, by = p.reaction
            if at is None or at <= t:
                t = p.t if at is None else at
                answered_by, emoji, link, r = "reaction", r_emoji, None, by
                i = -1
        if p.ignored or not p.specific:
            return
        awake = _awake(p.t, t, p.shift)
        if awake <= p.slow_after:
            return
        limit = p.slow_after * _night_factor(p.t, t, p.shift)
        if awake <= limit:
            return
        if p.expected is not None and not any(x in self.since for x in p.expected):
            return  # everyone it addressed has left
        evidence = self.evidence(p, t, limit)
        evidence.update(
            reply_link=link, reaction=emoji, answered_by=answered_by,
            replier=self.person_names[r] if r is not None and r >= 0 else None,
        )  # fmt: skip
        weight = _history_weight(p.k)
        self.flag(p.idx, "slow_reply", _score(awake / limit, weight), evidence)
        who = frozenset((r,)) if r is not None and r >= 0 else None
        watch = _Watch(evidence, p.waiting, who, p.group, t + _WARM_HORIZON)
        if answered_by == "message" and i >= 0:
            evidence["answered_later_warmly"] = bool(self.warm[i])
            if not self.warm[i]:
                self.watches.append(watch)
        else:
            self.watches.append(watch)

    def finish(self, p: _Pending, t_obs: float) -> None:
        """The bid's wait is over without an answer (or the export ended)."""
        self.close(p)
        if p.reaction is not None:
            emoji, at, by = p.reaction
            if at is not None and p.specific and not p.ignored:
                self.resolve(p, by, at, None, "reaction", emoji, -1)
            return
        if p.ignored or p.someone and p.expected is None:
            return
        if p.any_reaction is not None and p.expected is None:
            return
        expected = p.expected
        if expected is not None:
            expected = tuple(x for x in expected if x in self.since)
            if not expected:
                return  # they left
        awake = _awake(p.t, t_obs, p.shift)
        limit = p.unanswered_after * _night_factor(p.t, t_obs, p.shift)
        if awake <= limit:
            return  # the export (or the chat) ended before the window closed
        evidence = self.evidence(p, t_obs, limit)
        evidence["reaction"] = p.any_reaction
        weight = _history_weight(p.k)
        self.flag(p.idx, "unanswered", _score(awake / limit, weight), evidence)
        self.watches.append(
            _Watch(
                evidence,
                p.waiting,
                frozenset(expected) if expected is not None else None,
                p.group,
                t_obs + _WARM_HORIZON,
            )
        )

    def check_groups(self) -> None:
        """Bids in a group that the others have talked past."""
        s = self.level
        while self.group_checks and self.group_checks[0][0] <= self.talk_count:
            _, seq, p = heapq.heappop(self.group_checks)
            if p.done or p.someone or p.any_reaction is not None:
                continue
            if self.now - p.t > _GROUP_WINDOW:
                continue
            others = self.others_since(p)
            if p.ignored_flag is not None:
                # Still talked past: the flag counts every message until an answer.
                p.ignored_flag["score"] = _score(others / s.group_messages)
                p.ignored_flag["evidence"].update(
                    messages_meanwhile=others,
                    gap_seconds=round(max(self.now - p.t, 0.0)),
                )
                heapq.heappush(self.group_checks, (self.talk_count + 1, seq, p))
                continue
            if others < s.group_messages:
                need = s.group_messages - others
                heapq.heappush(self.group_checks, (self.talk_count + need, seq, p))
                continue
            other_turns = (len(self.turn_sender) - p.snaps[2]) - (
                self.people[p.waiting].turns - p.snaps[3]
            )
            if other_turns < 2:
                heapq.heappush(self.group_checks, (self.talk_count + 1, seq, p))
                continue
            p.ignored = True
            evidence = self.evidence(p, self.now, p.unanswered_after)
            evidence["gap_seconds"] = round(max(self.now - p.t, 0.0))
            ratio = others / s.group_messages
            p.ignored_flag = self.flag(
                p.idx, "ignored_in_group", _score(ratio), evidence
            )
            heapq.heappush(self.group_checks, (self.talk_count + 1, seq, p))
            self.watches.append(
                _Watch(evidence, p.waiting, None, True, self.now + _WARM_HORIZON)
            )

    def others_since(self, p: _Pending) -> int:
        """Messages by others than the waiting person since the bid."""
        return (self.talk_count - p.snaps[0]) - (
            self.people[p.waiting].talk - p.snaps[1]
        )

    def close(self, p: _Pending) -> None:
        """The wait is over: no longer active."""
        p.done = True
        waiting = self.active[p.waiting]
        if p in waiting:
            waiting.remove(p)

    # -- reactions and calls ---------------------------------------------

    def react(self, p: _Pending, by: int | None, at: float | None, emoji: str) -> None:
        """A listed reaction on the bid's turn: remember who reacted and when."""
        if by is not None and by == p.waiting:
            return
        p.any_reaction = p.any_reaction or emoji
        if by is None or p.expected is None or by in p.expected:
            if p.reaction is None or (
                at is not None and p.reaction[1] is not None and at < p.reaction[1]
            ):
                p.reaction = (emoji, at, by)

    def listed_reactions(self, i: int, r: int, turn: int, reactions: Any) -> None:
        """Reactions recorded on message ``i`` answer the bids of its turn."""
        items = []
        for item in reactions:
            if not isinstance(item, dict):
                continue
            by_name = item.get("by")
            by = self.person_of_name(by_name) if isinstance(by_name, str) else None
            if by == r:
                continue
            at = item.get("at")
            at_s = _reaction_time(at)
            items.append((by, at_s, str(item.get("emoji") or "")))
        if not items:
            return
        for p in self.active.get(r, ()):
            if p.turn <= turn:
                for by, at_s, emoji in items:
                    self.react(p, by, at_s, emoji)
        joke = self.jokes.get(r)
        if joke is not None and joke.idx <= i:
            joke.acked = True
            self.judge_joke(joke)

    def reaction_row(self, i: int, t: float) -> None:
        """A reaction row answers the closest earlier message by someone else."""
        name = self.sender_names[i]
        if not name:
            return
        r = self.code(name)
        j = self.closest_other(i, name)
        if j < 0:
            return
        text = self.texts[i]
        m = _REACTED.match(text)
        emoji = m.group("emoji") if m else ("👍" if "iked" in text[:6] else text[:8])
        waiting = self.codes[self.sender_names[j]]
        self.react_now(waiting, j, r, t, emoji)

    def react_now(self, waiting: int, j: int, r: int, t: float, emoji: str) -> None:
        """A reaction by ``r`` at ``t`` to message ``j`` answers its turn's bids."""
        turn = self.turn_of[j]
        for p in list(self.active.get(waiting, ())):
            if p.turn > turn or p.done:
                continue
            p.any_reaction = p.any_reaction or emoji
            if p.expected is None or r in p.expected:
                self.resolve(p, r, t, None, "reaction", emoji, -1)
            else:
                p.someone = True
        joke = self.jokes.get(waiting)
        if joke is not None and joke.idx <= j:
            joke.acked = True
            self.judge_joke(joke)

    def closest_other(self, i: int, name: str) -> int:
        """The closest earlier talk row by someone other than ``name``, or -1."""
        for j in range(i - 1, max(-1, i - 200), -1):
            if self.kinds[j] in _TALK and self.sender_names[j] != name:
                return j
        return -1

    def call(self, i: int) -> None:
        """A call by someone answers the bids waiting for them."""
        name = self.sender_names[i]
        if not name or name not in self.codes:
            return
        r = self.codes[name]
        t = self.times[i]
        for waiting, pending in list(self.active.items()):
            if waiting == r:
                continue
            for p in list(pending):
                if p.expected is not None and r in p.expected:
                    self.resolve(p, r, t, None, "call", None, -1)

    # -- membership ------------------------------------------------------

    def system(self, i: int, t: float) -> None:
        """A system row: tapbacks written as text, and membership."""
        text = self.texts[i]
        if not text:
            return
        tapback = _TAPBACK.match(text) if self.sender_names[i] else None
        if tapback is not None:
            self.tapback(i, t, tapback)
            return
        event = _membership(text, self.sender_names[i])
        if event is None:
            return
        what, names = event
        for name in names:
            c = self.person_of_name(name)
            if c is None:
                continue
            if what == "join":
                self.since[c] = self.joined[c] = t
                self.max_present = max(self.max_present, len(self.since))
            else:
                self.since.pop(c, None)

    def tapback(self, i: int, t: float, m: re.Match[str]) -> None:
        """A tapback written as text answers the message it quotes."""
        name = self.sender_names[i]
        r = self.code(name)
        quoted = m.group("q").rstrip('”"').strip().lower()
        for j in range(i - 1, max(-1, i - 200), -1):
            if (
                self.kinds[j] in _TALK
                and self.sender_names[j] != name
                and self.texts[j].strip().lower().startswith(quoted[:40])
            ):
                waiting = self.codes[self.sender_names[j]]
                self.react_now(
                    waiting, j, r, t, _TAPBACK_EMOJI.get(m.group("kind"), "")
                )
                return

    # -- jokes -----------------------------------------------------------

    def start_joke(self, i: int, r: int, t: float) -> None:
        """Start watching a joke for laughter back."""
        earlier = self.jokes.get(r)
        if earlier is not None:
            if earlier.seen == 0 and self.turn_of[earlier.idx] == self.turn_of[i]:
                del self.jokes[r]  # the same turn: judge its last joke
            else:
                self.judge_joke(earlier)
        self.jokes[r] = _Joke(i, r, t, t + _JOKE_WINDOW, last_t=t)

    def joke_reply(self, i: int, r: int, t: float) -> None:
        """A message by someone else after a joke: laughter, or not."""
        for joke in list(self.jokes.values()):
            if joke.waiting == r:
                continue
            joke.seen += 1
            joke.last_t = t
            if r not in joke.by:
                joke.by = (*joke.by, r)
            text = self.texts[i]
            if (
                self.laugh[i]
                or not text.isascii()
                and _ACK_EMOJI.search(text) is not None
                or _is_joke(text, False)
            ):
                joke.acked = True
            if joke.acked or joke.seen >= _JOKE_LOOKAHEAD:
                self.judge_joke(joke)

    def judge_joke(self, joke: _Joke) -> None:
        """Flag a joke that enough people saw without laughing."""
        if self.jokes.get(joke.waiting) is joke:
            del self.jokes[joke.waiting]
        need = self.level.joke_replies
        if joke.acked or joke.seen < need:
            return
        i = joke.idx
        evidence = self.base_evidence(i, joke.waiting, joke.t, joke.last_t)
        evidence.update(
            expected=[self.person_names[c] for c in joke.by],
            messages_meanwhile=joke.seen,
            active_elsewhere=True,
            bid=list(self.bids[i] or ()),
        )
        self.flag(i, "unacknowledged_joke", _score(joke.seen / need), evidence)

    # -- warmth after a flag ---------------------------------------------

    def watch(self, i: int, r: int, target: int, addressed: list[int]) -> None:
        """Look for a warm word to the waiting person after a flag."""
        keep = []
        for w in self.watches:
            if r == w.waiting or (w.expected is not None and r not in w.expected):
                keep.append(w)
                continue
            if w.group and not (
                (target >= 0 and self.sender_of[target] == w.waiting)
                or w.waiting in addressed
                or self.names_waiting(i, w.waiting)
            ):
                keep.append(w)
                continue
            if self.warm[i]:
                w.evidence["answered_later_warmly"] = True
                continue
            w.evidence["answered_later_warmly"] = False
            keep.append(w)
        self.watches = keep

    def names_waiting(self, i: int, waiting: int) -> bool:
        """Whether message ``i`` names the waiting person anywhere."""
        name = self.person_names[waiting].lower().strip()
        first = name.split()[0] if name else ""
        words = {w.strip(_STRIP) for w in self.texts[i].lower().split()}
        return bool(first) and (first in words or name in words)

    # -- evidence --------------------------------------------------------

    def base_evidence(
        self,
        i: int,
        waiting: int,
        t_bid: float,
        t_end: float,
        night: tuple[float, bool] | None = None,
    ) -> dict[str, Any]:
        """The evidence every silence flag carries, from the waiting message ``i``.

        ``night`` is the replier's ``(shift, zoned)`` from :meth:`replier_shift`;
        by default the chat's. When zoned, the hour is the replier's own.
        """
        shift, zoned = night if night is not None else (self.shift_of(i), False)
        if zoned:
            wall, start = (t_bid - shift) % _DAY, 0
        else:
            wall, start = t_bid % _DAY, int((shift / _HOUR) % 24)
        return {
            "waiting_sender": self.person_names[waiting],
            "expected": [],
            "gap_seconds": round(max(t_end - t_bid, 0.0)),
            "usual_seconds": None,
            "high_seconds": None,
            "replier_history": 0,
            "local_hour": int(wall // _HOUR),
            "local_time": f"{int(wall // _HOUR):02d}:{int(wall % _HOUR // 60):02d}",
            "hour_is_local": zoned or bool(self.local[i]),
            "night": _spans_night(t_bid, t_end, shift),
            "night_hours": [start, (start + 7) % 24],
            "messages_meanwhile": 0,
            "burst": self.burst(t_bid),
            "answered_later_warmly": None,
            "active_elsewhere": False,
            "reply_link": None,
            "reaction": None,
        }

    def evidence(self, p: _Pending, t_end: float, limit: float) -> dict[str, Any]:
        """The evidence of a flag on bid ``p``, the wait judged up to ``t_end``."""
        ev = self.base_evidence(p.idx, p.waiting, p.t, t_end, (p.shift, p.zoned))
        if p.expected is not None:
            expected = [x for x in p.expected]
        else:
            expected = [
                c for c, since in self.since.items() if since <= p.t and c != p.waiting
            ]
        others = self.others_since(p)
        if p.expected is not None and p.group:
            elsewhere = any(
                self.people[x].talk > snap
                for x, snap in zip(p.expected, p.snap_expected, strict=False)
            )
        else:
            elsewhere = p.group and others > 0
        ev.update(
            expected=[self.person_names[c] for c in expected[:_MAX_EXPECTED_NAMES]],
            expected_count=len(expected),
            usual_seconds=None if p.usual is None else round(p.usual),
            high_seconds=None if p.high is None else round(p.high),
            replier_history=p.k,
            baseline=p.level,
            threshold_seconds=round(limit),
            awake_gap_seconds=round(_awake(p.t, t_end, p.shift)),
            messages_meanwhile=others,
            active_elsewhere=bool(elsewhere),
            bid=list(p.kinds),
            followups=p.followups,
        )
        return ev

    def burst(self, t: float) -> int:
        """Most messages in any five minutes that include ``t``."""
        if self._talk_sorted is None:
            talk = [k in _TALK for k in self.kinds]
            self._talk_sorted = np.sort(self.seconds[np.asarray(talk, dtype=bool)])
        times = self._talk_sorted
        lo = int(np.searchsorted(times, t - _BURST, "left"))
        hi = int(np.searchsorted(times, t, "right"))
        if hi <= lo:
            return 0
        starts = times[lo:hi][-500:]
        ends = np.searchsorted(times, starts + _BURST, "right")
        first = np.searchsorted(times, starts, "left")
        return int((ends - first).max())

    def flag(
        self, i: int, kind: str, score: float, evidence: dict[str, Any]
    ) -> dict[str, Any]:
        """Attach a flag to message ``i``; return it so it can still be updated."""
        flag = {"type": kind, "score": score, "evidence": evidence}
        flags = self.flags[i]
        if flags is None:
            self.flags[i] = [flag]
        else:
            flags.append(flag)
        return flag

    # -- result ----------------------------------------------------------

    def habits(self) -> dict[int, dict[str, Any]]:
        """Each sender's text habits before each of their messages; totals per sender.

        Fills ``usual_tokens``, ``period_rate`` (over their earlier ``message``
        rows), ``one_word_rate`` and ``usual_words`` (over their earlier replies),
        all NaN below :data:`MIN_HISTORY`. One tight loop per sender, after the
        walk, since it needs only the answers the walk found.
        """
        by_sender: dict[int, list[int]] = {}
        for i, code in enumerate(self.sender_of):
            if code >= 0:
                rows = by_sender.get(code)
                if rows is None:
                    by_sender[code] = [i]
                else:
                    rows.append(i)
        texts, is_text, answers = self.texts, self.is_text, self.answers
        usual_tokens, period_rate = self.usual_tokens, self.period_rate
        one_word_rate, usual_words = self.one_word_rate, self.usual_words
        findall = _PUNCT.findall
        given = self.tokens
        last_bin = _TOKEN_BINS - 1
        totals: dict[int, dict[str, Any]] = {}
        for code, rows in by_sender.items():
            tokens, reply_words = _Hist(_TOKEN_BINS), _Hist(_TOKEN_BINS)
            n_text = periods = exclaim = emoji = replies = one_word = 0
            words_list: list[int] = []
            for i in rows:
                if n_text >= MIN_HISTORY:
                    usual_tokens[i] = tokens.median()
                    period_rate[i] = periods / n_text
                if replies >= MIN_HISTORY:
                    one_word_rate[i] = one_word / replies
                    usual_words[i] = reply_words.median()
                text = texts[i]
                if not text or not is_text[i]:
                    continue
                n_text += 1
                n_words = len(text.split())
                count = n_words + len(findall(text)) if given is None else given[i]
                tokens.add(count if count < last_bin else last_bin)
                if text.rstrip().endswith("."):
                    periods += 1
                if "!" in text:
                    exclaim += 1
                if not text.isascii() and _EMOJI.search(text) is not None:
                    emoji += 1
                if answers[i] >= 0:
                    replies += 1
                    if n_words <= 1:
                        one_word += 1
                    reply_words.add(n_words if n_words < last_bin else last_bin)
                    words_list.append(n_words)
            totals[code] = {
                "usual_reply_words": _median(words_list),
                "one_word_rate": _rate(one_word, replies),
                "replies": replies,
                "emoji_rate": _rate(emoji, n_text),
                "exclaim_rate": _rate(exclaim, n_text),
                "period_rate": _rate(periods, n_text),
            }
        return totals

    def view(self) -> ConversationView:
        """The per-message results as :class:`ConversationView`."""
        from .features import HISTORY_COLUMNS

        totals = self.habits()
        history = pd.DataFrame(
            np.array([self.usual_tokens, self.period_rate], dtype=np.float64).T,
            columns=list(HISTORY_COLUMNS),
        )
        stats: dict[str, dict[str, Any]] = {}
        for c, person in enumerate(self.people):
            name = self.person_names[c]
            if not name or person.talk == 0:
                continue
            stats[name] = {
                "usual_reply_seconds": _median(person.latencies),
                "messages": person.talk,
                **totals[c],
            }
        hours = (self.seconds % _DAY) // _HOUR
        return ConversationView(
            answers=np.asarray(self.answers, dtype=np.int64),
            history=history,
            bids=[b if b is not None else [] for b in self.bids],
            silence_flags=[f if f is not None else [] for f in self.flags],
            sender_stats=stats,
            reply_link=self.link,
            one_word_rate=np.asarray(self.one_word_rate, dtype=np.float64),
            usual_words=np.asarray(self.usual_words, dtype=np.float64),
            local_hour=hours.astype(np.int64),
            hour_is_local=np.asarray(self.local, dtype=bool),
            is_group=self.max_present >= 3,
        )


def _median(values: list[float] | list[int]) -> float | None:
    """The median of a list, or None when it is empty."""
    if not values:
        return None
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[half])
    return (ordered[half - 1] + ordered[half]) / 2.0


def _rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded, or None when ``whole`` is 0."""
    return round(part / whole, 4) if whole else None


def _history_weight(k: int) -> float:
    """Flags resting on a thin baseline score lower: 0.7 with none, 1.0 from 10."""
    return 0.7 + 0.3 * min(k, 10) / 10


def _reaction_time(at: Any) -> float | None:
    """A reaction's time in seconds on the row clock, or None."""
    if isinstance(at, datetime):
        if at.tzinfo is not None:
            return at.timestamp()
        return (at - datetime(1970, 1, 1)).total_seconds()
    if isinstance(at, pd.Timestamp):
        return at.timestamp() if at.tzinfo is not None else at.value / 1e9
    return None


def analyse(
    conv: pd.DataFrame,
    cues: np.ndarray,
    *,
    sensitivity: Sensitivity | str = "medium",
    me: str | None = None,
    tokens: Sequence[int] | np.ndarray | None = None,
) -> ConversationView:
    """Find who answers whom, each person's baselines, bids and silences.

    Parameters
    ----------
    conv : pandas.DataFrame
        One conversation in input order, in the columns of
        :data:`classifier.records.COLUMNS` (``timestamp``, ``sender``, ``text`` are
        required; ``kind``, ``tz_known``, ``message_id``, ``reply_to`` and
        ``reactions`` are used when present). ``timestamp`` holds datetimes: aware
        UTC where ``tz_known``, naive wall time otherwise.
    cues : numpy.ndarray
        ``classifier.nlp.analyse(conv.text)[1]``: one row per message, columns in
        :data:`classifier.nlp.CUE_NAMES` order.
    sensitivity : Sensitivity or str
        One of :data:`SENSITIVITY` (or its name).
    me : str, optional
        The exporter's sender name: "You" in system rows ("You were added") and
        reactions means this person.
    tokens : sequence of int, optional
        Tokens per message as the text model counts them (``len(norm.split())`` for
        the norms of :func:`classifier.nlp.analyse`), for ``sender_usual_tokens``.
        Without it they are counted here as words plus runs of punctuation, which
        is close (0.3 tokens off on average) but costs about 1 us a message.

    Returns
    -------
    ConversationView
        One entry per message in every per-message field.

    Raises
    ------
    ValueError
        If ``cues`` does not have one row per message, or ``sensitivity`` is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import datetime
    >>> from classifier.nlp import analyse as cue_counts
    >>> conv = pd.DataFrame({
    ...     "timestamp": [datetime(2024, 3, 4, 12, 0), datetime(2024, 3, 4, 12, 2)],
    ...     "sender": ["Maya", "Jonas"], "text": ["free tonight?", "yes!"]})
    >>> view = analyse(conv, cue_counts(conv["text"].tolist())[1])
    >>> view.answers.tolist(), view.bids[0]
    ([-1, 0], ['question', 'invitation'])
    """
    if isinstance(sensitivity, str):
        if sensitivity not in SENSITIVITY:
            raise ValueError(
                f"unknown sensitivity {sensitivity!r}; use one of "
                + ", ".join(SENSITIVITY)
            )
        sensitivity = SENSITIVITY[sensitivity]
    cues = np.asarray(cues)
    if cues.ndim != 2:
        raise ValueError("cues must be a 2-D array, one row per message")
    if tokens is not None and len(tokens) != len(conv):
        raise ValueError(f"tokens has {len(tokens)} entries for {len(conv)} messages")
    # The walk allocates many small objects that never form cycles; pausing the
    # cyclic collector meanwhile saves it rescanning the table's objects again and
    # again (a quarter of the time on a large conversation).
    collecting = gc.isenabled()
    gc.disable()
    try:
        walk = _Walk(conv, cues, sensitivity, me)
        if tokens is not None:
            walk.tokens = np.asarray(tokens, dtype=np.int64).tolist()
        walk.run()
        return walk.view()
    finally:
        if collecting:
            gc.enable()
