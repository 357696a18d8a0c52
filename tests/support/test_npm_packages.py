"""Pinned npm packages: integrity is checked, only wanted files are unpacked, one fetch under concurrency."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
import time
from pathlib import Path

import pytest

from tests.support import npm_packages
from tests.support.npm_packages import NpmFetchError, NpmPackage


def make_tarball(path: Path, files: dict[str, bytes]) -> str:
    """Write an npm-style .tgz and return its integrity string."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


@pytest.fixture
def packed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[NpmPackage, list[str]]:
    """A package whose `npm pack` is replaced by copying a local tarball; records each call."""
    source = tmp_path / "source.tgz"
    integrity = make_tarball(source, {"package/package.json": b'{"version": "1.0.0"}',
                                      "package/data/big.json": b"[]", "package/README.md": b"hi"})
    calls: list[str] = []

    def fake_pack(package: NpmPackage, dest: Path) -> Path:
        calls.append(package.spec)
        time.sleep(0.05)  # long enough for concurrent fetches to overlap
        target = dest / "pkg.tgz"
        target.write_bytes(source.read_bytes())
        return target

    monkeypatch.setattr(npm_packages, "_npm_pack", fake_pack)
    return NpmPackage("@scope/pkg", "1.0.0", integrity, members=("package.json", "data/big.json")), calls


def test_fetch_unpacks_only_the_wanted_members(tmp_path: Path, packed: tuple[NpmPackage, list[str]]) -> None:
    package, calls = packed
    root = npm_packages.fetch(package, tmp_path / "cache")
    assert root == tmp_path / "cache" / "npm" / "scope__pkg@1.0.0"
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "data/big.json", "package.json"]
    assert npm_packages.fetch(package, tmp_path / "cache") == root
    assert calls == ["@scope/pkg@1.0.0"]  # the second call used the cache


def test_concurrent_fetches_download_once(tmp_path: Path, packed: tuple[NpmPackage, list[str]]) -> None:
    package, calls = packed
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(npm_packages.fetch(package, tmp_path)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 4
    assert len(calls) == 1


def test_integrity_mismatch_is_refused_and_nothing_is_cached(
        tmp_path: Path, packed: tuple[NpmPackage, list[str]]) -> None:
    package, _ = packed
    tampered = NpmPackage(package.name, package.version, "sha512-" + base64.b64encode(b"x" * 64).decode())
    with pytest.raises(NpmFetchError, match="sha512 mismatch"):
        npm_packages.fetch(tampered, tmp_path)
    assert not (tmp_path / "npm" / tampered.dirname).exists()
    assert [p.name for p in (tmp_path / "npm").iterdir()] == [f"{tampered.dirname}.lock"]


def test_members_escaping_the_package_are_refused(tmp_path: Path) -> None:
    tarball = tmp_path / "evil.tgz"
    make_tarball(tarball, {"package/../../escape.txt": b"x"})
    with pytest.raises(NpmFetchError, match="escapes"):
        npm_packages._extract(tarball, tmp_path / "out", ())


def test_missing_wanted_member_is_an_error(tmp_path: Path) -> None:
    tarball = tmp_path / "p.tgz"
    make_tarball(tarball, {"package/package.json": b"{}"})
    with pytest.raises(NpmFetchError, match="missing"):
        npm_packages._extract(tarball, tmp_path / "out", ("generated/api.github.com.json",))


def test_cache_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PTM_TRIAGE_TEST_CACHE", str(tmp_path))
    assert npm_packages.cache_root() == tmp_path
    monkeypatch.delenv("PTM_TRIAGE_TEST_CACHE")
    assert npm_packages.cache_root() == npm_packages.REPO_ROOT / ".cache"


@pytest.mark.parametrize("package", [npm_packages.OPENAPI, npm_packages.WEBHOOKS_EXAMPLES,
                                     npm_packages.WEBHOOKS_SCHEMAS], ids=lambda p: p.name)
def test_pinned_packages_are_the_pinned_versions(package: NpmPackage) -> None:
    manifest = json.loads((npm_packages.fetch(package) / "package.json").read_text())
    assert (manifest["name"], manifest["version"]) == (package.name, package.version)
