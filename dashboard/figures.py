"""Plotly figure builders: numbers in, ``go.Figure`` out; no computation a page would need twice.

Text that comes from the user's file (class names, column names) is data. Plotly renders a few
HTML tags in titles, tick labels, legends, hover text and annotations, so every such string goes
through :func:`plain_text`, which escapes ``&``, ``<`` and ``>``; the figures' label arrays
therefore hold escaped text (``"a<b"`` appears as ``"a&lt;b"`` and is drawn as ``a<b``).
Category axes are forced to ``type="category"`` so labels such as ``"1"`` stay labels.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import (
    Calibration,
    CurveSet,
    WeightingComparison,
    normalise_confusion,
    thin_curve,
)
from dashboard.explore import DecisionMap, InformationView, positive_C

__all__ = [
    "MAX_FIGURE_POINTS",
    "calibration_figure",
    "class_weight_figure",
    "coefficient_paths_figure",
    "confidence_histogram_figure",
    "confusion_matrix_figure",
    "cv_scores_figure",
    "information_terms_figure",
    "logit_contributions_figure",
    "plain_text",
    "precision_recall_figure",
    "probability_bars_figure",
    "roc_curves_figure",
    "selected_cell",
    "softmax_bars_figure",
    "temperature_effect_figure",
    "CLASS_COLOURS",
    "MAX_MAP_POINTS",
    "class_colour",
    "decision_map_figure",
    "information_figure",
    "log_loss_split_figure",
    "selected_map_row",
    "with_C_marker",
    "MAX_LEGEND_CLASSES",
    "TEMPLATE_NAME",
    "class_colours",
    "classes_that_matter",
    "log_axis",
    "presenter_figure",
    "wrap_title",
]

MAX_FIGURE_POINTS = 20_000
"""Most (x, y) points one curve figure carries, shared between its curves, so that a figure
stays well under 1 MB of JSON however many rows and classes there are."""

MAX_LEGEND_CLASSES = 8
"""Most classes a curve chart draws unless told which: the ones with the most rows."""

BAR_COLOUR = "#0072B2"
MEAN_COLOUR = "#0072B2"
FOLD_COLOUR = "rgba(0, 114, 178, 0.35)"
BEST_COLOUR = "#D55E00"
ONE_SE_COLOUR = "#009E73"
TRUE_CLASS_OUTLINE = "#262626"
"""The true class's bar gets a thick dark outline: marked, without the red of an error."""


def plain_text(text: object) -> str:
    """User text made safe for Plotly: ``&``, ``<`` and ``>`` escaped, so it shows as typed.

    Parameters
    ----------
    text : object
        Anything; it is converted with ``str`` first.

    Returns
    -------
    str

    Examples
    --------
    >>> plain_text("<b>setosa</b> & co")
    '&lt;b&gt;setosa&lt;/b&gt; &amp; co'
    >>> plain_text(3)
    '3'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_labels(labels: Sequence[object]) -> list[str]:
    """Escaped and distinct labels for a category axis."""
    return _unique_labels([plain_text(label) for label in labels])


def _unique_labels(labels: list[str]) -> list[str]:
    """Category labels made distinct (a category axis merges equal labels into one bar)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        count = seen.get(label, 0)
        seen[label] = count + 1
        out.append(label if count == 0 else f"{label} ({count + 1})")
    return out


# ---------------------------------------------------------------------------------------------
# The shared look: one template, readable on a projector

TEXT_COLOUR = "#262626"
"""Dark grey for every piece of text (ticks, legends, titles): readable on a projector."""
GRID_COLOUR = "#dcdcdc"
FONT_SIZE = 14
"""The base text size (px); ticks, legends and hover labels are at least 13, titles 16."""
TICK_FONT_SIZE = 13
LEGEND_FONT_SIZE = 13
TITLE_FONT_SIZE = 16
SUBTITLE_FONT_SIZE = 14
PRESENTER_SCALE = 1.4
"""How much larger all text is in presenter mode (:func:`presenter_figure`)."""
TITLE_WRAP = 48
"""A title longer than this (characters) wraps onto more lines instead of being cut."""
TEMPLATE_NAME = "softmax_lab"


CLASS_COLOURS = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#DDCC77",
    "#88CCEE", "#CC6677",
)  # fmt: skip
"""One colour per class, in the order of the model's classes: the Okabe-Ito palette (without
black) then Paul Tol's muted one, both safe for the common colour blindnesses; beyond sixteen
classes the colours repeat (the pages then draw the classes that matter, a few at a time)."""


def class_colour(position: int) -> str:
    """The colour of the class at ``position`` in the model's classes (the same on every page).

    Examples
    --------
    >>> class_colour(0), class_colour(16)
    ('#0072B2', '#0072B2')
    """
    return CLASS_COLOURS[int(position) % len(CLASS_COLOURS)]


def _colours_by_position(n: int) -> list[str]:
    return [class_colour(k) for k in range(n)]


def class_colours(classes: Sequence[object]) -> dict[str, str]:
    """Each class's colour, by its position in ``classes`` (give the model's classes).

    Examples
    --------
    >>> class_colours(["Adelie", "Chinstrap"])
    {'Adelie': '#0072B2', 'Chinstrap': '#E69F00'}
    """
    return {str(c): class_colour(position) for position, c in enumerate(classes)}


def _font(size: float, colour: str = TEXT_COLOUR) -> dict:
    size = round(float(size), 1)
    return {"size": int(size) if size.is_integer() else size, "color": colour}


def _template() -> go.layout.Template:
    """Plotly's white template with Softmax Lab's text, grid and colours on top."""
    base = go.layout.Template(pio.templates["plotly_white"])
    axis = {
        "tickfont": _font(TICK_FONT_SIZE),
        "title": {"font": _font(FONT_SIZE)},
        "gridcolor": GRID_COLOUR,
        "linecolor": "#8c8c8c",
        "zerolinecolor": "#b3b3b3",
        "automargin": True,
    }
    base.layout.update(
        font={"size": FONT_SIZE, "color": TEXT_COLOUR},
        title={"font": _font(TITLE_FONT_SIZE), "x": 0, "xanchor": "left"},
        legend={"font": _font(LEGEND_FONT_SIZE), "title": {"font": _font(LEGEND_FONT_SIZE)}},
        hoverlabel={"font": {"size": FONT_SIZE}},
        xaxis=axis,
        yaxis=axis,
        colorway=list(CLASS_COLOURS),
    )
    return base


pio.templates[TEMPLATE_NAME] = _template()
_TEMPLATE_SPEC: dict = pio.templates[TEMPLATE_NAME].to_plotly_json()
"""The template as plain data, made once: validating it into every figure cost ~10 ms each."""

# Trace types with a colour bar of their own (its text follows the template's sizes).
_COLORBAR_TRACES = frozenset(
    {"heatmap", "contour", "histogram2d", "histogram2dcontour", "contourcarpet", "surface",
     "choropleth", "choroplethmap", "choroplethmapbox", "densitymap", "densitymapbox",
     "mesh3d", "cone", "streamtube", "volume", "isosurface"}
)  # fmt: skip
_AXIS_KEY = re.compile(r"([xy])axis\d*")


def _merge(target: dict, updates: dict) -> dict:
    """Merge ``updates`` into ``target`` as ``update_layout`` does (nested dicts merge)."""
    for key, value in updates.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value) if isinstance(value, dict) else value
    return target


def _spec(fig: go.Figure) -> dict:
    """A figure as plain data (a copy; arrays stay numpy arrays, unlike ``to_dict``)."""
    return {
        "data": [trace.to_plotly_json() for trace in fig.data],
        "layout": fig.layout.to_plotly_json(),
    }


@functools.lru_cache(maxsize=16)
def _panel_grid(cols: int, spacing: float) -> dict:
    """``make_subplots``'s layout for one row of ``cols`` panels with titles (made once)."""
    fig = make_subplots(rows=1, cols=cols, horizontal_spacing=spacing,
                        subplot_titles=[f"panel {i}" for i in range(cols)])  # fmt: skip
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    return layout


def _panels(titles: Sequence[str], *, spacing: float) -> dict:
    """The plain layout of one row of panels titled ``titles`` (a fresh copy): the panels'
    axes are ``xaxis``/``yaxis``, ``xaxis2``/``yaxis2``, ... as ``make_subplots`` names them."""
    layout = copy.deepcopy(_panel_grid(len(titles), float(spacing)))
    for note, text in zip(layout["annotations"], titles, strict=True):
        note["text"] = text
    return layout


def _from_spec(spec: dict) -> go.Figure:
    """A figure from plain data already checked: ``spec`` comes from a validated figure plus
    the fixed styles below, so plotly's validation (the slow part) is not run again."""
    return go.Figure(spec, _validate=False)


def _style_text(spec: dict, *, scale: float = 1.0) -> dict:
    """Write the template's text sizes and colour into a figure's own layout (plain data).

    Streamlit's chart theme merges its own (smaller, paler) text settings over a figure's
    template, but never over the figure's explicit layout: so the sizes live in both places.
    Subplot titles are annotations (make_subplots sets 16 px); every annotation gets the
    subtitle size, keeping its own colour when it has one. ``spec`` is a figure's
    plain data (:func:`_spec`), changed in place and returned.
    """
    layout = spec.setdefault("layout", {})
    for key in {"legend", *(k for k in layout if k.startswith("legend"))}:
        legend = layout.setdefault(key, {})
        legend["font"] = _font(LEGEND_FONT_SIZE * scale)
        legend.setdefault("title", {})["font"] = _font(LEGEND_FONT_SIZE * scale)
    _merge(
        layout,
        {
            "font": _font(FONT_SIZE * scale),
            "hoverlabel": {"font": {"size": round(FONT_SIZE * scale, 1)}},
        },
    )
    if (layout.get("title") or {}).get("text"):
        _merge(layout, {"title": {"font": _font(TITLE_FONT_SIZE * scale)}})
    axis_text = {
        "tickfont": _font(TICK_FONT_SIZE * scale),
        "title": {"font": _font(FONT_SIZE * scale)},
    }
    for letter in ("x", "y"):
        keys = [k for k in layout if (m := _AXIS_KEY.fullmatch(k)) and m.group(1) == letter]
        for key in keys or [f"{letter}axis"]:
            _merge(layout.setdefault(key, {}), axis_text)
    for note in layout.get("annotations", ()):
        font = note.setdefault("font", {})
        font["size"] = _font(SUBTITLE_FONT_SIZE * scale)["size"]
        if font.get("color") is None:
            font["color"] = TEXT_COLOUR
    for trace in spec.get("data", ()):
        if trace.get("type") in _COLORBAR_TRACES:
            colorbar = trace.setdefault("colorbar", {})
            colorbar["tickfont"] = _font(TICK_FONT_SIZE * scale)
            colorbar.setdefault("title", {})["font"] = _font(FONT_SIZE * scale)
    return spec


def wrap_title(text: str, *, width: int = TITLE_WRAP) -> str:
    """A title broken into lines of at most ``width`` characters (at spaces), joined by ``<br>``.

    Plotly cuts a title that is wider than its chart; a wrapped one stays whole.

    Examples
    --------
    >>> wrap_title("ROC, one class against the rest: macro AUC 0.998, micro AUC 0.997")
    'ROC, one class against the rest: macro AUC<br>0.998, micro AUC 0.997'
    >>> wrap_title("short")
    'short'
    """
    lines: list[str] = []
    for part in str(text).split("<br>"):
        line = ""
        for word in part.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "<br>".join(lines)


def _layout(fig: go.Figure | dict, *, title: str | None, height: int | None = None) -> go.Figure:
    """The shared template, the text styles, a wrapped title and room for its lines.

    Done on the figure's plain data in one pass (the template is a ready-made copy), not by
    plotly's validating updates: this runs on every redraw of every chart. ``fig`` may be
    plain data already (``{"data": [...], "layout": {...}}``, taken over, not copied).
    """
    text = wrap_title(title) if title else None
    lines = text.count("<br>") + 1 if text else 0
    top = 30 + 24 * lines if text else 30
    spec = fig if isinstance(fig, dict) else _spec(fig)
    layout = spec.setdefault("layout", {})
    has_subtitles = any(
        note.get("yref") == "paper" and (note.get("y") or 0) >= 1
        for note in layout.get("annotations", ())
    )
    if has_subtitles:
        top += 10
    layout["template"] = copy.deepcopy(_TEMPLATE_SPEC)
    if text:
        _merge(layout, {"title": {"text": text, "x": 0, "xanchor": "left"}})
    else:
        layout.pop("title", None)
    _merge(layout, {"margin": {"l": 10, "r": 10, "t": top, "b": 10}})
    if height is None:
        layout.pop("height", None)
    else:
        layout["height"] = height + (24 * (lines - 1) if lines > 1 else 0)
    return _from_spec(_style_text(spec))


def presenter_figure(fig: go.Figure, *, scale: float = PRESENTER_SCALE) -> go.Figure:
    """A copy of ``fig`` with all its text ``scale`` times larger, and a little taller.

    For a projector: the page draws this copy when presenter mode is on.

    Examples
    --------
    >>> fig = _layout(go.Figure(go.Bar(x=["a"], y=[1])), title="t", height=300)
    >>> big = presenter_figure(fig)
    >>> big.layout.xaxis.tickfont.size, fig.layout.xaxis.tickfont.size, big.layout.height
    (18.2, 13, 390)
    """
    spec = _style_text(_spec(fig), scale=scale)
    layout = spec["layout"]
    if layout.get("height"):
        layout["height"] = int(round(layout["height"] * (1 + (scale - 1) * 0.75)))
    margin = layout.get("margin") or {}
    if margin.get("t"):
        margin["t"] = int(round(margin["t"] * scale))
    return _from_spec(spec)


def log_axis(values: Sequence[float] | np.ndarray) -> dict:
    """Settings for a log axis over ``values``: ticks at powers of ten only, written plainly.

    Over less than two decades (a temperature from 0.25 to 5) the ticks are 1, 2 and 5 times
    a power of ten instead, so that the axis has more than one or two labels.

    Examples
    --------
    >>> log_axis([0.001, 100])["tickvals"]
    [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    >>> log_axis([0.25, 5])["ticktext"]
    ['0.5', '1', '2', '5']
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    settings: dict = {"type": "log", "minor": {"showgrid": False, "ticks": ""}}
    if v.size == 0:
        return settings
    low, high = float(v.min()), float(v.max())
    first, last = int(np.floor(np.log10(low) + 1e-9)), int(np.ceil(np.log10(high) - 1e-9))

    def inside(steps: tuple[float, ...]) -> list[float]:
        return [
            float(f"{m * 10.0**e:.12g}")
            for e in range(first, last + 1)
            for m in steps
            if low * (1 - 1e-9) <= m * 10.0**e <= high * (1 + 1e-9)
        ]

    ticks = inside((1.0,))
    if len(ticks) < 3:  # less than two decades: 1, 2 and 5 times a power of ten
        ticks = inside((1.0, 2.0, 5.0))
    if len(ticks) < 2:  # a range inside one decade: its ends
        ticks = sorted({float(f"{low:.2g}"), float(f"{high:.2g}")})
    settings.update(tickmode="array", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return settings


def confusion_matrix_figure(
    cm: np.ndarray,
    labels: Sequence[str],
    *,
    normalize: str | None = None,
    title: str | None = None,
    clickable: bool = False,
) -> go.Figure:
    """Heatmap of a confusion matrix: true class down, predicted class across, counts written in.

    Parameters
    ----------
    cm : array-like of int, shape (n_classes, n_classes)
        Counts; rows are the true class, columns the predicted class.
    labels : sequence of str
        Class names in the order of ``cm``'s rows and columns.
    normalize : {None, "true", "pred", "all"}, default None
        Colour (``z``) by counts or by shares (see
        :func:`dashboard.evaluation.normalise_confusion`); the text always shows the count,
        and the share too when normalised.
    title : str, optional
        Plain text; escaped.
    clickable : bool, default False
        Add an invisible ``Scatter`` trace named ``"cells"`` with one point at the centre of
        each cell, ``customdata`` ``[true index, predicted index, count, z]``, so that a click
        (``st.plotly_chart(..., on_select="rerun", selection_mode="points")``) selects a
        cell; read it back with :func:`selected_cell`. A click anywhere in a cell selects it
        (``hoverdistance=-1``: the nearest centre wins) and the selected cell is outlined.

    Returns
    -------
    plotly.graph_objects.Figure
        A ``Heatmap`` trace first; ``x`` is predicted, ``y`` true, ``z`` the counts or shares
        and ``customdata`` the counts. Then the ``"cells"`` trace when ``clickable``.

    Raises
    ------
    SoftmaxLabError
        If ``normalize`` is not one of the options or the shapes disagree.
    """
    counts = normalise_confusion(cm, None)
    z = normalise_confusion(counts, normalize)
    names = _plain_labels(labels)
    if len(names) != counts.shape[0]:
        raise SoftmaxLabError(
            f"{len(names)} class names for a {counts.shape[0]}-class confusion matrix",
            where="confusion matrix",
        )
    cells = _confusion_cells(counts, z, normalize)
    n = len(names)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=names,
            customdata=counts,
            text=cells.text,
            texttemplate="%{text}" if n <= 30 else None,
            hovertemplate=cells.hover,
            colorscale="Blues",
            zmin=0,
            zmax=1 if normalize is not None else None,
            colorbar={"title": {"text": cells.colour_title}},
            xgap=1,
            ygap=1,
        )
    )
    height = max(360, min(720, 160 + 50 * n))  # at most one laptop screen
    if clickable:
        _add_cell_targets(fig, names, counts, z, height=height)
    fig.update_xaxes(title_text="predicted class", type="category", side="bottom")
    fig.update_yaxes(title_text="true class", type="category", autorange="reversed")
    return _layout(fig, title=plain_text(title) if title else None, height=height)


@dataclass(frozen=True)
class _ConfusionCells:
    """What the confusion heatmap writes: each cell's text, the colour bar's title, the hover."""

    text: list[list[str]]
    colour_title: str
    hover: str


def _confusion_cells(counts: np.ndarray, z: np.ndarray, normalize: str | None) -> _ConfusionCells:
    if normalize is None:
        return _ConfusionCells(
            text=[[f"{int(c)}" for c in row] for row in counts],
            colour_title="rows",
            hover="true: %{y}<br>predicted: %{x}<br>rows: %{customdata}<extra></extra>",
        )
    return _ConfusionCells(
        text=[
            [f"{s:.2f}<br>({int(c)})" for s, c in zip(srow, crow, strict=True)]
            for srow, crow in zip(z, counts, strict=True)
        ],
        colour_title={
            "true": "share of<br>true class",
            "pred": "share of<br>predicted",
            "all": "share of<br>all rows",
        }[normalize],
        hover=(
            "true: %{y}<br>predicted: %{x}<br>rows: %{customdata}<br>share: %{z:.3f}<extra></extra>"
        ),
    )


def _add_cell_targets(
    fig: go.Figure, names: list[str], counts: np.ndarray, z: np.ndarray, *, height: int
) -> None:
    """An invisible marker on each cell's centre: Plotly sends no selection for heatmaps.

    Point ``i * n + j`` is the cell (true ``i``, predicted ``j``); its ``customdata`` is
    ``[i, j, count, z]``. The heatmap's own hover is switched off (the markers carry it),
    ``hoverdistance=-1`` makes a click anywhere in a cell pick its centre, and the selected
    cell is outlined.
    """
    n = len(names)
    heat = fig.data[0]
    hover = heat.hovertemplate or ""
    heat.hoverinfo = "skip"
    heat.hovertemplate = None
    true_index, pred_index = np.divmod(np.arange(n * n), n)
    cell_px = max(6, min(60, int((height - 170) / max(n, 1)) - 4))
    fig.add_trace(
        go.Scatter(
            x=[names[j] for j in pred_index],
            y=[names[i] for i in true_index],
            customdata=np.column_stack(
                [true_index, pred_index, np.asarray(counts).ravel(), np.asarray(z).ravel()]
            ),
            mode="markers",
            name="cells",
            showlegend=False,
            marker={
                "symbol": "square-open",
                "size": 6,
                "opacity": 0,
                "color": "#ff7f0e",
                "line": {"width": 3},
            },
            # the hover distance counts from a marker's edge: small markers make the nearest
            # centre win near borders; the selected one is drawn cell-sized
            selected={"marker": {"opacity": 1, "size": cell_px}},
            unselected={"marker": {"opacity": 0}},
            hovertemplate=hover.replace("%{customdata}", "%{customdata[2]}")
            .replace("%{z:.3f}", "%{customdata[3]:.3f}")
            .replace("<extra>", "<br>click to list these rows<extra>"),
        )
    )
    fig.update_layout(hoverdistance=-1, clickmode="event+select", dragmode=False)


def _field(obj: object, key: str) -> object:
    """``obj[key]`` for Streamlit's selection event, a dict, or an attribute; None when absent."""
    if isinstance(obj, dict):
        return obj.get(key)
    try:
        return obj[key]  # type: ignore[index]
    except (KeyError, TypeError, IndexError, AttributeError):
        return getattr(obj, key, None)


def _selected_points(event: object) -> list | tuple | None:
    """The points of a ``plotly_chart(on_select=...)`` event, or None when it holds none."""
    selection = _field(event, "selection")
    points = _field(selection if selection is not None else event, "points")
    return points if isinstance(points, list | tuple) else None


def selected_cell(event: object, labels: Sequence[str]) -> tuple[str, str] | None:
    """The (true class, predicted class) of the cell clicked in a clickable confusion matrix.

    Parameters
    ----------
    event : object
        What ``st.plotly_chart(..., on_select="rerun")`` returned (or its ``selection``, or
        a plain dict); anything else gives None.
    labels : sequence of str
        The class names given to :func:`confusion_matrix_figure`, unescaped.

    Returns
    -------
    tuple of (str, str) or None
        The first selected cell, or None when no cell is selected.

    Examples
    --------
    >>> event = {"selection": {"points": [{"customdata": [1, 0, 4], "x": "a", "y": "b"}]}}
    >>> selected_cell(event, ["a", "b"])
    ('b', 'a')
    >>> selected_cell(None, ["a", "b"]) is None
    True
    """
    names = [str(label) for label in labels]

    points = _selected_points(event)
    if points is None:
        return None
    by_text = {plain_text(name): name for name in names}
    n = len(names)
    for point in points:
        index = _field(point, "point_index")
        index = _field(point, "point_number") if index is None else index
        if _field(point, "curve_number") == 1 and isinstance(index, int) and 0 <= index < n * n:
            i, j = divmod(index, n)
            return names[i], names[j]
        data = _field(point, "customdata")
        if isinstance(data, list | tuple) and len(data) >= 2:
            try:
                i, j = int(data[0]), int(data[1])
            except (TypeError, ValueError):
                i = j = -1
            if 0 <= i < len(names) and 0 <= j < len(names):
                return names[i], names[j]
        x, y = _field(point, "x"), _field(point, "y")
        if isinstance(x, str) and isinstance(y, str) and x in by_text and y in by_text:
            return by_text[y], by_text[x]
    return None


def cv_scores_figure(
    cv_results: pd.DataFrame,
    cv_summary: pd.DataFrame,
    best_C: float,
    *,
    one_se_C: float | None = None,
    show_log_loss: bool = True,
    title: str | None = None,
) -> go.Figure:
    """Cross-validated accuracy (and log-loss) against C on a log axis.

    Every fold's score is a faint dot; the mean over folds is a line with error bars of one
    standard deviation; the best C (highest mean accuracy) is a star and a dashed line; the
    one-standard-error C, when given, a diamond and a dotted line.

    Parameters
    ----------
    cv_results : pandas.DataFrame
        One row per (C, fold): columns ``C``, ``fold``, ``accuracy`` and, optionally,
        ``log_loss``.
    cv_summary : pandas.DataFrame
        One row per C: ``C``, ``mean_accuracy``, ``std_accuracy`` and, optionally,
        ``mean_log_loss``, ``std_log_loss``.
    best_C : float
        The C that was chosen.
    one_se_C : float, optional
        The one-standard-error choice (:func:`dashboard.evaluation.one_standard_error_C`).
    show_log_loss : bool, default True
        Add a second panel with log-loss when the tables have it.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named ``"each fold"``, ``"mean over folds"``, ``"best C"`` and ``"one-SE C"``
        (accuracy panel), and the same with a ``" (log-loss)"`` suffix in the second panel.
    """
    for column in ("C", "fold", "accuracy"):
        if column not in cv_results.columns:
            raise SoftmaxLabError(f"The CV table has no '{column}' column", where="CV results")
    for column in ("C", "mean_accuracy", "std_accuracy"):
        if column not in cv_summary.columns:
            raise SoftmaxLabError(f"The CV summary has no '{column}' column", where="CV summary")
    summary = cv_summary.sort_values("C")
    with_loss = (
        show_log_loss
        and "log_loss" in cv_results.columns
        and {"mean_log_loss", "std_log_loss"} <= set(summary.columns)
    )
    panels = [_CvPanel("accuracy", "mean_accuracy", "std_accuracy", "")]
    if with_loss:
        panels.append(_CvPanel("log_loss", "mean_log_loss", "std_log_loss", " (log-loss)"))
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=[
            "CV accuracy (higher is better)",
            "CV log-loss (lower is better)",
        ][: len(panels)],
    )
    same = one_se_C is not None and bool(np.isclose(float(one_se_C), float(best_C), rtol=1e-9))
    # The one-SE diamond is drawn first, open and larger, so that a star at the same C shows
    # inside it; when they coincide the legend and the hover say so.
    chosen = (
        _Chosen("one-SE C", one_se_C, "diamond-open", 24, ONE_SE_COLOUR, "dot",
                " (the same C as the best)" if same else ""),
        _Chosen("best C", best_C, "star", 15, BEST_COLOUR, "dash",
                " (also the one-SE C)" if same else ""),
    )  # fmt: skip
    for row, panel in enumerate(panels, start=1):
        _add_cv_panel(fig, row, panel, cv_results, summary, chosen)
    fig.update_xaxes(title_text="C (larger = weaker regularisation)", row=len(panels), col=1)
    fig.update_xaxes(**log_axis(summary["C"]))
    fig.update_yaxes(title_text="accuracy", row=1, col=1)
    if with_loss:
        fig.update_yaxes(title_text="log-loss", row=2, col=1)
    return _layout(
        fig, title=plain_text(title) if title else None, height=560 if with_loss else 360
    )


@dataclass(frozen=True)
class _Chosen:
    """A chosen C's marker: its name, value, symbol, size, colour, line dash and a note."""

    name: str
    value: float | None
    symbol: str
    size: int
    colour: str
    dash: str
    note: str


@dataclass(frozen=True)
class _CvPanel:
    """One panel of the CV chart: the per-fold score column, its mean and std columns."""

    score: str
    mean: str
    std: str
    suffix: str


def _add_cv_panel(fig, row: int, panel: _CvPanel, cv_results, summary, chosen) -> None:
    """Each fold's dots, the mean line with its error bars, and the chosen C's markers."""
    show_legend = row == 1
    c_values = summary["C"].to_numpy(dtype=float)
    fig.add_trace(
        go.Scatter(
            x=cv_results["C"].to_numpy(dtype=float),
            y=cv_results[panel.score].to_numpy(dtype=float),
            customdata=cv_results["fold"].to_numpy(),
            mode="markers",
            name="each fold" + panel.suffix,
            legendgroup="each fold",
            showlegend=show_legend,
            marker={"color": FOLD_COLOUR, "size": 7},
            hovertemplate="C=%{x:.4g}<br>fold %{customdata}: %{y:.4f}<extra></extra>",
        ),
        row=row,
        col=1,
    )
    means = summary[panel.mean].to_numpy(dtype=float)
    fig.add_trace(
        go.Scatter(
            x=c_values,
            y=means,
            error_y={
                "type": "data",
                "array": summary[panel.std].to_numpy(dtype=float),
                "visible": True,
            },
            mode="lines+markers",
            name="mean over folds" + panel.suffix,
            legendgroup="mean",
            showlegend=show_legend,
            line={"color": MEAN_COLOUR},
            hovertemplate="C=%{x:.4g}<br>mean: %{y:.4f}<extra></extra>",
        ),
        row=row,
        col=1,
    )
    for mark in chosen:
        if mark.value is None:
            continue
        value = float(mark.value)
        at = np.flatnonzero(np.isclose(c_values, value, rtol=1e-9, atol=0))
        y_value = float(means[at[0]]) if at.size else None
        fig.add_trace(
            go.Scatter(
                x=[value],
                y=[y_value],
                mode="markers",
                name=mark.name + (mark.note if show_legend else "") + panel.suffix,
                legendgroup=mark.name,
                showlegend=show_legend,
                marker={"symbol": mark.symbol, "size": mark.size, "color": mark.colour,
                        "line": {"width": 3 if mark.symbol.endswith("-open") else 1,
                                 "color": mark.colour}},
                hovertemplate=f"{mark.name}{mark.note}: C=%{{x:.4g}}<extra></extra>",
            ),
            row=row,
            col=1,
        )  # fmt: skip
        fig.add_vline(x=value, line_dash=mark.dash, line_color=mark.colour, opacity=0.6,
                      row=row, col=1)  # fmt: skip


def probability_bars_figure(
    probabilities: Sequence[float] | np.ndarray,
    labels: Sequence[str],
    *,
    true_label: str | None = None,
    colours: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """One bar per class with the predicted probability, in the class's colour; the true class
    outlined and labelled (neutrally: a right prediction is not drawn as an error).

    Parameters
    ----------
    probabilities : sequence of float
        One probability per class, in ``labels`` order.
    labels : sequence of str
        Class names.
    true_label : str, optional
        The row's true class (unescaped, as in ``labels``); marked when given.
    colours : sequence of str, optional
        One colour a bar; default :func:`class_colour` by position (give the colours when
        ``labels`` are some of the model's classes, so that each keeps its own).
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace named ``"probability"``; ``marker.color`` holds the class colours
        (:func:`class_colour` by position) and ``marker.line.width`` is 3 for the true class,
        0 elsewhere.
    """
    p = np.asarray(probabilities, dtype=float)
    raw_labels = [str(label) for label in labels]
    if p.ndim != 1 or p.size != len(raw_labels):
        raise SoftmaxLabError(
            f"{p.size} probabilities for {len(raw_labels)} classes", where="probability bars"
        )
    names = _plain_labels(raw_labels)
    is_true = (
        [label == str(true_label) for label in raw_labels]
        if true_label is not None
        else [False] * len(raw_labels)
    )
    colours = list(colours) if colours is not None else _colours_by_position(len(names))
    fig = go.Figure(
        go.Bar(
            x=names,
            y=p,
            name="probability",
            marker={
                "color": colours,
                "line": {"color": TRUE_CLASS_OUTLINE, "width": [3 if t else 0 for t in is_true]},
            },
            text=[f"{v:.3f}" for v in p],
            textposition="outside",
            customdata=["true class" if t else "" for t in is_true],
            hovertemplate="%{x}: %{y:.4f} %{customdata}<extra></extra>",
        )
    )
    if true_label is not None and any(is_true):
        index = is_true.index(True)
        fig.add_annotation(
            x=names[index],
            y=float(p[index]),
            text="true class",
            showarrow=False,
            yanchor="bottom",
            yshift=18,  # above the bar's own number
            font={"color": TRUE_CLASS_OUTLINE},
        )
    fig.update_xaxes(type="category", title_text="class")
    fig.update_yaxes(range=[0, 1.3], title_text="probability", tickvals=[0, 0.25, 0.5, 0.75, 1])
    default = "Probability of each class" + (" (outlined: the true class)" if any(is_true) else "")
    return _layout(fig, title=plain_text(title) if title else default, height=360)


def _class_position(classes: Sequence[str], name: str | None, *, default: int) -> int:
    names = [str(c) for c in classes]
    if name is None:
        return default
    if str(name) not in names:
        raise SoftmaxLabError(f"'{name}' is not one of the model's classes", where="class")
    return names.index(str(name))


def coefficient_paths_figure(
    C: Sequence[float],
    coef: np.ndarray,
    feature_names: Sequence[str],
    classes: Sequence[str],
    *,
    class_name: str | None = None,
    best_C: float | None = None,
    max_features: int = 15,
    title: str | None = None,
) -> go.Figure:
    """One class's weights against C (log axis): one line per feature.

    Small C (strong regularisation) pulls every weight toward 0; large C lets them grow.

    Parameters
    ----------
    C : sequence of float, length n_C
    coef : array-like, shape (n_C, n_classes, n_features) or (n_C, 1, n_features)
        Weights fitted at each C (``TrainedModel.coef_path["coef"]``). With two classes
        scikit-learn stores one row, the second class's weights; the first class's are 0.
    feature_names : sequence of str
    classes : sequence of str
    class_name : str, optional
        Whose weights to draw; default the last class (the one with weights for two classes).
    best_C : float, optional
        Marked with a dashed line.
    max_features : int, default 15
        Only the features with the largest weight (in absolute value, at any C) are drawn.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Scatter`` per feature, named by the (escaped) feature name, ``x`` = C sorted.
    """
    c_values = np.asarray(C, dtype=float)
    weights = np.asarray(coef, dtype=float)
    names = [str(n) for n in feature_names]
    labels = [str(c) for c in classes]
    if weights.ndim != 3 or weights.shape[0] != c_values.size or weights.shape[2] != len(names):
        raise SoftmaxLabError(
            f"Weights of shape {weights.shape} do not match {c_values.size} values of C and "
            f"{len(names)} features",
            where="coefficient paths",
        )
    k = _class_position(labels, class_name, default=len(labels) - 1)
    path = _class_weights(weights, len(labels), k)
    order = np.argsort(c_values)
    c_sorted, path = c_values[order], path[order]
    size = np.abs(path).max(axis=0) if path.size else np.zeros(len(names))
    shown = np.argsort(-size, kind="stable")[: max(1, int(max_features))]
    fig = go.Figure()
    for j in shown:
        fig.add_trace(
            go.Scatter(
                x=c_sorted,
                y=path[:, j],
                mode="lines+markers",
                name=plain_text(names[j]),
                hovertemplate="%{fullData.name}<br>C=%{x:.4g}<br>weight %{y:.4f}<extra></extra>",
            )
        )
    if best_C is not None and shown.size:
        low = float(min(0.0, path[:, shown].min()))
        high = float(max(0.0, path[:, shown].max()))
        fig.add_trace(_best_C_line(float(best_C), low, high))
    fig.add_hline(y=0, line_color="grey", line_width=1)
    fig.update_xaxes(title_text="C (larger = weaker regularisation)", **log_axis(c_sorted))
    fig.update_yaxes(title_text=f"weight for class {plain_text(labels[k])}")
    hidden = len(names) - len(shown)
    default_title = f"Weights of class {plain_text(labels[k])} against C"
    if hidden > 0:
        default_title += f" ({len(shown)} largest of {len(names)} features)"
    return _layout(fig, title=plain_text(title) if title else default_title, height=420)


def _class_weights(weights: np.ndarray, n_classes: int, k: int) -> np.ndarray:
    """One class's weights at each C; with two classes scikit-learn keeps the second's only."""
    if weights.shape[1] == 1 and n_classes == 2:
        return weights[:, 0, :] if k == 1 else np.zeros_like(weights[:, 0, :])
    if weights.shape[1] == n_classes:
        return weights[:, k, :]
    raise SoftmaxLabError("The weights do not match the classes", where="coefficient paths")


def _best_C_line(best_C: float, low: float, high: float) -> go.Scatter:
    # A trace, not a shape: a shape's annotation is misplaced on a log axis.
    return go.Scatter(
        x=[best_C, best_C],
        y=[low, high],
        mode="lines",
        name="best C",
        line={"color": BEST_COLOUR, "dash": "dash"},
        hovertemplate="best C = %{x:.4g}<extra></extra>",
    )


def logit_contributions_figure(
    contributions: Sequence[float] | np.ndarray,
    feature_names: Sequence[str],
    intercept: float,
    *,
    class_name: str,
    max_features: int = 12,
    title: str | None = None,
) -> go.Figure:
    """How one class's logit is built: intercept plus each feature's ``w_j * x_j``.

    A waterfall: the intercept, then the features with the largest contributions (in
    absolute value), then one bar for all the other features together, then the logit as
    the total, so the bars add up exactly to ``z_k``.

    Parameters
    ----------
    contributions : sequence of float, shape (n_features,)
        ``RowExplanation.contributions[k]``.
    feature_names : sequence of str
    intercept : float
        ``b_k``.
    class_name : str
    max_features : int, default 12

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Waterfall`` trace; its ``y`` holds the steps (all ``"relative"``) and a final
        ``"total"`` whose value is the logit.
    """
    values = np.asarray(contributions, dtype=float)
    names = [str(n) for n in feature_names]
    if values.ndim != 1 or values.size != len(names):
        raise SoftmaxLabError("Contributions and feature names differ in number", where="logit")
    order = np.argsort(-np.abs(values), kind="stable")
    top = order[: max(1, int(max_features))]
    rest = order[len(top) :]
    x = ["(intercept)"] + [plain_text(names[j]) for j in top]
    y = [float(intercept)] + [float(values[j]) for j in top]
    if rest.size:
        x.append(f"({rest.size} other features)")
        y.append(float(values[rest].sum()))
    logit = float(intercept) + float(values.sum())
    x.append(f"logit z ({plain_text(class_name)})")
    y.append(logit)
    x = _unique_labels(x)
    # Plain data (checked against plotly's validation by a test): redrawn on every change of
    # a reference row.
    waterfall = {
        "type": "waterfall",
        "x": x,
        "y": y,
        "measure": ["relative"] * (len(y) - 1) + ["total"],
        "text": [f"{v:+.3f}" for v in y[:-1]] + [f"{logit:.3f}"],
        "textposition": "outside",
        "name": "contribution",
        "hovertemplate": "%{x}: %{y:.4f}<extra></extra>",
        "connector": {"line": {"color": "lightgrey"}},
    }
    layout = {
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": "contribution to the logit"}},
    }
    default_title = f"Logit of {plain_text(class_name)} = intercept + sum of weight × value"
    spec = {"data": [waterfall], "layout": layout}
    return _layout(spec, title=plain_text(title) if title else default_title, height=420)


def softmax_bars_figure(
    logits: Sequence[float] | np.ndarray,
    probabilities: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    temperature: float | None = None,
    colours: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Logits beside the probabilities softmax makes of them.

    Parameters
    ----------
    logits, probabilities : sequence of float, same length
    labels : sequence of str, optional
        Default ``"1"``, ``"2"``, ...
    temperature : float, optional
        Shown in the titles.
    colours : sequence of str, optional
        The probability bars' colours; default :func:`class_colour` by position.

    Returns
    -------
    plotly.graph_objects.Figure
        Two ``Bar`` traces named ``"logit"`` and ``"probability"``.
    """
    z = np.asarray(logits, dtype=float)
    p = np.asarray(probabilities, dtype=float)
    if z.ndim != 1 or z.shape != p.shape:
        raise SoftmaxLabError("Logits and probabilities differ in number", where="softmax")
    names = _plain_labels(labels) if labels is not None else [str(i + 1) for i in range(z.size)]
    if len(names) != z.size:
        raise SoftmaxLabError("One label per logit is needed", where="softmax")
    right = "p = softmax(z)" if temperature is None else f"p = softmax(z / {temperature:g})"
    # Plain data (checked against plotly's validation by a test): this chart follows every
    # move of a slider, and validating it cost ~15 ms.
    layout = _panels(["logits z", right], spacing=0.12)
    data = [
        dict(
            type="bar",
            xaxis="x",
            yaxis="y",
            x=names,
            y=z,
            name="logit",
            marker={"color": "#7f7f7f"},
            text=[f"{v:.3g}" for v in z],
            textposition="outside",
            hovertemplate="%{x}: z = %{y:.4f}<extra></extra>",
        ),
        dict(
            type="bar",
            xaxis="x2",
            yaxis="y2",
            x=names,
            y=p,
            name="probability",
            marker={
                "color": list(colours) if colours is not None else _colours_by_position(z.size)
            },
            text=[f"{v:.3f}" for v in p],
            textposition="outside",
            hovertemplate="%{x}: p = %{y:.4f}<extra></extra>",
        ),
    ]
    layout["xaxis"]["type"] = layout["xaxis2"]["type"] = "category"
    layout["yaxis2"].update(range=[0, 1.2], tickvals=[0, 0.25, 0.5, 0.75, 1])
    low, high = float(min(0.0, z.min(initial=0.0))), float(max(0.0, z.max(initial=0.0)))
    pad = 0.2 * (high - low or 1.0)
    layout["yaxis"]["range"] = [low - (pad if low < 0 else 0), high + pad]
    layout["showlegend"] = False
    default = "Softmax turns the logits into probabilities" + (
        "" if temperature is None else f" (temperature T = {temperature:g})"
    )
    spec = {"data": data, "layout": layout}
    return _layout(spec, title=plain_text(title) if title else default, height=340)


def information_terms_figure(
    terms: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    quantity: str = "entropy",
    unit: str = "bits",
    title: str | None = None,
) -> go.Figure:
    """One bar per outcome with its term of the sum; the total in the title.

    Parameters
    ----------
    terms : sequence of float
        From :func:`dashboard.information.entropy_terms`, ``cross_entropy_terms`` or
        ``kl_divergence_terms``.
    labels : sequence of str, optional
    quantity : {"entropy", "cross-entropy", "KL divergence"}
        Names the terms (``-p log p``, ``-p log q``, ``p log(p/q)``).
    unit : {"bits", "nats"}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace named ``"term"``.
    """
    values = np.asarray(terms, dtype=float)
    formulas = {"entropy": "−p·log p", "cross-entropy": "−p·log q", "KL divergence": "p·log(p/q)"}
    if quantity not in formulas:
        raise SoftmaxLabError(f"{quantity!r} is not a quantity this chart draws", where="chart")
    names = (
        _plain_labels(labels) if labels is not None else [str(i + 1) for i in range(values.size)]
    )
    if values.ndim != 1 or len(names) != values.size:
        raise SoftmaxLabError("One label per term is needed", where="chart")
    unit_text = plain_text(unit)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=values,
            name="term",
            marker={"color": BAR_COLOUR},
            text=[f"{v:.3f}" for v in values],
            textposition="outside",
            hovertemplate="%{x}: %{y:.4f} " + unit_text + "<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title_text="outcome")
    fig.update_yaxes(title_text=f"{formulas[quantity]} ({unit_text})")
    default_title = f"{quantity} = sum of the bars = {values.sum():.4f} {unit_text}"
    return _layout(fig, title=plain_text(title) if title else default_title, height=340)


def classes_that_matter(curves: CurveSet, *, limit: int = MAX_LEGEND_CLASSES) -> list[str]:
    """The classes a curve chart draws by default: all, or the ``limit`` with the most rows.

    Examples
    --------
    >>> from dashboard.evaluation import roc_curves
    >>> curves = roc_curves(["a", "b", "b", "c", "c", "c"], [[1, 0, 0]] * 6, ["a", "b", "c"])
    >>> classes_that_matter(curves, limit=2)
    ['b', 'c']
    """
    drawn = [c for c in curves.per_class if c.x.size]
    if len(drawn) <= limit:
        return [c.name for c in drawn]
    order = sorted(range(len(drawn)), key=lambda i: (-drawn[i].positives, i))[: int(limit)]
    return [drawn[i].name for i in sorted(order)]


def _curve_budget(curves: CurveSet, max_points: int, shown: int) -> int:
    count = shown + 1 + (curves.macro is not None)
    return max(10, int(max_points) // count)


def _curves_figure(
    curves: CurveSet, *, max_points: int, title: str | None, classes: Sequence[str] | None
) -> go.Figure:
    wanted = classes_that_matter(curves) if classes is None else [str(c) for c in classes]
    per_curve = _curve_budget(curves, max_points, len(wanted))
    roc = curves.kind == "roc"
    name_of_score = "AUC" if roc else "AP"
    fig = go.Figure()
    for position, curve in enumerate(curves.per_class):
        if curve.x.size == 0 or curve.name not in wanted:
            continue
        x, y = thin_curve(curve.x, curve.y, max_points=per_curve)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"width": 2, "color": class_colour(position)},
                name=f"{plain_text(curve.name)} ({name_of_score} {curve.score:.3f})",
                hovertemplate="%{fullData.name}<br>%{x:.3f}, %{y:.3f}<extra></extra>",
            )
        )
    averages = [(curves.micro, "dot")] + ([(curves.macro, "dash")] if curves.macro else [])
    for curve, dash in averages:
        x, y = thin_curve(curve.x, curve.y, max_points=per_curve)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"width": 3, "dash": dash, "color": TEXT_COLOUR},
                name=f"{curve.name} ({name_of_score} {curve.score:.3f})",
                hovertemplate="%{fullData.name}<br>%{x:.3f}, %{y:.3f}<extra></extra>",
            )
        )
    if roc:
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="chance",
                line={"color": "grey", "dash": "dot", "width": 1},
            )
        )
        fig.update_xaxes(title_text="false positive rate", range=[0, 1])
        fig.update_yaxes(title_text="true positive rate (recall)", range=[0, 1.02])
        default = (
            f"ROC, one class against the rest: macro AUC {curves.macro_score:.3f}, "
            f"micro AUC {curves.micro_score:.3f}"
        )
    else:
        fig.update_xaxes(title_text="recall", range=[0, 1])
        fig.update_yaxes(title_text="precision", range=[0, 1.02])
        default = (
            f"Precision-recall, one class against the rest: macro AP "
            f"{curves.macro_score:.3f}, micro AP {curves.micro_score:.3f}"
        )
    n_drawn = sum(1 for c in curves.per_class if c.x.size)
    if len(wanted) < n_drawn:
        default += f" ({len(wanted)} of {n_drawn} classes drawn)"
    return _layout(fig, title=plain_text(title) if title else default, height=460)


def roc_curves_figure(
    curves: CurveSet,
    *,
    classes: Sequence[str] | None = None,
    max_points: int = MAX_FIGURE_POINTS,
    title: str | None = None,
) -> go.Figure:
    """ROC curves: one per class, the micro and macro averages (thick black), and chance.

    Parameters
    ----------
    curves : dashboard.evaluation.CurveSet
        From :func:`dashboard.evaluation.roc_curves`.
    classes : sequence of str, optional
        The classes whose curves are drawn (in their colour, :func:`class_colour`); default
        :func:`classes_that_matter` (all up to eight, else the eight with the most rows).
    max_points : int, default ``MAX_FIGURE_POINTS``
        All curves together carry at most this many points.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named ``"<class> (AUC 0.987)"``, ``"micro average (AUC ...)"``,
        ``"macro average (AUC ...)"`` and ``"chance"``.
    """
    if curves.kind != "roc":
        raise SoftmaxLabError("These are not ROC curves", where="chart")
    return _curves_figure(curves, max_points=max_points, title=title, classes=classes)


def precision_recall_figure(
    curves: CurveSet,
    *,
    classes: Sequence[str] | None = None,
    max_points: int = MAX_FIGURE_POINTS,
    title: str | None = None,
) -> go.Figure:
    """Precision-recall curves: one per class plus the micro average.

    Parameters
    ----------
    curves : dashboard.evaluation.CurveSet
        From :func:`dashboard.evaluation.precision_recall_curves`.
    classes : sequence of str, optional
        The classes whose curves are drawn; default :func:`classes_that_matter`.
    max_points : int, default ``MAX_FIGURE_POINTS``
        All curves together carry at most this many points.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named ``"<class> (AP 0.912)"`` and ``"micro average (AP ...)"``.
    """
    if curves.kind != "pr":
        raise SoftmaxLabError("These are not precision-recall curves", where="chart")
    return _curves_figure(curves, max_points=max_points, title=title, classes=classes)


def calibration_figure(calibration: Calibration, *, title: str | None = None) -> go.Figure:
    """Reliability diagram: accuracy against mean confidence per bin, with the diagonal.

    Points on the diagonal are calibrated; below it the model is over-confident. Marker size
    grows with the number of rows in the bin; empty bins are left out.

    Parameters
    ----------
    calibration : dashboard.evaluation.Calibration
    title : str, optional
        Default: the expected calibration error.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``"perfectly calibrated"`` and ``"model"`` (``x`` mean confidence, ``y``
        accuracy, ``customdata`` rows per bin).
    """
    filled = calibration.count > 0
    sizes = calibration.count[filled]
    marker_size = 8 + 22 * np.sqrt(sizes / sizes.max()) if sizes.size else []
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="perfectly calibrated",
            line={"color": "grey", "dash": "dot"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=calibration.mean_confidence[filled],
            y=calibration.accuracy[filled],
            customdata=sizes,
            mode="lines+markers",
            name="model",
            marker={"size": marker_size, "color": BAR_COLOUR},
            hovertemplate="confidence %{x:.3f}<br>accuracy %{y:.3f}<br>%{customdata} rows"
            "<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="confidence (largest probability)", range=[0, 1.02])
    fig.update_yaxes(title_text="accuracy", range=[0, 1.02])
    default = f"Reliability: expected calibration error {calibration.ece:.3f}"
    return _layout(fig, title=plain_text(title) if title else default, height=400)


def confidence_histogram_figure(calibration: Calibration, *, title: str | None = None) -> go.Figure:
    """How many rows fall in each confidence bin, with the mean confidence and accuracy.

    Parameters
    ----------
    calibration : dashboard.evaluation.Calibration
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        A ``Bar`` trace ``"rows"`` (``x`` bin centres, ``y`` counts, ``width`` bin width) and
        two vertical line traces, ``"accuracy 0.xxx"`` and ``"mean confidence 0.xxx"``; the
        gap between them is the overall over- or under-confidence.
    """
    edges = calibration.edges
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(
        go.Bar(
            x=centres,
            y=calibration.count,
            width=np.diff(edges),
            name="rows",
            marker={"color": BAR_COLOUR, "line": {"color": "white", "width": 1}},
            customdata=np.column_stack([edges[:-1], edges[1:]]),
            hovertemplate="confidence %{customdata[0]:.2f} to %{customdata[1]:.2f}: "
            "%{y} rows<extra></extra>",
        )
    )
    n = max(calibration.n_rows, 1)
    filled = calibration.count > 0
    overall_conf = float(
        np.sum(calibration.mean_confidence[filled] * calibration.count[filled]) / n
    )
    overall_acc = float(np.sum(calibration.accuracy[filled] * calibration.count[filled]) / n)
    top = float(calibration.count.max()) if calibration.count.size else 1.0
    for name, value, colour, dash in (
        ("accuracy", overall_acc, ONE_SE_COLOUR, "dash"),
        ("mean confidence", overall_conf, BEST_COLOUR, "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[value, value],
                y=[0.0, top],
                mode="lines",
                name=f"{name} {value:.3f}",
                line={"color": colour, "dash": dash, "width": 2},
                hovertemplate=f"{name} {value:.3f}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="confidence (largest probability)", range=[0, 1])
    fig.update_yaxes(title_text="rows")
    return _layout(
        fig, title=plain_text(title) if title else "Confidence of the predictions", height=340
    )


def temperature_effect_figure(
    table: pd.DataFrame, *, current: float | None = None, title: str | None = None
) -> go.Figure:
    """Log-loss, expected calibration error and accuracy against the temperature (log axis).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`dashboard.evaluation.temperature_effect`: ``temperature``, ``accuracy``,
        ``log_loss``, ``ece``.
    current : float, optional
        The slider's temperature, marked with a line.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``"log-loss"`` (top panel), ``"calibration error (ECE)"`` and ``"accuracy"``
        (bottom panel).
    """
    for column in ("temperature", "accuracy", "log_loss", "ece"):
        if column not in table.columns:
            raise SoftmaxLabError(f"The temperature table has no '{column}' column", where="chart")
    data = table.sort_values("temperature")
    t = data["temperature"].to_numpy(dtype=float)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=["log-loss (lower is better)", "accuracy and calibration error"],
    )
    fig.add_trace(
        go.Scatter(
            x=t, y=data["log_loss"].to_numpy(dtype=float), name="log-loss", mode="lines+markers"
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=t,
            y=data["ece"].to_numpy(dtype=float),
            name="calibration error (ECE)",
            mode="lines+markers",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=t, y=data["accuracy"].to_numpy(dtype=float), name="accuracy", mode="lines+markers"
        ),
        row=2,
        col=1,
    )
    if current is not None:
        for row in (1, 2):
            fig.add_vline(
                x=float(current), line_dash="dash", line_color=BEST_COLOUR, row=row, col=1
            )
    fig.update_xaxes(**log_axis(t))
    fig.update_xaxes(title_text="temperature T (probabilities = softmax(z / T))", row=2, col=1)
    fig.update_yaxes(range=[0, 1.02], row=2, col=1)
    return _layout(fig, title=plain_text(title) if title else None, height=480)


def class_weight_figure(comparison: WeightingComparison, *, title: str | None = None) -> go.Figure:
    """Per-class recall and precision with class weights none and balanced, side by side.

    Parameters
    ----------
    comparison : dashboard.evaluation.WeightingComparison
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Four ``Bar`` traces: ``"recall, no weights"``, ``"recall, balanced"``,
        ``"precision, no weights"``, ``"precision, balanced"`` (two panels), each panel with
        its own legend under it (``legend`` and ``legend2``).
    """
    table = comparison.per_class
    names = _plain_labels(table["class"])
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.08)
    for col, metric in enumerate(("recall", "precision"), start=1):
        for key, label, colour in (
            ("none", "no weights", "#7f7f7f"),
            ("balanced", "balanced", BAR_COLOUR),
        ):
            fig.add_trace(
                go.Bar(
                    x=names,
                    y=table[f"{metric}_{key}"].to_numpy(dtype=float),
                    name=f"{metric}, {label}",
                    marker={"color": colour},
                    legend="legend" if col == 1 else "legend2",
                    hovertemplate="%{x}: %{y:.3f}<extra>%{fullData.name}</extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1.05])
    fig.update_yaxes(title_text="recall", row=1, col=1)
    fig.update_yaxes(title_text="precision", showticklabels=True, row=1, col=2)
    # one legend over each panel, naming that panel's metric
    above = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left"}
    fig.update_layout(barmode="group", legend={**above, "x": 0}, legend2={**above, "x": 0.54})
    fig = _layout(fig, title=plain_text(title) if title else None, height=420)
    fig.layout.margin.t += 30
    return fig


# ---------------------------------------------------------------------------------------------
# See the model think (dashboard.explore): the decision map and the information view

MAX_MAP_POINTS = 5_000
"""Most held-out points drawn over a decision map (a fixed-seed sample of them beyond that)."""


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def _map_axis(values: np.ndarray, categorical: bool) -> tuple[np.ndarray, dict]:
    """Heatmap coordinates of one axis and its axis settings (categories at 0, 1, 2, ...)."""
    if not categorical:
        return np.asarray(values, dtype=float), {}
    names = _plain_labels(values)
    positions = np.arange(len(names), dtype=float)
    return positions, {"tickmode": "array", "tickvals": positions.tolist(), "ticktext": names}


def _point_coordinates(values, grid: np.ndarray, categorical: bool, rng) -> np.ndarray:
    """Points' positions on one axis: numbers as they are; categories at their band, jittered
    so that rows of the same category do not hide each other (NaN for a category not shown)."""
    if not categorical:
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    index = {str(c): i for i, c in enumerate(grid)}
    base = np.array([index.get(str(v), np.nan) for v in values], dtype=float)
    return base + rng.uniform(-0.3, 0.3, size=base.size)


def decision_map_figure(
    decision_map: DecisionMap,
    *,
    shade: str = "probability",
    x_points: Sequence | np.ndarray | None = None,
    y_points: Sequence | np.ndarray | None = None,
    true_class: Sequence[str] | np.ndarray | None = None,
    predicted_class: Sequence[str] | np.ndarray | None = None,
    row_ids: Sequence | np.ndarray | None = None,
    max_points: int = MAX_MAP_POINTS,
    legend_classes: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """The decision map: each region in its class's colour, darker where the model is surer.

    Parameters
    ----------
    decision_map : dashboard.explore.DecisionMap
    shade : {"probability", "entropy"}, default "probability"
        What the shade shows: the top probability (from ``1 / n_classes``, palest, to 1), or
        the entropy (from ``log2(n_classes)`` bits, palest, to 0).
    x_points, y_points : array-like, optional
        The held-out rows' values of the map's x and y (file's own units).
    true_class, predicted_class : array-like of str, optional
        Their true and predicted classes; points are coloured by the true class, and the
        ones predicted wrong get a black cross on top.
    row_ids : array-like, optional
        An id per point (e.g. the held-out row's position), kept in the points' ``customdata``
        so that a click on a point tells which row it is.
    max_points : int, default ``MAX_MAP_POINTS``
        Beyond this, a fixed-seed sample of the points is drawn.
    legend_classes : sequence of str, optional
        The classes whose points the legend lists (all when None): with many classes, the
        ones that matter (:func:`classes_that_matter`). Every class's points are drawn.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Two ``Heatmap`` layers over the whole grid, whatever the number of classes:
        ``"regions"`` (``z`` the predicted class's position in ``classes``, each drawn in
        its class's colour) and ``"shade"`` on top (``z`` the shade in [0, 1], a white veil
        that is thinnest where the model is surest; ``text`` the predicted class and
        ``customdata`` [top probability, entropy] for the hover); then, when points are
        given, one ``Scatter`` per true class named ``"true: <class>"`` (``customdata``
        [row id, predicted class]) and ``"predicted wrong"``; last the ``"reference row"``
        star. A categorical axis has its categories at 0, 1, 2, ...

    Raises
    ------
    SoftmaxLabError
        If ``shade`` is not an option or the point arrays differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> from dashboard.explore import DecisionMap
    >>> proba = np.array([[[0.9, 0.1], [0.4, 0.6]]])
    >>> m = DecisionMap(x="a", y="b", x_values=np.array([0.0, 1.0]),
    ...     y_values=np.array(["u"], dtype=object), x_categorical=False, y_categorical=True,
    ...     classes=("no", "yes"), proba=proba, predicted=proba.argmax(axis=2),
    ...     top_probability=proba.max(axis=2), entropy_bits=np.array([[0.469, 0.971]]),
    ...     held_at=(), reference_x=0.0, reference_y="u")
    >>> fig = decision_map_figure(m)
    >>> [t.name for t in fig.data]
    ['regions', 'shade', 'reference row']
    >>> regions, shade = fig.data[:2]
    >>> regions.z.tolist(), shade.text.tolist(), shade.z.astype(float).round(6).tolist()
    ([[0, 1]], [['no', 'yes']], [[0.8, 0.2]])
    """
    if shade not in ("probability", "entropy"):
        raise SoftmaxLabError(
            f"The shade must be 'probability' or 'entropy', got {shade!r}",
            where="decision map shade",
        )
    m = decision_map
    names = _plain_labels(m.classes)
    z, shade_text = _map_shade(m, shade)
    xs, x_axis = _map_axis(m.x_values, m.x_categorical)
    ys, y_axis = _map_axis(m.y_values, m.y_categorical)
    # Two layers over the whole grid, whatever the number of classes: the predicted class
    # in its colour, then a white veil, thicker where the model is less sure. One layer per
    # class over the whole grid (NaN outside its region) sent 4 MB at 50 classes.
    # Plain trace data, checked once by the tests against plotly's validation: the map is
    # redrawn on every change of the reference row and validating it cost ~20 ms.
    data = [
        _region_trace(xs, ys, m.predicted, len(names)),
        _shade_trace(xs, ys, z, m, names),
    ]
    given = [v is not None for v in (x_points, y_points, true_class)]
    if any(given):
        _add_map_points(
            data,
            m,
            x_points=x_points,
            y_points=y_points,
            true_class=true_class,
            predicted=predicted_class,
            row_ids=row_ids,
            limit=max_points,
            legend=None if legend_classes is None else {str(c) for c in legend_classes},
        )
    data.append(_reference_star(m))
    layout = {
        "xaxis": {"title": {"text": plain_text(m.x)}, **x_axis},
        "yaxis": {"title": {"text": plain_text(m.y)}, **y_axis},
        # The legend under the map, so that the map keeps the width of its column.
        "legend": {"title": {"text": f"shade: {shade_text}"}, "orientation": "h",
                   "x": 0, "xanchor": "left", "y": -0.16, "yanchor": "top"},
    }  # fmt: skip
    spec = {"data": data, "layout": layout}
    return _layout(spec, title=plain_text(title) if title else None, height=540)


def _map_shade(m: DecisionMap, shade: str) -> tuple[np.ndarray, str]:
    """The shade in [0, 1] (0 palest: a uniform guess) and what it shows, for the legend."""
    k = len(m.classes)
    if shade == "probability":
        z = (m.top_probability - 1 / k) / (1 - 1 / k)
        shade_text = "top probability"
    else:
        z = 1 - m.entropy_bits / np.log2(k)
        shade_text = "entropy (bits)"
    return np.clip(z, 0.0, 1.0), shade_text


REGION_ALPHA = 0.8
"""Opacity of a region's colour where the model is surest (shade 1)."""
PALEST_SHARE = 0.2
"""The share of that colour the shade's veil leaves where the model is most unsure (shade 0):
even the most unsure cells show their class."""


def _region_trace(xs, ys, predicted: np.ndarray, n_classes: int) -> dict:
    """The regions: each cell in its predicted class's colour (``z`` the class's position in
    the model's classes; a colour scale of one flat step per class). A heatmap's plain data."""
    colorscale = []
    for position in range(n_classes):
        colour = _rgba(class_colour(position), REGION_ALPHA)
        colorscale += [[position / n_classes, colour], [(position + 1) / n_classes, colour]]
    return dict(
        type="heatmap",
        x=xs,
        y=ys,
        z=np.asarray(predicted).astype(np.uint8 if n_classes <= 256 else np.uint16),
        zmin=-0.5,
        zmax=n_classes - 0.5,
        colorscale=colorscale,
        showscale=False,
        name="regions",
        hoverinfo="skip",  # the shade's layer on top says what a cell is
    )


def _shade_trace(xs, ys, z: np.ndarray, m: DecisionMap, names: list[str]) -> dict:
    """The shade: a white veil over the regions, of opacity ``1 - PALEST_SHARE`` where the
    model is no surer than a uniform guess (``z`` 0) down to 0 where it is sure (``z`` 1), so
    that a cell shows its class's colour at opacity ``REGION_ALPHA * (s + (1 - s) z)`` on
    white (``s`` = ``PALEST_SHARE``).
    It carries the hover: the predicted class (``text``) and ``customdata`` [top
    probability, entropy in bits]. A heatmap's plain data."""
    # Single precision: the map is redrawn on every change of the reference row, and float32
    # halves what each redraw sends (7 significant digits are plenty for a shade and a hover).
    custom = np.stack([m.top_probability, m.entropy_bits], axis=-1).astype(np.float32)
    # A str array, not nested lists: plotly copies a figure before writing its JSON, and a
    # list of 3 600 strings is copied one string at a time.
    labels = np.asarray(names, dtype=str)
    return dict(
        type="heatmap",
        x=xs,
        y=ys,
        z=np.asarray(z, dtype=np.float32),
        zmin=0,
        zmax=1,
        colorscale=[[0, _rgba("#ffffff", 1 - PALEST_SHARE)], [1, _rgba("#ffffff", 0)]],
        showscale=False,
        name="shade",
        text=labels[m.predicted],
        customdata=custom,
        hovertemplate="predicted: %{text}<br>top probability: %{customdata[0]:.3f}"
        "<br>entropy: %{customdata[1]:.3f} bits<extra></extra>",
    )


def _reference_star(m: DecisionMap) -> dict:
    """The reference row (whose other features the map holds fixed), as a gold star (a
    scatter's plain data)."""
    rng = np.random.default_rng(0)
    ref_x = _point_coordinates([m.reference_x], m.x_values, m.x_categorical, rng)
    ref_y = _point_coordinates([m.reference_y], m.y_values, m.y_categorical, rng)
    if m.x_categorical:
        ref_x = np.round(ref_x)
    if m.y_categorical:
        ref_y = np.round(ref_y)
    return dict(
        type="scatter",
        x=ref_x,
        y=ref_y,
        mode="markers",
        name="reference row",
        marker={"symbol": "star", "size": 18, "color": "#ffd700",
                "line": {"color": "black", "width": 1.5}},
        hovertemplate="reference row<extra></extra>",
    )  # fmt: skip


def _kept(values, keep: np.ndarray) -> np.ndarray:
    """The rows ``keep`` of an array-like (a list, an array, a pandas Series), as objects."""
    if isinstance(values, pd.Series | pd.Index):
        return values.take(keep).to_numpy(dtype=object)
    if isinstance(values, np.ndarray):
        return values[keep].astype(object)
    return np.asarray(values, dtype=object)[keep]


def _add_map_points(
    data: list[dict],
    m: DecisionMap,
    *,
    x_points,
    y_points,
    true_class,
    predicted,
    row_ids,
    limit: int,
    legend: set[str] | None = None,
) -> None:
    """The held-out rows on the map: coloured by true class, a cross on the ones predicted wrong;
    the legend lists the classes in ``legend`` (all when None)."""
    if x_points is None or y_points is None or true_class is None:
        raise SoftmaxLabError(
            "Points need their x values, y values and true classes together",
            where="decision map points",
        )
    n = len(true_class)
    lengths = [len(v) for v in (x_points, y_points, true_class)]
    lengths += [n if v is None else len(v) for v in (predicted, row_ids)]
    if len(set(lengths)) > 1:
        raise SoftmaxLabError(
            "The points' arrays differ in length (" + ", ".join(map(str, lengths)) + ")",
            where="decision map points",
        )
    rng = np.random.default_rng(0)
    keep = np.arange(n)
    if n > limit:
        keep = np.sort(rng.choice(n, size=limit, replace=False))
    # Only the sampled rows are converted: the held-out part may have a million rows.
    px = _point_coordinates(_kept(x_points, keep), m.x_values, m.x_categorical, rng)
    py = _point_coordinates(_kept(y_points, keep), m.y_values, m.y_categorical, rng)
    # Single precision for where a dot is drawn (a part in ten million of the axis): half
    # the bytes of the points' positions, sent again on every redraw of the map.
    px, py = px.astype(np.float32), py.astype(np.float32)
    truth = _kept(true_class, keep).astype(str)
    pred = truth if predicted is None else _kept(predicted, keep).astype(str)
    ids = keep if row_ids is None else _kept(row_ids, keep)
    labels, where = np.unique(pred, return_inverse=True)  # plain_text once per class
    shown_pred = np.array([plain_text(p) for p in labels], dtype=object)[where]
    names = _plain_labels(m.classes)
    for position, cls in enumerate(m.classes):
        mask = truth == cls
        if not mask.any():
            continue
        data.append(
            dict(
                type="scatter",
                x=px[mask],
                y=py[mask],
                mode="markers",
                name=f"true: {names[position]}",
                showlegend=legend is None or str(cls) in legend,
                marker={"color": class_colour(position), "size": 7,
                        "line": {"color": "white", "width": 0.8}},
                customdata=np.column_stack([ids[mask], shown_pred[mask]]),
                hovertemplate=f"row %{{customdata[0]}}<br>true: {names[position]}"
                "<br>predicted: %{customdata[1]}<extra></extra>",
            )
        )  # fmt: skip
    wrong = truth != pred
    if wrong.any():
        data.append(
            dict(
                type="scatter",
                x=px[wrong],
                y=py[wrong],
                mode="markers",
                name="predicted wrong",
                marker={"symbol": "x-thin", "size": 9, "line": {"color": "black", "width": 1.5}},
                customdata=np.column_stack([ids[wrong], shown_pred[wrong]]),
                hovertemplate="row %{customdata[0]}: predicted wrong (%{customdata[1]})"
                "<extra></extra>",
            )
        )


def with_C_marker(figure: go.Figure, C: float, *, label: str = "C shown") -> go.Figure:
    """A copy of a figure whose x axes are C (log scale) with a vertical line at ``C``.

    For the C-motion view: the score-against-C curve and the coefficient paths with the C
    the map is drawn at. Each subplot gets the line, as a trace spanning its data (a shape's
    coordinates on a log axis differ between Plotly versions).

    Examples
    --------
    >>> fig = go.Figure(go.Scatter(x=[0.1, 10.0], y=[0.5, 2.0], name="score"))
    >>> marked = with_C_marker(fig, 1.0)
    >>> [(t.name, list(t.x), list(t.y)) for t in marked.data], len(fig.data)
    ([('score', [0.1, 10.0], [0.5, 2.0]), ('C shown', [1.0, 1.0], [0.5, 2.0])], 1)
    """
    c = positive_C(C)
    spec = _spec(figure)  # a copy as plain data: adding traces skips plotly's validation
    spans: dict[tuple[str, str], list[float]] = {}
    for trace in spec["data"]:
        y = trace.get("y")
        if y is None:
            continue
        values = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce")
        values = values[np.isfinite(values.to_numpy(dtype=float))]
        if values.size:
            axes = (trace.get("xaxis") or "x", trace.get("yaxis") or "y")
            spans.setdefault(axes, []).extend([float(values.min()), float(values.max())])
    for n, ((xaxis, yaxis), ys) in enumerate(spans.items()):
        spec["data"].append(
            {
                "type": "scatter",
                "x": [c, c],
                "y": [min(ys), max(ys)],
                "xaxis": xaxis,
                "yaxis": yaxis,
                "mode": "lines",
                "name": plain_text(label),
                "showlegend": n == 0,
                "line": {"color": "#444444", "width": 2, "dash": "dot"},
                "hovertemplate": f"{plain_text(label)}: C = {c:g}<extra></extra>",
            }
        )
    return _from_spec(spec)


def _per_bit(unit: str) -> float:
    """How many ``unit`` ("bits" or "nats") make one bit."""
    if unit not in ("bits", "nats"):
        raise SoftmaxLabError(f"The unit must be 'bits' or 'nats', got {unit!r}", where="unit")
    return 1.0 if unit == "bits" else float(np.log(2.0))


def information_figure(
    view: InformationView,
    *,
    max_points: int = MAX_FIGURE_POINTS,
    unit: str = "bits",
    title: str | None = None,
) -> go.Figure:
    """How unsure against how wrong: entropy across, cross-entropy up, one point per row.

    A wrong prediction gave the true class at most one half, so it sits at 1 bit (ln 2 nats)
    or higher; the shaded corner (low entropy, at least 1 bit of cross-entropy) holds the
    confident mistakes.

    Parameters
    ----------
    view : dashboard.explore.InformationView
    max_points : int, default ``MAX_FIGURE_POINTS``
        Beyond this, a fixed-seed sample of the rows is drawn.
    unit : {"bits", "nats"}, default "bits"
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        ``Scatter`` traces ``"right"`` and ``"wrong"`` (``x`` entropy in ``unit``, ``y``
        cross-entropy in ``unit``, ``customdata`` [row position, true class, predicted class]),
        and a shaded rectangle over the confident-mistake corner.

    Examples
    --------
    >>> from dashboard.explore import information_view
    >>> v = information_view(["a", "b"], [[0.9, 0.1], [0.95, 0.05]], classes=["a", "b"],
    ...                      prior=[0.5, 0.5])
    >>> fig = information_figure(v)
    >>> [t.name for t in fig.data], fig.data[1].y.round(3).tolist()
    (['right', 'wrong'], [4.322])
    >>> information_figure(v, unit="nats").data[1].y.round(3).tolist()  # -ln 0.05
    [2.996]
    """
    per_bit = _per_bit(unit)
    n = view.y_true.size
    keep = np.arange(n)
    if n > max_points:
        keep = np.sort(np.random.default_rng(0).choice(n, size=max_points, replace=False))
    right = view.predicted[keep] == view.y_true[keep]
    truth = np.array([plain_text(c) for c in view.y_true[keep]], dtype=object)
    pred = np.array([plain_text(c) for c in view.predicted[keep]], dtype=object)
    fig = go.Figure()
    for name, mask, colour in (("right", right, BAR_COLOUR), ("wrong", ~right, BEST_COLOUR)):
        fig.add_trace(
            go.Scatter(
                x=view.entropy_bits[keep][mask] * per_bit,
                y=view.cross_entropy_bits[keep][mask] * per_bit,
                mode="markers",
                name=name,
                marker={"color": colour, "size": 6, "opacity": 0.7},
                customdata=np.column_stack([keep[mask], truth[mask], pred[mask]]),
                hovertemplate="row %{customdata[0]}<br>true: %{customdata[1]}<br>predicted: "
                f"%{{customdata[2]}}<br>entropy %{{x:.3f}} {unit}, cross-entropy %{{y:.3f}} "
                f"{unit}<extra></extra>",
            )
        )
    most = float(np.log2(len(view.classes))) * per_bit  # the entropy of a uniform guess
    top = max(1.5, float(np.max(view.cross_entropy_bits)) * 1.05) * per_bit
    fig.add_shape(type="rect", x0=0, x1=most / 2, y0=per_bit, y1=top, line={"width": 0},
                  fillcolor=_rgba(BEST_COLOUR, 0.08), layer="below")  # fmt: skip
    fig.add_annotation(x=0, y=top, xanchor="left", yanchor="top", showarrow=False,
                       text="confident mistakes", font={"color": BEST_COLOUR})  # fmt: skip
    fig.update_xaxes(title_text=f"entropy of the prediction ({unit}): how unsure",
                     range=[0, most * 1.02])  # fmt: skip
    fig.update_yaxes(title_text=f"cross-entropy ({unit}): how wrong", range=[0, top])
    return _layout(fig, title=plain_text(title) if title else None, height=460)


def log_loss_split_figure(
    view: InformationView, *, unit: str = "bits", title: str | None = None
) -> go.Figure:
    """The log-loss split by true class, in bits or nats: the bars add up to the model's
    log-loss.

    A dashed line marks the log-loss of guessing from the class shares alone.

    Parameters
    ----------
    view : dashboard.explore.InformationView
    unit : {"bits", "nats"}, default "bits"
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One stacked ``Bar`` per class named after it (``y`` its part in ``unit``), on one
        x position ``"model"``, and one ``Bar`` named ``"class shares"`` with the prior
        log-loss in ``unit``.

    Examples
    --------
    >>> from dashboard.explore import information_view
    >>> v = information_view(["a", "b"], [[0.5, 0.5], [0.25, 0.75]], classes=["a", "b"],
    ...                      prior=[0.5, 0.5])
    >>> fig = log_loss_split_figure(v)
    >>> [(t.name, round(float(t.y[0]), 4)) for t in fig.data]
    [('a', 0.5), ('b', 0.2075), ('class shares', 1.0)]
    >>> round(float(log_loss_split_figure(v, unit="nats").data[2].y[0]), 4)  # ln 2
    0.6931
    """
    names = _plain_labels(view.classes)
    nats_per_unit = float(np.log(2.0)) / _per_bit(unit)  # 1 for nats
    fig = go.Figure()
    for position, (name, part) in enumerate(
        zip(names, view.log_loss_by_class["part"], strict=True)
    ):
        fig.add_trace(
            go.Bar(
                x=["model"],
                y=[float(part) / nats_per_unit],
                name=name,
                marker={"color": class_colour(position)},
                hovertemplate=f"rows of {name}: %{{y:.4f}} {unit} per row<extra></extra>",
            )
        )
    fig.add_trace(
        go.Bar(
            x=["class shares"],
            y=[view.prior_log_loss / nats_per_unit],
            name="class shares",
            marker={"color": "#bbbbbb"},
            hovertemplate=f"guessing the class shares: %{{y:.4f}} {unit} per row<extra></extra>",
        )
    )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text=f"log-loss ({unit} per row)")
    return _layout(fig, title=plain_text(title) if title else None, height=380)


def selected_map_row(event: object) -> int | None:
    """The id of the held-out point clicked on a decision map (``row_ids`` of the figure).

    Parameters
    ----------
    event : object
        What ``st.plotly_chart(..., on_select="rerun", selection_mode="points")`` returned
        (or its ``selection``, or a plain dict); anything else gives None.

    Returns
    -------
    int or None
        The first selected point's row id; None when no point of the map is selected (a
        click on a region or the reference star selects no row).

    Examples
    --------
    >>> selected_map_row({"selection": {"points": [{"customdata": [12, "setosa"]}]}})
    12
    >>> selected_map_row({"selection": {"points": [{"customdata": [0.91, 0.4]}]}}) is None
    True
    >>> selected_map_row(None) is None
    True
    """

    points = _selected_points(event)
    if points is None:
        return None
    for point in points:
        data = _field(point, "customdata")
        # Points carry [row id, predicted class]; regions carry [probability, entropy].
        if isinstance(data, list | tuple) and len(data) >= 2 and isinstance(data[1], str):
            try:
                return int(data[0])
            except (TypeError, ValueError):
                continue
    return None


def class_balance_figure(
    counts: Sequence[int] | np.ndarray,
    labels: Sequence[str],
    *,
    title: str | None = None,
) -> go.Figure:
    """How many rows each class has: one horizontal bar per class, largest first as given.

    Parameters
    ----------
    counts : sequence of int
        Rows per class, in ``labels`` order.
    labels : sequence of str
        Class names (user text: shown as typed).
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace named ``"rows"``; the bar text gives the count and the share.

    Examples
    --------
    >>> fig = class_balance_figure([30, 10], ["yes", "no"])
    >>> list(fig.data[0].x), list(fig.data[0].y), list(fig.data[0].text)
    ([30, 10], ['yes', 'no'], ['30 (75%)', '10 (25%)'])
    """
    n = np.asarray(counts, dtype=int)
    raw_labels = [str(label) for label in labels]
    if n.ndim != 1 or n.size != len(raw_labels):
        raise SoftmaxLabError(
            f"{n.size} counts for {len(raw_labels)} classes", where="class balance"
        )
    total = int(n.sum())
    shares = n / total if total else np.zeros(len(n))
    names = _plain_labels(raw_labels)
    fig = go.Figure(
        go.Bar(
            x=n.tolist(),
            y=names,
            orientation="h",
            name="rows",
            marker={"color": BAR_COLOUR},
            text=[f"{c:,} ({s:.0%})" for c, s in zip(n, shares, strict=True)],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} rows<extra></extra>",
        )
    )
    fig.update_yaxes(type="category", autorange="reversed", title_text=None)
    fig.update_xaxes(title_text="rows", rangemode="tozero")
    height = min(120 + 28 * len(names), 520)
    return _layout(fig, title=plain_text(title) if title else None, height=height)
