"""The Calculators: softmax, entropy, cross-entropy and KL, with their inputs and class names."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import figures, information
from dashboard.errors import SoftmaxLabError
from dashboard.ui import state
from dashboard.ui.display import plotly_chart, unit_choice
from dashboard.ui.guards import fragment, show_error


def _numbers(values) -> str:
    return ", ".join(f"{v:.6g}" for v in values)


def fill_from_feed(feed: state.CalculatorFeed) -> None:
    """Put a row sent from the Predict page into the Calculators' own inputs."""
    st.session_state["logits"] = _numbers(feed.logits)
    st.session_state["entropy_p"] = _numbers(feed.probabilities)
    st.session_state["cross_q"] = _numbers(feed.probabilities)
    if feed.truth is not None:
        st.session_state["cross_p"] = ", ".join(
            "1" if label == feed.truth else "0" for label in feed.labels
        )


def labels_for(n: int) -> list[str]:
    """The class names of the row sent here, if it has ``n`` classes, else class 1 to n."""
    feed = state.calculator_feed()
    names = list(feed.labels) if feed else []
    return names if len(names) == n else [f"class {k + 1}" for k in range(n)]


def distribution(key: str, label: str, help: str) -> np.ndarray | None:
    """A text box for a probability distribution, with an offer to normalise it."""
    text = st.text_input(label, key=key, persist_state="session", help=help)
    try:
        values = information.parse_numbers(text)
        if information.can_normalise(values):
            fixed = information.normalise(values)
            st.warning(f"These numbers add up to {values.sum():g}, not 1.")
            st.button(
                "Normalise (divide by the total)",
                key=f"{key}_normalise",
                on_click=lambda: st.session_state.update({key: _numbers(fixed)}),
            )
            return None
        return values
    except SoftmaxLabError as err:
        show_error(err)
        return None


@fragment
def softmax_calculator() -> None:
    """Softmax with temperature: logits in, probabilities and the steps between out."""
    st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
    left, right = st.columns(2)
    text = left.text_input("Logits z (any real numbers)", key="logits", persist_state="session")
    temperature = right.slider(
        "Temperature T",
        0.05,
        5.0,
        1.0,
        0.05,
        key="temperature",
        persist_state="session",
        help="T < 1 sharpens the distribution, T > 1 flattens it; T = 1 is plain softmax.",
    )
    try:
        z = information.parse_numbers(text)
        p = information.softmax(z, temperature=temperature)
    except SoftmaxLabError as err:
        show_error(err)
        return
    labels = labels_for(len(p))
    plotly_chart(
        figures.softmax_bars_figure(z, p, labels=labels, temperature=temperature),
        key="softmax_bars",
    )
    shifted = np.exp(z / temperature - np.max(z / temperature))
    st.dataframe(
        {"class": labels, "z": z, "z / T": z / temperature, "e^(z/T)": shifted, "p": p},
        hide_index=True,
    )
    st.caption(
        "e^(z/T) is shown after subtracting the largest z/T, which leaves p "
        "unchanged and keeps the numbers from overflowing."
    )


@fragment
def entropy_calculator() -> None:
    """The entropy of a distribution, term by term."""
    st.latex(r"H(p) = -\sum_k p_k \log p_k")
    st.caption(
        "How unsure a distribution is: 0 when one outcome is certain, log(n) when "
        "all n outcomes are equally likely."
    )
    p = distribution("entropy_p", "Probabilities p", "Non-negative numbers adding up to 1.")
    unit, base = unit_choice("entropy_unit")
    if p is None:
        return
    h = information.entropy(p, base=base)
    st.metric(
        "Entropy H(p)",
        f"{h:.4f} {unit}",
        help=f"The most it can be with {len(p)} outcomes: log {len(p)} = "
        f"{np.log(len(p)) / np.log(base):.4f} {unit}.",
    )
    terms = information.entropy_terms(p, base=base)
    plotly_chart(
        figures.information_terms_figure(
            terms, labels=labels_for(len(p)), quantity="entropy", unit=unit
        ),
        key="entropy_terms",
    )


@fragment
def cross_entropy_calculator() -> None:
    """Cross-entropy and KL divergence of two distributions, term by term."""
    st.latex(
        r"H(p, q) = -\sum_k p_k \log q_k \qquad "
        r"D_{KL}(p \| q) = \sum_k p_k \log \frac{p_k}{q_k} = H(p, q) - H(p)"
    )
    st.caption(
        "Cross-entropy: the average surprise when outcomes follow p but you expected "
        "q. With p the true one-hot label and q the model's probabilities it is the "
        "row's log-loss. KL divergence: the extra surprise over H(p)."
    )
    p = distribution(
        "cross_p", "True distribution p", "For one labelled row: 1 for its class, 0 elsewhere."
    )
    q = distribution("cross_q", "Predicted distribution q", "The model's probabilities.")
    unit, base = unit_choice("cross_unit")
    if p is None or q is None:
        return
    try:
        h = information.cross_entropy(p, q, base=base)
        kl = information.kl_divergence(p, q, base=base)
        terms = information.cross_entropy_terms(p, q, base=base)
    except SoftmaxLabError as err:
        show_error(err)
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("Cross-entropy H(p, q)", f"{h:.4f} {unit}")
    c2.metric("Entropy H(p)", f"{information.entropy(p, base=base):.4f} {unit}")
    c3.metric("KL divergence", f"{kl:.4f} {unit}")
    plotly_chart(
        figures.information_terms_figure(
            terms, labels=labels_for(len(p)), quantity="cross-entropy", unit=unit
        ),
        key="cross_entropy_terms",
    )
