"""Small builders shared by the handler and runtime tests: payloads, a fake predictor, static configs."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.events import Event, load_payload
from bot.github.label_cache import LabelCache
from bot.handlers.context import HandlerContext
from bot.repo_config.loader import ConfigResult
from bot.repo_config.model import RepoConfig, default_config
from bot.store.decisions import Records
from classifier.policy import Policy, ScoreCurve, Targets, Thresholds
from classifier.schema import Document, Prediction
from tests.support.fake_github import FakeGitHub

REPO = "octo/models"
SLUGS = (
    "model-usage",
    "model-performance",
    "software-environment",
    "hardware-resources",
    "documentation",
    "model-acquisition",
    "model-customization",
)


def prediction(
    ptm: float = 0.95,
    category: str | None = "hardware-resources",
    score: float = 0.9,
    *,
    ptm_threshold: float = 0.5,
    category_threshold: float = 0.6,
    comment_ptm_threshold: float = 0.9,
    comment_category_threshold: float = 0.8,
    terms: Sequence[str] = ("cuda out of memory", "gpu"),
) -> Prediction:
    scores: dict[str, float] = {}
    if category is not None:
        rest = (1.0 - score) / (len(SLUGS) - 1)
        scores = {slug: (score if slug == category else rest) for slug in SLUGS}
    return Prediction(
        ptm_score=ptm,
        category_scores=scores,
        ptm_threshold=ptm_threshold,
        category_threshold=category_threshold,
        comment_ptm_threshold=comment_ptm_threshold,
        comment_category_threshold=comment_category_threshold,
        base_ptm_score=ptm,
        model_version="test-1",
        ptm_terms=("pretrained",),
        category_terms=tuple(terms),
    )


@dataclass
class FakePredictor:
    """Returns a chosen Prediction and remembers what it was asked."""

    result: Prediction = field(default_factory=prediction)
    seen: list[Document] = field(default_factory=list)
    policies: list[tuple[Targets | None, Targets | None, float | None, Thresholds | None]] = field(
        default_factory=list)

    @property
    def curve(self) -> ScoreCurve:
        return ScoreCurve(base_share=0.37)

    def policy(self, label: Targets | None = None, comment: Targets | None = None, share: float | None = None,
               raw: Thresholds | None = None) -> Policy:
        """The thresholds the chosen Prediction carries, whatever the targets."""
        result = self.result
        self.policies.append((label, comment, share, raw))
        return Policy(raw or Thresholds(result.ptm_threshold, result.category_threshold),
                      Thresholds(result.comment_ptm_threshold, result.comment_category_threshold),
                      0.37 if share is None else share, 0.37)

    def predict(self, doc: Document, policy: Policy | None = None) -> Prediction:
        self.seen.append(doc)
        return self.result


@dataclass
class StaticConfigs:
    """Stands in for ConfigLoader: one config for every repository; counts loads."""

    config: RepoConfig = field(default_factory=default_config)
    error: str | None = None
    loads: int = 0

    def load(self, github: object, repo: str, *, sha: str | None = None) -> ConfigResult:
        self.loads += 1
        return ConfigResult(self.config, self.error, "test")

    def invalidate(self, repo: str) -> None:
        pass


def issue_payload(
    number: int = 7,
    *,
    action: str = "opened",
    title: str = "CUDA out of memory when loading the 7B checkpoint",
    body: str = "torch.cuda.OutOfMemoryError on a 12 GB GPU",
    author: str = "alice",
    author_type: str = "User",
    labels: Sequence[str] = (),
    comments: int = 0,
    pull_request: bool = False,
    created_at: str = "2026-01-01T00:00:00Z",
    updated_at: str = "2026-01-01T00:00:00Z",
    sender: str | None = None,
    sender_type: str = "User",
    label: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "number": number,
        "title": title,
        "body": body,
        "user": {"login": author, "type": author_type},
        "labels": [{"name": name} for name in labels],
        "comments": comments,
        "state": "open",
        "created_at": created_at,
        "updated_at": updated_at,
    }
    if pull_request:
        issue["pull_request"] = {"url": "https://api.github.com/repos/octo/models/pulls/7"}
    data: dict[str, Any] = {
        "action": action,
        "issue": issue,
        "repository": {"full_name": REPO},
        "sender": {"login": sender or author, "type": sender_type},
        "installation": {"id": 42},
    }
    if label is not None:
        data["label"] = {"name": label}
    data.update(extra or {})
    return data


def event(payload: Mapping[str, Any], name: str = "issues", delivery: str = "d-1") -> Event:
    """The Event a worker would hand the handlers: the payload goes through the inbox's own path (JSON text,
    then `load_payload`'s trimming), so a test never relies on a key production drops."""
    action = payload.get("action")
    return Event(
        name=name,
        action=action if isinstance(action, str) else None,
        delivery_id=delivery,
        installation_id=42,
        payload=load_payload(json.dumps(payload)),
    )


def context(
    records: Records,
    github: FakeGitHub | None = None,
    *,
    predictor: FakePredictor | None = None,
    configs: StaticConfigs | None = None,
    dry_run: bool = False,
    cache: LabelCache | None = None,
) -> HandlerContext:
    return HandlerContext(
        github=github,
        predictor=predictor or FakePredictor(),
        records=records,
        configs=configs or StaticConfigs(),  # type: ignore[arg-type]
        dry_run=dry_run,
        log=logging.LoggerAdapter(logging.getLogger("tests.handlers"), {}),
        label_cache=cache if cache is not None else LabelCache(),
    )
