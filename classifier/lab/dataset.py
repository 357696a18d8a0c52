"""Reading labeled issue files (JSONL, one issue a line; see ../shared/data/README.md) into LabeledIssue."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from classifier.schema import LabeledIssue
from classifier.taxonomy import Taxonomy, load_taxonomy

MAX_LINE_BYTES = 1_000_000  # a line longer than this is not an issue record


class DatasetError(ValueError):
    """A data file that cannot be used; the message names the file, the line and what is wrong."""


@dataclass(frozen=True)
class Sample:
    """A labeled issue with where it came from (the file's stem), for per-source figures."""

    issue: LabeledIssue
    source: str
    weight: float  # the labeler's confidence as a training weight
    confidence: str = "high"  # the labeler's confidence: high, medium or low


_CONFIDENCE_WEIGHT = {"high": 1.0, "medium": 0.8, "low": 0.5}


def _fail(path: Path, line_no: int, message: str) -> DatasetError:
    return DatasetError(f"{path}:{line_no}: {message}")


def _parse(record: object, path: Path, line_no: int, taxonomy: Taxonomy) -> Sample:
    if not isinstance(record, dict):
        raise _fail(path, line_no, "expected a JSON object")
    for key in ("title", "body"):
        if not isinstance(record.get(key, ""), str):
            raise _fail(path, line_no, f"'{key}' must be a string")
    ptm = record.get("ptm")
    if not isinstance(ptm, bool):
        raise _fail(path, line_no, "'ptm' must be true or false")
    category = record.get("category")
    if ptm and category not in taxonomy.slugs:
        raise _fail(path, line_no, f"'category' must be one of {', '.join(taxonomy.slugs)} when ptm is true")
    if not ptm and category is not None:
        raise _fail(path, line_no, "'category' must be null when ptm is false")
    title = record.get("title") or ""
    if not str(title).strip():
        raise _fail(path, line_no, "'title' is empty")
    url = str(record.get("url") or f"{path.name}#{line_no}")
    repo = str(record.get("repo") or url)
    issue = LabeledIssue(repo=repo, url=url, title=title, body=record.get("body") or "", ptm=ptm,
                         category=category if ptm else None)
    confidence = str(record.get("confidence", "high"))
    return Sample(issue=issue, source=path.stem, weight=_CONFIDENCE_WEIGHT.get(confidence, 1.0),
                  confidence=confidence)


def read_samples(path: Path | str, taxonomy: Taxonomy | None = None) -> list[Sample]:
    """Every record of one JSONL file; raises DatasetError on the first bad line."""
    path = Path(path)
    taxonomy = taxonomy or load_taxonomy()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    samples = []
    for line_no, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            raise _fail(path, line_no, f"line longer than {MAX_LINE_BYTES} bytes")
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise _fail(path, line_no, "not UTF-8 text") from exc
        except json.JSONDecodeError as exc:
            raise _fail(path, line_no, f"not valid JSON ({exc.msg})") from exc
        samples.append(_parse(record, path, line_no, taxonomy))
    if not samples:
        raise DatasetError(f"{path}: no records")
    return samples


def read_many(paths: Iterable[Path | str], taxonomy: Taxonomy | None = None) -> list[Sample]:
    return [sample for path in paths for sample in read_samples(path, taxonomy)]


def read_issues(path: Path | str) -> list[LabeledIssue]:
    return [sample.issue for sample in read_samples(path)]


def data_digest(paths: Sequence[Path | str]) -> str:
    """sha256 over the files' bytes in the order given: identifies the training data in the model card."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
