"""Typed access to the session's plain keys, and the hand-offs from one page to another.

Session state holds plain keys (``table``, ``profile``, ``model``, ...), never a page's widget
keys: Streamlit drops a widget's key when its page is not shown. A page never writes another
page's widget keys either: it leaves a hand-off here (``open_row_on_predict``,
``send_to_calculators``), and the receiving page takes it and sets its own widgets.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from dashboard.ui.paths import CALCULATORS_PAGE, PREDICT_PAGE, TRAIN_PAGE

if TYPE_CHECKING:
    from dashboard.data import LoadedTable
    from dashboard.profile import TableProfile
    from dashboard.training import TrainedModel

# Plain session keys (not widget keys).
TABLE = "table"  # dashboard.data.LoadedTable
TABLE_ID = "table_id"  # a fresh id each time a table is loaded
PROFILE = "profile"  # dashboard.profile.TableProfile
MODEL = "model"  # dashboard.training.TrainedModel
SOURCE = "source"  # {"kind": "sample" | "upload", "key": ..., "name": ...}
UPLOAD_SEEN = "upload_seen"  # (file_id, options) of the last upload we parsed
NOTICE = "notice"  # the last upload's error, or the reference of an unexpected one
MODEL_ORIGIN = "model_origin"  # {"name", "sha256", "report", "rows", "columns", "sample"}
SAVED_MODEL = "saved_model"  # dashboard.export.SavedModel uploaded on Predict
PREDICTIONS = "predictions"  # ((file_id, model id), predictions frame, unseen categories)
EXTRAS = "extras"  # per-model results computed once on first view (see ui.memo)
CALC_FEED = "calc_feed"  # CalculatorFeed: the numbers of the last row sent to the Calculators
CALC_FEED_NEW = "calc_feed_new"  # True until the Calculators page has taken the feed
ROW_HANDOFF = "row_handoff"  # a held-out row (1-based) for the Predict page to open
DECISION_RULE = "decision_rule"  # (model id, dashboard.explore.DecisionRule) set on Explore
TRAIN_REQUEST = "train_request"  # TrainRequest: settings for the Train page to take, once
TARGET = "target"  # the Train page's target selectbox (persist_state="session"): read only
TRAINING_JOB = "training_job"  # ui.training_run.TrainingJob: running, or ended and not taken in


# --------------------------------------------------------------------------- data and model


def table() -> LoadedTable | None:
    """The session's loaded table, if any."""
    return st.session_state.get(TABLE)


def table_id() -> str | None:
    """An id that changes whenever another table is loaded (the same file loaded twice too)."""
    return st.session_state.get(TABLE_ID)


def profile() -> TableProfile | None:
    """The profile of the session's table (made once, when the table was loaded)."""
    return st.session_state.get(PROFILE)


def source() -> dict:
    """Where the table came from: ``{"kind": "sample" | "upload", "key": ..., "name": ...}``."""
    return st.session_state.get(SOURCE, {})


def model() -> TrainedModel | None:
    """The model trained in this session, if any."""
    return st.session_state.get(MODEL)


def training_in_progress() -> bool:
    """Whether a training of this session is running (its model will arrive by itself)."""
    job = st.session_state.get(TRAINING_JOB)
    return job is not None and not job.finished


def chosen_target() -> str | None:
    """The target chosen on the Train page (its selectbox keeps it for the session), if any."""
    target = st.session_state.get(TARGET)
    return target if isinstance(target, str) else None


def stale_model_message(model) -> str | None:
    """Why ``model`` does not belong to the loaded table or the chosen target, or None.

    See :func:`dashboard.provenance.stale_model_message`; the sentence quotes file and
    column names, so escape it before showing it as markdown.
    """
    from dashboard.provenance import stale_model_message as message

    return message(model, table(), target=chosen_target())


def model_origin() -> dict:
    """A note of the data the session's model was trained on (empty without a model)."""
    return st.session_state.get(MODEL_ORIGIN, {})


def saved_model():
    """The model file uploaded on the Predict page, if any (a ``SavedModel``)."""
    return st.session_state.get(SAVED_MODEL)


def set_saved_model(saved) -> None:
    """Keep an uploaded, checked model file for the Predict page."""
    st.session_state[SAVED_MODEL] = saved
    st.session_state.pop(PREDICTIONS, None)  # predictions of another model: free them


@st.cache_data(show_spinner=False, max_entries=8)
def sample_table(key: str):
    """A bundled sample as a loaded table (the same for every user, so shared globally)."""
    from dashboard.data import table_from_frame
    from dashboard.samples import SAMPLES, load_sample

    return table_from_frame(load_sample(key), name=SAMPLES[key].title)


@st.cache_resource
def memory_budget():
    """The server-wide memory budget (``LIMITS.memory_budget_bytes``), shared by every session."""
    from dashboard.concurrency import MemoryBudget, default_budget_bytes
    from dashboard.limits import LIMITS

    return MemoryBudget(total=default_budget_bytes(LIMITS.memory_budget_bytes))


def table_bytes(loaded) -> int:
    """What a loaded table takes in memory (``memory_usage(deep=True)``)."""
    return int(loaded.table.memory_usage(deep=True).sum())


def set_table(loaded, *, source: dict) -> None:
    """Make ``loaded`` the session's table; keep the trained model.

    Pages whose choices depend on the columns notice the new :func:`table_id`. The table is
    counted in the server's memory budget for as long as something keeps it.
    """
    from dashboard.profile import profile as profile_of

    memory_budget().keep(table_bytes(loaded), loaded)
    prof = profile_of(loaded.table)
    st.session_state[TABLE] = loaded
    st.session_state[TABLE_ID] = uuid.uuid4().hex
    st.session_state[PROFILE] = prof
    st.session_state[SOURCE] = source


def table_changed_since(marker: str) -> bool:
    """Whether another table was loaded since a page last asked under ``marker``."""
    current = table_id()
    if st.session_state.get(marker) == current:
        return False
    st.session_state[marker] = current
    return True


def load_sample_into_session(key: str) -> None:
    """Load a bundled sample into this session."""
    from dashboard.samples import SAMPLES

    set_table(sample_table(key), source={"kind": "sample", "key": key, "name": SAMPLES[key].title})


def ensure_default_data() -> None:
    """On a fresh session, load the default sample so the first screen shows something."""
    if TABLE not in st.session_state and SOURCE not in st.session_state:
        from dashboard.samples import DEFAULT_SAMPLE

        load_sample_into_session(DEFAULT_SAMPLE)


def remember_model(model, loaded, *, origin_source: dict | None = None) -> None:
    """Store a freshly trained model with a note of the data it came from (not a second copy).

    ``origin_source`` is where ``loaded`` came from (:func:`source` when it was trained on);
    by default the session's current source.
    """
    src = source() if origin_source is None else origin_source
    st.session_state[MODEL] = model
    st.session_state.pop(PREDICTIONS, None)  # predictions of the previous model: free them
    st.session_state[MODEL_ORIGIN] = {
        "name": loaded.name,
        "sha256": loaded.sha256,
        "report": loaded.report,
        "rows": int(loaded.table.shape[0]),
        "columns": int(loaded.table.shape[1]),
        "sample": src.get("key") if src.get("kind") == "sample" else None,
    }


def origin_table(model):
    """The loaded table the model was trained on if it is still loaded, else a note of it."""
    loaded = table()
    origin = model_origin()
    if loaded is not None and loaded.sha256 == origin.get("sha256") == model.data_sha256:
        return loaded
    return {k: origin[k] for k in ("name", "rows", "columns", "sha256") if k in origin} or None


# --------------------------------------------------------------------------- hand-offs


def decision_rule(model):
    """The costs (a ``DecisionRule``) chosen on the Explore page for ``model``, if any.

    The Predict page's download takes its ``decision`` column from it, the report shows it.
    """
    kept = st.session_state.get(DECISION_RULE)
    if kept is None or kept[0] != getattr(model, "model_id", None):
        return None
    return kept[1]


def set_decision_rule(model, rule) -> None:
    """Keep the costs chosen on the Explore page for ``model`` (another model's are dropped)."""
    st.session_state[DECISION_RULE] = (model.model_id, rule)


def open_row_on_predict(row: int) -> None:
    """Open held-out row ``row`` (1-based) in the Predict page's explanation."""
    st.session_state[ROW_HANDOFF] = int(row)
    st.switch_page(PREDICT_PAGE)


def take_row_for_predict() -> int | None:
    """The held-out row another page asked Predict to open, once (then it is gone)."""
    return st.session_state.pop(ROW_HANDOFF, None)


@dataclass(frozen=True, kw_only=True)
class CalculatorFeed:
    """One row's numbers sent to the Calculators."""

    labels: tuple[str, ...]
    logits: tuple[float, ...]
    probabilities: tuple[float, ...]
    truth: str | None


def send_to_calculators(*, logits, probabilities, truth, labels) -> None:
    """Send a row's logits, probabilities and true class to the Calculators and open that page."""
    st.session_state[CALC_FEED] = CalculatorFeed(
        labels=tuple(str(x) for x in labels),
        logits=tuple(float(v) for v in logits),
        probabilities=tuple(float(v) for v in probabilities),
        truth=None if truth is None else str(truth),
    )
    st.session_state[CALC_FEED_NEW] = True
    st.switch_page(CALCULATORS_PAGE)


def calculator_feed() -> CalculatorFeed | None:
    """The last row sent to the Calculators, if any."""
    return st.session_state.get(CALC_FEED)


def take_new_calculator_feed() -> CalculatorFeed | None:
    """The row just sent to the Calculators, once: the page fills its inputs from it."""
    if st.session_state.pop(CALC_FEED_NEW, False):
        return calculator_feed()
    return None


@dataclass(frozen=True, kw_only=True)
class TrainRequest:
    """Settings for the Train page to take into its own widgets, once, and maybe train.

    Made by a one-click fix on Train or Evaluate (leave a leaking feature out, extend the grid
    of C): the Train page sets its target, features and C grid from it.
    """

    target: str
    features: tuple[str, ...]
    c_grid: tuple[float, ...]
    retrain: bool = True


def ask_train_page(request: TrainRequest, *, switch: bool = True) -> None:
    """Leave ``request`` for the Train page and open it (or, on Train itself, rerun)."""
    st.session_state[TRAIN_REQUEST] = request
    if switch:
        st.switch_page(TRAIN_PAGE)
    else:
        st.rerun()


def take_train_request() -> TrainRequest | None:
    """The settings another page left for Train, once (then they are gone)."""
    return st.session_state.pop(TRAIN_REQUEST, None)
