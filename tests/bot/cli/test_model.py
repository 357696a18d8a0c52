"""`ptm-triage classify | train | evaluate`: the JSONL contract of `classify`, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from classifier.lab.train import fit
from classifier.model_store import save
from classifier.records import ADDED_FIELDS
from classifier.taxonomy import load_taxonomy
from tests.classifier.corpus import TINY_CONFIG, samples, write_jsonl

OOM = {"title": "CUDA out of memory when loading the model",
       "body": "RuntimeError: CUDA out of memory on my 8GB GPU, VRAM full"}
TYPO = {"title": "Typo in README", "body": "The README has a spelling mistake in the installation section."}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "model"
    model = fit(samples(), TINY_CONFIG)
    save(model, directory, taxonomy_version="1", data_digest="0" * 64, metrics={})
    return directory


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_classify_jsonl_adds_the_contract_fields_and_passes_keys_through(
        model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path / "in.jsonl", {"id": 1, "url": "u1", **OOM}, {"id": 2, "nested": {"a": [1]}, **TYPO})
    target = tmp_path / "out.jsonl"
    code, _, _ = run(capsys, "classify", "--input", str(source), "--output", str(target),
                     "--model", str(model_dir))
    assert code == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["url"] == "u1" and rows[1]["nested"] == {"a": [1]}
    assert rows[0]["title"] == OOM["title"]
    for row in rows:
        assert set(ADDED_FIELDS) <= set(row)
        assert isinstance(row["ptm_related"], bool) and 0.0 <= row["ptm_score"] <= 1.0
    taxonomy = load_taxonomy()
    oom = rows[0]
    assert oom["ptm_related"] is True and oom["category"] == "hardware-resources"
    assert 0.0 <= oom["category_score"] <= 1.0
    expected = [taxonomy.ptm_label.name]
    if oom["applied_category"]:
        expected.append(taxonomy.get(oom["applied_category"]).label.name)
    assert oom["labels"] == expected


def test_abstaining_gives_nulls_and_no_labels(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "classify", "--title", TYPO["title"], "--body", TYPO["body"],
                       "--model", str(model_dir))
    assert code == 0
    row = json.loads(out)
    assert row == {**row, "ptm_related": False, "category": None, "category_score": None,
                   "applied_category": None, "labels": []}


def test_stdin_to_stdout(model_dir: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", OOM, TYPO)
    with source.open("rb") as handle:
        monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": handle})())
        code, out, _ = run(capsys, "classify", "--input", "-", "--model", str(model_dir))
    assert code == 0
    assert len(out.splitlines()) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"title": "ok", "body": "b"}\n{"title": broken\n', "line 2: not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
        (b'{"title": "", "body": "b"}\n', "'title' must be a non-empty string"),
        (b'{"body": "no title"}\n', "'title' must be a non-empty string"),
        (b'["a list"]\n', "expected a JSON object"),
        (b'{"title": "t", "body": {"not": "text"}}\n', "'body' must be a string"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_written(
        model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(content)
    target = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "classify", "--input", str(source), "--output", str(target),
                       "--model", str(model_dir))
    assert code == 1
    assert message in err
    assert not target.exists()


def test_huge_body_gets_a_defined_result(model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path / "in.jsonl", {"title": "CUDA out of memory", "body": "gpu memory " * 150_000})
    code, out, _ = run(capsys, "classify", "--input", str(source), "--model", str(model_dir))
    assert code == 0
    assert json.loads(out)["ptm_related"] in (True, False)


@pytest.mark.parametrize(
    "argv",
    [["classify"], ["classify", "--input", "x.jsonl", "--title", "t"], ["classify", "--title", "  "]],
)
def test_usage_errors_exit_2(model_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, *argv, "--model", str(model_dir))
    assert code == 2
    assert err.startswith("ptm-triage: ")


def test_missing_input_file_and_bad_model_exit_1(model_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "classify", "--input", str(tmp_path / "absent.jsonl"), "--model", str(model_dir))
    assert code == 1 and "cannot read" in err
    code, _, err = run(capsys, "classify", "--title", "t", "--model", str(tmp_path))
    assert code == 1 and "no model at" in err


def test_a_tampered_model_is_refused(model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "model.json").write_text((model_dir / "model.json").read_text())
    (copy / "model.joblib").write_bytes((model_dir / "model.joblib").read_bytes() + b"\0")
    code, _, err = run(capsys, "classify", "--title", "t", "--model", str(copy))
    assert code == 1 and "checksum mismatch" in err


def test_train_writes_artifact_sidecar_and_card_and_evaluate_reads_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "tiny.jsonl")
    output = tmp_path / "trained"
    code, out, _ = run(capsys, "train", "--data", str(data), "--output", str(output), "--cv", "0")
    assert code == 0
    assert {p.name for p in output.iterdir()} == {"model.joblib", "model.json", "MODEL_CARD.md", "operating-curve.svg"}
    card = (output / "MODEL_CARD.md").read_text()
    assert "Intended use" in card and "thresholds" in card.lower() and "tiny.jsonl" in card
    code, out, _ = run(capsys, "evaluate", "--data", str(data), "--model", str(output))
    assert code == 0
    for expected in ("precision at 10% prevalence", "macro-F1", "Confusion matrix", "match (PTM issue",
                     "abstention", "coverage", "trained on these files"):
        assert expected in out


def test_evaluate_cross_validation_compares_with_the_baselines(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "tiny.jsonl")
    code, out, _ = run(capsys, "evaluate", "--data", str(data), "--cv", "2")
    assert code == 0
    assert "keyword/regex baseline" in out and "plain TF-IDF + LR (baseline)" in out
    assert "(shipped)" in out
    code, _, err = run(capsys, "evaluate", "--data", str(data), "--cv", "50")
    assert code == 2 and "more folds than repositories" in err


def test_evaluate_and_train_report_bad_data_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "t", "body": "b", "ptm": "maybe"}\n')
    code, _, err = run(capsys, "evaluate", "--data", str(bad))
    assert code == 1 and "bad.jsonl:1: 'ptm' must be true or false" in err
    code, _, err = run(capsys, "train", "--data", str(bad), "--output", str(tmp_path / "m"))
    assert code == 1 and "'ptm' must be true or false" in err


@pytest.mark.slow  # starts the console script
def test_console_script_runs_without_a_traceback(model_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "classify", "--title", "Model weights 404", "--body", "download fails",
         "--model", str(model_dir)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert set(ADDED_FIELDS) == set(json.loads(result.stdout))
