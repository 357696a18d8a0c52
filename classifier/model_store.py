"""Saving and loading model artifacts: joblib plus a JSON sidecar, checked before anything is unpickled.

Unpickling runs code, so a model is loaded only from a trusted place (a regular file owned by this user or
root, in a directory no one else can write to, under an allowed root when one is given) and only when its
sha256 matches the sidecar. The artifact holds plain data only (numpy arrays, lists, numbers and strings, see
TwoStageModel.state()), so loading it depends on no module path and no scikit-learn version.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
import sklearn

from classifier.model import TwoStageModel

ARTIFACT_NAME = "model.joblib"
SIDECAR_NAME = "model.json"
FORMAT_VERSION = 2  # 2: the artifact holds plain data only (TwoStageModel.state())
MAX_ARTIFACT_BYTES = 64 * 1024 * 1024  # far above the shipped model; refuses absurd files before hashing


class ModelLoadError(RuntimeError):
    """A model that must not or cannot be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class ModelMetadata:
    model_version: str
    taxonomy_version: str
    sklearn_version: str
    sha256: str
    created: str
    data_digest: str
    thresholds: Mapping[str, float]
    metrics: Mapping[str, Any]
    extra: Mapping[str, Any]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save(model: TwoStageModel, directory: Path | str, *, taxonomy_version: str, data_digest: str,
         metrics: Mapping[str, Any], extra: Mapping[str, Any] | None = None,
         created: datetime | None = None) -> ModelMetadata:
    """Write model.joblib and model.json into `directory` (created if needed)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / ARTIFACT_NAME
    joblib.dump({"format_version": FORMAT_VERSION, **model.state()}, artifact, compress=3)
    metadata = ModelMetadata(
        model_version=model.model_version,
        taxonomy_version=taxonomy_version,
        sklearn_version=sklearn.__version__,
        sha256=_sha256(artifact),
        # Only when given: the same training must write the same sidecar, byte for byte.
        created="" if created is None else created.replace(microsecond=0).isoformat(),
        data_digest=data_digest,
        thresholds={"ptm": model.thresholds.ptm, "category": model.thresholds.category},
        metrics=dict(metrics),
        extra=dict(extra or {}),
    )
    sidecar = {"format_version": FORMAT_VERSION, "artifact": ARTIFACT_NAME, **metadata.__dict__}
    (directory / SIDECAR_NAME).write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return metadata


def _check_trusted(path: Path, roots: Sequence[Path] | None) -> None:
    """Refuse files others could have planted or changed."""
    if roots is not None and not any(path.is_relative_to(root.resolve()) for root in roots):
        allowed = ", ".join(str(root) for root in roots)
        raise ModelLoadError(f"refusing to load a model from {path}: not under a trusted directory ({allowed})")
    for item in (path, path.parent):
        info = item.stat()
        if info.st_uid not in (os.getuid(), 0):
            raise ModelLoadError(f"refusing to load a model from {path}: {item} is owned by another user")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise ModelLoadError(f"refusing to load a model from {path}: {item} is writable by other users "
                                 f"(chmod go-w {item})")
    if not stat.S_ISREG(path.stat().st_mode):
        raise ModelLoadError(f"refusing to load a model from {path}: not a regular file")


def read_metadata(directory: Path | str) -> ModelMetadata:
    sidecar_path = Path(directory) / SIDECAR_NAME
    try:
        raw = json.loads(sidecar_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelLoadError(f"no model metadata at {sidecar_path} (a model directory holds "
                             f"{ARTIFACT_NAME} and {SIDECAR_NAME})") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"unreadable model metadata {sidecar_path}: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format_version") != FORMAT_VERSION:
        raise ModelLoadError(f"{sidecar_path}: unknown metadata format (expected format_version {FORMAT_VERSION})")
    try:
        return ModelMetadata(**{name: raw[name] for name in ModelMetadata.__dataclass_fields__})
    except KeyError as exc:
        raise ModelLoadError(f"{sidecar_path}: missing field {exc}") from exc


def load(location: Path | str, *, trusted_roots: Sequence[Path] | None = None) -> tuple[TwoStageModel, ModelMetadata]:
    """Load a model directory (or its model.joblib): trust, checksum and version checks, then unpickle."""
    location = Path(location)
    if not location.exists():
        raise ModelLoadError(f"no model at {location}")
    directory = location if location.is_dir() else location.parent
    artifact = (directory / ARTIFACT_NAME).resolve()
    if not artifact.exists():
        raise ModelLoadError(f"no model at {directory} (expected {ARTIFACT_NAME} and {SIDECAR_NAME})")
    _check_trusted(artifact, trusted_roots)
    metadata = read_metadata(directory)
    if artifact.stat().st_size > MAX_ARTIFACT_BYTES:
        raise ModelLoadError(f"refusing to load {artifact}: larger than {MAX_ARTIFACT_BYTES} bytes")
    data = artifact.read_bytes()  # hashed and unpickled from the same bytes: no swap in between
    actual = hashlib.sha256(data).hexdigest()
    if actual != metadata.sha256:
        raise ModelLoadError(f"checksum mismatch for {artifact}: expected sha256 {metadata.sha256[:16]}…, "
                             f"got {actual[:16]}…; the file is corrupt or was replaced: refusing to load it")
    state = joblib.load(io.BytesIO(data))
    if not isinstance(state, dict) or state.get("format_version") != FORMAT_VERSION:
        raise ModelLoadError(f"{artifact} does not hold a ptm-triage model of format {FORMAT_VERSION}: "
                             "retrain it with `ptm-triage train`")
    try:
        return TwoStageModel.from_state(state), metadata
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"{artifact}: incomplete model data ({exc}): retrain it with `ptm-triage train`") from exc
