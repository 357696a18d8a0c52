"""Explanations: the few words that pushed a linear model towards its decision, for people to read.

A linear score is a sum of (feature value x weight); the largest positive terms of that sum are the
explanation. Character n-grams also score, but are not shown: "uda o" explains nothing to a maintainer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

MAX_TERMS = 5


def top_terms(indices: npt.NDArray[np.int32], values: npt.NDArray[np.float32],
              weights: npt.NDArray[np.float32], names: Sequence[str], limit: int = MAX_TERMS) -> tuple[str, ...]:
    """The features of one sparse row (indices, values) that add most to the score under `weights`.

    Pass only features with readable names (see `readable`).
    """
    contributions = values * weights[indices]
    if len(contributions) > 4 * limit:  # only the top few matter: partition before sorting
        top = np.argpartition(-contributions, 4 * limit)[:4 * limit]
        indices, contributions = indices[top], contributions[top]
    terms: list[str] = []
    for i in np.argsort(-contributions, kind="stable"):
        if contributions[i] <= 0 or len(terms) >= limit:
            break
        name = names[indices[i]]
        if name not in terms:
            terms.append(name)
    return tuple(terms)


# Words too general to explain anything on their own, beyond the stop words.
_GENERIC = frozenset((
    # placeholders text normalisation puts in for markup
    "codeblock", "traceback", "path", "screenshot", "urlgithub", "urlhf", "urlother",
    "set", "get", "use", "used", "using", "run", "running", "try", "tried", "make", "made", "work", "works",
    "working", "want", "need", "like", "just", "also", "way", "thing", "things", "able", "new", "issue",
    "problem", "question", "help", "error", "bug", "code", "file", "time", "does", "did", "don", "doesn",
    "thanks", "thank", "please", "hi", "hello", "know", "think", "got", "getting", "seems", "version",
    "following",
))


def _content(word: str) -> bool:
    return len(word) >= 3 and word not in ENGLISH_STOP_WORDS and word not in _GENERIC


def shown_term(name: str) -> bool:
    """Whether a feature makes a useful explanation: words of the issue, not numbers, stop words or
    fragments ("10", "in the", "to set", "of memory"): every word of it must carry content."""
    words = name.split()
    return bool(words) and all(_content(w) and any(c.isalpha() for c in w) for w in words)


def readable(indices: npt.NDArray[np.int32], values: npt.NDArray[np.float32], named: npt.NDArray[np.bool_]
             ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """The entries of a sparse row whose features have a readable name (`named[i]`)."""
    keep = named[indices]
    return indices[keep], values[keep]


def category_direction(weights: npt.NDArray[np.float32], column: int) -> npt.NDArray[np.float32]:
    """Weights of one category relative to the average category: what sets it apart from the others."""
    categories = weights[:, 1:]
    return np.asarray(categories[:, column] - categories.mean(axis=1), dtype=np.float32)
