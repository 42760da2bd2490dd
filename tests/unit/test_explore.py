"""dashboard.explore against independent references: hand-built rows, fresh LogisticRegression
fits, costs worked by hand, scikit-learn's log_loss and DummyClassifier."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from dashboard import information
from dashboard.errors import SoftmaxLabError
from dashboard.explore import (
    MAX_RESOLUTION,
    c_motion,
    c_motion_from_model,
    class_shares,
    cost_decisions,
    cost_matrix,
    cost_threshold,
    decide,
    decision_map,
    feature_spread,
    information_view,
    map_features,
    observed_values,
    reference_controls,
    threshold_decisions,
    training_part,
    with_value,
)
from dashboard.training import TrainingConfig, build_pipeline, train


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _table(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.normal(10, 3, rows)
    weight = rng.normal(50, 10, rows)
    colour = rng.choice(["red", "green", "blue"], rows)
    noise = rng.normal(0, 1, rows)
    score = 0.6 * (size - 10) - 0.1 * (weight - 50) + np.where(colour == "red", 1.5, 0.0) + noise
    label = np.where(score > 1, "high", np.where(score < -1, "low", "mid"))
    return pd.DataFrame(
        {"size": size, "weight": weight, "colour": colour, "count": rng.integers(0, 5, rows),
         "label": label}
    )  # fmt: skip


@pytest.fixture(scope="module")
def model():
    config = TrainingConfig(
        target="label", features=("size", "weight", "colour", "count"), c_grid=(0.01, 1.0),
        cv_folds=3, n_jobs=1,
    )  # fmt: skip
    return train(_table(), config, scheduler="")


# --------------------------------------------------------------------------------------------
# Decision map


def _hand_row(reference: pd.DataFrame, **values) -> pd.DataFrame:
    row = reference.copy()
    for name, value in values.items():
        row[name] = [value]
    return row


def test_map_features_reads_the_pipeline(model):
    assert map_features(model.pipeline) == (("size", "weight", "count"), ("colour",))


def test_map_matches_predict_proba_on_rows_built_by_hand(model):
    ref = model.X_test.iloc[[0]]
    m = decision_map(model.pipeline, model.X_test, x="size", y="weight", reference=ref,
                     resolution=7)  # fmt: skip
    xs = np.linspace(min(model.X_test["size"].min(), ref["size"].iloc[0]),
                     max(model.X_test["size"].max(), ref["size"].iloc[0]), 7)  # fmt: skip
    ys = np.linspace(model.X_test["weight"].min(), model.X_test["weight"].max(), 7)
    np.testing.assert_allclose(m.x_values, xs)
    np.testing.assert_allclose(m.y_values, ys)
    assert m.proba.shape == (7, 7, 3)
    assert m.classes == tuple(model.pipeline.classes_)
    for iy, ix in [(0, 0), (3, 5), (6, 6), (2, 1)]:
        row = _hand_row(ref, size=xs[ix], weight=ys[iy])
        expected = model.pipeline.predict_proba(row)[0]
        np.testing.assert_allclose(m.proba[iy, ix], expected, rtol=1e-12, atol=1e-14)
        assert m.classes[m.predicted[iy, ix]] == model.pipeline.predict(row)[0]
        assert m.top_probability[iy, ix] == pytest.approx(expected.max(), abs=1e-14)
        assert m.entropy_bits[iy, ix] == pytest.approx(information.entropy(expected), abs=1e-12)


def test_categorical_axis_gives_one_band_per_category(model):
    ref = model.X_test.iloc[[3]]
    m = decision_map(model.pipeline, model.X_test, x="colour", y="size", reference=ref,
                     resolution=5)  # fmt: skip
    assert m.x_categorical and not m.y_categorical
    assert m.x_values.tolist() == ["blue", "green", "red"]
    assert m.proba.shape == (5, 3, 3)
    for ix, colour in enumerate(m.x_values):
        for iy in (0, 4):
            row = _hand_row(ref, colour=colour, size=m.y_values[iy])
            np.testing.assert_allclose(m.proba[iy, ix], model.pipeline.predict_proba(row)[0],
                                       rtol=1e-12, atol=1e-14)  # fmt: skip


def test_caption_names_what_the_others_are_held_at(model):
    ref = model.X_test.iloc[[0]].copy()
    ref["count"] = [np.nan]
    m = decision_map(model.pipeline, model.X_test, x="size", y="weight", reference=ref,
                     resolution=3)  # fmt: skip
    assert dict(m.held_at) == {"count": None, "colour": ref["colour"].iloc[0]}
    assert m.caption == (
        f"The other features are held at the reference row: count = missing, "
        f"colour = '{ref['colour'].iloc[0]}'."
    )
    # A missing held value goes through the pipeline's imputer like any missing cell.
    row = _hand_row(ref, size=m.x_values[1], weight=m.y_values[2])
    np.testing.assert_allclose(m.proba[2, 1], model.pipeline.predict_proba(row)[0], rtol=1e-12)


def test_map_extends_the_range_to_the_reference_value(model):
    ref = _hand_row(model.X_test.iloc[[0]], size=100.0)
    m = decision_map(model.pipeline, model.X_test, x="size", y="weight", reference=ref,
                     resolution=4)  # fmt: skip
    assert m.x_values[0] == pytest.approx(model.X_test["size"].min())
    assert m.x_values[-1] == 100.0 and m.reference_x == 100.0


def test_map_keeps_pandas_own_dtypes_and_missing_values():
    rng = np.random.default_rng(0)
    n = 120
    table = pd.DataFrame({
        "i": pd.array(rng.integers(0, 10, n), dtype="Int64"),
        "f": pd.array(rng.normal(size=n), dtype="Float64"),
        "b": pd.array(rng.random(n) > 0.5, dtype="boolean"),
        "s": pd.array(rng.choice(["x", "y", "z"], n), dtype="str"),
        "label": rng.choice(["A", "B"], n),
    })  # fmt: skip
    table.loc[3, ["i", "f", "b", "s"]] = [pd.NA, pd.NA, pd.NA, np.nan]
    config = TrainingConfig(target="label", features=("i", "f", "b", "s"), cv_folds=3, n_jobs=1)
    trained = train(table, config, scheduler="")
    ref = table.loc[[3], ["i", "f", "b", "s"]]
    for x, y in [("i", "f"), ("b", "s"), ("s", "f")]:
        m = decision_map(trained.pipeline, trained.X_test, x=x, y=y, reference=ref, resolution=4)
        row = _hand_row(ref, **{x: m.x_values[1], y: m.y_values[0]})
        np.testing.assert_allclose(m.proba[0, 1], trained.pipeline.predict_proba(row)[0],
                                   rtol=1e-12)  # fmt: skip
        assert all(value is None for _, value in m.held_at)
        assert "missing" in m.caption


def test_reference_controls_and_a_changed_value(model):
    ref = model.X_test.iloc[[2]]
    controls = {c.name: c for c in reference_controls(model.pipeline, model.X_test, ref)}
    assert list(controls) == ["size", "weight", "count", "colour"]
    size = controls["size"]
    assert (size.low, size.high) == (model.X_test["size"].min(), model.X_test["size"].max())
    assert size.value == ref["size"].iloc[0] and not size.categorical
    assert controls["colour"].categories == ("blue", "green", "red")
    moved = with_value(ref, "count", 2.5)
    assert moved["count"].iloc[0] == 2.5 and ref["count"].iloc[0] != 2.5
    m = decision_map(model.pipeline, model.X_test, x="size", y="colour", reference=moved,
                     resolution=3)  # fmt: skip
    row = _hand_row(ref, count=2.5, size=m.x_values[2], colour="red")
    np.testing.assert_allclose(m.proba[2, 2], model.pipeline.predict_proba(row)[0], rtol=1e-12)
    assert ("count", 2.5) in m.held_at
    assert with_value(ref, "colour", None)["colour"].isna().all()
    with pytest.raises(SoftmaxLabError, match="'count' needs a number, got 'many'"):
        with_value(ref, "count", "many")


def test_observed_values_are_read_once_and_serve_the_map_and_the_controls(model):
    X = model.X_test.copy()
    X.loc[X.index[0], "size"] = np.inf  # not a number to draw a range from
    X.loc[X.index[1], "weight"] = np.nan
    seen = observed_values(model.pipeline, X)
    finite = X["size"].replace(np.inf, np.nan)
    assert seen.ranges["size"] == (finite.min(), finite.max())
    assert seen.ranges["weight"] == (X["weight"].min(), X["weight"].max())
    assert seen.ranges["count"] == (X["count"].min(), X["count"].max())
    counts = X["colour"].value_counts()
    assert seen.categories == {"colour": tuple(counts.index)}
    # Read once from the held-out rows, then used for any reference row: the map and the
    # controls span the same values as when they read the rows themselves.
    ref = X.iloc[[4]]
    with_seen = decision_map(model.pipeline, X, x="size", y="colour", reference=ref,
                             resolution=5, observed=seen)  # fmt: skip
    lo, hi = min(finite.min(), ref["size"].iloc[0]), max(finite.max(), ref["size"].iloc[0])
    np.testing.assert_allclose(with_seen.x_values, np.linspace(lo, hi, 5))
    assert with_seen.y_values.tolist() == sorted(counts.index)
    controls = reference_controls(model.pipeline, X, ref, observed=seen)
    assert [(c.low, c.high, c.categories) for c in controls] == [
        (c.low, c.high, c.categories) for c in reference_controls(model.pipeline, X, ref)
    ]
    # What is given is what is used: a narrower range read elsewhere shows on the map.
    narrow = observed_values(model.pipeline, X.iloc[:20])
    m = decision_map(model.pipeline, X, x="size", y="weight", reference=X.iloc[[0]].assign(
        size=np.nan, weight=np.nan), resolution=3, observed=narrow)  # fmt: skip
    head = X["size"].iloc[:20].replace(np.inf, np.nan)
    np.testing.assert_allclose(m.x_values, [head.min(), (head.min() + head.max()) / 2, head.max()])


def test_two_class_map_matches_predict_proba():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y = np.where(X["a"] + X["b"] + rng.normal(0, 0.5, 80) > 0, "yes", "no")
    pipe = build_pipeline(numeric=["a", "b"], categorical=[]).fit(X, y)
    m = decision_map(pipe, X, x="b", y="a", reference=X.iloc[[5]], resolution=4)
    assert m.held_at == ()
    assert "only these two features" in m.caption
    row = _hand_row(X.iloc[[5]], b=m.x_values[3], a=m.y_values[1])
    np.testing.assert_allclose(m.proba[1, 3], pipe.predict_proba(row)[0], rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": "size", "y": "size"}, "Both axes show 'size'"),
        ({"x": "height", "y": "size"}, "'height' is not one of the model's features"),
        ({"x": "size", "y": "label"}, "'label' is not one of the model's features"),
        ({"resolution": 1}, "between 2 and 200, got 1"),
        ({"resolution": MAX_RESOLUTION + 1}, "between 2 and 200, got 201"),
        ({"resolution": 2.5}, "must be a whole number, got 2.5"),
        ({"resolution": True}, "must be a whole number, got True"),
    ],
)
def test_map_refuses_bad_options(model, kwargs, message):
    options = {"x": "size", "y": "weight", "reference": model.X_test.iloc[[0]], **kwargs}
    with pytest.raises(SoftmaxLabError, match=message.replace("(", r"\(")):
        decision_map(model.pipeline, model.X_test, **options)


def test_map_refuses_a_bad_reference_row(model):
    with pytest.raises(SoftmaxLabError, match="exactly one row, got 2"):
        decision_map(model.pipeline, model.X_test, x="size", y="weight",
                     reference=model.X_test.iloc[:2])  # fmt: skip
    with pytest.raises(SoftmaxLabError, match="lacks the model's column.*'count'"):
        decision_map(model.pipeline, model.X_test, x="size", y="weight",
                     reference=model.X_test.iloc[[0]].drop(columns="count"))  # fmt: skip
    with pytest.raises(SoftmaxLabError, match="no numbers to draw a range"):
        empty = model.X_test.assign(size=np.nan)
        decision_map(model.pipeline, empty, x="size", y="weight",
                     reference=model.X_test.iloc[[0]].assign(size=np.nan))  # fmt: skip


def test_feature_spread_against_the_weights_read_by_hand():
    X_train, _, y_train, _ = _split(_table(400, seed=2))
    pipe = build_pipeline(numeric=["size", "weight", "count"], categorical=["colour"])
    pipe.fit(X_train, y_train)
    ref = _reference_fit(X_train, y_train, 1.0)
    names = ref[0].get_feature_names_out()  # n__size, ..., c__colour_blue, ...
    spread = np.ptp(ref[-1].coef_, axis=0)
    expected = {
        "size": spread[names == "n__size"][0],
        "weight": spread[names == "n__weight"][0],
        "count": spread[names == "n__count"][0],
        "colour": spread[np.char.startswith(names.astype(str), "c__colour_")].max(),
    }
    table = feature_spread(pipe)
    assert table["feature"].tolist() == sorted(expected, key=expected.get, reverse=True)
    np.testing.assert_allclose(table["spread"], sorted(expected.values(), reverse=True),
                               rtol=1e-8)  # fmt: skip
    assert table["feature"].tolist()[:2] == ["size", "colour"]


def test_feature_spread_of_two_classes_is_the_absolute_weight():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=90), "b": rng.normal(size=90)})
    y = np.where(2 * X["a"] - 0.5 * X["b"] + rng.normal(0, 0.3, 90) > 0, "yes", "no")
    pipe = build_pipeline(numeric=["a", "b"], categorical=[]).fit(X, y)
    w = pipe[-1].coef_[0]
    table = feature_spread(pipe)
    assert table["feature"].tolist() == ["a", "b"]
    np.testing.assert_allclose(table["spread"], np.abs(w), rtol=1e-12)


# --------------------------------------------------------------------------------------------
# C in motion


def _split(table):
    X = table[["size", "weight", "colour", "count"]]
    y = table["label"].to_numpy().astype(str)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def _reference_fit(X_train, y_train, C):
    """A pipeline built here, independently of dashboard.training, fitted at C from scratch."""
    pre = ColumnTransformer(
        [
            ("n", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             ["size", "weight", "count"]),
            ("c", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
             ["colour"]),
        ]
    )  # fmt: skip
    return make_pipeline(pre, LogisticRegression(C=C, max_iter=1000)).fit(X_train, y_train)


@pytest.mark.parametrize("warm_start", [False, True])
def test_c_motion_equals_a_fresh_fit_at_every_c(warm_start):
    X_train, X_test, y_train, y_test = _split(_table(400, seed=2))
    pipe = build_pipeline(numeric=["size", "weight", "count"], categorical=["colour"], C=1.0)
    pipe.fit(X_train, y_train)
    calls = []
    grid = [10.0, 0.001, 0.1, 1.0]
    motion = c_motion(pipe, X_train, y_train, X_test=X_test, y_test=y_test, c_grid=grid,
                      warm_start=warm_start, on_progress=lambda *a: calls.append(a))  # fmt: skip
    assert motion.c_values == (0.001, 0.1, 1.0, 10.0)
    assert calls == [(1, 4, 0.001), (2, 4, 0.1), (3, 4, 1.0), (4, 4, 10.0)]
    assert motion.coef.shape == (4, 3, 6) and motion.intercept.shape == (4, 3)
    for i, C in enumerate(motion.c_values):
        ref = _reference_fit(X_train, y_train, C)
        lr = ref[-1]
        if warm_start:
            # Both fits stop at lbfgs's tolerance: the same optimum, the same probabilities to
            # 2e-3, and the same penalised loss to 1e-4 (coefficients may drift along directions
            # the data barely pins down, e.g. all one-hot columns of 'colour' together).
            np.testing.assert_allclose(motion.pipelines[i].predict_proba(X_test),
                                       ref.predict_proba(X_test), atol=2e-3)  # fmt: skip
            Xt = ref[0].transform(X_train)
            ours = _penalised_loss(motion.pipelines[i][-1], Xt, y_train, C)
            assert ours == pytest.approx(_penalised_loss(lr, Xt, y_train, C), rel=1e-4)
        else:
            np.testing.assert_allclose(motion.coef[i], lr.coef_, atol=1e-8, rtol=1e-8)
            np.testing.assert_allclose(motion.intercept[i], lr.intercept_, atol=1e-8, rtol=1e-8)
            np.testing.assert_allclose(motion.pipelines[i].predict_proba(X_test),
                                       ref.predict_proba(X_test), atol=1e-8)  # fmt: skip
            cm = confusion_matrix(y_test, ref.predict(X_test), labels=list(motion.classes))
            np.testing.assert_array_equal(motion.confusion[i], cm)
            assert motion.accuracy[i] == pytest.approx(np.mean(ref.predict(X_test) == y_test))
    # Coefficients grow as the penalty weakens.
    norms = np.linalg.norm(motion.coef.reshape(4, -1), axis=1)
    assert np.all(np.diff(norms) > 0)
    assert motion.index_of(0.2) == 1 and motion.index_of(3e5) == 3


def _penalised_loss(lr, Xt, y, C):
    """LogisticRegression's objective, written out: C * summed log-loss + half the squared
    weights (the intercept is not penalised)."""
    proba = lr.predict_proba(Xt)
    return C * log_loss(y, proba, labels=lr.classes_, normalize=False) + 0.5 * np.sum(lr.coef_**2)


def test_c_motion_warm_starts_on_large_data_by_default(monkeypatch):
    import dashboard.explore as explore

    X_train, X_test, y_train, y_test = _split(_table(200, seed=5))
    pipe = build_pipeline(numeric=["size", "weight", "count"], categorical=["colour"])
    pipe.fit(X_train, y_train)
    cold = c_motion(pipe, X_train, y_train, X_test=X_test, y_test=y_test, c_grid=[0.1, 10])
    monkeypatch.setattr(explore, "WARM_START_MIN_ROWS", 10)
    warm = c_motion(pipe, X_train, y_train, X_test=X_test, y_test=y_test, c_grid=[0.1, 10])
    ref = _reference_fit(X_train, y_train, 10)
    np.testing.assert_allclose(cold.coef[1], ref[-1].coef_, atol=1e-8)
    # Warm-started from C = 0.1, the second fit takes a different path to the same optimum.
    np.testing.assert_array_equal(warm.coef[0], cold.coef[0])
    assert not np.array_equal(warm.coef[1], cold.coef[1])
    np.testing.assert_allclose(warm.pipelines[1].predict_proba(X_test),
                               cold.pipelines[1].predict_proba(X_test), atol=2e-3)  # fmt: skip


def test_c_motion_from_model_equals_a_fresh_fit_at_every_c(model):
    table = _table()
    y = table["label"].to_numpy().astype(str)
    X_train, X_test, y_train, _ = train_test_split(
        table[["size", "weight", "count", "colour"]], y, test_size=model.config.test_size,
        stratify=y, random_state=model.config.seed,
    )  # fmt: skip
    pd.testing.assert_frame_equal(X_test, model.X_test)
    motion = c_motion_from_model(model)
    assert motion.c_values == (0.01, 1.0)
    assert motion.feature_names[-3:] == ("colour = blue", "colour = green", "colour = red")
    for i, C in enumerate(motion.c_values):
        ref = _reference_fit(X_train, y_train, C)
        np.testing.assert_allclose(motion.coef[i], ref[-1].coef_, atol=1e-8, rtol=1e-8)
        np.testing.assert_allclose(motion.pipelines[i].predict_proba(X_test),
                                   ref.predict_proba(X_test), atol=1e-8)  # fmt: skip
        cm = confusion_matrix(model.y_test, ref.predict(X_test), labels=list(model.classes))
        np.testing.assert_array_equal(motion.confusion[i], cm)
    # At the chosen C, the motion's model is the trained model.
    best = motion.index_of(model.best_C)
    np.testing.assert_allclose(motion.pipelines[best].predict_proba(model.X_test),
                               model.test_proba, atol=1e-10)  # fmt: skip
    np.testing.assert_array_equal(motion.confusion[best], model.evaluation.confusion_matrix)
    # The same as refitting here.
    again = c_motion(model.pipeline, X_train, y_train, X_test=model.X_test, y_test=model.y_test,
                     c_grid=model.config.c_grid)  # fmt: skip
    np.testing.assert_allclose(again.coef, motion.coef, atol=1e-10)


def test_training_part_is_the_documented_split(model):
    table = _table()
    y = table["label"].to_numpy().astype(str)
    X_train, _, y_train, _ = train_test_split(
        table[["size", "weight", "count", "colour"]], y, test_size=model.config.test_size,
        stratify=y, random_state=model.config.seed,
    )  # fmt: skip
    got_X, got_y = training_part(table, model)
    pd.testing.assert_frame_equal(got_X, X_train)
    np.testing.assert_array_equal(got_y, y_train)
    with pytest.raises(SoftmaxLabError, match="not the one the model was trained on"):
        training_part(_table(seed=9), model)


def test_c_motion_from_model_needs_the_path(model):
    from dataclasses import replace

    with pytest.raises(SoftmaxLabError, match="holds no fits along C"):
        c_motion_from_model(replace(model, coef_path={}))


def test_c_motion_uses_the_models_own_settings():
    X_train, X_test, y_train, y_test = _split(_table(200, seed=4))
    pipe = build_pipeline(numeric=["size", "weight", "count"], categorical=["colour"],
                          class_weight="balanced").fit(X_train, y_train)  # fmt: skip
    motion = c_motion(pipe, X_train, y_train, X_test=X_test, y_test=y_test, c_grid=[0.5],
                      warm_start=False)  # fmt: skip
    assert motion.pipelines[0][-1].class_weight == "balanced"
    reference = build_pipeline(numeric=["size", "weight", "count"], categorical=["colour"],
                               C=0.5, class_weight="balanced").fit(X_train, y_train)  # fmt: skip
    np.testing.assert_allclose(motion.coef[0], reference[-1].coef_, atol=1e-10)


@pytest.mark.parametrize(
    ("grid", "message"),
    [([], "No value of C"), ([1, 0], "above 0, and 0.0 is not"),
     ([float("nan")], "above 0, and nan is not"), (["x"], "must be numbers")],
)  # fmt: skip
def test_c_motion_refuses_a_bad_grid(model, grid, message):
    with pytest.raises(SoftmaxLabError, match=message):
        c_motion(model.pipeline, model.X_test, model.y_test, X_test=model.X_test,
                 y_test=model.y_test, c_grid=grid)  # fmt: skip


def test_c_motion_refuses_mismatched_labels(model):
    with pytest.raises(SoftmaxLabError, match="training part has 60 rows but 59 labels"):
        c_motion(model.pipeline, model.X_test, model.y_test[:-1], X_test=model.X_test,
                 y_test=model.y_test, c_grid=[1.0])  # fmt: skip


# --------------------------------------------------------------------------------------------
# Decisions with costs

PROBA = np.array([[0.5, 0.3, 0.2], [0.1, 0.45, 0.45], [0.3, 0.3, 0.4], [0.6, 0.1, 0.3]])
TRUTH = np.array(["a", "c", "b", "c"])
COSTS = np.array([[0, 1, 1], [5, 0, 1], [20, 2, 0]])


def test_cost_decisions_match_a_hand_computation():
    # Expected cost of deciding a, b, c (sum over true i of p_i * cost[i, j]), by hand:
    # row 0: a 0.3*5+0.2*20=5.5   b 0.5+0.2*2=0.9    c 0.5+0.3=0.8   -> c
    # row 1: a 0.45*5+0.45*20=11.25 b 0.1+0.9=1.0    c 0.1+0.45=0.55 -> c
    # row 2: a 1.5+8=9.5          b 0.3+0.8=1.1      c 0.3+0.3=0.6   -> c
    # row 3: a 0.5+6=6.5          b 0.6+0.6=1.2      c 0.6+0.1=0.7   -> c
    d = cost_decisions(TRUTH, PROBA, classes=["a", "b", "c"], costs=COSTS)
    np.testing.assert_allclose(d.expected_cost, [[5.5, 0.9, 0.8], [11.25, 1.0, 0.55],
                                                 [9.5, 1.1, 0.6], [6.5, 1.2, 0.7]])  # fmt: skip
    assert d.decisions.tolist() == ["c", "c", "c", "c"]
    # Paid: true a decided c = 1, true c decided c = 0, true b decided c = 1, c->c = 0.
    assert d.total_cost == 2.0 and d.mean_cost == 0.5 and d.accuracy == 0.5
    assert d.confusion.tolist() == [[0, 0, 1], [0, 0, 1], [0, 0, 2]]
    assert d.threshold is None
    table = d.costs_table()
    assert table.index.tolist() == ["a", "b", "c"] and table.columns.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(table.to_numpy(), COSTS)
    assert any("2 in total" in s for s in d.sentences())


def test_default_costs_decide_the_most_probable_class(model):
    d = cost_decisions(model.y_test, model.test_proba, classes=model.classes)
    assert d.decisions.tolist() == model.pipeline.predict(model.X_test).tolist()
    np.testing.assert_array_equal(d.confusion, model.evaluation.confusion_matrix)
    assert d.accuracy == pytest.approx(model.evaluation.accuracy)
    assert d.total_cost == pytest.approx((1 - model.evaluation.accuracy) * model.n_test)


def test_threshold_decisions_by_hand_and_against_costs():
    proba = np.array([[0.9, 0.1], [0.75, 0.25], [0.5, 0.5], [0.1, 0.9]])
    truth = ["no", "yes", "no", "yes"]
    costs = [[0, 1], [3, 0]]  # a miss costs 3, a false alarm 1 -> threshold 1 / (1 + 3)
    assert cost_threshold(costs, classes=["no", "yes"]) == 0.25
    d = threshold_decisions(truth, proba, classes=["no", "yes"], threshold=0.2, costs=costs)
    assert d.decisions.tolist() == ["no", "yes", "yes", "yes"]
    assert d.total_cost == 1.0 and d.accuracy == 0.75 and d.threshold == 0.2
    # Away from the threshold itself, the threshold rule and minimum expected cost agree.
    rng = np.random.default_rng(0)
    p1 = rng.uniform(size=200)
    p1 = p1[np.abs(p1 - 0.25) > 1e-9]
    proba = np.column_stack([1 - p1, p1])
    labels = np.where(rng.uniform(size=p1.size) < p1, "yes", "no")
    by_cost = cost_decisions(labels, proba, classes=["no", "yes"], costs=costs)
    by_threshold = threshold_decisions(labels, proba, classes=["no", "yes"],
                                       threshold=0.25, costs=costs)  # fmt: skip
    np.testing.assert_array_equal(by_cost.decisions, by_threshold.decisions)
    assert by_cost.total_cost == by_threshold.total_cost


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        ([[0, 1], [1, 0]], "3 rows and 3 columns"),
        ([[0, 1, 1], [1, 0, 1]], r"got shape \(2, 3\)"),
        ([[0, 1, 1], [1, 0, -1], [1, 1, 0]], "cannot be negative, and -1 is \\(true 'b', decided 'c'\\)"),
        ([[0, 1, 1], [1, 0, np.nan], [1, 1, 0]], "finite numbers, and nan is not"),
        ([[0, 1, np.inf], [1, 0, 1], [1, 1, 0]], "finite numbers, and inf is not"),
        ([[0, "x", 1], [1, 0, 1], [1, 1, 0]], "finite numbers, and 'x' is not"),
        ([[0, True, 1], [1, 0, 1], [1, 1, 0]], "finite numbers, and True is not"),
        ("costs", "3 rows and 3 columns"),
    ],
)  # fmt: skip
def test_cost_matrix_refuses_bad_costs(costs, message):
    with pytest.raises(SoftmaxLabError, match=message):
        cost_matrix(costs, classes=["a", "b", "c"])


def test_cost_matrix_reorders_a_labelled_table():
    table = pd.DataFrame([[0, 7], [2, 0]], index=["b", "a"], columns=["b", "a"])
    assert cost_matrix(table, classes=["a", "b"]).tolist() == [[0.0, 2.0], [7.0, 0.0]]
    assert cost_matrix(None, classes=["a", "b", "c"]).tolist() == (1 - np.eye(3)).tolist()


def test_decide_without_truth_matches_the_labelled_rules(model):
    costs = [[0, 1, 4], [1, 0, 1], [9, 1, 0]]
    by_cost = cost_decisions(model.y_test, model.test_proba, classes=model.classes, costs=costs)
    np.testing.assert_array_equal(
        decide(model.test_proba, classes=model.classes, costs=costs), by_cost.decisions
    )
    # By hand: expected cost of each decision is proba @ costs, the cheapest is taken.
    hand = np.asarray(model.classes)[np.argmin(model.test_proba @ np.asarray(costs), axis=1)]
    np.testing.assert_array_equal(by_cost.decisions, hand)
    proba = np.array([[0.9, 0.1], [0.6, 0.4]])
    assert decide(proba, classes=["n", "y"], threshold=0.3).tolist() == ["n", "y"]
    with pytest.raises(SoftmaxLabError, match="exactly 2 classes, got 3"):
        decide(model.test_proba, classes=model.classes, threshold=0.5)
    with pytest.raises(SoftmaxLabError, match="one column per class \\(3\\), got shape \\(2, 2\\)"):
        decide(proba, classes=model.classes)


def test_threshold_refuses_bad_input():
    with pytest.raises(SoftmaxLabError, match="exactly 2 classes, got 3"):
        threshold_decisions(TRUTH, PROBA, classes=["a", "b", "c"])
    with pytest.raises(SoftmaxLabError, match="from 0 to 1, got 1.5"):
        threshold_decisions(["a"], [[0.5, 0.5]], classes=["a", "b"], threshold=1.5)
    with pytest.raises(SoftmaxLabError, match="label 'z' is not one of the model's classes"):
        cost_decisions(["z"], [[0.5, 0.5]], classes=["a", "b"])
    with pytest.raises(SoftmaxLabError, match="shape \\(1, 3\\), but there are 1 rows and 2"):
        cost_decisions(["a"], [[0.5, 0.25, 0.25]], classes=["a", "b"])


# --------------------------------------------------------------------------------------------
# Information view


def test_information_split_adds_up_to_sklearn_log_loss(model):
    y_train = _model_training_labels(model)
    prior = class_shares(y_train, classes=model.classes)
    v = information_view(model.y_test, model.test_proba, classes=model.classes, prior=prior)
    reference = log_loss(model.y_test, model.test_proba, labels=list(model.classes))
    assert abs(v.log_loss_by_class["part"].sum() - reference) < 1e-9
    assert abs(v.log_loss - model.evaluation.log_loss) < 1e-9
    for _, row in v.log_loss_by_class.iterrows():
        mask = model.y_test == row["class"]
        assert row["rows"] == mask.sum()
        own = log_loss(model.y_test[mask], model.test_proba[mask], labels=list(model.classes))
        assert row["mean"] == pytest.approx(own, abs=1e-12)
    # Bits saved against DummyClassifier(strategy="prior") fitted on the training labels.
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((len(y_train), 1)), y_train)
    dummy_proba = dummy.predict_proba(np.zeros((model.n_test, 1)))
    dummy_loss = log_loss(model.y_test, dummy_proba, labels=list(dummy.classes_))
    assert v.prior_log_loss == pytest.approx(dummy_loss, abs=1e-12)
    assert v.bits_saved == pytest.approx((dummy_loss - reference) / math.log(2), abs=1e-12)
    assert v.bits_saved > 0
    text = " ".join(v.sentences())
    assert f"saves {v.bits_saved:.3f} bits" in text and "KL divergence" in text


def _model_training_labels(model):
    """The training part's labels, from the split the training module documents."""
    table = _table()
    y = table["label"].to_numpy().astype(str)
    _, _, y_train, y_test_check = train_test_split(
        table[["size"]], y, test_size=model.config.test_size, stratify=y,
        random_state=model.config.seed,
    )  # fmt: skip
    np.testing.assert_array_equal(y_test_check, model.y_test)
    return y_train


def test_per_row_information_matches_the_calculators(model):
    v = information_view(model.y_test, model.test_proba, classes=model.classes,
                         prior=np.full(3, 1 / 3))  # fmt: skip
    for i in range(0, model.n_test, 7):
        q = model.test_proba[i]
        truth = (np.asarray(model.classes) == model.y_test[i]).astype(float)
        assert v.cross_entropy_bits[i] == pytest.approx(information.cross_entropy(truth, q),
                                                        abs=1e-12)  # fmt: skip
        assert v.cross_entropy_bits[i] == pytest.approx(information.kl_divergence(truth, q),
                                                        abs=1e-12)  # fmt: skip
        assert v.entropy_bits[i] == pytest.approx(information.entropy(q), abs=1e-12)
    assert v.predicted.tolist() == model.test_pred.tolist()


def test_confident_mistakes_are_sure_and_wrong():
    proba = np.array([[0.98, 0.01, 0.01], [0.34, 0.33, 0.33], [0.01, 0.98, 0.01]])
    v = information_view(["b", "b", "b"], proba, classes=["a", "b", "c"], prior=[0.2, 0.5, 0.3])
    assert v.confident_mistakes.tolist() == [0]
    assert v.cross_entropy_bits[0] == pytest.approx(-math.log2(0.01))
    assert any("sure and wrong: 1 of the 3 rows" in s for s in v.sentences())


@pytest.mark.parametrize(
    ("prior", "message"),
    [([0.5, 0.5], "must be 3 non-negative numbers"), ([0.5, 0.6, -0.1], "non-negative"),
     ([0.2, 0.2, 0.2], "add up to 1, not 0.6")],
)  # fmt: skip
def test_information_view_refuses_bad_shares(prior, message):
    with pytest.raises(SoftmaxLabError, match=message):
        information_view(TRUTH, PROBA, classes=["a", "b", "c"], prior=prior)
