from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.mentions import ModelMention, find_models, mention_key

FIXTURE = Path(__file__).parent / "fixtures" / "model_mentions.json"


def ids(title: str, body: str = "") -> list[str]:
    return [m.id_or_name for m in find_models(title, body)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('model = AutoModel.from_pretrained("openai/whisper-large-v3")', ["openai/whisper-large-v3"]),
        ("tok = AutoTokenizer.from_pretrained('gpt2')", ["gpt2"]),
        ('pipe = pipeline("text-generation", model="mistralai/Mistral-7B-v0.1")', ["mistralai/Mistral-7B-v0.1"]),
        ("python serve.py --model TheBloke/Llama-2-7B-GGUF --port 8000", ["TheBloke/Llama-2-7B-GGUF"]),
        ("see https://huggingface.co/suno/bark/tree/main", ["suno/bark"]),
        ('snapshot_download(repo_id=r"QuantFactory/Meta-Llama-3-8B-GGUF")', ["QuantFactory/Meta-Llama-3-8B-GGUF"]),
        ("SentenceTransformer('all-MiniLM-L6-v2')", ["sentence-transformers/all-MiniLM-L6-v2"]),
        ("I use meta-llama/Llama-2-7b-chat-hf for chat", ["meta-llama/Llama-2-7b-chat-hf"]),
    ],
)
def test_hub_ids_in_their_contexts(body: str, expected: list[str]) -> None:
    assert ids("", body) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("whisper large-v3 runs out of memory", ["Whisper large-v3"]),
        ("SDXL is slow on my GPU", ["SDXL"]),
        ("Llama-3-8B-Instruct answers in German", ["Llama 3-8B"]),
        ("model = YOLO('yolov8n.pt')", ["YOLOv8n"]),
        ("fine-tuning BERT base on my data", ["BERT base"]),
        ("Stable Diffusion 1.5 gives grey images", ["Stable Diffusion 1.5"]),
        ("Mistral 7B repeats itself", ["Mistral 7B"]),
    ],
)
def test_families_with_a_size(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "see https://github.com/openai/whisper and microsoft/semantic-kernel",
        "llama.cpp crashes, whisper.cpp too, and faster-whisper is slow",
        "I use GPT4All daily",
        "saved to ./models/TheBloke/llama-7b/model.bin and data/train.json",
        "- [x] I have searched the YOLOv5 issues",
        "Model: [e.g. `meta-llama-3-8b-instruct`]",
        "whisper is great",
        "python train.py --config configs/base.yaml",
    ],
)
def test_no_model_where_none_is_named(text: str) -> None:
    assert ids(text) == []


def test_ordered_and_deduplicated_with_links() -> None:
    found = find_models("Whisper large-v3 and SDXL", 'from_pretrained("openai/whisper-large-v3"); SDXL again')
    # The title's "Whisper large-v3" is the Hub id's model: one link, the card's.
    assert [m.id_or_name for m in found] == ["SDXL", "openai/whisper-large-v3"]
    assert found[1] == ModelMention("openai/whisper-large-v3", "https://huggingface.co/openai/whisper-large-v3", "hub")
    assert found[0].kind == "family" and found[0].url.startswith("https://")


def test_mention_key_ignores_case_and_separators() -> None:
    assert mention_key("Llama 3 8B") == mention_key("llama-3-8b")
    assert mention_key("openai/whisper-large-v3") != mention_key("openai/whisper-large-v2")


def test_fixture_has_the_required_size_and_shape() -> None:
    labels = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert len(labels) >= 200
    assert sum(1 for v in labels.values() if v) >= 50
    for url, expected in labels.items():
        assert url.startswith("https://github.com/") and "/issues/" in url
        assert isinstance(expected, list) and all(isinstance(e, str) and e for e in expected)
