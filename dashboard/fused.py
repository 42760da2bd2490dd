"""The folds fused: every fold of the C search solved at once, on one shared matrix.

On a table of numbers, each fold's preprocessing (``FiniteNumbers``, then ``MedianImputer``,
then ``StandardScaler``, fitted on that fold's training rows) is an affine map of the same
rows: a fold's standardised value is ``(x - mean_f) / scale_f``, with a missing cell standing
for the fold's median. So the logits of every fold can come from one matrix of all the
training rows, held once (float32 on large data), and one matrix product with the folds'
weights stacked::

    Z_f = V_f X + (V_f * median_f) M + (b_f - V_f mean_f),   V_f = W_f / scale_f

where ``X`` holds the rows (missing cells 0), ``M`` marks the missing cells and ``W_f``, ``b_f``
are fold f's coefficients and intercepts on its standardised inputs. The gradient goes back the
same way. Each fold keeps LogisticRegression's own objective (its mean loss on its training
rows, its penalty ``||W_f||^2 / 2C``); the folds' objectives are summed and minimised together
with scipy's L-BFGS-B and LogisticRegression's options, so the search stops when every fold's
gradient is within the tolerance, as each of LogisticRegression's fits does. Reading the rows
once for all folds instead of once per fold is what makes it faster; the rows are held once
instead of once per fold, which is what makes it smaller.

The search (:mod:`dashboard.search`) uses it when the preprocessing is exactly the numeric branch
of :func:`dashboard.features.preprocessor`. The coefficient path on all training rows is one more
"fold" of the same matrix (no rows held out), and the folds are solved in one group per core
(:func:`fold_range`), each group with its own L-BFGS. Anything else (categories, dates, text, a column
empty in some fold, scales too far apart between folds to share one float32 matrix) goes fold by
fold as before. Validation rows are scored in float64 through each fold's own statistics.
The class-weight comparison (:func:`dashboard.search.out_of_fold_predictions`) lays its rows out
the same way, for any number of classes, and solves each fold on its own (:func:`fold_range`);
its other weighting shares the rows and statistics (:func:`reweighted`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone

__all__ = [
    "FusedFolds",
    "class_codes",
    "fold_parameters",
    "fold_range",
    "fused_layout",
    "fused_minimise",
    "fused_start",
    "lbfgs_like_sklearn",
    "reweighted",
    "share_intercepts",
]

MAX_SCALE_RATIO = 8.0
"""Folds share one matrix only when their scales of a column differ by at most this factor
(a huge value held out of one fold's training rows would otherwise swamp the shared scale)."""


MAX_CLASSES = 6
"""The folds are fused only up to this many classes. With more, each step's softmax over
folds x classes x rows outweighs what reading the rows once saves, and the joint problem's line
searches take more evaluations (336k rows x 16 classes: 24 s fused against 9 s fold by fold)."""

SAFE_LOGIT = 60.0
"""While every row's largest logit lies within +-60, softmax needs no shift by the maximum: its
exponentials stay within float32's range (e**60 is 1e26)."""


@dataclass(frozen=True, kw_only=True, eq=False)
class FusedFolds:
    """All the folds' training rows in one layout, and each fold's statistics.

    ``XT`` is (inputs + 1, rows): the rows centred and scaled in shared units (the folds'
    mean centre, their smallest scale), missing cells 0, then a row of ones (the intercepts
    ride in the products); ``missing`` (rows, inputs) marks missing cells (None when there are
    none). ``median``, ``mean`` and ``scale`` (folds, inputs) are each fold's imputer and scaler
    statistics in the shared units; ``raw_*`` the same in the table's units.
    ``validation`` holds each fold's validation rows as its own preprocessing gives them.
    ``weight`` (folds, rows) is each fold's row weight divided by its sum (0 off its training
    rows); ``weight_sum`` (folds,) those sums; ``onehot`` (folds, classes, rows), with three
    classes up to `ONEHOT_MAX_CLASSES`, the one-hot targets times ``weight`` (None above: the
    loss gathers each row's true logit by ``codes``).
    """

    XT: np.ndarray
    missing: sp.csr_matrix | None
    validation: tuple[np.ndarray, ...]
    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    raw_median: np.ndarray
    raw_mean: np.ndarray
    raw_scale: np.ndarray
    weight: np.ndarray
    weight_sum: np.ndarray
    codes: np.ndarray
    onehot: np.ndarray | None
    classes: np.ndarray
    val_idx: tuple[np.ndarray, ...]

    @property
    def folds(self) -> int:
        return self.median.shape[0]

    @property
    def rows_per_fold(self) -> int:
        """Rows of coefficients per fold: one (log-odds) with two classes, else one per class."""
        return 1 if len(self.classes) == 2 else len(self.classes)


def numeric_steps(preprocess) -> tuple | None:
    """The numeric branch's (columns, finite, imputer, scaler) when it is the whole preprocessing.

    Examples
    --------
    >>> from dashboard.features import preprocessor
    >>> numeric_steps(preprocessor(numeric=["a", "b"]))[0]
    ['a', 'b']
    >>> numeric_steps(preprocessor(numeric=["a"], categorical=["c"])) is None
    True
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from dashboard.features import FiniteNumbers, MedianImputer

    if type(preprocess) is not ColumnTransformer or preprocess.remainder != "drop":
        return None
    if len(preprocess.transformers) != 1:
        return None
    name, branch, columns = preprocess.transformers[0]
    if name != "numeric" or type(branch) is not Pipeline or len(branch.steps) != 3:
        return None
    finite, imputer, scaler = (step for _, step in branch.steps)
    if (
        type(finite) is not FiniteNumbers
        or type(imputer) is not MedianImputer
        or type(scaler) is not StandardScaler
    ):
        return None
    ip, sp_ = imputer.get_params(), scaler.get_params()
    if not (
        ip["strategy"] == "median"
        and isinstance(ip["missing_values"], float)
        and np.isnan(ip["missing_values"])
        and not ip["add_indicator"]
        and not ip["keep_empty_features"]
        and sp_["with_mean"]
        and sp_["with_std"]
    ):
        return None
    return list(columns), finite, imputer, scaler


def fused_layout(
    preprocess,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    fold_weights: Sequence[tuple[np.ndarray, float]],
    dtype,
) -> FusedFolds | None:
    """The shared layout of ``folds``, or None when the folds cannot share one matrix.

    ``fold_weights`` holds, per fold, its training rows' weights divided by their sum (in the
    order of its training indices) and that sum.
    """
    steps = numeric_steps(preprocess)
    if steps is None or not isinstance(X, pd.DataFrame):
        return None
    columns, finite, _imputer, _scaler = steps
    x = clone(finite).fit_transform(X[columns])  # row by row: the same for every fold
    n, d = x.shape
    missing = np.isnan(x)
    if missing.all(axis=0).any():
        return None  # a column with no value: the imputer drops it
    gappy = np.flatnonzero(missing.any(axis=0))  # only these columns' medians are ever used
    # Each fold's imputer and scaler statistics from sums: all rows' less its validation rows'
    # (centred on the column means first, so that the variances keep their digits). The rows
    # are centred in place and each fold's held-out rows become its validation rows: on a large
    # table, fresh memory costs more than the arithmetic (each new page is a fault).
    present = n - missing.sum(axis=0)
    col_mean = np.where(missing, 0.0, x).sum(axis=0) / present if len(gappy) else x.mean(axis=0)
    raw_gappy = x[:, gappy]  # the medians are of the table's values, not of centred ones
    centred = x
    centred -= col_mean
    centred[missing] = 0.0
    s1, s2 = centred.sum(axis=0), np.einsum("ij,ij->j", centred, centred)
    stats, validation = [], []
    for train_idx, val_idx in folds:
        held = centred[val_idx]
        n_f = len(train_idx)
        f1, f2 = s1 - held.sum(axis=0), s2 - np.einsum("ij,ij->j", held, held)
        median = np.zeros(d)
        if len(gappy):
            gaps = n_f - (present - (len(val_idx) - missing[val_idx].sum(axis=0)))
            part = raw_gappy[train_idx]
            if np.isnan(part).all(axis=0).any():
                return None  # a column with no value in this fold's rows: the imputer drops it
            median[gappy] = np.nanmedian(part, axis=0)  # MedianImputer's statistics
            fill = median[gappy] - col_mean[gappy]  # in centred units
            f1[gappy] += gaps[gappy] * fill
            f2[gappy] += gaps[gappy] * fill**2
        mean_c = f1 / n_f
        var = np.maximum(f2 / n_f - mean_c**2, 0.0)
        mean = mean_c + col_mean
        stats.append((median, mean, mean_c, _scale(var, mean, n_f)))
        validation.append(held)
    raw_median, raw_mean, mean_c, raw_scale = (
        np.array(s, dtype=float) for s in zip(*stats, strict=True)
    )
    if np.any(raw_scale.max(axis=0) > MAX_SCALE_RATIO * raw_scale.min(axis=0)):
        return None
    # Each fold's validation rows through its own imputer and scaler, in place, in float64
    for f, (rows, (_, val_idx)) in enumerate(zip(validation, folds, strict=True)):
        if len(gappy):
            gaps = missing[val_idx]
            rows[gaps] = np.broadcast_to(raw_median[f] - col_mean, rows.shape)[gaps]
        rows -= mean_c[f]
        rows /= raw_scale[f]
    del raw_gappy
    center = raw_mean.mean(axis=0)
    spread = raw_scale.min(axis=0)
    shared = centred
    shared -= center - col_mean
    shared /= spread
    shared[missing] = 0.0
    limit = np.finfo(np.float32).max / 1e6
    if not (shared.max(initial=0.0) < limit and shared.min(initial=0.0) > -limit):
        return None
    XT = np.empty((d + 1, n), dtype=dtype)
    XT[:d] = shared.T
    XT[d] = 1
    del shared
    classes, codes = class_codes(y)
    weight, weight_sum, onehot = _weights(codes, len(classes), folds, fold_weights, dtype)
    return FusedFolds(
        XT=XT,
        missing=sp.csr_matrix(missing, dtype=dtype) if missing.any() else None,
        validation=tuple(validation),
        median=(raw_median - center) / spread,
        mean=(raw_mean - center) / spread,
        scale=raw_scale / spread,
        raw_median=raw_median,
        raw_mean=raw_mean,
        raw_scale=raw_scale,
        weight=weight,
        weight_sum=weight_sum,
        codes=codes,
        onehot=onehot,
        classes=classes,
        val_idx=tuple(np.asarray(va) for _, va in folds),
    )


def class_codes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(y, return_inverse=True)``: the sorted classes and each row's code among them.

    Labels that are already non-negative integer codes are counted instead of sorted (a
    sort of every row per call, twice per layout).

    Examples
    --------
    >>> classes, codes = class_codes(np.array([3, 1, 3, 7]))
    >>> classes.tolist(), codes.tolist()
    ([1, 3, 7], [1, 0, 1, 2])
    """
    y = np.asarray(y)
    if y.dtype.kind not in "iu" or not len(y) or y.min() < 0 or y.max() >= 2 * len(y):
        return np.unique(y, return_inverse=True)
    present = np.bincount(y) > 0
    classes = np.flatnonzero(present).astype(y.dtype)
    if len(classes) == len(present):
        return classes, y.astype(np.intp)
    return classes, (np.cumsum(present) - 1)[y]


def reweighted(
    data: FusedFolds,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    fold_weights: Sequence[tuple[np.ndarray, float]],
) -> FusedFolds:
    """The layout ``data`` of ``folds`` with other row weights (``fold_weights`` as in
    `fused_layout`): the rows and the folds' statistics are shared, not made again."""
    weight, weight_sum, onehot = _weights(
        data.codes, len(data.classes), folds, fold_weights, data.XT.dtype
    )
    return replace(data, weight=weight, weight_sum=weight_sum, onehot=onehot)


ONEHOT_MAX_CLASSES = MAX_CLASSES
"""Up to this many classes the loss reads the weighted one-hot targets (folds x classes x rows,
one product with the logits); above it, each row's true logit is gathered by its class code: at
16 classes and 336k rows the one-hot targets alone are 86 MB of fresh memory."""


def _weights(codes: np.ndarray, n_classes: int, folds, fold_weights, dtype) -> tuple:
    """Each fold's row weights over every row (0 off its training rows), their sums and, with
    three classes up to `ONEHOT_MAX_CLASSES`, the one-hot targets times those weights."""
    n = len(codes)
    weight = np.zeros((len(folds), n), dtype=dtype)
    weight_sum = np.empty(len(folds))
    for f, ((train_idx, _), (w, total)) in enumerate(zip(folds, fold_weights, strict=True)):
        weight[f, train_idx] = w
        weight_sum[f] = total
    onehot = None
    if 2 < n_classes <= ONEHOT_MAX_CLASSES:  # each fold's one-hot targets times its row weights
        onehot = np.zeros((len(folds), n_classes, n), dtype=dtype)
        onehot[:, codes, np.arange(n)] = weight
    return weight, weight_sum, onehot


def _scale(var: np.ndarray, mean: np.ndarray, n: int) -> np.ndarray:
    """StandardScaler's ``scale_``: the standard deviation, 1 where the column is constant.

    As scikit-learn decides it: a variance within rounding of zero for the column's mean and
    row count is a constant column.
    """
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2
    scale = np.sqrt(var)
    scale[constant | (scale < 10 * eps)] = 1.0
    return scale


def share_intercepts(codes: np.ndarray, weight: np.ndarray, n_classes: int) -> np.ndarray:
    """Intercepts at zero coefficients from the weighted class shares (the small-C optimum's limit).

    One log-odds of the second class with two classes (LogisticRegression's single row), else the
    centred log shares.

    Examples
    --------
    >>> share_intercepts(np.array([0, 1, 1, 1]), np.full(4, 0.25), 2).round(4).tolist()
    [1.0986]
    """
    share = np.clip(np.bincount(codes, weights=weight, minlength=n_classes), 1e-12, None)
    if n_classes == 2:
        return np.array([np.log(share[1] / share[0])])
    return np.log(share) - np.log(share).mean()


def fused_start(data: FusedFolds) -> np.ndarray:
    """Zero coefficients and each fold's class-share intercepts, as the fold-by-fold start."""
    d = data.XT.shape[0] - 1
    W = np.zeros((data.folds, data.rows_per_fold, d + 1))
    for f in range(data.folds):
        W[f, :, d] = share_intercepts(data.codes, data.weight[f].astype(float), len(data.classes))
    return W.ravel()


def _logits(data: FusedFolds, W: np.ndarray) -> np.ndarray:
    """(folds, rows per fold, rows) logits of every fold on every row."""
    F, R, d1 = W.shape
    d = d1 - 1
    dtype = data.XT.dtype
    V = np.empty((F, R, d1))
    V[:, :, :d] = W[:, :, :d] / data.scale[:, None, :]  # coefficients on the shared units
    V[:, :, d] = W[:, :, d] - np.einsum("frd,fd->fr", V[:, :, :d], data.mean)
    Z = (V.reshape(F * R, d1).astype(dtype) @ data.XT).reshape(F, R, -1)
    if data.missing is not None:
        A = (V[:, :, :d] * data.median[:, None, :]).reshape(F * R, d).astype(dtype)
        Z += np.asarray(data.missing @ A.T).T.reshape(F, R, -1)
    return Z


def _loss_grad(w: np.ndarray, data: FusedFolds, l2: np.ndarray):
    """The sum over folds of LogisticRegression's objective at each fold's parameters."""
    F, R = data.folds, data.rows_per_fold
    d = data.XT.shape[0] - 1
    W = w.reshape(F, R, d + 1)
    Z = _logits(data, W)
    n = Z.shape[2]
    if R == 1:  # two classes: the log-odds of the second
        z = Z[:, 0, :]
        positive = data.codes == 1
        per_row = np.logaddexp(0, z) - np.where(positive, z, 0)
        G = ((1.0 / (1.0 + np.exp(-z)) - positive) * data.weight)[:, None, :]
        data_loss = float(np.dot(per_row.ravel().astype(np.float64), data.weight.ravel()))
    else:
        top = Z.max(axis=1)
        if top.max() > SAFE_LOGIT or top.min() < -SAFE_LOGIT:  # else exp cannot overflow
            Z -= top[:, None, :]
        # sum_i w_i z_true,i: the logits against the weighted one-hot targets, no gather; with
        # many classes (no one-hot targets) each row's true logit gathered by its class code
        true = None if data.onehot is not None else (data.codes, np.arange(n))
        if true is None:
            true_part = float(np.dot(Z.ravel(), data.onehot.ravel()))
        else:
            true_part = float(np.dot(Z[:, true[0], true[1]].ravel(), data.weight.ravel()))
        np.exp(Z, out=Z)
        total = Z.sum(axis=1)
        data_loss = float(np.dot(np.log(total).ravel().astype(np.float64), data.weight.ravel()))
        data_loss -= true_part
        np.divide(data.weight, total, out=total)  # each row's weight over its softmax total
        Z *= total[:, None, :]
        if true is None:
            Z -= data.onehot
        else:
            Z[:, true[0], true[1]] -= data.weight
        G = Z
    coef = W[:, :, :d]
    loss = data_loss + 0.5 * float(np.sum(l2[:, None, None] * coef * coef))
    flat = G.reshape(F * R, n)
    back = (data.XT @ flat.T).T.astype(float).reshape(F, R, d + 1)  # the last: G's row sums
    g_sum = back[:, :, d]
    grads = back[:, :, :d]
    if data.missing is not None:
        grads += (
            np.asarray(data.missing.T @ flat.T).T.astype(float).reshape(F, R, d)
            * (data.median[:, None, :])
        )
    grads -= g_sum[:, :, None] * data.mean[:, None, :]
    grad = np.empty_like(W)
    grad[:, :, :d] = grads / data.scale[:, None, :] + l2[:, None, None] * coef
    grad[:, :, d] = g_sum
    return loss, grad.ravel()


def lbfgs_like_sklearn(func, start: np.ndarray, args: tuple, *, tol: float, max_iter: int):
    """scipy's L-BFGS-B on ``func`` (loss and gradient) with LogisticRegression's lbfgs options.

    The same ``maxiter``, ``maxls``, ``gtol`` and ``ftol`` that scikit-learn passes, so the
    solvers here stop where LogisticRegression's would. Returns (w, iterations).
    """
    from scipy import optimize

    result = optimize.minimize(
        func,
        start,
        method="L-BFGS-B",
        jac=True,
        args=args,
        options={"maxiter": max_iter, "maxls": 50, "gtol": tol, "ftol": 64 * np.finfo(float).eps},
    )
    return result.x, int(result.nit)


def fused_minimise(data: FusedFolds, C: float, start: np.ndarray, *, tol: float, max_iter: int):
    """Every fold's LogisticRegression objective at C, minimised together; (w, iterations)."""
    args = (data, 1.0 / (C * data.weight_sum))
    return lbfgs_like_sklearn(_loss_grad, start, args, tol=tol, max_iter=max_iter)


def fold_parameters(data: FusedFolds, w: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each fold's ``coef_`` and ``intercept_`` as LogisticRegression holds them."""
    F, R = data.folds, data.rows_per_fold
    d = data.XT.shape[0] - 1
    W = w.reshape(F, R, d + 1)
    return [(W[f, :, :d].copy(), W[f, :, d].copy()) for f in range(F)]


def fold_range(data: FusedFolds, start: int, stop: int) -> FusedFolds:
    """Folds ``start`` to ``stop - 1`` of the layout as a layout of their own.

    The rows (``XT``, ``missing``) are shared, and the folds' own arrays are views: a group of
    folds can be solved in one thread while another group is solved in another.
    """
    part = slice(start, stop)
    return FusedFolds(
        XT=data.XT,
        missing=data.missing,
        validation=data.validation[part],
        median=data.median[part],
        mean=data.mean[part],
        scale=data.scale[part],
        raw_median=data.raw_median[part],
        raw_mean=data.raw_mean[part],
        raw_scale=data.raw_scale[part],
        weight=data.weight[part],
        weight_sum=data.weight_sum[part],
        codes=data.codes,
        onehot=None if data.onehot is None else data.onehot[part],
        classes=data.classes,
        val_idx=data.val_idx[part],
    )
