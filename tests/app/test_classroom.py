"""AppTest: the classroom points of issue 16 (Predict follows the row's class, one unit for
Predict and the Calculators, presenter mode, many classes summarised)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 180


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(str(e.value) for e in at.error)
    assert "something went wrong on our side" not in texts, texts


def trained_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/train.py").run()
    at.button(key="train").click().run()
    assert_clean(at)
    assert at.session_state["model"] is not None
    return at


def rows_with_two_predicted_classes(model) -> tuple[int, int]:
    """Two held-out rows (1-based) the model predicts as different classes (by predict)."""
    predicted = model.pipeline.predict(model.X_test)
    first = int(np.flatnonzero(predicted == predicted[0])[0])
    other = int(np.flatnonzero(predicted != predicted[0])[0])
    return first + 1, other + 1


def predicted_class(model, row: int) -> str:
    return str(model.pipeline.predict(model.X_test.iloc[[row - 1]])[0])


def test_the_logit_breakdown_follows_the_rows_predicted_class():
    at = trained_app()
    model = at.session_state["model"]
    a, b = rows_with_two_predicted_classes(model)
    at.switch_page("app_pages/predict.py").run()
    assert_clean(at)
    at.number_input(key="row").set_value(a).run()
    assert at.selectbox(key="explain_class").value == predicted_class(model, a)
    # another row: the breakdown follows its predicted class (not the previous row's)
    at.number_input(key="row").set_value(b).run()
    assert at.selectbox(key="explain_class").value == predicted_class(model, b)
    # the user's own pick holds while the row stays ...
    other = next(c for c in model.classes if c != predicted_class(model, b))
    at.selectbox(key="explain_class").set_value(other).run()
    at.slider(key="explain_temperature").set_value(2.0).run()
    assert at.selectbox(key="explain_class").value == other
    # ... and the next row starts again at its own predicted class
    at.number_input(key="row").set_value(a).run()
    assert at.selectbox(key="explain_class").value == predicted_class(model, a)
    assert_clean(at)


def _chart(at: AppTest, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith("-" + key):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def test_every_predict_chart_has_a_title_and_the_true_class_is_not_red():
    at = trained_app()
    at.switch_page("app_pages/predict.py").run()
    for key in ("logit_contributions", "explain_softmax", "row_probabilities"):
        title = _chart(at, key)["layout"]["title"]["text"]
        assert len(title) > 10, (key, title)
    bars = _chart(at, "row_probabilities")["data"][0]
    widths = bars["marker"]["line"]["width"]
    assert sorted(widths)[-1] == 3 and widths.count(3) == 1  # the true class, outlined
    assert all(c.lower() not in ("#d62728", "red") for c in bars["marker"]["color"])


def test_predict_and_the_calculators_share_one_unit_nats_by_default():
    at = trained_app()
    at.switch_page("app_pages/predict.py").run()
    assert at.session_state["info_unit"] == "nats"
    text = " ".join(m.value for m in at.markdown)
    assert "nats" in text and "bits" not in text.split("1 nat")[0]
    at.switch_page("app_pages/calculators.py").run()
    assert_clean(at)
    assert "nats" in " ".join(str(m.value) for m in at.metric)
    # bits chosen on Predict carries over to the Calculators
    at.switch_page("app_pages/predict.py").run()
    at.button_group(key="predict_unit").set_value("bits").run()
    assert at.session_state["info_unit"] == "bits"
    assert any("bits" in m.value for m in at.markdown)
    at.switch_page("app_pages/calculators.py").run()
    assert all("bits" in str(m.value) for m in at.metric), [m.value for m in at.metric]
    # one tab's choice is every tab's (and Predict's)
    at.button_group(key="entropy_unit").set_value("nats").run()
    assert all("nats" in str(m.value) for m in at.metric), [m.value for m in at.metric]
    assert at.button_group(key="cross_unit").value == "nats"
    assert at.session_state["info_unit"] == "nats"


def test_presenter_mode_enlarges_the_charts_text():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.sidebar.toggle(key="presenter_toggle").set_value(True).run()
    assert at.session_state["presenter"] is True
    at.switch_page("app_pages/train.py").run()
    at.button(key="train").click().run()
    at.switch_page("app_pages/predict.py").run()
    assert_clean(at)
    big = _chart(at, "row_probabilities")["layout"]["xaxis"]["tickfont"]["size"]
    at.switch_page("app_pages/calculators.py").run()  # it holds on every page
    assert _chart(at, "softmax_bars")["layout"]["xaxis"]["tickfont"]["size"] == big
    at.session_state["presenter"] = False
    at.switch_page("app_pages/predict.py").run()
    normal = _chart(at, "row_probabilities")["layout"]["xaxis"]["tickfont"]["size"]
    assert normal >= 12 and big > normal * 1.3


def fifty_class_app() -> AppTest:
    """A fresh app with the 50-class table uploaded and a model trained on it."""
    from tests.many_classes import TARGET, fifty_class_csv

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="upload").set_value(("states.csv", fifty_class_csv(), "text/csv")).run()
    assert_clean(at)
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="target").set_value(TARGET).run()
    at.button(key="train").click().run()
    assert_clean(at)
    model = at.session_state["model"]
    assert model is not None and len(model.classes) == 50
    return at


def test_fifty_classes_are_summarised_with_the_full_list_in_an_expander():
    at = fifty_class_app()
    model = at.session_state["model"]
    cm = np.asarray(model.evaluation.confusion_matrix)
    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    inside = {e.label: [m.value for m in e.markdown] for e in at.expander}
    in_expanders = Counter(m for values in inside.values() for m in values)
    main = list((Counter(m.value for m in at.main.markdown) - in_expanders).elements())
    # one sentence for the largest confusions, one for the classes never predicted
    assert sum("largest confusions" in m for m in main) == 1
    never = (cm.sum(axis=0) == 0).sum()
    assert never > 0  # the fixture hides ten small classes under big ones
    assert sum("never predicted" in m or "No row was predicted" in m for m in main) == 1
    # no per-class sentence in the page itself ...
    assert not any("true AL were predicted" in m or "predicted AL," in m for m in main)
    # ... they wait, all 50, in the expanders
    assert len(inside["Every class's recall (50)"]) == 50
    assert len(inside["Every class's precision (50)"]) == 50
    # the curve charts draw the classes that matter, the rest one choice away
    drawn = at.multiselect(key="curve_classes").value
    assert len(drawn) == 8
    roc = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("-roc"))
    names = [t["name"] for t in json.loads(roc.proto.spec)["data"]]
    assert sum(not n.startswith(("micro", "macro", "chance")) for n in names) == 8
    # Predict draws the likeliest classes (and the true one), each in its own colour
    from dashboard.figures import class_colour

    at.switch_page("app_pages/predict.py").run()
    assert_clean(at)
    bars = _chart(at, "row_probabilities")["data"][0]
    assert 8 <= len(bars["x"]) <= 9
    position = {c: i for i, c in enumerate(model.classes)}
    assert bars["marker"]["color"] == [class_colour(position[c]) for c in bars["x"]]
    assert any("likeliest of 50 classes" in c.value for c in at.caption)
