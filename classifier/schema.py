"""Record types shared by every part of the classifier (and by its callers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """What the classifier sees of an issue: the text the reporter wrote when opening it."""

    title: str
    body: str


@dataclass(frozen=True)
class LabeledIssue:
    """One line of a labeled data file (see ../shared/data/README.md for the full record)."""

    repo: str
    url: str
    title: str
    body: str
    ptm: bool
    category: str | None  # a taxonomy slug when ptm, else None

    @property
    def document(self) -> Document:
        return Document(self.title, self.body)


@dataclass(frozen=True)
class Prediction:
    """The model's view of one document, with the thresholds it shipped with.

    Scores are calibrated probabilities. Below a threshold the model abstains: callers may raise a
    threshold (never lower it) and must go through the properties below to apply one.
    """

    ptm_score: float
    category_scores: Mapping[str, float]  # slug -> P(category | PTM-related); sums to 1
    ptm_threshold: float
    category_threshold: float
    model_version: str
    ptm_terms: tuple[str, ...] = field(default=())  # terms that pushed towards the PTM decision
    category_terms: tuple[str, ...] = field(default=())  # terms that pushed towards the top category

    @property
    def ptm_related(self) -> bool:
        return self.ptm_score >= self.ptm_threshold

    @property
    def category(self) -> str | None:
        """The most likely category when PTM-related, else None."""
        if not self.ptm_related or not self.category_scores:
            return None
        return max(self.category_scores, key=lambda slug: self.category_scores[slug])

    @property
    def category_score(self) -> float | None:
        top = self.category
        return None if top is None else self.category_scores[top]

    @property
    def applied_category(self) -> str | None:
        """The category whose label is applied at the shipped thresholds, or None (abstain)."""
        score = self.category_score
        if score is None or score < self.category_threshold:
            return None
        return self.category
