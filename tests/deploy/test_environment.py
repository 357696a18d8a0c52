"""Every environment variable the bundle names is one the app reads, and the required ones are supplied
and documented. What the app reads is observed by running the settings loader on a recording environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.deploy.bundle import (
    APP_SERVICES,
    REPO_ROOT,
    RecordingEnv,
    compose,
    doc_table_variables,
    doc_variables,
    interpolated_variables,
    procfile_variables,
    settings_module,
)

DOCS = REPO_ROOT / "docs" / "deploy.md"
ENV_EXAMPLE = REPO_ROOT / "ptm-triage.env.example"
# Each group: one of these must be set for a production start.
REQUIRED = (("APP_ID",), ("WEBHOOK_SECRET",), ("PRIVATE_KEY", "PRIVATE_KEY_PATH"))


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("key") / "app.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return path


def production_env(tmp_path: Path, key_file: Path) -> dict[str, str]:
    return {"APP_ID": "12345", "PRIVATE_KEY_PATH": str(key_file), "WEBHOOK_SECRET": "deploy-" + "w" * 12,
            "DATABASE_URL": f"sqlite:///{tmp_path}/ptm.db"}


@pytest.fixture(scope="module")
def settings_reads(tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> set[str]:
    """Names the settings loader looks up: with a DATABASE_URL, and without one (the default store)."""
    load = settings_module().load_settings
    tmp = tmp_path_factory.mktemp("settings")
    read: set[str] = set()
    with_url = production_env(tmp, key_file)
    without_url = {k: v for k, v in with_url.items() if k != "DATABASE_URL"} | {"XDG_DATA_HOME": str(tmp)}
    for values in (with_url, without_url):
        env = RecordingEnv(values)
        load(env)
        read |= env.read
    return read


def app_variables_in_compose() -> set[str]:
    names: set[str] = set()
    for service in APP_SERVICES:
        names |= set(compose()["services"][service]["environment"])
    return names


def env_example_variables() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.lstrip("# ").strip()
        if "=" in line and line.split("=", 1)[0].isupper():
            names.add(line.split("=", 1)[0])
    return names


def test_the_loader_reads_the_documented_core(settings_reads: set[str]) -> None:
    # Guards the recording itself: if these are not seen, the comparisons below prove nothing.
    assert {"APP_ID", "WEBHOOK_SECRET", "DATABASE_URL", "REDIS_URL", "PORT", "LOG_LEVEL", "DRY_RUN"} <= settings_reads


def test_compose_and_the_env_example_name_only_variables_the_app_reads(settings_reads: set[str]) -> None:
    known = settings_reads | procfile_variables()
    assert app_variables_in_compose() - known == set()
    assert env_example_variables() - known == set()


def test_the_docs_name_only_real_variables(settings_reads: set[str]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    known = settings_reads | procfile_variables() | interpolated_variables()
    assert doc_variables(text) - known == set()
    assert doc_table_variables(text, "Environment variables") - (settings_reads | procfile_variables()) == set()


def test_the_docs_table_lists_every_variable_the_app_reads(settings_reads: set[str]) -> None:
    table = doc_table_variables(DOCS.read_text(encoding="utf-8"), "Environment variables")
    assert (settings_reads | procfile_variables()) - table - {"HOME"} == set()


@pytest.mark.parametrize("group", REQUIRED)
def test_required_variables_are_required_supplied_and_documented(
    group: tuple[str, ...], tmp_path: Path, key_file: Path
) -> None:
    module = settings_module()
    env = {k: v for k, v in production_env(tmp_path, key_file).items() if k not in group}
    with pytest.raises(module.ConfigurationError):
        module.load_settings(env)
    supplied = app_variables_in_compose() | env_example_variables()
    assert set(group) & supplied, f"compose supplies none of {group}"
    documented = doc_table_variables(DOCS.read_text(encoding="utf-8"), "Environment variables")
    assert set(group) <= documented
