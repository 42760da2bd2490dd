"""Explore: see the model think (decision map, C in motion, decisions with costs, information)."""

import streamlit as st

from dashboard.ui.guards import require_model
from dashboard.ui.views import explore as sections
from dashboard.ui.views.model_status import stale_model_warning

st.title("Explore")
st.caption(
    "See the trained model think: the class it predicts over two of your features, what one "
    "row's numbers do, how the regions change with C, what costs do to its decisions, and "
    "how much it is wrong by (in nats, or bits if you choose)."
)
model = require_model()
if stale_model_warning(model) is not None:
    st.info(
        "The what-ifs (the map, C in motion, costs) are off until the model is trained on the "
        "loaded table. Below: how wrong and how unsure it was on its own held-out rows."
    )
    sections.information_section(model, link=False)
    st.stop()

tabs = st.tabs(["Decision map", "C in motion", "Decisions with costs", "Information"])
with tabs[0]:
    sections.map_section(model)
with tabs[1]:
    sections.c_motion_section(model)
with tabs[2]:
    sections.costs_section(model)
with tabs[3]:
    sections.information_section(model)
