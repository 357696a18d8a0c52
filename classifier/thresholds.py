"""Calibration and thresholds, fitted on out-of-fold scores only (never on the data being measured)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from classifier.model import Calibration, FloatArray, softmax

STUDY_PREVALENCE = 0.10  # share of PTM-related issues in a project (840 of 8,373 in the study)
_STABLE_RECALL = 0.3  # above this recall, the first threshold missing the target ends the scan
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


def choose_ptm_threshold(scores: FloatArray, labels: npt.NDArray[np.bool_], target: float,
                         prevalence: float = STUDY_PREVALENCE) -> float:
    """The lowest threshold whose precision at `prevalence` reaches `target` (so recall is highest).

    Requires the target to hold at every higher candidate too, so one lucky point does not set it.
    Falls back to the threshold with the best precision when the target is out of reach.
    """
    positives, negatives = max(int(labels.sum()), 1), max(int((~labels).sum()), 1)
    candidates = np.unique(np.round(scores, 4))[::-1]  # high to low
    chosen, best, best_precision = None, float(candidates[0]) if len(candidates) else 0.5, -1.0
    for threshold in candidates:
        decided = scores >= threshold
        recall = float((decided & labels).sum()) / positives
        fpr = float((decided & ~labels).sum()) / negatives
        precision = precision_at_prevalence(recall, fpr, prevalence)
        if recall >= 0.05 and precision > best_precision:
            best, best_precision = float(threshold), precision
        if precision < target and recall >= _STABLE_RECALL:
            break
        if precision >= target:
            chosen = float(threshold)
    return max(min(chosen if chosen is not None else best, 0.99), 0.05)


def choose_category_threshold(top_scores: FloatArray, correct: npt.NDArray[np.bool_], target: float) -> float:
    """The lowest threshold at which the applied categories (score >= threshold) reach `target` precision.

    Scans from the most confident down and stops at the first threshold whose cumulative precision
    drops below target, so the choice is stable rather than the luckiest point.
    """
    order = np.argsort(-top_scores, kind="stable")
    hits = np.cumsum(correct[order])
    counts = np.arange(1, len(order) + 1)
    precision = hits / counts
    chosen = 0.99
    for i, idx in enumerate(order):
        if counts[i] >= 10 and precision[i] < target:
            break
        chosen = float(top_scores[idx])
    return max(min(chosen, 0.99), 1.0 / 7)
