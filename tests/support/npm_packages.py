"""Pinned npm packages the tests need (GitHub's OpenAPI description, webhook examples and schemas).

They are fetched with the ordinary `npm pack` client (github.com is never contacted), checked against the
sha512 integrity pinned here, and unpacked into a cache that is never committed:
`$PTM_TRIAGE_TEST_CACHE/npm` when that variable is set, else `<repo>/.cache/npm`. Several pytest runs may
fetch at once: a file lock serialises the fetch and the unpacked tree appears by an atomic rename.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NPM_TIMEOUT = 300  # seconds; the OpenAPI tarball is ~29 MB


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # `npm view NAME@VERSION dist.integrity`
    members: tuple[str, ...] = ()  # files to unpack, relative to the package root; () = all

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def dirname(self) -> str:
        return self.spec.replace("/", "__").lstrip("@")


OPENAPI = NpmPackage(
    "@octokit/openapi",
    "23.0.2",
    "sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==",
    # The package unpacks to ~400 MB (every GHES/GHEC variant); only api.github.com's description is used.
    members=("package.json", "generated/api.github.com.json"),
)
WEBHOOKS_EXAMPLES = NpmPackage(
    "@octokit/webhooks-examples",
    "7.6.1",
    "sha512-De6U3XB6O3DtCa7bKgCMzTHdeopqqZ6SNivMYJnK65ierKL1AnNIA0tkRYCRS7lwGT792d+Ps1WbfHlso6MynQ==",
)
WEBHOOKS_SCHEMAS = NpmPackage(
    "@octokit/webhooks-schemas",
    "7.6.1",
    "sha512-qW0Bwtb76r4m2WzVhKDyfEeEnt1GEQoRjkCqmq2ZeB0nNVDJ+Z2LBDS9FDPyduuMXf/ZTWiCJp9PFFHgRfBe3A==",
)


class NpmFetchError(RuntimeError):
    """The package could not be fetched or failed its integrity check."""


def cache_root() -> Path:
    """Root of the test cache (also holds the pre-indexed OpenAPI subset)."""
    configured = os.environ.get("PTM_TRIAGE_TEST_CACHE")
    return Path(configured) if configured else REPO_ROOT / ".cache"


def fetch(package: NpmPackage, root: Path | None = None) -> Path:
    """The unpacked package directory (its `package/` root), fetching and verifying it on first use."""
    npm_dir = (root or cache_root()) / "npm"
    target = npm_dir / package.dirname
    if target.is_dir():
        return target
    npm_dir.mkdir(parents=True, exist_ok=True)
    with _locked(npm_dir / f"{package.dirname}.lock"):
        if target.is_dir():  # another process finished while we waited for the lock
            return target
        with tempfile.TemporaryDirectory(dir=npm_dir, prefix=".fetch-") as tmp:
            tarball = _npm_pack(package, Path(tmp))
            verify_integrity(tarball, package.integrity)
            staging = Path(tmp) / "unpacked"
            _extract(tarball, staging, package.members)
            os.rename(staging, target)
    return target


def verify_integrity(tarball: Path, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise NpmFetchError(f"unsupported integrity algorithm {algorithm!r}")
    digest = hashlib.sha512()
    with tarball.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    actual = base64.b64encode(digest.digest()).decode()
    if actual != expected:
        raise NpmFetchError(f"{tarball.name}: sha512 mismatch (pinned {expected[:16]}…, got {actual[:16]}…)")


def _npm_pack(package: NpmPackage, dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise NpmFetchError("npm is not installed; it is needed once to fetch the pinned test packages")
    cmd = [npm, "pack", package.spec, "--json", "--ignore-scripts", "--pack-destination", str(dest)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=NPM_TIMEOUT, cwd=dest, check=False)
    except subprocess.TimeoutExpired as exc:
        raise NpmFetchError(f"`npm pack {package.spec}` timed out after {NPM_TIMEOUT} s") from exc
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise NpmFetchError(f"`npm pack {package.spec}` failed: {' / '.join(tail)}")
    try:
        filename = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as exc:
        raise NpmFetchError(f"`npm pack {package.spec}` printed unexpected output") from exc
    return dest / Path(filename).name


def _extract(tarball: Path, staging: Path, members: tuple[str, ...]) -> None:
    wanted = set(members)
    staging.mkdir()
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            # npm tarballs put everything under one top directory, usually `package/`.
            _, _, relative = member.name.partition("/")
            if not member.isfile() or (members and relative not in members):
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            out = (staging / relative).resolve()
            if staging.resolve() not in out.parents:
                raise NpmFetchError(f"{tarball.name}: member escapes the package: {member.name!r}")
            out.parent.mkdir(parents=True, exist_ok=True)
            with source, out.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
            wanted.discard(relative)
    if members and wanted:
        raise NpmFetchError(f"{tarball.name}: missing {sorted(wanted)}")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
