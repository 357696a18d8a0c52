"""Reading the deployable bundle (Procfile, Dockerfile, compose.yaml, docs/deploy.md) the way its tools do.

Nothing here hard-codes a module path of the app: the gunicorn target comes from the Procfile, and the
settings loader is found by its name, so the tests follow the code when it moves.
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

from tests.support.npm_packages import NpmPackage

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent  # gunicorn and the ptm-triage console script live here
APP_SERVICES = ("web", "worker")

# The official Compose Specification schema, as vendored by the dclint package (schemas/compose.schema.json).
COMPOSE_SCHEMA = NpmPackage(
    "dclint",
    "3.1.0",
    "sha512-afTGdzRFUXK4yCpIiEW/LOR+9TOMEDhNldDp56VCWzn7JDmD451PcUi640GGlMHgbHKJ10rDBm4PtpcBbjqlXw==",
    members=("package.json", "schemas/compose.schema.json"),
)

_SHELL_DEFAULT = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?::-(?P<default>[^}]*))?\}")


def procfile() -> dict[str, str]:
    """Process type -> command line."""
    entries: dict[str, str] = {}
    for line in (REPO_ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def procfile_variables() -> set[str]:
    """Variables the Procfile's command lines expand themselves (e.g. WEB_CONCURRENCY for gunicorn)."""
    return {m["name"] for command in procfile().values() for m in _SHELL_DEFAULT.finditer(command)}


def expand(command: str, env: Mapping[str, str]) -> list[str]:
    """The argv `sh -c` would run for a Procfile line: ${NAME:-default} expanded, then split like a shell."""

    def value(match: re.Match[str]) -> str:
        return env.get(match["name"]) or match["default"] or ""

    return shlex.split(_SHELL_DEFAULT.sub(value, command))


def gunicorn_target(env: Mapping[str, str] | None = None) -> str:
    """The app URI of the Procfile's web line, parsed by gunicorn's own command-line parser."""
    from gunicorn.config import Config

    argv = expand(procfile()["web"], env or {})
    assert argv[0] == "gunicorn", f"the Procfile's web line does not run gunicorn: {argv}"
    parsed = Config().parser().parse_args(argv[1:])
    assert len(parsed.args) == 1, f"expected one app URI in the web line, got {parsed.args}"
    return str(parsed.args[0])


@dataclass(frozen=True)
class Instruction:
    name: str  # upper case, e.g. FROM
    value: str
    line: int  # 1-based


def dockerfile(path: Path | None = None) -> list[Instruction]:
    parser = DockerfileParser(path=str(path or REPO_ROOT / "Dockerfile"))
    return [Instruction(i["instruction"], i["value"], i["startline"] + 1) for i in parser.structure]


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [n for n, i in enumerate(instructions) if i.name == "FROM"]
    return instructions[starts[-1] :] if starts else instructions


def exec_form(value: str) -> list[str]:
    """The JSON array of an exec-form CMD (for a HEALTHCHECK, the part after `CMD`)."""
    argv = json.loads(value)
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), f"not an exec-form array: {value}"
    return argv


def healthcheck_argv(instructions: list[Instruction]) -> list[str]:
    checks = [i for i in final_stage(instructions) if i.name == "HEALTHCHECK"]
    assert len(checks) == 1, "the image needs exactly one HEALTHCHECK"
    _, found, command = checks[0].value.partition("CMD ")
    assert found, f"HEALTHCHECK without CMD: {checks[0].value}"
    return exec_form(command.strip())


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def compose_command(service: str) -> list[str]:
    """A service's command as the container runs it: compose turns `$$` into a literal `$`."""
    command = compose()["services"][service]["command"]
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    return [arg.replace("$$", "$") for arg in argv]


def interpolated_variables() -> set[str]:
    """Variables compose itself substitutes into compose.yaml (${NAME…}), from its shell or .env."""
    text = (REPO_ROOT / "compose.yaml").read_text(encoding="utf-8").replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def settings_module() -> ModuleType:
    """The module that defines `load_settings`, wherever the bot package keeps it."""
    for path in sorted((REPO_ROOT / "bot").rglob("*.py")):
        if re.search(r"^def load_settings\(", path.read_text(encoding="utf-8"), re.MULTILINE):
            relative = path.relative_to(REPO_ROOT).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            return importlib.import_module(".".join(parts))
    raise AssertionError("no `def load_settings(` under bot/")


class RecordingEnv(Mapping[str, str]):
    """An environment that remembers every name looked up in it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return key in self._values

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return self._values.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def doc_variables(text: str) -> set[str]:
    """Every `UPPER_CASE` name with an underscore, in backticks, anywhere in a markdown page."""
    return set(re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`", text))


def doc_table_variables(text: str, heading: str) -> set[str]:
    """The backticked names in the first column of the tables under `## heading`."""
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|--"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names
