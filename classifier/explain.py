"""Explanations: the few words that pushed a linear model towards its decision, for people to read.

A linear score is a sum of (feature value x weight); the largest positive terms of that sum are the
explanation. Character n-grams also score, but are not shown: "uda o" explains nothing to a maintainer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

MAX_TERMS = 5


def top_terms(indices: npt.NDArray[np.int32], values: npt.NDArray[np.float32],
              weights: npt.NDArray[np.float32], names: Sequence[str], limit: int = MAX_TERMS) -> tuple[str, ...]:
    """The named features of one sparse row (indices, values) that add most to the score under `weights`."""
    contributions = values * weights[indices]
    order = np.argsort(-contributions, kind="stable")
    terms: list[str] = []
    for i in order:
        if contributions[i] <= 0 or len(terms) >= limit:
            break
        name = names[indices[i]] if indices[i] < len(names) else ""
        if name and name not in terms:
            terms.append(name)
    return tuple(terms)


def category_direction(weights: npt.NDArray[np.float32], column: int) -> npt.NDArray[np.float32]:
    """Weights of one category relative to the average category: what sets it apart from the others."""
    categories = weights[:, 1:]
    return np.asarray(categories[:, column] - categories.mean(axis=1), dtype=np.float32)
