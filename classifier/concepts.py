"""Concept tokens: pooled evidence from words too rare to learn one by one.

A few hundred labeled issues cannot teach a model that "xtts", "sdxl" and "gguf" all name pre-trained
models, or that "tray" and "sidebar" are interface words; a lexicon can. Each concept found in the title
or body becomes one token ("t:model-name", "b:interface"), plus a coarse body-length token: vague,
near-empty reports are rarely about the model. They form their own feature block, used by the PTM head.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Per concept: whole words, word prefixes (a trailing "*") and phrases (containing a space or "/").
_LEXICON = {
    "model-name": "bert roberta gpt gpt2 gpt-2 gpt3 gpt-3 gpt4 gpt-4 gpt-4o llama* mistral mixtral qwen* gemma "
                  "phi-2 phi-3 phi3 falcon whisper yolo* sdxl sd1.5 flux clip t5 vit resnet* wav2vec* lora "
                  "controlnet vae unet bark xtts vits sam dino* detr blip* llava sentence-transformers "
                  "all-minilm* e5 bge en_core_web_* | stable diffusion | embedding model | mask r-cnn",
    "model-artifact": "checkpoint checkpoints weight weights safetensors *.ckpt *.pth *.pt *.bin *.gguf *.onnx "
                      "*.safetensors gguf ggml onnx pretrained pre-trained huggingface from_pretrained state_dict "
                      "| model card | model file | hugging face | hf hub",
    "hardware": "cuda gpu gpus vram oom mps rocm nvidia cudnn device cpu ram memory | out of memory",
    "environment": "pip conda install* import* module docker wheel dependenc* requirements venv poetry",
    "interface": "button theme css tray shortcut hotkey menu tab layout icon font dialog scroll* sidebar toolbar "
                 "drag click ui ux frontend window | dark mode",
    "project": "ci workflow release changelog typo lint readme contributing license pypi npm translation i18n "
               "| github actions | unit test",
    "quality": "accuracy quality wrong hallucinat* inconsistent worse degrad* garbage gibberish blurry artifacts "
               "poor | bad result",
    "speed": "slow* latency speed faster throughput | it/s | seconds per",
    "access": "download* 404 401 403 gated hf_token offline cache* mirror link url | access token",
    "customization": "fine-tun* finetun* train* quantiz* convert* export* tensorrt int8 fp16 "
                     "| support for | add support | new model",
    "information": "documentation docs paper citation reproduc* explain dataset | which model | what model "
                   "| trained on",
    # Dependencies of the model stack against generic ones: a failed install of PyQt5 or a Node package is a
    # problem of the application, one of torch, transformers or onnxruntime usually one of running the model.
    "stack": "torch pytorch torchvision torchaudio transformers tokenizers onnxruntime onnxruntime-gpu cuda cudnn "
             "cudatoolkit tensorflow tensorflow-gpu keras jax jaxlib diffusers accelerate bitsandbytes xformers "
             "llama.cpp llama-cpp-python vllm ctranslate2 sentencepiece huggingface_hub huggingface-hub "
             "openai-whisper faster-whisper triton flash-attn flash_attn deepspeed peft paddlepaddle paddleocr mmcv "
             "detectron2 ultralytics timm open_clip tensorrt openvino coreml mlx ollama nvidia-smi",
    "generic-dep": "pyqt* pyside* qt qt5 qt6 gtk tkinter wxpython electron node nodejs npm yarn pnpm webpack vite "
                   "react vue angular django flask fastapi nextcloud php composer mysql postgres postgresql sqlite "
                   "redis nginx apache kubernetes helm cmake gcc g++ msvc rust cargo pyinstaller nuitka homebrew brew "
                   "apt-get snap flatpak chrome firefox safari browser android ios xcode gradle java maven",
}
# A setup or device problem is about the model when the model stack is named, about the application when only
# generic dependencies are: one token for the pair, since a linear head cannot combine two.
_PAIRED = ("environment", "hardware")
_MODEL_SIDE = frozenset(["stack", "model-name", "model-artifact"])
_PUNCTUATION = ".,;:!?()[]{}'\"`<>*"


@dataclass(frozen=True)
class _Concept:
    name: str
    words: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    phrases: tuple[str, ...]


def _compile(name: str, spec: str) -> _Concept:
    single, *phrases = (part.strip() for part in spec.split("|"))
    items = single.split()
    return _Concept(
        name=name,
        words=frozenset(i for i in items if "*" not in i),
        prefixes=tuple(i[:-1] for i in items if i.endswith("*")),
        suffixes=tuple(i[1:] for i in items if i.startswith("*")),
        phrases=tuple(p for p in phrases if p),
    )


_CONCEPTS = tuple(_compile(name, spec) for name, spec in _LEXICON.items())
_HEAD = 4  # characters: every prefix is at least this long, so a set lookup screens words cheaply
_PREFIX_HEADS = frozenset(p[:_HEAD] for c in _CONCEPTS for p in c.prefixes)
_SUFFIXES = tuple(s for c in _CONCEPTS for s in c.suffixes)
assert all(len(p) >= _HEAD for c in _CONCEPTS for p in c.prefixes)
assert all(s.startswith(".") for s in _SUFFIXES)
_NEAR_EMPTY = 5  # words


_WORD_CONCEPTS: dict[str, list[str]] = {}
for _concept in _CONCEPTS:
    for _word in _concept.words:
        _WORD_CONCEPTS.setdefault(_word, []).append(_concept.name)
_WORDS = frozenset(_WORD_CONCEPTS)
_PHRASES = tuple((phrase, c.name) for c in _CONCEPTS for phrase in c.phrases)
_ORDER = {c.name: i for i, c in enumerate(_CONCEPTS)}


def _found(text: str) -> list[str]:
    """Names of the concepts in `text`, in lexicon order: set operations and str methods, no regex."""
    lowered = text.lower()
    words = set(lowered.split())
    words |= {w.strip(_PUNCTUATION) for w in words}
    found = {name for word in words & _WORDS for name in _WORD_CONCEPTS[word]}
    for word in words:
        if word[:_HEAD] in _PREFIX_HEADS or ("." in word and word.endswith(_SUFFIXES)):
            found.update(c.name for c in _CONCEPTS
                         if (c.prefixes and word.startswith(c.prefixes)) or (c.suffixes and word.endswith(c.suffixes)))
    found.update(name for phrase, name in _PHRASES if name not in found and phrase in lowered)
    return sorted(found, key=_ORDER.__getitem__)


def concept_tokens(title: str, body: str) -> str:
    """Space-separated concept tokens of normalised title and body text."""
    in_title, in_body = _found(title), _found(body)
    tokens = [f"t:{name}" for name in in_title] + [f"b:{name}" for name in in_body]
    found = set(in_title) | set(in_body)
    side = "stack" if found & _MODEL_SIDE else "generic" if "generic-dep" in found else "none"
    tokens += [f"x:{name}+{side}" for name in _PAIRED if name in found]
    words = len(body.split())
    tokens.append(f"len:{min(int(math.log2(words + 1)), 10)}")
    if words < _NEAR_EMPTY:
        tokens.append("len:near-empty")
    return " ".join(tokens)
