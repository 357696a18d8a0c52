"""The models an issue names: Hugging Face Hub ids and well-known model families, each with a link.

Precision comes first: a wrong model-card link in a comment is worse than none. A bare ``org/name`` is
taken as a Hub id only where its context says so (a loader call, a ``model=`` argument, a ``--model``
flag, a huggingface.co URL) or where a known Hub organisation names something shaped like a model
("7b", "base", "instruct"…); GitHub repositories and file paths are left alone. Families come from the
curated table in classifier/data/taxonomy.json. No network access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from classifier.taxonomy import ModelFamily, load_taxonomy

HUB_URL = "https://huggingface.co/"
MAX_SCAN_CHARS = 40_000  # characters of an issue looked at; past this are logs

_NAME = r"[A-Za-z0-9][\w.-]{0,95}+"  # possessive: "org/name-x/y" is a path, never "org/name"
_ID = rf"{_NAME}/{_NAME}"
_STR = r"""[rRfFbB]?["']"""  # a string literal's opening quote, with an optional prefix (r"…")
_QUOTED = rf"""{_STR}({_ID}|{_NAME})["']"""
# Contexts that make a string a model id. Group 1 is the id.
_LOADER = re.compile(rf"\.from_pretrained\(\s*(?:pretrained_model_name_or_path\s*=\s*)?{_QUOTED}")
_KEYWORD = re.compile(
    r"\b(?:model|model_id|model_name|model_name_or_path|pretrained_model_name_or_path|repo_id|"
    r"base_model|checkpoint|tokenizer|model_path|hf_model)\s*[=:]\s*"
    rf"""{_STR}({_ID})["']"""
)
_DOWNLOAD = re.compile(rf"\b(?:snapshot_download|hf_hub_download)\(\s*{_QUOTED}")
# sentence-transformers names its own models without the organisation ("all-MiniLM-L6-v2").
_SENTENCE_TRANSFORMER = re.compile(rf"\bSentenceTransformer\(\s*(?:model_name_or_path\s*=\s*)?{_QUOTED}")
_FLAG = re.compile(
    r"--(?:model|model[-_]id|model[-_]name|model[-_]name[-_]or[-_]path|pretrained[-_]model[-_]name[-_]or[-_]path|"
    r"base[-_]model|hf[-_]model|repo[-_]id|tokenizer)[= ]+[\"']?" + rf"({_ID})(?![\w/])"
)
_HUB_LINK = re.compile(rf"(?:huggingface\.co|hf\.co|\bHF:/)/({_ID})", re.IGNORECASE)
# The Hub's cache layouts name the model even when the issue only pastes a traceback.
_CACHE_PATH = re.compile(rf"transformers_modules/({_ID})/|models--([\w.-]+)--([\w.-]+)")
_BARE = re.compile(rf"(?<![\w./@:~\\-])({_ID})(?![\w/\\]|\.\w)")

# huggingface.co paths that are not model repositories.
_NOT_ORGS = frozenset(
    [
        "spaces", "datasets", "docs", "collections", "blog", "papers", "models", "settings", "join", "login",
        "learn", "tasks", "organizations", "api", "new", "pricing", "search", "posts", "chat",
    ]
)
# A bare org/name is a model only if its name looks like one.
_MODEL_CUE = re.compile(
    r"(?:^|[-_.])(?:\d+(?:\.\d+)?[bm]|\d+x\d+b|base|large|small|medium|tiny|mini|xl|xxl|instruct|chat|hf|gguf|"
    r"gptq|awq|exl2|uncased|cased|turbo|it|v\d+(?:\.\d+)?|en|multilingual|fp16|int[48]|[48]bit)(?=$|[-_.])",
    re.IGNORECASE,
)
# A parameter count or a quantised format: a model whoever publishes it.
_STRONG_CUE = re.compile(r"(?:^|[-_.])(?:\d+(?:\.\d+)?b|\d+x\d+b|gguf|gptq|awq|exl2)(?=$|[-_.])", re.IGNORECASE)
# Folder names that look like an organisation in a relative path ("models/llama-7b").
_NOT_USERS = frozenset(
    [
        "models", "model", "checkpoints", "weights", "pretrained", "data", "home", "content", "workspace",
        "output", "outputs",
    ]
)
_FILE_EXT = re.compile(
    r"\.(?:py|json|ya?ml|txt|md|bin|pt|pth|ckpt|safetensors|onnx|gguf|ggml|sh|cpp|js|ts|html|zip|tar|gz|wav|mp3|png|"
    r"jpg|pb|pbmm|tflite|h5|weights|cfg|param|log)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ModelMention:
    id_or_name: str  # a Hub id ("openai/whisper-large-v3") or a family name ("Whisper large-v3")
    url: str
    kind: Literal["hub", "family"]


def _clean_id(raw: str) -> str | None:
    """A Hub id as written, or None when it looks like a path, a file or a non-model Hub page."""
    candidate = raw.rstrip(".,;:")
    if candidate.count("/") > 1 or _FILE_EXT.search(candidate) or ".." in candidate:
        return None
    org = candidate.split("/", 1)[0] if "/" in candidate else ""
    if "." in org or org.lower() in _NOT_ORGS or candidate.lower().startswith(("http", "www.")):
        return None
    return candidate


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    mention: ModelMention


def _hub(start: int, end: int, model_id: str) -> _Hit:
    return _Hit(start, end, ModelMention(model_id, HUB_URL + model_id, "hub"))


def _hub_hits(text: str, hub_orgs: frozenset[str]) -> list[_Hit]:
    hits: list[_Hit] = []
    for pattern in (_LOADER, _DOWNLOAD):  # loader calls: a single name ("gpt2") is a Hub id too
        for match in pattern.finditer(text):
            model_id = _clean_id(match.group(1))
            if model_id and not model_id.startswith((".", "~")):
                hits.append(_hub(match.start(1), match.end(1), model_id))
    for match in _SENTENCE_TRANSFORMER.finditer(text):
        model_id = _clean_id(match.group(1))
        if model_id and not model_id.startswith((".", "~")):
            full = model_id if "/" in model_id else f"sentence-transformers/{model_id}"
            hits.append(_hub(match.start(1), match.end(1), full))
    for match in _CACHE_PATH.finditer(text):
        model_id = match.group(1) or f"{match.group(2)}/{match.group(3)}"
        hits.append(_hub(match.start(), match.end(), model_id))
    for pattern in (_KEYWORD, _FLAG, _HUB_LINK):
        for match in pattern.finditer(text):
            model_id = _clean_id(match.group(1))
            if model_id and "/" in model_id:
                hits.append(_hub(match.start(1), match.end(1), model_id))
    for match in _BARE.finditer(text):
        model_id = _clean_id(match.group(1))
        if not model_id:
            continue
        org, name = model_id.split("/", 1)
        known = org.lower() in hub_orgs and _MODEL_CUE.search(name)
        strong = "_" not in org and org.lower() not in _NOT_USERS and _STRONG_CUE.search(name)
        if (known or strong) and not _on_github_line(text, match.start()):
            hits.append(_hub(match.start(1), match.end(1), model_id))
    return hits


def _on_github_line(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : line_end if line_end >= 0 else len(text)].lower()
    return "github" in line or "git clone" in line


@cache
def _family_patterns() -> tuple[tuple[ModelFamily, re.Pattern[str]], ...]:
    compiled = []
    for family in load_taxonomy().model_families:
        body = family.pattern.replace(" ", "[ _\u2013-]?")
        compiled.append((family, re.compile(rf"(?<![\w./\\-])(?:{body})(?!\w)(?!\.(?!{_WEIGHTS})\w)", re.IGNORECASE)))
    return tuple(compiled)


def _variant(match: re.Match[str]) -> str:
    parts = [match.groupdict().get("v") or "", match.groupdict().get("s") or ""]
    variant = "".join(parts).lower()
    variant = re.sub(r"[ _\u2013-]+", "-", variant).strip("-")
    return re.sub(r"(?<=\d)b\b", "B", variant)


_WEIGHTS = r"(?:pt|pth|onnx|gguf|safetensors|ckpt|bin|engine)\b"  # "yolov8n.pt" names the model
# Issue-form boilerplate: checkbox lines, headings, URLs and "e.g." examples are not what the reporter uses.
_BOILERPLATE = re.compile(
    r"^\s*(?:[-*]\s*\[[ xX]\]|#{1,6}\s).*$|https?://\S+|\[\s*e\.?g\b[^\]\n]*\]|"
    r"[(\uff08][^()\uff08\uff09\n]*(?:e\.g\.|etc\.?|\u7b49)[^()\uff08\uff09\n]*[)\uff09]",
    re.MULTILINE | re.IGNORECASE,
)


def _blank_boilerplate(text: str) -> str:
    """Boilerplate replaced by spaces, so that offsets still match the original text."""
    return _BOILERPLATE.sub(lambda m: " " * len(m.group(0)), text)


def _family_hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    text = _blank_boilerplate(text)
    for family, pattern in _family_patterns():
        for match in pattern.finditer(text):
            if family.hub:
                model_id = family.hub.format(match=match.group(0))
                hits.append(_hub(match.start(), match.end(), model_id))
                continue
            variant = _variant(match)
            name = family.name + (family.join + variant if variant else "")
            hits.append(_Hit(match.start(), match.end(), ModelMention(name, family.url, "family")))
    return hits


def find_models(title: str, body: str, hub_orgs: frozenset[str] | None = None) -> tuple[ModelMention, ...]:
    """The models the issue names, in order of first appearance, without duplicates."""
    orgs = load_taxonomy().hub_orgs if hub_orgs is None else hub_orgs
    text = f"{title}\n{body[:MAX_SCAN_CHARS]}"
    hub = _hub_hits(text, orgs)
    # A family name inside a Hub id ("whisper-large-v3" in "openai/whisper-large-v3") is the same model.
    covered = [(hit.start, hit.end) for hit in hub]
    family = [hit for hit in _family_hits(text) if not any(s <= hit.start < e for s, e in covered)]
    # "whisper large-v3" next to "openai/whisper-large-v3": the Hub id says it all.
    hub_names = [mention_key(hit.mention.id_or_name.rsplit("/", 1)[-1]) for hit in hub]
    family = [hit for hit in family if not any(mention_key(hit.mention.id_or_name) in n for n in hub_names)]
    seen: set[str] = set()
    mentions: list[ModelMention] = []
    for hit in sorted(hub + family, key=lambda h: (h.start, -h.end)):
        key = mention_key(hit.mention.id_or_name)
        if key not in seen:
            seen.add(key)
            mentions.append(hit.mention)
    return tuple(mentions)


def mention_key(id_or_name: str) -> str:
    """What makes two mentions the same model: case and separators aside ("Llama 3 8B" == "llama-3-8b")."""
    return re.sub(r"[\s_.-]+", "", id_or_name.lower())
