from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.lab.dataset import DatasetError, data_digest, read_issues, read_samples
from tests.classifier.corpus import samples, write_jsonl


def test_reads_every_record_with_its_source_and_weight(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "tiny.jsonl")
    read = read_samples(path)
    assert [s.issue for s in read] == [s.issue for s in samples()]
    assert {s.source for s in read} == {"tiny"}
    assert read_issues(path)[0].document.title == samples()[0].issue.title


def _write(tmp_path: Path, *lines: str | bytes) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines))
    return path


GOOD = json.dumps({"title": "t", "body": "b", "ptm": False, "category": None, "repo": "a/b"})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe\x00junk", "not UTF-8"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"title": "t", "body": "b", "ptm": "yes"}), "'ptm' must be true or false"),
        (json.dumps({"title": "t", "body": "b", "ptm": True, "category": "nope"}), "'category' must be one of"),
        (json.dumps({"title": "t", "body": "b", "ptm": False, "category": "model-usage"}), "must be null"),
        (json.dumps({"title": " ", "body": "b", "ptm": False}), "'title' is empty"),
        (json.dumps({"title": "t", "body": 3, "ptm": False}), "'body' must be a string"),
    ],
)
def test_a_bad_line_is_named_with_what_is_wrong(tmp_path: Path, line: str | bytes, message: str) -> None:
    path = _write(tmp_path, GOOD, line)
    with pytest.raises(DatasetError, match=message) as info:
        read_samples(path)
    assert f"{path}:2:" in str(info.value)


def test_missing_and_empty_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        read_samples(tmp_path / "absent.jsonl")
    with pytest.raises(DatasetError, match="no records"):
        read_samples(_write(tmp_path, "", "  "))


def test_data_digest_depends_on_content_and_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("one")
    b.write_text("two")
    assert data_digest([a, b]) != data_digest([b, a])
    assert data_digest([a]) == data_digest([a])
