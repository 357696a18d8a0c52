"""The playground: paste an issue's title and body, see what the bot would decide and comment.

The text goes through the same steps as a webhook's triage (bot/triage/preview.py), writing nothing. With
a repository, its last valid configuration and its recent scores (for its share of PTM issues) come from
the store, as the bot would use them.
The model is loaded on first use when the process has none yet (a web-only process).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.handlers.context import Predictor
from bot.repo_config.model import InvalidConfig, RepoConfig, build_config, default_config
from bot.store.config_status import ConfigStatusStore
from bot.store.decisions import Records
from bot.triage.preview import Preview, document_from_paste, preview

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaygroundResult:
    preview: Preview | None
    config_source: str  # which configuration decided, in words
    error: str | None = None


class Playground:
    def __init__(
        self, configs: ConfigStatusStore, records: Records, predictor: Callable[[], Predictor] | None
    ) -> None:
        self._configs = configs
        self._records = records
        self._load = predictor
        self._predictor: Predictor | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._load is not None

    def run(self, title: str, body: str, repo: str | None) -> PlaygroundResult:
        config, source = self._config(repo)
        document = document_from_paste(title, body)
        if not document.title.strip():
            return PlaygroundResult(None, source, "Paste at least a title, or the issue's text.")
        predictor = self._model()
        if predictor is None:
            return PlaygroundResult(None, source, "This process has no model: try `ptm-triage serve`.")
        scores = self._records.recent_ptm_scores(repo) if repo else []
        return PlaygroundResult(preview(document, predictor, config, repo=repo, recent_scores=scores), source)

    def _model(self) -> Predictor | None:
        with self._lock:
            if self._predictor is None and self._load is not None:
                self._predictor = self._load()
            return self._predictor

    def _config(self, repo: str | None) -> tuple[RepoConfig, str]:
        if not repo:
            return default_config(), "the default configuration"
        try:
            document = self._configs.last_valid_config(repo)
        except SQLAlchemyError:
            log.warning("could not read the stored configuration of %s", repo, exc_info=True)
            document = None
        if document is None:
            return default_config(), f"the default configuration (no valid configuration of {repo} seen yet)"
        try:
            return build_config(document), f"the last valid configuration of {repo}"
        except InvalidConfig:  # stored by an older release whose schema differed
            return default_config(), f"the default configuration (the stored one of {repo} no longer builds)"
