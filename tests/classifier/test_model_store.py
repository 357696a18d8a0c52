from __future__ import annotations

import io
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from classifier import model_store
from classifier.model import TwoStageModel
from classifier.model_store import ModelLoadError, load, read_metadata, save
from classifier.schema import Document

DOCS = [Document("CUDA out of memory", "RuntimeError: CUDA out of memory"), Document("Typo", "in README")]


def test_save_load_round_trip_predicts_the_same(tiny_model: TwoStageModel, model_dir: Path) -> None:
    loaded, metadata = load(model_dir, trusted_roots=[model_dir])
    for ours, theirs in zip(loaded.predict_proba(DOCS), tiny_model.predict_proba(DOCS), strict=True):
        assert np.array_equal(ours, theirs)
    assert metadata.model_version == tiny_model.model_version
    assert metadata.thresholds == {"ptm": tiny_model.thresholds.ptm, "category": tiny_model.thresholds.category}
    assert metadata.metrics == {"ptm_f1": 1.0}
    assert len(metadata.sha256) == 64


def test_sidecar_records_what_the_card_needs(model_dir: Path) -> None:
    raw = json.loads((model_dir / "model.json").read_text())
    for key in ("taxonomy_version", "sklearn_version", "data_digest", "metrics", "thresholds", "created",
                "sha256", "model_version"):
        assert key in raw


def test_checksum_mismatch_is_refused_before_unpickling(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    artifact = model_dir / "model.joblib"
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    monkeypatch.setattr(model_store.joblib, "load", lambda *_: pytest.fail("unpickled a tampered file"))
    with pytest.raises(ModelLoadError, match="checksum mismatch"):
        load(model_dir)


def test_paths_outside_the_trusted_roots_are_refused(model_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "trusted"
    elsewhere.mkdir()
    with pytest.raises(ModelLoadError, match="not under a trusted directory"):
        load(model_dir, trusted_roots=[elsewhere])


def test_symlinks_out_of_the_trusted_root_are_refused(model_dir: Path, tmp_path: Path) -> None:
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    (trusted / "model.joblib").symlink_to(model_dir / "model.joblib")
    (trusted / "model.json").write_text((model_dir / "model.json").read_text())
    with pytest.raises(ModelLoadError, match="not under a trusted directory"):
        load(trusted, trusted_roots=[trusted])


def test_a_directory_others_can_write_is_refused(model_dir: Path) -> None:
    os.chmod(model_dir, 0o777)
    try:
        with pytest.raises(ModelLoadError, match="writable by other users"):
            load(model_dir)
    finally:
        os.chmod(model_dir, 0o755)


def test_the_artifact_holds_plain_data_only(model_dir: Path) -> None:
    """Loading depends on no module path of the project: only builtins and numpy arrays are pickled."""
    import pickletools

    import joblib

    state = joblib.load(model_dir / "model.joblib")
    assert isinstance(state, dict)
    buffer = io.BytesIO()
    pickle.dump(state, buffer)
    modules = {arg.split(" ")[0] for op, arg, _ in pickletools.genops(buffer.getvalue())
               if op.name in ("GLOBAL", "STACK_GLOBAL") and isinstance(arg, str)}
    modules |= {str(arg) for op, arg, _ in pickletools.genops(buffer.getvalue())
                if op.name in ("SHORT_BINUNICODE", "BINUNICODE") and str(arg).startswith(("classifier", "bot"))}
    assert not {m for m in modules if m.startswith(("classifier", "bot"))}


def test_the_same_model_writes_the_same_sidecar(tiny_model: TwoStageModel, tmp_path: Path) -> None:
    paths = []
    for name in ("a", "b"):
        save(tiny_model, tmp_path / name, taxonomy_version="1", data_digest="0" * 64, metrics={})
        paths.append(tmp_path / name)
    assert (paths[0] / "model.json").read_bytes() == (paths[1] / "model.json").read_bytes()
    assert (paths[0] / "model.joblib").read_bytes() == (paths[1] / "model.joblib").read_bytes()


def test_missing_or_broken_sidecar_is_a_clear_error(model_dir: Path, tmp_path: Path) -> None:
    (model_dir / "model.json").write_text("{broken")
    with pytest.raises(ModelLoadError, match="unreadable model metadata"):
        read_metadata(model_dir)
    (model_dir / "model.json").unlink()
    with pytest.raises(ModelLoadError, match="no model metadata"):
        load(model_dir)
    with pytest.raises(ModelLoadError, match="no model at"):
        load(tmp_path / "nothing-here")


def test_the_artifact_file_itself_may_be_named(tiny_model: TwoStageModel, model_dir: Path) -> None:
    loaded, _ = load(model_dir / "model.joblib")
    assert loaded.model_version == tiny_model.model_version


def test_save_is_reproducible_apart_from_the_timestamp(tiny_model: TwoStageModel, tmp_path: Path) -> None:
    a = save(tiny_model, tmp_path / "a", taxonomy_version="1", data_digest="d", metrics={})
    b = save(tiny_model, tmp_path / "b", taxonomy_version="1", data_digest="d", metrics={})
    assert a.sha256 == b.sha256
