"""Train: choose the target, the features and the C grid; train with visible progress."""

import pandas as pd
import streamlit as st

from dashboard.ui import paths, state
from dashboard.ui.downloads import model_downloads
from dashboard.ui.guards import require_table
from dashboard.ui.text import escape_markdown
from dashboard.ui.training_run import (
    show_outcome,
    start_training,
    stop_training,
    training_running,
    watch_on_train,
)
from dashboard.ui.urls import apply_link_setup
from dashboard.ui.views import honesty
from dashboard.ui.views.feature_choice import feature_multiselect
from dashboard.ui.views.model_status import stale_model_warning
from dashboard.ui.views.training_options import training_config
from dashboard.words import plural

st.title("Train")
st.caption(
    "A softmax classifier (multinomial logistic regression) learns one score per class from the "
    "features and turns the scores into probabilities. C sets how strongly it may fit the data: "
    "small C = simpler model, large C = closer fit. We try every C in the grid with "
    "cross-validation and keep the best."
)

loaded = require_table()
profile = state.profile()
if state.table_changed_since("train_table_id"):  # choices made for other columns
    for key in ("target", "features"):
        st.session_state.pop(key, None)
apply_link_setup(profile)  # a shared link's target, features and settings, once

candidates = profile.target_candidates()
if not candidates:
    st.warning(
        "No column can be the target: a target needs between 2 and a few dozen distinct values. "
        "Load another file on the Data page."
    )
    st.page_link(paths.DATA_PAGE, label="Go to Data", icon=":material/table:")
    st.stop()

retrain = honesty.apply_train_request(profile, candidates)  # a one-click fix, once
if st.session_state.get("target") not in candidates:
    st.session_state["target"] = profile.likeliest_target() or candidates[0]
target = st.selectbox(
    "Target: the column to predict",
    candidates,
    key="target",
    persist_state="session",
    help="Suggested: the likeliest label column. Any column with a few distinct values will do.",
    on_change=lambda: st.session_state.pop("features", None),
)

usable = profile.default_features(target)  # every usable column but the target
chosen = st.session_state.get("features", usable)
st.session_state["features"] = [f for f in chosen if f in usable]
features = feature_multiselect(usable)  # a count with the list behind it when many
excluded = profile.excluded(target)
if excluded:
    with st.expander(f"{plural(len(excluded), 'column')} left out, and why"):
        if len(excluded) <= 20:  # each reason whole
            for name, reason in excluded:
                st.text(f"{name}: {reason}.")
        else:
            st.dataframe(
                pd.DataFrame(excluded, columns=["Column", "Why it is left out"]),
                hide_index=True,
                column_config={"Why it is left out": st.column_config.TextColumn(width="large")},
            )
            st.caption("The Data page shows each reason whole: select the column's row there.")

config = training_config(target, features, text_columns=profile.optional_text_features(target))

b1, b2 = st.columns([1, 5])
go = b1.button(
    "Train",
    type="primary",
    key="train",
    icon=":material/play_arrow:",
    disabled=training_running(),
    help="Training goes on if you open another page; the sidebar shows its progress.",
)
stop = b2.button("Stop", key="stop", help="Stops training; the previous model stays.")
if stop:
    stop_training()
if go or retrain:
    start_training(loaded, config)
show_outcome()
watch_on_train()  # while a training runs: its progress; the page redraws when it ends

model = state.model()
if model is not None:
    ev = model.evaluation
    summary = (
        f"best C = {model.best_C:g}, held-out accuracy {honesty.accuracy_words(ev)} on "
        f"{model.n_test:,} rows ({honesty.interval_words(ev)})"
    )
    if stale_model_warning(model, link=False) is not None:
        st.caption(f"That model: {summary}. Press Train to train one on the loaded table.")
    elif honesty.has_doubts(model):  # no green box for a score a leak or copies make doubtful
        st.info(f"Model trained in {model.seconds:.1f} s: {summary}. Read the warnings below.")
    else:
        st.success(
            f"Model trained in {model.seconds:.1f} s: {summary}.", icon=":material/check_circle:"
        )
    honesty.warnings_section(model, on_train=True)
    for note in model.notes:
        st.info(escape_markdown(note))
    st.subheader("Take it with you")
    model_downloads(model)
    st.page_link(
        paths.EVALUATE_PAGE, label="Next: see how good it is", icon=":material/arrow_forward:"
    )
