"""Formula-safe CSV: every download's one writer, and the fixed download names."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.export.csv import (
    CV_RESULTS_CSV_NAME,
    MODEL_FILE_NAME,
    PER_CLASS_CSV_NAME,
    PREDICTIONS_CSV_NAME,
    PROFILE_CSV_NAME,
    REPORT_FILE_NAME,
    SCRIPT_FILE_NAME,
    safe_csv_bytes,
)
from tests.runs import TRIGGERS, reread_csv


def test_csv_neutralises_every_trigger_in_text_columns_and_headers():
    nasty = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://e")', "ok"]
    frame = pd.DataFrame({"text": nasty, "=bad header": range(len(nasty))})
    back = reread_csv(safe_csv_bytes(frame))
    assert list(back.columns) == ["text", "'=bad header"]
    for cell in back["text"]:
        assert not cell.startswith(TRIGGERS), repr(cell)
    # The text is still there, behind one quote character.
    assert back["text"].tolist() == ["'" + v if v.startswith(TRIGGERS) else v for v in nasty]


def test_csv_keeps_numeric_columns_numeric():
    frame = pd.DataFrame(
        {
            "neg_float": [-1.5, np.nan, 2.25],
            "neg_int": [-3, 0, 7],
            "flag": [True, False, True],
            "label": ["-a", None, "b"],
        }
    )
    back = reread_csv(safe_csv_bytes(frame))
    assert pd.api.types.is_float_dtype(back["neg_float"])
    assert back["neg_float"].iloc[0] == -1.5 and np.isnan(back["neg_float"].iloc[1])
    assert pd.api.types.is_integer_dtype(back["neg_int"])
    assert back["neg_int"].tolist() == [-3, 0, 7]
    assert back["flag"].tolist() == [True, False, True]
    assert back["label"].iloc[0] == "'-a" and pd.isna(back["label"].iloc[1])


def test_csv_is_utf8_and_handles_object_columns_with_mixed_values():
    frame = pd.DataFrame(
        {"name": ["Zoë", "東京", "=x"], "mixed": pd.Series([-1.0, "-y", None], dtype=object)}
    )
    raw = safe_csv_bytes(frame)
    raw.decode("utf-8")  # must not raise
    back = reread_csv(raw)
    assert back["name"].tolist() == ["Zoë", "東京", "'=x"]
    # A negative number is harmless and stays a number; a text starting with '-' is quoted.
    assert back["mixed"].tolist()[:2] == ["-1.0", "'-y"] or back["mixed"].tolist()[:2] == [
        -1.0,
        "'-y",
    ]


def test_download_names_are_fixed_and_safe():
    names = [
        PREDICTIONS_CSV_NAME,
        CV_RESULTS_CSV_NAME,
        PER_CLASS_CSV_NAME,
        PROFILE_CSV_NAME,
        MODEL_FILE_NAME,
        SCRIPT_FILE_NAME,
        REPORT_FILE_NAME,
    ]
    for name in names:
        assert all(ch.isalnum() or ch in "-._" for ch in name), name
        assert not name.startswith((".", "-"))
    assert MODEL_FILE_NAME.endswith(".skops")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("=+-@\t\r\n\",;' aZ1é")), min_size=1, max_size=6),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=1, max_size=8),
)
def test_csv_property_no_text_cell_starts_a_formula_and_numbers_survive(texts, numbers):
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"text": texts[:n], "number": numbers[:n]})
    back = pd.read_csv(
        io.BytesIO(safe_csv_bytes(frame)),
        keep_default_na=False,
        na_values=[],
        dtype={"text": str},
    )
    for original, cell in zip(frame["text"], back["text"], strict=True):
        assert not cell.startswith(TRIGGERS)
        assert cell == ("'" + original if original.startswith(TRIGGERS) else original)
    np.testing.assert_array_equal(back["number"].to_numpy(dtype=float), frame["number"].to_numpy())
