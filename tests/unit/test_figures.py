"""figures.py: the figures' data (z values, x/y arrays, marks), their size, and escaped user text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import figures
from dashboard.errors import SoftmaxLabError


def _trace(fig, name):
    matches = [t for t in fig.data if t.name == name]
    assert matches, f"no trace named {name!r} in {[t.name for t in fig.data]}"
    return matches[0]


def test_plain_text_escapes_html():
    assert figures.plain_text("<img src=x onerror=alert(1)>") == (
        "&lt;img src=x onerror=alert(1)&gt;"
    )
    assert figures.plain_text("a & b") == "a &amp; b"
    assert figures.plain_text("&lt;") == "&amp;lt;"  # escaping is not undone by pre-escaped text
    assert figures.plain_text("plain") == "plain"


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix_figure_data(normalize):
    cm = np.array([[46, 4, 0], [2, 47, 1], [0, 3, 47]])
    labels = ["setosa", "<b>versicolor</b>", "1"]
    fig = figures.confusion_matrix_figure(cm, labels, normalize=normalize)
    heat = fig.data[0]
    z = np.asarray(heat.z, dtype=float)
    if normalize is None:
        np.testing.assert_array_equal(z, cm)
    elif normalize == "true":
        np.testing.assert_allclose(z, cm / cm.sum(axis=1, keepdims=True))
    elif normalize == "pred":
        np.testing.assert_allclose(z, cm / cm.sum(axis=0, keepdims=True))
    else:
        np.testing.assert_allclose(z, cm / cm.sum())
    assert list(heat.x) == ["setosa", "&lt;b&gt;versicolor&lt;/b&gt;", "1"]
    assert list(heat.y) == list(heat.x)
    np.testing.assert_array_equal(np.asarray(heat.customdata), cm)
    assert heat.text[0][0].startswith("46" if normalize is None else "0.")
    assert fig.layout.xaxis.type == "category"


def test_confusion_matrix_figure_guards():
    with pytest.raises(SoftmaxLabError, match="not a way"):
        figures.confusion_matrix_figure([[1, 0], [0, 1]], ["a", "b"], normalize="rows")
    with pytest.raises(SoftmaxLabError, match="class names"):
        figures.confusion_matrix_figure([[1, 0], [0, 1]], ["a"])


def _cv_tables():
    grid = [0.001, 0.01, 0.1, 1.0, 10.0]
    rng = np.random.default_rng(0)
    rows = []
    for c in grid:
        for fold in range(5):
            acc = 0.6 + 0.1 * min(np.log10(c) + 3, 3) / 3 + rng.normal(scale=0.02)
            rows.append({"C": c, "fold": fold, "accuracy": acc, "log_loss": 1 - acc})
    results = pd.DataFrame(rows)
    g = results.groupby("C")
    summary = pd.DataFrame(
        {
            "C": grid,
            "mean_accuracy": g["accuracy"].mean().to_numpy(),
            "std_accuracy": g["accuracy"].std(ddof=0).to_numpy(),
            "mean_log_loss": g["log_loss"].mean().to_numpy(),
            "std_log_loss": g["log_loss"].std(ddof=0).to_numpy(),
        }
    )
    return results, summary


def test_cv_scores_figure_data():
    results, summary = _cv_tables()
    fig = figures.cv_scores_figure(results, summary, 1.0, one_se_C=0.1)
    folds = _trace(fig, "each fold")
    np.testing.assert_allclose(folds.x, results["C"])
    np.testing.assert_allclose(folds.y, results["accuracy"])
    mean = _trace(fig, "mean over folds")
    np.testing.assert_allclose(mean.y, summary["mean_accuracy"])
    np.testing.assert_allclose(mean.error_y.array, summary["std_accuracy"])
    best = _trace(fig, "best C")
    assert list(best.x) == [1.0]
    assert best.y[0] == pytest.approx(summary.loc[summary["C"] == 1.0, "mean_accuracy"].item())
    assert list(_trace(fig, "one-SE C").x) == [0.1]
    np.testing.assert_allclose(
        _trace(fig, "mean over folds (log-loss)").y, summary["mean_log_loss"]
    )
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis2.type == "log"


def test_cv_scores_figure_without_log_loss():
    results, summary = _cv_tables()
    fig = figures.cv_scores_figure(
        results[["C", "fold", "accuracy"]], summary[["C", "mean_accuracy", "std_accuracy"]], 0.1
    )
    assert {t.name for t in fig.data} == {"each fold", "mean over folds", "best C"}
    with pytest.raises(SoftmaxLabError, match="no 'fold'"):
        figures.cv_scores_figure(results[["C", "accuracy"]], summary, 0.1)


def test_probability_bars_figure_marks_true_class():
    fig = figures.probability_bars_figure(
        [0.1, 0.7, 0.2], ["a", "<i>b</i>", "c"], true_label="<i>b</i>", title="Row <3>"
    )
    bar = fig.data[0]
    np.testing.assert_allclose(bar.y, [0.1, 0.7, 0.2])
    assert list(bar.x) == ["a", "&lt;i&gt;b&lt;/i&gt;", "c"]
    assert bar.marker.color[1] == figures.TRUE_CLASS_COLOUR
    assert bar.marker.color[0] != figures.TRUE_CLASS_COLOUR
    assert fig.layout.annotations[0].x == "&lt;i&gt;b&lt;/i&gt;"
    assert fig.layout.title.text == "Row &lt;3&gt;"
    with pytest.raises(SoftmaxLabError):
        figures.probability_bars_figure([0.5, 0.5], ["a"])
