"""Chat pair features: shape, names, history, and scikit-learn conventions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
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
