"""Calculators: softmax with temperature, entropy and cross-entropy, by hand or from the model."""

import numpy as np
import streamlit as st

from dashboard import figures, information, ui
from dashboard.errors import SoftmaxLabError

st.title("Calculators")
st.caption("Type numbers separated by commas or spaces. Every result updates as you type.")

tab_softmax, tab_entropy, tab_cross = st.tabs(["Softmax", "Entropy", "Cross-entropy"])

with tab_softmax:
    st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
    text = st.text_input("Logits z (any real numbers)", "2, 1, 0.1", key="logits")
    temperature = st.slider(
        "Temperature T",
        0.05,
        5.0,
        1.0,
        0.05,
        key="temperature",
        help="T < 1 sharpens the distribution, T > 1 flattens it; T = 1 is plain softmax.",
    )
    try:
        z = information.parse_numbers(text)
        p = information.softmax(z, temperature=temperature)
    except SoftmaxLabError as err:
        ui.show_error(err)
    else:
        labels = [f"class {k + 1}" for k in range(len(p))]
        st.plotly_chart(figures.probability_bars_figure(p, labels), key="softmax_bars")
        st.text("Probabilities: " + ", ".join(f"{v:.4f}" for v in p))

with tab_entropy:
    st.latex(r"H(p) = -\sum_k p_k \log p_k")
    text = st.text_input("Probabilities p", "0.5, 0.25, 0.25", key="entropy_p")
    unit = st.radio("Unit", ["bits", "nats"], horizontal=True, key="entropy_unit")
    base = 2 if unit == "bits" else np.e
    try:
        p = information.parse_numbers(text)
        h = information.entropy(p, base=base)
    except SoftmaxLabError as err:
        ui.show_error(err)
    else:
        st.metric("Entropy", f"{h:.4f} {unit}")

with tab_cross:
    st.latex(r"H(p, q) = -\sum_k p_k \log q_k")
    p_text = st.text_input("True distribution p", "1, 0, 0", key="cross_p")
    q_text = st.text_input("Predicted distribution q", "0.7, 0.2, 0.1", key="cross_q")
    unit = st.radio("Unit", ["bits", "nats"], horizontal=True, key="cross_unit")
    base = 2 if unit == "bits" else np.e
    try:
        p = information.parse_numbers(p_text)
        q = information.parse_numbers(q_text)
        h = information.cross_entropy(p, q, base=base)
    except SoftmaxLabError as err:
        ui.show_error(err)
    else:
        st.metric("Cross-entropy", f"{h:.4f} {unit}")
