"""How columns become model inputs: numbers made finite, date parts, text terms, and their count.

Decision: hand-written scikit-learn transformers here, not skrub 0.11
------------------------------------------------------------------------
skrub (``DatetimeEncoder`` with periodic features, ``StringEncoder``, ``TableVectorizer``) was
weighed against a few small transformers of our own. We write our own, because:

* **Model files.** A saved model is loaded by skops with a strict allow-list of types. Our
  pipeline then needs exactly four more names (:data:`MODEL_FILE_TYPES`), each a small class
  whose whole state is plain numbers, strings and scikit-learn objects. skrub's encoders
  carry its dispatch and single-column wrapper machinery, a much wider set to trust.
* **The exported script** must reproduce the app with pandas and scikit-learn. skrub would be one
  more package there, and it pulls matplotlib, pydot, jinja2 and requests with it. This module
  imports only the standard library, numpy, pandas and scikit-learn, so its source can be
  rendered into the script as it is (like ``dashboard/rules.py``): one source, no copies.
* **Explaining a row.** skrub's ``StringEncoder`` projects TF-IDF onto a few SVD components, so no
  word can be named afterwards. Here TF-IDF stays sparse and every input is a word or a
  character n-gram that explain-a-row can show.
* **One way to do each thing.** ``TableVectorizer`` decides column kinds itself; that job
  belongs to ``dashboard.profile``.
* **The C search** (``dashboard.search``) fits the preprocessing once per fold and reuses it for
  every C. It stays equal to ``GridSearchCV`` with these transformers, as they are deterministic
  and learn only from the rows they are fitted on.

What each column turns into
---------------------------
Numbers: :class:`FiniteNumbers` (the stated policy: ``inf``, ``-inf``, ``Infinity`` and values
that overflow such as ``1e309`` are missing, counted by :func:`infinite_counts` and named in a
warning; magnitudes above ``1e100`` are clipped to it so that neither the scaler nor lbfgs
overflows), then median imputation and standard scaling. Categories: most frequent value for
missing, one-hot with a cap. Dates: :class:`DateParts` (the year with its fraction, the season
as sine/cosine of the day of the year, weekday indicators and the hour as sine/cosine where they
vary), then median imputation and scaling. Free text: :class:`TextFeatures`, word 1-2-gram and
character 2-5-gram TF-IDF with a capped vocabulary, sparse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

# The script renders this line away: the rules' source stands above this module's there.
from dashboard.rules import DATE_FORMATS

__all__ = [
    "DATE_PARTS",
    "FINITE_LIMIT",
    "MODEL_DATE_FORMATS",
    "MODEL_FILE_TYPES",
    "DateDetection",
    "DateParts",
    "FiniteNumbers",
    "MedianImputer",
    "ModelInputCount",
    "TextFeatures",
    "TextTerm",
    "count_model_inputs",
    "date_parts_of",
    "date_parts_sentence",
    "detect_dates",
    "infinite_counts",
    "non_finite_warnings",
    "preprocessor",
    "strongest_terms",
    "text_sentence",
]

FINITE_LIMIT = 1e100
"""Largest magnitude a numeric input keeps; larger ones are clipped (squares stay finite)."""

MAX_MALFORMED_SHARE = 0.05
"""A text column is read as dates when at most this share of its present cells fail to parse."""

SPARSE_THRESHOLD = 0.3
"""The preprocessing's output stays sparse below this share of non-zero values (one-hot and
TF-IDF make mostly zeros); above it, it is dense (numbers, dates, a few categories)."""

MAX_WORD_FEATURES = 10_000
MAX_CHAR_FEATURES = 10_000

MODEL_FILE_TYPES = frozenset(
    {
        "dashboard.features.DateParts",
        "dashboard.features.FiniteNumbers",
        "dashboard.features.MedianImputer",
        "dashboard.features.TextFeatures",
    }
)
"""Types this module adds to a saved pipeline, for the model file's allow-list."""

MODEL_DATE_FORMATS = (*DATE_FORMATS, "ISO8601")
"""The formats :func:`detect_dates` tries: the loader's (:data:`dashboard.rules.DATE_FORMATS`),
then ISO 8601."""

DATE_PARTS = ("year", "season", "weekday", "hour")
"""The parts a date can give, in output order; "year" is always given."""

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SAMPLE = 500


# ---------------------------------------------------------------------------------------------
# Numbers


def _as_numbers(column: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.astype("float64")
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.astype("float64")
    # Text such as "Infinity" or "1e309": numbers where they are numbers, the rest missing.
    return pd.to_numeric(column, errors="coerce").astype("float64")


def infinite_counts(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, int]:
    """How many infinite values each of ``columns`` holds, for the columns that hold some.

    ``inf``, ``-inf``, the text ``Infinity`` and numbers that overflow (``1e309``) all count:
    the values :class:`FiniteNumbers` makes missing. The frame is not copied.

    Parameters
    ----------
    frame : DataFrame
        The table.
    columns : sequence of str
        The numeric feature columns.

    Returns
    -------
    dict of str to int
        Infinite values per column, only for columns that had some.

    Examples
    --------
    >>> t = pd.DataFrame({"x": [1.0, float("inf"), -float("inf"), 2.0], "k": ["1e309"] * 4})
    >>> infinite_counts(t, ["x", "k"])
    {'x': 2, 'k': 4}
    """
    counts: dict[str, int] = {}
    for name in columns:
        column = frame[name]
        if column.dtype == np.float64:  # the values as they are, without a copy
            infinite = np.isinf(column.to_numpy())
        else:
            numbers = _as_numbers(column)
            infinite = np.isinf(numbers.to_numpy())
            if not pd.api.types.is_numeric_dtype(column.dtype):
                present = column.notna()
                infinite |= (present & numbers.isna()).to_numpy() & _says_infinity(column)
        n = int(np.count_nonzero(infinite))
        if n:
            counts[name] = n
    return counts


def _says_infinity(column: pd.Series) -> np.ndarray:
    text = column.astype("string").str.strip().str.lower()
    return text.isin(["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"]).to_numpy(
        dtype=bool, na_value=False
    )


def non_finite_warnings(counts: dict[str, int]) -> list[str]:
    """One sentence per column with infinite values, naming the column and the count.

    Examples
    --------
    >>> non_finite_warnings({"price": 3})
    ["Column 'price' holds 3 infinite or overflowing value(s) (such as inf or 1e309); they are treated as missing."]
    """
    return [
        f"Column '{name}' holds {n:,} infinite or overflowing value(s) (such as inf or 1e309); "
        "they are treated as missing."
        for name, n in counts.items()
        if n
    ]


class FiniteNumbers(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Numbers a scaler and lbfgs can take: infinities become NaN, huge magnitudes are clipped.

    Put it before the imputer, so infinite cells are imputed like missing ones. Values whose
    magnitude exceeds ``limit`` become ``+-limit`` (1e100 by default: their squares, summed
    over any realistic number of rows, stay finite). Subnormal numbers pass unchanged.

    Parameters
    ----------
    limit : float, default=1e100
        Largest magnitude kept.

    Examples
    --------
    >>> FiniteNumbers().fit_transform(np.array([[1.0], [np.inf], [1e300], [-1e-310]]))
    array([[ 1.e+000],
           [     nan],
           [ 1.e+100],
           [-1.e-310]])
    """

    def __init__(self, *, limit: float = FINITE_LIMIT):
        self.limit = limit

    def fit(self, X, y=None):
        if not (isinstance(self.limit, int | float) and 0 < self.limit < math.inf):
            raise ValueError(f"limit must be a positive finite number, got {self.limit!r}")
        validate_data(self, X, dtype=np.float64, ensure_all_finite=False)
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        if _numbers_only(X):
            # scikit-learn's check of a DataFrame holds several copies of it at once (on a
            # million rows x 12 columns, 350 MB for a 77 MB output): it checks the columns on
            # one row, pandas makes the one float64 copy.
            validate_data(self, X.iloc[:1], dtype=np.float64, ensure_all_finite=False, reset=False)
            X = X.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        else:
            # copy=True copies only when the conversion to float64 did not make a new array
            X = validate_data(
                self, X, dtype=np.float64, ensure_all_finite=False, reset=False, copy=True
            )
        X[np.isinf(X)] = np.nan
        np.clip(X, -self.limit, self.limit, out=X)
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def _numbers_only(X) -> bool:
    """Whether ``X`` is a DataFrame with rows and only real number or boolean columns."""
    return (
        isinstance(X, pd.DataFrame)
        and len(X) > 0
        and all(
            (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
            and not pd.api.types.is_complex_dtype(dtype)
            for dtype in X.dtypes
        )
    )


class MedianImputer(SimpleImputer):
    """``SimpleImputer(strategy="median")`` whose medians are selected, not sorted for.

    scikit-learn takes the median of a masked array, which sorts every column: about 0.25 s
    for 64,000 rows x 50 columns, paid once per fold of the C search. :func:`numpy.nanmedian`
    selects the middle values by partition (about 0.05 s) and gives the same numbers, to the
    last bit; columns with no value are handled as SimpleImputer handles them (dropped, or 0
    with ``keep_empty_features``). Any other strategy or missing-value marker is
    SimpleImputer's own code.

    Examples
    --------
    >>> MedianImputer(strategy="median").fit_transform(np.array([[1.0], [np.nan], [4.0], [10.0]]))
    array([[ 1.],
           [ 4.],
           [ 4.],
           [10.]])
    """

    def _dense_fit(self, X, strategy, missing_values, fill_value):
        if (
            strategy != "median"
            or not (isinstance(missing_values, float) and math.isnan(missing_values))
            or X.dtype.kind != "f"
        ):
            return super()._dense_fit(X, strategy, missing_values, fill_value)
        missing = np.isnan(X)
        self._fit_indicator(missing)
        empty = missing.all(axis=0)
        median = np.full(X.shape[1], 0.0 if self.keep_empty_features else np.nan, dtype=X.dtype)
        if not empty.any():
            median[:] = np.nanmedian(X, axis=0)
        elif not empty.all():
            median[~empty] = np.nanmedian(X[:, ~empty], axis=0)
        return median


# ---------------------------------------------------------------------------------------------
# Dates


@dataclass(frozen=True, kw_only=True, eq=False)
class DateDetection:
    """Whether a column holds dates, its parsed values and how many cells were malformed."""

    is_date: bool
    values: pd.Series
    format: str | None
    present: int
    malformed: int
    examples: tuple[str, ...] = field(default_factory=tuple)


_US = "datetime64[us]"  # microseconds: years 1 to 9999 and beyond, where nanoseconds overflow


def _present(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Positions of the non-empty cells and their stripped text (on a fresh 0..n-1 index)."""
    text = column.astype("string").str.strip()
    mask = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False)
    positions = np.flatnonzero(mask)
    return positions, pd.Series(text.to_numpy()[positions], dtype=object)


def _placed(column: pd.Series, positions: np.ndarray, parsed: pd.Series) -> pd.Series:
    """The parsed dates at their positions in ``column``, NaT elsewhere, on its index."""
    out = np.full(len(column), np.datetime64("NaT"), dtype=_US)
    out[positions] = parsed.to_numpy(dtype=_US)
    return pd.Series(out, index=column.index)


def _parse(text: pd.Series, fmt: str | None) -> pd.Series:
    """Text to naive datetime64 with one format; what does not fit becomes NaT."""
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        try:  # mixed time-zone offsets
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        except (ValueError, TypeError, OverflowError):
            return pd.Series(pd.NaT, index=text.index, dtype=_US)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def detect_dates(
    column: pd.Series,
    *,
    max_malformed_share: float = MAX_MALFORMED_SHARE,
    formats=MODEL_DATE_FORMATS,
) -> DateDetection:
    """Whether a text column holds dates, tolerating a few malformed cells.

    The format that parses most of a sample of the present cells wins (the first in
    ``formats`` on a tie); the column is a date column when at most ``max_malformed_share`` of
    its present cells fail to parse with it. Those cells become missing and are counted.

    Parameters
    ----------
    column : Series
        Text (or already datetime64) values; missing and empty cells are not malformed.
    max_malformed_share : float, default=0.05
        Largest share of present cells that may fail to parse.
    formats : sequence of str
        ``strptime`` formats to try, in order of preference.

    Returns
    -------
    DateDetection

    Examples
    --------
    >>> col = pd.Series(["2021-03-01", "2021-07-15", None, "31/02/2021?"] + ["2022-01-09"] * 17)
    >>> d = detect_dates(col)
    >>> d.is_date, d.format, d.present, d.malformed, d.examples
    (True, '%Y-%m-%d', 20, 1, ('31/02/2021?',))
    >>> detect_dates(pd.Series(["red", "blue"])).is_date
    False
    """
    if not 0 <= max_malformed_share < 1:
        raise ValueError(f"max_malformed_share must be in [0, 1), got {max_malformed_share!r}")
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        values = column.dt.tz_localize(None) if column.dt.tz is not None else column
        return DateDetection(
            is_date=True, values=values, format=None, present=int(values.notna().sum()), malformed=0
        )
    empty = pd.Series(pd.NaT, index=column.index, dtype=_US)
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return DateDetection(is_date=False, values=empty, format=None, present=0, malformed=0)
    positions, text = _present(column)
    if text.empty:
        return DateDetection(is_date=False, values=empty, format=None, present=0, malformed=0)
    sample = text.iloc[:_SAMPLE]
    # Each distinct value is parsed once, weighed by how often it occurs: the same counts, and
    # a table of many category columns (2,000 columns of 50 codes) profiles several times faster.
    distinct = sample.value_counts(sort=False)
    values = pd.Series(distinct.index.to_numpy(), dtype=sample.dtype)
    weights = distinct.to_numpy()
    best, best_count = None, 0
    for fmt in formats:
        count = int(weights[_parse(values, fmt).notna().to_numpy()].sum())
        if count > best_count:
            best, best_count = fmt, count
        if count == len(sample):
            break
    if best is None:
        return DateDetection(
            is_date=False, values=empty, format=None, present=len(text), malformed=len(text)
        )
    parsed = _parse(text, best)
    bad = parsed.isna()
    malformed = int(bad.sum())
    values = _placed(column, positions, parsed)
    return DateDetection(
        is_date=malformed <= max_malformed_share * len(text),
        values=values,
        format=best,
        present=len(text),
        malformed=malformed,
        examples=tuple(text[bad].unique()[:3].tolist()),
    )


def _date_values(column: pd.Series, fmt: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        column = column.dt.tz_localize(None) if column.dt.tz is not None else column
        return column.astype(_US)
    positions, text = _present(column)
    if fmt is None and not text.empty:
        fmt = detect_dates(column).format
    if text.empty or fmt is None:
        return pd.Series(pd.NaT, index=column.index, dtype=_US)
    return _placed(column, positions, _parse(text, fmt))


class _DateNumbers:
    """The numbers a column of dates gives, each made when first asked for (NaN where the date
    is missing) and kept for the parts that share it: on a million rows, one part's arrays at a
    time rather than every part's at once (about 80 MB)."""

    def __init__(self, values: pd.Series):
        self._dt = values.dt
        self._kept: dict[str, np.ndarray] = {}

    def _numbers(self, name: str) -> np.ndarray:
        return getattr(self._dt, name).to_numpy(dtype=float, na_value=np.nan)

    def _shared(self, name: str, make) -> np.ndarray:
        if name not in self._kept:
            self._kept[name] = make()
        return self._kept[name]

    @property
    def clock(self) -> np.ndarray:
        """The time of day in hours."""
        return self._shared(
            "clock",
            lambda: (
                self._numbers("hour")
                + self._numbers("minute") / 60
                + self._numbers("second") / 3600
            ),
        )

    @property
    def days_in_year(self) -> np.ndarray:
        return self._shared(
            "days_in_year",
            lambda: np.where(
                self._dt.is_leap_year.to_numpy(dtype=bool, na_value=False), 366.0, 365.0
            ),
        )

    @property
    def day(self) -> np.ndarray:
        """The day of the year from 0, with its fraction."""
        return self._shared("day", lambda: self._numbers("day_of_year") - 1 + self.clock / 24)

    @property
    def weekday(self) -> np.ndarray:
        return self._shared("weekday", lambda: self._numbers("day_of_week"))

    def year(self) -> np.ndarray:
        """The year with its fraction (2020.5 is early July 2020)."""
        return self._numbers("year") + self.day / self.days_in_year

    def season(self) -> np.ndarray:
        """The day of the year as an angle."""
        return 2 * np.pi * self.day / self.days_in_year

    def hour(self) -> np.ndarray:
        """The time of day as an angle."""
        return 2 * np.pi * self.clock / 24


def _varies(values: np.ndarray) -> bool:
    present = values[~np.isnan(values)]
    return present.size > 0 and bool(np.ptp(present) > 0)


class DateParts(TransformerMixin, BaseEstimator):
    """Date or date-time columns as numbers a linear model can use.

    Per column: the year with its fraction (2020.5 is early July 2020), always; the season
    as sine and cosine of the day of the year, when the day of the year varies; one indicator
    per weekday seen, when the weekday varies; the time of day as sine and cosine, when it
    varies. ``fit`` learns which parts vary and, for text columns, the date format. A missing
    or unreadable date gives missing parts (impute them later in the pipeline).

    Examples
    --------
    >>> X = pd.DataFrame({"day": ["2020-01-01", "2020-07-02", None, "2021-01-01"]})
    >>> dp = DateParts().fit(X)
    >>> list(dp.get_feature_names_out())
    ['day_year', 'day_season_sin', 'day_season_cos', 'day_weekday_Wed', 'day_weekday_Thu', 'day_weekday_Fri']
    >>> dp.transform(X)[:, :3].round(3).tolist()
    [[2020.0, 0.0, 1.0], [2020.5, 0.0, -1.0], [nan, nan, nan], [2021.0, 0.0, 1.0]]
    """

    def fit(self, X, y=None):
        columns = self._columns(X, reset=True)
        self.formats_ = []
        self.parts_ = []
        self.weekdays_ = []
        for column in columns:
            detection = detect_dates(column, max_malformed_share=1 - 1e-9)
            self.formats_.append(detection.format)
            numbers = _DateNumbers(detection.values)
            parts = ["year"]
            if _varies(numbers.day):
                parts.append("season")
            weekdays = np.unique(numbers.weekday[~np.isnan(numbers.weekday)]).astype(int)
            if len(weekdays) > 1:
                parts.append("weekday")
            if _varies(numbers.clock):
                parts.append("hour")
            del numbers
            self.parts_.append(tuple(parts))
            self.weekdays_.append(tuple(int(w) for w in weekdays) if "weekday" in parts else ())
        return self

    def transform(self, X):
        check_is_fitted(self, "parts_")
        columns = self._columns(X, reset=False)
        # Written column by column into the output (no list of columns stacked at the end:
        # on a million rows that list is as large as the output).
        out = np.empty((len(columns[0]), len(self.get_feature_names_out())))
        at = 0
        for column, fmt, parts, weekdays in zip(
            columns, self.formats_, self.parts_, self.weekdays_, strict=True
        ):
            numbers = _DateNumbers(_date_values(column, fmt))
            for part in parts:
                if part == "weekday":
                    missing = np.isnan(numbers.weekday)
                    for w in weekdays:
                        out[:, at] = numbers.weekday == w
                        out[missing, at] = np.nan
                        at += 1
                elif part == "year":
                    out[:, at] = numbers.year()
                    at += 1
                else:  # season, hour: the angle's sine and cosine
                    angle = getattr(numbers, part)()
                    out[:, at] = np.sin(angle)
                    out[:, at + 1] = np.cos(angle)
                    at += 2
                    del angle
            del numbers
        return out

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "parts_")
        names = []
        for col, parts, weekdays in zip(
            self._names(input_features), self.parts_, self.weekdays_, strict=True
        ):
            for part in parts:
                if part == "year":
                    names.append(f"{col}_year")
                elif part == "weekday":
                    names.extend(f"{col}_weekday_{_WEEKDAYS[w]}" for w in weekdays)
                else:
                    names.extend([f"{col}_{part}_sin", f"{col}_{part}_cos"])
        return np.asarray(names, dtype=object)

    def _names(self, input_features):
        if input_features is not None:
            return [str(c) for c in input_features]
        if hasattr(self, "feature_names_in_"):
            return [str(c) for c in self.feature_names_in_]
        return [f"x{i}" for i in range(self.n_features_in_)]

    def _columns(self, X, *, reset: bool) -> list[pd.Series]:
        return _columns_of(self, X, reset=reset)


def _columns_of(est, X, *, reset: bool) -> list[pd.Series]:
    """The columns of a DataFrame or 2-D array as Series; records/checks the input's width."""
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        array = np.asarray(X, dtype=object)
        if array.ndim != 2:
            raise ValueError(f"Expected a 2-D input, got an array of shape {array.shape}")
        frame = pd.DataFrame(array)
    if reset:
        est.n_features_in_ = frame.shape[1]
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in frame.columns):
            est.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        elif hasattr(est, "feature_names_in_"):
            del est.feature_names_in_
    elif frame.shape[1] != est.n_features_in_:
        raise ValueError(
            f"X has {frame.shape[1]} features, but {type(est).__name__} is expecting "
            f"{est.n_features_in_} features as input."
        )
    return [frame.iloc[:, i] for i in range(frame.shape[1])]


def date_parts_of(column: pd.Series) -> tuple[str, ...]:
    """The parts a date column gives the model (what :class:`DateParts` learns), for the profile.

    Examples
    --------
    >>> date_parts_of(pd.Series(["2020-01-06", "2021-01-06", "2022-01-06"]))
    ('year', 'weekday')
    >>> date_parts_sentence(date_parts_of(pd.Series(["2020-01-06", "2020-03-06 10:30"])))
    'the year as a number, the season (sine and cosine of the day of the year), the weekday, the time of day (sine and cosine)'
    """
    return DateParts().fit(column.to_frame(name="date")).parts_[0]


def date_parts_sentence(parts: Sequence[str]) -> str:
    """What a date column turns into, in words, for the profile.

    Examples
    --------
    >>> date_parts_sentence(("year", "season", "weekday"))
    'the year as a number, the season (sine and cosine of the day of the year), the weekday'
    """
    words = {
        "year": "the year as a number",
        "season": "the season (sine and cosine of the day of the year)",
        "weekday": "the weekday",
        "hour": "the time of day (sine and cosine)",
    }
    return ", ".join(words[p] for p in parts)


# ---------------------------------------------------------------------------------------------
# Text


@dataclass(frozen=True)
class TextTerm:
    """One text input of the model: a word (or two) or a run of characters from one column."""

    column: str
    kind: str  # "words" or "characters"
    term: str

    def __str__(self) -> str:
        if self.kind == "words":
            return f"{self.column}: '{self.term}'"
        # Character runs are padded with a space at a word's edge: "…" marks a cut-off word.
        start = "" if self.term.startswith(" ") else "…"
        end = "" if self.term.endswith(" ") else "…"
        return f"{self.column}: '{start}{self.term.strip()}{end}' (characters)"


class TextFeatures(TransformerMixin, BaseEstimator):
    """Free-text columns as word and character n-gram TF-IDF, sparse, with a capped vocabulary.

    Per column, two ``TfidfVectorizer`` with ``sublinear_tf``: words and word pairs seen in at
    least two rows, and runs of 2 to 5 characters within words (which survive typos and word
    endings), each keeping its
    ``max_*_features`` most frequent terms and each row scaled to unit length. Missing text is
    the empty text.

    Parameters
    ----------
    max_word_features, max_char_features : int, default=10000
        The vocabulary caps per column; 0 leaves that kind out.

    Examples
    --------
    >>> X = pd.DataFrame({"review": ["great value", "broke fast", None, "great value, fast"]})
    >>> tf = TextFeatures(max_char_features=0).fit(X)
    >>> [str(t) for t in tf.terms()]
    ["review: 'fast'", "review: 'great'", "review: 'great value'", "review: 'value'"]
    >>> tf.transform(X).shape
    (4, 4)
    """

    def __init__(
        self,
        *,
        max_word_features: int = MAX_WORD_FEATURES,
        max_char_features: int = MAX_CHAR_FEATURES,
    ):
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features

    def _vectorizers(self) -> list[tuple[str, TfidfVectorizer]]:
        out = []
        common = {"sublinear_tf": True, "strip_accents": "unicode", "dtype": np.float64}
        if self.max_word_features:
            out.append(
                (
                    "words",
                    TfidfVectorizer(
                        analyzer="word", ngram_range=(1, 2), min_df=2, max_features=self.max_word_features,
                        **common,
                    ),
                )
            )  # fmt: skip
        if self.max_char_features:
            out.append(
                (
                    "characters",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(2, 5),
                        max_features=self.max_char_features, **common,
                    ),
                )
            )  # fmt: skip
        return out

    def fit(self, X, y=None):
        for name in ("max_word_features", "max_char_features"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        if not (self.max_word_features or self.max_char_features):
            raise ValueError("max_word_features and max_char_features cannot both be 0")
        columns = _columns_of(self, X, reset=True)
        self.vectorizers_ = []
        for column in columns:
            fitted = []
            documents = _documents(column)
            for kind, vec in self._vectorizers():
                try:
                    vec.fit(documents)
                except ValueError:  # no term at all in this column (empty vocabulary)
                    vec = None
                fitted.append((kind, vec))
            self.vectorizers_.append(fitted)
        return self

    def transform(self, X):
        check_is_fitted(self, "vectorizers_")
        columns = _columns_of(self, X, reset=False)
        blocks = []
        for column, fitted in zip(columns, self.vectorizers_, strict=True):
            documents = _documents(column)
            for _, vec in fitted:
                if vec is not None:
                    blocks.append(vec.transform(documents))
        if not blocks:
            return sp.csr_matrix((len(columns[0]) if columns else 0, 0))
        return sp.hstack(blocks, format="csr")

    def terms(self, input_features=None) -> list[TextTerm]:
        """The terms behind the output columns, in order."""
        check_is_fitted(self, "vectorizers_")
        names = _input_names(self, input_features)
        out = []
        for col, fitted in zip(names, self.vectorizers_, strict=True):
            for kind, vec in fitted:
                if vec is not None:
                    out.extend(TextTerm(col, kind, str(t)) for t in vec.get_feature_names_out())
        return out

    def get_feature_names_out(self, input_features=None):
        """The terms as readers see them: ``review: 'great'``, ``review: 'gre…' (characters)``."""
        return np.asarray([str(t) for t in self.terms(input_features)], dtype=object)

    # A fitted vocabulary is a dict of numpy integers, which skops stores one file per term (a
    # model file allows 2,000). The state keeps each vocabulary as two arrays instead: its terms
    # in column order and their idf weights; loading rebuilds the vectorizers from them.
    def __getstate__(self):
        state = super().__getstate__()
        if "vectorizers_" in state:
            state = dict(state)
            state["vectorizers_"] = [
                [
                    (kind, None, None)
                    if vec is None
                    else (kind, np.asarray(vec.get_feature_names_out(), dtype=str), vec.idf_)
                    for kind, vec in fitted
                ]
                for fitted in state["vectorizers_"]
            ]
        return state

    def __setstate__(self, state):
        state = dict(state)
        compact = state.pop("vectorizers_", None)
        super().__setstate__(state)
        if compact is not None:
            self.vectorizers_ = [
                [(kind, _rebuilt(self, kind, terms, idf)) for kind, terms, idf in fitted]
                for fitted in compact
            ]


def _rebuilt(est: TextFeatures, kind: str, terms, idf) -> TfidfVectorizer | None:
    """A fitted vectorizer from its terms and idf weights (what ``__getstate__`` keeps)."""
    if terms is None:
        return None
    vec = dict(est._vectorizers())[kind]
    vec.vocabulary_ = {str(term): i for i, term in enumerate(terms)}
    vec.idf_ = np.asarray(idf, dtype=np.float64)
    return vec


def _input_names(est, input_features) -> list[str]:
    if input_features is not None:
        return [str(c) for c in input_features]
    if hasattr(est, "feature_names_in_"):
        return [str(c) for c in est.feature_names_in_]
    return [f"x{i}" for i in range(est.n_features_in_)]


def _documents(column: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else str(v) for v in column.tolist()]


def strongest_terms(
    contributions: np.ndarray, names: Sequence, *, top: int = 5
) -> list[tuple[str, float]]:
    """The ``top`` inputs with the largest positive contribution, largest first, as (name, value).

    For explain-a-row: ``contributions`` is one class's coefficients times the row's inputs
    (for text, only the terms present in the row are non-zero); zero contributions are left out.

    Examples
    --------
    >>> strongest_terms(np.array([0.0, 0.5, -1.0, 2.0]), ["a", "b", "c", "d"], top=2)
    [('d', 2.0), ('b', 0.5)]
    """
    values = np.asarray(contributions, dtype=float).ravel()
    if len(values) != len(names):
        raise ValueError(f"{len(values)} contributions for {len(names)} names")
    order = np.argsort(-values, kind="stable")
    return [(str(names[i]), float(values[i])) for i in order[:top] if values[i] > 0]


def text_sentence(*, max_word_features: int = MAX_WORD_FEATURES,
                  max_char_features: int = MAX_CHAR_FEATURES) -> str:  # fmt: skip
    """What a free-text column turns into, in words, for the profile.

    Examples
    --------
    >>> text_sentence(max_word_features=100, max_char_features=50)
    'TF-IDF weights of its words and word pairs (at most 100) and of runs of 2 to 5 characters (at most 50)'
    """
    return (
        f"TF-IDF weights of its words and word pairs (at most {max_word_features:,}) and of runs "
        f"of 2 to 5 characters (at most {max_char_features:,})"
    )


# ---------------------------------------------------------------------------------------------
# The preprocessing step and the count of model inputs


def preprocessor(
    *,
    numeric: Sequence[str] = (),
    categorical: Sequence[str] = (),
    dates: Sequence[str] = (),
    text: Sequence[str] = (),
    max_categories: int | None = 50,
    max_word_features: int = MAX_WORD_FEATURES,
    max_char_features: int = MAX_CHAR_FEATURES,
) -> ColumnTransformer:
    """The preprocessing step of the model: one branch per kind of column.

    Branch names ``numeric``, ``categorical``, ``dates`` and ``text``, each a Pipeline; a branch
    is present only when it has columns. Output is sparse when text makes it mostly zeros.

    Examples
    --------
    >>> pre = preprocessor(numeric=["age"], dates=["day"])
    >>> [name for name, _, _ in pre.transformers]
    ['numeric', 'dates']
    """
    branches = []
    if numeric:
        branches.append(
            ("numeric", make_pipeline(FiniteNumbers(), MedianImputer(strategy="median"),
                                      StandardScaler()), list(numeric))
        )  # fmt: skip
    if categorical:
        # Sparse: a wide categorical table (2,000 columns of 50 values) is mostly zeros, which
        # dense takes gigabytes to hold; the ColumnTransformer hands a dense matrix on when the
        # whole output is at least 30 % filled (sparse_threshold), as small tables are.
        encoder = OneHotEncoder(
            handle_unknown="ignore", max_categories=max_categories, sparse_output=True
        )
        branches.append(
            ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"), encoder),
             list(categorical))
        )  # fmt: skip
    if dates:
        branches.append(
            ("dates", make_pipeline(DateParts(), MedianImputer(strategy="median",
             keep_empty_features=True), StandardScaler()), list(dates))
        )  # fmt: skip
    if text:
        branches.append(
            ("text", make_pipeline(TextFeatures(max_word_features=max_word_features,
             max_char_features=max_char_features)), list(text))
        )  # fmt: skip
    return ColumnTransformer(branches, remainder="drop", sparse_threshold=SPARSE_THRESHOLD)


@dataclass(frozen=True, kw_only=True)
class ModelInputCount:
    """How many inputs the model will have after encoding, per column and in all.

    ``exact`` is False when a text column's count is its vocabulary cap (an upper bound).
    """

    per_column: dict[str, int]
    exact: bool

    @property
    def total(self) -> int:
        return sum(self.per_column.values())


def count_model_inputs(
    table: pd.DataFrame,
    *,
    numeric: Sequence[str] = (),
    categorical: Sequence[str] = (),
    dates: Sequence[str] = (),
    text: Sequence[str] = (),
    max_categories: int = 50,
    max_word_features: int = MAX_WORD_FEATURES,
    max_char_features: int = MAX_CHAR_FEATURES,
) -> ModelInputCount:
    """The number of model inputs :func:`preprocessor` makes from ``table``, before fitting.

    Numbers give one input each; a categorical column one per value, at most
    ``max_categories``; a date column its varying parts (see :class:`DateParts`); a text
    column at most its two vocabulary caps (an upper bound, not fitted).

    Examples
    --------
    >>> t = pd.DataFrame({"x": [1, 2, 3], "c": ["a", "b", "a"],
    ...                   "d": ["2020-01-01", "2020-06-01", "2021-01-01"]})
    >>> count = count_model_inputs(t, numeric=["x"], categorical=["c"], dates=["d"])
    >>> count.per_column, count.total
    ({'x': 1, 'c': 2, 'd': 6}, 9)
    """
    per_column: dict[str, int] = {}
    for name in numeric:
        per_column[name] = 1
    for name in categorical:
        per_column[name] = max(1, min(int(table[name].nunique(dropna=True)), max_categories))
    if dates:
        fitted = DateParts().fit(table[list(dates)])
        for name, parts, weekdays in zip(dates, fitted.parts_, fitted.weekdays_, strict=True):
            per_column[name] = sum(
                len(weekdays) if p == "weekday" else 1 if p == "year" else 2 for p in parts
            )
    for name in text:
        per_column[name] = max_word_features + max_char_features
    return ModelInputCount(per_column=per_column, exact=not text)
