"""Chosen costs travel: the DecisionRule, the predictions' decision column and the report's
cost settings and decision map, against hand computations and the model's own weights."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import SoftmaxLabError
from dashboard.explore import decision_rule
from dashboard.export.report import html_report
from dashboard.prediction import add_decisions, predict_table

PROBA = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.34, 0.33, 0.33]])
COSTS = np.array([[0, 1, 1], [8, 0, 1], [1, 1, 0]], dtype=float)


def _by_hand(proba, costs):
    """Expected cost of each decision j for each row: sum_i p_i * costs[i][j], loops only."""
    decided = []
    for p in proba:
        expected = [sum(p[i] * costs[i][j] for i in range(len(p))) for j in range(len(p))]
        decided.append(min(range(len(p)), key=lambda j: (expected[j], j)))
    return decided


def test_rule_decides_by_the_lowest_expected_cost_worked_by_hand():
    rule = decision_rule(classes=["a", "b", "c"], costs=COSTS)
    expected = [["a", "b", "c"][j] for j in _by_hand(PROBA.tolist(), COSTS.tolist())]
    assert rule.decide(PROBA).tolist() == expected
    # The last row's likeliest class is 'a', but a true 'b' decided 'a' costs 8: expected costs
    # a 0.33*8 + 0.33 = 2.97, b 0.34 + 0.33 = 0.67, c 0.34 + 0.33 = 0.67 (tie: the first, b).
    assert expected[3] == "b"
    plain = decision_rule(classes=["a", "b", "c"])
    assert plain.is_default and not rule.is_default
    assert plain.decide(PROBA).tolist() == ["b", "a", "c", "a"]


def test_rule_on_rows_charges_each_pair_its_cost():
    rule = decision_rule(classes=["a", "b", "c"], costs=COSTS)
    truth = ["b", "b", "c", "a"]
    result = rule.on_rows(truth, PROBA)
    decided = _by_hand(PROBA.tolist(), COSTS.tolist())
    paid = [COSTS[["a", "b", "c"].index(t)][d] for t, d in zip(truth, decided, strict=True)]
    assert result.total_cost == pytest.approx(sum(paid))
    assert result.mean_cost == pytest.approx(sum(paid) / 4)
    assert result.accuracy == pytest.approx(
        np.mean([["a", "b", "c"][d] == t for t, d in zip(truth, decided, strict=True)])
    )


def test_two_class_threshold_rule_and_its_checks():
    rule = decision_rule(classes=["no", "yes"], costs=[[0, 1], [4, 0]], threshold=0.2)
    assert rule.decide([[0.7, 0.3], [0.85, 0.15], [0.8, 0.2]]).tolist() == ["yes", "no", "no"]
    assert "above 0.2" in rule.sentence()
    with pytest.raises(SoftmaxLabError, match="exactly 2 classes"):
        decision_rule(classes=["a", "b", "c"], threshold=0.5)
    with pytest.raises(SoftmaxLabError, match="from 0 to 1"):
        decision_rule(classes=["a", "b"], threshold=1.5)


def test_decision_column_sits_beside_the_predicted_class(iris_run):
    _, loaded, model = iris_run
    rows = loaded.table.drop(columns=["species"]).head(40)
    predictions = predict_table(model, rows)
    classes = list(model.classes)
    costs = np.ones((3, 3)) - np.eye(3)
    costs[:, 0] = 20.0  # deciding the first class is expensive whatever the truth
    costs[0, 0] = 0.0
    rule = decision_rule(classes=classes, costs=costs)
    out = add_decisions(model, predictions, rule)
    names = list(out.columns)
    assert names[names.index("predicted_class") + 1] == "decision"
    proba = model.pipeline.predict_proba(rows[list(model.pipeline.feature_names_in_)])
    expected = [classes[j] for j in _by_hand(proba.tolist(), costs.tolist())]
    assert out["decision"].tolist() == expected
    assert out.drop(columns="decision").equals(predictions)  # nothing else moved


def test_decision_column_name_does_not_overwrite_a_file_column(iris_run):
    _, loaded, model = iris_run
    rows = loaded.table.drop(columns=["species"]).head(5).assign(decision="mine")
    out = add_decisions(model, predict_table(model, rows), decision_rule(classes=model.classes))
    assert out["decision"].tolist() == ["mine"] * 5
    assert out["decision_model"].tolist() == out["predicted_class"].tolist()


def test_decision_column_refuses_another_models_costs(iris_run):
    _, loaded, model = iris_run
    predictions = predict_table(model, loaded.table.head(3))
    with pytest.raises(SoftmaxLabError, match="other classes"):
        add_decisions(model, predictions, decision_rule(classes=["x", "y"]))


def _figure_json(page: str, title_start: str) -> dict:
    head = page.index(title_start)
    body = page[head:]
    match = re.search(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{', body, re.S)
    assert match, "no figure after " + title_start
    return {"data": json.loads(match.group(1)), "layout": json.loads(match.group(2))}


def test_report_draws_the_map_over_the_two_features_with_the_largest_weight_spread(iris_run):
    _, loaded, model = iris_run
    page = html_report(model, loaded)
    lr = model.pipeline[-1]
    spread = lr.coef_.max(axis=0) - lr.coef_.min(axis=0)
    order = np.argsort(-spread, kind="stable")
    names = list(model.pipeline[:-1].get_feature_names_out())
    x, y = (names[order[0]].split("__")[-1], names[order[1]].split("__")[-1])
    assert f"Decision map: {x} across, {y} up" in page
    figure = _figure_json(page, "Decision map:")
    assert figure["layout"]["xaxis"]["title"]["text"] == x
    assert figure["layout"]["yaxis"]["title"]["text"] == y
    assert "Decisions</h2>" in page and "no costs were set" in page


def test_report_holds_the_chosen_costs_and_their_held_out_result(iris_run):
    _, loaded, model = iris_run
    classes = list(model.classes)
    costs = np.ones((3, 3)) - np.eye(3)
    costs[2, 1] = 7.5
    rule = decision_rule(classes=classes, costs=costs)
    page = html_report(model, loaded, decisions=rule)
    assert "Decisions with costs</h2>" in page
    assert '<td class="num">7.5</td>' in page
    decided = _by_hand(np.asarray(model.test_proba).tolist(), costs.tolist())
    truth = [classes.index(t) for t in model.y_test]
    total = sum(costs[t][d] for t, d in zip(truth, decided, strict=True))
    assert f"cost {total:.4g} in total" in page


def test_report_escapes_class_names_in_the_cost_table():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    frame["y"] = np.repeat(["<b>x</b>", "plain"], 30)
    from tests.runs import train_run

    loaded, model = train_run(
        frame.to_csv(index=False).encode("utf-8"), "y", c_grid=(0.1, 1.0), cv_folds=3
    )
    rule = decision_rule(classes=model.classes, costs=[[0, 3], [1, 0]])
    page = html_report(model, loaded, decisions=rule)
    assert "<b>x</b>" not in page
    assert "decided &lt;b&gt;x&lt;/b&gt;" in page
