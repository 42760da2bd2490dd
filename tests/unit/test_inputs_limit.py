"""Model inputs are bounded (issue 17): counted before fitting, refused with their own message,
and kept sparse where one-hot encoding makes mostly zeros.

References are scikit-learn's own: a OneHotEncoder fitted here for the count, GridSearchCV on
a pipeline built by hand for the search, and the CLI's peak memory measured in a subprocess.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from dashboard import training
from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS, Limits
from dashboard.training import TrainingConfig, build_pipeline, train
from tests.hostile_models import run_measured

GB = 1 << 30


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def wide_frame(columns: int, values: int, rows: int, *, numeric: int = 0, seed: int = 0):
    """``columns`` categorical columns of ``values`` codes each, ``numeric`` numbers, a target
    of three classes that the first categorical column and the first number lean on."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, values, size=(rows, columns))
    data = {f"c{j:04d}": [f"v{k:02d}" for k in codes[:, j]] for j in range(columns)}
    for j in range(numeric):
        data[f"x{j}"] = rng.normal(size=rows) * (j + 1) + 5
    lean = codes[:, 0] % 3 + (rng.random(rows) < 0.3)
    data["target"] = np.array(["a", "b", "c", "a"])[lean]
    return pd.DataFrame(data)


def wide_csv(columns: int, values: int, rows: int, *, seed: int = 0) -> bytes:
    """The issue's table as CSV: ``columns`` text columns of ``values`` values each."""
    frame = wide_frame(columns, values, rows, seed=seed)
    return frame.to_csv(index=False).encode()


def _config(frame: pd.DataFrame, **kw) -> TrainingConfig:
    features = tuple(c for c in frame.columns if c != "target")
    return TrainingConfig(target="target", features=features, c_grid=(0.1, 1.0), cv_folds=2, **kw)


def _reference_inputs(frame: pd.DataFrame, categorical: list[str], numeric: list[str]) -> int:
    """Inputs as scikit-learn makes them: a OneHotEncoder with the category cap, one per number."""
    encoder = OneHotEncoder(handle_unknown="ignore", max_categories=LIMITS.max_categories)
    return encoder.fit(frame[categorical]).transform(frame[categorical]).shape[1] + len(numeric)


def _no_search(*_args, **_kw):
    raise AssertionError("the search started: the limit must be checked before fitting")


# --------------------------------------------------------------------------- the count and the limit


def test_a_model_with_more_inputs_than_the_limit_is_refused_before_fitting(monkeypatch):
    # 12 columns of 60 codes (capped at 50) and 6 of 4 codes, 2 numbers: 626 inputs.
    frame = wide_frame(12, 60, 400, numeric=2).join(
        wide_frame(6, 4, 400, seed=1).drop(columns="target").add_prefix("small_")
    )
    categorical = [c for c in frame.columns if c.startswith(("c", "small_"))]
    numeric = ["x0", "x1"]
    expected = _reference_inputs(frame, categorical, numeric)
    assert expected == 12 * 50 + 6 * 4 + 2

    monkeypatch.setattr(training, "search_c", _no_search)
    limits = dataclasses.replace(LIMITS, max_model_inputs=expected - 1)
    with pytest.raises(SoftmaxLabError) as caught:
        train(frame, _config(frame), scheduler="", limits=limits)
    message = str(caught.value)
    assert f"{expected:,} inputs" in message
    assert f"limit of {expected - 1:,}" in message
    # The biggest contributors come first, with their counts; the small ones are not named.
    assert "'c0000' (50)" in message and "small_" not in message.split("(features)")[0]
    assert "and 15 more columns" in message
    assert caught.value.where == "features"
    assert "fewer feature columns" in caught.value.hint
    assert "SOFTMAX_LAB_MAX_CATEGORIES" in caught.value.hint


def test_a_model_exactly_at_the_limit_trains_with_that_many_inputs():
    frame = wide_frame(4, 7, 120, numeric=1)
    categorical = [f"c{j:04d}" for j in range(4)]
    expected = _reference_inputs(frame, categorical, ["x0"])
    limits = dataclasses.replace(LIMITS, max_model_inputs=expected)
    model = train(frame, _config(frame), scheduler="", limits=limits)
    coef = model.pipeline.named_steps["logisticregression"].coef_
    assert coef.shape[1] == expected == 4 * 7 + 1


def test_the_limit_has_an_environment_variable(monkeypatch):
    monkeypatch.setenv("SOFTMAX_LAB_MAX_MODEL_INPUTS", "1234")
    import importlib

    from dashboard import limits as limits_module

    try:
        assert importlib.reload(limits_module).Limits().max_model_inputs == 1234
    finally:
        monkeypatch.delenv("SOFTMAX_LAB_MAX_MODEL_INPUTS")
        importlib.reload(limits_module)
    assert Limits().max_model_inputs == 50_000


# --------------------------------------------------------------------------- sparse where it pays


def test_a_wide_categorical_table_is_preprocessed_sparse_and_numbers_alone_are_scaled():
    frame = wide_frame(40, 20, 300, numeric=2)
    categorical = [f"c{j:04d}" for j in range(40)]
    pipe = build_pipeline(numeric=["x0", "x1"], categorical=categorical)
    out = pipe.named_steps["preprocess"].fit_transform(frame.drop(columns="target"))
    assert sp.issparse(out)
    assert out.shape == (300, 2 + 40 * 20)
    dense = out.toarray()
    reference = StandardScaler().fit_transform(frame[["x0", "x1"]])
    np.testing.assert_allclose(dense[:, :2], reference, atol=1e-12)
    one_hot = dense[:, 2:]
    assert set(np.unique(one_hot)) == {0.0, 1.0}  # not scaled
    np.testing.assert_array_equal(one_hot.sum(axis=1), np.full(300, 40.0))


def test_a_small_table_stays_dense():
    frame = wide_frame(2, 3, 100, numeric=3)
    pipe = build_pipeline(numeric=["x0", "x1", "x2"], categorical=["c0000", "c0001"])
    out = pipe.named_steps["preprocess"].fit_transform(frame.drop(columns="target"))
    assert isinstance(out, np.ndarray)
    assert out.shape == (100, 3 + 2 * 3)


def test_the_search_on_sparse_inputs_equals_gridsearchcv():
    frame = wide_frame(30, 8, 240, numeric=2, seed=4)
    categorical = [f"c{j:04d}" for j in range(30)]
    numeric = ["x0", "x1"]
    grid_C = (0.01, 0.1, 1.0, 10.0)
    config = TrainingConfig(
        target="target", features=tuple(numeric + categorical), c_grid=grid_C, cv_folds=3, seed=5
    )
    model = train(frame, config, scheduler="")

    reference = Pipeline(
        [
            (
                "preprocess",
                ColumnTransformer(
                    [
                        (
                            "numeric",
                            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                            numeric,
                        ),
                        (
                            "categorical",
                            make_pipeline(
                                SimpleImputer(strategy="most_frequent"),
                                OneHotEncoder(handle_unknown="ignore", max_categories=50),
                            ),
                            categorical,
                        ),
                    ]
                ),
            ),
            ("logisticregression", LogisticRegression(max_iter=1000, random_state=5)),
        ]
    )
    X = frame[numeric + categorical]
    y = frame["target"].to_numpy()
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=5)
    assert sp.issparse(reference[:-1].fit_transform(X_tr))
    grid = GridSearchCV(
        reference,
        {"logisticregression__C": list(grid_C)},
        cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=5),
    ).fit(X_tr, y_tr)
    np.testing.assert_array_equal(
        model.cv_summary["mean_accuracy"].to_numpy(), grid.cv_results_["mean_test_score"]
    )
    assert model.best_C == grid.best_params_["logisticregression__C"]


# --------------------------------------------------------------------------- the CLI, measured


def test_the_cli_refuses_too_many_inputs_with_exit_2(tmp_path, monkeypatch):
    frame = wide_frame(40, 50, 1000)
    expected = _reference_inputs(frame, [f"c{j:04d}" for j in range(40)], [])
    path = tmp_path / "wide.csv"
    path.write_bytes(frame.to_csv(index=False).encode())
    monkeypatch.setenv("SOFTMAX_LAB_MAX_MODEL_INPUTS", "1000")
    run = run_measured("train", path, "--target", "target", "--C", "1", "--cv", "2")
    assert run.code == 2, run.stderr
    assert run.stderr.startswith(f"error: The model would have {expected:,} inputs")
    assert "limit of 1,000" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.peak_bytes < GB


@pytest.mark.slow
def test_the_issues_wide_table_is_refused_within_bounded_memory(tmp_path):
    """1,999 text columns of 50 values (3.8 MB of CSV): about 100,000 one-hot inputs, which
    trained for 48 s at 1.5 GB before this limit."""
    raw = wide_csv(1999, 50, 475)
    assert 3_500_000 < len(raw) < 4_200_000
    path = tmp_path / "wide.csv"
    path.write_bytes(raw)
    run = run_measured("train", path, "--target", "target", timeout=1800)
    assert run.code == 2, run.stderr
    assert "inputs after encoding, more than the limit of 50,000" in run.stderr
    assert run.peak_bytes < GB


@pytest.mark.slow
def test_a_wide_table_under_the_limit_trains_sparse_within_bounded_memory(tmp_path):
    """999 such columns (49,950 inputs, just under the limit) train: one-hot stays sparse."""
    path = tmp_path / "wide.csv"
    path.write_bytes(wide_csv(999, 50, 475))
    run = run_measured("train", path, "--target", "target", timeout=1800)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["classes"] == ["a", "b", "c"]
    assert run.peak_bytes < GB
