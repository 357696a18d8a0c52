"""Per-field precision and recall of the evidence detectors against the hand-annotated sample.

    .venv/bin/python benchmarks/quality/evidence.py [--data FILE.jsonl] [--show FIELD]

The labels (tests/classifier/fixtures/evidence_fields.json) say, for each sampled PTM-related issue, which
pieces of information the text gives, read by hand. "given" is what a detector claims the reporter gave;
"ask precision" is the share of the checklist items the comment would ask for that were really missing
(asking for what is already there is the visible mistake). --show FIELD lists that field's errors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sample import DEFAULT_DATA, load_rows

from classifier.evidence import detect_evidence

FIXTURE = Path(__file__).resolve().parents[2] / "tests/classifier/fixtures/evidence_fields.json"


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "  n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", metavar="FIELD")
    args = parser.parse_args()
    labels: dict[str, dict[str, bool]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rows = {row["url"]: row for row in load_rows(args.data)}
    fields = sorted(next(iter(labels.values())))
    counts = {field: [0, 0, 0, 0] for field in fields}  # tp, fp, fn, tn
    for url, truth in labels.items():
        row = rows[url]
        evidence = detect_evidence(row["title"], row["body"])
        for field in fields:
            found, real = evidence.has(field), truth[field]
            counts[field][(0 if real else 1) if found else (2 if real else 3)] += 1
            if args.show == field and found != real:
                print(f"{'false positive' if found else 'missed'}: {url}")
    print(f"issues: {len(labels)}")
    print(f"{'field':<18}{'given':>6}{'found':>6}{'prec':>7}{'recall':>7}{'ask prec':>9}")
    for field in fields:
        tp, fp, fn, tn = counts[field]
        rates = f"{_ratio(tp, tp + fp):>7}{_ratio(tp, tp + fn):>7}{_ratio(tn, tn + fn):>9}"
        print(f"{field:<18}{tp + fn:>6}{tp + fp:>6}{rates}")


if __name__ == "__main__":
    main()
