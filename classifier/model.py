"""The text model: a scikit-learn pipeline with calibrated probabilities.

``risk`` is the probability that a reply is *not* ``none``, that is, that it may be
read as one of the six kinds of small rejection; ``category`` is the most probable of
those six. Around the decision threshold lies an explicit ambiguous band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .features import ChatPairFeatures
from .labels import CATEGORIES, LABELS

__all__ = [
    "CATEGORIES",
    "LABELS",
    "RejectionClassifier",
    "Thresholds",
    "build_pipeline",
    "predict_pairs",
]


@dataclass(frozen=True)
class Thresholds:
    """Where risk becomes a flag, and the band around it that is reported as ambiguous.

    A reply is flagged when ``risk >= flag``, and ambiguous when
    ``abs(risk - flag) < band``: close enough to the line that the model cannot say
    which side it is on.
    """

    flag: float = 0.5
    band: float = 0.1

    def to_dict(self) -> dict[str, float]:
        return {"flag": self.flag, "band": self.band}


class RejectionClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated risk from a binary model, category from a multiclass one.

    Calibrating a multiclass model one class against the rest and then normalising
    leaves ``1 - P(none)`` poorly calibrated. So risk (any rejection against
    ``none``) is its own calibrated binary model, and the six categories share out
    that risk in the proportions a multiclass model gives them:
    ``P(k) = risk * P(k | not none)`` and ``P(none) = 1 - risk``.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of both logistic regressions.
    calibration : {"sigmoid", "isotonic"}
        How the risk model's scores become probabilities.
    cv : int
        Folds for calibrating the risk model.
    random_state : int
        Seed of the logistic regressions.
    n_jobs : int, optional
        Parallel calibration folds.

    Attributes
    ----------
    classes_ : ndarray of str
        The labels seen in ``fit``, sorted; ``predict_proba`` columns follow them.
    risk_model_ : CalibratedClassifierCV
        Calibrated "not none" probability.
    category_model_ : LogisticRegression
        Multiclass model whose category probabilities split the risk.
    """

    def __init__(
        self,
        C: float = 4.0,
        calibration: str = "isotonic",
        cv: int = 5,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.C = C
        self.calibration = calibration
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _logistic(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=2000,
            random_state=self.random_state,
        )  # fmt: skip

    def fit(self, X: Any, y: Any) -> RejectionClassifier:
        """Fit the risk model on ``y != "none"`` and the category model on ``y``."""
        labels = np.asarray(y, dtype=object)
        self.classes_ = np.array(sorted(set(labels)), dtype=object)
        if "none" not in self.classes_ or len(self.classes_) < 2:
            raise ValueError("training needs 'none' pairs and at least one category")
        rejected = (labels != "none").astype(int)
        self.risk_model_ = CalibratedClassifierCV(
            self._logistic(), method=self.calibration, cv=self.cv, n_jobs=self.n_jobs
        ).fit(X, rejected)
        self.category_model_ = self._logistic().fit(X, labels)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """One column per label in ``classes_`` order; rows sum to one."""
        check_is_fitted(self, "risk_model_")
        risk = self.risk_model_.predict_proba(X)[:, 1]
        shares = self.category_model_.predict_proba(X)
        categories = [i for i, c in enumerate(self.classes_) if c != "none"]
        within = shares[:, categories]
        within = within / np.clip(within.sum(axis=1, keepdims=True), 1e-12, None)
        proba = np.zeros((len(risk), len(self.classes_)))
        proba[:, categories] = within * risk[:, None]
        proba[:, list(self.classes_).index("none")] = 1.0 - risk
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def build_pipeline(
    *,
    C: float = 4.0,
    calibration: str = "isotonic",
    cv: int = 5,
    random_state: int = 0,
    n_jobs: int | None = None,
    **feature_params: Any,
) -> Pipeline:
    """A fresh, unfitted pipeline: chat features, then :class:`RejectionClassifier`.

    Parameters
    ----------
    C, calibration, cv, random_state, n_jobs
        See :class:`RejectionClassifier`.
    **feature_params
        Passed to :class:`~classifier.features.ChatPairFeatures`.

    Returns
    -------
    Pipeline
        ``features`` then ``classifier``.
    """
    return Pipeline(
        [
            ("features", ChatPairFeatures(**feature_params)),
            (
                "classifier",
                RejectionClassifier(
                    C=C,
                    calibration=calibration,
                    cv=cv,
                    random_state=random_state,
                    n_jobs=n_jobs,
                ),  # fmt: skip
            ),
        ]
    )


def predict_pairs(
    model: Pipeline, pairs: pd.DataFrame, thresholds: Thresholds | None = None
) -> pd.DataFrame:
    """Score pairs with a fitted pipeline.

    Returns
    -------
    DataFrame
        One row per pair, in order: ``risk`` (0 to 1), ``category`` (the most
        probable of :data:`CATEGORIES`), ``label`` (``category`` when flagged, else
        ``none``), ``ambiguous`` (bool) and one ``p_<label>`` column per label.
    """
    thresholds = thresholds or Thresholds()
    if len(pairs) == 0:
        columns = [
            "risk",
            "category",
            "label",
            "ambiguous",
            *(f"p_{x}" for x in LABELS),
        ]
        return pd.DataFrame(columns=columns)
    proba = model.predict_proba(pairs)
    classes = list(model.classes_)
    by_label = {label: proba[:, classes.index(label)] for label in LABELS}
    risk = 1.0 - by_label["none"]
    category_proba = np.column_stack([by_label[c] for c in CATEGORIES])
    category = np.asarray(CATEGORIES, dtype=object)[category_proba.argmax(axis=1)]
    flagged = risk >= thresholds.flag
    result = pd.DataFrame(
        {
            "risk": risk,
            "category": category,
            "label": np.where(flagged, category, "none"),
            "ambiguous": np.abs(risk - thresholds.flag) < thresholds.band,
        }
    )
    for label in LABELS:
        result[f"p_{label}"] = by_label[label]
    return result
