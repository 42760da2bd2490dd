"""Softmax Lab: train and understand a softmax classifier on your own CSV."""

from pathlib import Path

import streamlit as st

from dashboard import ui

ICON = Path(__file__).parent / "assets" / "icon.png"
st.set_page_config(page_title="Softmax Lab", page_icon=str(ICON), layout="wide")

pages = [
    st.Page(ui.DATA_PAGE, title="Data", icon=":material/table:", default=True),
    st.Page(ui.TRAIN_PAGE, title="Train", icon=":material/model_training:"),
    st.Page(ui.EVALUATE_PAGE, title="Evaluate", icon=":material/analytics:"),
    st.Page(ui.PREDICT_PAGE, title="Predict", icon=":material/online_prediction:"),
    st.Page(ui.CALCULATORS_PAGE, title="Calculators", icon=":material/calculate:"),
]
navigation = st.navigation(pages)
ui.guarded(ui.ensure_default_data)
ui.sidebar_status()
ui.guarded(navigation.run)
