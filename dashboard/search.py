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
import sys
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
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import preprocessed_names
from dashboard.features import DateParts, FiniteNumbers
from dashboard.fused import (
    MAX_CLASSES,
    class_codes,
    fold_parameters,
    fold_range,
    fused_layout,
    fused_minimise,
    fused_start,
    lbfgs_like_sklearn,
    numeric_steps,
    reweighted,
    share_intercepts,
)


@functools.cache
def _blas_controller() -> ThreadpoolController:
    """The process's BLAS libraries, found once: finding them reads the process's memory map,
    about 8 ms, which ``threadpool_limits`` would pay at every call."""
    return ThreadpoolController()


def blas_threads(n: int):
    """A context in which the BLAS libraries use ``n`` threads (threadpoolctl's ``limit``)."""
    return _blas_controller().limit(limits=n, user_api="blas")


SCHEDULER_ENV = "SOFTMAX_LAB_DASK_SCHEDULER"
"""Environment variable holding a Dask scheduler address (``tcp://host:8786``); empty = local."""

ONE_PATH_MIN_BYTES = 200_000_000
"""From this estimated size of one path's preprocessed rows (rows x columns x 16 bytes: the
output and its copies), paths prepare their rows one at a time, so that two paths' intermediate
copies are never held at once.

When the preprocessing has several branches (categories, dates or text beside numbers), the
paths of a search that is not fused run one after another, each solve's matrix products on every
core: no path holds its solver's layout while another fits its preprocessing. On a million mixed
rows that takes the search's peak from a median of 3.6x to under 3x the table (a path's
preprocessing, its row copy and its branches' outputs, peaks near 2x the table; a layout with
its validation rows holds about 1x) for about 15 % more time, as the preprocessing, most of a
path's time there, runs on one core either way. A table of numbers only keeps its solves side by
side: its preparation is one scaler, and one path's solve on two cores is slower than two
paths' on one core each."""

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
    folds_at_best: dict | None = None
    """Each fold's fit at ``best_C``, for :func:`out_of_fold_predictions`'s ``start``: keys
    ``C``, ``class_weight``, ``coef`` and ``intercept`` (one array per fold, in the folds'
    order, as LogisticRegression holds them) and ``preprocess`` (each fold's fitted
    preprocessing where the fold ran on its own on this machine, else None)."""

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
    preprocess: object | None = None  # fitted


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
    class_names: list[str] | None = None  # y holds positions in these (search_c's classes)
    # Held while a path's preprocessing runs, on large tables: one path at a time holds the
    # preprocessing's intermediate copies (see ONE_PATH_MIN_BYTES)
    prepare_lock: threading.Lock | None = None
    # Large paths of several kinds of columns run one after another (ONE_PATH_MIN_BYTES)
    one_at_a_time: bool = False
    # the whole-data path's _Prepared and each fold's fitted preprocessing, local runs
    kept: dict = field(default_factory=dict)

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


def _prepare(
    preprocess, X, y, train_idx, val_idx, estimator=None, fast=False, fitted=None
) -> _Prepared:
    """Fit the preprocessing on the training rows; transform training and validation rows.

    With ``fast``, the training rows are also laid out for the fast solver when it applies;
    a ColumnTransformer's branches then write their outputs straight into that layout
    (`_unstacked`), without the stacked float64 matrix, which the fast solver never reads.
    ``fitted``: the preprocessing already fitted on these training rows; it is applied to all
    the rows at once (one call costs less than two), then the training and validation rows
    are taken from its output.
    """
    silence_convergence_warnings()
    y_tr = np.asarray(y)[train_idx]
    names = Xt_va = None
    fast_data = None
    skipped: list = []
    if preprocess is None:
        Xt_tr = _rows(X, train_idx)
    elif fitted is not None and fast and isinstance(fitted, ColumnTransformer):
        prep = fitted  # each branch's output for every row; the parts' rows laid out below
        parts = _unstacked(prep, X, fit=False)
        Xt_tr = [_rows(part, train_idx) for part in parts]
        if val_idx is not None:
            va = [_rows(part, val_idx) for part in parts]
            if prep.sparse_output_:
                Xt_va = ColumnTransformer._hstack(prep, va, n_samples=len(val_idx))
            else:
                Xt_va = _dense(va, len(val_idx))
        names = preprocessed_names(prep)
        del parts
    elif fitted is not None:
        prep = fitted
        Xt_all = prep.transform(X)
        Xt_tr = _rows(Xt_all, train_idx)
        Xt_va = None if val_idx is None else _rows(Xt_all, val_idx)
        names = preprocessed_names(prep)
        del Xt_all
    else:
        prep = clone(preprocess)
        X_tr = _rows(X, train_idx)
        if fast and isinstance(prep, ColumnTransformer):
            # restored before the fitted preprocessing is kept
            skipped = _skip_copies(
                prep,
                float32=_float32_inputs(estimator, X, len(y_tr)) and not _has_text(prep),
                release=_path_bytes(X, len(y_tr)) >= ONE_PATH_MIN_BYTES,
            )
            Xt_tr = _unstacked(prep, X_tr, y_tr, fit=True)
        else:
            Xt_tr = prep.fit_transform(X_tr, y_tr)
        names = preprocessed_names(prep)
        del X_tr  # the rows' copy, before the fast solver's layout is made
        release_free_memory()  # and the branches' intermediate copies
    if isinstance(Xt_tr, list):  # a ColumnTransformer's branch outputs, not stacked
        if fast_solver_applies(estimator, _stacked_like(prep, Xt_tr)):
            fast_data = _fast_layout(_transposed(Xt_tr, len(y_tr)), y_tr, estimator.class_weight)
        elif any(kind == "float32" for *_, kind in skipped):
            # Outputs rounded to float32 for a solver that does not apply after all (a sparse
            # one-hot output wider than FAST_SPARSE_MAX_COLUMNS): scikit-learn's solver gets
            # the float64 numbers GridSearchCV would, so the fit is made again without it.
            del Xt_tr
            return _prepare(preprocess, X, y, train_idx, val_idx, estimator, fast=False)
        else:
            Xt_tr = ColumnTransformer._hstack(prep, Xt_tr, n_samples=len(y_tr))
    elif fast and fast_solver_applies(estimator, Xt_tr):
        fast_data = _fast_data(Xt_tr, y_tr, estimator.class_weight)
    if fast_data is not None:
        Xt_tr = None  # the fast solver reads only its own layout: the matrix can go now
    if val_idx is None:
        if skipped:
            _restore_copies(prep, skipped)
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
    if Xt_va is None:
        X_va = _rows(X, val_idx)
        if preprocess is None:
            Xt_va = X_va
        elif (
            fast_data is not None
            and isinstance(prep, ColumnTransformer)
            and not prep.sparse_output_
        ):
            # in the solver's dtype: float32 on large data, half the float64 matrix
            Xt_va = _dense(_unstacked(prep, X_va, fit=False), len(val_idx), fast_data.XT.dtype)
        else:
            Xt_va = prep.transform(X_va)
        del X_va
        release_free_memory()
    if skipped:  # a fold's fitted preprocessing is kept too (the class-weight comparison)
        _restore_copies(prep, skipped)
    return _Prepared(
        X_tr=Xt_tr,
        y_tr=y_tr,
        X_va=Xt_va,
        y_va=np.asarray(y)[val_idx],
        names=names,
        fast=fast_data,
        preprocess=None if preprocess is None else prep,
    )


def release_free_memory() -> None:
    """Hand the allocators' free pages back to the system: glibc's (``malloc_trim``; elsewhere
    nothing) and, once pandas has used it, Arrow's memory pool.

    A fold's preprocessing frees hundreds of megabytes of intermediate copies; glibc keeps
    much of it in the worker thread's own arena, where the other worker cannot reuse it, so
    the process's resident size grows by it. Arrow's pool (text columns, the checks' row
    hashes) keeps what it freed until it decides to purge, which on a million rows left
    0 to 110 MB resident through a whole training, from run to run. Trimming after each
    path's preparation keeps the resident size near what is live. It takes a few
    milliseconds.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    arrow = sys.modules.get("pyarrow")  # never imported here only to be emptied
    if arrow is not None:
        arrow.default_memory_pool().release_unused()


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_FRESH_ARRAY_STEPS = (FiniteNumbers, DateParts)
"""Steps whose output is always a new array, which nothing else holds."""


def _skip_copies(
    prep, *, float32: bool = False, release: bool = False
) -> list[tuple[str, int, str]]:
    """Set ``copy=False`` on the steps that follow a `_FRESH_ARRAY_STEPS` step in ``prep``'s
    (unfitted) branch pipelines: the imputer and the scaler after FiniteNumbers or DateParts;
    and make each branch's StandardScaler a `_ColumnBlockScaler` for its fit (about 1.2 times
    StandardScaler's time on large inputs, StandardScaler itself on small ones). With
    ``float32``, those branches end with a `_Float32` step; with ``release``, every branch ends
    with a `_Released` step.

    They then work in place on that step's new array instead of copying it once more (one copy
    of the branch's output each, on a fold of a million-row table about 100 MB): the same
    numbers, and fitted values that do not depend on ``copy``. Returns the (branch, step,
    "copy", "scaler", "float32" or "release") changed, for `_restore_copies`.
    """
    changed = []
    if not isinstance(prep, ColumnTransformer):
        return changed
    for name, branch, _ in prep.transformers:
        if not isinstance(branch, Pipeline) or not branch.steps:
            continue
        for i, (step_name, step) in enumerate(branch.steps):
            if type(step) is StandardScaler:
                branch.steps[i] = (step_name, _ColumnBlockScaler(**step.get_params()))
                changed.append((name, i, "scaler"))
        if not isinstance(branch.steps[0][1], _FRESH_ARRAY_STEPS):
            continue
        for i, (_, step) in enumerate(branch.steps[1:], start=1):
            if step.get_params(deep=False).get("copy") is True:
                step.set_params(copy=False)
                changed.append((name, i, "copy"))
        if float32:
            branch.steps.append(("float32", _Float32()))
            changed.append((name, len(branch.steps) - 1, "float32"))
    if release:
        for name, branch, _ in prep.transformers:
            if isinstance(branch, Pipeline) and branch.steps:
                branch.steps.append(("release", _Released()))
                changed.append((name, len(branch.steps) - 1, "release"))
    return changed


def _float32_inputs(estimator, X, n_rows: int) -> bool:
    """Whether a path of ``n_rows`` rows of ``X`` is to be solved in float32 by the fast
    solver (`FAST_FLOAT32_MIN_CELLS`, counting one input per column of ``X``); where its
    output turns out too wide for that solver, `_prepare` prepares the path again."""
    return n_rows * _width(X) >= FAST_FLOAT32_MIN_CELLS and fast_solver_applies(
        estimator, np.zeros((1, 1))
    )


class _Float32(TransformerMixin, BaseEstimator):
    """The last step of a dense branch while the search fits a large path (`_skip_copies`):
    the branch's output in float32, the fast solver's dtype there, so that the outputs held
    until the solver's layout is made are half the size. Removed by `_restore_copies`."""

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True  # nothing to learn

    def transform(self, X):
        if X.nbytes >= SCALER_BLOCK_BYTES:  # the scaler's blocks, before a copy of X
            release_free_memory()
        return X.astype(np.float32)

    def get_feature_names_out(self, input_features=None):
        return np.asarray(input_features, dtype=object)


class _Released(TransformerMixin, BaseEstimator):
    """The last step of every branch while the search fits a large path (`_skip_copies`): its
    input unchanged, once the allocator has handed back what the branch freed
    (`release_free_memory`). A branch's temporaries under the size glibc maps on its own
    (32 MB) stay resident in the thread's heap, where the next branch's large arrays do not
    fit: on a million rows, the one-hot encoder's leave 40 to 80 MB before the date parts
    are made. Removed by `_restore_copies`."""

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True  # nothing to learn

    def transform(self, X):
        release_free_memory()
        return X

    def get_feature_names_out(self, input_features=None):
        return np.asarray(input_features, dtype=object)


_APPENDED = {"float32": _Float32, "release": _Released}


def _restore_copies(prep, changed: list[tuple[str, int, str]]) -> None:
    """Undo `_skip_copies`, fitted and unfitted: ``copy=True`` again, plain StandardScalers
    (a fitted `_ColumnBlockScaler` holds exactly the attributes StandardScaler's fit sets),
    no `_Float32` or `_Released` step."""
    for transformers in (prep.transformers, getattr(prep, "transformers_", [])):
        branches = {name: branch for name, branch, _ in transformers}
        for name, i, kind in reversed(changed):  # appended steps: the last first
            if name not in branches:
                continue
            steps = branches[name].steps
            if kind in _APPENDED:
                if len(steps) == i + 1 and type(steps[i][1]) is _APPENDED[kind]:
                    steps.pop()
                continue
            step = steps[i][1]
            if kind == "copy":
                step.set_params(copy=True)
            elif type(step) is _ColumnBlockScaler:
                step.__class__ = StandardScaler


SCALER_BLOCK_BYTES = 32_000_000
"""`_ColumnBlockScaler` fits StandardScaler on blocks of columns of about this size (at least
`SCALER_BLOCK_MIN_COLUMNS` columns each), so that its temporaries are a block's size, not the
whole input's."""

SCALER_BLOCK_MIN_COLUMNS = 4
"""Fewer columns at a time make numpy's column sums slow (a short inner loop per row). Each
block is copied to a contiguous array first (a strided block of eight columns took twice the
time of the whole array, a contiguous one of four about 1.2 times)."""


class _ColumnBlockScaler(StandardScaler):
    """StandardScaler whose ``fit`` of a large dense array fits StandardScaler on blocks of its
    columns and joins their statistics.

    StandardScaler's statistics are per column, and its fit holds temporaries as large as its
    input (the differences from the means, their squares): on a fold of a million-row table's
    dates, more than 100 MB. Column by column the statistics are the same; two or more columns
    at a time (each block a contiguous copy, whose temporaries are a block's size), numpy sums
    each column in the same order as on the whole array, so the numbers
    match to the last bit (`tests/unit/test_search.py` compares them with StandardScaler's).
    Used only while the search fits a path's preprocessing (`_skip_copies`); the fitted object
    then becomes a StandardScaler again.
    """

    def fit(self, X, y=None, sample_weight=None):
        n = X.shape[0] if hasattr(X, "shape") else 0
        width = max(SCALER_BLOCK_MIN_COLUMNS, 2, SCALER_BLOCK_BYTES // max(8 * n, 1))
        if (
            not isinstance(X, np.ndarray)
            or X.ndim != 2
            or X.dtype != np.float64
            or sample_weight is not None
            or X.shape[1] <= width
        ):
            return super().fit(X, y, sample_weight)
        # The branch's earlier steps (the date parts, the imputer's medians) freed their
        # temporaries into this thread's heap, where the blocks' fresh arrays do not fit: handed
        # back first, they do not stay resident beside them (on a million rows, about 100 MB).
        release_free_memory()
        d = X.shape[1]
        stops = list(range(width, d, width)) + [d]
        if len(stops) > 1 and stops[-1] - stops[-2] < 2:  # no block of one column
            del stops[-2]
        params = self.get_params()
        blocks, start = [], 0
        for stop in stops:
            block = X[:, start:stop].copy(order="K")  # the same memory order: the same sums
            blocks.append((stop - start, StandardScaler(**params).fit(block)))
            start = stop
            del block
        release_free_memory()  # the blocks' copies and temporaries, each under mmap's size
        self._reset()
        self.n_features_in_ = d
        self.mean_ = np.concatenate([b.mean_ for _, b in blocks])
        self.var_ = np.concatenate([b.var_ for _, b in blocks])
        self.scale_ = np.concatenate([b.scale_ for _, b in blocks])
        seen = np.concatenate([np.broadcast_to(b.n_samples_seen_, (w,)) for w, b in blocks])
        self.n_samples_seen_ = seen[0] if seen.min() == seen.max() else seen.astype(np.int64)
        return self


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
    dtype = np.float32 if n * d >= FAST_FLOAT32_MIN_CELLS else np.float64
    return _side_by_side(parts, np.zeros((d, n), dtype=dtype), by_rows=True)


def _dense(parts: list, n: int, dtype=np.float64) -> np.ndarray:
    """Branch outputs (``n`` rows each) side by side in one matrix (float64 unless ``dtype``
    says otherwise), as a dense ColumnTransformer stacks them, without a dense copy of each
    sparse part first."""
    d = sum(part.shape[1] for part in parts)
    return _side_by_side(parts, np.zeros((n, d), dtype=dtype), by_rows=False)


SPARSE_CHUNK_BYTES = 16_000_000
"""`_side_by_side` makes this much of a sparse part dense at a time."""


def _side_by_side(parts: list, out: np.ndarray, *, by_rows: bool) -> np.ndarray:
    """``parts`` written into the zeros of ``out`` one after another: as rows of ``out`` (each
    part transposed) or as its columns. Sparse parts are written a few rows at a time (about
    `SPARSE_CHUNK_BYTES` made dense at once, not index arrays of every stored value); each
    part is let go once written (``parts`` ends empty)."""
    at = 0
    while parts:
        part = parts.pop(0)
        width = part.shape[1]
        block = out[at : at + width] if by_rows else out[:, at : at + width]
        if issparse(part):
            part = csr_matrix(part)
            step = max(1, SPARSE_CHUNK_BYTES // (8 * max(width, 1)))
            for a in range(0, part.shape[0], step):
                rows = part[a : a + step].toarray()  # duplicates summed, as sum_duplicates
                if by_rows:
                    block[:, a : a + step] = rows.T
                else:
                    block[a : a + step] = rows
                del rows
        else:
            block[...] = part.T if by_rows else part
        at += width
        del part, block
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
        # in X_va's dtype (float32 on large data): no float64 copy of it for the product
        z = np.asarray(data.X_va @ coef.T.astype(data.X_va.dtype), dtype=float) + intercept
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
    if path.fold is None:  # what the final model needs: not the fast solver's layout
        job.kept["whole"] = replace(data, fast=None)
    elif not _has_text(job.preprocess):  # a fold's fitted preprocessing: a few statistics
        job.kept[("preprocess", path.fold)] = data.preprocess
    previous = None
    for i, C in enumerate(job.c_sorted):
        if stop.is_set():
            return
        result = _fit_step(data, job.estimator, C, previous, path.val_idx is None)
        emit(i, result)
        previous = result if job.warm else None
    del data
    release_free_memory()


def _run_fused(
    job: _SearchJob, data, members: list[int], emit_at, stop, alone=None, cores: int = 1
) -> None:
    """A group of paths along the C path at once (:mod:`dashboard.fused`), in one worker thread.

    ``data`` is the group's layout; ``members[j]`` is the path of its j-th fold: a fold of the
    search, scored on its validation rows, or the whole-data path (``fold`` None), whose fits
    make the coefficient path. ``emit_at(p, i, fit)`` reports path p's fit at the i-th C. Once
    ``alone`` is set (no other group is running), its matrix products use ``cores`` BLAS
    threads.
    """
    estimator = job.estimator
    names = [str(c) for c in numeric_steps(job.preprocess)[0]]  # what the branch puts out
    w = fused_start(data)
    for i, C in enumerate(job.c_sorted):
        if stop.is_set():
            return
        start = time.perf_counter()
        threads = cores if alone is not None and alone.is_set() else 1
        with blas_threads(threads):
            w, n_iter = fused_minimise(data, C, w, tol=estimator.tol, max_iter=estimator.max_iter)
        seconds = (time.perf_counter() - start) / len(members)
        for f, (p, (coef, intercept)) in enumerate(
            zip(members, fold_parameters(data, w), strict=True)
        ):
            whole = job.paths[p].fold is None
            accuracy = loss = None
            if not whole:
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
                names=names if whole else None,
                seconds=seconds,
                w=np.concatenate([coef, intercept[:, None]], axis=1).ravel(),
            )
            emit_at(p, i, fit)


def _fused_data(job: _SearchJob, paths: list[_Path]):
    """The folds' shared layout, or None when they cannot share one (then they go one by one)."""
    empty = np.zeros(0, dtype=np.intp)  # the whole-data path holds no rows out
    folds = [(p.train_idx, empty if p.val_idx is None else p.val_idx) for p in paths]
    return _fused_folds(job.preprocess, job.X, job.y, folds, job.estimator.class_weight)


def _fused_folds(preprocess, X, y, folds, class_weight):
    """The shared layout of ``folds`` with ``class_weight``'s row weights, or None.

    The labels are sorted once (text labels sort slowly), then the layout reads their codes.
    """
    classes, codes = class_codes(y)
    n, d = len(codes), len(X.columns)
    dtype = np.float32 if n * d >= FUSED_FLOAT32_MIN_CELLS else np.float64
    for train_idx, _ in folds:
        if np.bincount(codes[train_idx], minlength=len(classes)).min() == 0:
            return None  # a class missing from a fold's training rows
    weights = _fold_weights(codes, len(classes), folds, class_weight, dtype)
    data = fused_layout(preprocess, X, codes, folds, fold_weights=weights, dtype=dtype)
    return None if data is None else replace(data, classes=classes)


def _fold_weights(codes: np.ndarray, n_classes: int, folds, class_weight, dtype) -> list:
    """Each fold's training rows' weights and their sum (`_row_weights`) under
    ``class_weight``, as `dashboard.fused` takes them (``fold_weights``)."""
    return [_row_weights(codes[tr], n_classes, class_weight, dtype) for tr, _ in folds]


# ---------------------------------------------------------------------------------------------
# The fast solver: LogisticRegression's own objective, minimised with scipy's L-BFGS-B on a
# loss and gradient written with a few matrix products (float32 on large data).


FAST_FLOAT32_MIN_CELLS = 1_000_000
"""From this many training cells (rows x inputs) on, the fast solver's products run in float32.

The loss is summed in float64; the gradient's rounding stays far below the solver's tolerance
of 1e-4, and the scores agree with float64 fits within 1e-4 at every size measured.
"""


FUSED_FLOAT32_MIN_CELLS = 100_000
"""The same for the fused folds (all rows x inputs), from a tenth of the size: their products
over every fold at once are about 40 % cheaper in float32 already at 10,000 rows x 20 inputs,
and the folds' scores stay within one validation row of float64's (measured on 48 tables of
7,000 to 30,000 rows, 2 to 20 inputs, 2 to 6 classes)."""


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
    """Each row's weight (its class's: `_class_weights`) over the weights' sum, and that sum."""
    weight = _class_weights(codes, n_classes, class_weight)[codes]
    weight_sum = float(weight.sum())
    return (weight / weight_sum).astype(dtype), weight_sum


def _class_weights(codes: np.ndarray, n_classes: int, class_weight) -> np.ndarray:
    """Each class's weight: "balanced" is scikit-learn's ``compute_class_weight``,
    n / (n_classes * class count); None weighs every class 1.

    Examples
    --------
    >>> _class_weights(np.array([0, 0, 0, 1]), 2, "balanced").tolist()
    [0.6666666666666666, 2.0]
    """
    if class_weight == "balanced":
        return len(codes) / (n_classes * np.bincount(codes, minlength=n_classes))
    return np.ones(n_classes)


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
            with blas_threads(1):
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
    rows: np.ndarray | None = None,
    classes: Sequence[str] | None = None,
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
        The rows to cross-validate on (the training part), or a larger table holding them at
        positions ``rows``.
    y : array-like
        Their labels (one per row of ``X``).
    c_grid : sequence of float
        Candidate values of C (any order; duplicates are not expected).
    folds : sequence of (train_indices, validation_indices)
        The folds, e.g. ``list(StratifiedKFold(...).split(X, y))``; with ``rows``, positions
        within ``rows``.
    rows : array of int, optional
        Positions in ``X`` and ``y`` of the rows to cross-validate on, in their order: the
        search is the one on ``X`` and ``y`` taken at ``rows``, and each path reads its own
        rows from ``X`` without a copy of the whole training part. Default: every row.
    classes : sequence of str, optional
        The class names, sorted; then ``y`` holds each row's position in them (integer codes,
        a byte a row where text labels take several per character), and the results name
        the classes. The search is the one on the labels themselves.
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
        rows=rows,
        classes=classes,
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
    start: dict | None = None,
) -> dict:
    """Each row predicted by the fit of the fold that held it out, once per class weighting.

    What ``cross_val_predict`` gives for ``pipeline.set_params(class_weight=w)`` and each w,
    at about the cost of one C of the search: each fold's preprocessing is fitted once for
    every weighting, and with the fast solver each weighting starts from the previous one's
    solution. Given the search's fits of these folds (``start``), the weighting they were
    fitted with needs no fit at all, the others start from them (intercepts moved by the log
    class-weight ratios: `_reweighted_start`), and each fold's fitted preprocessing is reused.
    On a table of numbers the rows are laid out once for every fold on one shared matrix
    (:mod:`dashboard.fused`) and each fold is solved on it.

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
    start : dict or None, default=None
        The folds already fitted at the pipeline's C (`SearchResult.folds_at_best`): keys
        ``C``, ``class_weight``, ``coef`` and ``intercept`` (per fold) and optionally
        ``preprocess`` (each fold's fitted preprocessing, or None).

    Returns
    -------
    dict
        The predicted labels (numpy array, in the rows' order) per class weighting.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import StratifiedKFold, cross_val_predict
    >>> X, y = load_iris(return_X_y=True)
    >>> folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    >>> ours = out_of_fold_predictions(LogisticRegression(max_iter=500), X, y, folds=folds)
    >>> reference = cross_val_predict(LogisticRegression(max_iter=500), X, y, cv=folds)
    >>> bool((ours[None] == reference).all())
    True
    """
    silence_convergence_warnings()
    preprocess, estimator = _split_pipeline(pipeline)
    y = np.asarray(y)
    folds = [(np.asarray(tr), np.asarray(va)) for tr, va in folds]
    if fast is None:
        fast = min(len(tr) for tr, _ in folds) >= WARM_START_MIN_ROWS
    start = _checked_start(start, estimator, len(folds))
    predicted = {w: np.empty(len(y), dtype=y.dtype) for w in class_weights}
    workers = default_workers(n_jobs, len(folds))
    if fast and _fused_predictions(
        preprocess, estimator, X, y, folds, start, predicted, cores=workers
    ):
        return predicted

    def task(f: int, tr: np.ndarray, va: np.ndarray) -> None:
        fitted = None if start is None else start["preprocess"][f]
        data = _prepare(preprocess, X, y, tr, va, estimator, fast, fitted=fitted)
        classes = np.unique(data.y_tr) if data.fast is None else data.fast.classes
        previous = None if start is None else _start_fit(start, f)
        fitted_with = None if start is None else start["class_weight"]
        for weight in class_weights:
            if start is not None and weight == start["class_weight"]:
                predicted[weight][va] = _predicted(data.X_va, previous, classes)
                continue
            est = clone(estimator).set_params(class_weight=weight)
            if data.fast is None:
                predicted[weight][va] = est.fit(data.X_tr, data.y_tr).predict(data.X_va)
                continue
            fd = data.fast
            w, total = _row_weights(fd.codes, len(fd.classes), weight, fd.XT.dtype)
            weighted = replace(data, fast=replace(fd, weight=w, weight_sum=total))
            begin = previous
            if previous is not None:
                moved = _reweighted_start(
                    previous.w, fd.codes, len(fd.classes), fitted_with=fitted_with, solve_for=weight
                )
                begin = replace(previous, w=moved)
            fit = _fast_fit_step(weighted, est, est.C, begin, False)
            predicted[weight][va] = _predicted(data.X_va, fit, classes)
            if start is None:
                previous, fitted_with = fit, weight

    with (
        blas_threads(1),
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="softmax-lab-oof") as pool,
    ):
        for future in [pool.submit(task, f, tr, va) for f, (tr, va) in enumerate(folds)]:
            future.result()
    return predicted


FUSED_PREDICTIONS_MAX_CELLS = 30_000_000
"""Out-of-fold predictions run on one shared matrix up to this many folds x classes x rows:
the largest the fused search itself holds (five folds, `MAX_CLASSES` classes, a million
rows)."""


def _checked_start(start: dict | None, estimator, n_folds: int) -> dict | None:
    """``start`` with a ``preprocess`` entry, after checking that it fits these folds and C."""
    if start is None:
        return None
    if len(start["coef"]) != n_folds or not np.isclose(start["C"], estimator.C, rtol=1e-12):
        raise SoftmaxLabError(
            f"The fits given as a start ({len(start['coef'])} folds at C = {start['C']:g}) "
            f"are not these {n_folds} folds at C = {estimator.C:g}",
            where="out-of-fold predictions",
        )
    return {**start, "preprocess": start.get("preprocess") or [None] * n_folds}


def _start_fit(start: dict, f: int) -> _Fit:
    """Fold f's fit in ``start`` as a `_Fit`, to predict with or to warm-start from."""
    coef, intercept = np.asarray(start["coef"][f]), np.asarray(start["intercept"][f])
    return _Fit(
        C=float(start["C"]),
        coef=coef,
        intercept=intercept,
        classes=[],
        n_iter=0,
        converged=True,
        accuracy=None,
        log_loss=None,
        names=None,
        seconds=0.0,
        w=np.concatenate([coef, intercept[:, None]], axis=1).ravel(),
    )


def _reweighted_start(
    w: np.ndarray, codes: np.ndarray, n_classes: int, *, fitted_with, solve_for
) -> np.ndarray:
    """A fold's parameters fitted with class weighting ``fitted_with``, as a start for
    ``solve_for``: the intercepts moved by the log of each class's weight ratio.

    Weighting a class r times more multiplies its odds by r where the fit matches the
    training rows' class shares (at the intercepts' optimum, which the penalty leaves free),
    so the moved intercepts are near the other weighting's optimum and the solver has less to do
    (336,000 rows x 16 classes at C = 0.001: no iteration instead of one, one evaluation of the
    loss instead of three). Where the solver stops is decided by its tolerance as before.
    ``w`` is (rows of coefficients, inputs + 1) flattened, the intercepts last; ``codes`` the
    fold's training rows' classes.

    Examples
    --------
    >>> w = np.array([0.5, 0.0])  # two classes: one row, the log-odds of the second
    >>> codes = np.array([0, 0, 0, 1])  # balanced: class 1 weighs 3 times class 0
    >>> moved = _reweighted_start(w, codes, 2, fitted_with=None, solve_for="balanced")
    >>> round(float(moved[1]), 4) == round(float(np.log(3)), 4)
    True
    """
    ratio = np.log(_class_weights(codes, n_classes, solve_for)) - np.log(
        _class_weights(codes, n_classes, fitted_with)
    )
    W = np.array(w, dtype=float).reshape(1 if n_classes == 2 else n_classes, -1)
    W[:, -1] += ratio[1] - ratio[0] if n_classes == 2 else ratio - ratio.mean()
    return W.ravel()


def _predicted(X_va, fit: _Fit, classes: np.ndarray) -> np.ndarray:
    """LogisticRegression's ``predict`` with the fit's coefficients."""
    return _labels(np.asarray(X_va @ fit.coef.T, dtype=float) + fit.intercept, classes)


def _labels(z: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The class of the top logit (two classes: of a positive log-odds), as ``predict``."""
    if len(classes) == 2:
        return classes[(z[:, 0] > 0).astype(int)]
    return classes[np.argmax(z, axis=1)]


def _fused_predictions(
    preprocess, estimator, X, y, folds, start, predicted: dict, *, cores: int
) -> bool:
    """`out_of_fold_predictions` on one shared matrix of the rows, when it applies.

    The rows are laid out once for every fold and weighting (:mod:`dashboard.fused`), instead
    of each fold's preprocessing applied to every row and its rows copied; then each fold's
    objective is minimised on its own, folds side by side on ``cores`` threads, as
    LogisticRegression fits each fold (the fused search's joint line searches cost more than
    they save with many classes: `MAX_CLASSES`). Given ``start``, only the other weightings
    are solved, each fold from its fit there; without it, each weighting starts from the
    previous one's solution (either way moved to the new weighting: `_reweighted_start`).
    Returns False when the folds cannot share one matrix (nothing is predicted then).
    """
    n_classes = len(pd.unique(y))
    if not (
        isinstance(X, pd.DataFrame)
        and len(folds) * n_classes * len(y) <= FUSED_PREDICTIONS_MAX_CELLS
        and fast_solver_applies(estimator, np.zeros((1, 1)))
        and numeric_steps(preprocess) is not None
    ):
        return False
    todo = [weight for weight in predicted if start is None or weight != start["class_weight"]]
    first = todo[0] if todo else start["class_weight"]
    data = _fused_folds(preprocess, X, y, folds, first)
    if data is None:
        return False
    solved = {weight: [None] * len(folds) for weight in predicted}
    given = None if start is None else [_start_fit(start, f).w for f in range(len(folds))]
    if start is not None and start["class_weight"] in solved:
        solved[start["class_weight"]] = given

    def solve(layout, weight, f: int, previous, fitted_with) -> None:
        part = fold_range(layout, f, f + 1)
        if previous is None:
            w0 = fused_start(part)
        else:
            codes = layout.codes[folds[f][0]]
            n_classes = len(layout.classes)
            w0 = _reweighted_start(
                previous, codes, n_classes, fitted_with=fitted_with, solve_for=weight
            )
        w, _ = fused_minimise(part, estimator.C, w0, tol=estimator.tol, max_iter=estimator.max_iter)
        solved[weight][f] = w

    # Thin products (rows x inputs times inputs x classes): one BLAS thread each does them
    # fastest, the folds side by side.
    with (
        blas_threads(1),
        ThreadPoolExecutor(max_workers=cores, thread_name_prefix="softmax-lab-oof") as pool,
    ):
        previous = given  # each fold from its given fit, or from zero
        fitted_with = None if start is None else start["class_weight"]
        for weight in todo:  # weighting by weighting: one layout's weights held at a time
            if weight != first:
                fold_weights = _fold_weights(
                    data.codes, len(data.classes), folds, weight, data.XT.dtype
                )
                data = reweighted(replace(data, onehot=None), folds, fold_weights=fold_weights)
            jobs = [
                pool.submit(
                    solve, data, weight, f, None if previous is None else previous[f], fitted_with
                )
                for f in range(len(folds))
            ]
            for job in jobs:
                job.result()
            if start is None:  # the next weighting starts from this one's solution
                previous, fitted_with = solved[weight], weight
        for weight, per_fold in solved.items():
            labels = np.empty(len(y), dtype=y.dtype)
            for f, w in enumerate(per_fold):
                ((coef, intercept),) = fold_parameters(fold_range(data, f, f + 1), w)
                z = data.validation[f] @ coef.T + intercept
                labels[data.val_idx[f]] = _labels(z, data.classes)
            predicted[weight] = labels
    return True


def _make_job(
    pipeline,
    X,
    y,
    c_grid,
    folds,
    *,
    rows=None,
    classes=None,
    coef_path: bool,
    warm_start,
    fast,
    fuse=None,
) -> _SearchJob:
    """The search's fixed parts: the split pipeline, the rows of every path, the sorted C.

    With ``rows`` (positions in ``X`` of the rows searched), each path's positions are
    positions in ``X``; the fused layout, which reads every row of its table, gets the rows
    searched instead.
    """
    preprocess, estimator = _split_pipeline(pipeline)
    if not isinstance(X, pd.DataFrame | pd.Series) and not hasattr(X, "shape"):
        X = np.asarray(X)
    y = np.asarray(y)
    n = len(y) if rows is None else len(rows)
    min_train = min(len(tr) for tr, _ in folds)
    if warm_start is None:
        warm_start = min_train >= WARM_START_MIN_ROWS
    fast = bool(warm_start) if fast is None else bool(fast)
    if fuse is None:
        fuse = fast and bool(warm_start)
    fused = bool(fuse) and _fusable(preprocess, estimator, X, y if rows is None else y[rows])
    if rows is not None and fused:
        X, y, rows = _rows(X, rows), y[rows], None
    at = (lambda idx: np.asarray(idx)) if rows is None else (lambda idx: np.asarray(rows)[idx])
    paths = [_Path(train_idx=at(tr), val_idx=at(va), fold=k) for k, (tr, va) in enumerate(folds)]
    if coef_path:
        paths.append(_Path(train_idx=at(np.arange(n)), val_idx=None, fold=None))
    large = _path_bytes(X, n) >= ONE_PATH_MIN_BYTES
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
        fused=fused,
        class_names=None if classes is None else [str(c) for c in classes],
        prepare_lock=threading.Lock() if large else None,
        one_at_a_time=large and _several_kinds(preprocess),
    )


def _several_kinds(preprocess) -> bool:
    """Whether ``preprocess`` is a ColumnTransformer of more than one branch (categories, dates
    or text beside numbers): a preparation that holds several outputs and their temporaries."""
    return isinstance(preprocess, ColumnTransformer) and len(preprocess.transformers) > 1


def _path_bytes(X, n_rows: int) -> int:
    """An estimate of one path's preprocessed rows in memory: rows x columns x 16 bytes, for
    ``n_rows`` rows of ``X``."""
    return n_rows * _width(X) * 16


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
    workers = default_workers(n_jobs, len(job.paths))
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


GROUPED_MAX_CELLS = 8_000_000
"""Up to this many cells (training rows x inputs) of a fused search, the coefficient path on all
rows is one more fold of the shared matrix and the folds are solved in one group per core; above
it, two groups reading the whole matrix at once wait on memory (1M rows x 20 inputs: 15 s
against 9 s), so the folds are solved fused in one thread and the path on its own beside them."""


def _run_threads(workers: int, job: _SearchJob, record, check_stop) -> None:
    inbox: queue.Queue = queue.Queue()
    stop = threading.Event()
    grouped = _path_cells(job.X) <= GROUPED_MAX_CELLS
    beside = (
        [p for p, path in enumerate(job.paths) if path.fold is None]
        if job.fused and not grouped
        else []
    )
    shared = [p for p in range(len(job.paths)) if p not in beside]
    groups = min(workers, len(shared)) if grouped else 1
    alone = threading.Event()  # set when one group is left: its products take every core
    if groups + len(beside) <= 1:
        alone.set()
    ended: list[int] = []

    def finished() -> None:
        ended.append(1)
        if len(ended) >= groups + len(beside) - 1:
            alone.set()

    def task(p: int) -> None:
        try:
            _run_path(job, job.paths[p], lambda i, fit: inbox.put(("fit", p, i, fit)), stop)
        except BaseException as exc:  # handed to the caller's thread, re-raised there
            inbox.put(("error", p, None, exc))
        finally:
            if p in beside:
                finished()

    # Large paths one after another, each solve on every core (ONE_PATH_MIN_BYTES)
    one_by_one = job.one_at_a_time and not job.fused
    pool = ThreadPoolExecutor(
        max_workers=1 if one_by_one else workers, thread_name_prefix="softmax-lab-fit"
    )

    def whole_task(p: int) -> None:
        """The preprocessing fitted on every training row: with the path's fits, the final
        model (nothing is transformed here; the fused layout holds the rows)."""
        try:
            y_tr = np.asarray(job.y)[job.paths[p].train_idx]
            fitted = clone(job.preprocess).fit(_rows(job.X, job.paths[p].train_idx), y_tr)
            prepared = _Prepared(
                X_tr=None, y_tr=y_tr, X_va=None, y_va=None, names=None, preprocess=fitted
            )
            release_free_memory()
            inbox.put(("whole", p, None, prepared))
        except BaseException as exc:
            inbox.put(("error", p, None, exc))

    def fused_task() -> None:
        """The shared paths on one matrix, in groups of folds solved side by side; one by one
        when they cannot share it."""
        try:
            data = _fused_data(job, [job.paths[p] for p in shared])
        except BaseException as exc:
            inbox.put(("error", None, None, exc))
            return
        if data is None:
            for p in shared[1:]:
                pool.submit(task, p)
            task(shared[0])
            return
        job.kept["fused"] = True
        whole = [p for p in shared if job.paths[p].fold is None]
        if whole:
            # The final model's preprocessing (all rows), fitted beside the groups' solves.
            inbox.put(("expect", None, None, None))
            threading.Thread(
                target=whole_task, args=(whole[0],), name="softmax-lab-whole", daemon=True
            ).start()
        spans = [
            (int(part[0]), int(part[-1]) + 1)
            for part in np.array_split(np.arange(len(shared)), groups)
        ]

        def group(a: int, b: int) -> None:
            try:
                emit = lambda p, i, fit: inbox.put(("fit", p, i, fit))  # noqa: E731
                members = shared[a:b]
                _run_fused(job, fold_range(data, a, b), members, emit, stop, alone, workers)
            except BaseException as exc:
                inbox.put(("error", None, None, exc))
            finally:
                finished()

        for a, b in spans[1:]:
            pool.submit(group, a, b)
        group(*spans[0])

    done = 0
    waiting = 0  # messages other than fits still to come (the whole-data preprocessing)
    try:
        with blas_threads(workers if one_by_one else 1):
            if job.fused:
                for p in beside:  # the coefficient path on one core, the fused folds beside
                    pool.submit(task, p)
                pool.submit(fused_task)
            else:
                for p in range(len(job.paths)):
                    pool.submit(task, p)
            while done < job.total or waiting:
                check_stop()
                try:
                    kind, p, i, payload = inbox.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    continue
                if kind == "error":
                    raise payload
                if kind == "expect":
                    waiting += 1
                elif kind == "whole":
                    job.kept["whole"] = payload
                    waiting -= 1
                else:
                    done += 1
                    record(p, i, payload)
    finally:
        stop.set()
        # Workers still busy finish their current fit, see the stop flag and end on their own.
        pool.shutdown(wait=False, cancel_futures=True)


def _path_cells(X) -> int:
    """Rows x columns of the table the search reads."""
    return int(getattr(X, "shape", (0,))[0]) * _width(X)


def _width(X) -> int:
    """The columns of the table the search reads (1 for a single column)."""
    shape = getattr(X, "shape", (0, 0))
    return int(shape[1]) if len(shape) > 1 else 1


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
    c_sorted = list(job.c_sorted)
    folds = [p for p, path in enumerate(job.paths) if path.fold is not None]
    # (C, fold) tables of the folds' scores: the summary is their row means and spreads.
    accuracy, loss, converged = (
        np.array([[getattr(fits[(p, i)], name) for p in folds] for i in range(len(c_sorted))])
        for name in ("accuracy", "log_loss", "converged")
    )
    cv_summary = pd.DataFrame(
        {
            "C": c_sorted,
            "mean_accuracy": accuracy.mean(axis=1),
            "std_accuracy": accuracy.std(axis=1),
            "mean_log_loss": loss.mean(axis=1),
            "std_log_loss": loss.std(axis=1),
            "converged": converged.all(axis=1),
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
            "coef_classes": _coef_classes(_named(job, steps[0].classes), steps[0].coef.shape[0]),
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
        folds_at_best=_folds_at(job, fits, best),
    )


def _folds_at(job: _SearchJob, fits: dict, i: int) -> dict:
    """Each fold's fit at the i-th C (`SearchResult.folds_at_best`)."""
    folds = sorted((path.fold, p) for p, path in enumerate(job.paths) if path.fold is not None)
    return {
        "C": job.c_sorted[i],
        "class_weight": job.estimator.class_weight,
        "coef": [fits[(p, i)].coef for _, p in folds],
        "intercept": [fits[(p, i)].intercept for _, p in folds],
        "preprocess": [job.kept.get(("preprocess", fold)) for fold, _ in folds],
    }


def _has_text(preprocess) -> bool:
    """Whether the preprocessing has a text branch (its fitted vocabularies are not small)."""
    return any(name == "text" for name, *_ in getattr(preprocess, "transformers", ()))


def _whole(job: _SearchJob, fits: dict) -> tuple | None:
    data = job.kept.get("whole")
    if data is None or data.preprocess is None:
        return None
    p = len(job.paths) - 1
    n_iter = tuple(fits[(p, i)].n_iter for i in range(len(job.c_sorted)))
    return (data.preprocess, data.X_tr, n_iter)


def _named(job: _SearchJob, classes: list[str]) -> list[str]:
    """A fit's classes by name: with ``job.class_names`` its classes are codes (as text)."""
    if job.class_names is None:
        return classes
    return [job.class_names[int(c)] for c in classes]


def _coef_classes(classes: list[str], rows: int) -> list[str]:
    # With two classes LogisticRegression keeps one row: the log-odds of the second class.
    return classes if rows == len(classes) else classes[-rows:]
