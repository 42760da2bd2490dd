"""Train: choose the target, the features and the C grid; train with visible progress."""

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.training import SEED_GRID, TrainingConfig, TrainingStopped, parse_c_grid

st.title("Train")
st.caption(
    "A softmax classifier (multinomial logistic regression) learns one score per class from the "
    "features and turns the scores into probabilities. C sets how strongly it may fit the data: "
    "small C = simpler model, large C = closer fit. We try every C in the grid with "
    "cross-validation and keep the best."
)

loaded = ui.require_table()
profile = st.session_state[ui.PROFILE]

candidates = profile.target_candidates()
if not candidates:
    st.warning(
        "No column can be the target: a target needs between 2 and a few dozen distinct values. "
        "Load another file on the Data page."
    )
    st.page_link(ui.DATA_PAGE, label="Go to Data", icon=":material/table:")
    st.stop()

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
features = st.multiselect(
    "Features: the columns the model may use",
    usable,
    key="features",
    persist_state="session",
    help="By default every usable column. Numbers are filled in (median) and standardised; "
    "categories are filled in (most frequent) and one-hot encoded.",
)
excluded = profile.excluded(target)
if excluded:
    with st.expander(f"{len(excluded)} column(s) left out, and why"):
        st.dataframe(pd.DataFrame(excluded, columns=["column", "reason"]), hide_index=True)

presets = {
    ", ".join(f"{c:g}" for c in SEED_GRID): "the seed article's grid",
    "0.01, 0.1, 1, 10": "quick",
    "0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000": "wide",
}
c_text = st.selectbox(
    "Values of C to try",
    list(presets),
    key="c_grid",
    persist_state="session",
    accept_new_options=True,
    format_func=lambda s: f"{s}  ({presets[s]})" if s in presets else s,
    help="Pick a preset, or type your own list, e.g. 0.05, 0.5, 5 (1e-3 and 1_000 work too).",
)

c1, c2, c3 = st.columns(3)
folds = c1.slider(
    "Cross-validation folds",
    2,
    10,
    5,
    key="cv_folds",
    persist_state="session",
    help="The training part is cut into this many folds; each C is scored on each.",
)
test_size = c2.slider(
    "Held-out share",
    0.1,
    0.5,
    0.2,
    0.05,
    key="test_size",
    persist_state="session",
    help="Rows kept aside, never seen in training, to score the final model.",
)
seed = c3.number_input(
    "Seed",
    0,
    2**31 - 1,
    0,
    key="seed",
    persist_state="session",
    help="The same seed gives the same split and the same numbers.",
)
with st.expander("More options"):
    a1, a2, a3 = st.columns(3)
    balanced = a1.toggle(
        "Balance class weights",
        key="class_weight",
        persist_state="session",
        help="Give rare classes as much weight in total as common ones.",
    )
    max_iter = a2.number_input(
        "Maximum solver iterations", 50, 10_000, 1000, 50, key="max_iter", persist_state="session"
    )
    n_jobs = a3.number_input(
        "Parallel jobs (0 = all cores)", 0, 64, 0, key="n_jobs", persist_state="session"
    )
    drop_small = st.toggle(
        "Drop classes too small for the split and folds (instead of refusing)",
        key="small_classes",
        persist_state="session",
    )

if not features:
    st.info("Choose at least one feature to train.")
    st.stop()

try:
    c_grid = parse_c_grid(c_text or "")
except ui.SoftmaxLabError as err:
    ui.show_error(err)
    st.stop()

config = TrainingConfig(
    target=target,
    features=tuple(features),
    c_grid=c_grid,
    cv_folds=int(folds),
    test_size=float(test_size),
    seed=int(seed),
    class_weight="balanced" if balanced else None,
    max_iter=int(max_iter),
    n_jobs=None if n_jobs == 0 else int(n_jobs),
    small_classes="drop" if drop_small else "refuse",
)
st.caption(
    f"{len(c_grid)} values of C × {folds} folds = {len(c_grid) * folds} fits, "
    "then one final fit at the best C."
)

b1, b2 = st.columns([1, 5])
go = b1.button("Train", type="primary", key="train", icon=":material/play_arrow:")
b2.button("Stop", key="stop", help="Stops training; the previous model stays.")
if st.session_state.pop("training_now", False) and st.session_state.get("stop"):
    # Stop interrupted the run that was training (it never got to clear the flag).
    st.info("Training stopped. The previous model, if any, is still in place.")

if go:
    st.session_state["training_now"] = True
    model = None
    try:
        model = ui.train_with_progress(loaded, config)
    except TrainingStopped:
        st.info("Training stopped. The previous model, if any, is still in place.")
    except ui.SoftmaxLabError as err:
        ui.show_error(err)
    st.session_state.pop("training_now", None)  # not reached when Stop interrupts this run
    if model is not None:
        ui.remember_model(model, loaded)
        ui.model_extras(model)  # curves and calibration once, so Evaluate opens at once
        st.rerun()

model = st.session_state.get(ui.MODEL)
if model is not None:
    ev = model.evaluation
    st.success(
        f"Model trained in {model.seconds:.1f} s: best C = {model.best_C:g}, "
        f"held-out accuracy {ev.accuracy:.3f} on {model.n_test:,} rows.",
        icon=":material/check_circle:",
    )
    for note in model.notes:
        st.info(ui.escape_markdown(note))
    st.subheader("Take it with you")
    ui.model_downloads(model)
    st.page_link(
        ui.EVALUATE_PAGE, label="Next: see how good it is", icon=":material/arrow_forward:"
    )
