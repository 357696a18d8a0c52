"""The operating policy: from precision targets a maintainer understands to score thresholds.

The model ships a `ScoreCurve`: histograms of its out-of-fold scores on natural issues (what maintainers
receive), split by the truth. From it, for any share of PTM-related issues, follow the precision and the
coverage every threshold would give, and so the lowest threshold that still meets a precision target.
There are two tiers: a label needs its tier's targets met; a comment, louder, needs stricter ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classifier.prior import adjust

BINS = 100  # score histogram resolution: thresholds are multiples of 0.01
_MIN_DECISIONS = 20  # held-out issues a threshold must pass before its precision is believed either way


@dataclass(frozen=True)
class Targets:
    """Precision a tier must reach: of its PTM-related decisions, and of the categories it applies."""

    ptm_precision: float
    category_precision: float


@dataclass(frozen=True)
class Preset:
    label: Targets
    comment: Targets


PRESETS: Mapping[str, Preset] = {
    "cautious": Preset(label=Targets(0.95, 0.93), comment=Targets(0.97, 0.95)),
    "balanced": Preset(label=Targets(0.90, 0.85), comment=Targets(0.95, 0.93)),
    "eager": Preset(label=Targets(0.80, 0.70), comment=Targets(0.90, 0.85)),
}
DEFAULT_PRESET = "balanced"


@dataclass(frozen=True)
class Thresholds:
    """Score thresholds of one tier, on probabilities at the repository's share."""

    ptm: float
    category: float


@dataclass(frozen=True)
class Expected:
    """What a setting should give, read off the out-of-fold curve."""

    ptm_precision: float
    ptm_recall: float
    category_precision: float
    category_coverage: float  # share of PTM-related issues whose category clears the threshold


@dataclass(frozen=True)
class ScoreCurve:
    """Out-of-fold score histograms (BINS bins over [0, 1]) and the share they were measured at."""

    base_share: float
    ptm_positive: tuple[float, ...] = field(default=(1.0,) * BINS)  # PTM scores of PTM-related issues
    ptm_negative: tuple[float, ...] = field(default=(1.0,) * BINS)  # ... of other issues
    category_right: tuple[float, ...] = field(default=(1.0,) * BINS)  # top category score, when right
    category_wrong: tuple[float, ...] = field(default=(1.0,) * BINS)  # ... when wrong

    @classmethod
    def measure(cls, ptm_scores: np.ndarray, truth: np.ndarray, top_scores: np.ndarray,
                top_right: np.ndarray) -> ScoreCurve:
        """From out-of-fold scores: PTM scores with the truth, and top category scores of PTM-related issues."""
        return cls(
            base_share=float(np.mean(truth)) if len(truth) else 0.5,
            ptm_positive=_histogram(ptm_scores[truth]), ptm_negative=_histogram(ptm_scores[~truth]),
            category_right=_histogram(top_scores[top_right]), category_wrong=_histogram(top_scores[~top_right]),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"base_share": self.base_share, "ptm_positive": list(self.ptm_positive),
                "ptm_negative": list(self.ptm_negative), "category_right": list(self.category_right),
                "category_wrong": list(self.category_wrong)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreCurve:
        return cls(float(data["base_share"]), *(tuple(float(v) for v in data[key]) for key in
                                                 ("ptm_positive", "ptm_negative", "category_right", "category_wrong")))

    def ptm_at(self, share: float) -> tuple[np.ndarray, np.ndarray]:
        """(precision, recall) of the PTM decision at each bin's lower edge as threshold, at `share`."""
        return _curve(self.ptm_positive, self.ptm_negative, share, self.base_share)

    def category_at(self) -> tuple[np.ndarray, np.ndarray]:
        """(precision, coverage) of the applied category at each bin's lower edge as threshold."""
        right, wrong = np.asarray(self.category_right), np.asarray(self.category_wrong)
        return _curve(tuple(right), tuple(wrong), float(right.sum() / max(right.sum() + wrong.sum(), 1e-12)),
                      None)

    def ptm_threshold(self, target: float, share: float) -> float:
        """The lowest threshold (on the base-share scale) whose PTM precision at `share` meets `target`."""
        precision, _ = self.ptm_at(share)
        return _lowest_meeting(precision, _passing(self.ptm_positive, self.ptm_negative), target)

    def category_threshold(self, target: float) -> float:
        precision, _ = self.category_at()
        return _lowest_meeting(precision, _passing(self.category_right, self.category_wrong), target)

    def expected(self, ptm_threshold: float, category_threshold: float, share: float) -> Expected:
        ptm_p, ptm_r = self.ptm_at(share)
        cat_p, cat_c = self.category_at()
        i, j = _bin(ptm_threshold), _bin(category_threshold)
        return Expected(*(float(v) if np.isfinite(v) else 0.0 for v in (ptm_p[i], ptm_r[i], cat_p[j], cat_c[j])))


@dataclass(frozen=True)
class Policy:
    """Thresholds of both tiers at one share, on the base-share probability scale the model outputs."""

    label: Thresholds
    comment: Thresholds
    share: float
    base_share: float

    def shown(self, score: float) -> float:
        """A PTM probability or threshold at the repository's share, as a maintainer should read it."""
        return score if score > 1.0 else adjust(score, self.base_share, self.share)


def policy_for(curve: ScoreCurve, label: Targets, comment: Targets, share: float | None = None,
               raw: Thresholds | None = None) -> Policy:
    """Thresholds meeting the targets at `share` (default: the training mix); `raw` overrides the label tier."""
    share = curve.base_share if share is None else share
    label_thresholds = raw or Thresholds(curve.ptm_threshold(label.ptm_precision, share),
                                         curve.category_threshold(label.category_precision))
    comment_thresholds = Thresholds(
        max(curve.ptm_threshold(comment.ptm_precision, share), label_thresholds.ptm),
        max(curve.category_threshold(comment.category_precision), label_thresholds.category))
    return Policy(label_thresholds, comment_thresholds, share, curve.base_share)


def _histogram(scores: np.ndarray) -> tuple[float, ...]:
    counts, _ = np.histogram(np.clip(scores, 0.0, 1.0), bins=BINS, range=(0.0, 1.0))
    return tuple(float(c) for c in counts)


def _bin(threshold: float) -> int:
    return int(min(max(round(threshold * BINS), 0), BINS))


def _curve(positive: Sequence[float], negative: Sequence[float], share: float, base: float | None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall at every threshold edge 0, 1/BINS, ..., 1 (index BINS: nothing passes).

    With `base`, the negatives and positives are reweighted from the measured mix to `share`.
    """
    pos = np.concatenate([np.cumsum(np.asarray(positive)[::-1])[::-1], [0.0]])
    neg = np.concatenate([np.cumsum(np.asarray(negative)[::-1])[::-1], [0.0]])
    recall = pos / max(pos[0], 1e-12)
    fpr = neg / max(neg[0], 1e-12)
    weight = share if base is not None else pos[0] / max(pos[0] + neg[0], 1e-12)
    hits, misses = weight * recall, (1.0 - weight) * fpr
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(hits + misses > 0, hits / (hits + misses), np.nan)
    return precision, recall


def _passing(positive: Sequence[float], negative: Sequence[float]) -> np.ndarray:
    """How many held-out issues pass each threshold edge (both classes, as measured)."""
    counts = np.asarray(positive) + np.asarray(negative)
    return np.concatenate([np.cumsum(counts[::-1])[::-1], [0.0]])


def _lowest_meeting(precision: np.ndarray, passing: np.ndarray, target: float) -> float:
    """The lowest edge from which every higher believable edge meets `target`; 1.01 when none does.

    An edge is believed once enough held-out issues pass it: above that, a handful of issues would let
    one lucky or unlucky bin decide."""
    chosen = BINS + 1  # above every score: never passes
    for i in range(BINS - 1, -1, -1):
        if passing[i] < _MIN_DECISIONS or not np.isfinite(precision[i]):
            continue
        if precision[i] < target:
            break
        chosen = i
    return min(chosen / BINS, 1.01)
