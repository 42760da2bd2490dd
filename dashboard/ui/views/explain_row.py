"""One row's journey through the model: values, logits, softmax, and its cross-entropy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import figures, information
from dashboard.ui import state
from dashboard.ui.text import escape_markdown


def explain_row_view(model, exp) -> None:
    """Show one row's journey: values, logits and their contributions, softmax, its loss."""
    classes = list(exp.classes)
    _inputs(exp)
    _logits(exp, classes)
    _softmax(exp, classes)

    st.markdown("##### 4. How wrong is it? The row's cross-entropy")
    for sentence in exp.sentences(holdout_log_loss=model.evaluation.log_loss):
        st.markdown(escape_markdown(sentence))
    if st.button(
        "Open these numbers in the Calculators", key="to_calculators", icon=":material/calculate:"
    ):
        state.send_to_calculators(
            logits=exp.logits,
            probabilities=exp.probabilities,
            truth=exp.true_label,
            labels=classes,
        )


def _inputs(exp) -> None:
    st.markdown("##### 1. The values the model sees")
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


def _logits(exp, classes: list[str]) -> None:
    st.markdown("##### 2. One score per class: the logit")
    st.latex(r"z_k = w_k \cdot x + b_k = \sum_j w_{kj} x_j + b_k")
    predicted = int(exp.probabilities.argmax())
    chosen = st.selectbox(
        "Break down the logit of",
        classes,
        index=predicted,
        key="explain_class",
        help="Each bar is one input's weight times its value; with the intercept they add up "
        "to the logit.",
    )
    k = classes.index(chosen)
    st.plotly_chart(
        figures.logit_contributions_figure(
            exp.contributions[k],
            list(exp.feature_names),
            float(exp.intercepts[k]),
            class_name=chosen,
        ),
        key="logit_contributions",
    )
    st.dataframe(pd.DataFrame({"class": classes, "logit z": exp.logits}), hide_index=True)
    _pushing_words(exp, classes)
    with st.expander("What am I looking at?"):
        st.markdown(
            "Each class has one weight per model input (w) and an intercept (b). A bar is one "
            "input's weight times its value, w·x: green pushes this class's score up, red "
            "pushes it down. The last bar is their sum, the logit z. The class with the largest "
            "logit gets the largest probability."
        )


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


def _softmax(exp, classes: list[str]) -> None:
    st.markdown("##### 3. Softmax turns the logits into probabilities")
    st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
    temperature = st.slider(
        "Temperature T",
        0.1,
        5.0,
        1.0,
        0.1,
        key="explain_temperature",
        persist_state="session",
        help="The model uses T = 1. Lower T sharpens the probabilities, higher T flattens them; "
        "the ranking of the classes never changes.",
    )
    p_t = information.softmax(exp.logits, temperature=temperature)
    st.plotly_chart(
        figures.softmax_bars_figure(exp.logits, p_t, labels=classes, temperature=temperature),
        key="explain_softmax",
    )
    st.plotly_chart(
        figures.probability_bars_figure(exp.probabilities, classes, true_label=exp.true_label),
        key="row_probabilities",
    )
