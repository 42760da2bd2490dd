"""Model files: skops archives saved, read back, and refused when they are not ours."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
import zlib

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import FunctionTransformer

from dashboard.errors import SoftmaxLabError
from dashboard.export.model_file import (
    ALLOWED_UNTRUSTED_TYPES,
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    load_model,
    save_model,
)
from dashboard.limits import Limits
from dashboard.prediction import predict_table
from tests.hostile_models import small_pipeline
from tests.runs import train_run


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
        load_model(raw)
    assert not canary.exists()
    # Every pickle protocol, the same.
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(SoftmaxLabError, match="not a skops model file"):
            load_model(pickle.dumps(_Canary(str(canary)), protocol=protocol))
        assert not canary.exists()


def test_pickle_is_refused_before_skops_or_pickle_is_called(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise AssertionError("a loader was called")

    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(skops.io, "loads", boom)
    monkeypatch.setattr(skops.io, "get_untrusted_types", boom)
    with pytest.raises(SoftmaxLabError):
        load_model(pickle.dumps(_Canary(str(tmp_path / "c"))))


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
        load_model(raw)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_without_skops_schema_is_refused():
    with pytest.raises(SoftmaxLabError, match="no schema.json"):
        load_model(_zip({"model.pkl": b"\x80\x04K\x01."}))


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
    # What a slow refusal would mean: the bomb is inflated. Record every inflation, by any route
    # (an AssertionError raised here could be swallowed by a broad except; the list cannot).
    inflated: list[str] = []

    def inflate(name):
        def record(*args, **kwargs):
            inflated.append(name)
            raise AssertionError(f"zlib.{name} was called")

        return record

    monkeypatch.setattr(zlib, "decompressobj", inflate("decompressobj"))
    monkeypatch.setattr(zlib, "decompress", inflate("decompress"))
    with pytest.raises(SoftmaxLabError, match="would unpack to"):
        load_model(bomb, limits=Limits(max_model_bytes=10_000_000))
    assert inflated == []


def test_zip_with_too_many_members_is_refused_without_being_unpacked(monkeypatch):
    many = _zip({"schema.json": b"{}", **{f"{i}.npy": b"" for i in range(3000)}})
    _forbid_unpacking(monkeypatch)
    with pytest.raises(SoftmaxLabError, match="too many parts"):
        load_model(many)  # default limit: 2,000 members


def test_default_limits_refuse_a_big_bomb(monkeypatch):
    limits = Limits()
    # One 1 MB member repeated: declared sizes add up beyond max_model_bytes.
    repeats = limits.max_model_bytes // 1_000_000 + 2
    assert repeats < limits.max_model_members
    chunk = bytes(1_000_000)
    bomb = _zip({"schema.json": b"{}", **{f"{i}.npy": chunk for i in range(repeats)}})
    _forbid_unpacking(monkeypatch)
    with pytest.raises(SoftmaxLabError, match="would unpack to"):
        load_model(bomb)


def _payload(fitted, **overrides):
    payload = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
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
    pipeline, frame = small_pipeline()
    saved = load_model(skops.io.dumps(_payload(pipeline)))
    np.testing.assert_array_equal(
        saved.pipeline.predict_proba(frame), pipeline.predict_proba(frame)
    )


def test_untrusted_type_is_refused_and_never_constructed():
    pipeline, _ = small_pipeline()
    raw = skops.io.dumps(_payload(pipeline, hook=FunctionTransformer(os.system)))
    assert f"{os.system.__module__}.system" in skops.io.get_untrusted_types(data=raw)
    with pytest.raises(SoftmaxLabError, match="does not trust"):
        load_model(raw)


def test_allow_list_is_fixed_and_small():
    ours = {
        f"dashboard.features.{n}"
        for n in ("DateParts", "FiniteNumbers", "MedianImputer", "TextFeatures")
    }
    assert frozenset({"numpy.dtype", *ours}) == ALLOWED_UNTRUSTED_TYPES


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
    pipeline, _ = small_pipeline()
    raw = skops.io.dumps(_payload(pipeline, **payload_change))
    with pytest.raises(SoftmaxLabError, match=match):
        load_model(raw)


def test_skops_file_of_something_else_entirely_is_refused():
    with pytest.raises(SoftmaxLabError, match="not written by Softmax Lab"):
        load_model(skops.io.dumps([1, 2, 3]))


def test_saved_model_loads_back_and_predicts_the_same_probabilities(mixed_run):
    _, loaded, model = mixed_run
    raw = save_model(model)
    assert raw.startswith(b"PK\x03\x04")
    saved = load_model(raw)
    assert saved.classes == model.classes
    assert saved.numeric_columns == model.numeric_columns
    assert saved.categorical_columns == model.categorical_columns
    assert saved.config["target"] == "label"
    assert saved.config["c_grid"] == list(model.config.c_grid)
    assert saved.best_C == model.best_C
    assert saved.data_sha256 == loaded.sha256
    # Probabilities of the held-out rows: the app's record against the reloaded model.
    held_out = loaded.table.loc[model.test_index]
    predictions = predict_table(saved, held_out)
    columns = [f"probability_{c}" for c in model.classes]
    np.testing.assert_allclose(
        predictions[columns].to_numpy(), model.test_proba, rtol=0, atol=1e-12
    )
    assert predictions["predicted_class"].tolist() == list(model.test_pred)
    # The in-session model gives the same table.
    pd.testing.assert_frame_equal(predictions, predict_table(model, held_out))


def test_categorical_only_model_round_trips():
    rng = np.random.default_rng(11)
    colour = rng.choice(["red", "green", "blue"], 120)
    size = rng.choice(["S", "M", "L", "XL"], 120)
    label = np.where(colour == "red", "warm", np.where(size == "S", "small", "other"))
    frame = pd.DataFrame({"colour": colour, "size": size, "label": label})
    loaded, model = train_run(
        frame.to_csv(index=False).encode(), "label", c_grid=(0.1, 1.0), cv_folds=3
    )
    assert model.numeric_columns == () and len(model.categorical_columns) == 2
    saved = load_model(save_model(model))
    proba = predict_table(saved, loaded.table.loc[model.test_index])
    np.testing.assert_allclose(
        proba[[f"probability_{c}" for c in model.classes]].to_numpy(), model.test_proba, atol=1e-12
    )


def test_foreign_preprocessing_is_refused():
    from sklearn.preprocessing import MinMaxScaler

    pipeline, frame = small_pipeline()
    numeric = pipeline.steps[0][1].transformers_[0][1]
    numeric.steps[1] = ("standardscaler", MinMaxScaler().fit(frame[["x"]]))
    with pytest.raises(SoftmaxLabError, match="preprocessing is not Softmax Lab's"):
        load_model(skops.io.dumps(_payload(pipeline)))


def test_damaged_coefficients_are_refused():
    pipeline, _ = small_pipeline()
    lr = pipeline.steps[-1][1]
    lr.coef_ = lr.coef_[:, :2]  # the preprocessing makes 4 inputs
    with pytest.raises(SoftmaxLabError, match="cannot make a prediction"):
        load_model(skops.io.dumps(_payload(pipeline)))
