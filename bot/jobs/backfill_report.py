"""The backfill report: counts per category and tier, a sample of each, and how the bot's categories
compare with the labels maintainers already gave. Pure: stored issues and the repository config in, a
JSON-ready mapping out (bot/jobs/backfill_html.py renders it as a page).

Agreement: with a `label_map` in the config (their label -> category), per category how many issues
humans and the bot put there and on how many they agree; without one, a co-occurrence table of their
labels against the bot's categories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.repo_config.model import RepoConfig
from bot.store.backfill import BackfilledIssue

SAMPLE_SIZE = 5  # issues shown per category, tier and outcome
MAX_LABELS = 25  # rows of the co-occurrence table (their most used labels)
NONE = "none"  # the column of issues the bot gives no category
TIERS = ("comment", "label", NONE)


def _sample(issue: BackfilledIssue) -> dict[str, Any]:
    return {
        "number": issue.issue_number, "title": issue.title, "url": issue.html_url, "state": issue.state,
        "outcome": issue.outcome, "why": issue.why, "category": issue.category, "tier": issue.tier,
        "labels": list(issue.labels), "their_labels": list(issue.issue_labels),
        "ptm_score": issue.ptm_score, "category_score": issue.category_score,
    }


def _samples(issues: Iterable[BackfilledIssue], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for issue in issues:
        group = out.setdefault(key_of(issue, key), [])
        if len(group) < SAMPLE_SIZE:
            group.append(_sample(issue))
    return out


def key_of(issue: BackfilledIssue, key: str) -> str:
    value = {"category": issue.category, "tier": issue.tier, "outcome": issue.outcome}[key]
    return value or NONE


def bot_labels(config: RepoConfig) -> frozenset[str]:
    """The labels the bot itself applies (case-folded): not human judgements."""
    names = [config.label_for(slug) for slug in config.categories]
    if config.ptm_label_name:
        names.append(config.ptm_label_name)
    return frozenset(name.casefold() for name in names)


def human_labels(issue: BackfilledIssue, own: frozenset[str]) -> list[str]:
    return [name for name in issue.issue_labels if name.casefold() not in own]


def agreement(issues: Sequence[BackfilledIssue], config: RepoConfig, slugs: Sequence[str]) -> dict[str, Any]:
    own = bot_labels(config)
    label_map = {name.casefold(): slug for name, slug in config.label_map.items()}
    if not label_map:
        return co_occurrence(issues, own, slugs)
    rows = {slug: {"humans": 0, "bot": 0, "both": 0} for slug in slugs}
    judged = agreed = abstained = 0
    for issue in issues:
        theirs = {label_map[n.casefold()] for n in human_labels(issue, own) if n.casefold() in label_map}
        if not theirs:
            continue
        judged += 1
        for slug in theirs:
            rows[slug]["humans"] += 1
        if issue.predicted is None:
            abstained += 1
            continue
        rows[issue.predicted]["bot"] += 1
        if issue.predicted in theirs:
            rows[issue.predicted]["both"] += 1
            agreed += 1
    return {
        "kind": "label_map",
        "label_map": dict(config.label_map),
        "judged": judged,  # issues with at least one mapped label
        "bot_abstained": abstained,
        "agreed": agreed,
        "agreement": None if judged == abstained else agreed / (judged - abstained),
        "categories": {
            slug: {**row, "precision": row["both"] / row["bot"] if row["bot"] else None,
                   "recall": row["both"] / row["humans"] if row["humans"] else None}
            for slug, row in rows.items()
        },
    }


def co_occurrence(issues: Sequence[BackfilledIssue], own: frozenset[str], slugs: Sequence[str]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    cells: dict[str, Counter[str]] = {}
    for issue in issues:
        for name in human_labels(issue, own):
            counts[name] += 1
            cells.setdefault(name, Counter())[issue.predicted or NONE] += 1
    labels = [name for name, _ in counts.most_common(MAX_LABELS)]
    columns = [*slugs, NONE]
    return {
        "kind": "co_occurrence",
        "columns": columns,
        "rows": [{"label": name, "issues": counts[name], "cells": [cells[name][c] for c in columns]}
                 for name in labels],
        "labels_not_shown": max(0, len(counts) - len(labels)),
    }


def build_report(
    repo: str, mode: str, issues: Sequence[BackfilledIssue], config: RepoConfig, *,
    slugs: Sequence[str], finished: bool, generated_at: datetime,
) -> dict[str, Any]:
    categories = [*slugs, NONE]
    table = {c: dict.fromkeys(TIERS, 0) for c in categories}
    for issue in issues:
        table[issue.category if issue.category in table else NONE][issue.tier or NONE] += 1
    return {
        "repository": repo,
        "mode": mode,  # dry-run: nothing was written to GitHub
        "finished": finished,  # False: an interrupted run; run the command again to finish it
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "issues": len(issues),
        "outcomes": dict(Counter(issue.outcome for issue in issues)),
        "reasons": dict(Counter(issue.why for issue in issues).most_common()),
        "tiers": dict(Counter(issue.tier or NONE for issue in issues)),
        "categories": {c: {**row, "total": sum(row.values())} for c, row in table.items()},
        "samples": {
            "category": _samples((i for i in issues if i.category), "category"),
            "tier": _samples((i for i in issues if i.tier), "tier"),
            "outcome": _samples(issues, "outcome"),
        },
        "agreement": agreement(issues, config, slugs),
    }
