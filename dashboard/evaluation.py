"""Held-out metrics, confusion matrices, curves, calibration and per-row explanations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix as sk_confusion_matrix
from sklearn.metrics import precision_recall_fscore_support

from dashboard.errors import SoftmaxLabError

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


@dataclass(frozen=True, kw_only=True)
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
    """

    accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    log_loss: float
    confusion_matrix: np.ndarray
    per_class: pd.DataFrame
    classes: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON-able summary with the keys of the CLI's ``test`` block (plus per-class rows)."""
        return {
            "accuracy": float(self.accuracy),
            "precision_macro": float(self.precision_macro),
            "recall_macro": float(self.recall_macro),
            "f1_macro": float(self.f1_macro),
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
    y_true: Sequence | np.ndarray, proba: np.ndarray, classes: Sequence[str]
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
    """
    names = _as_classes(classes)
    y = _as_labels(y_true, name="true labels")
    if y.size == 0:
        raise SoftmaxLabError(
            "There are no held-out rows to score",
            where="held-out part",
            hint="Use a larger held-out share or more rows.",
        )
    _check_known(y, names)
    p = _as_proba(proba, y.size, len(names))
    predicted = np.asarray(names)[p.argmax(axis=1)]
    label_list = list(names)
    cm = sk_confusion_matrix(y, predicted, labels=label_list)
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=label_list, zero_division=0
    )
    per_class = pd.DataFrame(
        {
            "class": pd.Series(label_list, dtype=object),
            "precision": precision.astype(float),
            "recall": recall.astype(float),
            "f1": f1.astype(float),
            "support": support.astype(int),
        }
    )
    losses = row_cross_entropy(y, p, names)
    return HoldoutEvaluation(
        accuracy=float(np.trace(cm) / cm.sum()),
        precision_macro=float(precision.mean()),
        recall_macro=float(recall.mean()),
        f1_macro=float(f1.mean()),
        log_loss=float(losses.mean()),
        confusion_matrix=cm,
        per_class=per_class,
        classes=names,
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
