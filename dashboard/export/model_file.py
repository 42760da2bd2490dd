"""Model files: a fitted model saved as a skops archive, and every check before one is loaded."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.errors import SoftmaxLabError
from dashboard.features import (
    MODEL_FILE_TYPES,
    DateParts,
    FiniteNumbers,
    MedianImputer,
    TextFeatures,
)
from dashboard.limits import LIMITS, Limits
from dashboard.prediction import FittedModel
from dashboard.provenance import DataOrigin

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
# (SimpleImputer keeps the dtype it was fitted on; dashboard.features adds its four small
# transformers). Anything else in an uploaded file is refused.
ALLOWED_UNTRUSTED_TYPES = frozenset({"numpy.dtype"}) | MODEL_FILE_TYPES

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
    numeric_columns, categorical_columns, date_columns, text_columns : tuple of str
        The feature columns the pipeline expects, by branch (dates and text are empty in
        files written before they could be features).
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
    origin : DataOrigin
        The table the model was trained on: name, SHA-256 and shape (unknown in older files).
    model_id : str
        Names this model uniquely (a fresh random hex string each time a file is read).
    """

    pipeline: Any
    classes: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    categorical_columns: tuple[str, ...]
    config: dict
    best_C: float
    date_columns: tuple[str, ...] = ()
    text_columns: tuple[str, ...] = ()
    data_sha256: str = ""
    versions: dict = dataclasses.field(default_factory=dict)
    column_types: dict = dataclasses.field(default_factory=dict)
    origin: DataOrigin = dataclasses.field(default_factory=DataOrigin)
    model_id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def feature_columns(self) -> tuple[str, ...]:
        """Every column the model reads, by branch: numbers, categories, dates, text."""
        return (
            self.numeric_columns + self.categorical_columns + self.date_columns + self.text_columns
        )

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
        (numeric and categorical), training config, best C, the data's SHA-256, its name
        and shape (``data_origin``) and the library versions.
    """
    import skops.io

    payload = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "pipeline": model.pipeline,
        "classes": list(model.classes),
        "numeric_columns": list(model.numeric_columns),
        "categorical_columns": list(model.categorical_columns),
        "date_columns": list(getattr(model, "date_columns", ())),
        "text_columns": list(getattr(model, "text_columns", ())),
        "config": _plain(dict(model.settings)),
        "best_C": float(model.best_C),
        "data_sha256": str(model.data_sha256 or ""),
        "column_types": dict(model.column_types),
        "data_origin": getattr(model, "origin", DataOrigin()).as_stored(),
        "versions": library_versions(),
    }
    return _compact_schema(skops.io.dumps(payload, compression=zipfile.ZIP_DEFLATED))


def _compact_schema(raw: bytes) -> bytes:
    """The same archive with schema.json written without indentation.

    skops indents its schema; in a model with many one-hot categories the spaces are most
    of its bytes (12 MB for 300 columns of 50 categories, 2.6 MB compact), and
    ``max_model_schema_bytes`` bounds what an upload may unpack to.
    """
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as source,
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == _SKOPS_SCHEMA:
                data = json.dumps(json.loads(data), separators=(",", ":")).encode()
            target.writestr(member.filename, data)
    return buffer.getvalue()


def _refuse(message: str, hint: str) -> SoftmaxLabError:
    return SoftmaxLabError(message, where="model file", hint=hint)


_NOT_OURS_HINT = "Upload a .skops file downloaded from Softmax Lab's Train page."


def check_model_archive(raw: bytes, *, limits: Limits = LIMITS) -> None:
    """Check an uploaded model file's bytes before anything in it is loaded.

    Refuses, each with its own message: a file that is not a zip archive (a pickle among
    them: nothing is unpickled), a zip archive without skops' ``schema.json``, an archive
    with too many members or too many unpacked bytes (read from the zip directory, before
    anything is unpacked), members that skops does not write for our models (only
    ``schema.json`` and numbered ``.npy`` arrays; no folders, paths, nested archives or
    pickles), a member whose bytes do not match its header (a falsified size), a
    ``schema.json`` too large, with too many values or nested too deeply, and arrays that
    would take more memory than allowed, counted once per reference in the schema (the
    memory a load would take, not the bytes on disk).

    Parameters
    ----------
    raw : bytes
        The file's bytes.
    limits : Limits, optional
        ``max_model_members``, ``max_model_bytes``, ``max_model_schema_bytes``,
        ``max_model_schema_values``, ``max_model_schema_depth`` and
        ``max_model_load_bytes`` apply.

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
    with _open_archive(raw, limits=limits) as archive:
        _checked_schema(archive, limits=limits)


@contextlib.contextmanager
def _open_archive(raw: bytes, *, limits: Limits) -> Iterator[zipfile.ZipFile]:
    """The file as an open zip archive, after the checks that need no unpacking."""
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
            _check_directory(archive, limits=limits)
            yield archive
    except zipfile.BadZipFile as exc:
        raise _refuse(
            "The model file is damaged (not a readable zip archive)", _NOT_OURS_HINT
        ) from exc


# skops names each array member after the id of the array it saved ("140162505549520.npy");
# our models hold nothing else (no sparse .npz, no .bin bytes), so nothing else is accepted.
_ARRAY_MEMBER = re.compile(r"[0-9]{1,20}\.npy")
_NPY_MAGIC = b"\x93NUMPY"
_READ_CHUNK = 1024 * 1024


def _shown_name(name: str) -> str:
    """A member name as data: quoted with escapes, cut short."""
    return repr(name[:60] + ("..." if len(name) > 60 else ""))


def _check_directory(archive: zipfile.ZipFile, *, limits: Limits) -> None:
    """Checks on the zip directory alone: counts, declared sizes, encryption, member names."""
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
    names = [member.filename for member in members]
    if _SKOPS_SCHEMA not in names:
        raise _refuse(
            "This zip archive is not a skops model file (it has no schema.json)",
            _NOT_OURS_HINT,
        )
    if any(m.flag_bits & 0x1 for m in members):
        raise _refuse("The model file is encrypted", _NOT_OURS_HINT)
    for member in members:
        # orig_filename is the name as stored; zipfile cuts it at a NUL and turns
        # separators, so both must be plain.
        for name in {member.filename, member.orig_filename}:
            if name != _SKOPS_SCHEMA and not _ARRAY_MEMBER.fullmatch(name):
                raise _refuse(
                    f"The model file holds an unexpected part {_shown_name(name)}; a Softmax "
                    "Lab model file holds only schema.json and numbered .npy arrays, so it "
                    "was not opened",
                    _NOT_OURS_HINT,
                )
    if len(set(names)) != len(names):
        raise _refuse(
            "The model file holds two parts with the same name, so it was not opened",
            _NOT_OURS_HINT,
        )


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, cap: int) -> bytes:
    """A member's bytes, read while counting: never more than ``cap``, and exactly its size.

    zipfile stops at the size the directory declares and checks the CRC at the end, so a
    member whose header gives a false size fails here instead of being read cut or long.
    """
    chunks = []
    total = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_READ_CHUNK):
                total += len(chunk)
                if total > cap or total > member.file_size:
                    raise _refuse(
                        f"A part of the model file ({_shown_name(member.filename)}) unpacks "
                        "to more bytes than its header says or than allowed",
                        _NOT_OURS_HINT,
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise _refuse(
            f"A part of the model file ({_shown_name(member.filename)}) is damaged or its "
            "size in the zip header is false",
            _NOT_OURS_HINT,
        ) from exc
    if total != member.file_size:
        raise _refuse(
            f"A part of the model file ({_shown_name(member.filename)}) is not the size its "
            "header says",
            _NOT_OURS_HINT,
        )
    return b"".join(chunks)


def _array_bytes(data: bytes, name: str) -> int:
    """The memory one ``.npy`` member becomes when loaded: its header's shape times its dtype."""
    from numpy.lib import format as npy_format

    damaged = _refuse(
        f"A part of the model file ({_shown_name(name)}) is not a plain numpy array",
        _NOT_OURS_HINT,
    )
    if not data.startswith(_NPY_MAGIC):
        raise damaged
    stream = io.BytesIO(data)
    try:
        version = npy_format.read_magic(stream)
        read_header = {
            (1, 0): npy_format.read_array_header_1_0,
            (2, 0): npy_format.read_array_header_2_0,
        }.get(version)
        if read_header is None:
            raise damaged
        shape, _, dtype = read_header(stream)
    except (ValueError, SyntaxError, TypeError, OverflowError) as exc:
        raise damaged from exc
    if dtype.hasobject:
        raise damaged
    count = 1
    for size in shape:
        count *= int(size)
    nbytes = count * dtype.itemsize
    if stream.tell() + nbytes != len(data):
        raise damaged
    return nbytes


def _count_values(text: bytes) -> int:
    """An upper bound on the JSON values parsing ``text`` creates, JSON strings inside included.

    Every container opens with ``{`` or ``[`` and every further element follows a comma;
    the same characters inside strings are counted too, which covers the JSON that skops
    parses again from a JsonNode's content string.
    """
    return text.count(b"{") + text.count(b"[") + text.count(b",") + 1


def _walk_schema(schema: Any, *, limits: Limits) -> dict[str, int]:
    """How many times each member is referenced, after checking the nesting depth.

    Iterative, so a deep schema cannot exhaust the stack here.
    """
    references: dict[str, int] = {}
    stack = [(schema, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.max_model_schema_depth:
            raise _refuse(
                "The model file's schema.json is nested too deeply (more than "
                f"{limits.max_model_schema_depth} levels), so it was not opened",
                _NOT_OURS_HINT,
            )
        if isinstance(value, dict):
            # Only a node's state (it has a loader) names a member; a dict of the user's
            # own keys (a column called "file") does not.
            if "__loader__" in value and "file" in value:
                name = value["file"]
                if not isinstance(name, str):
                    raise _refuse(
                        "The model file is damaged: its schema names a part by something "
                        "that is not a name",
                        _NOT_OURS_HINT,
                    )
                references[name] = references.get(name, 0) + 1
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return references


def _checked_schema(archive: zipfile.ZipFile, *, limits: Limits) -> dict:
    """schema.json, read and parsed once, after every check of its size and of the arrays."""
    from skops.io._protocol import PROTOCOL

    schema_member = archive.getinfo(_SKOPS_SCHEMA)
    if schema_member.file_size > limits.max_model_schema_bytes:
        raise _refuse(
            f"The model file's schema.json would unpack to {schema_member.file_size:,} bytes "
            f"(the limit is {limits.max_model_schema_bytes:,}), so it was not opened",
            _NOT_OURS_HINT,
        )
    text = _read_member(archive, schema_member, cap=limits.max_model_schema_bytes)
    values = _count_values(text)
    if values > limits.max_model_schema_values:
        raise _refuse(
            f"The model file's schema.json holds too many values (up to {values:,}; the "
            f"limit is {limits.max_model_schema_values:,}), so it was not opened",
            _NOT_OURS_HINT,
        )
    try:
        schema = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _refuse(
            "The model file is damaged: its schema.json is not valid JSON", _NOT_OURS_HINT
        ) from exc
    del text
    if not isinstance(schema, dict) or "protocol" not in schema or "__class__" not in schema:
        raise _refuse("This zip archive is not a skops model file (unknown schema)", _NOT_OURS_HINT)
    protocol = schema["protocol"]
    if isinstance(protocol, bool) or not isinstance(protocol, int) or not 0 <= protocol <= PROTOCOL:
        raise _refuse(
            f"The model file was written in skops protocol {protocol!r}; this Softmax Lab "
            f"reads protocols 0 to {PROTOCOL}",
            "Train the model again and download a new file.",
        )
    references = _walk_schema(schema, limits=limits)
    arrays = {m.filename: m for m in archive.infolist() if m.filename != _SKOPS_SCHEMA}
    missing = sorted(set(references) - set(arrays))
    if missing:
        raise _refuse(
            f"The model file is damaged: its schema names a part it does not hold "
            f"({_shown_name(missing[0])})",
            _NOT_OURS_HINT,
        )
    unused = sorted(set(arrays) - set(references))
    if unused:
        raise _refuse(
            f"The model file holds a part its schema never uses ({_shown_name(unused[0])}), "
            "so it was not opened",
            _NOT_OURS_HINT,
        )
    load_bytes = 0
    for name, member in arrays.items():
        data = _read_member(archive, member, cap=limits.max_model_bytes)
        # skops reads the member into memory and builds the array, once per reference.
        load_bytes += references[name] * (len(data) + _array_bytes(data, name))
        del data
        if load_bytes > limits.max_model_load_bytes:
            break
    if load_bytes > limits.max_model_load_bytes:
        raise _refuse(
            "Loading the model file would take more memory than allowed (its arrays, counted "
            f"once for each place the file uses them, come to more than the limit of "
            f"{limits.max_model_load_bytes:,} bytes), so it was not opened",
            _NOT_OURS_HINT,
        )
    return schema


def load_model(raw: bytes, *, limits: Limits = LIMITS) -> SavedModel:
    """Read a ``.skops`` model file back, refusing anything that is not ours.

    In order: the bytes must be a zip archive with skops' schema (a pickle is refused
    before anything is unpickled); every check of :func:`check_model_archive` runs before
    skops reads anything (member names, sizes read while counting, the schema's size,
    values and depth, the arrays' memory counted per reference); the schema is parsed
    once and skops builds its tree from it once; every type in it outside skops' default
    trust must be in :data:`ALLOWED_UNTRUSTED_TYPES` (users never choose trusted types);
    what loads must be a Softmax Lab model: a Pipeline of a ColumnTransformer and a
    LogisticRegression whose classes and columns match the stored ones.

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
    with _open_archive(raw, limits=limits) as archive:
        schema = _checked_schema(archive, limits=limits)
        payload = _load_checked(archive, schema)
    return _check_payload(payload)


def _load_checked(archive: zipfile.ZipFile, schema: dict) -> Any:
    """What skops.io.loads does, from the schema already parsed and checked (not twice)."""
    # skops' loader pieces, not its public loads(): loads() and get_untrusted_types() each
    # parse schema.json and read every array again. skops is pinned in requirements.txt.
    from skops.io._audit import audit_tree, get_tree
    from skops.io._utils import LoadContext

    try:
        context = LoadContext(src=archive, protocol=schema["protocol"])
        tree = get_tree(schema, context, trusted=sorted(ALLOWED_UNTRUSTED_TYPES))
        untrusted = tree.get_unsafe_set()
    except Exception as exc:  # any failure here means a malformed archive
        raise _refuse(
            "The model file is damaged: its contents could not be read", _NOT_OURS_HINT
        ) from exc
    if untrusted:
        refused = sorted(untrusted)
        shown = ", ".join(refused[:5]) + (" ..." if len(refused) > 5 else "")
        raise _refuse(
            f"The model file contains types Softmax Lab does not trust ({shown}), so it was "
            "not opened",
            _NOT_OURS_HINT,
        )
    try:
        audit_tree(tree, trusted=sorted(ALLOWED_UNTRUSTED_TYPES))
        return tree.construct()
    except Exception as exc:
        raise _refuse(
            "The model file is damaged or was written by an incompatible version: it could "
            "not be loaded",
            _NOT_OURS_HINT,
        ) from exc


def _check_preprocessing(preprocess: Any, columns: dict[str, list[str]]) -> None:
    """The preprocessing must be ours (:func:`dashboard.features.preprocessor`), nothing else.

    ``columns`` maps each branch (numeric, categorical, dates, text) to its stored columns.
    """
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    # Files written before MedianImputer hold SimpleImputer in its place, and the numeric
    # branch of files written before FiniteNumbers had only imputer and scaler.
    expected = {
        "numeric": (
            (FiniteNumbers, MedianImputer, StandardScaler),
            (FiniteNumbers, SimpleImputer, StandardScaler),
            (SimpleImputer, StandardScaler),
        ),
        "categorical": ((SimpleImputer, OneHotEncoder),),
        "dates": (
            (DateParts, MedianImputer, StandardScaler),
            (DateParts, SimpleImputer, StandardScaler),
        ),
        "text": ((TextFeatures,),),
    }
    fitted = getattr(preprocess, "transformers_", None)
    if not isinstance(fitted, list):
        raise _refuse("The model file's preprocessing is not fitted", _NOT_OURS_HINT)
    seen = set()
    for entry in fitted:
        name, transformer, names = entry
        if name == "remainder" and transformer == "drop":
            continue
        if (
            name not in expected
            or not isinstance(transformer, Pipeline)
            or not any(_steps_are(transformer, kinds) for kinds in expected[name])
            or [str(c) for c in names] != list(columns.get(name, []))
        ):
            raise _refuse(
                "The model file's preprocessing is not Softmax Lab's (imputation and scaling "
                "of numbers, imputation and one-hot encoding of categories, date parts, text "
                "TF-IDF)",
                _NOT_OURS_HINT,
            )
        seen.add(name)
    if seen != {name for name, names in columns.items() if names}:
        raise _refuse("The model file's preprocessing does not cover its columns", _NOT_OURS_HINT)


def _steps_are(pipeline: Any, kinds: tuple[type, ...]) -> bool:
    """Whether a Pipeline's steps are exactly of these types, in order."""
    return len(pipeline.steps) == len(kinds) and all(
        type(step) is kind for (_, step), kind in zip(pipeline.steps, kinds, strict=True)
    )


def _check_predicts(pipeline: Any, columns: dict[str, list[str]], n: int) -> None:
    """A dry run on one empty row: a damaged model fails here, not on the user's data."""
    row = pd.DataFrame(
        {
            **{name: pd.Series([np.nan], dtype=float) for name in columns["numeric"]},
            **{
                name: pd.Series([None], dtype=object)
                for branch in ("categorical", "dates", "text")
                for name in columns[branch]
            },
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
    """The loaded payload must be a Softmax Lab model whose description matches its pipeline."""
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
    pipeline = _checked_pipeline(payload.get("pipeline"))
    classes, columns, config = _checked_description(payload)
    fitted_classes = getattr(pipeline.steps[-1][1], "classes_", None)
    if fitted_classes is None or [str(c) for c in fitted_classes] != classes:
        raise _refuse("The model file's classes do not match its fitted model", _NOT_OURS_HINT)
    fitted_columns = getattr(pipeline, "feature_names_in_", None)
    if fitted_columns is None or sorted(str(c) for c in fitted_columns) != sorted(
        name for names in columns.values() for name in names
    ):
        raise _refuse(
            "The model file's feature columns do not match its fitted model", _NOT_OURS_HINT
        )
    _check_preprocessing(pipeline.steps[0][1], columns)
    _check_predicts(pipeline, columns, len(classes))
    best_c = payload.get("best_C")
    versions = payload.get("versions")
    return SavedModel(
        pipeline=pipeline,
        classes=tuple(classes),
        numeric_columns=tuple(columns["numeric"]),
        categorical_columns=tuple(columns["categorical"]),
        date_columns=tuple(columns["dates"]),
        text_columns=tuple(columns["text"]),
        config=config,
        best_C=float(best_c) if isinstance(best_c, (int, float)) else float("nan"),
        data_sha256=str(payload.get("data_sha256") or ""),
        versions=dict(versions) if isinstance(versions, dict) else {},
        column_types=_stored_column_types(payload.get("column_types")),
        origin=DataOrigin.from_stored(payload.get("data_origin")),
    )


def _checked_pipeline(pipeline: Any) -> Any:
    """The pipeline must be preprocessing followed by a logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

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
    return pipeline


def _checked_description(payload: dict) -> tuple[list[str], dict[str, list[str]], dict]:
    """The stored classes, columns by branch (lists of text) and config (a dict).

    Files written before dates and text could be features have no ``date_columns`` and
    ``text_columns``: none.
    """
    classes = payload.get("classes")
    columns = {
        "numeric": payload.get("numeric_columns"),
        "categorical": payload.get("categorical_columns"),
        "dates": payload.get("date_columns", []),
        "text": payload.get("text_columns", []),
    }
    config = payload.get("config")
    if (
        not isinstance(classes, list)
        or not all(isinstance(c, str) for c in classes)
        or not all(isinstance(names, list) for names in columns.values())
        or not all(isinstance(c, str) for names in columns.values() for c in names)
        or not isinstance(config, dict)
    ):
        raise _refuse(
            "The model file's description (classes, columns, config) is damaged", _NOT_OURS_HINT
        )
    return classes, columns, config


def _stored_column_types(column_types: Any) -> dict:
    """The stored column types when they are well-formed, else none (older files lack them)."""
    if not isinstance(column_types, dict) or not all(
        isinstance(k, str) and v in ("number", "boolean", "text", "date")
        for k, v in column_types.items()
    ):
        return {}
    return column_types
