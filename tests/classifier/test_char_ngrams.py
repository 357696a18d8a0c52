from __future__ import annotations

import pickle

import numpy as np

from classifier.char_ngrams import CharNgramVectorizer

TEXTS = ["CUDA out of memory on the GPU", "the model  weights\tdownload fails", "", "a b", "Über naïve café"]


def test_transform_matches_scikit_learn() -> None:
    vectorizer = CharNgramVectorizer((2, 5), min_df=1, max_features=10_000, sublinear_tf=True)
    vectorizer.fit_transform(TEXTS)
    unseen = ["memory of the cuda device", "weights weights weights", "", "zzz"]
    ours = vectorizer.transform(unseen).toarray()
    reference = vectorizer.inner.transform(unseen).toarray()
    assert np.allclose(ours, reference, atol=1e-6)


def test_pickling_forgets_the_word_cache() -> None:
    vectorizer = CharNgramVectorizer((2, 3), min_df=1, max_features=1_000, sublinear_tf=False)
    vectorizer.fit_transform(TEXTS)
    vectorizer.transform(["gpu memory"])
    copy = pickle.loads(pickle.dumps(vectorizer))
    assert copy._cache == {}
    assert np.allclose(copy.transform(["gpu memory"]).toarray(), vectorizer.transform(["gpu memory"]).toarray())
