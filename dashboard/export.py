"""What a user takes away: formula-safe CSV, skops model files, predictions, the script and the report."""

from __future__ import annotations

import csv
import dataclasses
import functools
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS, Limits

__all__ = [
    "ALLOWED_UNTRUSTED_TYPES",
    "MODEL_FILE_NAME",
    "PREDICTIONS_CSV_NAME",
    "REPORT_FILE_NAME",
    "SCRIPT_FILE_NAME",
    "SavedModel",
    "check_model_archive",
    "feature_frame",
    "html_report",
    "library_versions",
    "load_model",
    "neutralise_cell",
    "predict_table",
    "prediction_columns",
    "prediction_records",
    "reproducible_script",
    "safe_csv_bytes",
    "save_model",
    "train_summary",
    "unseen_categories",
]

# Fixed download names: never built from a user's file or column names.
PREDICTIONS_CSV_NAME = "softmax-lab-predictions.csv"
CV_RESULTS_CSV_NAME = "softmax-lab-cv-results.csv"
PER_CLASS_CSV_NAME = "softmax-lab-per-class.csv"
PROFILE_CSV_NAME = "softmax-lab-profile.csv"
MODEL_FILE_NAME = "softmax-lab-model.skops"
SCRIPT_FILE_NAME = "softmax-lab-run.py"
REPORT_FILE_NAME = "softmax-lab-report.html"

CSV_MIME = "text/csv"
MODEL_MIME = "application/octet-stream"
SCRIPT_MIME = "text/x-python"
REPORT_MIME = "text/html"

# OWASP CSV injection: a spreadsheet treats a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

MODEL_FORMAT = "softmax-lab-model"
MODEL_FORMAT_VERSION = 1

# The only types outside skops' default trust that our own pipeline puts in a model file
# (SimpleImputer keeps the dtype it was fitted on). Anything else in an uploaded file is refused.
ALLOWED_UNTRUSTED_TYPES = frozenset({"numpy.dtype"})

_ZIP_MAGIC = b"PK\x03\x04"
_SKOPS_SCHEMA = "schema.json"


# --------------------------------------------------------------------------- formula-safe CSV


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def neutralise_cell(value: Any) -> Any:
    """Make one text cell harmless for a spreadsheet.

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote, so a spreadsheet shows it as text instead of running it.

    Parameters
    ----------
    value : object
        A cell of a text column.

    Returns
    -------
    object
        The cell, with a leading ``'`` when it would start a formula; numbers, booleans and
        missing values are returned unchanged.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell("-1")
    "'-1"
    >>> neutralise_cell(-1.5)
    -1.5
    >>> neutralise_cell("setosa")
    'setosa'
    """
    if value is None or _is_number(value) or isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, float) and np.isnan(value):
        return value
    try:
        if pd.isna(value):
            return value
    except (TypeError, ValueError):
        pass
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _is_numeric_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)


def safe_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Write a table as a CSV that is safe to open in a spreadsheet.

    Every CSV the product offers goes through this one function. Text cells (and column
    names) that would start a formula are prefixed with a single quote (OWASP's advice on
    CSV injection); numeric and boolean columns are written as plain numbers, so a negative
    number stays a number. Text is quoted, numbers are not; the encoding is UTF-8; the index
    is not written.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write.

    Returns
    -------
    bytes
        The CSV, UTF-8 encoded.

    Examples
    --------
    >>> table = pd.DataFrame({"name": ["=1+2", "ok"], "value": [-1.5, 2.0]})
    >>> print(safe_csv_bytes(table).decode())
    "name","value"
    "'=1+2",-1.5
    "ok",2.0
    <BLANKLINE>
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("safe_csv_bytes expects a pandas DataFrame")
    safe = {}
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if _is_numeric_column(column):
            safe[position] = column.reset_index(drop=True)
        elif pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
            # Vectorised for text columns (every value is a str or missing).
            text = column.reset_index(drop=True)
            risky = text.str.startswith(FORMULA_TRIGGERS).fillna(False).astype(bool)
            safe[position] = text.where(~risky, "'" + text).astype(object)
        else:
            values = [neutralise_cell(value) for value in column.astype(object).tolist()]
            safe[position] = pd.Series(values, dtype=object)
    out = pd.DataFrame(safe)
    out.columns = [neutralise_cell(str(name)) for name in frame.columns]
    text = out.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    return text.encode("utf-8")


# --------------------------------------------------------------------------- skops model files


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
        How each feature column was typed in training: "number", "boolean" or "text".
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

    @property
    def feature_columns(self) -> tuple[str, ...]:
        """Every column the model reads, numeric ones first."""
        return self.numeric_columns + self.categorical_columns

    @property
    def target(self) -> str:
        """The name of the column the model predicts."""
        return str(self.config.get("target", ""))


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


def _model_parts(model: Any) -> dict:
    """The fields a TrainedModel or SavedModel share, as one dict."""
    if isinstance(model, SavedModel):
        return {
            "pipeline": model.pipeline,
            "classes": tuple(model.classes),
            "numeric_columns": tuple(model.numeric_columns),
            "categorical_columns": tuple(model.categorical_columns),
            "config": dict(model.config),
            "best_C": float(model.best_C),
            "data_sha256": model.data_sha256,
            "column_types": dict(model.column_types),
        }
    config = model.config
    x_test = getattr(model, "X_test", None)
    column_types = {}
    if isinstance(x_test, pd.DataFrame):
        column_types = {str(name): _column_type(x_test[name]) for name in x_test.columns}
    config_dict = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)
    return {
        "pipeline": model.pipeline,
        "classes": tuple(str(c) for c in model.classes),
        "numeric_columns": tuple(model.numeric_columns),
        "categorical_columns": tuple(model.categorical_columns),
        "config": _plain(config_dict),
        "best_C": float(model.best_C),
        "data_sha256": str(getattr(model, "data_sha256", "") or ""),
        "column_types": column_types,
    }


def save_model(model: Any) -> bytes:
    """Write a trained model as a skops archive (no pickle).

    Parameters
    ----------
    model : TrainedModel or SavedModel
        The model to save.

    Returns
    -------
    bytes
        The ``.skops`` file: the fitted pipeline with its class names, feature columns
        (numeric and categorical), training config, best C, the data's SHA-256 and the
        library versions.
    """
    import skops.io

    parts = _model_parts(model)
    payload = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "pipeline": parts["pipeline"],
        "classes": list(parts["classes"]),
        "numeric_columns": list(parts["numeric_columns"]),
        "categorical_columns": list(parts["categorical_columns"]),
        "config": _plain(parts["config"]),
        "best_C": parts["best_C"],
        "data_sha256": parts["data_sha256"],
        "column_types": dict(parts["column_types"]),
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


# --------------------------------------------------------------------------- predictions

PREDICTED_COLUMN = "predicted_class"
PROBABILITY_PREFIX = "probability_"


def _output_name(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_model"
    taken.add(name)
    return name


def prediction_columns(classes: tuple[str, ...], input_columns) -> tuple[str, list[str]]:
    """Names of the predicted-class column and of one probability column per class.

    Parameters
    ----------
    classes : tuple of str
        The model's classes.
    input_columns : iterable of str
        The input's column names; an output name that clashes with one gets ``_model`` added.

    Returns
    -------
    tuple
        ``(predicted_column, [probability_column, ...])``.

    Examples
    --------
    >>> prediction_columns(("a", "b"), ["x", "probability_a"])
    ('predicted_class', ['probability_a_model', 'probability_b'])
    """
    taken = {str(c) for c in input_columns}
    predicted = _output_name(PREDICTED_COLUMN, taken)
    return predicted, [_output_name(PROBABILITY_PREFIX + str(c), taken) for c in classes]


def feature_frame(model: Any, table: pd.DataFrame) -> pd.DataFrame:
    """The columns a model reads, taken from a new table by name and checked.

    Extra columns are ignored; missing ones are named in the error; a numeric column whose
    values are not numbers is reported with an example value and its row.

    Parameters
    ----------
    model : TrainedModel or SavedModel
    table : pandas.DataFrame
        New rows, e.g. from :func:`dashboard.data.load_csv`.

    Returns
    -------
    pandas.DataFrame
        The feature columns, typed as the pipeline expects.

    Raises
    ------
    SoftmaxLabError
        For missing columns, bad types or an empty table.
    """
    parts = _model_parts(model)
    numeric = list(parts["numeric_columns"])
    categorical = list(parts["categorical_columns"])
    columns = [str(c) for c in table.columns]
    missing = [c for c in numeric + categorical if c not in columns]
    if missing:
        shown = ", ".join(f"'{c}'" for c in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise SoftmaxLabError(
            f"The file lacks {len(missing)} column(s) the model needs: {shown}",
            where="columns",
            hint="Add them with the same names as in the training file (extra columns are fine).",
        )
    if len(table) == 0:
        raise SoftmaxLabError(
            "The file has no rows to predict", hint="Upload a file with data rows."
        )
    table = table.copy()
    table.columns = columns
    types = parts["column_types"]
    out = {}
    bad = []
    for name in numeric:
        column = table[name]
        if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
            out[name] = column.astype(float)
            continue
        values = column.astype(object)
        text = values.astype(str).str.strip()
        present = values.notna() & (text != "")
        if types.get(name) == "boolean":
            lower = text.str.lower()
            converted = pd.Series(np.nan, index=values.index, dtype=float)
            converted[present & lower.isin(_TRUE_WORDS)] = 1.0
            converted[present & lower.isin(_FALSE_WORDS)] = 0.0
            wanted = "yes/no values"
        else:
            converted = pd.to_numeric(values.where(present), errors="coerce").astype(float)
            wanted = "numbers"
        wrong = present & converted.isna()
        if wrong.any():
            position = int(np.flatnonzero(wrong.to_numpy())[0])
            bad.append(
                f"'{name}' should hold {wanted} (data row {position + 1}: "
                f"{str(values.iloc[position])[:40]!r})"
            )
        out[name] = converted
    if bad:
        raise SoftmaxLabError(
            "Some columns hold values of the wrong type: " + "; ".join(bad[:10]),
            where="columns",
            hint="Fix or clear those cells; missing values are filled in as during training.",
        )
    numeric_categories = _numeric_category_columns(parts["pipeline"], categorical)
    for name in categorical:
        column = table[name].astype(object)
        if name in numeric_categories:
            # The model learnt these categories as numbers; text would never match them.
            out[name] = pd.to_numeric(column, errors="coerce")
        else:
            out[name] = column.map(_category_text, na_action="ignore").astype(object)
    return pd.DataFrame(out, index=table.index)[list(parts["pipeline"].feature_names_in_)]


_TRUE_WORDS = frozenset({"true", "yes", "y", "t", "1", "1.0"})
_FALSE_WORDS = frozenset({"false", "no", "n", "f", "0", "0.0"})


def _category_text(value: Any) -> str:
    """A category as text; a whole number read as 2.0 is the category "2"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def unseen_categories(model: Any, table: pd.DataFrame) -> dict[str, list[str]]:
    """Category values of a new table that the model never saw in training.

    The model still predicts those rows (a value it never saw adds nothing to any class);
    this tells the user which values they were.

    Parameters
    ----------
    model : TrainedModel or SavedModel
    table : pandas.DataFrame

    Returns
    -------
    dict
        Column -> sorted unseen values (at most 20 a column); columns without any are left out.
    """
    parts = _model_parts(model)
    categorical = list(parts["categorical_columns"])
    if not categorical:
        return {}
    known = _known_categories(parts["pipeline"], categorical)
    frame = feature_frame(model, table)
    unseen = {}
    for name in categorical:
        values = {str(v) for v in frame[name].dropna().unique()}
        extra = sorted(values - known.get(name, set()))
        if extra:
            unseen[name] = extra[:20]
    return unseen


def _numeric_category_columns(pipeline: Any, categorical: list[str]) -> set[str]:
    from sklearn.preprocessing import OneHotEncoder

    found = set()
    for _, transformer, columns in pipeline.steps[0][1].transformers_:
        steps = transformer.steps if hasattr(transformer, "steps") else [("", transformer)]
        for _, step in steps:
            if isinstance(step, OneHotEncoder):
                for name, cats in zip(columns, step.categories_, strict=True):
                    if name in categorical and np.asarray(cats).dtype.kind in "iufb":
                        found.add(name)
    return found


def _known_categories(pipeline: Any, categorical: list[str]) -> dict[str, set[str]]:
    from sklearn.preprocessing import OneHotEncoder

    preprocess = pipeline.steps[0][1]
    for _, transformer, columns in preprocess.transformers_:
        encoder = transformer
        if hasattr(transformer, "steps"):
            encoders = [step for _, step in transformer.steps if isinstance(step, OneHotEncoder)]
            encoder = encoders[0] if encoders else None
        if isinstance(encoder, OneHotEncoder) and list(columns) == categorical:
            return {
                name: {str(v) for v in cats}
                for name, cats in zip(categorical, encoder.categories_, strict=True)
            }
    return {}


def predict_table(model: Any, table: pd.DataFrame) -> pd.DataFrame:
    """Predict every row of a new table.

    Parameters
    ----------
    model : TrainedModel or SavedModel
        A model trained in this session or read back with :func:`load_model`.
    table : pandas.DataFrame
        New rows. Columns are matched by name; extra ones are ignored and kept in the output.

    Returns
    -------
    pandas.DataFrame
        The input's columns, then ``predicted_class`` and one ``probability_<class>`` column
        per class (in the model's class order).

    Raises
    ------
    SoftmaxLabError
        When a needed column is missing (named), holds the wrong type (named, with a row),
        or the table is empty.
    """
    parts = _model_parts(model)
    features = feature_frame(model, table)
    pipeline = parts["pipeline"]
    proba = pipeline.predict_proba(features)
    fitted = [str(c) for c in pipeline.classes_]
    order = [fitted.index(c) for c in parts["classes"]]
    proba = proba[:, order]
    classes = list(parts["classes"])
    predicted_name, probability_names = prediction_columns(parts["classes"], table.columns)
    result = table.copy()
    result[predicted_name] = pd.Series(
        [classes[i] for i in proba.argmax(axis=1)], index=table.index, dtype=object
    )
    for j, name in enumerate(probability_names):
        result[name] = proba[:, j]
    return result


def prediction_records(model: Any, predictions: pd.DataFrame) -> list[dict]:
    """Predictions as JSON-able records: predicted class and every class's probability.

    Parameters
    ----------
    model : TrainedModel or SavedModel
    predictions : pandas.DataFrame
        The output of :func:`predict_table`.

    Returns
    -------
    list of dict
        ``{"predicted_class": str, "probabilities": {class: float}}`` per row.
    """
    classes = _model_parts(model)["classes"]
    # predict_table puts the predicted class and the probabilities last, in class order.
    predicted_name = predictions.columns[-1 - len(classes)]
    proba = predictions.iloc[:, -len(classes) :].to_numpy(dtype=float)
    return [
        {
            "predicted_class": str(label),
            "probabilities": {c: float(p) for c, p in zip(classes, row, strict=True)},
        }
        for label, row in zip(predictions[predicted_name].tolist(), proba, strict=True)
    ]


# --------------------------------------------------------------------------- training summary


def train_summary(model: Any) -> dict:
    """The JSON of ``python -m dashboard train`` (also what the exported script prints).

    Parameters
    ----------
    model : TrainedModel

    Returns
    -------
    dict
        ``classes``, ``best_C``, ``cv`` (``C``, ``mean_accuracy``, ``std_accuracy`` per C),
        ``test`` (``accuracy``, ``precision_macro``, ``recall_macro``, ``f1_macro``,
        ``log_loss``, ``confusion_matrix``), ``n_train``, ``n_test``, ``seconds``.
    """
    evaluation = model.evaluation
    summary = model.cv_summary
    return {
        "classes": [str(c) for c in model.classes],
        "best_C": float(model.best_C),
        "cv": [
            {
                "C": float(row["C"]),
                "mean_accuracy": float(row["mean_accuracy"]),
                "std_accuracy": float(row["std_accuracy"]),
            }
            for row in summary.to_dict("records")
        ],
        "test": {
            "accuracy": float(evaluation.accuracy),
            "precision_macro": float(evaluation.precision_macro),
            "recall_macro": float(evaluation.recall_macro),
            "f1_macro": float(evaluation.f1_macro),
            "log_loss": float(evaluation.log_loss),
            "confusion_matrix": [[int(v) for v in row] for row in evaluation.confusion_matrix],
        },
        "n_train": int(model.n_train),
        "n_test": int(model.n_test),
        "seconds": float(model.seconds),
    }


# --------------------------------------------------------------------------- HTML report

_REPORT_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.figure { margin: 1rem 0 2rem; } .note { color: #555; }
"""

# The report needs nothing from outside the file: the policy makes the browser refuse to fetch.
_REPORT_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; worker-src blob:"
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, (int, np.integer)):
        return f'<td class="num">{int(value):,}</td>'
    if isinstance(value, (float, np.floating)):
        number = float(value)
        text = f"{number:.4g}" if np.isfinite(number) else "-"
        return f'<td class="num">{_e(text)}</td>'
    if value is None:
        return "<td></td>"
    return f"<td>{_e(value)}</td>"


def _html_table(rows: list[dict] | pd.DataFrame, *, columns: list[str] | None = None) -> str:
    if isinstance(rows, pd.DataFrame):
        records = rows.to_dict("records")
        columns = columns or [str(c) for c in rows.columns]
    else:
        records = rows
        columns = columns or (list(records[0].keys()) if records else [])
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(record.get(c)) for c in columns) + "</tr>" for record in records
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _key_values(pairs: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th>{_cell(v)}</tr>" for k, v in pairs)
    return f"<table><tbody>{body}</tbody></table>"


def _report_figures(model: Any) -> tuple[list[tuple[str, Any]], list[str]]:
    """Every chart of the Evaluate page, built by :mod:`dashboard.figures`; and notes on any
    chart these data cannot have."""
    from dashboard import evaluation, figures

    classes = [str(c) for c in model.classes]
    cm = np.asarray(model.evaluation.confusion_matrix)
    y_test = np.asarray(model.y_test)
    proba = np.asarray(model.test_proba)
    charts: list[tuple[str, Any]] = []
    skipped: list[str] = []

    def add(title: str, build) -> None:
        try:
            charts.append((title, build()))
        except SoftmaxLabError as exc:  # a chart these data cannot have: say so, keep the rest
            skipped.append(f"{title}: {exc}")

    def cv_figure():
        one_se = evaluation.one_standard_error_C(model.cv_results, best_C=model.best_C)
        return figures.cv_scores_figure(
            model.cv_results, model.cv_summary, model.best_C, one_se_C=one_se.chosen_C
        )

    add("Cross-validated accuracy against C", cv_figure)
    add(
        "Confusion matrix on the held-out rows (counts)",
        lambda: figures.confusion_matrix_figure(cm, classes),
    )
    add(
        "Confusion matrix, share of each true class",
        lambda: figures.confusion_matrix_figure(cm, classes, normalize="true"),
    )
    path = getattr(model, "coef_path", None) or {}
    if path.get("coef") is not None and len(path.get("C", ())):
        coef_classes = [str(c) for c in path.get("coef_classes") or classes]
        for name in coef_classes[:10]:
            add(
                f"Weights against C for class {name}",
                lambda name=name: figures.coefficient_paths_figure(
                    path["C"],
                    path["coef"],
                    path.get("feature_names") or [],
                    classes,
                    class_name=name,
                    best_C=model.best_C,
                ),
            )
    add(
        "ROC curves (one class against the rest)",
        lambda: figures.roc_curves_figure(evaluation.roc_curves(y_test, proba, classes)),
    )
    add(
        "Precision-recall curves",
        lambda: figures.precision_recall_figure(
            evaluation.precision_recall_curves(y_test, proba, classes)
        ),
    )

    @functools.cache
    def held_out_calibration():  # both calibration charts read the same bins
        return evaluation.calibration(y_test, proba, classes)

    add(
        "Calibration: accuracy against confidence",
        lambda: figures.calibration_figure(held_out_calibration()),
    )
    add(
        "How confident the model is on held-out rows",
        lambda: figures.confidence_histogram_figure(held_out_calibration()),
    )
    for i in range(min(3, len(proba))):
        add(
            f"Class probabilities of held-out row {i + 1} (true class: {y_test[i]})",
            lambda i=i: figures.probability_bars_figure(
                proba[i], classes, true_label=str(y_test[i])
            ),
        )
    return charts, skipped


def _data_section(loaded: Any, model: Any) -> str:
    parts = []
    if loaded is None:
        loaded = {}
    if isinstance(loaded, dict):
        pairs = [
            (str(k), v if not isinstance(v, (list, tuple, dict)) else json.dumps(v))
            for k, v in loaded.items()
        ]
        if not any(k.lower() in ("sha256", "data_sha256") for k, _ in pairs):
            pairs.append(("SHA-256 of the file", getattr(model, "data_sha256", "") or "unknown"))
        parts.append(_key_values(pairs))
        return "".join(parts)
    table = loaded.table
    sha = getattr(loaded, "sha256", "") or getattr(model, "data_sha256", "")
    parts.append(
        _key_values(
            [
                ("file", getattr(loaded, "name", "")),
                ("rows", int(table.shape[0])),
                ("columns", int(table.shape[1])),
                ("SHA-256 of the file", sha or "unknown"),
            ]
        )
    )
    report = getattr(loaded, "report", None)
    if report is not None and hasattr(report, "sentences"):
        sentences = report.sentences()
        if sentences:
            parts.append("<ul>" + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>")
    try:
        from dashboard.profile import profile

        records = profile(table).as_records()
    except SoftmaxLabError:
        records = []
    if records:
        shown = {
            "name": "column",
            "kind": "kind",
            "missing": "missing",
            "unique": "distinct values",
            "can_be_feature": "usable as a feature",
            "feature_reason": "why not",
        }
        rows = [{label: r.get(key) for key, label in shown.items()} for r in records]
        parts.append(_html_table(rows, columns=list(shown.values())))
    return "".join(parts)


def html_report(model: Any, loaded: Any = None) -> str:
    """A self-contained HTML report of one training run.

    It opens offline: Plotly's JavaScript is inlined once, and a content-security policy
    forbids any outside request. It holds the data summary, the configuration, every chart,
    the metrics, the library versions and the data's SHA-256. Every piece of user text
    (file, column and class names, notes) is HTML-escaped.

    Parameters
    ----------
    model : TrainedModel
        The trained model.
    loaded : LoadedTable or dict, optional
        The loaded table (name, rows, load report, SHA-256; its columns are profiled), or a
        plain summary dict shown as it is.

    Returns
    -------
    str
        The HTML document.
    """
    import plotly.io as pio

    config = model.config
    config_pairs = [
        ("target", config.target),
        ("features", ", ".join(config.features)),
        (
            "numeric columns (imputed with the median, standardised)",
            ", ".join(model.numeric_columns),
        ),
        (
            "categorical columns (imputed with the most frequent value, one-hot)",
            ", ".join(model.categorical_columns),
        ),
        ("C values tried", ", ".join(f"{c:g}" for c in config.c_grid)),
        (
            "cross-validation",
            f"{config.cv_folds} stratified folds, shuffled with seed {config.seed}",
        ),
        ("held-out share", config.test_size),
        ("seed", config.seed),
        ("class weights", config.class_weight or "none"),
        ("max iterations (lbfgs)", config.max_iter),
    ]
    excluded = list(getattr(model, "excluded_columns", ()) or ())
    notes = list(getattr(model, "notes", ()) or ())
    if getattr(model, "rows_dropped", 0):
        notes.append(f"{model.rows_dropped} row(s) without a target value were left out.")
    if getattr(model, "classes_dropped", ()):
        notes.append(
            "Classes left out (too few rows): " + ", ".join(map(str, model.classes_dropped))
        )

    summary = train_summary(model)
    metrics = [(k, v) for k, v in summary["test"].items() if k != "confusion_matrix"]
    per_class = getattr(model.evaluation, "per_class", None)

    charts, skipped = _report_figures(model)
    notes += [f"Chart left out: {text}" for text in skipped]
    figure_html = []
    for i, (title, figure) in enumerate(charts):
        div = pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=(i == 0),
            config={"displaylogo": False, "responsive": True},
            div_id=f"figure-{i}",
        )
        figure_html.append(f'<div class="figure"><h3>{_e(title)}</h3>{div}</div>')

    generated = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC")
    body = [
        "<h1>Softmax Lab report</h1>",
        f'<p class="note">Generated {_e(generated)}. A softmax (multinomial logistic regression) '
        "classifier, tuned over C by stratified cross-validation, scored on held-out rows.</p>",
        "<h2>Data</h2>",
        _data_section(loaded, model),
        "<h2>Configuration</h2>",
        _key_values(config_pairs),
    ]
    if excluded:
        body += [
            "<h3>Columns left out</h3>",
            _html_table([{"column": c, "reason": r} for c, r in excluded]),
        ]
    if notes:
        body += ["<h3>Notes</h3>", "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"]
    body += [
        "<h2>Results</h2>",
        _key_values(
            [
                ("classes", ", ".join(summary["classes"])),
                ("best C", summary["best_C"]),
                ("training rows", summary["n_train"]),
                ("held-out rows", summary["n_test"]),
                ("training time (s)", summary["seconds"]),
            ]
        ),
        "<h3>Held-out metrics</h3>",
        _key_values(metrics),
    ]
    if isinstance(per_class, pd.DataFrame) and len(per_class):
        body += ["<h3>Per class (held-out rows)</h3>", _html_table(per_class)]
    body += [
        "<h3>Cross-validation: mean and spread over folds, per C</h3>",
        _html_table(model.cv_summary),
        "<h2>Charts</h2>",
        *figure_html,
        "<h2>Library versions</h2>",
        _key_values(list(library_versions().items())),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_REPORT_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Softmax Lab report</title>\n"
        f"<style>{_REPORT_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- reproducible script

_SCRIPT_TEMPLATE = r'''#!/usr/bin/env python3
"""Reproduce a Softmax Lab training run with pandas and scikit-learn only.

Usage:  python THIS_SCRIPT.py path/to/the/same/data.csv

It reads the CSV the way Softmax Lab read it (encoding, separator, decimal mark, header line),
types and cleans the columns the model uses the same way, makes the same held-out split and
cross-validation folds, tries the same values of C with scikit-learn's GridSearchCV on the same
pipeline, refits the best one and scores it on the held-out rows. It prints JSON with the keys
of `python -m dashboard train`: classes, best_C, cv, test, n_train, n_test, seconds.
Softmax Lab searches C with warm starts, so its CV means may differ from these in the fourth
decimal; the best C and the held-out scores are the same.
"""

import csv
import hashlib
import io
import json
import re
import sys
import time
import unicodedata
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    log_loss,
    precision_recall_fscore_support,
)
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
__IMPORTS__

# ----------------------------------------------------------------------------- the run's settings
# (every text below is a Python literal, exactly as Softmax Lab saw it)

DATA_SHA256 = __DATA_SHA256__
ENCODING = __ENCODING__
DELIMITER = __DELIMITER__
DECIMAL = __DECIMAL__
HEADER_ROW = __HEADER_ROW__  # 0-based line of the column names; None = the file has no header
TITLE_LINES = __TITLE_LINES__  # lines above the table that were skipped
N_COLUMNS = __N_COLUMNS__  # columns of the parsed file, before empty trailing ones were dropped
SKIP_BAD_LINES = __SKIP_BAD_LINES__  # lines with too many values were skipped

TARGET = __TARGET__
NUMERIC_COLUMNS = __NUMERIC__
CATEGORICAL_COLUMNS = __CATEGORICAL__
COLUMN_TYPES = __COLUMN_TYPES__  # how Softmax Lab typed each feature column
TARGET_TYPE = __TARGET_TYPE__  # how Softmax Lab typed the target ("guess" = not recorded)
CLASSES = __CLASSES__
CLASSES_DROPPED = __CLASSES_DROPPED__  # classes left out as too small
C_GRID = __C_GRID__
CV_FOLDS = __CV_FOLDS__
TEST_SIZE = __TEST_SIZE__
SEED = __SEED__


def build_pipeline():
    """The pipeline Softmax Lab fitted (C is set by the search)."""
    return __PIPELINE__


# ----------------------------------------------------------------------------- reading the file

MISSING_TOKENS = frozenset(__MISSING_TOKENS__)
TRUE = frozenset({"true", "yes", "y", "t"})
FALSE = frozenset({"false", "no", "n", "f"})
BOOLEAN_PAIRS = (
    frozenset({"true", "false"}),
    frozenset({"yes", "no"}),
    frozenset({"y", "n"}),
    frozenset({"t", "f"}),
)
CURRENCY = "$\u20ac\u00a3\u00a5\u20b9\u20bd\u00a2\u20a9\u20aa\u20ba"


def decode(raw):
    """The file's text, decoded as Softmax Lab decoded it."""
    label = ENCODING.lower()
    if label == "utf-8 with bom":
        return raw.decode("utf-8-sig", errors="replace")
    if label in ("utf-16", "utf-32"):
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode(label)
        odd_zeros = raw[1:4096:2].count(0)
        even_zeros = raw[0:4096:2].count(0)
        return raw.decode(label + ("-le" if odd_zeros > even_zeros else "-be"))
    if label in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        return raw.decode(label)
    raw = raw.replace(b"\x00", b"")
    if label == "utf-8":
        return raw.decode("utf-8", errors="replace")
    return raw.decode(ENCODING)


def clean_names(names):
    """Unique, non-blank, printable column names, as Softmax Lab makes them."""
    out, seen = [], set()
    for i, original in enumerate(names):
        name = "".join(
            " " if unicodedata.category(ch)[0] in "CZ" else ch for ch in str(original)
        ).strip()
        name = re.sub(r"\s+", " ", name)
        if not name:
            name = f"column_{i + 1}"
        if len(name) > 64:
            name = name[:63].rstrip() + "\u2026"
        base, k = name, 2
        while name.casefold() in seen:
            name = f"{base}_{k}"
            k += 1
        seen.add(name.casefold())
        out.append(name)
    return out


def read_table(path, needed):
    """The needed columns of the CSV, parsed with the detected dialect."""
    with open(path, "rb") as handle:
        raw = handle.read()
    digest = hashlib.sha256(raw).hexdigest()
    if DATA_SHA256 and digest != DATA_SHA256:
        print(
            f"note: this file's SHA-256 ({digest[:12]}...) is not the fingerprint Softmax Lab "
            f"recorded ({DATA_SHA256[:12]}...); for a bundled sample that is expected, for a "
            "different file the numbers may differ.",
            file=sys.stderr,
        )
    text = decode(raw)
    escapechar = "\\" if '\\"' in text else None
    first_line = text.split("\n", 1)[0].split("\r", 1)[0]
    sep_line = re.fullmatch(r'\s*"?sep=(.)"?\s*,*', first_line, flags=re.IGNORECASE)
    body = text[len(first_line):].lstrip("\r\n") if sep_line else text
    offset = 1 if sep_line else 0
    header_cells = [""] * N_COLUMNS
    if HEADER_ROW is None:
        names = [""] * N_COLUMNS
        skip = offset + TITLE_LINES
    else:
        reader = csv.reader(
            io.StringIO(body, newline=""),
            delimiter=DELIMITER,
            quotechar='"',
            escapechar=escapechar,
            doublequote=True,
            strict=False,
        )
        header = []
        for number, record in enumerate(reader):
            if number == HEADER_ROW - offset:
                header = record
                break
        names = list(header) + [""] * (N_COLUMNS - len(header))
        header_cells = list(names)
        skip = HEADER_ROW + 1
    names = clean_names(names)
    absent = [name for name in needed if name not in names]
    if absent:
        sys.exit(f"error: the file has no column named {absent[0]!r}")
    positions = [names.index(name) for name in needed]
    frame = pd.read_csv(
        io.StringIO(text),
        sep=DELIMITER,
        decimal=DECIMAL,
        quotechar='"',
        escapechar=escapechar,
        header=None,
        names=list(range(N_COLUMNS)),
        skiprows=skip,
        index_col=False,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=True,
        engine="c",
        on_bad_lines="skip" if SKIP_BAD_LINES else "error",
    )
    if HEADER_ROW is not None:
        frame = drop_repeated_headers(frame, header_cells)
    frame = frame[positions]
    frame.columns = list(needed)
    return frame


def drop_repeated_headers(frame, header_cells):
    """Leave out rows that repeat the column names (files pasted one after another)."""
    named = [(j, cell.strip()) for j, cell in enumerate(header_cells) if cell.strip()]
    if not named or len(named) < min(2, frame.shape[1]):
        return frame
    repeated = pd.Series(True, index=frame.index)
    for j, cell in named:
        repeated &= (frame[j].str.strip() == cell).fillna(False).astype(bool)
    if not repeated.any() or repeated.all():
        return frame
    return frame[~repeated.to_numpy()].reset_index(drop=True)


# ----------------------------------------------------------------------------- typing the columns
# Every column is read as text, then given the type Softmax Lab gave it (COLUMN_TYPES), with
# the same rules: missing-value markers, currency and percent signs, brackets for negative
# amounts, thousands separators, either decimal mark, yes/no values.


def number_pattern(decimal):
    group = "," if decimal == "." else "[. \u00a0\u202f']"
    dec = re.escape(decimal)
    return re.compile(
        rf"[-+]?(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?:{dec}\d*)?(?:[eE][-+]?\d+)?"
        rf"|[-+]?{dec}\d+(?:[eE][-+]?\d+)?"
    )


def parse_numbers(values, decimal):
    """Text values as numbers in one decimal convention, or None when one is not a number."""
    if decimal == ".":
        plain = pd.to_numeric(values, errors="coerce")
        if plain.notna().all():
            return plain.astype("float64")
    text = values.str.replace("%", "", regex=False).str.strip()
    negative = text.str.startswith("(") & text.str.endswith(")")
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    text = text.str.replace(f"[{CURRENCY}]", "", regex=True).str.strip()
    text = text.str.replace("\u2212", "-", regex=False)
    if not text.str.fullmatch(number_pattern(decimal)).all():
        return None
    if decimal == ".":
        text = text.str.replace(",", "", regex=False)
    else:
        text = text.str.replace("[. \u00a0\u202f']", "", regex=True).str.replace(",", ".")
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.isna().any():
        return None
    return numbers.where(~negative, -numbers).astype("float64")


def missing_mask(column):
    stripped = column.str.strip()
    return column.isna() | (stripped == "") | stripped.str.lower().isin(MISSING_TOKENS)


def as_numbers(column, name):
    missing = missing_mask(column)
    present = column[~missing].str.strip()
    for mark in (DECIMAL, "," if DECIMAL == "." else "."):
        numbers = parse_numbers(present, mark)
        if numbers is not None:
            result = pd.Series(np.nan, index=column.index, dtype="float64")
            result[~missing] = numbers.to_numpy()
            return result.where(~np.isinf(result))
    bad = present[~present.str.fullmatch(number_pattern(DECIMAL))]
    shown = bad.iloc[0] if len(bad) else "?"
    sys.exit(f"error: column {name!r} should hold numbers but has {shown!r}: is this the same file?")


def as_booleans(column, name):
    missing = missing_mask(column)
    lower = column[~missing].str.strip().str.lower()
    if not lower.isin(TRUE | FALSE).all():
        shown = lower[~lower.isin(TRUE | FALSE)].iloc[0]
        sys.exit(f"error: column {name!r} should hold yes/no values but has {shown!r}")
    flags = lower.isin(TRUE)
    if missing.any():
        result = pd.Series(pd.NA, index=column.index, dtype="boolean")
        result[~missing] = flags.to_numpy()
        return result
    return pd.Series(flags.to_numpy(), index=column.index, dtype="bool")


def as_type(column, kind, name):
    """One column, read as text, given the type Softmax Lab gave it."""
    if kind == "number":
        return as_numbers(column, name)
    if kind == "boolean":
        return as_booleans(column, name)
    if kind == "guess":  # how Softmax Lab typed it is unknown: numbers or yes/no if all are
        missing = missing_mask(column)
        lower = column[~missing].str.strip().str.lower()
        if len(lower) and lower.isin(TRUE | FALSE).all() and any(
            set(lower.unique()) <= pair for pair in BOOLEAN_PAIRS
        ):
            return as_booleans(column, name)
        for mark in (DECIMAL, "," if DECIMAL == "." else "."):
            if len(lower) and parse_numbers(column[~missing].str.strip(), mark) is not None:
                return as_numbers(column, name)
    return column


# ----------------------------------------------------------------------------- labels

NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
LEADING_ZERO = re.compile(r"[+-]?0\d")


def label(value):
    """One target value as a text label: 1, 1.0 and "1" all become "1"; missing is None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        if np.isfinite(value) and float(value).is_integer():
            return str(int(value))
        return str(float(value))
    text = str(value).strip()
    if not text:
        return None
    if NUMBER_TEXT.fullmatch(text) and not LEADING_ZERO.match(text):
        return label(float(text))
    return text


# ----------------------------------------------------------------------------- the run


def main(path):
    start = time.perf_counter()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    needed = [TARGET] + [c for c in NUMERIC_COLUMNS + CATEGORICAL_COLUMNS if c != TARGET]
    table = read_table(path, needed)
    for name in needed:
        kind = TARGET_TYPE if name == TARGET else COLUMN_TYPES[name]
        table[name] = as_type(table[name], kind, name)
    labels = pd.Series([label(v) for v in table[TARGET].tolist()], index=table.index, dtype=object)
    labels = labels[labels.notna()]
    labels = labels[~labels.isin(CLASSES_DROPPED)]
    if sorted(set(labels)) != sorted(CLASSES):
        sys.exit(
            "error: the target's classes differ from Softmax Lab's "
            f"({sorted(set(labels))[:10]} instead of {sorted(CLASSES)[:10]}): is this the same file?"
        )
    X = table.loc[labels.index, NUMERIC_COLUMNS + CATEGORICAL_COLUMNS]
    y = labels.to_numpy().astype(str)

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, stratify=y, random_state=SEED
    )
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=SEED)
    search = GridSearchCV(
        build_pipeline(),
        {"logisticregression__C": sorted(C_GRID)},
        cv=folds,
        scoring="accuracy",
        refit=True,
    )
    search.fit(X_train, y_train)
    model = search.best_estimator_
    classes = [str(c) for c in model.classes_]
    proba = model.predict_proba(X_test)
    predicted = np.asarray(classes)[np.argmax(proba, axis=1)]
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_test, predicted, labels=classes, average="macro", zero_division=0
    )
    results = search.cv_results_
    summary = {
        "classes": classes,
        "best_C": float(search.best_params_["logisticregression__C"]),
        "cv": [
            {"C": float(c), "mean_accuracy": float(m), "std_accuracy": float(s)}
            for c, m, s in zip(
                results["param_logisticregression__C"],
                results["mean_test_score"],
                results["std_test_score"],
                strict=True,
            )
        ],
        "test": {
            "accuracy": float(accuracy_score(y_test, predicted)),
            "precision_macro": float(precision),
            "recall_macro": float(recall),
            "f1_macro": float(f1),
            "log_loss": float(log_loss(y_test, proba, labels=classes)),
            "confusion_matrix": confusion_matrix(y_test, predicted, labels=classes).tolist(),
        },
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
        "seconds": time.perf_counter() - start,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python " + sys.argv[0] + " path/to/data.csv")
    main(sys.argv[1])
'''


def _public_import(cls: type) -> tuple[str, str]:
    import importlib

    module = cls.__module__
    parts = module.split(".")
    for depth in range(1, len(parts) + 1):
        candidate = ".".join(parts[:depth])
        try:
            if getattr(importlib.import_module(candidate), cls.__name__, None) is cls:
                return candidate, cls.__name__
        except ImportError:  # pragma: no cover - a parent of a loaded module imports
            continue
    return module, cls.__name__


def _same(value: Any, default: Any) -> bool:
    if value is default:
        return True
    if isinstance(value, float) and isinstance(default, float):
        return value == default or (np.isnan(value) and np.isnan(default))
    if type(value) is not type(default):
        return False
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _render(value: Any, imports: set[tuple[str, str]], indent: int = 0) -> str:
    """Python source that rebuilds a (scikit-learn) value, wrapped to stay readable.

    Estimators are written with the parameters that differ from their defaults.
    """
    import inspect

    from sklearn.base import BaseEstimator

    def wrap(opening: str, parts: list[str], closing: str, *, one_tuple: bool = False) -> str:
        flat = opening + ", ".join(p.strip() for p in parts) + ("," if one_tuple else "") + closing
        if len(flat) + indent <= 88 and "\n" not in flat:
            return flat
        pad = " " * (indent + 4)
        body = "".join(f"{pad}{part.strip()},\n" for part in parts)
        return f"{opening}\n{body}{' ' * indent}{closing}"

    inner = indent + 4
    if isinstance(value, BaseEstimator):
        cls = type(value)
        imports.add(_public_import(cls))
        signature = inspect.signature(cls.__init__)
        arguments = []
        for name, param in value.get_params(deep=False).items():
            default = signature.parameters[name].default if name in signature.parameters else None
            required = default is inspect.Parameter.empty
            if not required and _same(param, default):
                continue
            arguments.append(f"{name}={_render(param, imports, inner)}")
        return wrap(f"{cls.__name__}(", arguments, ")")
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return repr(value)
    if isinstance(value, float):
        if np.isnan(value):
            return 'float("nan")'
        if np.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(value)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return _render(value.item(), imports, indent)
    if isinstance(value, type) and value.__module__ == "numpy":
        return f"np.{value.__name__}"
    if isinstance(value, list):
        return wrap("[", [_render(v, imports, inner) for v in value], "]")
    if isinstance(value, tuple):
        parts = [_render(v, imports, inner) for v in value]
        return wrap("(", parts, ")", one_tuple=len(parts) == 1)
    if isinstance(value, dict):
        items = [
            f"{_render(k, imports, inner)}: {_render(v, imports, inner)}" for k, v in value.items()
        ]
        return wrap("{", items, "}")
    raise TypeError(f"cannot write {type(value).__name__} into the script")


def _column_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series.dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "date"
    return "text"


def reproducible_script(model: Any, load_report: Any) -> str:
    """A standalone Python script that reproduces a training run with pandas and scikit-learn.

    The script takes the CSV's path as its argument, reads it with the dialect the loader
    detected (encoding, separator, decimal mark, header line), types the columns the model
    uses as the loader did, applies the same target cleaning, held-out split, folds,
    preprocessing and C grid (``GridSearchCV``), and prints JSON with the keys of
    ``python -m dashboard train``. User text (column names, class names) enters the script
    only as Python literals (``repr``).

    Parameters
    ----------
    model : TrainedModel
        The trained model.
    load_report : LoadedTable or LoadReport
        How the file was read. Pass the LoadedTable when you have it: then the target's type
        is known exactly; with the report alone the script types the target as the loader
        would (numbers or yes/no values when every value is one).

    Returns
    -------
    str
        The script's source.
    """
    report = getattr(load_report, "report", load_report)
    table = getattr(load_report, "table", None)
    config = model.config
    target_type = "guess"
    if isinstance(table, pd.DataFrame) and config.target in table.columns:
        target_type = _column_type(table[config.target])
    imports: set[tuple[str, str]] = set()
    pipeline_source = _render(model.pipeline, imports, 4)
    import_lines = "\n".join(f"from {module} import {name}" for module, name in sorted(imports))
    x_test = model.X_test
    column_types = {
        str(name): _column_type(x_test[name])
        for name in list(model.numeric_columns) + list(model.categorical_columns)
    }
    from dashboard import data as data_module

    missing_tokens = sorted(data_module.MISSING_TOKENS)
    dropped = len(getattr(report, "dropped_columns", ()) or ())
    values = {
        "__IMPORTS__": import_lines,
        "__DATA_SHA256__": repr(str(getattr(model, "data_sha256", "") or "")),
        "__ENCODING__": repr(str(report.encoding)),
        "__DELIMITER__": repr(str(report.delimiter)),
        "__DECIMAL__": repr(str(report.decimal)),
        "__HEADER_ROW__": repr(None if report.header_row is None else int(report.header_row)),
        "__TITLE_LINES__": repr(int(getattr(report, "title_lines", 0) or 0)),
        "__N_COLUMNS__": repr(int(report.columns) + dropped),
        "__SKIP_BAD_LINES__": repr(bool(getattr(report, "rows_skipped", 0))),
        "__TARGET__": repr(str(config.target)),
        "__NUMERIC__": repr([str(c) for c in model.numeric_columns]),
        "__CATEGORICAL__": repr([str(c) for c in model.categorical_columns]),
        "__COLUMN_TYPES__": repr(column_types),
        "__TARGET_TYPE__": repr(target_type),
        "__CLASSES__": repr([str(c) for c in model.classes]),
        "__CLASSES_DROPPED__": repr([str(c) for c in model.classes_dropped]),
        "__C_GRID__": repr([float(c) for c in config.c_grid]),
        "__CV_FOLDS__": repr(int(config.cv_folds)),
        "__TEST_SIZE__": repr(float(config.test_size)),
        "__SEED__": repr(int(config.seed)),
        "__PIPELINE__": pipeline_source,
        "__MISSING_TOKENS__": repr(missing_tokens),
    }
    # One pass, so that a placeholder-like column name inside a value is never replaced.
    pattern = re.compile("|".join(re.escape(key) for key in values))
    return pattern.sub(lambda match: values[match.group(0)], _SCRIPT_TEMPLATE)
