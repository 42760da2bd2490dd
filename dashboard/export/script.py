"""The reproducible script: a standalone Python file that reruns a training with pandas and scikit-learn."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from dashboard.export.model_file import _column_type

__all__ = ["reproducible_script"]

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
