"""AppTest: the Explore page drives the map's axes and the reference row, checked against the
pipeline's own predict_proba and decision_function on rows built by hand."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.explore import decision_rule
from tests.app.test_pages import assert_clean, figure, new_app, train
from tests.plotly_data import array

EXPLORE = "app_pages/explore.py"


@pytest.fixture(scope="module")
def trained():
    at = train(new_app())
    at.switch_page(EXPLORE).run()
    assert_clean(at)
    return at


def _trace(spec: dict, name: str) -> dict:
    for trace in spec["data"]:
        if trace.get("name") == name:
            return trace
    raise AssertionError(f"no trace {name!r} in {[t.get('name') for t in spec['data']]}")


def _star(at) -> tuple[float, float]:
    star = _trace(figure(at, "decision_map"), "reference row")
    return float(array(star["x"])[0]), float(array(star["y"])[0])


def _logit_total(at) -> float:
    """The waterfall's steps (intercept and contributions) add up to the shown logit."""
    (trace,) = figure(at, "explore_logits")["data"]
    measures = list(trace["measure"])
    steps = array(trace["y"]).astype(float)
    return float(sum(v for v, m in zip(steps, measures, strict=True) if m == "relative"))


def _softmax(at) -> np.ndarray:
    spec = figure(at, "explore_softmax")
    return array(_trace(spec, "probability")["y"]).astype(float)


def test_the_map_follows_the_chosen_features(trained):
    at = trained
    model = at.session_state["model"]
    features = list(model.X_test.columns)
    x = at.selectbox(key="explore_x").value
    y = at.selectbox(key="explore_y").value
    assert x != y and {x, y} <= set(features)
    new_x = next(f for f in features if f not in (x, y))
    at.selectbox(key="explore_x").set_value(new_x).run()
    assert_clean(at)
    spec = figure(at, "decision_map")
    assert spec["layout"]["xaxis"]["title"]["text"] == new_x
    regions = next(t for t in spec["data"] if t.get("name") == "regions")
    shade = next(t for t in spec["data"] if t.get("name") == "shade")
    gx, gy = array(regions["x"]).astype(float), array(regions["y"]).astype(float)
    column = model.X_test[new_x].astype(float)
    assert gx.min() == pytest.approx(column.min()) and gx.max() == pytest.approx(column.max())
    # The map is predict_proba on rows built by hand: the reference row with x and y replaced.
    classes = array(regions["z"]).astype(int).reshape(len(gy), len(gx))
    z = array(shade["z"]).astype(float).reshape(len(gy), len(gx))
    names = np.array(shade["text"]).reshape(len(gy), len(gx))
    k = len(model.classes)
    for i, j in [(0, 0), (len(gy) - 1, len(gx) - 1), (len(gy) // 2, len(gx) // 3)]:
        row = model.X_test.iloc[[0]].copy()
        row[new_x] = gx[j]
        row[at.selectbox(key="explore_y").value] = gy[i]
        p = model.pipeline.predict_proba(row)[0]
        assert z[i, j] == pytest.approx((p.max() - 1 / k) / (1 - 1 / k), abs=1e-6)
        assert classes[i, j] == int(p.argmax())
        assert names[i, j] == model.classes[int(p.argmax())]


def test_the_reference_row_moves_the_star_the_logits_and_the_softmax(trained):
    at = trained
    model = at.session_state["model"]
    at.number_input(key="explore_row").set_value(7).run()
    assert_clean(at)
    row = model.X_test.iloc[[6]]
    x, y = at.selectbox(key="explore_x").value, at.selectbox(key="explore_y").value
    assert _star(at) == pytest.approx((float(row[x].iloc[0]), float(row[y].iloc[0])))
    np.testing.assert_allclose(_softmax(at), model.pipeline.predict_proba(row)[0], atol=1e-9)
    predicted = int(np.argmax(model.pipeline.predict_proba(row)[0]))
    logit = model.pipeline.decision_function(row)[0][predicted]
    assert _logit_total(at) == pytest.approx(logit, abs=1e-9)


def test_changing_a_value_updates_everything_together(trained):
    at = trained
    model = at.session_state["model"]
    at.number_input(key="explore_row").set_value(2).run()
    x = at.selectbox(key="explore_x").value
    slider = next(s for s in at.slider if s.key.startswith("explore_in_2_"))
    name = model.X_test.columns[int(slider.key.rsplit("_", 1)[-1])]
    assert name == x  # the first input is the map's x
    value = float(model.X_test[name].max())
    slider.set_value(value).run()
    assert_clean(at)
    row = model.X_test.iloc[[1]].copy()
    row[name] = value
    expected = model.pipeline.predict_proba(row)[0]
    np.testing.assert_allclose(_softmax(at), expected, atol=1e-9)
    assert _star(at)[0] == pytest.approx(value)
    text = " ".join(str(t.value) for t in at.text)
    assert f"changed: {name}" in text


def test_temperature_reshapes_the_softmax_only(trained):
    at = trained
    model = at.session_state["model"]
    at.number_input(key="explore_row").set_value(3).run()
    at.slider(key="explore_temperature").set_value(2.0).run()
    assert_clean(at)
    z = model.pipeline.decision_function(model.X_test.iloc[[2]])[0]
    expected = np.exp(z / 2 - np.max(z / 2))
    np.testing.assert_allclose(_softmax(at), expected / expected.sum(), atol=1e-9)
    at.slider(key="explore_temperature").set_value(1.0).run()


def test_c_in_motion_shows_the_fit_at_the_chosen_c(trained):
    at = trained
    model = at.session_state["model"]
    grid = sorted(model.coef_path["C"])
    at.select_slider(key="explore_c").set_value(grid[0]).run()
    assert_clean(at)
    spec = figure(at, "c_motion_confusion")
    shown = array(spec["data"][0]["z"]).astype(float)
    # An independent refit at that C on the training rows, scored on the held-out rows.
    from sklearn.base import clone
    from sklearn.metrics import confusion_matrix

    from dashboard.explore import training_part

    X_train, y_train = training_part(at.session_state["table"].table, model)
    refit = clone(model.pipeline).set_params(logisticregression__C=grid[0]).fit(X_train, y_train)
    expected = confusion_matrix(
        model.y_test, refit.predict(model.X_test), labels=list(model.classes)
    )
    np.testing.assert_array_equal(shown.reshape(expected.shape), expected)


def test_costs_reach_the_predictions_download():
    at = train(new_app())
    model = at.session_state["model"]
    classes = list(model.classes)
    costs = np.ones((3, 3)) - np.eye(3)
    costs[:, 0] = 50.0
    costs[0, 0] = 0.0
    at.session_state["decision_rule"] = (
        model.model_id,
        decision_rule(classes=classes, costs=costs),
    )
    new = model.X_test.head(9).reset_index(drop=True)
    at.switch_page("app_pages/predict.py").run()
    at.file_uploader(key="predict_upload").set_value(
        ("new.csv", new.to_csv(index=False).encode(), "text/csv")
    ).run()
    assert_clean(at)
    shown = at.dataframe[-1].value
    names = list(shown.columns)
    assert names[names.index("predicted_class") + 1] == "decision"
    proba = model.pipeline.predict_proba(model.X_test.head(9))
    expected = [classes[int(np.argmin(p @ costs))] for p in proba]
    assert shown["decision"].tolist() == expected


def test_a_stale_model_runs_no_what_if():
    at = train(new_app())
    at.switch_page("app_pages/data.py").run()
    select = next(s for s in at.selectbox if "sample" in str(s.label).lower())
    other = next(o for o in select.options if "Wine" in str(o))
    select.set_value(other).run()
    at.switch_page(EXPLORE).run()
    assert_clean(at)
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "Iris" in warnings or "iris" in warnings, warnings  # names the model's own table
    keys = {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}
    assert "decision_map" not in keys and "information_scatter" in keys


def test_information_parts_add_up_to_the_evaluate_log_loss(trained):
    at = trained
    model = at.session_state["model"]
    spec = figure(at, "log_loss_split")
    parts = [float(array(t["y"])[0]) for t in spec["data"] if t["name"] != "class shares"]
    # in nats, the unit Predict and the Calculators use by default
    assert sum(parts) == pytest.approx(model.evaluation.log_loss, abs=1e-9)
    assert spec["layout"]["yaxis"]["title"]["text"] == "log-loss (nats per row)"
    assert "nats per row" in " ".join(str(m.value) for m in at.markdown)
    # bits chosen here is the session's unit: the parts in bits, Predict's loss in bits
    at.button_group(key="explore_unit").set_value("bits").run()
    assert_clean(at)
    assert at.session_state["info_unit"] == "bits"
    spec = figure(at, "log_loss_split")
    parts = [float(array(t["y"])[0]) for t in spec["data"] if t["name"] != "class shares"]
    assert sum(parts) * np.log(2) == pytest.approx(model.evaluation.log_loss, abs=1e-9)
    assert any("(bits)" in m.label for m in at.metric)  # the reference row's entropy too
    at.button_group(key="explore_unit").set_value("nats").run()  # as the other tests expect
    assert at.session_state["info_unit"] == "nats"


def test_with_fifty_classes_the_maps_legend_lists_the_classes_that_matter():
    from tests.app.test_classroom import fifty_class_app

    at = fifty_class_app()
    model = at.session_state["model"]
    at.switch_page(EXPLORE).run()
    assert_clean(at)

    def listed() -> set[str]:
        spec = figure(at, "decision_map")
        return {
            t["name"].removeprefix("true: ")
            for t in spec["data"]
            if t["name"].startswith("true: ") and t.get("showlegend", True)
        }

    chosen = at.multiselect(key="explore_legend_classes").value
    assert len(chosen) == 8 and listed() == set(chosen)
    # the eight with the most held-out rows (counted here, not by the app)
    rows = {c: int(np.sum(model.y_test == c)) for c in model.classes}
    assert min(rows[c] for c in chosen) >= max(rows[c] for c in rows if c not in chosen)
    drawn = {t["name"] for t in figure(at, "decision_map")["data"] if t["name"].startswith("true")}
    assert len(drawn) == len({str(c) for c in model.y_test})  # every class is still drawn
    # the rest is one choice away
    other = next(c for c in model.classes if c not in chosen)
    at.multiselect(key="explore_legend_classes").select(other).run()
    assert_clean(at)
    assert listed() == {*chosen, other}
