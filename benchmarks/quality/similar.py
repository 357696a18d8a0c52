"""Suggestion rate and hand-checked precision of similar-issue suggestions on the natural file.

    .venv/bin/python benchmarks/quality/similar.py [--data FILE.jsonl] [--threshold T] [--draw N]

Per repository, issues are replayed in order of creation: each is looked up among the repository's earlier
issues (closed ones count as answered), then added. Prints how many issues get at least one suggestion
above the threshold, and the share of the hand-judged suggestions (tests/classifier/fixtures/
similar_judgments.json: "url -> earlier url" -> related or not) that are real duplicates or related issues.
--draw N prints N reproducibly sampled suggestions above the threshold that have no judgment yet.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from sample import DEFAULT_DATA, SEED, load_rows

from classifier.similar import THRESHOLD, SimilarityIndex

FIXTURE = Path(__file__).resolve().parents[2] / "tests/classifier/fixtures/similar_judgments.json"


def suggestions(rows: list[dict[str, Any]], threshold: float) -> tuple[int, list[tuple[str, str, float]]]:
    """(issues looked up, [(url, suggested earlier url, score)]) over every repository."""
    by_repo: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_repo[row["repo"]].append(row)
    pairs = []
    for repo_rows in by_repo.values():
        index = SimilarityIndex()
        for row in sorted(repo_rows, key=lambda r: (r["created"], r["number"])):
            for match in index.query(row["title"], row["body"], threshold=threshold):
                pairs.append((row["url"], match.key, match.score))
            index.add(row["url"], row["title"], row["body"], row["state"], row["state"] == "closed")
    return len(rows), pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--draw", type=int, default=0)
    args = parser.parse_args()
    judged: dict[str, bool] = json.loads(FIXTURE.read_text(encoding="utf-8")) if FIXTURE.exists() else {}
    total, pairs = suggestions(load_rows(args.data), args.threshold)
    suggested = {url for url, _, _ in pairs}
    print(f"threshold {args.threshold}: {len(suggested)} of {total} issues ({len(suggested) / total:.1%}) "
          f"get a suggestion; {len(pairs)} suggestions")
    keys = [f"{url} -> {earlier}" for url, earlier, _ in pairs]
    verdicts = [judged[key] for key in keys if key in judged]
    if verdicts:
        print(f"hand-judged suggestions above the threshold: {len(verdicts)}, related: {sum(verdicts)} "
              f"({sum(verdicts) / len(verdicts):.2f})")
    if args.draw:
        todo = [(key, score) for key, (_, _, score) in zip(keys, pairs, strict=True) if key not in judged]
        random.Random(SEED).shuffle(todo)
        for key, score in todo[: args.draw]:
            print(f"{score:.3f}  {key}")


if __name__ == "__main__":
    main()
