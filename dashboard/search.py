"""The C search: cross-validated scores of a preprocessing + LogisticRegression pipeline over C.

The search gives the numbers ``GridSearchCV`` gives on the same pipeline and folds, faster:

* the preprocessing does not depend on C, so it is fitted once per fold (on that fold's
  training rows only, so nothing leaks from the validation rows) and reused for every C;
* on large data each fold's fits run along the sorted C path, each warm-started from the
  previous solution (small C first, where the solver converges fastest), with a fast solver
  of LogisticRegression's own objective (`fast_solver_applies`): the same loss, penalty,
  lbfgs options and stopping rule, its loss and gradient computed with a few matrix products
  (float32 on large data) instead of scikit-learn's general code;
* on a table of numbers, every fold runs at once on one shared matrix (:mod:`dashboard.fused`):
  the rows are read once per step for all folds, and held once;
* folds run in parallel, each worker with one BLAS thread, instead of oversubscribed threads;
* with ``SOFTMAX_LAB_DASK_SCHEDULER`` set to a scheduler address the fits run on that Dask cluster.

Progress is reported fit by fit in the caller's thread (Streamlit can only draw from its script
thread), and a stop request ends the search within one fit's time.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import queue
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import joblib
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, issparse
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import preprocessed_names
from dashboard.features import DateParts, FiniteNumbers
from dashboard.fused import (
    MAX_CLASSES,
    fold_parameters,
    fused_layout,
    fused_minimise,
    fused_start,
    lbfgs_like_sklearn,
    numeric_steps,
    share_intercepts,
)

SCHEDULER_ENV = "SOFTMAX_LAB_DASK_SCHEDULER"
"""Environment variable holding a Dask scheduler address (``tcp://host:8786``); empty = local."""

ONE_PREPARE_MIN_BYTES = 200_000_000
"""From this estimated size of one path's preprocessed rows (rows x columns x 16 bytes: the
output and its copies), paths prepare their rows one at a time, so that two folds' intermediate
copies are never held at once; their fits still run in parallel."""

WARM_START_MIN_ROWS = 5_000
"""Warm-start along the C path, with the fast solver, from this many training rows on
(``warm_start=None``).

Below it, fits are cheap and each starts from zero exactly as ``GridSearchCV``'s do, so the
scores are the same to the last digit. Above it, a warm-started fit ends within the solver's
tolerance of the same optimum; one validation row changing side moves a mean accuracy by less
than 2e-4 at that size.
"""

POLL_SECONDS = 0.1
DASK_CONNECT_SECONDS = 10


class TrainingStopped(Exception):
    """Raised when ``should_stop()`` returned True: the search ended early, no model was made."""


@dataclass(frozen=True, kw_only=True)
class FitEvent:
    """One finished fit: the C, the fold (None for the coefficient path) and its scores."""

    path: int
    fold: int | None
    C: float
    accuracy: float | None
    log_loss: float | None
    converged: bool
    n_iter: int
    seconds: float


@dataclass(frozen=True, kw_only=True, eq=False)
class SearchResult:
    """What the C search found.

    ``cv_results`` has one row per (C, fold): C, fold, accuracy, log_loss, converged, n_iter,
    seconds. ``cv_summary`` has one row per C: C, mean_accuracy, std_accuracy, mean_log_loss,
    std_log_loss, converged (all folds). ``best_C`` is the C with the highest mean accuracy,
    the smaller C on a tie. ``coef_path`` holds, per C, the coefficients fitted on all the rows
    of the search (None when not asked for).
    """

    cv_results: pd.DataFrame
    cv_summary: pd.DataFrame
    best_C: float
    coef_path: dict | None
    seconds: float
    backend: str
    warm_start: bool
    workers: int
    fast_solver: bool = False
    fused: bool = False
    timings: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    whole: tuple | None = None
    """The whole-data path's fitted preprocessing, its output and its fits' iteration counts
    per C, smallest first (local runs). When the fast solver drew that path, the output is None
    (only the solver's own layout was kept) and the coefficient path is LogisticRegression's
    solution on the same rows: a final model at one of its C can be made of them without
    fitting anything again; otherwise a final fit can reuse the preprocessing and output."""

    @property
    def not_converged(self) -> tuple[float, ...]:
        """The values of C at which some fit stopped before converging."""
        bad = self.cv_summary.loc[~self.cv_summary["converged"], "C"]
        return tuple(float(c) for c in bad)


def silence_convergence_warnings() -> None:
    """Keep lbfgs' convergence warnings off the console: the search reports them as notes.

    A process-wide filter (``warnings.catch_warnings`` is not thread-safe), idempotent.
    """
    warnings.filterwarnings("ignore", category=ConvergenceWarning, message=".*failed to converge")


def rank_candidates(mean_accuracy: Sequence[float], c_values: Sequence[float]) -> int:
    """Index of the best candidate: highest mean accuracy, the smaller C on a tie.

    Parameters
    ----------
    mean_accuracy : sequence of float
        Mean cross-validated accuracy per candidate.
    c_values : sequence of float
        The candidates' C, in the same order.

    Returns
    -------
    int
        Position of the chosen candidate.

    Examples
    --------
    >>> rank_candidates([0.90, 0.95, 0.95], [0.1, 10.0, 1.0])
    2
    """
    acc = np.asarray(mean_accuracy, dtype=float)
    cs = np.asarray(c_values, dtype=float)
    # Means of identical fold scores are equal to the last bit; 1e-12 only absorbs summation order.
    tied = np.flatnonzero(acc >= acc.max() - 1e-12)
    return int(tied[np.argmin(cs[tied])])


# ---------------------------------------------------------------------------------------------
# The work: one "path" = preprocessing fitted on some rows, then LogisticRegression along C.
# These functions and records are module-level so that Dask workers can unpickle them.


@dataclass(frozen=True, kw_only=True)
class _Path:
    """The rows of one path: a fold (training and validation rows) or all rows (``fold`` None)."""

    train_idx: np.ndarray
    val_idx: np.ndarray | None
    fold: int | None


@dataclass(frozen=True, kw_only=True, eq=False)
class _Prepared:
    """One path's rows after its preprocessing; validation parts are None on the whole-data path."""

    X_tr: object
    y_tr: np.ndarray
    X_va: object | None
    y_va: np.ndarray | None
    names: list[str] | None
    fast: _FastData | None = None
    preprocess: object | None = None  # fitted; kept on the whole-data path only


@dataclass(frozen=True, kw_only=True, eq=False)
class _Fit:
    """One fit at one C: its coefficients and, with validation rows, its scores."""

    C: float
    coef: np.ndarray
    intercept: np.ndarray
    classes: list[str]
    n_iter: int
    converged: bool
    accuracy: float | None
    log_loss: float | None
    names: list[str] | None
    seconds: float
    w: np.ndarray | None = None  # the fast solver's parameters, to warm-start the next C


@dataclass(frozen=True, kw_only=True, eq=False)
class _SearchJob:
    """Everything a backend needs to run the search: what to fit, on which rows, along which C."""

    preprocess: object | None
    estimator: object
    X: object
    y: np.ndarray
    paths: tuple[_Path, ...]
    c_sorted: tuple[float, ...]
    warm: bool
    want_coef: bool
    fast: bool = False
    fused: bool = False  # the folds run at once on one shared matrix (dashboard.fused)
    # Held while a path's preprocessing runs, on large tables: one path at a time holds the
    # preprocessing's intermediate copies, the other solves (see ONE_PREPARE_MIN_BYTES).
    prepare_lock: threading.Lock | None = None
    kept: dict = field(default_factory=dict)  # the whole-data path's _Prepared, local runs

    @property
    def total(self) -> int:
        """Fits in the whole search."""
        return len(self.paths) * len(self.c_sorted)


def _rows(X, idx: np.ndarray):
    """Rows ``idx`` (positions) of a DataFrame, array or sparse matrix.

    A DataFrame's every row in order (the whole-data path) is the DataFrame itself, not a
    copy: pandas copies on write, so no step can change the caller's rows through it.
    """
    if not isinstance(X, pd.DataFrame | pd.Series):
        return X[idx]
    if len(idx) == len(X) and np.array_equal(idx, np.arange(len(idx))):
        return X
    return X.iloc[idx]


def _prepare(preprocess, X, y, train_idx, val_idx, estimator=None, fast=False) -> _Prepared:
    """Fit the preprocessing on the training rows; transform training and validation rows.

    With ``fast``, the training rows are also laid out for the fast solver when it applies;
    a ColumnTransformer's branches then write their outputs straight into that layout
    (`_unstacked`), without the stacked float64 matrix, which the fast solver never reads.
    """
    silence_convergence_warnings()
    X_tr = _rows(X, train_idx)
    y_tr = np.asarray(y)[train_idx]
    names = None
    fast_data = None
    skipped: list = []
    if preprocess is None:
        Xt_tr = X_tr
    else:
        prep = clone(preprocess)
        if fast and isinstance(prep, ColumnTransformer):
            skipped = _skip_copies(prep)  # restored before the fitted preprocessing is kept
            Xt_tr = _unstacked(prep, X_tr, y_tr, fit=True)
        else:
            Xt_tr = prep.fit_transform(X_tr, y_tr)
        names = preprocessed_names(prep)
        del X_tr  # the rows' copy, before the fast solver's layout is made
    if isinstance(Xt_tr, list):  # a ColumnTransformer's branch outputs, not stacked
        if fast_solver_applies(estimator, _stacked_like(prep, Xt_tr)):
            fast_data = _fast_layout(_transposed(Xt_tr, len(y_tr)), y_tr, estimator.class_weight)
        else:
            Xt_tr = ColumnTransformer._hstack(prep, Xt_tr, n_samples=len(y_tr))
    elif fast and fast_solver_applies(estimator, Xt_tr):
        fast_data = _fast_data(Xt_tr, y_tr, estimator.class_weight)
    if fast_data is not None:
        Xt_tr = None  # the fast solver reads only its own layout: the matrix can go now
    if skipped and val_idx is None:
        _restore_copies(prep, skipped)
    if val_idx is None:
        release_free_memory()
        return _Prepared(
            X_tr=Xt_tr,
            y_tr=y_tr,
            X_va=None,
            y_va=None,
            names=names,
            fast=fast_data,
            preprocess=None if preprocess is None else prep,
        )
    X_va = _rows(X, val_idx)
    if preprocess is None:
        Xt_va = X_va
    elif fast_data is not None and isinstance(prep, ColumnTransformer) and not prep.sparse_output_:
        Xt_va = _dense(_unstacked(prep, X_va, fit=False), len(val_idx))
    else:
        Xt_va = prep.transform(X_va)
    del X_va
    release_free_memory()
    return _Prepared(
        X_tr=Xt_tr,
        y_tr=y_tr,
        X_va=Xt_va,
        y_va=np.asarray(y)[val_idx],
        names=names,
        fast=fast_data,
    )


def release_free_memory() -> None:
    """Hand the allocator's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing).

    A fold's preprocessing frees hundreds of megabytes of intermediate copies; glibc keeps
    much of it in the worker thread's own arena, where the other worker cannot reuse it, so
    the process's resident size grows by it. Trimming after each path's preparation keeps the
    resident size near what is live. It takes a few milliseconds.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_FRESH_ARRAY_STEPS = (FiniteNumbers, DateParts)
"""Steps whose output is always a new array, which nothing else holds."""


def _skip_copies(prep) -> list[tuple[str, int]]:
    """Set ``copy=False`` on the steps that follow a `_FRESH_ARRAY_STEPS` step in ``prep``'s
    (unfitted) branch pipelines: the imputer and the scaler after FiniteNumbers or DateParts.

    They then work in place on that step's new array instead of copying it once more (one copy
    of the branch's output each, on a fold of a million-row table about 100 MB): the same
    numbers, and fitted values that do not depend on ``copy``. Returns the (branch, step)
    changed, for `_restore_copies`.
    """
    changed = []
    if not isinstance(prep, ColumnTransformer):
        return changed
    for name, branch, _ in prep.transformers:
        if not isinstance(branch, Pipeline) or not branch.steps:
            continue
        if not isinstance(branch.steps[0][1], _FRESH_ARRAY_STEPS):
            continue
        for i, (_, step) in enumerate(branch.steps[1:], start=1):
            if step.get_params(deep=False).get("copy") is True:
                step.set_params(copy=False)
                changed.append((name, i))
    return changed


def _restore_copies(prep, changed: list[tuple[str, int]]) -> None:
    """``copy=True`` again on the steps `_skip_copies` changed, fitted and unfitted."""
    for transformers in (prep.transformers, getattr(prep, "transformers_", [])):
        branches = {name: branch for name, branch, _ in transformers}
        for name, i in changed:
            if name in branches:
                branches[name].steps[i][1].set_params(copy=True)


def _unstacked(prep: ColumnTransformer, X, y=None, *, fit: bool) -> list:
    """``prep.fit_transform(X, y)`` (or ``prep.transform(X)``) without stacking the outputs:
    each branch's output, in the output's column order.

    ColumnTransformer's ``_hstack`` is its hook for how the branches' outputs are stacked;
    for this one call it keeps them instead (the fitted ``prep`` is unchanged by this).
    """
    parts: list = []

    def keep(Xs, *, n_samples):
        parts.extend(Xs)

    prep._hstack = keep
    try:
        if fit:
            prep.fit_transform(X, y)
        else:
            prep.transform(X)
    finally:
        del prep._hstack
    return parts


def _stacked_like(prep: ColumnTransformer, parts: list):
    """An empty matrix of the kind ``prep`` stacks ``parts`` into: its type, width and dtype."""
    width = sum(part.shape[1] for part in parts)
    dtype = np.result_type(*[part.dtype for part in parts]) if parts else np.float64
    if prep.sparse_output_:
        return csr_matrix((0, width), dtype=dtype)
    return np.empty((0, width), dtype=dtype)


def _transposed(parts: list, n: int) -> np.ndarray:
    """Branch outputs (``n`` rows each) as the fast solver's inputs-by-rows layout, filled part
    by part; each part is let go once copied (``parts`` ends empty)."""
    d = sum(part.shape[1] for part in parts)
    XT = np.empty((d, n), dtype=np.float32 if n * d >= FAST_FLOAT32_MIN_CELLS else np.float64)
    at = 0
    while parts:
        part = parts.pop(0)
        width = part.shape[1]
        if issparse(part):
            XT[at : at + width] = 0
            coo = part.tocoo()
            coo.sum_duplicates()
            XT[at + coo.col, coo.row] = coo.data
            del coo
        else:
            XT[at : at + width] = part.T
        at += width
        del part
    return XT


def _dense(parts: list, n: int) -> np.ndarray:
    """Branch outputs (``n`` rows each) side by side in one float64 matrix, as a dense
    ColumnTransformer stacks them, without a dense copy of each sparse part first."""
    d = sum(part.shape[1] for part in parts)
    out = np.zeros((n, d), dtype=np.float64)
    at = 0
    while parts:
        part = parts.pop(0)
        width = part.shape[1]
        if issparse(part):
            coo = part.tocoo()
            coo.sum_duplicates()
            out[coo.row, at + coo.col] = coo.data
            del coo
        else:
            out[:, at : at + width] = part
        at += width
        del part
    return out


def _fit_step(data: _Prepared, estimator, C: float, previous: _Fit | None, want_coef: bool) -> _Fit:
    """Fit the estimator at C (warm-started from ``previous`` if given) and score it."""
    if data.fast is not None:
        return _fast_fit_step(data, estimator, C, previous, want_coef)
    silence_convergence_warnings()
    est = clone(estimator).set_params(C=C, warm_start=previous is not None)
    if previous is not None:
        est.coef_ = previous.coef
        est.intercept_ = previous.intercept
    start = time.perf_counter()
    est.fit(data.X_tr, data.y_tr)
    n_iter = int(np.max(est.n_iter_))
    accuracy = loss = None
    if data.X_va is not None:
        proba = est.predict_proba(data.X_va)
        pred = est.classes_[np.argmax(proba, axis=1)]
        accuracy = float(np.mean(pred == data.y_va))
        loss = float(log_loss(data.y_va, proba, labels=est.classes_))
    return _Fit(
        C=float(C),
        coef=est.coef_.copy(),
        intercept=np.atleast_1d(est.intercept_).copy(),
        classes=[str(c) for c in est.classes_],
        n_iter=n_iter,
        # lbfgs stops at max_iter when it has not converged; that is what the note reports.
        converged=n_iter < est.max_iter,
        accuracy=accuracy,
        log_loss=loss,
        names=data.names if want_coef else None,
        seconds=time.perf_counter() - start,
    )


def _fast_fit_step(
    data: _Prepared, estimator, C: float, previous: _Fit | None, want_coef: bool
) -> _Fit:
    """`_fit_step` with the fast solver: the same objective and options, scored the same way."""
    start = time.perf_counter()
    fast = data.fast
    w0 = previous.w if previous is not None and previous.w is not None else _fast_start(fast)
    w, n_iter = _fast_minimise(fast, C, w0, tol=estimator.tol, max_iter=estimator.max_iter)
    K = len(fast.classes)
    coef, intercept = _as_sklearn(w, K, fast.XT.shape[0])
    accuracy = loss = None
    if data.X_va is not None:
        z = np.asarray(data.X_va @ coef.T, dtype=float) + intercept
        accuracy, loss = _scores(z, fast.classes, data.y_va)
    return _Fit(
        C=float(C),
        coef=coef,
        intercept=intercept,
        classes=[str(c) for c in fast.classes],
        n_iter=n_iter,
        converged=n_iter < estimator.max_iter,
        accuracy=accuracy,
        log_loss=loss,
        names=data.names if want_coef else None,
        seconds=time.perf_counter() - start,
        w=w,
    )


def _scores(z: np.ndarray, classes: np.ndarray, y_va: np.ndarray) -> tuple[float, float]:
    """Accuracy and log-loss of validation logits ``z`` (LogisticRegression's rows of coef_)."""
    if len(classes) == 2:  # LogisticRegression's two-class probabilities are softmax((0, z))
        z = np.column_stack([np.zeros(len(z)), z[:, 0]])
    z = z - z.max(axis=1, keepdims=True)
    truth = np.searchsorted(classes, y_va)
    accuracy = float(np.mean(classes[np.argmax(z, axis=1)] == y_va))
    log_total = np.log(np.exp(z).sum(axis=1))
    return accuracy, float(np.mean(log_total - z[np.arange(len(z)), truth]))


def _run_path(job: _SearchJob, path: _Path, emit, stop) -> None:
    """One fold (or the coefficient path) from start to end, in a worker thread."""
    with job.prepare_lock or contextlib.nullcontext():
        data = _prepare(
            job.preprocess, job.X, job.y, path.train_idx, path.val_idx, job.estimator, job.fast
        )
    if path.fold is None:
        job.kept["whole"] = data
    previous = None
    for i, C in enumerate(job.c_sorted):
        if stop.is_set():
            return
        result = _fit_step(data, job.estimator, C, previous, path.val_idx is None)
        emit(i, result)
        previous = result if job.warm else None
    del data
    release_free_memory()


def _run_fused(job: _SearchJob, emit_at, stop, alone=None, cores: int = 1) -> None:
    """Every fold along the C path at once (:mod:`dashboard.fused`), in one worker thread.

    ``emit_at(p, i, fit)`` reports path p's fit at the i-th C. Once ``alone`` is set (no other
    path is running), its matrix products use ``cores`` BLAS threads. When the folds cannot
    share one matrix, they run one after another the usual way.
    """
    fold_paths = [p for p, path in enumerate(job.paths) if path.fold is not None]
    data = _fused_data(job, [job.paths[p] for p in fold_paths])
    if data is None:
        for p in fold_paths:
            _run_path(job, job.paths[p], lambda i, fit, p=p: emit_at(p, i, fit), stop)
        return
    job.kept["fused"] = True
    w = fused_start(data)
    estimator = job.estimator
    for i, C in enumerate(job.c_sorted):
        if stop.is_set():
            return
        start = time.perf_counter()
        threads = cores if alone is not None and alone.is_set() else 1
        with threadpool_limits(limits=threads, user_api="blas"):
            w, n_iter = fused_minimise(data, C, w, tol=estimator.tol, max_iter=estimator.max_iter)
        seconds = (time.perf_counter() - start) / len(fold_paths)
        for f, (p, (coef, intercept)) in enumerate(
            zip(fold_paths, fold_parameters(data, w), strict=True)
        ):
            z = data.validation[f] @ coef.T + intercept
            accuracy, loss = _scores(z, data.classes, job.y[data.val_idx[f]])
            fit = _Fit(
                C=float(C),
                coef=coef,
                intercept=intercept,
                classes=[str(c) for c in data.classes],
                n_iter=n_iter,
                converged=n_iter < estimator.max_iter,
                accuracy=accuracy,
                log_loss=loss,
                names=None,
                seconds=seconds,
                w=np.concatenate([coef, intercept[:, None]], axis=1).ravel(),
            )
            emit_at(p, i, fit)


def _fused_data(job: _SearchJob, paths: list[_Path]):
    """The folds' shared layout, or None when they cannot share one (then they go one by one)."""
    y = np.asarray(job.y)
    classes = np.unique(y)
    weights = []
    n, d = len(y), len(job.X.columns)
    dtype = np.float32 if n * d >= FAST_FLOAT32_MIN_CELLS else np.float64
    for path in paths:
        fold_classes, codes = np.unique(y[path.train_idx], return_inverse=True)
        if len(fold_classes) != len(classes):
            return None
        weight, total = _row_weights(codes, len(classes), job.estimator.class_weight, dtype)
        weights.append((weight, total))
    folds = [(path.train_idx, path.val_idx) for path in paths]
    return fused_layout(job.preprocess, job.X, y, folds, fold_weights=weights, dtype=dtype)


# ---------------------------------------------------------------------------------------------
# The fast solver: LogisticRegression's own objective, minimised with scipy's L-BFGS-B on a
# loss and gradient written with a few matrix products (float32 on large data).


FAST_FLOAT32_MIN_CELLS = 1_000_000
"""From this many training cells (rows x inputs) on, the fast solver's products run in float32.

The loss is summed in float64; the gradient's rounding stays far below the solver's tolerance
of 1e-4, and the scores agree with float64 fits within 1e-4 at every size measured.
"""


FAST_SPARSE_MAX_COLUMNS = 2_000
"""A sparse matrix (one-hot columns) up to this many columns is made dense for the fast solver."""


@dataclass(frozen=True, kw_only=True, eq=False)
class _FastData:
    """One path's training rows laid out for the fast loss: inputs by column, targets, weights."""

    XT: np.ndarray  # (n_inputs, n_rows), C-contiguous, float32 or float64
    codes: np.ndarray  # (n_rows,) class codes 0 .. K-1
    onehot: np.ndarray | None  # (K, n_rows) for K >= 3
    weight: np.ndarray  # (n_rows,) sample weights divided by their sum
    weight_sum: float
    classes: np.ndarray


def fast_solver_applies(estimator, X) -> bool:
    """Whether the fast solver minimises exactly what ``estimator.fit(X, y)`` would.

    A `LogisticRegression` with lbfgs, an intercept, the L2 penalty only and no class weights
    other than "balanced", on a numeric matrix: dense, or sparse with at most
    ``FAST_SPARSE_MAX_COLUMNS`` columns (one-hot columns; it is made dense for the solver).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> fast_solver_applies(LogisticRegression(), np.zeros((3, 2)))
    True
    >>> fast_solver_applies(LogisticRegression(solver="saga"), np.zeros((3, 2)))
    False
    """
    from sklearn.linear_model import LogisticRegression

    if type(estimator) is not LogisticRegression:
        return False
    params = estimator.get_params()
    return (
        params["solver"] == "lbfgs"
        and params["fit_intercept"] is True
        and params["penalty"] in ("deprecated", "l2")
        and params["l1_ratio"] in (0, 0.0, None)
        and params["class_weight"] in (None, "balanced")
        and (
            (isinstance(X, np.ndarray) and X.ndim == 2)
            or (issparse(X) and X.shape[1] <= FAST_SPARSE_MAX_COLUMNS)
        )
        and X.dtype.kind == "f"
    )


def _fast_data(X_tr, y_tr: np.ndarray, class_weight) -> _FastData:
    n, d = X_tr.shape
    dtype = np.float32 if n * d >= FAST_FLOAT32_MIN_CELLS else np.float64
    if issparse(X_tr):
        XT = np.ascontiguousarray(X_tr.T.toarray(), dtype=dtype)
    else:
        XT = np.ascontiguousarray(X_tr.T, dtype=dtype)
    return _fast_layout(XT, y_tr, class_weight)


def _fast_layout(XT: np.ndarray, y_tr: np.ndarray, class_weight) -> _FastData:
    """`_FastData` of the inputs already laid out by rows (``XT``, n_inputs x n_rows)."""
    classes, codes = np.unique(y_tr, return_inverse=True)
    n = XT.shape[1]
    dtype = XT.dtype
    weight, weight_sum = _row_weights(codes, len(classes), class_weight, dtype)
    onehot = None
    if len(classes) > 2:
        onehot = np.zeros((len(classes), n), dtype=dtype)
        onehot[codes, np.arange(n)] = 1
    return _FastData(
        XT=XT, codes=codes, onehot=onehot, weight=weight, weight_sum=weight_sum, classes=classes
    )


def _row_weights(codes: np.ndarray, n_classes: int, class_weight, dtype) -> tuple:
    """Each row's weight divided by the weights' sum, and that sum.

    "balanced" is scikit-learn's ``compute_class_weight``: n / (n_classes * class count).
    """
    n = len(codes)
    if class_weight == "balanced":
        counts = np.bincount(codes, minlength=n_classes)
        weight = (n / (n_classes * counts))[codes]
    else:
        weight = np.ones(n)
    weight_sum = float(weight.sum())
    return (weight / weight_sum).astype(dtype), weight_sum


def _softmax_loss_grad(w: np.ndarray, data: _FastData, l2: float):
    """Mean weighted multinomial log-loss + l2/2 ||coef||^2 and its gradient (intercept free).

    ``w`` is (K, n_inputs + 1) raveled, the intercept last; ``l2`` is 1 / (C * weight sum),
    which makes the objective LogisticRegression's (its sum of losses + ||coef||^2 / 2C,
    divided by the weight sum).
    """
    K = data.onehot.shape[0]
    d, n = data.XT.shape
    W = w.reshape(K, d + 1)
    coef = W[:, :d]
    dtype = data.XT.dtype
    Z = coef.astype(dtype) @ data.XT
    Z += W[:, d].astype(dtype)[:, None]
    Z -= Z.max(axis=0)
    z_true = Z[data.codes, np.arange(n)]
    np.exp(Z, out=Z)
    total = Z.sum(axis=0)
    per_row = np.log(total) - z_true
    loss = float(np.dot(per_row.astype(np.float64), data.weight)) + 0.5 * l2 * float(
        np.vdot(coef, coef)
    )
    Z /= total
    Z -= data.onehot
    Z *= data.weight
    grad = np.empty_like(W)
    grad[:, :d] = Z @ data.XT.T
    grad[:, :d] += l2 * coef
    grad[:, d] = Z.sum(axis=1)
    return loss, grad.ravel()


def _logistic_loss_grad(w: np.ndarray, data: _FastData, l2: float):
    """The two-class case: LogisticRegression's one row of log-odds of the second class."""
    d = data.XT.shape[0]
    dtype = data.XT.dtype
    coef = w[:d]
    z = coef.astype(dtype) @ data.XT + dtype.type(w[d])
    positive = data.codes == 1
    per_row = np.logaddexp(0, z) - np.where(positive, z, 0)
    loss = float(np.dot(per_row.astype(np.float64), data.weight)) + 0.5 * l2 * float(coef @ coef)
    residual = (1.0 / (1.0 + np.exp(-z)) - positive) * data.weight
    grad = np.empty_like(w)
    grad[:d] = data.XT @ residual
    grad[:d] += l2 * coef
    grad[d] = residual.sum()
    return loss, grad


def _fast_start(data: _FastData) -> np.ndarray:
    """Zero coefficients and the intercepts of the class shares (the small-C optimum's limit)."""
    d = data.XT.shape[0]
    intercepts = share_intercepts(data.codes, data.weight, len(data.classes))
    W = np.zeros((len(intercepts), d + 1))
    W[:, d] = intercepts
    return W.ravel()


def _fast_minimise(data: _FastData, C: float, start: np.ndarray, *, tol: float, max_iter: int):
    """scipy's L-BFGS-B on LogisticRegression's objective at C, with LogisticRegression's options."""
    func = _logistic_loss_grad if len(data.classes) == 2 else _softmax_loss_grad
    args = (data, 1.0 / (C * data.weight_sum))
    return lbfgs_like_sklearn(func, start, args, tol=tol, max_iter=max_iter)


def _as_sklearn(w: np.ndarray, n_classes: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Parameters as LogisticRegression's ``coef_`` and ``intercept_``."""
    if n_classes == 2:
        return w[:d][None, :].copy(), w[d:].copy()
    W = w.reshape(n_classes, d + 1)
    return W[:, :d].copy(), W[:, d].copy()


# ---------------------------------------------------------------------------------------------


def fit_interruptibly(
    estimator,
    X,
    y,
    *,
    should_stop: Callable[[], bool] | None = None,
    time_limit: float | None = None,
    clock_start: float | None = None,
):
    """``estimator.fit(X, y)`` in a worker thread, polling ``should_stop`` from this thread.

    Raises `TrainingStopped` (or the time-limit `SoftmaxLabError`) as soon as asked, without
    waiting for the fit; the abandoned fit finishes in the background and is discarded.
    """
    silence_convergence_warnings()
    clock_start = time.perf_counter() if clock_start is None else clock_start
    outcome: dict = {}

    def work() -> None:
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                estimator.fit(X, y)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="softmax-lab-refit", daemon=True)
    worker.start()
    while worker.is_alive():
        _check_stop(should_stop, time_limit, clock_start)
        worker.join(POLL_SECONDS)
    if "error" in outcome:
        raise outcome["error"]
    return estimator


def _check_stop(should_stop, time_limit, clock_start) -> None:
    if should_stop is not None and should_stop():
        raise TrainingStopped("Training was stopped before it finished.")
    if time_limit is not None and time.perf_counter() - clock_start > time_limit:
        raise SoftmaxLabError(
            f"Training took longer than the limit of {time_limit:g} seconds and was stopped",
            where="training",
            hint="Use fewer rows, fewer values of C or fewer folds, then train again.",
        )


def _split_pipeline(pipeline) -> tuple[object | None, object]:
    """The preprocessing part (None if there is none) and the final LogisticRegression."""
    if isinstance(pipeline, Pipeline):
        steps = pipeline.steps
        preprocess = Pipeline(steps[:-1]) if len(steps) > 1 else None
        if preprocess is not None and len(steps) == 2:
            preprocess = steps[0][1]
        return preprocess, steps[-1][1]
    return None, pipeline


def default_workers(n_jobs: int | None, n_tasks: int) -> int:
    """How many folds run at once: ``n_jobs`` (None or -1 = every core), at most one per task.

    Examples
    --------
    >>> default_workers(4, 3)
    3
    >>> default_workers(1, 6)
    1
    """
    cores = joblib.cpu_count()  # respects CPU affinity and container quotas
    wanted = cores if n_jobs is None or n_jobs < 1 else n_jobs
    return max(1, min(wanted, n_tasks))


def search_c(
    pipeline,
    X,
    y,
    *,
    c_grid: Sequence[float],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    coef_path: bool = True,
    warm_start: bool | None = None,
    fast: bool | None = None,
    fuse: bool | None = None,
    n_jobs: int | None = None,
    scheduler: str | None = None,
    on_fit: Callable[[FitEvent, int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    time_limit: float | None = None,
    clock_start: float | None = None,
) -> SearchResult:
    """Cross-validated accuracy and log-loss of ``pipeline`` at every C of ``c_grid``.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline or LogisticRegression
        Preprocessing steps (fitted once per fold) followed by a LogisticRegression.
    X : pandas.DataFrame or array-like
        The rows to cross-validate on (the training part).
    y : array-like
        Their labels.
    c_grid : sequence of float
        Candidate values of C (any order; duplicates are not expected).
    folds : sequence of (train_indices, validation_indices)
        The folds, e.g. ``list(StratifiedKFold(...).split(X, y))``.
    coef_path : bool, default=True
        Also fit every C on all the rows of ``X`` and keep the coefficients.
    warm_start : bool or None, default=None
        Warm-start each fit from the previous C's solution. None: from
        ``WARM_START_MIN_ROWS`` training rows on.
    fast : bool or None, default=None
        Fit with the fast solver where it applies (`fast_solver_applies`): the same objective
        and stopping rule as LogisticRegression's lbfgs, with cheaper products. None: when
        warm-starting.
    fuse : bool or None, default=None
        Run the folds at once on one shared matrix (:mod:`dashboard.fused`) where the
        preprocessing allows it (numbers only, local runs). None: with the fast solver and
        warm starts. False: fold by fold.
    n_jobs : int or None, default=None
        Folds run at once; None = every core.
    scheduler : str or None, default=None
        Dask scheduler address; None = read ``SOFTMAX_LAB_DASK_SCHEDULER``; "" = local.
    on_fit : callable(event, done, total), optional
        Called in the caller's thread after every fit.
    should_stop : callable() -> bool, optional
        Polled every 0.1 s; when it returns True the search raises `TrainingStopped`.
    time_limit : float, optional
        Seconds after which the search stops with a `SoftmaxLabError`.
    clock_start : float, optional
        ``time.perf_counter()`` value the time limit counts from (default: now).

    Returns
    -------
    SearchResult

    Notes
    -----
    Candidates are ranked by mean validation accuracy; on a tie the smaller C wins (it is the
    simpler model, and it is what ``GridSearchCV`` picks when the grid is sorted ascending).
    """
    silence_convergence_warnings()
    start = time.perf_counter()
    job = _make_job(
        pipeline,
        X,
        y,
        c_grid,
        folds,
        coef_path=coef_path,
        warm_start=warm_start,
        fast=fast,
        fuse=fuse,
    )
    fits: dict[tuple[int, int], _Fit] = {}
    events: list[FitEvent] = []

    def record(p: int, i: int, fit: _Fit) -> None:
        fits[(p, i)] = fit
        events.append(_event(p, job.paths[p].fold, fit))
        if on_fit is not None:
            on_fit(events[-1], len(fits), job.total)

    def check_stop() -> None:
        _check_stop(should_stop, time_limit, start if clock_start is None else clock_start)

    ran = _run(job, n_jobs=n_jobs, scheduler=scheduler, record=record, check_stop=check_stop)
    return _collect(job, fits, events, ran=ran, start=start)


def out_of_fold_predictions(
    pipeline,
    X,
    y,
    *,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    class_weights: Sequence[str | None] = (None, "balanced"),
    fast: bool | None = None,
    n_jobs: int | None = None,
) -> dict:
    """Each row predicted by the fit of the fold that held it out, once per class weighting.

    What ``cross_val_predict`` gives for ``pipeline.set_params(class_weight=w)`` and each w,
    at about the cost of one C of the search: each fold's preprocessing is fitted once for
    every weighting, and with the fast solver each weighting starts from the previous one's
    solution.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline or LogisticRegression
        Preprocessing steps followed by a LogisticRegression (its C is used).
    X : pandas.DataFrame or array-like
    y : array-like
    folds : sequence of (train_indices, validation_indices)
        Folds that together hold out every row once.
    class_weights : sequence of {None, "balanced"}, default=(None, "balanced")
    fast : bool or None, default=None
        Use the fast solver where it applies; None: from ``WARM_START_MIN_ROWS`` rows on.
    n_jobs : int or None, default=None
        Folds run at once; None = every core.

    Returns
    -------
    dict
        The predicted labels (numpy array, in the rows' order) per class weighting.
    """
    silence_convergence_warnings()
    preprocess, estimator = _split_pipeline(pipeline)
    y = np.asarray(y)
    folds = [(np.asarray(tr), np.asarray(va)) for tr, va in folds]
    if fast is None:
        fast = min(len(tr) for tr, _ in folds) >= WARM_START_MIN_ROWS
    predicted = {w: np.empty(len(y), dtype=y.dtype) for w in class_weights}

    def task(tr: np.ndarray, va: np.ndarray) -> None:
        data = _prepare(preprocess, X, y, tr, va, estimator, fast)
        previous = None
        for weight in class_weights:
            est = clone(estimator).set_params(class_weight=weight)
            if data.fast is None:
                predicted[weight][va] = est.fit(data.X_tr, data.y_tr).predict(data.X_va)
                continue
            fd = data.fast
            w, total = _row_weights(fd.codes, len(fd.classes), weight, fd.XT.dtype)
            weighted = replace(data, fast=replace(fd, weight=w, weight_sum=total))
            previous = _fast_fit_step(weighted, est, est.C, previous, False)
            z = np.asarray(data.X_va @ previous.coef.T, dtype=float) + previous.intercept
            if len(fd.classes) == 2:
                predicted[weight][va] = fd.classes[(z[:, 0] > 0).astype(int)]
            else:
                predicted[weight][va] = fd.classes[np.argmax(z, axis=1)]

    workers = default_workers(n_jobs, len(folds))
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="softmax-lab-oof") as pool,
    ):
        for future in [pool.submit(task, tr, va) for tr, va in folds]:
            future.result()
    return predicted


def _make_job(
    pipeline, X, y, c_grid, folds, *, coef_path: bool, warm_start, fast, fuse=None
) -> _SearchJob:
    """The search's fixed parts: the split pipeline, the rows of every path, the sorted C."""
    preprocess, estimator = _split_pipeline(pipeline)
    if not isinstance(X, pd.DataFrame | pd.Series) and not hasattr(X, "shape"):
        X = np.asarray(X)
    y = np.asarray(y)
    paths = [
        _Path(train_idx=np.asarray(tr), val_idx=np.asarray(va), fold=k)
        for k, (tr, va) in enumerate(folds)
    ]
    if warm_start is None:
        warm_start = min(len(p.train_idx) for p in paths) >= WARM_START_MIN_ROWS
    if coef_path:
        paths.append(_Path(train_idx=np.arange(len(y)), val_idx=None, fold=None))
    fast = bool(warm_start) if fast is None else bool(fast)
    if fuse is None:
        fuse = fast and bool(warm_start)
    return _SearchJob(
        preprocess=preprocess,
        estimator=estimator,
        X=X,
        y=y,
        paths=tuple(paths),
        c_sorted=tuple(sorted(float(c) for c in c_grid)),
        warm=bool(warm_start),
        want_coef=coef_path,
        fast=fast,
        fused=bool(fuse) and _fusable(preprocess, estimator, X, y),
        prepare_lock=threading.Lock() if _path_bytes(X) >= ONE_PREPARE_MIN_BYTES else None,
    )


def _path_bytes(X) -> int:
    """An estimate of one path's preprocessed rows in memory: rows x columns x 16 bytes."""
    shape = getattr(X, "shape", (0, 0))
    columns = shape[1] if len(shape) > 1 else 1
    return int(shape[0]) * int(columns) * 16


def _fusable(preprocess, estimator, X, y) -> bool:
    """Whether the folds can run fused: the fast solver's estimator, numbers only, a DataFrame,
    a few classes (:data:`dashboard.fused.MAX_CLASSES`)."""
    return (
        isinstance(X, pd.DataFrame)
        and len(np.unique(y)) <= MAX_CLASSES
        and fast_solver_applies(estimator, np.zeros((1, 1)))
        and numeric_steps(preprocess) is not None
    )


def _event(path: int, fold: int | None, fit: _Fit) -> FitEvent:
    return FitEvent(
        path=path,
        fold=fold,
        C=fit.C,
        accuracy=fit.accuracy,
        log_loss=fit.log_loss,
        converged=fit.converged,
        n_iter=fit.n_iter,
        seconds=fit.seconds,
    )


@dataclass(frozen=True, kw_only=True)
class _Ran:
    """Where the fits ran: the backend's name, its workers, and a note if the cluster failed."""

    backend: str
    workers: int
    notes: tuple[str, ...] = ()


def _run(job: _SearchJob, *, n_jobs, scheduler, record, check_stop) -> _Ran:
    """Run every fit on the Dask cluster when one is set and reachable, else on local threads."""
    if scheduler is None:
        scheduler = os.environ.get(SCHEDULER_ENV, "").strip()
    notes: tuple[str, ...] = ()
    if scheduler:
        client, notes = _connect(scheduler)
        if client is not None:
            workers = _run_dask(client, job, record, check_stop)
            return _Ran(backend=f"dask ({scheduler})", workers=workers)
    tasks = (
        len(job.paths) - sum(p.fold is not None for p in job.paths) + 1
        if job.fused
        else len(job.paths)
    )
    workers = default_workers(n_jobs, tasks)
    _run_threads(workers, job, record, check_stop)
    return _Ran(backend="local threads", workers=workers, notes=notes)


def _connect(scheduler: str):
    """A Dask client for ``scheduler``, or None and a note when it cannot be reached."""
    try:
        from distributed import Client

        return Client(scheduler, timeout=DASK_CONNECT_SECONDS, set_as_default=False), ()
    except (ImportError, OSError, TimeoutError, ValueError) as exc:
        return None, (
            f"The Dask cluster at {scheduler} could not be reached ({exc}); "
            "the model was trained on this machine instead.",
        )


def _run_threads(workers: int, job: _SearchJob, record, check_stop) -> None:
    inbox: queue.Queue = queue.Queue()
    stop = threading.Event()

    others = [p for p, path in enumerate(job.paths) if path.fold is None] if job.fused else []
    alone = threading.Event()  # set when the fused folds are the only work left
    if not others:
        alone.set()
    ended: list[int] = []

    def task(p: int) -> None:
        try:
            _run_path(job, job.paths[p], lambda i, fit: inbox.put(("fit", p, i, fit)), stop)
        except BaseException as exc:  # handed to the caller's thread, re-raised there
            inbox.put(("error", p, None, exc))
        finally:
            ended.append(p)
            if len(ended) >= len(others):
                alone.set()

    def fused_task() -> None:
        try:
            emit = lambda p, i, fit: inbox.put(("fit", p, i, fit))  # noqa: E731
            _run_fused(job, emit, stop, alone=alone, cores=workers)
        except BaseException as exc:
            inbox.put(("error", None, None, exc))

    done = 0
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="softmax-lab-fit")
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            if job.fused:
                # The whole-data path on one core, the fused folds on the other; when the
                # path ends, the fused folds' matrix products take both.
                for p in others:
                    pool.submit(task, p)
                pool.submit(fused_task)
            else:
                for p in range(len(job.paths)):
                    pool.submit(task, p)
            while done < job.total:
                check_stop()
                try:
                    kind, p, i, payload = inbox.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    continue
                if kind == "error":
                    raise payload
                done += 1
                record(p, i, payload)
    finally:
        stop.set()
        # Workers still busy finish their current fit, see the stop flag and end on their own.
        pool.shutdown(wait=False, cancel_futures=True)


def _run_dask(client, job: _SearchJob, record, check_stop) -> int:
    futures = []
    try:
        X_f, y_f = client.scatter([job.X, job.y], broadcast=False)
        chain: dict = {}
        for p, path in enumerate(job.paths):
            data_f = client.submit(
                _prepare,
                job.preprocess,
                X_f,
                y_f,
                path.train_idx,
                path.val_idx,
                job.estimator,
                job.fast,
                pure=False,
            )
            futures.append(data_f)
            previous = None
            for i, C in enumerate(job.c_sorted):
                want_coef = path.val_idx is None
                f = client.submit(
                    _fit_step, data_f, job.estimator, C, previous, want_coef, pure=False
                )
                chain[f.key] = (p, i)
                futures.append(f)
                previous = f if job.warm else None
        pending = [f for f in futures if f.key in chain]
        while pending:
            check_stop()
            still = []
            for f in pending:
                if f.status == "finished":
                    p, i = chain[f.key]
                    record(p, i, f.result())
                elif f.status in ("error", "cancelled"):
                    f.result()  # raises the worker's exception
                else:
                    still.append(f)
            if len(still) == len(pending):
                time.sleep(POLL_SECONDS)
            pending = still
        workers = len(client.scheduler_info().get("workers", {})) or 1
    finally:
        client.cancel(futures)
        client.close()
    return workers


def _collect(
    job: _SearchJob, fits: dict, events: list[FitEvent], *, ran: _Ran, start: float
) -> SearchResult:
    rows = [
        {
            "C": fit.C,
            "fold": job.paths[p].fold,
            "accuracy": fit.accuracy,
            "log_loss": fit.log_loss,
            "converged": fit.converged,
            "n_iter": fit.n_iter,
            "seconds": fit.seconds,
        }
        for (p, _i), fit in sorted(fits.items())
        if job.paths[p].fold is not None
    ]
    cv_results = pd.DataFrame(rows).sort_values(["C", "fold"], ignore_index=True)
    grouped = cv_results.groupby("C", sort=True)
    c_sorted = list(job.c_sorted)
    cv_summary = pd.DataFrame(
        {
            "C": c_sorted,
            "mean_accuracy": [grouped.get_group(c)["accuracy"].mean() for c in c_sorted],
            "std_accuracy": [grouped.get_group(c)["accuracy"].std(ddof=0) for c in c_sorted],
            "mean_log_loss": [grouped.get_group(c)["log_loss"].mean() for c in c_sorted],
            "std_log_loss": [grouped.get_group(c)["log_loss"].std(ddof=0) for c in c_sorted],
            "converged": [bool(grouped.get_group(c)["converged"].all()) for c in c_sorted],
        }
    )
    best = rank_candidates(cv_summary["mean_accuracy"], cv_summary["C"])
    coef = None
    if job.want_coef:
        p = len(job.paths) - 1
        steps = [fits[(p, i)] for i in range(len(c_sorted))]
        coef = {
            "C": c_sorted,
            "coef": np.stack([s.coef for s in steps]),
            "intercept": np.stack([s.intercept for s in steps]),
            "feature_names": steps[0].names,
            "coef_classes": _coef_classes(steps[0].classes, steps[0].coef.shape[0]),
            "converged": [s.converged for s in steps],
        }
    return SearchResult(
        cv_results=cv_results,
        cv_summary=cv_summary,
        best_C=float(cv_summary["C"].iloc[best]),
        coef_path=coef,
        seconds=time.perf_counter() - start,
        backend=ran.backend,
        warm_start=job.warm,
        workers=ran.workers,
        fast_solver=any(fit.w is not None for fit in fits.values()),
        fused=bool(job.kept.get("fused")),
        timings={"fit_seconds_summed": sum(e.seconds for e in events)},
        notes=ran.notes,
        whole=_whole(job, fits),
    )


def _whole(job: _SearchJob, fits: dict) -> tuple | None:
    data = job.kept.get("whole")
    if data is None or data.preprocess is None:
        return None
    p = len(job.paths) - 1
    n_iter = tuple(fits[(p, i)].n_iter for i in range(len(job.c_sorted)))
    return (data.preprocess, data.X_tr, n_iter)


def _coef_classes(classes: list[str], rows: int) -> list[str]:
    # With two classes LogisticRegression keeps one row: the log-odds of the second class.
    return classes if rows == len(classes) else classes[-rows:]
