"""The `classify` JSONL contract: issue records in, the same records with the model's decision out.

Each input line is a JSON object with `title` and `body`; other keys pass through unchanged. The added
fields are listed in ADDED_FIELDS and described in the command reference (docs/).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from classifier.schema import Document, Prediction
from classifier.taxonomy import Taxonomy

MAX_LINE_BYTES = 2_000_000  # an issue body is capped at 65,536 characters by GitHub; this leaves room
ADDED_FIELDS = ("ptm_related", "ptm_score", "category", "category_score", "top_category", "category_scores",
                "applied_category", "tier", "labels")


class RecordError(ValueError):
    """One unusable input line; the message names the line."""


@dataclass(frozen=True)
class IssueRecord:
    line_no: int
    fields: dict[str, Any]

    @property
    def document(self) -> Document:
        return Document(self.fields["title"], self.fields.get("body") or "")


def document_from(title: object, body: object) -> Document:
    """A Document from untrusted values, or ValueError saying what is wrong."""
    if not isinstance(title, str) or not title.strip():
        raise ValueError("'title' must be a non-empty string")
    if body is not None and not isinstance(body, str):
        raise ValueError("'body' must be a string or null")
    return Document(title, body or "")


def parse_line(line: bytes, line_no: int) -> IssueRecord:
    if len(line) > MAX_LINE_BYTES:
        raise RecordError(f"line {line_no}: longer than {MAX_LINE_BYTES} bytes")
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordError(f"line {line_no}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise RecordError(f"line {line_no}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise RecordError(f"line {line_no}: expected a JSON object with 'title' and 'body'")
    try:
        document_from(record.get("title"), record.get("body"))
    except ValueError as exc:
        raise RecordError(f"line {line_no}: {exc}") from exc
    return IssueRecord(line_no, record)


def parse_lines(lines: Iterable[bytes]) -> tuple[list[IssueRecord], list[str]]:
    """(records, errors): blank lines are skipped; every bad line gives one error message."""
    records, errors = [], []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(parse_line(line, line_no))
        except RecordError as exc:
            errors.append(str(exc))
    return records, errors


def label_names(prediction: Prediction, taxonomy: Taxonomy) -> list[str]:
    """The labels the bot applies under the default config: PTM label, then the category's; [] if not PTM."""
    if not prediction.ptm_related:
        return []
    names = [taxonomy.ptm_label.name]
    if prediction.applied_category is not None:
        names.append(taxonomy.get(prediction.applied_category).label.name)
    return names


def decision_fields(prediction: Prediction, taxonomy: Taxonomy) -> dict[str, Any]:
    score = prediction.category_score
    return {
        "ptm_related": prediction.ptm_related,
        "ptm_score": round(prediction.ptm_score, 4),
        "category": prediction.category,
        "category_score": None if score is None else round(score, 4),
        "top_category": prediction.top_category,
        "category_scores": {slug: round(p, 4) for slug, p in prediction.category_scores.items()},
        "applied_category": prediction.applied_category,
        "tier": prediction.tier,
        "labels": label_names(prediction, taxonomy),
    }


def annotate(fields: dict[str, Any], prediction: Prediction, taxonomy: Taxonomy) -> dict[str, Any]:
    """The input record with the decision fields added (they replace input keys of the same name)."""
    return {**fields, **decision_fields(prediction, taxonomy)}
