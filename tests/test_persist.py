"""Saving and loading: skops with an allowlist, metadata checks, pickles need trust."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io as sio

from classifier.persist import (
    TRUSTED_TYPES,
    ModelLoadError,
    default_model_path,
    load_model,
    save_model,
)


@pytest.fixture()
def saved(tmp_path: Path, small_pipeline) -> Path:
    return save_model(small_pipeline, tmp_path / "m", {"labels": ["x"]})


def test_round_trip_predicts_the_same(saved: Path, small_pipeline, pairs) -> None:
    untrusted = set(sio.get_untrusted_types(file=saved / "model.skops"))
    assert untrusted <= set(TRUSTED_TYPES)
    loaded = load_model(saved)
    assert np.array_equal(
        loaded.pipeline.predict_proba(pairs), small_pipeline.predict_proba(pairs)
    )
    assert loaded.metadata["format_version"] == 1
    assert loaded.metadata["labels"] == ["x"]
    assert "scikit-learn" in loaded.metadata["versions"]


def test_unknown_format_version_is_refused(saved: Path) -> None:
    meta = saved / "metadata.json"
    data = json.loads(meta.read_text())
    data["format_version"] = 99
    meta.write_text(json.dumps(data))
    with pytest.raises(ModelLoadError, match="format version 99"):
        load_model(saved)


def test_a_pickle_needs_trust(tmp_path: Path, small_pipeline) -> None:
    path = tmp_path / "model.joblib"
    joblib.dump(small_pipeline, path)
    with pytest.raises(ModelLoadError, match="--trust"):
        load_model(path)
    assert load_model(path, trust=True).pipeline is not None


def test_types_outside_the_allowlist_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "evil"
    folder.mkdir()
    # fractions.Fraction is harmless, but it is not on our list.
    from fractions import Fraction

    sio.dump(Fraction(1, 3), folder / "model.skops")
    with pytest.raises(ModelLoadError, match="does not trust"):
        load_model(folder)


def test_missing_model_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="reread train"):
        load_model(tmp_path / "nothing")


def test_damaged_model_file(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "model.skops").write_bytes(b"not a zip")
    with pytest.raises(ModelLoadError, match="not a readable skops file"):
        load_model(folder)


def test_shipped_model_is_found_as_package_data() -> None:
    path = default_model_path()
    assert path.name == "default" and (path / "model.skops").is_file()
