"""The fitted two-stage model: one feature space, a PTM-related head and a 7-way category head.

Both heads are linear, so scoring is one sparse-dense product; calibration maps the raw scores to
probabilities (Platt scaling for PTM, temperature scaling for the category softmax).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from classifier.features import FeatureSpace, ModelConfig, prepare
from classifier.policy import ScoreCurve, Thresholds
from classifier.schema import Document

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Calibration:
    ptm_scale: float = 1.0  # P(ptm) = sigmoid(ptm_scale * z + ptm_shift)
    ptm_shift: float = 0.0
    category_temperature: float = 1.0  # P(category) = softmax(z / temperature)


@dataclass
class TwoStageModel:
    """Everything prediction needs, as plain arrays next to the fitted vectorizers."""

    config: ModelConfig
    features: FeatureSpace
    slugs: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # (n_features, 1 + n_categories): column 0 is the PTM head
    intercepts: npt.NDArray[np.float32]  # (1 + n_categories,)
    calibration: Calibration
    thresholds: Thresholds  # the label tier of the default policy, at the training mix
    model_version: str = "untrained"
    curve: ScoreCurve | None = None  # out-of-fold score histograms on natural issues, for the policy
    feature_names: list[str] = field(default_factory=list)

    def state(self) -> dict[str, Any]:
        """Everything the model is, as plain data: numpy arrays, lists, numbers and strings only."""
        return {
            "config": _plain(asdict(self.config)), "features": self.features.state(), "slugs": list(self.slugs),
            "weights": self.weights, "intercepts": self.intercepts, "calibration": asdict(self.calibration),
            "thresholds": asdict(self.thresholds), "model_version": self.model_version,
            "feature_names": list(self.feature_names),
            "curve": None if self.curve is None else self.curve.as_dict(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TwoStageModel:
        config = ModelConfig(**{key: _tuples(value) for key, value in state["config"].items()})
        curve = state.get("curve")
        return cls(config=config, features=FeatureSpace.from_state(config, state["features"]),
                   slugs=tuple(state["slugs"]), weights=np.ascontiguousarray(state["weights"], dtype=np.float32),
                   intercepts=np.asarray(state["intercepts"], dtype=np.float32),
                   calibration=Calibration(**state["calibration"]), thresholds=Thresholds(**state["thresholds"]),
                   model_version=str(state["model_version"]),
                   feature_names=[str(name) for name in state["feature_names"]],
                   curve=None if curve is None else ScoreCurve.from_dict(curve))

    def feature_matrix(self, docs: Sequence[Document]) -> sp.csr_matrix:
        return self.features.transform([prepare(doc, self.config) for doc in docs])

    def raw_scores(self, docs: Sequence[Document], matrix: sp.csr_matrix | None = None) -> FloatArray:
        """Uncalibrated linear scores, (n, 1 + n_categories)."""
        if matrix is None:
            matrix = self.feature_matrix(docs)
        return np.asarray(matrix @ self.weights, dtype=np.float64) + self.intercepts

    def probabilities(self, raw: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(P(ptm) per row, P(category | ptm) per row and category) from raw scores."""
        cal = self.calibration
        ptm = sigmoid(cal.ptm_scale * raw[:, 0] + cal.ptm_shift)
        return ptm, softmax(raw[:, 1:] / cal.category_temperature)

    def predict_proba(self, docs: Sequence[Document]) -> tuple[FloatArray, FloatArray]:
        return self.probabilities(self.raw_scores(docs))


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively: the stored config holds builtin containers only."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _tuples(value: Any) -> Any:
    """Lists back to tuples, as ModelConfig declares them."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def sigmoid(z: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))), dtype=np.float64)


def softmax(z: FloatArray) -> FloatArray:
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float64)
