from __future__ import annotations

import re

from classifier.taxonomy import load_taxonomy


def test_seven_categories_with_unique_slugs_and_label_names() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.categories) == 7
    assert len(set(taxonomy.slugs)) == 7
    names = [c.label.name.casefold() for c in taxonomy.categories] + [taxonomy.ptm_label.name.casefold()]
    assert len(set(names)) == len(names)


def test_label_colors_are_six_hex_digits_and_docs_are_https() -> None:
    taxonomy = load_taxonomy()
    for label in [taxonomy.ptm_label, *(c.label for c in taxonomy.categories)]:
        assert re.fullmatch(r"[0-9a-fA-F]{6}", label.color), label
        assert 0 < len(label.name) <= 50
    for category in taxonomy.categories:
        assert category.docs and category.checklist
        for doc in category.docs:
            assert doc.url.startswith("https://"), doc


def test_the_model_and_taxonomy_agree_on_the_categories(tiny_model) -> None:  # type: ignore[no-untyped-def]
    assert tiny_model.slugs == load_taxonomy().slugs
