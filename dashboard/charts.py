"""The Evaluate charts, listed once: the Evaluate page and the HTML report both draw from here.

Each :class:`Chart` names its key (the page's chart key), a title, a caption and a builder
that turns a trained model and its :class:`ChartData` into a ``go.Figure``. ``report_copies``
says which copies (title and options) the HTML report draws; a chart the data cannot have
(the class-weight what-if, before it is run) has none.

Examples
--------
>>> [chart.key for chart in EVALUATE_CHARTS][:3]
['cv_scores', 'confusion_matrix', 'coef_paths']
>>> CHARTS["roc"].title
'ROC curves (one class against the rest)'
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import evaluation, figures
from dashboard.errors import SoftmaxLabError


class ChartData:
    """What the Evaluate charts are drawn from, computed from a trained model on first use.

    Everything here depends only on the model (its held-out rows and its CV table), so it is
    computed once per model; ``weights`` holds the class-weight what-if once it has been run.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.classes = [str(c) for c in model.classes]
        self.weights: evaluation.WeightingComparison | None = None
        self._calibrations: dict[float, evaluation.Calibration] = {}
        self._bases: dict[str, dict] = {}  # figures at T = 1 as dicts, see retempered

    @functools.cached_property
    def one_se(self):
        """The simplest C within one standard error of the search's best."""
        return evaluation.one_standard_error_C(
            self.model.cv_results, best_C=self.model.search_best_C
        )

    @functools.cached_property
    def roc(self):
        """One-vs-rest ROC curves of the held-out rows."""
        return evaluation.roc_curves(self.model.y_test, self.model.test_proba, self.classes)

    @functools.cached_property
    def pr(self):
        """Precision-recall curves of the held-out rows."""
        return evaluation.precision_recall_curves(
            self.model.y_test, self.model.test_proba, self.classes
        )

    @functools.cached_property
    def temperature(self):
        """Log-loss, calibration error and accuracy of the held-out rows against temperature."""
        return evaluation.temperature_effect(
            self.model.test_logits, self.model.y_test, self.classes
        )

    @functools.cached_property
    def best_temperature(self) -> float:
        """The temperature with the lowest held-out log-loss."""
        return evaluation.best_temperature(self.model.test_logits, self.model.y_test, self.classes)

    @functools.cached_property
    def _confidence_parts(self) -> tuple[np.ndarray, np.ndarray]:
        """What the calibration needs at every temperature, computed once per model.

        Each held-out row's gaps ``max(z) - z_k`` (float32, all at least 0), stored class by
        class (shape ``(n_classes, n_rows)``, C order: :meth:`confidence` reads contiguous
        blocks of rows), and whether its largest logit is the true class. Dividing the logits
        by ``T`` never changes the predicted class, so only the confidence
        ``1 / sum_k exp(-gap_k / T)`` depends on T.
        """
        z = evaluation.as_logit_matrix(self.model.test_logits, len(self.classes))
        top = z.argmax(axis=1)
        largest = z[np.arange(z.shape[0]), top]
        gaps = np.empty(z.shape[::-1], dtype=np.float32)
        for start in range(0, z.shape[0], 512):  # transposed a block at a time, in cache
            rows = slice(start, start + 512)
            np.subtract(largest[rows], z[rows].T, out=gaps[:, rows], casting="same_kind")
        truth = pd.Categorical(np.asarray(self.model.y_test, dtype=str), categories=self.classes)
        return gaps, top == truth.codes

    def confidence(self, temperature: float) -> np.ndarray:
        """Each held-out row's largest probability of ``softmax(z / T)``, in one pass.

        The exponentials are float32, summed in float64, a block of rows at a time (the block
        stays in the processor's cache; no table of the size of the logits is allocated).
        Relative error at most ``(3 ln K + 7) * 2**-24`` for ``K`` classes: the gap, ``-1 / T``
        and their product each rounded to float32 put ``3 * 2**-24 * gap_k / T`` on term ``k``,
        whose probability-weighted mean is at most ``3 ln K * 2**-24``; NumPy's float32
        exponential is tested to 3 units in the last place (``6 * 2**-24``). That is 1.1e-6 at
        50 classes in the worst case (about 1e-7 seen), far below the 3 to 4 decimals shown.
        A row within 1e-5 of a bin edge (tenths) is computed again in float64 so that every row
        falls in the same bin as with float64.
        """
        gaps, _ = self._confidence_parts
        t = float(temperature)
        if not np.isfinite(t) or t <= 0:
            raise SoftmaxLabError(f"The temperature {t:g} is not above 0", where="temperature")
        n_classes, n = gaps.shape
        scale = np.float32(-1.0 / t)
        total = np.empty(n, dtype=np.float64)
        block = np.empty((n_classes, min(_BLOCK_ROWS, n)), dtype=np.float32)
        for start in range(0, n, _BLOCK_ROWS):
            stop = min(start + _BLOCK_ROWS, n)
            part = block[:, : stop - start]
            np.multiply(gaps[:, start:stop], scale, out=part)
            np.exp(part, out=part)
            part.sum(axis=0, dtype=np.float64, out=total[start:stop])
        conf = np.divide(1.0, total, out=total)
        scaled = conf * CALIBRATION_BINS
        edge = np.round(scaled)  # 0 and the last edge put a row in the same bin either side
        near = (np.abs(scaled - edge) < 1e-5 * CALIBRATION_BINS) & (edge > 0)
        near &= edge < CALIBRATION_BINS
        if near.any():
            z = evaluation.as_logit_matrix(np.asarray(self.model.test_logits)[near]) / t
            conf[near] = 1.0 / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)
        return conf

    def calibration(self, temperature: float = 1.0) -> evaluation.Calibration:
        """The reliability bins of the held-out rows at one temperature (kept per temperature).

        Equal to ``evaluation.calibration(y_test, scale_temperature(test_logits, T), classes)``
        (see :meth:`confidence` for the float32 pass); one vectorised pass over the gaps kept
        by the first call, so a new temperature costs no softmax table.
        """
        t = round(float(temperature), 4)
        if t not in self._calibrations:
            _, correct = self._confidence_parts
            self._calibrations[t] = evaluation._calibration_of(
                self.confidence(t), correct, CALIBRATION_BINS
            )
        return self._calibrations[t]

    def retempered(self, key: str, temperature: float, build: Callable[[], go.Figure]):
        """The figure ``key`` at ``temperature``: a cheap copy of the one built at T = 1.

        ``build`` makes the figure at T = 1 the first time, kept as its plain dict; a copy of
        that dict takes the numbers that depend on T (see ``_RETEMPER``) and becomes a figure
        without Plotly's validation (30 to 60 ms a chart built from scratch, 3 to 6 ms a copy
        made through the figure's own setters, under 1 ms this way). The tests compare every
        copy with the figure built from scratch.
        """
        base = self._bases.get(key)
        if base is None:
            base = self._bases[key] = build().to_dict()
        spec = copy.deepcopy(base)
        _RETEMPER[key](spec, self, float(temperature))
        return go.Figure(spec, _validate=False)

    def prepare(self) -> ChartData:
        """Compute the curves and calibration now (so that a page opens without waiting)."""
        for name in ("one_se", "roc", "pr", "temperature", "best_temperature"):
            getattr(self, name)
        self.calibration(1.0)
        return self


CALIBRATION_BINS = 10  # evaluation.calibration's default
_BLOCK_ROWS = 4096  # rows a block of ChartData.confidence: 50 classes x 4096 x 4 B = 800 KB


def _reliability_at(spec: dict, data: ChartData, t: float) -> None:
    """What :func:`figures.calibration_figure` draws differently at another temperature."""
    cal = data.calibration(t)
    filled = cal.count > 0
    sizes = cal.count[filled]
    model = spec["data"][1]
    model["x"] = cal.mean_confidence[filled]
    model["y"] = cal.accuracy[filled]
    model["customdata"] = sizes
    model["marker"]["size"] = 8 + 22 * np.sqrt(sizes / sizes.max()) if sizes.size else []
    spec["layout"]["title"]["text"] = figures.wrap_title(
        f"Reliability: expected calibration error {cal.ece:.3f}"
    )


def _confidence_hist_at(spec: dict, data: ChartData, t: float) -> None:
    """What :func:`figures.confidence_histogram_figure` draws differently at another T."""
    cal = data.calibration(t)
    n = max(cal.n_rows, 1)
    filled = cal.count > 0
    values = (
        float(np.sum(cal.accuracy[filled] * cal.count[filled]) / n),
        float(np.sum(cal.mean_confidence[filled] * cal.count[filled]) / n),
    )
    top = float(cal.count.max()) if cal.count.size else 1.0
    spec["data"][0]["y"] = cal.count
    for trace, name, value in zip(
        spec["data"][1:], ("accuracy", "mean confidence"), values, strict=True
    ):
        trace.update(
            x=[value, value],
            y=[0.0, top],
            name=f"{name} {value:.3f}",
            hovertemplate=f"{name} {value:.3f}<extra></extra>",
        )


def _temperature_effect_at(spec: dict, data: ChartData, t: float) -> None:
    """The temperature chart's two lines at the slider's temperature."""
    for shape in spec["layout"]["shapes"]:
        shape.update(x0=t, x1=t)


_RETEMPER = {
    "reliability": _reliability_at,
    "confidence_hist": _confidence_hist_at,
    "temperature_effect": _temperature_effect_at,
}

Builder = Callable[..., go.Figure]


@dataclass(frozen=True, kw_only=True)
class Chart:
    """One Evaluate chart: its key on the page, title, caption and builder.

    ``build(model, data, **options)`` returns the figure; ``report_copies(model, data)`` yields
    the ``(title, options)`` of each copy the HTML report draws.
    """

    key: str
    title: str
    caption: str
    build: Builder
    report_copies: Callable[[Any, ChartData], Iterator[tuple[str, dict]]] = field(repr=False)

    def figure(self, model: Any, data: ChartData, **options: Any) -> go.Figure:
        """The chart for ``model`` with ``options`` (for instance a normalisation or a class)."""
        return self.build(model, data, **options)


def _once(chart_title: str) -> Callable[[Any, ChartData], Iterator[tuple[str, dict]]]:
    def copies(model: Any, data: ChartData) -> Iterator[tuple[str, dict]]:
        yield chart_title, {}

    return copies


def _confusion(model, data, *, normalize=None, clickable=False) -> go.Figure:
    return figures.confusion_matrix_figure(
        np.asarray(model.evaluation.confusion_matrix),
        data.classes,
        normalize=normalize,
        clickable=clickable,
    )


def _confusion_copies(model, data):
    yield "Confusion matrix on the held-out rows (counts)", {}
    yield "Confusion matrix, share of each true class", {"normalize": "true"}


def _cv_scores(model, data) -> go.Figure:
    return figures.cv_scores_figure(
        model.cv_results, model.cv_summary, model.search_best_C, one_se_C=data.one_se.chosen_C
    )


def _coef_paths(model, data, *, class_name: str) -> go.Figure:
    path = model.coef_path
    return figures.coefficient_paths_figure(
        path["C"],
        path["coef"],
        path.get("feature_names") or [],
        data.classes,
        class_name=class_name,
        best_C=model.best_C,
    )


def _coef_path_copies(model, data):
    path = getattr(model, "coef_path", None) or {}
    if path.get("coef") is None or not len(path.get("C", ())):
        return
    for name in [str(c) for c in path.get("coef_classes") or data.classes][:10]:
        yield f"Weights against C for class {name}", {"class_name": name}


def _weights_copies(model, data):
    return iter(())  # training work behind a button on the page: the report never has it


def _weights_confusion(model, data, *, balanced: bool) -> go.Figure:
    comparison = data.weights
    if comparison is None:
        raise SoftmaxLabError("The class-weight comparison has not been run for this model")
    return figures.confusion_matrix_figure(
        comparison.confusion_balanced if balanced else comparison.confusion_none,
        data.classes,
        normalize="true",
        title="Balanced, by true class" if balanced else "No weights, by true class",
    )


def _weights(model, data) -> go.Figure:
    if data.weights is None:
        raise SoftmaxLabError("The class-weight comparison has not been run for this model")
    return figures.class_weight_figure(data.weights)


EVALUATE_CHARTS: tuple[Chart, ...] = (
    Chart(
        key="cv_scores",
        title="Cross-validated accuracy against C",
        caption="Mean cross-validated accuracy and log-loss at each C (log axis); each dot is "
        "one fold. The star is the best C; the green mark is the simplest C within one "
        "standard error of the best.",
        build=_cv_scores,
        report_copies=_once("Cross-validated accuracy against C"),
    ),
    Chart(
        key="confusion_matrix",
        title="Confusion matrix on the held-out rows",
        caption="Rows are the true class, columns the predicted one; the diagonal is right. "
        "Click a cell to list its rows under Hardest examples.",
        build=_confusion,
        report_copies=_confusion_copies,
    ),
    Chart(
        key="coef_paths",
        title="Coefficient paths",
        caption="Each line is one input's weight for a class, refit at every C. Small C pulls "
        "every weight towards 0 (a simpler model); large C lets them grow.",
        build=_coef_paths,
        report_copies=_coef_path_copies,
    ),
    Chart(
        key="roc",
        title="ROC curves (one class against the rest)",
        caption="One-vs-rest: each class against all the others. The higher and further left "
        "the ROC curve, the better; AUC 1 is perfect, 0.5 is guessing.",
        build=lambda model, data, *, classes=None: figures.roc_curves_figure(
            data.roc, classes=classes
        ),
        report_copies=_once("ROC curves (one class against the rest)"),
    ),
    Chart(
        key="pr",
        title="Precision-recall curves",
        caption="Precision against recall as the threshold on one class's probability falls.",
        build=lambda model, data, *, classes=None: figures.precision_recall_figure(
            data.pr, classes=classes
        ),
        report_copies=_once("Precision-recall curves"),
    ),
    Chart(
        key="reliability",
        title="Calibration: accuracy against confidence",
        caption="When the model says 80 %, is it right 80 % of the time? Points on the "
        "diagonal are calibrated; below it the model is over-confident.",
        build=lambda model, data, *, temperature=1.0: data.retempered(
            "reliability",
            temperature,
            lambda: figures.calibration_figure(data.calibration(1.0)),
        ),
        report_copies=_once("Calibration: accuracy against confidence"),
    ),
    Chart(
        key="confidence_hist",
        title="How confident the model is on held-out rows",
        caption="How many held-out rows fall in each confidence bin.",
        build=lambda model, data, *, temperature=1.0: data.retempered(
            "confidence_hist",
            temperature,
            lambda: figures.confidence_histogram_figure(data.calibration(1.0)),
        ),
        report_copies=_once("How confident the model is on held-out rows"),
    ),
    Chart(
        key="temperature_effect",
        title="Log-loss, calibration error and accuracy against temperature",
        caption="Dividing every logit by T changes how confident the model is, never which "
        "class it picks.",
        build=lambda model, data, *, temperature=None: (
            figures.temperature_effect_figure(data.temperature)
            if temperature is None
            else data.retempered(
                "temperature_effect",
                temperature,
                lambda: figures.temperature_effect_figure(data.temperature, current=1.0),
            )
        ),
        report_copies=_once("Log-loss, calibration error and accuracy against temperature"),
    ),
    Chart(
        key="class_weights",
        title="Recall and precision with and without class weights",
        caption="What if rare classes weighed as much as common ones? The same folds, trained "
        "with no class weights and with balanced ones, at the chosen C.",
        build=_weights,
        report_copies=_weights_copies,
    ),
    Chart(
        key="cm_none",
        title="No weights, by true class",
        caption="The cross-validated confusion matrix without class weights.",
        build=functools.partial(_weights_confusion, balanced=False),
        report_copies=_weights_copies,
    ),
    Chart(
        key="cm_balanced",
        title="Balanced, by true class",
        caption="The cross-validated confusion matrix with balanced class weights.",
        build=functools.partial(_weights_confusion, balanced=True),
        report_copies=_weights_copies,
    ),
)
CHARTS: dict[str, Chart] = {chart.key: chart for chart in EVALUATE_CHARTS}


def held_out_row_figures(model: Any, *, rows: int = 3) -> Iterator[tuple[str, go.Figure]]:
    """The class probabilities of the first held-out rows, as the report shows them."""
    classes = [str(c) for c in model.classes]
    proba = np.asarray(model.test_proba)
    y_test = np.asarray(model.y_test)
    for i in range(min(rows, len(proba))):
        yield (
            f"Class probabilities of held-out row {i + 1} (true class: {y_test[i]})",
            figures.probability_bars_figure(proba[i], classes, true_label=str(y_test[i])),
        )


def decision_map_figures(model: Any) -> Iterator[tuple[str, go.Figure]]:
    """The report's static decision map: the two features whose weights pull the classes
    furthest apart (:func:`dashboard.explore.feature_spread`), the others held at held-out
    row 1, with the held-out rows on top."""
    from dashboard import explore

    ranked = explore.feature_spread(model.pipeline)["feature"].tolist()
    if len(ranked) < 2:
        return
    x, y = ranked[:2]
    dmap = explore.decision_map(
        model.pipeline, model.X_test, x=x, y=y, reference=model.X_test.iloc[[0]]
    )
    yield (
        f"Decision map: {x} across, {y} up (the two features with the largest weight spread; "
        "the others held at held-out row 1)",
        figures.decision_map_figure(
            dmap,
            x_points=model.X_test[x],
            y_points=model.X_test[y],
            true_class=model.y_test,
            predicted_class=model.test_pred,
            row_ids=np.arange(len(model.y_test)),
        ),
    )


def report_figures(
    model: Any, data: ChartData | None = None
) -> tuple[list[tuple[str, go.Figure]], list[str]]:
    """Every report copy of every Evaluate chart, then a few held-out rows' probabilities.

    Returns the ``(title, figure)`` pairs and a sentence for each chart these data cannot have
    (its error's message), so that one missing chart never costs the rest.
    """
    data = data or ChartData(model)
    drawn: list[tuple[str, go.Figure]] = []
    skipped: list[str] = []
    for chart in EVALUATE_CHARTS:
        for title, options in chart.report_copies(model, data):
            try:
                drawn.append((title, chart.figure(model, data, **options)))
            except SoftmaxLabError as exc:
                skipped.append(f"{title}: {exc}")
    drawn.extend(held_out_row_figures(model))
    try:
        drawn.extend(decision_map_figures(model))
    except SoftmaxLabError as exc:
        skipped.append(f"Decision map: {exc}")
    return drawn, skipped
