"""Training: a config and a table in, a softmax classifier tuned over C and its record out.

The numbers are the ones anyone can reproduce with scikit-learn alone:

* held-out split ``train_test_split(X, y, test_size=share, stratify=y, random_state=seed)``;
* folds ``StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)`` on the training part;
* every C scored by mean validation accuracy (the same as ``GridSearchCV`` on the same pipeline
  and folds), the best C refitted on the whole training part and scored on the held-out part.
"""

from __future__ import annotations

import functools
import math
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from dashboard.checks import (
    MIN_TEST_ROWS,
    WARNING_KINDS,
    DataWarning,
    check_data,
    check_result,
    small_test_warning,
)
from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import HoldoutEvaluation, as_logit_matrix, evaluate_holdout
from dashboard.features import (
    count_model_inputs,
    infinite_counts,
    non_finite_warnings,
    preprocessor,
)
from dashboard.limits import C_RANGE, LIMITS, Limits
from dashboard.prediction import column_type
from dashboard.profile import TableProfile, profile
from dashboard.provenance import DataOrigin
from dashboard.rules import TypedNumber, label, looks_numeric, read_number_list
from dashboard.search import (
    FitEvent,
    SearchResult,
    TrainingStopped,
    fit_interruptibly,
    out_of_fold_predictions,
    rank_candidates,
    release_free_memory,
    search_c,
    silence_convergence_warnings,
)

__all__ = [
    "C_RANGE",
    "SEED_GRID",
    "Progress",
    "RowSplit",
    "TrainedModel",
    "TrainingConfig",
    "TrainingStopped",
    "build_pipeline",
    "class_weight_what_if",
    "normalise_labels",
    "parse_c_grid",
    "prepare_again",
    "rank_candidates",
    "refit_at",
    "train",
]

SEED_GRID = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)
"""The grid of the seed article's ``GridSearchCV``."""

NUMERIC_KINDS = ("numeric", "boolean")
CATEGORICAL_KINDS = ("categorical",)
DATE_KINDS = ("datetime",)
TEXT_KINDS = ("text",)

# ---------------------------------------------------------------------------------------------
# C grid


def parse_c_grid(text: str, *, limits: Limits = LIMITS) -> tuple[float, ...]:
    """Read a list of values of C typed by a person.

    Entries are separated by commas, semicolons or spaces. ``1e-3``, ``0.001`` and ``1_000``
    are accepted, so are the Unicode minus sign and full-width digits. Duplicates are merged
    and the values sorted.

    Parameters
    ----------
    text : str
        What the person typed, e.g. ``"0.001, 0.01, 0.1, 1, 10, 100"``.
    limits : Limits, optional
        ``limits.max_c_values`` bounds the number of values.

    Returns
    -------
    tuple of float
        The distinct values, smallest first.

    Raises
    ------
    SoftmaxLabError
        When an entry is not a number, not finite, not positive, outside ``C_RANGE``, or
        when there are none or too many; the message names the entry.

    Examples
    --------
    >>> parse_c_grid("1e-3, 0.01 ;1_000  10")
    (0.001, 0.01, 10.0, 1000.0)
    >>> parse_c_grid("１０, 1e\u22122, 10")
    (0.01, 10.0)
    >>> parse_c_grid("0.1, -1")
    Traceback (most recent call last):
    ...
    dashboard.errors.SoftmaxLabError: C must be greater than 0, and '-1' is not (entry 2 of the C values). Remove it or use a small positive number such as 0.001.
    """
    if not isinstance(text, str):
        text = ",".join(str(t) for t in text)
    entries = read_number_list(text)
    if not entries:
        raise SoftmaxLabError(
            "No value of C was given",
            where="C values",
            hint="Enter numbers separated by commas, for example 0.01, 0.1, 1, 10.",
        )
    values = [_checked_c(entry, n) for n, entry in enumerate(entries, start=1)]
    distinct = tuple(sorted(set(values)))
    if len(distinct) > limits.max_c_values:
        raise SoftmaxLabError(
            f"{len(distinct)} values of C are more than the limit of {limits.max_c_values}",
            where="C values",
            hint="Use fewer values, for example one per power of ten.",
        )
    return distinct


def _checked_c(entry: TypedNumber, n: int) -> float:
    """One typed value of C, or the error that names it (entry ``n`` of the list)."""
    where = f"entry {n} of the C values"
    low, high = C_RANGE
    if entry.value is None:
        raise SoftmaxLabError(
            f"'{entry.text}' is not a number",
            where=where,
            hint="Write numbers like 0.01, 1e-3 or 1000, separated by commas; "
            "use a dot for decimals.",
        )
    if not math.isfinite(entry.value):
        raise SoftmaxLabError(
            f"'{entry.text}' is not a finite number",
            where=where,
            hint=f"Use numbers between {low:g} and {high:g}.",
        )
    if entry.value <= 0:
        raise SoftmaxLabError(
            f"C must be greater than 0, and '{entry.text}' is not",
            where=where,
            hint="Remove it or use a small positive number such as 0.001.",
        )
    if not low <= entry.value <= high:
        raise SoftmaxLabError(
            f"C = {entry.text} is outside the sensible range {low:g} to {high:g}",
            where=where,
            hint="Use values in that range; 0.001 to 100 covers most data sets.",
        )
    return entry.value


# ---------------------------------------------------------------------------------------------
# Config, progress, result


MAX_SEED = 2**32 - 1  # the largest seed numpy's RandomState (scikit-learn's random_state) takes


@dataclass(frozen=True, kw_only=True)
class TrainingConfig:
    """Everything the Train page decides, checked when it is made.

    Parameters
    ----------
    target : str
        The column to predict.
    features : tuple of str
        The columns to predict it from.
    c_grid : tuple of float
        Candidate values of C (inverse regularisation strength).
    cv_folds : int
        Folds of the cross-validation on the training part (at least 2).
    test_size : float
        Share of rows held out for the final evaluation (between 0 and 1).
    seed : int
        Seed of the held-out split and of the folds' shuffling.
    class_weight : {None, "balanced"}
        "balanced" weighs each class inversely to its frequency.
    max_iter : int
        Iterations allowed to the lbfgs solver per fit.
    n_jobs : int or None
        Folds trained at once; None = every core.
    small_classes : {"drop", "refuse"}
        What to do with classes too small for the split and the folds: "drop" (the default)
        trains on the other classes and says which were left out and how many rows they had;
        "refuse" stops with an error that names them.

    Examples
    --------
    >>> TrainingConfig(target="species", features=["petal length"], cv_folds=1)
    Traceback (most recent call last):
    ...
    dashboard.errors.SoftmaxLabError: Cross-validation needs at least 2 folds, got 1 (CV folds). Choose 2 to 20 folds; 5 is usual.
    """

    target: str
    features: tuple[str, ...]
    c_grid: tuple[float, ...] = SEED_GRID
    cv_folds: int = 5
    test_size: float = 0.2
    seed: int = 0
    class_weight: str | None = None
    max_iter: int = 1000
    n_jobs: int | None = None
    small_classes: str = "drop"

    def __post_init__(self) -> None:
        if isinstance(self.features, str):
            object.__setattr__(self, "features", (self.features,))
        object.__setattr__(self, "features", tuple(dict.fromkeys(self.features)))
        if isinstance(self.c_grid, str):
            object.__setattr__(self, "c_grid", parse_c_grid(self.c_grid))
        else:
            object.__setattr__(self, "c_grid", tuple(float(c) for c in self.c_grid))
        self.validate()
        object.__setattr__(self, "c_grid", tuple(sorted(set(self.c_grid))))

    def validate(self, *, limits: Limits = LIMITS) -> None:
        """Check the settings that do not depend on the table; raise `SoftmaxLabError`."""
        if not isinstance(self.target, str) or not self.target:
            raise SoftmaxLabError("No target column was chosen", where="target",
                                  hint="Pick the column you want to predict.")  # fmt: skip
        if not self.features:
            raise SoftmaxLabError("No feature column was chosen", where="features",
                                  hint="Pick at least one column to predict from.")  # fmt: skip
        if self.target in self.features:
            raise SoftmaxLabError(
                f"The target '{self.target}' is also among the features",
                where="features",
                hint="Remove it from the features: a model cannot use the answer as a clue.",
            )
        if isinstance(self.cv_folds, bool) or not isinstance(self.cv_folds, int | np.integer):
            raise SoftmaxLabError(f"The number of folds must be a whole number, got "
                                  f"{self.cv_folds!r}", where="CV folds",
                                  hint="Choose 2 to 20 folds; 5 is usual.")  # fmt: skip
        if not 2 <= self.cv_folds <= 20:
            raise SoftmaxLabError(
                f"Cross-validation needs {'at least 2' if self.cv_folds < 2 else 'at most 20'}"
                f" folds, got {self.cv_folds}",
                where="CV folds",
                hint="Choose 2 to 20 folds; 5 is usual.",
            )
        if not isinstance(self.test_size, int | float) or not 0 < self.test_size < 1:
            raise SoftmaxLabError(
                f"The held-out share must be between 0 and 1 (exclusive), got {self.test_size!r}",
                where="held-out share",
                hint="0.2 (20% of the rows) is usual.",
            )
        if not self.c_grid:
            raise SoftmaxLabError("No value of C was given", where="C values",
                                  hint="Enter numbers such as 0.01, 0.1, 1, 10.")  # fmt: skip
        # One validation path for C values: the same as for typed text.
        parsed = parse_c_grid(", ".join(repr(c) for c in self.c_grid), limits=limits)
        if len(parsed) * self.cv_folds > limits.max_fits:
            raise SoftmaxLabError(
                f"{len(parsed)} values of C times {self.cv_folds} folds make "
                f"{len(parsed) * self.cv_folds} fits, more than the limit of {limits.max_fits}",
                where="C values and CV folds",
                hint="Use fewer values of C or fewer folds.",
            )
        if self.class_weight not in (None, "balanced"):
            raise SoftmaxLabError(f"Class weights must be none or 'balanced', got "
                                  f"{self.class_weight!r}", where="class weights")  # fmt: skip
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, int | np.integer):
            raise SoftmaxLabError(f"Maximum iterations must be a whole number, got "
                                  f"{self.max_iter!r}", where="maximum iterations")  # fmt: skip
        if not 1 <= self.max_iter <= 100_000:
            raise SoftmaxLabError(f"Maximum iterations must be between 1 and 100000, got "
                                  f"{self.max_iter}", where="maximum iterations",
                                  hint="1000 is plenty for scaled data.")  # fmt: skip
        if self.n_jobs is not None and (
            isinstance(self.n_jobs, bool)
            or not isinstance(self.n_jobs, int | np.integer)
            or self.n_jobs < 1
        ):
            raise SoftmaxLabError(f"Parallel jobs must be a positive whole number or automatic,"
                                  f" got {self.n_jobs!r}", where="parallel jobs")  # fmt: skip
        if self.small_classes not in ("refuse", "drop"):
            raise SoftmaxLabError(f"Small classes must be 'refuse' or 'drop', got "
                                  f"{self.small_classes!r}", where="small classes")  # fmt: skip
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise SoftmaxLabError(f"The seed must be a whole number, got {self.seed!r}",
                                  where="seed")  # fmt: skip
        if not 0 <= self.seed <= MAX_SEED:
            # scikit-learn's random_state takes 0 .. 2**32 - 1; outside it, it raises.
            raise SoftmaxLabError(f"The seed must be between 0 and {MAX_SEED}, got {self.seed}",
                                  where="seed", hint="Any number in that range; 0 is usual.")  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Progress:
    """Where training is: ``done`` of ``total`` fits, the last C and fold, time spent and left.

    ``fold`` is None for the fits on the whole training part (coefficient path, final refit);
    ``remaining`` is None until there is something to estimate from.
    """

    done: int
    total: int
    C: float | None
    fold: int | None
    elapsed: float
    remaining: float | None
    message: str

    @property
    def fraction(self) -> float:
        """Share of the work done, between 0 and 1."""
        return self.done / self.total if self.total else 1.0


@dataclass(frozen=True, kw_only=True, eq=False)
class RowSplit:
    """Which rows of the table a training used, and how: enough to rebuild its training part,
    held-out part and folds without splitting again.

    ``train_rows`` and ``test_rows`` are the table's row positions of the training and
    held-out parts, in their order; ``fold`` holds, per training row, the fold that holds it
    out, and ``codes`` its label's position in the model's sorted classes. Compact integers:
    a few bytes per row.

    Examples
    --------
    >>> split = RowSplit(train_rows=np.array([4, 0, 2, 1]), test_rows=np.array([3]),
    ...                  fold=np.array([1, 0, 0, 1]), codes=np.array([0, 1, 0, 1]))
    >>> [(tr.tolist(), va.tolist()) for tr, va in split.folds(2)]
    [([0, 3], [1, 2]), ([1, 2], [0, 3])]
    """

    train_rows: np.ndarray
    test_rows: np.ndarray
    fold: np.ndarray
    codes: np.ndarray

    def folds(self, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """(training, validation) positions within the training part per fold, ascending, as
        ``StratifiedKFold.split`` gives them."""
        return [(np.flatnonzero(self.fold != k), np.flatnonzero(self.fold == k))
                for k in range(n_folds)]  # fmt: skip


def _compact(values: np.ndarray, top: int) -> np.ndarray:
    """``values`` (integers from 0 to ``top``) in the smallest unsigned dtype that holds them."""
    return np.asarray(values).astype(np.min_scalar_type(max(int(top), 0)))


@dataclass(frozen=True, kw_only=True, eq=False)
class TrainedModel:
    """The record of one training: the fitted pipeline and every number the pages show.

    ``warnings`` are the checks' plain sentences (:mod:`dashboard.checks`): leaks, copies
    of training rows and a small held-out part, found before the search; a wide accuracy
    interval and a best C at the grid's edge, after it. ``best_C`` is the C of the fitted
    pipeline: the search's best, or a C adopted with :func:`refit_at`, and then
    ``adopted_from`` is the search's own record (its held-out numbers, for comparison).

    ``classes`` is ``pipeline.classes_`` (labels as text). ``test_logits`` has one column per
    class; with two classes it is ``(0, z)`` where z is the fitted log-odds of the second class,
    so that ``softmax(test_logits) == test_proba`` in every case. ``coef_path`` holds, for each
    C (smallest first), the coefficients of a fit on the whole training part: keys ``C``,
    ``coef`` (n_C, n_rows, n_features_out), ``intercept`` (n_C, n_rows), ``feature_names``,
    ``coef_classes`` (the class of each row: every class, or the second one only when there
    are two classes) and ``converged``. ``model_id`` names this training uniquely (a fresh
    random hex string per record): memos of what was computed from a model are keyed by it.
    ``origin`` names the table it was trained on (name, fingerprint, shape): with ``target``
    and ``config.features`` it tells whether the model still belongs to the loaded table
    (:func:`dashboard.provenance.stale_model_message`).
    """

    config: TrainingConfig
    pipeline: Pipeline
    classes: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    categorical_columns: tuple[str, ...]
    date_columns: tuple[str, ...] = ()
    text_columns: tuple[str, ...] = ()
    excluded_columns: tuple[tuple[str, str], ...]
    cv_results: pd.DataFrame
    cv_summary: pd.DataFrame
    best_C: float
    coef_path: dict
    test_index: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray
    test_logits: np.ndarray
    test_proba: np.ndarray
    test_pred: np.ndarray
    evaluation: HoldoutEvaluation
    n_train: int
    n_test: int
    rows_dropped: int
    classes_dropped: tuple[str, ...]
    notes: tuple[str, ...]
    warnings: tuple[DataWarning, ...] = ()
    dropped_class_rows: tuple[tuple[str, int], ...] = ()
    adopted_from: TrainedModel | None = None
    data_sha256: str
    seconds: float
    timings: dict = field(default_factory=dict)
    origin: DataOrigin = field(default_factory=DataOrigin)
    model_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    folds_at_best: dict | None = None
    """The search's fit of each fold at its best C (`SearchResult.folds_at_best`): the
    class-weight what-if starts from them instead of fitting the folds again. Not saved in
    model files."""
    split: RowSplit | None = None
    """The table's rows of the training and held-out parts and each training row's fold
    (`RowSplit`): :func:`prepare_again` rebuilds the parts and folds from it instead of
    splitting again. Not saved in model files."""

    @property
    def feature_names(self) -> list[str]:
        """Names of the model's inputs after preprocessing (one-hot columns as ``col = value``)."""
        return list(self.coef_path.get("feature_names") or [])

    @property
    def search_best_C(self) -> float:
        """The C the search chose: ``best_C``, unless another C was adopted (:func:`refit_at`)."""
        return self.best_C if self.adopted_from is None else self.adopted_from.best_C

    @property
    def target(self) -> str:
        """The name of the column the model predicts."""
        return self.config.target

    @property
    def settings(self) -> dict:
        """The training configuration as a dict (what a model file stores)."""
        return asdict(self.config)

    @property
    def column_types(self) -> dict[str, str]:
        """How each feature column was typed: "number", "boolean", "text" or "date"."""
        return {str(name): column_type(self.X_test[name]) for name in self.X_test.columns}


# ---------------------------------------------------------------------------------------------
# Pipeline


def build_pipeline(
    *,
    numeric: Sequence[str],
    categorical: Sequence[str],
    dates: Sequence[str] = (),
    text: Sequence[str] = (),
    C: float = 1.0,
    class_weight: str | None = None,
    max_iter: int = 1000,
    random_state: int | None = 0,
    max_categories: int | None = LIMITS.max_categories,
) -> Pipeline:
    """The model: preprocessing for a real CSV, then multinomial logistic regression.

    The preprocessing is :func:`dashboard.features.preprocessor`: numeric columns made finite
    (infinities missing, huge magnitudes clipped), missing values replaced by the median, then
    standardised; categorical columns: missing values replaced by the most frequent value, then
    one-hot encoded (at most ``max_categories`` columns each, rarer values grouped; values
    unseen in training ignored); date columns as their year, season, weekday and time of day;
    free-text columns as word and character n-gram TF-IDF.

    Examples
    --------
    >>> pipe = build_pipeline(numeric=["age"], categorical=["colour"], C=0.5)
    >>> [name for name, _ in pipe.steps]
    ['preprocess', 'logisticregression']
    >>> pipe.named_steps["logisticregression"].C
    0.5
    >>> pipe = build_pipeline(numeric=[], categorical=[], dates=["day"], text=["review"])
    >>> [name for name, _, _ in pipe.named_steps["preprocess"].transformers]
    ['dates', 'text']
    """
    return Pipeline(
        [
            (
                "preprocess",
                preprocessor(
                    numeric=numeric,
                    categorical=categorical,
                    dates=dates,
                    text=text,
                    max_categories=max_categories,
                ),
            ),
            (
                "logisticregression",
                LogisticRegression(
                    C=C,
                    solver="lbfgs",
                    class_weight=class_weight,
                    max_iter=max_iter,
                    random_state=random_state,
                ),
            ),
        ]
    )


# ---------------------------------------------------------------------------------------------
# Labels and the target


def normalise_labels(values) -> pd.Series:
    """Turn target values into text labels; missing values become missing (None).

    Examples
    --------
    >>> normalise_labels(pd.Series([1, 1.0, "1", " 2 ", None, "007", 2.5], dtype=object)).tolist()
    ['1', '1', '1', '2', None, '007', '2.5']
    """
    series = pd.Series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.array([label(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def _looks_numeric(series: pd.Series) -> bool:
    """Whether a column holds numbers: a numeric dtype, or text whose cells read as numbers."""
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_numeric_dtype(series):
        return True
    sample = series.dropna().astype(str).head(1000)
    return len(sample) > 0 and bool(sample.map(looks_numeric).mean() > 0.95)


def _names(labels: Sequence[str], counts: dict | None = None, most: int = 6) -> str:
    shown = [f"'{c}' ({counts[c]} rows)" if counts else f"'{c}'" for c in labels[:most]]
    more = len(labels) - most
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def min_rows_per_class(folds: int, test_size: float) -> int:
    """Rows a class needs so that the held-out split leaves it ``folds`` training rows.

    The stratified split rounds each class's share, so one row of margin is added.

    Examples
    --------
    >>> min_rows_per_class(5, 0.2)
    8
    """
    return max(2, math.ceil(folds / (1 - test_size)) + 1)


# ---------------------------------------------------------------------------------------------
# Columns


def _column_kinds(
    table: pd.DataFrame, target: str, table_profile: TableProfile | None, limits: Limits
) -> dict:
    """(kind, reason) per column but the target, from `dashboard.profile`; reason "" = usable."""
    if table_profile is None:
        table_profile = profile(table, limits=limits)
    kinds = {}
    for col in table_profile.columns:
        if col.name == target:
            continue
        reason = "" if col.can_be_feature else (col.feature_reason or f"a {col.kind} column")
        kinds[col.name] = (col.kind, reason)
    return kinds


@dataclass(frozen=True, kw_only=True, eq=False)
class _PreparedData:
    """A table ready for training: the feature branches, the split, the folds, what was left out.

    ``X`` holds the feature columns of the rows kept (no copy when every row is kept), ``y``
    their labels; ``train`` and ``test`` are the positions in ``X`` of the training and
    held-out parts. The parts themselves (``X_train`` ...) are copies taken at first use: the
    search reads its rows from ``X`` by position, so training copies only the held-out part.
    ``classes`` and ``codes`` (each row's label as its position in ``classes``) come from the
    one sort of the labels that made the split; None when a record's split was taken instead.
    """

    numeric: list[str]
    categorical: list[str]
    dates: list[str]
    text: list[str]
    excluded: list[tuple[str, str]]
    X: pd.DataFrame
    y: np.ndarray
    train: np.ndarray
    test: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]
    rows_dropped: int
    classes_dropped: tuple[str, ...]
    dropped_class_rows: tuple[tuple[str, int], ...]
    as_text: list[str]
    need: int
    infinite: dict[str, int]
    warnings: tuple[DataWarning, ...] = ()
    split: RowSplit | None = None
    classes: np.ndarray | None = None
    codes: np.ndarray | None = None

    @property
    def features(self) -> list[str]:
        """Every feature column the pipeline reads, branch by branch."""
        return self.numeric + self.categorical + self.dates + self.text

    @functools.cached_property
    def X_train(self) -> pd.DataFrame:
        """The training part's feature rows (a copy, taken once)."""
        return self.X.iloc[self.train]

    @functools.cached_property
    def X_test(self) -> pd.DataFrame:
        """The held-out part's feature rows (a copy, taken once)."""
        return self.X.iloc[self.test]

    @functools.cached_property
    def y_train(self) -> np.ndarray:
        """The training part's labels."""
        return self.y[self.train]

    @functools.cached_property
    def y_test(self) -> np.ndarray:
        """The held-out part's labels."""
        return self.y[self.test]


def _prepare_data(
    table: pd.DataFrame,
    config: TrainingConfig,
    *,
    limits: Limits,
    table_profile=None,
    infinite_values: dict[str, int] | None = None,
    split: RowSplit | None = None,
) -> _PreparedData:
    """Every check on the table, then the held-out split and the folds, as the docs state.

    Given a training's ``split`` (`RowSplit`), its parts and folds are taken from it instead
    of splitting again (`prepare_again`).
    """
    _check_columns(table, config)
    target = _target_labels(table, config, limits=limits)
    columns = _feature_columns(table, config, table_profile=table_profile, limits=limits)
    need = min_rows_per_class(config.cv_folds, config.test_size)
    target = _without_small_classes(target, config, need=need)
    # Only the feature columns, and only the rows kept: with every row kept, no copy at all
    # here (pandas copies a column on write), so the table is not doubled before the split.
    X = table[columns.numeric + columns.categorical + columns.dates + columns.text]
    if len(target.positions) < len(table):
        X = X.iloc[target.positions]
    # Infinities in a feature: missing (FiniteNumbers in the pipeline), counted here; those the
    # loader already read as missing come in ``infinite_values``.
    infinite = infinite_counts(X, columns.numeric)
    for name, n in (infinite_values or {}).items():
        if name in columns.numeric and n:
            infinite[name] = infinite.get(name, 0) + int(n)
    as_text = _mixed_columns(X, columns.categorical)
    for name in columns.categorical:
        if X[name].dtype == object:
            # Text with NaN for missing: SimpleImputer does not see None as missing.
            X[name] = X[name].astype(str).where(X[name].notna(), np.nan)
    _check_model_inputs(X, columns, limits=limits)  # on the values the encoder will see
    y = target.labels.to_numpy().astype(str)
    classes = codes = None
    if split is None:
        # The labels sorted once: their codes in sorted order stratify the held-out split and
        # the folds exactly as the labels do, and the search reads them.
        classes, codes = np.unique(y, return_inverse=True)
        codes = _compact(codes, len(classes))
        train, test = _held_out_split(codes, classes, config, n_classes=target.n_classes)
        folds = list(
            StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=config.seed).split(
                np.zeros((len(train), 0)), codes[train]
            )
        )
        fold = np.empty(len(train), dtype=np.intp)
        for k, (_, va) in enumerate(folds):
            fold[va] = k
        top = int(target.positions[-1])
        split = RowSplit(
            train_rows=_compact(target.positions[train], top),
            test_rows=_compact(target.positions[test], top),
            fold=_compact(fold, config.cv_folds),
            codes=codes[train],
        )
    else:
        train, test = _kept_positions(target.positions, split)
        folds = split.folds(config.cv_folds)
    return _PreparedData(
        numeric=columns.numeric,
        categorical=columns.categorical,
        dates=columns.dates,
        text=columns.text,
        excluded=columns.excluded,
        X=X,
        y=y,
        train=_positions(train),
        test=_positions(test),
        folds=[(_positions(tr), _positions(va)) for tr, va in folds],
        rows_dropped=target.rows_dropped,
        classes_dropped=target.classes_dropped,
        dropped_class_rows=target.dropped_class_rows,
        as_text=as_text,
        need=need,
        infinite=infinite,
        split=split,
        classes=classes,
        codes=codes,
    )


def _positions(rows) -> np.ndarray:
    """Row positions as 32-bit integers where they fit (half the memory of numpy's default).

    Examples
    --------
    >>> _positions(np.array([3, 0, 2])).dtype
    dtype('int32')
    """
    rows = np.asarray(rows)
    return rows.astype(np.int32) if rows.size == 0 or rows.max() < 2**31 else rows


def _kept_positions(kept: np.ndarray, split: RowSplit) -> tuple[np.ndarray, np.ndarray]:
    """Positions among the kept rows (table positions ``kept``, ascending) of ``split``'s
    training and held-out rows; refused unless those are the kept rows, each once."""
    where = np.full(int(kept[-1]) + 1, -1, dtype=np.intp)  # table position -> kept position
    where[kept] = np.arange(len(kept))
    found = []
    for rows in (split.train_rows, split.test_rows):
        rows = np.asarray(rows, dtype=np.intp)
        if len(rows) and rows.max() >= len(where):
            raise _not_the_training_table()
        found.append(where[rows])
    every = np.concatenate(found)
    if (
        len(every) != len(kept)
        or (every < 0).any()
        or np.bincount(every, minlength=len(kept)).max() > 1
    ):
        raise _not_the_training_table()
    return found[0], found[1]


def _not_the_training_table() -> SoftmaxLabError:
    return SoftmaxLabError(
        "This table is not the one the model was trained on",
        where="table",
        hint="Load the training data again, or train on the current data.",
    )


def _check_columns(table: pd.DataFrame, config: TrainingConfig) -> None:
    """The table has rows, and the target and every feature are among its columns."""
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise SoftmaxLabError("There is no data to train on", where="table",
                              hint="Load a CSV file or pick a sample first.")  # fmt: skip
    if config.target not in table.columns:
        raise SoftmaxLabError(f"There is no column named '{config.target}'", where="target",
                              hint="Pick the target among the table's columns.")  # fmt: skip
    missing = [f for f in config.features if f not in table.columns]
    if missing:
        raise SoftmaxLabError(
            f"The table has no column named {_names(missing)}",
            where="features",
            hint="Pick the features among the table's columns.",
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class _Target:
    """The target's text labels on the rows kept, those rows' positions, and what was left out."""

    labels: pd.Series
    positions: np.ndarray
    rows_dropped: int
    classes_dropped: tuple[str, ...] = ()
    dropped_class_rows: tuple[tuple[str, int], ...] = ()

    @property
    def counts(self) -> pd.Series:
        return self.labels.value_counts()

    @property
    def n_classes(self) -> int:
        return int(self.labels.nunique())


def _target_labels(table: pd.DataFrame, config: TrainingConfig, *, limits: Limits) -> _Target:
    """The target as text labels, rows without one dropped, the number of classes checked."""
    raw_target = table[config.target]
    labels = normalise_labels(raw_target)
    keep = labels.notna().to_numpy()
    target = _Target(
        labels=labels[keep],
        positions=np.flatnonzero(keep),  # row positions, safe with a duplicated index
        rows_dropped=int((~keep).sum()),
    )
    if target.labels.empty:
        raise SoftmaxLabError(f"The target column '{config.target}' has no values",
                              where="target", hint="Pick another target column.")  # fmt: skip
    counts = target.counts
    n_classes = len(counts)
    if n_classes < 2:
        raise SoftmaxLabError(
            f"The target column '{config.target}' has only one value ('{counts.index[0]}')",
            where="target",
            hint="A classifier needs at least two classes: pick a column with two or more "
            "categories.",
        )
    if n_classes > limits.max_classes:
        if _looks_numeric(raw_target[keep]):
            raise SoftmaxLabError(
                f"The target column '{config.target}' holds {n_classes} different numbers: it "
                "looks like a measurement, not a category",
                where="target",
                hint="Softmax regression predicts categories. Pick a column with a few "
                "categories, or group the numbers into ranges (for example low, medium, high) "
                "in your spreadsheet and use that column.",
            )
        raise SoftmaxLabError(
            f"The target column '{config.target}' has {n_classes} different values, more than "
            f"the limit of {limits.max_classes} classes",
            where="target",
            hint="Pick a column with fewer categories, or merge rare ones into one such as "
            "'other'.",
        )
    return target


@dataclass(frozen=True, kw_only=True)
class _FeatureColumns:
    """The chosen features by branch, and every column left out with its reason."""

    numeric: list[str]
    categorical: list[str]
    dates: list[str]
    text: list[str]
    excluded: list[tuple[str, str]]


def _feature_columns(
    table: pd.DataFrame, config: TrainingConfig, *, table_profile, limits: Limits
) -> _FeatureColumns:
    """Sort the chosen features into the numeric, categorical, date and text branches, or
    leave them out."""
    kinds = _column_kinds(table, config.target, table_profile, limits)
    numeric, categorical, dates, text, excluded = [], [], [], [], []
    for name in config.features:
        kind, reason = kinds.get(name, ("unknown", "its kind is unknown"))
        if reason:
            excluded.append((name, reason))
        elif kind in NUMERIC_KINDS:
            numeric.append(name)
        elif kind in CATEGORICAL_KINDS:
            categorical.append(name)
        elif kind in DATE_KINDS:
            dates.append(name)
        elif kind in TEXT_KINDS:
            text.append(name)
        else:
            excluded.append((name, f"a {kind} column cannot be used as a feature as it is"))
    for name, (_, reason) in kinds.items():
        if reason and name not in config.features:
            excluded.append((name, reason))
    if not (numeric or categorical or dates or text):
        why = "; ".join(f"'{n}': {r}" for n, r in excluded if n in config.features)
        raise SoftmaxLabError(
            f"None of the chosen features can be used ({why})",
            where="features",
            hint="Pick numeric, categorical, date or free-text columns as features.",
        )
    return _FeatureColumns(
        numeric=numeric, categorical=categorical, dates=dates, text=text, excluded=excluded
    )


def _check_model_inputs(X: pd.DataFrame, columns: _FeatureColumns, *, limits: Limits) -> None:
    """Refuse, before anything is fitted, a model with more inputs than the limit allows.

    One-hot levels and date parts are counted exactly, text terms by their vocabulary caps.
    """
    count = count_model_inputs(
        X,
        numeric=columns.numeric,
        categorical=columns.categorical,
        dates=columns.dates,
        text=columns.text,
        max_categories=limits.max_categories,
    )
    if count.total <= limits.max_model_inputs:
        return
    ranked = sorted(count.per_column.items(), key=lambda item: -item[1])
    text = set(columns.text)
    biggest = ", ".join(
        f"'{name}' ({'up to ' if name in text else ''}{n:,})" for name, n in ranked[:5]
    )
    more = f" and {len(ranked) - 5:,} more columns" if len(ranked) > 5 else ""
    cap = ""
    if columns.categorical:
        cap = (
            f", or lower the cap of {limits.max_categories:,} values per categorical column "
            "(SOFTMAX_LAB_MAX_CATEGORIES; rarer values are grouped)"
        )
    raise SoftmaxLabError(
        f"The model would have {'up to ' if not count.exact else ''}{count.total:,} inputs "
        f"after encoding, more than the limit of {limits.max_model_inputs:,}. The most come "
        f"from {biggest}{more}",
        where="features",
        hint=f"Choose fewer feature columns, starting with those that give the most inputs{cap}.",
    )


def _without_small_classes(target: _Target, config: TrainingConfig, *, need: int) -> _Target:
    """Classes with fewer than ``need`` rows: dropped when asked and possible, else refused."""
    counts = target.counts
    small = [str(c) for c, n in counts.items() if n < need]
    if not small:
        return target
    if config.small_classes == "drop" and len(small) <= len(counts) - 2:
        keep_rows = ~target.labels.isin(small).to_numpy()
        return replace(
            target,
            labels=target.labels[keep_rows],
            positions=target.positions[keep_rows],
            classes_dropped=tuple(sorted(small)),
            dropped_class_rows=tuple((c, int(counts[c])) for c in sorted(small)),
        )
    small_counts = {c: int(counts[c]) for c in small}
    lead = (
        f"Too few rows in class {_names(small, small_counts)}"
        if len(small) == 1
        else f"Too few rows in classes {_names(small, small_counts)}"
    )
    if config.small_classes == "drop":
        hint = (
            "Dropping them would leave fewer than two classes: collect more rows or "
            "pick another target."
        )
    else:
        hint = (
            "Add rows of these classes, use fewer folds, or let Softmax Lab leave small "
            "classes out (the default)."
        )
    raise SoftmaxLabError(
        f"{lead}: each class needs at least {need} rows for {config.cv_folds} folds and "
        f"a {config.test_size:.0%} held-out share",
        where=f"target '{config.target}'",
        hint=hint,
    )


def _held_out_split(
    codes: np.ndarray, classes: np.ndarray, config: TrainingConfig, *, n_classes: int
):
    """The training and held-out rows' positions: ``train_test_split`` stratified on the labels
    (``codes``, positions in the sorted ``classes``: the same split), after checking each part
    can hold every class (splitting positions picks the rows that splitting the table itself
    picks)."""
    n_rows = len(codes)
    n_test = math.ceil(config.test_size * n_rows)
    if n_test < n_classes or n_rows - n_test < n_classes:
        share = math.ceil(100 * n_classes / n_rows)
        raise SoftmaxLabError(
            f"The held-out share of {config.test_size:.0%} is {n_test} rows, fewer than the "
            f"{n_classes} classes",
            where="held-out share",
            hint=f"Raise the held-out share to at least {share}%, or use more rows.",
        )
    train, test = train_test_split(
        np.arange(n_rows), test_size=config.test_size, stratify=codes, random_state=config.seed
    )
    train_counts = np.bincount(codes[train], minlength=len(classes))
    short = [str(classes[k]) for k in np.argsort(-train_counts, kind="stable")
             if train_counts[k] < config.cv_folds]  # fmt: skip
    if short:  # the margin in min_rows_per_class makes this unreachable; kept as a guard
        raise SoftmaxLabError(
            f"Too few training rows in classes {_names(short)} for {config.cv_folds} folds",
            where=f"target '{config.target}'",
            hint="Use fewer folds or a smaller held-out share.",
        )
    return train, test


# ---------------------------------------------------------------------------------------------
# train()


def train(
    table: pd.DataFrame,
    config: TrainingConfig,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    data_sha256: str = "",
    data_name: str = "",
    table_profile: TableProfile | None = None,
    limits: Limits = LIMITS,
    scheduler: str | None = None,
    infinite_values: dict[str, int] | None = None,
) -> TrainedModel:
    """Check the target, split, search C by cross-validation, refit and score the held-out part.

    Parameters
    ----------
    table : pandas.DataFrame
        The loaded table.
    config : TrainingConfig
        Target, features, C grid, folds, held-out share, seed and options.
    on_progress : callable(Progress), optional
        Called after every fit, in the caller's thread.
    should_stop : callable() -> bool, optional
        Polled often; when it returns True, training ends within one fit's time and raises
        `TrainingStopped` (no model is returned).
    data_sha256 : str, optional
        Fingerprint of the data, kept in the record.
    data_name : str, optional
        The data's name (file name or sample title), kept in the record's ``origin`` with
        the fingerprint and the table's shape.
    table_profile : dashboard.profile.TableProfile, optional
        The table's profile if already computed (column kinds come from it).
    limits : Limits, optional
        Bounds on classes, C values, fits and seconds.
    scheduler : str, optional
        Dask scheduler address; None = ``SOFTMAX_LAB_DASK_SCHEDULER``; "" = local.
    infinite_values : dict of str to int, optional
        Infinite cells per column that the loader already read as missing
        (``LoadReport.infinite_values``), counted in the "non_finite" warnings with those
        still in the table.

    Returns
    -------
    TrainedModel

    Raises
    ------
    SoftmaxLabError
        For anything the user can fix: target, features, classes, settings, limits.
    TrainingStopped
        When ``should_stop()`` returned True.

    Notes
    -----
    The best C has the highest mean cross-validated accuracy; on a tie the smaller C wins.
    """
    silence_convergence_warnings()
    start = time.perf_counter()
    config.validate(limits=limits)
    data = _prepare_data(
        table,
        config,
        limits=limits,
        table_profile=table_profile,
        infinite_values=infinite_values,
    )
    timings: dict = {"prepare": time.perf_counter() - start}
    release_free_memory()  # the checks' and the split's temporaries, before the search
    # The checks read only the data: they run beside the search, on whatever core it leaves.
    checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="softmax-lab-checks")
    checked = checks.submit(_timed, _data_warnings, data, config)
    pipeline = build_pipeline(
        numeric=data.numeric,
        categorical=data.categorical,
        dates=data.dates,
        text=data.text,
        class_weight=config.class_weight,
        max_iter=config.max_iter,
        random_state=config.seed,
        max_categories=_category_cap(
            data.X, data.categorical, limits.max_categories, rows=data.train
        ),
    )
    total = len(config.c_grid) * (config.cv_folds + 1) + 1
    try:
        result: SearchResult = search_c(  # each path reads its rows from the kept rows
            pipeline,
            _as_categories(data.X, data.categorical),
            data.codes,  # the labels as small codes
            c_grid=sorted(config.c_grid),
            folds=data.folds,
            rows=data.train,
            classes=data.classes,
            n_jobs=config.n_jobs,
            scheduler=scheduler,
            on_fit=_fit_reporter(on_progress, config=config, total=total, start=start),
            should_stop=should_stop,
            time_limit=limits.max_training_seconds,
            clock_start=start,
        )
        found, timings["checks"] = checked.result()
    finally:
        checks.shutdown(wait=False, cancel_futures=True)
    data = replace(data, warnings=found)
    release_free_memory()  # the search's and the checks' copies, before the held-out part
    timings.update(search=result.seconds, search_backend=result.backend)
    timings.update(search_workers=result.workers, warm_start=result.warm_start)
    refit_start = time.perf_counter()
    final = _refit(
        pipeline, data, result.best_C, should_stop, limits=limits, start=start, result=result
    )
    timings["refit"] = time.perf_counter() - refit_start
    if on_progress is not None:
        on_progress(_final_progress(result.best_C, total=total, start=start))
    return _record(
        config,
        data,
        result,
        final,
        origin=DataOrigin(
            name=data_name, sha256=data_sha256, rows=table.shape[0], columns=table.shape[1]
        ),
        start=start,
        timings=timings,
    )


def _timed(function: Callable, *args) -> tuple:
    """``function(*args)`` and the seconds it took."""
    start = time.perf_counter()
    return function(*args), time.perf_counter() - start


def _as_categories(X: pd.DataFrame, categorical: Sequence[str]) -> pd.DataFrame:
    """``X`` with its text categorical columns as pandas categoricals, for the search.

    The categorical branch (imputer, one-hot encoder) reads its columns as an array of Python
    objects: from text, one new string per cell (a fold of 640,000 rows x 4 columns holds about
    300 MB while its encoder is fitted); from a categorical, the few category strings, shared.
    The fitted branch is the same (the same values, the same order), and each fold's copy of
    its rows is smaller. The other columns are not copied.

    Examples
    --------
    >>> frame = pd.DataFrame({"colour": pd.array(["red", None, "red"], dtype="str"), "n": [1, 2, 3]})
    >>> _as_categories(frame, ["colour"]).dtypes.astype(str).tolist()
    ['category', 'int64']
    """
    text = [
        name
        for name in categorical
        if pd.api.types.is_string_dtype(X[name].dtype) or X[name].dtype == object
    ]
    if not text:
        return X
    return X.astype(dict.fromkeys(text, "category"))


def _category_cap(
    X: pd.DataFrame, categorical: Sequence[str], cap: int, *, rows: np.ndarray | None = None
) -> int | None:
    """``cap`` when some categorical column (of ``X``'s rows at positions ``rows``, default
    all) has at least as many values, else None.

    The encoder groups rare values only in a column with at least ``max_categories`` values
    (its cap counts the group of rare values as one column); below that, None encodes the same columns without counting every cell (scikit-learn counts
    object values one by one in Python, the costliest part of a fold's preprocessing).

    Examples
    --------
    >>> frame = pd.DataFrame({"colour": ["red", "blue", "red", None]})
    >>> _category_cap(frame, ["colour"], 3) is None, _category_cap(frame, ["colour"], 2)
    (True, 2)
    """

    def column(name: str) -> pd.Series:  # one column's rows at a time, not the table's
        return X[name] if rows is None else X[name].iloc[rows]

    if any(column(name).nunique(dropna=True) >= cap for name in categorical):
        return cap
    return None


def _data_warnings(data: _PreparedData, config: TrainingConfig) -> tuple[DataWarning, ...]:
    """The checks that need only the data: infinite values, leaks, copies of training rows,
    a small test."""
    found = check_data(  # the parts read from the kept rows by position, not copied
        data.X,
        data.y[data.train],
        data.X,
        data.y[data.test],
        target=config.target,
        features=data.numeric + data.categorical + data.dates,
        random_state=config.seed,
        train_rows=data.train,
        test_rows=data.test,
    )
    infinite = tuple(
        DataWarning(kind="non_finite", column=name, message=message)
        for name, message in zip(data.infinite, non_finite_warnings(data.infinite), strict=True)
    )
    return tuple(sorted(infinite + tuple(found), key=lambda w: WARNING_KINDS.index(w.kind)))


def _refit(
    pipeline, data: _PreparedData, best_C: float, should_stop, *, limits, start, result=None
) -> Pipeline:
    """The final model: the pipeline at the best C, fitted on the whole training part.

    When the search's fast solver drew the coefficient path on this machine, that path is
    already LogisticRegression's fit at the best C on the same rows, with the preprocessing
    fitted on the same rows: the final pipeline is made of them (`_from_path`), with no
    second fit and no float64 copy of the preprocessed rows. When only the coefficients are
    at hand (a Dask run), LogisticRegression starts from the path's solution and only checks
    it, or finishes it, to its own tolerance (reusing the path's preprocessing and output when
    the path ran without the fast solver). Otherwise the pipeline is fitted from zero.
    """
    if should_stop is not None and should_stop():
        raise TrainingStopped("Training was stopped before it finished.")
    final = clone(pipeline).set_params(logisticregression__C=best_C)
    path = (result.coef_path or {}) if result is not None and result.fast_solver else {}
    warm = best_C in path.get("C", [])
    reuse = warm and result.whole is not None and len(final.steps) == 2
    if reuse and result.whole[1] is None:
        return _from_path(final, path, result.whole, best_C, y_train=data.y_train)
    if warm:
        at = path["C"].index(best_C)
        lr = final.named_steps["logisticregression"].set_params(warm_start=True)
        lr.coef_ = np.array(path["coef"][at], dtype=float)
        lr.intercept_ = np.array(path["intercept"][at], dtype=float)
    if reuse:
        fitted_preprocess, inputs, _ = result.whole
        final.steps[0] = (final.steps[0][0], fitted_preprocess)
    fit_interruptibly(
        lr if reuse else final,
        inputs if reuse else data.X_train,
        data.y_train,
        should_stop=should_stop,
        time_limit=limits.max_training_seconds,
        clock_start=start,
    )
    if warm:  # the saved model and its script read as a plain fit
        final.named_steps["logisticregression"].set_params(warm_start=False)
    return final


def _from_path(final: Pipeline, path: dict, whole: tuple, best_C: float, *, y_train) -> Pipeline:
    """``final`` (preprocessing, LogisticRegression at ``best_C``) made of the coefficient path.

    The path's fit at ``best_C`` minimised LogisticRegression's objective on the whole
    training part, preprocessed by ``whole``'s fitted preprocessing, to the solver's
    tolerance: its coefficients, classes and iteration count become the fitted attributes
    ``fit`` would set, and the preprocessing is that fitted one.
    """
    fitted_preprocess, _, n_iters = whole
    at = path["C"].index(best_C)
    final.steps[0] = (final.steps[0][0], fitted_preprocess)
    lr = final.named_steps["logisticregression"]
    lr.classes_ = np.unique(np.asarray(y_train))
    lr.coef_ = np.array(path["coef"][at], dtype=np.float64)
    lr.intercept_ = np.array(path["intercept"][at], dtype=np.float64)
    lr.n_iter_ = np.array([n_iters[at]], dtype=np.int32)
    lr.n_features_in_ = int(lr.coef_.shape[1])
    return final


def _final_progress(best_C: float, *, total: int, start: float) -> Progress:
    return Progress(
        done=total,
        total=total,
        C=best_C,
        fold=None,
        elapsed=time.perf_counter() - start,
        remaining=0.0,
        message=f"Final model at C = {best_C:g} fitted on the whole training part",
    )


def _fit_reporter(
    on_progress: Callable[[Progress], None] | None,
    *,
    config: TrainingConfig,
    total: int,
    start: float,
) -> Callable[[FitEvent, int, int], None]:
    """The search's ``on_fit``: each finished fit as a `Progress` (with the time left)."""
    search_start = time.perf_counter()

    def on_fit(event: FitEvent, done: int, _search_total: int) -> None:
        if on_progress is None:
            return
        elapsed = time.perf_counter() - start
        searched = time.perf_counter() - search_start
        remaining = searched / done * (total - done) if done else None
        if event.fold is None:
            message = f"Coefficient path, C = {event.C:g}"
        else:
            message = (
                f"Fold {event.fold + 1} of {config.cv_folds}, C = {event.C:g}: "
                f"accuracy {event.accuracy:.3f}"
            )
        if not event.converged:
            message += " (solver stopped before converging)"
        on_progress(
            Progress(
                done=done,
                total=total,
                C=event.C,
                fold=event.fold,
                elapsed=elapsed,
                remaining=remaining,
                message=message,
            )
        )

    return on_fit


def _record(
    config: TrainingConfig,
    data: _PreparedData,
    result: SearchResult,
    final: Pipeline,
    *,
    origin: DataOrigin,
    start: float,
    timings: dict,
) -> TrainedModel:
    """The trained-model record: the final pipeline scored on the held-out part, and notes."""
    held_out = _held_out_fields(final, data)
    final_lr = final.named_steps["logisticregression"]
    final_converged = int(np.max(final_lr.n_iter_)) < config.max_iter
    notes = _notes(config, data, result, final_converged=final_converged)
    warnings = data.warnings + check_result(
        config.c_grid,
        result.best_C,
        n_test=len(data.y_test),
        n_correct=int(np.trace(held_out["evaluation"].confusion_matrix)),
    )
    seconds = time.perf_counter() - start
    return TrainedModel(
        config=config,
        pipeline=final,
        numeric_columns=tuple(data.numeric),
        categorical_columns=tuple(data.categorical),
        date_columns=tuple(data.dates),
        text_columns=tuple(data.text),
        excluded_columns=tuple(data.excluded),
        cv_results=result.cv_results,
        cv_summary=result.cv_summary,
        best_C=result.best_C,
        coef_path=dict(result.coef_path or {}),
        test_index=np.asarray(data.X_test.index),
        X_test=data.X_test,
        y_test=np.asarray(data.y_test, dtype=str),
        **held_out,
        n_train=len(data.y_train),
        n_test=len(data.y_test),
        rows_dropped=data.rows_dropped,
        classes_dropped=data.classes_dropped,
        dropped_class_rows=data.dropped_class_rows,
        notes=tuple(notes),
        warnings=warnings,
        data_sha256=origin.sha256,
        origin=origin,
        seconds=seconds,
        timings={**timings, "total": seconds},
        folds_at_best=result.folds_at_best,
        split=data.split,
    )


def _held_out_fields(final: Pipeline, data: _PreparedData) -> dict:
    """A fitted pipeline on the held-out part: the record's classes, logits, probabilities,
    predictions and evaluation (with the trivial model's scores and the interval)."""
    classes = tuple(str(c) for c in final.classes_)
    inputs = final[:-1].transform(data.X_test)  # once, for both of the estimator's outputs
    estimator = final[-1]
    proba = estimator.predict_proba(inputs)
    logits = as_logit_matrix(estimator.decision_function(inputs), len(classes))
    return {
        "classes": classes,
        "test_logits": logits,
        "test_proba": proba,
        "test_pred": np.asarray(classes, dtype=str)[np.argmax(proba, axis=1)],
        "evaluation": evaluate_holdout(data.y_test, proba, classes, y_train=data.y_train),
    }


def _notes(
    config: TrainingConfig, data: _PreparedData, result: SearchResult, *, final_converged: bool
) -> list[str]:
    """What the user should know about this training, in plain sentences."""
    best_C = result.best_C
    notes = list(result.notes)
    for c in result.not_converged:
        notes.append(
            f"At C={c:g} the solver stopped before converging; that score may be approximate. "
            "Raising the maximum iterations may help."
        )
    if not final_converged and best_C not in result.not_converged:
        notes.append(
            f"The final model at C={best_C:g} stopped before converging; its scores may be "
            "approximate."
        )
    if data.as_text:
        notes.append(
            f"Columns {_names(data.as_text)} hold values of different kinds (numbers, text, "
            "yes/no); their values were read as text categories."
        )
    if data.rows_dropped:
        notes.append(
            f"{data.rows_dropped} rows without a value in '{config.target}' were left out."
        )
    if data.dropped_class_rows:
        notes.append(dropped_classes_sentence(data.dropped_class_rows, config, need=data.need))
    summary = result.cv_summary["mean_accuracy"]
    ties = summary >= summary.max() - 1e-12
    if ties.sum() > 1:
        notes.append(
            f"{int(ties.sum())} values of C share the best mean accuracy; the smallest, "
            f"C={best_C:g}, was chosen (the simplest model)."
        )
    return notes


def prepare_again(
    table: pd.DataFrame,
    model: TrainedModel,
    *,
    limits: Limits = LIMITS,
    table_profile: TableProfile | None = None,
) -> _PreparedData:
    """The model's own rows, held-out split and folds, prepared again from its table.

    The one place that splits a table: whoever needs the model's training part (the
    class-weight what-if, the C path's models) asks here rather than splitting again. A
    record made by `train` keeps its rows and folds (``model.split``): they are taken from it,
    and every training and held-out row's label is checked against the training's.

    Raises
    ------
    SoftmaxLabError
        When the table is not the one the model was trained on (its held-out rows or the
        labels of its rows differ).
    """
    split = model.split
    data = _prepare_data(
        table, model.config, limits=limits, table_profile=table_profile, split=split
    )
    same = np.array_equal(np.asarray(data.X_test.index), np.asarray(model.test_index))
    if split is not None:  # not split again: the labels must be the training's, row by row
        same = (
            same
            and np.array_equal(data.y_test, np.asarray(model.y_test, dtype=str))
            and np.array_equal(data.y_train, np.asarray(model.classes, dtype=str)[split.codes])
        )
    if not same:
        raise _not_the_training_table()
    return data


def class_weight_what_if(
    table: pd.DataFrame,
    model: TrainedModel,
    *,
    limits: Limits = LIMITS,
    table_profile: TableProfile | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold predictions of every training row at the model's C, unweighted and balanced.

    The same rows, split and folds as the model's training; each row is predicted by the fit
    of the fold that held it out, once with ``class_weight=None`` and once with "balanced".
    At the search's own C, the search's fits of the folds (``model.folds_at_best``) give the
    model's weighting and the other starts from them, so it costs about one C of the search;
    from 5,000 training rows per fold those fits were warm-started along the C path, so they
    match fits from zero to the solver's tolerance (a row within a hair of a tie may differ).

    Parameters
    ----------
    table : pandas.DataFrame
        The table the model was trained on.
    model : TrainedModel
        The trained model (its config gives target, features, seed, folds and C).
    limits : Limits, optional
    table_profile : dashboard.profile.TableProfile, optional
        The table's profile when already known (otherwise it is computed).

    Returns
    -------
    y_true, predicted_none, predicted_balanced : numpy.ndarray of str
        True labels of the training rows and the two sets of predictions.

    Raises
    ------
    SoftmaxLabError
        When the table is not the one the model was trained on.
    """
    silence_convergence_warnings()
    data = prepare_again(table, model, limits=limits, table_profile=table_profile)
    pipeline = build_pipeline(
        numeric=data.numeric,
        categorical=data.categorical,
        dates=data.dates,
        text=data.text,
        C=model.best_C,
        max_iter=model.config.max_iter,
        random_state=model.config.seed,
        max_categories=_category_cap(data.X_train, data.categorical, limits.max_categories),
    )
    # The search fitted these folds at its best C with the model's weighting: those fits give
    # that weighting's predictions, and the other weighting starts from them. At another C
    # (adopted with refit_at), both weightings per fold on one preprocessing.
    start = model.folds_at_best
    if start is not None and not (
        math.isclose(start["C"], model.best_C, rel_tol=1e-12)
        and len(start["coef"]) == len(data.folds)
    ):
        start = None
    # The rows as the search read them (text categories as pandas categoricals: each cell
    # shares its category's string), and the labels as their codes in the sorted classes
    # (integers sort and compare faster than text; the fits and predictions are the same).
    if model.split is not None:  # prepare_again checked that these are the rows' labels
        classes, codes = np.asarray(model.classes, dtype=str), model.split.codes
    else:
        classes, codes = np.unique(np.asarray(data.y_train, dtype=str), return_inverse=True)
    predictions = out_of_fold_predictions(
        pipeline,
        _as_categories(data.X_train, data.categorical),
        codes,
        folds=data.folds,
        class_weights=(None, "balanced"),
        n_jobs=model.config.n_jobs,
        start=start,
    )
    y_true = np.asarray(data.y_train, dtype=str)
    return y_true, classes[predictions[None]], classes[predictions["balanced"]]


def refit_at(
    table: pd.DataFrame,
    model: TrainedModel,
    C: float,
    *,
    limits: Limits = LIMITS,
    table_profile: TableProfile | None = None,
) -> TrainedModel:
    """The model's pipeline refitted at another C on the same training part: no new search.

    For adopting the one-standard-error C (:func:`dashboard.evaluation.one_standard_error_C`)
    or any other C: the same rows, split, features and settings as the search's model; only
    C changes. The CV table, the coefficient path and the warnings about the data stay; the
    held-out numbers (and the interval warning) are the new fit's.

    Parameters
    ----------
    table : pandas.DataFrame
        The table the model was trained on.
    model : TrainedModel
        The search's record, or a record already refitted (then its ``adopted_from`` is used).
    C : float
        The C to fit at, within ``C_RANGE``.
    limits : Limits, optional
    table_profile : dashboard.profile.TableProfile, optional

    Returns
    -------
    TrainedModel
        ``best_C`` is ``C``, ``adopted_from`` the search's record, ``model_id`` new. At the
        search's own best C, the search's record itself.

    Raises
    ------
    SoftmaxLabError
        When C is not a sensible value, or the table is not the one the model was trained on.
    """
    if isinstance(C, bool) or not isinstance(C, int | float | np.number):
        raise SoftmaxLabError(f"C must be a number, got {C!r}", where="C")
    (value,) = parse_c_grid(repr(float(C)), limits=limits)
    base = model.adopted_from or model
    if math.isclose(value, base.best_C, rel_tol=1e-12):
        return base
    silence_convergence_warnings()
    start = time.perf_counter()
    data = prepare_again(table, base, limits=limits, table_profile=table_profile)
    fitted = clone(base.pipeline).set_params(logisticregression__C=value)
    fitted.fit(data.X_train, data.y_train)
    held_out = _held_out_fields(fitted, data)
    n_correct = int(np.trace(held_out["evaluation"].confusion_matrix))
    n_test = len(data.y_test)
    interval = (
        small_test_warning(n_test)
        if n_test < MIN_TEST_ROWS
        else small_test_warning(n_test, n_correct=n_correct)
    )
    kept = [w for w in base.warnings if w.kind != "small_test"]
    warnings = sorted(
        [*kept, *([interval] if interval else [])], key=lambda w: WARNING_KINDS.index(w.kind)
    )
    notes = [
        *base.notes,
        f"C = {value:g} was adopted: the pipeline refitted at it on the same training part, "
        f"without a new search; the search's best was C = {base.best_C:g}.",
    ]
    if int(np.max(fitted.named_steps["logisticregression"].n_iter_)) >= base.config.max_iter:
        notes.append(f"At C = {value:g} the solver stopped before converging.")
    seconds = time.perf_counter() - start
    return replace(
        base,
        pipeline=fitted,
        best_C=value,
        **held_out,
        notes=tuple(notes),
        warnings=tuple(warnings),
        adopted_from=base,
        timings={**base.timings, "refit_at": seconds},
        model_id=uuid.uuid4().hex,
    )


def dropped_classes_sentence(
    dropped: Sequence[tuple[str, int]], config: TrainingConfig, *, need: int
) -> str:
    """The plain sentence that says which classes were left out and how many rows they had.

    Examples
    --------
    >>> config = TrainingConfig(target="kind", features=("x",))
    >>> dropped_classes_sentence([("bus", 5)], config, need=8)
    "Class 'bus' (5 rows) was left out: the model was trained on the other classes, as each class needs at least 8 rows for 5 folds and a 20% held-out share. It will never predict it. To keep it, add rows of it or use fewer folds."
    """
    n = len(dropped)
    names = _names([c for c, _ in dropped], dict(dropped))
    return (
        f"{'Class' if n == 1 else 'Classes'} {names} {'was' if n == 1 else 'were'} left out: "
        f"the model was trained on the other classes, as each class needs at least {need} "
        f"rows for {config.cv_folds} folds and a {config.test_size:.0%} held-out share. It will "
        f"never predict {'it' if n == 1 else 'them'}. To keep {'it' if n == 1 else 'them'}, "
        f"add rows of {'it' if n == 1 else 'them'} or use fewer folds."
    )


def _mixed_columns(X: pd.DataFrame, categorical: Sequence[str]) -> list[str]:
    """Categorical columns holding values of several types (the one-hot encoder refuses them)."""
    mixed = []
    for name in categorical:
        column = X[name]
        if column.dtype == object:
            types = set(column[column.notna()].map(type).unique())
            if types - {str}:
                mixed.append(name)
    return mixed
