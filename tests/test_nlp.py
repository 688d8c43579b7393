"""Tests for classifier.nlp: chat tokenizer, normal forms, cues, analyse, explain."""

from __future__ import annotations

import re

import numpy as np
import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc, Token

from classifier.errors import ClassifierError
from classifier.nlp import CUE_NAMES, analyse, build_nlp, explain, normalise


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def texts_of(nlp, text):
    return [t.text for t in nlp(text)]


def cues_of(nlp, text):
    return nlp(text)._.reread_cues


# --------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "emoji",
    [
        "👨‍👩‍👧",  # ZWJ family
        "👩🏽‍💻",  # skin tone inside a ZWJ sequence
        "👋🏽",  # skin tone
        "❤️",  # VS16
        "❤️‍🔥",  # VS16 + ZWJ
        "🏳️‍🌈",  # flag with VS16 + ZWJ
        "🇨🇦",  # regional-indicator flag
        "1️⃣",  # keycap
        "#️⃣",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England
    ],
)
def test_emoji_is_one_token(nlp, emoji):
    assert texts_of(nlp, emoji) == [emoji]
    assert texts_of(nlp, f"hi{emoji} there") == ["hi", emoji, "there"]
    assert texts_of(nlp, f"a{emoji}b") == ["a", emoji, "b"]


def test_emoji_runs_and_flags_split_per_emoji(nlp):
    assert texts_of(nlp, "lol😂😂") == ["lol", "😂", "😂"]
    assert texts_of(nlp, "🇨🇦🇬🇧") == ["🇨🇦", "🇬🇧"]
    assert texts_of(nlp, "👋🏽👋🏿") == ["👋🏽", "👋🏿"]


@pytest.mark.parametrize(
    "emoticon", [":)", ":-(", ":D", "xD", ";)", "<3", ":/", "^^", "-_-", ":')", "<333"]
)
def test_emoticon_is_one_token(nlp, emoticon):
    assert texts_of(nlp, f"ok {emoticon} bye") == ["ok", emoticon, "bye"]


def test_emoticon_attached_to_a_word(nlp):
    assert texts_of(nlp, "nice:)") == ["nice", ":)"]


def test_urls_and_mentions_stay_whole(nlp):
    doc = nlp("see https://example.com/a?b=1 and www.foo.org, @sam_k hi @bob.")
    assert [t.text for t in doc] == [
        "see",
        "https://example.com/a?b=1",
        "and",
        "www.foo.org",
        ",",
        "@sam_k",
        "hi",
        "@bob",
        ".",
    ]
    assert [t.norm_ for t in doc][1:6] == ["<url>", "and", "<url>", ",", "<mention>"]


def test_runs_of_exclamation_and_question_marks_are_one_token(nlp):
    assert texts_of(nlp, "wow!!! really?! what??") == [
        "wow",
        "!!!",
        "really",
        "?!",
        "what",
        "??",
    ]


# --------------------------------------------------------------------------------------
# Normalised forms
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "norm"),
    [
        ("sooo", "so"),
        ("yesss", "yes"),
        ("noooo", "no"),
        ("pleeease", "please"),
        ("gooood", "good"),  # the double letter of "good" survives
        ("SOOOO", "so"),
        ("hiii", "hi"),
        ("heyy", "hey"),
        ("Hello", "hello"),
        ("haha", "haha"),
        ("hahahaaa", "haha"),
        ("ahahah", "haha"),
        ("hehehe", "hehe"),
        ("LOOOL", "lol"),
        ("lolol", "lol"),
        ("lmaooo", "lmao"),
        ("XD", "xd"),
        ("u", "you"),
        ("thx", "thanks"),
        ("👋🏽", "👋"),
        ("❤️", "❤"),
    ],
)
def test_normalise(text, norm):
    assert normalise(text) == norm


@pytest.mark.parametrize(
    "text", ["k", "K", "kk", "kkk", "ok", "OK", "okk", "okay", "Okay", "okey", "oki"]
)
def test_ok_variants_normalise_to_ok(nlp, text):
    doc = nlp(text)
    assert [t.norm_ for t in doc] == ["ok"]
    assert doc[0].text == text  # the original text is kept


@pytest.mark.parametrize("text", ["kk.", "k.", "K.", "ok."])
def test_ok_with_full_stop(nlp, text):
    assert [t.norm_ for t in nlp(text)] == ["ok", "."]


@pytest.mark.parametrize("text", ["5k run", "kind", "kick", "kiss", "oak"])
def test_k_inside_words_is_not_ok(nlp, text):
    assert "ok" not in [t.norm_ for t in nlp(text)]


def test_token_extension_holds_the_normalised_form(nlp):
    doc = nlp("Sooo HAPPY pleeease")
    assert [t._.reread_norm for t in doc] == ["so", "happy", "please"]
    assert [t.text for t in doc] == ["Sooo", "HAPPY", "pleeease"]


def test_extensions_registered_once_without_force():
    assert Doc.has_extension("reread_cues")
    assert Doc.has_extension("reread_cue_spans")
    assert Token.has_extension("reread_norm")


# --------------------------------------------------------------------------------------
# Cues: each fires on its examples and not on near misses
# --------------------------------------------------------------------------------------

FIRES = {
    "hedge": ["maybe", "i guess so?", "probably yeah", "kinda", "sort of", "I think"],
    "softener": ["just checking", "a bit late", "sorry but no", "can't make it haha"],
    "gratitude": ["thanks!", "thank you so much", "ty", "cheers mate", "tysm"],
    "apology": ["sorry!!", "soz", "my bad", "apologies for the delay"],
    "enthusiasm": ["omg yay", "amazing!!", "so happy for you", "YESSS", "🎉", ":D"],
    "question": ["u coming?", "what time is it", "are you ok", "hbu"],
    "minimiser": [
        "calm down",
        "relax lol",
        "chill",
        "not a big deal",
        "it's fine",
        "whatever.",
        "could be worse",
        "get over it",
        "you're overreacting",
        "if you say so",
        "you'll be fine",
    ],
    "noncommittal": [
        "we'll see",
        "maybe another time",
        "I'll let you know",
        "not sure yet",
        "might",
        "depends",
        "let me check",
        "i'll think about it",
        "sometime",
        "maybe",
    ],
    "formal_closer": [
        "Noted.",
        "Understood.",
        "Kind regards",
        "thanks for letting me know",
        "As I said, no.",
        "duly noted",
        "Acknowledged",
    ],
    "final_period": ["Fine.", "ok.", "Noted.", "see you then."],
    "laughter": ["haha", "hahaha", "hehe", "lol", "lmao", "xD", "😂", "LOOOL"],
    "affection": ["love you", "❤️", "miss you xx", "so proud of you", "see you soon x"],
    "reason": [
        "can't, because of work",
        "cos I'm tired",
        "since I'm away",
        "I have to babysit",
        "I've got an exam",
        "working late",
        "on shift till 9",
    ],
    "new_date": ["how about friday?", "next week?", "tomorrow at 7", "what about 8pm"],
    "ok_word": ["ok", "k", "kk", "okay then", "oh ok", "Okk cool"],
    "laughter_only": ["haha", "lol!!", "😂😂", "hahaha lmao"],
    "emoji_only": ["👍", "😂😂", "👨‍👩‍👧", "👋🏽 🎉", ":)"],
    "greeting": ["hi!", "hey you", "good morning", "morning!"],
    "invitation": [
        "wanna come?",
        "do you want to come to mine",
        "are you free saturday",
        "let's go for pizza",
        "shall we?",
        "fancy a drink?",
        "join us!",
        "come to the gig",
    ],
    "news": [
        "I got the job",
        "I passed!!",
        "guess what",
        "we're moving",
        "I'm pregnant",
        "we got engaged",
        "new job!",
        "I got promoted",
    ],
    "disclosure": [
        "I feel awful",
        "I'm scared",
        "so worried",
        "really anxious",
        "I'm sad",
        "I'm upset",
        "I'm struggling",
        "I miss him",
        "that hurt",
    ],
    "excitement": ["I GOT IT", "omg!!!", "😭😭", "🎉", "we did it!!!"],
}

NEAR_MISSES = {
    "hedge": [
        "that's so kind of you",
        "what sort of cake",
        "probably not",
        "maybelline",
    ],
    "softener": ["adjust it", "I just got engaged", "justin's here"],
    "gratitude": ["no thanks", "thanksgiving plans"],
    "apology": ["sorry to hear that", "so sorry for your loss"],
    "enthusiasm": ["yes", "ok", "I am here"],
    "question": ["what a day", "how cool", "I can do it"],
    "minimiser": [
        "whatever you want",
        "chill night tonight?",
        "I need to relax at home",
        "it's fine by me",
        "I can't stop worrying",
    ],
    "noncommittal": ["mighty fine", "sometimes", "might as well", "maybe!! yes!!"],
    "formal_closer": ["not now", "I noted that", "I never understood it", "notes"],
    "final_period": ["ok", "ok...", "I'll be there at eight, see you then."],
    "laughter": ["hash", "lola", "ha"],
    "affection": ["lovely", "xmas", "x2 speed", "I missed the bus"],
    "reason": ["since when?", "I have no idea", "nice work"],
    "new_date": ["how about you?", "what about it", "last week was rough", "I was 7"],
    "ok_word": ["looks ok", "book", "kind of", "k9 unit"],
    "laughter_only": ["haha that's so funny", "lol ok"],
    "emoji_only": ["👍 ok", "ok", ""],
    "greeting": ["say hi to mum", "this morning was rough"],
    "invitation": [
        "I want to go home",
        "it lets you pick",
        "so fancy",
        "come to think of it",
        "let's see",
    ],
    "news": ["i got it", "got you", "she passed away"],
    "disclosure": ["don't worry", "it wouldn't hurt", "sadly", "I'm afraid I can't"],
    "excitement": ["ok.", "fine", "OK"],
}


def _cases(table):
    return [(cue, text) for cue, texts in table.items() for text in texts]


def test_every_cue_has_examples_and_near_misses():
    assert set(FIRES) == set(CUE_NAMES)
    assert set(NEAR_MISSES) == set(CUE_NAMES)


@pytest.mark.parametrize(("cue", "text"), _cases(FIRES))
def test_cue_fires(nlp, cue, text):
    assert cue in cues_of(nlp, text), explain(text, nlp)


@pytest.mark.parametrize(("cue", "text"), _cases(NEAR_MISSES))
def test_cue_does_not_fire_on_near_miss(nlp, cue, text):
    assert cue not in cues_of(nlp, text), explain(text, nlp)


def test_cue_names_are_stable_snake_case():
    assert len(CUE_NAMES) == len(set(CUE_NAMES)) == 22
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in CUE_NAMES)
    assert CUE_NAMES[:4] == ("hedge", "softener", "gratitude", "apology")


def test_counts_and_spans_agree(nlp):
    doc = nlp("omg!!! I GOT THE JOB 😭😭 guess what, thanks x")
    counts = doc._.reread_cues
    spans = doc._.reread_cue_spans
    assert isinstance(counts, dict) and isinstance(spans, list)
    for cue, count in counts.items():
        assert cue in CUE_NAMES
        assert isinstance(count, int) and count > 0
        assert sum(1 for span in spans if span[0] == cue) == count
    for _cue, start, end in spans:
        assert 0 <= start < end <= len(doc.text)


def test_long_emoji_only_reply(nlp):
    assert {"emoji_only", "laughter_only"} <= set(cues_of(nlp, "😂" * 20))


def test_predict_leaves_the_doc_alone(nlp):
    component = nlp.get_pipe("reread_cues")
    doc = nlp.make_doc("calm down")
    [(counts, spans)] = component.predict([doc])
    assert counts == {"minimiser": 1} and spans == [["minimiser", 0, 9]]
    assert doc._.reread_cues is None


def test_same_cue_counted_once_where_phrases_overlap(nlp):
    assert cues_of(nlp, "maybe another time")["noncommittal"] == 1
    assert cues_of(nlp, "I'm so sorry")["apology"] == 1


def test_empty_and_whitespace_docs(nlp):
    for text in ["", " ", "\n\n"]:
        doc = nlp(text)
        assert doc._.reread_cues == {}
        assert doc._.reread_cue_spans == []


# --------------------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------------------


def test_explain(nlp):
    assert explain("calm down lol", nlp) == [
        ("minimiser", "calm down"),
        ("laughter", "lol"),
        ("softener", "lol"),
    ]
    assert explain("We'll see.", nlp) == [
        ("final_period", "We'll see."),
        ("noncommittal", "We'll see"),
    ]
    assert explain("", nlp) == []


def test_explain_uses_the_default_pipeline():
    assert explain("thx!!") == [("gratitude", "thx"), ("enthusiasm", "!!")]


# --------------------------------------------------------------------------------------
# analyse
# --------------------------------------------------------------------------------------


def test_analyse_one_row_per_input_in_order(nlp):
    texts = ["Sooo happy!!", "", "k.", "calm down lol", "", "👋🏽 @sam https://x.org"]
    norms, cues = analyse(texts, nlp=nlp, batch_size=2)
    assert norms == [
        "so happy !!",
        "",
        "ok .",
        "calm down lol",
        "",
        "👋 <mention> <url>",
    ]
    assert cues.shape == (len(texts), len(CUE_NAMES))
    assert cues.dtype == np.float32
    assert not cues[1].any() and not cues[4].any()
    assert cues[3, CUE_NAMES.index("minimiser")] == 1
    assert cues[2, CUE_NAMES.index("ok_word")] == 1
    # each row is what the text gets on its own
    for i, text in enumerate(texts):
        _, alone = analyse([text], nlp=nlp)
        np.testing.assert_array_equal(cues[i], alone[0])


def test_analyse_accepts_a_generator_and_an_empty_input(nlp):
    norms, cues = analyse((t for t in ["ok", "lol"]), nlp=nlp)
    assert norms == ["ok", "lol"] and cues.shape == (2, len(CUE_NAMES))
    norms, cues = analyse([], nlp=nlp)
    assert norms == [] and cues.shape == (0, len(CUE_NAMES))


def test_analyse_rejects_a_bare_string(nlp):
    with pytest.raises(ClassifierError, match="single str"):
        analyse("ok", nlp=nlp)


def test_analyse_rejects_a_pipeline_without_the_component():
    with pytest.raises(ClassifierError, match="reread_cues"):
        analyse(["ok"], nlp=spacy.blank("en"))


def test_norm_string_splits_back_into_tokens(nlp):
    norms, _ = analyse(["Sooo  happy\n\nfor u!!"], nlp=nlp)
    assert norms == ["so happy for you !!"]
    assert norms[0].split() == ["so", "happy", "for", "you", "!!"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.text(max_size=40), max_size=8))
def test_analyse_any_unicode(nlp, texts):
    norms, cues = analyse(texts, nlp=nlp)
    assert len(norms) == len(texts)
    assert cues.shape == (len(texts), len(CUE_NAMES))
    assert (cues >= 0).all()
    for norm in norms:
        assert norm == " ".join(norm.split())  # single spaces, no space tokens
    for i, text in enumerate(texts):
        assert norms[i] == analyse([text], nlp=nlp)[0][0]
        assert [c for c, _ in explain(text, nlp)] == [
            cue for cue, _, _ in nlp(text)._.reread_cue_spans
        ]


# --------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------


def test_build_nlp_is_blank_english_with_the_component(nlp):
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["reread_cues"]


def test_build_nlp_with_a_missing_model_says_how_to_proceed():
    with pytest.raises(ClassifierError, match="not installed.*works without"):
        build_nlp("en_core_web_no_such_model")


def test_factory_on_a_blank_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("reread_cues", config={"final_period_max_tokens": 1})
    assert nlp("Fine.")._.reread_cues["final_period"] == 1
    assert "final_period" not in nlp("Fine then.")._.reread_cues
    assert [t.text for t in nlp("hi👋🏽")] == ["hi", "👋🏽"]


def test_saved_pipeline_loads_with_the_same_cues(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    texts = ["I GOT THE JOB!!! 😭", "we'll see 👨‍👩‍👧", "k."]
    assert analyse(texts, nlp=loaded)[0] == analyse(texts, nlp=nlp)[0]
    np.testing.assert_array_equal(
        analyse(texts, nlp=loaded)[1], analyse(texts, nlp=nlp)[1]
    )


def test_extensions_survive_multiprocessing(nlp):
    """Kept to three short Docs: starting the worker processes dominates."""
    texts = ["calm down lol", "👋🏽 we'll see", ""]
    serial = [(d._.reread_cues, d._.reread_cue_spans) for d in nlp.pipe(texts)]
    parallel = [
        (d._.reread_cues, d._.reread_cue_spans)
        for d in nlp.pipe(texts, n_process=2, batch_size=1)
    ]
    assert parallel == serial
    assert serial[0][0] == {"minimiser": 1, "laughter": 1, "softener": 1}


_CLOCKISH = (
    "at around 7 12 7:30 10.30 pm a.m. ish seven oclock @ 3 cats the 2nd 1/2 meet £5"
).split()


@given(st.lists(st.sampled_from(_CLOCKISH), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_matcher_is_skipped_only_where_it_finds_nothing(words: list[str]) -> None:
    """The slow token Matcher runs only on Docs with a number and a clock word."""
    from classifier import nlp as nlp_module

    nlp = _shared_nlp()
    component = nlp.get_pipe("reread_cues")
    doc = nlp.make_doc(" ".join(words))
    orths = [t.orth for t in doc]
    union = 0
    for bits in component._bits(orths, doc.vocab.strings):
        union |= bits
    runs = bool(union & nlp_module._NUM and union & nlp_module._CLOCK)
    if not runs:
        assert component._matcher(doc) == []


_NLP: list[spacy.Language] = []


def _shared_nlp() -> spacy.Language:
    if not _NLP:
        _NLP.append(build_nlp())
    return _NLP[0]


def test_the_memory_of_texts_can_be_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the remembered texts overflow, a batch mixing known and new texts is
    still analysed whole (it once lost the known ones)."""
    from classifier import nlp as nlp_module

    monkeypatch.setattr(nlp_module, "_REMEMBER_AT_MOST", 3)
    monkeypatch.setattr(nlp_module, "_REMEMBERED", {})
    first = analyse(["ok", "sure thing", "haha"])
    second = analyse(["ok", "no", "maybe later", "haha", "sure thing"])
    assert second[0][0] == first[0][0] and second[0][3] == first[0][2]
    assert second[0][1:3] == ["no", "maybe later"]
    assert np.array_equal(second[1][0], first[1][0])
    assert len(nlp_module._REMEMBERED) <= 3 + 2


def test_a_full_vocabulary_starts_afresh_with_the_same_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from classifier import nlp as nlp_module

    texts = [f"word{i} and OK lol 7:30 👋🏽" for i in range(50)]
    expected = analyse(texts)
    monkeypatch.setattr(nlp_module, "_REMEMBERED", {})
    monkeypatch.setattr(nlp_module, "_VOCAB_AT_MOST", 10)
    before = nlp_module._default_nlp()
    again = analyse(texts)
    assert nlp_module._default_nlp() is not before  # the pipeline was rebuilt
    assert again[0] == expected[0]
    assert np.array_equal(again[1], expected[1])
