from __future__ import annotations

import numpy as np
import pytest

from classifier.model import softmax
from classifier.thresholds import (
    choose_category_threshold,
    choose_ptm_threshold,
    fit_platt,
    fit_temperature,
    precision_at_prevalence,
)


def test_precision_at_prevalence_reweights_false_alarms() -> None:
    # recall 0.6, 2% false positive rate: 0.06 hits vs 0.018 false alarms per issue
    assert precision_at_prevalence(0.6, 0.02, 0.10) == pytest.approx(0.06 / 0.078)
    assert precision_at_prevalence(0.5, 0.5, 0.5) == pytest.approx(0.5)
    assert precision_at_prevalence(0.0, 0.0) == 0.0


def test_ptm_threshold_is_the_lowest_that_keeps_the_target() -> None:
    rng = np.random.default_rng(0)
    labels = np.array([True] * 200 + [False] * 800)
    scores = np.concatenate([rng.uniform(0.3, 1.0, 200), rng.uniform(0.0, 0.7, 800)])
    threshold = choose_ptm_threshold(scores, labels, target=0.75)
    decided = scores >= threshold
    recall = (decided & labels).sum() / 200
    fpr = (decided & ~labels).sum() / 800
    assert precision_at_prevalence(recall, fpr) >= 0.75
    lower = threshold - 0.05
    assert precision_at_prevalence(((scores >= lower) & labels).sum() / 200,
                                   ((scores >= lower) & ~labels).sum() / 800) < 0.75


def test_unreachable_ptm_target_falls_back_to_the_most_precise_point() -> None:
    labels = np.array([True, False] * 50)
    scores = np.linspace(0, 1, 100)
    assert 0.05 <= choose_ptm_threshold(scores, labels, target=0.99) <= 0.99


def test_category_threshold_stops_where_precision_drops() -> None:
    scores = np.linspace(1.0, 0.2, 100)
    correct = np.array([True] * 60 + [False, True] * 20)
    threshold = choose_category_threshold(scores, correct, target=0.93)
    applied = scores >= threshold
    assert correct[applied].mean() >= 0.93
    assert applied.sum() >= 60


def test_platt_and_temperature_recover_simple_calibrations() -> None:
    rng = np.random.default_rng(1)
    raw = rng.normal(0, 2, 4000)
    labels = rng.uniform(size=4000) < 1 / (1 + np.exp(-(0.5 * raw)))
    scale, shift = fit_platt(raw, labels)
    assert scale == pytest.approx(0.5, abs=0.1) and shift == pytest.approx(0.0, abs=0.15)
    logits = rng.normal(0, 3, (3000, 4))
    probs = softmax(logits / 2.0)
    targets = np.array([rng.choice(4, p=p) for p in probs])
    assert fit_temperature(logits, targets) == pytest.approx(2.0, rel=0.2)
