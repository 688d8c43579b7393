"""Alternative readings and check-ins: the data file, its checks and the wording."""

from __future__ import annotations

import copy
import json
import math
import re
from collections import defaultdict
from importlib import resources
from typing import Any

import numpy as np
import pytest

from classifier import readings as rd
from classifier.errors import ClassifierError
from classifier.readings import (
    FLAG_TYPES,
    ReadingContext,
    ReadingsError,
    human_clock,
    human_count,
    human_duration,
    human_percent,
    load_readings,
    readings_for,
    validate_readings,
)

RAW: dict[str, Any] = json.loads(
    resources.files("classifier").joinpath("readings.json").read_text("utf-8")
)
RAW_READINGS = {e["id"]: e for e in RAW["readings"]}
RAW_CHECK_INS = {e["id"]: e for e in RAW["check_ins"]}
SAM = ReadingContext(sender="Sam", reader="Maya")
GROUP = ReadingContext(sender="Sam", reader="Maya", is_group=True)

#: Verdicts, blame and diagnoses that no reading or check-in may contain. Single
#: words match as whole words, phrases anywhere (case-insensitive).
FORBIDDEN = (
    "rejected you",
    "rejecting you",
    "doesn't care",
    "does not care",
    "don't care",
    "hates",
    "hate you",
    "ignoring you",
    "ignored you",
    "on purpose",
    "always",
    "never",
    "doesn't like you",
    "don't like you",
    "not interested in you",
    "lazy",
    "rude",
    "selfish",
    "toxic",
    "narcissis",
    "passive-aggressive",
    "passive aggressive",
    "manipulat",
    "gaslight",
    "depress",
    "anxious",
    "anxiety",
    "adhd",
    "autis",
    "avoidant",
    "attachment style",
    "disorder",
    "obviously",
    "clearly",
    "definitely",
    "must have",
    "must be",
    "cold person",
)
_FORBIDDEN_RE = re.compile(
    "|".join(
        rf"\b{re.escape(w)}\b" if " " not in w and "-" not in w else re.escape(w)
        for w in FORBIDDEN
    ),
    re.IGNORECASE,
)

RICH = {
    "unanswered": {
        "waiting_sender": "Maya",
        "expected": ["Sam"],
        "gap_seconds": 9 * 3600,
        "usual_seconds": 240,
        "high_seconds": 1800,
        "replier_history": 40,
        "local_hour": 14.5,
        "hour_is_local": True,
        "night": False,
        "messages_meanwhile": 12,
        "burst": 9,
        "answered_later_warmly": True,
        "active_elsewhere": False,
        "reply_link": None,
        "reaction": None,
    },
    "slow_reply": {
        "waiting_sender": "Maya",
        "expected": ["Sam"],
        "gap_seconds": 11 * 3600,
        "usual_seconds": 5 * 3600,
        "high_seconds": 8 * 3600,
        "replier_history": 30,
        "local_hour": 22.75,
        "hour_is_local": False,
        "night": False,
        "messages_meanwhile": 0,
        "burst": 2,
        "answered_later_warmly": True,
        "reply_link": "inferred",
    },
    "ignored_in_group": {
        "waiting_sender": "Maya",
        "expected": ["Sam", "Priya", "Lee"],
        "gap_seconds": 3 * 3600,
        "messages_meanwhile": 14,
        "burst": 10,
        "active_elsewhere": True,
        "night": False,
    },
    "unacknowledged_joke": {
        "waiting_sender": "Maya",
        "expected": ["Sam"],
        "messages_meanwhile": 5,
        "burst": 7,
        "active_elsewhere": True,
        "night": False,
    },
    "text": {
        "category": "curt",
        "cues": ["ok_word", "final_period"],
        "answers": "whatsapp-x/12",
        "reader": "Maya",
        "reply_words": 1,
        "usual_words": 3.0,
        "one_word_rate": 0.6,
        "local_hour": 23 + 50 / 60,
    },
}


def _flag(flag_type: str, evidence: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": flag_type, "score": 0.8, "evidence": evidence or {}}


def _strings() -> list[tuple[str, str]]:
    """Every user-facing template in the data file, with the entry id."""
    out = []
    for e in RAW["readings"]:
        out += [(e["id"], e["text"]), (e["id"], e["basis"])]
    out += [(e["id"], e["text"]) for e in RAW["check_ins"]]
    return out


# --------------------------------------------------------------------------------------
# Building evidence that meets an entry's conditions

_NAMES = ["Sam", "Priya", "Lee", "Ana", "Kofi", "Jonas"]
_DEFAULTS: dict[str, Any] = {
    "waiting_sender": "Maya",
    "expected": ["Sam"],
    "reply_link": "inferred",
    "reaction": "👍",
    "category": "curt",
    "answers": "m1",
    "reader": "Maya",
    "cues": ["question"],
}


def _satisfy(conditions: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """Evidence (and is_group) under which every condition holds."""
    fixed: dict[str, Any] = {}
    lows: dict[str, float] = {}
    highs: dict[str, tuple[float, bool]] = {}
    contains: dict[str, list[str]] = defaultdict(list)
    wanted: set[str] = set()

    def add(cond: dict[str, Any]) -> None:
        if "any" in cond:
            add(cond["any"][0])
            return
        key = cond["key"]
        op, value = next((k, v) for k, v in cond.items() if k != "key")
        if op == "eq":
            fixed[key] = value
        elif op == "in":
            fixed[key] = value[0]
        elif op == "contains":
            contains[key].append(value)
        elif op in ("gte", "gt"):
            lows[key] = value + (0.5 if op == "gt" else 0)
        elif op in ("lte", "lt"):
            highs[key] = (value, op == "lt")
        elif op == "present" and value:
            wanted.add(key)

    for cond in conditions:
        add(cond)
    numbers: dict[str, float] = {}
    for key in set(lows) | set(highs):
        low = lows.get(key)
        high, strict = highs.get(key, (None, False))
        if low is not None and (
            high is None or low < high or (low == high and not strict)
        ):
            numbers[key] = low
        elif low is not None and high is not None:
            numbers[key] = (low + high) / 2
        elif high is not None:
            numbers[key] = (high / 2 if high > 0 else high - 1) if strict else high
    evidence: dict[str, Any] = {}
    is_group = bool(fixed.pop("is_group", False))
    for key, value in {**numbers, **fixed}.items():
        if key == "expected_count":
            evidence["expected"] = _NAMES[: int(math.ceil(value))]
        elif key == "gap_ratio":
            usual = numbers.get("usual_seconds", 600)
            evidence["usual_seconds"] = usual
            evidence["gap_seconds"] = value * usual
        elif key == "length_vs_usual":
            usual = numbers.get("usual_words", 4)
            evidence["usual_words"] = usual
            evidence["reply_words"] = math.ceil(value * usual)
        else:
            evidence.setdefault(key, value)
    for key, items in contains.items():
        evidence[key] = items
    for key in wanted - set(evidence):
        kind = rd.KEY_KINDS[key]
        evidence[key] = _DEFAULTS.get(key, {"number": 3, "bool": True}.get(kind))
    return evidence, is_group


def _selected(flag_type: str, evidence: dict[str, Any], is_group: bool) -> list[str]:
    context = ReadingContext(sender="Sam", reader="Maya", is_group=is_group)
    chosen, _, _ = rd._select(_flag(flag_type, evidence), context, load_readings())
    return [e.id for e in chosen]


# --------------------------------------------------------------------------------------
# Friendly formatting


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "under a minute"),
        (30, "under a minute"),
        (60, "a minute"),
        (120, "2 minutes"),
        (4 * 60 + 10, "4 minutes"),
        (54 * 60, "54 minutes"),
        (3600, "an hour"),
        (3600 + 900, "about an hour"),
        (5400, "an hour and a half"),
        (2 * 3600, "2 hours"),
        (2.5 * 3600 + 200, "about 2 and a half hours"),
        (4 * 3600, "4 hours"),
        (4 * 3600 + 600, "about 4 hours"),
        (6 * 3600 - 900, "about 6 hours"),
        (24 * 3600, "about a day"),
        (36 * 3600, "a day and a half"),
        (3 * 86400, "about 3 days"),
        (21 * 86400, "about 3 weeks"),
        (90 * 86400, "about 3 months"),
        (-5, "under a minute"),
    ],
)
def test_human_duration(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (23 + 50 / 60, "23:50"),
        (9.25, "09:15"),
        (0.5, "00:30"),
        (23.9999, "00:00"),
        (23, "after 23:00"),
        (7.0, "after 07:00"),
        (0, "after midnight"),
        (np.float64(14.5), "14:30"),
    ],
)
def test_human_clock(hour: float, expected: str) -> None:
    assert human_clock(hour) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(0.6, "60%"), (0.123, "12%"), (1, "100%"), (0, "0%"), (0.004, "under 1%")],
)
def test_human_percent(rate: float, expected: str) -> None:
    assert human_percent(rate) == expected


def test_human_count() -> None:
    assert [human_count(n) for n in (0, 1, 12, 20, 21, 140)] == [
        "zero",
        "one",
        "twelve",
        "twenty",
        "21",
        "140",
    ]


# --------------------------------------------------------------------------------------
# readings_for


@pytest.mark.parametrize("flag_type", FLAG_TYPES)
def test_rich_evidence_gives_evidence_readings_first(flag_type: str) -> None:
    context = GROUP if flag_type == "ignored_in_group" else SAM
    found, check_in = readings_for(_flag(flag_type, RICH[flag_type]), context)
    assert 2 <= len(found) <= 4
    assert all(set(r) == {"text", "basis"} for r in found)
    general = [r["basis"].startswith("general:") for r in found]
    assert not general[0], "the first reading rests on evidence"
    assert general == sorted(general), "evidence readings come before general ones"
    assert isinstance(check_in, str) and check_in.endswith("?")


@pytest.mark.parametrize("flag_type", FLAG_TYPES)
@pytest.mark.parametrize("is_group", [False, True])
def test_no_evidence_gives_general_readings(flag_type: str, is_group: bool) -> None:
    context = ReadingContext(sender="Sam", reader="Maya", is_group=is_group)
    for evidence in ({}, None, {"unknown_key": 3, "night": "yes", "burst": "many"}):
        found, check_in = readings_for(
            {"type": flag_type, "score": 0.5, "evidence": evidence}, context
        )
        assert 2 <= len(found) <= 4
        for r in found:
            assert r["basis"] == "general: no evidence in this chat either way"
        assert check_in


def test_examples_from_the_issue() -> None:
    found, _ = readings_for(_flag("text", RICH["text"]), SAM)
    bases = [r["basis"] for r in found]
    assert "Sam answers in a single word 60% of the time" in bases
    assert "it was 23:50 by the chat's clock when they replied" in bases
    found, _ = readings_for(_flag("unanswered", RICH["unanswered"]), SAM)
    bases = [r["basis"] for r in found]
    assert "twelve other messages arrived while it waited" in bases
    assert "Sam wrote warmly later in the chat" in bases
    found, _ = readings_for(_flag("slow_reply", RICH["slow_reply"]), SAM)
    assert "Sam's usual reply time is 5 hours" in [r["basis"] for r in found]
    waiting = ReadingContext(sender="Maya", reader="Maya", is_group=True)
    found, _ = readings_for(
        _flag("ignored_in_group", RICH["ignored_in_group"]), waiting
    )
    assert "Sam, Priya and Lee kept writing in the group while it waited" in [
        r["basis"] for r in found
    ]


@pytest.mark.parametrize("flag_type", rd.SILENCE_TYPES)
def test_a_night_gap_is_named_first(flag_type: str) -> None:
    evidence = {**RICH[flag_type], "night": True, "local_hour": 23 + 50 / 60}
    evidence["hour_is_local"] = True
    found, _ = readings_for(_flag(flag_type, evidence), SAM)
    assert found[0]["basis"].startswith("it was 23:50 for them")
    assert "night" in found[0]["text"]
    del evidence["local_hour"]
    found, _ = readings_for(_flag(flag_type, evidence), SAM)
    assert "night" in found[0]["basis"]


def test_readings_never_repeat_a_theme_or_a_text() -> None:
    data = load_readings()
    themes = {e.id: e.theme for e in data.readings}
    for flag_type in FLAG_TYPES:
        chosen, _, _ = rd._select(_flag(flag_type, RICH[flag_type]), GROUP, data)
        ids = [e.id for e in chosen]
        assert len({themes[i] for i in ids}) == len(ids)


def test_output_is_deterministic() -> None:
    for flag_type in FLAG_TYPES:
        flag = _flag(flag_type, RICH[flag_type])
        shuffled = _flag(flag_type, dict(reversed(list(RICH[flag_type].items()))))
        first = readings_for(flag, GROUP)
        assert readings_for(copy.deepcopy(flag), GROUP) == first
        assert readings_for(shuffled, GROUP) == first


def test_general_readings_vary_between_flags() -> None:
    texts = set()
    for i in range(30):
        found, _ = readings_for(
            _flag("unanswered", {"gap_seconds": 3600 * (5 + i)}), SAM
        )
        texts |= {r["text"] for r in found}
    assert len(texts) > 3


def test_numpy_values_and_nan_are_handled() -> None:
    evidence = {
        "usual_seconds": np.float64(5 * 3600),
        "high_seconds": np.float64("nan"),
        "replier_history": np.int64(30),
        "night": np.bool_(False),
        "expected": np.array(["Sam"], dtype=object),
        "burst": np.int32(7),
    }
    found, _ = readings_for(_flag("slow_reply", evidence), ReadingContext())
    bases = [r["basis"] for r in found]
    assert "Sam's usual reply time is 5 hours" in bases
    assert "seven messages arrived within five minutes around it" in bases
    assert not any("slower replies" in b for b in bases)


def test_text_flag_may_nest_usual_values() -> None:
    evidence = {"category": "curt", "usual": {"one_word_rate": 0.7, "usual_words": 2}}
    found, _ = readings_for(_flag("text", evidence), SAM)
    assert found[0]["basis"] == "Sam answers in a single word 70% of the time"


def test_silence_names_who_went_quiet() -> None:
    # A context that names the person left waiting as the sender is read from the
    # evidence: the readings are about whoever was expected to answer.
    evidence = {"waiting_sender": "Maya", "expected": ["Sam"], "usual_seconds": 9000}
    found, _ = readings_for(
        _flag("unanswered", evidence), ReadingContext("Maya", "Maya")
    )
    assert found[0]["basis"] == "Sam's usual reply time is 2 and a half hours"
    evidence["expected"] = _NAMES
    found, _ = readings_for(_flag("unanswered", evidence), ReadingContext(None, None))
    assert found[0]["basis"].startswith("the others' usual reply time")
    found, _ = readings_for(_flag("text", {}), ReadingContext(None, None))
    assert found[0]["text"].startswith("The other person may")


def test_unknown_flag_type_is_an_error() -> None:
    with pytest.raises(ReadingsError, match="unknown flag type 'silence'"):
        readings_for(_flag("silence"), SAM)


# --------------------------------------------------------------------------------------
# The data file


def test_data_file_counts() -> None:
    data = load_readings()
    assert len(data.readings) >= 40
    assert len(data.check_ins) >= 12
    assert load_readings() is data, "the shipped file is read once"
    for flag_type in FLAG_TYPES:
        assert sum(flag_type in e.flags for e in data.check_ins) >= 2


def test_categories_and_cues_match_the_model() -> None:
    from classifier.model import CATEGORIES
    from classifier.nlp import CUE_NAMES

    assert rd.CATEGORIES == CATEGORIES
    used = set()

    def walk(cond: dict[str, Any]) -> None:
        if "any" in cond:
            for c in cond["any"]:
                walk(c)
        elif cond["key"] == "cues":
            used.add(cond["contains"])

    for entry in [*RAW["readings"], *RAW["check_ins"]]:
        for cond in entry.get("when", []):
            walk(cond)
    assert used and used <= set(CUE_NAMES)


@pytest.mark.parametrize(("entry_id", "template"), _strings())
def test_no_forbidden_phrases(entry_id: str, template: str) -> None:
    found = _FORBIDDEN_RE.findall(template)
    assert not found, f"{entry_id}: {found}"


def test_readings_are_worded_as_possibilities() -> None:
    for e in RAW["readings"]:
        assert re.search(r"\bmay\b|\bmight\b", e["text"]), e["id"]
    for e in RAW["check_ins"]:
        assert e["text"].rstrip().endswith("?"), e["id"]
        assert re.search(r"\bI\b", e["text"]), f"{e['id']} speaks for the reader"


def test_silence_templates_agree_with_several_names() -> None:
    # {sender} may name several people in a group: a modal or a past tense follows it.
    for e in RAW["readings"]:
        if not set(e["flags"]) & set(rd.SILENCE_TYPES):
            continue
        for template in (e["text"], e["basis"]):
            for word in re.findall(r"\{sender\} (\w+)", template):
                assert not word.endswith("s") and word not in ("is", "was"), e["id"]


@pytest.mark.parametrize("entry_id", sorted(RAW_READINGS))
def test_every_reading_can_fire(entry_id: str) -> None:
    entry = RAW_READINGS[entry_id]
    compiled = next(e for e in load_readings().readings if e.id == entry_id)
    evidence, is_group = _satisfy(entry["when"])
    values = rd._values(evidence, ReadingContext(is_group=is_group))
    assert all(rd._holds(c, values) for c in compiled.when), evidence
    for flag_type in entry["flags"]:
        if entry["kind"] == "evidence":
            assert entry_id in _selected(flag_type, evidence, is_group), (
                flag_type,
                evidence,
            )
        else:
            # General readings take turns: some flag with this evidence shows it.
            assert any(
                entry_id in _selected(flag_type, {**evidence, "answers": f"m{i}"}, g)
                for i in range(60)
                for g in {is_group, True}
            ), flag_type
        found, check_in = readings_for(
            _flag(flag_type, evidence), ReadingContext("Sam", "Maya", is_group)
        )
        for text in [*(r["text"] for r in found), *(r["basis"] for r in found)]:
            assert "{" not in text and "}" not in text
            assert not _FORBIDDEN_RE.search(text)
        assert check_in and "{" not in check_in


@pytest.mark.parametrize("entry_id", sorted(RAW_CHECK_INS))
def test_every_check_in_can_fire(entry_id: str) -> None:
    entry = RAW_CHECK_INS[entry_id]
    evidence, is_group = _satisfy(entry["when"])
    context = ReadingContext("Sam", "Maya", is_group)
    for flag_type in entry["flags"]:
        _, chosen, fields = rd._select(
            _flag(flag_type, evidence), context, load_readings()
        )
        assert chosen is not None and chosen.id == entry_id, (flag_type, evidence)
        _, text = readings_for(_flag(flag_type, evidence), context)
        assert text and "{" not in text and "}" not in text


def test_templates_fill_with_every_field() -> None:
    evidence, _ = _satisfy(
        [
            {"key": k, "present": True}
            for k, kind in rd.KEY_KINDS.items()
            if k not in ("expected_count", "gap_ratio", "length_vs_usual", "is_group")
        ]
    )
    values = rd._values(evidence, SAM)
    assert set(rd._fields(values, "Sam", "Maya")) == set(rd.FIELD_SOURCES)


# --------------------------------------------------------------------------------------
# Malformed data files


def _broken(edit: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    edit(data)
    return data


def _reading(data: dict[str, Any], entry_id: str) -> dict[str, Any]:
    return next(e for e in data["readings"] if e["id"] == entry_id)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: (
                _reading(d, "silence.buried")["when"][0].update(
                    {"gtee": 8, "key": "messages_meanwhile"}
                )
                or _reading(d, "silence.buried")["when"][0].pop("gte")
            ),
            r"'silence.buried'.*unknown condition operator 'gtee'",
        ),
        (
            lambda d: _reading(d, "silence.pace").update(flags=["silence"]),
            r"'silence.pace'.*unknown flag type 'silence'",
        ),
        (
            lambda d: _reading(d, "silence.pace").update(
                text="{sender} may be {mood}."
            ),
            r"'silence.pace' text.*\{mood\} can never be filled",
        ),
        (
            lambda d: _reading(d, "silence.buried").update(basis="took {usual_human}"),
            r"'silence.buried' basis.*\{usual_human\} needs 'usual_seconds'",
        ),
        (
            lambda d: _reading(d, "silence.pace").update(text="{usual_human:>9}"),
            r"'silence.pace'.*no format spec",
        ),
        (
            lambda d: _reading(d, "silence.pace").update(text="{sender"),
            r"'silence.pace' text.*does not parse",
        ),
        (
            lambda d: _reading(d, "silence.pace")["when"].append(
                {"key": "mood", "eq": "sad"}
            ),
            r"'silence.pace'.*unknown condition key 'mood'",
        ),
        (
            lambda d: _reading(d, "silence.pace")["when"].append(
                {"key": "night", "gte": 1}
            ),
            r"'silence.pace'.*'gte' does not apply to bool 'night'",
        ),
        (
            lambda d: _reading(d, "text.late")["when"].append(
                {"key": "category", "eq": "rude"}
            ),
            r"'text.late'.*unknown category 'rude'",
        ),
        (
            lambda d: _reading(d, "general.busy").update(basis="they were busy"),
            r"'general.busy'.*starts with \"general:\"",
        ),
        (
            lambda d: _reading(d, "text.thanks").update(
                when=[{"key": "category", "eq": "curt"}]
            ),
            r"'text.thanks'.*needs a condition on the chat's evidence",
        ),
        (
            lambda d: d["readings"].append(dict(d["readings"][0])),
            r"'silence.night_hour'.*duplicate id",
        ),
        (
            lambda d: _reading(d, "silence.pace").update(colour="blue"),
            r"'silence.pace'.*unknown field\(s\) \['colour'\]",
        ),
        (
            lambda d: _reading(d, "silence.pace").update(weight=500),
            r"'silence.pace'.*weight",
        ),
        (
            lambda d: d.update(
                check_ins=[c for c in d["check_ins"] if c["id"] != "checkin.joke"]
            ),
            r"'unacknowledged_joke' has no check-in that holds without evidence",
        ),
        (
            lambda d: d.update(
                readings=[e for e in d["readings"] if e["kind"] == "evidence"]
            ),
            r"flag type 'unanswered' has general readings in only 0 theme",
        ),
        (lambda d: d.update(format_version=2), r"format_version must be 1"),
    ],
)
def test_malformed_data_gives_a_clear_error(edit: Any, message: str) -> None:
    with pytest.raises(ReadingsError, match=message) as info:
        validate_readings(_broken(edit), "test.json")
    assert isinstance(info.value, ClassifierError)
    assert str(info.value).startswith("test.json: ")


def test_malformed_file_names_its_line(tmp_path: Any) -> None:
    path = tmp_path / "readings.json"
    path.write_text('{\n  "format_version": 1,\n  "readings": [\n', encoding="utf-8")
    with pytest.raises(ReadingsError, match=r"readings.json: not valid JSON \(line 4"):
        load_readings(path)
    path.write_text(json.dumps(RAW), encoding="utf-8")
    assert len(load_readings(path).readings) == len(RAW["readings"])


def test_shipped_file_is_package_data() -> None:
    source = resources.files("classifier").joinpath("readings.json")
    assert source.is_file()


def _value_strategy(kind: str):  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    words = st.sampled_from(["curt", "lukewarm", "Sam", "Maya", "laughter", "x", ""])
    if kind == "number":
        return st.one_of(st.none(), st.integers(-5, 100_000), st.floats(0, 50))
    if kind == "bool":
        return st.one_of(st.none(), st.booleans())
    if kind == "list":
        return st.one_of(st.none(), st.lists(words, max_size=3))
    return st.one_of(st.none(), words)


def test_compiled_conditions_agree_with_the_interpreter() -> None:
    """Readings are chosen with compiled conditions; they must mean what _holds says."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    data = load_readings()
    entries = [*data.readings, *data.check_ins]
    values_strategy = st.fixed_dictionaries(
        {key: _value_strategy(kind) for key, kind in rd.KEY_KINDS.items()}
    )

    @given(values_strategy)
    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    def check(values: dict[str, Any]) -> None:
        for flag_type, (readings, check_ins) in data.by_flag.items():
            for entry, holds in [*readings, *check_ins]:
                assert flag_type in entry.flags
                expected = all(rd._holds(c, values) for c in entry.when)
                assert holds(values) == expected, (entry.id, values)

    check()
    indexed = {e.id for r, c in data.by_flag.values() for e, _ in [*r, *c]}
    assert indexed == {e.id for e in entries}
