"""Calculators: softmax with temperature, entropy, cross-entropy and KL, by hand or from the model."""

import streamlit as st

from dashboard.ui import state
from dashboard.ui.views.calculators import (
    cross_entropy_calculator,
    entropy_calculator,
    fill_from_feed,
    softmax_calculator,
)

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


tab_softmax, tab_entropy, tab_cross = st.tabs(["Softmax", "Entropy", "Cross-entropy and KL"])
with tab_softmax:
    softmax_calculator()
with tab_entropy:
    entropy_calculator()
with tab_cross:
    cross_entropy_calculator()
