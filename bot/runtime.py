"""The composition root: the one place that wires the app, for every kind of process.

`build_runtime(settings)` opens the store, loads the model and the GitHub client factory (none without App
credentials: then every job is a dry run from the payload alone). Workers call `Runtime.handle(event)`;
the web layer's readiness probe calls `Runtime.ready()`. The process entry points below build on it:
`web_app` (gunicorn's web-only workers), `serve` (web threads and job threads in one process),
`run_worker` (worker threads, or RQ workers when REDIS_URL is set).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from flask import Flask
from sqlalchemy import Engine

from bot.events import Event
from bot.github.client import AppClientFactory
from bot.github.label_cache import LabelCache
from bot.github.pacing import PacingState
from bot.github.port import GitHubClientFactory, GitHubPort
from bot.handlers.context import HandlerContext, Predictor
from bot.handlers.routing import Router, default_router
from bot.jobs.rq_queue import JobContext, Sweeper, connect, install_job_context, make_queue, run_rq_worker
from bot.jobs.worker import WorkerPool, run_job, wait_for_signal, worker_name
from bot.logs import configure_logging, job_logger
from bot.repo_config.loader import ConfigLoader
from bot.settings import Settings
from bot.store.config_cache import ConfigCacheStore
from bot.store.config_status import ConfigStatusStore
from bot.store.decisions import Records
from bot.store.engine import create_schema, make_engine
from bot.store.inbox import Inbox, open_inbox
from bot.store.pacing_state import RedisPacingState, SqlPacingState
from bot.triage.policy import describe_share, repository_share
from bot.web.app import create_app
from bot.web.server import run_gunicorn

log = logging.getLogger(__name__)
SHUTDOWN_TIMEOUT = 25.0  # seconds in-flight jobs get on SIGTERM; gunicorn waits a little longer


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

    def share_estimate(self, repo: str) -> str:
        """The repository's estimated share of PTM-related issues, which its policy is calibrated to."""
        return describe_share(repository_share(self.predictor, self.records.recent_ptm_scores(repo)))

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
        github_factory = AppClientFactory(settings, pacing=write_pacing(settings, engine))
    if github_factory is None:
        log.warning("no GitHub App credentials: every job is a dry run from the payload alone")
    elif settings.dry_run:
        log.warning("DRY_RUN is set: decisions are recorded, nothing is written to GitHub")
    return Runtime(
        settings=settings,
        engine=engine,
        predictor=predictor if predictor is not None else load_predictor(),
        github_factory=github_factory,
        configs=ConfigLoader(status=ConfigStatusStore(engine), cache=ConfigCacheStore(engine)),
        router=router if router is not None else default_router(),
    )


def write_pacing(settings: Settings, engine: Engine) -> PacingState:
    """Where GitHub write pacing lives, shared by every process of an installation: Redis when
    REDIS_URL is set, else the store."""
    if settings.redis_url:
        return RedisPacingState(connect(settings.redis_url))
    return SqlPacingState(engine)


def start_process(settings: Settings) -> None:
    """What every long-running process does first: logging set up, start-up notices logged."""
    configure_logging(settings)
    for notice in settings.notices:
        log.warning(notice)


def web_app(settings: Settings) -> Flask:
    """The web app alone, for gunicorn's web workers (`bot.wsgi:create()`); jobs run in `ptm-triage worker`."""
    return create_app(settings, predictor=load_predictor)  # the playground loads the model on first use


class Embedded:
    """What one `serve` worker process runs beside the web app: job threads (or the RQ sweeper)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop_callbacks: list[Callable[[], object]] = []

    def build(self) -> Flask:
        settings = self.settings
        inbox = open_inbox(settings.database_url, settings.max_attempts)
        if settings.redis_url:  # RQ workers (`ptm-triage worker`) run the jobs; we only hand them over
            sweeper = Sweeper(inbox, make_queue(connect(settings.redis_url)))
            sweeper.start()
            self.stop_callbacks.append(sweeper.stop)
            return create_app(settings, inbox=inbox, predictor=load_predictor)
        runtime = build_runtime(settings, engine=inbox.engine)
        pool = WorkerPool(
            inbox, runtime.handle, threads=max(1, settings.worker_threads), lease_seconds=settings.lease_seconds
        )
        pool.start()
        self.stop_callbacks += [lambda: pool.stop(SHUTDOWN_TIMEOUT), runtime.close]
        return create_app(
            settings, inbox=inbox, ready=runtime.ready, on_accepted=pool.wake, predictor=lambda: runtime.predictor,
            calibration=runtime.share_estimate,
        )  # fmt: skip

    def stop(self) -> None:
        for callback in self.stop_callbacks:
            try:
                callback()
            except Exception:  # keep stopping the rest
                log.exception("error during shutdown")


def serve(settings: Settings, bind: str) -> int:
    """`ptm-triage serve`: gunicorn with one worker process running web threads and job threads."""
    embedded = Embedded(settings)
    return run_gunicorn(settings, bind, load=embedded.build, on_exit=embedded.stop, grace=SHUTDOWN_TIMEOUT + 5)


def run_worker(settings: Settings, *, threads: int | None = None, burst: bool = False) -> int:
    """`ptm-triage worker`: job threads on the inbox, or RQ workers when REDIS_URL is set.

    `burst`: run what is due now, then exit.
    """
    inbox = open_inbox(settings.database_url, settings.max_attempts)
    runtime = build_runtime(settings, engine=inbox.engine)
    try:
        if settings.redis_url:
            return _run_rq_worker(settings.redis_url, inbox, runtime, lease_seconds=settings.lease_seconds, burst=burst)
        if burst:  # run what is claimable now, in this thread, then exit
            while (job := inbox.claim(worker_name(":burst"), settings.lease_seconds)) is not None:
                run_job(inbox, job, runtime.handle)
            return 0
        count = threads or max(1, settings.worker_threads)
        pool = WorkerPool(inbox, runtime.handle, threads=count, lease_seconds=settings.lease_seconds)
        pool.start()
        log.info("worker started (%d threads)", count)
        wait_for_signal()
        finished = pool.stop(SHUTDOWN_TIMEOUT)
        log.info("worker stopped%s", "" if finished else " (unfinished jobs released)")
        return 0
    finally:
        runtime.close()


def _run_rq_worker(redis_url: str, inbox: Inbox, runtime: Runtime, *, lease_seconds: float, burst: bool) -> int:
    connection = connect(redis_url)
    install_job_context(JobContext(inbox, runtime.handle, lease_seconds))
    sweeper = Sweeper(inbox, make_queue(connection))
    if burst:
        sweeper.sweep_once()
    else:
        sweeper.start()
    try:
        run_rq_worker(connection, burst=burst)
    finally:
        sweeper.stop()
    return 0
