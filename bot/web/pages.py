"""The pages a maintainer keeps open: status (/), decisions (/decisions) and the playground (/playground).

Server-rendered Flask + Jinja templates (bot/web/templates/), no script and no build step. Behind the
optional STATUS_TOKEN (bot/web/access.py), since they show repository names and issue titles.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from flask import Blueprint, Response, render_template, request
from sqlalchemy import Engine

from bot.handlers.context import Predictor
from bot.registration.manifest import web_url
from bot.settings import Settings
from bot.store.config_status import ConfigStatusStore
from bot.store.decision_log import OUTCOMES, TOP_SCORES, filter_choices, recent_decisions, repo_counts
from bot.store.decisions import Records
from bot.store.inbox import Inbox
from bot.store.keep_report import keep_report
from bot.store.rejections import RejectionStore
from bot.web.access import require_token
from bot.web.markdown import render as render_markdown
from bot.web.playground import Playground

BAD_SECRET_COUNT = 3  # bad signatures within BAD_SECRET_WINDOW that show the banner
BAD_SECRET_WINDOW = 3600.0  # seconds
REFRESH_CHOICES = (0, 15, 60)  # seconds between automatic reloads of the status page; 0: off
DECISIONS_SHOWN = 50
Calibration = Callable[[str], str | None]  # repository -> its calibration estimate, as text
_HEADERS = {
    "Cache-Control": "no-store",  # issue titles and repository names stay out of shared caches
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


class _Stores(NamedTuple):
    engine: Engine
    configs: ConfigStatusStore
    rejections: RejectionStore
    playground: Playground


@dataclass(frozen=True)
class RepoRow:
    repo: str
    labelled: int
    commented: int
    abstained: int
    skipped: int
    applied: int
    kept: int
    config_problem: bool
    calibration: str


def pages_blueprint(
    settings: Settings,
    inbox: Inbox,
    *,
    predictor: Callable[[], Predictor] | None = None,
    calibration: Calibration | None = None,
) -> Blueprint:
    """`predictor()` gives the model for the playground (None: the playground says it is unavailable);
    `calibration(repo)` the repository's calibration estimate (None: shown as a dash)."""
    bp = Blueprint("pages", __name__)
    github = web_url(settings.github_api_url)

    @cache
    def stores() -> _Stores:  # on first use: the app may be built before its store is reachable
        engine = inbox.engine
        configs = ConfigStatusStore(engine)
        return _Stores(engine, configs, RejectionStore(engine), Playground(configs, Records(engine), predictor))

    @bp.before_request
    def check_token() -> Response | None:
        return require_token(settings.status_token)

    @bp.after_request
    def private(response: Response) -> Response:
        response.headers.update(_HEADERS)
        return response

    @bp.app_template_global()
    def issue_url(repo: str, number: int) -> str:
        return f"{github}/{repo}/issues/{number}"

    @bp.app_template_global()
    def top_scores(scores: Mapping[str, float]) -> list[tuple[str, float]]:
        return sorted(scores.items(), key=lambda item: item[1], reverse=True)[:TOP_SCORES]

    @bp.context_processor
    def navigation() -> dict[str, Any]:
        return {"setup_available": not settings.has_app_credentials}  # /setup answers 404 otherwise

    bp.add_app_template_filter(render_markdown, "github_markdown")
    bp.add_app_template_filter(_when, "when")

    @bp.get("/")
    def status() -> str:
        refresh = _choice(request.args.get("refresh"), REFRESH_CHOICES, 0)
        engine, configs, rejections, _ = stores()
        refused_hour = rejections.counts_since(BAD_SECRET_WINDOW)
        broken = configs.recent(limit=20, failing_only=True)
        return render_template(
            "status.html",
            page="status",
            refresh=refresh,
            refresh_choices=REFRESH_CHOICES,
            stats=inbox.stats(),
            mode="RQ workers" if settings.redis_url else "embedded workers",
            dry_run=settings.dry_run or not settings.has_app_credentials,
            bad_secret=refused_hour.get("rejected_signature", 0) >= BAD_SECRET_COUNT,
            refused_hour=refused_hour,
            refused_day=rejections.counts_since(24 * 3600.0),
            refused_recent=rejections.recent(limit=10),
            repos=_repo_rows(engine, {c.repo for c in broken}, calibration),
            broken_configs=broken,
            dead=inbox.dead_letters(limit=20),
            recent=inbox.recent(limit=20),
        )

    @bp.get("/decisions")
    def decisions() -> str:
        engine = stores().engine
        repos, whys = filter_choices(engine)
        chosen = {
            "repo": _choice(request.args.get("repo"), repos, ""),
            "outcome": _choice(request.args.get("outcome"), OUTCOMES, ""),
            "why": _choice(request.args.get("why"), whys, ""),
        }
        found = recent_decisions(
            engine,
            repo=chosen["repo"] or None,
            outcome=chosen["outcome"] or None,
            why=chosen["why"] or None,
            limit=DECISIONS_SHOWN,
        )
        return render_template(
            "decisions.html", page="decisions", decisions=found, repos=repos, whys=whys,
            outcomes=OUTCOMES, chosen=chosen, limit=DECISIONS_SHOWN,
        )  # fmt: skip

    @bp.route("/playground", methods=["GET", "POST"])
    def try_it() -> str:
        engine, playground = stores().engine, stores().playground
        form: dict[str, str] = {"title": "", "body": "", "repo": ""}
        result = None
        if request.method == "POST":
            form = {key: request.form.get(key, "") for key in form}
            result = playground.run(form["title"], form["body"], form["repo"].strip() or None)
        return render_template(
            "playground.html", page="playground", form=form, result=result,
            available=playground.available, repos=filter_choices(engine)[0],
        )  # fmt: skip

    return bp


def _repo_rows(engine: Engine, broken: set[str], calibration: Calibration | None) -> list[RepoRow]:
    kept = {stats.repo: stats for stats in keep_report(engine)}
    rows = []
    for counts in repo_counts(engine):
        stats = kept.get(counts.repo)
        estimate = calibration(counts.repo) if calibration is not None else None
        rows.append(
            RepoRow(
                repo=counts.repo,
                labelled=counts.labelled,
                commented=counts.commented,
                abstained=counts.abstained,
                skipped=counts.skipped,
                applied=stats.applied if stats else 0,
                kept=stats.kept if stats else 0,
                config_problem=counts.repo in broken,
                calibration=estimate or "—",
            )
        )
    return rows


def _choice(value: str | None, allowed: Any, default: Any) -> Any:
    """`value` when it is one of `allowed` (compared as text), else `default`: query strings are untrusted."""
    for option in allowed:
        if value is not None and str(option) == value:
            return option
    return default


def _when(value: Any) -> str:
    """An epoch (float) or a datetime as "YYYY-MM-DD HH:MM:SS UTC"."""
    if isinstance(value, int | float):
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(value))
    return str(value.strftime("%Y-%m-%d %H:%M:%S UTC"))
