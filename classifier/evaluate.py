"""Metrics for the text model and its baselines, as plain dicts ready for JSON.

Everything here takes arrays and returns numbers: no files, no printing. The two
baselines show what the model adds: VADER's compound sentiment (a negative score read
as risk) and a short-reply rule (three tokens or fewer is risky).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from .model import CATEGORIES, LABELS

__all__ = [
    "expected_calibration_error",
    "label_metrics",
    "risk_metrics",
    "short_reply_risk",
    "vader_risk",
    "to_markdown",
]


def expected_calibration_error(
    y_true: ArrayLike, probability: ArrayLike, n_bins: int = 10
) -> float:
    """Expected calibration error of a binary probability, over equal-width bins.

    The weighted mean, over bins, of ``|observed rate - mean predicted probability|``.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(probability, dtype=float), 0.0, 1.0)
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for b in range(n_bins):
        members = bins == b
        if members.any():
            error += members.mean() * abs(y[members].mean() - p[members].mean())
    return float(error)


def risk_metrics(labels: ArrayLike, risk: ArrayLike) -> dict[str, Any]:
    """PR-AUC, ROC-AUC, Brier score and ECE of ``risk`` against "label is not none"."""
    y = (np.asarray(labels, dtype=object) != "none").astype(int)
    r = np.asarray(risk, dtype=float)
    both = 0 < y.sum() < len(y)
    return {
        "pr_auc": float(average_precision_score(y, r)) if both else None,
        "roc_auc": float(roc_auc_score(y, r)) if both else None,
        "brier": float(brier_score_loss(y, np.clip(r, 0, 1))),
        "ece": expected_calibration_error(y, r),
        "positives": int(y.sum()),
        "n": len(y),
    }


def label_metrics(y_true: ArrayLike, y_pred: ArrayLike) -> dict[str, Any]:
    """Per-label precision, recall, F1 and support, macro-F1 and the confusion matrix.

    ``macro_f1`` averages over the six rejection categories; ``macro_f1_all`` adds
    ``none``. Rows of ``confusion`` are true labels, columns predictions, both in
    :data:`~classifier.model.LABELS` order.
    """
    labels = list(LABELS)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_label = {
        label: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    return {
        "per_label": per_label,
        "macro_f1": float(
            f1_score(
                y_true,
                y_pred,
                labels=list(CATEGORIES),
                average="macro",
                zero_division=0,
            )
        ),  # fmt: skip
        "macro_f1_all": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))),
        "confusion": {
            "labels": labels,
            "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
    }


def short_reply_risk(texts: Sequence[str], max_tokens: int = 3) -> np.ndarray:
    """The short-reply rule: risk 1 for replies of ``max_tokens`` tokens or fewer."""
    return np.asarray([len(t.split()) <= max_tokens for t in texts], dtype=float)


def vader_risk(texts: Sequence[str]) -> np.ndarray | None:
    """VADER's compound score as risk (``(1 - compound) / 2``); None if not installed.

    VADER is an optional extra (``pip install reread[eval]``).
    """
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    compound = np.asarray([analyzer.polarity_scores(t)["compound"] for t in texts])
    return (1.0 - compound) / 2.0


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return lines


def to_markdown(result: dict[str, Any]) -> str:
    """An evaluation result (see :func:`classifier.api.evaluate`) as Markdown."""
    labels, risk = result["model"]["labels"], result["model"]["risk"]
    per_label = [
        (name, _num(m["precision"]), _num(m["recall"]), _num(m["f1"]), m["support"])
        for name, m in labels["per_label"].items()
    ]
    scores = [("reread", risk)] + [
        (f"baseline: {name}", m) for name, m in result["baselines"].items()
    ]
    risk_rows = [
        (name, _num(m["pr_auc"]), _num(m["roc_auc"]), _num(m["brier"]), _num(m["ece"]))
        for name, m in scores
    ]
    matrix = labels["confusion"]
    confusion_rows = [
        (label, *row)
        for label, row in zip(matrix["labels"], matrix["matrix"], strict=True)
    ]
    return "\n".join(
        [
            f"{result['n']} pairs from {result['data']}",
            "",
            *_table(("label", "precision", "recall", "F1", "support"), per_label),
            "",
            f"macro-F1 over the six categories: {labels['macro_f1']:.3f}; accuracy "
            f"{labels['accuracy']:.3f}; {result['model']['ambiguous']} pairs in the "
            "ambiguous band",
            "",
            *_table(("risk score", "PR-AUC", "ROC-AUC", "Brier", "ECE"), risk_rows),
            "",
            "Confusion matrix (rows: true label, columns: predicted)",
            "",
            *_table(("", *matrix["labels"]), confusion_rows),
        ]
    )
