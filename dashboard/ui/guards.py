"""Guards: a user's error as a red box, a bug of ours as a logged apology, a missing table or model."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable

import streamlit as st

from dashboard.errors import SoftmaxLabError
from dashboard.ui import state
from dashboard.ui.paths import DATA_PAGE, TRAIN_PAGE
from dashboard.ui.text import escape_markdown

log = logging.getLogger("softmax_lab")


def show_error(err: BaseException) -> None:
    """Show a user-fixable error as a red box (its text may quote the user's file, so escaped)."""
    st.error(escape_markdown(err), icon=":material/error:")


def log_unexpected(err: BaseException) -> str:
    """Log an unexpected error's traceback on the server under a new reference; return the ref."""
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error, reference %s", ref, exc_info=err)
    return ref


def show_apology(ref: str) -> None:
    """The short apology a user sees for a bug of ours, with the reference to quote."""
    st.error(
        f"Sorry, something went wrong on our side (reference {ref}). Your data and model are "
        "still here: try again, or reload the page. If it keeps happening, quote the reference.",
        icon=":material/sentiment_dissatisfied:",
    )


def show_unexpected(err: BaseException) -> str:
    """Log an unexpected error with a reference number and show a short apology; return the ref."""
    ref = log_unexpected(err)
    show_apology(ref)
    return ref


def guarded(run: Callable[[], None]) -> None:
    """Run a page: user errors become a red box, anything else an apology with a reference."""
    try:
        run()
    except SoftmaxLabError as err:
        show_error(err)
    except Exception as err:  # noqa: BLE001 - the last line of defence for the user
        show_unexpected(err)


def fragment(func: Callable[..., None]) -> Callable[..., None]:
    """``st.fragment`` with the same guard as a page (fragments catch their own exceptions).

    ``st.fragment`` is applied at each call, as a page script would, so that whatever
    ``st.fragment`` is at that moment (the benchmark's timed one) wraps it.
    """

    @functools.wraps(func)
    def run(*args, **kwargs) -> None:
        guarded(functools.partial(func, *args, **kwargs))

    @functools.wraps(func)
    def call(*args, **kwargs) -> None:
        st.fragment(run)(*args, **kwargs)

    return call


def require_table():
    """Return the session's loaded table, or explain what to do and stop the page."""
    loaded = state.table()
    if loaded is None:
        st.info("No data is loaded yet. Upload a CSV or pick a sample on the Data page.")
        st.page_link(DATA_PAGE, label="Go to Data", icon=":material/table:")
        st.stop()
    return loaded


def model_or_hint():
    """Return the session's trained model, or say how to get one and return None."""
    model = state.model()
    if model is None and state.training_in_progress():
        st.info("A model is training (the sidebar shows how far). It appears here when ready.")
    elif model is None:
        st.info("No model is trained yet. Choose a target and train one on the Train page.")
        st.page_link(TRAIN_PAGE, label="Go to Train", icon=":material/model_training:")
    return model


def require_model():
    """Return the session's trained model, or explain what to do and stop the page."""
    model = model_or_hint()
    if model is None:
        st.stop()
    return model
