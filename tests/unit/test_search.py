"""dashboard.search's fast solver against scikit-learn's LogisticRegression and GridSearchCV."""

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import issparse
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from dashboard.features import FiniteNumbers
from dashboard.search import (
    FAST_FLOAT32_MIN_CELLS,
    _dense,
    _stacked_like,
    _transposed,
    _unstacked,
    fast_solver_applies,
    search_c,
)
from dashboard.training import _as_categories

GRID = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)


def _data(n_classes, *, n=3000, seed=3, weights=None):
    X, y = make_classification(
        n_samples=n,
        n_features=8,
        n_informative=6,
        n_classes=n_classes,
        weights=weights,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), np.asarray([f"c{v}" for v in y])


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_fast_fits_reach_logistic_regressions_optimum(n_classes, class_weight):
    # The fast solver minimises LogisticRegression's objective: at a tight tolerance both land
    # on the same coefficients, so the coefficient path equals sklearn's fits on all rows.
    weights = [0.7] + [0.3 / (n_classes - 1)] * (n_classes - 1)
    X, y = _data(n_classes, weights=weights)
    pipe = LogisticRegression(class_weight=class_weight, tol=1e-10, max_iter=5000)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    ours = search_c(pipe, X, y, c_grid=(0.01, 1.0), folds=folds, fast=True, scheduler="")
    assert ours.fast_solver
    for i, C in enumerate((0.01, 1.0)):
        reference = LogisticRegression(C=C, class_weight=class_weight, tol=1e-10, max_iter=5000)
        reference.fit(X, y)
        np.testing.assert_allclose(ours.coef_path["coef"][i], reference.coef_, atol=1e-5)
        np.testing.assert_allclose(ours.coef_path["intercept"][i], reference.intercept_, atol=1e-5)


def test_fast_fold_scores_are_sklearns_accuracy_and_log_loss():
    X, y = _data(3)
    folds = list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y))
    pipe = LogisticRegression(tol=1e-10, max_iter=5000)
    ours = search_c(pipe, X, y, c_grid=(0.1,), folds=folds, fast=True, coef_path=False)
    for fold, (tr, va) in enumerate(folds):
        reference = LogisticRegression(C=0.1, tol=1e-10, max_iter=5000).fit(X[tr], y[tr])
        row = ours.cv_results[ours.cv_results["fold"] == fold].iloc[0]
        assert row["accuracy"] == pytest.approx(reference.score(X[va], y[va]), abs=1e-12)
        expected = log_loss(y[va], reference.predict_proba(X[va]), labels=reference.classes_)
        assert row["log_loss"] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("n_classes", [2, 5])
def test_fast_search_agrees_with_gridsearchcv(n_classes):
    X, y = make_classification(
        n_samples=6000, n_features=15, n_informative=10, n_classes=n_classes, random_state=4
    )
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    ours = search_c(pipe, X, y, c_grid=GRID, folds=folds, fast=True, scheduler="")
    assert ours.fast_solver
    grid = GridSearchCV(pipe, {"logisticregression__C": list(GRID)}, cv=folds).fit(X, y)
    means = np.asarray(grid.cv_results_["mean_test_score"])
    assert np.max(np.abs(ours.cv_summary["mean_accuracy"].to_numpy() - means)) <= 1e-3
    chosen = list(GRID).index(ours.best_C)
    assert ours.best_C == grid.best_params_["logisticregression__C"] or (
        grid.best_score_ - means[chosen] <= 1e-4
    )


def test_the_fast_solver_only_takes_what_it_solves_exactly():
    X = np.zeros((4, 2))
    assert fast_solver_applies(LogisticRegression(class_weight="balanced"), X)
    assert not fast_solver_applies(LogisticRegression(fit_intercept=False), X)
    assert not fast_solver_applies(LogisticRegression(class_weight={"a": 2.0}), X)
    assert not fast_solver_applies(LogisticRegression(l1_ratio=0.5, solver="saga"), X)
    assert not fast_solver_applies(LogisticRegression(), X.astype(int))


@pytest.mark.parametrize("fast", [False, True])
def test_out_of_fold_predictions_are_cross_val_predicts(fast):
    from sklearn.model_selection import cross_val_predict

    from dashboard.search import out_of_fold_predictions

    X, y = _data(3, n=4000, weights=[0.6, 0.3, 0.1])
    folds = list(StratifiedKFold(4, shuffle=True, random_state=2).split(X, y))
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    ours = out_of_fold_predictions(pipe, X, y, folds=folds, fast=fast)
    for weight in (None, "balanced"):
        reference = cross_val_predict(
            pipe.set_params(logisticregression__class_weight=weight), X, y, cv=folds
        )
        agree = np.mean(ours[weight] == reference)
        # The same fits: identical without the fast solver, within its tolerance with it.
        assert agree == 1.0 if not fast else agree >= 0.998
    assert np.mean(ours[None] != ours["balanced"]) > 0.01  # the weighting changes answers


def test_fast_solver_takes_one_hot_sparse_inputs():
    from scipy.sparse import csr_matrix, hstack
    from sklearn.preprocessing import OneHotEncoder

    X, y = _data(3)
    codes = np.digitize(X[:, :2], [-0.5, 0.5]).astype(str)
    onehot = OneHotEncoder().fit_transform(codes)
    Xs = hstack([csr_matrix(X[:, 2:]), onehot]).tocsr()
    assert fast_solver_applies(LogisticRegression(), Xs)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    pipe = LogisticRegression(tol=1e-10, max_iter=5000)
    ours = search_c(pipe, Xs, y, c_grid=(0.1,), folds=folds, fast=True, scheduler="")
    assert ours.fast_solver
    reference = LogisticRegression(C=0.1, tol=1e-10, max_iter=5000).fit(Xs, y)
    np.testing.assert_allclose(ours.coef_path["coef"][0], reference.coef_, atol=1e-5)
    for fold, (tr, va) in enumerate(folds):
        fit = LogisticRegression(C=0.1, tol=1e-10, max_iter=5000).fit(Xs[tr], y[tr])
        row = ours.cv_results[ours.cv_results["fold"] == fold].iloc[0]
        assert row["accuracy"] == pytest.approx(fit.score(Xs[va], y[va]), abs=1e-12)


@pytest.mark.parametrize("kinds", ["numbers", "several"])
def test_large_tables_prepare_one_path_at_a_time_with_the_same_scores(monkeypatch, kinds):
    # Large paths prepare one at a time; with several kinds of columns they also solve one
    # after another, in one worker.
    import threading
    import time

    import pandas as pd

    from dashboard import search
    from dashboard.features import preprocessor

    if kinds == "numbers":
        X, y = _data(3, n=4000)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
        pipe = make_pipeline(StandardScaler(), LogisticRegression())
    else:
        frame, y = _mixed_frame(n=4000)
        pipe = make_pipeline(
            preprocessor(numeric=["a", "b"], categorical=["colour", "size"]), LogisticRegression()
        )
    folds = list(StratifiedKFold(4, shuffle=True, random_state=0).split(frame, y))
    free = search_c(pipe, frame, y, c_grid=GRID, folds=folds, n_jobs=2, scheduler="")

    inside, most, lock = [0], [0], threading.Lock()
    original = search._prepare

    def counting(*args, **kwargs):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)  # long enough for the other worker to try
        try:
            return original(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(search, "_prepare", counting)
    fitted_in = set()
    fit_step = search._fit_step

    def where(*args, **kwargs):
        fitted_in.add(threading.current_thread().name)
        return fit_step(*args, **kwargs)

    monkeypatch.setattr(search, "_fit_step", where)
    monkeypatch.setattr(search, "ONE_PATH_MIN_BYTES", 1)
    one = search_c(pipe, frame, y, c_grid=GRID, folds=folds, n_jobs=2, scheduler="")
    assert most[0] == 1
    if kinds == "several":
        assert len(fitted_in) == 1  # the paths one after another, in one worker
    pd.testing.assert_frame_equal(one.cv_summary, free.cv_summary)


def _folds_fitted_by_sklearn(pipe, X, y, folds, *, class_weight=None):
    """Each fold's LogisticRegression fit by scikit-learn, as ``out_of_fold_predictions`` takes
    them for ``start``."""
    weighted = clone(pipe).set_params(logisticregression__class_weight=class_weight)
    fits = [clone(weighted).fit(X.iloc[tr], y[tr])[-1] for tr, _ in folds]
    return {
        "C": pipe.named_steps["logisticregression"].C,
        "class_weight": class_weight,
        "coef": [fit.coef_.copy() for fit in fits],
        "intercept": [fit.intercept_.copy() for fit in fits],
    }


@pytest.mark.parametrize("categorical", [False, True])  # fold by fold; folds fused
@pytest.mark.parametrize("start_weight", [None, "balanced"])
def test_out_of_fold_predictions_from_given_fits_are_cross_val_predicts(categorical, start_weight):
    import pandas as pd
    from sklearn.model_selection import cross_val_predict

    from dashboard.features import preprocessor
    from dashboard.search import out_of_fold_predictions

    X, y = _data(3, n=8000, weights=[0.6, 0.3, 0.1])
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    numeric = list(frame.columns)
    if categorical:
        frame["c"] = np.where(X[:, 0] > 0.3, "up", np.where(X[:, 0] < -0.5, "down", "flat"))
        numeric = numeric[1:]
    pre = preprocessor(numeric=numeric, categorical=["c"] if categorical else [])
    pipe = Pipeline([("preprocess", pre), ("logisticregression", LogisticRegression(C=0.5))])
    folds = list(StratifiedKFold(4, shuffle=True, random_state=2).split(frame, y))
    start = _folds_fitted_by_sklearn(pipe, frame, y, folds, class_weight=start_weight)
    ours = out_of_fold_predictions(pipe, frame, y, folds=folds, fast=True, start=start)
    for weight in (None, "balanced"):
        pipe.set_params(logisticregression__class_weight=weight)
        reference = cross_val_predict(pipe, frame, y, cv=folds)
        agree = np.mean(ours[weight] == reference)
        # The given fits are scikit-learn's own: their predictions are the reference's but for
        # rows within rounding of a tie; the other weighting is solved to the tolerance.
        assert agree >= 0.9995 if weight == start_weight else agree >= 0.998
    assert np.mean(ours[None] != ours["balanced"]) > 0.01  # the weighting changes answers


@pytest.mark.parametrize("levels", [3, 40])  # the stacked output dense; sparse
def test_out_of_fold_predictions_reuse_each_folds_fitted_preprocessing(levels):
    from sklearn.model_selection import cross_val_predict

    from dashboard.features import preprocessor
    from dashboard.search import out_of_fold_predictions

    X, y = _data(3, n=8000, weights=[0.6, 0.3, 0.1])
    frame = pd.DataFrame(X[:, 1:], columns=[f"x{i}" for i in range(1, X.shape[1])])
    if levels > 3:
        frame = frame[["x1", "x2"]]
    bins = np.quantile(X[:, 0], np.linspace(0, 1, levels + 1)[1:-1])
    frame["c"] = pd.array(np.digitize(X[:, 0], bins).astype(str), dtype="str")
    numeric = [c for c in frame.columns if c != "c"]
    pre = preprocessor(numeric=numeric, categorical=["c"])
    pipe = Pipeline([("preprocess", pre), ("logisticregression", LogisticRegression(C=0.5))])
    folds = list(StratifiedKFold(4, shuffle=True, random_state=2).split(frame, y))
    start = _folds_fitted_by_sklearn(pipe, frame, y, folds)
    start["preprocess"] = [clone(pre).fit(frame.iloc[tr], y[tr]) for tr, _ in folds]
    assert start["preprocess"][0].sparse_output_ == (levels > 3)
    ours = out_of_fold_predictions(pipe, frame, y, folds=folds, fast=True, start=start)
    for weight in (None, "balanced"):
        pipe.set_params(logisticregression__class_weight=weight)
        reference = cross_val_predict(pipe, frame, y, cv=folds)
        assert np.mean(ours[weight] == reference) >= (0.9995 if weight is None else 0.998)
    assert np.mean(ours[None] != ours["balanced"]) > 0.01  # the weighting changes answers


@pytest.mark.parametrize("n_classes", [2, 9])  # 9: more than the fused search's MAX_CLASSES
@pytest.mark.parametrize("start_weight", ["none given", None, "balanced"])
def test_out_of_fold_predictions_on_one_shared_matrix_are_cross_val_predicts(
    n_classes, start_weight, monkeypatch
):
    from sklearn.model_selection import cross_val_predict

    import dashboard.search as search
    from dashboard.features import preprocessor

    X, y = _data(
        n_classes, n=7000, seed=4, weights=[0.7] + [0.3 / (n_classes - 1)] * (n_classes - 1)
    )
    X[::7, 1] = np.nan  # missing cells: each fold's own median stands in for them
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    pipe = Pipeline(
        [
            ("preprocess", preprocessor(numeric=list(frame.columns))),
            ("logisticregression", LogisticRegression(C=0.3)),
        ]
    )
    folds = list(StratifiedKFold(5, shuffle=True, random_state=1).split(frame, y))
    reference = make_pipeline(
        SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(C=0.3)
    )
    start = None
    if start_weight != "none given":
        start = _folds_fitted_by_sklearn(reference, frame, y, folds, class_weight=start_weight)

    def not_fold_by_fold(*args, **kwargs):
        raise AssertionError("the folds were prepared one by one, not on one shared matrix")

    monkeypatch.setattr(search, "_prepare", not_fold_by_fold)
    ours = search.out_of_fold_predictions(pipe, frame, y, folds=folds, fast=True, start=start)
    for weight in (None, "balanced"):
        expected = cross_val_predict(
            reference.set_params(logisticregression__class_weight=weight), frame, y, cv=folds
        )
        assert np.mean(ours[weight] == expected) >= (0.9995 if weight == start_weight else 0.998)
    assert np.mean(ours[None] != ours["balanced"]) > 0.01  # the weighting changes answers


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(("fitted_with", "solve_for"), [(None, "balanced"), ("balanced", None)])
def test_a_fit_moved_to_the_other_weighting_is_its_optimum_at_zero_coefficients(
    n_classes, fitted_with, solve_for
):
    # At a tiny C the coefficients are all but zero and the intercepts alone fit the weighted
    # class shares: moving one weighting's fit by the log weight ratios gives scikit-learn's fit
    # of the other weighting.
    from dashboard.search import _reweighted_start

    weights = [0.7, 0.3] if n_classes == 2 else [0.6, 0.3, 0.1]
    X, y = _data(n_classes, n=2000, weights=weights)
    codes = np.unique(y, return_inverse=True)[1]

    def fit(class_weight):
        return LogisticRegression(C=1e-7, tol=1e-12, class_weight=class_weight).fit(X, y)

    given, other = fit(fitted_with), fit(solve_for)
    w = np.concatenate([given.coef_, given.intercept_[:, None]], axis=1).ravel()
    moved = _reweighted_start(
        w, codes, n_classes, fitted_with=fitted_with, solve_for=solve_for
    ).reshape(len(other.intercept_), -1)
    assert np.abs(other.intercept_ - given.intercept_).max() > 0.3  # the weighting matters
    np.testing.assert_allclose(moved[:, -1], other.intercept_, atol=1e-4)
    np.testing.assert_array_equal(moved[:, :-1], given.coef_)


def test_out_of_fold_predictions_refuse_fits_of_other_folds_or_c():
    from dashboard.errors import SoftmaxLabError
    from dashboard.search import out_of_fold_predictions

    X, y = _data(2, n=400)
    folds = list(StratifiedKFold(4, shuffle=True, random_state=0).split(X, y))
    start = {"C": 2.0, "class_weight": None, "coef": [np.zeros((1, 8))] * 4,
             "intercept": [np.zeros(1)] * 4}  # fmt: skip
    with pytest.raises(SoftmaxLabError, match="not these 4 folds at C = 1"):
        out_of_fold_predictions(LogisticRegression(), X, y, folds=folds, start=start)
    with pytest.raises(SoftmaxLabError, match="not these 3 folds"):
        out_of_fold_predictions(LogisticRegression(C=2.0), X, y, folds=folds[:3], start=start)


@pytest.mark.parametrize("fast", [False, True])
def test_search_keeps_each_folds_fit_at_the_best_c(fast):
    X, y = _data(3, n=1500)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    pipe = make_pipeline(StandardScaler(), LogisticRegression(tol=1e-10, max_iter=5000))
    ours = search_c(pipe, X, y, c_grid=(0.01, 1.0), folds=folds, fast=fast, scheduler="")
    kept = ours.folds_at_best
    assert kept["C"] == ours.best_C and kept["class_weight"] is None
    for f, (tr, va) in enumerate(folds):
        reference = clone(pipe).set_params(logisticregression__C=ours.best_C).fit(X[tr], y[tr])
        lr = reference.named_steps["logisticregression"]
        np.testing.assert_allclose(kept["coef"][f], lr.coef_, atol=1e-5)
        np.testing.assert_allclose(kept["intercept"][f], lr.intercept_, atol=1e-5)
        scaler = kept["preprocess"][f]  # the fold's own fitted preprocessing
        np.testing.assert_allclose(scaler.transform(X[va]), reference[0].transform(X[va]))


# --------------------------------------------------------------------------------------------
# A ColumnTransformer's branches laid out without stacking, against its own stacked output


def _mixed_frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.integers(0, 9, n).astype(float),
            "colour": pd.array(rng.choice(["red", "green", "blue"], n), dtype="str"),
            "size": pd.array(rng.choice(["S", "M", "L", "XL"], n), dtype="str"),
        }
    )
    frame.loc[rng.random(n) < 0.1, "a"] = np.nan
    frame.loc[rng.random(n) < 0.1, "colour"] = None
    return frame, rng.choice(["x", "y", "z"], n)


def _mixed_transformer(sparse_threshold):
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                ["a", "b"],
            ),
            (
                "categorical",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()),
                ["colour", "size"],
            ),
        ],
        sparse_threshold=sparse_threshold,
    )


@pytest.mark.parametrize("sparse_threshold", [0.3, 1.0])
def test_unstacked_branches_give_the_column_transformers_output(sparse_threshold):
    frame, y = _mixed_frame()
    reference = _mixed_transformer(sparse_threshold)
    stacked = reference.fit_transform(frame, y)
    assert issparse(stacked) == (sparse_threshold == 1.0)
    ours = _mixed_transformer(sparse_threshold)
    parts = _unstacked(ours, frame, y, fit=True)
    assert "_hstack" not in vars(ours)
    assert ours.sparse_output_ == reference.sparse_output_
    like = _stacked_like(ours, parts)
    assert like.shape == (0, stacked.shape[1]) and issparse(like) == issparse(stacked)
    dense = stacked.toarray() if issparse(stacked) else stacked
    np.testing.assert_array_equal(_transposed(list(parts), len(frame)).T, dense)
    np.testing.assert_array_equal(_dense(list(parts), len(frame)), dense)
    # the fitted transformer is the reference's: the same output on other rows
    other, _ = _mixed_frame(50, seed=1)
    np.testing.assert_array_equal(
        _dense(_unstacked(ours, other, fit=False), 50),
        np.asarray(
            reference.transform(other).todense()
            if issparse(stacked)
            else reference.transform(other)
        ),
    )
    np.testing.assert_array_equal(ours.transform(other).shape, reference.transform(other).shape)


def test_a_large_layout_is_float32():
    frame, y = _mixed_frame(n=FAST_FLOAT32_MIN_CELLS // 9 + 1)
    parts = _unstacked(_mixed_transformer(0.3), frame, y, fit=True)
    XT = _transposed(parts, len(frame))
    assert XT.dtype == np.float32 and XT.shape == (9, len(frame)) and parts == []
    reference = _mixed_transformer(0.3).fit_transform(frame, y)
    np.testing.assert_allclose(XT.T, reference, rtol=1e-6)


def test_searching_categories_fits_the_same_preprocessing():
    # _as_categories is what the search fits on: the encoder fitted on it is sklearn's own
    # fit on the text columns, and so are its outputs and names.
    frame, y = _mixed_frame()
    as_categories = _as_categories(frame, ["colour", "size"])
    assert [str(t) for t in as_categories.dtypes] == ["float64", "float64", "category", "category"]
    ours = _mixed_transformer(0.3).fit(as_categories, y)
    reference = _mixed_transformer(0.3).fit(frame, y)
    other, _ = _mixed_frame(50, seed=1)
    np.testing.assert_array_equal(ours.transform(other), reference.transform(other))
    assert list(ours.get_feature_names_out()) == list(reference.get_feature_names_out())
    for (_, mine, _), (_, theirs, _) in zip(
        ours.transformers_, reference.transformers_, strict=True
    ):
        assert pickle.dumps(mine) == pickle.dumps(theirs)


def test_the_kept_preprocessing_has_the_copies_it_was_built_with():
    # The search runs the imputer and scaler after FiniteNumbers in place; the preprocessing
    # it keeps for the final model has each step's own copy setting back, and is sklearn's fit.
    frame, y = _mixed_frame(n=3000)
    columns = ["a", "b"]
    prep = ColumnTransformer(
        [
            ("kept", make_pipeline(FiniteNumbers(), SimpleImputer(), StandardScaler()), columns),
            ("own", make_pipeline(FiniteNumbers(), StandardScaler(copy=False)), ["b"]),
        ]
    )
    pipe = Pipeline([("preprocess", prep), ("logisticregression", LogisticRegression())])
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(frame, y))
    result = search_c(
        pipe, frame, y, c_grid=(0.1, 1.0), folds=folds, fast=True, warm_start=True, scheduler=""
    )
    kept = result.whole[0]
    built = {k: v for k, v in prep.get_params().items() if k.endswith("copy")}
    assert built and {k: kept.get_params()[k] for k in built} == built
    fitted = {name: branch for name, branch, _ in kept.transformers_}
    assert fitted["kept"][1].copy is True and fitted["kept"][2].copy is True
    assert fitted["own"][1].copy is False
    reference = clone(prep).fit(frame, y)
    np.testing.assert_array_equal(kept.transform(frame), reference.transform(frame))


# The search reading its rows by position from a larger table (``rows``)


def test_searching_rows_of_a_larger_table_is_gridsearchcv_on_those_rows():
    # Held-out rows sit among the training rows; the search reads the training rows by
    # position. Its scores are GridSearchCV's on the training part taken by hand, and its
    # coefficient path is scikit-learn's fit on that part.
    frame, y = _mixed_frame(n=3000, seed=2)
    rows = np.random.default_rng(0).permutation(len(frame))[:2200]
    X_part, y_part = frame.iloc[rows], y[rows]
    folds = list(StratifiedKFold(4, shuffle=True, random_state=0).split(X_part, y_part))
    pipe = make_pipeline(_mixed_transformer(0.3), LogisticRegression(tol=1e-10, max_iter=5000))
    ours = search_c(
        pipe, frame, y, c_grid=GRID, folds=folds, rows=rows, fast=True, fuse=False, scheduler=""
    )
    assert ours.fast_solver
    grid = GridSearchCV(pipe, {"logisticregression__C": list(GRID)}, cv=folds).fit(X_part, y_part)
    means = np.asarray(grid.cv_results_["mean_test_score"])
    np.testing.assert_allclose(ours.cv_summary["mean_accuracy"], means, atol=1e-12)
    assert ours.best_C == grid.best_params_["logisticregression__C"]
    reference = clone(pipe).set_params(logisticregression__C=GRID[2]).fit(X_part, y_part)
    lr = reference.named_steps["logisticregression"]
    np.testing.assert_allclose(ours.coef_path["coef"][2], lr.coef_, atol=1e-5)


def test_a_fused_search_of_rows_of_a_larger_table_is_gridsearchcv_on_those_rows():
    from dashboard.features import preprocessor

    X, y = _data(3, n=9000)  # folds of more than WARM_START_MIN_ROWS training rows
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    rows = np.random.default_rng(1).permutation(len(frame))[:8000]
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X[rows], y[rows]))
    pipe = Pipeline(
        [
            ("preprocess", preprocessor(numeric=list(frame.columns))),
            ("logisticregression", LogisticRegression()),
        ]
    )
    ours = search_c(pipe, frame, y, c_grid=GRID, folds=folds, rows=rows, scheduler="")
    assert ours.fused
    grid = GridSearchCV(pipe, {"logisticregression__C": list(GRID)}, cv=folds)
    means = np.asarray(grid.fit(frame.iloc[rows], y[rows]).cv_results_["mean_test_score"])
    assert np.max(np.abs(ours.cv_summary["mean_accuracy"].to_numpy() - means)) <= 1e-3
    assert ours.best_C == grid.best_params_["logisticregression__C"]


def test_large_fold_scores_are_sklearns_pipeline_fit_on_the_fold():
    # From FAST_FLOAT32_MIN_CELLS training cells the validation rows are held in float32 as
    # the solver's inputs: each fold's accuracy is still scikit-learn's own Pipeline fit on
    # that fold, scored on its validation rows, within one validation row in a thousand.
    frame, y = _mixed_frame(n=FAST_FLOAT32_MIN_CELLS // 9 * 2, seed=3)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(frame, y))
    pipe = make_pipeline(_mixed_transformer(0.3), LogisticRegression())
    ours = search_c(
        pipe, frame, y, c_grid=(0.01, 1.0), folds=folds, coef_path=False, fast=True, fuse=False
    )
    assert ours.fast_solver
    for fold, (tr, va) in enumerate(folds):
        fitted = clone(pipe).set_params(logisticregression__C=1.0).fit(frame.iloc[tr], y[tr])
        row = ours.cv_results[(ours.cv_results["fold"] == fold) & (ours.cv_results["C"] == 1.0)]
        expected = fitted.score(frame.iloc[va], y[va])
        assert abs(row["accuracy"].iloc[0] - expected) <= 1e-3


@pytest.mark.parametrize("nan_share", [0.0, 0.02])
@pytest.mark.parametrize(
    ("n", "d", "block_bytes", "least"),
    [(5000, 7, 1, 2), (4001, 13, 64_000, 2), (300, 2, 1, 2), (3000, 17, 1, 8), (2000, 30, 1, 8)],
)
def test_column_block_scaler_fits_standard_scalers_statistics(
    monkeypatch, n, d, block_bytes, least, nan_share
):
    from dashboard import search

    monkeypatch.setattr(search, "SCALER_BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(search, "SCALER_BLOCK_MIN_COLUMNS", least)
    rng = np.random.default_rng(d)
    X = rng.normal(rng.uniform(-1e4, 1e4, d), rng.uniform(1e-3, 1e3, d), (n, d))
    X[:, 1] = 7.0  # a constant column: scale 1
    X[rng.random((n, d)) < nan_share] = np.nan
    reference = StandardScaler().fit(X)
    ours = search._ColumnBlockScaler().fit(X.copy())
    assert sorted(vars(ours)) == sorted(vars(reference))
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        assert type(getattr(ours, name)) is type(getattr(reference, name))
        np.testing.assert_array_equal(getattr(ours, name), getattr(reference, name))
    np.testing.assert_array_equal(ours.transform(X), reference.transform(X))


def test_the_searchs_preprocessing_is_sklearns_fit_with_plain_scalers(monkeypatch):
    from dashboard import search
    from dashboard.features import preprocessor

    monkeypatch.setattr(search, "SCALER_BLOCK_BYTES", 1)
    monkeypatch.setattr(search, "SCALER_BLOCK_MIN_COLUMNS", 2)
    monkeypatch.setattr(search, "SPARSE_CHUNK_BYTES", 100)  # a few rows at a time
    frame, y = _mixed_frame(n=3000)
    frame["c"] = np.random.default_rng(0).normal(size=len(frame))
    pipe = make_pipeline(
        preprocessor(numeric=["a", "b", "c"], categorical=["colour", "size"]),
        LogisticRegression(),
    )
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(frame, y))
    tr, va = folds[0]
    prep = pipe[0]
    data = search._prepare(prep, frame, y, tr, va, pipe[-1], fast=True)
    reference = clone(prep).fit(frame.iloc[tr], y[tr])
    for fitted in (data.preprocess, prep):  # the fitted one and the caller's are plain
        steps = [s for _, b, _ in fitted.transformers for _, s in b.steps]
        assert StandardScaler in {type(s) for s in steps}
        assert all(type(s) is not search._ColumnBlockScaler for s in steps)
    ours = data.preprocess.named_transformers_["numeric"][-1]
    theirs = reference.named_transformers_["numeric"][-1]
    assert vars(ours).keys() == vars(theirs).keys()
    np.testing.assert_array_equal(ours.scale_, theirs.scale_)
    expected = reference.transform(frame)
    expected = expected.toarray() if issparse(expected) else expected
    np.testing.assert_array_equal(data.X_va, expected[va])
    np.testing.assert_allclose(data.fast.XT.T, expected[tr], rtol=1e-6)


def test_sparse_parts_are_written_in_chunks_with_duplicates_summed(monkeypatch):
    from scipy.sparse import csr_matrix

    from dashboard import search

    monkeypatch.setattr(search, "SPARSE_CHUNK_BYTES", 24)  # one row of three columns at a time
    part = csr_matrix(
        (np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 2, 1]), np.array([0, 2, 3, 3, 4])),
        shape=(4, 3),
    )
    dense = np.array([[3.0, 0, 0], [0, 0, 3.0], [0, 0, 0], [0, 4.0, 0]])  # 1 + 2 summed
    np.testing.assert_array_equal(part.toarray(), dense)
    extra = np.arange(4.0)[:, None]
    np.testing.assert_array_equal(_dense([part, extra], 4), np.hstack([dense, extra]))
    np.testing.assert_array_equal(_transposed([extra, part], 4).T, np.hstack([extra, dense]))


def test_large_paths_hold_their_branch_outputs_in_float32(monkeypatch):
    # From FAST_FLOAT32_MIN_CELLS on, the dense branches end in float32 while a path is fitted:
    # the solver's layout and the validation rows are sklearn's own output to float32's
    # precision, and the preprocessing kept is sklearn's fit, without the extra step.
    from dashboard import search
    from dashboard.features import preprocessor

    monkeypatch.setattr(search, "FAST_FLOAT32_MIN_CELLS", 1000)
    frame, y = _mixed_frame(n=3000)
    frame["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        np.random.default_rng(5).integers(0, 5000, len(frame)), unit="h"
    )
    prep = preprocessor(numeric=["a", "b"], categorical=["colour", "size"], dates=["when"])
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(frame, y))
    tr, va = folds[1]
    data = search._prepare(prep, frame, y, tr, va, LogisticRegression(), fast=True)
    reference = clone(prep).fit(frame.iloc[tr], y[tr])
    expected = reference.transform(frame)
    expected = expected.toarray() if issparse(expected) else expected
    assert data.fast.XT.dtype == np.float32 and data.X_va.dtype == np.float32
    np.testing.assert_allclose(data.fast.XT.T, expected[tr], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(data.X_va, expected[va], rtol=1e-6, atol=1e-6)
    for fitted in (data.preprocess, prep):
        steps = [s for _, b, _ in fitted.transformers for _, s in b.steps]
        assert not any(type(s) is search._Float32 for s in steps)
    kept = data.preprocess.transform(frame)
    np.testing.assert_array_equal(kept.toarray() if issparse(kept) else kept, expected)


def test_a_large_path_the_fast_solver_refuses_gets_sklearns_float64_inputs(monkeypatch):
    # The branches' float32 step is added before the fit, when the fast solver is expected; if
    # the output then turns out too wide for it (sparse one-hot wider than
    # FAST_SPARSE_MAX_COLUMNS), scikit-learn's solver must get GridSearchCV's float64 numbers.
    from dashboard import search
    from dashboard.features import preprocessor

    monkeypatch.setattr(search, "FAST_FLOAT32_MIN_CELLS", 1000)
    monkeypatch.setattr(search, "FAST_SPARSE_MAX_COLUMNS", 5)
    frame, y = _mixed_frame(n=3000)
    prep = preprocessor(numeric=["a", "b"], categorical=["colour", "size"], dates=[])
    prep.set_params(sparse_threshold=1.0)  # a sparse output, wider than 5 columns
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(frame, y))
    tr, va = folds[0]
    seen = []
    real = search._prepare

    def spy(*args, **kwargs):
        seen.append(kwargs.get("fast", args[6] if len(args) > 6 else False))
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "_prepare", spy)
    data = search._prepare(prep, frame, y, tr, va, LogisticRegression(), fast=True)
    assert seen == [True, False]  # fitted again without the float32 step
    reference = clone(prep).fit(frame.iloc[tr], y[tr])
    assert data.fast is None and issparse(data.X_tr) and data.X_tr.shape[1] > 5
    assert data.X_tr.dtype == np.float64 and data.X_va.dtype == np.float64
    np.testing.assert_array_equal(
        data.X_tr.toarray(), reference.transform(frame.iloc[tr]).toarray()
    )
    np.testing.assert_array_equal(
        data.X_va.toarray(), reference.transform(frame.iloc[va]).toarray()
    )


@pytest.mark.parametrize("fuse", [False, True])
def test_labels_given_as_codes_search_as_the_labels_themselves(fuse):
    # y as positions in the sorted class names: GridSearchCV's scores on the text labels, and
    # the coefficient path is scikit-learn's fit on them, its classes named.
    from dashboard.features import preprocessor

    X, y = _data(3, n=9000)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    names, codes = np.unique(y, return_inverse=True)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    pipe = Pipeline(
        [
            ("preprocess", preprocessor(numeric=list(frame.columns))),
            ("logisticregression", LogisticRegression()),
        ]
    )
    ours = search_c(
        pipe, frame, codes.astype(np.uint8), c_grid=GRID, folds=folds, classes=names, fuse=fuse
    )
    assert ours.fused == fuse
    grid = GridSearchCV(pipe, {"logisticregression__C": list(GRID)}, cv=folds).fit(frame, y)
    means = np.asarray(grid.cv_results_["mean_test_score"])
    assert np.max(np.abs(ours.cv_summary["mean_accuracy"].to_numpy() - means)) <= 1e-3
    assert ours.best_C == grid.best_params_["logisticregression__C"]
    reference = clone(pipe).set_params(logisticregression__C=1.0).fit(frame, y)
    assert ours.coef_path["coef_classes"] == list(reference.classes_)
    at = list(GRID).index(1.0)
    np.testing.assert_allclose(ours.coef_path["coef"][at], reference[-1].coef_, atol=1e-3)


@pytest.mark.parametrize("order", ["C", "F"])
def test_column_block_scaler_sums_in_the_inputs_memory_order(monkeypatch, order):
    # numpy sums a column-major array's columns pairwise, a row-major one's row by row: each
    # block keeps the input's order, so the statistics are StandardScaler's to the last bit.
    from dashboard import search

    monkeypatch.setattr(search, "SCALER_BLOCK_BYTES", 1)
    monkeypatch.setattr(search, "SCALER_BLOCK_MIN_COLUMNS", 2)
    rng = np.random.default_rng(7)
    X = np.asarray(rng.normal(3.0, 5.0, (20_000, 7)), order=order)
    X[::13, 2] = np.nan
    reference = StandardScaler().fit(X)
    ours = search._ColumnBlockScaler().fit(X.copy(order=order))
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(reference, name))


def test_the_whole_data_path_fits_scalers_on_column_blocks_as_sklearn(monkeypatch):
    # Every path fits its scalers on column blocks; the whole-data path (no validation rows)
    # keeps its preprocessing for the final model, plain and sklearn's fit to the last bit.
    from dashboard import search
    from dashboard.features import preprocessor

    monkeypatch.setattr(search, "SCALER_BLOCK_BYTES", 1)
    monkeypatch.setattr(search, "SCALER_BLOCK_MIN_COLUMNS", 2)
    fitted_on_blocks = []
    original = search._ColumnBlockScaler.fit

    def counting(self, X, y=None, sample_weight=None):
        fitted_on_blocks.append(X.shape[1])
        return original(self, X, y, sample_weight)

    monkeypatch.setattr(search._ColumnBlockScaler, "fit", counting)
    frame, y = _mixed_frame(n=3000)
    for name in "cdef":
        frame[name] = np.random.default_rng(ord(name)).normal(size=len(frame))
    prep = preprocessor(numeric=["a", "b", "c", "d", "e", "f"], categorical=["colour", "size"])
    rows = np.arange(len(frame))
    data = search._prepare(prep, frame, y, rows, None, LogisticRegression(), fast=True)
    assert fitted_on_blocks == [6]
    reference = clone(prep).fit(frame, y)
    steps = [s for _, b, _ in data.preprocess.transformers_ for _, s in b.steps]
    assert StandardScaler in {type(s) for s in steps}
    assert all(type(s) is not search._ColumnBlockScaler for s in steps)
    ours = data.preprocess.named_transformers_["numeric"][-1]
    theirs = reference.named_transformers_["numeric"][-1]
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))


def test_a_large_path_hands_back_memory_after_each_branch_and_keeps_a_plain_pipeline(
    monkeypatch,
):
    # A large path's branches end with a step that hands the allocators' free pages back
    # (`_Released`); the preprocessing kept for the model has none of the search's steps and
    # transforms as scikit-learn's own fit does, to the last bit.
    from dashboard import search
    from dashboard.features import preprocessor

    released = []
    monkeypatch.setattr(search, "release_free_memory", lambda: released.append(1))
    monkeypatch.setattr(search, "ONE_PATH_MIN_BYTES", 1)
    frame, y = _mixed_frame(n=3000)
    frame["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        np.random.default_rng(1).integers(0, 2000, len(frame)), unit="D"
    )
    prep = preprocessor(numeric=["a", "b"], categorical=["colour", "size"], dates=["when"])
    rows = np.arange(len(frame))
    data = search._prepare(prep, frame, y, rows[:2400], rows[2400:], LogisticRegression(),
                           fast=True)  # fmt: skip
    # one release after each of the three branches (and one after the path's preparation)
    assert len(released) >= 3
    reference = clone(prep).fit(frame.iloc[:2400], y[:2400])
    for (name, ours, _), (_, theirs, _) in zip(
        data.preprocess.transformers_, reference.transformers_, strict=True
    ):
        assert [type(s) for _, s in ours.steps] == [type(s) for _, s in theirs.steps], name
    np.testing.assert_array_equal(
        data.preprocess.transform(frame.iloc[2400:]), reference.transform(frame.iloc[2400:])
    )
    # the unfitted pipeline given is unchanged too
    assert [type(s) for _, b, _ in prep.transformers for _, s in b.steps] == [
        type(s) for _, b, _ in preprocessor(
            numeric=["a", "b"], categorical=["colour", "size"], dates=["when"]
        ).transformers for _, s in b.steps
    ]  # fmt: skip
