"""`ptm-triage classify --comment`: the comment the bot would post, or why it would not comment."""

from __future__ import annotations

import pytest

from bot.cli.main import main
from bot.repo_config.model import default_config
from bot.triage.comment import MARKER
from bot.triage.preview import document_from_paste, preview
from classifier.predict import load_default

TITLE = "CUDA out of memory when loading the whisper large-v3 model"
BODY = "torch.cuda.OutOfMemoryError: CUDA out of memory with the large-v3 checkpoint on a 12 GB GPU."


def test_prints_the_exact_comment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--comment", "--title", TITLE, "--body", BODY]) == 0
    out = capsys.readouterr().out
    expected = preview(document_from_paste(TITLE, BODY), load_default(), default_config()).decision.comment
    assert expected is not None and out == expected + "\n"
    assert out.startswith(MARKER) and "**ptm: hardware**" in out


def test_says_why_there_is_no_comment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--comment", "--title", "Add a dark mode", "--body", "A dark theme, please."]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("ptm-triage: no comment (abstained: PTM score")


def test_needs_a_title(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--comment", "--input", "x.jsonl"]) == 2
    assert "--comment needs --title" in capsys.readouterr().err
