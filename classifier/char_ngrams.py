"""Character n-grams within words (scikit-learn's "char_wb"), transformed fast.

scikit-learn counts every n-gram of every word in Python, which costs ~0.5 ms for a 2 KB issue body.
Within-word n-grams depend only on the word, so this looks each distinct word up once (and remembers it),
then counts with numpy. Fitting is scikit-learn's own; transform gives the same matrix (tested).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

_WHITESPACE = re.compile(r"\s\s+")
_CACHE_LIMIT = 200_000  # distinct words remembered; cleared when full so memory stays bounded
_EMPTY = np.zeros(0, dtype=np.int32)


class CharNgramVectorizer:
    """TF-IDF over char_wb n-grams with scikit-learn's fit and a per-word cached transform."""

    def __init__(self, ngram_range: tuple[int, int], min_df: int, max_features: int, sublinear_tf: bool) -> None:
        self.inner = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, min_df=min_df,
                                     max_features=max_features, sublinear_tf=sublinear_tf, dtype=np.float32)
        self._cache: dict[str, npt.NDArray[np.int32]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"inner": self.inner}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.inner = state["inner"]
        self._cache = {}

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        matrix = self.inner.fit_transform(texts)
        self.inner.stop_words_ = None  # the pruned vocabulary: large, and not needed to transform
        return matrix

    def get_feature_names_out(self) -> npt.NDArray[np.str_]:
        return np.asarray(self.inner.get_feature_names_out())

    def _word_features(self, word: str) -> npt.NDArray[np.int32]:
        found = self._cache.get(word)
        if found is None:
            vocabulary = self.inner.vocabulary_
            analyze = self.inner.build_analyzer()
            found = np.array([vocabulary[g] for g in analyze(word) if g in vocabulary], dtype=np.int32)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = found if len(found) else _EMPTY
        return found

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        inner = self.inner
        columns: list[npt.NDArray[np.int32]] = []
        counts: list[int] = []
        lengths: list[int] = []
        rows = np.zeros(len(texts) + 1, dtype=np.int64)
        for i, text in enumerate(texts):
            words = Counter(_WHITESPACE.sub(" ", text).lower().split())
            for word, count in words.items():
                found = self._word_features(word)
                columns.append(found)
                counts.append(count)
                lengths.append(len(found))
            rows[i + 1] = len(lengths)
        n_features = len(inner.idf_)
        if not columns:
            return sp.csr_matrix((len(texts), n_features), dtype=np.float32)
        per_word = np.repeat(np.arange(len(lengths)), lengths)
        doc_of_word = np.repeat(np.arange(len(texts)), np.diff(rows))
        data = np.repeat(np.array(counts, dtype=np.float32), lengths)
        matrix = sp.csr_matrix((data, (doc_of_word[per_word], np.concatenate(columns))),
                               shape=(len(texts), n_features), dtype=np.float32)
        matrix.sum_duplicates()
        if inner.sublinear_tf:
            np.log(matrix.data, matrix.data)
            matrix.data += 1.0
        matrix = matrix @ sp.diags(inner.idf_.astype(np.float32))
        return normalize(matrix.tocsr(), norm="l2", copy=False)
