#!/usr/bin/env python3
"""Reproduce a Softmax Lab training run with pandas and scikit-learn only.

Usage:  python THIS_SCRIPT.py path/to/the/same/data.csv

It reads the CSV the way Softmax Lab read it (encoding, separator, decimal mark, header line),
types and cleans the columns the model uses with Softmax Lab's own rules (copied below from its
module ``dashboard/rules.py``), makes the same held-out split and cross-validation folds, tries
the same values of C with scikit-learn's GridSearchCV on the same pipeline (whose date, text and
number transformers are copied below from ``dashboard/features.py``), refits the best one
and scores it on the held-out rows. It prints JSON with the keys of `python -m dashboard train`:
classes, best_C, cv, test, baseline, warnings, dropped_classes, n_train, n_test, seconds.
``baseline`` is
scikit-learn's DummyClassifier(strategy="prior") on the same rows; ``warnings`` are those
Softmax Lab's checks found when it trained (this script does not run the checks).
Softmax Lab searches C with warm starts, so its CV means may differ from these in the fourth
decimal; the best C and the held-out scores are the same.
"""

# This file is a template and a real module: dashboard/export/script.py renders it by replacing
# the blocks between "# >>> name" and "# <<< name" (the run's settings, the pipeline and its
# imports, the cleaning rules, which become the source of dashboard/rules.py, and the model's
# own transformers, which become the source of dashboard/features.py).

from __future__ import annotations

import hashlib
import io
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    log_loss,
    precision_recall_fscore_support,
)
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

# isort: split
# >>> pipeline imports
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# <<< pipeline imports

# ----------------------------------------------------------------------------- the run's settings
# (every text below is a Python literal, exactly as Softmax Lab saw it)

# >>> settings
DATA_SHA256 = ""
ENCODING = "utf-8"
DELIMITER = ","
DECIMAL = "."
HEADER_ROW = 0  # 0-based line of the column names; None = the file has no header
TITLE_LINES = 0  # lines above the table that were skipped
N_COLUMNS = 0  # columns of the parsed file, before empty trailing ones were dropped
SKIP_BAD_LINES = False  # lines with too many values were skipped
TARGET = ""
NUMERIC_COLUMNS = []
CATEGORICAL_COLUMNS = []
DATE_COLUMNS = []
TEXT_COLUMNS = []
COLUMN_TYPES = {}  # how Softmax Lab typed each feature column
TARGET_TYPE = "guess"  # how Softmax Lab typed the target ("guess" = not recorded)
CLASSES = []
CLASSES_DROPPED = []  # classes left out as too small
C_GRID = [1.0]
CV_FOLDS = 5
TEST_SIZE = 0.2
SEED = 0
WARNINGS = []  # what Softmax Lab's checks found when it trained ({kind, column, message})
# <<< settings


def build_pipeline():
    """The pipeline Softmax Lab fitted (C is set by the search)."""
    # >>> pipeline
    return make_pipeline(StandardScaler(), LogisticRegression())
    # <<< pipeline


# ----------------------------------------------------------------------------- Softmax Lab's rules
# isort: split
# >>> rules
from dashboard.rules import (  # noqa: E402 (the rendered script has the rules' source here)
    SEP_LINE,
    backslash_escapes,
    clean_names,
    convert_column,
    csv_reader,
    label,
    repeated_header_rows,
    type_text_column,
)

# <<< rules


# ----------------------------------------------------------------------------- the model's inputs
# (after the rules: its date formats start from the rules' DATE_FORMATS)
# isort: split
# >>> features
from dashboard.features import (  # noqa: E402, F401 (the rendered script has the source here)
    DateParts,
    FiniteNumbers,
    TextFeatures,
)

# <<< features


# ----------------------------------------------------------------------------- reading the file


def decode(raw):
    """The file's text, decoded as Softmax Lab decoded it."""
    encoding = ENCODING.lower()
    if encoding == "utf-8 with bom":
        return raw.decode("utf-8-sig", errors="replace")
    if encoding in ("utf-16", "utf-32"):
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode(encoding)
        odd_zeros = raw[1:4096:2].count(0)
        even_zeros = raw[0:4096:2].count(0)
        return raw.decode(encoding + ("-le" if odd_zeros > even_zeros else "-be"))
    if encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        return raw.decode(encoding)
    raw = raw.replace(b"\x00", b"")
    if encoding == "utf-8":
        return raw.decode("utf-8", errors="replace")
    return raw.decode(ENCODING)


def read_text(path):
    """The file's text; a note on stderr when it is not the file Softmax Lab read."""
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
    return decode(raw)


def header_cells(body, escapechar, offset):
    """The cells of the header line (N_COLUMNS of them; blank ones when there is no header)."""
    if HEADER_ROW is None:
        return [""] * N_COLUMNS
    reader = csv_reader(body, DELIMITER, escapechar)
    header = []
    for number, record in enumerate(reader):
        if number == HEADER_ROW - offset:
            header = record
            break
    return list(header) + [""] * (N_COLUMNS - len(header))


def read_columns(text):
    """Every column of the file, as text, named as Softmax Lab names them."""
    escapechar = "\\" if backslash_escapes(text, DELIMITER) else None
    first_line = text.split("\n", 1)[0].split("\r", 1)[0]
    sep_line = SEP_LINE.fullmatch(first_line)
    body = text[len(first_line) :].lstrip("\r\n") if sep_line else text
    offset = 1 if sep_line else 0
    cells = header_cells(body, escapechar, offset)
    skip = offset + TITLE_LINES if HEADER_ROW is None else HEADER_ROW + 1
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
        frame = drop_repeated_headers(frame, cells)
    frame.columns = clean_names(cells)[0]
    return frame


def read_table(path, needed):
    """The needed columns of the CSV, parsed with the detected dialect, as text."""
    frame = read_columns(read_text(path))
    absent = [name for name in needed if name not in frame.columns]
    if absent:
        sys.exit(f"error: the file has no column named {absent[0]!r}")
    return frame[list(needed)]


def drop_repeated_headers(frame, cells):
    """Leave out rows that repeat the column names (files pasted one after another)."""
    repeated = repeated_header_rows(frame, cells)
    return frame if repeated is None else frame[~repeated].reset_index(drop=True)


# ----------------------------------------------------------------------------- typing the columns
# Every column is read as text, then typed with Softmax Lab's own function (type_text_column),
# or given the type Softmax Lab recorded for it (COLUMN_TYPES, TARGET_TYPE).

_KIND_WORDS = {"number": "numbers", "boolean": "yes/no values"}
_INFINITY_WORDS = ["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"]


def as_type(column, kind, name):
    """One column, read as text, given the type Softmax Lab gave it."""
    if kind == "number":
        # Infinity written out is missing, as in Softmax Lab (and 1e309, read as inf, is made
        # missing by the pipeline's FiniteNumbers).
        column = column.mask(column.str.strip().str.lower().isin(_INFINITY_WORDS))
    if kind in _KIND_WORDS:
        typed, _ = convert_column(column, kind, DECIMAL)
        if typed is None:
            sys.exit(
                f"error: column {name!r} should hold {_KIND_WORDS[kind]} but does not: "
                "is this the same file?"
            )
        return typed
    if kind == "text":
        return column
    typed, _, _ = type_text_column(column, DECIMAL)
    return column if typed is None else typed


# ----------------------------------------------------------------------------- the run


# isort: split
# >>> interval
from dashboard.interval import wilson_interval  # noqa: E402 (the rendered script has its source)

# <<< interval


def held_out_scores(model, X_test, y_test):
    """Accuracy with its 95 % interval, macro and weighted precision/recall/F1, log loss and
    confusion matrix on held-out rows."""
    classes = [str(c) for c in model.classes_]
    proba = model.predict_proba(X_test)
    predicted = np.asarray(classes)[np.argmax(proba, axis=1)]
    scores = {"accuracy": float(accuracy_score(y_test, predicted))}
    for average in ("macro", "weighted"):
        precision, recall, f1, _ = precision_recall_fscore_support(
            y_test, predicted, labels=classes, average=average, zero_division=0
        )
        scores[f"precision_{average}"] = float(precision)
        scores[f"recall_{average}"] = float(recall)
        scores[f"f1_{average}"] = float(f1)
    scores["log_loss"] = float(log_loss(y_test, proba, labels=classes))
    scores["confusion_matrix"] = confusion_matrix(y_test, predicted, labels=classes).tolist()
    right = int(np.sum(predicted == np.asarray(y_test)))
    scores["accuracy_interval"] = list(wilson_interval(right, len(y_test)))
    return scores


def trivial_scores(y_train, y_test):
    """The trivial model: the training class shares as probabilities, the most frequent class
    as the guess (DummyClassifier(strategy="prior")), on the held-out rows."""
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((len(y_train), 1)), y_train)
    X_test = np.zeros((len(y_test), 1))
    return {
        "accuracy": float(accuracy_score(y_test, dummy.predict(X_test))),
        "log_loss": float(log_loss(y_test, dummy.predict_proba(X_test), labels=dummy.classes_)),
        "class": str(dummy.predict(X_test[:1])[0]),
    }


def labelled_rows(table):
    """The features and text labels of the rows whose target is present and kept, and the
    classes left out as too small with their rows."""
    labels = pd.Series([label(v) for v in table[TARGET].tolist()], index=table.index, dtype=object)
    labels = labels[labels.notna()]
    dropped = [{"class": c, "rows": int((labels == c).sum())} for c in CLASSES_DROPPED]
    labels = labels[~labels.isin(CLASSES_DROPPED)]
    if sorted(set(labels)) != sorted(CLASSES):
        sys.exit(
            "error: the target's classes differ from Softmax Lab's "
            f"({sorted(set(labels))[:10]} instead of {sorted(CLASSES)[:10]}): is this the same file?"
        )
    X = table.loc[labels.index, FEATURES]
    return X, labels.to_numpy().astype(str), dropped


FEATURES = NUMERIC_COLUMNS + CATEGORICAL_COLUMNS + DATE_COLUMNS + TEXT_COLUMNS


def main(path):
    start = time.perf_counter()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    needed = [TARGET] + [c for c in FEATURES if c != TARGET]
    table = read_table(path, needed).copy()
    for name in needed:
        kind = TARGET_TYPE if name == TARGET else COLUMN_TYPES[name]
        table[name] = as_type(table[name], kind, name)
    X, y, dropped = labelled_rows(table)
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
    results = search.cv_results_
    summary = {
        "classes": [str(c) for c in search.best_estimator_.classes_],
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
        "test": held_out_scores(search.best_estimator_, X_test, y_test),
        "baseline": trivial_scores(y_train, y_test),
        "warnings": WARNINGS,
        "dropped_classes": dropped,
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
        "seconds": time.perf_counter() - start,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python " + sys.argv[0] + " path/to/data.csv")
    main(sys.argv[1])
