"""What each column of a table is, and whether it can be a feature or the target, with the reason why not.

Kinds, decided in this order:

``empty``        no values at all;
``constant``     one value on every row;
``datetime``     dates and times, typed by the loader or text that
                 :func:`dashboard.features.detect_dates` reads as dates (a few malformed cells
                 are read as missing and counted); they become the date's parts;
``boolean``      yes/no values, or numbers that are only 0 and 1;
``id``           a different value on (almost) every row that looks like a code or a counter:
                 an integer sequence, a column named like an identifier, short tokens with
                 digits, same-length codes or uuids;
``text``         free text: values of words that rarely repeat (a job title with thousands of
                 different values is free text, not an identifier);
``numeric``      other numbers;
``categorical``  other text, a value from a small set.

Numeric and boolean columns go to the model's numeric branch, categorical ones are one-hot
encoded, dates become their parts (year, season, weekday, time of day) and free text its word
and character TF-IDF (:mod:`dashboard.features`); ``ColumnProfile.turns_into`` says so in words.
Free text is a default feature only when no other column can be one (otherwise one click away
on Train: :meth:`TableProfile.optional_text_features`); ids, constants and empty columns are
left out with their reason.
A target must have between 2 and ``limits.max_classes`` classes.

:func:`distributions` draws each column's small distribution for the Data page (a histogram,
the top values, or counts over time) from a sample of rows, once per table; ``KIND_WORDS``
names the kinds in plain words.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from dashboard.features import date_parts_of, date_parts_sentence, detect_dates, text_sentence
from dashboard.limits import LIMITS, Limits
from dashboard.rules import DATE_HINT
from dashboard.words import plural

__all__ = [
    "KINDS",
    "KIND_WORDS",
    "PLAIN_HEADERS",
    "ColumnProfile",
    "Distribution",
    "TableProfile",
    "distributions",
    "plain_table",
    "profile",
]

KINDS = ("numeric", "categorical", "boolean", "datetime", "text", "id", "constant", "empty")

KIND_WORDS = {
    "numeric": "number",
    "categorical": "category",
    "boolean": "yes/no",
    "datetime": "date",
    "text": "free text",
    "id": "identifier",
    "constant": "one value only",
    "empty": "empty",
}

FEATURE_KINDS = frozenset({"numeric", "categorical", "boolean", "datetime", "text"})

_TARGET_NAMES = (
    "target",
    "class",
    "label",
    "labels",
    "species",
    "y",
    "outcome",
    "diagnosis",
    "variety",
    "category",
    "classification",
    "survived",
    "churn",
    "response",
    "grade",
    "quality",
    "type",
)
_ID_NAME = re.compile(
    r"(?i)^(?:id|ids|identifier|index|idx|key|uuid|guid|row|rownum|rowid|record|unnamed: ?0"
    r"|.*[ _-]id|.*[a-z]Id|.*[ _-](?:key|uuid|guid|number|no|nr))$"
)
_EXAMPLES = 3


@dataclass(frozen=True, kw_only=True)
class ColumnProfile:
    """One column: its kind, counts, and whether it can be a feature or the target."""

    name: str
    kind: str
    dtype: str
    missing: int
    unique: int
    can_be_feature: bool
    feature_reason: str
    can_be_target: bool
    target_reason: str
    examples: str
    turns_into: str = ""
    """What the column becomes as model input, in words ("" when it cannot be a feature)."""


@dataclass(frozen=True, kw_only=True)
class TableProfile:
    """Every column's profile, in the table's order.

    Examples
    --------
    >>> frame = pd.DataFrame({"petal": [1.0, 2.5, 0.3, 4.1], "colour": ["red", "blue", "red", "blue"],
    ...                       "species": ["a", "b", "a", "b"]})
    >>> p = profile(frame)
    >>> p["colour"].kind, p.likeliest_target(), p.default_features("species")
    ('categorical', 'species', ['petal', 'colour'])
    """

    rows: int
    columns: tuple[ColumnProfile, ...]

    def __getitem__(self, name: str) -> ColumnProfile:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(column.name == name for column in self.columns)

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [column.name for column in self.columns]

    def target_candidates(self) -> list[str]:
        """Columns that can be the target, in the table's order."""
        return [column.name for column in self.columns if column.can_be_target]

    def likeliest_target(self) -> str | None:
        """The column most likely meant as the target, or None when no column can be one.

        A candidate named like a target (``target``, ``class``, ``label``, ``species``,
        ``y``, ...) wins, in the order of that list; else the last categorical or boolean
        candidate; else the last candidate.
        """
        candidates = [c for c in self.columns if c.can_be_target]
        if not candidates:
            return None
        by_name = {_normal(c.name): c.name for c in candidates}
        for wanted in _TARGET_NAMES:
            if wanted in by_name:
                return by_name[wanted]
        for column in candidates:
            normal = _normal(column.name)
            if normal.endswith(("_class", "_label", "_target")) or normal.startswith("target_"):
                return column.name
        labelled = [c.name for c in candidates if c.kind in ("categorical", "boolean")]
        return labelled[-1] if labelled else candidates[-1].name

    def default_features(self, target: str) -> list[str]:
        """Every column that can be a feature, except the target and free text.

        Free-text columns are the default only when no other column can be a feature (a table
        of reviews and their score); otherwise they are :meth:`optional_text_features`.
        """
        usable = [c for c in self.columns if c.can_be_feature and c.name != target]
        plain = [c.name for c in usable if c.kind != "text"]
        return plain or [c.name for c in usable if c.kind == "text"]

    def optional_text_features(self, target: str) -> list[str]:
        """Free-text columns that can be features but are not among the default ones."""
        default = set(self.default_features(target))
        return [
            c.name
            for c in self.columns
            if c.can_be_feature and c.kind == "text" and c.name != target and c.name not in default
        ]

    def excluded(self, target: str) -> list[tuple[str, str]]:
        """Columns left out of the default features, with the reason (the target excepted)."""
        return [
            (c.name, c.feature_reason)
            for c in self.columns
            if not c.can_be_feature and c.name != target
        ]

    def as_records(self) -> list[dict]:
        """One plain dict per column (the ColumnProfile fields), for a table or JSON."""
        return [asdict(column) for column in self.columns]


THREADED_PROFILE_CELLS = 500_000
"""From this many cells on, two columns are profiled at once (on 100,000 rows x 51 columns of
numbers: 0.12 s instead of 0.20 s on 2 cores)."""


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def profile(table: pd.DataFrame, *, limits: Limits = LIMITS) -> TableProfile:
    """Profile every column of a loaded table.

    Parameters
    ----------
    table : pandas.DataFrame
        A table as ``dashboard.data.load_csv`` returns it (typed columns, unique names).
    limits : Limits
        ``limits.max_classes`` caps the number of classes a target may have.

    Returns
    -------
    TableProfile

    Examples
    --------
    >>> frame = pd.DataFrame({"id": range(30), "size": [1.5] * 29 + [2.0],
    ...                       "when": pd.date_range("2024-01-01", periods=30)})
    >>> [(c.name, c.kind, c.feature_reason[:24]) for c in profile(frame).columns]
    [('id', 'id', 'it looks like an identif'), ('size', 'numeric', ''), ('when', 'datetime', '')]
    >>> profile(frame)["when"].turns_into
    'the year as a number, the season (sine and cosine of the day of the year), the weekday'

    """
    series = [table.iloc[:, j] for j in range(table.shape[1])]

    def one(column: pd.Series) -> ColumnProfile:
        return _profile_column(str(column.name), column, limits=limits)

    if table.size < THREADED_PROFILE_CELLS or len(series) < 2:
        return TableProfile(rows=len(table), columns=tuple(map(one, series)))
    # Counting distinct values (pandas' hash tables) runs without the GIL: two columns at once.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="softmax-lab-profile") as pool:
        return TableProfile(rows=len(table), columns=tuple(pool.map(one, series)))


def _examples(present: pd.Series) -> str:
    values = []
    for value in present.iloc[:1000].drop_duplicates().iloc[:_EXAMPLES]:
        text = str(
            value.date()
            if isinstance(value, pd.Timestamp) and value == value.normalize()
            else value
        )
        values.append(text if len(text) <= 24 else text[:23] + "\u2026")
    return ", ".join(values)


def _whole_numbers(present: pd.Series) -> bool:
    """Whether every value is a whole number (``x % 1 == 0``), the first few checked first.

    Examples
    --------
    >>> _whole_numbers(pd.Series([1.0, 2.0, -3.0])), _whole_numbers(pd.Series([1.0, 2.5]))
    (True, False)
    """
    values = np.asarray(present.to_numpy(dtype=float, na_value=np.nan))
    for part in (values[:256], values):  # a measurement shows decimals within its first rows
        if not bool((np.isfinite(part) & (np.floor(part) == part)).all()):
            return False
    return True


def _profile_column(name: str, column: pd.Series, *, limits: Limits) -> ColumnProfile:
    present = column.dropna()
    n = len(present)
    missing = len(column) - n
    unique = int(present.nunique()) if n else 0
    kind = _kind(name, column, present, unique)
    malformed = 0
    if kind in ("text", "id", "categorical") and _may_be_dates(present):
        found = detect_dates(column)
        if found.is_date:
            kind, malformed = "datetime", found.malformed
    feature_reason = _FEATURE_REASONS.get(kind, "")
    target_reason = _target_reason(kind, present, unique, limits)
    return ColumnProfile(
        name=name,
        kind=kind,
        dtype=str(column.dtype),
        missing=int(missing),
        unique=unique,
        can_be_feature=not feature_reason,
        feature_reason=feature_reason,
        can_be_target=not target_reason,
        target_reason=target_reason,
        examples=_examples(present),
        turns_into=_turns_into(kind, column, malformed) if not feature_reason else "",
    )


def _may_be_dates(present: pd.Series) -> bool:
    """A cheap look first (detecting dates tries many formats): most dates hold digits, are 6 to
    40 characters long, look like dates to the loader's hint, and the first few already read as
    dates."""
    if not len(present):
        return False
    text = present.iloc[:200].astype("str")
    lengths = text.str.len()
    if not (
        text.str.contains(r"\d", regex=True).mean() >= 0.9
        and lengths.median() >= 6
        and lengths.max() <= 40
        and text.str.contains(DATE_HINT, regex=True).mean() >= 0.5
    ):
        return False
    return detect_dates(text.iloc[:30], max_malformed_share=0.5).is_date


def _turns_into(kind: str, column: pd.Series, malformed: int) -> str:
    """What the column becomes as model input, in words."""
    if kind in ("numeric", "boolean"):
        return "a number, missing values filled in with the median, then standardised"
    if kind == "categorical":
        return "one 0/1 input per value (the most frequent ones), missing values as the commonest"
    if kind == "datetime":
        words = date_parts_sentence(date_parts_of(column))
        if malformed:
            words += f"; {plural(malformed, 'malformed cell')} read as missing"
        return words
    if kind == "text":
        return (
            text_sentence()
            + "; used when ticked on Train (by default if no other column is usable)"
        )
    return ""


def _kind(name: str, column: pd.Series, present: pd.Series, unique: int) -> str:
    n = len(present)
    if n == 0:
        return "empty"
    if unique == 1:
        return "constant"
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        if unique == 2 and set(present.unique().tolist()) <= {0, 1}:
            return "boolean"
        integer = pd.api.types.is_integer_dtype(dtype) or _whole_numbers(present)
        if integer and unique == n and n >= 10:
            if _ID_NAME.match(name.strip()):
                return "id"
            ordered = present.sort_values(kind="stable").to_numpy()
            if (ordered[1:] - ordered[:-1] == 1).all():
                return "id"  # 1, 2, 3, ... a row number
        if integer and _ID_NAME.match(name.strip()) and unique >= 0.95 * n and n >= 10:
            return "id"
        return "numeric"
    text = present.astype("str")
    if len(text) > 5000:
        text = text.sample(5000, random_state=0)
    lengths = text.str.len()
    words = text.str.count(r"\s+") + 1
    ratio = unique / n
    if (lengths.mean() > 40 or words.mean() >= 4) and ratio > 0.3:
        return "text"
    codes = _looks_like_codes(text, lengths)
    named = bool(_ID_NAME.match(name.strip()))
    if n >= 10 and ratio >= 0.95 and (codes or named):
        return "id"
    if ratio > 0.5 and unique > 50:
        # Many different values: codes (C0001, 7f3a-...) identify rows; words are free text.
        return "id" if codes else "text"
    if n >= 10 and unique == n:
        return "text" if (words > 1).mean() > 0.5 else "id"
    return "categorical"


_UUID = re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")


def _looks_like_codes(text: pd.Series, lengths: pd.Series) -> bool:
    """Whether short text values look like codes or counters rather than words.

    Codes have no spaces and either carry digits (``C0042``, ``AB-123``), all have the same
    length (``XKQZ``, ``a1b2``), or are uuids.
    """
    if text.str.contains(r"\s", regex=True).mean() > 0.05:
        return False
    if text.str.contains(r"\d", regex=True).mean() >= 0.5:
        return True
    if lengths.nunique() == 1:
        return True
    return bool(text.str.match(_UUID).mean() >= 0.95)


_FEATURE_REASONS = {
    "empty": "it has no values",
    "constant": "it has the same value on every row, so it cannot tell classes apart",
    "id": "it looks like an identifier (a different value on almost every row), "
    "which tells the model nothing that carries over to new rows",
}


def _target_reason(kind: str, present: pd.Series, unique: int, limits: Limits) -> str:
    if kind == "empty":
        return "it has no values"
    if kind == "constant":
        return "it has only one value; a target needs at least 2 classes"
    if kind == "datetime":
        return "dates are not classes"
    if kind == "text":
        return "it is free text, not a set of classes"
    if kind == "id":
        return "it has a different value on almost every row, so it is not a set of classes"
    if unique > limits.max_classes:
        if kind == "numeric":
            return (
                f"it has {unique:,} different numbers, so it looks like a measurement, not a "
                "class; group the values into a few ranges first to predict it"
            )
        return f"it has {unique:,} different values, more than the limit of {limits.max_classes} classes"
    if kind == "numeric" and unique > max(2, len(present) // 5):
        return (
            f"it has {unique:,} different numbers for {len(present):,} rows, so it looks like a "
            "measurement, not a class; group the values into a few ranges first to predict it"
        )
    if kind == "numeric" and not _whole_numbers(present):
        return (
            "it holds numbers with decimals, so it looks like a measurement, not a class; "
            "group the values into a few ranges first to predict it"
        )
    return ""


# ---------------------------------------------------------------------------------------------
# Distributions


@dataclass(frozen=True, kw_only=True)
class Distribution:
    """One column's small distribution: bar heights, what each bar is, and a one-line summary.

    ``shape`` is ``"histogram"`` (numbers: equal-width bins), ``"top"`` (the most frequent
    values, most frequent first), ``"timeline"`` (dates: equal spans of time) or ``"none"``.
    ``labels[i]`` says what ``counts[i]`` counts; ``rows`` is how many rows were looked at.
    """

    shape: str
    counts: tuple[int, ...]
    labels: tuple[str, ...]
    summary: str
    rows: int


_NONE = "none"


def distributions(
    table: pd.DataFrame,
    table_profile: TableProfile,
    *,
    sample_rows: int = 20_000,
    bins: int = 12,
    top: int = 6,
    random_state: int = 0,
) -> dict[str, Distribution]:
    """Each column's distribution, from one sample of at most ``sample_rows`` rows.

    Numbers get a histogram of ``bins`` equal-width bins, categories and yes/no columns their
    ``top`` most frequent values, dates counts over ``bins`` equal spans of time, free text a
    histogram of its length in words; identifiers, empty and one-value columns get none.
    The work per column is bounded by the sample, so a wide, long table stays fast.

    Parameters
    ----------
    table : pandas.DataFrame
        The loaded table.
    table_profile : TableProfile
        ``profile(table)``: the kind of each column.
    sample_rows : int
        At most this many rows are looked at (a random sample, the same for every column).
    bins : int
        The number of bars of a histogram or a timeline.
    top : int
        The number of most frequent values shown for a category.
    random_state : int
        The seed of the row sample.

    Returns
    -------
    dict
        Column name -> :class:`Distribution`.

    Examples
    --------
    >>> frame = pd.DataFrame({"size": [1.0, 2.0, 2.5, 4.0], "colour": ["red", "blue", "red", "red"]})
    >>> found = distributions(frame, profile(frame), bins=3)
    >>> found["size"].counts, found["size"].labels
    ((1, 2, 1), ('1 to 2', '2 to 3', '3 to 4'))
    >>> found["colour"].counts, found["colour"].labels, found["colour"].summary
    ((3, 1), ('red', 'blue'), 'red 3, blue 1')
    """
    for name, value in (("sample_rows", sample_rows), ("bins", bins), ("top", top)):
        if not isinstance(value, int | np.integer) or value < 1:
            from dashboard.errors import SoftmaxLabError

            raise SoftmaxLabError(
                f"{name} must be a whole number of at least 1, not {value!r}",
                where=f"distributions({name}=...)",
            )
    sample = table
    if len(table) > sample_rows:
        rng = np.random.default_rng(random_state)
        sample = table.iloc[np.sort(rng.choice(len(table), sample_rows, replace=False))]
    out = {}
    for position, column in enumerate(table_profile.columns):
        values = sample.iloc[:, position].dropna()
        out[column.name] = _distribution(column.kind, values, bins=bins, top=top)
    return out


def _distribution(kind: str, values: pd.Series, *, bins: int, top: int) -> Distribution:
    rows = len(values)
    if rows == 0 or kind in ("id", "empty"):
        return Distribution(shape=_NONE, counts=(), labels=(), summary="", rows=rows)
    if kind == "numeric":
        return _histogram(values.to_numpy(dtype=float), bins=bins, rows=rows)
    if kind == "datetime":
        if not (
            pd.api.types.is_datetime64_any_dtype(values.dtype)
            or isinstance(values.dtype, pd.PeriodDtype)
        ):  # text read as dates: the malformed cells are left out
            values = detect_dates(values).values.dropna()
            if values.empty:
                return Distribution(shape=_NONE, counts=(), labels=(), summary="", rows=rows)
        return _timeline(values, bins=bins, rows=rows)
    if kind == "text":
        words = values.astype("str").str.count(r"\s+").to_numpy(dtype=float) + 1
        found = _histogram(words, bins=bins, rows=rows, unit=" words")
        return Distribution(
            shape=found.shape,
            counts=found.counts,
            labels=found.labels,
            summary="length: " + found.summary,
            rows=rows,
        )
    counts = values.value_counts(sort=True)  # categories, yes/no and a constant: top values
    shown = counts.iloc[:top]
    labels = tuple(_short(_value_text(v)) for v in shown.index)
    parts = [f"{label} {int(c):,}" for label, c in zip(labels, shown, strict=True)]
    rest = len(counts) - len(shown)
    if rest:
        parts.append(f"and {rest:,} more")
    return Distribution(
        shape="top",
        counts=tuple(int(c) for c in shown),
        labels=labels,
        summary=", ".join(parts),
        rows=rows,
    )


def _histogram(x: np.ndarray, *, bins: int, rows: int, unit: str = "") -> Distribution:
    x = x[np.isfinite(x)]
    if not len(x):
        return Distribution(shape=_NONE, counts=(), labels=(), summary="", rows=rows)
    counts, edges = np.histogram(x, bins=bins)
    labels = tuple(
        f"{_number(lo)} to {_number(hi)}{unit}"
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    )
    low, high = x.min(), x.max()
    if low == high:
        summary = f"{_number(low)}{unit} on every row"
    else:
        summary = f"{_number(low)} to {_number(high)}{unit}, median {_number(np.median(x))}"
    return Distribution(
        shape="histogram",
        counts=tuple(int(c) for c in counts),
        labels=labels,
        summary=summary,
        rows=rows,
    )


def _number(value: float) -> str:
    """A number for a reader: 19,800 and 0.0123, never 1.98e+04 (scientific only when tiny or huge).

    >>> _number(19812.4), _number(0.012345), _number(3.0), _number(-2.5e12)
    ('19,812', '0.0123', '3', '-2.5e+12')
    """
    magnitude = abs(value)
    if 1000 <= magnitude < 1e12:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _timeline(values: pd.Series, *, bins: int, rows: int) -> Distribution:
    if isinstance(values.dtype, pd.PeriodDtype):
        values = values.dt.to_timestamp()
    stamps = pd.DatetimeIndex(values)
    if stamps.tz is not None:
        stamps = stamps.tz_convert(None)
    ns = stamps.as_unit("ns").asi8.astype(float)
    counts, edges = np.histogram(ns, bins=bins)
    starts = pd.to_datetime(edges.astype("int64"), unit="ns")
    daily = bool((stamps == stamps.normalize()).all())
    fmt = "%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"
    labels = tuple(
        f"{a.strftime(fmt)} to {b.strftime(fmt)}"
        for a, b in zip(starts[:-1], starts[1:], strict=True)
    )
    summary = f"{stamps.min().strftime(fmt)} to {stamps.max().strftime(fmt)}"
    return Distribution(
        shape="timeline",
        counts=tuple(int(c) for c in counts),
        labels=labels,
        summary=summary,
        rows=rows,
    )


def _value_text(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return str(value.date())
    return str(value)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


PLAIN_HEADERS = (
    "Column",
    "Kind",
    "Distribution",
    "Missing",
    "Distinct",
    "Values",
    "Used as a feature?",
    "Why not",
    "Turns into",
    "Could be the target?",
    "Why not the target",
    "Examples",
)
"""The headers of :func:`plain_table`, in order."""


def plain_table(table_profile: TableProfile, found: dict[str, Distribution]) -> pd.DataFrame:
    """One row per column in plain words, with its distribution's bar heights as a list.

    "Missing" is a share between 0 and 1; "Distribution" a list of counts (empty for none).

    Examples
    --------
    >>> frame = pd.DataFrame({"size": [1.0, None, 2.5, 4.0], "colour": ["red", "blue", "red", "red"]})
    >>> p = profile(frame)
    >>> row = plain_table(p, distributions(frame, p, bins=3)).iloc[0]
    >>> row["Kind"], row["Used as a feature?"], float(row["Missing"]), row["Distribution"]
    ('number', 'yes', 0.25, [1, 1, 1])
    """
    rows = []
    for column in table_profile.columns:
        shown = found.get(column.name)
        rows.append(
            {
                "Column": column.name,
                "Kind": KIND_WORDS.get(column.kind, column.kind),
                "Distribution": list(shown.counts) if shown else [],
                "Missing": column.missing / table_profile.rows if table_profile.rows else 0.0,
                "Distinct": column.unique,
                "Values": shown.summary if shown else "",
                "Used as a feature?": "yes" if column.can_be_feature else "no",
                "Why not": column.feature_reason,
                "Turns into": column.turns_into,
                "Could be the target?": "yes" if column.can_be_target else "no",
                "Why not the target": column.target_reason,
                "Examples": column.examples,
            }
        )
    return pd.DataFrame(rows, columns=list(PLAIN_HEADERS))
