from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.evidence import detect_evidence, missing_information
from classifier.taxonomy import load_taxonomy

FIXTURE = Path(__file__).parent / "fixtures" / "evidence_fields.json"

NVIDIA_SMI = """
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |
|   0  NVIDIA GeForce RTX 3090   Off | 00000000:01:00.0 Off |                  N/A |
| 30%   45C    P8    20W / 350W |   1024MiB / 24576MiB |      0%      Default |
+-----------------------------------------------------------------------------+
"""
PIP_FREEZE = "torch==2.1.0\ntransformers==4.40.0\naccelerate==0.29.2\n"
TRACEBACK = """Traceback (most recent call last):
  File "run.py", line 3, in <module>
    model = load()
  File "lib.py", line 9, in load
    raise OSError("not found")
OSError: not found
"""


def given(title: str, body: str) -> set[str]:
    return set(detect_evidence(title, body).given)


def test_nvidia_smi_gives_gpu_vram_and_cuda() -> None:
    found = given("OOM", f"```\n{NVIDIA_SMI}\n```")
    assert {"gpu", "vram", "cuda_version"} <= found


def test_pip_freeze_gives_package_versions() -> None:
    assert "package_versions" in given("", f"```\n{PIP_FREEZE}```")
    assert "package_versions" in given("", "I use transformers 4.40 with torch 2.1")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Ubuntu 22.04 with Python 3.10", "os"),
        ("Ubuntu 22.04 with Python 3.10", "python_version"),
        ("I installed it with pip install whisperx", "install_method"),
        ("running with --device cuda:0", "device"),
        ("I run it on CPU only", "gpu"),
        ("RTX 4090 24GB", "vram"),
        ("CUDA 11.8", "cuda_version"),
        ("I am behind a proxy", "network"),
        ("I fine-tune on 5000 samples", "data_size"),
        ("python train.py --epochs 3 --lr 1e-4", "command"),
        ("It should return a list but it returns None", "expected_actual"),
    ],
)
def test_single_detectors(text: str, field: str) -> None:
    assert field in given("", text)


def test_full_traceback_versus_last_line() -> None:
    assert detect_evidence("", TRACEBACK).traceback == "full"
    last = detect_evidence("", "I get OSError: not found")
    assert last.traceback == "last_line" and "traceback" not in last.given and "error_text" in last.given


def test_empty_template_answers_nothing() -> None:
    template = (
        "**Environment**\n- OS: [e.g. Ubuntu 20.04]\n- Python version:\n- GPU: `e.g., NVIDIA GeForce RTX 4090`\n"
        "| Installation type | Conda / pip / other |\n### Expected behavior\nA clear and concise description of what "
        "you expected to happen.\n"
    )
    assert given("[Bug]", template) == set()


def test_missing_information_asks_only_for_the_rest() -> None:
    body = f"Using openai/whisper-large-v3.\n```\n{NVIDIA_SMI}\n```\n```\n{PIP_FREEZE}```"
    asked = [item.field for item in missing_information("hardware-resources", "CUDA OOM", body)]
    assert asked == ["device"]
    vague = [item.field for item in missing_information("hardware-resources", "It crashes", "Please help")]
    assert vague == ["gpu", "vram", "cuda_version", "device"]


def test_nothing_missing_gives_an_empty_tuple() -> None:
    body = (
        'model = AutoModel.from_pretrained("bert-base-uncased")\n' + TRACEBACK
    )
    assert missing_information("model-usage", "OSError", body) == ()


def test_every_category_has_a_checklist_of_known_fields() -> None:
    known = set(detect_evidence("", "").given) | {
        "package_versions", "os", "python_version", "install_method", "gpu", "vram", "cuda_version", "device",
        "model_id", "code", "traceback", "inputs", "expected_actual", "settings", "error_text", "network",
        "base_model", "data_size", "command", "looked_for", "where_looked",
    }
    for category in load_taxonomy().categories:
        assert category.checklist
        for item in category.checklist:
            assert item.field in known and item.ask


def test_fixture_has_the_required_size_and_shape() -> None:
    labels = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert len(labels) >= 100
    fields = set(next(iter(labels.values())))
    checklist = {item.field for c in load_taxonomy().categories for item in c.checklist} - {"base_model"}
    assert checklist <= fields
    for url, truth in labels.items():
        assert url.startswith("https://github.com/")
        assert set(truth) == fields and all(isinstance(v, bool) for v in truth.values())


@pytest.mark.parametrize(("text", "given"), [
    ('prompt: "a photo of a cat wearing a hat"', True),
    ("texts = ['Hello, welcome!']", True),
    ("Cannot translate text: 'NoneType' object has no attribute 'translate'", False),
    ('When trying to translate from "Greek"(el) to "English"(en), only one word appears', False),
])
def test_inputs_are_what_was_fed_to_the_model_not_error_text_or_languages(text: str, given: bool) -> None:
    assert detect_evidence("title", text).has("inputs") is given
