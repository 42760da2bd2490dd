"""See the model think: the decision map over two features, the models along C, decisions with
costs, and the information view of the held-out rows.

Everything here works on the *real* fitted pipeline (preprocessing + LogisticRegression): the
map is ``pipeline.predict_proba`` on rows built from a reference row, never a separate
two-feature model. Results travel as frozen dataclasses; figures live in
:mod:`dashboard.figures`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix as sk_confusion_matrix
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import _pipeline_parts, feature_names_out, row_cross_entropy
from dashboard.limits import LIMITS, Limits
from dashboard.search import WARM_START_MIN_ROWS, silence_convergence_warnings
from dashboard.training import prepare_again

__all__ = [
    "MAX_BANDS",
    "MAX_RESOLUTION",
    "CMotion",
    "CostDecisions",
    "DecisionMap",
    "DecisionRule",
    "FeatureControl",
    "InformationView",
    "ObservedValues",
    "c_motion",
    "c_motion_from_model",
    "class_shares",
    "cost_decisions",
    "cost_matrix",
    "cost_threshold",
    "decide",
    "decision_map",
    "decision_rule",
    "feature_spread",
    "information_view",
    "map_features",
    "observed_values",
    "positive_C",
    "reference_controls",
    "threshold_decisions",
    "training_part",
    "with_value",
]

MAX_RESOLUTION = 200
"""Most grid steps along one numeric axis of the decision map (200 x 200 = 40 000 rows)."""

MAX_BANDS = 50
"""Most categories a categorical axis shows as bands (the most frequent ones)."""

_LN2 = math.log(2.0)


# ---------------------------------------------------------------------------------------------
# Reading the pipeline


def positive_C(C) -> float:
    """``C`` as a float, refused unless it is a finite number above 0.

    Examples
    --------
    >>> positive_C("0.5")
    0.5
    """
    try:
        c = float(C)
    except (TypeError, ValueError):
        c = float("nan")
    if not math.isfinite(c) or c <= 0:
        raise SoftmaxLabError(f"C must be a number above 0, got {C!r}", where="C")
    return c


def _preprocess_and_model(pipeline) -> tuple[object, LogisticRegression]:
    """The fitted preprocessing step and the LogisticRegression of a model pipeline (checked by
    evaluation's reader; a lone preprocessing step is given as itself)."""
    preprocess, model = _pipeline_parts(pipeline)
    return (pipeline[0] if len(pipeline.steps) == 2 else preprocess), model


def map_features(pipeline) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns a fitted model reads, split into numeric and categorical ones.

    A column is categorical when its preprocessing ends in a ``OneHotEncoder``. Date and
    free-text columns (the "dates" and "text" branches) are neither: they stay at the
    reference row's value.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted ``Pipeline([("preprocess", ColumnTransformer), ("logisticregression", ...)])``
        as :func:`dashboard.training.build_pipeline` makes it.

    Returns
    -------
    numeric, categorical : tuple of str
        Input column names, in the order the preprocessing lists them.

    Raises
    ------
    SoftmaxLabError
        If the pipeline is not fitted or its preprocessing does not name its columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from dashboard.training import build_pipeline
    >>> X = pd.DataFrame({"age": [1.0, 2, 3, 4], "colour": ["r", "g", "r", "g"]})
    >>> pipe = build_pipeline(numeric=["age"], categorical=["colour"]).fit(X, ["a", "b", "a", "b"])
    >>> map_features(pipe)
    (('age',), ('colour',))
    """
    preprocess, _ = _preprocess_and_model(pipeline)
    transformers = getattr(preprocess, "transformers_", None)
    if transformers is None:
        raise SoftmaxLabError(
            "This model's preprocessing does not say which columns it reads",
            where="model",
            hint="Use a model trained by Softmax Lab.",
        )
    numeric: list[str] = []
    categorical: list[str] = []
    for name, transformer, columns in transformers:
        if name == "remainder" or transformer == "drop":
            continue
        if name in ("dates", "text"):  # no axis for a date or free text: held at the reference
            continue
        steps = getattr(transformer, "steps", [(None, transformer)])
        one_hot = any(isinstance(step, OneHotEncoder) for _, step in steps)
        (categorical if one_hot else numeric).extend(str(c) for c in columns)
    return tuple(numeric), tuple(categorical)


def feature_spread(pipeline) -> pd.DataFrame:
    """The model's input columns ranked by how far apart their weights pull the classes.

    For each input of the LogisticRegression (numeric columns are standardised, so their
    weights are comparable) the spread is the largest minus the smallest weight across the
    classes (a two-class model's softmax has weights 0 and w, so the spread is ``|w|``); a
    categorical column takes the largest spread among its one-hot columns. The first two rows
    are the natural axes of a static decision map.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        The trained model.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature`` and ``spread``, largest spread first (ties in the pipeline's order).

    Examples
    --------
    >>> import pandas as pd
    >>> from dashboard.training import build_pipeline
    >>> X = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5], "b": [1.0, 1, 1, 1, 1, 0],
    ...                   "c": ["u", "v", "u", "v", "u", "v"]})
    >>> pipe = build_pipeline(numeric=["a", "b"], categorical=["c"]).fit(X, list("nnnyyy"))
    >>> feature_spread(pipe)["feature"].tolist()
    ['a', 'b', 'c']
    """
    numeric, categorical = map_features(pipeline)
    _, model = _preprocess_and_model(pipeline)
    coef = np.asarray(model.coef_, dtype=float)
    if coef.shape[0] == 1:
        coef = np.vstack([np.zeros_like(coef), coef])
    spread_out = coef.max(axis=0) - coef.min(axis=0)
    names = feature_names_out(pipeline)
    spread = dict.fromkeys([*numeric, *categorical], 0.0)
    # Longest names first, so that a column named "a = b" is not taken for a value of "a".
    by_length = sorted(categorical, key=len, reverse=True)
    for name, value in zip(names, spread_out, strict=True):
        owner = name if name in numeric else None
        if owner is None:
            owner = next((c for c in by_length if name.startswith(f"{c} = ")), None)
        if owner is not None:
            spread[owner] = max(spread[owner], float(value))
    table = pd.DataFrame({"feature": list(spread), "spread": list(spread.values())})
    return table.sort_values("spread", ascending=False, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# 1. The decision map


@dataclass(frozen=True, kw_only=True, eq=False)
class DecisionMap:
    """What the model predicts over a grid of two features, the others held at a reference row.

    Attributes
    ----------
    x, y : str
        The two features, in the file's own units.
    x_values, y_values : numpy.ndarray
        The grid along each axis: evenly spaced numbers, or the categories (text) of a
        categorical feature, one band each.
    x_categorical, y_categorical : bool
    classes : tuple of str
        The model's classes, in the order of ``proba``'s last axis.
    proba : numpy.ndarray, shape (len(y_values), len(x_values), n_classes)
        ``pipeline.predict_proba`` of the row built for each grid cell (row index = y).
    predicted : numpy.ndarray of int, shape (len(y_values), len(x_values))
        Position in ``classes`` of the predicted class (the first one on a tie, as
        ``predict`` does).
    top_probability : numpy.ndarray, shape (len(y_values), len(x_values))
        The predicted class's probability: how sure the model is.
    entropy_bits : numpy.ndarray, shape (len(y_values), len(x_values))
        Entropy of each cell's predicted distribution, in bits (0 = certain,
        ``log2(n_classes)`` = no idea).
    held_at : tuple of (str, object)
        Every other feature and the value it is held at (None when missing).
    reference_x, reference_y : object
        The reference row's value of x and y (None when missing).
    """

    x: str
    y: str
    x_values: np.ndarray
    y_values: np.ndarray
    x_categorical: bool
    y_categorical: bool
    classes: tuple[str, ...]
    proba: np.ndarray
    predicted: np.ndarray
    top_probability: np.ndarray
    entropy_bits: np.ndarray
    held_at: tuple[tuple[str, object], ...]
    reference_x: object
    reference_y: object

    @property
    def caption(self) -> str:
        """One plain sentence saying what the other features are held at.

        Examples
        --------
        >>> import numpy as np
        >>> m = DecisionMap(x="a", y="b", x_values=np.array([0.0]), y_values=np.array([0.0]),
        ...     x_categorical=False, y_categorical=False, classes=("p", "q"),
        ...     proba=np.full((1, 1, 2), 0.5), predicted=np.zeros((1, 1), int),
        ...     top_probability=np.full((1, 1), 0.5), entropy_bits=np.ones((1, 1)),
        ...     held_at=(("c", 1.5), ("d", "red"), ("e", None)), reference_x=0.0,
        ...     reference_y=0.0)
        >>> m.caption
        "The other features are held at the reference row: c = 1.5, d = 'red', e = missing."
        """
        if not self.held_at:
            return "The model uses only these two features; nothing else is held fixed."
        parts = [f"{name} = {_value_text(value)}" for name, value in self.held_at]
        return "The other features are held at the reference row: " + ", ".join(parts) + "."


def _value_text(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, int | np.integer | bool | np.bool_):
        return str(value)
    return repr(str(value))


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_resolution(resolution: object) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise SoftmaxLabError(
            f"The grid resolution must be a whole number, got {resolution!r}",
            where="grid resolution",
            hint="60 steps per axis is usual.",
        )
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise SoftmaxLabError(
            f"The grid resolution must be between 2 and {MAX_RESOLUTION}, got {resolution}",
            where="grid resolution",
            hint="60 steps per axis is usual.",
        )
    return int(resolution)


def _reference_frame(reference, features: Sequence[str]) -> pd.DataFrame:
    if isinstance(reference, pd.Series):
        reference = reference.to_frame().T
    if not isinstance(reference, pd.DataFrame):
        raise SoftmaxLabError(
            f"The reference row must be a table with one row, got {type(reference).__name__}",
            where="reference row",
            hint="Pass one row of the held-out part, e.g. model.X_test.iloc[[0]].",
        )
    if len(reference) != 1:
        raise SoftmaxLabError(
            f"The reference row must be exactly one row, got {len(reference)}",
            where="reference row",
            hint="Pass one row of the held-out part, e.g. model.X_test.iloc[[0]].",
        )
    missing = [f for f in features if f not in reference.columns]
    if missing:
        raise SoftmaxLabError(
            "The reference row lacks the model's column(s) "
            + ", ".join(f"'{c}'" for c in missing[:5]),
            where="reference row",
            hint="Give the reference row every column the model was trained on.",
        )
    return reference


@dataclass(frozen=True, kw_only=True, eq=False)
class ObservedValues:
    """What the map's axes and the reference row's controls take from the rows, read once.

    A reference row or a feature changes on every click; the rows (a held-out part of up to
    hundreds of thousands of rows) do not: :func:`observed_values` reads them once per model
    and :func:`decision_map` and :func:`reference_controls` take the result.

    Attributes
    ----------
    ranges : dict of str to (float, float) or None
        Each numeric feature's smallest and largest finite value (None when it has none).
    categories : dict of str to tuple of str
        Each categorical feature's ``MAX_BANDS`` most frequent values (as text), most
        frequent first.
    """

    ranges: dict[str, tuple[float, float] | None]
    categories: dict[str, tuple[str, ...]]


def observed_values(pipeline, data: pd.DataFrame) -> ObservedValues:
    """The range of each numeric feature and the most frequent values of each categorical
    one (:func:`map_features`) in ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> from dashboard.training import build_pipeline
    >>> X = pd.DataFrame({"a": [0.0, 1, 2, 3], "c": ["u", "v", "v", None]})
    >>> pipe = build_pipeline(numeric=["a"], categorical=["c"]).fit(X, list("nnyy"))
    >>> seen = observed_values(pipe, X)
    >>> seen.ranges, seen.categories
    ({'a': (0.0, 3.0)}, {'c': ('v', 'u')})
    """
    numeric, categorical = map_features(pipeline)
    for name in (*numeric, *categorical):
        if name not in data.columns:
            raise SoftmaxLabError(
                f"The rows have no column '{name}'", where="rows", hint="Pass the model's rows."
            )
    return ObservedValues(
        ranges={name: _finite_range(data[name]) for name in numeric},
        categories={name: _top_categories(data[name]) for name in categorical},
    )


def _finite_range(column: pd.Series) -> tuple[float, float] | None:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    return float(finite.min()), float(finite.max())


def _top_categories(column: pd.Series) -> tuple[str, ...]:
    counts = column.dropna().astype(str).value_counts(sort=True)
    return tuple(str(c) for c in counts.index[:MAX_BANDS])


def _numeric_axis(
    span: tuple[float, float] | None, name: str, resolution: int, ref_value
) -> np.ndarray:
    if span is None:
        raise SoftmaxLabError(
            f"The column '{name}' has no numbers to draw a range from",
            where=f"column '{name}'",
            hint="Pick another feature for this axis.",
        )
    low, high = span
    try:
        ref = float(ref_value)
    except (TypeError, ValueError):
        ref = float("nan")
    if math.isfinite(ref):  # keep the reference row's marker on the map
        low, high = min(low, ref), max(high, ref)
    if high == low:
        pad = max(abs(low) * 0.1, 0.5)
        low, high = low - pad, high + pad
    return np.linspace(low, high, resolution)


def _category_axis(top: tuple[str, ...], name: str, ref_value) -> np.ndarray:
    if not top:
        raise SoftmaxLabError(
            f"The column '{name}' has no values to draw bands from",
            where=f"column '{name}'",
            hint="Pick another feature for this axis.",
        )
    categories = list(top)
    if not _is_missing(ref_value) and str(ref_value) not in categories:
        # The reference row's own category always gets a band, so its marker is on the map.
        categories = categories[: MAX_BANDS - 1] + [str(ref_value)]
    return np.asarray(sorted(categories), dtype=object)


def _observed(observed: ObservedValues | None, data: pd.DataFrame, name: str, categorical: bool):
    """One feature's range or top categories: from ``observed`` when given, else from data."""
    if categorical:
        kept = None if observed is None else observed.categories.get(name)
        return kept if kept is not None else _top_categories(data[name])
    if observed is not None and name in observed.ranges:
        return observed.ranges[name]
    return _finite_range(data[name])


@dataclass(frozen=True, kw_only=True)
class FeatureControl:
    """What one widget for one feature of the reference row needs.

    Attributes
    ----------
    name : str
    categorical : bool
    low, high : float or None
        The observed range of a numeric feature (widened to include the reference value).
    categories : tuple of str
        The choices of a categorical feature (the ``MAX_BANDS`` most frequent, sorted).
    value : object
        The reference row's value (None when missing).
    """

    name: str
    categorical: bool
    low: float | None
    high: float | None
    categories: tuple[str, ...]
    value: object


def reference_controls(
    pipeline,
    data: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    observed: ObservedValues | None = None,
) -> tuple[FeatureControl, ...]:
    """One control per feature the model reads, from the observed values and the reference row.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
    data : pandas.DataFrame
        Rows whose values bound the controls (the held-out part).
    reference : pandas.DataFrame
        The reference row.
    observed : ObservedValues, optional
        :func:`observed_values` of ``data``, read once for many reference rows; read from
        ``data`` when None.

    Returns
    -------
    tuple of FeatureControl
        In the order of :func:`map_features` (numeric first).

    Examples
    --------
    >>> import pandas as pd
    >>> from dashboard.training import build_pipeline
    >>> X = pd.DataFrame({"a": [0.0, 1, 2, 3], "c": ["u", "v", "u", "v"]})
    >>> pipe = build_pipeline(numeric=["a"], categorical=["c"]).fit(X, list("nnyy"))
    >>> [(c.name, c.low, c.high, c.categories, c.value)
    ...  for c in reference_controls(pipe, X, X.iloc[[1]])]
    [('a', 0.0, 3.0, (), 1.0), ('c', None, None, ('u', 'v'), 'v')]
    """
    numeric, categorical = map_features(pipeline)
    features = [*numeric, *categorical]
    ref = _reference_frame(reference, features)
    values = dict(zip(features, ref[features].to_numpy(dtype=object)[0], strict=True))
    controls = []
    for name in features:
        if name not in data.columns:
            raise SoftmaxLabError(
                f"The rows have no column '{name}'", where="rows", hint="Pass the model's rows."
            )
        value = None if _is_missing(values[name]) else _plain_value(values[name])
        if name in categorical:
            top = _observed(observed, data, name, categorical=True)
            cats = tuple(_category_axis(top, name, value).tolist())
            controls.append(FeatureControl(name=name, categorical=True, low=None, high=None,
                                           categories=cats, value=value))  # fmt: skip
        else:
            span = _observed(observed, data, name, categorical=False)
            ends = _numeric_axis(span, name, 2, value)
            controls.append(FeatureControl(name=name, categorical=False, low=float(ends[0]),
                                           high=float(ends[1]), categories=(), value=value))  # fmt: skip
    return tuple(controls)


def with_value(reference: pd.DataFrame, name: str, value: object) -> pd.DataFrame:
    """A copy of the one-row reference with one feature changed (None = missing).

    A numeric (or yes/no) column gets a float (so that 2.5 fits a column of whole numbers);
    any other column gets text. The reference itself is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"n": pd.array([2], dtype="Int64"), "c": ["u"]})
    >>> with_value(ref, "n", 2.5)["n"].tolist(), with_value(ref, "c", None)["c"].isna().tolist()
    ([2.5], [True])
    """
    if not isinstance(reference, pd.DataFrame) or len(reference) != 1:
        raise SoftmaxLabError("The reference row must be exactly one row", where="reference row")
    if name not in reference.columns:
        raise SoftmaxLabError(f"The reference row has no column '{name}'", where="reference row")
    row = reference.copy()
    column = row[name]
    numeric = pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
    if _is_missing(value):
        row[name] = pd.Series([np.nan], index=row.index, dtype=float if numeric else object)
    elif numeric:
        try:
            number = float(value)  # True/False become 1/0, as the model reads them
        except (TypeError, ValueError):
            number = float("nan")
        if not math.isfinite(number):
            raise SoftmaxLabError(
                f"'{name}' needs a number, got {value!r}",
                where=f"column '{name}'",
                hint="Type a number, or leave it empty for a missing value.",
            )
        row[name] = pd.Series([number], index=row.index, dtype=float)
    else:
        row[name] = pd.Series([str(value)], index=row.index, dtype=object)
    return row


def decision_map(
    pipeline,
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    reference: pd.DataFrame,
    resolution: int = 60,
    observed: ObservedValues | None = None,
) -> DecisionMap:
    """The fitted pipeline's prediction over a grid of two features, the rest held fixed.

    The grid covers the range observed in ``data`` (and the reference row's own values), in
    the file's own units: ``resolution`` evenly spaced values for a numeric feature, one band
    per category (the ``MAX_BANDS`` most frequent) for a categorical one. Every cell is a copy
    of the reference row with x and y replaced, and ``pipeline.predict_proba`` scores all the
    cells in one call.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        The trained model (``TrainedModel.pipeline``).
    data : pandas.DataFrame
        Rows whose range the grid covers (the held-out part, or the whole table).
    x, y : str
        Two different columns the model reads.
    reference : pandas.DataFrame
        One row with every column the model reads, in the file's own units.
    resolution : int, default 60
        Grid steps along a numeric axis, 2 to ``MAX_RESOLUTION``.
    observed : ObservedValues, optional
        :func:`observed_values` of ``data``, read once for many maps (a page redraws the map
        on every click); read from ``data`` when None.

    Returns
    -------
    DecisionMap

    Raises
    ------
    SoftmaxLabError
        If x or y is not a column the model reads, x equals y, the reference is not one row
        with every column, the resolution is out of range, or a column has no values.

    Examples
    --------
    >>> import pandas as pd
    >>> from dashboard.training import build_pipeline
    >>> X = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5], "b": [5.0, 4, 3, 2, 1, 0],
    ...                   "c": ["u", "v", "u", "v", "u", "v"]})
    >>> y = ["lo", "lo", "lo", "hi", "hi", "hi"]
    >>> pipe = build_pipeline(numeric=["a", "b"], categorical=["c"]).fit(X, y)
    >>> m = decision_map(pipe, X, x="a", y="c", reference=X.iloc[[0]], resolution=3)
    >>> m.x_values.tolist(), m.y_values.tolist(), m.proba.shape
    ([0.0, 2.5, 5.0], ['u', 'v'], (2, 3, 2))
    >>> [[m.classes[k] for k in row] for row in m.predicted]
    [['lo', 'lo', 'lo'], ['lo', 'lo', 'hi']]
    >>> m.caption
    'The other features are held at the reference row: b = 5.'
    """
    numeric, categorical = map_features(pipeline)
    features = list(numeric) + list(categorical)
    for axis, name in (("x", x), ("y", y)):
        if name not in features:
            raise SoftmaxLabError(
                f"'{name}' is not one of the model's features",
                where=f"{axis} axis",
                hint="Pick one of: " + ", ".join(f"'{f}'" for f in features[:10]) + ".",
            )
    if x == y:
        raise SoftmaxLabError(
            f"Both axes show '{x}'",
            where="y axis",
            hint="Pick two different features.",
        )
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise SoftmaxLabError(
            "There are no rows to take the ranges of the axes from",
            where="rows",
            hint="Pass the held-out part of the trained model.",
        )
    for name in (x, y):
        if name not in data.columns:
            raise SoftmaxLabError(
                f"The rows have no column '{name}'", where="rows", hint="Pass the model's rows."
            )
    steps = _check_resolution(resolution)
    # Every column the pipeline reads, date and text ones too (they are held, never axes).
    preprocess, _ = _preprocess_and_model(pipeline)
    read = [str(c) for c in getattr(preprocess, "feature_names_in_", features)]
    read += [f for f in features if f not in read]
    ref = _reference_frame(reference, read)
    # One conversion for the whole row: per-column access costs ~0.1 ms a column on wide tables.
    ref_values = dict(zip(read, ref[read].to_numpy(dtype=object)[0], strict=True))

    axes = {}
    for name in (x, y):
        if name in categorical:
            top = _observed(observed, data, name, categorical=True)
            axes[name] = _category_axis(top, name, ref_values[name])
        else:
            span = _observed(observed, data, name, categorical=False)
            axes[name] = _numeric_axis(span, name, steps, ref_values[name])
    xv, yv = axes[x], axes[y]
    nx, ny = len(xv), len(yv)
    n = nx * ny
    # Vectorised: one take repeats the reference row n times, keeping every column's dtype
    # (Int64, boolean, str with their own NA); then x and y vary (row = iy * nx + ix).
    grid = ref[read].iloc[np.zeros(n, dtype=np.intp)].reset_index(drop=True)
    for f, dtype in grid.dtypes.items():
        if f not in (x, y) and pd.api.types.is_object_dtype(dtype):
            # NaN for missing, as in training: SimpleImputer does not see None as missing.
            grid[f] = grid[f].where(grid[f].notna(), np.nan)
    grid[x] = np.tile(xv, ny)
    grid[y] = np.repeat(yv, nx)
    try:
        proba = np.asarray(pipeline.predict_proba(grid), dtype=float)
    except (ValueError, TypeError) as err:
        raise SoftmaxLabError(
            "The model cannot read the reference row: a value does not fit its column's type",
            where="reference row",
            hint="Use numbers in numeric columns; leave a cell empty if the value is unknown.",
        ) from err
    _, model = _preprocess_and_model(pipeline)
    classes = tuple(str(c) for c in model.classes_)
    proba = proba.reshape(ny, nx, len(classes))
    predicted = proba.argmax(axis=2)
    top = np.take_along_axis(proba, predicted[..., None], axis=2)[..., 0]
    held = tuple(
        (f, None if _is_missing(ref_values[f]) else _plain_value(ref_values[f]))
        for f in read
        if f not in (x, y)
    )
    return DecisionMap(
        x=x,
        y=y,
        x_values=xv,
        y_values=yv,
        x_categorical=x in categorical,
        y_categorical=y in categorical,
        classes=classes,
        proba=proba,
        predicted=predicted,
        top_probability=top,
        entropy_bits=_entropy_bits(proba),
        held_at=held,
        reference_x=None if _is_missing(ref_values[x]) else _plain_value(ref_values[x]),
        reference_y=None if _is_missing(ref_values[y]) else _plain_value(ref_values[y]),
    )


def _plain_value(value: object) -> object:
    """A numpy scalar as a Python one (for captions and JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _entropy_bits(proba: np.ndarray) -> np.ndarray:
    """Entropy in bits along the last axis, ``0 log 0 = 0`` (``information.entropy`` per row).

    Vectorised here because :func:`dashboard.information.entropy` checks one distribution at a
    time, too slow for thousands of grid cells; the tests compare the two.
    """
    p = np.asarray(proba, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=-1)


# ---------------------------------------------------------------------------------------------
# 2. C in motion


@dataclass(frozen=True, kw_only=True, eq=False)
class CMotion:
    """The model refitted on the training part at every C of the grid, smallest C first.

    Attributes
    ----------
    c_values : tuple of float
        The grid, smallest first.
    pipelines : tuple of sklearn.pipeline.Pipeline
        At each C: the model's fitted preprocessing (it does not depend on C, so it is shared)
        followed by a LogisticRegression fitted at that C. Each works with
        :func:`decision_map`.
    classes : tuple of str
    feature_names : tuple of str
        The names of the model's inputs after preprocessing (the coefficients' columns).
    coef : numpy.ndarray, shape (n_C, n_rows, n_features)
        ``LogisticRegression.coef_`` at each C (one row with two classes).
    intercept : numpy.ndarray, shape (n_C, n_rows)
    confusion : numpy.ndarray of int, shape (n_C, n_classes, n_classes)
        Held-out confusion matrix at each C (rows true class, columns predicted).
    accuracy : numpy.ndarray, shape (n_C,)
        Held-out accuracy at each C.
    converged : tuple of bool
        Whether the solver converged at each C.
    predicted : tuple of numpy.ndarray of str
        The predicted class of every held-out row at each C (the confusion matrices' columns;
        kept so that the map at a C draws its wrong points without predicting again).
    """

    c_values: tuple[float, ...]
    pipelines: tuple[Pipeline, ...]
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    confusion: np.ndarray
    accuracy: np.ndarray
    converged: tuple[bool, ...]
    predicted: tuple[np.ndarray, ...] = ()

    def index_of(self, C: float) -> int:
        """Position of the grid value closest to ``C`` (on a log scale).

        Examples
        --------
        >>> m = CMotion(c_values=(0.01, 1.0, 100.0), pipelines=(), classes=(), feature_names=(),
        ...     coef=np.zeros((3, 1, 1)), intercept=np.zeros((3, 1)),
        ...     confusion=np.zeros((3, 2, 2), int), accuracy=np.zeros(3), converged=(True,) * 3)
        >>> m.index_of(0.5), m.index_of(1e6)
        (1, 2)
        """
        c = positive_C(C)
        return int(np.argmin(np.abs(np.log(np.asarray(self.c_values)) - math.log(c))))


def c_motion(
    pipeline,
    X_train: pd.DataFrame,
    y_train: Sequence[str] | np.ndarray,
    *,
    X_test: pd.DataFrame,
    y_test: Sequence[str] | np.ndarray,
    c_grid: Sequence[float],
    warm_start: bool | None = None,
    on_progress: Callable[[int, int, float], None] | None = None,
) -> CMotion:
    """Refit the model's LogisticRegression at every C on the training part, and score each fit.

    The preprocessing of ``pipeline`` was fitted on the training part and does not depend on
    C, so the training rows are transformed once; only the LogisticRegression is refitted
    (a clone of the model's, so class weights, tolerance and iterations are the same). With
    ``warm_start`` each fit starts from the previous C's solution: it ends at the same optimum
    within the solver's tolerance (the probabilities agree to about 1e-3; coefficients along
    directions the data hardly pin down, such as all one-hot columns of a feature moving
    together, may differ more), in fewer iterations. By default fits warm-start from
    ``WARM_START_MIN_ROWS`` training rows on, as the C search does; below that each fit starts
    from zero and equals a fresh ``LogisticRegression`` fit.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        The trained model (``TrainedModel.pipeline``).
    X_train, y_train
        The training part the model was fitted on.
    X_test, y_test
        The held-out part (``TrainedModel.X_test``, ``TrainedModel.y_test``).
    c_grid : sequence of float
        Values of C, each above 0 (sorted and deduplicated here).
    warm_start : bool, optional
        Start each fit from the previous one; None = from ``WARM_START_MIN_ROWS`` rows on.
    on_progress : callable(done, total, C), optional
        Called after each fit.

    Returns
    -------
    CMotion

    Raises
    ------
    SoftmaxLabError
        If the model is not fitted, the grid is empty or holds a value that is not above 0,
        or the rows and labels do not match.

    Examples
    --------
    >>> import pandas as pd
    >>> from dashboard.training import build_pipeline
    >>> X = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5, 6, 7]})
    >>> y = ["lo", "lo", "hi", "lo", "hi", "lo", "hi", "hi"]
    >>> pipe = build_pipeline(numeric=["a"], categorical=[]).fit(X, y)
    >>> motion = c_motion(pipe, X, y, X_test=X, y_test=y, c_grid=[10, 0.01])
    >>> motion.c_values, motion.coef.shape
    ((0.01, 10.0), (2, 1, 1))
    >>> bool(abs(motion.coef[0, 0, 0]) < abs(motion.coef[1, 0, 0]))    # larger C, larger weight
    True
    """
    silence_convergence_warnings()
    preprocess, model = _preprocess_and_model(pipeline)
    grid = _check_c_grid(c_grid)
    y_tr = _labels(y_train, X_train, "training")
    if warm_start is None:
        warm_start = len(y_tr) >= WARM_START_MIN_ROWS
    Xt_train = preprocess.transform(X_train)
    fits = []
    previous = None
    for done, C in enumerate(grid, start=1):
        est = clone(model).set_params(C=C, warm_start=warm_start and previous is not None)
        if warm_start and previous is not None:
            est.coef_ = previous.coef_.copy()
            est.intercept_ = previous.intercept_.copy()
        est.fit(Xt_train, y_tr)
        previous = est
        fits.append(est)
        if on_progress is not None:
            on_progress(done, len(grid), C)
    converged = [bool(int(np.max(est.n_iter_)) < est.max_iter) for est in fits]
    return _motion(pipeline, fits, converged, X_test, y_test)


def c_motion_from_model(model) -> CMotion:
    """The C motion of a trained model from the fits it already holds: nothing is refitted.

    Training fits the model on the whole training part at every C of its grid (the
    coefficient path, ``TrainedModel.coef_path``); with the model's own preprocessing (fitted
    on the same rows, and independent of C) each of those fits is a complete model. Only the
    held-out confusion matrices are computed here, one prediction per C.

    Parameters
    ----------
    model : dashboard.training.TrainedModel
        Its ``pipeline``, ``coef_path``, ``X_test`` and ``y_test`` are read.

    Returns
    -------
    CMotion
        The same as :func:`c_motion` on the model's training part with the model's grid and
        warm-start rule.

    Raises
    ------
    SoftmaxLabError
        If the model holds no coefficient path.
    """
    _, final = _preprocess_and_model(model.pipeline)
    path = getattr(model, "coef_path", None) or {}
    if not all(key in path for key in ("C", "coef", "intercept")) or not len(path["C"]):
        raise SoftmaxLabError(
            "This model holds no fits along C",
            where="model",
            hint="Train the model again in this version of Softmax Lab.",
        )
    converged = list(path.get("converged") or [True] * len(path["C"]))
    fits = []
    for C, coef, intercept in zip(path["C"], path["coef"], path["intercept"], strict=True):
        est = clone(final).set_params(C=float(C))
        est.coef_ = np.asarray(coef, dtype=float).copy()
        est.intercept_ = np.atleast_1d(np.asarray(intercept, dtype=float)).copy()
        est.classes_ = final.classes_
        est.n_features_in_ = est.coef_.shape[1]
        if hasattr(final, "feature_names_in_"):
            est.feature_names_in_ = final.feature_names_in_
        fits.append(est)
    return _motion(model.pipeline, fits, [bool(ok) for ok in converged], model.X_test, model.y_test)


def _motion(pipeline, fits: list, converged: list[bool], X_test: pd.DataFrame, y_test) -> CMotion:
    """Pipelines, coefficients and held-out confusion matrices of fits along C."""
    preprocess, model = _preprocess_and_model(pipeline)
    y_te = _labels(y_test, X_test, "held-out")
    classes = tuple(str(c) for c in model.classes_)
    Xt_test = preprocess.transform(X_test)
    names = feature_names_out(pipeline)
    pipelines, confusions, accuracies, predicted = [], [], [], []
    for est in fits:
        pred = est.classes_[np.argmax(est.predict_proba(Xt_test), axis=1)].astype(str)
        predicted.append(pred)
        cm = sk_confusion_matrix(y_te, pred, labels=list(classes))
        pipelines.append(
            Pipeline([(pipeline.steps[0][0], preprocess), (pipeline.steps[-1][0], est)])
        )
        confusions.append(cm)
        accuracies.append(float(np.trace(cm) / cm.sum()))
    return CMotion(
        c_values=tuple(float(est.C) for est in fits),
        pipelines=tuple(pipelines),
        classes=classes,
        feature_names=names,
        coef=np.stack([np.asarray(est.coef_, dtype=float) for est in fits]),
        intercept=np.stack(
            [np.atleast_1d(np.asarray(est.intercept_, dtype=float)) for est in fits]
        ),
        confusion=np.stack(confusions),
        accuracy=np.asarray(accuracies),
        converged=tuple(converged),
        predicted=tuple(predicted),
    )


def training_part(
    table: pd.DataFrame, model, *, table_profile=None, limits: Limits = LIMITS
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows and labels a trained model was fitted on, rebuilt from its table.

    The record keeps the held-out part only; the training part is split again from the table
    by the training module's own code (same checks, seed and share), and the held-out rows are
    compared with the record's so that another table is refused.

    Parameters
    ----------
    table : pandas.DataFrame
        The table the model was trained on.
    model : dashboard.training.TrainedModel
    table_profile : dashboard.profile.TableProfile, optional
        The table's profile when already known.
    limits : Limits, optional

    Returns
    -------
    X_train : pandas.DataFrame
    y_train : numpy.ndarray of str

    Raises
    ------
    SoftmaxLabError
        When the table is not the one the model was trained on.
    """
    # training's own split and check (the one place that splits a table).
    data = prepare_again(table, model, limits=limits, table_profile=table_profile)
    return data.X_train, np.asarray(data.y_train, dtype=str)


def _check_c_grid(c_grid) -> tuple[float, ...]:
    try:
        values = [float(c) for c in c_grid]
    except (TypeError, ValueError):
        raise SoftmaxLabError(
            f"The C values must be numbers, got {c_grid!r}",
            where="C values",
            hint="Use the model's C grid, e.g. model.config.c_grid.",
        ) from None
    if not values:
        raise SoftmaxLabError("No value of C was given", where="C values",
                              hint="Use the model's C grid, e.g. model.config.c_grid.")  # fmt: skip
    for c in values:
        if not math.isfinite(c) or c <= 0:
            raise SoftmaxLabError(
                f"C must be a finite number above 0, and {c!r} is not",
                where="C values",
                hint="Use the model's C grid, e.g. model.config.c_grid.",
            )
    return tuple(sorted(set(values)))


def _labels(y, X, part: str) -> np.ndarray:
    labels = np.asarray(y).astype(str)
    if labels.ndim != 1 or len(labels) != len(X):
        raise SoftmaxLabError(
            f"The {part} part has {len(X)} rows but {labels.size} labels",
            where=f"{part} part",
            hint="Pass the rows and the labels of the same part.",
        )
    return labels


# ---------------------------------------------------------------------------------------------
# 3. Decisions with costs


@dataclass(frozen=True, kw_only=True, eq=False)
class CostDecisions:
    """Decisions taken from probabilities with a cost for every (true, decided) pair.

    Attributes
    ----------
    classes : tuple of str
    costs : numpy.ndarray, shape (n_classes, n_classes)
        ``costs[i, j]``: the cost of deciding class j when the truth is class i.
    decisions : numpy.ndarray of str, shape (n_rows,)
    expected_cost : numpy.ndarray, shape (n_rows, n_classes)
        Each row's expected cost of each decision, ``proba @ costs``.
    confusion : numpy.ndarray of int, shape (n_classes, n_classes)
        Rows the true class, columns the decision.
    total_cost, mean_cost, accuracy : float
        On the rows given: the costs paid, their mean, and the share decided right.
    threshold : float or None
        For the two-class threshold rule: the second class is decided when its probability
        is above it; None for the minimum-expected-cost rule.
    """

    classes: tuple[str, ...]
    costs: np.ndarray
    decisions: np.ndarray
    expected_cost: np.ndarray
    confusion: np.ndarray
    total_cost: float
    mean_cost: float
    accuracy: float
    threshold: float | None = None

    def costs_table(self) -> pd.DataFrame:
        """The costs as a table: one row per true class, one column per decided class.

        Examples
        --------
        >>> d = cost_decisions(["a"], [[0.9, 0.1]], classes=["a", "b"], costs=[[0, 2], [5, 0]])
        >>> table = d.costs_table()
        >>> table.index.name, table.to_numpy().tolist()
        ('true class', [[0.0, 2.0], [5.0, 0.0]])
        """
        names = list(self.classes)
        frame = pd.DataFrame(self.costs, index=pd.Index(names, dtype=object), columns=names)
        frame.index.name = "true class"
        frame.columns.name = "decided class"
        return frame

    def sentences(self) -> list[str]:
        """The result in plain words."""
        n = int(self.confusion.sum())
        rule = (
            f"'{self.classes[1]}' is decided when its probability is above {self.threshold:.3g}"
            if self.threshold is not None
            else "each row gets the decision with the lowest expected cost"
        )
        return [
            f"With these costs, {rule}.",
            f"On the {n} held-out rows the decisions cost {self.total_cost:.4g} in total, "
            f"{self.mean_cost:.4g} per row on average.",
            f"{self.accuracy:.1%} of the decisions are the true class.",
        ]


def cost_matrix(costs=None, *, classes: Sequence[str]) -> np.ndarray:
    """Check a cost matrix (true class x decided class) and return it as floats.

    Parameters
    ----------
    costs : array-like or pandas.DataFrame, optional
        ``costs[i][j]`` is the cost of deciding class j when the truth is class i. A DataFrame
        whose index and columns are the class names is reordered to ``classes``. None gives
        the default: 0 on the diagonal, 1 elsewhere (then the decision is the most probable
        class).
    classes : sequence of str
        The model's classes.

    Returns
    -------
    numpy.ndarray, shape (n_classes, n_classes)

    Raises
    ------
    SoftmaxLabError
        If the shape is not n_classes x n_classes, or an entry is not a finite number at least 0.

    Examples
    --------
    >>> cost_matrix(classes=["a", "b"]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    >>> cost_matrix([[0, 1], [-5, 0]], classes=["a", "b"])
    Traceback (most recent call last):
    ...
    dashboard.errors.SoftmaxLabError: Costs cannot be negative, and -5 is (true 'b', decided 'a'). Use 0 for a free decision and larger numbers for worse mistakes.
    """
    names = tuple(str(c) for c in classes)
    k = len(names)
    if k < 2:
        raise SoftmaxLabError(f"Decisions need at least 2 classes, got {k}", where="classes")
    if costs is None:
        return 1.0 - np.eye(k)
    if isinstance(costs, pd.DataFrame):
        index = [str(i) for i in costs.index]
        cols = [str(c) for c in costs.columns]
        if set(index) == set(names) and set(cols) == set(names):
            costs = costs.set_axis(index, axis=0).set_axis(cols, axis=1)
            costs = costs.loc[list(names), list(names)]
        costs = costs.to_numpy()
    try:
        raw = np.asarray(costs, dtype=object)
    except (TypeError, ValueError):
        raw = np.asarray([], dtype=object)
    if raw.shape != (k, k):
        raise SoftmaxLabError(
            f"The cost matrix must have {k} rows and {k} columns (one per class), got shape "
            f"{raw.shape}",
            where="cost matrix",
            hint="Give one cost per pair of true class and decided class.",
        )
    matrix = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            where = f"true '{names[i]}', decided '{names[j]}'"
            value = raw[i, j]
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if isinstance(value, bool | np.bool_) or not math.isfinite(number):
                raise SoftmaxLabError(
                    f"Costs must be finite numbers, and {value!r} is not",
                    where=where,
                    hint="Type a number such as 0, 1 or 5.",
                )
            if number < 0:
                raise SoftmaxLabError(
                    f"Costs cannot be negative, and {value!r} is",
                    where=where,
                    hint="Use 0 for a free decision and larger numbers for worse mistakes.",
                )
            matrix[i, j] = number
    return matrix


def _check_rows(y_true, proba, classes) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    names = tuple(str(c) for c in classes)
    y = np.asarray(y_true).astype(str)
    p = np.asarray(proba, dtype=float)
    if p.ndim != 2 or p.shape[1] != len(names) or p.shape[0] != y.size or y.ndim != 1:
        raise SoftmaxLabError(
            f"The probabilities have shape {p.shape}, but there are {y.size} rows and "
            f"{len(names)} classes",
            where="probabilities",
            hint="Pass one row of probabilities per label, one column per class.",
        )
    if y.size == 0:
        raise SoftmaxLabError("There are no rows to decide", where="rows")
    if not np.all(np.isfinite(p)):
        raise SoftmaxLabError("Some probabilities are not numbers", where="probabilities")
    unknown = sorted(set(y.tolist()) - set(names))
    if unknown:
        raise SoftmaxLabError(
            f"The label '{unknown[0]}' is not one of the model's classes",
            where="true labels",
            hint="Pass the labels of the rows the probabilities belong to.",
        )
    return names, y, p


def _decisions(names, y, p, costs, decided_codes, threshold) -> CostDecisions:
    truth = pd.Categorical(y, categories=list(names)).codes.astype(int)
    decided = np.asarray(names, dtype=object)[decided_codes].astype(str)
    paid = costs[truth, decided_codes]
    cm = np.zeros((len(names), len(names)), dtype=int)
    np.add.at(cm, (truth, decided_codes), 1)
    return CostDecisions(
        classes=names,
        costs=costs,
        decisions=decided,
        expected_cost=p @ costs,
        confusion=cm,
        total_cost=float(paid.sum()),
        mean_cost=float(paid.mean()),
        accuracy=float(np.mean(truth == decided_codes)),
        threshold=threshold,
    )


def cost_decisions(
    y_true: Sequence[str] | np.ndarray,
    proba: np.ndarray,
    *,
    classes: Sequence[str],
    costs=None,
) -> CostDecisions:
    """Decide each row by minimum expected cost: ``argmin_j sum_i p_i costs[i, j]``.

    With the default costs (0 right, 1 wrong) this is the most probable class. On a tie the
    first class in ``classes`` order is decided, as ``predict`` does.

    Parameters
    ----------
    y_true : array-like of str, shape (n_rows,)
        The true classes of the rows (the held-out part).
    proba : array-like, shape (n_rows, n_classes)
        Probabilities, columns in ``classes`` order.
    classes : sequence of str
    costs : array-like or pandas.DataFrame, optional
        See :func:`cost_matrix`.

    Returns
    -------
    CostDecisions

    Raises
    ------
    SoftmaxLabError
        On an invalid cost matrix, shapes that disagree, or a label not among ``classes``.

    Examples
    --------
    A missed "ill" costs 10, a false alarm 1: rows with a 20% chance of "ill" are flagged.

    >>> d = cost_decisions(["well", "ill", "well"], [[0.2, 0.8], [0.3, 0.7], [0.05, 0.95]],
    ...                    classes=["ill", "well"], costs=[[0, 10], [1, 0]])
    >>> d.decisions.tolist(), d.total_cost, d.accuracy
    (['ill', 'ill', 'well'], 1.0, 0.6666666666666666)
    """
    names, y, p = _check_rows(y_true, proba, classes)
    matrix = cost_matrix(costs, classes=names)
    decided_codes = np.argmin(p @ matrix, axis=1)
    return _decisions(names, y, p, matrix, decided_codes, None)


def cost_threshold(costs=None, *, classes: Sequence[str]) -> float:
    """The threshold on the second class's probability that minimises expected cost.

    Deciding the second class costs ``p0 * costs[0, 1]`` on average, the first
    ``p1 * costs[1, 0]``; the second is cheaper when ``p1 > c01 / (c01 + c10)`` (with zero
    costs on the diagonal).

    Examples
    --------
    >>> cost_threshold([[0, 1], [4, 0]], classes=["no", "yes"])
    0.2
    >>> cost_threshold(classes=["no", "yes"])
    0.5
    """
    matrix = cost_matrix(costs, classes=classes)
    _check_two_classes(matrix.shape[0], where="classes")
    # Expected cost of deciding 1 minus deciding 0, linear in p1: zero at the threshold.
    a = matrix[0, 1] - matrix[0, 0]
    b = matrix[1, 0] - matrix[1, 1]
    if a + b <= 0:
        return 0.0 if a <= 0 else 1.0
    return float(min(max(a / (a + b), 0.0), 1.0))


def threshold_decisions(
    y_true: Sequence[str] | np.ndarray,
    proba: np.ndarray,
    *,
    classes: Sequence[str],
    threshold: float = 0.5,
    costs=None,
) -> CostDecisions:
    """Two classes: decide the second when its probability is above ``threshold``.

    Parameters
    ----------
    y_true, proba, classes
        As for :func:`cost_decisions`; exactly two classes.
    threshold : float, default 0.5
        Between 0 and 1. :func:`cost_threshold` gives the one that minimises expected cost.
    costs : array-like, optional
        The costs the decisions are charged (see :func:`cost_matrix`).

    Returns
    -------
    CostDecisions

    Examples
    --------
    >>> d = threshold_decisions(["a", "b", "b"], [[0.9, 0.1], [0.7, 0.3], [0.2, 0.8]],
    ...                         classes=["a", "b"], threshold=0.25)
    >>> d.decisions.tolist(), d.confusion.tolist()
    (['a', 'b', 'b'], [[1, 0], [0, 2]])
    """
    names, y, p = _check_rows(y_true, proba, classes)
    _check_two_classes(len(names))
    t = _check_threshold(threshold)
    matrix = cost_matrix(costs, classes=names)
    decided_codes = (p[:, 1] > t).astype(int)
    return _decisions(names, y, p, matrix, decided_codes, t)


def _check_two_classes(n_classes: int, *, where: str = "threshold") -> None:
    """Refuse a threshold (or a 2 x 2 cost matrix) for other than two classes."""
    if n_classes != 2:
        raise SoftmaxLabError(
            f"A threshold needs exactly 2 classes, got {n_classes}",
            where=where,
            hint="Use the cost matrix for three or more classes.",
        )


def _check_threshold(threshold: object) -> float:
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        t = float("nan")
    if isinstance(threshold, bool) or not 0 <= t <= 1:
        raise SoftmaxLabError(
            f"The threshold must be a number from 0 to 1, got {threshold!r}",
            where="threshold",
            hint="0.5 decides the more probable class.",
        )
    return t


def decide(
    proba: np.ndarray,
    *,
    classes: Sequence[str],
    costs=None,
    threshold: float | None = None,
) -> np.ndarray:
    """Decisions for rows without a known class (a predictions file): the ``decision`` column.

    The same rules as :func:`cost_decisions` (minimum expected cost, the first class on a
    tie) or, with ``threshold`` and two classes, :func:`threshold_decisions`.

    Parameters
    ----------
    proba : array-like, shape (n_rows, n_classes)
        Probabilities, columns in ``classes`` order.
    classes : sequence of str
    costs : array-like or pandas.DataFrame, optional
        See :func:`cost_matrix`; ignored when ``threshold`` is given.
    threshold : float, optional
        Two classes only: decide the second when its probability is above it.

    Returns
    -------
    numpy.ndarray of str, shape (n_rows,)

    Raises
    ------
    SoftmaxLabError
        On an invalid cost matrix or threshold, or probabilities of the wrong shape.

    Examples
    --------
    >>> decide([[0.2, 0.8], [0.05, 0.95]], classes=["ill", "well"], costs=[[0, 10], [1, 0]])
    array(['ill', 'well'], dtype='<U4')
    >>> decide([[0.7, 0.3]], classes=["no", "yes"], threshold=0.25)
    array(['yes'], dtype='<U3')
    """
    names = tuple(str(c) for c in classes)
    p = np.asarray(proba, dtype=float)
    if p.ndim != 2 or p.shape[1] != len(names) or not np.all(np.isfinite(p)):
        raise SoftmaxLabError(
            f"The probabilities must be finite numbers, one column per class ({len(names)}), "
            f"got shape {p.shape}",
            where="probabilities",
        )
    if threshold is None:
        codes = np.argmin(p @ cost_matrix(costs, classes=names), axis=1)
    else:
        _check_two_classes(len(names))
        codes = (p[:, 1] > _check_threshold(threshold)).astype(int)
    return np.asarray(names)[codes]


@dataclass(frozen=True, kw_only=True, eq=False)
class DecisionRule:
    """The costs (and, for two classes, the threshold) a user chose: how rows become decisions.

    The Explore page keeps one per model; the predictions download takes its ``decision``
    column from it and the report shows it.

    Attributes
    ----------
    classes : tuple of str
    costs : numpy.ndarray, shape (n_classes, n_classes)
        ``costs[i, j]``: the cost of deciding class j when the truth is class i.
    threshold : float or None
        Two classes only: decide the second class when its probability is above it; None
        decides by minimum expected cost.

    Examples
    --------
    >>> rule = decision_rule(classes=["no", "yes"], costs=[[0, 1], [4, 0]])
    >>> rule.decide([[0.7, 0.3], [0.9, 0.1]]).tolist(), rule.is_default
    (['yes', 'no'], False)
    >>> decision_rule(classes=["a", "b", "c"]).is_default
    True
    """

    classes: tuple[str, ...]
    costs: np.ndarray
    threshold: float | None = None

    @property
    def is_default(self) -> bool:
        """True when the rule decides the most probable class (0/1 costs, no other threshold)."""
        plain = bool(np.array_equal(self.costs, 1.0 - np.eye(len(self.classes))))
        return plain and (self.threshold is None or self.threshold == 0.5)

    def decide(self, proba) -> np.ndarray:
        """The decision for each row of probabilities (columns in ``classes`` order)."""
        return decide(proba, classes=self.classes, costs=self.costs, threshold=self.threshold)

    def on_rows(self, y_true, proba) -> CostDecisions:
        """The decisions on rows whose true class is known: confusion, costs paid, accuracy."""
        if self.threshold is None:
            return cost_decisions(y_true, proba, classes=self.classes, costs=self.costs)
        return threshold_decisions(
            y_true, proba, classes=self.classes, threshold=self.threshold, costs=self.costs
        )

    def costs_table(self) -> pd.DataFrame:
        """The costs as a table: one row per true class, one column per decided class."""
        names = list(self.classes)
        frame = pd.DataFrame(self.costs, index=pd.Index(names, dtype=object), columns=names)
        frame.index.name = "true class"
        frame.columns.name = "decided class"
        return frame

    def sentence(self) -> str:
        """How the rule decides, in plain words."""
        if self.threshold is not None:
            return (
                f"'{self.classes[1]}' is decided when its probability is above "
                f"{self.threshold:.3g}, '{self.classes[0]}' otherwise."
            )
        if self.is_default:
            return "Each row gets its most probable class (every mistake costs 1)."
        return "Each row gets the decision with the lowest expected cost under these costs."


def decision_rule(
    *, classes: Sequence[str], costs=None, threshold: float | None = None
) -> DecisionRule:
    """Check costs (and a threshold) and keep them as a :class:`DecisionRule`.

    Parameters
    ----------
    classes : sequence of str
    costs : array-like or pandas.DataFrame, optional
        See :func:`cost_matrix`; None gives 0 on the diagonal, 1 elsewhere.
    threshold : float, optional
        Two classes only, from 0 to 1.

    Raises
    ------
    SoftmaxLabError
        On an invalid cost matrix, or a threshold with more than two classes or out of range.
    """
    names = tuple(str(c) for c in classes)
    matrix = cost_matrix(costs, classes=names)
    if threshold is not None:
        _check_two_classes(len(names))
        threshold = _check_threshold(threshold)
    return DecisionRule(classes=names, costs=matrix, threshold=threshold)


# ---------------------------------------------------------------------------------------------
# 4. The information view


@dataclass(frozen=True, kw_only=True, eq=False)
class InformationView:
    """How wrong and how unsure the model was on each held-out row, in bits.

    Attributes
    ----------
    classes : tuple of str
    y_true : numpy.ndarray of str
    predicted : numpy.ndarray of str
        The most probable class of each row.
    cross_entropy_bits : numpy.ndarray, shape (n_rows,)
        ``-log2 p(true class)``: how wrong the model was. With a one-hot truth it equals the
        KL divergence from the truth to the prediction (the truth's entropy is 0).
    entropy_bits : numpy.ndarray, shape (n_rows,)
        Entropy of the predicted distribution: how unsure the model was.
    log_loss : float
        Mean cross-entropy in nats: :func:`sklearn.metrics.log_loss` of the same rows.
    log_loss_by_class : pandas.DataFrame
        Columns ``class``, ``rows``, ``part`` (nats: the class's rows' summed cross-entropy
        divided by all rows, so the parts add up to ``log_loss``), ``mean`` (nats, mean
        cross-entropy of the class's rows).
    prior : numpy.ndarray, shape (n_classes,)
        The class shares of the training part.
    prior_log_loss : float
        The log-loss (nats) of always predicting ``prior`` (``DummyClassifier(strategy=
        "prior")``).
    bits_saved : float
        ``(prior_log_loss - log_loss) / ln 2``: bits per row the model saves against the
        class shares.
    """

    classes: tuple[str, ...]
    y_true: np.ndarray
    predicted: np.ndarray
    cross_entropy_bits: np.ndarray
    entropy_bits: np.ndarray
    log_loss: float
    log_loss_by_class: pd.DataFrame
    prior: np.ndarray
    prior_log_loss: float
    bits_saved: float

    @property
    def confident_mistakes(self) -> np.ndarray:
        """Positions of wrong rows the model was sure about (entropy below half its maximum)."""
        wrong = self.predicted != self.y_true
        sure = self.entropy_bits < 0.5 * math.log2(len(self.classes))
        return np.flatnonzero(wrong & sure)

    def sentences(self, *, unit: str = "bits") -> list[str]:
        """The view in plain words, for someone who never met a logarithm; the amounts in
        ``unit``, ``"bits"`` (log base 2) or ``"nats"`` (natural log, as log-loss is given)."""
        if unit not in ("bits", "nats"):
            raise SoftmaxLabError(f"The unit must be 'bits' or 'nats', got {unit!r}", where="unit")
        per_nat = 1.0 if unit == "nats" else 1 / _LN2  # this unit's amount in one nat
        n = self.y_true.size
        mean = self.log_loss * per_nat
        worst = self.log_loss_by_class.sort_values("mean", ascending=False).iloc[0]
        saved = self.bits_saved * _LN2 * per_nat
        prior = self.prior_log_loss * per_nat
        scale = (
            "0 bits when it gave the true class all its probability, 1 bit when it gave it one "
            "half, 2 bits for one quarter, and so on"
            if unit == "bits"
            else "0 nats when it gave the true class all its probability, 0.69 nats (ln 2) when "
            "it gave it one half, 1.39 nats for one quarter, and so on"
        )
        lines = [
            f"Cross-entropy says how wrong the model was about a row: {scale}. Because the "
            "truth is one known class, this is also the KL divergence from the truth to the "
            "model's guess.",
            f"Entropy says how unsure the model was, whatever the truth: 0 {unit} when it puts "
            "everything on one class, "
            f"{math.log(len(self.classes)) * per_nat:.2g} {unit} when all {len(self.classes)} "
            "classes are equally likely.",
            f"On the {n} held-out rows the model's cross-entropy is {mean:.3f} {unit} per row "
            "on average"
            + (
                f" (a log-loss of {self.log_loss:.4f} in nats)."
                if unit == "bits"
                else ": its log-loss."
            ),
            f"Rows of class '{worst['class']}' cost the most: {worst['mean'] * per_nat:.3f} "
            f"{unit} each on average.",
        ]
        if saved > 0:
            lines.append(
                f"Guessing from the class shares alone would cost {prior:.3f} {unit} per row; "
                f"the model saves {saved:.3f} {unit} per row against that."
            )
        else:
            lines.append(
                f"Guessing from the class shares alone would cost {prior:.3f} {unit} per row: "
                f"the model does no better ({-saved:.3f} {unit} worse per row)."
            )
        mistakes = self.confident_mistakes.size
        if mistakes:
            lines.append(
                f"Confident mistakes, where the model was sure and wrong: {mistakes} of the {n} "
                "rows. They sit low on the entropy axis and high on the cross-entropy axis."
            )
        return lines


def class_shares(y: Sequence[str] | np.ndarray, *, classes: Sequence[str]) -> np.ndarray:
    """The share of each class among the labels, in ``classes`` order.

    Examples
    --------
    >>> class_shares(["a", "b", "b", "b"], classes=["a", "b"]).tolist()
    [0.25, 0.75]
    """
    names = tuple(str(c) for c in classes)
    labels = np.asarray(y).astype(str)
    if labels.size == 0:
        raise SoftmaxLabError("There are no labels to count", where="labels")
    counts = np.array([np.sum(labels == c) for c in names], dtype=float)
    return counts / labels.size


def information_view(
    y_true: Sequence[str] | np.ndarray,
    proba: np.ndarray,
    *,
    classes: Sequence[str],
    prior: Sequence[float] | np.ndarray,
) -> InformationView:
    """Cross-entropy and entropy of each row, the log-loss split by true class, bits saved.

    Parameters
    ----------
    y_true : array-like of str, shape (n_rows,)
        True classes of the held-out rows.
    proba : array-like, shape (n_rows, n_classes)
        The model's probabilities, columns in ``classes`` order.
    classes : sequence of str
    prior : array-like of float, shape (n_classes,)
        The training part's class shares (:func:`class_shares` of the training labels).

    Returns
    -------
    InformationView

    Raises
    ------
    SoftmaxLabError
        If shapes disagree, a label is unknown, or ``prior`` is not a distribution.

    Examples
    --------
    >>> v = information_view(["a", "b"], [[0.5, 0.5], [0.25, 0.75]], classes=["a", "b"],
    ...                      prior=[0.5, 0.5])
    >>> v.cross_entropy_bits.round(3).tolist(), v.entropy_bits.round(3).tolist()
    ([1.0, 0.415], [1.0, 0.811])
    >>> round(v.bits_saved, 4)       # 1 bit per row for the shares, 0.7075 for the model
    0.2925
    """
    names, y, p = _check_rows(y_true, proba, classes)
    shares = np.asarray(prior, dtype=float).reshape(-1)
    if shares.shape != (len(names),) or not np.all(np.isfinite(shares)) or np.any(shares < 0):
        raise SoftmaxLabError(
            f"The class shares must be {len(names)} non-negative numbers, got {prior!r}",
            where="class shares",
            hint="Pass class_shares(y_train, classes=model.classes).",
        )
    if abs(shares.sum() - 1) > 1e-6:
        raise SoftmaxLabError(
            f"The class shares must add up to 1, not {shares.sum():.6g}",
            where="class shares",
            hint="Pass class_shares(y_train, classes=model.classes).",
        )
    losses = row_cross_entropy(y, p, names)  # nats, clipped exactly as log_loss clips
    n = y.size
    by_class = pd.DataFrame(
        {
            "class": pd.Series(names, dtype=object),
            "rows": [int(np.sum(y == c)) for c in names],
            "part": [float(losses[y == c].sum() / n) for c in names],
            "mean": [float(losses[y == c].mean()) if np.any(y == c) else 0.0 for c in names],
        }
    )
    prior_losses = row_cross_entropy(y, np.tile(shares, (n, 1)), names)
    model_loss = float(losses.mean())
    prior_loss = float(prior_losses.mean())
    return InformationView(
        classes=names,
        y_true=y,
        predicted=np.asarray(names, dtype=object)[p.argmax(axis=1)].astype(str),
        cross_entropy_bits=losses / _LN2,
        entropy_bits=_entropy_bits(p),
        log_loss=model_loss,
        log_loss_by_class=by_class,
        prior=shares,
        prior_log_loss=prior_loss,
        bits_saved=(prior_loss - model_loss) / _LN2,
    )
