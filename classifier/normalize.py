"""Text normalisation for issue reports: keep what the reporter said, drop what the template said.

Issue forms, markdown, URLs, environment dumps and tracebacks make up most of an issue's characters but
little of its meaning, and template text identifies the repository rather than the problem (a leak under
repository-grouped evaluation). Code blocks and tracebacks are replaced by their signal: exception names,
well-known failure phrases ("CUDA out of memory", "No module named x") and the libraries they mention.
"""

from __future__ import annotations

import re

MAX_INPUT_CHARS = 20_000  # characters of body looked at; issue bodies past this are template dumps or logs
MAX_OUTPUT_CHARS = 1_500  # characters of normalised body kept: the training descriptions stop near 1,400

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_FENCE = re.compile(r"```[^\n]*\n(.*?)(?:```|$)", re.DOTALL)
_DETAILS = re.compile(r"<details>(.*?)(?:</details>|$)", re.DOTALL | re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)\)")
_URL = re.compile(r"https?://([\w.-]+)[^\s)>\]\"']*", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_CHECKBOX = re.compile(r"^\s*[-*]\s*\[[ xX]\].*$", re.MULTILINE)
_TRACE_FRAME = re.compile(r"^\s*File \".*?\", line \d+.*$", re.MULTILINE)
_TRACE_HEAD = re.compile(r"Traceback \(most recent call last\):")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s*(.*?)\s*#*|\*\*([^*]{1,60})\*\*:?)\s*$", re.MULTILINE)
_PATH = re.compile(r"[\\/][\w.@+-]+(?:[\\/][\w.@+-]+)+[\\/]?")  # starts at a slash: fast to scan for
_MARKUP = re.compile(r"[*_`>|#~=]+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")

# Sentences issue templates put in every report (GitHub's default forms and popular ML projects' forms).
_TEMPLATE_LINES = re.compile(
    r"^\s*(?:"
    r"a clear and concise description of.*|steps to reproduce the behavio(?:u)?r:?|"
    r"if applicable,? add screenshots.*|add any other context.*|"
    r"is your feature request related to a problem.*|describe the solution you'?d like.*|"
    r"describe alternatives you'?ve considered.*|please (?:complete|fill) the following.*|"
    r"(?:\d+\.\s*)?(?:go to|click on|scroll down to|see error)\s*'?\.{0,3}'?\.?|"
    r"the output of `?python collect_env\.py`?|thanks?(?: you)?[.!]*|hi[,!.]*|hello[,!.]*"
    r")\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# Section headings of issue forms: dropped whole, since they are the same in every issue of a repository.
_TEMPLATE_HEADING_WORDS = frozenset(
    [
        "describe", "the", "a", "an", "bug", "behavior", "behaviour", "expected", "actual", "to",
        "reproduce", "steps", "screenshots", "screenshot", "additional", "context", "environment",
        "info", "information", "system", "logs", "log", "console", "output", "version", "versions", "os",
        "operating", "python", "checklist", "description", "question", "motivation", "summary",
        "problem", "solution", "alternatives", "feature", "request", "proposal", "what", "happened",
        "should", "have", "is", "there", "existing", "issue", "for", "this", "your", "current", "who",
        "can", "help", "reproduction", "details", "other", "notes", "related", "pitch", "any", "of",
        "and", "browsers", "desktop", "smartphone", "please", "complete", "following", "relevant",
        "error", "message", "messages", "commit", "hash", "platform", "extensions", "list", "minimal",
        "reproducible", "example", "code", "snippet", "value", "use", "case", "has", "been", "opened",
        "before", "which", "ui", "hardware", "software",
    ]
)

# Failure phrases worth keeping verbatim from code blocks and logs (they name the challenge).
_SIGNALS = re.compile(
    r"\b(?:[A-Z][A-Za-z]*(?:Error|Exception|Warning)|out of memory|OutOfMemory|OOM|"
    r"No module named ['\"]?[\w.]+|cannot import name ['\"]?\w+|not enough memory|"
    r"CUDA|cuda|cudnn|MPS|ROCm|nvidia-smi|device|GPU|gpu|CPU|cpu|float16|bfloat16|half|"
    r"401|403|404|429|Unauthorized|gated|rate limit|token|connection|timeout|timed out|proxy|offline|"
    r"checkpoint|weights|safetensors|state_dict|from_pretrained|tokenizer|config\.json|"
    r"pip|conda|wheel|install|version|numpy|torch|transformers|tensorflow|onnx|onnxruntime|"
    r"shape|size mismatch|dtype|unexpected keyword|missing keys?|unexpected keys?|"
    r"killed|segmentation fault|illegal instruction|nan|slow)\b"
)


def _signals(block: str) -> str:
    """The failure phrases of a code block or log, deduplicated in order, as one line."""
    seen: dict[str, None] = {}
    for match in _SIGNALS.finditer(block[:MAX_INPUT_CHARS]):
        seen.setdefault(match.group(0).lower(), None)
    return " ".join(seen)


def _url_token(match: re.Match[str]) -> str:
    host = match.group(1).lower().removeprefix("www.")
    if "huggingface" in host or host == "hf.co":
        return " urlhf "
    if host.endswith("github.com") or host.endswith("githubusercontent.com"):
        return " urlgithub "
    return " urlother "


def _heading(match: re.Match[str]) -> str:
    text = (match.group(1) or match.group(2) or "").strip().rstrip(":?").lower()
    words = re.findall(r"[a-z]+", text)
    if not words or all(word in _TEMPLATE_HEADING_WORDS for word in words):
        return ""
    return text


def clean_text(text: str) -> str:
    """Control characters out, whitespace collapsed; safe on any str."""
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def normalize_title(title: str) -> str:
    """Titles are short and dense: only bracket prefixes like "[Bug]:" lose their markup."""
    title = clean_text(title[:1_000])
    title = _URL.sub(_url_token, title)
    return _SPACES.sub(" ", _MARKUP.sub(" ", title).replace("[", " ").replace("]", " ")).strip()


def normalize_body(body: str) -> str:
    """The reporter's words with template, markup and dumps reduced to their signal."""
    text = _CONTROL.sub(" ", body[:MAX_INPUT_CHARS])
    # Each pass only where its marker occurs: most bodies have no fences, tags or tracebacks.
    if "<" in text:
        text = _HTML_COMMENT.sub(" ", text)
    if "```" in text:
        text = _FENCE.sub(lambda m: f"\ncodeblock {_signals(m.group(1))}\n", text)
    if "<" in text:
        text = _DETAILS.sub(lambda m: f"\n{_signals(m.group(1))}\n", text)
    if "Traceback" in text or 'File "' in text:
        text = _TRACE_HEAD.sub(" traceback ", text)
        text = _TRACE_FRAME.sub("", text)
    if "](" in text or "<" in text:
        text = _IMAGE.sub(" screenshot ", text)
        text = _MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
    if "://" in text:
        text = _URL.sub(_url_token, text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "[" in text:
        text = _CHECKBOX.sub("", text)
    text = _TEMPLATE_LINES.sub("", text)
    if "#" in text or "**" in text:
        text = _HEADING.sub(_heading, text)
    if "/" in text or "\\" in text:
        text = _PATH.sub(" path ", text)
    text = _MARKUP.sub(" ", text)
    lines = (" ".join(line.split()) for line in text.split("\n"))  # str methods: faster than a regex here
    return "\n".join(line for line in lines if line)[:MAX_OUTPUT_CHARS]
