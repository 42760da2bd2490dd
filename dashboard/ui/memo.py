"""What the pages show, computed once per model (keyed by its ``model_id``) and kept in the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard.charts import ChartData
from dashboard.ui import state


def model_extras(model) -> dict:
    """Per-model results the pages show, computed once on first view and kept in the session.

    Holds ``charts`` (:class:`dashboard.charts.ChartData`: curves, calibration, the temperature
    table, the one-standard-error choice), ``memo`` (figures and tables, see :func:`once`) and,
    once run, ``weights`` (the class-weight what-if). They depend only on the trained model, so
    reruns (a slider, a click) never recompute them; another model starts afresh.
    """
    extras = st.session_state.get(state.EXTRAS)
    if extras is not None and extras.get("model_id") == model.model_id:
        return extras
    with st.spinner("Preparing the charts (once per model)…"):
        data = ChartData(model).prepare()
    extras = {"model_id": model.model_id, "charts": data, "memo": {}}
    st.session_state[state.EXTRAS] = extras
    return extras


def keep_chart_data(model, data: ChartData, *, figures: dict | None = None) -> None:
    """Keep chart data prepared elsewhere (by the training job) as ``model``'s first results,
    with the figures already built for the first visit (see :func:`first_view_figures`)."""
    st.session_state[state.EXTRAS] = {
        "model_id": model.model_id,
        "charts": data,
        "memo": dict(figures or {}),
    }


def chart_key(key: str, **options: Any) -> tuple:
    """The key under which :func:`once` keeps chart ``key`` drawn with ``options``."""
    return (key, *sorted(options.items()))


def first_view_figures(model, data: ChartData) -> dict[tuple, Any]:
    """The Evaluate charts as its first visit draws them (every widget at its default), built
    now: the training job calls this after training, off the page's clock, so the first visit
    only sends figures. Keys as :func:`chart_key`; a chart these data cannot have is left out
    (the page then says why as usual). No Streamlit call: it runs in the job's thread.
    """
    from dashboard import figures
    from dashboard.charts import CHARTS
    from dashboard.errors import SoftmaxLabError

    classes = [str(c) for c in model.classes]
    many = len(classes) > figures.MAX_LEGEND_CLASSES
    curves = {  # views.many_classes.classes_drawn's default
        "roc": tuple(figures.classes_that_matter(data.roc)) if many else None,
        "pr": tuple(figures.classes_that_matter(data.roc)) if many else None,
    }
    wanted = [
        ("confusion_matrix", {"normalize": None, "clickable": True}),  # "Counts"
        ("cv_scores", {}),
        ("coef_paths", {"class_name": model.classes[0]}),  # the selectbox's first class
        ("roc", {"classes": curves["roc"]}),
        ("pr", {"classes": curves["pr"]}),
        ("reliability", {"temperature": 1.0}),  # the slider's default
        ("confidence_hist", {"temperature": 1.0}),
        ("temperature_effect", {"temperature": 1.0}),
    ]
    built = {}
    for key, options in wanted:
        try:
            built[chart_key(key, **options)] = CHARTS[key].figure(model, data, **options)
        except SoftmaxLabError:
            continue
    return built


def chart_data(model) -> ChartData:
    """What the Evaluate charts of ``model`` are drawn from (with the what-if once it has run)."""
    return model_extras(model)["charts"]


def set_weight_comparison(model, comparison) -> None:
    """Keep the class-weight what-if of ``model`` beside its other results."""
    extras = model_extras(model)
    extras["weights"] = comparison
    extras["charts"].weights = comparison


def once(model, key: tuple, build: Callable[[], Any], *, keep: int = 64):
    """Build something the pages show (a figure, a table) once per model and key, then reuse it.

    Reruns caused by a click or a slider then only send what was already built. At most ``keep``
    results per model are kept, the oldest dropped first.
    """
    memo = model_extras(model)["memo"]
    if key not in memo:
        memo[key] = build()
        while len(memo) > keep:
            memo.pop(next(iter(memo)))
    return memo[key]


def predictions(model, new_file, predict: Callable[[], tuple[Any, dict]]) -> tuple[Any, dict]:
    """The predictions of ``model`` for an uploaded file, made once per file and model.

    ``predict`` returns ``(predictions frame, unseen categories)``; the result is kept under
    the file's id and the model's ``model_id`` until another file or model comes.
    """
    signature = (new_file.file_id, model.model_id)
    memo = st.session_state.get(state.PREDICTIONS)
    if memo is None or memo[0] != signature:
        result, unseen = predict()
        memo = (signature, result, unseen)
        st.session_state[state.PREDICTIONS] = memo
    return memo[1], memo[2]
