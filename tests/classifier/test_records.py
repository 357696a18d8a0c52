from __future__ import annotations

import json

from classifier.records import ADDED_FIELDS, annotate, label_names, parse_lines
from classifier.schema import Prediction
from classifier.taxonomy import load_taxonomy

SCORES = {"model-usage": 0.1, "hardware-resources": 0.9}


def _prediction(ptm: float, category: float) -> Prediction:
    scores = {"model-usage": 1 - category, "hardware-resources": category}
    return Prediction(ptm, scores, ptm_threshold=0.8, category_threshold=0.7, model_version="v")


def test_labels_follow_the_thresholds() -> None:
    taxonomy = load_taxonomy()
    ptm_label, hardware = taxonomy.ptm_label.name, taxonomy.get("hardware-resources").label.name
    assert label_names(_prediction(0.9, 0.9), taxonomy) == [ptm_label, hardware]
    assert label_names(_prediction(0.9, 0.6), taxonomy) == [ptm_label]
    assert label_names(_prediction(0.5, 0.9), taxonomy) == []


def test_annotate_passes_other_keys_through() -> None:
    out = annotate({"id": 7, "title": "t", "body": "b", "extra": {"x": [1]}}, _prediction(0.5, 0.9),
                   load_taxonomy())
    assert out["id"] == 7 and out["extra"] == {"x": [1]}
    assert set(ADDED_FIELDS) <= set(out)
    assert out["ptm_related"] is False and out["category"] is None and out["category_score"] is None
    assert out["applied_category"] is None and out["labels"] == []


def test_parse_lines_reports_each_bad_line() -> None:
    lines = [json.dumps({"title": "ok", "body": None}).encode(), b"", b"{oops", b"\xff\xfe",
             json.dumps({"title": ""}).encode(), json.dumps(["a"]).encode(),
             json.dumps({"title": "t", "body": 5}).encode()]
    records, errors = parse_lines(lines)
    assert [r.line_no for r in records] == [1]
    assert records[0].document.body == ""
    assert [e.split(":")[0] for e in errors] == ["line 3", "line 4", "line 5", "line 6", "line 7"]
