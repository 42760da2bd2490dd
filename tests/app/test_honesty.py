"""AppTest: Evaluate and Train say what a number is worth and what the checks found.

The baseline sentence, the accuracy's interval and the weighted averages on Evaluate; a leak
warning on Train and Evaluate with its one-click "Leave 'col' out and train again"; a best C at
the grid's edge with "Extend the grid to 1000"; the one-standard-error C adopted with one click
and shown beside the search's best.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import assert_clean, new_app, train
from tests.unit.test_checks import loan_table

LEAK = "Column 'sub_grade' alone predicts 'grade'"


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def warnings(at: AppTest) -> list[str]:
    return [_plain(w.value) for w in at.main.warning]


def infos(at: AppTest) -> list[str]:
    return [_plain(i.value) for i in at.main.info]


def captions(at: AppTest) -> list[str]:
    return [_plain(c.value) for c in at.main.caption]


def dataframe_with(at: AppTest, column: str):
    """The first table on the page with that column."""
    return next(d.value for d in at.main.dataframe if column in d.value.columns)


def button_labels(at: AppTest) -> dict[str, str]:
    return {b.key: _plain(b.label) for b in at.main.button if b.key}


@pytest.fixture(scope="module")
def iris_app() -> AppTest:
    at = train(new_app())  # iris, the seed article's grid: the best C is its largest, 100
    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    return at


def _leak_app() -> AppTest:
    raw = loan_table(n=600).to_csv(index=False).encode()
    at = new_app()
    at.file_uploader(key="upload").set_value(("loans.csv", raw, "text/csv")).run()
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="target").set_value("grade").run()
    return train(at)


def test_evaluate_shows_each_number_beside_the_trivial_models_and_the_interval(iris_app):
    at = iris_app
    model = at.session_state["model"]
    ev = model.evaluation
    shown = captions(at)
    # iris is balanced: the training part's first class, setosa, is the trivial guess.
    assert f"{ev.accuracy:.3f}, against 0.333 for always guessing 'setosa'" in shown
    lo, hi = ev.accuracy_interval
    assert f"95 % interval {lo:.2f} to {hi:.2f}, Wilson, from 30 held-out rows" in shown
    assert any("for giving every row the training class shares" in c for c in shown)
    assert [m.label for m in at.main.metric] == ["Accuracy", "Log-loss"]
    # precision, recall and F1, macro and weighted, each beside the trivial model's, one table
    table = dataframe_with(at, "average").set_index("average")
    assert list(table.columns) == ["Precision", "Recall", "F1"]
    for average in ("macro", "weighted"):
        for name in ("precision", "recall", "f1"):
            column = "F1" if name == "f1" else name.capitalize()
            key = f"{name}_{average}"
            shown_value = table.loc[f"this model, {average}", column]
            assert shown_value == pytest.approx(getattr(ev, key))
            trivial = table.loc[f"always guessing 'setosa', {average}", column]
            assert trivial == pytest.approx(getattr(ev.baseline, key))
    # always guessing one of three classes recalls a third of them (by hand)
    assert table.loc["always guessing 'setosa', macro", "Recall"] == pytest.approx(1 / 3)
    assert any("weighted averages (scikit-learn's classification report" in c for c in shown)


def test_a_best_c_at_the_grids_edge_extends_the_grid_with_one_click():
    at = train(new_app())
    at.switch_page("app_pages/evaluate.py").run()
    model = at.session_state["model"]
    assert model.best_C == 100.0
    assert any("The best C, 100, is the largest in the grid" in i for i in infos(at))
    labels = button_labels(at)
    (key,) = [k for k, label in labels.items() if label == "Extend the grid to 1000"]
    at.button(key=key).click().run()
    assert_clean(at)
    retrained = at.session_state["model"]
    assert retrained is not model
    assert retrained.config.c_grid == (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
    assert at.session_state["c_grid"] == "0.001, 0.01, 0.1, 1, 10, 100, 1000"


def test_the_one_standard_error_c_is_adopted_with_one_click_and_shown_beside_the_best():
    at = train(new_app())
    at.switch_page("app_pages/evaluate.py").run()
    model = at.session_state["model"]
    adopt = at.button(key="honesty_adopt_one_se")
    C = float(_plain(adopt.label).split("(")[1].rstrip(")"))
    assert model.best_C > C
    adopt.click().run()
    assert_clean(at)
    adopted = at.session_state["model"]
    assert adopted.best_C == C and adopted.adopted_from is model
    table = dataframe_with(at, "metric")
    assert list(table["metric"])[0] == "Accuracy"
    row = table.iloc[0]
    assert row[f"C = {C:g} (in use)"] == pytest.approx(adopted.evaluation.accuracy)
    assert row["C = 100 (search's best)"] == pytest.approx(model.evaluation.accuracy)
    assert row["always guessing 'setosa'"] == pytest.approx(1 / 3)
    at.button(key="honesty_back_to_best").click().run()
    assert at.session_state["model"] is model


def test_a_leak_is_warned_on_train_and_evaluate_and_left_out_with_one_click():
    at = _leak_app()
    assert_clean(at)
    assert any(LEAK in w for w in warnings(at))  # on Train, after training
    assert "Leave 'sub_grade' out and train again" in button_labels(at).values()

    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    assert any(LEAK in w for w in warnings(at))
    first = at.session_state["model"]
    (key,) = [
        k
        for k, label in button_labels(at).items()
        if label == "Leave 'sub_grade' out and train again"
    ]
    at.button(key=key).click().run()  # opens Train, which takes the choice and trains
    assert_clean(at)
    model = at.session_state["model"]
    assert model is not first
    assert "sub_grade" not in model.config.features
    assert set(model.config.features) == set(first.config.features) - {"sub_grade"}
    assert at.session_state["features"] == list(model.config.features)
    assert not any(LEAK in w for w in warnings(at))
    assert not [w for w in model.warnings if w.kind == "leak"]


def test_leave_out_on_train_itself():
    at = _leak_app()
    first = at.session_state["model"]
    (key,) = [k for k, label in button_labels(at).items() if label.startswith("Leave 'sub_grade'")]
    at.button(key=key).click().run()
    assert_clean(at)
    model = at.session_state["model"]
    assert model is not first and "sub_grade" not in model.config.features
