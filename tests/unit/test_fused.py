"""dashboard.fused (all folds solved at once) against each fold's own scikit-learn pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from dashboard import search
from dashboard.evaluation import preprocessed_names
from dashboard.fused import (
    ONEHOT_MAX_CLASSES,
    fold_parameters,
    fused_layout,
    fused_minimise,
    fused_start,
)
from dashboard.search import TrainingStopped, _row_weights, search_c
from dashboard.training import build_pipeline

GRID = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)


def _table(n_classes, *, n=6000, gaps=0.0, offset=0.0, seed=0):
    X, y = make_classification(
        n_samples=n, n_features=8, n_informative=6, n_classes=n_classes, random_state=seed
    )
    X = X * np.arange(1, 9) + offset
    X[:, 7] = 2.5  # a constant column
    rng = np.random.default_rng(seed)
    X[:, :7][rng.random((n, 7)) < gaps] = np.nan
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    return frame, np.asarray([f"c{v}" for v in y])


def _weights(y, folds, class_weight):
    classes = np.unique(y)
    out = []
    for tr, _ in folds:
        _, codes = np.unique(y[tr], return_inverse=True)
        out.append(_row_weights(codes, len(classes), class_weight, np.float64))
    return out


@pytest.mark.parametrize(
    ("n_classes", "gaps", "offset", "class_weight"),
    [
        (2, 0.0, 0.0, None),
        (4, 0.05, 1e6, None),
        (3, 0.1, -300.0, "balanced"),
        (2, 0.02, 0, "balanced"),
        (8, 0.05, 0.0, "balanced"),  # above ONEHOT_MAX_CLASSES: true logits gathered by code
        (9, 0.0, 10.0, None),
    ],
)
def test_each_fold_reaches_its_own_pipelines_optimum(n_classes, gaps, offset, class_weight):
    frame, y = _table(n_classes, gaps=gaps, offset=offset)
    pipe = build_pipeline(numeric=list(frame.columns), categorical=[], class_weight=class_weight)
    preprocess = pipe.named_steps["preprocess"]
    folds = list(StratifiedKFold(4, shuffle=True, random_state=0).split(frame, y))
    data = fused_layout(
        preprocess, frame, y, folds, fold_weights=_weights(y, folds, class_weight), dtype=np.float64
    )
    assert data is not None
    assert (data.onehot is None) == (n_classes == 2 or n_classes > ONEHOT_MAX_CLASSES)
    w = fused_start(data)
    for C in (0.01, 1.0):
        w, _ = fused_minimise(data, C, w, tol=1e-10, max_iter=5000)
        for f, (coef, intercept) in enumerate(fold_parameters(data, w)):
            tr, va = folds[f]
            reference = Pipeline(
                [
                    ("preprocess", clone(preprocess)),
                    (
                        "lr",
                        LogisticRegression(
                            C=C, class_weight=class_weight, tol=1e-10, max_iter=5000
                        ),
                    ),
                ]
            ).fit(frame.iloc[tr], y[tr])
            lr = reference.named_steps["lr"]
            np.testing.assert_allclose(coef, lr.coef_, atol=2e-5)
            np.testing.assert_allclose(intercept, lr.intercept_, atol=2e-5)
            # the validation rows as the fold's own preprocessing gives them
            expected = reference.named_steps["preprocess"].transform(frame.iloc[va])
            np.testing.assert_allclose(data.validation[f], expected, rtol=1e-9, atol=1e-9)


def test_the_fold_statistics_are_the_fitted_imputer_and_scaler():
    frame, y = _table(3, gaps=0.1, offset=5e5)
    pipe = build_pipeline(numeric=list(frame.columns), categorical=[])
    preprocess = pipe.named_steps["preprocess"]
    folds = list(StratifiedKFold(5, shuffle=True, random_state=2).split(frame, y))
    data = fused_layout(
        preprocess, frame, y, folds, fold_weights=_weights(y, folds, None), dtype=np.float64
    )
    for f, (tr, _) in enumerate(folds):
        fitted = clone(preprocess).fit(frame.iloc[tr]).named_transformers_["numeric"]
        imputer, scaler = fitted.named_steps["medianimputer"], fitted.named_steps["standardscaler"]
        gappy = frame.iloc[:, :7].columns  # the columns with gaps: their medians are used
        np.testing.assert_array_equal(data.raw_median[f][: len(gappy)], imputer.statistics_[:7])
        np.testing.assert_allclose(data.raw_mean[f], scaler.mean_, rtol=1e-12)
        np.testing.assert_allclose(data.raw_scale[f], scaler.scale_, rtol=1e-9)
        assert data.raw_scale[f][7] == scaler.scale_[7] == 1.0  # the constant column


@pytest.mark.parametrize(
    ("n_classes", "gaps", "offset", "class_weight"),
    [(2, 0.0, 0.0, None), (5, 0.03, 1e6, None), (3, 0.0, 0.0, "balanced")],
)
def test_the_fused_search_agrees_with_gridsearchcv(n_classes, gaps, offset, class_weight):
    frame, y = _table(n_classes, n=8000, gaps=gaps, offset=offset, seed=n_classes)
    pipe = build_pipeline(numeric=list(frame.columns), categorical=[], class_weight=class_weight)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(frame, y))
    ours = search_c(pipe, frame, y, c_grid=GRID, folds=folds, scheduler="")
    assert ours.fused
    grid = GridSearchCV(pipe, {"logisticregression__C": list(GRID)}, cv=folds).fit(frame, y)
    means = np.asarray(grid.cv_results_["mean_test_score"])
    assert np.max(np.abs(ours.cv_summary["mean_accuracy"].to_numpy() - means)) <= 1e-3
    # Warm starts end within the solver's tolerance of each optimum, as cold fits do: a
    # validation row may change side, so on a flat curve the choice may differ by one row's
    # worth of mean accuracy (1 / 8,000 here; the 1e-4 band of the benchmark is at 100k rows).
    chosen = list(GRID).index(ours.best_C)
    assert ours.best_C == grid.best_params_["logisticregression__C"] or (
        grid.best_score_ - means[chosen] <= 1 / len(y) + 1e-12
    )
    assert len(ours.cv_results) == len(GRID) * 5
    assert ours.coef_path is not None and ours.coef_path["coef"].shape[0] == len(GRID)


def test_folds_that_cannot_share_a_matrix_go_one_by_one_with_the_same_answer():
    frame, y = _table(3, n=8000)
    frame.loc[:, "x0"] = np.nan
    frame.loc[frame.index[:5], "x0"] = 1.0  # some folds' training rows have no value here
    frame.loc[frame.index[10], "x1"] = 1e12  # one huge value: the folds' scales differ
    pipe = build_pipeline(numeric=list(frame.columns), categorical=[])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(frame, y))
    ours = search_c(pipe, frame, y, c_grid=GRID, folds=folds, scheduler="")
    assert not ours.fused and ours.fast_solver
    grid = GridSearchCV(pipe, {"logisticregression__C": list(GRID)}, cv=folds).fit(frame, y)
    means = np.asarray(grid.cv_results_["mean_test_score"])
    assert np.max(np.abs(ours.cv_summary["mean_accuracy"].to_numpy() - means)) <= 1e-3


def test_a_stop_request_ends_the_fused_search():
    frame, y = _table(4, n=8000)
    pipe = build_pipeline(numeric=list(frame.columns), categorical=[])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(frame, y))
    seen = []
    with pytest.raises(TrainingStopped):
        search_c(
            pipe,
            frame,
            y,
            c_grid=GRID,
            folds=folds,
            scheduler="",
            on_fit=lambda event, done, total: seen.append(done),
            should_stop=lambda: len(seen) >= 1,
        )


def test_many_classes_go_fold_by_fold():
    frame, y = _table(8, n=8000)
    pipe = build_pipeline(numeric=list(frame.columns), categorical=[])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(frame, y))
    assert not search_c(pipe, frame, y, c_grid=(1.0,), folds=folds, scheduler="").fused


@pytest.mark.parametrize(
    ("n_classes", "gaps", "class_weight", "grouped"),
    [
        (2, 0.0, None, True),
        (4, 0.05, None, True),
        (3, 0.1, "balanced", True),
        (4, 0.05, None, False),
    ],
)
def test_the_coefficient_path_rides_with_the_folds_and_is_sklearns_fit_on_all_rows(
    n_classes, gaps, class_weight, grouped, monkeypatch
):
    # The whole-data path is one more "fold" of the shared matrix, solved in the folds' groups;
    # on large tables (here: any) it runs as its own path beside the fused folds.
    if not grouped:
        monkeypatch.setattr(search, "GROUPED_MAX_CELLS", 0)
    frame, y = _table(n_classes, gaps=gaps, offset=50.0, seed=n_classes + 10)
    pipe = build_pipeline(numeric=list(frame.columns), categorical=[], class_weight=class_weight)
    pipe.set_params(logisticregression__tol=1e-10, logisticregression__max_iter=5000)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(frame, y))
    grid = (0.01, 1.0)
    ours = search_c(pipe, frame, y, c_grid=grid, folds=folds, warm_start=True, scheduler="")
    assert ours.fused
    for i, C in enumerate(grid):
        reference = clone(pipe).set_params(logisticregression__C=C).fit(frame, y)
        lr = reference.named_steps["logisticregression"]
        np.testing.assert_allclose(ours.coef_path["coef"][i], lr.coef_, atol=1e-6)
        np.testing.assert_allclose(ours.coef_path["intercept"][i], lr.intercept_, atol=1e-6)
    fitted = clone(pipe).fit(frame, y).named_steps["preprocess"]
    assert ours.coef_path["feature_names"] == preprocessed_names(fitted)
    assert len(ours.cv_results) == len(grid) * 5


@pytest.mark.parametrize(
    "labels",
    [
        np.array([2, 0, 1, 1, 2]),  # codes already
        np.array([3, 1, 3, 7], dtype=np.uint8),  # integers with classes absent
        np.array([-1, 4, 4, 0]),  # negative: sorted as numpy does
        np.array([5, 900000, 5]),  # far apart: sorted as numpy does
        np.array(["b", "a", "b"]),
    ],
)
def test_class_codes_are_numpys_unique(labels):
    from dashboard.fused import class_codes

    classes, codes = class_codes(labels)
    expected_classes, expected_codes = np.unique(labels, return_inverse=True)
    np.testing.assert_array_equal(classes, expected_classes)
    assert classes.dtype == expected_classes.dtype
    np.testing.assert_array_equal(codes, expected_codes)
