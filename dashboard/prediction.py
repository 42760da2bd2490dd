"""Prediction on a new file: the feature columns a model reads, checked, and its predictions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from dashboard.errors import SoftmaxLabError
from dashboard.rules import LENIENT_FALSE_WORDS, LENIENT_TRUE_WORDS

__all__ = [
    "DECISION_COLUMN",
    "PREDICTED_COLUMN",
    "PROBABILITY_PREFIX",
    "FittedModel",
    "add_decisions",
    "column_type",
    "feature_frame",
    "predict_table",
    "prediction_columns",
    "prediction_records",
    "unseen_categories",
]


@runtime_checkable
class FittedModel(Protocol):
    """What prediction and the model file read of a fitted model.

    A model trained in this session (:class:`dashboard.training.TrainedModel`) and one read
    back from a file (:class:`dashboard.export.model_file.SavedModel`) both have it, so the
    code that predicts or saves never asks which of the two it holds.

    Attributes
    ----------
    model_id : str
        Names this model uniquely; memos of what was computed from a model are keyed by it.
    pipeline : sklearn.pipeline.Pipeline
        The fitted preprocessing + LogisticRegression pipeline.
    classes : tuple of str
        Class names, in the order of the model's probability columns.
    numeric_columns, categorical_columns, date_columns, text_columns : tuple of str
        The feature columns the pipeline reads, by branch.
    column_types : Mapping
        How each feature column was typed in training: "number", "boolean", "text" or "date".
    target : str
        The column the model predicts.
    settings : Mapping
        The training configuration (target, features, C grid, folds, ...) as a dict.
    best_C : float
        The C the pipeline was refit with.
    data_sha256 : str
        The SHA-256 of the training file's bytes ("" when unknown).
    """

    @property
    def model_id(self) -> str: ...

    @property
    def pipeline(self) -> Any: ...

    @property
    def classes(self) -> tuple[str, ...]: ...

    @property
    def numeric_columns(self) -> tuple[str, ...]: ...

    @property
    def categorical_columns(self) -> tuple[str, ...]: ...

    @property
    def date_columns(self) -> tuple[str, ...]: ...

    @property
    def text_columns(self) -> tuple[str, ...]: ...

    @property
    def column_types(self) -> Mapping[str, str]: ...

    @property
    def target(self) -> str: ...

    @property
    def settings(self) -> Mapping[str, Any]: ...

    @property
    def best_C(self) -> float: ...

    @property
    def data_sha256(self) -> str: ...


def column_type(series: pd.Series) -> str:
    """How Softmax Lab names a column's type: "boolean", "number", "date" or "text".

    Examples
    --------
    >>> column_type(pd.Series([True, False]))
    'boolean'
    >>> column_type(pd.Series([1.5, 2.0]))
    'number'
    >>> column_type(pd.Series(["a", "b"]))
    'text'
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "date"
    return "text"


PREDICTED_COLUMN = "predicted_class"
DECISION_COLUMN = "decision"
PROBABILITY_PREFIX = "probability_"


def _output_name(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_model"
    taken.add(name)
    return name


def prediction_columns(classes: tuple[str, ...], input_columns) -> tuple[str, list[str]]:
    """Names of the predicted-class column and of one probability column per class.

    Parameters
    ----------
    classes : tuple of str
        The model's classes.
    input_columns : iterable of str
        The input's column names; an output name that clashes with one gets ``_model`` added.

    Returns
    -------
    tuple
        ``(predicted_column, [probability_column, ...])``.

    Examples
    --------
    >>> prediction_columns(("a", "b"), ["x", "probability_a"])
    ('predicted_class', ['probability_a_model', 'probability_b'])
    """
    taken = {str(c) for c in input_columns}
    predicted = _output_name(PREDICTED_COLUMN, taken)
    return predicted, [_output_name(PROBABILITY_PREFIX + str(c), taken) for c in classes]


def feature_frame(model: FittedModel, table: pd.DataFrame) -> pd.DataFrame:
    """The columns a model reads, taken from a new table by name and checked.

    Extra columns are ignored; missing ones are named in the error; a numeric column whose
    values are not numbers is reported with an example value and its row.

    Parameters
    ----------
    model : FittedModel
    table : pandas.DataFrame
        New rows, e.g. from :func:`dashboard.data.load_csv`.

    Returns
    -------
    pandas.DataFrame
        The feature columns, typed as the pipeline expects.

    Raises
    ------
    SoftmaxLabError
        For missing columns, bad types or an empty table.
    """
    numeric = list(model.numeric_columns)
    categorical = list(model.categorical_columns)
    dates = list(getattr(model, "date_columns", ()))
    text = list(getattr(model, "text_columns", ()))
    columns = [str(c) for c in table.columns]
    missing = [c for c in numeric + categorical + dates + text if c not in columns]
    if missing:
        shown = ", ".join(f"'{c}'" for c in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise SoftmaxLabError(
            f"The file lacks {len(missing)} column(s) the model needs: {shown}",
            where="columns",
            hint="Add them with the same names as in the training file (extra columns are fine).",
        )
    if len(table) == 0:
        raise SoftmaxLabError(
            "The file has no rows to predict", hint="Upload a file with data rows."
        )
    table = table.copy()
    table.columns = columns
    types = model.column_types
    out = {}
    bad = []
    for name in numeric:
        out[name], problem = _as_numbers(table[name], name, boolean=types.get(name) == "boolean")
        if problem:
            bad.append(problem)
    if bad:
        raise SoftmaxLabError(
            "Some columns hold values of the wrong type: " + "; ".join(bad[:10]),
            where="columns",
            hint="Fix or clear those cells; missing values are filled in as during training.",
        )
    numeric_categories = _numeric_category_columns(model.pipeline, categorical)
    for name in categorical:
        column = table[name].astype(object)
        if name in numeric_categories:
            # The model learnt these categories as numbers; text would never match them.
            out[name] = pd.to_numeric(column, errors="coerce")
        else:
            out[name] = column.map(_category_text, na_action="ignore").astype(object)
    for name in dates:  # dates or their text: the model's DateParts reads both
        out[name] = table[name]
    for name in text:
        out[name] = table[name].astype(object).map(str, na_action="ignore")
    return pd.DataFrame(out, index=table.index)[list(model.pipeline.feature_names_in_)]


def _as_numbers(column: pd.Series, name: str, *, boolean: bool) -> tuple[pd.Series, str]:
    """A numeric feature column as floats, and what is wrong with it ("" when nothing).

    A column typed as yes/no in training reads yes/no words as 1 and 0; any other reads numbers.
    """
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
        return column.astype(float), ""
    values = column.astype(object)
    text = values.astype(str).str.strip()
    present = values.notna() & (text != "")
    if boolean:
        lower = text.str.lower()
        converted = pd.Series(np.nan, index=values.index, dtype=float)
        converted[present & lower.isin(LENIENT_TRUE_WORDS)] = 1.0
        converted[present & lower.isin(LENIENT_FALSE_WORDS)] = 0.0
        wanted = "yes/no values"
    else:
        converted = pd.to_numeric(values.where(present), errors="coerce").astype(float)
        wanted = "numbers"
    wrong = present & converted.isna()
    if not wrong.any():
        return converted, ""
    position = int(np.flatnonzero(wrong.to_numpy())[0])
    return converted, (
        f"'{name}' should hold {wanted} (data row {position + 1}: "
        f"{str(values.iloc[position])[:40]!r})"
    )


def _category_text(value: Any) -> str:
    """A category as text; a whole number read as 2.0 is the category "2"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def unseen_categories(model: FittedModel, table: pd.DataFrame) -> dict[str, list[str]]:
    """Category values of a new table that the model never saw in training.

    The model still predicts those rows (a value it never saw adds nothing to any class);
    this tells the user which values they were.

    Parameters
    ----------
    model : FittedModel
    table : pandas.DataFrame

    Returns
    -------
    dict
        Column -> sorted unseen values (at most 20 a column); columns without any are left out.
    """
    categorical = list(model.categorical_columns)
    if not categorical:
        return {}
    known = _known_categories(model.pipeline, categorical)
    frame = feature_frame(model, table)
    unseen = {}
    for name in categorical:
        values = {str(v) for v in frame[name].dropna().unique()}
        extra = sorted(values - known.get(name, set()))
        if extra:
            unseen[name] = extra[:20]
    return unseen


def _numeric_category_columns(pipeline: Any, categorical: list[str]) -> set[str]:
    from sklearn.preprocessing import OneHotEncoder

    found = set()
    for _, transformer, columns in pipeline.steps[0][1].transformers_:
        steps = transformer.steps if hasattr(transformer, "steps") else [("", transformer)]
        for _, step in steps:
            if isinstance(step, OneHotEncoder):
                for name, cats in zip(columns, step.categories_, strict=True):
                    if name in categorical and np.asarray(cats).dtype.kind in "iufb":
                        found.add(name)
    return found


def _known_categories(pipeline: Any, categorical: list[str]) -> dict[str, set[str]]:
    from sklearn.preprocessing import OneHotEncoder

    preprocess = pipeline.steps[0][1]
    for _, transformer, columns in preprocess.transformers_:
        encoder = transformer
        if hasattr(transformer, "steps"):
            encoders = [step for _, step in transformer.steps if isinstance(step, OneHotEncoder)]
            encoder = encoders[0] if encoders else None
        if isinstance(encoder, OneHotEncoder) and list(columns) == categorical:
            return {
                name: {str(v) for v in cats}
                for name, cats in zip(categorical, encoder.categories_, strict=True)
            }
    return {}


def predict_table(model: FittedModel, table: pd.DataFrame) -> pd.DataFrame:
    """Predict every row of a new table.

    Parameters
    ----------
    model : FittedModel
        A model trained in this session or read back with :func:`load_model`.
    table : pandas.DataFrame
        New rows. Columns are matched by name; extra ones are ignored and kept in the output.

    Returns
    -------
    pandas.DataFrame
        The input's columns, then ``predicted_class`` and one ``probability_<class>`` column
        per class (in the model's class order).

    Raises
    ------
    SoftmaxLabError
        When a needed column is missing (named), holds the wrong type (named, with a row),
        or the table is empty.
    """
    features = feature_frame(model, table)
    pipeline = model.pipeline
    proba = pipeline.predict_proba(features)
    fitted = [str(c) for c in pipeline.classes_]
    order = [fitted.index(c) for c in model.classes]
    proba = proba[:, order]
    classes = list(model.classes)
    predicted_name, probability_names = prediction_columns(model.classes, table.columns)
    result = table.copy()
    result[predicted_name] = pd.Series(
        [classes[i] for i in proba.argmax(axis=1)], index=table.index, dtype=object
    )
    for j, name in enumerate(probability_names):
        result[name] = proba[:, j]
    return result


def prediction_records(model: FittedModel, predictions: pd.DataFrame) -> list[dict]:
    """Predictions as JSON-able records: predicted class and every class's probability.

    Parameters
    ----------
    model : FittedModel
    predictions : pandas.DataFrame
        The output of :func:`predict_table`.

    Returns
    -------
    list of dict
        ``{"predicted_class": str, "probabilities": {class: float}}`` per row.
    """
    classes = model.classes
    # predict_table puts the predicted class and the probabilities last, in class order.
    predicted_name = predictions.columns[-1 - len(classes)]
    proba = predictions.iloc[:, -len(classes) :].to_numpy(dtype=float)
    return [
        {
            "predicted_class": str(label),
            "probabilities": {c: float(p) for c, p in zip(classes, row, strict=True)},
        }
        for label, row in zip(predictions[predicted_name].tolist(), proba, strict=True)
    ]


def add_decisions(model: FittedModel, predictions: pd.DataFrame, rule: Any) -> pd.DataFrame:
    """The predictions with a ``decision`` column beside ``predicted_class``.

    The decision follows the costs (and threshold) chosen on the Explore page: the class with
    the lowest expected cost, which is the predicted class when every mistake costs the same.

    Parameters
    ----------
    model : FittedModel
    predictions : pandas.DataFrame
        The output of :func:`predict_table` (the predicted class, then one probability column
        per class, last).
    rule : dashboard.explore.DecisionRule
        The costs, for the model's classes.

    Returns
    -------
    pandas.DataFrame
        A copy with ``decision`` (``decision_model`` if the file has a ``decision`` column)
        right after the predicted class.

    Raises
    ------
    SoftmaxLabError
        If the rule was made for other classes.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from dashboard.explore import decision_rule
    >>> model = SimpleNamespace(classes=("ill", "well"))
    >>> rows = pd.DataFrame({"x": [1, 2], "predicted_class": ["well", "well"],
    ...                      "probability_ill": [0.2, 0.05], "probability_well": [0.8, 0.95]})
    >>> rule = decision_rule(classes=["ill", "well"], costs=[[0, 10], [1, 0]])
    >>> add_decisions(model, rows, rule)[["predicted_class", "decision"]].to_numpy().tolist()
    [['well', 'ill'], ['well', 'well']]
    """
    classes = tuple(str(c) for c in model.classes)
    if tuple(rule.classes) != classes:
        raise SoftmaxLabError(
            "The costs were set for other classes than this model's",
            where="decision costs",
            hint="Set the costs again on the Explore page for this model.",
        )
    k = len(classes)
    proba = predictions.iloc[:, -k:].to_numpy(dtype=float)
    position = predictions.shape[1] - k  # just after the predicted class
    taken = {str(c) for c in predictions.columns}
    name = _output_name(DECISION_COLUMN, taken)
    result = predictions.copy()
    result.insert(
        position, name, pd.Series(rule.decide(proba), index=predictions.index, dtype=object)
    )
    return result
