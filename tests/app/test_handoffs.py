"""AppTest: the hand-offs between pages, and memos that follow the model rather than the page."""

from __future__ import annotations

import numpy as np

from tests.app.test_pages import assert_clean, figure, new_app, train
from tests.plotly_data import array


def test_a_row_handed_to_predict_opens_there_once():
    at = train(new_app())
    model = at.session_state["model"]
    at.switch_page("app_pages/predict.py").run()
    at.radio(key="row_source").set_value("Values I type").run()
    # What Evaluate's hardest-examples table leaves when a row is selected.
    at.session_state["row_handoff"] = 7
    at.switch_page("app_pages/predict.py").run()
    assert_clean(at)
    assert at.radio(key="row_source").value == "A held-out row"
    assert at.number_input(key="row").value == 7
    spec = figure(at, "row_probabilities")
    shown = np.concatenate([array(t["y"]).astype(float) for t in spec["data"]])
    expected = model.pipeline.predict_proba(model.X_test.iloc[[6]])[0]
    assert np.allclose(np.sort(shown), np.sort(expected), atol=1e-6)
    # Taken once: the user's next choice is not overridden by the old hand-off.
    at.number_input(key="row").set_value(2).run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/predict.py").run()
    assert at.number_input(key="row").value == 2


def test_a_row_sent_to_the_calculators_fills_them_once():
    at = train(new_app())
    at.switch_page("app_pages/predict.py").run()
    at.button(key="to_calculators").click().run()
    assert_clean(at)
    at.text_input(key="logits").set_value("5, 1").run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/calculators.py").run()
    assert_clean(at)
    assert at.text_input(key="logits").value == "5, 1"


def test_a_new_model_gets_its_own_charts():
    at = train(new_app())  # iris, 150 rows: 30 held out
    at.switch_page("app_pages/evaluate.py").run()
    first = array(figure(at, "confusion_matrix")["data"][0]["z"]).astype(float)
    assert first.sum() == 30
    at.switch_page("app_pages/train.py").run()
    at.slider(key="test_size").set_value(0.4).run()
    at.button(key="train").click().run()
    assert_clean(at)
    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    second = array(figure(at, "confusion_matrix")["data"][0]["z"]).astype(float)
    assert second.sum() == 60
