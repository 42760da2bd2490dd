"""The decision map and information figures: their data read back against scipy and sklearn."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import entropy as scipy_entropy
from sklearn.metrics import log_loss

from dashboard.errors import SoftmaxLabError
from dashboard.explore import decision_map, information_view
from dashboard.figures import (
    CLASS_COLOURS,
    decision_map_figure,
    information_figure,
    log_loss_split_figure,
    selected_map_row,
)
from dashboard.training import build_pipeline

CLASSES = ["<b>big</b>", "mid & co", "small"]


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(7)
    n = 240
    X = pd.DataFrame(
        {
            "length": rng.normal(5, 2, n),
            "shop": rng.choice(["<i>north</i>", "south", "east"], n).astype(object),
            "age": rng.normal(40, 12, n),
        }
    )
    score = X["length"] - 5 + np.where(X["shop"] == "south", 1.0, 0.0) + rng.normal(0, 1, n)
    y = np.where(score > 1, CLASSES[0], np.where(score < -1, CLASSES[2], CLASSES[1]))
    pipe = build_pipeline(numeric=["length", "age"], categorical=["shop"]).fit(X, y)
    return pipe, X, y


def _layers(fig):
    """The map's two heatmaps: the regions (class positions) and the shade on top."""
    regions = next(t for t in fig.data if t.name == "regions")
    shade = next(t for t in fig.data if t.name == "shade")
    assert list(fig.data).index(regions) < list(fig.data).index(shade)  # the veil on top
    assert [t.type for t in fig.data].count("heatmap") == 2
    return regions, shade


def _rgba(text: str) -> np.ndarray:
    """'rgba(r, g, b, a)' or '#rrggbb' as [r, g, b, a] (r, g, b from 0 to 255)."""
    if text.startswith("#"):
        return np.array([int(text[i : i + 2], 16) for i in (1, 3, 5)] + [1.0])
    return np.array([float(v) for v in text[text.index("(") + 1 : -1].split(",")])


def _scale(colorscale, z: float, zmin: float, zmax: float) -> np.ndarray:
    """The colour a Plotly colour scale gives ``z``: linear between the stops around it."""
    t = (z - zmin) / (zmax - zmin)
    stops = [(float(at), _rgba(colour)) for at, colour in colorscale]
    for (a, ca), (b, cb) in zip(stops, stops[1:], strict=False):
        if a <= t <= b and b > a:
            return ca + (cb - ca) * (t - a) / (b - a)
    raise AssertionError(f"{t} is outside the colour scale")


def _over(colour: np.ndarray, below: np.ndarray) -> np.ndarray:
    """An RGBA colour drawn over an opaque RGB one."""
    return colour[3] * colour[:3] + (1 - colour[3]) * below


def _shown(fig, i: int, j: int) -> np.ndarray:
    """The RGB colour cell (i, j) of the map shows on white: the regions, then the shade."""
    regions, shade = _layers(fig)
    white = np.array([255.0, 255.0, 255.0])
    r = _scale(regions.colorscale, float(regions.z[i][j]), regions.zmin, regions.zmax)
    s = _scale(shade.colorscale, float(shade.z[i][j]), shade.zmin, shade.zmax)
    return _over(s, _over(r, white))


def _grid_proba(pipe, X, m, x: str, y: str, ref: int) -> np.ndarray:
    """predict_proba of every grid cell, on rows built one by one from the reference row."""
    out = np.empty((len(m.y_values), len(m.x_values), len(pipe.classes_)))
    for i, yv in enumerate(m.y_values):
        for j, xv in enumerate(m.x_values):
            row = X.iloc[[ref]].copy()
            row[x], row[y] = xv, yv
            out[i, j] = pipe.predict_proba(row)[0]
    return out


def test_regions_tile_the_grid_with_the_shade_of_confidence(fitted):
    pipe, X, _ = fitted
    m = decision_map(pipe, X, x="length", y="age", reference=X.iloc[[0]], resolution=9)
    fig = decision_map_figure(m)
    regions, shade = _layers(fig)
    proba = _grid_proba(pipe, X, m, "length", "age", 0)
    winner = proba.argmax(axis=2)
    assert len(np.unique(winner)) > 1  # the grid crosses a boundary
    np.testing.assert_array_equal(np.asarray(regions.z), winner)
    top = proba.max(axis=2)
    np.testing.assert_allclose(np.asarray(shade.z, dtype=float), (top - 1 / 3) / (2 / 3),
                               atol=1e-6)  # fmt: skip
    # The hover names each cell's class (escaped) and gives its top probability and entropy.
    names = np.array(["&lt;b&gt;big&lt;/b&gt;", "mid &amp; co", "small"])
    np.testing.assert_array_equal(np.array(shade.text), names[winner])
    np.testing.assert_allclose(np.asarray(shade.customdata, dtype=float)[..., 0], top, atol=1e-6)
    np.testing.assert_allclose(np.asarray(shade.customdata, dtype=float)[..., 1],
                               scipy_entropy(proba, base=2, axis=2), atol=1e-5)  # fmt: skip
    assert regions.hoverinfo == "skip" and "%{text}" in shade.hovertemplate
    # What the cells show: the class's colour at opacity 0.16 (a uniform guess) to 0.8 (sure).
    white = np.array([255.0, 255.0, 255.0])
    for i, j in [(0, 0), (4, 4), (8, 8), (0, 8), (8, 0), (2, 6)]:
        colour = _rgba(CLASS_COLOURS[winner[i, j]])[:3]
        alpha = 0.16 + 0.64 * (top[i, j] - 1 / 3) / (2 / 3)
        np.testing.assert_allclose(_shown(fig, i, j), alpha * colour + (1 - alpha) * white,
                                   atol=1e-3)  # fmt: skip
    np.testing.assert_allclose(regions.x, m.x_values)
    np.testing.assert_allclose(shade.y, m.y_values)
    assert [t.marker.color for t in fig.data if t.name == "reference row"] == ["#ffd700"]
    ref = next(t for t in fig.data if t.name == "reference row")
    assert ref.x[0] == pytest.approx(X["length"].iloc[0])
    assert ref.y[0] == pytest.approx(X["age"].iloc[0])


def test_entropy_shade_against_scipy(fitted):
    pipe, X, _ = fitted
    m = decision_map(pipe, X, x="length", y="age", reference=X.iloc[[3]], resolution=5)
    fig = decision_map_figure(m, shade="entropy")
    _, shade = _layers(fig)
    proba = _grid_proba(pipe, X, m, "length", "age", 3)
    expected = 1 - scipy_entropy(proba, base=2, axis=2) / math.log2(3)
    np.testing.assert_allclose(np.asarray(shade.z, dtype=float), expected, atol=1e-6)
    assert "entropy" in fig.layout.legend.title.text


def test_many_classes_cost_two_layers_and_keep_their_colours():
    """With 40 classes the map is still two heatmaps; each cell's class and colour are those
    of the argmax of predict_proba, and the map's JSON stays small."""
    import plotly.graph_objects as go
    import plotly.io as pio

    rng = np.random.default_rng(3)
    n, k = 4000, 40
    centres = rng.normal(0, 3, (k, 2))
    labels = rng.integers(0, k, n)
    X = pd.DataFrame(centres[labels] + rng.normal(0, 1, (n, 2)), columns=["u", "v"])
    y = np.array([f"class {c:02d}" for c in labels])
    pipe = build_pipeline(numeric=["u", "v"], categorical=[]).fit(X, y)
    m = decision_map(pipe, X, x="u", y="v", reference=X.iloc[[0]], resolution=60)
    fig = decision_map_figure(m, x_points=X["u"], y_points=X["v"], true_class=y,
                              predicted_class=pipe.predict(X))  # fmt: skip
    regions, shade = _layers(fig)
    gu, gv = np.meshgrid(m.x_values, m.y_values)
    grid = pd.DataFrame({"u": gu.ravel(), "v": gv.ravel()})
    winner = pipe.predict_proba(grid).argmax(axis=1).reshape(gu.shape)
    assert len(np.unique(winner)) >= 10
    np.testing.assert_array_equal(np.asarray(regions.z), winner)
    np.testing.assert_array_equal(np.array(shade.text), pipe.classes_[winner])
    for i, j in [(0, 0), (30, 30), (59, 0), (10, 50)]:
        c = winner[i, j]
        got = _scale(regions.colorscale, float(regions.z[i][j]), regions.zmin, regions.zmax)
        np.testing.assert_allclose(got, _rgba(CLASS_COLOURS[c % len(CLASS_COLOURS)])[:3].tolist()
                                   + [0.8])  # fmt: skip
    # The two layers of a 60 x 60 grid: ~110 KB of JSON, whatever the number of classes
    # (one layer per class over the grid sent ~60 KB a class).
    layers = go.Figure([regions, shade])
    assert len(pio.to_json(layers, validate=False)) < 150_000


def test_points_by_true_class_and_wrong_ones_marked(fitted):
    pipe, X, y = fitted
    pred = pipe.predict(X)
    m = decision_map(pipe, X, x="shop", y="length", reference=X.iloc[[1]], resolution=6)
    fig = decision_map_figure(m, x_points=X["shop"], y_points=X["length"], true_class=y,
                              predicted_class=pred, row_ids=np.arange(len(y)) + 100)  # fmt: skip
    # The categorical axis: bands at 0, 1, 2 with the categories, escaped, as tick labels.
    assert fig.layout.xaxis.ticktext == ("&lt;i&gt;north&lt;/i&gt;", "east", "south")
    assert fig.layout.xaxis.tickvals == (0.0, 1.0, 2.0)
    for position, cls in enumerate(CLASSES):
        trace = next(t for t in fig.data if t.name.startswith("true: ") and
                     t.marker.color == CLASS_COLOURS[position])  # fmt: skip
        ids = trace.customdata[:, 0].astype(int) - 100
        np.testing.assert_array_equal(np.sort(ids), np.flatnonzero(y == cls))
        np.testing.assert_allclose(trace.y, X["length"].to_numpy()[np.sort(ids)])
        shop = X["shop"].to_numpy()[np.sort(ids)]
        band = np.array([list(m.x_values).index(s) for s in shop])
        assert np.all(np.abs(np.asarray(trace.x) - band) <= 0.3)
    wrong = next(t for t in fig.data if t.name == "predicted wrong")
    np.testing.assert_array_equal(wrong.customdata[:, 0].astype(int) - 100,
                                  np.flatnonzero(pred != y))  # fmt: skip
    ref = next(t for t in fig.data if t.name == "reference row")
    assert ref.x[0] == list(m.x_values).index(X["shop"].iloc[1])


def test_points_are_sampled_beyond_the_limit(fitted):
    pipe, X, y = fitted
    m = decision_map(pipe, X, x="length", y="age", reference=X.iloc[[0]], resolution=4)
    fig = decision_map_figure(m, x_points=X["length"], y_points=X["age"], true_class=y,
                              max_points=50)  # fmt: skip
    points = [t for t in fig.data if t.name.startswith("true: ")]
    assert sum(len(t.x) for t in points) == 50
    assert not any(t.name == "predicted wrong" for t in fig.data)  # no predictions given


def test_decision_map_figure_refuses_bad_options(fitted):
    pipe, X, y = fitted
    m = decision_map(pipe, X, x="length", y="age", reference=X.iloc[[0]], resolution=3)
    with pytest.raises(SoftmaxLabError, match="'probability' or 'entropy', got 'size'"):
        decision_map_figure(m, shade="size")
    with pytest.raises(SoftmaxLabError, match="differ in length"):
        decision_map_figure(m, x_points=X["length"], y_points=X["age"][:10], true_class=y)
    with pytest.raises(SoftmaxLabError, match="x values, y values and true classes together"):
        decision_map_figure(m, x_points=X["length"])


def test_information_figure_against_sklearn(fitted):
    pipe, X, y = fitted
    proba = pipe.predict_proba(X)
    view = information_view(y, proba, classes=pipe.classes_, prior=[1 / 3] * 3)
    fig = information_figure(view)
    right, wrong = fig.data
    assert (right.name, wrong.name) == ("right", "wrong")
    pred = pipe.classes_[proba.argmax(axis=1)]
    assert len(wrong.x) == int(np.sum(pred != y)) > 0
    rows = wrong.customdata[:, 0].astype(int)
    p_true = proba[rows, [list(pipe.classes_).index(c) for c in y[rows]]]
    np.testing.assert_allclose(wrong.y, -np.log2(p_true), atol=1e-12)
    np.testing.assert_allclose(wrong.x, scipy_entropy(proba[rows], base=2, axis=1), atol=1e-12)
    assert np.all(np.asarray(wrong.y) >= 1 - 1e-12)  # a wrong row gave its class at most 1/2
    assert wrong.customdata[0, 1] in {"&lt;b&gt;big&lt;/b&gt;", "mid &amp; co", "small"}


def test_log_loss_split_bars_add_up_to_log_loss(fitted):
    pipe, X, y = fitted
    proba = pipe.predict_proba(X)
    view = information_view(y, proba, classes=pipe.classes_, prior=[0.2, 0.5, 0.3])
    fig = log_loss_split_figure(view)
    parts = [float(t.y[0]) for t in fig.data if t.name != "class shares"]
    assert sum(parts) == pytest.approx(log_loss(y, proba) / math.log(2), abs=1e-9)
    shares = next(t for t in fig.data if t.name == "class shares")
    prior = np.tile([0.2, 0.5, 0.3], (len(y), 1))
    assert float(shares.y[0]) == pytest.approx(
        log_loss(y, prior, labels=pipe.classes_) / math.log(2)
    )


def test_a_clicked_point_gives_its_row(fitted):
    pipe, X, y = fitted
    m = decision_map(pipe, X, x="length", y="age", reference=X.iloc[[0]], resolution=4)
    fig = decision_map_figure(
        m,
        x_points=X["length"],
        y_points=X["age"],
        true_class=y,
        predicted_class=pipe.predict(X),
        row_ids=np.arange(len(y)) + 7,
    )
    spec = json.loads(fig.to_json())  # what the browser holds and sends back on a click
    for trace in spec["data"]:
        if trace["name"].startswith("true: ") or trace["name"] == "predicted wrong":
            event = {"selection": {"points": [{"customdata": trace["customdata"][0]}]}}
            first = trace["customdata"][0][0]
            assert selected_map_row(event) == first and first >= 7
    # A region's cell carries [top probability, entropy]: no row.
    assert selected_map_row({"selection": {"points": [{"customdata": [0.9, 0.4]}]}}) is None
    assert selected_map_row({"selection": {"points": []}}) is None


def test_the_map_built_from_plain_data_passes_plotlys_validation(fitted):
    """The map skips plotly's validation for speed: validating its data afresh must accept
    every property and give the same figure."""
    import plotly.graph_objects as go
    import plotly.io as pio

    pipe, X, y = fitted
    pred = pipe.predict(X)
    for x_name, y_name in (("length", "age"), ("length", "shop")):
        m = decision_map(pipe, X, x=x_name, y=y_name, reference=X.iloc[[3]], resolution=7)
        fig = decision_map_figure(
            m, x_points=X[x_name], y_points=X[y_name], true_class=y, predicted_class=pred,
            row_ids=np.arange(len(X)), title="a map",
        )  # fmt: skip
        checked = go.Figure(
            data=[t.to_plotly_json() for t in fig.data], layout=fig.layout.to_plotly_json()
        )
        assert json.loads(pio.to_json(checked)) == json.loads(pio.to_json(fig))


def test_the_softmax_bars_from_plain_data_pass_plotlys_validation():
    import plotly.graph_objects as go
    import plotly.io as pio

    from dashboard.figures import softmax_bars_figure

    z = np.array([1.5, -0.3, 0.2])
    p = np.exp(z / 0.7) / np.exp(z / 0.7).sum()
    for temperature in (None, 0.7):
        fig = softmax_bars_figure(z, p, labels=CLASSES, temperature=temperature)
        checked = go.Figure(
            data=[t.to_plotly_json() for t in fig.data], layout=fig.layout.to_plotly_json()
        )
        assert json.loads(pio.to_json(checked)) == json.loads(pio.to_json(fig))
        assert [a.text for a in fig.layout.annotations][0] == "logits z"


def test_the_C_marker_from_plain_data_passes_plotlys_validation():
    import plotly.graph_objects as go
    import plotly.io as pio

    from dashboard.figures import with_C_marker

    base = go.Figure(go.Scatter(x=[0.1, 10.0], y=[0.5, 2.0], name="score"))
    base.add_trace(go.Scatter(x=[0.1, 10.0], y=[-1.0, 3.0], xaxis="x2", yaxis="y2"))
    fig = with_C_marker(base, 2.0)
    checked = go.Figure(
        data=[t.to_plotly_json() for t in fig.data], layout=fig.layout.to_plotly_json()
    )
    assert json.loads(pio.to_json(checked)) == json.loads(pio.to_json(fig))
    lines = [t for t in fig.data if t.name == "C shown"]
    assert [(list(t.x), list(t.y), t.yaxis) for t in lines] == [
        ([2.0, 2.0], [0.5, 2.0], "y"),
        ([2.0, 2.0], [-1.0, 3.0], "y2"),
    ]
    assert len(base.data) == 2  # the figure given is left as it was


def test_the_logit_waterfall_from_plain_data_passes_plotlys_validation():
    import plotly.graph_objects as go
    import plotly.io as pio

    from dashboard.figures import logit_contributions_figure

    fig = logit_contributions_figure(
        [0.5, -1.25, 0.0, 2.0], ["a", "<b>b</b>", "c", "d"], -0.5, class_name="x", max_features=2
    )
    checked = go.Figure(
        data=[t.to_plotly_json() for t in fig.data], layout=fig.layout.to_plotly_json()
    )
    assert json.loads(pio.to_json(checked)) == json.loads(pio.to_json(fig))
    # intercept, the two largest, the other two together, the logit: -0.5 + 1.25 = 0.75
    assert list(fig.data[0].y) == [-0.5, 2.0, -1.25, 0.5, 0.75]


def test_the_map_stays_under_a_megabyte_with_fifty_classes_and_200k_held_out_rows():
    """The size bench/pages.py measures at 1M rows x 50 classes (200,000 held-out rows), with
    long class names: the map's JSON stays under 1 MB (one layer per class sent 4 MB)."""
    from dashboard.explore import DecisionMap

    rng = np.random.default_rng(0)
    k, steps, n = 50, 60, 200_000
    classes = tuple(f"class number {i} of the fifty" for i in range(k))
    proba = rng.dirichlet(np.full(k, 0.2), size=(steps, steps))
    grid = np.linspace(-3, 3, steps)
    m = DecisionMap(x="a", y="b", x_values=grid, y_values=grid, x_categorical=False,
                    y_categorical=False, classes=classes, proba=proba,
                    predicted=proba.argmax(axis=2), top_probability=proba.max(axis=2),
                    entropy_bits=scipy_entropy(proba, base=2, axis=2), held_at=(),
                    reference_x=0.0, reference_y=0.0)  # fmt: skip
    truth = np.array(classes)[rng.integers(0, k, n)]
    pred = np.where(rng.random(n) < 0.5, truth, np.array(classes)[rng.integers(0, k, n)])
    fig = decision_map_figure(m, x_points=pd.Series(rng.normal(size=n)),
                              y_points=pd.Series(rng.normal(size=n)), true_class=truth,
                              predicted_class=pred, row_ids=np.arange(n))  # fmt: skip
    assert len(fig.to_json().encode()) < 1_000_000
    assert sum(len(t.x) for t in fig.data if t.name.startswith("true: ")) == 5_000
