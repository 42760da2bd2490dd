"""Exports: formula-safe CSV, skops model files and their checks, predictions, script, report."""

from __future__ import annotations

import io
import os
import pickle
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from dashboard import export
from dashboard.errors import SoftmaxLabError
from dashboard.limits import Limits

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- formula-safe CSV


def _reread(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8", keep_default_na=False, na_values=[""])


def test_csv_neutralises_every_trigger_in_text_columns_and_headers():
    nasty = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://e")', "ok"]
    frame = pd.DataFrame({"text": nasty, "=bad header": range(len(nasty))})
    back = _reread(export.safe_csv_bytes(frame))
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
    back = _reread(export.safe_csv_bytes(frame))
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
    raw = export.safe_csv_bytes(frame)
    raw.decode("utf-8")  # must not raise
    back = _reread(raw)
    assert back["name"].tolist() == ["Zoë", "東京", "'=x"]
    # A negative number is harmless and stays a number; a text starting with '-' is quoted.
    assert back["mixed"].tolist()[:2] == ["-1.0", "'-y"] or back["mixed"].tolist()[:2] == [
        -1.0,
        "'-y",
    ]


def test_download_names_are_fixed_and_safe():
    names = [
        export.PREDICTIONS_CSV_NAME,
        export.CV_RESULTS_CSV_NAME,
        export.PER_CLASS_CSV_NAME,
        export.PROFILE_CSV_NAME,
        export.MODEL_FILE_NAME,
        export.SCRIPT_FILE_NAME,
        export.REPORT_FILE_NAME,
    ]
    for name in names:
        assert all(ch.isalnum() or ch in "-._" for ch in name), name
        assert not name.startswith((".", "-"))
    assert export.MODEL_FILE_NAME.endswith(".skops")


# --------------------------------------------------------------------------- skops refusals


class _Canary:
    """A pickle that would create a file when unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_pickle_is_refused_and_its_canary_never_runs(tmp_path):
    canary = tmp_path / "canary-ran"
    raw = pickle.dumps(_Canary(str(canary)))
    with pytest.raises(SoftmaxLabError, match="pickle"):
        export.load_model(raw)
    assert not canary.exists()
    # Every pickle protocol, the same.
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(SoftmaxLabError, match="not a skops model file"):
            export.load_model(pickle.dumps(_Canary(str(canary)), protocol=protocol))
        assert not canary.exists()


def test_pickle_is_refused_before_skops_or_pickle_is_called(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise AssertionError("a loader was called")

    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(skops.io, "loads", boom)
    monkeypatch.setattr(skops.io, "get_untrusted_types", boom)
    with pytest.raises(SoftmaxLabError):
        export.load_model(pickle.dumps(_Canary(str(tmp_path / "c"))))


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"", "empty"),
        (b"sepal_length,species\n1,a\n", "not a zip archive"),
        (b"PK\x03\x04 this is not really a zip", "damaged"),
    ],
)
def test_non_archives_are_refused_with_their_own_message(raw, match):
    with pytest.raises(SoftmaxLabError, match=match):
        export.load_model(raw)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_without_skops_schema_is_refused():
    with pytest.raises(SoftmaxLabError, match="no schema.json"):
        export.load_model(_zip({"model.pkl": b"\x80\x04K\x01."}))


def _forbid_unpacking(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("something was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "read", boom)
    monkeypatch.setattr(zipfile.ZipFile, "open", boom)
    monkeypatch.setattr(skops.io, "loads", boom)
    monkeypatch.setattr(skops.io, "get_untrusted_types", boom)


def test_zip_bomb_is_refused_without_being_unpacked(monkeypatch):
    # 50 MB of zeros compress to ~50 kB; with a 10 MB cap it must be refused from the directory.
    bomb = _zip({"schema.json": b"{}", "zeros.npy": bytes(50_000_000)})
    assert len(bomb) < 200_000
    _forbid_unpacking(monkeypatch)
    start = time.perf_counter()
    with pytest.raises(SoftmaxLabError, match="would unpack to"):
        export.load_model(bomb, limits=Limits(max_model_bytes=10_000_000))
    assert time.perf_counter() - start < 0.5


def test_zip_with_too_many_members_is_refused_without_being_unpacked(monkeypatch):
    many = _zip({"schema.json": b"{}", **{f"{i}.npy": b"" for i in range(3000)}})
    _forbid_unpacking(monkeypatch)
    with pytest.raises(SoftmaxLabError, match="too many parts"):
        export.load_model(many)  # default limit: 2,000 members


def test_default_limits_refuse_a_big_bomb(monkeypatch):
    limits = Limits()
    # One 1 MB member repeated: declared sizes add up beyond max_model_bytes.
    repeats = limits.max_model_bytes // 1_000_000 + 2
    assert repeats < limits.max_model_members
    chunk = bytes(1_000_000)
    bomb = _zip({"schema.json": b"{}", **{f"{i}.npy": chunk for i in range(repeats)}})
    _forbid_unpacking(monkeypatch)
    with pytest.raises(SoftmaxLabError, match="would unpack to"):
        export.load_model(bomb)


def _small_pipeline():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=60),
            "colour": rng.choice(["red", "green", "blue"], size=60),
        }
    )
    y = np.array(["a", "b", "c"] * 20)
    preprocess = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["x"]),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                ["colour"],
            ),
        ]
    )
    steps = [("preprocess", preprocess), ("logisticregression", LogisticRegression(C=1.0))]
    return Pipeline(steps).fit(frame, y), frame


def _payload(fitted, **overrides):
    payload = {
        "format": export.MODEL_FORMAT,
        "format_version": export.MODEL_FORMAT_VERSION,
        "pipeline": fitted,
        "classes": ["a", "b", "c"],
        "numeric_columns": ["x"],
        "categorical_columns": ["colour"],
        "config": {"target": "y", "features": ["x", "colour"]},
        "best_C": 1.0,
        "data_sha256": "",
        "versions": {},
    }
    payload.update(overrides)
    return payload


def test_handmade_payload_of_our_shape_loads():
    pipeline, frame = _small_pipeline()
    saved = export.load_model(skops.io.dumps(_payload(pipeline)))
    np.testing.assert_array_equal(
        saved.pipeline.predict_proba(frame), pipeline.predict_proba(frame)
    )


def test_untrusted_type_is_refused_and_never_constructed():
    pipeline, _ = _small_pipeline()
    raw = skops.io.dumps(_payload(pipeline, hook=FunctionTransformer(os.system)))
    assert f"{os.system.__module__}.system" in skops.io.get_untrusted_types(data=raw)
    with pytest.raises(SoftmaxLabError, match="does not trust"):
        export.load_model(raw)


def test_allow_list_is_fixed_and_small():
    assert frozenset({"numpy.dtype"}) == export.ALLOWED_UNTRUSTED_TYPES


@pytest.mark.parametrize(
    ("payload_change", "match"),
    [
        ({"format": "something-else"}, "not written by Softmax Lab"),
        ({"format_version": 99}, "format version"),
        ({"classes": ["a", "b", "zzz"]}, "classes do not match"),
        ({"numeric_columns": ["x", "y"]}, "feature columns do not match"),
        ({"pipeline": RandomForestClassifier()}, "does not hold a Softmax Lab pipeline"),
        ({"classes": "abc"}, "description"),
    ],
)
def test_skops_files_that_are_not_our_model_are_refused(payload_change, match):
    pipeline, _ = _small_pipeline()
    raw = skops.io.dumps(_payload(pipeline, **payload_change))
    with pytest.raises(SoftmaxLabError, match=match):
        export.load_model(raw)


def test_skops_file_of_something_else_entirely_is_refused():
    with pytest.raises(SoftmaxLabError, match="not written by Softmax Lab"):
        export.load_model(skops.io.dumps([1, 2, 3]))
