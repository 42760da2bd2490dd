"""Formula-safe CSV: the one writer of every CSV download, and the fixed download names."""

from __future__ import annotations

import csv
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CSV_MIME",
    "CV_RESULTS_CSV_NAME",
    "FORMULA_TRIGGERS",
    "MODEL_FILE_NAME",
    "MODEL_MIME",
    "PER_CLASS_CSV_NAME",
    "PREDICTIONS_CSV_NAME",
    "PROFILE_CSV_NAME",
    "REPORT_FILE_NAME",
    "REPORT_MIME",
    "SCRIPT_FILE_NAME",
    "SCRIPT_MIME",
    "neutralise_cell",
    "safe_csv_bytes",
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
