"""The only Streamlit-aware module: session keys, cached wrappers, status, errors and guards."""

from __future__ import annotations

import logging
import string
import time
import uuid
from collections.abc import Callable

import streamlit as st

from dashboard.concurrency import TrainingGate
from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS

log = logging.getLogger("softmax_lab")

# Plain session keys (not widget keys: Streamlit drops those when their page is not shown).
TABLE = "table"  # dashboard.data.LoadedTable
PROFILE = "profile"  # dashboard.profile.TableProfile
MODEL = "model"  # dashboard.training.TrainedModel
SOURCE = "source"  # {"kind": "sample" | "upload", "key": ..., "name": ...}
UPLOAD_SEEN = "upload_seen"  # file_id of the last upload we parsed
CALC_FEED = (
    "calc_feed"  # {"logits": [...], "probabilities": [...], "truth": [...], "labels": [...]}
)
NOTICE = "notice"  # a one-off message to show after a rerun

DATA_PAGE = "pages/data.py"
TRAIN_PAGE = "pages/train.py"
EVALUATE_PAGE = "pages/evaluate.py"
PREDICT_PAGE = "pages/predict.py"
CALCULATORS_PAGE = "pages/calculators.py"

_PUNCTUATION = frozenset(string.punctuation)


def escape_markdown(text: object) -> str:
    """Return ``text`` so that Streamlit's markdown shows it literally.

    Every ASCII punctuation character gets a backslash (CommonMark's escape), which also
    defuses links, images, emphasis, HTML, Streamlit's ``:color[...]`` directives and ``$`` maths.
    Line breaks become spaces so user text cannot start a heading or a list.

    Examples
    --------
    >>> escape_markdown("[click](http://x.invalid) **bold**")
    '\\\\[click\\\\]\\\\(http\\\\:\\\\/\\\\/x\\\\.invalid\\\\) \\\\*\\\\*bold\\\\*\\\\*'
    """
    out = []
    for ch in str(text):
        if ch in _PUNCTUATION:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def show_error(err: BaseException) -> None:
    """Show a user-fixable error as a red box (its text may quote the user's file, so escaped)."""
    st.error(escape_markdown(err), icon=":material/error:")


def show_unexpected(err: BaseException) -> str:
    """Log an unexpected error with a reference number and show a short apology; return the ref."""
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error, reference %s", ref, exc_info=err)
    st.error(
        f"Sorry, something went wrong on our side (reference {ref}). Your data and model are "
        "still here: try again, or reload the page. If it keeps happening, quote the reference.",
        icon=":material/sentiment_dissatisfied:",
    )
    return ref


@st.cache_data(show_spinner=False, max_entries=8)
def sample_table(key: str):
    """A bundled sample as a loaded table (the same for every user, so shared globally)."""
    from dashboard.data import table_from_frame
    from dashboard.samples import SAMPLES, load_sample

    return table_from_frame(load_sample(key), name=SAMPLES[key].title)


def set_table(loaded, *, source: dict) -> None:
    """Make ``loaded`` the session's table; keep the trained model; reset choices tied to columns."""
    from dashboard.profile import profile

    prof = profile(loaded.table)
    st.session_state[TABLE] = loaded
    st.session_state[PROFILE] = prof
    st.session_state[SOURCE] = source
    for key in ("target", "features"):
        st.session_state.pop(key, None)


def load_sample_into_session(key: str) -> None:
    """Load a bundled sample into this session."""
    from dashboard.samples import SAMPLES

    set_table(sample_table(key), source={"kind": "sample", "key": key, "name": SAMPLES[key].title})


def ensure_default_data() -> None:
    """On a fresh session, load the default sample so the first screen shows something."""
    if TABLE not in st.session_state and SOURCE not in st.session_state:
        from dashboard.samples import DEFAULT_SAMPLE

        load_sample_into_session(DEFAULT_SAMPLE)


def require_table():
    """Return the session's loaded table, or explain what to do and stop the page."""
    loaded = st.session_state.get(TABLE)
    if loaded is None:
        st.info("No data is loaded yet. Upload a CSV or pick a sample on the Data page.")
        st.page_link(DATA_PAGE, label="Go to Data", icon=":material/table:")
        st.stop()
    return loaded


def require_model():
    """Return the session's trained model, or explain what to do and stop the page."""
    model = st.session_state.get(MODEL)
    if model is None:
        st.info("No model is trained yet. Choose a target and train one on the Train page.")
        st.page_link(TRAIN_PAGE, label="Go to Train", icon=":material/model_training:")
        st.stop()
    return model


def sidebar_status() -> None:
    """Which dataset is loaded and whether a model is trained, shown on every page."""
    loaded = st.session_state.get(TABLE)
    model = st.session_state.get(MODEL)
    with st.sidebar:
        st.caption("Dataset")
        if loaded is None:
            st.markdown("No data loaded")
        else:
            rows, cols = loaded.table.shape
            st.markdown(f"**{escape_markdown(loaded.name)}**  \n{rows:,} rows × {cols:,} columns")
        st.caption("Model")
        if model is None:
            st.markdown("Not trained yet")
        else:
            acc = model.evaluation.accuracy if model.evaluation is not None else float("nan")
            st.markdown(
                f"Trained: target **{escape_markdown(model.config.target)}**, "
                f"best C = {model.best_C:g}, held-out accuracy {acc:.3f}"
            )
            trained_on = st.session_state.get("model_source_name")
            if loaded is not None and trained_on and trained_on != loaded.name:
                st.caption(f"(trained on {escape_markdown(trained_on)})")


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
        bar.progress(0.0, text=f"Queued, {ahead} ahead of you. Training starts by itself.")

    def on_progress(p) -> None:
        where = ""
        if p.C is not None:
            where = f": C = {p.C:g}" + (f", fold {p.fold}" if p.fold is not None else "")
        bar.progress(
            min(p.done / max(p.total, 1), 1.0),
            text=f"Fit {p.done} of {p.total}{where}. {_fmt_seconds(p.elapsed)} elapsed, "
            f"about {_fmt_seconds(p.remaining)} left.",
        )

    def should_stop() -> bool:
        # Touching an element lets Streamlit interrupt this run if the user pressed Stop.
        clock.caption(f"Elapsed {time.monotonic() - started:.0f} s")
        return False

    with training_gate().slot(on_wait=on_wait):
        model = training.train(
            loaded.table,
            config,
            on_progress=on_progress,
            should_stop=should_stop,
            data_sha256=loaded.sha256,
        )
    bar.progress(1.0, text=f"Done in {_fmt_seconds(time.monotonic() - started)}.")
    clock.empty()
    return model


def guarded(run: Callable[[], None]) -> None:
    """Run a page: user errors become a red box, anything else an apology with a reference."""
    try:
        run()
    except SoftmaxLabError as err:
        show_error(err)
    except Exception as err:  # noqa: BLE001 - the last line of defence for the user
        show_unexpected(err)
