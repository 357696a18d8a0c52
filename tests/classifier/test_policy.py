"""Targets to thresholds: the operating curve read at a share, and the two tiers."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.policy import BINS, PRESETS, ScoreCurve, Targets, Thresholds, policy_for


def _curve(base_share: float = 0.4) -> ScoreCurve:
    rng = np.random.default_rng(0)
    truth = rng.uniform(size=4000) < base_share
    ptm = np.clip(np.where(truth, rng.beta(5, 2, 4000), rng.beta(2, 5, 4000)), 0, 1)
    top = rng.beta(4, 2, 1600)
    right = rng.uniform(size=1600) < top  # a calibrated category score
    return ScoreCurve.measure(ptm, truth, top, right)


def test_a_higher_target_needs_a_higher_threshold() -> None:
    curve = _curve()
    assert curve.ptm_threshold(0.95, 0.4) > curve.ptm_threshold(0.8, 0.4)
    assert curve.category_threshold(0.93) > curve.category_threshold(0.7)


def test_a_repository_with_fewer_ptm_issues_needs_a_higher_threshold_for_the_same_precision() -> None:
    curve = _curve()
    assert curve.ptm_threshold(0.9, 0.1) > curve.ptm_threshold(0.9, 0.4) > curve.ptm_threshold(0.9, 0.8)


def test_the_threshold_meets_the_target_on_the_curve_it_was_read_from() -> None:
    curve = _curve()
    threshold = curve.ptm_threshold(0.9, 0.4)
    expected = curve.expected(threshold, curve.category_threshold(0.85), 0.4)
    assert expected.ptm_precision >= 0.9
    assert expected.category_precision >= 0.85
    assert 0 < expected.ptm_recall < 1 and 0 < expected.category_coverage < 1


def test_an_unreachable_target_never_passes() -> None:
    rng = np.random.default_rng(1)
    scores = rng.uniform(size=2000)
    truth = rng.uniform(size=2000) < 0.5  # scores say nothing about the truth
    curve = ScoreCurve.measure(scores, truth, scores, truth)
    assert curve.ptm_threshold(0.9, 0.5) > 1.0


def test_the_comment_tier_is_never_looser_than_the_label_tier() -> None:
    curve = _curve()
    loose_comment = Targets(0.5, 0.5)
    policy = policy_for(curve, PRESETS["cautious"].label, loose_comment)
    assert policy.comment.ptm >= policy.label.ptm and policy.comment.category >= policy.label.category


def test_raw_thresholds_override_the_label_tier() -> None:
    policy = policy_for(_curve(), PRESETS["balanced"].label, PRESETS["balanced"].comment,
                        raw=Thresholds(0.42, 0.33))
    assert policy.label == Thresholds(0.42, 0.33)


def test_presets_order_from_cautious_to_eager() -> None:
    cautious, balanced, eager = (PRESETS[name] for name in ("cautious", "balanced", "eager"))
    for tier in ("label", "comment"):
        assert getattr(cautious, tier).ptm_precision > getattr(balanced, tier).ptm_precision \
            > getattr(eager, tier).ptm_precision
    assert balanced.label == Targets(0.90, 0.85)


def test_the_curve_round_trips_through_plain_data() -> None:
    curve = _curve()
    again = ScoreCurve.from_dict(curve.as_dict())
    assert again.ptm_threshold(0.9, 0.3) == curve.ptm_threshold(0.9, 0.3)
    assert len(again.ptm_positive) == BINS


def test_shown_scores_follow_the_share() -> None:
    policy = policy_for(_curve(), PRESETS["balanced"].label, PRESETS["balanced"].comment, share=0.1)
    assert policy.shown(0.5) < 0.5
    assert policy.shown(1.01) == 1.01
    base = policy.base_share
    assert policy.shown(0.5) == pytest.approx(0.5 * 0.1 / base / (0.5 * 0.1 / base + 0.5 * 0.9 / (1 - base)))
