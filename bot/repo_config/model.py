"""Per-repository configuration (`.github/ptm-triage.yml`): the typed model, its defaults, and the pure
path from YAML text to a RepoConfig.

Every key has a default, so an absent file means "the defaults". Text goes through the hostile-input
checks of bot/repo_config/safe_yaml.py, then the shipped JSON Schema (bot/repo_config/schema.py), then cross-key checks
here. Fetching files, `_extends` chains and caching are bot/repo_config/loader.py's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from bot.repo_config.safe_yaml import InvalidConfig, load_mapping
from bot.repo_config.schema import schema_errors
from classifier.taxonomy import DocLink, Taxonomy, load_taxonomy

__all__ = [
    "CONFIG_PATH",
    "CategoryConfig",
    "CommentConfig",
    "InvalidConfig",
    "RepoConfig",
    "Triggers",
    "build_config",
    "default_config",
    "merge_documents",
    "parse_config",
    "read_document",
]

CONFIG_PATH = ".github/ptm-triage.yml"
MAX_LABEL_CHARS = 50  # GitHub's limit on a label name


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
    # The comment's parts, each of which a repository may turn off.
    summary: bool = True
    models: bool = True
    checklist: bool = True
    similar: bool = True
    docs: bool = True
    correction: bool = True
    # Similar issues of the owner's other public repositories too (never a private repository's).
    similar_across_repositories: bool = False


@dataclass(frozen=True)
class Triggers:
    opened: bool = True
    reopened: bool = True
    edited_within_minutes: int = 0  # 0: edits never trigger; N: edits within N minutes of opening do


@dataclass(frozen=True)
class PrecisionTargets:
    """Explicit precision targets; None keeps the preset's."""

    ptm: float | None = None
    category: float | None = None
    comment_ptm: float | None = None
    comment_category: float | None = None


@dataclass(frozen=True)
class RepoConfig:
    enabled: bool = True
    ptm_label: str | None = None  # None: no PTM label, only category labels
    ptm_label_color: str = "5319e7"
    ptm_label_description: str = "Concerns a pre-trained model"
    label_prefix: str = ""  # prepended to every label the bot applies
    categories: Mapping[str, CategoryConfig] = field(default_factory=lambda: MappingProxyType({}))
    policy: str = "balanced"  # a preset of classifier.policy.PRESETS: cautious, balanced or eager
    precision: PrecisionTargets = field(default_factory=PrecisionTargets)
    ptm_threshold: float | None = None  # expert: a raw score threshold of the label tier, in either direction
    category_threshold: float | None = None
    comment: CommentConfig = field(default_factory=CommentConfig)
    dry_run: bool = False
    skip_bots: bool = True
    skip_authors: tuple[str, ...] = ()
    skip_labels: tuple[str, ...] = ()
    triggers: Triggers = field(default_factory=Triggers)
    # The repository's own labels -> category slugs: what `ptm-triage backfill` compares the bot with.
    label_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

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


def read_document(text: str) -> dict[str, Any]:
    """YAML text -> a schema-valid mapping (possibly with `_extends`); raises InvalidConfig."""
    data = load_mapping(text)
    errors = schema_errors(data)
    if errors:
        raise InvalidConfig(errors)
    return data


def merge_documents(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` on top of `base`: mappings merge key by key, anything else (lists too) is replaced."""
    merged = dict(base)
    for key, value in override.items():
        below = merged.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_documents(below, value)
        else:
            merged[key] = value
    return merged


def parse_config(text: str, taxonomy: Taxonomy | None = None) -> RepoConfig | list[str]:
    """One file on its own (an `_extends` key is accepted but not followed): a RepoConfig or the errors."""
    try:
        return build_config(read_document(text), taxonomy)
    except InvalidConfig as exc:
        return list(exc.errors)


def build_config(data: Mapping[str, Any], taxonomy: Taxonomy | None = None) -> RepoConfig:
    """A schema-valid mapping (already merged) -> RepoConfig; raises InvalidConfig on cross-key problems."""
    base = default_config(taxonomy)
    comment = _section(data.get("comment", {}))
    triggers = _section(data.get("triggers", {}))
    thresholds = _section(data.get("thresholds", {}))
    ptm = data.get("ptm_label", base.ptm_label)
    ptm_spec: Mapping[str, Any] = _section(ptm) if isinstance(ptm, Mapping) else {"name": ptm or None}
    config = replace(
        base,
        enabled=data.get("enabled", base.enabled),
        ptm_label=ptm_spec.get("name", base.ptm_label),
        ptm_label_color=_color(ptm_spec.get("color", base.ptm_label_color)),
        ptm_label_description=ptm_spec.get("description", base.ptm_label_description),
        label_prefix=data.get("label_prefix", ""),
        categories=MappingProxyType(
            {
                slug: _category(default, data.get("categories", {}).get(slug, True))
                for slug, default in base.categories.items()
            }
        ),
        policy=data.get("policy", base.policy),
        precision=PrecisionTargets(**{key: _number(value) for key, value in
                                      _section(data.get("precision", {})).items()}),
        ptm_threshold=_number(thresholds.get("ptm")),
        category_threshold=_number(thresholds.get("category")),
        comment=_comment(comment),
        dry_run=data.get("dry_run", False),
        skip_bots=data.get("skip_bots", True),
        skip_authors=tuple(data.get("skip_authors", ())),
        skip_labels=tuple(data.get("skip_labels", ())),
        triggers=Triggers(
            opened=triggers.get("opened", True),
            reopened=triggers.get("reopened", True),
            edited_within_minutes=int(triggers.get("edited_within_minutes", 0)),
        ),
        label_map=MappingProxyType({str(k): str(v) for k, v in data.get("label_map", {}).items()}),
    )
    errors = _label_errors(config)
    if errors:
        raise InvalidConfig(errors)
    return config


def _section(value: object) -> Mapping[str, Any]:
    """A section that may be written as true/false (shorthand for `enabled`) or as a mapping."""
    if isinstance(value, bool):
        return {"enabled": value}
    return value if isinstance(value, Mapping) else {}


def _category(default: CategoryConfig, value: object) -> CategoryConfig:
    spec = _section(value)
    extra = tuple(DocLink(str(d["title"]), str(d["url"])) for d in spec.get("docs", ()))
    known = {link.url for link in default.docs}
    return CategoryConfig(
        label=spec.get("label", default.label),
        color=_color(spec.get("color", default.color)),
        description=spec.get("description", default.description),
        enabled=spec.get("enabled", True),
        docs=default.docs + tuple(dict.fromkeys(link for link in extra if link.url not in known)),
    )


def _comment(spec: Mapping[str, Any]) -> CommentConfig:
    similar = _section(spec.get("similar", True))
    return CommentConfig(
        enabled=spec.get("enabled", True),
        intro=spec.get("intro"),
        delete_on_reject=spec.get("delete_on_reject", False),
        summary=spec.get("summary", True),
        models=spec.get("models", True),
        checklist=spec.get("checklist", True),
        similar=similar.get("enabled", True),
        docs=spec.get("docs", True),
        correction=spec.get("correction", True),
        similar_across_repositories=similar.get("across_repositories", False),
    )


def _color(value: str) -> str:
    return value.removeprefix("#").lower()


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _label_errors(config: RepoConfig) -> list[str]:
    """Problems only visible across keys: over-long names after the prefix, two uses of one label."""
    errors: list[str] = []
    owners: dict[str, str] = {}
    names = [("ptm_label", config.ptm_label_name)] + [
        (f"categories.{slug}.label", config.label_for(slug))
        for slug, category in config.categories.items()
        if category.enabled
    ]
    for key, name in names:
        if name is None:
            continue
        if len(name) > MAX_LABEL_CHARS:
            errors.append(
                f"{key}: with label_prefix the label is {len(name)} characters "
                f"(\"{name[:20]}...\"); GitHub allows at most {MAX_LABEL_CHARS}"
            )
        other = owners.setdefault(name.casefold(), key)
        if other != key:
            errors.append(f'{key}: "{name}" is also the label of {other}; each needs its own label')
    return errors


COMMENT_PARTS = ("summary", "models", "checklist", "similar", "docs", "correction")
