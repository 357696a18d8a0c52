from __future__ import annotations

from pathlib import Path

import pytest

from classifier.lab.dataset import Sample
from classifier.lab.train import fit
from classifier.model import TwoStageModel
from classifier.model_store import save
from tests.classifier.corpus import TINY_CONFIG, samples


@pytest.fixture(scope="session")
def tiny_samples() -> list[Sample]:
    return samples()


@pytest.fixture(scope="session")
def tiny_model(tiny_samples: list[Sample]) -> TwoStageModel:
    return fit(tiny_samples, TINY_CONFIG)


@pytest.fixture
def model_dir(tiny_model: TwoStageModel, tmp_path: Path) -> Path:
    directory = tmp_path / "model"
    save(tiny_model, directory, taxonomy_version="1", data_digest="0" * 64, metrics={"ptm_f1": 1.0})
    return directory
