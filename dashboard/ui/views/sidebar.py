"""The sidebar's "where am I": the dataset, the model (and whether it is the table's), training."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import state
from dashboard.ui.display import presenter_toggle
from dashboard.ui.guards import guarded
from dashboard.ui.paths import TRAIN_PAGE
from dashboard.ui.text import escape_markdown
from dashboard.ui.training_run import sidebar_notice, sidebar_progress
from dashboard.words import number_text


def _against_guessing(evaluation) -> str:
    """`` (always guessing: 0.333)``, or nothing for a record without the trivial model."""
    baseline = evaluation.baseline
    return "" if baseline is None else f" (always guessing: {number_text(baseline.accuracy)})"


def sidebar_status() -> None:
    """Which dataset is loaded, the model and a running training's progress, on every page."""
    with st.sidebar:
        presenter_toggle()  # first: the status may stop the script (a training that ended)
        guarded(_status)


def _status() -> None:
    loaded = state.table()
    st.caption("Dataset")
    if loaded is None:
        st.markdown("No data loaded")
    else:
        rows, cols = loaded.table.shape
        st.markdown(f"**{escape_markdown(loaded.name)}**  \n{rows:,} rows × {cols:,} columns")
    st.caption("Model")
    sidebar_progress()  # takes in a training that ended: run before reading the model
    sidebar_notice()
    model = state.model()
    if model is None:
        if not state.training_in_progress():
            st.markdown("Not trained yet")
        return
    st.markdown(
        f"Trained: target **{escape_markdown(model.config.target)}**, "
        f"best C = {model.best_C:g}, held-out accuracy {number_text(model.evaluation.accuracy)}"
        + _against_guessing(model.evaluation)
    )
    reason = state.stale_model_message(model)
    if reason is not None:
        st.warning(escape_markdown(reason), icon=":material/warning:")
        st.page_link(TRAIN_PAGE, label="Train again", icon=":material/model_training:")
