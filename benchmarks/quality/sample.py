"""Reproducible samples of the natural issue file for the hand-annotated quality fixtures.

    .venv/bin/python benchmarks/quality/sample.py mentions|evidence [--data FILE.jsonl]

Prints the sampled urls, one a line. The fixtures in tests/classifier/fixtures/ hold labels for exactly
these urls (never the issue texts); the benchmarks read the texts from --data again.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("../shared/data/ptm-issues-natural.jsonl")
SEED = 11
# Broad hints that an issue names a model, used only to enrich the sample (independent of the extractor).
_MODEL_HINT = re.compile(
    r"from_pretrained|huggingface\.co|hf\.co/|model_id|model_name|--model|whisper|llama|mistral|sdxl|"
    r"stable.diffusion|yolo|bert|qwen|gpt-|gemma|flux|\d+b\b",
    re.IGNORECASE,
)
# Narrower hints: a loader call, a Hub link, a model flag, or a family name with a version or size.
_STRONG_HINT = re.compile(
    r"from_pretrained\(|huggingface\.co/[\w-]+/|model[_-]?(?:id|name)\s*[=:]|--model[ =]|"
    r"\b(?:llama|qwen|mistral|gemma|phi|vicuna|falcon)[ -]?\d|whisper[ -](?:tiny|base|small|medium|large)|"
    r"yolo ?v?\d+[a-z]?\b|sdxl|sd ?[12]\.\d|\d+b\b",
    re.IGNORECASE,
)
# How many issues each sample draws: (at random, with a model hint, with a strong model hint).
SIZES = {"mentions": (130, 80, 60), "evidence": (110, 0, 0)}
# The missing-information checklist is only posted on PTM-related issues: sample those.
ONLY_PTM = {"evidence"}


def load_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def draw(rows: list[dict[str, Any]], which: str) -> list[dict[str, Any]]:
    """The sample for one fixture: a seeded random part, then a part enriched with model hints."""
    at_random, hinted, strong = SIZES[which]
    rng = random.Random(f"{SEED}-{which}")
    order = sorted((r for r in rows if r.get("ptm") or which not in ONLY_PTM), key=lambda row: str(row["url"]))
    rng.shuffle(order)
    chosen = order[:at_random]
    rest = [row for row in order[at_random:] if _MODEL_HINT.search(f"{row['title']}\n{row['body']}")]
    chosen += rest[:hinted]
    taken = {row["url"] for row in chosen}
    more = [row for row in order if row["url"] not in taken and _STRONG_HINT.search(f"{row['title']}\n{row['body']}")]
    return chosen + more[:strong]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=sorted(SIZES))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    for row in draw(load_rows(args.data), args.which):
        print(row["url"])


if __name__ == "__main__":
    main()
