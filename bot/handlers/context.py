"""What a handler gets to do its work: everything it needs, built once by bot/runtime.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from bot.github.label_cache import LabelCache
from bot.github.port import GitHubPort
from bot.repo_config.loader import ConfigLoader
from bot.store.decisions import Records
from bot.triage.policy import PolicySource
from classifier.policy import Policy
from classifier.schema import Document, Prediction


class Predictor(PolicySource, Protocol):
    """The classifier as handlers use it: thresholds from a policy, predictions judged under one."""

    def predict(self, doc: Document, policy: Policy | None = None) -> Prediction: ...


@dataclass(frozen=True)
class HandlerContext:
    github: GitHubPort | None  # None when running without App credentials (local dry run)
    predictor: Predictor
    records: Records
    configs: ConfigLoader
    dry_run: bool  # the deployment's DRY_RUN; a repository may also ask for it in its config
    log: logging.LoggerAdapter[logging.Logger]  # carries delivery_id, event, action, repo, installation_id
    # Shared by the jobs of a process so a warm repository costs no label listing; None: no cache.
    label_cache: LabelCache | None = field(default=None)
