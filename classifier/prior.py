"""A repository's own mix: estimating its share of PTM-related issues and adjusting probabilities to it.

The model's probabilities are calibrated on the natural mix it was trained on (`base` share of PTM-related
issues). A general app with one model feature receives far fewer such issues, a thin wrapper around a model
far more. Saerens, Latinne & Decaestecker ("Adjusting the outputs of a classifier to new a priori
probabilities", Neural Computation 2002) give the correction and an EM estimate of the new share from
unlabelled scores alone. With few issues that estimate is noisy, so it is shrunk toward `base` by a
Beta prior worth `pseudo_count` issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PSEUDO_COUNT = 20.0  # issues' worth of belief in the training mix; a repository's own issues outweigh it soon
MIN_SHARE, MAX_SHARE = 0.02, 0.98  # a share of exactly 0 or 1 would make every later score certain
_MAX_ITERATIONS = 200
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ShareEstimate:
    """A repository's estimated share of PTM-related issues, and how many issues it rests on."""

    share: float
    issues: int
    base: float  # the training mix it was shrunk toward

    @property
    def settled(self) -> bool:
        """Whether the repository's own issues outweigh the training mix in the estimate."""
        return self.issues >= PSEUDO_COUNT


def _clip(share: float) -> float:
    return min(max(share, MIN_SHARE), MAX_SHARE)


def adjust(probability: float, base: float, share: float) -> float:
    """P(PTM-related) at `share`, from a probability calibrated at `base` (Saerens et al., eq. 2.4)."""
    if share == base:
        return probability
    base, share = _clip(base), _clip(share)
    up = probability * share / base
    down = (1.0 - probability) * (1.0 - share) / (1.0 - base)
    return up / (up + down) if up + down > 0 else probability


def adjust_many(probabilities: np.ndarray, base: float, share: float) -> np.ndarray:
    base, share = _clip(base), _clip(share)
    up = probabilities * (share / base)
    down = (1.0 - probabilities) * ((1.0 - share) / (1.0 - base))
    return np.asarray(up / np.maximum(up + down, 1e-300), dtype=np.float64)


def estimate_share(probabilities: Sequence[float] | np.ndarray, base: float,
                   pseudo_count: float = PSEUDO_COUNT) -> ShareEstimate:
    """The share of PTM-related issues that best explains these probabilities (EM, MAP under a Beta prior)."""
    scores = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-6, 1.0 - 1e-6)
    base = _clip(base)
    share = base
    for _ in range(_MAX_ITERATIONS):
        posterior = adjust_many(scores, base, share)
        updated = _clip((float(posterior.sum()) + pseudo_count * base) / (len(scores) + pseudo_count))
        if abs(updated - share) < _TOLERANCE:
            share = updated
            break
        share = updated
    return ShareEstimate(share=share, issues=len(scores), base=base)
