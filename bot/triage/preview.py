"""Trying the bot on text: what it would do with a new issue, writing nothing. The playground page and
`ptm-triage classify --comment` use it.

The same steps as a webhook's triage: the repository's policy at its estimated share of PTM issues (from
the scores of its recent issues, when the caller has them), the model's prediction under that policy,
decide() and the comment it renders. Only the similar-issues part of the comment is left out (it reads
the store's index of the repository's issues).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.github.port import IssueSnapshot
from bot.repo_config.model import RepoConfig
from bot.triage.decide import Decision, Trigger, decide
from bot.triage.policy import PolicySource, repository_policy, repository_share
from classifier.policy import Policy
from classifier.schema import Document, Prediction

PREVIEW_REPO = "preview/preview"  # stands in for a repository when none is given
MAX_TITLE_CHARS = 1024  # GitHub's own limit on an issue title is 256; be lenient with pasted text
MAX_BODY_CHARS = 65536  # GitHub's limit on an issue body


class Model(PolicySource, Protocol):
    """The classifier as the preview uses it (the handlers' Predictor has the same shape)."""

    def predict(self, doc: Document, policy: Policy | None = None) -> Prediction: ...


@dataclass(frozen=True)
class Preview:
    document: Document
    prediction: Prediction
    decision: Decision


def document_from_paste(title: str, body: str) -> Document:
    """A Document from pasted text: without a title, the first non-empty line of the body is the title
    (as when an issue's whole text is copied from its page)."""
    title, body = title.strip()[:MAX_TITLE_CHARS], body.replace("\r\n", "\n")[:MAX_BODY_CHARS]
    if not title:
        lines = body.split("\n")
        for index, line in enumerate(lines):
            if line.strip():
                title = line.strip()[:MAX_TITLE_CHARS]
                body = "\n".join(lines[index + 1 :]).strip("\n")
                break
    return Document(title=title, body=body)


def new_issue(document: Document, repo: str | None = None) -> IssueSnapshot:
    """The issue a person would open with this text: open, unlabelled, no pull request."""
    return IssueSnapshot(
        repo=repo or PREVIEW_REPO,
        number=0,
        title=document.title,
        body=document.body,
        author="preview",
        author_is_bot=False,
        labels=(),
        is_pull_request=False,
        state="open",
        created_at="1970-01-01T00:00:00Z",
    )


def preview(
    document: Document,
    model: Model,
    config: RepoConfig,
    *,
    repo: str | None = None,
    recent_scores: Sequence[float] = (),
) -> Preview:
    """The decision the bot would make on a new issue with this text (a dry run: no writes anywhere).

    `recent_scores`: the repository's recent PTM scores from the store, for its share estimate."""
    share = repository_share(model, recent_scores)
    prediction = model.predict(document, repository_policy(model, config, share.share))
    issue = new_issue(document, repo)
    decision = decide(issue, config, prediction, (), (), Trigger("opened"), deployment_dry_run=True)
    return Preview(document, prediction, decision)
