"""The sidebar's "where am I": which dataset is loaded and whether a model is trained."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import state
from dashboard.ui.text import escape_markdown


def sidebar_status() -> None:
    """Which dataset is loaded and whether a model is trained, shown on every page."""
    loaded = state.table()
    model = state.model()
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
            st.markdown(
                f"Trained: target **{escape_markdown(model.config.target)}**, "
                f"best C = {model.best_C:g}, held-out accuracy {model.evaluation.accuracy:.3f}"
            )
            origin = state.model_origin()
            if loaded is not None and origin and origin.get("sha256") != loaded.sha256:
                st.caption(f"(trained on {escape_markdown(origin.get('name', ''))})")
