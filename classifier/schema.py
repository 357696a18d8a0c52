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
    """The model's view of one document, with the thresholds of the policy it was judged under.

    Scores are calibrated probabilities at the repository's share of PTM-related issues (`share`). The
    label tier's thresholds decide the labels; the stricter comment tier's decide the comment. Below the
    label tier the model abstains. Go through the properties below to apply a threshold.
    """

    ptm_score: float
    category_scores: Mapping[str, float]  # slug -> P(category | PTM-related); sums to 1
    ptm_threshold: float
    category_threshold: float
    model_version: str
    ptm_terms: tuple[str, ...] = field(default=())  # terms that pushed towards the PTM decision
    category_terms: tuple[str, ...] = field(default=())  # terms that pushed towards the top category
    comment_ptm_threshold: float = 1.01  # above every score unless a policy sets it
    comment_category_threshold: float = 1.01
    share: float | None = None  # the share of PTM-related issues the scores are calibrated to
    base_ptm_score: float | None = None  # P(PTM-related) at the training mix, before the share adjustment

    @property
    def top_category(self) -> str:
        """The most likely category, whatever the PTM decision."""
        return max(self.category_scores, key=lambda slug: self.category_scores[slug])

    @property
    def tier(self) -> str | None:
        """"comment" when both comment-tier thresholds are met, "label" when the PTM label is, else None."""
        if not self.ptm_related:
            return None
        top = self.category_scores[self.top_category] if self.category_scores else 0.0
        if self.ptm_score >= self.comment_ptm_threshold and top >= self.comment_category_threshold:
            return "comment"
        return "label"

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
