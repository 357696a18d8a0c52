"""Precision and recall of the model-mention extractor against the hand-annotated sample.

    .venv/bin/python benchmarks/quality/mentions.py [--data FILE.jsonl] [--show]

The labels (tests/classifier/fixtures/model_mentions.json) map each sampled issue url to the models it
names, read by hand: Hugging Face Hub ids (as written, or completed where the name alone is a Hub id, as
"all-MiniLM-L6-v2" is sentence-transformers') and members of the curated families in
classifier/data/taxonomy.json with their version or size ("Llama 3 8B", "YOLOv8n"). A family without a size
("whisper"), a project name ("llama.cpp"), examples in an issue form's template, and models outside the
table and the Hub are not labels. Ids compare case- and separator-insensitively. --show lists the misses.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sample import DEFAULT_DATA, load_rows

from classifier.mentions import find_models, mention_key

FIXTURE = Path(__file__).resolve().parents[2] / "tests/classifier/fixtures/model_mentions.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", action="store_true", help="print false positives and misses")
    args = parser.parse_args()
    labels: dict[str, list[str]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rows = {row["url"]: row for row in load_rows(args.data)}
    true_pos = false_pos = false_neg = 0
    for url, expected in labels.items():
        row = rows[url]
        found = {mention_key(m.id_or_name): m.id_or_name for m in find_models(row["title"], row["body"])}
        wanted = {mention_key(e): e for e in expected}
        true_pos += len(found.keys() & wanted.keys())
        false_pos += len(found.keys() - wanted.keys())
        false_neg += len(wanted.keys() - found.keys())
        if args.show and found.keys() != wanted.keys():
            extra = [found[k] for k in found.keys() - wanted.keys()]
            missed = [wanted[k] for k in wanted.keys() - found.keys()]
            print(f"{url}\n  false positives: {extra}\n  missed: {missed}")
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    naming = sum(1 for ids in labels.values() if ids)
    print(f"issues: {len(labels)} (naming a model: {naming}); expected mentions: {true_pos + false_neg}")
    print(f"found: {true_pos + false_pos}  correct: {true_pos}")
    print(f"precision: {precision:.3f}  recall: {recall:.3f}")


if __name__ == "__main__":
    main()
