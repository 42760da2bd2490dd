"""AppTest: the teaching and take-away features on their pages, checked against scikit-learn."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.metrics import log_loss

from dashboard.export.model_file import save_model
from dashboard.samples import SAMPLES
from dashboard.ui import escape_markdown
from tests.app.test_pages import assert_clean, figure, new_app, train
from tests.plotly_data import array


def numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split(",")])


def test_explain_row_logits_equal_decision_function_and_feed_the_calculators():
    at = train(new_app())
    model = at.session_state["model"]
    at.switch_page("app_pages/predict.py").run()
    at.number_input(key="row").set_value(3).run()
    assert_clean(at)
    row = model.X_test.iloc[[2]]
    expected = model.pipeline.decision_function(row)[0]
    spec = figure(at, "row_probabilities")
    # The probability bars show predict_proba for the row, class by class.
    shown = np.concatenate([array(t["y"]).astype(float) for t in spec["data"]])
    assert np.allclose(np.sort(shown), np.sort(model.pipeline.predict_proba(row)[0]), atol=1e-6)

    at.button(key="to_calculators").click().run()
    assert_clean(at)
    np.testing.assert_allclose(numbers(at.session_state["logits"]), expected, rtol=1e-5)
    truth = str(model.y_test[2])
    onehot = numbers(at.session_state["cross_p"])
    assert onehot[list(model.classes).index(truth)] == 1 and onehot.sum() == 1
    q = numbers(at.session_state["cross_q"])
    q = q / q.sum()  # six significant digits on screen
    metric = [m for m in at.metric if m.label == "Cross-entropy H(p, q)"]
    assert metric, "the calculators show the row's cross-entropy"
    row_loss = log_loss([truth], [q], labels=list(model.classes)) / np.log(2)
    assert abs(float(metric[0].value.split()[0]) - row_loss) < 1e-3


def test_calculators_refuse_bad_input_and_offer_to_normalise():
    at = new_app()
    at.switch_page("app_pages/calculators.py").run()
    at.text_input(key="logits").set_value("1, two, 3").run()
    assert any("two" in str(e.value) for e in at.error)
    at.text_input(key="entropy_p").set_value("30, 70").run()
    at.button(key="entropy_p_normalise").click().run()
    assert_clean(at)
    np.testing.assert_allclose(numbers(at.session_state["entropy_p"]), [0.3, 0.7])
    h = [m for m in at.metric if m.label == "Entropy H(p)"][0]
    expected = -(0.3 * np.log(0.3) + 0.7 * np.log(0.7))  # nats, the default unit
    assert h.value.endswith("nats") and abs(float(h.value.split()[0]) - expected) < 1e-4


def test_predict_a_new_file_matches_the_pipeline():
    at = train(new_app())
    model = at.session_state["model"]
    new = model.X_test.head(7).reset_index(drop=True)
    new["extra column"] = "ignored"
    at.switch_page("app_pages/predict.py").run()
    at.file_uploader(key="predict_upload").set_value(
        ("new.csv", new.to_csv(index=False).encode(), "text/csv")
    ).run()
    assert_clean(at)
    result = at.session_state["predictions"][1]
    expected = model.pipeline.predict(model.X_test.head(7))
    assert list(result["predicted_class"]) == [str(v) for v in expected]


def test_predict_new_file_missing_column_is_named():
    at = train(new_app())
    model = at.session_state["model"]
    new = model.X_test.head(3).drop(columns=[model.X_test.columns[0]])
    at.switch_page("app_pages/predict.py").run()
    at.file_uploader(key="predict_upload").set_value(
        ("new.csv", new.to_csv(index=False).encode(), "text/csv")
    ).run()
    assert_clean(at)
    name = escape_markdown(model.X_test.columns[0])  # messages are shown markdown-escaped
    assert any(name in str(e.value) for e in at.error)


def test_evaluate_shows_every_section_and_the_log_loss_adds_up():
    at = train(new_app())
    model = at.session_state["model"]
    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    keys = {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}
    for key in (
        "confusion_matrix",
        "cv_scores",
        "coef_paths",
        "roc",
        "pr",
        "reliability",
        "confidence_hist",
        "temperature_effect",
    ):
        assert key in keys, key
    expected = log_loss(model.y_test, model.test_proba, labels=list(model.classes))
    shown = [m for m in at.metric if m.label == "Log-loss"][0]
    assert abs(float(shown.value) - expected) < 1e-3
    spec = figure(at, "cv_scores")
    assert json.dumps(spec)  # a real figure


def test_hardest_examples_are_ranked_by_cross_entropy():
    at = train(new_app())
    model = at.session_state["model"]
    at.switch_page("app_pages/evaluate.py").run()
    frame = [d for d in at.dataframe if "cross_entropy" in d.value.columns][0].value
    p_true = model.test_proba[
        np.arange(model.n_test), [list(model.classes).index(y) for y in model.y_test]
    ]
    losses = -np.log(np.clip(p_true, 1e-15, 1))
    assert np.allclose(frame["cross_entropy"].to_numpy()[:5], np.sort(losses)[::-1][:5], atol=1e-9)


def test_data_page_shows_preview_and_profile():
    at = new_app()
    frames = [d.value for d in at.dataframe]
    assert any("sepal length (cm)" in getattr(f, "columns", []) for f in frames)
    profile = [f for f in frames if "Kind" in getattr(f, "columns", [])]
    assert profile and len(profile[0]) == 5
    table = profile[0]
    # plain words for headers (issue 16): no programmer's names such as can_be_feature
    assert {"Column", "Kind", "Missing", "Used as a feature?", "Why not"} <= set(table.columns)
    assert {"Could be the target?", "Why not the target"} <= set(table.columns)
    assert not [c for c in table.columns if "_" in c or c != c.strip()]
    assert list(table["Column"]) == [*load_iris().feature_names, "species"]
    kinds = dict(zip(table["Column"], table["Kind"], strict=True))
    assert kinds["sepal length (cm)"] == "number"
    used = dict(zip(table["Column"], table["Used as a feature?"], strict=True))
    assert used["sepal length (cm)"] == "yes"


def test_class_weight_what_if_uses_the_same_folds():
    at = train(new_app())
    at.switch_page("app_pages/evaluate.py").run()
    at.button(key="compare_weights").click().run()
    assert_clean(at)
    comparison = at.session_state["extras"]["weights"]
    # Every training row is predicted once by the folds, under both weightings.
    model = at.session_state["model"]
    assert comparison.confusion_none.sum() == comparison.confusion_balanced.sum() == model.n_train
    keys = {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}
    assert {"class_weights", "cm_none", "cm_balanced"} <= keys


@pytest.mark.parametrize("sample", ["iris", "wine", "breast_cancer", "digits"])
def test_every_sample_trains_and_every_page_runs(sample):
    at = new_app()
    at.selectbox(key="sample").set_value(sample).run()
    at = train(at)
    model = at.session_state["model"]
    assert model.config.target == SAMPLES[sample].target
    for page in ("app_pages/evaluate.py", "app_pages/predict.py", "app_pages/calculators.py"):
        at.switch_page(page).run()
        assert_clean(at)
    assert model.evaluation.accuracy > 0.85


def test_saved_model_uploads_back_and_predicts_the_same():
    at = train(new_app())
    model = at.session_state["model"]
    raw = save_model(model)
    fresh = new_app()  # another session, without a trained model
    fresh.switch_page("app_pages/predict.py").run()
    fresh.file_uploader(key="model_upload").set_value(("m.skops", raw, "application/zip")).run()
    assert_clean(fresh)
    new = model.X_test.head(5).to_csv(index=False).encode()
    fresh.file_uploader(key="predict_upload").set_value(("new.csv", new, "text/csv")).run()
    assert_clean(fresh)
    result = fresh.session_state["predictions"][1]
    expected = model.pipeline.predict_proba(model.X_test.head(5))
    got = result[[f"probability_{c}" for c in model.classes]].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_a_pickle_posing_as_a_model_is_refused_on_the_page(tmp_path):
    canary = tmp_path / "ran"

    class Boom:
        def __reduce__(self):
            return (canary.mkdir, ())

    at = new_app()
    at.switch_page("app_pages/predict.py").run()
    at.file_uploader(key="model_upload").set_value(
        ("model.skops", pickle.dumps(Boom()), "application/octet-stream")
    ).run()
    assert_clean(at)
    assert at.error and not canary.exists()
    assert at.session_state["saved_model"] is None if "saved_model" in at.session_state else True


def test_stop_without_a_training_says_nothing():
    at = new_app()
    at.switch_page("app_pages/train.py").run()
    at.button(key="stop").click().run()
    assert_clean(at)
    assert not any("Training stopped" in str(i.value) for i in at.info)
