"""Baselines, the accuracy interval and weighted averages against scikit-learn, scipy and hand
computations."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, log_loss, precision_recall_fscore_support

from dashboard import evaluation as ev
from dashboard.errors import SoftmaxLabError

Z95 = 1.959963984540054  # the normal quantile of 0.975, from a table


def _labels(n, shares, seed):
    rng = np.random.default_rng(seed)
    classes = [f"c{i}" for i in range(len(shares))]
    return rng.choice(classes, size=n, p=shares), classes


@pytest.mark.parametrize(
    ("shares", "seed"),
    [([0.5, 0.5], 0), ([0.7, 0.2, 0.1], 1), ([0.1, 0.2, 0.3, 0.4], 2), ([0.05, 0.15, 0.8], 3)],
)
def test_baseline_matches_dummy_classifier(shares, seed):
    y_train, classes = _labels(300, shares, seed)
    y_test, _ = _labels(90, shares, seed + 100)
    X_train = np.zeros((y_train.size, 1))
    X_test = np.zeros((y_test.size, 1))
    frequent = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    prior = DummyClassifier(strategy="prior").fit(X_train, y_train)
    assert list(frequent.classes_) == classes
    predicted = frequent.predict(X_test)

    b = ev.baseline_scores(y_train, y_test, classes)

    assert b.majority_class == predicted[0]
    assert b.accuracy == pytest.approx(accuracy_score(y_test, predicted))
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(
            y_test, predicted, labels=classes, average=average, zero_division=0
        )
        assert getattr(b, f"precision_{average}") == pytest.approx(p)
        assert getattr(b, f"recall_{average}") == pytest.approx(r)
        assert getattr(b, f"f1_{average}") == pytest.approx(f)
    expected_loss = log_loss(y_test, prior.predict_proba(X_test), labels=classes)
    assert b.log_loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(b.class_shares, prior.class_prior_)
    assert b.classes == tuple(classes)
    data = b.as_dict()
    json.dumps(data)
    assert data["class"] == predicted[0]
    assert data["accuracy"] == pytest.approx(accuracy_score(y_test, predicted))
    assert data["log_loss"] == pytest.approx(expected_loss)


def test_baseline_tie_takes_the_first_class_as_dummy_classifier_does():
    y_train = ["b", "a", "b", "a", "c"]
    y_test = ["a", "b", "b"]
    dummy = DummyClassifier(strategy="most_frequent").fit(np.zeros((5, 1)), y_train)
    b = ev.baseline_scores(y_train, y_test, ["a", "b", "c"])
    assert b.majority_class == dummy.predict(np.zeros((1, 1)))[0] == "a"
    assert b.accuracy == pytest.approx(1 / 3)


def test_baseline_hand_worked_and_the_sentence():
    # Training: 3 x, 1 y -> always 'x', shares 0.75 / 0.25.
    b = ev.baseline_scores(["x", "x", "x", "y"], ["x", "y"], ["x", "y"])
    assert b.majority_class == "x"
    assert b.accuracy == 0.5
    assert b.log_loss == pytest.approx(-(math.log(0.75) + math.log(0.25)) / 2)
    # Precision of x: 1 of 2 predicted x is x; y never predicted -> 0.
    assert b.precision_macro == pytest.approx((0.5 + 0.0) / 2)
    assert b.recall_macro == pytest.approx((1.0 + 0.0) / 2)


def test_baseline_sentence_reads_as_the_issue_says():
    y_train = ["United States"] * 50 + ["Canada"] * 30 + ["Mexico"] * 20
    y_test = ["United States"] * 499 + ["Canada"] * 501
    b = ev.baseline_scores(y_train, y_test, ["Canada", "Mexico", "United States"])
    assert b.compare("accuracy", 0.66) == "0.660, against 0.499 for always guessing 'United States'"
    assert b.compare("f1_weighted", 0.5).startswith("0.500, against ")
    assert "training class shares" in b.compare("log_loss", 0.9)
    with pytest.raises(SoftmaxLabError, match="no baseline"):
        b.compare("roc_auc", 0.5)


@pytest.mark.parametrize(
    ("y_train", "y_test", "match"),
    [
        ([], ["a"], "training rows"),
        (["a"], [], "held-out rows"),
        (["a", "z"], ["a"], "'z' is not one of"),
    ],
)
def test_baseline_errors(y_train, y_test, match):
    with pytest.raises(SoftmaxLabError, match=match):
        ev.baseline_scores(y_train, y_test, ["a", "b"])


def _wilson_by_hand(k, n, z=Z95):
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_wilson_hand_worked():
    # 8 of 10: p = 0.8, z^2 = 3.8415; centre = (0.8 + 0.19207) / 1.38415 = 0.71674;
    # half = 1.95996 / 1.38415 * sqrt(0.016 + 0.0096037) = 0.22659.
    lo, hi = ev.accuracy_interval(8, 10)
    assert lo == pytest.approx(0.71674 - 0.22659, abs=1e-4)
    assert hi == pytest.approx(0.71674 + 0.22659, abs=1e-4)
    assert (lo, hi) == pytest.approx(_wilson_by_hand(8, 10), rel=1e-9)
    # Every row right: lo = n / (n + z^2), hi = 1 (17 of 17 -> 17 / 20.8415).
    lo, hi = ev.accuracy_interval(17, 17)
    assert lo == pytest.approx(17 / (17 + Z95**2), rel=1e-9)
    assert hi == 1.0
    # None right: lo = 0, hi = z^2 / (n + z^2).
    lo, hi = ev.accuracy_interval(0, 17)
    assert lo == 0.0
    assert hi == pytest.approx(Z95**2 / (17 + Z95**2), rel=1e-9)


@pytest.mark.parametrize(("k", "n"), [(1, 1), (3, 7), (50, 100), (149, 150), (997, 1000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy(k, n, confidence):
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    lo, hi = ev.accuracy_interval(k, n, confidence=confidence)
    assert lo == pytest.approx(ci.low, abs=1e-12)
    assert hi == pytest.approx(ci.high, abs=1e-12)
    assert lo <= k / n <= hi


@pytest.mark.parametrize(
    ("k", "n", "kwargs", "match"),
    [
        (0, 0, {}, "at least one row"),
        (5, 4, {}, "from 0 to 4"),
        (-1, 4, {}, "from 0 to 4"),
        (1.5, 4, {}, "whole number"),
        (1, 4, {"confidence": 1.0}, "between 0 and 1"),
    ],
)
def test_wilson_errors(k, n, kwargs, match):
    with pytest.raises(SoftmaxLabError, match=match):
        ev.accuracy_interval(k, n, **kwargs)


def test_evaluate_holdout_weighted_interval_and_baseline():
    rng = np.random.default_rng(7)
    classes = ["big", "mid", "small"]
    y = rng.choice(classes, size=120, p=[0.6, 0.3, 0.1])
    y_train = rng.choice(classes, size=400, p=[0.6, 0.3, 0.1])
    logits = rng.normal(size=(120, 3)) + 1.5 * (y[:, None] == np.array(classes)[None, :])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    predicted = np.asarray(classes)[proba.argmax(axis=1)]

    result = ev.evaluate_holdout(y, proba, classes, y_train=y_train)

    p, r, f, _ = precision_recall_fscore_support(
        y, predicted, labels=classes, average="weighted", zero_division=0
    )
    assert result.precision_weighted == pytest.approx(p)
    assert result.recall_weighted == pytest.approx(r)
    assert result.f1_weighted == pytest.approx(f)
    right = int((predicted == y).sum())
    ci = binomtest(right, y.size).proportion_ci(confidence_level=0.95, method="wilson")
    assert result.accuracy_interval == pytest.approx((ci.low, ci.high), abs=1e-12)
    dummy = DummyClassifier(strategy="most_frequent").fit(np.zeros((400, 1)), y_train)
    assert result.baseline.majority_class == dummy.predict(np.zeros((1, 1)))[0]
    assert result.baseline.accuracy == pytest.approx(
        accuracy_score(y, dummy.predict(np.zeros((120, 1))))
    )
    data = result.as_dict()
    json.dumps(data)
    assert data["precision_weighted"] == pytest.approx(p)
    assert data["accuracy_interval"] == pytest.approx([ci.low, ci.high], abs=1e-12)

    sentences = ev.metric_sentences(result)
    assert any(s.startswith(f"Weighted precision {p:.2f}") for s in sentences)
    assert any(f"between {ci.low:.2f} and {ci.high:.2f}" in s for s in sentences)
    assert any(f"for always guessing '{result.baseline.majority_class}'" in s for s in sentences)

    without = ev.evaluate_holdout(y, proba, classes)
    assert without.baseline is None
    assert not any("always guessing" in s for s in ev.metric_sentences(without))
