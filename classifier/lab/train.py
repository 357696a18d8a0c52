"""Fitting the two-stage model: heads, then calibration and thresholds from out-of-fold scores.

Calibration and thresholds never see scores of issues the heads were trained on: they come from an inner
repository-grouped split of the training data, so a repository's template cannot make its own issues
look easy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import MultinomialNB
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from classifier.features import FeatureSpace, ModelConfig, prepare
from classifier.lab.calibration import fit_calibration
from classifier.lab.dataset import Sample
from classifier.model import Calibration, FloatArray, TwoStageModel
from classifier.policy import DEFAULT_PRESET, PRESETS, ScoreCurve, Thresholds, policy_for
from classifier.taxonomy import Taxonomy, load_taxonomy

FIXED_THRESHOLDS = Thresholds(ptm=0.5, category=0.0)  # for configs that do not choose their own


def _weights(samples: Sequence[Sample], config: ModelConfig) -> npt.NDArray[np.float64]:
    by_source = dict(config.source_weights)
    return np.array([(sample.weight if config.confidence_weights else 1.0) * by_source.get(sample.source, 1.0)
                     for sample in samples])


def _fit_heads(samples: Sequence[Sample], config: ModelConfig, slugs: Sequence[str]
               ) -> tuple[FeatureSpace, npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Feature space + (weights, intercepts) of both heads, uncalibrated."""
    features = FeatureSpace(config)
    matrix = features.fit_transform([prepare(s.issue.document, config) for s in samples])
    ptm = np.array([s.issue.ptm for s in samples])
    weights = _weights(samples, config)
    # The title model's own block is not seen by the main PTM head (the title model adds its weights below).
    main = 1.0 - features.block_mask(("title-chars",))
    matrix_main = matrix.multiply(main).tocsr() if config.title_model else matrix
    ptm_mask = _selected(matrix_main, ptm, config.ptm_features)
    ptm_matrix = matrix_main if ptm_mask is None else matrix_main.multiply(ptm_mask).tocsr()
    ptm_head = _learner(config, config.ptm_c)
    ptm_head.fit(ptm_matrix, ptm, sample_weight=weights)
    rows = np.flatnonzero(ptm)
    targets = np.array([slugs.index(samples[int(i)].issue.category or "") for i in rows])
    category_head = _learner(config, config.category_c)
    category_mask = features.category_mask()
    category_matrix = matrix[rows].multiply(category_mask).tocsr()
    category_head.fit(category_matrix, targets, sample_weight=weights[rows])
    # Classes missing from a small training split get a column that never wins.
    category_coef = np.zeros((matrix.shape[1], len(slugs)), dtype=np.float32)
    category_bias = np.full(len(slugs), -1e3, dtype=np.float32)
    category_coef[:, category_head.classes_] = category_head.coef_.T
    category_bias[category_head.classes_] = category_head.intercept_
    ptm_coef, ptm_bias = ptm_head.coef_.ravel(), float(ptm_head.intercept_[0])
    if config.nb_blend:
        nb_coef, nb_bias, _ = _naive_bayes(ptm_matrix, ptm.astype(np.int64), weights, config)
        ptm_coef = ptm_coef + config.nb_blend * (nb_coef[:, 1] - nb_coef[:, 0])
        ptm_bias += config.nb_blend * float(nb_bias[1] - nb_bias[0])
    if ptm_mask is not None:
        ptm_coef = ptm_coef * ptm_mask  # naive Bayes weighs unseen features too: not the dropped ones
    if config.title_model:
        ptm_coef, ptm_bias = _add_title_model(features, matrix, ptm, weights, config, ptm_coef, ptm_bias)
    if config.nb_category_blend:
        nb_coef, nb_bias, classes = _naive_bayes(category_matrix, targets, weights[rows], config)
        # Masked: smoothing gives unseen features class-dependent weights, and the masked blocks are all unseen.
        nb_centered = (nb_coef - nb_coef.mean(axis=1, keepdims=True)) * category_mask[:, None]
        category_coef[:, classes] += config.nb_category_blend * nb_centered
        category_bias[classes] += config.nb_category_blend * (nb_bias - nb_bias.mean())
    coef = np.hstack([ptm_coef.astype(np.float32)[:, None], category_coef])
    bias = np.concatenate([np.array([ptm_bias], dtype=np.float32), category_bias])
    return features, np.ascontiguousarray(coef), bias


def _add_title_model(features: FeatureSpace, matrix: sp.csr_matrix, ptm: npt.NDArray[np.bool_],
                     weights: npt.NDArray[np.float64], config: ModelConfig, coef: npt.NDArray[np.float64],
                     bias: float) -> tuple[npt.NDArray[np.float64], float]:
    """The PTM head plus `title_model` times a logistic model of the title alone.

    A title states the problem in a few words; on its own it is not drowned by a long body's logs and template
    text, so a second, title-only opinion ranks PTM-related issues better. Both models are linear in the same
    features, so the blend is one weight vector.
    """
    mask = features.title_model_mask()
    # The title word block enters the matrix times title_weight: the title model reads it at full scale.
    scale = np.where(features.block_mask(("title",)) > 0, config.title_weight, 1.0).astype(np.float32)
    head = _learner(config, config.ptm_c)
    head.fit(matrix.multiply(mask / scale).tocsr(), ptm, sample_weight=weights)
    title_coef = head.coef_.ravel() * mask / scale
    return coef + config.title_model * title_coef, bias + config.title_model * float(head.intercept_[0])


def _selected(matrix: sp.csr_matrix, labels: npt.NDArray[np.bool_], k: int) -> npt.NDArray[np.float32] | None:
    """1 for the `k` features with the highest chi2 statistic against `labels`, 0 for the rest; None keeps all.

    Fitted on the training data only. From ~1,500 issues, the long tail of rare n-grams mostly learns which
    repository an issue came from; dropping it makes the most confident PTM scores cleaner.
    """
    if k <= 0 or k >= matrix.shape[1]:
        return None
    scores = np.nan_to_num(chi2(matrix, labels)[0])
    keep = np.zeros(matrix.shape[1], dtype=np.float32)
    keep[np.argsort(-scores, kind="stable")[:k]] = 1.0
    return keep


def _naive_bayes(matrix: sp.csr_matrix, targets: npt.NDArray[np.int64], weights: npt.NDArray[np.float64],
                 config: ModelConfig) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Multinomial naive Bayes as a linear model: (log P(feature | class) per feature and class, log priors,
    classes). Blended into the logistic heads: NB is strong on rare words, where a regularised LR is weak."""
    nb = MultinomialNB(alpha=config.nb_alpha).fit(matrix, targets, sample_weight=weights)
    return nb.feature_log_prob_.T, nb.class_log_prior_, nb.classes_


def _learner(config: ModelConfig, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=config.class_weight, max_iter=3000,
                              random_state=config.random_state)


def _bare_model(samples: Sequence[Sample], config: ModelConfig, slugs: tuple[str, ...]) -> TwoStageModel:
    features, coef, bias = _fit_heads(samples, config, slugs)
    return TwoStageModel(config, features, slugs, coef, bias, Calibration(), FIXED_THRESHOLDS)


def groups_of(samples: Sequence[Sample]) -> npt.NDArray[np.str_]:
    return np.array([s.issue.repo for s in samples])


def out_of_fold_raw(samples: Sequence[Sample], config: ModelConfig, slugs: tuple[str, ...],
                    folds: int) -> FloatArray:
    """Raw scores of each sample from a model that did not see its repository."""
    raw = np.zeros((len(samples), 1 + len(slugs)))
    splitter = GroupKFold(n_splits=folds)
    for train_idx, held_idx in splitter.split(np.zeros(len(samples)), groups=groups_of(samples)):
        model = _bare_model([samples[i] for i in train_idx], config, slugs)
        raw[held_idx] = model.raw_scores([samples[i].issue.document for i in held_idx])
    return raw


def model_version(model: TwoStageModel, samples: Sequence[Sample], taxonomy: Taxonomy) -> str:
    """Names the config, the labels and the fitted weights: the same training gives the same version."""
    digest = hashlib.sha256(repr(sorted(asdict(model.config).items())).encode())
    for sample in samples:
        digest.update(f"{sample.issue.url}\0{sample.issue.ptm}\0{sample.issue.category}\n".encode())
    digest.update(model.weights.tobytes())
    digest.update(repr((model.calibration, model.thresholds)).encode())
    return f"ptm-{taxonomy.version}-{digest.hexdigest()[:10]}"


def fit(samples: Sequence[Sample], config: ModelConfig | None = None,
        taxonomy: Taxonomy | None = None) -> TwoStageModel:
    """Train on `samples`: out-of-fold calibration and thresholds, then the heads on everything.

    BLAS runs on one thread: with several, float sums change order and the artifact is not reproducible.
    """
    with threadpool_limits(limits=1):
        return _fit(samples, config, taxonomy)


def _fit(samples: Sequence[Sample], config: ModelConfig | None, taxonomy: Taxonomy | None) -> TwoStageModel:
    config = config or ModelConfig()
    taxonomy = taxonomy or load_taxonomy()
    slugs = taxonomy.slugs
    ptm = np.array([s.issue.ptm for s in samples])
    if ptm.all() or not ptm.any():
        raise ValueError("training needs both PTM-related and unrelated issues")
    model = _bare_model(samples, config, slugs)
    if config.calibrate or config.inner_folds > 1:
        folds = min(config.inner_folds, len(set(groups_of(samples))))
        raw = out_of_fold_raw(samples, config, slugs, folds)
        # Calibrate and measure on the natural mix when there is one: it is what maintainers receive.
        natural = np.array([s.source == config.natural_source for s in samples])
        usable = natural.any() and ptm[natural].any() and not ptm[natural].all()
        where = natural if usable else np.ones_like(ptm)
        rows = np.flatnonzero(ptm & where)
        targets = np.array([slugs.index(samples[int(i)].issue.category or "") for i in rows])
        if config.calibrate:
            model.calibration = fit_calibration(raw[where, 0], ptm[where], raw[rows, 1:], targets)
        ptm_prob, category_prob = model.probabilities(raw)
        top = category_prob[rows].argmax(axis=1)
        model.curve = ScoreCurve.measure(ptm_prob[where], ptm[where], category_prob[rows].max(axis=1),
                                         top == targets)
        preset = PRESETS[DEFAULT_PRESET]
        model.thresholds = policy_for(model.curve, preset.label, preset.comment).label
    model.model_version = model_version(model, samples, taxonomy)
    model.feature_names = model.features.feature_names()
    return model
