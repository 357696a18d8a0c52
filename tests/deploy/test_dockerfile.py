"""The Dockerfile and its build context, checked without a container runtime: hadolint, the image's own
rules (pinned base, non-root, a /readyz healthcheck, no secrets, the Procfile's web command) and what
.dockerignore lets into the context."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths

from tests.deploy.bundle import (
    REPO_ROOT,
    VENV_BIN,
    Instruction,
    dockerfile,
    exec_form,
    final_stage,
    healthcheck_argv,
    procfile,
)

SECRET_WORDS = re.compile(r"SECRET|PASSWORD|PRIVATE_KEY|TOKEN|APP_ID|CREDENTIAL", re.IGNORECASE)
PINNED_IMAGE = re.compile(r"^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$")  # a patch release, or a digest


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert found, "hadolint is missing: install the dev extra (pip install -e '.[dev]')"
    return found


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([hadolint(), "--no-color", str(path)], capture_output=True, text=True, timeout=60)


def violations(instructions: list[Instruction]) -> list[str]:
    """The image rules hadolint does not enforce (or only warns about)."""
    problems: list[str] = []
    stages = {i.value.split()[-1] for i in instructions if i.name == "FROM" and " AS " in i.value.upper()}
    for i in instructions:
        if i.name == "FROM":
            image = i.value.split()[0]
            if image not in stages and not PINNED_IMAGE.match(image):
                problems.append(f"line {i.line}: base image {image!r} is not pinned to a version")
        if i.name in ("ENV", "ARG") and SECRET_WORDS.search(i.value):
            problems.append(f"line {i.line}: {i.name} names a secret; pass it at run time")
    last = final_stage(instructions)
    users = [i.value.split(":")[0] for i in last if i.name == "USER"]
    if not users or users[-1] in ("root", "0"):
        problems.append("the image runs as root: add a USER")
    if not any(i.name == "HEALTHCHECK" for i in last):
        problems.append("no HEALTHCHECK")
    if not any(i.name == "CMD" for i in last):
        problems.append("no CMD")
    return problems


def test_hadolint_passes_the_dockerfile() -> None:
    done = lint(REPO_ROOT / "Dockerfile")
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nUSER root\nRUN pip install flask\nCMD python app.py\n")
    done = lint(bad)
    assert done.returncode != 0
    for rule in ("DL3007", "DL3002", "DL3013", "DL3042", "DL3025"):
        assert rule in done.stdout, done.stdout


def test_the_image_rules_hold() -> None:
    assert violations(dockerfile()) == []


def test_the_image_rules_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        "FROM python:3.11-slim AS build\nFROM python:latest\nENV WEBHOOK_SECRET=abc\nARG GITHUB_TOKEN\n"
        "COPY --from=build /opt /opt\nUSER root\n"
    )
    problems = violations(dockerfile(bad))
    assert len(problems) == 7, problems  # 2 unpinned bases, ENV, ARG, root, no HEALTHCHECK, no CMD


def test_the_image_runs_the_procfile_web_line() -> None:
    (cmd,) = [i for i in final_stage(dockerfile()) if i.name == "CMD"]
    argv = exec_form(cmd.value)
    assert argv[:2] == ["sh", "-c"] and argv[2].startswith("exec ")
    assert argv[2].removeprefix("exec ") == procfile()["web"]


def test_the_healthcheck_probes_readyz() -> None:
    argv = healthcheck_argv(dockerfile())
    assert argv[0] == "python"
    assert "/readyz" in argv[-1]


def test_the_build_checks_that_the_bundled_model_loads() -> None:
    """The build runs the CLI on the installed package, so an image whose scikit-learn cannot load the
    model never gets built. Run the same command here."""
    runs = [i.value for i in final_stage(dockerfile()) if i.name == "RUN" and "ptm-triage classify" in i.value]
    assert len(runs) == 1
    command = runs[0].split(">")[0].strip()
    done = subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert done.returncode == 0, done.stderr
    assert "labels" in done.stdout


def dockerignore() -> list[str]:
    return (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()


def test_the_context_holds_what_the_dockerfile_copies() -> None:
    included = set(exclude_paths(str(REPO_ROOT), dockerignore()))
    sources = [
        source
        for i in dockerfile()
        if i.name == "COPY" and "--from=" not in i.value
        for source in i.value.split()[:-1]
    ]
    assert sources, "no COPY from the build context"
    for source in sources:
        assert (REPO_ROOT / source).exists(), source
        assert source in included, f"{source} is excluded by .dockerignore"
    model = [p for p in included if p.startswith("classifier/model/")]
    assert "classifier/model/model.joblib" in model and "classifier/model/model.json" in model
    assert not [p for p in included if "__pycache__" in p or p.endswith(".pyc")]


def test_the_context_leaves_out_secrets_and_local_state(tmp_path: Path) -> None:
    for name in (
        "bot/app.py", "classifier/model/model.joblib", "pyproject.toml", "README.md",
        ".env", "ptm-triage.env", "secrets/github-app.pem", "app.private-key.pem", "github-app.env",
        "webhook-secret", "data/ptm-triage.db", ".venv/bin/python", ".git/config", ".cache/npm/x.json",
        "bot/__pycache__/app.cpython-311.pyc",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    files = {p for p in exclude_paths(str(tmp_path), dockerignore()) if (tmp_path / p).is_file()}
    assert files == {"bot/app.py", "classifier/model/model.joblib", "pyproject.toml", "README.md"}


@pytest.mark.parametrize("line", ["FROM python:3.11.14-slim-bookworm", "FROM python:3.11.14-slim@sha256:" + "a" * 64])
def test_pinned_bases_are_accepted(tmp_path: Path, line: str) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(f"{line}\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\nCMD [\"true\"]\n")
    assert violations(dockerfile(path)) == []
