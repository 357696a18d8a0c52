"""Settings from the environment: defaults, fix-it errors, and the newcomer's dry-run fallback."""

from __future__ import annotations

import base64
import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.settings import ConfigurationError, load_settings, local_secret_path


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/data/ptm.db"}


def test_full_production_environment(base_env: dict[str, str], pem: str) -> None:
    env = {
        **base_env,
        "APP_ID": "123",
        "PRIVATE_KEY": pem,
        "WEBHOOK_SECRET": "abc123",
        "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        "REDIS_URL": "redis://r:6379/0",
        "PORT": "8080",
        "LOG_LEVEL": "debug",
        "DRY_RUN": "false",
        "WORKER_THREADS": "4",
    }
    settings = load_settings(env)
    assert settings.app_id == 123 and settings.has_app_credentials
    assert settings.github_api_url == "https://ghe.example.com/api/v3"
    assert (settings.port, settings.log_level, settings.dry_run, settings.worker_threads) == (
        8080,
        "DEBUG",
        False,
        4,
    )
    assert settings.redis_url == "redis://r:6379/0"
    assert "abc123" not in repr(settings) and "PRIVATE KEY" not in repr(settings)


def test_defaults(base_env: dict[str, str], pem: str, tmp_path: Path) -> None:
    settings = load_settings(
        {"HOME": str(tmp_path), "APP_ID": "1", "PRIVATE_KEY": pem, "WEBHOOK_SECRET": "x"}
    )
    assert settings.github_api_url == "https://api.github.com"
    assert settings.database_url == f"sqlite:///{tmp_path}/.local/share/ptm-triage/ptm-triage.db"
    assert (settings.port, settings.max_body_bytes, settings.redis_url) == (3000, 25 * 1024 * 1024, None)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "APP_ID"),
        ({"APP_ID": "12"}, "PRIVATE_KEY_PATH"),
        ({"PRIVATE_KEY": "x"}, "APP_ID"),
        ({"APP_ID": "abc", "PRIVATE_KEY": "x"}, "APP_ID"),
        ({"APP_ID": "1", "PRIVATE_KEY": "not a key"}, "PRIVATE_KEY"),
        (
            {
                "APP_ID": "1",
                "PRIVATE_KEY": "-----BEGIN RSA " "PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
            },
            "PRIVATE_KEY",
        ),
        ({"APP_ID": "1", "PRIVATE_KEY_PATH": "/nonexistent/key.pem"}, "PRIVATE_KEY_PATH"),
    ],
)
def test_missing_or_malformed_credentials_name_the_variable(
    base_env: dict[str, str], env: dict[str, str], names: str
) -> None:
    with pytest.raises(ConfigurationError, match=names):
        load_settings({**base_env, "WEBHOOK_SECRET": "s", **env})


def test_missing_secret_is_refused(base_env: dict[str, str], pem: str) -> None:
    with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET"):
        load_settings({**base_env, "APP_ID": "1", "PRIVATE_KEY": pem})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "http"),
        ("PORT", "70000"),
        ("DRY_RUN", "maybe"),
        ("LOG_LEVEL", "LOUD"),
        ("GITHUB_API_URL", "ftp://x"),
        ("MAX_ATTEMPTS", "0"),
    ],
)
def test_malformed_values_name_the_variable(
    base_env: dict[str, str], pem: str, name: str, value: str
) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_settings({**base_env, "APP_ID": "1", "PRIVATE_KEY": pem, "WEBHOOK_SECRET": "s", name: value})


def test_private_key_forms(base_env: dict[str, str], pem: str, tmp_path: Path) -> None:
    one_line = pem.replace("\n", "\\n")
    encoded = base64.b64encode(pem.encode()).decode()
    for value in (one_line, encoded):
        settings = load_settings({**base_env, "APP_ID": "1", "PRIVATE_KEY": value, "WEBHOOK_SECRET": "s"})
        assert settings.private_key is not None and settings.private_key.strip() == pem.strip()


def test_loose_key_file_permissions_warn(
    base_env: dict[str, str], pem: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = tmp_path / "app.pem"
    key.write_text(pem)
    key.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        load_settings({**base_env, "APP_ID": "1", "PRIVATE_KEY_PATH": str(key), "WEBHOOK_SECRET": "s"})
    assert "chmod 600" in caplog.text
    caplog.clear()
    key.chmod(0o600)
    with caplog.at_level(logging.WARNING):
        load_settings({**base_env, "APP_ID": "1", "PRIVATE_KEY_PATH": str(key), "WEBHOOK_SECRET": "s"})
    assert "chmod" not in caplog.text


def test_dry_run_without_credentials_is_allowed_when_asked(base_env: dict[str, str]) -> None:
    settings = load_settings({**base_env, "DRY_RUN": "1", "WEBHOOK_SECRET": "s"})
    assert settings.dry_run and not settings.has_app_credentials


def test_newcomer_serve_generates_a_private_secret_file_once(
    base_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    first = load_settings(base_env, local_fallback=True)
    assert first.dry_run and first.webhook_secret and first.secret_file is not None
    assert first.secret_file == local_secret_path(base_env["DATABASE_URL"])
    assert stat.S_IMODE(os.stat(first.secret_file).st_mode) == 0o600
    assert all(first.webhook_secret not in notice for notice in first.notices)
    assert any(str(first.secret_file) in notice for notice in first.notices)
    second = load_settings(base_env, local_fallback=True)
    assert second.webhook_secret == first.webhook_secret
    # replay finds the same secret without credentials or WEBHOOK_SECRET
    replay = load_settings(base_env, require_app=False, require_secret=False)
    assert replay.webhook_secret == first.webhook_secret


def test_generated_secret_is_never_used_when_credentials_exist(base_env: dict[str, str], pem: str) -> None:
    load_settings(base_env, local_fallback=True)  # creates the file
    with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET"):
        load_settings({**base_env, "APP_ID": "1", "PRIVATE_KEY": pem}, local_fallback=True)


def test_partial_credentials_refuse_even_in_local_mode(base_env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="APP_ID"):
        load_settings({**base_env, "PRIVATE_KEY": "x"}, local_fallback=True)


def test_local_mode_on_postgres_needs_an_explicit_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET"):
        load_settings({"HOME": str(tmp_path), "DATABASE_URL": "postgresql://db/x"}, local_fallback=True)


def test_github_pacing_and_timeout_default_below_githubs_limits(base_env: dict[str, str], pem: str) -> None:
    env = {**base_env, "APP_ID": "1", "PRIVATE_KEY": pem, "WEBHOOK_SECRET": "s"}
    settings = load_settings(env)
    assert (settings.github_writes_per_minute, settings.github_writes_per_hour) == (70, 450)
    assert settings.github_timeout == 15.0
    tuned = load_settings({**env, "GITHUB_WRITES_PER_MINUTE": "600", "GITHUB_WRITES_PER_HOUR": "9000",
                           "GITHUB_TIMEOUT": "3"})
    assert (tuned.github_writes_per_minute, tuned.github_writes_per_hour, tuned.github_timeout) == (600, 9000, 3.0)
    with pytest.raises(ConfigurationError, match="GITHUB_WRITES_PER_MINUTE"):
        load_settings({**env, "GITHUB_WRITES_PER_MINUTE": "0"})
