"""`ptm-triage check-config FILE`: exit 0 valid, 1 invalid, 2 usage; the bot's own messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.repo_config.safe_yaml import MAX_BYTES

EXAMPLE = """\
# .github/ptm-triage.yml
_extends: .github
label_prefix: "triage/"
ptm_label: false
categories:
  documentation: false
  hardware-resources:
    label: gpu
    docs:
      - title: Our GPU guide
        url: https://example.org/gpu
thresholds:
  category: 0.8
comment:
  intro: "Thanks for the report!"
skip_authors: ["renovate[bot]"]
skip_labels: [wontfix]
triggers:
  edited_within_minutes: 30
"""


def run(tmp_path: Path, text: str | bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    path = tmp_path / "ptm-triage.yml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    code = main(["check-config", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_file_prints_the_effective_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(tmp_path, EXAMPLE, capsys)
    assert code == 0
    assert ": valid" in out
    assert "note: _extends: .github is merged by the bot" in out
    assert "hardware-resources -> triage/gpu" in out
    assert "disabled categories: documentation" in out
    assert "triggers: opened, reopened, edited within 30 minutes of opening" in out


def test_invalid_file_prints_each_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(tmp_path, "thresholds: {ptm: high}\ncomment: {enabled: 'no'}\ntrigers: {}\n", capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith('comment.enabled: expected true or false, got "no"')
    assert lines[1].endswith('thresholds.ptm: expected a number between 0 and 1, got "high"')
    assert lines[2].endswith('trigers: unknown key; did you mean "triggers"?')
    assert lines[3] == "3 problems; the file is invalid"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (b"\xff\xfe junk", "not UTF-8 text"),
        (b"a: " + b"x" * (MAX_BYTES + 10), f"the limit is {MAX_BYTES} bytes"),
        (b"- just\n- a list\n", "must be a mapping"),
        (b"a: &a [*a]\n", "recursive alias"),
        (b"categories: {model-usage: {label: 'ptm: hardware'}}", "is also the label of"),
    ],
)
def test_bad_files_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: bytes, fragment: str
) -> None:
    code, out, _ = run(tmp_path, text, capsys)
    assert code == 1
    assert fragment in out


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(tmp_path / "nope.yml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["check-config", str(tmp_path)]) == 2


def test_no_argument_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check-config"])
    assert exited.value.code == 2


@pytest.mark.slow  # starts the console script
def test_console_entry_point(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("enabled: 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 1
    assert "enabled: expected true or false, got 1" in done.stdout


def _expected(out: str) -> dict[str, float]:
    """PTM recall of the labels line at the training mix, from check-config's output."""
    line = next(line for line in out.splitlines() if "(the training mix), labels:" in line)
    return {"recall": float(line.split("recall ")[1].split(";")[0]),
            "precision": float(line.split("PTM precision ")[1].split(",")[0])}


def test_the_expected_precision_and_coverage_follow_the_setting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, balanced, _ = run(tmp_path, "policy: balanced\n", capsys)
    assert code == 0 and "expected, from the bundled model's held-out issues" in balanced
    assert "at 10% PTM-related issues, comments:" in balanced
    _, eager, _ = run(tmp_path, "policy: eager\n", capsys)
    _, cautious, _ = run(tmp_path, "precision:\n  ptm: 0.97\n", capsys)
    assert _expected(eager)["recall"] >= _expected(balanced)["recall"] >= _expected(cautious)["recall"]
    assert _expected(eager)["recall"] > _expected(cautious)["recall"]
    assert _expected(balanced)["precision"] >= 0.90
    _, lowered, _ = run(tmp_path, "thresholds:\n  ptm: 0.05\n", capsys)
    assert "thresholds: PTM 0.05 (expert override)" in lowered
    assert _expected(lowered)["recall"] > _expected(balanced)["recall"]
