"""Pasted text to a Document, and the preview's new issue."""

from __future__ import annotations

from bot.triage.preview import MAX_BODY_CHARS, document_from_paste, new_issue


def test_a_title_and_body_are_kept() -> None:
    document = document_from_paste("  Title  ", "line 1\r\nline 2")
    assert (document.title, document.body) == ("Title", "line 1\nline 2")


def test_without_a_title_the_first_line_is_the_title() -> None:
    document = document_from_paste("", "\n\n  Whisper OOM on 12 GB\nbody line\n\nmore\n")
    assert (document.title, document.body) == ("Whisper OOM on 12 GB", "body line\n\nmore")
    assert document_from_paste("", "   \n").title == ""


def test_long_text_is_bounded() -> None:
    assert len(document_from_paste("t", "x" * (MAX_BODY_CHARS + 10)).body) == MAX_BODY_CHARS


def test_the_preview_issue_is_a_new_one_by_a_person() -> None:
    issue = new_issue(document_from_paste("t", "b"), "o/r")
    assert (issue.repo, issue.labels, issue.is_pull_request, issue.author_is_bot, issue.state) == (
        "o/r", (), False, False, "open")
