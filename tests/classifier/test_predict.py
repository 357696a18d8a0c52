from __future__ import annotations

from pathlib import Path

import pytest

from classifier.predict import Classifier, bundled_model_dir, load_classifier, load_default
from classifier.schema import Document, Prediction
from classifier.taxonomy import load_taxonomy

OOM = Document("CUDA out of memory when loading the model", "RuntimeError: CUDA out of memory on my GPU")
TYPO = Document("Typo in README", "The README has a spelling mistake in the installation section.")


def test_predictions_carry_scores_thresholds_version_and_terms(model_dir: Path) -> None:
    classifier = load_classifier(model_dir)
    prediction = classifier.predict(OOM)
    assert isinstance(prediction, Prediction)
    assert prediction.model_version == classifier.model_version
    assert set(prediction.category_scores) == set(load_taxonomy().slugs)
    assert abs(sum(prediction.category_scores.values()) - 1.0) < 1e-6
    assert (prediction.ptm_threshold, prediction.category_threshold) == (
        classifier.thresholds.ptm, classifier.thresholds.category)
    assert prediction.ptm_terms and all(isinstance(t, str) and t for t in prediction.ptm_terms)
    assert any("cuda" in t or "memory" in t or "gpu" in t for t in prediction.category_terms)


def test_predict_many_equals_predict_one_by_one(model_dir: Path) -> None:
    classifier = load_classifier(model_dir)
    assert classifier.predict_many([OOM, TYPO]) == [classifier.predict(OOM), classifier.predict(TYPO)]
    assert classifier.predict_many([]) == []


@pytest.mark.parametrize("doc", [Document("", ""), Document("x" * 100_000, "\x00\xff" * 500_000),
                                 Document("\u202e\u0000", "é" * 10)])
def test_odd_documents_get_a_defined_prediction(model_dir: Path, doc: Document) -> None:
    prediction = load_classifier(model_dir).predict(doc)
    assert 0.0 <= prediction.ptm_score <= 1.0


def test_the_bundled_model_loads_verified_and_is_cached() -> None:
    if not (bundled_model_dir() / "model.joblib").exists():
        pytest.fail("the bundled model is missing: run `ptm-triage train` (see classifier/model/MODEL_CARD.md)")
    first = load_default()
    assert isinstance(first, Classifier)
    assert load_default() is first
    assert first.metadata is not None and first.metadata.sha256
    prediction = first.predict(Document("CUDA out of memory when loading the model on my GPU",
                                        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate"))
    assert prediction.ptm_related
    assert prediction.category == "hardware-resources"
