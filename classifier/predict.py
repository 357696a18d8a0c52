"""Prediction: the loaded model behind the `Classifier` every caller uses (the bot, the CLI, benchmarks)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import numpy as np

from classifier.explain import category_direction, readable, shown_term, top_terms
from classifier.model import FloatArray, TwoStageModel
from classifier.model_store import ModelMetadata, load
from classifier.policy import DEFAULT_PRESET, PRESETS, Policy, ScoreCurve, Targets, Thresholds, policy_for
from classifier.schema import Document, Prediction


def bundled_model_dir() -> Path:
    """Where the shipped model lives: classifier/model/ inside the installed package."""
    return Path(str(resources.files("classifier").joinpath("model")))


class Classifier:
    """Scores documents with a loaded model; thread-safe for concurrent predict calls."""

    def __init__(self, model: TwoStageModel, metadata: ModelMetadata | None = None) -> None:
        self.model = model
        self.metadata = metadata
        self._ptm_direction = np.ascontiguousarray(model.weights[:, 0])
        self._named = np.array([shown_term(name) for name in model.feature_names], dtype=bool)
        self._category_directions = [np.ascontiguousarray(category_direction(model.weights, k))
                                     for k in range(len(model.slugs))]

    @property
    def model_version(self) -> str:
        return self.model.model_version

    @property
    def thresholds(self) -> Thresholds:
        return self.model.thresholds

    @property
    def curve(self) -> ScoreCurve:
        """The out-of-fold curve the policy reads; a model trained without one gets its fixed thresholds."""
        if self.model.curve is not None:
            return self.model.curve
        return ScoreCurve(base_share=0.5)

    def policy(self, label: Targets | None = None, comment: Targets | None = None, share: float | None = None,
               raw: Thresholds | None = None) -> Policy:
        """The thresholds of both tiers for these targets (default: the balanced preset) at `share`."""
        preset = PRESETS[DEFAULT_PRESET]
        if self.model.curve is None:  # fixed thresholds, no curve to move them along
            fixed = raw or self.model.thresholds
            return Policy(fixed, fixed, 0.5 if share is None else share, 0.5)
        return policy_for(self.model.curve, label or preset.label, comment or preset.comment, share, raw)

    @cached_property
    def default_policy(self) -> Policy:
        return self.policy()

    @property
    def slugs(self) -> tuple[str, ...]:
        return self.model.slugs

    def predict_proba(self, docs: Sequence[Document]) -> tuple[FloatArray, FloatArray]:
        return self.model.predict_proba(docs)

    def predict(self, doc: Document, policy: Policy | None = None) -> Prediction:
        return self.predict_many([doc], policy)[0]

    def predict_many(self, docs: Sequence[Document], policy: Policy | None = None) -> list[Prediction]:
        """Predictions judged under `policy` (default: the balanced preset at the training mix)."""
        if not docs:
            return []
        policy = policy or self.default_policy
        model = self.model
        matrix = model.feature_matrix(docs)
        ptm, categories = model.probabilities(model.raw_scores(docs, matrix))
        names = model.feature_names
        out = []
        for i in range(len(docs)):
            start, end = matrix.indptr[i], matrix.indptr[i + 1]
            indices, values = readable(matrix.indices[start:end], matrix.data[start:end], self._named)
            top = int(categories[i].argmax())
            out.append(Prediction(
                ptm_score=policy.shown(float(ptm[i])),
                category_scores={slug: float(p) for slug, p in zip(model.slugs, categories[i], strict=True)},
                ptm_threshold=policy.shown(policy.label.ptm),
                category_threshold=policy.label.category,
                comment_ptm_threshold=policy.shown(policy.comment.ptm),
                comment_category_threshold=policy.comment.category,
                share=policy.share,
                base_ptm_score=float(ptm[i]),
                model_version=model.model_version,
                ptm_terms=top_terms(indices, values, self._ptm_direction, names),
                category_terms=top_terms(indices, values, self._category_directions[top], names),
            ))
        return out


def load_classifier(location: Path | str, *, trusted_roots: Sequence[Path] | None = None) -> Classifier:
    """A model directory (model.joblib + model.json), checked by classifier.model_store before unpickling."""
    model, metadata = load(location, trusted_roots=trusted_roots)
    return Classifier(model, metadata)


@cache
def load_default() -> Classifier:
    """The bundled model, loaded once per process (only from the package's own model directory)."""
    directory = bundled_model_dir()
    return load_classifier(directory, trusted_roots=[directory])
