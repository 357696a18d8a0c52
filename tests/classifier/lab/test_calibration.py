from __future__ import annotations

import numpy as np
import pytest

from classifier.lab.calibration import fit_platt, fit_temperature, precision_at_prevalence
from classifier.model import softmax


def test_precision_at_prevalence_reweights_false_alarms() -> None:
    # recall 0.6, 2% false positive rate: 0.06 hits vs 0.018 false alarms per issue
    assert precision_at_prevalence(0.6, 0.02, 0.10) == pytest.approx(0.06 / 0.078)
    assert precision_at_prevalence(0.5, 0.5, 0.5) == pytest.approx(0.5)
    assert precision_at_prevalence(0.0, 0.0) == 0.0


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
