"""Chat pair features: shape, names, history, and scikit-learn conventions."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifier.features import ChatPairFeatures, as_pairs


def test_one_row_per_pair_and_a_name_per_column(pairs: pd.DataFrame) -> None:
    features = ChatPairFeatures(min_df=1).fit(pairs)
    X = features.transform(pairs)
    assert X.shape == (len(pairs), len(features.get_feature_names_out()))
    # Rows follow the input order, whatever the batch.
    first = features.transform(pairs.iloc[:3]).toarray()
    assert np.allclose(first, X[:3].toarray())


def test_accepts_sequences_of_pairs_and_rejects_strings(pairs: pd.DataFrame) -> None:
    features = ChatPairFeatures(min_df=1).fit(pairs)
    as_list = features.transform([("are you coming?", "yes"), ("", "")])
    assert as_list.shape[0] == 2
    with pytest.raises(ValueError, match="pairs"):
        features.transform("just a string")
    with pytest.raises(ValueError, match="pairs"):
        as_pairs(["a", "b"])


def test_history_changes_the_reply_compared_with_usual(pairs: pd.DataFrame) -> None:
    features = ChatPairFeatures(min_df=1).fit(pairs)
    names = list(features.get_feature_names_out())
    column = names.index("reply_vs_usual_length_log_ratio")
    one = pd.DataFrame({"context": ["how was it?"] * 2, "text": ["fine"] * 2})
    terse = one.assign(sender_usual_tokens=[1.0, 30.0])
    values = features.transform(terse).toarray()[:, column]
    assert values[0] > values[1]  # "fine" is usual for a terse texter


def test_clone_params_and_not_fitted(pairs: pd.DataFrame) -> None:
    features = ChatPairFeatures(word_ngram_range=(1, 1), min_df=1)
    assert clone(features).get_params() == features.get_params()
    with pytest.raises(NotFittedError):
        features.transform(pairs)


def test_two_fits_give_the_same_matrix(pairs: pd.DataFrame) -> None:
    a = ChatPairFeatures(min_df=1).fit(pairs).transform(pairs)
    b = ChatPairFeatures(min_df=1).fit(pairs).transform(pairs)
    assert np.array_equal(a.toarray(), b.toarray())


def tagging_pipeline(folder) -> str:  # type: ignore[no-untyped-def]
    """A small saved spaCy pipeline whose attribute ruler tags a few words."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    for word, pos in (("ok", "INTJ"), ("fine", "ADJ"), ("you", "PRON"), ("i", "PRON")):
        ruler.add([[{"LOWER": word}]], {"POS": pos})
    path = folder / "tagger"
    nlp.to_disk(path)
    return str(path)


def test_a_spacy_model_adds_its_tags(tmp_path, pairs: pd.DataFrame) -> None:
    features = ChatPairFeatures(min_df=1, spacy_model=tagging_pipeline(tmp_path))
    X = features.fit(pairs).transform(pairs)
    names = list(features.get_feature_names_out())
    assert "reply_pos=INTJ" in names
    column = names.index("reply_pos=INTJ")
    ok_row = pairs.index[pairs["text"] == "ok"][0]
    assert X[ok_row, column] > 0
    assert "_nlp" not in features.__getstate__()


def test_a_missing_spacy_model_is_a_clear_error(pairs: pd.DataFrame) -> None:
    from classifier.errors import ClassifierError

    with pytest.raises(ClassifierError, match="not installed"):
        ChatPairFeatures(spacy_model="xx_no_such_model").fit(pairs)


@pytest.mark.parametrize(
    "text", ["", "a", "ab", "ok k", "hello there my friend", "k . 👋 haha", "x  y"]
)
def test_cached_char_ngrams_match_scikit_learn(text: str) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from classifier.features import char_wb_2_4

    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    assert char_wb_2_4(text) == reference(text)


_WORDS = ["ok", "okay", "sure", "lol", "haha", "no", "can't", "tonight", "👋", "😂😂",
          "?", "!!", "é", "maybe", "another", "time", "ok ok", "x"]  # fmt: skip


def _texts(draw_words: list[list[str]]) -> list[str]:
    return [" ".join(words) for words in draw_words]


@given(
    st.lists(
        st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=6)), max_size=12),
        min_size=1,
        max_size=30,
    )
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_tfidf_equals_scikit_learn_transform(words: list[list[str]]) -> None:
    """Scoring counts n-grams its own way; the matrices must be identical."""
    from classifier.features import _char_tfidf, _CharColumns, _word_tfidf

    features = _fitted_features()
    docs = [" ".join(t.split()) for t in _texts(words)]
    expected = [
        features.reply_chars_.transform(docs),
        features.reply_words_.transform(docs),
        features.context_words_.transform(docs),
    ]
    columns = _CharColumns(features.reply_chars_)
    got = [
        _char_tfidf(features.reply_chars_, columns, docs),
        _word_tfidf(features.reply_words_, docs),
        _word_tfidf(features.context_words_, docs),
    ]
    for want, have in zip(expected, got, strict=True):
        assert want.shape == have.shape
        assert np.array_equal(want.indptr, have.indptr)
        assert np.array_equal(want.indices, have.indices)
        assert np.array_equal(want.data, have.data)


@lru_cache(maxsize=1)
def _fitted_features() -> ChatPairFeatures:
    texts = [" ".join(w) for w in zip(_WORDS, _WORDS[3:] + _WORDS[:3], strict=True)]
    pairs = pd.DataFrame({"context": texts[::-1] * 3, "text": texts * 3})
    return ChatPairFeatures(min_df=1).fit(pairs)


def test_scoring_transform_is_scikit_learns(pairs: pd.DataFrame) -> None:
    features = ChatPairFeatures(min_df=1).fit(pairs)
    fast = features.transform(pairs)
    features.reply_chars_.analyzer = "char_wb"  # the generic path
    features.reply_chars_.ngram_range = (2, 4)
    slow = features.transform(pairs)
    assert (fast != slow).nnz == 0


def test_vocabularies_hold_plain_ints(pairs: pd.DataFrame) -> None:
    """numpy integers would each be a file of their own in the saved model."""
    features = ChatPairFeatures(min_df=2).fit(pairs)
    for vectorizer in (
        features.reply_words_, features.reply_chars_, features.context_words_
    ):  # fmt: skip
        assert vectorizer.vocabulary_
        assert {type(column) for column in vectorizer.vocabulary_.values()} == {int}
