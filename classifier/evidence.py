"""What the reporter already told: lightweight detectors over the issue text, and the checklist of what is missing.

Each detector answers one question a maintainer asks ("which GPU?", "full traceback?") and errs on the side
of "not given": asking for something twice is a nuisance, but claiming it was given when it was not costs a
round trip. Issue-form boilerplate (placeholders, "e.g." examples, checkbox lines, headings, alternatives
such as "Conda / pip / other") is blanked first, so an empty template does not count as an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.mentions import find_models
from classifier.taxonomy import ChecklistItem, load_taxonomy

MAX_SCAN_CHARS = 40_000  # characters of body looked at; environment dumps past this are rare
_I = re.IGNORECASE
_IM = re.IGNORECASE | re.MULTILINE

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_BOILERPLATE = re.compile(
    r"^\s*[-*]\s*\[[ xX]\].*$"  # checkbox lines
    r"|^\s*#{1,6}\s.*$|^\s*\*\*[^*\n]{1,80}\*\*:?\s*$"  # headings of issue forms
    r"|^\s*[-*]\s+(?:\*\*[^*\n]{1,120}\*\*\s*:?|[A-Za-z][^:\n]{0,80}:)\s*$"  # a form's label left empty
    r"|^.*\S+ / \S+ / \S+.*$"  # alternatives offered by a template ("Conda / pip / other")
    r"|\[\s*(?:e\.?g\b|eg:)[^\]\n]*\]|e\.g\.?,?[^\n)\]]*"  # examples
    r"|^.*\ba clear and concise description\b.*$",
    _IM,
)
_FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_FRAME = re.compile(r'^\s*File ".*", line \d+', re.MULTILINE)
_PARTIAL_FRAME = re.compile(r'\.py", line \d+|\.py in [<\w]')
_IPY_FRAME = re.compile(r"^-{3,}>\s*\d+", re.MULTILINE)
_JS_FRAME = re.compile(r"^\s+at \S.*:\d+:\d+\)?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Evidence:
    """The pieces of information an issue gives (field names as in the taxonomy's checklists)."""

    given: frozenset[str]
    traceback: str | None  # "full", "last_line" (only the exception line) or None

    def has(self, field: str) -> bool:
        return field in self.given


@dataclass(frozen=True)
class _Text:
    raw: str  # title and body
    full: str  # the same, boilerplate blanked
    prose: str  # the same without fenced blocks
    code_free: str  # the same without traceback frames (what is left of code is the reporter's)


def _prepare(title: str, body: str) -> _Text:
    text = f"{title}\n{_HTML_COMMENT.sub(' ', body[:MAX_SCAN_CHARS])}"
    full = _BOILERPLATE.sub(" ", text)
    lines = full.split("\n")
    kept = []
    skip_next = False
    for line in lines:  # a frame's source line is the library's code, not the reporter's
        if skip_next:
            skip_next = False
            continue
        frame = bool(_FRAME.match(line) or _PARTIAL_FRAME.search(line))
        if frame or _IPY_FRAME.match(line) or re.match(r"^\s*\d+\s", line):
            skip_next = frame
            continue
        kept.append(line)
    return _Text(text, full, _FENCE.sub(" ", full), "\n".join(kept))


def _any(*patterns: str, flags: int = _I) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


_PACKAGES = (
    r"torch|pytorch|transformers|diffusers|accelerate|tensorflow|tf|numpy|onnxruntime(?:-gpu)?|onnx|"
    r"sentence[-_]transformers|vllm|xformers|bitsandbytes|peft|tokenizers|huggingface[-_]hub|gradio|langchain|"
    r"llama[-_]index|keras|jax|spacy|ultralytics|openai|torchvision|torchaudio|opencv(?:-python)?|scikit-learn|"
    r"paddlepaddle|librosa|faster[-_]whisper|ctranslate2|triton|flash[-_]attn|auto[-_]gptq|optimum|exllamav2|"
    r"ollama|llama[-_]cpp[-_]python|safetensors|timm|mmcv|detectron2|cuda[-_]python"
)
_package_versions = _any(
    r"\b[A-Za-z][\w.-]*(?:\[[\w,]+\])?==\d[\w.+-]*",
    rf"\b(?:{_PACKAGES})\b[ \t:=v-]*(?:version)?[ \t:]*v?\d+\.\d+",
    r"\b(?!(?:python|cuda|os|driver|node\w*|browser|gpu|in|the|a|of|this|that|latest|new|old|next|for|from|to)\b)"
    r"[a-z][\w-]*\s+version\W{0,40}v?\d+\.\d+",
    r"^\s*version\s*[:=]\s*v?\d+\.\d+",
    r"(?:^\s*[\w.-]+\s+\d+\.\d+[\w.+]*\s+\S+\s*$\n?){3}",  # conda list / pip list rows
    flags=_IM,
)
_os = _any(
    r"\b(?:windows|win ?(?:7|8|10|11))\b",
    r"\b(?:ubuntu|debian|fedora|centos|rocky linux|arch linux|manjaro|linux mint|pop!?_os|lubuntu|kubuntu|xubuntu|"
    r"rhel|red hat|opensuse|suse|alpine|linux|wsl2?)\b",
    r"\b(?:macos|mac os|os ?x|sonoma|ventura|monterey|big sur|sequoia|catalina|mojave)\b",
    r"\bplatform\W{0,5}(?:linux|darwin|win)",
)
_python_version = _any(
    r"\bpython\s*(?:version)?\W{0,40}?(?:[23]\.\d+)\b",
    r"\bpython[23]\.\d+",
    r"\bpython-?3\.\d+|\bcpython ?3\.\d+|\bpy ?3\.\d+|\bcp3\d{1,2}\b|\bpython3\d{1,2}\b",
    r"\bpython\s*=\s*3\.\d+",
)
_install_method = _any(
    r"\b(?:pip3?|uv pip|pipx|poetry|brew|snap|apt(?:-get)?|winget|npm|conda|mamba)\s+(?:install|add)\b",
    r"\bconda\s+(?:create|env|environment)\b|\bdocker(?:-compose| compose| run| pull| build|file)\b",
    r"\binstall(?:ed|ing)?\s+(?:[\w.-]+\s+){0,3}(?:via|with|using|through|from|by)\s+(?:the\s+)?"
    r"(?:pip|conda|docker|source|git|installer|brew|apt|snap|npm|exe|msi|release|wheel)",
    r"\binstall(?:ed)?\s+(?:pip|conda|docker)\b|\bfrom source\b|\bgit clone\b|\bvirtualenv\b|\bpython3? -m venv\b",
)
_GPU_NAME = (
    r"\b(?:geforce|quadro|tesla\s+[a-z]?\d+|rtx\s?a?\d{4}|gtx\s?\d{3,4}|titan\s?(?:x|v|rtx)|[ahlv]100|"
    r"t4|l4|a10g?|a40|a6000|radeon|rx\s?\d{3,4}|arc\s?a\d{3}|apple\s+m[1-4]|m[1-4]\s?(?:pro|max|ultra)|"
    r"jetson\s\w+|mi\d{3}x?|\d{4}\s?ti)\b"
)
_CPU_ONLY = (
    r"\b(?:cpu[- ]only|only (?:a |the )?cpu|no (?:nvidia )?gpu|without (?:a |any )?gpu|"
    r"(?:on|via|with|using) (?:the |my )?cpu\b|--cpu\b|device\s*[=:]\s*['\"]?cpu\b)"
)
_gpu = _any(_GPU_NAME, _CPU_ONLY)
_vram = _any(
    r"\b\d{1,3}(?:\.\d+)?\s?(?:gb|g|gib)\b\s*(?:of\s+)?(?:vram|gpu memory|video memory|graphics memory|gddr\d?x?)",
    r"\b(?:vram|gpu memory|video memory)\W{0,15}\d{1,3}(?:\.\d+)?\s?(?:gb|gib|g)\b",
    r"\b\d{4,6}\s?mib\b",
    r"\d+(?:\.\d+)? gib total capacity",
    _GPU_NAME + r"[\w ]{0,12}?\s*[,(]?\s*\d{1,3}\s?(?:gb|g|gib)\b",
)
_cuda_version = _any(
    r"\bcuda(?:\s*toolkit|\s*version|/cudnn version)?\W{0,15}v?\d{1,2}\.\d",
    r"\bcu1\d{2}\b|\bcuda1\d\.\d|\bcudatoolkit\W{1,3}\d+|\bcuda ?1[0-3](?:\.x)?\b",
)
_device = _any(
    r"--device\b|\bdevice\s*=\s*['\"]?\w|\bdevice_map\b|\bCUDA_VISIBLE_DEVICES\b|\.to\(\s*['\"]?(?:cuda|cpu|mps)",
    r"\.cuda\(\)|--gpus?\b|--gpu[-_]ids?\b|\buse_gpu\b|--cpu\b|--skip-torch-cuda-test|--(?:low|med)vram\b",
    r"--no-half\b|\bgpu[ _]?id\b|--n[-_]gpu[-_]layers|\s-ngl\b|\bdevice\s*[:=]\s*['\"]?(?:cuda|cpu|mps)",
    r"\b(?:run|running|ran)\s+(?:it\s+)?(?:on|via|with)\s+(?:the\s+)?(?:cpu|gpu|mps)\b",
)
_model_named = _any(
    r"\b[\w.-]+\.(?:pt|pth|ckpt|safetensors|gguf|ggml|onnx|weights|argosmodel|pbmm|tflite|h5)\b",
    r"^\W*model(?: name| id)?\s*[:：=]\s*[^\s\[(]\S",
    r"\bmodel\s*:[ \t]*[\w./-]{4,}",
    r"--(?:from_pretrained|model[\w-]*|checkpoint|weights|variant)[ =]\S",
    r"\bmodel(?:_name|_id)?\s*=\s*['\"][^'\"]+['\"]|\b(?:from_pretrained|load|SentenceTransformer)\(\s*['\"][^'\"]+",
    flags=_IM,
)
_version_heading = _any(  # "### Pytorch version" answered on the next line
    r"^\W*(?!python|cuda|os\b)[\w .-]*\bversion\b[^\n]*\n(?:\s*\n)*\s*v?\d+\.\d+", flags=_IM
)
_model_heading = _any(r"^\W*model\W*$\n(?:\s*\n)*\s*[^\s\[(#<]\S", flags=_IM)  # "### Model" + answer
_code_line = _any(
    r"^\s*(?:import \w|from [\w.]+ import|def \w|class \w|>>> |\$ \w|!?pip \w|!python)",
    r"^\s*[\w.\[\]'\"]+\s*=\s*\S",
    r"\b\w+(?:\.\w+)+\([^()\n]+\)|\b\w+\s*=\s*\w+(?:\.\w+)*\(",
    flags=_IM,
)
_PROMPT = r"^[ \t]*(?:\([\w.-]+\)[ \t]*)?(?:[\w.@-]+:[~/]\S*[$#][ \t]*|[\w:\\/. -]*>[ \t]*|[$#][ \t]+|!)?"
_command = _any(
    _PROMPT + r"(?:python3?|py)[ \t]+(?:-m[ \t]+\S+|\S+\.py)\b",
    _PROMPT + r"(?:torchrun|accelerate launch|deepspeed|bash|sh|lm_eval|huggingface-cli|llamafactory-cli|docker|"
    r"ollama|curl|make|cmake)[ \t]+\S",
    _PROMPT + r"\.{0,2}/?[\w./\\-]+\.(?:sh|py|bat|exe)(?:[ \t]+(?:-|\S*[./\\=])|[ \t]*$)",
    r"^[ \t]*(?:\([\w.-]+\)[ \t]*)?[\w.@-]+:[~/]\S*\$[ \t]*\w",  # user@host:path$ command
    r"[\"“`][ \t]*[\w.-]+(?:[ \t]+-{1,2}[a-z][\w-]*)(?:[ \t]+[^\s\"”`]+)*[ \t]*[\"”`]",  # "tool -o out in"
    r"^[^\n]*\S[ \t]+--?[a-z][\w-]*(?:[ =]\S+)?[ \t]+--?[a-z][\w-]*",  # a command line with two or more options
    flags=_IM,
)
_error_text = _any(
    r"\b[A-Z]\w*(?:Error|Exception|Exit|Interrupt)\b[ \t]*[:(]",
    r"(?i:\b(?:error|fatal|failed)[ \t]*[:!][ \t]*\S)|\bERROR\b|(?i:\bexception[ \t]+['\"])|\berror[ \t]+[A-Z]\w{3,}",
    r"(?i:command not found|not recognized as an internal|\bno module named\b|cannot import name|has no attribute)",
    r"(?i:segmentation fault|illegal instruction|\bcuda error\b|out of memory|\bassert(?:ion)? failed)",
    r"(?i:\b(?:status(?: code)?|http|error code)[ \t]*:?[ \t]*[45]\d\d\b|\b[45]\d\d[ \t]*(?:client |server )?error\b)",
    r"(?i:\b[45]\d\d[ \t]*\([\w ]*error\))|(?i:[\"']\s*error\b[^\"'\n]{3,}[\"'])",
    flags=re.MULTILINE,
)
_expected = _any(
    r"\bexpect(?:ed|ing|s)?\b",
    r"\bshould\s+(?:have|work|return|output|produce|generate|see|show|write|run|give|be able)\b",
)
_actual = _any(
    r"\b(?:but|instead|actual(?:ly)?|however|got|gets|get|returns?|outputs?|shows?|produces?|gives?|stuck|"
    r"doesn'?t|does not|didn'?t|cannot|can'?t|no output|nothing|wrong|fails?|failed)\b"
)
_inputs = _any(
    # An assignment or a key at the start of a line (code, JSON, YAML), not "cannot translate text: '...'".
    r"^\s*[\"']?\w*(?:text|prompt|input|sentence|audio|image|question|query)s?\w*[\"']?\s*[=:]\s*['\"\[(]",
    # Quoted text the reporter fed the model, not a language: "translate from \"Greek\"" names no input.
    r"\b(?:translat\w*|prompt(?:ed)?|input|say|ask(?:ed)?)\s+(?!from\b|to\b|into\b)(?:\w+\s+)?"
    r"[\"'“][^\"'”\n]{2,}[\"'”]",
    r"\b(?:audio|image|video|input|sample|file)s? (?:to reproduce|i used|attached)\b",
    r"/files/\d+/\S+\.(?:zip|wav|mp3|flac|ogg|mp4|txt|pdf)\b",
    flags=_I | re.MULTILINE,
)
_settings = _any(
    r"\b(?:temperature|top_?p|top_?k|num_beams|beam_size|max_new_tokens|max_tokens|max_length|min_length|"
    r"repetition_penalty|seed|guidance_scale|cfg_scale|cfg|steps|sampler|batch_size|learning_rate|lr|epochs|"
    r"degrees|scale|shear|mixup|chunk_size|segment_size|window_size|resolution|precision)\W{0,3}[:=]\s*['\"]?[\d.(]",
    r"--(?:fp16|bf16|half|precision|temperature|top[-_]p|top[-_]k|steps|batch[-_]size|lr|epochs)\b",
    r"\b(?:fp16|bf16|load_in_[48]bit)\s*=\s*\w|\btorch_dtype\s*=|\bdtype\s*=\s*\S",
)
_network = _any(
    r"\b(?:offline|proxy|proxies|firewall|vpn|no internet|without internet|internet connection|air[- ]?gapped|"
    r"behind a|mirror|cache[_ ]dir(?:ectory)?|local_files_only)\b",
    r"\b(?:HF_HUB_OFFLINE|TRANSFORMERS_OFFLINE|HF_ENDPOINT|HF_HOME|HF_HUB_CACHE|TRANSFORMERS_CACHE)\b",
)
_data_size = _any(
    r"\b\d[\d,.]*\s*[km]?\s*(?:samples|examples|images|pictures|photos|hours|hrs|clips|utterances|sentences|"
    r"rows|records|documents|pairs|instances|videos|wav files|audio files)\b",
    r"\bdataset (?:of|with) (?:about |around |~)?\d",
)
_looked_for = _any(
    r"\b(?:i want to (?:know|understand)|i would like to (?:know|understand)|i wonder|my question is|"
    r"looking for|is there a way|any idea)\b",
)
_TITLE_QUESTION = re.compile(r"^\W*(?:how|what|why|where|which|when|is|are|can|could|does|do|will|any)\b", _I)
# A question about a failure or a feature is not a request for information.
_NOT_INFO = re.compile(r"\b(?:fix|solve|error|bug|fail\w*|crash\w*|update|plan|feature|support)\b|\[feat", _I)
_where_looked = _any(
    r"\b(?:in|of|from|per|following|followed|read|checked|according to)\s+(?:the\s+|this\s+|your\s+|official\s+)*"
    r"(?:\w+\s+)?(?:paper|readme|docs?|documentation|wiki|model card|tutorial|faq|guide|quickstart|instructions)\b",
)


def _has(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None


def _traceback(text: _Text) -> str | None:
    full = text.full
    frames = len(_FRAME.findall(full)) + len(_IPY_FRAME.findall(full)) + len(_JS_FRAME.findall(full))
    if frames >= 2 or ("Traceback (most recent call last)" in full and frames >= 1):
        return "full"
    if re.search(r"\b[A-Z]\w*(?:Error|Exception)\b\s*:", full):
        return "last_line"
    return None


def detect_evidence(title: str, body: str) -> Evidence:
    """Which of the checklist fields the issue already answers."""
    text = _prepare(title, body)
    full, prose = text.full, text.prose
    given: set[str] = set()
    checks: dict[str, bool] = {
        "package_versions": _has(_package_versions, full) or _has(_version_heading, text.raw),
        "os": _has(_os, full),
        "python_version": _has(_python_version, full),
        "install_method": _has(_install_method, full),
        "gpu": _has(_gpu, full),
        "vram": _has(_vram, full),
        "cuda_version": _has(_cuda_version, full),
        "device": _has(_device, text.code_free),
        "model_id": bool(find_models(title, body)) or _has(_model_named, full) or _has(_model_heading, text.raw),
        "command": _has(_command, text.code_free),
        "error_text": _has(_error_text, full),
        "inputs": _has(_inputs, text.code_free),
        "settings": _has(_settings, text.code_free),
        "network": _has(_network, prose),
        "data_size": _has(_data_size, prose),
        "looked_for": bool(_TITLE_QUESTION.search(title) and not _NOT_INFO.search(title)) or _has(_looked_for, prose),
        "where_looked": _has(_where_looked, prose),
    }
    checks["code"] = checks["command"] or _has(_code_line, text.code_free)
    checks["expected_actual"] = _has(_expected, prose) and _has(_actual, prose)
    checks["base_model"] = checks["model_id"]
    traceback = _traceback(text)
    checks["traceback"] = traceback == "full"
    checks["error_text"] = checks["error_text"] or checks["traceback"]
    given.update(field for field, present in checks.items() if present)
    return Evidence(frozenset(given), traceback)


def missing_information(category: str, title: str, body: str) -> tuple[ChecklistItem, ...]:
    """The category's checklist items the issue does not answer yet, in checklist order (empty: nothing)."""
    evidence = detect_evidence(title, body)
    checklist = load_taxonomy().get(category).checklist
    return tuple(item for item in checklist if not evidence.has(item.field))
