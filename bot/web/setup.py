"""The /setup pages: register the App from app.yml in the browser, as Probot's setup page does.

GET /setup shows a button that posts the manifest (bot.registration.manifest) to GitHub's "new GitHub App" page, with
a random `state` that is also set in a cookie. GitHub creates the App and sends the browser back to
GET /setup/callback?code=...&state=...; the state must match the cookie (so no other site can plant
credentials), then the one-time code is converted (POST /app-manifests/{code}/conversions, which needs
no authentication) and the App's id, webhook secret and private key go into the 0600 credentials file
next to the SQLite database (bot.registration.credentials). `load_settings` picks that file up on the next start.

The pages exist only while the process runs without App credentials, and refuse to replace a
credentials file that already exists. The key and the secret never reach a page or a log line.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, abort, render_template, request

from bot.registration.credentials import write_credentials
from bot.registration.manifest import (
    ManifestError,
    build_manifest,
    load_definition,
    manifest_json,
    new_app_url,
    web_url,
)
from bot.registration.setup_flow import RegistrationError, exchange_code
from bot.settings import Settings
from bot.settings.files import credentials_path

log = logging.getLogger(__name__)

STATE_COOKIE = "ptm_triage_setup_state"
STATE_MAX_AGE = 3600  # seconds; GitHub's manifest codes expire after an hour too
_CODE = re.compile(r"[A-Za-z0-9_-]{1,200}")
_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the callback URL carries the one-time code
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def setup_blueprint(settings: Settings) -> Blueprint:
    """The /setup pages; they answer 404 when the process already has App credentials."""
    bp = Blueprint("setup", __name__)
    target = credentials_path(settings.database_url)

    @bp.before_request
    def only_without_credentials() -> None:
        if settings.has_app_credentials:
            abort(404)

    @bp.after_request
    def harden(response: Response) -> Response:
        response.headers.update(_SECURITY_HEADERS)
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; "
            f"form-action 'self' {web_url(settings.github_api_url)}"
        )
        return response

    def blocked() -> Response | None:
        if target is None:
            return _result(409, "Setup needs the embedded store", [
                "This process uses DATABASE_URL, so there is no local directory for the credentials file. "
                "Register from a local `ptm-triage serve` (with the webhook URL of this deployment), then "
                "set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET here."])
        if target.exists():
            return _result(409, "The App is already registered", [
                f"Its credentials are in {target}. Restart `ptm-triage serve` to run as the App. To register "
                "another App, move that file away first."])
        return None

    @bp.get("/setup")
    def start() -> Response:
        if (answer := blocked()) is not None:
            return answer
        org = request.args.get("org", "").strip() or None
        webhook = request.args.get("webhook_url", "").strip() or None
        try:
            definition = load_definition()
        except ManifestError as exc:
            return _result(500, "app.yml is invalid", [str(exc)])
        base = request.url_root.rstrip("/")
        try:
            manifest = build_manifest(definition, base, webhook_url=webhook)
            action = new_app_url(web_url(settings.github_api_url), org)
        except ManifestError as exc:
            return _page(400, base, org, webhook, error=str(exc))
        state = secrets.token_urlsafe(32)
        response = _page(
            200, base, org, webhook,
            action=f"{action}?{urlencode({'state': state})}",
            manifest=manifest_json(manifest),
            hook_url=manifest["hook_attributes"]["url"],
            unreachable=_unreachable(manifest["hook_attributes"]["url"]),
            app_name=definition.name,
        )  # fmt: skip
        response.set_cookie(STATE_COOKIE, state, max_age=STATE_MAX_AGE, path="/setup", httponly=True,
                            secure=request.is_secure, samesite="Lax")  # fmt: skip
        return response

    @bp.get("/setup/callback")
    def callback() -> Response:
        if (answer := blocked()) is not None:
            return answer
        assert target is not None
        state = request.args.get("state", "")
        expected = request.cookies.get(STATE_COOKIE, "")
        if not state or not expected or not hmac.compare_digest(state.encode(), expected.encode()):
            return _result(400, "This registration was not started here", [
                "The state of the request does not match the one this browser got from the setup page "
                "(or the page is older than an hour). Start again from /setup."])
        code = request.args.get("code", "")
        if not _CODE.fullmatch(code):
            return _result(400, "No valid registration code", ["GitHub sends a code back; start again."])
        try:
            creds = exchange_code(settings.github_api_url, code, settings.github_timeout)
        except RegistrationError as exc:
            return _result(exc.status, "The App could not be registered", [exc.message], retry=True)
        try:
            write_credentials(target, creds)
        except FileExistsError:
            return _result(409, "The App is already registered", [f"Its credentials are in {target}."])
        except (OSError, ValueError) as exc:
            log.error("cannot store the App credentials in %s (%s)", target, type(exc).__name__)
            return _result(500, "The credentials could not be stored", [
                f"Writing {target} failed. GitHub registered the App {creds.name!r}: generate a private key "
                "in its settings and set APP_ID, PRIVATE_KEY_PATH and WEBHOOK_SECRET by hand."])
        log.info("registered GitHub App %s (id %d); credentials stored in %s", creds.slug, creds.app_id, target)
        # Only public facts go to the page: never the key or the secret.
        response = render_template(
            "setup_done.html", name=creds.name, app_id=creds.app_id, html_url=creds.html_url, path=str(target),
            install_url=f"{creds.html_url}/installations/new",
        )
        answer = Response(response, 200, mimetype="text/html")
        answer.delete_cookie(STATE_COOKIE, path="/setup")
        return answer

    return bp


def _page(status: int, base: str, org: str | None, webhook: str | None, **values: Any) -> Response:
    values.setdefault("error", None)
    html = render_template("setup.html", base=base, org=org or "", webhook_url=webhook or "", **values)
    return Response(html, status, mimetype="text/html")


def _result(status: int, title: str, lines: list[str], retry: bool = False) -> Response:
    html = render_template("setup_result.html", title=title, lines=lines, retry=retry)
    return Response(html, status, mimetype="text/html")


def _unreachable(url: str) -> bool:
    """GitHub refuses webhook URLs it cannot reach: localhost, loopback and private addresses."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local
