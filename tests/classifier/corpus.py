"""A tiny labeled corpus written for the tests (not the shared data): clear-cut issues, 8 repositories."""

from __future__ import annotations

import json
from pathlib import Path

from classifier.features import ModelConfig
from classifier.lab.dataset import Sample
from classifier.schema import LabeledIssue

_PTM = {
    "model-usage": [
        ("How do I pass a custom prompt to the pipeline", "Calling the model with my prompt raises a "
         "TypeError about an unexpected keyword argument in generate."),
        ("Tokenizer error when calling the model", "The tokenizer rejects my input format; which arguments "
         "does the model expect?"),
        ("Wrong input shape when invoking the checkpoint", "ValueError: expected input of shape 3x224x224 when "
         "I call the pretrained model."),
        ("How to configure the model temperature argument", "Where do I set generation arguments for the "
         "loaded model?"),
    ],
    "model-performance": [
        ("Model output quality is poor", "The transcription from the pretrained model is wrong and "
         "hallucinated on clean audio."),
        ("Results worse than the paper", "Accuracy of the released weights is much lower than reported."),
        ("Inference is very slow", "Generating one image with the model takes minutes even on a fast machine."),
        ("Inconsistent predictions between runs", "The model gives different outputs for the same input."),
    ],
    "software-environment": [
        ("pip install fails with dependency conflict", "torch and transformers versions conflict during "
         "install on Python 3.12."),
        ("ImportError after upgrading transformers", "No module named transformers.models after pip "
         "upgrade; version conflict."),
        ("Docker image cannot import onnxruntime", "ModuleNotFoundError for onnxruntime in the docker image."),
        ("Does not install on Windows", "conda environment fails to resolve torch dependency versions."),
    ],
    "hardware-resources": [
        ("CUDA out of memory when loading the model", "RuntimeError: CUDA out of memory on my 8GB GPU."),
        ("Model does not use the GPU", "Inference runs on CPU only, the CUDA device is not detected."),
        ("Support for Apple MPS device", "Running the model on MPS fails with a device error."),
        ("Multi-GPU inference runs out of VRAM", "Out of memory with two GPUs, VRAM is not split."),
    ],
    "documentation": [
        ("Which model version is used in the demo", "The model card does not say which checkpoint version "
         "the demo uses."),
        ("License of the pretrained weights", "What is the license of the released model weights?"),
        ("How to reproduce the reported results", "The documentation does not explain the training data and "
         "settings of the model."),
        ("Missing documentation for the model card", "Please document the model's training data and limits."),
    ],
    "model-acquisition": [
        ("Cannot download the model weights", "The download link of the checkpoint returns 404 not found."),
        ("Hub returns 401 for gated model", "Downloading the gated model from the hub fails with "
         "unauthorized, token required."),
        ("Offline use of cached weights", "How do I load the model from the cache without internet access?"),
        ("Checkpoint file is corrupted after download", "The downloaded safetensors checkpoint is incomplete."),
    ],
    "model-customization": [
        ("How to fine-tune the model on my data", "I want to fine-tune the pretrained model on a custom dataset."),
        ("Please support the new model version", "Add support for the latest checkpoint of the model family."),
        ("Export the model to ONNX", "Converting the model to ONNX fails; I want to quantize it to int8."),
        ("Fine-tuning for another language", "Can I train the model for Spanish with my own corpus?"),
    ],
}
_OTHER = [
    ("Dark mode for the settings page", "The settings page is too bright; please add a dark theme."),
    ("Typo in README", "There is a typo in the installation section of the README."),
    ("Button misaligned in the sidebar", "The save button overlaps the sidebar on small screens."),
    ("CI workflow fails on forks", "The GitHub Actions workflow cannot read secrets on forked pull requests."),
    ("Add keyboard shortcut to close dialog", "Pressing escape should close the dialog window."),
    ("Release notes missing for 2.1", "The changelog does not list the changes of the last release."),
    ("CLI flag --verbose ignored", "The command line ignores the verbose flag and prints nothing."),
    ("Export history to CSV", "It would be nice to export the chat history as a CSV file."),
    ("Window position not remembered", "The app forgets the window size and position after restart."),
    ("Translate the UI to German", "Please add German translations for the menu and buttons."),
    ("Tray icon missing on Linux", "The tray icon does not show on my desktop panel."),
    ("Code style: use f-strings", "Replace old percent formatting with f-strings across the code."),
    ("Broken link in contributing guide", "The contributing guide links to a page that moved."),
    ("Add a logout button", "There is no way to log out of the web interface."),
    ("Spelling mistake on the about page", "The about page misspells the project name."),
    ("Crash when the config file is empty", "The app crashes when settings.yml is empty on startup."),
]


def samples() -> list[Sample]:
    out = []
    repos = [f"example/repo{i}" for i in range(8)]
    n = 0
    for slug, issues in _PTM.items():
        for title, body in issues:
            repo = repos[n % len(repos)]
            out.append(Sample(LabeledIssue(repo, f"https://github.com/{repo}/issues/{n}", title, body, True, slug),
                              source="tiny", weight=1.0))
            n += 1
    for title, body in _OTHER:
        repo = repos[n % len(repos)]
        out.append(Sample(LabeledIssue(repo, f"https://github.com/{repo}/issues/{n}", title, body, False, None),
                          source="tiny", weight=1.0))
        n += 1
    return out


def write_jsonl(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for s in samples():
            i = s.issue
            handle.write(json.dumps({"url": i.url, "repo": i.repo, "title": i.title, "body": i.body,
                                     "ptm": i.ptm, "category": i.category, "confidence": "high"}) + "\n")
    return path


# Small and quick: what the tests need is determinism and the mechanics, not quality.
TINY_CONFIG = ModelConfig(min_df=1, inner_folds=2, char_ngrams=(3, 4))
