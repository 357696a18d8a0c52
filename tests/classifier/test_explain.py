from __future__ import annotations

import numpy as np

from classifier.explain import category_direction, readable, shown_term, top_terms

NAMES = ["gpu", "the", "", "cuda memory", "in the", "cuda"]


def test_only_named_non_stop_word_features_are_shown() -> None:
    assert [shown_term(n) for n in NAMES] == [True, False, False, True, False, True]


def test_numbers_and_fragments_are_not_explanations() -> None:
    assert [shown_term(n) for n in ("10", "set", "to set", "v2 10", "of memory", "cuda out",
                                    "tokenizer chat_template", "cuda")] == [
        False, False, False, False, False, False, True, True]


def test_top_terms_follow_the_contributions_and_skip_negative_ones() -> None:
    named = np.array([shown_term(n) for n in NAMES])
    indices = np.array([0, 1, 2, 3, 5], dtype=np.int32)
    values = np.array([0.5, 0.9, 0.9, 0.2, 0.4], dtype=np.float32)
    weights = np.array([1.0, 5.0, 5.0, 4.0, -1.0, -2.0], dtype=np.float32)
    kept_indices, kept_values = readable(indices, values, named)
    assert list(kept_indices) == [0, 3, 5]
    assert top_terms(kept_indices, kept_values, weights, NAMES) == ("cuda memory", "gpu")
    assert top_terms(kept_indices, kept_values, weights, NAMES, limit=1) == ("cuda memory",)


def test_category_direction_is_relative_to_the_other_categories() -> None:
    weights = np.array([[9.0, 1.0, 3.0], [0.0, 2.0, 2.0]], dtype=np.float32)  # column 0 is the PTM head
    assert list(category_direction(weights, 0)) == [-1.0, 0.0]
    assert list(category_direction(weights, 1)) == [1.0, 0.0]
