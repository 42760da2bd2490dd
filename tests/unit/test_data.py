"""The loader against the corpus of nasty files, plus limits, options and the report."""

from __future__ import annotations

import csv
import gzip
import io
import math
import tracemalloc

import pandas as pd
import pytest

from dashboard.data import LoadedTable, LoadOptions, LoadReport, load_csv, table_from_frame
from dashboard.errors import SoftmaxLabError
from dashboard.limits import Limits
from tests.corpus import Case, cases
from tests.unit.parser_calls import MAX_PARSES, counted_parses

CASES = cases()


def _is_missing(value) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _kind_ok(series: pd.Series, kind: str) -> bool:
    dtype = series.dtype
    return {
        "int": pd.api.types.is_integer_dtype(dtype),
        "float": pd.api.types.is_float_dtype(dtype),
        "bool": pd.api.types.is_bool_dtype(dtype),
        "datetime": pd.api.types.is_datetime64_any_dtype(dtype),
        "text": pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_numeric_dtype(dtype),
    }[kind]


def test_corpus_is_big_and_covers_both_outcomes():
    names = [case.name for case in CASES]
    assert len(CASES) >= 50
    assert len(set(names)) == len(names)
    assert sum(case.loads for case in CASES) >= 20
    assert sum(not case.loads for case in CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_corpus_case(case: Case):
    options = LoadOptions(**case.options)
    if not case.loads:
        with counted_parses() as parses, pytest.raises(SoftmaxLabError) as caught:
            load_csv(case.raw, name=case.filename, options=options)
        message = str(caught.value)
        assert case.error.lower() in message.lower(), message
        if case.where:
            assert case.where.lower() in message.lower(), message
        assert "Traceback" not in message
        assert len(parses) <= MAX_PARSES, parses
        return
    with counted_parses() as parses:
        loaded = load_csv(case.raw, name=case.filename, options=options)
    assert len(parses) <= MAX_PARSES, parses
    assert isinstance(loaded, LoadedTable)
    table = loaded.table
    assert list(table.columns) == case.columns
    assert loaded.report.columns == len(case.columns)
    assert loaded.report.rows == len(table)
    if case.rows is not None:
        assert len(table) == case.rows
    for column, expected in case.values.items():
        got = table[column].tolist()[: len(expected)]
        for g, e in zip(got, expected, strict=True):
            if e is None:
                assert _is_missing(g), (column, got, expected)
            elif isinstance(e, float):
                assert g == pytest.approx(e), (column, got, expected)
            else:
                assert g == e, (column, got, expected)
    for column, kind in case.kinds.items():
        assert _kind_ok(table[column], kind), (column, table[column].dtype, kind)
    if case.warning:
        text = " ".join(loaded.report.sentences())
        assert case.warning.lower() in text.lower(), text


def test_the_fingerprint_is_of_the_uploaded_bytes():
    import hashlib

    raw = b"a,b\n1,2\n"
    assert load_csv(raw).sha256 == hashlib.sha256(raw).hexdigest()
    packed = gzip.compress(raw)
    assert load_csv(packed).sha256 == hashlib.sha256(packed).hexdigest()


def test_bigger_file_hash_is_computed_too():
    import hashlib

    raw = b"a,b\n" + b"1,2\n" * 1_200_000
    loaded = load_csv(raw)
    assert len(loaded.table) == 1_200_000
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("limits", "raw", "phrase"),
    [
        (
            Limits(max_upload_bytes=100),
            b"a,b\n" + b"1,2\n" * 40,
            "more than the limit of 100 bytes",
        ),
        (Limits(max_rows=3), b"a\n1\n2\n3\n4\n", "more than 3 rows"),
        (Limits(max_columns=2), b"a,b,c\n1,2,3\n", "3 columns, more than the limit of 2"),
        (
            Limits(max_unpacked_bytes=1000),
            gzip.compress(b"a,b\n" + b"1,2\n" * 1000),
            "unpacks to more than 1,000 bytes",
        ),
    ],
)
def test_each_limit_has_its_own_message(limits, raw, phrase):
    with pytest.raises(SoftmaxLabError, match=phrase):
        load_csv(raw, limits=limits)


def test_row_limit_on_a_large_file_goes_through_the_bounded_reader():
    raw = b"a\n" + b"1\n" * 5000
    with pytest.raises(SoftmaxLabError, match="more than 1,000 rows"):
        load_csv(raw, limits=Limits(max_rows=1000))


@pytest.mark.parametrize("members", [1, 4], ids=["one-member", "four-members"])
def test_a_bomb_is_refused_before_it_is_unpacked(members):
    # Several members hide the total size (each records only its own): the bounded steps stop it.
    bomb = gzip.compress(bytes(64 << 20), compresslevel=9) * members
    tracemalloc.start()
    try:
        with pytest.raises(SoftmaxLabError, match="unpacks to more than"):
            load_csv(bomb, limits=Limits(max_unpacked_bytes=8 << 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 << 20  # unpacking it all would hold 64 MB (and more) at once


def test_skipped_lines_are_counted_and_named_across_quoted_line_breaks():
    raw = b'a,b\n1,"x\ny"\n2,z,extra\n3,w\n4,v,extra\n'
    loaded = load_csv(raw, options=LoadOptions(skip_bad_lines=True))
    assert loaded.table["a"].tolist() == [1, 3]
    assert loaded.report.rows_skipped == 2
    assert loaded.report.skipped_lines == (4, 6)  # physical lines, as an editor numbers them
    assert any("Skipped 2 line(s)" in s for s in loaded.report.sentences())


def test_delimiter_sniffing_prefers_consistency():
    # commas inside values (decimal comma) but semicolons between them
    raw = b"a;b;c\n1,5;2,5;x\n3,5;4,5;y\n5,5;6,5;z\n"
    loaded = load_csv(raw)
    assert loaded.report.delimiter == ";"
    assert loaded.report.decimal == ","
    assert loaded.table["a"].tolist() == [1.5, 3.5, 5.5]


def test_decimal_comma_does_not_turn_decimal_points_into_thousands():
    # a file with a decimal comma whose one column uses points: 1.5 must not become 15
    raw = b"a;b\n1,5;1.5\n2,5;2.25\n"
    table = load_csv(raw).table
    assert table["a"].tolist() == [1.5, 2.5]
    assert table["b"].tolist() == [1.5, 2.25]


def test_na_rule_text_columns_keep_tokens_numeric_columns_drop_them():
    raw = b"label,score\nNA,NA\n-,-\n?,3\nEU,4\n"
    table = load_csv(raw).table
    assert table["label"].tolist() == ["NA", "-", "?", "EU"]
    assert table["score"].isna().tolist() == [True, True, False, False]


def test_report_as_dict_is_json_ready_and_sentences_are_plain():
    import json

    loaded = load_csv(b"a,a\n1,2\n3,4,5\n", options=LoadOptions(skip_bad_lines=True))
    data = loaded.report.as_dict()
    json.dumps(data)
    assert data["renamed_columns"] == [["a", "a_2"]]
    assert data["rows_skipped"] == 1
    sentences = loaded.report.sentences()
    assert sentences[0] == "Read 1 row and 2 columns."
    assert all(isinstance(s, str) and s for s in sentences)


def test_report_is_frozen():
    report = load_csv(b"a\n1\n").report
    assert isinstance(report, LoadReport)
    with pytest.raises(AttributeError):
        report.rows = 3  # type: ignore[misc]


def test_options_are_validated():
    with pytest.raises(SoftmaxLabError, match="decimal mark"):
        load_csv(b"a\n1\n", options=LoadOptions(decimal=";"))
    with pytest.raises(SoftmaxLabError, match="cannot be the same"):
        load_csv(b"a\n1\n", options=LoadOptions(delimiter=",", decimal=","))
    with pytest.raises(SoftmaxLabError, match="header"):
        load_csv(b"a\n1\n", options=LoadOptions(header_row=50))


def test_table_from_frame_cleans_names_and_fingerprints_content():
    frame = pd.DataFrame({"a": [1, 2], "": ["x", "y"], 3: [0.5, 1.5]})
    loaded = table_from_frame(frame, name="sample")
    assert list(loaded.table.columns) == ["a", "column_2", "3"]
    assert loaded.report.renamed_columns == (("", "column_2"),)
    again = table_from_frame(frame.copy(), name="other")
    assert again.sha256 == loaded.sha256
    changed = frame.copy()
    changed.loc[0, "a"] = 9
    assert table_from_frame(changed, name="sample").sha256 != loaded.sha256
    assert frame.columns.tolist() == ["a", "", 3]  # the caller's frame is untouched


def test_big_mixed_file_types_match_pandas():
    """A mixed file (the benchmark's) loads with the same values as pandas reads them."""
    from bench.ingest import mixed_csv

    raw = mixed_csv(3000, seed=1)
    ours = load_csv(raw).table
    reference = pd.read_csv(pd.io.common.BytesIO(raw))
    assert list(ours.columns) == list(reference.columns)
    for name in reference.columns:
        theirs = reference[name]
        mine = ours[name]
        if name.startswith("yesno"):
            assert mine.tolist() == (theirs == "yes").tolist()
        elif name.startswith("date"):
            assert mine.tolist() == pd.to_datetime(theirs).tolist()
        elif pd.api.types.is_numeric_dtype(theirs.dtype):
            pd.testing.assert_series_equal(
                mine.astype(float), theirs.astype(float), check_names=False
            )
        else:
            assert mine.tolist() == theirs.tolist()


def _big(rows: int, last: str) -> bytes:
    body = "".join(
        f"{i},{i % 9},{'yes' if i % 2 else 'no'},2024-01-{i % 28 + 1:02d},w{i % 5}\n"
        for i in range(rows)
    )
    return ("id,n,flag,day,word\n" + body + last).encode()


@pytest.mark.parametrize(
    ("last", "column", "kind", "value"),
    [
        ("99999,NA,yes,2024-01-01,w1\n", "n", "float", None),  # a marker after the sample
        ("99999,2.5,yes,2024-01-01,w1\n", "n", "float", 2.5),  # a decimal after integers
        ("99999,1,maybe,2024-01-01,w1\n", "flag", "text", "maybe"),  # not yes/no after all
        ("99999,1,no,not a date,w1\n", "day", "text", "not a date"),
        ("99999,1,no,2024-01-01,é\n", "word", "text", "é"),
    ],
)
def test_values_after_the_sample_widen_the_column_type(last, column, kind, value):
    raw = _big(60_000, last)
    assert len(raw) > 16 * 64 * 1024
    table = load_csv(raw).table
    assert len(table) == 60_001
    assert _kind_ok(table[column], kind), table[column].dtype
    got = table[column].iloc[-1]
    assert _is_missing(got) if value is None else got == value
    assert table["id"].iloc[-1] == 99999


def test_not_utf8_after_the_sample_in_a_big_file():
    raw = _big(60_000, "") + "99999,1,no,2024-01-01,Zürich\n".encode("cp1252")
    loaded = load_csv(raw)
    assert loaded.table["word"].iloc[-1] in ("Z\ufffdrich", "Zürich")
    assert any("UTF-8" in s for s in loaded.report.sentences())


def test_a_column_widens_twice_after_the_sample():
    body = "".join(f"{i},{i % 7}\n" for i in range(80_000))
    raw = ("id,n\n" + body + "80000,2.5\n80001,lots\n").encode()
    table = load_csv(raw).table
    assert _kind_ok(table["n"], "text")
    assert table["n"].iloc[-2:].tolist() == ["2.5", "lots"]
    assert table["n"].iloc[0] == "0"  # the text as written, not a number turned back into text


def test_corpus_can_be_written_to_disk(tmp_path):
    from tests.corpus import write_corpus

    paths = write_corpus(tmp_path)
    assert len(paths) == len(CASES)
    assert all(p.stat().st_size == len(c.raw) for p, c in zip(paths, CASES, strict=True))


@pytest.mark.parametrize("columns", [1, 3])
def test_quoted_line_breaks_across_block_boundaries(columns):
    def row(i):
        cells = [f'"note {i}\nsecond line, {i}"', str(i), "x"][:columns]
        return ",".join(cells) + "\n"

    header = ",".join(["note", "n", "tag"][:columns]) + "\n"
    raw = (header + "".join(row(i) for i in range(120_000))).encode()
    assert len(raw) > 3 << 20
    table = load_csv(raw).table
    assert len(table) == 120_000
    assert table["note"].iloc[77_777] == "note 77777\nsecond line, 77777"
    if columns > 1:
        assert table["n"].tolist() == list(range(120_000))


# --------------------------------------------------------------------------- backslashes
# A value that ends in a backslash ("C:\temp\") is ordinary RFC 4180 text; only an escaped
# quote inside a value (\" followed by more of it) makes the loader read \ as an escape.


def _backslash_rows(n: int) -> list[str]:
    return [f'{i},"back\\slash{i}\\",{"abc"[i % 3]}' for i in range(n)]


def _with_rfc_reference(raw: bytes) -> list[list[str]]:
    """The file's records as Python's csv module reads a plain RFC 4180 file."""
    return list(csv.reader(io.StringIO(raw.decode(), newline="")))


def test_values_ending_in_a_backslash_keep_every_row_and_label():
    raw = ("id,path,label\n" + "\n".join(_backslash_rows(90)) + "\n").encode()
    loaded = load_csv(raw)
    reference = pd.read_csv(io.BytesIO(raw))
    records = _with_rfc_reference(raw)[1:]
    assert len(reference) == len(records) == 90
    assert len(loaded.table) == 90
    assert loaded.table.columns.tolist() == ["id", "path", "label"]
    assert loaded.table["path"].tolist() == [r[1] for r in records]
    assert loaded.table["path"].iloc[7] == "back\\slash7\\"
    assert loaded.table["label"].tolist() == reference["label"].tolist()
    assert not any("quote" in note for note in loaded.report.warnings)


def test_a_header_value_ending_in_a_backslash_shifts_no_column():
    raw = ('id,"dir\\",label\n' + "\n".join(_backslash_rows(40)) + "\n").encode()
    table = load_csv(raw).table
    reference = pd.read_csv(io.BytesIO(raw))
    assert table.columns.tolist() == reference.columns.tolist() == ["id", "dir\\", "label"]
    assert table["label"].tolist() == reference["label"].tolist()
    assert table["id"].tolist() == list(range(40))


def test_escaped_quotes_inside_values_are_read_as_quotes():
    lines = [f'{i},"He said \\"hi {i}\\" and left",{"ab"[i % 2]}' for i in range(30)]
    raw = ("id,quote,label\n" + "\n".join(lines) + "\n").encode()
    loaded = load_csv(raw)
    reference = pd.read_csv(io.BytesIO(raw), escapechar="\\")
    assert len(loaded.table) == len(reference) == 30
    assert loaded.table["quote"].tolist() == reference["quote"].tolist()
    assert loaded.table["quote"].iloc[3] == 'He said "hi 3" and left'
    assert loaded.table["label"].tolist() == reference["label"].tolist()
    # Both readings give 30 rows: the choice is named, no row count is.
    assert any('\\"' in note for note in loaded.report.warnings)
    assert not any("RFC 4180" in note for note in loaded.report.warnings)


def test_an_escape_choice_that_changes_the_row_count_is_reported_with_both_counts():
    body = ['1,"He said \\"hi\\" ok",a', '2,"C:\\temp\\",b']
    body += [f'{i},"x{i}",{"ab"[i % 2]}' for i in range(3, 40)]
    raw = ("id,quote,label\n" + "\n".join(body) + "\n").encode()
    plain = len(pd.read_csv(io.BytesIO(raw)))
    escaped = len(pd.read_csv(io.BytesIO(raw), escapechar="\\"))
    assert plain == len(_with_rfc_reference(raw)) - 1 == 39
    assert escaped != plain
    loaded = load_csv(raw)
    assert len(loaded.table) == escaped
    [note] = [n for n in loaded.report.warnings if "RFC 4180" in n]
    assert f"gives {escaped:,} rows" in note
    assert f"gives {plain:,}" in note


def test_evidence_after_the_sample_turns_escapes_on_for_the_whole_file():
    lines = [f'{i},"plain {i}",{"ab"[i % 2]}' for i in range(20_000)]
    lines.append('20000,"said \\"so\\" late",a')
    raw = ("id,quote,label\n" + "\n".join(lines) + "\n").encode()
    assert len(raw) > 4 * 64 * 1024
    table = load_csv(raw).table
    assert len(table) == 20_001
    assert table["quote"].iloc[-1] == 'said "so" late'


@pytest.mark.parametrize(
    "raw",
    [
        ("id,path,label\n" + "\n".join(_backslash_rows(90)) + "\n").encode(),
        ('id,"dir\\",label\n' + "\n".join(_backslash_rows(40)) + "\n").encode(),
        b'id,quote,label\n1,"He said \\"hi\\" ok",a\n2,"end\\\\",b\n3,"x",a\n',
        b'id;quote;label\n1;"a\\"b";x\n2;"c\\\\";y\n',
    ],
    ids=["body", "header", "escaped", "semicolon"],
)
def test_the_exported_script_reads_backslashes_as_the_loader(raw):
    from tests.unit.test_script import _script_reading

    loaded = load_csv(raw)
    script = _script_reading(loaded.report)
    frame = script["read_columns"](script["decode"](raw))
    assert frame.columns.tolist() == loaded.table.columns.tolist()
    assert len(frame) == len(loaded.table)
    for name in frame.columns:
        assert frame[name].tolist() == loaded.table[name].astype(str).tolist()
