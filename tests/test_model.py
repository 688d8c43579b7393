"""The calibrated pipeline: outputs, thresholds and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from classifier.model import (
    CATEGORIES,
    LABELS,
    Thresholds,
    build_pipeline,
    predict_pairs,
)


def test_one_prediction_per_pair_in_order(small_pipeline, pairs: pd.DataFrame) -> None:
    scored = predict_pairs(small_pipeline, pairs)
    assert len(scored) == len(pairs)
    assert scored["risk"].between(0, 1).all()
    assert np.allclose(scored["risk"], 1 - scored["p_none"])
    probabilities = scored[[f"p_{label}" for label in LABELS]].sum(axis=1)
    assert np.allclose(probabilities, 1)
    assert set(scored["category"]) <= set(CATEGORIES)
    reversed_scores = predict_pairs(small_pipeline, pairs.iloc[::-1])
    assert np.allclose(reversed_scores["risk"].to_numpy()[::-1], scored["risk"])


def test_thresholds_decide_label_and_ambiguity(small_pipeline, pairs) -> None:
    never = predict_pairs(small_pipeline, pairs, Thresholds(flag=1.01, band=0.0))
    assert (never["label"] == "none").all() and not never["ambiguous"].any()
    always = predict_pairs(small_pipeline, pairs, Thresholds(flag=0.0, band=0.0))
    assert (always["label"] == always["category"]).all()
    wide = predict_pairs(small_pipeline, pairs, Thresholds(flag=0.5, band=1.0))
    assert wide["ambiguous"].all()


def test_empty_input(small_pipeline) -> None:
    empty = predict_pairs(small_pipeline, pd.DataFrame({"context": [], "text": []}))
    assert len(empty) == 0 and "risk" in empty.columns


def test_learns_the_categories_of_its_training_pairs(small_pipeline, pairs) -> None:
    # 28 pairs are too few to calibrate risk, but enough to learn the categories.
    scored = predict_pairs(small_pipeline, pairs)
    rejections = pairs["label"] != "none"
    agreement = (scored["category"] == pairs["label"])[rejections].mean()
    assert agreement >= 0.75


def test_unicode_and_empty_texts_get_scores(small_pipeline) -> None:
    odd = pd.DataFrame(
        {"context": ["", "👨‍👩‍👧", "\u200f", "x" * 2000], "text": ["", "🙂", "", "ok"]}
    )
    scored = predict_pairs(small_pipeline, odd)
    assert len(scored) == 4 and scored["risk"].notna().all()


@pytest.mark.parametrize("seed", [0, 7])
def test_same_data_and_seed_same_predictions(pairs: pd.DataFrame, seed: int) -> None:
    a = build_pipeline(cv=2, min_df=1, random_state=seed).fit(pairs, pairs["label"])
    b = build_pipeline(cv=2, min_df=1, random_state=seed).fit(pairs, pairs["label"])
    assert np.array_equal(a.predict_proba(pairs), b.predict_proba(pairs))
