"""From (context, reply) pairs to a feature matrix.

The reply is seen through the chat preprocessing of :mod:`classifier.nlp` (normalised
tokens and cue counts); the message it answers adds its own cues and length; the two
together give length ratios and whether a question was answered or asked back; and,
when a conversation is given, the reply is compared with its sender's usual length and
punctuation.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from ._memory import forget_oldest_half
from .errors import ClassifierError

__all__ = [
    "ChatPairFeatures",
    "HISTORY_COLUMNS",
    "POPULATION_USUAL",
    "as_pairs",
    "split_tokens",
    "char_wb_2_4",
]

#: Optional input columns describing the replier's own history (earlier messages only):
#: their median reply length in tokens and how often they end a message with a period.
HISTORY_COLUMNS = ("sender_usual_tokens", "sender_usual_period_rate")
#: What "usual" means when a pair comes without history: typical chat habits.
POPULATION_USUAL = {"sender_usual_tokens": 6.0, "sender_usual_period_rate": 0.15}

_DENSE_NAMES = (
    "reply_tokens_log",
    "context_tokens_log",
    "reply_to_context_length_log_ratio",
    "reply_exclamations",
    "context_exclamations",
    "context_question_unanswered",
    "reply_question_back",
    "reply_ends_with_period",
    "reply_all_lowercase",
    "reply_vs_usual_length_log_ratio",
    "reply_period_vs_usual",
)


def split_tokens(text: str) -> list[str]:
    """The analyser for text that :func:`classifier.nlp.analyse` already normalised."""
    return text.split()


@lru_cache(maxsize=262_144)
def _word_char_ngrams(word: str, low: int, high: int) -> tuple[str, ...]:
    """Character n-grams of one space-padded word, as ``analyzer="char_wb"`` makes."""
    padded = f" {word} "
    grams: list[str] = []
    for n in range(low, high + 1):
        grams.extend(padded[i : i + n] for i in range(max(len(padded) - n + 1, 1)))
        if n >= len(padded):
            break  # a word no longer than n is counted once, as a whole
    return tuple(grams)


def char_wb_2_4(text: str) -> list[str]:
    """scikit-learn's ``char_wb`` 2-4-grams, remembered per word.

    Chat words repeat a great deal, so remembering each word's n-grams makes this
    several times faster than building them again for every message.
    """
    grams: list[str] = []
    for word in text.split():
        grams.extend(_word_char_ngrams(word, 2, 4))
    return grams


class _Columns(dict):  # type: ignore[type-arg]
    """Vocabulary columns of the n-grams of a key, found once and then remembered.

    Counting n-grams one by one in Python is most of what scoring costs, and chats
    repeat themselves: the same words, the same short replies. Holds at most
    ``_AT_MOST`` keys, forgetting the oldest half when full.
    """

    _AT_MOST = 100_000

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        super().__init__()
        self.vectorizer = vectorizer
        self.vocabulary = vectorizer.vocabulary_

    def __missing__(self, key: str) -> array:
        if len(self) >= self._AT_MOST:
            forget_oldest_half(self)
        vocabulary = self.vocabulary
        columns = self[key] = array(
            "i", [vocabulary[g] for g in self.grams(key) if g in vocabulary]
        )
        return columns

    def grams(self, key: str) -> Sequence[str]:
        raise NotImplementedError


class _CharColumns(_Columns):
    """Per word, the columns of its ``char_wb_2_4`` n-grams."""

    def grams(self, key: str) -> Sequence[str]:
        # Not through the n-grams remembered for training: this dict remembers.
        return _word_char_ngrams.__wrapped__(key, 2, 4)  # type: ignore[no-any-return]


def _char_tfidf(
    vectorizer: TfidfVectorizer, columns: _CharColumns, docs: list[str]
) -> sp.csr_matrix:
    """``vectorizer.transform(docs)`` for the ``char_wb_2_4`` analyser, words reused."""
    indices = array("i")
    indptr = array("i", [0])
    for doc in docs:
        for word in doc.split():
            indices.extend(columns[word])
        indptr.append(len(indices))
    return _tfidf(vectorizer, indices, indptr)


class _WordColumns(_Columns):
    """Per document (normalised text), the columns of its word n-grams."""

    _AT_MOST = 50_000

    def grams(self, key: str) -> Sequence[str]:
        low, high = self.vectorizer.ngram_range
        tokens = key.split()
        grams = tokens if low == 1 else []
        for n in range(max(low, 2), high + 1):
            grams = grams + [
                " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)
            ]
        return grams


def _word_tfidf(
    vectorizer: TfidfVectorizer, docs: list[str], columns: _WordColumns | None = None
) -> sp.csr_matrix:
    """``vectorizer.transform(docs)`` for word n-grams of :func:`split_tokens`."""
    columns = columns if columns is not None else _WordColumns(vectorizer)
    indices = array("i")
    indptr = array("i", [0])
    for doc in docs:
        indices.extend(columns[doc])
        indptr.append(len(indices))
    return _tfidf(vectorizer, indices, indptr)


def _tfidf(vectorizer: TfidfVectorizer, indices: array, indptr: array) -> sp.csr_matrix:
    """Count the columns found per document, then weight them as ``vectorizer`` does.

    Counting n-grams through scikit-learn's generic loop is most of what scoring
    costs; the callers find the columns faster, and the weighting here is
    scikit-learn's (sublinear tf, idf, l2 norm) in the same order and dtype, so the
    matrix is identical to ``vectorizer.transform``'s.
    """
    counts = sp.csr_matrix(
        (
            np.ones(len(indices), dtype=vectorizer.dtype),
            np.frombuffer(indices, dtype=np.intc),
            np.frombuffer(indptr, dtype=np.intc),
        ),
        shape=(len(indptr) - 1, len(vectorizer.vocabulary_)),
    )
    counts.sum_duplicates()  # sorts the indices too
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]
    if vectorizer.norm is not None:
        counts = normalize(counts, norm=vectorizer.norm, copy=False)
    return counts


def as_pairs(X: Any) -> pd.DataFrame:
    """Accept a DataFrame with ``context`` and ``text``, or a sequence of pairs.

    Raises
    ------
    ValueError
        If the input is a bare string or lacks the ``text`` column.
    """
    if isinstance(X, str):
        raise ValueError("expected (context, reply) pairs, got a single string")
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ValueError("the pairs need a 'text' column (the reply)")
        frame = X
        if "context" not in frame.columns:
            frame = frame.assign(context="")
    else:
        rows = list(X)
        if rows and isinstance(rows[0], str):
            raise ValueError("expected (context, reply) pairs, got a list of strings")
        frame = pd.DataFrame(rows, columns=["context", "text"])
    return frame


def _strings(values: Sequence[Any]) -> list[str]:
    return [
        "" if v is None or (isinstance(v, float) and v != v) else str(v) for v in values
    ]


class ChatPairFeatures(TransformerMixin, BaseEstimator):
    """Sparse features for (context, reply) pairs.

    Parameters
    ----------
    word_ngram_range : tuple of int
        n-gram range over the reply's normalised tokens.
    char_ngram_range : tuple of int
        Character n-gram range (within word boundaries) over the normalised reply.
    context_words : bool
        Whether the words of the message answered are features too.
    min_df : int
        Minimum document frequency for every vocabulary.
    max_features : int
        Cap on each vocabulary.
    batch_size : int
        ``nlp.pipe`` batch size.
    spacy_model : str, optional
        An installed trained spaCy pipeline (e.g. ``en_core_web_sm``) whose
        part-of-speech tags of the reply become features too. Nothing requires one;
        a model trained with it needs the same pipeline installed to score.

    Attributes
    ----------
    reply_words_, reply_chars_, context_words_, reply_tags_ : TfidfVectorizer
        Fitted vocabularies (``context_words_`` is None when ``context_words`` is off,
        ``reply_tags_`` when there is no ``spacy_model``).
    dense_scale_ : ndarray
        Per-column scale that brings the dense features to about unit range.
    feature_names_out_ : ndarray of str
        One name per output column.
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 4),
        context_words: bool = True,
        min_df: int = 3,
        max_features: int = 50_000,
        batch_size: int = 1000,
        spacy_model: str | None = None,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.context_words = context_words
        self.min_df = min_df
        self.max_features = max_features
        self.batch_size = batch_size
        self.spacy_model = spacy_model

    def __getstate__(self) -> dict[str, Any]:
        # A spaCy pipeline is rebuilt on demand, never saved with the model.
        state = super().__getstate__()
        state.pop("_nlp", None)
        state.pop("_column_memos", None)
        return state

    def _pipeline(self) -> Any:
        """The spaCy pipeline for ``spacy_model`` (None: the default blank one)."""
        if self.spacy_model is None:
            return None
        if getattr(self, "_nlp", None) is None:
            from .nlp import build_nlp

            self._nlp = build_nlp(self.spacy_model)
        return self._nlp

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def _analyse(self, X: Any) -> dict[str, Any]:
        from .nlp import analyse

        pairs = as_pairs(X)
        texts = _strings(pairs["text"].tolist())
        contexts = _strings(pairs["context"].tolist())
        nlp = self._pipeline()
        reply_norm, reply_cues = analyse(texts, nlp, batch_size=self.batch_size)
        context_norm, context_cues = analyse(contexts, nlp, batch_size=self.batch_size)
        reply_tags = None
        if nlp is not None:
            from .nlp import tag_strings

            reply_tags = tag_strings(texts, nlp, batch_size=self.batch_size)
        history = {
            name: pd.to_numeric(pairs[name], errors="coerce").to_numpy(dtype=float)
            if name in pairs.columns
            else np.full(len(pairs), np.nan)
            for name in HISTORY_COLUMNS
        }
        return {
            "texts": texts,
            "reply_norm": reply_norm,
            "reply_cues": reply_cues,
            "context_norm": context_norm,
            "context_cues": context_cues,
            "reply_tags": reply_tags,
            "history": history,
        }

    def _dense(self, a: dict[str, Any]) -> np.ndarray:
        from .nlp import CUE_NAMES

        question = CUE_NAMES.index("question")
        reply_tokens = np.array([len(t.split()) for t in a["reply_norm"]], dtype=float)
        context_tokens = np.array(
            [len(t.split()) for t in a["context_norm"]], dtype=float
        )
        texts = a["texts"]
        ends_period = np.array([t.rstrip().endswith(".") for t in texts], dtype=float)
        lowercase = np.array([t == t.lower() and t != t.upper() for t in texts], float)
        context_question = a["context_cues"][:, question] > 0
        reply_question = a["reply_cues"][:, question] > 0
        usual_tokens = np.nan_to_num(
            a["history"]["sender_usual_tokens"],
            nan=POPULATION_USUAL["sender_usual_tokens"],
        )
        usual_period = np.nan_to_num(
            a["history"]["sender_usual_period_rate"],
            nan=POPULATION_USUAL["sender_usual_period_rate"],
        )
        columns = [
            np.log1p(reply_tokens),
            np.log1p(context_tokens),
            np.log1p(reply_tokens) - np.log1p(context_tokens),
            np.array([t.count("!") for t in texts], dtype=float),
            np.array([t.count("!") for t in a["context_norm"]], dtype=float),
            (context_question & ~reply_question & (reply_tokens <= 2)).astype(float),
            reply_question.astype(float),
            ends_period,
            lowercase,
            np.log1p(reply_tokens) - np.log1p(usual_tokens),
            ends_period - usual_period,
        ]
        dense = np.column_stack(
            [*columns, np.log1p(a["reply_cues"]), np.log1p(a["context_cues"])]
        )
        return dense.astype(np.float32)

    def fit(self, X: Any, y: Any = None) -> ChatPairFeatures:
        """Learn the vocabularies and the scale of the dense features."""
        from .nlp import CUE_NAMES

        a = self._analyse(X)
        common = {"min_df": self.min_df, "max_features": self.max_features,
                  "sublinear_tf": True, "dtype": np.float32}  # fmt: skip
        self.reply_words_ = TfidfVectorizer(
            tokenizer=split_tokens, token_pattern=None, lowercase=False,
            ngram_range=tuple(self.word_ngram_range), **common,
        ).fit(a["reply_norm"])  # fmt: skip
        # The cached analyser covers the default range; others use scikit-learn's.
        chars: Any = (
            {"analyzer": char_wb_2_4}
            if tuple(self.char_ngram_range) == (2, 4)
            else {"analyzer": "char_wb", "ngram_range": tuple(self.char_ngram_range)}
        )
        self.reply_chars_ = TfidfVectorizer(**chars, **common).fit(a["reply_norm"])
        self.context_words_ = (
            TfidfVectorizer(
                tokenizer=split_tokens, token_pattern=None, lowercase=False, **common
            ).fit(a["context_norm"])
            if self.context_words
            else None
        )
        self.reply_tags_ = None
        if a["reply_tags"] is not None:
            if not any(a["reply_tags"]):
                raise ClassifierError(
                    f"the spaCy pipeline {self.spacy_model!r} sets no part-of-speech "
                    "tags; give one with a tagger, or leave the spaCy model out"
                )
            self.reply_tags_ = TfidfVectorizer(
                tokenizer=split_tokens, token_pattern=None, lowercase=False,
                ngram_range=(1, 2), min_df=1, sublinear_tf=True, dtype=np.float32,
            ).fit(a["reply_tags"])  # fmt: skip
        for vectorizer in (
            self.reply_words_, self.reply_chars_, self.context_words_,
            self.reply_tags_,
        ):  # fmt: skip
            if vectorizer is not None:
                # The terms cut by min_df/max_features: only for introspection, and
                # most of the saved model's size.
                vectorizer.stop_words_ = None
                # Cutting leaves numpy integers as column numbers, which skops saves
                # one file each (17,000 files, seconds to load); plain ints are JSON.
                vectorizer.vocabulary_ = {
                    term: int(column) for term, column in vectorizer.vocabulary_.items()
                }
        dense = self._dense(a)
        scale = np.abs(dense).max(axis=0)
        self.dense_scale_ = np.where(scale > 0, scale, 1.0).astype(np.float32)
        names = [f"reply_word={w}" for w in self.reply_words_.get_feature_names_out()]
        names += [f"reply_char={c}" for c in self.reply_chars_.get_feature_names_out()]
        if self.context_words_ is not None:
            names += [
                f"context_word={w}" for w in self.context_words_.get_feature_names_out()
            ]
        if self.reply_tags_ is not None:
            names += [
                f"reply_pos={t}" for t in self.reply_tags_.get_feature_names_out()
            ]
        names += list(_DENSE_NAMES)
        names += [f"reply_cue={c}" for c in CUE_NAMES]
        names += [f"context_cue={c}" for c in CUE_NAMES]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X: Any) -> sp.csr_matrix:
        """The feature matrix, one row per pair."""
        check_is_fitted(self, "dense_scale_")
        a = self._analyse(X)
        blocks = [
            _word_tfidf(
                self.reply_words_,
                a["reply_norm"],
                self._columns("reply_words_", _WordColumns),
            ),
            self._reply_chars(a["reply_norm"]),
        ]
        if self.context_words_ is not None:
            blocks.append(
                _word_tfidf(
                    self.context_words_,
                    a["context_norm"],
                    self._columns("context_words_", _WordColumns),
                )
            )
        if self.reply_tags_ is not None:
            blocks.append(self.reply_tags_.transform(a["reply_tags"]))
        blocks.append(sp.csr_matrix(self._dense(a) / self.dense_scale_))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _columns(self, name: str, kind: type[_Columns]) -> Any:
        """The remembered columns of the fitted vectorizer ``name`` (made anew when it
        was fitted again)."""
        memos = self.__dict__.setdefault("_column_memos", {})
        vectorizer = getattr(self, name)
        memo = memos.get(name)
        if memo is None or memo.vocabulary is not vectorizer.vocabulary_:
            memo = memos[name] = kind(vectorizer)
        return memo

    def _reply_chars(self, norms: list[str]) -> sp.csr_matrix:
        if self.reply_chars_.analyzer is not char_wb_2_4:
            return self.reply_chars_.transform(norms)
        columns = self._columns("reply_chars_", _CharColumns)
        return _char_tfidf(self.reply_chars_, columns, norms)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_
