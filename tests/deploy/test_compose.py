"""compose.yaml against the official Compose Specification schema, and the promises it makes: the
Procfile's commands, health-gated start order, and secrets that stay out of the file."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from tests.deploy.bundle import APP_SERVICES, COMPOSE_SCHEMA, compose, compose_command, procfile
from tests.support import npm_packages


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    root = npm_packages.fetch(COMPOSE_SCHEMA)
    schema = json.loads((root / "schemas" / "compose.schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def errors(validator: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification(validator: jsonschema.Draft7Validator) -> None:
    assert errors(validator, compose()) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "web", "healthcheck", "intervall"), "30s"),
        (("services", "web", "depends_on", "postgres", "condition"), "healthy"),
        (("services", "worker", "command"), 42),
    ],
)
def test_the_schema_rejects_a_broken_file(
    validator: jsonschema.Draft7Validator, path: tuple[str, ...], value: object
) -> None:
    document = copy.deepcopy(compose())
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert errors(validator, document)


def test_web_and_worker_run_the_procfile_commands() -> None:
    lines = procfile()
    web = compose_command("web")
    assert web[:2] == ["sh", "-c"] and web[2].startswith("exec ")
    assert web[2].removeprefix("exec ") == lines["web"]
    assert compose_command("worker") == lines["worker"].split()


def test_services_start_in_order_of_health() -> None:
    services = compose()["services"]
    assert {"web", "worker", "postgres", "redis"} <= set(services)
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert set(depends) == {"postgres", "redis"}
        for dependency, rule in depends.items():
            assert rule["condition"] == "service_healthy"
            assert services[dependency]["healthcheck"]["test"], dependency
    assert "/readyz" in services["web"]["healthcheck"]["test"][-1]


def test_app_services_use_postgres_and_redis() -> None:
    for name in APP_SERVICES:
        environment = compose()["services"][name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")


def test_secrets_stay_out_of_the_file() -> None:
    document = compose()
    declared = document["secrets"]
    for name in APP_SERVICES:
        service = document["services"][name]
        environment = service["environment"]
        assert "WEBHOOK_SECRET" not in environment and "PRIVATE_KEY" not in environment
        assert "APP_ID" not in environment
        assert service["env_file"] == "ptm-triage.env"
        (secret,) = service["secrets"]
        assert environment["PRIVATE_KEY_PATH"] == f"/run/secrets/{secret}"
        assert "file" in declared[secret]
        # The database password is compose's interpolation, never a literal.
        password = environment["DATABASE_URL"].split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert password.startswith("${POSTGRES_PASSWORD")
    assert document["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
