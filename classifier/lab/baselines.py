"""Reference points the model must beat, measured in the same run: keywords, and plain TF-IDF + LR."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from classifier.features import ModelConfig
from classifier.model import FloatArray
from classifier.policy import Thresholds
from classifier.schema import Document
from classifier.taxonomy import Taxonomy, load_taxonomy

# What a maintainer would write as a first labeling rule: any mention of models or their machinery.
_PTM = re.compile(
    r"\b(?:model|models|weights?|checkpoints?|pre-?trained|hugging ?face|hf hub|transformers|"
    r"llm|gpt|bert|whisper|stable diffusion|sdxl|lora|cuda|gpu|vram|inference|fine-?tun\w*|"
    r"safetensors|onnx|gguf|tokenizer|embedding)\b",
    re.IGNORECASE,
)
_CATEGORY_WORDS: dict[str, str] = {
    "model-usage": r"how to|how do i|usage|argument|parameter|tokenizer|prompt|input|api|load|call",
    "model-performance": r"accuracy|quality|wrong|poor|bad|worse|slow|latency|hallucinat\w*|inconsistent|"
                         r"result|output",
    "software-environment": r"install\w*|pip|conda|import|version|dependenc\w*|docker|python|"
                            r"no module|windows|linux|macos",
    "hardware-resources": r"gpu|cuda|out of memory|oom|vram|memory|mps|rocm|cpu|device|nvidia",
    "documentation": r"documentation|docs|readme|license|paper|reproduce|which model|citation|example",
    "model-acquisition": r"download\w*|link|url|404|hub|offline|cache|token|gated|access|not found",
    "model-customization": r"fine-?tun\w*|train\w*|support for|convert\w*|export\w*|onnx|quantiz\w*|"
                           r"tensorrt|gguf|language",
}

PLAIN_TFIDF_LR = ModelConfig(
    normalize=False, title_block=False, word_ngrams=(1, 1), char_ngrams=None, min_df=1,
    max_features=10_000_000, sublinear_tf=False, ptm_c=1.0, category_c=1.0, class_weight=None,
    confidence_weights=False, calibrate=False, inner_folds=0, concepts=False, nb_blend=0.0, ptm_features=0,
    nb_category_blend=0.0, title_model=0.0,
    notes="TfidfVectorizer() + LogisticRegression() with their defaults; decides at 0.5, never abstains",
)


class KeywordBaseline:
    """PTM-related when a model keyword appears; category by the most keyword hits. Never abstains."""

    thresholds = Thresholds(ptm=0.5, category=0.0)

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.slugs = (taxonomy or load_taxonomy()).slugs
        self._patterns = [re.compile(rf"\b(?:{_CATEGORY_WORDS[slug]})\b", re.IGNORECASE) for slug in self.slugs]

    def predict_proba(self, docs: Sequence[Document]) -> tuple[FloatArray, FloatArray]:
        ptm = np.zeros(len(docs))
        categories = np.zeros((len(docs), len(self.slugs)))
        for row, doc in enumerate(docs):
            text = f"{doc.title}\n{doc.body}"
            ptm[row] = 1.0 if _PTM.search(text) else 0.0
            hits = [len(pattern.findall(text)) for pattern in self._patterns]
            categories[row, int(np.argmax(hits))] = 1.0  # ties and no hits: the first, model usage
        return ptm, categories
