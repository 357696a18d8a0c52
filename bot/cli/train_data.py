"""What `ptm-triage train` needs of its data before it starts: a message that says what to add instead of
a scikit-learn traceback deep in cross-validation.

Training calibrates on folds grouped by repository (no repository is scored by a model that saw it), so
it needs issues from at least two repositories (and from K with `--cv K`), and both heads need two
classes: PTM-related and unrelated issues, and at least two categories among the PTM-related ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from classifier.lab.dataset import DatasetError, Sample, read_many

MIN_REPOSITORIES = 2  # grouped calibration folds need two repositories


def training_problem(samples: Sequence[Sample], folds: int) -> str | None:
    """None when the samples can train a model with `folds` repository-grouped folds (0: none)."""
    repos = {s.issue.repo for s in samples}
    needed = max(MIN_REPOSITORIES, folds)
    if len(repos) < needed:
        found = f"one repository ({next(iter(repos))})" if len(repos) == 1 else f"{len(repos)} repositories"
        fix = "add labeled issues of more repositories"
        if len(repos) >= MIN_REPOSITORIES:
            fix += f", or pass --cv {len(repos)} or less (--cv 0 skips the model card's figures)"
        return (f"the data has issues from {found}; training needs at least {needed}, because it "
                f"calibrates on folds grouped by repository: {fix}")
    ptm = [s for s in samples if s.issue.ptm]
    if not ptm or len(ptm) == len(samples):
        only = "PTM-related" if ptm else "not PTM-related"
        return (f"every issue in the data is {only} (ptm is {str(bool(ptm)).lower()} on every line); the "
                "model learns to tell the two apart: add labeled issues of the other kind")
    categories = {s.issue.category for s in ptm}
    if len(categories) < 2:
        return (f"every PTM-related issue in the data has the category {next(iter(categories))}; the model "
                "learns to tell categories apart: add PTM-related issues of other categories")
    return None


def check_training_data(paths: Sequence[Path | str], folds: int) -> str | None:
    """The files' problem (unreadable, malformed, or not enough to train on), or None."""
    try:
        samples = read_many(paths)
    except DatasetError as exc:
        return str(exc)
    return training_problem(samples, folds)
