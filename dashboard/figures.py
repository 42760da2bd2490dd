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
from dashboard.evaluation import normalise_confusion

__all__ = [
    "confusion_matrix_figure",
    "cv_scores_figure",
    "plain_text",
    "probability_bars_figure",
]

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
    return [plain_text(label) for label in labels]


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

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` trace; ``x`` is predicted, ``y`` true, ``z`` the counts or shares and
        ``customdata`` the counts.

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
    fig.update_xaxes(title_text="predicted class", type="category", side="bottom")
    fig.update_yaxes(title_text="true class", type="category", autorange="reversed")
    return _layout(
        fig, title=plain_text(title) if title else None, height=max(320, min(900, 120 + 28 * n))
    )


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
