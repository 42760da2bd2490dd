"""AppTest: every page on a fresh session and after training, and the upload-train journey."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.samples import load_sample
from tests.plotly_data import array

APP = str(Path(__file__).resolve().parents[2] / "app.py")

PAGES = [
    "app_pages/data.py",
    "app_pages/train.py",
    "app_pages/evaluate.py",
    "app_pages/explore.py",
    "app_pages/predict.py",
    "app_pages/calculators.py",
]
TIMEOUT = 120


def new_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(str(e.value) for e in at.error)
    assert "something went wrong on our side" not in texts, texts


def figure(at: AppTest, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if chart.proto.id.endswith("-" + key):
            return spec
    raise AssertionError(f"no plotly chart with key {key!r}")


def train(at: AppTest) -> AppTest:
    at.switch_page("app_pages/train.py").run()
    at.button(key="train").click().run()
    assert_clean(at)
    assert at.session_state["model"] is not None
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_a_fresh_session(page):
    at = new_app()
    at.switch_page(page).run()
    assert_clean(at)


def test_first_screen_has_a_sample_loaded():
    at = new_app()
    assert_clean(at)
    assert at.session_state["table"].table.shape == (150, 5)
    assert any("Iris" in str(m.value) for m in at.sidebar.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_after_training(page):
    at = train(new_app())
    at.switch_page(page).run()
    assert_clean(at)


def test_pages_without_a_model_offer_the_way_there():
    at = new_app()
    for page in ("app_pages/evaluate.py", "app_pages/predict.py"):
        at.switch_page(page).run()
        assert any("Train page" in str(i.value) for i in at.info)


def test_journey_upload_train_read_confusion_matrix():
    table = load_sample("iris")
    rng = np.random.default_rng(1)
    table["colour"] = rng.choice(["red", "green"], size=len(table))
    raw = table.to_csv(index=False).encode()

    at = new_app()
    at.file_uploader(key="upload").set_value(("mine.csv", raw, "text/csv")).run()
    assert_clean(at)
    loaded = at.session_state["table"]
    assert loaded.name == "mine.csv"
    assert list(loaded.table.columns) == list(table.columns)

    at = train(at)
    assert at.session_state["target"] == "species"
    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    model = at.session_state["model"]
    spec = figure(at, "confusion_matrix")
    z = array(spec["data"][0]["z"]).astype(float)
    # The heatmap holds the held-out confusion matrix, which sums to the held-out rows.
    from sklearn.metrics import confusion_matrix

    expected = confusion_matrix(model.y_test, model.test_pred, labels=list(model.classes))
    assert z.sum() == model.n_test == 30
    np.testing.assert_array_equal(np.sort(z.ravel()), np.sort(expected.ravel()))


def test_sample_picker_loads_another_sample_and_keeps_the_model():
    at = train(new_app())
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key="sample").set_value("wine").run()
    assert_clean(at)
    assert at.session_state["table"].table.shape == (178, 14)
    assert at.session_state["model"] is not None


def test_bad_upload_keeps_data_and_model():
    at = train(new_app())
    at.switch_page("app_pages/data.py").run()
    before = at.session_state["table"]
    at.file_uploader(key="upload").set_value(
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "text/csv")
    ).run()
    assert_clean(at)
    assert at.error, "a bad upload shows an error"
    assert at.session_state["table"] is before or at.session_state["table"].name == before.name
    assert at.session_state["model"] is not None


def test_train_and_calculator_choices_survive_a_visit_to_another_page():
    at = new_app()
    at.switch_page("app_pages/train.py").run()
    dropped = at.multiselect(key="features").value[0]
    at.multiselect(key="features").unselect(dropped).run()
    at.slider(key="cv_folds").set_value(3).run()
    at.switch_page("app_pages/calculators.py").run()
    at.text_input(key="logits").set_value("5, 1").run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/train.py").run()
    assert dropped not in at.multiselect(key="features").value
    assert at.slider(key="cv_folds").value == 3
    at.switch_page("app_pages/calculators.py").run()
    assert at.text_input(key="logits").value == "5, 1"
    assert_clean(at)


def test_a_sample_can_be_picked_again_after_an_upload_replaced_it():
    at = new_app()
    at.selectbox(key="sample").set_value("wine").run()
    raw = b"a,b,c\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n"
    at.file_uploader(key="upload").set_value(("mine.csv", raw, "text/csv")).run()
    assert at.session_state["table"].name == "mine.csv"
    assert at.selectbox(key="sample").value is None
    at.selectbox(key="sample").set_value("wine").run()
    assert_clean(at)
    assert at.session_state["table"].name != "mine.csv"
