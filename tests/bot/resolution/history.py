"""A synthetic issue history with known shape: PTM-related issues take longer to close."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.store.issue_history import HistoryRow

START = datetime(2024, 1, 1, tzinfo=UTC)
CATEGORIES = ("hardware-resources", "model-usage", "software-environment")


def history(n: int = 300, *, ptm_days: float = 2.5, other_days: float = 1.2, seed: int = 7,
            repo: str = "octo/app") -> list[HistoryRow]:
    """`n` issues: 40% PTM-related with log-normal times around e**ptm_days days, others around e**other_days;
    one in ten still open, one in twenty never classified."""
    rng = random.Random(seed)
    rows = []
    for number in range(1, n + 1):
        roll = rng.random()
        ptm: bool | None = None if roll < 0.05 else roll < 0.45
        category = CATEGORIES[number % len(CATEGORIES)] if ptm else None
        days = rng.lognormvariate(ptm_days if ptm else other_days, 1.0)
        opened = START + timedelta(days=rng.random() * 200)
        closed = rng.random() >= 0.1
        rows.append(HistoryRow(repo, number, opened, opened + timedelta(days=days) if closed else None,
                               "closed" if closed else "open", ptm, category))
    return rows
