"""Pytest fixtures for talking to GitHub without github.com (registered in tests/conftest.py).

- `github_app_key` (session): a fresh RSA key pair for the test App (never written to the repository).
- `github_spec` (session): GitHub's OpenAPI description, indexed (fetched and cached on first use).
- `github_double` (function): a running HTTP GitHub double, seeded with the App, one installation and one
  repository. The test FAILS at teardown if any request broke GitHub's description (or the double's own
  answer did); tests that provoke violations on purpose call `github_double.take_violations()`.
- `webhook_secret`, `webhook_examples`, `sign_webhook`: real example payloads and signed deliveries.

See tests/support/github_double/__init__.py for the full API.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support import webhook_examples as examples_module
from tests.support.github_double import rest
from tests.support.github_double.client import DoubleClient
from tests.support.github_double.server import DoubleCore, GitHubDouble, default_spec
from tests.support.github_double.spec import ApiSpec
from tests.support.github_double.state import World
from tests.support.webhook_examples import Delivery

APP_ID = 4242
APP_SLUG = "ptm-triage"
BOT_LOGIN = f"{APP_SLUG}[bot]"
INSTALLATION_ID = 1001
ACCOUNT = "octo-org"
REPO = "octo-org/hello-ptm"


@dataclass(frozen=True)
class AppKey:
    private_key_pem: str  # PKCS#8 PEM, as GitHub lets you download it
    public_key_pem: str


def generate_app_key() -> AppKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return AppKey(private, public)


class GitHubDoubleHandle(DoubleClient):
    """A running in-process double: its URLs, the App's credentials, the control API (inherited from
    DoubleClient) and direct access to its state (`world`) and logs (`core`)."""

    app_id = APP_ID
    app_slug = APP_SLUG
    bot_login = BOT_LOGIN
    installation_id = INSTALLATION_ID
    account = ACCOUNT
    repo = REPO

    def __init__(self, server: GitHubDouble, key: AppKey) -> None:
        super().__init__(server.url)
        self.server = server
        self.core = server.core
        self.url = server.url  # API root, e.g. GITHUB_API_URL=http://127.0.0.1:PORT
        self.ghes_url = server.ghes_url  # GitHub Enterprise style, .../api/v3
        self.private_key_pem = key.private_key_pem
        self.public_key_pem = key.public_key_pem

    @property
    def world(self) -> World:
        return self.core.world

    def app_jwt(self, iat_offset: int = -60, lifetime: int = 540) -> str:
        """A JWT for the App signed with its private key (offsets let tests make invalid ones)."""
        return rest.app_jwt(self.private_key_pem, self.app_id, iat_offset, lifetime)

    def rest_api(self, base_url: str | None = None) -> rest.RestApi:
        """Plain `requests` access with a fresh installation token: `api("GET", "/repos/o/r")`."""
        base = base_url or self.url
        return rest.RestApi(base, rest.installation_token(base, self.private_key_pem, self.app_id,
                                                          self.installation_id))

    def api_calls(self, method: str | None = None, template: str | None = None) -> list[dict[str, Any]]:
        """Logged API requests (control calls excluded), optionally filtered by method and path template."""
        return [r for r in self.core.requests_as_json()
                if method in (None, r["method"]) and template in (None, r["template"])]


@pytest.fixture(scope="session")
def github_app_key() -> AppKey:
    return generate_app_key()


@pytest.fixture(scope="session")
def github_spec() -> ApiSpec:
    return default_spec()


@pytest.fixture
def github_double(github_spec: ApiSpec, github_app_key: AppKey) -> Iterator[GitHubDoubleHandle]:
    server = GitHubDouble(DoubleCore(github_spec)).start()
    world = server.core.world
    world.set_app(APP_ID, APP_SLUG, github_app_key.public_key_pem, name="ptm-triage", owner=ACCOUNT)
    world.add_installation(INSTALLATION_ID, ACCOUNT)
    world.add_repo(REPO, INSTALLATION_ID)
    handle = GitHubDoubleHandle(server, github_app_key)
    try:
        yield handle
    finally:
        handle.close()
        server.stop()
    fail_on_violations(server.core)


def fail_on_violations(core: DoubleCore) -> None:
    violations = core.take_violations()
    if violations:
        lines = [f"  {v.kind}: {v.method} {v.path}: {v.message}" for v in violations[:10]]
        more = f"\n  ... and {len(violations) - 10} more" if len(violations) > 10 else ""
        pytest.fail("requests GitHub would reject (or invalid answers of the double):\n"
                    + "\n".join(lines) + more, pytrace=False)


@pytest.fixture(scope="session")
def webhook_secret() -> str:
    return "whsec-" + secrets.token_hex(16)


@pytest.fixture(scope="session")
def webhook_examples() -> Callable[..., list[examples_module.Example]]:
    """`webhook_examples("issues")` -> [(action, payload), ...], all loaded and validated once."""
    examples_module.load_all()
    return examples_module.examples


@pytest.fixture
def sign_webhook(webhook_secret: str) -> Callable[..., Delivery]:
    """`sign_webhook("issues", payload, delivery_id=None)` -> Delivery(event, delivery_id, body, headers)."""

    def sign(event: str, payload: dict[str, Any] | bytes, delivery_id: str | None = None) -> Delivery:
        return examples_module.signed_delivery(event, payload, webhook_secret, delivery_id, APP_ID)

    return sign
