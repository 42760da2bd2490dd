"""Whether the session's model still belongs to the loaded table and target, said on each page."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import state
from dashboard.ui.paths import TRAIN_PAGE
from dashboard.ui.text import escape_markdown

TRAIN_AGAIN = "Train again on the loaded table"


def stale_model_warning(model, *, link: bool = True) -> str | None:
    """A warning when ``model`` was trained on another table or target; returns the reason.

    Its numbers still describe the data it was trained on and its downloads stay available;
    what-ifs that need its own table are not offered (callers disable them with the reason).
    """
    reason = state.stale_model_message(model)
    if reason is None:
        return None
    st.warning(
        f"{escape_markdown(reason)} What is shown here describes that model and its data.",
        icon=":material/warning:",
    )
    if link:
        st.page_link(TRAIN_PAGE, label=TRAIN_AGAIN, icon=":material/model_training:")
    return reason
