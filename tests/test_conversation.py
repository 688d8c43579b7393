"""Tests for classifier.conversation: who answers whom, baselines, bids and silences.

Every timeline is built in code (``timeline``) in the message table's columns, with
the cues the text model would give it, and each test asserts the exact silence flags:
which type, on which message, and nothing else.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest

from classifier.conversation import (
    MIN_HISTORY,
    SENSITIVITY,
    ConversationView,
    _awake,
    _Hist,
    _is_joke,
    _membership,
    analyse,
)
from classifier.features import HISTORY_COLUMNS
from classifier.nlp import analyse as cue_counts
from classifier.records import COLUMNS

DAY0 = datetime(2024, 3, 4)  # a Monday

# The evidence keys every silence flag carries (SCORE.md's shared vocabulary).
EVIDENCE_KEYS = {
    "waiting_sender",
    "expected",
    "gap_seconds",
    "usual_seconds",
    "high_seconds",
    "replier_history",
    "local_hour",
    "hour_is_local",
    "night",
    "messages_meanwhile",
    "burst",
    "answered_later_warmly",
    "active_elsewhere",
    "reply_link",
    "reaction",
}


def at(day: int, clock: str) -> datetime:
    """Wall time on day ``day`` after DAY0, at ``HH:MM``."""
    hours, minutes = map(int, clock.split(":"))
    return DAY0 + timedelta(days=day, hours=hours, minutes=minutes)


def timeline(*rows: tuple[Any, ...], tz: bool = False) -> tuple[pd.DataFrame, Any]:
    """A conversation in the table's columns, and its cues.

    Each row is ``(when, sender, text)`` or ``(when, sender, text, {column: value})``.
    Message ids are ``t/<row number>``; with ``tz`` the times are UTC.
    """
    records = []
    for n, (when, sender, text, *extra) in enumerate(rows):
        record = {
            "conversation_id": "t",
            "message_id": f"t/{n}",
            "timestamp": when.replace(tzinfo=timezone.utc) if tz else when,
            "tz_known": tz,
            "sender": sender,
            "text": text,
            "kind": "message",
            "sender_id": None,
            "reply_to": None,
            "reactions": [],
            "edited": False,
            "edited_at": None,
            "read_at": None,
            "read_by": None,
            "conversation_name": "t",
            "source": f"test:{n + 1}",
        }
        if extra:
            record.update(extra[0])
        records.append(record)
    conv = pd.DataFrame(records, columns=list(COLUMNS))
    return conv, cue_counts(conv["text"].tolist())[1]


def run(
    rows: list[tuple[Any, ...]], sensitivity: str = "medium", **kwargs: Any
) -> ConversationView:
    conv, cues = timeline(*rows, tz=kwargs.pop("tz", False))
    return analyse(conv, cues, sensitivity=SENSITIVITY[sensitivity], **kwargs)


def flags_of(view: ConversationView) -> dict[int, list[str]]:
    """Message index -> the types of its silence flags, for messages with any."""
    return {
        i: [f["type"] for f in flags]
        for i, flags in enumerate(view.silence_flags)
        if flags
    }


def only_flag(view: ConversationView, i: int) -> dict[str, Any]:
    (flag,) = view.silence_flags[i]
    return flag


def fast_history(days: int = 6, delay: int = 2) -> list[tuple[Any, ...]]:
    """Maya asks at noon, Jonas answers within ``delay`` minutes, Maya wraps up."""
    rows: list[tuple[Any, ...]] = []
    for d in range(days):
        t = at(d, "12:00")
        rows += [
            (t, "Maya", "how's your day going?"),
            (t + timedelta(minutes=delay), "Jonas", "pretty good, busy at work. you?"),
            (t + timedelta(minutes=delay + 1), "Maya", "same here, talk later"),
        ]
    return rows


def slow_history(days: int = 6, hours: int = 6) -> list[tuple[Any, ...]]:
    """Jonas always answers ``hours`` after Maya (daytime), Maya answers at once."""
    rows: list[tuple[Any, ...]] = []
    for d in range(days):
        t = at(d, "08:00")
        rows += [
            (t, "Maya", "how's your day going?"),
            (t + timedelta(hours=hours), "Jonas", "pretty good, busy at work. you?"),
            (t + timedelta(hours=hours, minutes=1), "Maya", "same here, talk later"),
        ]
    return rows


HEARTFELT = (
    "I've been feeling really low lately and I don't know who else to talk to. "
    "can we talk tonight?"
)


def group_history() -> list[tuple[Any, ...]]:
    """Priya, Sam, Dan and Alex chat a little, so all four are present."""
    t = at(0, "18:00")
    return [
        (t, "Dan", "thursday 7 as usual?"),
        (t + timedelta(minutes=1), "Priya", "yes!"),
        (t + timedelta(minutes=2), "Sam", "i'll be there"),
        (t + timedelta(minutes=3), "Alex", "same"),
    ]


# ---------------------------------------------------------------------------
# The eight timelines of the issue


def test_fast_replier_quiet_for_nine_hours_on_a_heartfelt_question() -> None:
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "09:00"), "Maya", HEARTFELT),
        (at(6, "18:00"), "Jonas", "sorry, crazy day. of course, call you at 8?"),
    ]
    view = run(rows)
    assert flags_of(view) == {ask: ["slow_reply"]}
    flag = only_flag(view, ask)
    ev = flag["evidence"]
    assert ev["waiting_sender"] == "Maya"
    assert ev["expected"] == ["Jonas"]
    assert ev["gap_seconds"] == 9 * 3600
    assert ev["usual_seconds"] <= 180 and ev["high_seconds"] <= 180
    assert ev["replier_history"] == 6
    assert ev["night"] is False and ev["hour_is_local"] is True
    assert ev["local_hour"] == 9 and ev["local_time"] == "09:00"
    assert ev["reply_link"] == "inferred" and ev["answered_by"] == "message"
    assert ev["answered_later_warmly"] is True  # "sorry, ... of course"
    assert 0.8 < flag["score"] <= 1.0  # 4.5 times the floor, six replies known
    assert set(view.bids[ask]) == {"question", "disclosure"}
    assert view.answers[ask + 1] == ask


def test_fast_replier_never_answers_while_the_chat_goes_on() -> None:
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "10:00"), "Maya", HEARTFELT),
        (at(6, "17:00"), "Maya", "ok never mind then"),
        (at(7, "12:00"), "Jonas", "hey! sorry, what's up?"),
    ]
    view = run(rows)
    assert flags_of(view) == {ask: ["unanswered"]}
    ev = only_flag(view, ask)["evidence"]
    assert ev["expected"] == ["Jonas"]
    assert ev["gap_seconds"] == 7 * 3600  # until Maya came back to the chat
    assert ev["answered_later_warmly"] is True
    # Jonas's message the next day starts a new topic: it answers nothing.
    assert view.answers[ask + 2] == -1


def test_the_same_gap_from_someone_who_always_takes_six_hours() -> None:
    rows = slow_history()
    ask = len(rows)
    rows += [
        (at(6, "09:00"), "Maya", HEARTFELT),
        (at(6, "18:00"), "Jonas", "sorry, crazy day. of course, call you at 8?"),
    ]
    view = run(rows)
    assert flags_of(view) == {}
    assert view.answers[ask + 1] == ask
    assert view.sender_stats["Jonas"]["usual_reply_seconds"] == 6 * 3600


def test_a_group_that_talks_past_one_members_invitation() -> None:
    rows = group_history()
    ask = len(rows)
    t = at(1, "18:02")
    rows += [
        (t, "Priya", "anyone up for the new climbing gym on sunday?"),
        (t + timedelta(minutes=2), "Sam", "did anyone see the game last night"),
        (t + timedelta(minutes=3), "Dan", "don't talk to me about the game"),
        (t + timedelta(minutes=3), "Alex", "the ref was blind"),
        (t + timedelta(minutes=4), "Sam", "we were awful honestly"),
        (t + timedelta(minutes=5), "Dan", "next week will be better"),
        (t + timedelta(minutes=6), "Alex", "doubt it"),
    ]
    view = run(rows)
    assert flags_of(view) == {ask: ["ignored_in_group"]}
    flag = only_flag(view, ask)
    ev = flag["evidence"]
    assert ev["waiting_sender"] == "Priya"
    assert sorted(ev["expected"]) == ["Alex", "Dan", "Sam"]
    assert ev["messages_meanwhile"] == 6
    assert ev["active_elsewhere"] is True
    assert ev["burst"] >= 4  # the invitation and the talk right after it
    assert flag["score"] > 0.5  # six messages, one more than medium needs
    assert view.answers[ask + 1] == -1  # a new question: a thread of its own
    assert view.answers[ask + 2] == ask + 1
    assert view.is_group


def test_the_same_invitation_answered_at_once() -> None:
    rows = group_history()
    ask = len(rows)
    t = at(1, "18:02")
    rows += [
        (t, "Priya", "anyone up for the new climbing gym on sunday?"),
        (t + timedelta(minutes=1), "Sam", "yes! i'm in"),
        (t + timedelta(minutes=2), "Sam", "did anyone see the game last night"),
        (t + timedelta(minutes=3), "Dan", "don't talk to me about the game"),
        (t + timedelta(minutes=3), "Alex", "the ref was blind"),
        (t + timedelta(minutes=4), "Sam", "we were awful honestly"),
        (t + timedelta(minutes=5), "Dan", "next week will be better"),
        (t + timedelta(minutes=6), "Alex", "doubt it"),
    ]
    view = run(rows)
    assert flags_of(view) == {}
    assert view.answers[ask + 1] == ask


def test_a_question_that_is_the_last_message_of_the_export() -> None:
    rows = fast_history()
    rows += [(at(6, "12:00"), "Maya", "are you coming tomorrow?")]
    assert flags_of(run(rows)) == {}
    # Nor when the asker adds to it and the export ends before the window closes.
    rows += [(at(6, "13:30"), "Maya", "hello??")]
    assert flags_of(run(rows)) == {}
    # The window is Jonas's own: with the prior, three hours are still nothing.
    assert flags_of(run(rows, sensitivity="high")) == {}


def test_an_overnight_gap() -> None:
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "23:40"), "Maya", "did you get home ok?"),
        (at(7, "08:30"), "Jonas", "yes! slept like a log"),
    ]
    assert flags_of(run(rows)) == {}
    # Far longer than the night: flagged, and the evidence says it was night.
    rows[-1] = (at(7, "17:00"), "Jonas", "yes! slept like a log")
    view = run(rows)
    assert flags_of(view) == {ask: ["slow_reply"]}
    ev = only_flag(view, ask)["evidence"]
    assert ev["night"] is True
    assert ev["local_hour"] == 23 and ev["local_time"] == "23:40"
    assert ev["gap_seconds"] == 17 * 3600 + 20 * 60
    # Awake time: 20 minutes before midnight, 10:00-17:00 the next day.
    assert ev["awake_gap_seconds"] == 7 * 3600 + 20 * 60


def test_a_reaction_instead_of_a_reply() -> None:
    rows = fast_history()
    news = len(rows)
    heart = {"reactions": [{"emoji": "❤️", "by": "Jonas", "at": None, "count": 1}]}
    rows += [
        (at(6, "12:00"), "Maya", "I got the job!!!", heart),
        (at(6, "22:00"), "Maya", "going to bed, night!"),
        (at(7, "12:00"), "Jonas", "morning!"),
    ]
    view = run(rows)
    assert flags_of(view) == {}
    # Without the reaction the news is left unanswered while the chat goes on.
    bare = [r[:3] for r in rows]
    view = run(bare)
    assert flags_of(view) == {news: ["unanswered"]}
    # A reaction written as a row of its own (Messenger) answers too.
    row = (at(6, "12:05"), "Jonas", "Reacted ❤ to your message", {"kind": "reaction"})
    view = run([*bare[: news + 1], row, *bare[news + 1 :]])
    assert flags_of(view) == {}
    assert view.answers[news + 1] == -1  # a reaction row answers nothing itself


def test_a_reaction_by_someone_else_does_not_answer_an_addressed_bid() -> None:
    rows = group_history()
    for k in range(MIN_HISTORY):
        t = at(1 + k, "12:00")
        rows += [
            (t, "Dan", "@Sam did you book the wall?"),
            (t + timedelta(minutes=1), "Sam", "Dan, yes done"),
        ]
    ask = len(rows)
    thumbs = {"reactions": [{"emoji": "👍", "by": "Priya", "at": None, "count": 1}]}
    rows += [
        (at(7, "12:00"), "Dan", "@Sam are you bringing the rope on thursday?", thumbs),
        (at(7, "17:00"), "Priya", "i'm bringing snacks!"),
    ]
    view = run(rows)
    assert flags_of(view) == {ask: ["unanswered"]}
    assert only_flag(view, ask)["evidence"]["reaction"] == "👍"


def test_a_joke_nobody_answers() -> None:
    rows = group_history()
    joke = len(rows)
    t = at(1, "11:47")
    rows += [
        (t, "Dan", "my landlord says he'll fix the boiler in due course lol"),
        (t + timedelta(minutes=15), "Sam", "is anyone bringing a spare chalk bag?"),
        (t + timedelta(minutes=17), "Priya", "i've got one"),
        (t + timedelta(minutes=17), "Sam", "legend"),
    ]
    view = run(rows)
    assert flags_of(view) == {joke: ["unacknowledged_joke"]}
    flag = only_flag(view, joke)
    assert flag["evidence"]["messages_meanwhile"] == 3
    assert sorted(flag["evidence"]["expected"]) == ["Priya", "Sam"]
    assert "joke" in view.bids[joke]
    # The same joke, laughed at.
    rows.insert(joke + 1, (t + timedelta(minutes=1), "Alex", "hahaha"))
    assert flags_of(run(rows)) == {}
    # Or reacted to.
    rows.pop(joke + 1)
    laugh = [{"emoji": "😂", "by": "Sam", "at": None, "count": 1}]
    rows[joke] = (*rows[joke][:3], {"reactions": laugh})
    assert flags_of(run(rows)) == {}


# ---------------------------------------------------------------------------
# Baselines, links, mentions, membership, sensitivity


def test_baselines_use_only_earlier_messages() -> None:
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "09:00"), "Maya", HEARTFELT),
        (at(6, "18:00"), "Jonas", "sorry, crazy day. of course, call you at 8?"),
        (at(6, "18:01"), "Maya", "yes please"),
    ]
    cut = len(rows)
    # A later quarrel: for a week Jonas answers ten hours late, in one word.
    for d in range(7, 14):
        rows += [
            (at(d, "08:00"), "Maya", "are we ok?"),
            (at(d, "18:00"), "Jonas", "fine"),
        ]
    before = run(rows[:cut])
    after = run(rows)
    assert flags_of(before) == {ask: ["slow_reply"]}
    assert after.silence_flags[ask] == before.silence_flags[ask]
    assert (after.answers[:cut] == before.answers).all()
    pd.testing.assert_frame_equal(after.history.iloc[:cut], before.history)
    np.testing.assert_array_equal(after.one_word_rate[:cut], before.one_word_rate)
    np.testing.assert_array_equal(after.usual_words[:cut], before.usual_words)
    # The quarrel itself is flagged at first, until ten hours is his new usual.
    later = sorted(i for i in flags_of(after) if i >= cut)
    assert later and later[0] == cut
    assert all(flags_of(after)[i] == ["slow_reply"] for i in later)
    assert later[-1] < len(rows) - 2


def test_history_columns_come_from_earlier_messages_only() -> None:
    rng = random.Random(3)
    words = "ok sure. maybe later! fine. sounds good see you at 8 lol".split()
    rows = []
    t = at(0, "09:00")
    for _ in range(80):
        t += timedelta(minutes=rng.choice((1, 3, 20, 200)))
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        rows.append((t, rng.choice(("Maya", "Jonas", "Sam")), text))
    full = run(rows)
    assert list(full.history.columns) == list(HISTORY_COLUMNS)
    for cut in (10, 37, 79):
        prefix = run(rows[:cut])
        pd.testing.assert_frame_equal(full.history.iloc[:cut], prefix.history)
        assert (full.answers[:cut] == prefix.answers).all()
        np.testing.assert_array_equal(full.one_word_rate[:cut], prefix.one_word_rate)
    # The first MIN_HISTORY messages of a sender have no history.
    first = [i for i, r in enumerate(rows) if r[1] == "Maya"][:MIN_HISTORY]
    assert full.history.iloc[first].isna().all().all()
    later = [i for i, r in enumerate(rows) if r[1] == "Maya"][MIN_HISTORY]
    maya = [r[2] for r in rows[:later] if r[1] == "Maya"]
    assert full.history.iloc[later]["sender_usual_period_rate"] == pytest.approx(
        sum(t.endswith(".") for t in maya) / len(maya)
    )


def test_explicit_reply_links_are_used() -> None:
    rows = [
        (at(0, "12:00"), "Maya", "what time is dinner?"),
        (at(0, "12:01"), "Maya", "and did you book the table?"),
        (at(0, "12:05"), "Jonas", "booked for 8", {"reply_to": "t/1"}),
        (at(0, "12:06"), "Jonas", "7:30 i think", {"reply_to": "t/0"}),
    ]
    view = run(rows)
    assert view.answers.tolist() == [-1, -1, 1, 0]
    assert view.reply_link == [None, None, "explicit", "explicit"]
    # A link to a message that is not in the conversation falls back to turns.
    rows[2] = (*rows[2][:3], {"reply_to": "elsewhere/9"})
    view = run(rows)
    assert view.answers.tolist() == [-1, -1, 1, 0]
    assert view.reply_link[2] == "inferred"


def test_an_explicit_link_in_a_group_answers_an_old_message_and_addresses_it() -> None:
    rows = group_history()
    t = at(1, "10:00")
    old = len(rows)
    link = {"reply_to": f"t/{old}"}
    rows += [
        (t, "Priya", "who has the spare harness?"),
        (t + timedelta(minutes=1), "Dan", "the wall is closed monday btw"),
        (t + timedelta(minutes=2), "Alex", "noted"),
        (t + timedelta(minutes=3), "Sam", "me, I'll bring it", link),
    ]
    view = run(rows)
    assert view.answers[old + 3] == old
    assert view.reply_link[old + 3] == "explicit"
    assert flags_of(view) == {}


def test_mentions_decide_the_addressee_in_a_group() -> None:
    rows = group_history()
    for k in range(MIN_HISTORY):
        t = at(1 + k, "12:00")
        rows += [
            (t, "Dan", "@Sam did you book the wall?"),
            (t + timedelta(minutes=1), "Sam", "Dan, yes done"),
        ]
    ask = len(rows)
    t = at(7, "12:00")
    rows += [
        (t, "Dan", "@Sam are you bringing the rope on thursday?"),
        (t + timedelta(minutes=1), "Priya", "i'm bringing snacks!"),
        (t + timedelta(minutes=2), "Alex", "ooh what snacks"),
        (t + timedelta(minutes=3), "Priya", "crisps obviously"),
        (t + timedelta(minutes=30), "Sam", "@Priya save me some crisps"),
        (t + timedelta(hours=4), "Alex", "see you all thursday"),
    ]
    view = run(rows)
    assert flags_of(view) == {ask: ["unanswered"]}
    ev = only_flag(view, ask)["evidence"]
    assert ev["expected"] == ["Sam"]
    assert ev["active_elsewhere"] is True
    assert ev["baseline"] == "pair" and ev["replier_history"] == MIN_HISTORY
    assert "mention" in view.bids[ask]
    # Naming someone answers their latest message, across other people's talk.
    assert view.answers[ask + 4] == ask + 3
    # "Dan, yes done" answers Dan even with the name first.
    assert view.answers[ask - 1] == ask - 2


def test_a_member_added_later_is_not_expected_to_answer_earlier_bids() -> None:
    rows = group_history()
    ask = len(rows)
    t = at(1, "12:00")
    rows += [
        (t, "Priya", "who's coming to the picnic on saturday?"),
        (t + timedelta(minutes=1), "", "Sam added Dana", {"kind": "system"}),
        (t + timedelta(minutes=2), "Dana", "hi all! thanks for adding me"),
        (t + timedelta(minutes=3), "Sam", "welcome Dana!"),
        (t + timedelta(minutes=4), "Dana", "what did I miss"),
        (t + timedelta(minutes=5), "Dan", "not much"),
        (t + timedelta(minutes=6), "Alex", "the usual"),
        (t + timedelta(minutes=7), "Dana", "haha ok"),
    ]
    view = run(rows)
    assert flags_of(view) == {ask: ["ignored_in_group"]}
    ev = only_flag(view, ask)["evidence"]
    assert sorted(ev["expected"]) == ["Alex", "Dan", "Sam"]
    assert ev["messages_meanwhile"] == 6
    assert view.answers[ask + 1] == -1  # system rows answer nothing


def test_members_who_left_are_not_expected() -> None:
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "10:00"), "Maya", "are you coming tomorrow?"),
        (at(6, "10:05"), "", "Jonas left", {"kind": "system"}),
        (at(6, "20:00"), "Maya", "oh well"),
    ]
    assert flags_of(run(rows)) == {}
    rows[ask + 1] = (at(6, "10:05"), "", "Maya added Sam", {"kind": "system"})
    assert flags_of(run(rows)) == {ask: ["unanswered"]}


def test_you_in_system_rows_is_me() -> None:
    rows = [
        (when, {"Maya": "Ana", "Jonas": "Ben"}[who], text)
        for when, who, text in fast_history(5)
    ]
    ask = len(rows)
    rows += [
        (at(5, "12:02"), "Ana", "who's up for lunch friday?"),
        (at(5, "12:03"), "", "You were added", {"kind": "system"}),
        (at(5, "12:04"), "Me", "I am! hello all"),
        (at(5, "12:05"), "Ana", "welcome!"),
        (at(5, "18:00"), "Ana", "Ben?"),
    ]
    view = run(rows, me="Me")
    assert view.is_group
    # "Me" joined after the question: their message cannot answer it, and only
    # Ben, present when it was asked, was expected to.
    assert view.answers[ask + 2] == -1
    assert flags_of(view) == {ask: ["unanswered"]}
    assert only_flag(view, ask)["evidence"]["expected"] == ["Ben"]
    # Without knowing who "You" is, the newcomer's message reads as an answer.
    view = run(rows)
    assert view.answers[ask + 2] == ask


def test_utc_chats_take_their_quiet_hours_as_the_night() -> None:
    # Two people who talk 16:00-06:00 UTC (evenings somewhere west of UTC).
    rows: list[tuple[Any, ...]] = []
    for d in range(6):
        for k in range(42):
            when = at(d, "16:00") + timedelta(minutes=20 * k)
            rows.append((when, ("Maya", "Jonas")[k % 2], ("sure", "ok")[k % 2]))
    ask = len(rows)
    rows += [
        (at(6, "05:50"), "Maya", "did you get home ok?"),
        (at(6, "15:00"), "Jonas", "yes, slept all morning"),
    ]
    view = run(rows, tz=True)
    # 06:00-13:00 UTC is their night: the answer came within their morning.
    assert flags_of(view) == {}
    # With too little history the night stays 00:00-07:00 UTC, and 15:00 is late.
    view = run(rows[-60:], tz=True)
    assert flags_of(view) == {len(rows[-60:]) - 2: ["slow_reply"]}
    ev = only_flag(view, len(rows[-60:]) - 2)["evidence"]
    assert ev["night_hours"] == [0, 7] and ev["hour_is_local"] is False
    del ask


def with_zones(rows: list[tuple[Any, ...]], zones: dict[str, str]) -> list[Any]:
    """The rows with each sender's ``sender_tz`` (as Slack's users.json gives it)."""
    return [
        (*row[:3], {**(row[3] if len(row) > 3 else {}), "sender_tz": zones.get(row[1])})
        for row in rows
    ]


def test_the_replier_s_own_time_zone_decides_their_night() -> None:
    # UTC times; Jonas lives in New York (UTC-5 in early March), Maya in Berlin.
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "04:30"), "Maya", "did you get home ok?"),  # 23:30 for Jonas
        (at(6, "16:00"), "Jonas", "yes! slept like a log"),  # 11:00 for him
    ]
    zones = {"Jonas": "America/New_York", "Maya": "Europe/Berlin"}
    # Without zones his night is taken as 00:00-07:00 UTC (and three hours to wake
    # up): six hours awake by 16:00, past twice his usual window for a night wait.
    assert flags_of(run(rows, tz=True)) == {ask: ["slow_reply"]}
    # In his own zone: half an hour before midnight and an hour after 10:00.
    assert flags_of(run(with_zones(rows, zones), tz=True)) == {}
    # Answered in his evening instead: slow, and the hour is his own.
    rows[-1] = (at(6, "23:00"), "Jonas", "yes! slept like a log")
    view = run(with_zones(rows, zones), tz=True)
    assert flags_of(view) == {ask: ["slow_reply"]}
    ev = only_flag(view, ask)["evidence"]
    assert ev["hour_is_local"] is True and ev["local_time"] == "23:30"
    assert ev["night"] is True and ev["night_hours"] == [0, 7]
    # The zones of wall-clock rows are not used: that clock is the exporter's.
    naive = run(with_zones(rows, zones))
    assert only_flag(naive, ask)["evidence"]["local_time"] == "04:30"


def test_token_counts_from_the_text_model_can_be_passed_in() -> None:
    rows = fast_history()
    conv, cues = timeline(*rows)
    norms = cue_counts(conv["text"].tolist())[0]
    exact = [len(n.split()) for n in norms]
    given = analyse(conv, cues, tokens=exact)
    counted = analyse(conv, cues)
    maya = [i for i, r in enumerate(rows) if r[1] == "Maya"][MIN_HISTORY:]
    assert given.history["sender_usual_tokens"].iloc[maya].notna().all()
    assert np.allclose(
        given.history["sender_usual_tokens"].iloc[maya],
        counted.history["sender_usual_tokens"].iloc[maya],
        atol=1,
    )
    with pytest.raises(ValueError, match="tokens"):
        analyse(conv, cues, tokens=exact[:-1])


def test_sensitivity_high_flags_a_borderline_case_that_low_does_not() -> None:
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "10:00"), "Maya", HEARTFELT),
        (at(6, "11:30"), "Jonas", "of course, call you at 8?"),
    ]
    assert flags_of(run(rows, "high")) == {ask: ["slow_reply"]}
    assert flags_of(run(rows, "medium")) == {}
    assert flags_of(run(rows, "low")) == {}
    # A clear case is flagged at every level, scored higher the more sensitive.
    rows[-1] = (at(6, "19:00"), "Jonas", "of course, call you at 8?")
    scores = [only_flag(run(rows, level), ask)["score"] for level in SENSITIVITY]
    assert scores == sorted(scores) and scores[0] > 0.5


def test_sensitivity_levels_move_every_threshold() -> None:
    low, medium, high = (SENSITIVITY[k] for k in ("low", "medium", "high"))
    for name in ("text_flag", "slow_factor", "slow_floor_s", "unanswered_factor",
                 "unanswered_floor_s", "group_messages", "joke_replies"):  # fmt: skip
        assert getattr(low, name) > getattr(medium, name) > getattr(high, name)
    assert [s.name for s in SENSITIVITY.values()] == ["low", "medium", "high"]
    with pytest.raises(ValueError, match="sensitivity"):
        conv, cues = timeline((at(0, "12:00"), "Maya", "hi"))
        analyse(conv, cues, sensitivity="extreme")


# ---------------------------------------------------------------------------
# The contract


def test_every_message_gets_an_entry_and_evidence_has_the_shared_keys() -> None:
    rows = fast_history()
    rows += [
        (at(6, "09:00"), "Maya", HEARTFELT),
        (at(6, "09:01"), "", "Messages are end-to-end encrypted", {"kind": "system"}),
        (at(6, "09:02"), "Maya", "This message was deleted", {"kind": "deleted"}),
        (at(6, "18:00"), "Jonas", "<Media omitted>", {"kind": "media"}),
        (at(6, "18:01"), "Jonas", "sorry!! of course"),
    ]
    conv, cues = timeline(*rows)
    view = analyse(conv, cues, sensitivity="medium", me=None)
    n = len(rows)
    assert view.answers.dtype == np.int64 and len(view.answers) == n
    assert len(view.history) == n and len(view.bids) == n
    assert len(view.silence_flags) == n and len(view.reply_link) == n
    assert len(view.one_word_rate) == n and len(view.local_hour) == n
    assert view.answers[n - 4] == -1 and view.answers[n - 3] == -1
    assert view.answers[n - 2] == n - 5  # the media row answers the question
    assert all(isinstance(b, list) for b in view.bids)
    flags = [f for fs in view.silence_flags for f in fs]
    assert flags
    for flag in flags:
        assert set(flag) == {"type", "score", "evidence"}
        assert 0.0 <= flag["score"] <= 1.0
        assert EVIDENCE_KEYS <= set(flag["evidence"])
    assert set(view.sender_stats) == {"Maya", "Jonas"}
    assert set(view.sender_stats["Jonas"]) >= {
        "usual_reply_seconds",
        "usual_reply_words",
        "one_word_rate",
    }


def test_utc_timestamps_say_the_hour_is_not_local() -> None:
    rows = fast_history()
    ask = len(rows)
    rows += [
        (at(6, "09:00"), "Maya", HEARTFELT),
        (at(6, "18:00"), "Jonas", "of course, call you at 8?"),
    ]
    view = run(rows, tz=True)
    assert flags_of(view) == {ask: ["slow_reply"]}
    ev = only_flag(view, ask)["evidence"]
    assert ev["hour_is_local"] is False and ev["local_hour"] == 9
    assert not view.hour_is_local.any()


def test_the_same_input_gives_the_same_output() -> None:
    rows = fast_history()
    rows += [(at(6, "09:00"), "Maya", HEARTFELT), (at(6, "18:00"), "Jonas", "ok")]
    one, two = run(rows), run(rows)
    assert one.silence_flags == two.silence_flags
    assert one.sender_stats == two.sender_stats
    assert (one.answers == two.answers).all()


def test_an_empty_conversation() -> None:
    conv = pd.DataFrame(columns=list(COLUMNS))
    view = analyse(conv, np.zeros((0, 22), dtype=np.float32))
    assert len(view.answers) == 0 and view.silence_flags == []
    assert list(view.history.columns) == list(HISTORY_COLUMNS)


# ---------------------------------------------------------------------------
# The pieces


@pytest.mark.parametrize(
    ("start", "end", "awake_hours"),
    [
        (at(0, "10:00"), at(0, "19:00"), 9),  # a day
        (at(0, "23:40"), at(1, "08:30"), 1 / 3),  # the night and the morning
        (at(0, "23:40"), at(1, "17:00"), 7 + 1 / 3),
        (at(0, "03:00"), at(0, "11:00"), 1),  # asked in the night
        (at(0, "08:00"), at(0, "09:00"), 1),  # the morning hours count by day
        (at(0, "12:00"), at(3, "12:00"), 3 * 14),  # 14 awake hours a day
    ],
)
def test_awake_time_leaves_out_the_night(
    start: datetime, end: datetime, awake_hours: float
) -> None:
    epoch = datetime(1970, 1, 1)
    t0, t1 = ((t - epoch).total_seconds() for t in (start, end))
    assert _awake(t0, t1, 0.0) == pytest.approx(awake_hours * 3600)


def test_histogram_quantiles_match_numpy() -> None:
    rng = np.random.default_rng(0)
    hist = _Hist(64)
    seen: list[int] = []
    for x in rng.integers(0, 64, 500).tolist():
        hist.add(x)
        seen.append(x)
        ordered = sorted(seen)
        assert hist.median() == ordered[(len(seen) + 1) // 2 - 1]
        n = len(seen)
        assert hist.high() == ordered[max(n - max(n // 10, 1), 1) - 1]


@pytest.mark.parametrize(
    ("text", "sender", "expected"),
    [
        ("Loris added Emily", "", ("join", ["Emily"])),
        ("Dan added Priya, Sam and Alex", "", ("join", ["Priya", "Sam", "Alex"])),
        ("You were added", "", ("join", ["You"])),
        ("Anna joined using this group's invite link", "", ("join", ["Anna"])),
        ("@U0BMM2FEH has joined the channel", "U0BMM2FEH", ("join", ["U0BMM2FEH"])),
        ("Joined the server.", "mlomb", ("join", ["mlomb"])),
        ("invite_members: Anna, Ben", "Admin", ("join", ["Anna", "Ben"])),
        ("join_group_by_link", "Cleo", ("join", ["Cleo"])),
        ("Sam left", "", ("leave", ["Sam"])),
        ("Dan removed Sam", "", ("leave", ["Sam"])),
        ("remove_members: Ben", "Admin", ("leave", ["Ben"])),
        ("Added Ana to the group.", "Ben", ("join", ["Ana"])),
        ("Messages and calls are end-to-end encrypted.", "", None),
        ('Dan created group "Thursday Climbing"', "", None),
        ("Anna joined the call", "", None),
    ],
)
def test_membership_rows(
    text: str, sender: str, expected: tuple[str, list[str]] | None
) -> None:
    assert _membership(text, sender) == expected


@pytest.mark.parametrize(
    ("text", "laughter", "joke"),
    [
        ("my landlord says he'll fix it in due course lol", True, True),
        ("what's a climber's favourite music? rock. i'll see myself out", False, True),
        ("you're definitely my favourite 😜", False, True),
        ("sure, I'll do the dishes forever /s", False, True),
        ("haha no way", True, False),  # laughing at something else
        ("lol", True, False),  # a reaction
        ("are you coming at 8?", False, False),
        ("I'm so tired today", False, False),
    ],
)
def test_jokes_mark_themselves(text: str, laughter: bool, joke: bool) -> None:
    assert _is_joke(text, laughter) is joke


def test_the_shipped_examples_keep_their_story() -> None:
    """The hand-written example chats: the moments their README describes."""
    from pathlib import Path

    from classifier.api import parse

    root = Path(__file__).resolve().parent.parent / "examples"
    found = {}
    for name in ("whatsapp-climbing-group.txt", "whatsapp-maya-and-jonas.txt"):
        messages = list(parse([root / name]))
        conv = pd.DataFrame({c: [getattr(m, c) for m in messages] for c in COLUMNS})
        view = analyse(conv, cue_counts(conv["text"].tolist())[1])
        for i, flags in enumerate(view.silence_flags):
            for flag in flags:
                found[(conv["timestamp"][i].strftime("%d/%m %H:%M"), flag["type"])] = (
                    flag["evidence"]
                )
    # The group talks past Priya's proposal; Leonie and Alex answer warmly later.
    ignored = found[("05/02 18:02", "ignored_in_group")]
    assert ignored["messages_meanwhile"] == 15
    assert ignored["answered_later_warmly"] is True
    # Dan's pun gets no laugh; the invitation to the market is never answered.
    assert ("08/02 11:47", "unacknowledged_joke") in found
    assert found[("25/03 12:16", "unanswered")]["expected"] == ["Jonas"]
    # The late-night question answered next morning is not a silence.
    assert not any(when.startswith("14/03 23:4") for when, _ in found)
