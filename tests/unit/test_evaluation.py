"""evaluation.py against scikit-learn and numbers worked by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    log_loss,
    precision_recall_fscore_support,
)

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
