"""Plotly figure builders: numbers in, ``go.Figure`` out; no computation a page would need twice.

Text that comes from the user's file (class names, column names) is data. Plotly renders a few
HTML tags in titles, tick labels, legends, hover text and annotations, so every such string goes
through :func:`plain_text`, which escapes ``&``, ``<`` and ``>``; the figures' label arrays
therefore hold escaped text (``"a<b"`` appears as ``"a&lt;b"`` and is drawn as ``a<b``).
Category axes are forced to ``type="category"`` so labels such as ``"1"`` stay labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import (
    Calibration,
    CurveSet,
    WeightingComparison,
    normalise_confusion,
    thin_curve,
)

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
]

MAX_FIGURE_POINTS = 20_000
"""Most (x, y) points one curve figure carries, shared between its curves, so that a figure
stays well under 1 MB of JSON however many rows and classes there are."""

TRUE_CLASS_COLOUR = "#d62728"
BAR_COLOUR = "#1f77b4"
MEAN_COLOUR = "#1f77b4"
FOLD_COLOUR = "rgba(31, 119, 180, 0.35)"
BEST_COLOUR = "#d62728"
ONE_SE_COLOUR = "#2ca02c"


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


def _layout(fig: go.Figure, *, title: str | None, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title} if title else None,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        template="plotly_white",
        height=height,
    )
    return fig


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
    if normalize is None:
        text = [[f"{int(c)}" for c in row] for row in counts]
        colour_title = "rows"
        hover = "true: %{y}<br>predicted: %{x}<br>rows: %{customdata}<extra></extra>"
    else:
        text = [
            [f"{s:.2f}<br>({int(c)})" for s, c in zip(srow, crow, strict=True)]
            for srow, crow in zip(z, counts, strict=True)
        ]
        colour_title = {
            "true": "share of<br>true class",
            "pred": "share of<br>predicted",
            "all": "share of<br>all rows",
        }[normalize]
        hover = (
            "true: %{y}<br>predicted: %{x}<br>rows: %{customdata}<br>share: %{z:.3f}<extra></extra>"
        )
    n = len(names)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=names,
            customdata=counts,
            text=text,
            texttemplate="%{text}" if n <= 30 else None,
            hovertemplate=hover,
            colorscale="Blues",
            zmin=0,
            zmax=1 if normalize is not None else None,
            colorbar={"title": {"text": colour_title}},
            xgap=1,
            ygap=1,
        )
    )
    height = max(360, min(900, 160 + 50 * n))
    if clickable:
        _add_cell_targets(fig, names, counts, z, height=height)
    fig.update_xaxes(title_text="predicted class", type="category", side="bottom")
    fig.update_yaxes(title_text="true class", type="category", autorange="reversed")
    return _layout(fig, title=plain_text(title) if title else None, height=height)


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

    def get(obj: object, key: str) -> object:
        if isinstance(obj, dict):
            return obj.get(key)
        try:
            return obj[key]  # type: ignore[index]
        except (KeyError, TypeError, IndexError, AttributeError):
            return getattr(obj, key, None)

    selection = get(event, "selection")
    points = get(selection if selection is not None else event, "points")
    if not isinstance(points, list | tuple):
        return None
    by_text = {plain_text(name): name for name in names}
    n = len(names)
    for point in points:
        index = get(point, "point_index")
        index = get(point, "point_number") if index is None else index
        if get(point, "curve_number") == 1 and isinstance(index, int) and 0 <= index < n * n:
            i, j = divmod(index, n)
            return names[i], names[j]
        data = get(point, "customdata")
        if isinstance(data, list | tuple) and len(data) >= 2:
            try:
                i, j = int(data[0]), int(data[1])
            except (TypeError, ValueError):
                i = j = -1
            if 0 <= i < len(names) and 0 <= j < len(names):
                return names[i], names[j]
        x, y = get(point, "x"), get(point, "y")
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
    panels = [("accuracy", "mean_accuracy", "std_accuracy", "")]
    if with_loss:
        panels.append(("log_loss", "mean_log_loss", "std_log_loss", " (log-loss)"))
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
    c_values = summary["C"].to_numpy(dtype=float)
    for row, (score, mean_col, std_col, suffix) in enumerate(panels, start=1):
        show_legend = row == 1
        fig.add_trace(
            go.Scatter(
                x=cv_results["C"].to_numpy(dtype=float),
                y=cv_results[score].to_numpy(dtype=float),
                customdata=cv_results["fold"].to_numpy(),
                mode="markers",
                name="each fold" + suffix,
                legendgroup="each fold",
                showlegend=show_legend,
                marker={"color": FOLD_COLOUR, "size": 7},
                hovertemplate="C=%{x:.4g}<br>fold %{customdata}: %{y:.4f}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        means = summary[mean_col].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=c_values,
                y=means,
                error_y={
                    "type": "data",
                    "array": summary[std_col].to_numpy(dtype=float),
                    "visible": True,
                },
                mode="lines+markers",
                name="mean over folds" + suffix,
                legendgroup="mean",
                showlegend=show_legend,
                line={"color": MEAN_COLOUR},
                hovertemplate="C=%{x:.4g}<br>mean: %{y:.4f}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        for name, value, symbol, colour, dash in (
            ("best C", best_C, "star", BEST_COLOUR, "dash"),
            ("one-SE C", one_se_C, "diamond", ONE_SE_COLOUR, "dot"),
        ):
            if value is None:
                continue
            at = np.flatnonzero(np.isclose(c_values, float(value), rtol=1e-9, atol=0))
            y_value = float(means[at[0]]) if at.size else None
            fig.add_trace(
                go.Scatter(
                    x=[float(value)],
                    y=[y_value],
                    mode="markers",
                    name=name + suffix,
                    legendgroup=name,
                    showlegend=show_legend,
                    marker={"symbol": symbol, "size": 16, "color": colour},
                    hovertemplate=f"{name}: C=%{{x:.4g}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
            fig.add_vline(
                x=float(value), line_dash=dash, line_color=colour, opacity=0.6, row=row, col=1
            )
    fig.update_xaxes(
        type="log", title_text="C (larger = weaker regularisation)", row=len(panels), col=1
    )
    fig.update_xaxes(type="log")
    fig.update_yaxes(title_text="accuracy", row=1, col=1)
    if with_loss:
        fig.update_yaxes(title_text="log-loss", row=2, col=1)
    return _layout(
        fig, title=plain_text(title) if title else None, height=560 if with_loss else 360
    )


def probability_bars_figure(
    probabilities: Sequence[float] | np.ndarray,
    labels: Sequence[str],
    *,
    true_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """One bar per class with the predicted probability; the true class in red and labelled.

    Parameters
    ----------
    probabilities : sequence of float
        One probability per class, in ``labels`` order.
    labels : sequence of str
        Class names.
    true_label : str, optional
        The row's true class (unescaped, as in ``labels``); marked when given.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace named ``"probability"``; ``marker.color`` is red for the true class.
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
    colours = [TRUE_CLASS_COLOUR if t else BAR_COLOUR for t in is_true]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=p,
            name="probability",
            marker={"color": colours},
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
            showarrow=True,
            arrowhead=2,
            ay=-40,
            font={"color": TRUE_CLASS_COLOUR},
        )
    fig.update_xaxes(type="category", title_text="class")
    fig.update_yaxes(range=[0, 1.15], title_text="probability")
    return _layout(fig, title=plain_text(title) if title else None, height=360)


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
    if weights.shape[1] == 1 and len(labels) == 2:
        path = weights[:, 0, :] if k == 1 else np.zeros_like(weights[:, 0, :])
    elif weights.shape[1] == len(labels):
        path = weights[:, k, :]
    else:
        raise SoftmaxLabError("The weights do not match the classes", where="coefficient paths")
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
        # A trace, not a shape: a shape's annotation is misplaced on a log axis.
        low = float(min(0.0, path[:, shown].min()))
        high = float(max(0.0, path[:, shown].max()))
        fig.add_trace(
            go.Scatter(
                x=[float(best_C), float(best_C)],
                y=[low, high],
                mode="lines",
                name="best C",
                line={"color": BEST_COLOUR, "dash": "dash"},
                hovertemplate="best C = %{x:.4g}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line_color="grey", line_width=1)
    fig.update_xaxes(type="log", title_text="C (larger = weaker regularisation)")
    fig.update_yaxes(title_text=f"weight for class {plain_text(labels[k])}")
    hidden = len(names) - len(shown)
    default_title = f"Weights of class {plain_text(labels[k])} against C"
    if hidden > 0:
        default_title += f" ({len(shown)} largest of {len(names)} features)"
    return _layout(fig, title=plain_text(title) if title else default_title, height=420)


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
    fig = go.Figure(
        go.Waterfall(
            x=x,
            y=y,
            measure=["relative"] * (len(y) - 1) + ["total"],
            text=[f"{v:+.3f}" for v in y[:-1]] + [f"{logit:.3f}"],
            textposition="outside",
            name="contribution",
            hovertemplate="%{x}: %{y:.4f}<extra></extra>",
            connector={"line": {"color": "lightgrey"}},
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="contribution to the logit")
    default_title = f"Logit of {plain_text(class_name)} = intercept + sum of weight × value"
    return _layout(fig, title=plain_text(title) if title else default_title, height=420)


def softmax_bars_figure(
    logits: Sequence[float] | np.ndarray,
    probabilities: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    temperature: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """Logits beside the probabilities softmax makes of them.

    Parameters
    ----------
    logits, probabilities : sequence of float, same length
    labels : sequence of str, optional
        Default ``"1"``, ``"2"``, ...
    temperature : float, optional
        Shown in the probability panel's title.

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
    right = "softmax(z)" if temperature is None else f"softmax(z / {temperature:g})"
    fig = make_subplots(rows=1, cols=2, subplot_titles=["logits z", right])
    fig.add_trace(
        go.Bar(
            x=names,
            y=z,
            name="logit",
            marker={"color": "#7f7f7f"},
            text=[f"{v:.3g}" for v in z],
            textposition="outside",
            hovertemplate="%{x}: z = %{y:.4f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=p,
            name="probability",
            marker={"color": BAR_COLOUR},
            text=[f"{v:.3f}" for v in p],
            textposition="outside",
            hovertemplate="%{x}: p = %{y:.4f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1.15], row=1, col=2)
    fig.update_layout(showlegend=False)
    return _layout(fig, title=plain_text(title) if title else None, height=340)


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


def _curve_budget(curves: CurveSet, max_points: int) -> int:
    count = len(curves.per_class) + 1 + (curves.macro is not None)
    return max(10, int(max_points) // count)


def _curves_figure(curves: CurveSet, *, max_points: int, title: str | None) -> go.Figure:
    per_curve = _curve_budget(curves, max_points)
    roc = curves.kind == "roc"
    name_of_score = "AUC" if roc else "AP"
    fig = go.Figure()
    for curve in curves.per_class:
        if curve.x.size == 0:
            continue
        x, y = thin_curve(curve.x, curve.y, max_points=per_curve)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"width": 1.5},
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
                line={"width": 3, "dash": dash, "color": "black"},
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
    return _layout(fig, title=plain_text(title) if title else default, height=460)


def roc_curves_figure(
    curves: CurveSet, *, max_points: int = MAX_FIGURE_POINTS, title: str | None = None
) -> go.Figure:
    """ROC curves: one per class, the micro and macro averages (thick black), and chance.

    Parameters
    ----------
    curves : dashboard.evaluation.CurveSet
        From :func:`dashboard.evaluation.roc_curves`.
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
    return _curves_figure(curves, max_points=max_points, title=title)


def precision_recall_figure(
    curves: CurveSet, *, max_points: int = MAX_FIGURE_POINTS, title: str | None = None
) -> go.Figure:
    """Precision-recall curves: one per class plus the micro average.

    Parameters
    ----------
    curves : dashboard.evaluation.CurveSet
        From :func:`dashboard.evaluation.precision_recall_curves`.
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
    return _curves_figure(curves, max_points=max_points, title=title)


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
    fig.update_xaxes(type="log")
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
        ``"precision, no weights"``, ``"precision, balanced"`` (two panels).
    """
    table = comparison.per_class
    names = _plain_labels(table["class"])
    fig = make_subplots(rows=1, cols=2, subplot_titles=["recall", "precision"], shared_yaxes=True)
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
                    legendgroup=key,
                    showlegend=col == 1,
                    hovertemplate="%{x}: %{y:.3f}<extra>%{fullData.name}</extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1.05])
    fig.update_layout(barmode="group")
    return _layout(fig, title=plain_text(title) if title else None, height=380)
