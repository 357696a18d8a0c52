from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.features import TOKEN_PATTERN
from classifier.vectorizers import CharNgramVectorizer, WordNgramVectorizer

TEXTS = ["CUDA out of memory on the GPU", "the model  weights\tdownload fails", "", "a b", "Über naïve café",
         "from_pretrained() fails for cuda12.1 and c++ builds", "the model the model the model"]
UNSEEN = ["memory of the cuda device", "weights weights weights", "", "zzz", "The Model from_pretrained fails", "",
          "zzz"]


def _reference(**options: object) -> TfidfVectorizer:
    """scikit-learn's own vectorizer, fitted the same way: the fast transforms must match it."""
    return TfidfVectorizer(min_df=1, max_features=10_000, dtype=np.float32, **options).fit(TEXTS)  # type: ignore[arg-type]


def test_char_transform_matches_scikit_learn() -> None:
    vectorizer = CharNgramVectorizer((2, 5), min_df=1, max_features=10_000, sublinear_tf=True)
    vectorizer.fit_transform(TEXTS)
    reference = _reference(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    assert np.allclose(vectorizer.transform(UNSEEN).toarray(), reference.transform(UNSEEN).toarray(), atol=1e-6)


def test_word_transform_matches_scikit_learn() -> None:
    for ngrams, sublinear in (((1, 2), True), ((1, 1), False), ((2, 2), True)):
        vectorizer = WordNgramVectorizer(TOKEN_PATTERN, ngrams, min_df=1, max_features=10_000,
                                         sublinear_tf=sublinear)
        vectorizer.fit_transform(TEXTS)
        ours = vectorizer.transform(UNSEEN + TEXTS).toarray()
        reference = _reference(token_pattern=TOKEN_PATTERN, ngram_range=ngrams, sublinear_tf=sublinear)
        assert np.allclose(ours, reference.transform(UNSEEN + TEXTS).toarray(), atol=1e-6)
        assert ours.any()


def test_longer_word_ngrams_are_refused() -> None:
    with pytest.raises(ValueError, match="length 1 or 2"):
        WordNgramVectorizer(TOKEN_PATTERN, (1, 3), 1, 100, True)


def test_empty_batches() -> None:
    for vectorizer in (CharNgramVectorizer((2, 3), 1, 100, True), WordNgramVectorizer(TOKEN_PATTERN, (1, 2), 1, 100,
                                                                                       True)):
        vectorizer.fit_transform(TEXTS)
        assert vectorizer.transform([]).shape[0] == 0
        assert vectorizer.transform([""]).nnz == 0


def test_the_plain_state_round_trips_and_forgets_the_word_cache() -> None:
    vectorizer = CharNgramVectorizer((2, 3), min_df=1, max_features=1_000, sublinear_tf=False)
    vectorizer.fit_transform(TEXTS)
    vectorizer.transform(["gpu memory"])
    copy = CharNgramVectorizer.from_state(vectorizer.state())
    assert copy._cache == {}
    words = WordNgramVectorizer(TOKEN_PATTERN, (1, 2), 1, 100, True)
    words.fit_transform(TEXTS)
    assert np.allclose(WordNgramVectorizer.from_state(words.state()).transform(UNSEEN).toarray(),
                       words.transform(UNSEEN).toarray())
    assert np.allclose(copy.transform(["gpu memory"]).toarray(), vectorizer.transform(["gpu memory"]).toarray())


def test_a_full_word_cache_starts_over_and_results_stay_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import classifier.vectorizers as vectorizers

    monkeypatch.setattr(vectorizers, "_CACHE_LIMIT", 3)
    vectorizer = CharNgramVectorizer((2, 4), min_df=1, max_features=10_000, sublinear_tf=True)
    vectorizer.fit_transform(TEXTS)
    ours = vectorizer.transform(UNSEEN).toarray()
    assert len(vectorizer._cache) <= 6
    reference = _reference(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    assert np.allclose(ours, reference.transform(UNSEEN).toarray(), atol=1e-6)
