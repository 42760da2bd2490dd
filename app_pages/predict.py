"""Predict: explain any row step by step, predict a new CSV, use a saved model."""

import streamlit as st

from dashboard import evaluation
from dashboard.ui import fragment, state
from dashboard.ui.guards import model_or_hint
from dashboard.ui.views.explain_row import explain_row_view
from dashboard.ui.views.model_status import stale_model_warning
from dashboard.ui.views.predict_file import choose_model, predict_file_view

HELD_OUT = "A held-out row"

st.title("Predict")
st.caption(
    "The model gives every class a score (a logit); softmax turns the scores into "
    "probabilities; the probability of the true class gives the row's loss."
)

if state.model() is not None:
    stale_model_warning(state.model())
tab_explain, tab_file = st.tabs(["Explain a row", "Predict a new file"])


def held_out_row(model):
    """The held-out row the user picks (the Evaluate page may have handed one over)."""
    n = model.n_test
    if st.session_state.get("row", 1) > n:
        st.session_state["row"] = 1
    position = st.number_input(
        f"Held-out row (1 to {n:,})",
        min_value=1,
        max_value=n,
        step=1,
        key="row",
        persist_state="session",
        help="Rows the model never saw in training; Evaluate's Hardest examples lists the ones "
        "it got most wrong.",
    )
    i = int(position) - 1
    return model.X_test.iloc[[i]], str(model.y_test[i])


def typed_row(model):
    """A row the user types, starting from the first held-out row, and an optional true class."""
    start = st.session_state.get("typed_row_start")
    if start is None or list(start.columns) != list(model.X_test.columns):
        start = model.X_test.iloc[[0]].reset_index(drop=True)
        st.session_state["typed_row_start"] = start
    row = st.data_editor(start, key="typed_row", hide_index=True, num_rows="fixed")
    truth = st.selectbox(
        "True class (optional)",
        [None, *model.classes],
        format_func=lambda c: "—" if c is None else c,
        key="typed_truth",
    )
    return row, truth


@fragment
def explain_section() -> None:
    model = model_or_hint()
    if model is None:  # the other tab still works with a saved model
        return
    handed = state.take_row_for_predict()
    if handed is not None:  # a row chosen on another page: open it here
        st.session_state["row_source"] = HELD_OUT
        st.session_state["row"] = handed
    pick, which = st.columns(2)
    source = pick.radio(
        "Row",
        [HELD_OUT, "Values I type"],
        horizontal=True,
        key="row_source",
        persist_state="session",
        help="Held-out rows were never seen in training; typed values let you ask 'what if?'.",
    )
    if source == HELD_OUT:
        with which:
            row, truth = held_out_row(model)
    else:
        row, truth = typed_row(model)
    exp = evaluation.explain_row(
        model.pipeline, row, true_label=truth, feature_names=model.feature_names
    )
    explain_row_view(model, exp)


with tab_explain:
    explain_section()

with tab_file:
    predict_file_view(choose_model())
