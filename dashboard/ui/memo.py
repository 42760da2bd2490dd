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


def keep_chart_data(model, data: ChartData) -> None:
    """Keep chart data prepared elsewhere (by the training job) as ``model``'s first results."""
    st.session_state[state.EXTRAS] = {"model_id": model.model_id, "charts": data, "memo": {}}


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
