"""Model files: a fitted model saved as a skops archive, and every check before one is loaded."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS, Limits
from dashboard.prediction import FittedModel

__all__ = [
    "ALLOWED_UNTRUSTED_TYPES",
    "MODEL_FORMAT",
    "MODEL_FORMAT_VERSION",
    "SavedModel",
    "check_model_archive",
    "library_versions",
    "load_model",
    "save_model",
]

MODEL_FORMAT = "softmax-lab-model"
MODEL_FORMAT_VERSION = 1

# The only types outside skops' default trust that our own pipeline puts in a model file
# (SimpleImputer keeps the dtype it was fitted on). Anything else in an uploaded file is refused.
ALLOWED_UNTRUSTED_TYPES = frozenset({"numpy.dtype"})

_ZIP_MAGIC = b"PK\x03\x04"
_SKOPS_SCHEMA = "schema.json"


@dataclass(frozen=True, kw_only=True)
class SavedModel:
    """A model read back from a ``.skops`` file, after every check passed.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
        The fitted preprocessing + LogisticRegression pipeline.
    classes : tuple of str
        Class names, in the order of the pipeline's probability columns.
    numeric_columns, categorical_columns : tuple of str
        The feature columns the pipeline expects, by branch.
    config : dict
        The training configuration (target, features, C grid, folds, ...), as plain values.
    best_C : float
        The C the pipeline was refit with.
    data_sha256 : str
        The SHA-256 of the training file's bytes ("" when unknown).
    versions : dict
        Library versions at save time.
    column_types : dict
        How each feature column was typed in training: "number", "boolean", "text" or "date".
    model_id : str
        Names this model uniquely (a fresh random hex string each time a file is read).
    """

    pipeline: Any
    classes: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    categorical_columns: tuple[str, ...]
    config: dict
    best_C: float
    data_sha256: str = ""
    versions: dict = dataclasses.field(default_factory=dict)
    column_types: dict = dataclasses.field(default_factory=dict)
    model_id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def feature_columns(self) -> tuple[str, ...]:
        """Every column the model reads, numeric ones first."""
        return self.numeric_columns + self.categorical_columns

    @property
    def target(self) -> str:
        """The name of the column the model predicts."""
        return str(self.config.get("target", ""))

    @property
    def settings(self) -> dict:
        """The training configuration, as stored in the file."""
        return dict(self.config)


def _plain(value: Any) -> Any:
    """Turn a config value into plain JSON-like values (skops trusts these by default)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model or report depends on.

    Returns
    -------
    dict
        Package name -> version string.
    """
    import platform

    import plotly
    import scipy
    import sklearn
    import skops

    import dashboard

    return {
        "python": platform.python_version(),
        "softmax-lab": dashboard.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "plotly": plotly.__version__,
        "skops": skops.__version__,
    }


def save_model(model: FittedModel) -> bytes:
    """Write a trained model as a skops archive (no pickle).

    Parameters
    ----------
    model : FittedModel
        The model to save: trained in this session or read back with :func:`load_model`.

    Returns
    -------
    bytes
        The ``.skops`` file: the fitted pipeline with its class names, feature columns
        (numeric and categorical), training config, best C, the data's SHA-256 and the
        library versions.
    """
    import skops.io

    payload = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "pipeline": model.pipeline,
        "classes": list(model.classes),
        "numeric_columns": list(model.numeric_columns),
        "categorical_columns": list(model.categorical_columns),
        "config": _plain(dict(model.settings)),
        "best_C": float(model.best_C),
        "data_sha256": str(model.data_sha256 or ""),
        "column_types": dict(model.column_types),
        "versions": library_versions(),
    }
    return skops.io.dumps(payload, compression=zipfile.ZIP_DEFLATED)


def _refuse(message: str, hint: str) -> SoftmaxLabError:
    return SoftmaxLabError(message, where="model file", hint=hint)


_NOT_OURS_HINT = "Upload a .skops file downloaded from Softmax Lab's Train page."


def check_model_archive(raw: bytes, *, limits: Limits = LIMITS) -> None:
    """Check an uploaded model file's bytes before anything in it is loaded.

    Refuses, each with its own message: a file that is not a zip archive (a pickle among
    them: nothing is unpickled), a zip archive without skops' ``schema.json``, an archive
    with too many members or too many unpacked bytes (read from the zip directory, nothing
    is unpacked), and a damaged archive.

    Parameters
    ----------
    raw : bytes
        The file's bytes.
    limits : Limits, optional
        ``max_model_members`` and ``max_model_bytes`` apply.

    Raises
    ------
    SoftmaxLabError
        When the file must not be loaded.

    Examples
    --------
    >>> import pickle
    >>> check_model_archive(pickle.dumps({"a": 1}))
    Traceback (most recent call last):
    ...
    dashboard.errors.SoftmaxLabError: This file is not a skops model file: it looks like a Python pickle, which Softmax Lab never opens because it could run code (model file). Upload a .skops file downloaded from Softmax Lab's Train page.
    """
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise TypeError("check_model_archive expects bytes")
    raw = bytes(raw)
    if len(raw) == 0:
        raise _refuse("The model file is empty", _NOT_OURS_HINT)
    if len(raw) > limits.max_model_bytes:
        raise _refuse(
            f"The model file is too large ({len(raw):,} bytes; the limit is "
            f"{limits.max_model_bytes:,})",
            _NOT_OURS_HINT,
        )
    if not raw.startswith(_ZIP_MAGIC):
        if raw[:1] == b"\x80" or raw[:1] in (b"(", b"]", b"}", b"c"):
            # Pickle protocol 2+ starts with 0x80; protocol 0/1 streams with an opcode such as ( ] } c.
            raise _refuse(
                "This file is not a skops model file: it looks like a Python pickle, which "
                "Softmax Lab never opens because it could run code",
                _NOT_OURS_HINT,
            )
        raise _refuse(
            "This file is not a skops model file (it is not a zip archive)", _NOT_OURS_HINT
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            if len(members) > limits.max_model_members:
                raise _refuse(
                    f"The model file holds too many parts ({len(members):,}; the limit is "
                    f"{limits.max_model_members:,}), so it was not opened",
                    _NOT_OURS_HINT,
                )
            unpacked = sum(member.file_size for member in members)
            if unpacked > limits.max_model_bytes:
                raise _refuse(
                    f"The model file would unpack to {unpacked:,} bytes (the limit is "
                    f"{limits.max_model_bytes:,}), so it was not opened",
                    _NOT_OURS_HINT,
                )
            names = {member.filename for member in members}
            if _SKOPS_SCHEMA not in names:
                raise _refuse(
                    "This zip archive is not a skops model file (it has no schema.json)",
                    _NOT_OURS_HINT,
                )
            if any(m.flag_bits & 0x1 for m in members):
                raise _refuse("The model file is encrypted", _NOT_OURS_HINT)
            try:
                schema = json.loads(archive.read(_SKOPS_SCHEMA))
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                raise _refuse(
                    "The model file is damaged: its schema.json is not valid JSON", _NOT_OURS_HINT
                ) from exc
    except zipfile.BadZipFile as exc:
        raise _refuse(
            "The model file is damaged (not a readable zip archive)", _NOT_OURS_HINT
        ) from exc
    if not isinstance(schema, dict) or "protocol" not in schema or "__class__" not in schema:
        raise _refuse("This zip archive is not a skops model file (unknown schema)", _NOT_OURS_HINT)


def load_model(raw: bytes, *, limits: Limits = LIMITS) -> SavedModel:
    """Read a ``.skops`` model file back, refusing anything that is not ours.

    In order: the bytes must be a zip archive with skops' schema (a pickle is refused
    before anything is unpickled); the archive's member count and unpacked size are
    capped before loading; every type in it outside skops' default trust must be in
    :data:`ALLOWED_UNTRUSTED_TYPES` (users never choose trusted types); what loads must be
    a Softmax Lab model: a Pipeline of a ColumnTransformer and a LogisticRegression whose
    classes and columns match the stored ones.

    Parameters
    ----------
    raw : bytes
        The file's bytes.
    limits : Limits, optional
        Size limits.

    Returns
    -------
    SavedModel
        The model, ready for :func:`predict_table`.

    Raises
    ------
    SoftmaxLabError
        With a message saying which check failed.
    """
    import skops.io

    check_model_archive(raw, limits=limits)
    raw = bytes(raw)
    try:
        untrusted = skops.io.get_untrusted_types(data=raw)
    except Exception as exc:  # any failure here means a malformed archive
        raise _refuse(
            "The model file is damaged: its contents could not be read", _NOT_OURS_HINT
        ) from exc
    refused = sorted(set(untrusted) - ALLOWED_UNTRUSTED_TYPES)
    if refused:
        shown = ", ".join(refused[:5]) + (" ..." if len(refused) > 5 else "")
        raise _refuse(
            f"The model file contains types Softmax Lab does not trust ({shown}), so it was "
            "not opened",
            _NOT_OURS_HINT,
        )
    try:
        payload = skops.io.loads(raw, trusted=sorted(ALLOWED_UNTRUSTED_TYPES & set(untrusted)))
    except Exception as exc:
        raise _refuse(
            "The model file is damaged or was written by an incompatible version: it could "
            "not be loaded",
            _NOT_OURS_HINT,
        ) from exc
    return _check_payload(payload)


def _check_preprocessing(preprocess: Any, numeric: list[str], categorical: list[str]) -> None:
    """The preprocessing must be ours: imputation + scaling, imputation + one-hot, nothing else."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    expected = {
        "numeric": ((SimpleImputer, StandardScaler), numeric),
        "categorical": ((SimpleImputer, OneHotEncoder), categorical),
    }
    fitted = getattr(preprocess, "transformers_", None)
    if not isinstance(fitted, list):
        raise _refuse("The model file's preprocessing is not fitted", _NOT_OURS_HINT)
    seen = set()
    for entry in fitted:
        name, transformer, columns = entry
        if name == "remainder" and transformer == "drop":
            continue
        kinds = expected.get(name)
        if (
            kinds is None
            or not isinstance(transformer, Pipeline)
            or len(transformer.steps) != len(kinds[0])
            or not all(
                isinstance(step, kind)
                for (_, step), kind in zip(transformer.steps, kinds[0], strict=True)
            )
            or [str(c) for c in columns] != list(kinds[1])
        ):
            raise _refuse(
                "The model file's preprocessing is not Softmax Lab's (imputation and scaling "
                "of numbers, imputation and one-hot encoding of categories)",
                _NOT_OURS_HINT,
            )
        seen.add(name)
    if seen != {name for name, (_, columns) in expected.items() if columns}:
        raise _refuse("The model file's preprocessing does not cover its columns", _NOT_OURS_HINT)


def _check_predicts(pipeline: Any, numeric: list[str], categorical: list[str], n: int) -> None:
    """A dry run on one empty row: a damaged model fails here, not on the user's data."""
    row = pd.DataFrame(
        {
            **{name: pd.Series([np.nan], dtype=float) for name in numeric},
            **{name: pd.Series([None], dtype=object) for name in categorical},
        }
    )[[str(c) for c in pipeline.feature_names_in_]]
    try:
        proba = np.asarray(pipeline.predict_proba(row), dtype=float)
    except Exception as exc:  # any failure means the fitted parts do not fit together
        raise _refuse(
            "The model file is damaged: its model cannot make a prediction", _NOT_OURS_HINT
        ) from exc
    if proba.shape != (1, n) or not np.all(np.isfinite(proba)) or abs(proba.sum() - 1) > 1e-6:
        raise _refuse(
            "The model file is damaged: its predictions are not probabilities", _NOT_OURS_HINT
        )


def _check_payload(payload: Any) -> SavedModel:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise _refuse(
            "This skops file was not written by Softmax Lab (it holds no Softmax Lab model)",
            _NOT_OURS_HINT,
        )
    if payload.get("format_version") != MODEL_FORMAT_VERSION:
        raise _refuse(
            f"This model file has format version {payload.get('format_version')!r}; this "
            f"Softmax Lab reads version {MODEL_FORMAT_VERSION}",
            "Train the model again and download a new file.",
        )
    pipeline = payload.get("pipeline")
    steps = getattr(pipeline, "steps", None)
    if (
        not isinstance(pipeline, Pipeline)
        or not isinstance(steps, list)
        or len(steps) != 2
        or not isinstance(steps[0][1], ColumnTransformer)
        or not isinstance(steps[-1][1], LogisticRegression)
    ):
        raise _refuse(
            "The model file does not hold a Softmax Lab pipeline (preprocessing followed by "
            "a logistic regression)",
            _NOT_OURS_HINT,
        )
    classes = payload.get("classes")
    numeric = payload.get("numeric_columns")
    categorical = payload.get("categorical_columns")
    config = payload.get("config")
    if (
        not isinstance(classes, list)
        or not all(isinstance(c, str) for c in classes)
        or not isinstance(numeric, list)
        or not isinstance(categorical, list)
        or not all(isinstance(c, str) for c in numeric + categorical)
        or not isinstance(config, dict)
    ):
        raise _refuse(
            "The model file's description (classes, columns, config) is damaged", _NOT_OURS_HINT
        )
    fitted_classes = getattr(steps[-1][1], "classes_", None)
    if fitted_classes is None or [str(c) for c in fitted_classes] != classes:
        raise _refuse("The model file's classes do not match its fitted model", _NOT_OURS_HINT)
    fitted_columns = getattr(pipeline, "feature_names_in_", None)
    if fitted_columns is None or sorted(str(c) for c in fitted_columns) != sorted(
        numeric + categorical
    ):
        raise _refuse(
            "The model file's feature columns do not match its fitted model", _NOT_OURS_HINT
        )
    _check_preprocessing(steps[0][1], numeric, categorical)
    _check_predicts(pipeline, numeric, categorical, len(classes))
    best_c = payload.get("best_C")
    versions = payload.get("versions")
    column_types = payload.get("column_types")
    if not isinstance(column_types, dict) or not all(
        isinstance(k, str) and v in ("number", "boolean", "text", "date")
        for k, v in column_types.items()
    ):
        column_types = {}
    return SavedModel(
        pipeline=pipeline,
        classes=tuple(classes),
        numeric_columns=tuple(numeric),
        categorical_columns=tuple(categorical),
        config=config,
        best_C=float(best_c) if isinstance(best_c, (int, float)) else float("nan"),
        data_sha256=str(payload.get("data_sha256") or ""),
        versions=dict(versions) if isinstance(versions, dict) else {},
        column_types=column_types,
    )
