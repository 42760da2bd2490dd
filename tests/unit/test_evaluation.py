"""evaluation.py against scikit-learn and numbers worked by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    log_loss,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from dashboard import evaluation as ev
from dashboard.errors import SoftmaxLabError

CLASSES = ("setosa", "versicolor", "virginica")


def _random_predictions(n=300, k=3, seed=0):
    rng = np.random.default_rng(seed)
    classes = tuple(f"c{i}" for i in range(k))
    y = rng.choice(classes, size=n)
    logits = rng.normal(size=(n, k)) + 2.0 * (y[:, None] == np.array(classes)[None, :])
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba, classes, logits


@pytest.mark.parametrize("k", [2, 3, 7])
def test_evaluate_holdout_matches_sklearn(k):
    y, proba, classes, _ = _random_predictions(k=k, seed=k)
    result = ev.evaluate_holdout(y, proba, classes)
    predicted = np.asarray(classes)[proba.argmax(axis=1)]
    p, r, f, s = precision_recall_fscore_support(
        y, predicted, labels=list(classes), zero_division=0
    )
    assert result.accuracy == pytest.approx(accuracy_score(y, predicted))
    assert result.precision_macro == pytest.approx(p.mean())
    assert result.recall_macro == pytest.approx(r.mean())
    assert result.f1_macro == pytest.approx(f.mean())
    assert result.log_loss == pytest.approx(log_loss(y, proba, labels=list(classes)), rel=1e-12)
    np.testing.assert_array_equal(
        result.confusion_matrix, confusion_matrix(y, predicted, labels=list(classes))
    )
    np.testing.assert_allclose(result.per_class["recall"], r)
    np.testing.assert_array_equal(result.per_class["support"], s)
    assert list(result.per_class["class"]) == list(classes)
    assert result.classes == classes
    json.dumps(result.as_dict())
    assert set(result.as_dict()) >= {
        "accuracy",
        "precision_macro",
        "recall_macro",
        "f1_macro",
        "log_loss",
        "confusion_matrix",
    }


def test_evaluate_holdout_matches_sklearn_when_classes_are_never_predicted_or_absent():
    # zero_division=0 on both sides: class c3 is never predicted, c4 never true nor predicted.
    rng = np.random.default_rng(11)
    classes = ("c0", "c1", "c2", "c3", "c4")
    y = rng.choice(classes[:4], size=400)
    logits = rng.normal(size=(400, 5)) + 1.5 * (y[:, None] == np.array(classes)[None, :])
    logits[:, 3:] = -50.0
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_train = rng.choice(classes, size=900)
    result = ev.evaluate_holdout(y, proba, classes, y_train=y_train)
    predicted = np.asarray(classes)[proba.argmax(axis=1)]
    p, r, f, s = precision_recall_fscore_support(
        y, predicted, labels=list(classes), zero_division=0
    )
    np.testing.assert_array_equal(
        result.confusion_matrix, confusion_matrix(y, predicted, labels=list(classes))
    )
    np.testing.assert_allclose(result.per_class["precision"], p, rtol=1e-15)
    np.testing.assert_allclose(result.per_class["recall"], r, rtol=1e-15)
    np.testing.assert_allclose(result.per_class["f1"], f, rtol=1e-15)
    np.testing.assert_array_equal(result.per_class["support"], s)
    assert result.f1_weighted == pytest.approx(np.average(f, weights=s), rel=1e-15)
    majority = classes[int(np.argmax([np.sum(y_train == c) for c in classes]))]
    bp, br, bf, _ = precision_recall_fscore_support(
        y, np.full(y.size, majority), labels=list(classes), zero_division=0
    )
    assert result.baseline.majority_class == majority
    assert result.baseline.precision_macro == pytest.approx(bp.mean(), rel=1e-15)
    assert result.baseline.recall_macro == pytest.approx(br.mean(), rel=1e-15)
    assert result.baseline.f1_macro == pytest.approx(bf.mean(), rel=1e-15)


def test_evaluate_holdout_hand_worked():
    y = ["a", "b", "b", "a"]
    proba = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]  # last: tie -> first class
    result = ev.evaluate_holdout(y, proba, ["a", "b"])
    assert result.confusion_matrix.tolist() == [[2, 0], [1, 1]]
    assert result.accuracy == 0.75
    expected_loss = -(np.log(0.9) + np.log(0.8) + np.log(0.4) + np.log(0.5)) / 4
    assert result.log_loss == pytest.approx(expected_loss)


def test_evaluate_holdout_class_never_predicted_and_clipped_zero():
    y = ["a", "b", "c"]
    proba = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    result = ev.evaluate_holdout(y, proba, ["a", "b", "c"])
    assert result.per_class["precision"].tolist() == [1.0, 0.5, 0.0]
    assert np.isfinite(result.log_loss)
    assert result.log_loss == pytest.approx(log_loss(y, proba, labels=["a", "b", "c"]))


@pytest.mark.parametrize(
    ("y", "proba", "match"),
    [
        ([], np.zeros((0, 2)), "no held-out rows"),
        (["a", "z"], [[0.5, 0.5], [0.5, 0.5]], "'z' is not one of"),
        (["a", "b"], [[0.5, 0.5]], "2 rows and 2 classes"),
    ],
)
def test_evaluate_holdout_errors(y, proba, match):
    with pytest.raises(SoftmaxLabError, match=match):
        ev.evaluate_holdout(y, proba, ["a", "b"])


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_normalise_confusion_matches_sklearn(normalize):
    y, proba, classes, _ = _random_predictions(k=4, seed=3)
    predicted = np.asarray(classes)[proba.argmax(axis=1)]
    counts = confusion_matrix(y, predicted, labels=list(classes))
    expected = confusion_matrix(y, predicted, labels=list(classes), normalize=normalize)
    np.testing.assert_allclose(ev.normalise_confusion(counts, normalize), expected)


def test_normalise_confusion_empty_rows_and_errors():
    cm = np.array([[2, 0], [0, 0]])
    assert ev.normalise_confusion(cm, "true").tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert ev.normalise_confusion(cm, "pred").tolist() == [[1.0, 0.0], [0.0, 0.0]]
    with pytest.raises(SoftmaxLabError, match="not a way"):
        ev.normalise_confusion(cm, "rows")
    with pytest.raises(SoftmaxLabError, match="square"):
        ev.normalise_confusion([[1, 2, 3]], None)
    with pytest.raises(SoftmaxLabError, match="negative"):
        ev.normalise_confusion([[1, -2], [0, 1]], "all")


# --- a fitted pipeline shaped like training.build_pipeline's -----------------------------------


def _pipeline(numeric, categorical, C=1.0):
    preprocess = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
                ),
                categorical,
            ),
        ]
    )
    return Pipeline(
        [("preprocess", preprocess), ("logisticregression", LogisticRegression(C=C, max_iter=1000))]
    )


def _iris_frame(seed=0):
    data = load_iris(as_frame=True)
    frame = data.frame.drop(columns="target")
    rng = np.random.default_rng(seed)
    frame["colour"] = rng.choice(["red", "green", "blue"], size=len(frame))
    frame.loc[frame.index[::17], "sepal length (cm)"] = np.nan
    y = np.asarray(data.target_names)[data.target].astype(str)
    return frame, y


@pytest.fixture(scope="module")
def iris_model():
    frame, y = _iris_frame()
    numeric = [c for c in frame.columns if c != "colour"]
    pipe = _pipeline(numeric, ["colour"]).fit(frame, y)
    return pipe, frame, y


@pytest.fixture(scope="module")
def binary_model():
    frame, y = _iris_frame(1)
    keep = y != "setosa"
    frame, y = frame[keep].reset_index(drop=True), y[keep]
    numeric = [c for c in frame.columns if c != "colour"]
    pipe = _pipeline(numeric, ["colour"]).fit(frame, y)
    return pipe, frame, y


def test_pipeline_logits_equal_decision_function(iris_model):
    pipe, frame, _ = iris_model
    np.testing.assert_allclose(
        ev.pipeline_logits(pipe, frame), pipe.decision_function(frame), rtol=1e-10, atol=1e-10
    )


def test_pipeline_logits_binary(binary_model):
    pipe, frame, _ = binary_model
    z = ev.pipeline_logits(pipe, frame)
    np.testing.assert_array_equal(z[:, 0], 0.0)
    np.testing.assert_allclose(z[:, 1], pipe.decision_function(frame), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(
        ev.scale_temperature(z, 1.0), pipe.predict_proba(frame), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("position", [0, 16, 75, 149])
def test_explain_row_adds_up(iris_model, position):
    pipe, frame, y = iris_model
    row = frame.iloc[[position]]
    explanation = ev.explain_row(pipe, row, true_label=y[position])
    reference_x = pipe.named_steps["preprocess"].transform(row)
    np.testing.assert_allclose(explanation.x, np.asarray(reference_x)[0])
    np.testing.assert_allclose(
        explanation.logits, pipe.decision_function(row)[0], rtol=1e-10, atol=1e-10
    )
    np.testing.assert_allclose(
        explanation.contributions.sum(axis=1) + explanation.intercepts, explanation.logits
    )
    lr = pipe.named_steps["logisticregression"]
    np.testing.assert_allclose(explanation.contributions, lr.coef_ * reference_x)
    np.testing.assert_allclose(explanation.probabilities, pipe.predict_proba(row)[0])
    k = list(lr.classes_).index(y[position])
    assert explanation.cross_entropy == pytest.approx(-np.log(pipe.predict_proba(row)[0, k]))
    terms = explanation.terms(y[position])
    assert terms["contribution"].sum() == pytest.approx(explanation.logits[k])
    assert terms["feature"].iloc[-1] == "(intercept)"
    assert explanation.raw["colour"] == frame.iloc[position]["colour"]
    assert any(
        "log-loss on Evaluate: 0.123" in s for s in explanation.sentences(holdout_log_loss=0.1234)
    )


def test_explain_row_names_and_binary(binary_model, iris_model):
    pipe, frame, y = iris_model
    names = ev.feature_names_out(pipe)
    assert names[:4] == tuple(c for c in frame.columns if c != "colour")
    assert names[4:] == ("colour = blue", "colour = green", "colour = red")
    pipe2, frame2, y2 = binary_model
    explanation = ev.explain_row(pipe2, frame2.iloc[3])
    assert explanation.logits[0] == 0.0
    assert explanation.logits[1] == pytest.approx(pipe2.decision_function(frame2.iloc[[3]])[0])
    np.testing.assert_allclose(explanation.probabilities, pipe2.predict_proba(frame2.iloc[[3]])[0])
    with pytest.raises(SoftmaxLabError, match="exactly one row"):
        ev.explain_row(pipe, frame.iloc[:2])
    with pytest.raises(SoftmaxLabError, match="not a trained"):
        ev.explain_row(object(), frame.iloc[[0]])


def test_row_cross_entropy_mean_is_log_loss(iris_model):
    pipe, frame, y = iris_model
    proba = pipe.predict_proba(frame)
    losses = ev.row_cross_entropy(y, proba, pipe.classes_)
    assert losses.mean() == pytest.approx(log_loss(y, proba), rel=1e-12)
    np.testing.assert_allclose(
        losses, -np.log(proba[np.arange(len(y)), np.searchsorted(pipe.classes_, y)])
    )


@pytest.mark.parametrize("k", [2, 3, 6])
def test_roc_curves_match_sklearn(k):
    y, proba, classes, _ = _random_predictions(n=400, k=k, seed=10 + k)
    curves = ev.roc_curves(y, proba, classes, max_points=50)
    onehot = (y[:, None] == np.array(classes)[None, :]).astype(int)
    for j, curve in enumerate(curves.per_class):
        assert curve.name == classes[j]
        assert curve.score == pytest.approx(roc_auc_score(onehot[:, j], proba[:, j]))
        assert curve.x.size <= 50
        assert curve.x[0] == 0 and curve.x[-1] == 1 and curve.y[-1] == 1
    if k > 2:
        macro_ref = roc_auc_score(
            y, proba, multi_class="ovr", average="macro", labels=list(classes)
        )
    else:
        macro_ref = roc_auc_score(y == classes[1], proba[:, 1])
    assert curves.macro_score == pytest.approx(macro_ref)
    assert curves.micro_score == pytest.approx(roc_auc_score(onehot, proba, average="micro"))
    assert curves.macro is not None and curves.macro.y[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("k", [2, 4])
def test_precision_recall_curves_match_sklearn(k):
    y, proba, classes, _ = _random_predictions(n=400, k=k, seed=20 + k)
    curves = ev.precision_recall_curves(y, proba, classes, max_points=60)
    onehot = (y[:, None] == np.array(classes)[None, :]).astype(int)
    for j, curve in enumerate(curves.per_class):
        assert curve.score == pytest.approx(average_precision_score(onehot[:, j], proba[:, j]))
        assert curve.x.size <= 60
        assert curve.x[0] == 0 and curve.x[-1] == 1  # recall from 0 to 1
    assert curves.micro_score == pytest.approx(
        average_precision_score(onehot, proba, average="micro")
    )
    assert curves.macro_score == pytest.approx(
        average_precision_score(onehot, proba, average="macro")
    )


def test_curves_note_a_class_without_rows():
    y = np.array(["a", "b", "a", "b"])
    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.2, 0.3], [0.3, 0.4, 0.3]])
    curves = ev.roc_curves(y, proba, ["a", "b", "c"])
    assert np.isnan(curves.per_class[2].score)
    assert "c: no ROC curve" in curves.notes[0]
    assert np.isfinite(curves.macro_score)


def test_thin_curve_keeps_shape():
    x = np.concatenate([np.zeros(5000), np.linspace(0, 1, 5000)])
    y = np.concatenate([np.linspace(0, 1, 5000), np.ones(5000)])
    tx, ty = ev.thin_curve(x, y, max_points=21)
    assert tx.size <= 21
    assert (tx[0], ty[0], tx[-1], ty[-1]) == (0, 0, 1, 1)
    assert np.any((tx == 0) & (ty > 0.9))  # the corner is kept


def test_calibration_hand_worked():
    # 3 classes, 4 bins of width 0.25.
    # row  probabilities       true  predicted  confidence  bin  correct
    # 0    (0.9, 0.05, 0.05)   a     a          0.9         3    1
    # 1    (0.8, 0.1, 0.1)     b     a          0.8         3    0
    # 2    (0.3, 0.6, 0.1)     b     b          0.6         2    1
    # 3    (0.4, 0.35, 0.25)   c     a          0.4         1    0
    # 4    (0.2, 0.2, 0.6)     c     c          0.6         2    1
    # bin 1: n=1 conf 0.4 acc 0 gap 0.4; bin 2: n=2 conf 0.6 acc 1 gap 0.4;
    # bin 3: n=2 conf 0.85 acc 0.5 gap 0.35
    # ECE = (1*0.4 + 2*0.4 + 2*0.35) / 5 = 1.9 / 5 = 0.38
    y = ["a", "b", "b", "c", "c"]
    proba = [
        [0.9, 0.05, 0.05],
        [0.8, 0.1, 0.1],
        [0.3, 0.6, 0.1],
        [0.4, 0.35, 0.25],
        [0.2, 0.2, 0.6],
    ]
    cal = ev.calibration(y, proba, ["a", "b", "c"], n_bins=4)
    assert cal.count.tolist() == [0, 1, 2, 2]
    np.testing.assert_allclose(cal.edges, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(cal.mean_confidence[1:], [0.4, 0.6, 0.85])
    np.testing.assert_allclose(cal.accuracy[1:], [0.0, 1.0, 0.5])
    assert np.isnan(cal.accuracy[0]) and np.isnan(cal.mean_confidence[0])
    assert cal.ece == pytest.approx(0.38)
    assert cal.n_rows == 5


def test_calibration_confidence_one_goes_to_last_bin():
    cal = ev.calibration(["a", "b"], [[1.0, 0.0], [0.5, 0.5]], ["a", "b"], n_bins=2)
    assert cal.count.tolist() == [0, 2]
    assert cal.ece == pytest.approx(0.5 * 0.25 + 0.5 * 0.25)  # bin 1: conf .75, acc 1


def test_temperature_scaling(iris_model):
    pipe, frame, y = iris_model
    logits = pipe.decision_function(frame)
    np.testing.assert_allclose(
        ev.scale_temperature(logits, 1.0), pipe.predict_proba(frame), rtol=1e-10, atol=1e-12
    )
    table = ev.temperature_effect(logits, y, pipe.classes_, [0.5, 1.0, 2.0, 4.0])
    assert table["accuracy"].nunique() == 1
    assert table["log_loss"].nunique() == 4
    assert table.loc[table["temperature"] == 1.0, "log_loss"].item() == pytest.approx(
        log_loss(y, pipe.predict_proba(frame))
    )
    best = ev.best_temperature(logits, y, pipe.classes_)
    scaled = log_loss(y, ev.scale_temperature(logits, best))
    assert scaled <= log_loss(y, pipe.predict_proba(frame)) + 1e-9
    for bad in (0, -1, float("nan")):
        with pytest.raises(SoftmaxLabError, match="temperature"):
            ev.scale_temperature(logits, bad)


def test_hardest_examples():
    y = np.array(["a", "b", "b", "a", "b"])
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.8, 0.2], [0.4, 0.6], [0.55, 0.45]])
    table = ev.hardest_examples(y, proba, ["a", "b"], index=[10, 11, 12, 13, 14])
    assert table["row"].tolist() == [12, 13, 14, 11, 10]
    np.testing.assert_allclose(table["cross_entropy"], -np.log([0.2, 0.4, 0.45, 0.7, 0.9]))
    assert table["predicted"].tolist() == ["a", "b", "a", "b", "a"]
    cell = ev.hardest_examples(y, proba, ["a", "b"], true_class="b", predicted_class="a")
    assert cell["row"].tolist() == [2, 4]
    assert len(ev.hardest_examples(y, proba, ["a", "b"], limit=2)) == 2
    with pytest.raises(SoftmaxLabError, match="'z' is not one"):
        ev.hardest_examples(y, proba, ["a", "b"], true_class="z")


def test_one_standard_error_rule_hand_worked():
    # C=0.1 folds .80 .82 .84 (mean .82); C=1 folds .84 .86 .88 (mean .86, sd .02,
    # se .02/sqrt(3) = .011547); C=10 folds .83 .85 .87 (mean .85).
    # threshold .86 - .011547 = .848453: C=10 (.85) qualifies but C=0.1 (.82) does not, so the
    # smallest qualifying C is the best one, 1.
    rows = []
    for c, scores in (
        (0.1, [0.80, 0.82, 0.84]),
        (1.0, [0.84, 0.86, 0.88]),
        (10.0, [0.83, 0.85, 0.87]),
    ):
        rows += [
            {"C": c, "fold": f, "accuracy": s, "log_loss": 1 - s} for f, s in enumerate(scores)
        ]
    table = pd.DataFrame(rows)
    choice = ev.one_standard_error_C(table)
    assert choice.best_C == 1.0
    assert "keeps C = 1" in choice.sentence()
    assert choice.standard_error == pytest.approx(0.02 / np.sqrt(3))
    assert choice.threshold == pytest.approx(0.86 - 0.02 / np.sqrt(3))
    assert choice.chosen_C == 1.0
    # make C=0.1 close enough: its mean .855 >= .848
    table.loc[table["C"] == 0.1, "accuracy"] = [0.835, 0.855, 0.875]
    table["log_loss"] = 1 - table["accuracy"]
    choice = ev.one_standard_error_C(table)
    assert choice.chosen_C == 0.1 and choice.chosen_mean == pytest.approx(0.855)
    assert "C = 0.1" in choice.sentence()
    by_loss = ev.one_standard_error_C(table, metric="log_loss")
    assert by_loss.best_C == 1.0 and by_loss.chosen_C == 0.1
    with pytest.raises(SoftmaxLabError, match="not in the CV table"):
        ev.one_standard_error_C(table, best_C=5.0)


def test_confusion_sentences():
    cm = np.array([[50, 0, 0], [0, 46, 4], [0, 1, 49]])
    names = ["setosa", "versicolor", "virginica"]
    sentences = ev.confusion_sentences(cm, names)
    assert "46 of 50 true versicolor were predicted versicolor: recall 0.92." in sentences
    assert sentences[-1] == "The most frequent mistake: 4 true versicolor were predicted virginica."
    assert "145 of 150 rows are on the diagonal" in sentences[0]
    assert (
        "the diagonal is each class's recall"
        in ev.confusion_sentences(cm, names, normalize="true")[0]
    )
    by_pred = ev.confusion_sentences(cm, names, normalize="pred")[0]
    assert "the diagonal is each class's precision" in by_pred
    assert "(true setosa, predicted setosa) is 1.00: that share of the rows predicted" in by_pred
    cm2 = np.array([[10, 0], [5, 35]])
    by_true = ev.confusion_sentences(cm2, ["x", "y"], normalize="true")[0]
    assert "(true y, predicted y) is 0.88: that share of the true y" in by_true
    by_pred2 = ev.confusion_sentences(cm2, ["x", "y"], normalize="pred")[0]
    assert "(true y, predicted y) is 1.00" in by_pred2
    assert "adds up to 0.97" in ev.confusion_sentences(cm, names, normalize="all")[0]
    with pytest.raises(SoftmaxLabError):
        ev.normalisation_sentence("rows")


def test_metric_sentences():
    y = ["a"] * 4 + ["b"] * 4
    proba = [[0.9, 0.1]] * 3 + [[0.2, 0.8]] + [[0.3, 0.7]] * 4
    result = ev.evaluate_holdout(y, proba, ["a", "b"])
    sentences = ev.metric_sentences(result)
    assert sentences[0] == "7 of 8 held-out rows were predicted correctly: accuracy 0.88."
    assert "Of the 5 rows predicted b, 4 were truly b: precision 0.80." in sentences
    assert f"{result.log_loss:.3f}" in sentences[1]


def test_compare_class_weights_matches_sklearn():
    rng = np.random.default_rng(5)
    classes = ["big", "mid", "small"]
    y = rng.choice(classes, size=200, p=[0.7, 0.2, 0.1])
    none = np.where(rng.random(200) < 0.8, y, "big")
    balanced = np.where(rng.random(200) < 0.75, y, rng.choice(classes, size=200))
    result = ev.compare_class_weights(y, none, balanced, classes)
    for key, pred in (("none", none), ("balanced", balanced)):
        p, r, _, s = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
        np.testing.assert_allclose(result.per_class[f"recall_{key}"], r)
        np.testing.assert_allclose(result.per_class[f"precision_{key}"], p)
        np.testing.assert_array_equal(result.per_class["support"], s)
    by_true_none, by_true_bal = result.normalised("true")
    np.testing.assert_allclose(
        by_true_none, confusion_matrix(y, none, labels=classes, normalize="true")
    )
    np.testing.assert_allclose(
        by_true_bal, confusion_matrix(y, balanced, labels=classes, normalize="true")
    )
    by_pred_none, _ = result.normalised("pred")
    np.testing.assert_allclose(
        by_pred_none, confusion_matrix(y, none, labels=classes, normalize="pred")
    )
    assert result.accuracy_none == pytest.approx(accuracy_score(y, none))
    assert "small" in result.sentences()[1]


def test_explain_row_with_display_names(iris_model):
    pipe, frame, _ = iris_model
    n = len(ev.feature_names_out(pipe))
    names = [f"input {i}" for i in range(n)]
    explanation = ev.explain_row(pipe, frame.iloc[[0]], feature_names=names)
    assert explanation.feature_names == tuple(names)
    with pytest.raises(SoftmaxLabError, match="feature names"):
        ev.explain_row(pipe, frame.iloc[[0]], feature_names=names[:-1])


def test_explain_row_errors_for_rows_the_model_cannot_read(iris_model):
    pipe, frame, _ = iris_model
    with pytest.raises(SoftmaxLabError, match="lacks 1 column"):
        ev.explain_row(pipe, frame.iloc[[0]].drop(columns="petal width (cm)"))
    bad = frame.iloc[[0]].astype(object)
    bad.iloc[0, 0] = "tall"
    with pytest.raises(SoftmaxLabError, match="cannot read this row"):
        ev.explain_row(pipe, bad)
    # an empty cell is imputed, as in training
    empty = frame.iloc[[0]].copy()
    empty.iloc[0, 0] = np.nan
    explanation = ev.explain_row(pipe, empty)
    np.testing.assert_allclose(explanation.probabilities, pipe.predict_proba(empty)[0])


@pytest.mark.parametrize("k", [2, 5])
def test_curves_with_tied_scores_match_sklearn(k):
    y, proba, classes, _ = _random_predictions(n=600, k=k, seed=40 + k)
    proba = proba.round(1)  # many ties, rows no longer sum to exactly 1 (fine for ranking)
    onehot = (y[:, None] == np.array(classes)[None, :]).astype(int)
    roc = ev.roc_curves(y, proba, classes)
    pr = ev.precision_recall_curves(y, proba, classes)
    for j in range(k):
        assert roc.per_class[j].score == pytest.approx(roc_auc_score(onehot[:, j], proba[:, j]))
        assert pr.per_class[j].score == pytest.approx(
            average_precision_score(onehot[:, j], proba[:, j])
        )
    assert roc.micro_score == pytest.approx(roc_auc_score(onehot, proba, average="micro"))
    assert pr.micro_score == pytest.approx(average_precision_score(onehot, proba, average="micro"))
    assert pr.macro_score == pytest.approx(average_precision_score(onehot, proba, average="macro"))


def test_temperature_effect_equals_scoring_the_scaled_probabilities():
    y, _, classes, logits = _random_predictions(n=500, k=4, seed=7)
    temperatures = [0.3, 1.0, 2.5]
    table = ev.temperature_effect(logits, y, classes, temperatures, n_bins=8)
    for row, t in zip(table.itertuples(), temperatures, strict=True):
        scaled = ev.scale_temperature(logits, t)
        assert row.log_loss == pytest.approx(log_loss(y, scaled, labels=list(classes)))
        assert row.accuracy == pytest.approx(
            accuracy_score(y, np.asarray(classes)[scaled.argmax(axis=1)])
        )
        assert row.ece == pytest.approx(ev.calibration(y, scaled, classes, n_bins=8).ece)
    with pytest.raises(SoftmaxLabError, match="rows of logits"):
        ev.temperature_effect(logits[:10], y, classes)
