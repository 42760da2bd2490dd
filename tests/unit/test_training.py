"""dashboard.training and dashboard.search against scikit-learn's own GridSearchCV and numbers by hand."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_classification
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_predict,
    train_test_split,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from dashboard.errors import SoftmaxLabError
from dashboard.limits import Limits
from dashboard.search import default_workers, search_c
from dashboard.training import (
    SEED_GRID,
    Progress,
    TrainingConfig,
    TrainingStopped,
    class_weight_what_if,
    normalise_labels,
    parse_c_grid,
    prepare_again,
    train,
)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """References too run with one BLAS thread: on a shared 2-core machine, oversubscribed
    BLAS threads make GridSearchCV many times slower (the numbers do not change)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# --------------------------------------------------------------------------------------------
# Data sets


def _sklearn_frame(loader, target="label"):
    bunch = loader(as_frame=True)
    frame = bunch.frame.rename(columns={"target": target})
    frame[target] = frame[target].map(dict(enumerate(bunch.target_names)))
    return frame


def _messy_frame(rows: int = 500, seed: int = 3) -> pd.DataFrame:
    """Numeric, boolean and categorical columns with missing values; three classes."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue", "grey"], size=rows)
    size = rng.normal(10, 3, size=rows)
    weight = rng.gamma(2.0, 5.0, size=rows)
    shiny = rng.random(rows) < 0.4
    score = 0.6 * (size - 10) - 0.2 * (weight - 10) + np.where(colour == "red", 2.0, 0.0)
    score += np.where(shiny, -1.0, 0.5) + rng.normal(0, 1.2, size=rows)
    label = np.where(score > 1.0, "high", np.where(score > -1.0, "mid", "low"))
    frame = pd.DataFrame(
        {
            "size": size,
            "weight": weight,
            "colour": pd.array(colour, dtype="str"),
            "shiny": shiny,
            "label": label,
        }
    )
    frame.loc[rng.random(rows) < 0.1, "size"] = np.nan
    frame.loc[rng.random(rows) < 0.1, "colour"] = None
    return frame


def _noise(rows: int) -> np.ndarray:
    return np.random.default_rng(0).normal(size=rows).round(1)


def _reference_pipeline(numeric, categorical, *, seed, class_weight=None, max_iter=1000):
    """The pipeline the contract describes, built here by hand (not with build_pipeline)."""
    parts = []
    if numeric:
        parts.append(
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric)
        )
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", max_categories=50, sparse_output=False)
        parts.append(
            (
                "categorical",
                make_pipeline(SimpleImputer(strategy="most_frequent"), encoder),
                categorical,
            )
        )
    return Pipeline(
        [
            ("preprocess", ColumnTransformer(parts)),
            (
                "logisticregression",
                LogisticRegression(
                    solver="lbfgs", max_iter=max_iter, random_state=seed, class_weight=class_weight
                ),
            ),
        ]
    )


def _reference(frame, target, numeric, categorical, *, seed=0, folds=5, test_size=0.2, **kw):
    """Split, folds and GridSearchCV exactly as the contract states, with scikit-learn alone."""
    X = frame[numeric + categorical]
    y = frame[target].astype(str).to_numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    grid = GridSearchCV(
        _reference_pipeline(numeric, categorical, seed=seed, **kw),
        {"logisticregression__C": list(SEED_GRID)},
        cv=cv,
    ).fit(X_tr, y_tr)
    return grid, X_te, y_te


def _assert_same_answer(model, grid):
    means = np.asarray(grid.cv_results_["mean_test_score"])  # grid order == SEED_GRID, sorted
    ours = model.cv_summary["mean_accuracy"].to_numpy()
    assert list(model.cv_summary["C"]) == list(SEED_GRID)
    assert np.max(np.abs(ours - means)) <= 1e-3
    chosen = list(SEED_GRID).index(model.best_C)
    assert model.best_C == grid.best_params_["logisticregression__C"] or (
        grid.best_score_ - means[chosen] <= 1e-4
    )


CASES = {
    "iris": (lambda: _sklearn_frame(load_iris), "label", None, []),
    "wine": (lambda: _sklearn_frame(load_wine), "label", None, []),
    "breast cancer": (lambda: _sklearn_frame(load_breast_cancer), "label", None, []),
    "messy": (_messy_frame, "label", ["size", "weight", "shiny"], ["colour"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_answer_as_gridsearchcv(name):
    make, target, numeric, categorical = CASES[name]
    frame = make()
    if numeric is None:
        numeric = [c for c in frame.columns if c != target]
    config = TrainingConfig(target=target, features=tuple(numeric + categorical), seed=7)
    model = train(frame, config, scheduler="")
    assert model.numeric_columns == tuple(numeric)
    assert model.categorical_columns == tuple(categorical)

    grid, X_te, y_te = _reference(frame, target, numeric, categorical, seed=7)
    _assert_same_answer(model, grid)

    # The refit at the best C and its held-out scores, as scikit-learn alone gives them.
    assert list(model.test_index) == list(X_te.index)
    assert list(model.y_test) == list(y_te)
    reference = (
        grid.best_estimator_ if model.best_C == grid.best_params_["logisticregression__C"] else None
    )
    if reference is not None:
        np.testing.assert_allclose(model.test_proba, reference.predict_proba(X_te), atol=1e-9)
        assert model.evaluation.accuracy == pytest.approx(reference.score(X_te, y_te))
    assert model.classes == tuple(sorted(set(y_te)))
    np.testing.assert_allclose(softmax(model.test_logits, axis=1), model.test_proba, atol=1e-9)
    assert list(model.test_pred) == list(model.pipeline.predict(model.X_test))
    assert model.n_train + model.n_test == len(frame)
    assert len(model.cv_results) == len(SEED_GRID) * 5


def test_fold_scores_and_log_loss_match_a_hand_loop():
    frame = _sklearn_frame(load_wine)
    features = tuple(c for c in frame.columns if c != "label")
    model = train(frame, TrainingConfig(target="label", features=features, c_grid=(0.1, 1.0)))
    X = frame[list(features)]
    y = frame["label"].astype(str).to_numpy()
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for fold, (tr, va) in enumerate(cv.split(X_tr, y_tr)):
        for C in (0.1, 1.0):
            pipe = _reference_pipeline(list(features), [], seed=0)
            pipe.set_params(logisticregression__C=C).fit(X_tr.iloc[tr], y_tr[tr])
            proba = pipe.predict_proba(X_tr.iloc[va])
            results = model.cv_results
            row = results[(results["C"] == C) & (results["fold"] == fold)].iloc[0]
            assert row["accuracy"] == pytest.approx(pipe.score(X_tr.iloc[va], y_tr[va]))
            # log-loss by hand: mean of -log p(true class)
            true = np.searchsorted(pipe.classes_, y_tr[va])
            hand = -np.mean(np.log(proba[np.arange(len(va)), true]))
            assert row["log_loss"] == pytest.approx(hand, rel=1e-9)
            assert bool(row["converged"])


def test_warm_started_search_stays_within_tolerance():
    X, y = make_classification(
        n_samples=3000, n_features=12, n_informative=9, n_classes=3, random_state=1
    )
    folds = list(StratifiedKFold(5).split(X, y))  # what GridSearchCV(cv=5) uses
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    ours = search_c(pipe, X, y, c_grid=SEED_GRID, folds=folds, warm_start=True, scheduler="")
    assert ours.warm_start
    grid = GridSearchCV(pipe, {"logisticregression__C": list(SEED_GRID)}, cv=5).fit(X, y)
    means = grid.cv_results_["mean_test_score"]
    assert np.max(np.abs(ours.cv_summary["mean_accuracy"].to_numpy() - means)) <= 1e-3
    chosen = list(SEED_GRID).index(ours.best_C)
    assert grid.best_score_ - means[chosen] <= 1e-4


def test_coefficient_path_matches_fits_on_the_training_part():
    frame = _sklearn_frame(load_iris)
    features = tuple(c for c in frame.columns if c != "label")
    model = train(frame, TrainingConfig(target="label", features=features, c_grid=(0.01, 1.0)))
    path = model.coef_path
    assert path["C"] == [0.01, 1.0]
    assert path["coef"].shape == (2, 3, 4)
    assert path["feature_names"] == list(features)
    assert path["coef_classes"] == list(model.classes)
    X = frame[list(features)]
    y = frame["label"].astype(str).to_numpy()
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    for i, C in enumerate(path["C"]):
        pipe = _reference_pipeline(list(features), [], seed=0)
        pipe.set_params(logisticregression__C=C).fit(X_tr, y_tr)
        lr = pipe.named_steps["logisticregression"]
        np.testing.assert_allclose(path["coef"][i], lr.coef_, rtol=1e-6, atol=1e-8)


def test_binary_target_logits_and_one_hot_names():
    frame = _messy_frame()
    frame["label"] = np.where(frame["label"] == "high", "yes", "no")
    config = TrainingConfig(target="label", features=("size", "colour"), c_grid=(1.0,))
    model = train(frame, config)
    assert model.classes == ("no", "yes")
    assert model.test_logits.shape == (model.n_test, 2)
    np.testing.assert_allclose(softmax(model.test_logits, axis=1), model.test_proba, atol=1e-12)
    assert model.coef_path["coef"].shape == (1, 1, 5)
    assert model.coef_path["coef_classes"] == ["yes"]
    assert model.coef_path["feature_names"] == [
        "size",
        "colour = blue",
        "colour = green",
        "colour = grey",
        "colour = red",
    ]


def test_class_weight_what_if_is_out_of_fold_prediction_on_the_training_part():
    frame = _messy_frame(rows=300, seed=11)
    config = TrainingConfig(target="label", features=("size", "weight", "colour"), c_grid=(1.0,))
    model = train(frame, config)
    y_true, none, balanced = class_weight_what_if(frame, model)
    X = frame[["size", "weight", "colour"]]
    y = frame["label"].astype(str).to_numpy()
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    assert list(y_true) == list(y_tr)
    for weight, ours in ((None, none), ("balanced", balanced)):
        pipe = _reference_pipeline(["size", "weight"], ["colour"], seed=0, class_weight=weight)
        pipe.set_params(logisticregression__C=1.0)
        assert list(ours) == list(cross_val_predict(pipe, X_tr, y_tr, cv=cv))
    with pytest.raises(SoftmaxLabError, match="not the one the model was trained on"):
        class_weight_what_if(frame.iloc[::-1].reset_index(drop=True), model)


def test_the_record_keeps_the_rows_and_folds_of_sklearns_own_split():
    # Rows without a label and a class too small are left out, and the index repeats: the
    # record's rows are table positions, and they rebuild sklearn's split and folds exactly.
    frame = _sklearn_frame(load_iris)
    frame["label"] = frame["label"].astype(object)
    frame.loc[[0, 60, 120], "label"] = None
    frame.loc[[7, 8, 9], "label"] = "rare"
    frame.index = [i // 2 for i in range(len(frame))]
    features = tuple(c for c in frame.columns if c != "label")
    config = TrainingConfig(target="label", features=features, c_grid=(1.0,), seed=4)
    model = train(frame, config)
    kept = np.flatnonzero(frame["label"].notna() & (frame["label"] != "rare"))
    rows = frame.iloc[kept].assign(position=kept)
    y = rows["label"].astype(str).to_numpy()
    tr, te, y_tr, y_te = train_test_split(rows, y, test_size=0.2, stratify=y, random_state=4)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=4).split(tr, y_tr))
    split = model.split
    assert split.train_rows.tolist() == tr["position"].tolist()
    assert split.test_rows.tolist() == te["position"].tolist()
    assert np.asarray(model.classes)[split.codes].tolist() == y_tr.tolist()
    assert split.fold.itemsize == 1 and split.codes.itemsize == 1
    for (ours_tr, ours_va), (ref_tr, ref_va) in zip(split.folds(5), folds, strict=True):
        assert ours_tr.tolist() == ref_tr.tolist() and ours_va.tolist() == ref_va.tolist()
    data = prepare_again(frame, model)
    pd.testing.assert_frame_equal(data.X_train, tr[list(features)])
    pd.testing.assert_frame_equal(data.X_test, model.X_test)
    assert data.y_train.tolist() == y_tr.tolist() and data.y_test.tolist() == y_te.tolist()
    for (ours_tr, ours_va), (ref_tr, ref_va) in zip(data.folds, folds, strict=True):
        assert ours_tr.tolist() == ref_tr.tolist() and ours_va.tolist() == ref_va.tolist()


@pytest.mark.parametrize("change", ["one label", "one more row", "one row fewer", "no label"])
def test_a_table_other_than_the_models_is_refused_without_a_new_split(change):
    frame = _messy_frame(rows=200, seed=2)
    config = TrainingConfig(target="label", features=("size", "colour"), c_grid=(1.0,))
    model = train(frame, config)
    other = frame.copy()
    if change == "one label":
        row = int(model.split.train_rows[0])
        other.loc[row, "label"] = "mid" if other.loc[row, "label"] != "mid" else "low"
    elif change == "one more row":
        other = pd.concat([other, other.iloc[:1]], ignore_index=True)
    elif change == "one row fewer":
        other = other.iloc[:-1]
    else:
        other.loc[int(model.split.test_rows[0]), "label"] = None
    with pytest.raises(SoftmaxLabError, match="not the one the model was trained on"):
        prepare_again(other, model)
    assert prepare_again(frame, model).y_train.tolist() == list(
        np.asarray(model.classes)[model.split.codes]
    )


@pytest.mark.parametrize("features", [("size", "weight"), ("size", "weight", "colour")])
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_class_weight_what_if_on_large_folds_is_out_of_fold_prediction(features, class_weight):
    # From 5,000 training rows per fold the search warm-starts and the what-if starts from the
    # search's fits of the folds (numbers only: all folds at once): the same predictions as
    # scikit-learn's but for rows the solvers' tolerance leaves within a hair of a tie.
    frame = _messy_frame(rows=8000, seed=5)
    config = TrainingConfig(
        target="label", features=features, c_grid=(0.1, 1.0), class_weight=class_weight
    )
    model = train(frame, config)
    assert model.folds_at_best["C"] == model.best_C
    y_true, none, balanced = class_weight_what_if(frame, model)
    X = frame[list(features)]
    y = frame["label"].astype(str).to_numpy()
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    assert list(y_true) == list(y_tr)
    categorical = [f for f in features if f == "colour"]
    numeric = [f for f in features if f != "colour"]
    for weight, ours in ((None, none), ("balanced", balanced)):
        pipe = _reference_pipeline(numeric, categorical, seed=0, class_weight=weight)
        pipe.set_params(logisticregression__C=model.best_C)
        assert np.mean(ours == cross_val_predict(pipe, X_tr, y_tr, cv=cv)) >= 0.998
    assert np.mean(none != balanced) > 0.01  # the weighting changes answers


# --------------------------------------------------------------------------------------------
# Progress, stop, notes, limits


def test_progress_arrives_in_the_callers_thread_fit_by_fit():
    frame = _sklearn_frame(load_iris)
    features = tuple(c for c in frame.columns if c != "label")
    caller = threading.get_ident()
    seen: list[tuple[Progress, int]] = []
    train(
        frame,
        TrainingConfig(target="label", features=features, cv_folds=3, n_jobs=2),
        on_progress=lambda p: seen.append((p, threading.get_ident())),
    )
    assert {ident for _, ident in seen} == {caller}
    progress = [p for p, _ in seen]
    total = len(SEED_GRID) * (3 + 1) + 1
    assert [p.done for p in progress] == list(range(1, total + 1))
    assert all(p.total == total for p in progress)
    folds = {(p.C, p.fold) for p in progress if p.fold is not None}
    assert folds == {(c, k) for c in SEED_GRID for k in range(3)}
    assert progress[-1].remaining == 0.0 and progress[-1].fraction == 1.0
    assert all(p.remaining is not None and p.remaining >= 0 for p in progress)
    assert all(b.elapsed >= a.elapsed for a, b in zip(progress, progress[1:], strict=False))


def test_stop_request_ends_training_quickly_without_a_model(monkeypatch):
    # "Quickly" counted in work, not seconds: once asked to stop, the search is not polled
    # again and each worker finishes at most the fit it was in, far from the whole search.
    X, y = make_classification(n_samples=4000, n_features=20, n_informative=15, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)]).assign(label=y)
    fits: list[int] = []
    original_fit = LogisticRegression.fit

    def counting_fit(self, *args, **kwargs):
        fits.append(1)
        return original_fit(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", counting_fit)
    polls: list[int] = []  # fits started when each poll happened

    def should_stop():
        polls.append(len(fits))
        return len(polls) > 2

    seen: list[Progress] = []
    with pytest.raises(TrainingStopped):
        train(
            frame,
            TrainingConfig(target="label", features=tuple(f"x{i}" for i in range(20))),
            should_stop=should_stop,
            on_progress=seen.append,
        )
    for thread in threading.enumerate():  # let the abandoned fits end before counting
        if thread.name.startswith("softmax-lab-fit"):
            thread.join(timeout=120)
    total = len(SEED_GRID) * (5 + 1) + 1
    workers = default_workers(None, 5 + 1)
    assert len(polls) == 3  # the first "stop" ends the search: no further poll
    assert len(seen) <= polls[-1] < total
    assert len(fits) <= polls[-1] + workers < total


def test_stop_after_the_search_prevents_the_model():
    frame = _sklearn_frame(load_wine)
    features = tuple(c for c in frame.columns if c != "label")
    seen: list[Progress] = []
    total = len(SEED_GRID) * 6 + 1

    with pytest.raises(TrainingStopped):
        train(
            frame,
            TrainingConfig(target="label", features=features),
            on_progress=seen.append,
            should_stop=lambda: len(seen) >= total - 1,
        )
    assert len(seen) == total - 1  # every fit of the search, no final model


def test_convergence_warnings_become_notes_not_console_noise():
    frame = _sklearn_frame(load_wine)
    features = tuple(c for c in frame.columns if c != "label")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = train(
            frame, TrainingConfig(target="label", features=features, c_grid=(100.0,), max_iter=2)
        )
    assert not [w for w in caught if "converge" in str(w.message)]
    assert model.notes[0].startswith("At C=100 the solver stopped before converging")
    assert not model.cv_results["converged"].any()
    assert not model.cv_summary["converged"].iloc[0]


def test_limits_have_their_own_messages():
    frame = _sklearn_frame(load_iris)
    features = tuple(c for c in frame.columns if c != "label")
    config = TrainingConfig(target="label", features=features)
    with pytest.raises(SoftmaxLabError, match="6 values of C times 5 folds make 30 fits"):
        train(frame, config, limits=Limits(max_fits=20))
    with pytest.raises(SoftmaxLabError, match="more than the limit of 3"):
        train(frame, config, limits=Limits(max_c_values=3))
    with pytest.raises(SoftmaxLabError, match="longer than the limit of 0 seconds"):
        train(frame, config, limits=Limits(max_training_seconds=0))


def test_class_weight_balanced_matches_gridsearchcv():
    frame = _messy_frame(rows=400, seed=5)
    frame = frame[~((frame["label"] == "mid") & (np.arange(len(frame)) % 3 != 0))]
    config = TrainingConfig(
        target="label", features=("size", "weight", "colour"), class_weight="balanced"
    )
    model = train(frame, config)
    grid, _, _ = _reference(
        frame, "label", ["size", "weight"], ["colour"], seed=0, class_weight="balanced"
    )
    _assert_same_answer(model, grid)


# --------------------------------------------------------------------------------------------
# The target


def test_labels_unify_numbers_and_text():
    labels = normalise_labels(pd.Series([1, 1.0, "1", "1.0", " 2", 2.0, "x", "", np.nan]))
    assert labels.tolist() == ["1", "1", "1", "1", "2", "2", "x", None, None]
    assert normalise_labels(pd.Series([True, False])).tolist() == ["True", "False"]


def test_mixed_numeric_labels_train_as_one_class_each():
    frame = _sklearn_frame(load_iris)
    codes = {"setosa": 0, "versicolor": 1, "virginica": 2}
    mixed = [
        [1.0, "1", 1][i % 3] if codes[v] == 1 else codes[v] for i, v in enumerate(frame["label"])
    ]
    frame["label"] = pd.Series(mixed, dtype=object)
    features = tuple(c for c in frame.columns if c != "label")
    model = train(frame, TrainingConfig(target="label", features=features, c_grid=(1.0,)))
    assert model.classes == ("0", "1", "2")


def test_missing_target_rows_are_dropped_and_counted():
    frame = _sklearn_frame(load_iris)
    frame["label"] = frame["label"].astype(object)
    frame.loc[[0, 60, 120], "label"] = None
    frame.loc[[5], "label"] = "   "
    features = tuple(c for c in frame.columns if c != "label")
    model = train(frame, TrainingConfig(target="label", features=features, c_grid=(1.0,)))
    assert model.rows_dropped == 4
    assert model.n_train + model.n_test == 146
    assert any("4 rows without a value" in n for n in model.notes)


def test_target_needs_two_classes():
    frame = pd.DataFrame({"x": np.random.default_rng(0).normal(size=20), "y": ["a"] * 20})
    with pytest.raises(SoftmaxLabError, match="only one value"):
        train(frame, TrainingConfig(target="y", features=("x",)))


def test_continuous_target_is_refused_with_a_suggestion():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=300), "price": rng.gamma(2, 10, size=300)})
    with pytest.raises(SoftmaxLabError, match="looks like a measurement") as err:
        train(frame, TrainingConfig(target="price", features=("x",)))
    assert "ranges" in str(err.value)


def test_too_many_classes_is_refused():
    frame = pd.DataFrame({"x": _noise(600), "y": [f"k{i % 60}" for i in range(600)]})
    with pytest.raises(SoftmaxLabError, match="60 different values, more than the limit of 50"):
        train(frame, TrainingConfig(target="y", features=("x",)))


def test_small_classes_are_dropped_by_default_and_named_or_refused():
    frame = _sklearn_frame(load_iris)
    frame["label"] = frame["label"].astype(object)
    frame.loc[frame.index[:3], "label"] = "rare"  # 3 rows: too few for 5 folds + held-out
    frame.loc[frame.index[3:5], "label"] = "tiny"
    features = tuple(c for c in frame.columns if c != "label")
    refusing = TrainingConfig(
        target="label", features=features, c_grid=(1.0,), small_classes="refuse"
    )
    with pytest.raises(SoftmaxLabError) as err:
        train(frame, refusing)
    message = str(err.value)
    assert "'rare' (3 rows)" in message and "'tiny' (2 rows)" in message
    assert "at least 8 rows" in message
    model = train(frame, TrainingConfig(target="label", features=features, c_grid=(1.0,)))
    assert model.classes_dropped == ("rare", "tiny")
    assert model.dropped_class_rows == (("rare", 3), ("tiny", 2))
    assert any("Classes 'rare' (3 rows), 'tiny' (2 rows) were left out" in n for n in model.notes)
    assert model.classes == ("setosa", "versicolor", "virginica")
    assert model.n_train + model.n_test == 145


def test_held_out_share_too_small_for_the_classes():
    frame = pd.DataFrame({"x": _noise(100), "y": [f"k{i % 10}" for i in range(100)]})
    with pytest.raises(SoftmaxLabError, match="fewer than the 10 classes"):
        train(frame, TrainingConfig(target="y", features=("x",), test_size=0.05, cv_folds=2))


# --------------------------------------------------------------------------------------------
# Features and config


def test_categorical_columns_of_mixed_types_are_read_as_text():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "mixed": pd.Series([1, "a", None, 2.5] * 50, dtype=object),
            "x": rng.normal(size=200),
            "y": rng.choice(["p", "q"], size=200),
        }
    )
    model = train(frame, TrainingConfig(target="y", features=("mixed", "x"), c_grid=(1.0,)))
    assert model.categorical_columns == ("mixed",)
    names = model.coef_path["feature_names"]
    assert names == ["x", "mixed = 1", "mixed = 2.5", "mixed = a"]  # None imputed, not a value
    assert any("read as text" in note for note in model.notes)


def test_unusable_features_are_left_out_with_a_reason():
    frame = _sklearn_frame(load_iris)
    frame["code"] = [f"C{i:05d}" for i in range(len(frame))]
    frame["empty"] = np.nan
    model = train(
        frame,
        TrainingConfig(
            target="label", features=("sepal length (cm)", "code", "empty"), c_grid=(1.0,)
        ),
    )
    assert model.numeric_columns == ("sepal length (cm)",)
    excluded = dict(model.excluded_columns)
    assert "code" in excluded and "empty" in excluded
    with pytest.raises(SoftmaxLabError, match="None of the chosen features can be used"):
        train(frame, TrainingConfig(target="label", features=("code",), c_grid=(1.0,)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cv_folds": 1}, "at least 2 folds"),
        ({"cv_folds": 2.5}, "whole number"),
        ({"test_size": 0.0}, "between 0 and 1"),
        ({"test_size": 1.0}, "between 0 and 1"),
        ({"features": ("a", "y")}, "also among the features"),
        ({"features": ()}, "No feature column"),
        ({"class_weight": "heavy"}, "Class weights"),
        ({"max_iter": 0}, "Maximum iterations"),
        ({"n_jobs": 0}, "Parallel jobs"),
        ({"small_classes": "keep"}, "Small classes"),
        ({"c_grid": (1.0, -2.0)}, "greater than 0"),
        ({"c_grid": (float("inf"),)}, "not a finite number"),
    ],
)
def test_config_is_checked_when_made(kwargs, message):
    args = {"target": "y", "features": ("a",), **kwargs}
    with pytest.raises(SoftmaxLabError, match=message):
        TrainingConfig(**args)


def test_config_merges_and_sorts_c_values():
    config = TrainingConfig(target="y", features=("a",), c_grid=(10, 0.1, 0.1))
    assert config.c_grid == (0.1, 10.0)
    assert TrainingConfig(target="y", features="a", c_grid="1, 1e-2").c_grid == (0.01, 1.0)


def test_a_duplicated_index_does_not_duplicate_rows():
    frame = _sklearn_frame(load_iris)
    frame.index = [i // 2 for i in range(len(frame))]  # every label twice
    features = tuple(c for c in frame.columns if c != "label")
    model = train(frame, TrainingConfig(target="label", features=features, c_grid=(1.0,)))
    assert model.n_train + model.n_test == len(frame)


def test_features_must_exist_in_the_table():
    frame = pd.DataFrame({"a": range(40), "y": ["p", "q"] * 20})
    with pytest.raises(SoftmaxLabError, match="no column named 'b'"):
        train(frame, TrainingConfig(target="y", features=("a", "b")))
    with pytest.raises(SoftmaxLabError, match="no column named 'z'"):
        train(frame, TrainingConfig(target="z", features=("a",)))


# --------------------------------------------------------------------------------------------
# The C grid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.001, 0.01, 0.1, 1, 10, 100", SEED_GRID),
        ("1e-3;1E2", (0.001, 100.0)),
        ("1_000  0.5", (0.5, 1000.0)),
        ("  10 ,, 10 ; 1 ", (1.0, 10.0)),
        ("1e\u22123, 1", (0.001, 1.0)),  # Unicode minus sign
        ("\uff11\uff10, \uff10.\uff15", (0.5, 10.0)),  # full-width digits and point
        ("+2", (2.0,)),
    ],
)
def test_c_grid_accepts_what_people_type(text, expected):
    assert parse_c_grid(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No value of C"),
        ("0.1, abc", "'abc' is not a number \\(entry 2"),
        ("1, 0", "'0' is not \\(entry 2"),
        ("\u22121", "greater than 0, and '-1'"),
        ("1, inf", "'inf' is not a finite number"),
        ("nan", "'nan' is not a finite number"),
        ("1e9", "outside the sensible range"),
        ("1e-7", "outside the sensible range"),
        ("1__0", "'1__0' is not a number"),
        ("0,1.5", "'0' is not"),
    ],
)
def test_c_grid_names_the_wrong_entry(text, message):
    with pytest.raises(SoftmaxLabError, match=message):
        parse_c_grid(text)


def test_c_grid_has_a_bounded_count():
    many = ", ".join(str(10.0**k) for k in range(-5, 6))  # 11 values
    assert len(parse_c_grid(many)) == 11
    with pytest.raises(SoftmaxLabError, match="11 values of C are more than the limit of 10"):
        parse_c_grid(many, limits=Limits(max_c_values=10))


def test_large_search_with_the_fast_solver_gives_gridsearchcvs_answer():
    # 8,000 rows: the folds pass WARM_START_MIN_ROWS, so the fast solver draws the search and
    # the final fit starts from its coefficient path, reusing its preprocessing.
    frame = _messy_frame(rows=8000, seed=5)
    numeric, categorical = ["size", "weight", "shiny"], ["colour"]
    config = TrainingConfig(target="label", features=tuple(numeric + categorical), seed=7)
    model = train(frame, config, scheduler="")
    assert model.timings["warm_start"]
    grid, X_te, y_te = _reference(frame, "label", numeric, categorical, seed=7)
    _assert_same_answer(model, grid)
    # The final pipeline is a plain fit at the best C: parameters, preprocessing and answers.
    reference = _reference_pipeline(numeric, categorical, seed=7)
    reference.set_params(logisticregression__C=model.best_C)
    X_tr = frame.loc[~frame.index.isin(X_te.index), numeric + categorical]
    y_tr = frame.loc[X_tr.index, "label"].astype(str).to_numpy()
    reference.fit(X_tr, y_tr)
    final = model.pipeline.named_steps["logisticregression"]
    assert final.get_params() == reference.named_steps["logisticregression"].get_params()
    np.testing.assert_allclose(
        model.pipeline[:-1].transform(X_te), reference[:-1].transform(X_te), atol=1e-12
    )
    np.testing.assert_allclose(model.test_proba, reference.predict_proba(X_te), atol=2e-3)
    assert np.mean(model.test_pred == reference.predict(X_te)) >= 0.998
    # Made of the coefficient path (no second fit): the fitted attributes fit() sets, alike.
    ref_lr = reference.named_steps["logisticregression"]
    assert sorted(k for k in vars(final) if k.endswith("_")) == sorted(
        k for k in vars(ref_lr) if k.endswith("_")
    )
    np.testing.assert_array_equal(final.classes_, ref_lr.classes_)
    assert final.n_features_in_ == ref_lr.n_features_in_
    assert final.n_iter_.shape == ref_lr.n_iter_.shape and final.n_iter_.dtype == np.int32
    assert final.coef_.shape == ref_lr.coef_.shape and final.coef_.dtype == np.float64
    # (coefficients themselves are compared through the probabilities above: one-hot columns
    # and the intercept share a direction the penalty alone pins, along which both fits stop
    # within the solver's tolerance at slightly different points)
    # the preprocessing kept from the search holds nothing of the search (it pickles as fitted)
    assert "_hstack" not in vars(model.pipeline.named_steps["preprocess"])
    copies = [v for k, v in model.pipeline.get_params().items() if k.endswith("__copy")]
    assert copies and all(copies)  # the steps the search ran in place copy again, as built


@pytest.mark.parametrize("levels", [5, 7, 8, 12])
def test_the_encoder_groups_rare_values_exactly_as_a_capped_one_hot_encoder(levels):
    """The cap is dropped only where no column exceeds it, so the encoding never changes."""
    rng = np.random.default_rng(levels)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=300),
            "few": rng.choice(["a", "b", "c"], size=300),
            "many": rng.choice([f"v{i}" for i in range(levels)], size=300, p=None),
        }
    )
    y = np.where(frame["x"] + (frame["many"] == "v1") > 0, "yes", "no")
    frame["y"] = y
    config = TrainingConfig(
        target="y", features=("x", "few", "many"), c_grid=(1.0,), cv_folds=3, n_jobs=1
    )
    model = train(frame, config, limits=Limits(max_categories=8))
    encoder = model.pipeline.named_steps["preprocess"].named_transformers_["categorical"][-1]
    reference = OneHotEncoder(handle_unknown="ignore", max_categories=8, sparse_output=False)
    rows = frame.drop(index=model.test_index)[["few", "many"]].to_numpy(dtype=object)
    assert len(rows) == model.n_train
    expected = reference.fit_transform(rows)
    got = encoder.transform(rows)
    np.testing.assert_array_equal(
        np.asarray(got.todense() if hasattr(got, "todense") else got), expected
    )
    assert encoder.max_categories == (8 if levels >= 8 else None)
