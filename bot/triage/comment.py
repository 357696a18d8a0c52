"""The one comment the bot posts on a triaged issue. Pure rendering, no I/O.

The parts, each of which a repository may turn off (`comment:` in its config): a one-line summary, links to
the cards of the models the issue names, a task list of the information still missing, similar earlier
issues, the category's docs in a collapsed block, and a last line saying how to correct the label.

The hidden MARKER makes the comment findable, so reprocessing edits it instead of posting again. Anything
that came from an issue's text is neutralised (bot/triage/markdown.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.repo_config.model import RepoConfig
from bot.store.similar import SimilarLink
from bot.triage.markdown import MAX_TERM_CHARS, link, model_name, neutralise, plain
from classifier.evidence import Evidence, detect_evidence
from classifier.mentions import ModelMention, find_models
from classifier.schema import Prediction
from classifier.taxonomy import Category, ChecklistItem

MARKER = "<!-- ptm-triage:triage -->"
MAX_COMMENT_CHARS = 6000  # GitHub allows 65536; a helpful comment is short
MAX_INTRO_CHARS = 1500
MAX_TERMS = 5
MAX_DOCS = 6
MAX_MODELS = 5
MAX_ASKS = 6
MAX_SIMILAR = 3
MAX_TITLE_CHARS = 80  # of an earlier issue's title in a link

__all__ = ["MARKER", "CommentFacts", "comment_facts", "missing_items", "neutralise", "render_comment"]


@dataclass(frozen=True)
class CommentFacts:
    """What the comment says about this issue beyond its category. `evidence` None: nothing is known,
    so the whole checklist is asked."""

    models: tuple[ModelMention, ...] = ()
    evidence: Evidence | None = None
    similar: tuple[SimilarLink, ...] = ()


def comment_facts(title: str, body: str, similar: Sequence[SimilarLink] = ()) -> CommentFacts:
    """The models the issue names and the information it gives, from its text (pure), plus `similar`."""
    return CommentFacts(find_models(title, body), detect_evidence(title, body), tuple(similar))


def missing_items(category: Category, evidence: Evidence | None) -> tuple[ChecklistItem, ...]:
    """The category's checklist items the issue does not answer, in checklist order."""
    return tuple(item for item in category.checklist if evidence is None or not evidence.has(item.field))


def _lower_first(text: str) -> str:
    """"Loading, ..." -> "loading, ..." but "GPU/CUDA ..." stays as is."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _terms(prediction: Prediction) -> list[str]:
    seen: dict[str, None] = {}
    for term in (*prediction.category_terms, *prediction.ptm_terms):
        cleaned = plain(term, MAX_TERM_CHARS)
        if cleaned and cleaned.casefold() not in (t.casefold() for t in seen):
            seen[cleaned] = None
        if len(seen) >= MAX_TERMS:
            break
    return [f"“{neutralise(term)}”" for term in seen]


def _summary(category: Category, config: RepoConfig, label: str) -> list[str]:
    if config.comment.intro:
        return [config.comment.intro.strip()[:MAX_INTRO_CHARS]]
    return [
        f"Thanks for the report! This looks like a **{category.name}** issue about a pre-trained model "
        f"({_lower_first(category.description).rstrip('.')}), so I added the label **{label}**."
    ]


def _models(models: Sequence[ModelMention]) -> list[str]:
    links = [link(model_name(m.id_or_name), m.url) for m in models[:MAX_MODELS]]
    shown = [item for item in links if item is not None]
    return [f"**Model cards:** {', '.join(shown)}"] if shown else []


def _checklist(missing: Sequence[ChecklistItem]) -> list[str]:
    if not missing:  # nothing is missing: say nothing
        return []
    asks = [f"- [ ] {item.ask}" for item in missing[:MAX_ASKS]]
    return ["**To help a maintainer answer, please add:**", *asks]


def _state(issue: SimilarLink) -> str:
    if issue.state != "closed":
        return "open"
    return "closed, answered" if issue.has_answer else "closed"


def _similar(repo: str, similar: Sequence[SimilarLink], across: bool) -> list[str]:
    lines = []
    for issue in [s for s in similar if across or s.repo == repo][:MAX_SIMILAR]:
        title = neutralise(issue.title, MAX_TITLE_CHARS) or "(no title)"
        item = link(title, issue.url)
        if item is None:
            continue
        where = "" if issue.repo == repo else f" in {neutralise(issue.repo, 100)}"
        lines.append(f"- {item}{where} ({_state(issue)})")
    return ["**Similar earlier issues:**", *lines] if lines else []


def _docs(category: Category, config: RepoConfig, slug: str) -> list[str]:
    settings = config.categories.get(slug)
    docs = settings.docs if settings is not None and settings.docs else category.docs
    links = [link(neutralise(doc.title or doc.url, 80), doc.url) for doc in docs[:MAX_DOCS]]
    shown = [f"- {item}" for item in links if item is not None]
    if not shown:
        return []
    # A blank line after <summary> lets GitHub render the markdown list inside the block.
    return ["<details><summary>Docs that often help here</summary>", "", *shown, "", "</details>"]


def _footer(config: RepoConfig, prediction: Prediction, label: str) -> list[str]:
    terms = _terms(prediction)
    why = f"Terms that weighed most: {', '.join(terms)}. " if terms else ""
    correction = ""
    if config.comment.correction:
        correction = (
            f" Wrong label? Remove **{label}** (and add the right one if you like): "
            "the bot records the correction and will not add it again."
        )
    model = neutralise(prediction.model_version, 40)
    return [f"<sub>{why}Labeled automatically by ptm-triage (model {model}).{correction}</sub>"]


def render_comment(
    category: Category,
    config: RepoConfig,
    prediction: Prediction,
    slug: str,
    facts: CommentFacts | None = None,
    repo: str = "",
) -> str:
    """The comment body for an issue labeled with `slug` (`category` is its taxonomy entry) in `repo`."""
    facts = facts if facts is not None else CommentFacts()
    part = config.comment
    label = neutralise(config.label_for(slug) if slug in config.categories else category.label.name, 60)
    sections = [
        _summary(category, config, label) if part.summary else [],
        _models(facts.models) if part.models else [],
        _checklist(missing_items(category, facts.evidence)) if part.checklist else [],
        _similar(repo, facts.similar, part.similar_across_repositories) if part.similar else [],
        _docs(category, config, slug) if part.docs else [],
        _footer(config, prediction, label),
    ]
    lines = [MARKER]
    for section in sections:
        if section:
            lines += [*section, ""]
    body = "\n".join(lines).rstrip("\n")
    if len(body) > MAX_COMMENT_CHARS:
        body = body[: MAX_COMMENT_CHARS - 1] + "…"
    return body
