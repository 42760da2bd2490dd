"""Warnings about the data and the search, in plain sentences: leaks, duplicates, a tiny held-out
part, a best C at the edge of the grid."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import accuracy_interval
from dashboard.limits import C_RANGE, LIMITS, Limits
from dashboard.words import number_text, plural

__all__ = [
    "WARNING_KINDS",
    "DataWarning",
    "SingleFeatureScores",
    "check_data",
    "check_result",
    "duplicate_warning",
    "grid_edge_warning",
    "leak_warnings",
    "single_feature_accuracy",
    "small_test_warning",
]

WARNING_KINDS = ("non_finite", "leak", "duplicates", "small_test", "grid_edge")
"""Every kind of warning, in the order they are shown."""

LEAK_ACCURACY = 0.98
"""A category column (or a numeric one with few distinct values, a code) that alone predicts
the target for at least this share of held-out rows ..."""

LEAK_ACCURACY_NUMERIC = 0.995
"""... or a numeric or date column with many distinct values that does so for at least this
share (a measurement can separate classes well, as iris petal width does, but not perfectly
unless it was made from the target) ..."""

LEAK_ERROR_RATIO = 0.1
"""... while making at most this share of the mistakes of always guessing the most frequent
class gets a leak warning (so a 99 %-majority target does not flag every feature)."""

LEAK_SAMPLE_ROWS = 5_000
"""The single-feature check looks at most at this many training rows (a random sample)."""

LEAK_CELL_BUDGET = 2_000_000
"""On a wide table, fewer rows: at most this many values in all (never under 1,000 rows)."""

LEAK_FOLDS = 5
"""Folds of the single-feature cross-validation."""

LEAK_MIN_ROWS = 10
"""Below this many training rows the single-feature check says nothing."""

PURITY_MIN_ROWS = 5
PURITY_COVERAGE = 0.9
"""A category with at least ``PURITY_MIN_ROWS`` rows is well supported; when such categories
hold ``PURITY_COVERAGE`` of the rows, their purity (rows in their category's most frequent
class) counts too: cross-validation misses twice on a small category split 1 to 1."""

DUPLICATE_SHARE = 0.10
DUPLICATE_MIN_ROWS = 3
"""At least this share, and this many, held-out rows that repeat a training row get a warning."""

MIN_TEST_ROWS = 30
"""A held-out part with fewer rows gets a warning."""

MAX_INTERVAL_WIDTH = 0.25
"""A held-out accuracy whose 95 % interval is wider than this gets a warning."""


@dataclass(frozen=True, kw_only=True)
class DataWarning:
    """One warning for the user, in plain words: it names the problem and what to do.

    Warnings are not removals: the user decides.

    Attributes
    ----------
    kind : str
        One of ``WARNING_KINDS``: ``"non_finite"`` (infinite or overflowing values read as
        missing), ``"leak"``, ``"duplicates"``, ``"small_test"``, ``"grid_edge"``.
    column : str or None
        The feature it is about (``"non_finite"``, ``"leak"``), else None.
    message : str
        Plain text with the user's column and class names as they are: escape it for
        markdown or HTML.
    score : float or None
        For ``"leak"``: the feature's cross-validated single-feature accuracy. For
        ``"duplicates"``: the share of held-out rows that repeat a training row.
    extended_grid : tuple of float
        For ``"grid_edge"``: the grid with one decade more on the edge's side (empty when it
        cannot be extended), so a page can offer it with one click.
    """

    kind: str
    column: str | None
    message: str
    score: float | None = None
    extended_grid: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in WARNING_KINDS:
            raise SoftmaxLabError(
                f"There is no kind of warning called {self.kind!r}",
                where="warning",
                hint="Use one of: " + ", ".join(WARNING_KINDS) + ".",
            )

    def as_dict(self) -> dict:
        """JSON-able form, as the CLI prints it in ``warnings``.

        Returns
        -------
        dict
            ``kind``, ``column``, ``message``; ``extended_grid`` too for a grid-edge warning
            that can be extended.
        """
        out: dict = {"kind": self.kind, "column": self.column, "message": self.message}
        if self.extended_grid:
            out["extended_grid"] = [float(c) for c in self.extended_grid]
        return out


# --- leaks and shortcuts ---------------------------------------------------------------------


def _percent(share: float) -> str:
    """``0.9987`` -> ``"99.8 %"``: rounded down, so that only a perfect score reads 100 %."""
    return f"{math.floor(share * 1000 + 1e-9) / 10:.1f} %"


def _is_numeric(column: pd.Series) -> bool:
    return (
        pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    ) or pd.api.types.is_datetime64_any_dtype(column)


def _as_numbers(column: pd.Series) -> np.ndarray:
    """Floats with NaN for anything missing or infinite (nullable and date columns too)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        column = (column - column.min()).dt.total_seconds()
    x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    x[~np.isfinite(x)] = np.nan
    return x


def _mapping_accuracy(
    keys: np.ndarray, codes: np.ndarray, fold_of: np.ndarray, fallback: np.ndarray, n_classes: int
) -> float:
    """Cross-validated accuracy of "each value predicts its most frequent class".

    A value is mapped from the other folds' rows only; a value they never show (an id, a
    rare category) gets the other folds' most frequent class, so uniqueness alone scores
    no better than always guessing.
    """
    n_keys = int(keys.max()) + 1 if keys.size else 0
    if n_keys == codes.size:  # every value once: no held-out value is seen in other folds
        return float(np.mean(fallback[fold_of] == codes)) if codes.size else 0.0
    flat = keys * n_classes + codes
    total = np.bincount(flat, minlength=n_keys * n_classes).reshape(n_keys, n_classes)
    right = 0
    for f, default in enumerate(fallback):
        held = fold_of == f
        in_fold = np.bincount(flat[held], minlength=n_keys * n_classes)
        other = total - in_fold.reshape(n_keys, n_classes)
        guess = np.where(other.sum(axis=1) > 0, other.argmax(axis=1), default)
        right += int(np.sum(guess[keys[held]] == codes[held]))
    return right / codes.size


def _tree_leaves(n_classes: int) -> int:
    return min(max(4, 3 * n_classes), 64)


def _tree_could_reach(
    x: np.ndarray, codes: np.ndarray, n_folds: int, n_classes: int, *, distinct: bool = False
) -> bool:
    """Whether the tree could possibly reach ``LEAK_ACCURACY_NUMERIC``: a cheap screen.

    Sorted by value (ties by class), a column the folds' trees split into at most
    ``n_folds * leaves`` pieces with at most a share ``1 - LEAK_ACCURACY_NUMERIC`` of rows
    wrong shows at most that many class changes plus two per wrong row. Noise shows about
    one change every other row, so most columns skip the trees.
    """
    # With every value distinct there are no ties to order by class.
    order = np.argsort(x) if distinct else np.lexsort((codes, x))
    changes = int(np.count_nonzero(np.diff(codes[order])))
    wrong = (1.0 - LEAK_ACCURACY_NUMERIC) * codes.size
    return changes <= n_folds * _tree_leaves(n_classes) + 2 * wrong + 1


def _tree_accuracy(x: np.ndarray, codes: np.ndarray, fold_of: np.ndarray, n_classes: int) -> float:
    """Cross-validated accuracy of a small tree on one numeric feature (thresholds)."""
    leaves = _tree_leaves(n_classes)
    right = 0
    for f in range(int(fold_of.max()) + 1):
        held = fold_of == f
        tree = DecisionTreeClassifier(max_leaf_nodes=leaves, random_state=0)
        tree.fit(x[~held, None], codes[~held])
        right += int(np.sum(tree.predict(x[held, None]) == codes[held]))
    return right / codes.size


def _supported_purity(keys: np.ndarray, codes: np.ndarray, n_classes: int) -> float:
    """Share of rows in their category's most frequent class, over well-supported categories.

    0 when those categories hold less than ``PURITY_COVERAGE`` of the rows, so that a column
    of ids or of rare values (each trivially pure) never counts.
    """
    n_keys = int(keys.max()) + 1 if keys.size else 0
    table = np.bincount(keys * n_classes + codes, minlength=n_keys * n_classes)
    table = table.reshape(n_keys, n_classes)
    supported = table.sum(axis=1) >= PURITY_MIN_ROWS
    covered = int(table[supported].sum())
    if covered < PURITY_COVERAGE * codes.size:
        return 0.0
    return float(table[supported].max(axis=1).sum() / covered)


def _code_like(n_distinct: int, n_classes: int) -> bool:
    """A numeric column with this few distinct values reads as a code, like a category."""
    return n_distinct <= max(2 * n_classes, 10)


def _column_score(
    column: pd.Series,
    codes: np.ndarray,
    fold_of: np.ndarray,
    fallback: np.ndarray,
    n_classes: int,
) -> tuple[float, float]:
    """A column's single-feature accuracy and the bar at which it counts as a leak."""
    if not _is_numeric(column):
        text = column.astype(object).where(column.notna(), None)
        keys = pd.factorize(text.map(lambda v: v if v is None else str(v)), use_na_sentinel=False)[
            0
        ]
        score = _mapping_accuracy(keys, codes, fold_of, fallback, n_classes)
        return max(score, _supported_purity(keys, codes, n_classes)), LEAK_ACCURACY
    x = _as_numbers(column)
    keys = pd.factorize(x, use_na_sentinel=False)[0]
    n_distinct = int(keys.max()) + 1 if keys.size else 0
    score = _mapping_accuracy(keys, codes, fold_of, fallback, n_classes)
    if _code_like(n_distinct, n_classes):
        # The mapping is the best one-feature model on so few values; a tree adds nothing.
        return max(score, _supported_purity(keys, codes, n_classes)), LEAK_ACCURACY
    n_folds = int(fold_of.max()) + 1
    if _tree_could_reach(x, codes, n_folds, n_classes, distinct=n_distinct == codes.size):
        score = max(score, _tree_accuracy(x, codes, fold_of, n_classes))
    return score, LEAK_ACCURACY_NUMERIC


def _single_feature_scores(
    X: pd.DataFrame,
    y: Sequence | np.ndarray,
    *,
    features: Sequence[str] | None,
    random_state: int | None,
    max_rows: int,
    rows: np.ndarray | None = None,
) -> dict:
    """Column -> (accuracy, leak bar); None -> (always guessing's accuracy, 1.0).

    ``rows``: the positions in ``X`` of the rows ``y`` labels (default every row)."""
    if not isinstance(X, pd.DataFrame):
        raise SoftmaxLabError("The features must be a table", where="features")
    columns = list(X.columns) if features is None else list(features)
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise SoftmaxLabError(f"There is no column named '{missing[0]}'", where="features")
    part = np.arange(len(X)) if rows is None else np.asarray(rows)
    labels = np.asarray(y).astype(str)
    if labels.ndim != 1 or labels.size != part.size:
        raise SoftmaxLabError(
            f"The target has {labels.size} values for {part.size} rows", where="target"
        )
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < LEAK_MIN_ROWS:
        raise SoftmaxLabError(
            f"max_rows must be a whole number of at least {LEAK_MIN_ROWS}, got {max_rows!r}",
            where="max_rows",
        )
    rng = check_random_state(random_state)
    rows = np.arange(part.size)
    cap = min(max_rows, max(1_000, LEAK_CELL_BUDGET // max(1, len(columns))))
    if rows.size > cap:
        rows = np.sort(rng.choice(rows.size, size=cap, replace=False))
    _, codes = np.unique(labels[rows], return_inverse=True)
    codes = codes.astype(np.intp)
    n_classes = int(codes.max()) + 1 if codes.size else 0
    n_folds = min(LEAK_FOLDS, rows.size)
    fold_of = np.empty(rows.size, dtype=np.intp)
    folds = KFold(n_splits=n_folds, shuffle=True, random_state=rng).split(rows)
    for f, (_, held) in enumerate(folds):
        fold_of[held] = f
    fallback = np.array(
        [np.bincount(codes[fold_of != f], minlength=n_classes).argmax() for f in range(n_folds)]
    )
    scores: dict = {None: (float(np.mean(fallback[fold_of] == codes)), 1.0)}
    sample = X.iloc[part[rows]]
    for name in columns:
        scores[name] = _column_score(sample[name], codes, fold_of, fallback, n_classes)
    return scores


@dataclass(frozen=True, kw_only=True)
class SingleFeatureScores:
    """How well each feature alone predicts the target (:func:`single_feature_accuracy`).

    Attributes
    ----------
    accuracy : dict
        Column -> accuracy between 0 and 1, in the order the columns were checked.
    always_guessing : float
        The accuracy of always guessing the most frequent class, on the same folds.
    """

    accuracy: dict[str, float]
    always_guessing: float


def single_feature_accuracy(
    X: pd.DataFrame,
    y: Sequence | np.ndarray,
    *,
    features: Sequence[str] | None = None,
    random_state: int | None = 0,
    max_rows: int = LEAK_SAMPLE_ROWS,
) -> SingleFeatureScores:
    """How well each feature alone predicts the target, cross-validated.

    For every feature, ``LEAK_FOLDS``-fold cross-validated accuracy (on at most ``max_rows``
    rows, a random sample) of the better of two one-feature models:

    - each value predicts the class most frequent among the other folds' rows with that
      value (a value those rows never show predicts their most frequent class overall), for
      every column;
    - a small decision tree on the value (thresholds), for numeric and date columns with
      more than ``max(2 * classes, 10)`` distinct values. The trees are skipped when the
      classes, in the order of the column's values, change too often for them to reach the
      leak bar (then the score is the first model's, a lower bound; noise costs no trees).

    For a category column (or a numeric one with so few values it reads as a code), the score
    is the larger of that and the categories' purity: the share of rows in their category's
    most frequent class, counted over categories of at least ``PURITY_MIN_ROWS`` rows when
    these hold at least ``PURITY_COVERAGE`` of the rows (cross-validation alone misses twice
    on a small category whose rows disagree 1 to 1).

    Missing values count as a value of their own. Because each row is scored by a model that
    did not see it, and purity needs well-supported categories, a column of unique values
    (an id) scores what always guessing scores.

    Parameters
    ----------
    X : pandas.DataFrame
        The training part's features.
    y : array-like, shape (n_rows,)
        The training part's target.
    features : sequence of str, optional
        Columns to check; all of ``X``'s by default.
    random_state : int or None, default 0
        Seeds the row sample and the folds.
    max_rows : int, default ``LEAK_SAMPLE_ROWS``
        Rows looked at, at most; on a wide table fewer (``LEAK_CELL_BUDGET`` values in all,
        but at least 1,000 rows), so the cost stays bounded.

    Returns
    -------
    SingleFeatureScores

    Examples
    --------
    >>> X = pd.DataFrame({"code": ["a1", "a2", "b1", "b2"] * 5, "noise": [1, 2] * 10})
    >>> y = [c[0] for c in X["code"]]
    >>> scores = single_feature_accuracy(X, y)
    >>> scores.accuracy["code"], scores.accuracy["noise"] <= 0.6, scores.always_guessing <= 0.6
    (1.0, True, True)
    """
    scores = _single_feature_scores(
        X, y, features=features, random_state=random_state, max_rows=max_rows
    )
    guessing, _ = scores.pop(None)
    return SingleFeatureScores(
        accuracy={name: score for name, (score, _) in scores.items()}, always_guessing=guessing
    )


def leak_warnings(
    X_train: pd.DataFrame,
    y_train: Sequence | np.ndarray,
    *,
    target: str,
    features: Sequence[str] | None = None,
    random_state: int | None = 0,
    max_rows: int = LEAK_SAMPLE_ROWS,
    rows: np.ndarray | None = None,
) -> tuple[DataWarning, ...]:
    """A warning for each feature that alone predicts the target almost perfectly.

    A feature is flagged when its :func:`single_feature_accuracy` is at least
    ``LEAK_ACCURACY`` (``LEAK_ACCURACY_NUMERIC`` for a numeric or date column with more than
    ``max(2 * classes, 10)`` distinct values) and it makes at most ``LEAK_ERROR_RATIO`` of the mistakes that always
    guessing the most frequent class makes. Such a feature often holds the answer itself (a
    sub-grade "B3" for the grade "B", a synonym column, a code of the target) or something
    only known after the outcome.

    Parameters
    ----------
    X_train, y_train
        The training part (never the held-out rows).
    target : str
        The target's name, for the sentence.
    features, random_state, max_rows
        As :func:`single_feature_accuracy`.
    rows : array of int, optional
        The training part's positions in ``X_train`` (a larger table, then not copied), in
        the order of ``y_train``; default every row.

    Returns
    -------
    tuple of DataWarning
        Kind ``"leak"``, the strongest first; empty when fewer than ``LEAK_MIN_ROWS`` rows.

    Examples
    --------
    >>> X = pd.DataFrame({"sub_grade": ["A1", "A2", "B1", "B3", "C2"] * 10,
    ...                   "amount": list(range(50))})
    >>> y = [g[0] for g in X["sub_grade"]]
    >>> [w.message for w in leak_warnings(X, y, target="grade")]
    ["Column 'sub_grade' alone predicts 'grade' for 100.0 % of rows: is it known before the outcome? If not, leave it out."]
    """  # noqa: E501
    if (len(X_train) if rows is None else len(rows)) < LEAK_MIN_ROWS:
        return ()
    scores = _single_feature_scores(
        X_train,
        y_train,
        features=features,
        random_state=random_state,
        max_rows=max_rows,
        rows=rows,
    )
    guess_error = 1.0 - scores.pop(None)[0]
    if guess_error <= 0:  # one class only: nothing to predict
        return ()
    found = [
        (score, name)
        for name, (score, bar) in scores.items()
        if score >= bar and (1.0 - score) <= LEAK_ERROR_RATIO * guess_error
    ]
    found.sort(key=lambda pair: -pair[0])
    return tuple(
        DataWarning(
            kind="leak",
            column=str(name),
            message=(
                f"Column '{name}' alone predicts '{target}' for {_percent(score)} of rows: is "
                "it known before the outcome? If not, leave it out."
            ),
            score=score,
        )
        for score, name in found
    )


# --- duplicates ------------------------------------------------------------------------------


def _row_hashes(X: pd.DataFrame, y: Sequence | np.ndarray, rows=None, features=None):
    """A hash of each row's features and label (equal rows, equal hashes): of ``X``'s rows at
    positions ``rows`` (default all), labelled ``y``. ``features``: ``X``'s rows' hashes when
    already computed. No copy of ``X``'s rows is made."""
    if features is None:
        features = pd.util.hash_pandas_object(X, index=False).to_numpy()
    if rows is not None:
        features = features[rows]
    labels = pd.util.hash_pandas_object(pd.Series(np.asarray(y).astype(str)), index=False)
    both = pd.DataFrame({"features": features, "label": labels.to_numpy()})
    return pd.util.hash_pandas_object(both, index=False).to_numpy()


def duplicate_warning(
    X_train: pd.DataFrame,
    y_train: Sequence | np.ndarray,
    X_test: pd.DataFrame,
    y_test: Sequence | np.ndarray,
    *,
    train_rows: np.ndarray | None = None,
    test_rows: np.ndarray | None = None,
) -> DataWarning | None:
    """A warning when many held-out rows repeat a training row exactly (features and target).

    Such rows test memory, not prediction: the held-out score looks better than it is on
    new data. It fires from ``DUPLICATE_SHARE`` of the held-out rows and at least
    ``DUPLICATE_MIN_ROWS`` of them. Missing values count as equal.

    Parameters
    ----------
    X_train, y_train, X_test, y_test
        The training and held-out parts, with the same columns.
    train_rows, test_rows : array of int, optional
        The parts' positions in ``X_train`` and ``X_test`` (which may then be one larger
        table, not copied), in the order of ``y_train`` and ``y_test``; default every row.

    Returns
    -------
    DataWarning or None

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6]})
    >>> w = duplicate_warning(X, list("xxxyyy"), X.iloc[:4], list("xxxx"))
    >>> w.message.split(":")[0]
    '3 of the 4 held-out rows (75 %) are exact copies of training rows, features and class alike'
    """
    if list(X_train.columns) != list(X_test.columns):
        raise SoftmaxLabError(
            "The training and held-out parts have different columns", where="held-out part"
        )
    n_test = len(X_test) if test_rows is None else len(test_rows)
    if n_test == 0 or (len(X_train) if train_rows is None else len(train_rows)) == 0:
        return None
    features = None
    if X_test is X_train and train_rows is not None:  # one table: its rows hashed once
        features = pd.util.hash_pandas_object(X_train, index=False).to_numpy()
        train_hashes = _row_hashes(X_train, y_train, train_rows, features)
    else:
        train_hashes = _row_hashes(X_train, y_train, train_rows)
    test_hashes = _row_hashes(X_test, y_test, test_rows, features)
    repeats = int(np.isin(test_hashes, train_hashes).sum())
    share = repeats / n_test
    if repeats < DUPLICATE_MIN_ROWS or share < DUPLICATE_SHARE:
        return None
    return DataWarning(
        kind="duplicates",
        column=None,
        message=(
            f"{repeats} of the {n_test} held-out rows ({100 * share:.0f} %) are exact copies of "
            "training rows, features and class alike: on those the held-out score measures "
            "memory, not prediction, so it may look better than the model will do on new rows. "
            "If they are the same records entered twice, remove the copies from the file; if "
            "different records just share these values, this is expected."
        ),
        score=share,
    )


# --- a held-out part too small to mean much --------------------------------------------------


def small_test_warning(n_test: int, *, n_correct: int | None = None) -> DataWarning | None:
    """A warning when the held-out part is too small for its numbers to mean much.

    It fires below ``MIN_TEST_ROWS`` rows, or, when ``n_correct`` is given, when the
    accuracy's 95 % Wilson interval (:func:`dashboard.evaluation.accuracy_interval`) is wider
    than ``MAX_INTERVAL_WIDTH``.

    Parameters
    ----------
    n_test : int
        Held-out rows.
    n_correct : int, optional
        Held-out rows predicted right, once the model is trained.

    Returns
    -------
    DataWarning or None

    Examples
    --------
    >>> small_test_warning(17).message.split(":")[0]
    'The held-out part has only 17 rows, too few for its numbers to mean much'
    >>> small_test_warning(200) is None
    True
    """
    if isinstance(n_test, bool) or not isinstance(n_test, (int, np.integer)) or n_test < 0:
        raise SoftmaxLabError(f"The held-out rows must be a count, got {n_test!r}")
    if n_test == 0:
        return None
    hint = "Use a larger held-out share or more rows for a number you can rely on."
    if n_correct is not None:
        lo, hi = accuracy_interval(n_correct, n_test)
        if n_test >= MIN_TEST_ROWS and hi - lo <= MAX_INTERVAL_WIDTH:
            return None
        message = (
            f"The held-out accuracy {number_text(n_correct / n_test)} comes from only "
            f"{plural(n_test, 'row')}: on "
            f"new rows like these it could be anywhere from {number_text(lo, digits=2)} to "
            f"{number_text(hi, digits=2)} (95 % "
            f"interval), and each row moves it by {1 / n_test:.3f}. {hint}"
        )
    else:
        if n_test >= MIN_TEST_ROWS:
            return None
        lo, _ = accuracy_interval(n_test, n_test)
        message = (
            f"The held-out part has only {plural(n_test, 'row')}, too few for its numbers to mean "
            "much: "
            f"each row moves the accuracy by {1 / n_test:.3f}, and even a perfect score would "
            f"only say that the accuracy on new rows is likely above {number_text(lo, digits=2)} "
            "(95 % interval). "
            f"{hint}"
        )
    return DataWarning(kind="small_test", column=None, message=message)


# --- the best C at the edge of the grid ------------------------------------------------------


def grid_edge_warning(
    c_grid: Sequence[float], best_C: float, *, limits: Limits = LIMITS
) -> DataWarning | None:
    """A warning when the best C is the smallest or the largest of the grid.

    Then a C beyond the grid might score better still. The warning carries the grid extended
    by one decade on that side (``best_C / 10`` or ``best_C * 10``) as ``extended_grid``, so
    a page can offer it with one click; it is empty when that value would leave ``C_RANGE``.
    When the extended grid would exceed ``limits.max_c_values``, the value farthest from the
    best C is dropped.

    Parameters
    ----------
    c_grid : sequence of float
        The values of C searched.
    best_C : float
        The value the search chose; one of ``c_grid``.
    limits : Limits, optional

    Returns
    -------
    DataWarning or None
        None when the best C lies inside the grid.

    Examples
    --------
    >>> w = grid_edge_warning([0.001, 0.01, 0.1, 1, 10, 100], 100)
    >>> w.extended_grid
    (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
    >>> grid_edge_warning([0.01, 0.1, 1], 0.1) is None
    True
    """
    grid = sorted({float(c) for c in c_grid})
    if not grid or not all(math.isfinite(c) and c > 0 for c in grid):
        raise SoftmaxLabError("The grid of C must hold positive numbers", where="C values")
    best = float(best_C)
    if not any(math.isclose(best, c, rel_tol=1e-9) for c in grid):
        raise SoftmaxLabError(f"The best C {best_C!r} is not one of the grid's", where="best C")
    low, high = C_RANGE
    at_low = math.isclose(best, grid[0], rel_tol=1e-9)
    at_high = math.isclose(best, grid[-1], rel_tol=1e-9)
    if not (at_low or at_high):
        return None
    added = []
    if at_low and best / 10 >= low * (1 - 1e-9):
        added.append(best / 10)
    if at_high and best * 10 <= high * (1 + 1e-9):
        added.append(best * 10)
    extended: tuple[float, ...] = ()
    if added:
        values = sorted(grid + added)
        while len(values) > limits.max_c_values:
            # Drop the value farthest from the best C (on a log scale).
            values.remove(max(values, key=lambda c: abs(math.log10(c / best))))
        extended = tuple(float(f"{c:.12g}") for c in values)
    span = f"{grid[0]:g} to {grid[-1]:g}"
    if len(grid) == 1:
        lead = f"Only one C, {best:g}, was tried, so nothing says a smaller or larger C is worse."
    elif at_low:
        lead = (
            f"The best C, {best:g}, is the smallest in the grid ({span}): a smaller C (a "
            "simpler model, more regularised) might score better still."
        )
    else:
        lead = (
            f"The best C, {best:g}, is the largest in the grid ({span}): a larger C (less "
            "regularised) might score better still."
        )
    if extended:
        more = " and ".join(f"{c:g}" for c in added)
        tail = f" Extend the grid to {more} to find out."
    else:
        tail = f" The grid already reaches the limit of C ({low:g} to {high:g})."
    return DataWarning(kind="grid_edge", column=None, message=lead + tail, extended_grid=extended)


# --- every data check at once ----------------------------------------------------------------


def check_data(
    X_train: pd.DataFrame,
    y_train: Sequence | np.ndarray,
    X_test: pd.DataFrame,
    y_test: Sequence | np.ndarray,
    *,
    target: str,
    features: Sequence[str] | None = None,
    random_state: int | None = 0,
    max_rows: int = LEAK_SAMPLE_ROWS,
    train_rows: np.ndarray | None = None,
    test_rows: np.ndarray | None = None,
) -> tuple[DataWarning, ...]:
    """Every check that needs only the data, run before the search: leaks, duplicates, size.

    Parameters
    ----------
    X_train, y_train, X_test, y_test
        The training and held-out parts as the search will see them.
    target : str
        The target's name, for the sentences.
    features : sequence of str, optional
        The features to check for leaks; all of ``X_train``'s by default.
    random_state : int or None, default 0
        Seeds the leak check's row sample and folds (pass the training seed).
    max_rows : int, default ``LEAK_SAMPLE_ROWS``
        Training rows the leak check looks at, at most.
    train_rows, test_rows : array of int, optional
        The parts' positions in ``X_train`` and ``X_test`` (which may then be one larger
        table, not copied), in the order of ``y_train`` and ``y_test``; default every row.

    Returns
    -------
    tuple of DataWarning
        Leaks (the strongest first), then duplicates, then a small held-out part.

    Examples
    --------
    >>> X = pd.DataFrame({"sex": ["M", "F"] * 30, "height": range(60)})
    >>> y = ["male" if s == "M" else "female" for s in X["sex"]]
    >>> [w.kind for w in check_data(X[:40], y[:40], X[40:], y[40:], target="gender")]
    ['leak', 'small_test']
    """
    warnings = list(
        leak_warnings(
            X_train,
            y_train,
            target=target,
            features=features,
            random_state=random_state,
            max_rows=max_rows,
            rows=train_rows,
        )
    )
    n_test = len(X_test) if test_rows is None else len(test_rows)
    for extra in (
        duplicate_warning(
            X_train, y_train, X_test, y_test, train_rows=train_rows, test_rows=test_rows
        ),
        small_test_warning(n_test),
    ):
        if extra is not None:
            warnings.append(extra)
    return tuple(warnings)


def check_result(
    c_grid: Sequence[float],
    best_C: float,
    *,
    n_test: int,
    n_correct: int,
    limits: Limits = LIMITS,
) -> tuple[DataWarning, ...]:
    """The checks that need the search's outcome: a wide accuracy interval, the grid's edge.

    Complements :func:`check_data` without repeating it: a held-out part under
    ``MIN_TEST_ROWS`` rows was already named there, so the interval is only checked on
    larger ones.

    Parameters
    ----------
    c_grid : sequence of float
        The values of C searched.
    best_C : float
        The value the search chose.
    n_test, n_correct : int
        Held-out rows, and how many the refit model predicted right.
    limits : Limits, optional

    Returns
    -------
    tuple of DataWarning
        A ``"small_test"`` warning when the interval is wider than ``MAX_INTERVAL_WIDTH``,
        then a ``"grid_edge"`` one, each when it applies.

    Examples
    --------
    >>> [w.kind for w in check_result([0.1, 1, 10], 10, n_test=40, n_correct=25)]
    ['small_test', 'grid_edge']
    >>> check_result([0.1, 1, 10], 1, n_test=17, n_correct=17)
    ()
    """
    found = []
    if n_test >= MIN_TEST_ROWS:
        found.append(small_test_warning(n_test, n_correct=n_correct))
    found.append(grid_edge_warning(c_grid, best_C, limits=limits))
    return tuple(w for w in found if w is not None)
