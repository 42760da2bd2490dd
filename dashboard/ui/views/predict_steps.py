"""Predict's three steps side by side on one screen: the logit, softmax, and the row's loss.

Each column holds one step's chart (with a title that says what it shows) and one line of
numbers; formulas and explanations wait behind expanders, so that a teacher shows the whole
path from logits to loss on one laptop screen without scrolling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import figures, information
from dashboard.ui import state
from dashboard.ui.display import plotly_chart, presenter_mode, temperature_slider, unit_choice
from dashboard.ui.text import escape_markdown

CLASS_KEY = "explain_class"  # the class whose logit is broken down (widget key)
_CLASS_ROW = "explain_class_row"  # the row (model id, logits) the class choice belongs to
CHART_HEIGHT = 280
NARROW_TITLE = 30  # characters per title line in a third of a laptop screen
COMPACT_FEATURES = 6  # bars of the logit breakdown besides the intercept, the rest and z


def follow_predicted_class(model_id: str, exp) -> None:
    """Point the class choice at the row's predicted class whenever the row changes.

    The user's own pick holds until another row (or model) is shown.
    """
    signature = (model_id, tuple(np.round(np.asarray(exp.logits, dtype=float), 9)))
    classes = list(exp.classes)
    if st.session_state.get(_CLASS_ROW) != signature or (
        st.session_state.get(CLASS_KEY) not in classes
    ):
        st.session_state[_CLASS_ROW] = signature
        st.session_state[CLASS_KEY] = classes[int(np.argmax(exp.probabilities))]


def shown_classes(exp) -> list[int]:
    """Positions of the classes the narrow charts draw: all for a few, else the likeliest
    ``figures.MAX_LEGEND_CLASSES`` and the true class, in class order."""
    p = np.asarray(exp.probabilities, dtype=float)
    if p.size <= figures.MAX_LEGEND_CLASSES:
        return list(range(p.size))
    keep = set(np.argsort(-p, kind="stable")[: figures.MAX_LEGEND_CLASSES].tolist())
    if exp.true_label is not None:
        keep.add(exp.class_index(exp.true_label))
    return sorted(keep)


def _narrow(fig):
    """A figure for a third of the screen: shorter title lines and a fixed height."""
    title = fig.layout.title.text
    if title:
        width = NARROW_TITLE
        if presenter_mode():  # larger letters: fewer of them a line
            width = int(NARROW_TITLE / figures.PRESENTER_SCALE)
        text = figures.wrap_title(title.replace("<br>", " "), width=width)
        lines = text.count("<br>") + 1
        subtitles = 22 if any(note.yref == "paper" for note in fig.layout.annotations) else 0
        fig.update_layout(title_text=text, margin_t=24 + 22 * lines + subtitles)
    fig.update_layout(height=CHART_HEIGHT)
    return fig


def row_steps_view(model, exp) -> None:
    """Steps 2 to 4 of one row, side by side: the logit, softmax with temperature, the loss."""
    classes = list(exp.classes)
    follow_predicted_class(model.model_id, exp)
    logit_col, softmax_col, loss_col = st.columns(3, gap="medium")
    with logit_col:
        _logit_step(exp, classes)
    with softmax_col:
        _softmax_step(exp, classes)
    with loss_col:
        _loss_step(model, exp, classes)


def _logit_step(exp, classes: list[str]) -> None:
    st.markdown("**2. One score per class: the logit z**")
    chart = st.empty()  # drawn once the class is chosen below it
    predicted = classes[int(np.argmax(exp.probabilities))]
    chosen = st.selectbox(
        "Break down the logit of",
        classes,
        key=CLASS_KEY,
        format_func=lambda c: f"{c} (predicted)" if c == predicted else c,
        help="Starts at the row's predicted class. Each bar is one input's weight times its "
        "value; with the intercept they add up to the logit.",
    )
    k = classes.index(chosen)
    figure = figures.logit_contributions_figure(
        exp.contributions[k],
        list(exp.feature_names),
        float(exp.intercepts[k]),
        class_name=chosen,
        max_features=COMPACT_FEATURES,
    )
    figure.update_yaxes(title_text="logit z")  # the title names the class
    plotly_chart(_narrow(figure), where=chart, key="logit_contributions")
    with st.expander("The logits and the formula"):
        st.latex(r"z_k = w_k \cdot x + b_k = \sum_j w_{kj} x_j + b_k")
        st.dataframe(pd.DataFrame({"class": classes, "logit z": exp.logits}), hide_index=True)
        st.markdown(
            "Each class has one weight per model input (w) and an intercept (b). A bar is one "
            "input's weight times its value, w·x: up pushes this class's score up, down pushes "
            "it down. The last bar is their sum, the logit z. The class with the largest logit "
            "gets the largest probability."
        )


def _softmax_step(exp, classes: list[str]) -> None:
    st.markdown("**3. Softmax: logits to probabilities**")
    chart = st.empty()  # drawn once the temperature is read below it
    temperature = temperature_slider("explain_temperature", persist_state="session")
    p_t = information.softmax(exp.logits, temperature=temperature)
    shown = shown_classes(exp)
    figure = figures.softmax_bars_figure(
        np.asarray(exp.logits)[shown],
        p_t[shown],
        labels=[classes[k] for k in shown],
        temperature=temperature,
        colours=[figures.class_colour(k) for k in shown],
        title=f"Logits (left) become probabilities (right) at T = {temperature:g}",
    )
    plotly_chart(_narrow(figure), where=chart, key="explain_softmax")
    with st.expander("The formula"):
        st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
        st.markdown(
            "Softmax raises e to each logit (divided by the temperature T) and divides by the "
            "total, so the probabilities are positive and add up to 1. The model itself uses "
            "T = 1 (the next chart)."
        )


def loss_in(unit: str, nats: float) -> float:
    """A loss given in nats, in ``unit`` ("nats" or "bits")."""
    return float(nats) if unit == "nats" else float(nats) / float(np.log(2.0))


def _loss_step(model, exp, classes: list[str]) -> None:
    st.markdown("**4. The row's loss: its cross-entropy**")
    shown = shown_classes(exp)
    figure = figures.probability_bars_figure(
        np.asarray(exp.probabilities)[shown],
        [classes[k] for k in shown],
        colours=[figures.class_colour(k) for k in shown],
        true_label=exp.true_label,
        title="The model's probabilities (T = 1)"
        + ("; outlined: the true class" if exp.true_label is not None else ""),
    )
    plotly_chart(_narrow(figure), key="row_probabilities")
    if len(shown) < len(classes):
        rest = 1.0 - float(np.asarray(exp.probabilities)[shown].sum())
        st.caption(
            f"The {len(shown)} likeliest of {len(classes)} classes (with the true one); "
            f"the others share p = {rest:.3f}."
        )
    line = st.empty()  # the loss, in the unit chosen in the expander below
    words = st.expander("In words, and the unit")
    with words:
        unit, _ = unit_choice("predict_unit")
    log = "ln" if unit == "nats" else "log₂"
    if exp.true_label is not None and exp.cross_entropy is not None:
        t = exp.class_index(exp.true_label)
        loss = loss_in(unit, exp.cross_entropy)
        right = int(np.argmax(exp.probabilities)) == t
        line.markdown(
            escape_markdown(
                f"True class {exp.true_label} got p = {exp.probabilities[t]:.3f}: "
                f"loss −{log} {exp.probabilities[t]:.3f} = {loss:.3f} {unit} "
                f"({'predicted right' if right else 'predicted wrong'})."
            )
        )
    else:
        line.caption("Give the row's true class to see its cross-entropy.")
    with words:
        st.markdown(escape_markdown(exp.sentences()[0]))
        if exp.true_label is not None:
            st.markdown(
                "The mean of these per-row losses over the held-out rows is the log-loss on "
                f"Evaluate: {loss_in(unit, model.evaluation.log_loss):.3f} {unit}."
            )
        st.caption(
            f"Losses are shown in {unit}; the Calculators use the same unit. 1 nat = 1.443 bits."
        )
    if st.button(
        "Open these numbers in the Calculators", key="to_calculators", icon=":material/calculate:"
    ):
        state.send_to_calculators(
            logits=exp.logits,
            probabilities=exp.probabilities,
            truth=exp.true_label,
            labels=classes,
        )
