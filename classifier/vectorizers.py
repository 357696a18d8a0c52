"""TF-IDF vectorizers with scikit-learn's fit and a faster transform giving the same matrix (tested).

scikit-learn counts n-grams in a per-feature Python loop (`_count_vocab`), ~0.5 ms for a 2 KB issue body
with character n-grams. Here, character n-grams within words ("char_wb") are looked up once per distinct
word and remembered; word n-grams are looked up with one list comprehension; counting, tf, idf and the L2
norm run in numpy over the whole batch.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

_CACHE_LIMIT = 200_000  # distinct words remembered; replaced by an empty cache when full


@dataclass(frozen=True)
class TfidfState:
    """What transforming needs of a fitted TfidfVectorizer, as plain data (same attribute names)."""

    vocabulary_: dict[str, int]
    idf_: npt.NDArray[np.float32]
    ngram_range: tuple[int, int]
    sublinear_tf: bool
    token_pattern: str | None = None

    @classmethod
    def of(cls, fitted: TfidfVectorizer) -> TfidfState:
        vocabulary = {str(term): int(index) for term, index in sorted(fitted.vocabulary_.items(),
                                                                       key=lambda item: item[1])}
        return cls(vocabulary, np.asarray(fitted.idf_, dtype=np.float32), tuple(fitted.ngram_range),
                   bool(fitted.sublinear_tf), fitted.token_pattern if fitted.analyzer == "word" else None)

    def get_feature_names_out(self) -> npt.NDArray[np.str_]:
        return np.asarray(list(self.vocabulary_), dtype=object)

    def as_dict(self) -> dict[str, Any]:
        return {"terms": list(self.vocabulary_), "idf": self.idf_, "ngram_range": list(self.ngram_range),
                "sublinear_tf": self.sublinear_tf, "token_pattern": self.token_pattern}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TfidfState:
        terms = [str(term) for term in data["terms"]]
        low, high = (int(n) for n in data["ngram_range"])
        return cls({term: i for i, term in enumerate(terms)}, np.asarray(data["idf"], dtype=np.float32),
                   (low, high), bool(data["sublinear_tf"]), data["token_pattern"])


def _tfidf(inner: TfidfState, doc_of: npt.NDArray[np.int64], columns: npt.NDArray[np.int32],
           counts: npt.NDArray[np.float32], n_docs: int) -> sp.csr_matrix:
    """The TF-IDF matrix from (document, feature, count) triples, as `inner.transform` would compute it."""
    n_features = len(inner.idf_)
    matrix = sp.csr_matrix((counts, (doc_of, columns)), shape=(n_docs, n_features), dtype=np.float32)
    matrix.sum_duplicates()
    data = matrix.data
    if inner.sublinear_tf:
        np.log(data, data)
        data += 1.0
    data *= inner.idf_[matrix.indices]
    row_lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(n_docs), row_lengths)
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_docs))
    data /= np.maximum(norms, 1e-12)[rows].astype(np.float32)
    return matrix


class _Fast:
    """Shared fit and state: scikit-learn fits, then only plain data (TfidfState) is kept."""

    inner: TfidfVectorizer | TfidfState

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        assert isinstance(self.inner, TfidfVectorizer), "already fitted"
        matrix = self.inner.fit_transform(texts)
        self.inner = TfidfState.of(self.inner)
        self._reset()
        return matrix

    def get_feature_names_out(self) -> npt.NDArray[np.str_]:
        return np.asarray(self.inner.get_feature_names_out())

    def state(self) -> dict[str, Any]:
        assert isinstance(self.inner, TfidfState), "not fitted"
        return self.inner.as_dict()

    def _restore(self, state: dict[str, Any]) -> None:
        self.inner = TfidfState.from_dict(state)
        self._reset()

    def _reset(self) -> None:
        """Rebuild derived lookups after fit or unpickling."""


class CharNgramVectorizer(_Fast):
    """TF-IDF over char_wb n-grams, transformed word by word with a cache."""

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CharNgramVectorizer:
        vectorizer = cls.__new__(cls)
        vectorizer._restore(state)
        return vectorizer

    def __init__(self, ngram_range: tuple[int, int], min_df: int, max_features: int, sublinear_tf: bool) -> None:
        self.inner = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, min_df=min_df,
                                     max_features=max_features, sublinear_tf=sublinear_tf, dtype=np.float32)
        self._cache: dict[str, npt.NDArray[np.int32]] = {}

    def _reset(self) -> None:
        self._cache = {}

    def _word_features(self, word: str) -> npt.NDArray[np.int32]:
        """Feature indices of one word's n-grams (sklearn's `_char_wb_ngrams` for a single word)."""
        lookup = self.inner.vocabulary_.get
        low, high = self.inner.ngram_range
        padded = f" {word} "
        size = len(padded)
        found: list[int | None] = []
        for n in range(low, high + 1):
            if size <= n:  # a short word counts once, whole
                found.append(lookup(padded))
                break
            found += [lookup(padded[i:i + n]) for i in range(size - n + 1)]
        return np.array([f for f in found if f is not None], dtype=np.int32)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        columns: list[npt.NDArray[np.int32]] = []
        counts: list[int] = []
        words_per_doc: list[int] = []
        cache = self._cache
        for text in texts:
            words = Counter(text.lower().split())
            missing = set(words).difference(cache)  # O(words): set.difference has a fast path for a dict
            if missing:
                if len(cache) + len(missing) > _CACHE_LIMIT:  # keeps memory bounded in a long-lived process
                    # A new dict, not clear(): another thread may be reading the old one right now.
                    self._cache = cache = {}
                    missing = set(words)
                for word in missing:
                    cache[word] = self._word_features(word)
            columns.extend(map(cache.__getitem__, words))  # map: the loop runs in C
            counts.extend(words.values())
            words_per_doc.append(len(words))
        if not columns:
            return sp.csr_matrix((len(texts), len(self.inner.idf_)), dtype=np.float32)
        lengths = np.fromiter((len(c) for c in columns), dtype=np.int64, count=len(columns))
        doc_of_word = np.repeat(np.arange(len(texts)), words_per_doc)
        return _tfidf(self.inner, np.repeat(doc_of_word, lengths), np.concatenate(columns),
                      np.repeat(np.array(counts, dtype=np.float32), lengths), len(texts))


class WordNgramVectorizer(_Fast):
    """TF-IDF over word uni- and bigrams (scikit-learn's "word" analyzer, no stop words).

    Tokens become integer ids with one dict lookup each; bigrams are then found with numpy (a sorted array of
    id pairs) instead of building and hashing a joined string per pair.
    """

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> WordNgramVectorizer:
        vectorizer = cls.__new__(cls)
        vectorizer._restore(state)
        return vectorizer

    def __init__(self, token_pattern: str, ngram_range: tuple[int, int], min_df: int, max_features: int,
                 sublinear_tf: bool) -> None:
        if not 1 <= ngram_range[0] <= ngram_range[1] <= 2:
            raise ValueError("word n-grams of length 1 or 2 only")
        self.inner = TfidfVectorizer(token_pattern=token_pattern, ngram_range=ngram_range, min_df=min_df,
                                     max_features=max_features, sublinear_tf=sublinear_tf, dtype=np.float32)
        self._reset()

    def _reset(self) -> None:
        vocabulary: dict[str, int] = getattr(self.inner, "vocabulary_", {})
        tokens: dict[str, int] = {}
        for gram in vocabulary:
            for token in gram.split(" "):
                tokens.setdefault(token, len(tokens))
        self._tokens = tokens
        self._unigram = np.full(len(tokens) + 1, -1, dtype=np.int64)  # last slot: unknown token
        pairs: list[tuple[int, int]] = []
        for gram, feature in vocabulary.items():
            parts = gram.split(" ")
            if len(parts) == 1:
                self._unigram[tokens[gram]] = feature
            else:
                pairs.append((tokens[parts[0]] * len(tokens) + tokens[parts[1]], feature))
        pairs.sort()
        self._pair_keys = np.array([key for key, _ in pairs], dtype=np.int64)
        self._pair_features = np.array([feature for _, feature in pairs], dtype=np.int64)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        low, high = self.inner.ngram_range
        pattern = self.inner.token_pattern
        assert isinstance(pattern, str), "a word vectorizer has a token pattern"
        tokenize = re.compile(pattern).findall
        unknown = len(self._tokens)
        lookup = self._tokens.get
        ids: list[int] = []
        lengths: list[int] = []
        for text in texts:
            tokens = tokenize(text.lower())
            ids.extend(map(lookup, tokens, repeat(unknown, len(tokens))))  # map: the loop runs in C
            lengths.append(len(tokens))
        id_array = np.array(ids, dtype=np.int64)
        doc_of = np.repeat(np.arange(len(texts)), lengths)
        docs: list[npt.NDArray[np.int64]] = []
        columns: list[npt.NDArray[np.int64]] = []
        if low == 1:
            features = self._unigram[id_array]
            known = features >= 0
            docs.append(doc_of[known])
            columns.append(features[known])
        if high == 2 and len(id_array) > 1 and len(self._pair_keys):
            left, right = id_array[:-1], id_array[1:]
            valid = (doc_of[:-1] == doc_of[1:]) & (left != unknown) & (right != unknown)
            keys = left[valid] * unknown + right[valid]
            where = np.minimum(np.searchsorted(self._pair_keys, keys), len(self._pair_keys) - 1)
            hit = self._pair_keys[where] == keys
            docs.append(doc_of[:-1][valid][hit])
            columns.append(self._pair_features[where[hit]])
        doc_all = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        column_all = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        return _tfidf(self.inner, doc_all, column_all.astype(np.int32), np.ones(len(column_all), dtype=np.float32),
                      len(texts))
