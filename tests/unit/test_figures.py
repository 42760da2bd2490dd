"""figures.py: the figures' data (z values, x/y arrays, marks), their size, and escaped user text."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from dashboard import evaluation as ev
from dashboard import figures
from dashboard import information as info
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
    # the true class is outlined in dark grey, not coloured red: no error is implied
    assert list(bar.marker.line.width) == [0, 3, 0]
    assert bar.marker.line.color == figures.TRUE_CLASS_OUTLINE
    assert "#d62728" not in [c.lower() for c in bar.marker.color]
    assert len(set(bar.marker.color)) == 3  # each class in its own colour
    assert fig.layout.annotations[0].x == "&lt;i&gt;b&lt;/i&gt;"
    assert fig.layout.title.text == "Row &lt;3&gt;"
    with pytest.raises(SoftmaxLabError):
        figures.probability_bars_figure([0.5, 0.5], ["a"])


# --- the rest of the builders -----------------------------------------------------------------


EVIL = "<img src=x onerror=alert(1)>"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _predictions(n, k, seed=0):
    rng = np.random.default_rng(seed)
    classes = [f"c{i}" for i in range(k)]
    y = rng.choice(classes, size=n)
    logits = rng.normal(size=(n, k)) + 1.5 * (y[:, None] == np.array(classes)[None, :])
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba, classes, logits


def test_coefficient_paths_figure():
    c = [10.0, 0.01, 1.0]
    rng = np.random.default_rng(1)
    coef = rng.normal(size=(3, 3, 5))
    coef[:, 2, 4] *= 100  # the largest feature of class "z"
    fig = figures.coefficient_paths_figure(
        c,
        coef,
        ["a", "b", "c", "<d>", "e"],
        ["x", "y", "z"],
        class_name="z",
        best_C=1.0,
        max_features=2,
    )
    assert [t.name for t in fig.data][::2] == ["e", "best C"] and len(fig.data) == 3
    assert list(fig.data[2].x) == [1.0, 1.0]
    np.testing.assert_allclose(fig.data[0].x, [0.01, 1.0, 10.0])
    np.testing.assert_allclose(fig.data[0].y, coef[[1, 2, 0], 2, 4])
    assert fig.layout.xaxis.type == "log"
    binary = figures.coefficient_paths_figure(c, coef[:, :1, :], list("abcde"), ["no", "yes"])
    np.testing.assert_allclose(
        binary.data[0].y, coef[[1, 2, 0], 0, np.abs(coef[:, 0, :]).max(axis=0).argmax()]
    )
    first = figures.coefficient_paths_figure(
        c, coef[:, :1, :], list("abcde"), ["no", "yes"], class_name="no"
    )
    assert all(np.all(np.asarray(t.y) == 0) for t in first.data)
    with pytest.raises(SoftmaxLabError, match="do not match"):
        figures.coefficient_paths_figure(c, coef[:2], list("abcde"), ["x", "y", "z"])


def test_logit_contributions_figure_adds_up():
    contributions = np.array([0.5, -2.0, 0.1, 1.5, -0.05])
    fig = figures.logit_contributions_figure(
        contributions, ["a", "b", "c", "d", "intercept"], 0.3, class_name="<b>x</b>", max_features=2
    )
    trace = fig.data[0]
    assert list(trace.measure) == ["relative"] * 4 + ["total"]
    assert list(trace.x) == [
        "(intercept)",
        "b",
        "d",
        "(3 other features)",
        "logit z (&lt;b&gt;x&lt;/b&gt;)",
    ]
    np.testing.assert_allclose(trace.y[:-1], [0.3, -2.0, 1.5, 0.55])
    assert trace.y[-1] == pytest.approx(0.3 + contributions.sum())
    assert sum(trace.y[:-1]) == pytest.approx(trace.y[-1])


def test_softmax_and_terms_figures():
    z = [2.0, 1.0, 0.1]
    p = info.softmax(z, temperature=2.0)
    fig = figures.softmax_bars_figure(z, p, labels=["a", "a", "<c>"], temperature=2.0)
    np.testing.assert_allclose(_trace(fig, "logit").y, z)
    np.testing.assert_allclose(_trace(fig, "probability").y, p)
    assert list(_trace(fig, "probability").x) == ["a", "a (2)", "&lt;c&gt;"]
    assert fig.layout.annotations[1].text == "p = softmax(z / 2)"
    terms = info.entropy_terms([0.5, 0.25, 0.25])
    fig = figures.information_terms_figure(terms, unit="bits")
    np.testing.assert_allclose(fig.data[0].y, [0.5, 0.5, 0.5])
    assert "1.5000 bits" in fig.layout.title.text
    with pytest.raises(SoftmaxLabError):
        figures.information_terms_figure(terms, quantity="mutual information")


def test_roc_and_pr_figures_carry_the_scores():
    y, proba, classes, _ = _predictions(500, 4)
    roc = ev.roc_curves(y, proba, classes)
    fig = figures.roc_curves_figure(roc)
    names = [t.name for t in fig.data]
    assert names[0] == f"c0 (AUC {roc.per_class[0].score:.3f})"
    assert f"micro average (AUC {roc.micro_score:.3f})" in names
    assert f"macro average (AUC {roc.macro_score:.3f})" in names
    assert "chance" in names
    np.testing.assert_allclose(fig.data[0].x, roc.per_class[0].x)
    pr = ev.precision_recall_curves(y, proba, classes)
    fig = figures.precision_recall_figure(pr)
    assert f"micro average (AP {pr.micro_score:.3f})" in [t.name for t in fig.data]
    with pytest.raises(SoftmaxLabError):
        figures.roc_curves_figure(pr)


def test_calibration_figures():
    y = ["a", "b", "b", "c", "c"]
    proba = [
        [0.9, 0.05, 0.05],
        [0.8, 0.1, 0.1],
        [0.3, 0.6, 0.1],
        [0.4, 0.35, 0.25],
        [0.2, 0.2, 0.6],
    ]
    cal = ev.calibration(y, proba, ["a", "b", "c"], n_bins=4)
    fig = figures.calibration_figure(cal)
    model = _trace(fig, "model")
    np.testing.assert_allclose(model.x, [0.4, 0.6, 0.85])
    np.testing.assert_allclose(model.y, [0.0, 1.0, 0.5])
    assert list(model.customdata) == [1, 2, 2]
    assert "0.380" in fig.layout.title.text
    hist = figures.confidence_histogram_figure(cal)
    np.testing.assert_allclose(hist.data[0].x, [0.125, 0.375, 0.625, 0.875])
    assert list(hist.data[0].y) == [0, 1, 2, 2]
    accuracy = next(t for t in hist.data if t.name.startswith("accuracy"))
    confidence = next(t for t in hist.data if t.name.startswith("mean confidence"))
    np.testing.assert_allclose(accuracy.x, [0.6, 0.6])  # 3 of 5 right
    np.testing.assert_allclose(confidence.x, [(0.4 + 1.2 + 1.7) / 5] * 2)


def test_temperature_effect_figure():
    y, _, classes, logits = _predictions(300, 3, seed=2)
    table = ev.temperature_effect(logits, y, classes, [0.5, 1.0, 2.0])
    fig = figures.temperature_effect_figure(table, current=2.0)
    np.testing.assert_allclose(_trace(fig, "log-loss").y, table["log_loss"])
    np.testing.assert_allclose(_trace(fig, "accuracy").y, table["accuracy"])
    np.testing.assert_allclose(_trace(fig, "calibration error (ECE)").y, table["ece"])
    assert fig.layout.xaxis.type == "log"


def test_class_weight_figure():
    y = np.array(["a", "a", "a", "b"])
    comparison = ev.compare_class_weights(y, ["a", "a", "a", "a"], ["a", "a", "b", "b"], ["a", "b"])
    fig = figures.class_weight_figure(comparison)
    np.testing.assert_allclose(_trace(fig, "recall, no weights").y, [1.0, 0.0])
    np.testing.assert_allclose(_trace(fig, "recall, balanced").y, [2 / 3, 1.0])
    np.testing.assert_allclose(_trace(fig, "precision, balanced").y, [1.0, 0.5])


def test_user_text_never_reaches_a_figure_unescaped():
    labels = [EVIL, "b&b", "ok"]
    y = np.array([EVIL, "b&b", "ok", EVIL, "ok", "b&b"])
    proba = np.array(
        [
            [0.7, 0.2, 0.1],
            [0.2, 0.6, 0.2],
            [0.1, 0.2, 0.7],
            [0.3, 0.4, 0.3],
            [0.2, 0.2, 0.6],
            [0.5, 0.3, 0.2],
        ]
    )
    cm = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 2]])
    comparison = ev.compare_class_weights(y, y, y, labels)
    figs = [
        figures.confusion_matrix_figure(cm, labels, normalize="true", title=EVIL),
        figures.probability_bars_figure([0.2, 0.3, 0.5], labels, true_label=EVIL, title=EVIL),
        figures.coefficient_paths_figure(
            [1.0], np.ones((1, 3, 2)), [EVIL, "x"], labels, class_name=EVIL, title=EVIL
        ),
        figures.logit_contributions_figure([1.0, 2.0], [EVIL, "x"], 0.5, class_name=EVIL),
        figures.softmax_bars_figure([1, 2, 3], [0.1, 0.2, 0.7], labels=labels, title=EVIL),
        figures.information_terms_figure([0.1, 0.2, 0.3], labels=labels, unit=EVIL),
        figures.roc_curves_figure(ev.roc_curves(y, proba, labels), title=EVIL),
        figures.precision_recall_figure(ev.precision_recall_curves(y, proba, labels)),
        figures.calibration_figure(ev.calibration(y, proba, labels), title=EVIL),
        figures.class_weight_figure(comparison, title=EVIL),
    ]
    for fig in figs:
        text = list(_strings(fig.to_plotly_json()))
        assert not any("<img" in s for s in text)
        assert any("&lt;img" in s for s in text)


def _json_size(fig):
    return len(fig.to_json().encode())


def test_figures_stay_small_with_a_million_rows_and_fifty_classes():
    k = 50
    classes = [f"class number {i}" for i in range(k)]
    # ROC/PR curves as a million held-out rows would give them: one point per row per class.
    # (The same arrays are shared between classes to keep the test's memory small.)
    n = 1_000_000
    x = np.sort(np.random.default_rng(0).random(n))
    y = np.sqrt(x)
    curve = lambda name: ev.Curve(name=name, x=x, y=y, score=0.9, positives=n // k)  # noqa: E731
    curves = ev.CurveSet(
        kind="roc",
        per_class=tuple(curve(c) for c in classes),
        micro=curve("micro average"),
        macro=curve("macro average"),
        micro_score=0.9,
        macro_score=0.9,
        notes=(),
    )
    roc = figures.roc_curves_figure(curves)
    assert sum(len(t.x) for t in roc.data) <= figures.MAX_FIGURE_POINTS + 2
    assert _json_size(roc) < 1_000_000
    pr = figures.precision_recall_figure(
        ev.CurveSet(
            kind="pr",
            per_class=curves.per_class,
            micro=curves.micro,
            macro=None,
            micro_score=0.9,
            macro_score=0.9,
            notes=(),
        )
    )
    assert _json_size(pr) < 1_000_000
    # calibration of a million rows (5 classes keep the test fast: the figure depends on bins)
    rng = np.random.default_rng(1)
    labels5 = classes[:5]
    y_big = rng.choice(labels5, size=n)
    p_big = rng.dirichlet(np.ones(5), size=n)
    cal = ev.calibration(y_big, p_big, labels5, n_bins=20)
    assert _json_size(figures.calibration_figure(cal)) < 50_000
    assert _json_size(figures.confidence_histogram_figure(cal)) < 50_000
    # 50 x 50 confusion matrix with counts summing to a million
    cm = rng.multinomial(n, np.ones(k * k) / (k * k)).reshape(k, k)
    for normalize in (None, "true"):
        assert _json_size(figures.confusion_matrix_figure(cm, classes, normalize=normalize)) < (
            1_000_000
        )
    assert (
        _json_size(figures.probability_bars_figure(np.ones(k) / k, classes, true_label=classes[3]))
        < 100_000
    )
    # coefficient paths: 30 values of C, 50 classes, 2000 features
    coef = rng.normal(size=(30, k, 2000))
    paths = figures.coefficient_paths_figure(
        np.logspace(-3, 3, 30), coef, [f"f{i}" for i in range(2000)], classes
    )
    assert _json_size(paths) < 200_000
    contributions = figures.logit_contributions_figure(
        rng.normal(size=2000), [f"f{i}" for i in range(2000)], 0.1, class_name=classes[0]
    )
    assert _json_size(contributions) < 50_000
    # CV with the largest number of fits
    c_grid = np.logspace(-3, 3, 20)
    results = pd.DataFrame(
        {
            "C": np.repeat(c_grid, 10),
            "fold": np.tile(np.arange(10), 20),
            "accuracy": rng.random(200),
            "log_loss": rng.random(200),
        }
    )
    summary = results.groupby("C", as_index=False).agg(
        mean_accuracy=("accuracy", "mean"),
        std_accuracy=("accuracy", "std"),
        mean_log_loss=("log_loss", "mean"),
        std_log_loss=("log_loss", "std"),
    )
    assert _json_size(figures.cv_scores_figure(results, summary, c_grid[3])) < 200_000


@pytest.mark.parametrize("normalize", [None, "true"])
def test_clickable_confusion_matrix_and_selected_cell(normalize):
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    labels = ["a", "<b>", "c"]
    fig = figures.confusion_matrix_figure(cm, labels, normalize=normalize, clickable=True)
    heat, cells = fig.data
    assert cells.name == "cells"
    data = np.asarray(cells.customdata)
    assert data.shape == (9, 4)
    for (i, j, count, share), x, y in zip(data, cells.x, cells.y, strict=True):
        i, j = int(i), int(j)
        assert (y, x) == (heat.y[i], heat.x[j])  # each point sits on its cell
        assert count == cm[i, j]
        assert share == pytest.approx(np.asarray(heat.z, dtype=float)[i, j])
    assert fig.layout.hoverdistance == -1
    # hover distance counts from a marker's edge: small markers, so the nearest centre wins
    assert cells.marker.size <= 8 < cells.selected.marker.size
    # what Streamlit returns after a click on the point of cell (true "<b>", predicted "a")
    point = {
        "curve_number": 1,
        "point_index": 3,
        "x": "&lt;b&gt;",
        "y": "a",
        "customdata": [1.0, 0.0, 2.0, 0.2],
    }
    assert figures.selected_cell({"selection": {"points": [point]}}, labels) == ("<b>", "a")
    # a click on the heatmap itself (no customdata): x is predicted, y true, both escaped
    heat_point = {"x": "c", "y": "&lt;b&gt;", "z": 1}
    assert figures.selected_cell({"selection": {"points": [heat_point]}}, labels) == ("<b>", "c")
    assert figures.selected_cell({"selection": {"points": []}}, labels) is None
    assert (
        figures.selected_cell({"selection": {"points": [{"customdata": [7, 0]}]}}, labels) is None
    )


def test_selected_cell_reads_attribute_style_events():
    class Selection(dict):
        __getattr__ = dict.__getitem__

    event = Selection(selection=Selection(points=[{"customdata": [2, 2, 9, 1.0]}]))
    assert figures.selected_cell(event, ["a", "b", "c"]) == ("c", "c")


def test_selected_cell_from_point_index_events():
    labels = ["a", "b", "c"]
    fig = figures.confusion_matrix_figure(np.eye(3, dtype=int), labels, clickable=True)
    assert fig.data[1].name == "cells"  # curve 1
    # Streamlit's point without customdata: point i * n + j of curve 1 is cell (i, j)
    event = {"selection": {"points": [{"curve_number": 1, "point_index": 5}]}}
    assert figures.selected_cell(event, labels) == ("b", "c")
    assert (
        figures.selected_cell(
            {"selection": {"points": [{"curve_number": 1, "point_index": 9}]}}, labels
        )
        is None
    )


# --- the shared template: readable on a projector (issue 16) -----------------------------------


@functools.cache
def _every_figure():
    """One figure from every builder, with the data a page would give it (built once)."""
    y, proba, classes, logits = _predictions(300, 4, seed=3)
    results, summary = _cv_tables()
    cm = np.array([[40, 3, 0, 1], [2, 30, 5, 0], [0, 4, 50, 1], [1, 0, 2, 20]])
    cal = ev.calibration(y, proba, classes)
    comparison = ev.compare_class_weights(y, y, y, classes)
    rng = np.random.default_rng(0)
    return {
        "confusion": figures.confusion_matrix_figure(cm, classes, normalize="true"),
        "cv_scores": figures.cv_scores_figure(results, summary, 1.0, one_se_C=0.1),
        "probability": figures.probability_bars_figure(proba[0], classes, true_label=y[0]),
        "coef_paths": figures.coefficient_paths_figure(
            [0.01, 1.0, 100.0], rng.normal(size=(3, 4, 3)), ["a", "b", "c"], classes
        ),
        "logit": figures.logit_contributions_figure([1.0, -0.5], ["a", "b"], 0.2, class_name="c0"),
        "softmax": figures.softmax_bars_figure(logits[0], proba[0], labels=classes),
        "terms": figures.information_terms_figure([0.5, 0.5], unit="nats"),
        "roc": figures.roc_curves_figure(ev.roc_curves(y, proba, classes)),
        "pr": figures.precision_recall_figure(ev.precision_recall_curves(y, proba, classes)),
        "reliability": figures.calibration_figure(cal),
        "confidence": figures.confidence_histogram_figure(cal),
        "temperature": figures.temperature_effect_figure(
            ev.temperature_effect(logits, y, classes, [0.25, 0.5, 1.0, 2.0, 5.0]), current=1.0
        ),
        "class_weights": figures.class_weight_figure(comparison),
        "class_balance": figures.class_balance_figure([30, 10], ["yes", "no"]),
        **_explore_figures(),
    }


def _explore_figures():
    from dashboard.explore import DecisionMap, information_view

    proba = np.array([[[0.9, 0.1], [0.4, 0.6]]])
    dmap = DecisionMap(
        x="a", y="b", x_values=np.array([0.0, 1.0]), y_values=np.array(["u"], dtype=object),
        x_categorical=False, y_categorical=True, classes=("no", "yes"), proba=proba,
        predicted=proba.argmax(axis=2), top_probability=proba.max(axis=2),
        entropy_bits=np.array([[0.469, 0.971]]), held_at=(), reference_x=0.0, reference_y="u",
    )  # fmt: skip
    view = information_view(
        ["a", "b"], [[0.9, 0.1], [0.2, 0.8]], classes=["a", "b"], prior=[0.5, 0.5]
    )
    return {
        "decision_map": figures.decision_map_figure(dmap),
        "information": figures.information_figure(view),
        "log_loss_split": figures.log_loss_split_figure(view),
    }


def _text_sizes(fig):
    """Every explicit text size in a figure's own layout (Streamlit's theme cannot shrink these)."""
    layout = fig.layout
    sizes = {"font": layout.font.size, "legend": layout.legend.font.size}
    for name in layout.to_plotly_json():
        if name.startswith(("xaxis", "yaxis")):
            axis = layout[name]
            sizes[f"{name}.tick"] = axis.tickfont.size
            sizes[f"{name}.title"] = axis.title.font.size
    if layout.title.text:
        sizes["title"] = layout.title.font.size
    for i, note in enumerate(layout.annotations):
        sizes[f"annotation {i}"] = note.font.size
    return sizes


@pytest.mark.parametrize("name", sorted(_every_figure()))
def test_every_figure_has_large_dark_text_on_the_shared_template(name):
    fig = _every_figure()[name]
    sizes = _text_sizes(fig)
    assert all(size is not None and size >= 12 for size in sizes.values()), sizes
    assert fig.layout.font.color == figures.TEXT_COLOUR
    assert fig.layout.xaxis.tickfont.color == figures.TEXT_COLOUR
    # the template itself (registered once) says the same
    template = fig.layout.template.layout
    assert template.xaxis.tickfont.size >= 12 and template.legend.font.size >= 12
    assert template.font.color == figures.TEXT_COLOUR
    # dark grey: every channel below a third of full brightness
    assert all(int(figures.TEXT_COLOUR[i : i + 2], 16) < 85 for i in (1, 3, 5))


@pytest.mark.parametrize("name", sorted(_every_figure()))
def test_presenter_mode_enlarges_every_text(name):
    fig = _every_figure()[name]
    big = figures.presenter_figure(fig)
    before, after = _text_sizes(fig), _text_sizes(big)
    assert before.keys() == after.keys()
    for key, size in before.items():
        assert after[key] == pytest.approx(size * figures.PRESENTER_SCALE, abs=0.06), key
    assert _text_sizes(fig) == before  # the original is left alone


def test_titles_wrap_instead_of_being_cut():
    y, proba, classes, _ = _predictions(300, 4, seed=3)
    fig = figures.roc_curves_figure(ev.roc_curves(y, proba, classes))
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) >= 2 and all(len(line) <= figures.TITLE_WRAP for line in lines)
    assert "micro AUC" in fig.layout.title.text  # nothing dropped
    assert fig.layout.margin.t >= 24 * len(lines)


def test_log_axes_are_labelled_at_powers_of_ten_only():
    grid = np.logspace(-3, 2, 11)  # 0.001 ... 100, with values between the powers
    results = pd.DataFrame(
        {"C": np.repeat(grid, 3), "fold": np.tile([0, 1, 2], 11), "accuracy": 0.8}
    )
    summary = results.groupby("C", as_index=False).agg(
        mean_accuracy=("accuracy", "mean"), std_accuracy=("accuracy", "std")
    )
    fig = figures.cv_scores_figure(results, summary, 1.0)
    axis = fig.layout.xaxis
    assert axis.type == "log" and axis.tickmode == "array"
    assert list(axis.tickvals) == [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    assert list(axis.ticktext) == ["0.001", "0.01", "0.1", "1", "10", "100"]
    exponents = np.log10(np.asarray(axis.tickvals))
    np.testing.assert_allclose(exponents, np.round(exponents))
    paths = figures.coefficient_paths_figure(grid, np.ones((11, 2, 1)), ["a"], ["x", "y"])
    assert list(paths.layout.xaxis.tickvals) == list(axis.tickvals)


def test_the_temperature_axis_reads_as_temperatures():
    y, _, classes, logits = _predictions(200, 3, seed=2)
    table = ev.temperature_effect(logits, y, classes, np.linspace(0.25, 5.0, 20))
    fig = figures.temperature_effect_figure(table)
    axis = fig.layout.xaxis
    # less than two decades: 1-2-5 ticks inside the range (not "3 4 5 ... 9")
    assert list(axis.ticktext) == ["0.5", "1", "2", "5"]
    np.testing.assert_allclose(axis.tickvals, [0.5, 1.0, 2.0, 5.0])


def test_best_and_one_se_markers_at_the_same_C_both_show():
    results, summary = _cv_tables()
    fig = figures.cv_scores_figure(results, summary, 1.0, one_se_C=1.0)
    star = next(t for t in fig.data if t.name.startswith("best C") and "log-loss" not in t.name)
    diamond = next(
        t for t in fig.data if t.name.startswith("one-SE C") and "log-loss" not in t.name
    )
    assert list(star.x) == list(diamond.x) == [1.0] and star.y[0] == diamond.y[0]
    # the diamond is open and larger, and drawn before (under) the star: both visible
    assert diamond.marker.symbol == "diamond-open" and star.marker.symbol == "star"
    assert diamond.marker.size > star.marker.size + 5
    assert fig.data.index(diamond) < fig.data.index(star)
    # legend and hover say both
    assert "also the one-SE C" in star.name and "also the one-SE C" in star.hovertemplate
    assert "same C as the best" in diamond.name
    apart = figures.cv_scores_figure(results, summary, 1.0, one_se_C=0.1)
    assert {"best C", "one-SE C"} <= {t.name for t in apart.data}


def test_class_colours_are_colour_blind_safe_and_the_same_everywhere():
    classes = [f"c{i}" for i in range(4)]
    colours = figures.class_colours(classes)
    # Okabe-Ito's first four (blue, orange, bluish green, reddish purple)
    assert list(colours.values()) == ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
    assert len(set(figures.CLASS_COLOURS)) == len(figures.CLASS_COLOURS) >= 16
    y, proba, _, logits = _predictions(300, 4, seed=3)
    roc = figures.roc_curves_figure(ev.roc_curves(y, proba, classes))
    for trace in roc.data[:4]:
        assert trace.line.color == colours[trace.name.split(" ")[0]]
    bars = figures.probability_bars_figure(proba[0], classes)
    assert list(bars.data[0].marker.color) == list(colours.values())
    soft = figures.softmax_bars_figure(logits[0], proba[0], labels=classes)
    assert list(_trace(soft, "probability").marker.color) == list(colours.values())
    assert [figures.class_colour(k) for k in range(4)] == list(colours.values())


def test_many_classes_curves_draw_the_classes_that_matter():
    k = 50
    classes = [f"k{i:02d}" for i in range(k)]
    rng = np.random.default_rng(4)
    weights = np.arange(1, k + 1, dtype=float)  # k49 is the most common class
    y = rng.choice(classes, size=5000, p=weights / weights.sum())
    proba = rng.dirichlet(np.ones(k), size=y.size)
    roc = ev.roc_curves(y, proba, classes)
    fig = figures.roc_curves_figure(roc)
    per_class = [t for t in fig.data if t.name.startswith("k")]
    assert len(per_class) == figures.MAX_LEGEND_CLASSES
    counts = pd.Series(y).value_counts()
    top = set(counts.index[: figures.MAX_LEGEND_CLASSES])
    assert {t.name.split(" ")[0] for t in per_class} == top
    assert "8 of 50 classes drawn" in fig.layout.title.text.replace("<br>", " ")
    chosen = figures.roc_curves_figure(roc, classes=["k00", "k01"])
    assert [t.name.split(" ")[0] for t in chosen.data if t.name.startswith("k")] == [
        "k00",
        "k01",
    ]
    assert chosen.data[1].line.color == figures.class_colour(1)


def test_class_weight_legends_name_each_panel():
    y = np.array(["a", "a", "a", "b"])
    comparison = ev.compare_class_weights(y, ["a", "a", "a", "a"], ["a", "a", "b", "b"], ["a", "b"])
    fig = figures.class_weight_figure(comparison)
    for trace in fig.data:
        expected = "legend" if trace.xaxis == "x" else "legend2"
        assert (trace.legend or "legend") == expected
        assert trace.name.startswith("recall" if expected == "legend" else "precision")
    assert fig.layout.legend2.font.size >= 12


def _nats_view():
    from dashboard.explore import information_view

    y = ["a", "b", "c", "c"]
    proba = np.array([[0.7, 0.2, 0.1], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]])
    return y, proba, information_view(y, proba, classes=["a", "b", "c"], prior=[0.25, 0.25, 0.5])


def test_information_figures_in_nats_against_sklearn_and_scipy():
    from scipy.stats import entropy as scipy_entropy
    from sklearn.metrics import log_loss

    y, proba, view = _nats_view()
    fig = figures.information_figure(view, unit="nats")
    right, wrong = fig.data
    rows = np.concatenate([right.customdata[:, 0], wrong.customdata[:, 0]]).astype(int)
    ce = np.concatenate([right.y, wrong.y])
    truth = [["a", "b", "c"].index(c) for c in y]
    np.testing.assert_allclose(ce, -np.log(proba[rows, np.asarray(truth)[rows]]), atol=1e-12)
    h = np.concatenate([right.x, wrong.x])
    np.testing.assert_allclose(h, scipy_entropy(proba[rows], axis=1), atol=1e-12)
    assert "(nats)" in fig.layout.xaxis.title.text and "(nats)" in fig.layout.yaxis.title.text
    # the second row (true b, given 0.25) is the wrong one: -ln 0.25 nats, above ln 2
    assert wrong.y.tolist() == pytest.approx([np.log(4)])
    split = figures.log_loss_split_figure(view, unit="nats")
    parts = [float(t.y[0]) for t in split.data if t.name != "class shares"]
    assert sum(parts) == pytest.approx(log_loss(y, proba), abs=1e-12)
    shares = next(t for t in split.data if t.name == "class shares")
    prior = np.tile([0.25, 0.25, 0.5], (4, 1))
    assert float(shares.y[0]) == pytest.approx(log_loss(y, prior, labels=["a", "b", "c"]))
    assert split.layout.yaxis.title.text == "log-loss (nats per row)"
    with pytest.raises(SoftmaxLabError, match="'bits' or 'nats'"):
        figures.information_figure(view, unit="bans")


def test_information_sentences_in_nats():
    from sklearn.metrics import log_loss

    y, proba, view = _nats_view()
    text = " ".join(view.sentences(unit="nats"))
    assert f"cross-entropy is {log_loss(y, proba):.3f} nats per row" in text
    assert f"{np.log(3):.2g} nats when all 3 classes" in text and "bits" not in text
    bits = " ".join(view.sentences(unit="bits"))
    assert f"cross-entropy is {log_loss(y, proba) / np.log(2):.3f} bits per row" in bits


def test_the_decision_maps_legend_lists_the_chosen_classes_and_draws_all():
    from dashboard.explore import DecisionMap

    proba = np.array([[[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]])
    m = DecisionMap(x="a", y="b", x_values=np.array([0.0, 1.0]),
        y_values=np.array(["u"], dtype=object), x_categorical=False, y_categorical=True,
        classes=("p", "q", "r"), proba=proba, predicted=proba.argmax(axis=2),
        top_probability=proba.max(axis=2), entropy_bits=np.array([[1.3, 1.3]]),
        held_at=(), reference_x=0.0, reference_y="u")  # fmt: skip
    points = dict(x_points=[0.0, 1.0, 0.5], y_points=["u", "u", "u"], true_class=["p", "q", "r"])
    every = figures.decision_map_figure(m, **points)
    some = figures.decision_map_figure(m, **points, legend_classes=["r"])
    listed = {t.name: t.showlegend for t in some.data if t.name.startswith("true: ")}
    assert listed == {"true: p": False, "true: q": False, "true: r": True}
    assert [t.name for t in some.data] == [t.name for t in every.data]  # every class drawn
    assert all(t.showlegend is not False for t in every.data if t.name.startswith("true: "))
