"""How pages draw: presenter mode, the information unit, the page's spacing, and the charts.

Two display choices live under plain session keys, so that they hold on every page (a widget's
own key is dropped when its page is not shown): ``presenter`` (bool: larger text in charts and
on the page, for a projector) and ``info_unit`` (``"nats"`` or ``"bits"``: Predict and the
Calculators show entropies and losses in the same unit). Every chart goes through
:func:`plotly_chart`, which draws the presenter copy of a figure when presenter mode is on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from dashboard import figures

PRESENTER = "presenter"  # bool: presenter mode (plain session key)
INFO_UNIT = "info_unit"  # "nats" | "bits": the unit of entropies and losses (plain session key)
UNITS = ("nats", "bits")
DEFAULT_UNIT = "nats"
_PRESENTER_WIDGET = "presenter_toggle"
_UNIT_CHANGED = "info_unit_changed"

# Static CSS (no user text ever enters it): a smaller blank band above the page title, and in
# presenter mode larger text everywhere Streamlit sizes it in rem (markdown, captions, metrics,
# widget labels, tabs). The data grids draw on a canvas in fixed pixels: a CSS zoom on them
# made them overflow the page, so their cells keep their size.
_PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>"""
_PRESENTER_CSS = """<style>
html { font-size: 20px; }
</style>"""


def presenter_mode() -> bool:
    """Whether presenter mode is on in this session."""
    return bool(st.session_state.get(PRESENTER, False))


def set_presenter_mode(on: bool) -> None:
    """Turn presenter mode on or off for this session."""
    st.session_state[PRESENTER] = bool(on)


def presenter_toggle() -> None:
    """The sidebar's "Presenter mode" switch (its state kept under the plain key)."""
    if st.session_state.get(_PRESENTER_WIDGET) != presenter_mode():
        st.session_state[_PRESENTER_WIDGET] = presenter_mode()
    st.toggle(
        "Presenter mode",
        key=_PRESENTER_WIDGET,
        on_change=lambda: set_presenter_mode(st.session_state.get(_PRESENTER_WIDGET, False)),
        help="Larger text in the charts and on the page, for a projector.",
    )


def page_style() -> None:
    """The app's CSS: a small top padding, and larger text in presenter mode."""
    st.html(_PAGE_CSS + (_PRESENTER_CSS if presenter_mode() else ""))


def plotly_chart(figure, *, where: Any = None, **kwargs: Any):
    """``st.plotly_chart`` (or ``where.plotly_chart``) of ``figure``, enlarged in presenter mode.

    Returns what ``plotly_chart`` returns (the selection event when ``on_select`` is given).
    """
    shown = figures.presenter_figure(figure) if presenter_mode() else figure
    return (where if where is not None else st).plotly_chart(shown, **kwargs)


def info_unit() -> str:
    """The unit of entropies and losses: ``"nats"`` (the default) or ``"bits"``."""
    unit = st.session_state.get(INFO_UNIT, DEFAULT_UNIT)
    return unit if unit in UNITS else DEFAULT_UNIT


def unit_choice(key: str, *, where: Any = None) -> tuple[str, float]:
    """Nats or bits, one choice for the whole session; returns the unit and the log's base.

    ``key`` is the widget's own key on this page; the choice is kept under the plain key
    ``info_unit``, so that Predict and the Calculators always show the same unit.
    """
    container = where if where is not None else st
    st.session_state[INFO_UNIT] = info_unit()
    if st.session_state.get(key) != info_unit():
        st.session_state[key] = info_unit()  # this page's widget follows the session's choice

    def keep() -> None:
        chosen = st.session_state.get(key)
        if chosen in UNITS and chosen != info_unit():
            st.session_state[INFO_UNIT] = chosen
            st.session_state[_UNIT_CHANGED] = True

    container.segmented_control(
        "Unit",
        list(UNITS),
        key=key,
        on_change=keep,
        help="nats: natural log (base e), as log-loss is reported; bits: log base 2.",
    )
    if st.session_state.pop(_UNIT_CHANGED, False):
        st.rerun(scope="app")  # inside a fragment too: every unit on the page follows
    unit = info_unit()
    return unit, float(np.e) if unit == "nats" else 2.0


def temperature_slider(key: str, **options: Any) -> float:
    """The softmax temperature T (0.1 to 5, the model's 1 by default), one widget for every page.

    ``options`` go to ``st.slider`` (for example ``persist_state="session"``).
    """
    return st.slider(
        "Temperature T",
        0.1,
        5.0,
        1.0,
        0.1,
        key=key,
        help="The model uses T = 1. Lower T sharpens the probabilities, higher T flattens "
        "them; the order of the classes never changes.",
        **options,
    )
