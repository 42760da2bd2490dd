"""Training in a session: the server-wide gate, the progress bar, Stop, and the class-weight what-if."""

from __future__ import annotations

import time

import streamlit as st

from dashboard.concurrency import TrainingGate
from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS
from dashboard.ui import memo, state
from dashboard.ui.guards import show_error

STOPPED = "Training stopped. The previous model, if any, is still in place."
_TRAINING_NOW = "training_now"  # set while a run trains; a Stop leaves it behind


@st.cache_resource
def training_gate() -> TrainingGate:
    """The server-wide gate: at most LIMITS.max_concurrent_trainings at once."""
    return TrainingGate(capacity=LIMITS.max_concurrent_trainings)


def _fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def _browser_connected() -> bool:
    """Whether this session's browser is still connected (True outside a server, e.g. AppTest)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return True
    return runtime.get_instance().is_active_session(ctx.session_id)


def train_with_progress(loaded, config):
    """Train in this session with a progress bar, queued behind other sessions if needed.

    Returns the trained model. A user's Stop (any rerun) interrupts it at the next progress
    update, so the previous model stays in place.
    """
    from dashboard import training

    bar = st.progress(0.0, text="Starting…")
    clock = st.empty()
    started = time.monotonic()

    def on_wait(ahead: int) -> None:
        if not _browser_connected():
            raise training.TrainingStopped("the browser left while queued")
        bar.progress(0.0, text=f"Queued, {ahead} ahead of you. Training starts by itself.")

    def on_progress(p) -> None:
        where = ""
        if p.C is not None:
            where = f": C = {p.C:g}" + (f", fold {p.fold + 1}" if p.fold is not None else "")
        bar.progress(
            min(p.done / max(p.total, 1), 1.0),
            text=f"Fit {p.done} of {p.total}{where}. {_fmt_seconds(p.elapsed)} elapsed, "
            f"about {_fmt_seconds(p.remaining)} left.",
        )

    def should_stop() -> bool:
        # Touching an element lets Streamlit interrupt this run if the user pressed Stop.
        clock.caption(f"Elapsed {time.monotonic() - started:.0f} s")
        # A closed tab leaves its session (and this run) alive for a while: stop its training.
        return not _browser_connected()

    with training_gate().slot(on_wait=on_wait):
        model = training.train(
            loaded.table,
            config,
            on_progress=on_progress,
            should_stop=should_stop,
            data_sha256=loaded.sha256,
            table_profile=state.profile(),  # made with the table: not profiled again
        )
    bar.progress(1.0, text=f"Done in {_fmt_seconds(time.monotonic() - started)}.")
    clock.empty()
    return model


def say_if_stopped(stop_pressed: bool) -> None:
    """After a rerun: say 'Training stopped' if Stop interrupted the run that was training."""
    if st.session_state.pop(_TRAINING_NOW, False) and stop_pressed:
        st.info(STOPPED)  # the interrupted run never got to clear its flag


def train_and_remember(loaded, config) -> None:
    """Train ``config`` on ``loaded`` with progress; keep the model and rerun, or say why not."""
    from dashboard.training import TrainingStopped

    st.session_state[_TRAINING_NOW] = True
    model = None
    try:
        model = train_with_progress(loaded, config)
    except TrainingStopped:
        st.info(STOPPED)
    except SoftmaxLabError as err:
        show_error(err)
    st.session_state.pop(_TRAINING_NOW, None)  # not reached when Stop interrupts this run
    if model is not None:
        state.remember_model(model, loaded)
        memo.model_extras(model)  # curves and calibration once, so Evaluate opens at once
        st.rerun()


def compute_weight_comparison(model) -> None:
    """Run the class-weight what-if for this model (training work, so behind a button)."""
    from dashboard import evaluation, training

    loaded = state.table()
    if loaded is None or loaded.sha256 != state.model_origin().get("sha256"):
        raise SoftmaxLabError(
            "The data this model was trained on is no longer loaded",
            hint="Load it again on the Data page, or train on the current data.",
        )
    with st.spinner("Training the same folds with both class weightings…"):
        y_true, none, balanced = training.class_weight_what_if(
            loaded.table, model, table_profile=state.profile()
        )
    memo.set_weight_comparison(
        model, evaluation.compare_class_weights(y_true, none, balanced, list(model.classes))
    )
