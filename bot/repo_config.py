"""Per-repository configuration (`.github/ptm-triage.yml`): the typed model and its defaults.

Parsing, merging (`_extends`, org fallback) and validation against the shipped JSON Schema build on these
types; every key has a default so an absent file means "the defaults".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from classifier.taxonomy import DocLink, Taxonomy, load_taxonomy


@dataclass(frozen=True)
class CategoryConfig:
    label: str
    color: str
    description: str
    enabled: bool = True
    docs: tuple[DocLink, ...] = ()  # the taxonomy's links followed by the repository's own


@dataclass(frozen=True)
class CommentConfig:
    enabled: bool = True
    intro: str | None = None  # replaces the default first paragraph
    delete_on_reject: bool = False  # delete the comment when a maintainer removes the bot's label


@dataclass(frozen=True)
class Triggers:
    opened: bool = True
    reopened: bool = True
    edited_within_minutes: int = 0  # 0: edits never trigger; N: edits within N minutes of opening do


@dataclass(frozen=True)
class RepoConfig:
    enabled: bool = True
    ptm_label: str | None = None  # None: no PTM label, only category labels
    ptm_label_color: str = "5319e7"
    ptm_label_description: str = "Concerns a pre-trained model"
    label_prefix: str = ""  # prepended to every label the bot applies
    categories: Mapping[str, CategoryConfig] = field(default_factory=lambda: MappingProxyType({}))
    ptm_threshold: float | None = None  # None: the model's; a value may only raise it
    category_threshold: float | None = None
    comment: CommentConfig = field(default_factory=CommentConfig)
    dry_run: bool = False
    skip_bots: bool = True
    skip_authors: tuple[str, ...] = ()
    skip_labels: tuple[str, ...] = ()
    triggers: Triggers = field(default_factory=Triggers)

    def label_for(self, slug: str) -> str:
        return self.label_prefix + self.categories[slug].label

    @property
    def ptm_label_name(self) -> str | None:
        return None if not self.ptm_label else self.label_prefix + self.ptm_label


def default_config(taxonomy: Taxonomy | None = None) -> RepoConfig:
    """The configuration of a repository without `.github/ptm-triage.yml`."""
    taxonomy = taxonomy or load_taxonomy()
    categories = {
        c.slug: CategoryConfig(
            label=c.label.name, color=c.label.color, description=c.label.description, docs=c.docs
        )
        for c in taxonomy.categories
    }
    return RepoConfig(
        ptm_label=taxonomy.ptm_label.name,
        ptm_label_color=taxonomy.ptm_label.color,
        ptm_label_description=taxonomy.ptm_label.description,
        categories=MappingProxyType(categories),
    )
