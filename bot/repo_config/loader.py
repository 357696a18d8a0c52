"""Fetching a repository's configuration: `.github/ptm-triage.yml` on its default branch, else the owner's
`.github` repository (organisation-wide defaults, as Probot apps do), following `_extends` chains.

Results are cached per repository and revalidated with conditional requests (If-None-Match: a 304 costs
no rate limit) once `fresh_for` seconds have passed or a push invalidated them. The caches keep the
`capacity` most recently used repositories (10,000 by default); with a `cache` store the last valid
configuration and its files' ETags survive a restart, so the first read after it is a 304. A broken file never
crashes and never silently does the wrong thing: the last valid configuration of that repository (or the
defaults) stays in use and the result carries the error, for the check run and the status page.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import PermanentFailure, RetryLater
from bot.github.port import FileContent, GitHubPort
from bot.repo_config.lru import LruDict
from bot.repo_config.model import (
    CONFIG_PATH,
    InvalidConfig,
    RepoConfig,
    build_config,
    default_config,
    merge_documents,
    read_document,
)
from bot.repo_config.refs import FileRef, extends_ref, label, source
from bot.store.config_cache import CAPACITY, CachedFile, ConfigCacheStore
from bot.store.config_status import ConfigStatusStore
from classifier.taxonomy import Taxonomy

log = logging.getLogger(__name__)

FRESH_FOR = 300.0  # seconds a loaded config is used without asking GitHub; pushes invalidate sooner
MAX_EXTENDS = 5  # files in one `_extends` chain, the repository's own included
DEFAULTS = "defaults"



class FileReader(Protocol):
    def read_file(self, repo: str, path: str, etag: str | None = None) -> FileContent: ...


@dataclass(frozen=True)
class ConfigResult:
    config: RepoConfig  # always usable: the file's, else the last valid one, else the defaults
    error: str | None  # what is wrong with the file(s), one problem per line; None when valid
    source: str  # the file(s) read, e.g. "octo/app:.github/ptm-triage.yml", or "defaults"
    errors: tuple[str, ...] = ()
    fallback: str | None = None  # with an error: which configuration is used instead
    document: dict[str, Any] | None = None  # the merged, valid document `config` was built from


@dataclass
class _Entry:
    result: ConfigResult
    files: tuple[FileRef, ...]  # every file consulted, absent ones too, for push invalidation
    fingerprint: tuple[tuple[str, bytes | None], ...]  # (file, digest of its text) of every file read
    checked_at: float
    last_valid: ConfigResult | None


@dataclass(frozen=True)
class _Cached:
    etag: str
    text: str | None


class ConfigLoader:
    """Thread-safe; one per process, shared by every handler (see bot/handlers/context.py)."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        *,
        status: ConfigStatusStore | None = None,
        fresh_for: float = FRESH_FOR,
        clock: Callable[[], float] = time.monotonic,
        cache: ConfigCacheStore | None = None,
        capacity: int = CAPACITY,
    ) -> None:
        self._taxonomy = taxonomy
        self._status = status
        self._cache = cache
        self._fresh_for = fresh_for
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: LruDict[str, _Entry] = LruDict(capacity)
        self._files: LruDict[FileRef, _Cached] = LruDict(2 * capacity)  # a repository's own file, its org's
        self._recorded: LruDict[str, tuple[bool, str | None, str, bytes | None]] = LruDict(capacity)
        self._epoch = 0  # counts invalidations

    def load(self, github: GitHubPort | None, repo: str, *, sha: str | None = None) -> ConfigResult:
        """The configuration to use for `repo` now. `sha`: the commit that changed it (for the status)."""
        if github is None:
            return ConfigResult(default_config(self._taxonomy), None, "defaults (no GitHub access)")
        with self._lock:
            entry = self._entries.get(repo)
            if entry is not None and self._clock() - entry.checked_at < self._fresh_for and sha is None:
                return entry.result
            epoch = self._epoch
        if entry is None and self._cache is not None:
            restored = self._restore(repo)
            if restored is not None:
                with self._lock:
                    entry = self._entries.setdefault(repo, restored)
        reads: list[tuple[FileRef, str | None, str | None]] = []
        try:
            result = self._resolve(github, repo, reads, entry)
        except RetryLater:
            if entry is None:
                raise  # never guess a config we have not seen: the job runs again later
            log.warning("config for %s: GitHub unavailable, using the cached one", repo)
            return entry.result
        fingerprint = tuple((label(ref), _digest(text)) for ref, _, text in reads)
        with self._lock:
            entry = self._entries.get(repo)  # another thread may have stored a newer one meanwhile
            changed = entry is None or entry.fingerprint != fingerprint
            if entry is not None and entry.fingerprint == fingerprint and entry.result.error is None:
                result = entry.result  # the same files as last time: the same config
            last_valid = result if result.error is None else (entry.last_valid if entry else None)
            # An invalidation while we were reading may concern what we read: keep it stale then.
            checked_at = self._clock() if epoch == self._epoch else float("-inf")
            self._entries[repo] = _Entry(
                result, tuple(ref for ref, _, _ in reads), fingerprint, checked_at, last_valid
            )
        if changed and result.error is None:
            self._persist(repo, reads)
        self._record(repo, result, sha)
        return result

    def _restore(self, repo: str) -> _Entry | None:
        """The last valid configuration the store kept (e.g. before a restart), rebuilt from its files,
        whose ETags the next read sends; stale, so that it is revalidated at once."""
        assert self._cache is not None
        try:
            files = self._cache.get(repo)
        except SQLAlchemyError:
            log.warning("could not read the cached config of %s", repo, exc_info=True)
            return None
        if not files:
            return None
        reads: list[tuple[FileRef, str | None, str | None]] = []
        result = self._resolve(_StoredFiles(files), repo, reads, None)
        if result.error is not None:
            return None
        fingerprint = tuple((label(ref), _digest(text)) for ref, _, text in reads)
        return _Entry(result, tuple(ref for ref, _, _ in reads), fingerprint, float("-inf"), result)

    def _persist(self, repo: str, reads: list[tuple[FileRef, str | None, str | None]]) -> None:
        if self._cache is None:
            return
        try:
            self._cache.put(repo, [CachedFile(ref[0], ref[1], etag, text) for ref, etag, text in reads])
        except SQLAlchemyError:
            log.warning("could not store the config of %s", repo, exc_info=True)

    def invalidate(self, repo: str) -> None:
        """Forget the freshness of every cached config that read a file of `repo` (its own, or as the
        org defaults or an `_extends` base); the next load revalidates with conditional requests."""
        with self._lock:
            self._epoch += 1
            for name, entry in self._entries.items():
                if name == repo or any(ref[0] == repo for ref in entry.files):
                    entry.checked_at = float("-inf")

    def _resolve(
        self,
        github: FileReader,
        repo: str,
        reads: list[tuple[FileRef, str | None, str | None]],
        entry: _Entry | None,
    ) -> ConfigResult:
        own: FileRef = (repo, CONFIG_PATH)
        chain = [own]
        try:
            text = self._read(github, own, reads)
            owner, _, name = repo.partition("/")
            if text is None and name != ".github":
                chain = [(f"{owner}/.github", CONFIG_PATH)]
                text = self._read(github, chain[0], reads)
            if text is None:
                return ConfigResult(default_config(self._taxonomy), None, DEFAULTS, document={})
            documents = [self._document(text, chain[0], own)]
            while "_extends" in documents[-1]:
                target = str(documents[-1].pop("_extends"))
                base = extends_ref(target, chain[-1][0].partition("/")[0])
                path = " -> ".join(label(ref) for ref in [*chain, base])
                if base in chain:
                    raise InvalidConfig([f"_extends: loop: {path}"])
                if len(chain) >= MAX_EXTENDS:
                    raise InvalidConfig([f"_extends: more than {MAX_EXTENDS} files in the chain: {path}"])
                base_text = self._read(github, base, reads)
                if base_text is None:
                    missing = f"{label(base)} does not exist or the app cannot read it"
                    raise InvalidConfig([f"{label(chain[-1])}: _extends: {missing}"])
                chain.append(base)
                documents.append(self._document(base_text, base, own))
            merged: dict[str, Any] = {}
            for document in reversed(documents):
                merged = merge_documents(merged, document)
            config = build_config(merged, self._taxonomy)
        except InvalidConfig as exc:
            return self._broken(repo, chain, exc.errors, entry)
        return ConfigResult(config, None, source(chain), document=merged)

    def _document(self, text: str, ref: FileRef, own: FileRef) -> dict[str, Any]:
        try:
            return read_document(text)
        except InvalidConfig as exc:
            if ref == own:
                raise
            raise InvalidConfig([f"{label(ref)}: {message}" for message in exc.errors]) from None

    def _broken(
        self, repo: str, chain: list[FileRef], errors: tuple[str, ...], entry: _Entry | None
    ) -> ConfigResult:
        last_valid = entry.last_valid if entry else None
        if last_valid is not None:
            config, fallback = last_valid.config, f"the last valid configuration ({last_valid.source})"
        else:
            config, fallback = default_config(self._taxonomy), "the defaults"
        log.warning("config for %s is invalid (%d problems); using %s", repo, len(errors), fallback)
        return ConfigResult(config, "\n".join(errors), source(chain), errors, fallback)

    def _read(
        self, github: FileReader, ref: FileRef, reads: list[tuple[FileRef, str | None, str | None]]
    ) -> str | None:
        """The file's text (None: absent), asking GitHub with the ETag we hold so an unchanged file
        answers 304 and costs no rate limit."""
        with self._lock:
            cached = self._files.get(ref)
        try:
            content = github.read_file(ref[0], ref[1], etag=cached.etag if cached else None)
        except PermanentFailure as exc:  # e.g. a file too large for the contents API
            raise InvalidConfig([f"{label(ref)}: cannot be read: {exc}"]) from None
        if content.not_modified and cached is not None:
            reads.append((ref, cached.etag, cached.text))
            return cached.text
        with self._lock:
            if content.etag:
                self._files[ref] = _Cached(content.etag, content.text)
            else:
                self._files.pop(ref, None)
        reads.append((ref, content.etag, content.text))
        return content.text

    def _record(self, repo: str, result: ConfigResult, sha: str | None) -> None:
        """Tell the status page when the outcome changed; not on every load (a write per issue)."""
        if self._status is None:
            return
        valid = result.document if result.error is None else None
        state = (result.error is None, result.error, result.source, _digest(repr(valid)) if valid else None)
        with self._lock:
            if self._recorded.get(repo) == state and sha is None:
                return
            self._recorded[repo] = state
        try:
            self._status.record(repo, state[0], result.error, result.source, sha=sha, valid_config=valid)
        except SQLAlchemyError:
            log.warning("could not record the config status of %s", repo, exc_info=True)
            with self._lock:
                self._recorded.pop(repo, None)


class _StoredFiles:
    """Files as the store kept them, read like GitHub's (a file it did not keep is absent)."""

    def __init__(self, files: tuple[CachedFile, ...]) -> None:
        self._files = {(f.repo, f.path): f for f in files}

    def read_file(self, repo: str, path: str, etag: str | None = None) -> FileContent:
        kept = self._files.get((repo, path))
        return FileContent(kept.text, kept.etag) if kept is not None else FileContent(None, None)


def _digest(text: str | None) -> bytes | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8", errors="replace")).digest()
