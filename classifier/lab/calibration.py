"""Calibration and thresholds, fitted on out-of-fold scores only (never on the data being measured)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from classifier.model import Calibration, FloatArray, softmax

STUDY_PREVALENCE = 0.10  # share of PTM-related issues in a project (840 of 8,373 in the study)
_TEMPERATURES = np.exp(np.linspace(np.log(0.1), np.log(10.0), 81))


def precision_at_prevalence(recall: float, false_positive_rate: float,
                            prevalence: float = STUDY_PREVALENCE) -> float:
    """Precision a maintainer would see where a `prevalence` share of issues is positive."""
    hits = recall * prevalence
    false_alarms = false_positive_rate * (1.0 - prevalence)
    return hits / (hits + false_alarms) if hits + false_alarms > 0 else 0.0


def fit_platt(raw: FloatArray, labels: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """(scale, shift) of the sigmoid that best maps raw PTM scores to probabilities."""
    model = LogisticRegression(C=1e4).fit(raw.reshape(-1, 1), labels)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def fit_temperature(raw: FloatArray, targets: npt.NDArray[np.int64]) -> float:
    """The softmax temperature with the lowest log loss (a one-parameter search, so it cannot overfit)."""
    if len(targets) == 0:
        return 1.0
    best, best_loss = 1.0, np.inf
    for temperature in _TEMPERATURES:
        probs = softmax(raw / temperature)
        loss = -np.mean(np.log(probs[np.arange(len(targets)), targets] + 1e-12))
        if loss < best_loss:
            best, best_loss = float(temperature), float(loss)
    return best


def fit_calibration(ptm_raw: FloatArray, ptm_labels: npt.NDArray[np.bool_],
                    category_raw: FloatArray, category_targets: npt.NDArray[np.int64]) -> Calibration:
    scale, shift = fit_platt(ptm_raw, ptm_labels)
    return Calibration(scale, shift, fit_temperature(category_raw, category_targets))
