"""Draw one chart of :mod:`dashboard.charts` on a page, built once per model and options."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.charts import CHARTS
from dashboard.ui import memo
from dashboard.ui.display import plotly_chart


def chart_caption(key: str) -> None:
    """The caption :mod:`dashboard.charts` gives the chart ``key``."""
    st.caption(CHARTS[key].caption)


def show_chart(model, key: str, *, where=st, select: bool = False, **options: Any):
    """Draw the chart ``key`` of ``model`` with ``options``; return its selection event.

    The figure is built once per model and options (a rerun only sends it again). ``where``
    is a container such as a column; ``select`` lets the user click its points.
    """
    chart = CHARTS[key]
    figure = memo.once(
        model,
        (key, *sorted(options.items())),
        lambda: chart.figure(model, memo.chart_data(model), **options),
    )
    if select:
        return plotly_chart(
            figure, where=where, key=key, on_select="rerun", selection_mode="points"
        )
    return plotly_chart(figure, where=where, key=key)
