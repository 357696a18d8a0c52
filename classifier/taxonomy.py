"""The challenge taxonomy: the single source of truth for categories, labels and docs links."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class DocLink:
    title: str
    url: str


@dataclass(frozen=True)
class LabelSpec:
    name: str
    color: str  # six hex digits, no '#', as the GitHub labels API expects
    description: str


@dataclass(frozen=True)
class ChecklistItem:
    field: str  # an evidence field name (see classifier/evidence.py)
    ask: str  # how the comment asks the reporter for it


@dataclass(frozen=True)
class ModelFamily:
    name: str
    pattern: str  # case-insensitive regex; a space stands for an optional space, '-' or '_'
    url: str
    join: str = " "  # between name and variant: "Whisper large-v3" but "YOLOv8n"
    hub: str | None = None  # Hub id template ({match}: the text as written) when the name is a Hub id


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    description: str
    label: LabelSpec
    docs: tuple[DocLink, ...]
    checklist: tuple[ChecklistItem, ...] = ()  # what a maintainer needs to know, per detectable piece


@dataclass(frozen=True)
class Taxonomy:
    version: str
    ptm_label: LabelSpec
    categories: tuple[Category, ...]
    model_families: tuple[ModelFamily, ...] = ()
    hub_orgs: frozenset[str] = frozenset()  # lower-cased Hub organisations whose bare "org/name" is a model id

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(c.slug for c in self.categories)

    def get(self, slug: str) -> Category:
        for category in self.categories:
            if category.slug == slug:
                return category
        raise KeyError(f"unknown category {slug!r}; known: {', '.join(self.slugs)}")


def _label(raw: dict[str, str], default_description: str) -> LabelSpec:
    return LabelSpec(
        name=raw["name"], color=raw["color"], description=raw.get("description", default_description)
    )


def parse_taxonomy(raw: dict[str, object]) -> Taxonomy:
    """Build a Taxonomy from its JSON form (see classifier/data/taxonomy.json)."""
    categories = []
    for item in raw["categories"]:  # type: ignore[attr-defined]
        categories.append(
            Category(
                slug=item["slug"],
                name=item["name"],
                description=item["description"],
                label=_label(item["label"], item["description"]),
                docs=tuple(DocLink(d["title"], d["url"]) for d in item["docs"]),
                checklist=tuple(ChecklistItem(c["field"], c["ask"]) for c in item.get("checklist", ())),
            )
        )
    mentions: dict[str, list[Any]] = raw.get("model_mentions", {})  # type: ignore[assignment]
    families = tuple(
        ModelFamily(f["name"], f["pattern"], f["url"], f.get("join", " "), f.get("hub"))
        for f in mentions.get("families", ())
    )
    return Taxonomy(
        version=str(raw["version"]),
        ptm_label=_label(raw["ptm_label"], "Concerns a pre-trained model"),  # type: ignore[arg-type]
        categories=tuple(categories),
        model_families=families,
        hub_orgs=frozenset(org.lower() for org in mentions.get("hub_orgs", ())),
    )


@cache
def load_taxonomy() -> Taxonomy:
    """The bundled taxonomy, read once per process."""
    text = resources.files("classifier").joinpath("data/taxonomy.json").read_text(encoding="utf-8")
    return parse_taxonomy(json.loads(text))
