from __future__ import annotations

from classifier.concepts import concept_tokens


def test_rare_model_names_pool_into_one_token() -> None:
    for name in ("xtts", "SDXL", "whisper", "gguf"):
        assert "t:model-name" in concept_tokens(f"{name} fails", "") or "t:model-artifact" in concept_tokens(
            f"{name} fails", "")


def test_title_and_body_concepts_are_kept_apart() -> None:
    tokens = concept_tokens("Button misaligned", "CUDA out of memory on the GPU").split()
    assert "t:interface" in tokens and "b:hardware" in tokens
    assert "b:interface" not in tokens and "t:hardware" not in tokens


def test_length_tokens_flag_near_empty_reports() -> None:
    assert "len:near-empty" in concept_tokens("Bug", "")
    long = concept_tokens("Bug", "word " * 300).split()
    assert "len:near-empty" not in long and "len:8" in long


def test_no_concepts_for_unrelated_words() -> None:
    assert concept_tokens("hello", "some words here and there").split() == ["len:2"]
