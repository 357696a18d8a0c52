"""The per-repository share estimate (EM prior adjustment, shrunk toward the training mix) and the policy
it feeds, on simulated streams of the bundled model's own out-of-fold scores."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.policy import BINS, PRESETS, policy_for
from classifier.predict import load_default
from classifier.prior import PSEUDO_COUNT, adjust, adjust_many, estimate_share


def test_adjust_is_the_identity_at_the_base_share_and_moves_with_the_share() -> None:
    assert adjust(0.7, 0.4, 0.4) == 0.7
    assert adjust(0.7, 0.4, 0.1) < 0.7 < adjust(0.7, 0.4, 0.8)
    assert adjust(0.5, 0.5, 0.2) == pytest.approx(0.2)
    assert adjust_many(np.array([0.5]), 0.5, 0.2)[0] == pytest.approx(0.2)


def test_with_no_issues_the_estimate_is_the_training_mix() -> None:
    estimate = estimate_share([], base=0.37)
    assert estimate.share == pytest.approx(0.37)
    assert estimate.issues == 0 and not estimate.settled


def test_few_issues_are_shrunk_toward_the_training_mix() -> None:
    confident = [0.99] * 5
    few = estimate_share(confident, base=0.37).share
    many = estimate_share(confident * 100, base=0.37).share
    assert 0.37 < few < many
    assert many > 0.9


def _stream(share: float, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n issues of a repository with this share, scored as the bundled model scored held-out natural issues."""
    curve = load_default().curve
    positive, negative = np.asarray(curve.ptm_positive), np.asarray(curve.ptm_negative)
    truth = rng.uniform(size=n) < share
    bins = np.where(truth, rng.choice(BINS, size=n, p=positive / positive.sum()),
                    rng.choice(BINS, size=n, p=negative / negative.sum()))
    return (bins + rng.uniform(size=n)) / BINS, truth


@pytest.mark.parametrize("share", [0.10, 0.40, 0.80])
def test_the_estimate_finds_a_repository_share_within_ten_points_after_200_issues(share: float) -> None:
    rng = np.random.default_rng(int(share * 100))
    errors = []
    for _ in range(20):
        scores, _ = _stream(share, 200, rng)
        errors.append(abs(estimate_share(scores, load_default().curve.base_share).share - share))
    assert np.median(errors) <= 0.10
    assert np.mean(np.array(errors) <= 0.10) >= 0.8


@pytest.mark.parametrize("share", [0.10, 0.40, 0.80])
def test_precision_holds_at_the_label_target_at_the_estimated_share(share: float) -> None:
    classifier = load_default()
    curve = classifier.curve
    preset = PRESETS["balanced"]
    rng = np.random.default_rng(7 + int(share * 100))
    hits = decided = 0
    for _ in range(20):
        scores, truth = _stream(share, 200, rng)
        estimate = estimate_share(scores, curve.base_share)
        threshold = policy_for(curve, preset.label, preset.comment, estimate.share).label.ptm
        passed = scores >= threshold
        hits += int((passed & truth).sum())
        decided += int(passed.sum())
    # 4,000 simulated issues: the target within two standard errors of a binomial proportion.
    assert decided > 0
    precision = hits / decided
    assert precision >= preset.label.ptm_precision - 2 * np.sqrt(0.9 * 0.1 / decided)


def test_a_repository_outweighs_the_training_mix_after_the_pseudo_count() -> None:
    assert estimate_share([0.5] * int(PSEUDO_COUNT), base=0.37).settled
