"""Random bytes and random CSV-like text: the loader returns a table or raises the project's error,
parsing the file a bounded number of times, and never anything else."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.data import LoadedTable, LoadOptions, load_csv
from dashboard.errors import SoftmaxLabError
from dashboard.limits import Limits
from tests.unit.parser_calls import MAX_PARSES, counted_parses

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
SMALL = Limits(max_upload_bytes=1 << 20, max_unpacked_bytes=1 << 20, max_rows=5000)

_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "NA",
            "n/a",
            "-",
            "?",
            "1",
            "1.5",
            "1,5",
            '"1,234"',
            "$3",
            "12%",
            "(4)",
            "true",
            "no",
            "2024-01-31",
            "31/01/2024",
            "inf",
            '"a ""b"" c"',
            '"x\ny"',
            '"unclosed',
            '\\"',
            "é",
            "€",
            "\x00",
            " ",
            "sep=;",
        ]
    ),
    st.text(max_size=8),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
_SEPARATORS = st.sampled_from([",", ";", "\t", "|", ":", " "])
_NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def csv_like(draw) -> bytes:
    sep = draw(_SEPARATORS)
    newline = draw(_NEWLINES)
    width = draw(st.integers(1, 6))
    rows = draw(
        st.lists(
            st.lists(_CELLS, min_size=max(0, width - 2), max_size=width + 2),
            min_size=0,
            max_size=25,
        )
    )
    text = newline.join(sep.join(row) for row in rows)
    if draw(st.booleans()):
        text += newline
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    return text.encode(encoding, errors="replace")


def _check(raw: bytes, options: LoadOptions | None = None) -> None:
    with counted_parses() as parses:
        try:
            loaded = load_csv(raw, options=options, limits=SMALL)
        except SoftmaxLabError as exc:
            loaded = None
            assert str(exc)
    assert len(parses) <= MAX_PARSES, parses
    if loaded is not None:
        assert isinstance(loaded, LoadedTable)
        table = loaded.table
        assert isinstance(table, pd.DataFrame)
        assert len(table) >= 1 and table.shape[1] >= 1
        names = list(table.columns)
        assert all(isinstance(n, str) and n.strip() for n in names)
        assert len({n.casefold() for n in names}) == len(names)
        assert loaded.report.rows == len(table)
        assert loaded.report.sentences()


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(raw):
    _check(raw)


@FUZZ
@given(csv_like())
def test_random_csv_like_text(raw):
    _check(raw)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    csv_like(),
    st.builds(
        LoadOptions,
        encoding=st.sampled_from([None, "utf-8", "cp1252", "latin-1", "utf-16"]),
        delimiter=st.sampled_from([None, ",", ";", "\t", "|", "x"]),
        decimal=st.sampled_from([None, ".", ","]),
        header_row=st.sampled_from([None, -1, 0, 1, 3]),
        skip_bad_lines=st.booleans(),
    ),
)
def test_random_text_with_user_choices(raw, options):
    _check(raw, options)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.binary(min_size=1, max_size=512),
    st.sampled_from([b"\x1f\x8b", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe"]),
)
def test_random_bytes_behind_magic_numbers(tail, magic):
    _check(magic + tail)
