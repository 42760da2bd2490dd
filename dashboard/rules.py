"""The cleaning vocabulary: one source for the loader, the model and the exported script.

Every word and pattern that decides how a cell is read (missing-value words, yes/no words,
number and date patterns, thousands and decimal rules, minus signs) lives here. The loader
imports it; the exported script is rendered with this module's source, so the two cannot drift.
This module imports only the standard library, numpy and pandas.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Characters people type (or paste from word processors) for a minus sign.
MINUS_SIGNS = "\u2212\u2012\u2013\u2014\ufe63\uff0d"

# --------------------------------------------------------------------------- the vocabulary
# (every section below is read by the loader and copied verbatim into the exported script)

MISSING_TOKENS = frozenset(
    {
        "na",
        "n/a",
        "n.a.",
        "nan",
        "null",
        "none",
        "nil",
        "missing",
        "-",
        "--",
        "?",
        ".",
        "#n/a",
        "#na",
        "#null!",
        "#value!",
        "#div/0!",
        "#ref!",
        "#name?",
        "#num!",
        "#n/a n/a",
        "-nan",
    }
)
"""Cell values (compared without case and surrounding spaces) that mean "no value" in a column
whose other values are numbers, booleans or dates. In a text column they stay as they are."""

TRUE_WORDS = frozenset({"true", "yes"})
FALSE_WORDS = frozenset({"false", "no"})
BOOLEAN_PAIRS = (frozenset({"true", "false"}), frozenset({"yes", "no"}))
"""A column is yes/no when its words (without case) all belong to one of these pairs. A column of
``y``/``n`` stays text: its classes are the letters."""

LENIENT_TRUE_WORDS = TRUE_WORDS | {"y", "t", "1", "1.0"}
LENIENT_FALSE_WORDS = FALSE_WORDS | {"n", "f", "0", "0.0"}
"""What a yes/no input column of a trained model accepts in a new file (more than the loader
types as yes/no, because the column's kind is already known)."""


def case_variants(words: frozenset[str]) -> list[str]:
    """The spellings a parser that compares case-sensitively must list: lower, Title, UPPER.

    >>> case_variants(frozenset({"yes"}))
    ['yes', 'Yes', 'YES']
    """
    return [form for word in sorted(words) for form in (word, word.title(), word.upper())]


CURRENCY = "$\u20ac\u00a3\u00a5\u20b9\u20bd\u00a2\u20a9\u20aa\u20ba"
"""Currency signs removed from numbers ($ EUR GBP JPY INR RUB cent KRW ILS TRY)."""
NUMBER_MINUS = "\u2212"
"""The minus sign (besides ``-``) that a number may carry."""
NUMBER_DECORATION = f"[{CURRENCY}%()\u2212]"
"""Characters removed before deciding whether a value is a number (signs, percent, brackets)."""


def other_decimal(decimal: str) -> str:
    """The other decimal mark.

    >>> other_decimal(",")
    '.'
    """
    return "," if decimal == "." else "."


def group_separators(decimal: str) -> str:
    """The thousands separators allowed beside a decimal mark, as a regex character class.

    With a decimal point: comma, apostrophe (Swiss ``2'671.4``) and the two no-break spaces;
    with a decimal comma: point, space, the no-break spaces and the apostrophe.

    >>> group_separators(".")
    "[,'\\xa0\\u202f]"
    """
    return "[,'\u00a0\u202f]" if decimal == "." else "[. \u00a0\u202f']"


def number_regex(decimal: str) -> str:
    """A whole number as text once currency, percent and brackets are gone.

    The pattern is valid for Python's ``re`` and for RE2 (pyarrow).

    >>> bool(re.fullmatch(number_regex("."), "2'671.4")), bool(re.fullmatch(number_regex(","), "1.234,5"))
    (True, True)
    """
    group = group_separators(decimal)
    dec = re.escape(decimal)
    exponent = "(?:[eE][-+]?[0-9]+)?"
    return (
        rf"^[-+]?(?:(?:[0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)(?:{dec}[0-9]*)?|{dec}[0-9]+)"
        rf"{exponent}$"
    )


SEP_LINE = re.compile(r'\s*"?sep=(.)"?[,;\t|]*\s*', flags=re.IGNORECASE)
"""A first line such as ``sep=;`` (Excel's way to name the separator), matched in full."""


def _plain_number_regex(decimal: str) -> str:
    """A number without signs, brackets or thousands separators (a subset of number_regex)."""
    dec = re.escape(decimal)
    return rf"^[-+]?(?:[0-9]+(?:{dec}[0-9]*)?|{dec}[0-9]+)(?:[eE][-+]?[0-9]+)?$"


NUMBER_WITH_DECIMAL_POINT = re.compile(r"[-+]?\d+\.\d+")
NUMBER_WITH_DECIMAL_COMMA = re.compile(r"[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+")
"""What votes for a decimal point or a decimal comma when the loader sniffs the decimal mark."""


def looks_numeric(cell: str) -> bool:
    """Whether one cell reads as a plain number, with a point or a single decimal comma.

    >>> looks_numeric(" 3,5 "), looks_numeric("1e3"), looks_numeric("abc")
    (True, True, False)
    """
    cell = cell.strip()
    if cell.count(",") == 1 and "." not in cell:
        cell = cell.replace(",", ".")
    try:
        float(cell)
    except ValueError:
        return False
    return True


LEADING_ZERO_CODE = "^0[0-9]+$"
"""Codes with leading zeros ("00501") stay text."""

DATE_HINT = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[- ][A-Za-z]{3,9}[- ]\d{2,4}|[A-Za-z]{3,9} \d{1,2}, \d{4}"
)
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%y",
)
"""The date formats tried, in order; the first that reads every value of the sample wins."""

SAMPLE_VALUES = 500
"""How many present values of a text column decide what it holds."""

MAX_NAME = 64
"""The longest column name kept (longer ones are cut, with an ellipsis)."""


def clean_names(names: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Unique, non-blank, printable names of at most MAX_NAME characters, and the renames.

    >>> clean_names(["a", "A", " ", "x\\ty"])
    (['a', 'A_2', 'column_3', 'x y'], [('A', 'A_2'), (' ', 'column_3'), ('x\\ty', 'x y')])
    """
    out: list[str] = []
    renamed: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, original in enumerate(names):
        name = "".join(
            " " if unicodedata.category(ch)[0] in "CZ" else ch for ch in str(original)
        ).strip()
        name = re.sub(r"\s+", " ", name)
        if not name:
            name = f"column_{i + 1}"
        if len(name) > MAX_NAME:
            name = name[: MAX_NAME - 1].rstrip() + "\u2026"
        base, k = name, 2
        while name.casefold() in seen:
            name = f"{base}_{k}"
            k += 1
        seen.add(name.casefold())
        out.append(name)
        if name != str(original).strip():
            renamed.append((str(original), name))
    return out, renamed


def csv_reader(text: str, delimiter: str, escapechar: str | None):
    """Python's CSV reader over text with the file's dialect (double quotes, doubled to escape).

    >>> next(csv_reader('a;"b;c"\\n', ";", None))
    ['a', 'b;c']
    """
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        escapechar=escapechar,
        doublequote=True,
        strict=False,
    )


def escaped_quote_pattern(delimiter: str) -> str:
    """A regex for the evidence of backslash-escaped quotes: ``\\"`` followed by more of a value.

    A value that merely ends in a backslash (``"C:\\temp\\"``) puts ``\\"`` before its closing
    quote, so ``\\"`` followed by the separator, a common separator, a line end, another quote
    (a doubled quote, RFC 4180's escape) or the end of the file is no evidence. The pattern is
    valid for ``str`` and, encoded as UTF-8, for ``bytes``.

    >>> bool(re.search(escaped_quote_pattern(","), 'a,"He said \\\\"hi\\\\""\\n'))
    True
    >>> bool(re.search(escaped_quote_pattern(","), 'a,"back\\\\slash\\\\"\\n'))
    False
    """
    return r'\\"(?!["\r\n,;\t|]|' + re.escape(delimiter) + r"|\Z)"


def backslash_escapes(text: str, delimiter: str) -> bool:
    """Whether a file's quotes are escaped with backslashes (``\\"``) rather than doubled.

    Only an escaped quote inside a value says so; then ``\\`` is the escape character
    for the whole file. Without that evidence the file is read as RFC 4180 says (a quote inside
    a quoted value is doubled) and a backslash is an ordinary character.

    >>> backslash_escapes('id,quote\\n1,"He said \\\\"hi\\\\", then left"\\n', ",")
    True
    >>> backslash_escapes('id,path\\n1,"C:\\\\temp\\\\"\\n2,"x\\\\"\\n', ",")
    False
    """
    return '\\"' in text and re.search(escaped_quote_pattern(delimiter), text) is not None


def repeated_header_rows(frame: pd.DataFrame, header: list[str]) -> np.ndarray | None:
    """Where rows repeat the column names (files pasted one after another), or None.

    Only text columns with a name count, and at least two of them when the table has two
    columns or more. None when no row repeats them, or every row does.

    >>> frame = pd.DataFrame({0: ["1", "a", "2"], 1: ["x", "b", "y"]})
    >>> repeated_header_rows(frame, ["a", "b"]).tolist()
    [False, True, False]
    """
    named = [
        (name, cell.strip())
        for name, cell in zip(frame.columns, header, strict=False)
        if cell.strip() and pd.api.types.is_string_dtype(frame[name].dtype)
    ]
    if not named or len(named) < min(2, frame.shape[1]):
        return None
    repeated = np.ones(len(frame), dtype=bool)
    for name, cell in named:
        repeated &= (frame[name] == cell).to_numpy(dtype=bool, na_value=False)
        if not repeated.any():
            return None
    return None if repeated.all() else repeated


# --------------------------------------------------------------------------- typing a text column
# The loader and the exported script both call type_text_column on a column read as text.


def column_sample(column: pd.Series) -> list[str]:
    """Up to SAMPLE_VALUES present values from the top of a text column, stripped."""
    head = column.iloc[: SAMPLE_VALUES * 4].dropna()
    if head.empty:
        head = column.dropna().iloc[: SAMPLE_VALUES * 4]
    sample = [str(v).strip() for v in head.tolist()]
    return [v for v in sample if v and v.lower() not in MISSING_TOKENS][:SAMPLE_VALUES]


def _undecorated(values: list[str]) -> list[str]:
    return [re.sub(NUMBER_DECORATION, "", v).strip() for v in values]


def _dates_parse(values, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(pd.Series(values, dtype=object), format=fmt, errors="coerce")


def guess_kind(sample: list[str], decimal: str) -> str | None:
    """What a sample of values (stripped, missing markers removed) holds, or None for text.

    One of ``"none"`` (nothing but missing markers), ``"boolean"``, ``"number"`` or
    ``"date:FORMAT"``.

    >>> guess_kind(["Yes", "no"], "."), guess_kind(["2'671.4", "12"], "."), guess_kind([], ".")
    ('boolean', 'number', 'none')
    >>> guess_kind(["y", "n"], "."), guess_kind(["00501", "12"], "."), guess_kind(["5/1/2020"], ".")
    (None, None, 'date:%d/%m/%Y')
    """
    if not sample:
        return "none"
    # Each distinct value is judged once, weighed by how often it occurs (a column of
    # categories repeats a few values; a table may have 2,000 such columns).
    counts = Counter(sample)
    distinct = list(counts)
    lower = {v.lower() for v in distinct}
    if any(lower <= pair for pair in BOOLEAN_PAIRS):
        return "boolean"
    # Numbers and dates have digits: a sample mostly without any is text (the common case).
    digitless = sum(n for v, n in counts.items() if not any(ch.isdigit() for ch in v))
    if digitless > 0.1 * len(sample):
        return None
    if any(re.search(LEADING_ZERO_CODE, v) for v in distinct):
        return None
    cleaned = _undecorated(distinct)
    for mark in (decimal, other_decimal(decimal)):
        pattern = re.compile(number_regex(mark))
        matched = sum(
            counts[v] for v, c in zip(distinct, cleaned, strict=True) if pattern.search(c)
        )
        if matched >= 0.9 * len(sample):
            return "number"
    if all(DATE_HINT.search(v) for v in distinct):
        for fmt in DATE_FORMATS:
            if _dates_parse(distinct, fmt).notna().all():
                return "date:" + fmt
    return None


def missing_mask(column: pd.Series) -> np.ndarray:
    """Where a text column is missing: empty, blank, or a missing-value marker such as NA."""
    trimmed = column.str.strip()
    marker = trimmed.str.lower().isin(MISSING_TOKENS).to_numpy(dtype=bool, na_value=False)
    blank = (trimmed == "").to_numpy(dtype=bool, na_value=False)
    return column.isna().to_numpy() | blank | marker


def parse_numbers(present: pd.Series, decimal: str) -> tuple[np.ndarray, list[str]] | None:
    """Present values (stripped text) as float64 in one decimal convention, or None.

    Currency and percent signs go, brackets make a number negative, thousands separators go.
    The second value says which of these was done.

    >>> parse_numbers(pd.Series(["(1'000.5)", "$2", "12%"]), ".")
    (array([-1000.5,     2. ,    12. ]), ['currency signs removed', 'percent signs removed (12% is read as 12)', 'amounts in brackets read as negative'])
    """
    text = present.astype("str")
    if text.str.contains(_plain_number_regex(decimal), regex=True).all():
        # The common case, in one pass: plain numbers, nothing to remove.
        if decimal != ".":
            text = text.str.replace(decimal, ".", regex=False)
        return text.astype("float64").to_numpy(), []
    percent = text.str.endswith("%").to_numpy(dtype=bool, na_value=False)
    text = text.str.replace("%", "", regex=False).str.strip()
    negative = (text.str.startswith("(") & text.str.endswith(")")).to_numpy(
        dtype=bool, na_value=False
    )
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    currency = text.str.contains(f"[{CURRENCY}]", regex=True).to_numpy(dtype=bool, na_value=False)
    text = text.str.replace(f"[{CURRENCY}]", "", regex=True).str.strip()
    text = text.str.replace(NUMBER_MINUS, "-", regex=False)
    if not text.str.contains(number_regex(decimal), regex=True).all():
        return None
    text = text.str.replace(group_separators(decimal), "", regex=True)
    if decimal != ".":
        text = text.str.replace(",", ".", regex=False)
    numbers = text.astype("float64").to_numpy()
    numbers = np.where(negative, -numbers, numbers)
    what = []
    if currency.any():
        what.append("currency signs removed")
    if percent.any():
        what.append("percent signs removed (12% is read as 12)")
    if negative.any():
        what.append("amounts in brackets read as negative")
    if decimal == "." and present.str.contains(",", regex=False).any():
        what.append("thousands separators removed")
    return numbers, what


def _numbers_series(numbers: np.ndarray, missing: np.ndarray, index: pd.Index) -> pd.Series:
    if not missing.any():
        finite = np.isfinite(numbers).all()
        if finite and (numbers == np.floor(numbers)).all() and np.abs(numbers).max() < 2**53:
            return pd.Series(numbers.astype("int64"), index=index)
    out = np.full(len(index), np.nan)
    out[~missing] = numbers
    return pd.Series(out, index=index, dtype="float64")


def convert_column(
    column: pd.Series, kind: str, decimal: str, missing: np.ndarray | None = None
) -> tuple[pd.Series | None, str]:
    """A text column given the type ``kind`` (from guess_kind), and what was done; None when a
    value does not fit.

    >>> convert_column(pd.Series(["1,5", "NA", "(2)"]), "number", ",")[0].tolist()
    [1.5, nan, -2.0]
    >>> convert_column(pd.Series(["Yes", "no"]), "boolean", ".")
    (0     True
    1    False
    dtype: bool, 'read as yes/no values')
    """
    if missing is None:
        missing = missing_mask(column)
    present = column[~missing].str.strip()
    result, what = None, ""
    if kind == "none":
        if not len(present):
            result = pd.Series(np.nan, index=column.index, dtype="float64")
            what = "only missing-value markers such as NA; read as empty"
    elif kind == "number":
        for mark in (decimal, other_decimal(decimal)):
            parsed = parse_numbers(present, mark)
            if parsed is not None:
                numbers, done = parsed
                if mark != decimal:
                    done.insert(0, "decimal " + ("comma" if mark == "," else "point"))
                result, what = _numbers_series(numbers, missing, column.index), ", ".join(done)
                break
    elif kind == "boolean":
        lower = present.str.lower()
        if lower.isin(TRUE_WORDS | FALSE_WORDS).all():
            flags = np.zeros(len(column), dtype=bool)
            flags[~missing] = lower.isin(TRUE_WORDS).to_numpy(dtype=bool)
            result = pd.Series(flags, index=column.index)
            if missing.any():
                result = result.astype("boolean").mask(missing)
            what = "read as yes/no values"
    elif kind.startswith("date:"):
        stamps = _dates_parse(present.to_numpy(dtype=object), kind[5:])
        if stamps.notna().all():
            out = pd.Series(pd.NaT, index=column.index, dtype="datetime64[s]")
            out[~missing] = stamps.to_numpy().astype("datetime64[s]")
            result, what = out, f"read as dates ({format_words(kind[5:])})"
    if result is None:
        return None, ""
    tokens = int(missing.sum() - column.isna().sum())
    if tokens and kind != "none":
        what = "; ".join(filter(None, [what, f"{tokens:,} marker(s) such as NA read as missing"]))
    return result, what


def format_words(fmt: str) -> str:
    """A date format in words, e.g. ``%d/%m/%Y`` -> ``day/month/year``.

    >>> format_words("%d/%m/%Y %H:%M")
    'day/month/year hour:minute'
    """
    words = {"%d": "day", "%m": "month", "%Y": "year", "%y": "year", "%H": "hour", "%M": "minute"}
    words.update({"%S": "second", "%b": "month name", "%B": "month name"})
    for code, word in words.items():
        fmt = fmt.replace(code, word)
    return fmt.replace("T", " ")


def type_text_column(column: pd.Series, decimal: str) -> tuple[pd.Series | None, str | None, str]:
    """A column of text typed as the loader types it: (typed column or None, kind, what was done).

    The kind comes from a sample of the column; None as the column means it stays text.

    >>> typed, kind, what = type_text_column(pd.Series(["2'671.4", "NA", "3"]), ".")
    >>> typed.tolist(), kind, what
    ([2671.4, nan, 3.0], 'number', '1 marker(s) such as NA read as missing')
    """
    kind = guess_kind(column_sample(column), decimal)
    if kind is None:
        return None, None, ""
    typed, what = convert_column(column, kind, decimal)
    return typed, kind, what


# --------------------------------------------------------------------------- target labels

NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
LEADING_ZERO = re.compile(r"[+-]?0\d")


def label(value) -> str | None:
    """One target value as a text label: 1, 1.0 and "1" all become "1"; missing becomes None.

    >>> [label(v) for v in (1, 1.0, " 1 ", "007", True, None, 2.5, "")]
    ['1', '1', '1', '007', 'True', None, '2.5', None]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        if np.isfinite(value) and float(value).is_integer():
            return str(int(value))
        return str(float(value))
    text = str(value).strip()
    if not text:
        return None
    # Numbers written as text (a CSV column read as text) join their numeric twins,
    # but codes with leading zeros such as "007" stay as they are.
    if NUMBER_TEXT.fullmatch(text) and not LEADING_ZERO.match(text):
        return label(float(text))
    return text


# --------------------------------------------------------------------------- typed lists of numbers
# What a person types in a box (the C values on Train, the calculators' numbers): one reading
# for both. Not used by the loader; the callers turn a bad entry into their own message.


@dataclass(frozen=True)
class TypedNumber:
    """One entry of a typed list: its text (normalised) and its value, None if not a number."""

    text: str
    value: float | None


_TYPED_SEPARATORS = re.compile(r"[\s,;]+")
_TO_HYPHEN = str.maketrans(dict.fromkeys(MINUS_SIGNS, "-"))


def read_number_list(text: str) -> list[TypedNumber]:
    """Split a typed list of numbers and read each entry.

    Commas, semicolons and white space separate entries (a comma is never a decimal mark).
    Full-width characters become plain ones (NFKC) and every minus sign in ``MINUS_SIGNS``
    becomes ``-``. An entry reads as Python's ``float`` reads it (``1e-3``, ``1_000``); ``∞``
    is infinity. Infinite and not-a-number values are returned as they are: each caller
    decides what it accepts.

    >>> [(e.text, e.value) for e in read_number_list("1e-3, \u22122 ;\uff11\uff10  two")]
    [('1e-3', 0.001), ('-2', -2.0), ('10', 10.0), ('two', None)]
    """
    cleaned = unicodedata.normalize("NFKC", text).translate(_TO_HYPHEN)
    entries = []
    for entry in _TYPED_SEPARATORS.split(cleaned):
        if entry:
            try:
                value = float(entry.replace("\u221e", "inf"))
            except ValueError:
                value = None
            entries.append(TypedNumber(entry, value))
    return entries
