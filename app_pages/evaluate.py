"""Evaluate: metrics, confusion matrix, regularisation, curves, calibration, hardest examples."""

import streamlit as st

from dashboard.ui.downloads import model_downloads
from dashboard.ui.guards import require_model
from dashboard.ui.memo import model_extras
from dashboard.ui.views import evaluate as sections
from dashboard.ui.views import honesty
from dashboard.ui.views.model_status import stale_model_warning

st.title("Evaluate")
st.caption(
    "How good is the model on rows it never saw? All from the held-out rows, except the "
    "charts of C (the cross-validation that chose C)."
)
model = require_model()
stale_model_warning(model)
honesty.warnings_section(model, but=("grid_edge",))  # leaks, copies, a small test
model_extras(model)  # curves and calibration, once per model
honesty.held_out_numbers(model)  # each beside the trivial model's, with the interval

tabs = st.tabs(
    ["Confusion matrix", "Choosing C", "Curves", "Calibration", "Hardest examples", "Class weights"]
)
with tabs[0]:
    sections.confusion_section(model)
with tabs[1]:
    sections.choosing_c_section(model)
with tabs[2]:
    sections.curves_section(model)
with tabs[3]:
    sections.calibration_section(model)
with tabs[4]:
    sections.hardest_examples_section(model)
with tabs[5]:
    sections.class_weights_section(model)

st.subheader("Take it with you")
model_downloads(model)
