"""The feature space: TF-IDF blocks over the normalised title and body, shared by both stages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from classifier.concepts import concept_tokens
from classifier.normalize import clean_text, normalize_body, normalize_title
from classifier.schema import Document
from classifier.vectorizers import CharNgramVectorizer, WordNgramVectorizer

# Words as tokens, keeping "from_pretrained", "cuda12.1" and "c++" whole.
TOKEN_PATTERN = r"(?u)\b[a-zA-Z_][\w.+-]*\w\b|\b\w\w+\b"  # noqa: S105 (a regex, not a secret)


@dataclass(frozen=True)
class ModelConfig:
    """Every engineering choice of the model, so that evaluation can switch each one off (ablation)."""

    normalize: bool = True
    title_block: bool = True  # a separate TF-IDF block for the title, weighted by title_weight
    title_weight: float = 0.5
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = (3, 5)  # within-word char n-grams (title, or all); None = off
    char_body: bool = True  # char n-grams of the body too (vectorizers.py keeps them fast)
    min_df: int = 2
    max_features: int = 60_000  # per block
    sublinear_tf: bool = True
    ptm_c: float = 4.0
    category_c: float = 8.0
    class_weight: str | None = "balanced"
    nb_blend: float = 0.3  # naive-Bayes log-odds added to the PTM head, times this
    nb_category_blend: float = 0.1  # the same for the category head
    nb_alpha: float = 0.1  # naive Bayes' additive smoothing
    ptm_features: int = 20_000  # the PTM head keeps the features with the highest chi2 on its labels; 0 = all
    confidence_weights: bool = True  # weight training samples by the labeler's confidence
    source_weights: tuple[tuple[str, float], ...] = ()  # (data file stem, weight): favour realistic data
    char_max_features: int = 150_000
    concepts: bool = True  # concept and length tokens (classifier/concepts.py), a block for the PTM head
    concept_weight: float = 0.5
    title_model: float = 0.3  # a title-only PTM model (title words + title char n-grams) added times this; 0 = off
    calibrate: bool = True  # Platt/temperature scaling fitted on out-of-fold scores
    natural_source: str = "ptm-issues-natural"  # data file whose issues calibrate and measure the policy
    inner_folds: int = 4
    random_state: int = 0
    notes: str = field(default="", compare=False)


Prepared = tuple[str, str, str]  # title, body, concept tokens


def prepare(doc: Document, config: ModelConfig) -> Prepared:
    """(title, body, concept tokens) as the vectorizers see them."""
    title, body = doc.title or "", doc.body or ""
    if config.normalize:
        title, body = normalize_title(title), normalize_body(body)
    else:
        title, body = clean_text(title), clean_text(body)
    return title, body, concept_tokens(title, body) if config.concepts else ""


def _word_vectorizer(config: ModelConfig) -> WordNgramVectorizer:
    return WordNgramVectorizer(TOKEN_PATTERN, config.word_ngrams, config.min_df, config.max_features,
                               config.sublinear_tf)


def _char_vectorizer(config: ModelConfig) -> CharNgramVectorizer:
    assert config.char_ngrams is not None
    return CharNgramVectorizer(config.char_ngrams, config.min_df, config.char_max_features, config.sublinear_tf)


class Vectorizer(Protocol):
    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix: ...

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix: ...

    def get_feature_names_out(self) -> npt.NDArray[np.str_]: ...


@dataclass
class FeatureSpace:
    """Fitted vectorizers and how their blocks are combined; fitted once by fit(), stored as plain data."""

    config: ModelConfig
    blocks: list[tuple[str, str, Vectorizer, float]] = field(default_factory=list)
    # (block name, field "title"/"body"/"all", vectorizer, weight)

    def fit_transform(self, texts: Sequence[Prepared]) -> sp.csr_matrix:
        config = self.config
        specs: list[tuple[str, str, Vectorizer, float]] = []
        if config.title_block:
            specs.append(("title", "title", _word_vectorizer(config), config.title_weight))
            specs.append(("body", "body", _word_vectorizer(config), 1.0))
        else:
            specs.append(("text", "all", _word_vectorizer(config), 1.0))
        if config.char_ngrams is not None:
            where = "all" if config.char_body else "title"
            specs.append(("chars", where, _char_vectorizer(config), 1.0))
        if config.title_model:
            specs.append(("title-chars", "title", _char_vectorizer(config), 1.0))
        if config.concepts:
            concepts = WordNgramVectorizer(r"\S+", (1, 1), 1, 1_000, sublinear_tf=False)
            specs.append(("concepts", "concepts", concepts, config.concept_weight))
        matrices = []
        for name, where, vectorizer, weight in specs:
            matrices.append(vectorizer.fit_transform(_column(texts, where)) * weight)
            self.blocks.append((name, where, vectorizer, weight))
        return sp.hstack(matrices, format="csr", dtype=np.float32)

    def transform(self, texts: Sequence[Prepared]) -> sp.csr_matrix:
        matrices = [vectorizer.transform(_column(texts, where)) * weight
                    for _, where, vectorizer, weight in self.blocks]
        return sp.hstack(matrices, format="csr", dtype=np.float32)

    def state(self) -> dict[str, Any]:
        """The fitted blocks as plain data (see classifier/model_store.py)."""
        return {"blocks": [{"name": name, "field": where, "weight": float(weight),
                            "kind": "chars" if isinstance(vectorizer, CharNgramVectorizer) else "words",
                            "vectorizer": vectorizer.state()}  # type: ignore[attr-defined]
                           for name, where, vectorizer, weight in self.blocks]}

    @classmethod
    def from_state(cls, config: ModelConfig, state: dict[str, Any]) -> FeatureSpace:
        space = cls(config)
        for block in state["blocks"]:
            kind = CharNgramVectorizer if block["kind"] == "chars" else WordNgramVectorizer
            space.blocks.append((str(block["name"]), str(block["field"]), kind.from_state(block["vectorizer"]),
                                 float(block["weight"])))
        return space

    def feature_names(self) -> list[str]:
        """Readable names for explanations; char n-grams and concept tokens get an empty name (not shown)."""
        names: list[str] = []
        for name, _, vectorizer, _ in self.blocks:
            terms = vectorizer.get_feature_names_out()
            hidden = name in ("chars", "title-chars", "concepts")
            names.extend([""] * len(terms) if hidden else [str(term) for term in terms])
        return names

    def block_mask(self, names: Sequence[str]) -> npt.NDArray[np.float32]:
        """1 for the features of the named blocks, 0 for the rest."""
        mask = []
        for name, _, vectorizer, _ in self.blocks:
            mask.append(np.full(len(vectorizer.get_feature_names_out()), 1.0 if name in names else 0.0,
                                dtype=np.float32))
        return np.concatenate(mask)

    def category_mask(self) -> npt.NDArray[np.float32]:
        """1 for the features the category head uses: not the concept block (it blurs categories), not the
        title model's own block."""
        return 1.0 - self.block_mask(("concepts", "title-chars"))

    def title_model_mask(self) -> npt.NDArray[np.float32]:
        """1 for the features of the title-only PTM model: the title words and the title char n-grams."""
        return self.block_mask(("title", "title-chars"))


def _column(texts: Sequence[Prepared], where: str) -> list[str]:
    if where == "title":
        return [title for title, _, _ in texts]
    if where == "body":
        return [body for _, body, _ in texts]
    if where == "concepts":
        return [concepts for _, _, concepts in texts]
    return [f"{title}\n{body}" for title, body, _ in texts]
