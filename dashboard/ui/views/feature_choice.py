"""The Train page's feature choice: the multiselect itself for a few columns, a one-line count
with the multiselect behind it for many (so that the Train button stays on the screen)."""

from __future__ import annotations

import streamlit as st

from dashboard.words import plural

FEW_FEATURES = 12
"""Up to this many usable columns the multiselect shows as it is; beyond, behind a count."""

_HELP = (
    "By default every usable column. Numbers are filled in (median) and standardised; "
    "categories are filled in (most frequent) and one-hot encoded."
)


def feature_multiselect(usable: list[str]) -> list[str]:
    """The features the user keeps (widget key ``features``), shown compactly when many.

    The caller has put the current choice under ``st.session_state["features"]``.
    """
    if len(usable) <= FEW_FEATURES:
        return _multiselect(usable)
    chosen = [f for f in st.session_state.get("features", usable) if f in usable]
    label = (
        f"Features: all {plural(len(usable), 'usable column')}"
        if len(chosen) == len(usable)
        else f"Features: {len(chosen)} of {plural(len(usable), 'usable column')}"
    )
    with st.expander(label + " (open to choose)"):
        return _multiselect(usable)


def _multiselect(usable: list[str]) -> list[str]:
    return st.multiselect(
        "Features: the columns the model may use",
        usable,
        key="features",
        persist_state="session",
        help=_HELP,
    )
