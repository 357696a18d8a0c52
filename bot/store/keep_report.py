"""How many of the labels the bot applied did maintainers keep (`ptm-triage report`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, union

from bot.store.tables import decisions, feedback, issue_history, label_removals, triaged_issues

ALL = "(all)"  # the overall row's name


@dataclass(frozen=True)
class KeepStats:
    """Of the labels the bot applied, how many did maintainers keep? Plus the feedback by kind."""

    repo: str  # "(all)" for the overall row
    applied: int
    kept: int
    confirmed: int = 0
    corrected: int = 0
    rejected: int = 0

    @property
    def keep_rate(self) -> float | None:
        return None if self.applied == 0 else self.kept / self.applied


def keep_report(engine: Engine, repo: str | None = None) -> list[KeepStats]:
    """Per repository (sorted), then one "(all)" row: labels applied, kept, feedback by kind."""
    with engine.connect() as conn:
        issues = conn.execute(select(triaged_issues)).mappings().all()
        removals = {
            (r.repo, r.issue_number, r.label)
            for r in conn.execute(select(label_removals)).all()
        }
        kinds = conn.execute(select(feedback.c.repo, feedback.c.kind)).all()
    per_repo: dict[str, dict[str, int]] = {}
    for row in issues:
        if repo is not None and row["repo"] != repo:
            continue
        counts = per_repo.setdefault(row["repo"], _zero_counts())
        for label in row["labels"]:
            counts["applied"] += 1
            if (row["repo"], row["issue_number"], label.casefold()) not in removals:
                counts["kept"] += 1
    for feedback_repo, kind in kinds:
        if (repo is None or feedback_repo == repo) and kind in ("confirmed", "corrected", "rejected"):
            per_repo.setdefault(feedback_repo, _zero_counts())[kind] += 1
    rows = [KeepStats(name, **counts) for name, counts in sorted(per_repo.items())]
    total = _zero_counts()
    for stats in rows:
        for key in total:
            total[key] += getattr(stats, key)
    return [*rows, KeepStats(ALL, **total)]


def _zero_counts() -> dict[str, int]:
    return {"applied": 0, "kept": 0, "confirmed": 0, "corrected": 0, "rejected": 0}


def known_repositories(engine: Engine) -> list[str]:
    """Every repository the store holds a decision or an issue of, sorted."""
    query = union(select(decisions.c.repo), select(issue_history.c.repo))
    with engine.connect() as conn:
        return sorted(str(repo) for repo in conn.execute(query).scalars())
