"""The /setup pages (bot/web/setup.py): the manifest form, and the callback over real HTTP against the
GitHub API double (code converted, credentials stored 0600, nothing secret shown or logged)."""

from __future__ import annotations

import json
import logging
import socket
import stat
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from bot.settings import Settings, load_settings
from bot.settings.files import CREDENTIALS_FILE_NAME, parse_credentials
from bot.web.app import create_app
from bot.web.setup import STATE_COOKIE, setup_blueprint
from tests.support.github_double import rest
from tests.support.github_double.routes_manifest import issued, offer_code
from tests.support.github_fixtures import GitHubDoubleHandle

TIMEOUT = 10  # seconds
CONVERSIONS = "/app-manifests/{code}/conversions"


class Forms(HTMLParser):
    """Forms and their inputs as a browser sees them (attribute values unescaped)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"method": values.get("method", "get"), "action": values.get("action", "")})
        elif tag == "input" and self.forms and "name" in values:
            self.forms[-1][values["name"]] = values.get("value", "")

    def create_form(self) -> dict[str, str]:
        return next(f for f in self.forms if f["method"] == "post")


def settings_for(tmp_path: Path, api_url: str = "https://api.github.com", **extra: object) -> Settings:
    values: dict[str, object] = {
        "app_id": None, "private_key": None, "webhook_secret": "local-secret", "github_api_url": api_url,
        "database_url": f"sqlite:///{tmp_path}/ptm-triage.db", "github_timeout": 5.0, **extra,
    }  # fmt: skip
    return Settings(**values)  # type: ignore[arg-type]


def flask_app(settings: Settings) -> Flask:
    app = Flask("bot.web.app")
    app.register_blueprint(setup_blueprint(settings))
    return app


def start_page(client: FlaskClient, query: str = "") -> tuple[int, str, dict[str, str], dict[str, str]]:
    response = client.get("/setup" + query)
    html = response.get_data(as_text=True)
    form = Forms(html).create_form() if response.status_code == 200 else {}
    return response.status_code, html, dict(response.headers), form


# -- the page ----------------------------------------------------------------------------------------
def test_setup_page_posts_the_manifest_to_github_with_a_state(tmp_path: Path) -> None:
    client = flask_app(settings_for(tmp_path)).test_client()
    status, html, headers, form = start_page(client)
    assert status == 200
    action = urlsplit(form["action"])
    assert f"{action.scheme}://{action.netloc}{action.path}" == "https://github.com/settings/apps/new"
    state = parse_qs(action.query)["state"][0]
    assert len(state) >= 40
    manifest = json.loads(form["manifest"])
    assert manifest["hook_attributes"]["url"] == "http://localhost/api/github/webhooks"
    assert manifest["redirect_url"] == "http://localhost/setup/callback"
    assert manifest["default_permissions"]["issues"] == "write"
    cookie = client.get_cookie(STATE_COOKIE, path="/setup")
    assert cookie is not None and cookie.value == state and cookie.http_only and cookie.same_site == "Lax"
    assert "refuses webhook addresses it cannot reach" in html  # localhost cannot receive webhooks
    assert headers["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "form-action 'self' https://github.com" in headers["Content-Security-Policy"]
    _, _, _, again = start_page(client)
    assert parse_qs(urlsplit(again["action"]).query)["state"][0] != state


def test_organisation_and_enterprise_server(tmp_path: Path) -> None:
    client = flask_app(settings_for(tmp_path, "https://ghe.corp.example/api/v3")).test_client()
    _, _, _, form = start_page(client, "?org=octo-org&webhook_url=https://triage.corp.example/api/github/webhooks")
    assert form["action"].startswith("https://ghe.corp.example/organizations/octo-org/settings/apps/new?state=")
    manifest = json.loads(form["manifest"])
    assert manifest["hook_attributes"]["url"] == "https://triage.corp.example/api/github/webhooks"
    _, html, _, _ = start_page(client, "?webhook_url=https://triage.corp.example/hook")
    assert "refuses webhook addresses" not in html


def test_everything_rendered_is_escaped(tmp_path: Path) -> None:
    client = flask_app(settings_for(tmp_path)).test_client()
    hostile = 'https://x.org/"><script>alert(1)</script>'
    status, html, _, form = start_page(client, "?webhook_url=" + requests.utils.quote(hostile, safe=""))
    assert status == 200
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert json.loads(form["manifest"])["hook_attributes"]["url"] == hostile  # intact after unescaping

    response = client.get("/setup?webhook_url=" + requests.utils.quote("javascript:<b>x</b>", safe=""))
    assert response.status_code == 400
    assert "<b>" not in response.get_data(as_text=True) and "must be an http(s) URL" in response.get_data(as_text=True)
    response = client.get("/setup?org=" + requests.utils.quote("<img src=x>", safe=""))
    assert response.status_code == 400 and "<img" not in response.get_data(as_text=True)


def test_pages_do_not_exist_once_the_app_has_credentials(tmp_path: Path) -> None:
    client = flask_app(settings_for(tmp_path, app_id=1, private_key="pem")).test_client()
    assert client.get("/setup").status_code == 404
    assert client.get("/setup/callback?code=abc&state=x").status_code == 404


def test_without_a_local_store_setup_explains_what_to_do(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, database_url="postgresql://postgres@127.0.0.1/test")
    response = flask_app(settings).test_client().get("/setup")
    assert response.status_code == 409 and "DATABASE_URL" in response.get_data(as_text=True)


# -- the callback over real HTTP ---------------------------------------------------------------------
@pytest.fixture
def served(tmp_path: Path, github_double: GitHubDoubleHandle) -> Iterator[str]:
    """The real web app (webhook endpoint + setup pages) on a real socket, talking to the double."""
    settings = settings_for(tmp_path, github_double.url)
    app = create_app(settings, handles=lambda name, action: False)  # create_app registers /setup
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(TIMEOUT)


def begin(base: str) -> tuple[requests.Session, str, dict[str, object]]:
    browser = requests.Session()
    page = browser.get(f"{base}/setup", timeout=TIMEOUT)
    assert page.status_code == 200
    form = Forms(page.text).create_form()
    return browser, parse_qs(urlsplit(form["action"]).query)["state"][0], json.loads(form["manifest"])


def test_callback_stores_the_new_apps_credentials(
    served: str, github_double: GitHubDoubleHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    browser, state, manifest = begin(served)
    assert manifest["redirect_url"] == f"{served}/setup/callback"
    code = offer_code(github_double.world, manifest)  # GitHub's page accepted the manifest

    done = browser.get(f"{served}/setup/callback", params={"code": code, "state": state}, timeout=TIMEOUT)

    assert done.status_code == 200, done.text
    [app] = issued(github_double.world)
    assert f"id {app.app_id}" in done.text and "/installations/new" in done.text
    path = tmp_path / CREDENTIALS_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = parse_credentials(path.read_text(encoding="utf-8"), str(path))
    assert stored["APP_ID"] == str(app.app_id) and stored["WEBHOOK_SECRET"] == app.webhook_secret
    assert stored["PRIVATE_KEY"].replace("\\n", "\n") == app.pem.strip()
    key_body = app.pem.splitlines()[1]  # a line of the key's base64
    for leaked in (app.webhook_secret, key_body, "PRIVATE KEY"):
        assert leaked not in done.text
        assert leaked not in caplog.text
    assert STATE_COOKIE not in browser.cookies.get_dict()
    calls = github_double.api_calls("POST", CONVERSIONS)
    assert [c["status"] for c in calls] == [201]

    # The next start runs as the new App: its key signs JWTs that GitHub accepts.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/ptm-triage.db", "GITHUB_API_URL": github_double.url}
    settings = load_settings(env)
    assert settings.app_id == app.app_id and settings.webhook_secret == app.webhook_secret
    assert settings.private_key is not None
    jwt = rest.app_jwt(settings.private_key, settings.app_id)
    me = requests.get(f"{github_double.url}/app", headers={"Authorization": f"Bearer {jwt}"}, timeout=TIMEOUT)
    assert me.status_code == 200 and me.json()["slug"] == app.slug

    # Registered once: the pages refuse to start over or to replace the file.
    assert browser.get(f"{served}/setup", timeout=TIMEOUT).status_code == 409
    again = browser.get(f"{served}/setup/callback", params={"code": code, "state": state}, timeout=TIMEOUT)
    assert again.status_code == 409 and len(github_double.api_calls("POST", CONVERSIONS)) == 1


@pytest.mark.parametrize("how", ["missing", "wrong", "no cookie"])
def test_bad_or_missing_state_is_400_and_converts_nothing(
    served: str, github_double: GitHubDoubleHandle, tmp_path: Path, how: str
) -> None:
    browser, state, manifest = begin(served)
    code = offer_code(github_double.world, manifest)
    params = {"code": code, "state": state}
    if how == "missing":
        del params["state"]
    elif how == "wrong":
        params["state"] = state[:-2] + "xx"
    else:
        browser.cookies.clear()
    response = browser.get(f"{served}/setup/callback", params=params, timeout=TIMEOUT)
    assert response.status_code == 400 and "Start again" in response.text
    assert github_double.api_calls("POST", CONVERSIONS) == []
    assert not (tmp_path / CREDENTIALS_FILE_NAME).exists()


def test_unknown_code_gets_a_clear_error_page(served: str, github_double: GitHubDoubleHandle, tmp_path: Path) -> None:
    browser, state, _ = begin(served)
    response = browser.get(f"{served}/setup/callback", params={"code": "deadbeef00", "state": state}, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "does not know this registration code" in response.text and 'href="/setup"' in response.text
    assert [c["status"] for c in github_double.api_calls("POST", CONVERSIONS)] == [404]
    assert not (tmp_path / CREDENTIALS_FILE_NAME).exists()


def test_malformed_code_is_refused_before_asking_github(served: str, github_double: GitHubDoubleHandle) -> None:
    browser, state, _ = begin(served)
    response = browser.get(f"{served}/setup/callback", params={"code": "../../app", "state": state}, timeout=TIMEOUT)
    assert response.status_code == 400 and github_double.api_calls() == []


def test_github_unreachable_is_a_502_page(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = flask_app(settings_for(tmp_path, closed)).test_client()
    start_page(client)
    state = client.get_cookie(STATE_COOKIE, path="/setup")
    assert state is not None
    response = client.get(f"/setup/callback?code=abc123&state={state.value}")
    assert response.status_code == 502 and "Cannot reach GitHub" in response.get_data(as_text=True)
    assert not (tmp_path / CREDENTIALS_FILE_NAME).exists()
