"""The Calculators' inputs: a probability box that offers to normalise, a unit choice, class names."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import information
from dashboard.errors import SoftmaxLabError
from dashboard.ui import state
from dashboard.ui.guards import show_error


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


def unit_choice(key: str) -> tuple[str, float]:
    """Bits or nats; returns the unit and the logarithm's base."""
    unit = st.segmented_control(
        "Unit",
        ["bits", "nats"],
        default="bits",
        key=key,
        persist_state="session",
        help="bits: log base 2; nats: natural log (base e).",
    )
    unit = unit or "bits"
    return unit, 2.0 if unit == "bits" else float(np.e)
