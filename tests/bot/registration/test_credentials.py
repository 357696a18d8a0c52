"""The credentials file: written by /setup (bot/registration/credentials.py), read by bot/settings/files.py."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from bot.registration.credentials import AppCredentials, write_credentials
from bot.settings import ConfigurationError, load_settings
from bot.settings.files import CREDENTIALS_FILE_NAME, credentials_path, parse_credentials
from tests.support.github_fixtures import AppKey

SECRET = "3f1c9a0b7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f0a"


def creds(key: AppKey, app_id: int = 321) -> AppCredentials:
    return AppCredentials(app_id, "my-triage", "my-triage", "https://github.com/apps/my-triage", SECRET,
                          key.private_key_pem)


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/ptm-triage.db", "HOME": str(tmp_path), **extra}


def test_file_lives_next_to_the_sqlite_database(tmp_path: Path) -> None:
    assert credentials_path(f"sqlite:///{tmp_path}/db/x.db") == tmp_path / "db" / CREDENTIALS_FILE_NAME
    assert credentials_path("postgresql://postgres@127.0.0.1/test") is None
    assert credentials_path("sqlite:///:memory:") is None


def test_written_file_is_private_and_never_overwritten(tmp_path: Path, github_app_key: AppKey) -> None:
    path = tmp_path / "new-dir" / CREDENTIALS_FILE_NAME
    write_credentials(path, creds(github_app_key))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = parse_credentials(path.read_text(encoding="utf-8"), str(path))
    assert values["APP_ID"] == "321" and values["WEBHOOK_SECRET"] == SECRET
    assert "\n" not in values["PRIVATE_KEY"] and values["PRIVATE_KEY"].startswith("-----BEGIN")
    with pytest.raises(FileExistsError):
        write_credentials(path, creds(github_app_key, app_id=999))
    assert "APP_ID=\"321\"" in path.read_text(encoding="utf-8")


def test_repr_hides_the_secret_and_the_key(github_app_key: AppKey) -> None:
    text = repr(creds(github_app_key))
    assert SECRET not in text and "PRIVATE KEY" not in text and "321" in text


def test_values_that_cannot_be_stored_safely_are_refused(tmp_path: Path, github_app_key: AppKey) -> None:
    bad = AppCredentials(1, "a", "a", "https://github.com/apps/a", 'x"\nAPP_ID=2', github_app_key.private_key_pem)
    with pytest.raises(ValueError, match="webhook secret"):
        write_credentials(tmp_path / CREDENTIALS_FILE_NAME, bad)
    assert not (tmp_path / CREDENTIALS_FILE_NAME).exists()


def test_settings_read_the_file_when_the_environment_has_no_credentials(
    tmp_path: Path, github_app_key: AppKey
) -> None:
    write_credentials(tmp_path / CREDENTIALS_FILE_NAME, creds(github_app_key))
    settings = load_settings(env_for(tmp_path))
    assert settings.app_id == 321 and settings.has_app_credentials
    assert settings.webhook_secret == SECRET
    assert settings.private_key is not None
    assert settings.private_key.strip() == github_app_key.private_key_pem.strip()
    assert settings.dry_run is False
    assert any(str(tmp_path / CREDENTIALS_FILE_NAME) in notice for notice in settings.notices)
    assert all(SECRET not in notice for notice in settings.notices)


def test_environment_wins_over_the_file(tmp_path: Path, github_app_key: AppKey) -> None:
    write_credentials(tmp_path / CREDENTIALS_FILE_NAME, creds(github_app_key))
    settings = load_settings(env_for(tmp_path, WEBHOOK_SECRET="from-env"))
    assert settings.app_id == 321 and settings.webhook_secret == "from-env"
    key_file = tmp_path / "key.pem"
    key_file.write_text(github_app_key.private_key_pem, encoding="utf-8")
    key_file.chmod(0o600)
    own = load_settings(env_for(tmp_path, APP_ID="77", PRIVATE_KEY_PATH=str(key_file), WEBHOOK_SECRET="s"))
    assert own.app_id == 77
    assert not any(CREDENTIALS_FILE_NAME in notice for notice in own.notices)


def test_no_file_leaves_settings_as_before(tmp_path: Path) -> None:
    settings = load_settings(env_for(tmp_path), local_fallback=True)
    assert settings.app_id is None and settings.dry_run


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("APP_ID=1\nthis is not an assignment\n", "line 2"),
        ('APP_ID="1"\nWEBHOOK_SECRET="s"\n', "lacks PRIVATE_KEY"),
        ("# only a comment\n", "lacks APP_ID, WEBHOOK_SECRET, PRIVATE_KEY"),
    ],
)
def test_broken_file_stops_start_up_with_its_name(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / CREDENTIALS_FILE_NAME
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message) as caught:
        load_settings(env_for(tmp_path))
    assert str(path) in str(caught.value)


def test_loose_permissions_are_warned_about(
    tmp_path: Path, github_app_key: AppKey, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / CREDENTIALS_FILE_NAME
    write_credentials(path, creds(github_app_key))
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        load_settings(env_for(tmp_path))
    assert "chmod 600" in caplog.text and SECRET not in caplog.text
