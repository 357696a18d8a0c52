"""The composition root: builds everything a handler needs once per process, and runs one event.

`build_runtime(settings)` opens the store, loads the model and the GitHub client factory (none without App
credentials: then every job is a dry run from the payload alone). Workers call `Runtime.handle(event)`;
the web layer's readiness probe calls `Runtime.ready()`.
"""

from __future__ import annotations

import importlib
import logging

from sqlalchemy import Engine

from bot.config_loader import ConfigLoader
from bot.config_status import ConfigStatusStore
from bot.context import HandlerContext, Predictor
from bot.db import create_schema, make_engine
from bot.events import Event
from bot.handlers.apply import LabelCache
from bot.logs import job_logger
from bot.ports import GitHubClientFactory, GitHubPort
from bot.records import Records
from bot.routing import Router, default_router
from bot.settings import Settings

log = logging.getLogger(__name__)


class Runtime:
    """One per process; thread-safe (handlers share only thread-safe caches and the engine's pool)."""

    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        predictor: Predictor,
        github_factory: GitHubClientFactory | None,
        configs: ConfigLoader,
        router: Router,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.records = Records(engine)
        self.predictor = predictor
        self.github_factory = github_factory
        self.configs = configs
        self.router = router
        self.label_cache = LabelCache()

    @property
    def dry_run(self) -> bool:
        return self.settings.dry_run or self.github_factory is None

    def github_for(self, event: Event) -> GitHubPort | None:
        if self.github_factory is None or event.installation_id is None:
            return None
        return self.github_factory.for_installation(event.installation_id)

    def context(self, event: Event) -> HandlerContext:
        return HandlerContext(
            github=self.github_for(event),
            predictor=self.predictor,
            records=self.records,
            configs=self.configs,
            dry_run=self.dry_run,
            log=job_logger(event),
            label_cache=self.label_cache,
        )

    def handle(self, event: Event) -> None:
        """Run every handler for the event. Raises what the worker needs to retry or dead-letter it."""
        self.router.dispatch(event, self.context(event))

    def ready(self) -> bool:
        """Store reachable and model loaded."""
        return self.predictor is not None and self.records.ping()

    def close(self) -> None:
        close = getattr(self.github_factory, "close", None)
        if callable(close):
            close()
        self.engine.dispose()


def load_predictor() -> Predictor:
    """The bundled model (`classifier.predict.load_default`), checksum-verified by the classifier."""
    module = importlib.import_module("classifier.predict")
    predictor: Predictor = module.load_default()
    return predictor


def build_runtime(
    settings: Settings,
    *,
    engine: Engine | None = None,
    predictor: Predictor | None = None,
    github_factory: GitHubClientFactory | None = None,
    router: Router | None = None,
) -> Runtime:
    """Everything from the settings; tests inject a predictor, a fake GitHub factory or an engine."""
    engine = engine if engine is not None else make_engine(settings.database_url)
    create_schema(engine)
    if github_factory is None and settings.has_app_credentials:
        from bot.github_client import AppClientFactory  # needs credentials; imported only then

        github_factory = AppClientFactory(settings)
    if github_factory is None:
        log.warning("no GitHub App credentials: every job is a dry run from the payload alone")
    elif settings.dry_run:
        log.warning("DRY_RUN is set: decisions are recorded, nothing is written to GitHub")
    return Runtime(
        settings=settings,
        engine=engine,
        predictor=predictor if predictor is not None else load_predictor(),
        github_factory=github_factory,
        configs=ConfigLoader(status=ConfigStatusStore(engine)),
        router=router if router is not None else default_router(),
    )
