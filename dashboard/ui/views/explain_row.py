"""One row's journey through the model: values, logits, softmax, and its cross-entropy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.ui.views.predict_steps import row_steps_view


def explain_row_view(model, exp) -> None:
    """Show one row's journey: its values (behind an expander), then the logit, softmax and
    its loss side by side on one screen (:mod:`~dashboard.ui.views.predict_steps`)."""
    with st.expander("1. The values the model sees"):
        _inputs(exp)
    row_steps_view(model, exp)
    _pushing_words(exp, list(exp.classes))


def _inputs(exp) -> None:
    st.caption(
        "Numbers are filled in if missing and standardised, x = (value − mean) / std, with the "
        "mean and std of the training rows; a category becomes a 1 in its own column."
    )
    text = exp.text_inputs if exp.text_inputs is not None else np.zeros(exp.x.size, dtype=bool)
    shown = ~text | (exp.x != 0)  # a text term not in this row is 0: left out of the table
    if text.any():
        st.caption(
            "Free text becomes one input per word, word pair and run of characters (TF-IDF: "
            "frequent in this row, rare in others, is large); only this row's terms are listed."
        )
    left, right = st.columns(2)
    left.dataframe(
        pd.DataFrame({"column": exp.raw.index.astype(str), "value": exp.raw.astype(str).values}),
        hide_index=True,
    )
    names = np.asarray(exp.feature_names, dtype=object)
    right.dataframe(pd.DataFrame({"model input": names[shown], "x": exp.x[shown]}), hide_index=True)


def _pushing_words(exp, classes: list[str]) -> None:
    """With free text: the words of this row that pushed each class up most."""
    if exp.text_inputs is None or not exp.text_inputs.any():
        return
    rows = []
    for name in classes:
        words = exp.pushing_words(name, top=5)
        rows.append(
            {
                "class": name,
                "words of this row that pushed it up": ", ".join(
                    f"{term} (+{value:.2f})" for term, value in words
                )
                or "none",
            }
        )
    st.markdown("**The words that pushed each class**")
    st.dataframe(pd.DataFrame(rows), hide_index=True)
