"""Saving and loading models: skops files checked against an allowlist, plus metadata.

A model lives in a folder: ``model.skops`` (the fitted pipeline) and ``metadata.json``
(format version, library versions, labels, training data hash and size, thresholds,
metrics). Loading refuses any type outside :data:`TRUSTED_TYPES`; a pickle or joblib
file is code, and is only loaded when the caller says ``trust=True``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ClassifierError

__all__ = [
    "FORMAT_VERSION",
    "TRUSTED_TYPES",
    "LoadedModel",
    "check_model",
    "ModelLoadError",
    "default_model_path",
    "file_sha256",
    "load_model",
    "save_model",
]

#: Bumped when the folder layout or metadata change incompatibly.
FORMAT_VERSION = 1
MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"

#: Our own types that a model file may contain, beyond what skops trusts by default.
#: Never extend this from ``get_untrusted_types`` output: list each type on purpose.
TRUSTED_TYPES = [
    "classifier.features.ChatPairFeatures",
    "classifier.features.split_tokens",
    "classifier.features.char_wb_2_4",
    "classifier.model.RejectionClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "numpy.float32",
    "numpy.dtype",
    "builtins.float",
    "builtins.int",
    "builtins.tuple",
]


class ModelLoadError(ClassifierError):
    """A model folder is missing, damaged, of an unknown format, or not trusted."""


@dataclass
class LoadedModel:
    """A fitted pipeline and its metadata."""

    pipeline: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def default_model_path() -> Path:
    """The shipped model: package data once installed, ``models/default`` in a checkout.

    ``pyproject.toml`` installs the top-level ``models/`` folder as the package
    ``classifier.models``, so a plain ``pip install`` finds it without the source tree.
    """
    try:
        return Path(str(resources.files("classifier.models") / "default"))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "models" / "default"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model depends on."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("reread", "scikit-learn", "spacy", "numpy", "scipy", "skops"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def save_model(
    pipeline: Any, folder: str | os.PathLike[str], metadata: dict[str, Any]
) -> Path:
    """Write ``model.skops`` and ``metadata.json`` into ``folder`` (created if needed).

    Both files are written to temporary names first and renamed into place, so a
    failure never leaves a half-written model.
    """
    import skops.io as sio

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    full = {
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": library_versions(),
        **metadata,
    }
    with tempfile.TemporaryDirectory(dir=target) as scratch:
        model_tmp = Path(scratch) / MODEL_FILE
        meta_tmp = Path(scratch) / METADATA_FILE
        # The schema is verbose JSON (every vocabulary entry is a node): deflate it.
        sio.dump(pipeline, model_tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        meta_tmp.write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n")
        os.replace(model_tmp, target / MODEL_FILE)
        os.replace(meta_tmp, target / METADATA_FILE)
    return target


def check_model(
    path: str | os.PathLike[str] | None = None, *, trust: bool = False
) -> tuple[Path, Path, dict[str, Any]]:
    """The checks of :func:`load_model` that need no loading: files, metadata, trust.

    Returns the model folder (or file), the model file and the metadata. Cheap, for
    a process that will not load the model itself but must fail early if it is
    missing, of an unknown format version, or a pickle given without ``trust``.

    Raises
    ------
    ModelLoadError
    """
    target = Path(path) if path is not None else default_model_path()
    if target.is_dir():
        model_file, meta_file = target / MODEL_FILE, target / METADATA_FILE
    else:
        model_file, meta_file = target, target.with_name(METADATA_FILE)
    if not model_file.exists():
        raise ModelLoadError(
            f"{model_file}: no model here; train one with `reread train`, or leave "
            "--model out to use the shipped model"
        )
    metadata: dict[str, Any] = {}
    if meta_file.exists():
        try:
            metadata = json.loads(meta_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ModelLoadError(f"{meta_file}: damaged metadata ({exc})") from None
        version = metadata.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelLoadError(
                f"{meta_file}: model format version {version!r} is not one this "
                f"reread reads ({FORMAT_VERSION}); retrain it with `reread train`"
            )
        _warn_on_version_drift(metadata, meta_file)
    if model_file.suffix in _PICKLE_SUFFIXES and not trust:
        raise ModelLoadError(
            f"{model_file}: a pickle file can run any code when loaded; pass "
            "--trust only if you made it yourself"
        )
    return target, model_file, metadata


_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")


def load_model(
    path: str | os.PathLike[str] | None = None, *, trust: bool = False
) -> LoadedModel:
    """Load a model folder (or the shipped default when ``path`` is None).

    Parameters
    ----------
    path : path, optional
        A model folder, a ``.skops`` file, or (with ``trust``) a pickle/joblib file.
    trust : bool
        Allow loading a pickle or joblib file, which can run arbitrary code.

    Raises
    ------
    ModelLoadError
        If the files are missing, the format version is unknown, the file holds a
        type outside :data:`TRUSTED_TYPES`, or a pickle is given without ``trust``.
    """
    import skops.io as sio

    target, model_file, metadata = check_model(path, trust=trust)
    if model_file.suffix in _PICKLE_SUFFIXES:
        import joblib

        return LoadedModel(joblib.load(model_file), metadata, target)
    try:
        untrusted = sio.get_untrusted_types(file=model_file)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelLoadError(
            f"{model_file}: not a readable skops file ({exc})"
        ) from None
    unknown = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unknown:
        raise ModelLoadError(
            f"{model_file}: holds types reread does not trust: {', '.join(unknown)}"
        )
    return LoadedModel(sio.load(model_file, trusted=untrusted), metadata, target)


def _warn_on_version_drift(metadata: dict[str, Any], where: Path) -> None:
    saved = metadata.get("versions", {}).get("scikit-learn")
    current = library_versions()["scikit-learn"]
    if saved and saved != current:
        warnings.warn(
            f"{where}: model trained with scikit-learn {saved}, running {current}; "
            "predictions may differ slightly",
            stacklevel=3,
        )
