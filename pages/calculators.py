"""Calculators: softmax with temperature, entropy, cross-entropy and KL, by hand or from the model."""

import numpy as np
import streamlit as st

from dashboard import figures, information
from dashboard.errors import SoftmaxLabError
from dashboard.ui import fragment, show_error, state
from dashboard.ui.views.calculators import distribution, fill_from_feed, labels_for, unit_choice

st.title("Calculators")
st.caption(
    "Type numbers separated by commas or spaces, or send a row's numbers here from the "
    "Predict page. Results update as you type."
)

DEFAULTS = {
    "logits": "2, 1, 0.1",
    "entropy_p": "0.5, 0.25, 0.25",
    "cross_p": "1, 0, 0",
    "cross_q": "0.7, 0.2, 0.1",
}
for key, value in DEFAULTS.items():
    st.session_state.setdefault(key, value)
new_feed = state.take_new_calculator_feed()
if new_feed is not None:  # a row just sent from the Predict page
    fill_from_feed(new_feed)
if state.calculator_feed() is not None:
    st.info(
        "Filled in from a row on the Predict page. Edit any number to explore.",
        icon=":material/input:",
    )


@fragment
def softmax_calculator() -> None:
    st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
    text = st.text_input("Logits z (any real numbers)", key="logits", persist_state="session")
    temperature = st.slider(
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
    st.plotly_chart(
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
    st.plotly_chart(
        figures.information_terms_figure(
            terms, labels=labels_for(len(p)), quantity="entropy", unit=unit
        ),
        key="entropy_terms",
    )


@fragment
def cross_entropy_calculator() -> None:
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
    st.plotly_chart(
        figures.information_terms_figure(
            terms, labels=labels_for(len(p)), quantity="cross-entropy", unit=unit
        ),
        key="cross_entropy_terms",
    )


tab_softmax, tab_entropy, tab_cross = st.tabs(["Softmax", "Entropy", "Cross-entropy and KL"])
with tab_softmax:
    softmax_calculator()
with tab_entropy:
    entropy_calculator()
with tab_cross:
    cross_entropy_calculator()
