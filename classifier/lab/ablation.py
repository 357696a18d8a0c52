"""What each engineering choice bought: baselines and a cumulative ladder of model configurations,
all measured by the same repository-grouped cross-validation in one run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from classifier.features import ModelConfig
from classifier.lab.baselines import PLAIN_TFIDF_LR, KeywordBaseline
from classifier.lab.dataset import Sample
from classifier.lab.evaluate import Outcome, Scorer, cross_validate
from classifier.lab.train import fit

SHIPPED = ModelConfig()

_NORMALISED = replace(PLAIN_TFIDF_LR, normalize=True)
_WORDS = replace(_NORMALISED, title_block=True, title_weight=SHIPPED.title_weight,
                 word_ngrams=SHIPPED.word_ngrams, min_df=SHIPPED.min_df, max_features=SHIPPED.max_features,
                 sublinear_tf=True)
_CHARS = replace(_WORDS, char_ngrams=SHIPPED.char_ngrams, char_body=SHIPPED.char_body)
_CONCEPTS = replace(_CHARS, concepts=True, concept_weight=SHIPPED.concept_weight)
_WEIGHTED = replace(_CONCEPTS, ptm_c=SHIPPED.ptm_c, category_c=SHIPPED.category_c,
                    class_weight=SHIPPED.class_weight, confidence_weights=SHIPPED.confidence_weights)
_BLENDED = replace(_WEIGHTED, nb_blend=SHIPPED.nb_blend, nb_category_blend=SHIPPED.nb_category_blend,
                   nb_alpha=SHIPPED.nb_alpha)
_SELECTED = replace(_BLENDED, ptm_features=SHIPPED.ptm_features)
_TITLE_MODEL = replace(_SELECTED, title_model=SHIPPED.title_model)

# Each step adds one choice to the one before; the last is the shipped configuration.
LADDER: tuple[tuple[str, ModelConfig], ...] = (
    ("plain TF-IDF + LR (baseline)", PLAIN_TFIDF_LR),
    ("+ normalisation", _NORMALISED),
    ("+ title block, bigrams, sublinear tf", _WORDS),
    ("+ char n-grams", _CHARS),
    ("+ concept and length tokens", _CONCEPTS),
    ("+ class/confidence weights, C", _WEIGHTED),
    ("+ naive-Bayes blend", _BLENDED),
    ("+ chi2 feature selection (PTM head)", _SELECTED),
    ("+ title model (PTM head)", _TITLE_MODEL),
    ("+ calibration, held-out thresholds (shipped)", SHIPPED),
)
# The threshold policy alone on the plain model: shows what the features add at the same operating policy.
PLAIN_WITH_THRESHOLDS = ("plain TF-IDF + LR + calibration, thresholds",
                         replace(PLAIN_TFIDF_LR, calibrate=True, inner_folds=SHIPPED.inner_folds))


def trainer(config: ModelConfig) -> Callable[[list[Sample]], Scorer]:
    return lambda samples: fit(samples, config)


def run_study(samples: Sequence[Sample], folds: int, *, ablation: bool = True, per_repository: bool = True,
              progress: Callable[[str], None] = lambda _: None) -> dict[str, Outcome]:
    """name -> out-of-fold outcome; the shipped model is always last."""
    runs: list[tuple[str, Callable[[list[Sample]], Scorer]]] = []
    if ablation:
        runs.append(("keyword/regex baseline", lambda _: KeywordBaseline()))
        runs += [(name, trainer(config)) for name, config in LADDER[:-1]]
        runs.append((PLAIN_WITH_THRESHOLDS[0], trainer(PLAIN_WITH_THRESHOLDS[1])))
    runs.append((LADDER[-1][0], trainer(SHIPPED)))
    results = {}
    for name, train in runs:
        progress(name)
        results[name] = cross_validate(samples, train, folds, per_repository=per_repository)
    return results
