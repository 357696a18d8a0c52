"""Measuring a model: on a labeled file, or by repository-grouped cross-validation (no repository's issues
on both sides of a split), against baselines, with the figures split by data source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import GroupKFold

from classifier.lab.dataset import Sample
from classifier.lab.metrics import (
    NO_CATEGORY,
    AppliedFigures,
    BinaryFigures,
    CategoryFigures,
    CommentFigures,
    applied_figures,
    binary_figures,
    category_figures,
    comment_figures,
)
from classifier.lab.train import groups_of
from classifier.model import FloatArray
from classifier.policy import DEFAULT_PRESET, PRESETS, ScoreCurve, Thresholds, policy_for
from classifier.prior import estimate_share
from classifier.schema import Document


class Scorer(Protocol):
    """What evaluation needs of a model: probabilities of both stages and its shipped thresholds."""

    @property
    def thresholds(self) -> Thresholds: ...

    def predict_proba(self, docs: Sequence[Document]) -> tuple[FloatArray, FloatArray]: ...


class PolicyScorer(Scorer, Protocol):
    """A model that ships an out-of-fold curve, so its thresholds follow a repository's share."""

    @property
    def curve(self) -> ScoreCurve | None: ...


_ARRAYS = ("ptm_score", "category_scores", "ptm_threshold", "category_threshold", "comment_ptm_threshold",
           "comment_category_threshold", "share")


@dataclass(frozen=True)
class Outcome:
    """Per-issue scores and the thresholds each issue was judged with (its fold's own)."""

    samples: tuple[Sample, ...]
    ptm_score: FloatArray
    category_scores: FloatArray
    ptm_threshold: FloatArray  # label tier
    category_threshold: FloatArray
    comment_ptm_threshold: FloatArray
    comment_category_threshold: FloatArray
    share: FloatArray  # the estimated share of PTM-related issues of the issue's repository

    def subset(self, keep: npt.NDArray[np.bool_]) -> Outcome:
        idx = np.flatnonzero(keep)
        return Outcome(tuple(self.samples[i] for i in idx), *(getattr(self, name)[idx] for name in _ARRAYS))

    def of_source(self, source: str) -> Outcome:
        return self.subset(np.array([s.source == source for s in self.samples], dtype=bool))


@dataclass(frozen=True)
class Figures:
    issues: int
    ptm: BinaryFigures  # at the shipped threshold
    ptm_at_half: BinaryFigures  # at probability 0.5: the classifier's F1 without the precision bias
    category: CategoryFigures  # on truly PTM-related issues, most likely category
    applied: AppliedFigures  # both thresholds, as the bot would label
    comment: CommentFigures  # the comment tier
    thresholds: tuple[float, float]  # mean (ptm, category) threshold over folds


def score(model: Scorer, samples: Sequence[Sample], *, per_repository: bool = True) -> Outcome:
    """Scores and thresholds; with a curve, each repository's thresholds follow its estimated share.

    The share is estimated from the scores of the repository's issues at hand, as the bot does from the
    issues it has seen (backfill included): labels are never used.
    """
    ptm, categories = model.predict_proba([s.issue.document for s in samples])
    n = len(samples)
    curve: ScoreCurve | None = getattr(model, "curve", None)
    fixed = model.thresholds
    if curve is None:
        label = np.array([[fixed.ptm, fixed.category]] * n).reshape(n, 2)
        return Outcome(tuple(samples), ptm, categories, label[:, 0], label[:, 1], label[:, 0], label[:, 1],
                       np.full(n, 0.5))
    preset = PRESETS[DEFAULT_PRESET]
    columns = np.zeros((n, 5))
    repos = np.array([s.issue.repo for s in samples])
    for repo in dict.fromkeys(repos):
        rows = repos == repo
        share = estimate_share(ptm[rows], curve.base_share).share if per_repository else curve.base_share
        policy = policy_for(curve, preset.label, preset.comment, share)
        columns[rows] = (policy.label.ptm, policy.label.category, policy.comment.ptm, policy.comment.category,
                         share)
    return Outcome(tuple(samples), ptm, categories, *(columns[:, k] for k in range(5)))


def cross_validate(samples: Sequence[Sample], train: Callable[[list[Sample]], Scorer],
                   folds: int = 5, *, per_repository: bool = True) -> Outcome:
    """Every sample scored by a model trained without its repository."""
    parts: list[Outcome] = []
    order: list[int] = []
    splitter = GroupKFold(n_splits=folds)
    for train_idx, test_idx in splitter.split(np.zeros(len(samples)), groups=groups_of(samples)):
        model = train([samples[i] for i in train_idx])
        parts.append(score(model, [samples[i] for i in test_idx], per_repository=per_repository))
        order.extend(int(i) for i in test_idx)
    merged = Outcome(tuple(s for part in parts for s in part.samples),
                     *(np.concatenate([getattr(p, name) for p in parts]) for name in _ARRAYS))
    inverse = np.argsort(np.array(order))  # back to the input order, so runs compare row by row
    return Outcome(tuple(merged.samples[i] for i in inverse), *(getattr(merged, name)[inverse] for name in _ARRAYS))


def figures(outcome: Outcome, slugs: Sequence[str]) -> Figures:
    truth_ptm = np.array([s.issue.ptm for s in outcome.samples], dtype=bool)
    truth_category = np.array([slugs.index(s.issue.category) if s.issue.category else NO_CATEGORY
                               for s in outcome.samples], dtype=np.int64)
    decided = outcome.ptm_score >= outcome.ptm_threshold
    top = outcome.category_scores.argmax(axis=1) if len(outcome.samples) else np.zeros(0, dtype=np.int64)
    top_score = outcome.category_scores.max(axis=1) if len(outcome.samples) else np.zeros(0)
    applied = np.where(decided & (top_score >= outcome.category_threshold), top, NO_CATEGORY)
    on_ptm = truth_ptm
    return Figures(
        issues=len(outcome.samples),
        ptm=binary_figures(decided, truth_ptm),
        ptm_at_half=binary_figures(outcome.ptm_score >= 0.5, truth_ptm),
        category=category_figures(top[on_ptm], truth_category[on_ptm], len(slugs)),
        applied=applied_figures(decided, applied.astype(np.int64), truth_ptm, truth_category),
        comment=comment_figures(decided & (outcome.ptm_score >= outcome.comment_ptm_threshold)
                                & (top_score >= outcome.comment_category_threshold), top, truth_ptm,
                                truth_category),
        thresholds=(float(outcome.ptm_threshold.mean()) if len(outcome.samples) else 0.0,
                    float(outcome.category_threshold.mean()) if len(outcome.samples) else 0.0),
    )
