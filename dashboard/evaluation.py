"""Held-out metrics, confusion matrices, curves, calibration and per-row explanations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from dashboard.errors import SoftmaxLabError
from dashboard.information import softmax
from dashboard.interval import wilson_interval
from dashboard.words import number_text, plural

NORMALISATIONS = (None, "true", "pred", "all")
"""Ways to normalise a confusion matrix: counts, by true class (rows), by predicted class
(columns), over all rows."""


def _as_labels(y: Sequence | np.ndarray, *, name: str = "labels") -> np.ndarray:
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise SoftmaxLabError(f"The {name} must be one column", where=name)
    return labels.astype(str)


def _as_classes(classes: Sequence[str]) -> tuple[str, ...]:
    names = tuple(str(c) for c in classes)
    if len(names) < 2:
        raise SoftmaxLabError(
            "A classifier needs at least two classes",
            where="classes",
            hint="Choose a target column with two or more different values.",
        )
    if len(set(names)) != len(names):
        raise SoftmaxLabError("The class names repeat", where="classes")
    return names


def _check_known(y: np.ndarray, classes: tuple[str, ...]) -> np.ndarray:
    """Position of each label in ``classes``; a label outside ``classes`` is an error."""
    codes = pd.Index(list(classes)).get_indexer(y).astype(np.intp)
    unknown = np.flatnonzero(codes < 0)
    if unknown.size:
        raise SoftmaxLabError(
            f"The label '{y[unknown[0]]}' is not one of the model's classes",
            where=f"row {int(unknown[0]) + 1}",
            hint="Use rows whose target is a class the model was trained on.",
        )
    return codes


def _as_proba(proba: np.ndarray, n_rows: int, n_classes: int) -> np.ndarray:
    p = np.asarray(proba, dtype=float)
    if p.ndim != 2 or p.shape != (n_rows, n_classes):
        raise SoftmaxLabError(
            f"Expected probabilities for {n_rows} rows and {n_classes} classes, got shape "
            f"{p.shape}",
            where="probabilities",
        )
    if not np.all(np.isfinite(p)):
        raise SoftmaxLabError("Some probabilities are not numbers", where="probabilities")
    return p


def _confusion_scores(
    true_codes: np.ndarray, predicted_codes: np.ndarray, n_classes: int
) -> tuple[np.ndarray, ...]:
    """Confusion matrix, then each class's precision, recall, F1 and support.

    What ``confusion_matrix`` and ``precision_recall_fscore_support(zero_division=0)`` give
    for labels in class order, counted with one ``bincount``: a ratio with nothing to divide
    by is 0, and F1 is ``2 tp / (predicted + true)``.

    Examples
    --------
    >>> cm, precision, recall, f1, support = _confusion_scores(
    ...     np.array([0, 1, 1]), np.array([0, 0, 1]), 3)
    >>> cm.tolist(), precision.tolist(), recall.tolist(), support.tolist()
    ([[1, 0, 0], [1, 1, 0], [0, 0, 0]], [0.5, 1.0, 0.0], [1.0, 0.5, 0.0], [1, 2, 0])
    """
    k = int(n_classes)
    flat = np.asarray(true_codes, dtype=np.intp) * k + np.asarray(predicted_codes, dtype=np.intp)
    cm = np.bincount(flat, minlength=k * k).reshape(k, k).astype(np.int64)
    tp = np.diag(cm).astype(float)
    predicted = cm.sum(axis=0).astype(float)
    support = cm.sum(axis=1)
    true = support.astype(float)

    def ratio(top, bottom):
        return np.divide(top, bottom, out=np.zeros(k), where=bottom > 0)

    return cm, ratio(tp, predicted), ratio(tp, true), ratio(2 * tp, predicted + true), support


def row_cross_entropy(
    y_true: Sequence | np.ndarray, proba: np.ndarray, classes: Sequence[str]
) -> np.ndarray:
    """Each row's cross-entropy against its true label, ``-ln p(true class)``, in nats.

    Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` the float precision) as
    :func:`sklearn.metrics.log_loss` does, so the mean over rows is exactly the log-loss.

    Parameters
    ----------
    y_true : array-like of str, shape (n_rows,)
    proba : array-like, shape (n_rows, n_classes)
        Probabilities, columns in ``classes`` order.
    classes : sequence of str

    Returns
    -------
    numpy.ndarray, shape (n_rows,)
    """
    names = _as_classes(classes)
    y = _as_labels(y_true, name="true labels")
    codes = _check_known(y, names)
    p = _as_proba(proba, y.size, len(names))
    eps = np.finfo(p.dtype).eps
    p_true = np.clip(p[np.arange(y.size), codes], eps, 1 - eps)
    return -np.log(p_true)


# --- how sure, and against what --------------------------------------------------------------

CONFIDENCE = 0.95
"""The confidence of every interval the product shows."""


def accuracy_interval(
    n_correct: int, n_rows: int, *, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The Wilson score interval for an accuracy of ``n_correct`` out of ``n_rows``.

    A 95 % Wilson score interval by default: with ``p = n_correct / n_rows`` and ``z`` the
    normal quantile of ``(1 + confidence) / 2`` (1.96 for 95 %),

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``.

    Unlike the textbook ``p ± z·sqrt(p(1-p)/n)`` it stays inside [0, 1] and does not shrink
    to a point when every row is right (17 of 17 gives about 0.82 to 1), which is what a
    small held-out part needs.

    Parameters
    ----------
    n_correct : int
        Held-out rows predicted right.
    n_rows : int
        Held-out rows, at least 1.
    confidence : float, default 0.95
        Between 0 and 1 (exclusive).

    Returns
    -------
    tuple of float
        ``(lo, hi)``, with ``0 <= lo <= n_correct / n_rows <= hi <= 1``.

    Examples
    --------
    >>> lo, hi = accuracy_interval(8, 10)
    >>> round(lo, 3), round(hi, 3)
    (0.49, 0.943)
    >>> accuracy_interval(17, 17)[1]
    1.0
    """
    if isinstance(n_rows, bool) or not isinstance(n_rows, (int, np.integer)) or n_rows < 1:
        raise SoftmaxLabError(
            f"An accuracy needs at least one row, got {n_rows!r}", where="held-out rows"
        )
    if (
        isinstance(n_correct, bool)
        or not isinstance(n_correct, (int, np.integer))
        or not 0 <= n_correct <= n_rows
    ):
        raise SoftmaxLabError(
            f"The rows predicted right must be a whole number from 0 to {n_rows}, got "
            f"{n_correct!r}",
            where="held-out rows",
        )
    if not 0 < confidence < 1:
        raise SoftmaxLabError(
            f"The confidence must be between 0 and 1, got {confidence!r}", where="confidence"
        )
    return wilson_interval(n_correct, n_rows, confidence)


WEIGHTED_VS_MACRO = (
    "Macro averages give every class the same say, so a small class counts as much as a big "
    "one; weighted averages (scikit-learn's classification report shows them too) weigh each "
    "class by its held-out rows, so they follow the big classes."
)
"""One line on why the macro and the weighted averages differ."""


@dataclass(frozen=True, kw_only=True, eq=False)
class Baseline:
    """What the trivial model scores on the held-out rows.

    The trivial model ignores the features: it always predicts the most frequent class of
    the training part (``DummyClassifier(strategy="most_frequent")``) and gives every row
    the training class shares as probabilities (``DummyClassifier(strategy="prior")``, whose
    predicted class is the same one).

    Attributes
    ----------
    majority_class : str
        The class it always predicts (on a tie, the first in ``classes`` order).
    accuracy, precision_macro, recall_macro, f1_macro : float
    precision_weighted, recall_weighted, f1_weighted : float
        Its scores on the held-out rows (``zero_division=0``).
    log_loss : float
        Its log-loss on the held-out rows, in nats.
    class_shares : tuple of float
        Share of each class among the training rows, in ``classes`` order.
    classes : tuple of str
    """

    majority_class: str
    accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    precision_weighted: float
    recall_weighted: float
    f1_weighted: float
    log_loss: float
    class_shares: tuple[float, ...]
    classes: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON-able summary: the CLI's ``baseline`` block.

        Returns
        -------
        dict
            ``accuracy``, ``log_loss``, ``class``, then the macro and weighted averages.
        """
        return {
            "accuracy": float(self.accuracy),
            "log_loss": float(self.log_loss),
            "class": str(self.majority_class),
            "precision_macro": float(self.precision_macro),
            "recall_macro": float(self.recall_macro),
            "f1_macro": float(self.f1_macro),
            "precision_weighted": float(self.precision_weighted),
            "recall_weighted": float(self.recall_weighted),
            "f1_weighted": float(self.f1_weighted),
        }

    def compare(self, metric: str, value: float) -> str:
        """A model's held-out number beside the trivial model's, in words.

        Parameters
        ----------
        metric : str
            ``"accuracy"``, ``"log_loss"``, or one of the macro or weighted averages
            (``"f1_macro"``, ``"recall_weighted"``, ...).
        value : float
            The model's number for that metric.

        Returns
        -------
        str
            Plain text (the class name as it is: escape it for markdown).

        Examples
        --------
        >>> b = baseline_scores(["x"] * 3 + ["y"], ["x", "y"], ["x", "y"])
        >>> b.compare("accuracy", 0.66)
        "0.660, against 0.500 for always guessing 'x'"
        """
        if metric == "log_loss":
            return (
                f"{value:.3f}, against {self.log_loss:.3f} for giving every row the training "
                "class shares as probabilities"
            )
        names = (
            "accuracy",
            "precision_macro",
            "recall_macro",
            "f1_macro",
            "precision_weighted",
            "recall_weighted",
            "f1_weighted",
        )
        if metric not in names:
            raise SoftmaxLabError(
                f"There is no baseline for {metric!r}",
                where="metric",
                hint="Use one of: log_loss, " + ", ".join(names) + ".",
            )
        return (
            f"{number_text(value)}, against {number_text(getattr(self, metric))} for always "
            "guessing "
            f"'{self.majority_class}'"
        )


def baseline_scores(
    y_train: Sequence | np.ndarray, y_test: Sequence | np.ndarray, classes: Sequence[str]
) -> Baseline:
    """Score the trivial model, fitted on the training labels, on the held-out labels.

    Parameters
    ----------
    y_train : array-like of str
        The training part's labels (the trivial model's only input).
    y_test : array-like of str
        The held-out labels.
    classes : sequence of str
        The model's classes; every label must be one of them.

    Returns
    -------
    Baseline

    Examples
    --------
    >>> b = baseline_scores(["a", "a", "b"], ["a", "b"], ["a", "b"])
    >>> b.majority_class, b.accuracy, round(b.log_loss, 4)
    ('a', 0.5, 0.752)
    """
    names = _as_classes(classes)
    train = _as_labels(y_train, name="training labels")
    test = _as_labels(y_test, name="true labels")
    if train.size == 0 or test.size == 0:
        raise SoftmaxLabError(
            "The trivial model needs training rows and held-out rows",
            where="held-out part" if train.size else "training part",
        )
    counts = np.bincount(_check_known(train, names), minlength=len(names))
    test_codes = _check_known(test, names)
    shares = counts / counts.sum()
    majority = int(np.argmax(counts))
    _, precision, recall, f1, support = _confusion_scores(
        test_codes, np.full(test.size, majority), len(names)
    )
    weights = support / support.sum()
    proba = np.broadcast_to(shares, (test.size, len(names)))
    return Baseline(
        majority_class=names[majority],
        accuracy=float(np.mean(test_codes == majority)),
        precision_macro=float(precision.mean()),
        recall_macro=float(recall.mean()),
        f1_macro=float(f1.mean()),
        precision_weighted=float(precision @ weights),
        recall_weighted=float(recall @ weights),
        f1_weighted=float(f1 @ weights),
        log_loss=float(row_cross_entropy(test, proba, names).mean()),
        class_shares=tuple(float(s) for s in shares),
        classes=names,
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class HoldoutEvaluation:
    """Scores of the refit model on the held-out rows.

    Attributes
    ----------
    accuracy, precision_macro, recall_macro, f1_macro : float
        Macro averages give every class the same weight; a class never predicted has
        precision 0 (scikit-learn's ``zero_division=0``).
    log_loss : float
        Mean cross-entropy of the true class, in nats (:func:`sklearn.metrics.log_loss`).
    confusion_matrix : numpy.ndarray of int, shape (n_classes, n_classes)
        Rows are the true class, columns the predicted class, both in ``classes`` order.
    per_class : pandas.DataFrame
        Columns ``class``, ``precision``, ``recall``, ``f1``, ``support``.
    classes : tuple of str
    precision_weighted, recall_weighted, f1_weighted : float
        Averages weighted by each class's held-out rows (scikit-learn's
        ``average="weighted"``, what the seed article reports); see ``WEIGHTED_VS_MACRO``.
    accuracy_interval : tuple of float
        The 95 % Wilson score interval of the accuracy (:func:`accuracy_interval`).
    baseline : Baseline or None
        The trivial model's scores on the same rows (:func:`baseline_scores`); None when the
        training labels were not given.
    """

    accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    log_loss: float
    confusion_matrix: np.ndarray
    per_class: pd.DataFrame
    classes: tuple[str, ...]
    precision_weighted: float = float("nan")
    recall_weighted: float = float("nan")
    f1_weighted: float = float("nan")
    accuracy_interval: tuple[float, float] = (float("nan"), float("nan"))
    baseline: Baseline | None = None

    def as_dict(self) -> dict:
        """JSON-able summary with the keys of the CLI's ``test`` block (plus per-class rows).

        Returns
        -------
        dict
            ``accuracy``, ``precision_macro``, ``recall_macro``, ``f1_macro``, ``log_loss``,
            ``confusion_matrix`` (lists of int), ``classes`` and ``per_class`` (records), then
            ``precision_weighted``, ``recall_weighted``, ``f1_weighted`` and
            ``accuracy_interval`` (``[lo, hi]``). The baseline is not in it: the CLI prints
            it as its own block (``baseline.as_dict()``).
        """
        return {
            "accuracy": float(self.accuracy),
            "precision_macro": float(self.precision_macro),
            "recall_macro": float(self.recall_macro),
            "f1_macro": float(self.f1_macro),
            "precision_weighted": float(self.precision_weighted),
            "recall_weighted": float(self.recall_weighted),
            "f1_weighted": float(self.f1_weighted),
            "accuracy_interval": [float(v) for v in self.accuracy_interval],
            "log_loss": float(self.log_loss),
            "confusion_matrix": [[int(v) for v in row] for row in self.confusion_matrix],
            "classes": list(self.classes),
            "per_class": [
                {
                    "class": str(r["class"]),
                    "precision": float(r["precision"]),
                    "recall": float(r["recall"]),
                    "f1": float(r["f1"]),
                    "support": int(r["support"]),
                }
                for r in self.per_class.to_dict("records")
            ],
        }


def evaluate_holdout(
    y_true: Sequence | np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    y_train: Sequence | np.ndarray | None = None,
) -> HoldoutEvaluation:
    """Score predicted probabilities against the true labels of the held-out rows.

    The predicted class of a row is the class with the largest probability (the first one
    on a tie, as ``LogisticRegression.predict`` does).

    Parameters
    ----------
    y_true : array-like of str, shape (n_rows,)
        True labels, each one of ``classes``.
    proba : array-like of float, shape (n_rows, n_classes)
        Predicted probabilities, columns in ``classes`` order (``pipeline.predict_proba``).
    classes : sequence of str
        The model's classes (``pipeline.classes_``).
    y_train : array-like of str, optional
        The training part's labels; when given, the record carries the trivial model's
        scores on the same held-out rows (``baseline``).

    Returns
    -------
    HoldoutEvaluation

    Raises
    ------
    SoftmaxLabError
        If there are no rows, shapes disagree, or a label is not one of ``classes``.

    Examples
    --------
    >>> ev = evaluate_holdout(["a", "b", "b"], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], ["a", "b"])
    >>> round(ev.accuracy, 3), ev.confusion_matrix.tolist()
    (0.667, [[1, 0], [1, 1]])
    >>> ev = evaluate_holdout(["a", "b", "b"], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], ["a", "b"],
    ...                       y_train=["b", "b", "a"])
    >>> ev.baseline.compare("accuracy", ev.accuracy)
    "0.667, against 0.667 for always guessing 'b'"
    """
    names = _as_classes(classes)
    y = _as_labels(y_true, name="true labels")
    if y.size == 0:
        raise SoftmaxLabError(
            "There are no held-out rows to score",
            where="held-out part",
            hint="Use a larger held-out share or more rows.",
        )
    codes = _check_known(y, names)
    p = _as_proba(proba, y.size, len(names))
    label_list = list(names)
    cm, precision, recall, f1, support = _confusion_scores(codes, p.argmax(axis=1), len(names))
    per_class = _per_class_table(label_list, precision, recall, f1, support)
    losses = row_cross_entropy(y, p, names)
    weights = support / support.sum()
    return HoldoutEvaluation(
        accuracy=float(np.trace(cm) / cm.sum()),
        precision_macro=float(precision.mean()),
        recall_macro=float(recall.mean()),
        f1_macro=float(f1.mean()),
        log_loss=float(losses.mean()),
        confusion_matrix=cm,
        per_class=per_class,
        classes=names,
        precision_weighted=float(precision @ weights),
        recall_weighted=float(recall @ weights),
        f1_weighted=float(f1 @ weights),
        accuracy_interval=accuracy_interval(int(np.trace(cm)), int(cm.sum())),
        baseline=None if y_train is None else baseline_scores(y_train, y, names),
    )


def _per_class_table(classes, precision, recall, f1, support) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "class": pd.Series(classes, dtype=object),
            "precision": precision.astype(float),
            "recall": recall.astype(float),
            "f1": f1.astype(float),
            "support": support.astype(int),
        }
    )


def normalise_confusion(cm: np.ndarray, normalize: str | None) -> np.ndarray:
    """A confusion matrix as counts or as shares, like scikit-learn's ``normalize`` option.

    Parameters
    ----------
    cm : array-like of int, shape (n_classes, n_classes)
        Counts; rows are the true class, columns the predicted class.
    normalize : {None, "true", "pred", "all"}
        ``None`` keeps the counts; ``"true"`` divides each row by its total (the diagonal is
        each class's recall); ``"pred"`` divides each column by its total (the diagonal is
        precision); ``"all"`` divides by the number of rows (the diagonal adds up to the
        accuracy). A row or column with no rows gives shares of 0.

    Returns
    -------
    numpy.ndarray
        Counts (int) for ``None``, shares (float) otherwise.

    Raises
    ------
    SoftmaxLabError
        If ``normalize`` is not one of the four options or ``cm`` is not a square table of
        non-negative counts.

    Examples
    --------
    >>> normalise_confusion([[3, 1], [0, 4]], "true").tolist()
    [[0.75, 0.25], [0.0, 1.0]]
    """
    if normalize not in NORMALISATIONS:
        raise SoftmaxLabError(
            f"{normalize!r} is not a way to normalise a confusion matrix",
            where="normalisation",
            hint="Choose none, 'true' (by true class), 'pred' (by predicted class) or 'all'.",
        )
    counts = np.asarray(cm)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise SoftmaxLabError("A confusion matrix must be a square table", where="confusion")
    if not np.issubdtype(counts.dtype, np.number) or np.any(~np.isfinite(counts)):
        raise SoftmaxLabError("A confusion matrix must hold numbers", where="confusion")
    if np.any(counts < 0):
        raise SoftmaxLabError("A confusion matrix cannot hold negative counts", where="confusion")
    if normalize is None:
        return counts.copy()
    values = counts.astype(float)
    if normalize == "true":
        totals = values.sum(axis=1, keepdims=True)
    elif normalize == "pred":
        totals = values.sum(axis=0, keepdims=True)
    else:
        totals = np.full((1, 1), values.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(totals > 0, values / np.where(totals > 0, totals, 1.0), 0.0)
    return shares


# --- logits and contributions of a fitted pipeline --------------------------------------------


def _pipeline_parts(pipeline) -> tuple[object, object]:
    """(preprocessing, LogisticRegression) of a fitted pipeline."""
    try:
        model = pipeline[-1]
        preprocess = pipeline[:-1]
        coef = np.asarray(model.coef_, dtype=float)
        np.asarray(model.intercept_, dtype=float)
        model.classes_  # noqa: B018 - fitted check
    except (AttributeError, TypeError, IndexError):
        raise SoftmaxLabError(
            "This model is not a trained softmax classifier",
            where="model",
            hint="Train a model on the Train page first.",
        ) from None
    if coef.ndim != 2:
        raise SoftmaxLabError("The model's weights have an unexpected shape", where="model")
    return preprocess, model


def _full_weights(model) -> tuple[np.ndarray, np.ndarray]:
    """Weights (n_classes, n_features) and intercepts (n_classes,) of the softmax.

    With two classes scikit-learn learns one weight vector ``w`` for the second class; that
    is a softmax whose first class has weights and intercept fixed at 0, because
    ``softmax([0, z]) = [1 - sigmoid(z), sigmoid(z)]``.
    """
    coef = np.asarray(model.coef_, dtype=float)
    intercept = np.asarray(model.intercept_, dtype=float).reshape(-1)
    if coef.shape[0] == 1 and len(model.classes_) == 2:
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return coef, intercept


def _transform(preprocess, X: pd.DataFrame):
    """The preprocessing step applied to rows, with a plain error when the rows do not fit it."""
    expected = getattr(preprocess, "feature_names_in_", None)
    if expected is not None and isinstance(X, pd.DataFrame):
        missing = [str(c) for c in expected if c not in X.columns]
        if missing:
            raise SoftmaxLabError(
                f"The row lacks {plural(len(missing), 'column')} the model needs: "
                + ", ".join(f"'{c}'" for c in missing[:5]),
                where="row",
                hint="Give a value (or leave it empty) for every column the model was trained on.",
            )
    try:
        return preprocess.transform(X)
    except (ValueError, TypeError) as err:
        raise SoftmaxLabError(
            "The model cannot read this row: a value does not fit its column's type",
            where="row",
            hint="Use numbers in numeric columns; leave a cell empty if the value is unknown.",
        ) from err


def _dense(matrix) -> np.ndarray:
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    return np.asarray(matrix, dtype=float)


def feature_names_out(pipeline) -> tuple[str, ...]:
    """Names of the model's inputs after preprocessing, in the order of its weights.

    The one naming scheme of the model's inputs (see :func:`preprocessed_names`): a column
    that is imputed or scaled keeps its name, a one-hot encoded column gives one name per
    category (``colour = red``).

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted; its last step is the LogisticRegression.

    Returns
    -------
    tuple of str
        One name per weight; ``x0, x1, ...`` when the preprocessing cannot name them.
    """
    preprocess, model = _pipeline_parts(pipeline)
    n_features = np.asarray(model.coef_).shape[1]
    names = preprocessed_names(preprocess)
    if names is None or len(names) != n_features:
        names = [f"x{i}" for i in range(n_features)]
    return tuple(names)


def preprocessed_names(preprocess) -> list[str] | None:
    """Readable names of what a fitted preprocessing step puts out, or None if it cannot say.

    In a ``ColumnTransformer``, a column that is imputed, scaled or passed through keeps its
    name; a one-hot encoded column gives one name per value it stands for, ``colour = red``
    (rare values grouped by ``max_categories`` are ``colour = other (rare values)``). Other
    steps are named by their ``get_feature_names_out``.

    Examples
    --------
    >>> from sklearn.compose import ColumnTransformer
    >>> from sklearn.preprocessing import OneHotEncoder, StandardScaler
    >>> frame = pd.DataFrame({"age": [30, 40, 50], "colour": ["red", "blue", "red"]})
    >>> step = ColumnTransformer([("numeric", StandardScaler(), ["age"]),
    ...                           ("categorical", OneHotEncoder(), ["colour"])]).fit(frame)
    >>> preprocessed_names(step)
    ['age', 'colour = blue', 'colour = red']
    """
    step = preprocess
    while isinstance(step, Pipeline) and len(step.steps) == 1:
        step = step.steps[0][1]
    if not isinstance(step, ColumnTransformer):
        try:
            return [str(n) for n in step.get_feature_names_out()]
        except (AttributeError, TypeError, ValueError):
            return None
    names: list[str] = []
    for _, transformer, columns in step.transformers_:
        if isinstance(transformer, str):  # "drop" or "passthrough"
            names.extend(str(c) for c in columns if transformer == "passthrough")
            continue
        encoder = transformer[-1] if isinstance(transformer, Pipeline) else transformer
        if isinstance(encoder, OneHotEncoder):
            for column, values in zip(columns, _onehot_outputs(encoder), strict=True):
                names.extend(f"{column} = {value}" for value in values)
            continue
        try:
            names.extend(str(n) for n in transformer.get_feature_names_out())
        except (AttributeError, TypeError, ValueError):
            return None
    return names


def _onehot_outputs(encoder) -> list[list[str]]:
    """Per input column, the values its one-hot columns stand for ("other" for rare ones)."""
    outputs = []
    infrequent = getattr(encoder, "infrequent_categories_", [None] * len(encoder.categories_))
    for categories, rare in zip(encoder.categories_, infrequent, strict=True):
        if rare is None or len(rare) == 0:
            outputs.append([str(c) for c in categories])
        else:
            rare_set = set(rare.tolist())
            kept = [str(c) for c in categories if c not in rare_set]
            outputs.append(kept + ["other (rare values)"])
    return outputs


def pipeline_logits(pipeline, X: pd.DataFrame) -> np.ndarray:
    """Softmax logits ``z = x W^T + b`` of every row, shape (n_rows, n_classes).

    For more than two classes this is ``pipeline.decision_function(X)``; for two it is
    ``[0, decision_function(X)]`` per row (see :func:`explain_row`). Either way
    ``softmax(z) = pipeline.predict_proba(X)``.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted ``Pipeline([("preprocess", ...), ("logisticregression", ...)])``.
    X : pandas.DataFrame
        Rows with the model's input columns.

    Returns
    -------
    numpy.ndarray, shape (n_rows, n_classes)

    Raises
    ------
    SoftmaxLabError
        If the model is not fitted or the rows lack a column or hold a value of the wrong type.
    """
    preprocess, model = _pipeline_parts(pipeline)
    coef, intercept = _full_weights(model)
    x = _transform(preprocess, X)
    return np.asarray(x @ coef.T, dtype=float) + intercept


@dataclass(frozen=True, kw_only=True, eq=False)
class RowExplanation:
    """How the model turns one row into probabilities, term by term.

    Attributes
    ----------
    classes : tuple of str
    feature_names : tuple of str
        The model's inputs after preprocessing (one per one-hot category).
    raw : pandas.Series
        The row's values as given, before preprocessing.
    x : numpy.ndarray, shape (n_features,)
        The values the model sees: numeric columns imputed and standardised
        (``(value - mean) / std``), categories one-hot (1 for the row's category, else 0).
    weights : numpy.ndarray, shape (n_classes, n_features)
        ``w_k``; with two classes the first class's weights are 0 (see :func:`explain_row`).
    contributions : numpy.ndarray, shape (n_classes, n_features)
        ``w_kj * x_j``; each row plus its intercept adds up to that class's logit.
    intercepts : numpy.ndarray, shape (n_classes,)
    logits : numpy.ndarray, shape (n_classes,)
        ``z_k = w_k . x + b_k``.
    probabilities : numpy.ndarray, shape (n_classes,)
        ``softmax(z)``, equal to ``predict_proba``.
    true_label : str or None
    cross_entropy : float or None
        ``-ln p(true class)`` in nats: the row's log-loss (clipped as log-loss does).
    text_inputs : numpy.ndarray of bool, shape (n_features,)
        Which inputs are free-text terms (TF-IDF of a word or a run of characters); all
        False when the model reads no text.
    """

    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    raw: pd.Series
    x: np.ndarray
    weights: np.ndarray
    contributions: np.ndarray
    intercepts: np.ndarray
    logits: np.ndarray
    probabilities: np.ndarray
    true_label: str | None = None
    cross_entropy: float | None = None
    text_inputs: np.ndarray | None = None

    @property
    def predicted(self) -> str:
        """The class with the largest probability."""
        return self.classes[int(np.argmax(self.probabilities))]

    def class_index(self, name: str) -> int:
        """Position of a class in ``classes``.

        Returns
        -------
        int

        Raises
        ------
        SoftmaxLabError
            If ``name`` is not one of ``classes``.
        """
        try:
            return self.classes.index(str(name))
        except ValueError:
            raise SoftmaxLabError(
                f"'{name}' is not one of the model's classes", where="class"
            ) from None

    def terms(self, class_name: str) -> pd.DataFrame:
        """One class's logit as a table: feature, value x, weight w, contribution w * x.

        Parameters
        ----------
        class_name : str

        Returns
        -------
        pandas.DataFrame
            Columns ``feature``, ``value``, ``weight``, ``contribution``; the last row is the
            intercept (value 1), and the ``contribution`` column adds up to the logit.
        """
        k = self.class_index(class_name)
        table = pd.DataFrame(
            {
                "feature": pd.Series(list(self.feature_names) + ["(intercept)"], dtype=object),
                "value": np.append(self.x, 1.0),
                "weight": np.append(self.weights[k], self.intercepts[k]),
                "contribution": np.append(self.contributions[k], self.intercepts[k]),
            }
        )
        return table

    def pushing_words(self, class_name: str, *, top: int = 5) -> list[tuple[str, float]]:
        """The text terms of this row that pushed one class up most, as (term, push).

        A term's push for class k is its contribution to k's logit minus its mean
        contribution over all classes (softmax only sees logits relative to each other; with
        two classes this is half the log-odds contribution, with opposite signs). Empty when
        the model reads no text or no term of the row raised the class.

        Parameters
        ----------
        class_name : str
        top : int, default 5

        Returns
        -------
        list of (str, float)
            Largest contribution first (:func:`dashboard.features.strongest_terms`).
        """
        from dashboard.features import strongest_terms

        k = self.class_index(class_name)
        if self.text_inputs is None or not self.text_inputs.any():
            return []
        where = np.flatnonzero(self.text_inputs)
        names = [self.feature_names[j] for j in where]
        part = self.contributions[:, where]
        return strongest_terms(part[k] - part.mean(axis=0), names, top=top)

    def sentences(self, *, holdout_log_loss: float | None = None) -> list[str]:
        """The row's story with its numbers, in plain sentences.

        Parameters
        ----------
        holdout_log_loss : float, optional
            The held-out log-loss, to say that it is the mean of these per-row losses.

        Returns
        -------
        list of str
            Plain text (class names included as they are: escape them for markdown).
        """
        k = int(np.argmax(self.probabilities))
        out = [
            f"The largest logit is {self.classes[k]}'s ({self.logits[k]:.3f}), so softmax gives "
            f"it the largest probability: {self.probabilities[k]:.3f}."
        ]
        if self.true_label is not None and self.cross_entropy is not None:
            t = self.class_index(self.true_label)
            out.append(
                f"The true class is {self.true_label}, which got probability "
                f"{self.probabilities[t]:.3f}; this row's cross-entropy (its log-loss) is "
                f"-ln {self.probabilities[t]:.3f} = {self.cross_entropy:.3f} nats."
            )
            if holdout_log_loss is not None:
                out.append(
                    "The mean of these per-row losses over the held-out rows is the log-loss "
                    f"on Evaluate: {holdout_log_loss:.3f}."
                )
        return out


def explain_row(
    pipeline,
    row: pd.DataFrame,
    *,
    true_label: str | None = None,
    feature_names: Sequence[str] | None = None,
) -> RowExplanation:
    """Take one row through the fitted pipeline and keep every intermediate number.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted ``Pipeline([("preprocess", ...), ("logisticregression", LogisticRegression)])``.
    row : pandas.DataFrame
        Exactly one row with the model's input columns (a ``Series`` is accepted too).
    true_label : str, optional
        The row's true class, for its cross-entropy.
    feature_names : sequence of str, optional
        Display names of the model's inputs after preprocessing (``TrainedModel.feature_names``,
        such as ``colour = red``); default :func:`feature_names_out`.

    Returns
    -------
    RowExplanation
        ``logits`` equal ``decision_function`` (with more than two classes; with two, the
        first class's logit is fixed at 0 and the second's is ``decision_function``), and
        ``probabilities`` equal ``predict_proba``.

    Raises
    ------
    SoftmaxLabError
        If ``row`` is not exactly one row, or ``true_label`` is not a class of the model.
    """
    if isinstance(row, pd.Series):
        row = row.to_frame().T
    if not isinstance(row, pd.DataFrame) or len(row) != 1:
        raise SoftmaxLabError(
            "Pick exactly one row to explain", where="row", hint="Choose a single row."
        )
    preprocess, model = _pipeline_parts(pipeline)
    classes = tuple(str(c) for c in model.classes_)
    weights, intercepts = _full_weights(model)
    x = _dense(_transform(preprocess, row))[0]
    contributions = weights * x[None, :]
    logits = contributions.sum(axis=1) + intercepts
    probabilities = softmax(logits)
    loss = None
    if true_label is not None:
        loss = float(row_cross_entropy([str(true_label)], probabilities[None, :], classes)[0])
    names = feature_names_out(pipeline) if feature_names is None else tuple(map(str, feature_names))
    if len(names) != x.size:
        raise SoftmaxLabError(
            f"{len(names)} feature names for {x.size} model inputs", where="feature names"
        )
    return RowExplanation(
        classes=classes,
        feature_names=names,
        text_inputs=_text_inputs(preprocess, x.size),
        raw=row.iloc[0].copy(),
        x=x,
        weights=weights,
        contributions=contributions,
        intercepts=intercepts,
        logits=logits,
        probabilities=probabilities,
        true_label=None if true_label is None else str(true_label),
        cross_entropy=loss,
    )


def _text_inputs(preprocess, n_inputs: int) -> np.ndarray:
    """Which of the preprocessing's outputs come from its "text" branch (free-text terms)."""
    mask = np.zeros(n_inputs, dtype=bool)
    step = preprocess
    while isinstance(step, Pipeline) and len(step.steps) == 1:
        step = step.steps[0][1]
    where = getattr(step, "output_indices_", {}).get("text")
    if isinstance(where, slice) and (where.stop or 0) <= n_inputs:
        mask[where] = True
    return mask


# --- curves -----------------------------------------------------------------------------------


def thin_curve(x: np.ndarray, y: np.ndarray, *, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ``max_points`` points of a curve, spread evenly along its length.

    The first and last points are always kept, and points are picked by distance travelled
    along the curve (in the unit square), so corners survive better than with every n-th
    point.

    Parameters
    ----------
    x, y : array-like of float, same length
        The curve's points in order.
    max_points : int
        The most points to keep (at least 2 to thin at all).

    Returns
    -------
    tuple of numpy.ndarray
        The kept ``x`` and ``y``.

    Examples
    --------
    >>> x = np.linspace(0, 1, 1001)
    >>> tx, ty = thin_curve(x, x, max_points=11)
    >>> tx.size, float(tx[0]), float(tx[-1])
    (11, 0.0, 1.0)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.size
    if n <= max_points or max_points < 2:
        return x, y
    steps = np.hypot(np.diff(x), np.diff(y))
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] <= 0:
        keep = np.linspace(0, n - 1, max_points).round().astype(int)
    else:
        targets = np.linspace(0.0, along[-1], max_points)
        keep = np.searchsorted(along, targets, side="left")
        keep = np.clip(keep, 0, n - 1)
        keep[0], keep[-1] = 0, n - 1
        keep = np.unique(keep)
    return x[keep], y[keep]


@dataclass(frozen=True, kw_only=True, eq=False)
class Curve:
    """One curve of a :class:`CurveSet`.

    Attributes
    ----------
    name : str
        The class, or ``"micro average"`` / ``"macro average"``.
    x, y : numpy.ndarray
        (false positive rate, true positive rate) for ROC; (recall, precision) for
        precision-recall; thinned to at most ``max_points``.
    score : float
        AUC or average precision, computed on the full curve (``nan`` when undefined).
    positives : int
        Rows of that class (for the averages: all rows).
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    score: float
    positives: int


@dataclass(frozen=True, kw_only=True, eq=False)
class CurveSet:
    """One-vs-rest curves for each class plus micro and macro averages.

    ``kind`` is ``"roc"`` or ``"pr"``. ``micro`` pools every (row, class) pair into one
    yes/no problem; ``macro_score`` is the plain mean of the per-class scores over classes
    that have both positive and negative rows. ``macro`` is a curve only for ROC (the mean
    true positive rate at each false positive rate); for PR it is ``None``.

    Attributes
    ----------
    kind : {"roc", "pr"}
    per_class : tuple of Curve
        In the order of the classes.
    micro : Curve
    macro : Curve or None
    micro_score, macro_score : float
    notes : tuple of str
        Plain sentences about classes left out (no rows of the class in these rows).
    """

    kind: str
    per_class: tuple[Curve, ...]
    micro: Curve
    macro: Curve | None
    micro_score: float
    macro_score: float
    notes: tuple[str, ...]


def _curve_inputs(y_true, proba, classes) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    names = _as_classes(classes)
    y = _as_labels(y_true, name="true labels")
    if y.size == 0:
        raise SoftmaxLabError("There are no rows to draw curves from", where="held-out part")
    codes = _check_known(y, names)
    p = _as_proba(proba, y.size, len(names))
    onehot = np.zeros(p.shape, dtype=np.int8)
    onehot[np.arange(y.size), codes] = 1
    return onehot, p, names


def _counts_at_thresholds(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, ...]:
    """False and true positives when every distinct score in turn is the threshold (highest
    first): the counting behind scikit-learn's ROC and precision-recall curves, done with one
    sort so that a million rows times fifty classes stays affordable."""
    order = np.argsort(-score, kind="quicksort")
    sorted_score = score[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(sorted_score)), sorted_score.size - 1]
    tps = np.cumsum(positive[order], dtype=np.int64)[last_of_tie]
    fps = last_of_tie + 1 - tps
    return fps.astype(float), tps.astype(float)


def _roc(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    fps, tps = _counts_at_thresholds(positive, score)
    fpr = np.r_[0.0, fps / fps[-1]]
    tpr = np.r_[0.0, tps / tps[-1]]
    return fpr, tpr, float(np.trapezoid(tpr, fpr))


def _precision_recall(
    positive: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Recall (rising from 0), precision, and average precision
    ``sum_n (R_n - R_{n-1}) P_n``, as :func:`sklearn.metrics.average_precision_score`."""
    fps, tps = _counts_at_thresholds(positive, score)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    ap = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    return np.r_[0.0, recall], np.r_[1.0, precision], ap


def roc_curves(
    y_true: Sequence | np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    max_points: int = 400,
) -> CurveSet:
    """One-vs-rest ROC curves with AUC per class, micro and macro averaged.

    Parameters
    ----------
    y_true : array-like of str, shape (n_rows,)
    proba : array-like, shape (n_rows, n_classes)
        Columns in ``classes`` order.
    classes : sequence of str
    max_points : int, default 400
        Each curve is thinned to at most this many points (scores use the full curve).

    Returns
    -------
    CurveSet
        Per-class scores equal ``roc_auc_score(y == class, proba[:, class])``;
        ``macro_score`` equals ``roc_auc_score(y, proba, multi_class="ovr",
        average="macro")``; ``micro_score`` equals ``roc_auc_score`` of the one-hot labels
        with ``average="micro"``. A class with no rows (or only rows) has no curve and score
        ``nan``, is left out of the macro average, and is named in ``notes``.
    """
    onehot, p, names = _curve_inputs(y_true, proba, classes)
    per_class: list[Curve] = []
    notes: list[str] = []
    grid = np.linspace(0.0, 1.0, max(2, max_points))
    tprs = []
    for k, name in enumerate(names):
        positives = int(onehot[:, k].sum())
        if positives == 0 or positives == onehot.shape[0]:
            notes.append(
                f"{name}: no ROC curve, because the rows are all "
                f"{'other classes' if positives == 0 else name}."
            )
            per_class.append(_no_curve(name, positives))
            continue
        fpr, tpr, score = _roc(onehot[:, k], p[:, k])
        # the mean curve needs a function of fpr: at a vertical step take the highest tpr
        tprs.append(np.interp(grid, fpr, tpr, left=0.0, right=1.0))
        x, y = thin_curve(fpr, tpr, max_points=max_points)
        per_class.append(Curve(name=name, x=x, y=y, score=score, positives=positives))
    macro_xy = None
    if tprs:
        mean_tpr = np.mean(tprs, axis=0)
        mean_tpr[0] = 0.0
        macro_xy = (grid, mean_tpr)
    return _curve_set(
        "roc", per_class, notes, onehot, p, _roc, max_points=max_points, macro_xy=macro_xy
    )


def precision_recall_curves(
    y_true: Sequence | np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    max_points: int = 400,
) -> CurveSet:
    """One-vs-rest precision-recall curves with average precision per class, micro and macro.

    Parameters
    ----------
    y_true : array-like of str, shape (n_rows,)
    proba : array-like, shape (n_rows, n_classes)
        Columns in ``classes`` order.
    classes : sequence of str
    max_points : int, default 400
        Each curve is thinned to at most this many points (scores use the full curve).

    Returns
    -------
    CurveSet
        Per-class scores equal ``average_precision_score(y == class, proba[:, class])``;
        ``micro_score`` and ``macro_score`` equal ``average_precision_score`` of the one-hot
        labels with ``average="micro"`` and ``"macro"``. Curves run from recall 0 (where
        precision is taken as 1, as scikit-learn does) to recall 1.
    """
    onehot, p, names = _curve_inputs(y_true, proba, classes)
    per_class: list[Curve] = []
    notes: list[str] = []
    for k, name in enumerate(names):
        positives = int(onehot[:, k].sum())
        if positives == 0:
            notes.append(f"{name}: no precision-recall curve, because no row is {name}.")
            per_class.append(_no_curve(name, 0))
            continue
        recall, precision, score = _precision_recall(onehot[:, k], p[:, k])
        x, y = thin_curve(recall, precision, max_points=max_points)
        per_class.append(Curve(name=name, x=x, y=y, score=score, positives=positives))
    return _curve_set("pr", per_class, notes, onehot, p, _precision_recall, max_points=max_points)


def _no_curve(name: str, positives: int) -> Curve:
    """A class without a curve (no rows of it, or only rows of it): score nan."""
    return Curve(name=name, x=np.array([]), y=np.array([]), score=float("nan"), positives=positives)


def _curve_set(
    kind: str,
    per_class: list[Curve],
    notes: list[str],
    onehot: np.ndarray,
    p: np.ndarray,
    curve,
    *,
    max_points: int,
    macro_xy: tuple[np.ndarray, np.ndarray] | None = None,
) -> CurveSet:
    """Per-class curves with the micro average (rows and classes pooled) and the macro score.

    The macro score is the mean of the per-class scores that exist; ``curve`` is `_roc` or
    `_precision_recall`.
    """
    x, y, micro_score = curve(onehot.ravel(), p.ravel())
    x, y = thin_curve(x, y, max_points=max_points)
    positives = int(onehot.sum())
    micro = Curve(name="micro average", x=x, y=y, score=micro_score, positives=positives)
    scores = [c.score for c in per_class if np.isfinite(c.score)]
    macro_score = float(np.mean(scores)) if scores else float("nan")
    macro = None
    if macro_xy is not None:
        macro = Curve(
            name="macro average",
            x=macro_xy[0],
            y=macro_xy[1],
            score=macro_score,
            positives=positives,
        )
    return CurveSet(
        kind=kind,
        per_class=tuple(per_class),
        micro=micro,
        macro=macro,
        micro_score=micro_score,
        macro_score=macro_score,
        notes=tuple(notes),
    )


# --- calibration and temperature --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class Calibration:
    """Reliability diagram data: how often the model is right when it is this confident.

    Binning: a row's confidence is its largest probability and its prediction that class.
    ``n_bins`` equal-width bins cover [0, 1]; a row goes to bin
    ``floor(confidence * n_bins)``, and confidence 1 to the last bin, so bin ``b`` holds
    confidences in ``[b / n_bins, (b + 1) / n_bins)``.

    Attributes
    ----------
    edges : numpy.ndarray, shape (n_bins + 1,)
    count : numpy.ndarray of int, shape (n_bins,)
        Rows per bin (the confidence histogram).
    mean_confidence, accuracy : numpy.ndarray, shape (n_bins,)
        Per bin; ``nan`` for an empty bin.
    ece : float
        Expected calibration error ``sum_b (count_b / n) * |accuracy_b - mean_confidence_b|``.
    n_rows : int
    """

    edges: np.ndarray
    count: np.ndarray
    mean_confidence: np.ndarray
    accuracy: np.ndarray
    ece: float
    n_rows: int


def calibration(
    y_true: Sequence | np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    n_bins: int = 10,
) -> Calibration:
    """Reliability bins, confidence histogram and expected calibration error.

    See :class:`Calibration` for the binning.

    Parameters
    ----------
    y_true : array-like of str, shape (n_rows,)
    proba : array-like, shape (n_rows, n_classes)
        Columns in ``classes`` order.
    classes : sequence of str
    n_bins : int, default 10

    Returns
    -------
    Calibration

    Examples
    --------
    >>> cal = calibration(["a", "a", "b", "b"],
    ...                   [[0.95, 0.05], [0.9, 0.1], [0.65, 0.35], [0.4, 0.6]],
    ...                   ["a", "b"], n_bins=5)
    >>> cal.count.tolist(), round(cal.ece, 4)   # bins [0.6, 0.8): gap 0.125; [0.8, 1]: 0.075
    ([0, 0, 0, 2, 2], 0.1)
    """
    names = _as_classes(classes)
    y = _as_labels(y_true, name="true labels")
    if y.size == 0:
        raise SoftmaxLabError("There are no rows to check calibration on", where="held-out part")
    codes = _check_known(y, names)
    p = _as_proba(proba, y.size, len(names))
    predicted = p.argmax(axis=1)
    confidence = p[np.arange(y.size), predicted]
    return _calibration_of(confidence, predicted == codes, n_bins)


def _calibration_of(confidence: np.ndarray, correct: np.ndarray, n_bins: int) -> Calibration:
    """The binning of :class:`Calibration`, from each row's confidence and correctness."""
    if int(n_bins) < 1:
        raise SoftmaxLabError("Use at least one bin", where="bins")
    n_bins = int(n_bins)
    n = confidence.size
    bins = np.clip(np.floor(confidence * n_bins).astype(int), 0, n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    conf_sum = np.bincount(bins, weights=confidence, minlength=n_bins)
    correct_sum = np.bincount(bins, weights=correct.astype(float), minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.where(count > 0, conf_sum / np.maximum(count, 1), np.nan)
        accuracy = np.where(count > 0, correct_sum / np.maximum(count, 1), np.nan)
    gaps = np.where(count > 0, np.abs(accuracy - mean_conf), 0.0)
    return Calibration(
        edges=np.linspace(0.0, 1.0, n_bins + 1),
        count=count,
        mean_confidence=mean_conf,
        accuracy=accuracy,
        ece=float(np.sum(count / max(n, 1) * gaps)),
        n_rows=int(n),
    )


def as_logit_matrix(logits: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """Logits as a (n_rows, n_classes) table.

    Parameters
    ----------
    logits : array-like
        (n_rows, n_classes), or 1-D (two classes, ``decision_function``), which becomes
        ``[0, z]`` per row.
    n_classes : int, optional
        Checked when given.

    Returns
    -------
    numpy.ndarray of float
    """
    z = np.asarray(logits, dtype=float)
    if z.ndim == 1:
        z = np.column_stack([np.zeros_like(z), z])
    if z.ndim != 2 or (n_classes is not None and z.shape[1] != n_classes):
        raise SoftmaxLabError(f"The logits have an unexpected shape {z.shape}", where="logits")
    if not np.all(np.isfinite(z)):
        raise SoftmaxLabError("Some logits are not numbers", where="logits")
    return z


def scale_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities ``softmax(z / T)`` for every row of logits.

    ``T = 1`` gives the model's own probabilities; the predicted class (largest logit) is the
    same for every ``T > 0``, so accuracy does not change, but confidence does.

    Parameters
    ----------
    logits : array-like, shape (n_rows, n_classes) or (n_rows,)
        See :func:`as_logit_matrix`.
    temperature : float
        ``T > 0``.

    Returns
    -------
    numpy.ndarray, shape (n_rows, n_classes)
    """
    return softmax(as_logit_matrix(logits), temperature=temperature)


def _at_temperature(z: np.ndarray, codes: np.ndarray, t: float) -> tuple[float, np.ndarray]:
    """Log-loss (clipped as scikit-learn clips) and each row's confidence of softmax(z / t)."""
    p = softmax(z, temperature=t)
    eps = np.finfo(float).eps
    p_true = np.clip(p[np.arange(codes.size), codes], eps, 1 - eps)
    return float(-np.log(p_true).mean()), p.max(axis=1)


def _logits_and_codes(logits, y_true, classes) -> tuple[np.ndarray, np.ndarray]:
    names = _as_classes(classes)
    z = as_logit_matrix(logits, len(names))
    y = _as_labels(y_true, name="true labels")
    if y.size == 0 or y.size != z.shape[0]:
        raise SoftmaxLabError(
            f"{z.shape[0]} rows of logits for {y.size} labels", where="held-out part"
        )
    return z, _check_known(y, names)


def temperature_effect(
    logits: np.ndarray,
    y_true: Sequence | np.ndarray,
    classes: Sequence[str],
    temperatures: Sequence[float] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0),
    *,
    n_bins: int = 10,
) -> pd.DataFrame:
    """Accuracy, log-loss and expected calibration error at each temperature.

    Equal, temperature by temperature, to :func:`evaluate_holdout` and :func:`calibration` on
    ``scale_temperature(logits, T)``; computed without building each probability table.

    Parameters
    ----------
    logits : array-like, shape (n_rows, n_classes) or (n_rows,)
    y_true : array-like of str, shape (n_rows,)
    classes : sequence of str
    temperatures : sequence of float, default (0.25, ..., 5)
        Each above 0.
    n_bins : int, default 10
        Bins for the calibration error.

    Returns
    -------
    pandas.DataFrame
        Columns ``temperature``, ``accuracy``, ``log_loss``, ``ece``; one row per temperature,
        sorted.
    """
    z, codes = _logits_and_codes(logits, y_true, classes)
    records = []
    for t in sorted(float(t) for t in temperatures):
        if not np.isfinite(t) or t <= 0:
            raise SoftmaxLabError(f"The temperature {t:g} is not above 0", where="temperature")
        loss, confidence = _at_temperature(z, codes, t)
        correct = (z / t).argmax(axis=1) == codes
        records.append(
            {
                "temperature": t,
                "accuracy": float(correct.mean()),
                "log_loss": loss,
                "ece": _calibration_of(confidence, correct, n_bins).ece,
            }
        )
    return pd.DataFrame(records, columns=["temperature", "accuracy", "log_loss", "ece"])


def best_temperature(
    logits: np.ndarray, y_true: Sequence | np.ndarray, classes: Sequence[str]
) -> float:
    """The temperature with the lowest log-loss on these rows (searched in [0.05, 20]).

    Fitted on the rows given: on the held-out rows it shows what calibration could gain, but
    is then no longer an unbiased score.

    Parameters
    ----------
    logits : array-like, shape (n_rows, n_classes) or (n_rows,)
    y_true : array-like of str, shape (n_rows,)
    classes : sequence of str

    Returns
    -------
    float
    """
    from scipy.optimize import minimize_scalar

    z, codes = _logits_and_codes(logits, y_true, classes)
    found = minimize_scalar(
        lambda log_t: _at_temperature(z, codes, float(np.exp(log_t)))[0],
        bounds=(np.log(0.05), np.log(20.0)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(np.exp(found.x))


# --- hardest examples, the one-standard-error rule -------------------------------------------


def hardest_examples(
    y_true: Sequence | np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    index: Sequence | None = None,
    true_class: str | None = None,
    predicted_class: str | None = None,
    limit: int | None = 20,
) -> pd.DataFrame:
    """Rows ranked by their cross-entropy (the worst first), optionally one confusion cell.

    Parameters
    ----------
    y_true, proba, classes
        As :func:`evaluate_holdout`.
    index : sequence, optional
        Row labels to report (the table's index of the held-out rows); default 0..n-1.
    true_class, predicted_class : str, optional
        Keep only rows of this true class and/or this predicted class (a heatmap cell).
    limit : int or None, default 20
        How many rows to return; None for all.

    Returns
    -------
    pandas.DataFrame
        Columns ``row``, ``true``, ``predicted``, ``p_true``, ``p_predicted``,
        ``cross_entropy`` (nats); ties keep the original order.
    """
    names = _as_classes(classes)
    y = _as_labels(y_true, name="true labels")
    codes = _check_known(y, names)
    p = _as_proba(proba, y.size, len(names))
    rows = np.arange(y.size) if index is None else np.asarray(index)
    if rows.shape[0] != y.size:
        raise SoftmaxLabError("The row labels and the rows disagree in number", where="rows")
    predicted_codes = p.argmax(axis=1)
    losses = row_cross_entropy(y, p, names)
    keep = np.ones(y.size, dtype=bool)
    for wanted, have in ((true_class, codes), (predicted_class, predicted_codes)):
        if wanted is not None:
            if str(wanted) not in names:
                raise SoftmaxLabError(
                    f"'{wanted}' is not one of the model's classes", where="filter"
                )
            keep &= have == names.index(str(wanted))
    positions = np.flatnonzero(keep)
    order = positions[np.argsort(-losses[positions], kind="stable")]
    if limit is not None:
        order = order[: max(0, int(limit))]
    label_array = np.asarray(names, dtype=object)
    return pd.DataFrame(
        {
            "row": rows[order],
            "true": label_array[codes[order]],
            "predicted": label_array[predicted_codes[order]],
            "p_true": p[order, codes[order]],
            "p_predicted": p[order, predicted_codes[order]],
            "cross_entropy": losses[order],
        }
    ).reset_index(drop=True)


@dataclass(frozen=True, kw_only=True)
class OneStandardErrorChoice:
    """The simplest C whose CV score is within one standard error of the best.

    Smaller C means stronger regularisation (smaller weights), a simpler model. The standard
    error is that of the best C's mean over folds: ``std(fold scores, ddof=1) / sqrt(folds)``.

    Attributes
    ----------
    metric : {"accuracy", "log_loss"}
    best_C, best_mean : float
        The best C and its mean CV score.
    standard_error : float
    threshold : float
        ``best_mean - standard_error`` (accuracy) or ``+`` (log-loss).
    chosen_C, chosen_mean : float
        The smallest C whose mean reaches the threshold, and its mean.
    """

    metric: str
    best_C: float
    best_mean: float
    standard_error: float
    threshold: float
    chosen_C: float
    chosen_mean: float

    def sentence(self) -> str:
        """The rule with its numbers, in one or two plain sentences.

        Returns
        -------
        str
        """
        better = "at least" if self.metric == "accuracy" else "at most"
        name = "accuracy" if self.metric == "accuracy" else "log-loss"
        start = (
            f"Best C = {self.best_C:g} (mean CV {name} {self.best_mean:.4f}, standard error "
            f"{self.standard_error:.4f})."
        )
        if self.chosen_C == self.best_C:
            return (
                f"{start} No smaller C has a mean {name} of {better} {self.threshold:.4f}, so the "
                f"one-standard-error rule keeps C = {self.best_C:g}."
            )
        return (
            f"{start} The smallest C with a mean {name} of {better} {self.threshold:.4f} is "
            f"C = {self.chosen_C:g} ({self.chosen_mean:.4f}): a simpler model (stronger "
            "regularisation) that scores as well, within the noise of the folds."
        )


def one_standard_error_C(
    cv_results: pd.DataFrame, *, metric: str = "accuracy", best_C: float | None = None
) -> OneStandardErrorChoice:
    """Apply the one-standard-error rule to a CV table.

    Parameters
    ----------
    cv_results : pandas.DataFrame
        One row per (C, fold) with columns ``C``, ``fold`` and the metric.
    metric : {"accuracy", "log_loss"}, default "accuracy"
        Accuracy is maximised, log-loss minimised.
    best_C : float, optional
        The best C as already chosen (to agree with the trained model on ties); by default
        the best mean, the smallest C on a tie.

    Returns
    -------
    OneStandardErrorChoice
    """
    if metric not in ("accuracy", "log_loss"):
        raise SoftmaxLabError(
            f"{metric!r} is not a CV score", where="metric", hint="Use 'accuracy' or 'log_loss'."
        )
    for column in ("C", "fold", metric):
        if column not in cv_results.columns:
            raise SoftmaxLabError(f"The CV table has no '{column}' column", where="CV results")
    grouped = cv_results.groupby("C")[metric]
    means = grouped.mean().sort_index()
    if means.empty:
        raise SoftmaxLabError("The CV table is empty", where="CV results")
    sign = 1.0 if metric == "accuracy" else -1.0
    if best_C is None:
        best = float((sign * means).idxmax())
    else:
        matches = [c for c in means.index if np.isclose(c, float(best_C), rtol=1e-9, atol=0)]
        if not matches:
            raise SoftmaxLabError(f"C = {best_C:g} is not in the CV table", where="best C")
        best = float(matches[0])
    folds = cv_results.loc[np.isclose(cv_results["C"], best, rtol=1e-9, atol=0), metric]
    n = int(folds.size)
    se = float(folds.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    best_mean = float(means.loc[best])
    threshold = best_mean - sign * se
    within = means[(sign * means) >= sign * threshold - 1e-12]
    chosen = float(within.index.min())
    return OneStandardErrorChoice(
        metric=metric,
        best_C=best,
        best_mean=best_mean,
        standard_error=se,
        threshold=threshold,
        chosen_C=chosen,
        chosen_mean=float(means.loc[chosen]),
    )


# --- narration ---------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return number_text(float(value), digits=2)  # 0.996 is "0.996", never "1.00"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def normalisation_sentence(normalize: str | None) -> str:
    """How to read a confusion matrix under each normalisation, in one sentence.

    Parameters
    ----------
    normalize : {None, "true", "pred", "all"}

    Returns
    -------
    str

    Examples
    --------
    >>> normalisation_sentence("true")[:40]
    'Normalised by true class: each row adds '
    """
    if normalize not in NORMALISATIONS:
        normalise_confusion(np.zeros((1, 1)), normalize)  # raises the plain error
    return {
        None: "Counts: each cell is a number of held-out rows; the row is the true class, the "
        "column the predicted class, and the diagonal holds the rows predicted right.",
        "true": "Normalised by true class: each row adds up to 1, so a cell is the share of "
        "that true class predicted as the column's class; the diagonal is each class's recall.",
        "pred": "Normalised by predicted class: each column adds up to 1, so a cell is the "
        "share of the rows predicted as that column's class that truly belong to the row's "
        "class; the diagonal is each class's precision.",
        "all": "Normalised over all rows: all cells add up to 1, so a cell is the share of "
        "every held-out row; the diagonal adds up to the accuracy.",
    }[normalize]


def confusion_sentences(
    cm: np.ndarray, classes: Sequence[str], *, normalize: str | None = None
) -> list[str]:
    """Sentences with live numbers for a confusion matrix.

    One sentence on how to read the chosen normalisation with an example from the matrix,
    then one per class (``"46 of 50 true versicolor were predicted versicolor: recall
    0.92"``), then the most frequent mistake, if any.

    Parameters
    ----------
    cm : array-like of int, shape (n_classes, n_classes)
        Counts, rows true, columns predicted.
    classes : sequence of str
    normalize : {None, "true", "pred", "all"}, default None
        The normalisation the chart shows; the first sentence explains how to read it
        (it contains :func:`normalisation_sentence`, so do not show both).

    Returns
    -------
    list of str
        Plain text (class names as they are: escape them for markdown).

    Examples
    --------
    >>> confusion_sentences([[46, 4], [1, 49]], ["versicolor", "virginica"])[1]
    '46 of 50 true versicolor were predicted versicolor: recall 0.92.'
    """
    counts = normalise_confusion(cm, None)
    names = _as_classes(classes)
    if len(names) != counts.shape[0]:
        raise SoftmaxLabError("The class names do not match the matrix", where="confusion")
    row_totals = counts.sum(axis=1)
    col_totals = counts.sum(axis=0)
    total = int(counts.sum())
    diagonal = np.diag(counts)
    biggest = int(np.argmax(row_totals))
    name = names[biggest]
    reading = normalisation_sentence(normalize)
    if normalize == "true" and row_totals[biggest] > 0:
        reading += (
            f" For example, the cell (true {name}, predicted {name}) is "
            f"{_fmt(diagonal[biggest] / row_totals[biggest])}: that share of the true {name} "
            f"were predicted {name}."
        )
    elif normalize == "pred" and col_totals[biggest] > 0:
        reading += (
            f" For example, the cell (true {name}, predicted {name}) is "
            f"{_fmt(diagonal[biggest] / col_totals[biggest])}: that share of the rows "
            f"predicted {name} are truly {name}."
        )
    elif normalize == "all" and total > 0:
        reading += f" Here the diagonal adds up to {_fmt(diagonal.sum() / total)}."
    elif normalize is None:
        on = int(diagonal.sum())
        verb = "is" if on == 1 else "are"
        reading += f" Here {on} of {plural(total, 'row')} {verb} on the diagonal."
    out = [reading]
    for k, label in enumerate(names):
        n_true = int(row_totals[k])
        if n_true == 0:
            out.append(f"No held-out row is truly {label}, so its recall is undefined.")
            continue
        out.append(
            f"{int(diagonal[k])} of {n_true} true {label} {_was(int(diagonal[k]))} predicted "
            f"{label}: "
            f"recall {_fmt(diagonal[k] / n_true)}."
        )
    off = counts.copy()
    np.fill_diagonal(off, 0)
    if off.sum() > 0:
        i, j = np.unravel_index(int(np.argmax(off)), off.shape)
        out.append(
            f"The most frequent mistake: {int(off[i, j])} true {names[i]} "
            f"{_was(int(off[i, j]))} predicted {names[j]}."
        )
    return out


def metric_sentences(evaluation: HoldoutEvaluation) -> list[str]:
    """The headline metrics and the per-class table in sentences with live numbers.

    Parameters
    ----------
    evaluation : HoldoutEvaluation

    Returns
    -------
    list of str
        Accuracy, log-loss, the macro averages, the weighted averages with a line on the
        difference, the accuracy's 95 % interval, the trivial model's numbers when the record
        has them, then each class's precision.
    """
    cm = np.asarray(evaluation.confusion_matrix)
    total = int(cm.sum())
    right = int(np.trace(cm))
    k = len(evaluation.classes)
    out = [
        f"{right} of {plural(total, 'held-out row')} {_was(right)} predicted correctly: accuracy "
        f"{_fmt(evaluation.accuracy)}.",
        f"Log-loss {evaluation.log_loss:.3f}: the mean over held-out rows of -ln(probability "
        "given to the true class). 0 means certain and right; giving every class the same "
        f"probability 1/{k} would score ln {k} = {np.log(k):.3f}.",
        f"Macro precision {_fmt(evaluation.precision_macro)}, recall "
        f"{_fmt(evaluation.recall_macro)} and F1 {_fmt(evaluation.f1_macro)}: plain averages "
        "over the classes, so a small class counts as much as a big one.",
        f"Weighted precision {_fmt(evaluation.precision_weighted)}, recall "
        f"{_fmt(evaluation.recall_weighted)} and F1 {_fmt(evaluation.f1_weighted)}: each "
        "class weighed by its held-out rows (as in scikit-learn's classification report), so they "
        "follow the big classes.",
    ]
    lo, hi = evaluation.accuracy_interval
    if np.isfinite(lo) and np.isfinite(hi):
        out.append(
            f"With {total} held-out rows, the accuracy on new rows like these is, with 95 % "
            f"confidence, between {_fmt(lo)} and {_fmt(hi)} (Wilson score interval)."
        )
    if evaluation.baseline is not None:
        out.append(
            f"Accuracy {evaluation.baseline.compare('accuracy', evaluation.accuracy)}; "
            f"log-loss {evaluation.baseline.compare('log_loss', evaluation.log_loss)}."
        )
    predicted_totals = cm.sum(axis=0)
    for i, label in enumerate(evaluation.classes):
        n_pred = int(predicted_totals[i])
        if n_pred == 0:
            out.append(f"No row was predicted {label}, so its precision is undefined (shown as 0).")
        else:
            out.append(
                f"Of the {plural(n_pred, 'row')} predicted {label}, {int(cm[i, i])} "
                f"{_was(int(cm[i, i]))} truly {label}: "
                f"precision {_fmt(cm[i, i] / n_pred)}."
            )
    return out


# --- many classes in a few sentences ------------------------------------------------------------

MANY_CLASSES = 12
"""Above this many classes the pages summarise the per-class sentences (the full list waits
in a detail view)."""


def _names_listed(names: Sequence[str], *, limit: int) -> str:
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return shown + (f" and {plural(rest, 'other', 'others')}" if rest > 0 else "")


def largest_confusions_sentence(
    cm: np.ndarray, classes: Sequence[str], *, top: int = 3
) -> str | None:
    """The ``top`` most frequent mistakes of a confusion matrix in one sentence (None if none).

    Parameters
    ----------
    cm : array-like of int, shape (n_classes, n_classes)
        Counts, rows true, columns predicted.
    classes : sequence of str
    top : int, default 3

    Returns
    -------
    str or None
        Plain text (class names as they are: escape them for markdown).

    Examples
    --------
    >>> largest_confusions_sentence([[5, 3, 0], [1, 6, 0], [0, 7, 2]], ["a", "b", "c"], top=2)
    'The largest confusions: 7 true c predicted b, 3 true a predicted b (of 11 mistakes).'
    >>> largest_confusions_sentence([[2, 0], [0, 3]], ["a", "b"]) is None
    True
    """
    counts = normalise_confusion(cm, None).astype(int)
    names = _as_classes(classes)
    off = counts.copy()
    np.fill_diagonal(off, 0)
    total = int(off.sum())
    if total == 0:
        return None
    flat = np.argsort(-off, axis=None, kind="stable")[: max(1, int(top))]
    parts = []
    for index in flat:
        i, j = divmod(int(index), counts.shape[0])
        if off[i, j] == 0:
            break
        parts.append(f"{int(off[i, j])} true {names[i]} predicted {names[j]}")
    label = "The largest confusion" if len(parts) == 1 else "The largest confusions"
    return f"{label}: {', '.join(parts)} (of {plural(total, 'mistake')})."


def never_predicted_sentence(
    cm: np.ndarray, classes: Sequence[str], *, limit: int = 8
) -> str | None:
    """The classes no row was predicted as, in one sentence (None when every class was).

    Their precision is undefined (shown as 0 in the table); at most ``limit`` names are
    written, the rest counted.

    Examples
    --------
    >>> never_predicted_sentence([[5, 0, 1], [2, 0, 0], [1, 0, 0]], ["a", "b", "c"])
    'No row was predicted b, so its precision is undefined (shown as 0).'
    >>> never_predicted_sentence([[1, 0, 0], [1, 0, 0], [1, 0, 0]], ["a", "b", "c"])
    '2 classes were never predicted, so their precision is undefined (shown as 0): b, c.'
    """
    counts = normalise_confusion(cm, None)
    names = _as_classes(classes)
    never = [names[j] for j in np.flatnonzero(counts.sum(axis=0) == 0)]
    if not never:
        return None
    if len(never) == 1:
        return f"No row was predicted {never[0]}, so its precision is undefined (shown as 0)."
    return (
        f"{plural(len(never), 'class', 'classes')} were never predicted, so their precision is "
        f"undefined (shown as 0): {_names_listed(never, limit=limit)}."
    )


def class_sentence_summary(cm: np.ndarray, classes: Sequence[str], *, top: int = 3) -> list[str]:
    """With many classes, what the per-class sentences come to, in at most two sentences.

    The largest confusions and the classes never predicted (see
    :func:`largest_confusions_sentence`, :func:`never_predicted_sentence`).

    Examples
    --------
    >>> class_sentence_summary([[5, 0, 1], [2, 0, 0], [1, 0, 0]], ["a", "b", "c"])
    ['The largest confusions: 2 true b predicted a, 1 true a predicted c, 1 true c predicted a \
(of 4 mistakes).', 'No row was predicted b, so its precision is undefined (shown as 0).']
    """
    out = [
        largest_confusions_sentence(cm, classes, top=top),
        never_predicted_sentence(cm, classes),
    ]
    return [sentence for sentence in out if sentence is not None]


# --- imbalance what-if -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class WeightingComparison:
    """The same CV folds predicted with class weights none and balanced, side by side.

    Attributes
    ----------
    classes : tuple of str
    per_class : pandas.DataFrame
        ``class``, ``support``, ``recall_none``, ``recall_balanced``, ``precision_none``,
        ``precision_balanced`` (precision 0 for a class never predicted).
    confusion_none, confusion_balanced : numpy.ndarray of int
        Counts, rows true, columns predicted.
    accuracy_none, accuracy_balanced, recall_macro_none, recall_macro_balanced : float
    """

    classes: tuple[str, ...]
    per_class: pd.DataFrame
    confusion_none: np.ndarray
    confusion_balanced: np.ndarray
    accuracy_none: float
    accuracy_balanced: float
    recall_macro_none: float
    recall_macro_balanced: float

    def normalised(self, normalize: str | None = "true") -> tuple[np.ndarray, np.ndarray]:
        """Both confusion matrices normalised the same way.

        Parameters
        ----------
        normalize : {None, "true", "pred", "all"}, default "true"

        Returns
        -------
        tuple of numpy.ndarray
            Without weights first, then balanced.
        """
        return (
            normalise_confusion(self.confusion_none, normalize),
            normalise_confusion(self.confusion_balanced, normalize),
        )

    def sentences(self) -> list[str]:
        """What balancing changed, with the numbers.

        Returns
        -------
        list of str
        """
        out = [
            f"Without weights: accuracy {_fmt(self.accuracy_none)}, macro recall "
            f"{_fmt(self.recall_macro_none)}. Balanced: accuracy {_fmt(self.accuracy_balanced)}, "
            f"macro recall {_fmt(self.recall_macro_balanced)}."
        ]
        smallest = self.per_class.sort_values("support", kind="stable").iloc[0]
        out.append(
            f"The smallest class, {smallest['class']} ({plural(int(smallest['support']), 'row')}), has "
            f"recall {_fmt(smallest['recall_none'])} without weights and "
            f"{_fmt(smallest['recall_balanced'])} balanced; its precision goes from "
            f"{_fmt(smallest['precision_none'])} to {_fmt(smallest['precision_balanced'])}."
        )
        return out


def compare_class_weights(
    y_true: Sequence | np.ndarray,
    predicted_none: Sequence | np.ndarray,
    predicted_balanced: Sequence | np.ndarray,
    classes: Sequence[str],
) -> WeightingComparison:
    """Per-class recall and precision and confusion matrices for two sets of predictions.

    Parameters
    ----------
    y_true : array-like of str
        True labels of the rows (for example every training row, each predicted by the
        model of the fold that held it out).
    predicted_none, predicted_balanced : array-like of str
        Predictions for the same rows with ``class_weight=None`` and ``"balanced"``.
    classes : sequence of str

    Returns
    -------
    WeightingComparison
    """
    names = _as_classes(classes)
    y = _as_labels(y_true, name="true labels")
    if y.size == 0:
        raise SoftmaxLabError("There are no rows to compare", where="rows")
    codes = _check_known(y, names)
    labels = list(names)
    results = {}
    for key, predicted in (("none", predicted_none), ("balanced", predicted_balanced)):
        pred = _as_labels(predicted, name="predictions")
        if pred.size != y.size:
            raise SoftmaxLabError("Predictions and labels differ in number", where="predictions")
        cm, precision, recall, _, support = _confusion_scores(
            codes, _check_known(pred, names), len(names)
        )
        results[key] = (cm, precision, recall, support)
    cm_none, p_none, r_none, support = results["none"]
    cm_bal, p_bal, r_bal, _ = results["balanced"]
    per_class = pd.DataFrame(
        {
            "class": pd.Series(labels, dtype=object),
            "support": support.astype(int),
            "recall_none": r_none.astype(float),
            "recall_balanced": r_bal.astype(float),
            "precision_none": p_none.astype(float),
            "precision_balanced": p_bal.astype(float),
        }
    )
    return WeightingComparison(
        classes=names,
        per_class=per_class,
        confusion_none=cm_none,
        confusion_balanced=cm_bal,
        accuracy_none=float(np.trace(cm_none) / y.size),
        accuracy_balanced=float(np.trace(cm_bal) / y.size),
        recall_macro_none=float(r_none.mean()),
        recall_macro_balanced=float(r_bal.mean()),
    )
