from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from classifier.lab.dataset import Sample
from classifier.lab.train import fit
from classifier.model import TwoStageModel
from classifier.model_store import save
from classifier.schema import Document
from tests.classifier.corpus import TINY_CONFIG


def test_training_is_deterministic(tiny_samples: list[Sample], tiny_model: TwoStageModel) -> None:
    again = fit(tiny_samples, TINY_CONFIG)
    assert np.array_equal(again.weights, tiny_model.weights)
    assert np.array_equal(again.intercepts, tiny_model.intercepts)
    assert again.thresholds == tiny_model.thresholds
    assert again.calibration == tiny_model.calibration
    assert again.model_version == tiny_model.model_version


def test_training_twice_gives_the_same_artifact_bytes(tiny_samples: list[Sample], tmp_path: Path) -> None:
    first = save(fit(tiny_samples, TINY_CONFIG), tmp_path / "a", taxonomy_version="1", data_digest="d", metrics={})
    second = save(fit(tiny_samples, TINY_CONFIG), tmp_path / "b", taxonomy_version="1", data_digest="d", metrics={})
    assert first.sha256 == second.sha256


def test_model_version_changes_with_the_data(tiny_samples: list[Sample], tiny_model: TwoStageModel) -> None:
    assert fit(tiny_samples[1:], TINY_CONFIG).model_version != tiny_model.model_version


def test_learns_the_tiny_corpus(tiny_model: TwoStageModel) -> None:
    ptm, categories = tiny_model.predict_proba([
        Document("CUDA out of memory on my GPU", "RuntimeError: CUDA out of memory with 8GB of VRAM"),
        Document("Typo in the README", "The README has a spelling mistake in the installation section."),
    ])
    assert ptm[0] > 0.5 > ptm[1]
    assert tiny_model.slugs[int(categories[0].argmax())] == "hardware-resources"
    assert np.allclose(categories.sum(axis=1), 1.0)


def test_thresholds_are_probabilities_or_never(tiny_model: TwoStageModel) -> None:
    # 1.01 is above every probability: with too few held-out issues to believe a precision, never apply.
    assert 0.0 <= tiny_model.thresholds.ptm <= 1.0
    assert 0.0 <= tiny_model.thresholds.category <= 1.01
    assert tiny_model.curve is not None and sum(tiny_model.curve.category_right) < 30
    assert tiny_model.thresholds.category == 1.01


def test_training_needs_both_classes(tiny_samples: list[Sample]) -> None:
    with pytest.raises(ValueError, match="both"):
        fit([s for s in tiny_samples if s.issue.ptm], TINY_CONFIG)


def test_uncalibrated_config_keeps_fixed_thresholds(tiny_samples: list[Sample]) -> None:
    model = fit(tiny_samples, replace(TINY_CONFIG, calibrate=False, inner_folds=0))
    assert (model.thresholds.ptm, model.thresholds.category) == (0.5, 0.0)


def test_ptm_head_keeps_only_the_selected_features(tiny_samples: list[Sample]) -> None:
    config = replace(TINY_CONFIG, title_model=0.0)  # the title model adds weights of its own (tested below)
    everything = fit(tiny_samples, config)
    selected = fit(tiny_samples, replace(config, ptm_features=40))
    assert 0 < np.count_nonzero(selected.weights[:, 0]) <= 40
    assert np.count_nonzero(everything.weights[:, 0]) > 40  # the tiny config keeps them all
    assert np.array_equal(selected.weights[:, 1:], everything.weights[:, 1:])  # the category head is untouched


def test_title_model_adds_weights_to_title_features_only(tiny_samples: list[Sample]) -> None:
    without = fit(tiny_samples, replace(TINY_CONFIG, title_model=0.0, ptm_features=40))
    with_title = fit(tiny_samples, replace(TINY_CONFIG, title_model=0.5, ptm_features=40))
    names = [name for name, _, _, _ in with_title.features.blocks]
    assert "title-chars" in names and "title-chars" not in [name for name, _, _, _ in without.features.blocks]
    title = with_title.features.title_model_mask() > 0
    chars = with_title.features.block_mask(("title-chars",)) > 0
    assert np.count_nonzero(with_title.weights[title, 0]) > 0
    assert np.count_nonzero(with_title.weights[~title, 0]) <= 40  # outside the title: the selected features
    assert not with_title.weights[chars, 1:].any()  # the category head does not read the title model's block
