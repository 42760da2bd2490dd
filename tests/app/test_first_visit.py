"""AppTest: the training job builds Evaluate's first-visit figures, so the visit only sends them."""

from __future__ import annotations

from dashboard.charts import CHARTS
from tests.app.test_pages import assert_clean, new_app, train


def _chart_keys(at) -> set[tuple]:
    return {k for k in at.session_state["extras"]["memo"] if k and k[0] in CHARTS}


def test_the_first_visit_to_evaluate_builds_no_figure():
    at = train(new_app())
    before = _chart_keys(at)
    assert {k[0] for k in before} >= {"confusion_matrix", "cv_scores", "roc", "reliability"}
    at.switch_page("app_pages/evaluate.py").run()
    assert_clean(at)
    assert _chart_keys(at) == before  # every chart the visit drew was already there
    figures = at.session_state["extras"]["memo"]
    drawn = {chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")}
    assert drawn == {k[0] for k in before}, (drawn, before)
    assert all(figures[k] is not None for k in before)
