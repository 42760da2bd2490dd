"""AppTest: a model knows the table and target it was trained on, and every page says so.

After another table is loaded, or another target chosen, Train shows no green "Model trained"
box for the old model but a warning naming its data; Evaluate, Predict and the sidebar warn
too, the class-weight comparison is not offered, and the downloads stay. (AppTest drops the
sidebar's elements once a test switches pages: tests/e2e/test_stale_model.py reads the sidebar.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import assert_clean, new_app, train

IRIS_ON_WINE = (
    "This model was trained on Iris flowers to predict species; the loaded table is Wine cultivars."
)


def warnings(at: AppTest) -> list[str]:
    return [_plain(w.value) for w in at.main.warning]


def _plain(markdown: str) -> str:
    """The text a reader sees: escape_markdown's backslashes removed."""
    return markdown.replace("\\", "")


def successes(at: AppTest) -> list[str]:
    return [str(s.value) for s in at.main.success]


def load_sample(at: AppTest, key: str) -> AppTest:
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key="sample").set_value(key).run()
    assert_clean(at)
    return at


def test_a_fresh_model_has_no_warning():
    at = train(new_app())
    assert any("Model trained in" in s for s in successes(at))
    assert warnings(at) == []
    at.switch_page("app_pages/evaluate.py").run()
    assert warnings(at) == []
    assert not at.button(key="compare_weights").disabled


def test_another_sample_makes_every_page_say_so():
    at = load_sample(train(new_app()), "wine")
    model = at.session_state["model"]
    assert model.target == "species" and model.origin.name == "Iris flowers"

    at.switch_page("app_pages/train.py").run()
    assert_clean(at)
    assert not any("Model trained" in s for s in successes(at))  # no green box for it
    assert any(IRIS_ON_WINE in w for w in warnings(at))

    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    assert any(IRIS_ON_WINE in w for w in warnings(at))
    assert at.button(key="compare_weights").disabled  # the what-if is not offered
    assert at.session_state["model"] is model  # nothing trained again
    labels = [b.label for b in at.get("download_button")]
    assert "Model (.skops)" in labels and "Report (HTML)" in labels  # downloads stay

    at.switch_page("app_pages/predict.py").run()
    assert_clean(at)
    assert any(IRIS_ON_WINE in w for w in warnings(at))


def test_loading_the_same_sample_again_is_not_stale():
    at = load_sample(train(new_app()), "wine")
    load_sample(at, "iris")
    at.switch_page("app_pages/evaluate.py").run()
    assert warnings(at) == []
    assert not at.button(key="compare_weights").disabled


def two_targets() -> bytes:
    rng = np.random.default_rng(0)
    colour = np.repeat(["red", "blue", "green"], 20)
    size = np.tile(["small", "large"], 30)
    table = pd.DataFrame(
        {
            "width": rng.normal(size=60) + (colour == "red") * 3,
            "height": rng.normal(size=60) + (size == "large") * 3,
            "colour": colour,
            "size": size,
        }
    )
    return table.to_csv(index=False).encode()


def test_another_target_makes_the_model_stale():
    at = new_app()
    at.file_uploader(key="upload").set_value(("shapes.csv", two_targets(), "text/csv")).run()
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="target").set_value("colour").run()
    at.button(key="train").click().run()
    assert_clean(at)
    assert at.session_state["model"].target == "colour"
    assert any("Model trained in" in s for s in successes(at))

    at.selectbox(key="target").set_value("size").run()
    expected = (
        "This model was trained on shapes.csv to predict colour; the target chosen now is size."
    )
    assert not any("Model trained" in s for s in successes(at))
    assert any(expected in w for w in warnings(at))

    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    assert any(expected in w for w in warnings(at))
    assert at.button(key="compare_weights").disabled
