"""The operating policy of one repository: its config's precision targets at its own share of PTM issues.

Pure: the handler passes in what the store knows (the scores of the repository's recent issues) and gets
back the thresholds to judge the next issue with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.repo_config.model import RepoConfig
from classifier.policy import PRESETS, Policy, ScoreCurve, Targets, Thresholds
from classifier.prior import ShareEstimate, estimate_share

RECENT_ISSUES = 500  # scores the share estimate reads: a repository's mix drifts, recent issues tell it


class PolicySource(Protocol):
    """What the classifier offers the policy: its out-of-fold curve and thresholds for targets."""

    @property
    def curve(self) -> ScoreCurve: ...

    def policy(self, label: Targets | None = None, comment: Targets | None = None, share: float | None = None,
               raw: Thresholds | None = None) -> Policy: ...


def targets(config: RepoConfig) -> tuple[Targets, Targets]:
    """(label tier, comment tier) targets: the preset's, with any explicit precision from the config."""
    preset = PRESETS[config.policy]
    given = config.precision
    label = Targets(given.ptm or preset.label.ptm_precision, given.category or preset.label.category_precision)
    comment = Targets(given.comment_ptm or preset.comment.ptm_precision,
                      given.comment_category or preset.comment.category_precision)
    return label, comment


def raw_thresholds(config: RepoConfig, source: PolicySource, share: float | None) -> Thresholds | None:
    """Expert score thresholds from the config, completed from the targets where only one is given."""
    if config.ptm_threshold is None and config.category_threshold is None:
        return None
    label, comment = targets(config)
    computed = source.policy(label, comment, share).label
    return Thresholds(computed.ptm if config.ptm_threshold is None else config.ptm_threshold,
                      computed.category if config.category_threshold is None else config.category_threshold)


def repository_share(source: PolicySource, recent_scores: Sequence[float]) -> ShareEstimate:
    """The repository's estimated share of PTM-related issues, from the scores of its recent issues."""
    return estimate_share(recent_scores[:RECENT_ISSUES], source.curve.base_share)


def describe_share(share: ShareEstimate) -> str:
    """The estimate as a maintainer reads it, e.g. "62% PTM-related (from 140 issues: its own issues)"."""
    basis = "its own issues" if share.settled else "mostly the training mix"
    return f"{share.share:.0%} PTM-related (from {share.issues} issues: {basis})"


def repository_policy(source: PolicySource, config: RepoConfig, share: float | None) -> Policy:
    label, comment = targets(config)
    return source.policy(label, comment, share, raw_thresholds(config, source, share))
