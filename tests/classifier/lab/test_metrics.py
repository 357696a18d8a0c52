from __future__ import annotations

import numpy as np
import pytest

from classifier.lab.metrics import NO_CATEGORY, applied_figures, binary_figures, category_figures


def test_binary_figures() -> None:
    decided = np.array([True, True, False, False, True])
    truth = np.array([True, False, True, False, True])
    f = binary_figures(decided, truth)
    assert f.precision == pytest.approx(2 / 3)
    assert f.recall == pytest.approx(2 / 3)
    assert f.f1 == pytest.approx(2 / 3)
    assert f.false_positive_rate == pytest.approx(0.5)


def test_category_figures_and_confusion() -> None:
    truth = np.array([0, 0, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 0])
    f = category_figures(predicted, truth, 3)
    assert f.confusion == ((1, 1, 0), (0, 2, 0), (1, 0, 0))
    assert f.per_class[1].precision == pytest.approx(2 / 3)
    assert f.per_class[2].f1 == 0.0
    assert f.accuracy == pytest.approx(3 / 5)


def test_applied_figures_count_each_outcome() -> None:
    truth_ptm = np.array([True, True, True, False, False, False])
    truth_category = np.array([0, 1, 2, NO_CATEGORY, NO_CATEGORY, NO_CATEGORY])
    decided = np.array([True, True, False, True, True, False])
    applied = np.array([0, 2, NO_CATEGORY, 1, NO_CATEGORY, NO_CATEGORY])
    f = applied_figures(decided, applied, truth_ptm, truth_category)
    assert (f.matches, f.mismatches, f.abstentions, f.false_alarms, f.ptm_label_only) == (1, 1, 1, 1, 1)
    assert f.precision == pytest.approx(1 / 3)
    assert f.coverage == pytest.approx(2 / 3)
