"""Evaluate's temperature slider: calibration from the kept gaps, figures copied from T = 1."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import plotly.io as pio
import pytest
from scipy.special import softmax

from dashboard import figures
from dashboard.charts import _BLOCK_ROWS, CHARTS, ChartData

CLASSES = ["a", "b", "c", "d"]
TEMPERATURES = [0.25, 0.5, 0.7, 1.0, 1.35, 2.0, 3.3, 5.0]


def _model(n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), n)
    z = rng.normal(0, 1.0, (n, len(CLASSES)))
    z[np.arange(n), y] += rng.normal(1.5, 1.5, n)  # mostly right, sometimes confidently wrong
    # rows whose confidence at T = 1 sits on a bin edge (0.7 = 1 / (1 + e^-g), two classes tied
    # far below): float32 alone could put them on either side
    edge = np.log(0.7 / 0.3)
    z[:20] = [0.0, -edge, -60.0, -60.0]
    return _held_out(CLASSES, z, y)


def _held_out(names, z: np.ndarray, y: np.ndarray) -> SimpleNamespace:
    """What the temperature charts read of a model: classes, held-out logits and labels."""
    return SimpleNamespace(
        classes=np.array(names),
        test_logits=z,
        y_test=np.array(names)[y],
        cv_results=None,
        search_best_C=1.0,
    )


def _reference(model, t: float, n_bins: int = 10):
    """Reliability bins by hand: scipy's softmax in float64, floor(confidence * bins)."""
    p = softmax(model.test_logits / t, axis=1)
    conf = p.max(axis=1)
    correct = p.argmax(axis=1) == np.searchsorted(CLASSES, model.y_test)
    bins = np.minimum(np.floor(conf * n_bins).astype(int), n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    mean_conf = np.array([conf[bins == b].mean() if count[b] else np.nan for b in range(n_bins)])
    acc = np.array([correct[bins == b].mean() if count[b] else np.nan for b in range(n_bins)])
    gaps = np.where(count > 0, np.abs(acc - mean_conf), 0.0)
    return count, mean_conf, acc, float(np.sum(count / conf.size * gaps))


@pytest.mark.parametrize("t", TEMPERATURES)
def test_calibration_at_any_temperature_matches_a_float64_softmax(t):
    model = _model()
    cal = ChartData(model).calibration(t)
    count, mean_conf, acc, ece = _reference(model, t)
    np.testing.assert_array_equal(cal.count, count)  # every row in the same bin
    np.testing.assert_allclose(cal.accuracy, acc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cal.mean_confidence, mean_conf, rtol=0, atol=1e-6)
    assert cal.ece == pytest.approx(ece, abs=1e-6)


def test_the_bin_edge_rows_land_where_float64_puts_them():
    model = _model()
    conf = ChartData(model).confidence(1.0)[:20]
    exact = softmax(model.test_logits[:20], axis=1).max(axis=1)
    np.testing.assert_array_equal(np.floor(conf * 10), np.floor(exact * 10))


def _spec(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


@pytest.mark.parametrize("t", [0.3, 0.75, 1.0, 2.45, 5.0])
def test_retempered_figures_equal_the_figures_built_from_scratch(t):
    model = _model()
    data = ChartData(model)
    scratch = {
        "reliability": figures.calibration_figure(data.calibration(t)),
        "confidence_hist": figures.confidence_histogram_figure(data.calibration(t)),
        "temperature_effect": figures.temperature_effect_figure(data.temperature, current=t),
    }
    for key, expected in scratch.items():
        first = CHARTS[key].figure(model, data, temperature=1.0)  # makes the kept base
        assert _spec(first) == _spec(CHARTS[key].build(model, ChartData(model), temperature=1.0))
        assert _spec(CHARTS[key].figure(model, data, temperature=t)) == _spec(expected), key


def test_the_temperature_chart_without_a_slider_has_no_line():
    model = _model()
    data = ChartData(model)
    fig = CHARTS["temperature_effect"].figure(model, data)
    assert not fig.layout.shapes
    assert _spec(fig) == _spec(figures.temperature_effect_figure(data.temperature))


def test_two_classes_with_one_logit_a_row():
    model = _model()
    z = model.test_logits[:, :2]
    model.test_logits = z[:, 1] - z[:, 0]  # decision_function's shape for two classes
    model.classes = np.array(CLASSES[:2])
    model.y_test = np.where(z.argmax(axis=1) == 0, "a", "b")
    for t in (0.5, 1.0, 2.0):
        conf = ChartData(model).confidence(t)
        exact = softmax(z / t, axis=1).max(axis=1)
        np.testing.assert_allclose(conf, exact, rtol=0, atol=1e-6)
        np.testing.assert_array_equal(np.floor(conf * 10), np.floor(exact * 10))


def _many_classes_model(n: int, k: int = 50, seed: int = 1):
    """``n`` rows of ``k`` classes with logits spread as a fitted model's (gaps up to ~40)."""
    rng = np.random.default_rng(seed)
    names = [f"c{j:02d}" for j in range(k)]
    y = rng.integers(0, k, n)
    z = rng.normal(0, 3.0, (n, k))
    z[np.arange(n), y] += rng.normal(4.0, 4.0, n)
    return _held_out(names, z, y)


@pytest.mark.parametrize("t", [0.25, 1.0, 5.0])
def test_many_classes_over_several_blocks_match_scipy_within_the_float32_bound(t):
    """50 classes, rows over three blocks of ``ChartData.confidence`` (the last one partial):
    each confidence within ``(3 ln K + 7) * 2**-24`` relative (1.1e-6) of scipy's float64
    softmax, the bins, accuracy and calibration error as binned by hand from it, and
    sklearn's accuracy."""
    from sklearn.metrics import accuracy_score

    n = 2 * _BLOCK_ROWS + 123
    model = _many_classes_model(n)
    data = ChartData(model)
    p = softmax(model.test_logits / t, axis=1)
    exact = p.max(axis=1)
    bound = (3 * np.log(len(model.classes)) + 7) * 2.0**-24
    np.testing.assert_allclose(data.confidence(t), exact, rtol=bound, atol=0)
    names = list(model.classes)
    correct = p.argmax(axis=1) == np.searchsorted(names, model.y_test)
    bins = np.minimum(np.floor(exact * 10).astype(int), 9)
    count = np.bincount(bins, minlength=10)
    cal = data.calibration(t)
    np.testing.assert_array_equal(cal.count, count)
    for b in np.flatnonzero(count):
        assert cal.mean_confidence[b] == pytest.approx(exact[bins == b].mean(), rel=bound)
        assert cal.accuracy[b] == pytest.approx(correct[bins == b].mean(), abs=1e-12)
    ece = sum(
        count[b] / n * abs(correct[bins == b].mean() - exact[bins == b].mean())
        for b in np.flatnonzero(count)
    )
    assert cal.ece == pytest.approx(ece, abs=1e-6)
    accuracy = np.sum(cal.accuracy[count > 0] * count[count > 0]) / n
    assert accuracy == pytest.approx(accuracy_score(model.y_test, np.array(names)[p.argmax(1)]))
