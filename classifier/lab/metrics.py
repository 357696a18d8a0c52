"""Quality figures from predictions and truth: pure functions over arrays, no model involved."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from classifier.lab.calibration import STUDY_PREVALENCE, precision_at_prevalence

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
NO_CATEGORY = -1


@dataclass(frozen=True)
class BinaryFigures:
    precision: float
    recall: float
    f1: float
    false_positive_rate: float
    precision_at_prevalence: float  # reweighted to STUDY_PREVALENCE


@dataclass(frozen=True)
class ClassFigures:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class CategoryFigures:
    macro_f1: float
    accuracy: float
    per_class: tuple[ClassFigures, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: true category, columns: predicted


@dataclass(frozen=True)
class AppliedFigures:
    """What the bot would do at the shipped thresholds, counted issue by issue."""

    ptm_issues: int
    other_issues: int
    matches: int  # PTM issue, right category label applied
    mismatches: int  # PTM issue, wrong category label applied
    abstentions: int  # PTM issue, no category label (below a threshold)
    false_alarms: int  # unrelated issue that got a category label
    ptm_label_only: int  # unrelated issue that got the PTM label but no category label

    @property
    def applied(self) -> int:
        return self.matches + self.mismatches + self.false_alarms

    @property
    def precision(self) -> float:
        return self.matches / self.applied if self.applied else 0.0

    @property
    def coverage(self) -> float:
        """Share of PTM issues that got a category label (right or wrong)."""
        return (self.matches + self.mismatches) / self.ptm_issues if self.ptm_issues else 0.0


@dataclass(frozen=True)
class CommentFigures:
    """The comment tier: issues the bot would comment on, and whether the category it names is right."""

    ptm_issues: int
    commented: int
    right: int  # PTM-related issue, right category

    @property
    def precision(self) -> float:
        return self.right / self.commented if self.commented else 0.0

    @property
    def coverage(self) -> float:
        return self.right / self.ptm_issues if self.ptm_issues else 0.0


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def binary_figures(decided: BoolArray, truth: BoolArray,
                   prevalence: float = STUDY_PREVALENCE) -> BinaryFigures:
    true_pos = float((decided & truth).sum())
    precision = _ratio(true_pos, float(decided.sum()))
    recall = _ratio(true_pos, float(truth.sum()))
    fpr = _ratio(float((decided & ~truth).sum()), float((~truth).sum()))
    return BinaryFigures(precision, recall, _f1(precision, recall), fpr,
                         precision_at_prevalence(recall, fpr, prevalence))


def category_figures(predicted: IntArray, truth: IntArray, n_classes: int) -> CategoryFigures:
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        confusion[t, p] += 1
    per_class = []
    for k in range(n_classes):
        hits = float(confusion[k, k])
        precision = _ratio(hits, float(confusion[:, k].sum()))
        recall = _ratio(hits, float(confusion[k, :].sum()))
        per_class.append(ClassFigures(precision, recall, _f1(precision, recall), int(confusion[k, :].sum())))
    present = [c.f1 for c in per_class if c.support > 0]
    return CategoryFigures(
        macro_f1=float(np.mean(present)) if present else 0.0,
        accuracy=_ratio(float(np.trace(confusion)), float(confusion.sum())),
        per_class=tuple(per_class),
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
    )


def applied_figures(ptm_decided: BoolArray, applied: IntArray, truth_ptm: BoolArray,
                    truth_category: IntArray) -> AppliedFigures:
    """`applied` holds the applied category index per issue, NO_CATEGORY where the bot abstains."""
    labeled = applied != NO_CATEGORY
    return AppliedFigures(
        ptm_issues=int(truth_ptm.sum()),
        other_issues=int((~truth_ptm).sum()),
        matches=int((truth_ptm & labeled & (applied == truth_category)).sum()),
        mismatches=int((truth_ptm & labeled & (applied != truth_category)).sum()),
        abstentions=int((truth_ptm & ~labeled).sum()),
        false_alarms=int((~truth_ptm & labeled).sum()),
        ptm_label_only=int((~truth_ptm & ptm_decided & ~labeled).sum()),
    )


def comment_figures(commented: BoolArray, top: IntArray, truth_ptm: BoolArray, truth_category: IntArray
                    ) -> CommentFigures:
    return CommentFigures(ptm_issues=int(truth_ptm.sum()), commented=int(commented.sum()),
                          right=int((commented & truth_ptm & (top == truth_category)).sum()))
