"""Softmax Lab: train and understand a softmax classifier on your own CSV."""

import gc
from pathlib import Path

import streamlit as st

from dashboard.ui import display, guarded, paths, state, urls
from dashboard.ui.views.sidebar import sidebar_status


@st.cache_resource(show_spinner=False)
def _settle_imports() -> None:
    """Once per server process, after the imports above: keep the garbage collector off them.

    Streamlit collects all garbage after every script run (``runner.postScriptGC``) while
    holding the GIL, so the run's "finished" message, and with it the page, waits for that
    collection. The modules imported above (pandas, scikit-learn, SciPy, Plotly, Streamlit:
    some 190,000 objects) live as long as the process; frozen, no collection scans them again.
    Garbage is collected first, and everything made later is collected as before.
    """
    gc.collect()
    gc.freeze()


_settle_imports()
ICON = Path(__file__).parent / "assets" / "icon.png"
st.set_page_config(page_title="Softmax Lab", page_icon=str(ICON), layout="wide")

pages = [
    st.Page(paths.DATA_PAGE, title="Data", icon=":material/table:", default=True),
    st.Page(paths.TRAIN_PAGE, title="Train", icon=":material/model_training:"),
    st.Page(paths.EVALUATE_PAGE, title="Evaluate", icon=":material/analytics:"),
    st.Page(paths.EXPLORE_PAGE, title="Explore", icon=":material/explore:"),
    st.Page(paths.PREDICT_PAGE, title="Predict", icon=":material/online_prediction:"),
    st.Page(paths.CALCULATORS_PAGE, title="Calculators", icon=":material/calculate:"),
]
navigation = st.navigation(pages)
display.page_style()  # the top padding, and presenter mode's larger text
guarded(urls.restore_from_link)  # a shared link's sample, before the default one
guarded(state.ensure_default_data)
sidebar_status()
share = st.sidebar.empty()
guarded(urls.link_notes)
try:
    guarded(navigation.run)
finally:  # also when the page stops early: the URL follows every change of a choice
    guarded(lambda: urls.sync_link(navigation.url_path))
    with share.container():
        guarded(lambda: urls.share_link(navigation.url_path))
