"""Concept tokens: pooled evidence from words too rare to learn one by one.

A few hundred labeled issues cannot teach a model that "xtts", "sdxl" and "gguf" all name pre-trained
models, or that "tray" and "sidebar" are interface words; a lexicon can. Each concept found in the title
or body becomes one token ("t:model-name", "b:interface"), plus a coarse body-length token: vague,
near-empty reports are rarely about the model. They form their own feature block, used by the PTM head.
"""

from __future__ import annotations

import math
import re

_LEXICON = {
    "model-name": r"bert|roberta|gpt-?\d*|llama\d*|mistral|mixtral|qwen\d*|gemma|phi-?\d|falcon|whisper|yolo\w*|"
                  r"stable[- ]?diffusion|sdxl|sd ?1\.5|sd ?2|flux|clip|t5|vit|resnet\d*|wav2vec\w*|lora|"
                  r"controlnet|vae|unet|bark|xtts|vits|sam|dino\w*|detr|mask ?r-?cnn|blip\d*|llava|"
                  r"embedding model|sentence-transformers|all-minilm\w*|e5|bge|en_core_web_\w+",
    "model-artifact": r"checkpoints?|weights?|safetensors|\.ckpt|\.pth|\.pt|\.bin|gguf|ggml|onnx|pretrained|"
                      r"pre-trained|model card|model files?|hugging ?face|hf hub|from_pretrained|state_dict",
    "hardware": r"cuda|gpu|vram|oom|out of memory|mps|rocm|nvidia|cudnn|device|cpu|ram|memory",
    "environment": r"pip|conda|install\w*|import\w*|module|docker|wheel|dependenc\w*|requirements|"
                   r"python ?3\.\d+|venv|poetry",
    "interface": r"button|dark mode|theme|css|tray|shortcut|hotkey|menu|tab|layout|icon|font|dialog|scroll\w*|"
                 r"sidebar|toolbar|drag|click|ui|ux|frontend|window",
    "project": r"ci|workflow|github actions|release|changelog|typo|lint|unit tests?|readme|contributing|"
               r"license|docs? site|pypi|npm|translation|i18n",
    "quality": r"accuracy|quality|wrong|hallucinat\w*|inconsistent|worse|degrad\w*|garbage|gibberish|blurry|"
               r"artifacts|poor|bad results?",
    "speed": r"slow\w*|latency|speed|faster|throughput|it/s|seconds per",
    "access": r"download\w*|404|401|403|gated|access token|hf_token|offline|cache\w*|mirror|link|url",
    "customization": r"fine-?tun\w*|train\w*|quantiz\w*|convert\w*|export\w*|tensorrt|int8|fp16|support for|"
                     r"add support|new model",
    "information": r"documentation|docs|paper|citation|reproduc\w*|explain|which model|what model|dataset|"
                   r"trained on",
}
_PATTERNS = tuple((name, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for name, words in _LEXICON.items())
_NEAR_EMPTY = 5  # words


def concept_tokens(title: str, body: str) -> str:
    """Space-separated concept tokens of normalised title and body text."""
    tokens = [f"t:{name}" for name, pattern in _PATTERNS if pattern.search(title)]
    tokens += [f"b:{name}" for name, pattern in _PATTERNS if pattern.search(body)]
    words = len(body.split())
    tokens.append(f"len:{min(int(math.log2(words + 1)), 10)}")
    if words < _NEAR_EMPTY:
        tokens.append("len:near-empty")
    return " ".join(tokens)
