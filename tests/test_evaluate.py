"""Metrics: calibration error, risk metrics, label metrics, baselines."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.evaluate import (
    expected_calibration_error,
    label_metrics,
    risk_metrics,
    short_reply_risk,
    to_markdown,
)


def test_perfectly_calibrated_scores_have_no_calibration_error() -> None:
    # In the 0.2 bin one in five is positive, in the 0.8 bin four in five.
    y = [1, 0, 0, 0, 0, 1, 1, 1, 1, 0]
    p = [0.2] * 5 + [0.8] * 5
    assert expected_calibration_error(y, p) == pytest.approx(0.0)


def test_overconfident_scores_have_calibration_error() -> None:
    y = [1, 0, 1, 0]
    p = [0.95, 0.95, 0.95, 0.95]
    assert expected_calibration_error(y, p) == pytest.approx(0.45)


def test_risk_metrics_rank_and_score() -> None:
    labels = ["curt", "none", "cold_tone", "none"]
    result = risk_metrics(labels, [0.9, 0.1, 0.8, 0.3])
    assert result["pr_auc"] == pytest.approx(1.0)
    assert result["roc_auc"] == pytest.approx(1.0)
    assert result["brier"] == pytest.approx((0.01 + 0.01 + 0.04 + 0.09) / 4)
    assert result["positives"] == 2 and result["n"] == 4


def test_risk_metrics_with_one_class_leave_ranking_metrics_out() -> None:
    result = risk_metrics(["none", "none"], [0.1, 0.2])
    assert result["pr_auc"] is None and result["roc_auc"] is None


def test_label_metrics() -> None:
    true = ["curt", "curt", "none", "lukewarm"]
    pred = ["curt", "none", "none", "curt"]
    result = label_metrics(true, pred)
    curt = result["per_label"]["curt"]
    assert (curt["precision"], curt["recall"], curt["support"]) == (0.5, 0.5, 2)
    assert result["accuracy"] == 0.5
    labels = result["confusion"]["labels"]
    matrix = np.asarray(result["confusion"]["matrix"])
    assert matrix[labels.index("curt"), labels.index("none")] == 1
    assert matrix.sum() == 4
    # Six categories, of which lukewarm and the four absent ones score zero.
    assert result["macro_f1"] == pytest.approx(0.5 / 6)


def test_short_reply_rule() -> None:
    assert short_reply_risk(
        ["ok", "sure thing mate", "that is lovely news"]
    ).tolist() == [
        1.0,
        1.0,
        0.0,
    ]


def test_markdown_report_has_every_table() -> None:
    labels = ["curt", "none"]
    result = {
        "data": "x.jsonl",
        "n": 2,
        "model": {
            "risk": risk_metrics(labels, [0.9, 0.2]),
            "labels": label_metrics(labels, ["curt", "none"]),
            "ambiguous": 0,
        },
        "baselines": {"short_reply": risk_metrics(labels, [1.0, 1.0])},
    }
    text = to_markdown(result)
    assert "| curt | 1.000 | 1.000 | 1.000 | 1 |" in text
    assert "| baseline: short_reply |" in text
    assert "Confusion matrix" in text
