"""A corpus of nasty files, each with the outcome a user should see.

``cases()`` returns every case: the file's bytes and name, and either the columns (and a few
values) it must load with, or a phrase its error message must contain. The same corpus runs
through ``load_csv`` (tests/unit/test_data.py), the command line and AppTest (the lead's tests),
so each outcome is stated in words a user sees, not in terms of the loader's internals.

``write_corpus(folder)`` writes the files to disk (``python -m tests.corpus FOLDER``), to try
them by hand in the browser.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Case", "cases", "write_corpus"]


@dataclass(frozen=True)
class Case:
    """One file and what loading it must give.

    Attributes
    ----------
    name : str
        Short identifier of the case (used as the test id).
    raw : bytes
        The file's bytes.
    filename : str
        The name it is uploaded under.
    columns : list of str or None
        The exact column names it loads with (None when it must fail).
    error : str or None
        A phrase the error message must contain, case-insensitively (None when it must load).
    options : dict
        Keyword arguments for ``LoadOptions`` (what a user picks on the Data page).
    values : dict
        Column name -> the first values it must hold (``None`` for a missing value).
    kinds : dict
        Column name -> "int", "float", "text", "bool" or "datetime".
    rows : int or None
        Exact number of rows, when it matters.
    warning : str or None
        A phrase one of the report's sentences must contain.
    where : str or None
        A phrase (such as "line 4") the error must contain, beyond ``error``.
    """

    name: str
    raw: bytes
    filename: str
    columns: list[str] | None
    error: str | None
    options: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    rows: int | None = None
    warning: str | None = None
    where: str | None = None

    @property
    def loads(self) -> bool:
        return self.error is None


def _ok(name, raw, columns, *, filename=None, **extra) -> Case:
    return Case(name, raw, filename or f"{name}.csv", columns, None, **extra)


def _fail(name, raw, error, *, filename=None, **extra) -> Case:
    return Case(name, raw, filename or f"{name}.csv", None, error, **extra)


_IRIS = (
    "sepal_length,sepal_width,species\n"
    "5.1,3.5,setosa\n"
    "4.9,3.0,setosa\n"
    "6.3,3.3,virginica\n"
    "5.8,2.7,versicolor\n"
)
_WESTERN = (
    "name;city;price;note\n"
    "José;Zürich;12,50 €;“quoted”\n"
    "François;Besançon;3,20 €;naïve – café\n"
    "Åsa;Malmö;7,00 €;smörgåsbord\n"
    "Jürgen;Köln;1.234,00 €;Straße\n"
)
_CYRILLIC = (
    "город,население,регион\n"
    "Москва,12600000,Центральный\n"
    "Санкт-Петербург,5400000,Северо-Западный\n"
    "Новосибирск,1620000,Сибирский\n"
    "Екатеринбург,1490000,Уральский\n"
    "Казань,1250000,Приволжский\n"
)


def _png() -> bytes:
    return bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _gzip_bomb(unpacked_mb: int) -> bytes:
    """Many copies of one small gzip member that unpacks to 16 MB of zeros ("0,0\\n" lines)."""
    member = gzip.compress(b"0,0\n" * (4 << 20), compresslevel=9)
    return member * (unpacked_mb // 16 + 1)


def _ascii_block(rows: int) -> str:
    return "".join(f"{i},plain text {i % 7},{i * 0.5}\n" for i in range(rows))


def cases() -> list[Case]:
    """Every case of the corpus (about 80), cheap to build (under a second, about 6 MB)."""
    c: list[Case] = []

    # --- encodings -------------------------------------------------------------------
    c.append(
        _ok(
            "utf8_plain",
            _IRIS.encode(),
            ["sepal_length", "sepal_width", "species"],
            values={"sepal_length": [5.1, 4.9], "species": ["setosa", "setosa"]},
            kinds={"sepal_length": "float", "species": "text"},
            rows=4,
        )
    )
    c.append(
        _ok(
            "utf8_bom",
            b"\xef\xbb\xbf" + _IRIS.encode(),
            ["sepal_length", "sepal_width", "species"],
            values={"sepal_length": [5.1]},
        )
    )
    c.append(
        _ok(
            "utf8_bom_no_header",
            b"\xef\xbb\xbf1.5,2.5\n3.5,4.5\n",
            ["column_1", "column_2"],
            values={"column_1": [1.5, 3.5]},
            warning="looks like data",
        )
    )
    excel_unicode_text = "name\tcity\tscore\nJosé\tZürich\t1\nZoë\tKöln\t2\n"
    c.append(
        _ok(
            "utf16le_bom_tabs",
            excel_unicode_text.encode("utf-16"),
            ["name", "city", "score"],
            filename="excel_unicode.txt",
            values={"name": ["José", "Zoë"], "city": ["Zürich", "Köln"], "score": [1, 2]},
        )
    )
    c.append(
        _ok(
            "utf16be_bom",
            b"\xfe\xff" + _IRIS.encode("utf-16-be"),
            ["sepal_length", "sepal_width", "species"],
            values={"species": ["setosa"]},
        )
    )
    c.append(
        _ok(
            "utf16le_no_bom",
            _IRIS.encode("utf-16-le"),
            ["sepal_length", "sepal_width", "species"],
            values={"sepal_width": [3.5, 3.0]},
        )
    )
    c.append(
        _ok(
            "utf32_bom",
            _IRIS.encode("utf-32"),
            ["sepal_length", "sepal_width", "species"],
            values={"species": ["setosa"]},
        )
    )
    c.append(
        _ok(
            "cp1252_western",
            _WESTERN.encode("cp1252"),
            ["name", "city", "price", "note"],
            values={
                "name": ["José", "François", "Åsa", "Jürgen"],
                "city": ["Zürich", "Besançon", "Malmö", "Köln"],
                "price": [12.5, 3.2, 7.0, 1234.0],
                "note": ["“quoted”", "naïve – café"],
            },
            warning="not UTF-8",
        )
    )
    c.append(
        _ok(
            "latin1_western",
            "nom,ville,âge\nJosé,Zürich,31\nFrançois,Besançon,45\nÅsa,Malmö,27\n".encode("latin-1"),
            ["nom", "ville", "âge"],
            values={"nom": ["José", "François", "Åsa"], "ville": ["Zürich", "Besançon"]},
        )
    )
    c.append(
        _ok(
            "cp1252_after_64kb",
            (_ascii_block(4000) + "4000,crème brûlée €,1.5\n").encode("cp1252"),
            ["column_1", "column_2", "column_3"],
            rows=4001,
            values={"column_2": ["plain text 0"]},
            warning="not UTF-8",
        )
    )
    c.append(
        _ok(
            "cp1251_cyrillic",
            _CYRILLIC.encode("cp1251"),
            ["город", "население", "регион"],
            values={"город": ["Москва", "Санкт-Петербург"], "население": [12600000, 5400000]},
        )
    )
    c.append(
        _ok(
            "shift_jis",
            "名前,都市,人口\n太郎,東京,1400\n花子,大阪,880\n次郎,名古屋,230\n".encode("shift_jis"),
            ["名前", "都市", "人口"],
            values={"都市": ["東京", "大阪", "名古屋"]},
        )
    )
    c.append(
        _ok(
            "utf8_stray_bytes",
            "name,city\nJosé,Zürich\nZoë,K\xf6ln\nAnn,Bern\n".encode().replace(
                b"K\xc3\xb6ln", b"K\xf6ln"
            ),
            ["name", "city"],
            values={"name": ["José", "Zoë"], "city": ["Zürich", "K\ufffdln"]},
            warning="line 3",
        )
    )
    c.append(
        _ok(
            "utf8_stray_after_64kb",
            ("id,text,x\n" + _ascii_block(4000) + "4000,é ok,1\n").encode()
            + b"4001,bad \xff byte,2\n",
            ["id", "text", "x"],
            rows=4002,
            warning="not valid UTF-8",
        )
    )
    c.append(
        _ok(
            "encoding_override",
            _WESTERN.encode("cp1252"),
            ["name", "city", "price", "note"],
            options={"encoding": "latin-1"},
            values={"name": ["José"]},
        )
    )
    c.append(
        _fail(
            "encoding_override_wrong",
            "name\nJosé\n".encode("cp1252"),
            "cannot be read as utf-8",
            options={"encoding": "utf-8"},
            where="line 2",
        )
    )
    c.append(
        _fail(
            "encoding_override_unknown",
            _IRIS.encode(),
            "not a text encoding we know",
            options={"encoding": "klingon-8"},
        )
    )

    # --- dialects --------------------------------------------------------------------
    c.append(
        _ok(
            "semicolon_decimal_comma",
            b"length;width;kind\n1,5;2,25;a\n3,0;4,75;b\n-0,5;1.234,5;a\n",
            ["length", "width", "kind"],
            values={"length": [1.5, 3.0, -0.5], "width": [2.25, 4.75, 1234.5]},
            kinds={"length": "float", "width": "float"},
        )
    )
    c.append(
        _ok(
            "tab_separated",
            b"a\tb\tc\n1\tx y\t2.5\n2\tz, w\t3.5\n",
            ["a", "b", "c"],
            values={"b": ["x y", "z, w"], "c": [2.5, 3.5]},
        )
    )
    c.append(
        _ok(
            "pipe_separated",
            b"a|b|c\n1|x|2.5\n2|y|3.5\n",
            ["a", "b", "c"],
            values={"b": ["x", "y"]},
        )
    )
    c.append(
        _ok(
            "excel_sep_line",
            b"sep=;\r\na;b\r\n1,5;x\r\n2,5;y\r\n",
            ["a", "b"],
            values={"a": [1.5, 2.5], "b": ["x", "y"]},
        )
    )
    c.append(
        _ok(
            "rfc4180_quoting",
            b'id,comment,score\r\n1,"Hello, world",3\r\n2,"two\r\nlines",4\r\n'
            b'3,"a ""quoted"" word",5\r\n4,,6\r\n',
            ["id", "comment", "score"],
            values={
                "comment": ["Hello, world", "two\r\nlines", 'a "quoted" word', None],
                "score": [3, 4, 5, 6],
            },
            rows=4,
        )
    )
    c.append(
        _ok(
            "backslash_escaped_quotes",
            b'id,quote,n\n1,"He said \\"hi\\", then left",2\n2,"plain",3\n',
            ["id", "quote", "n"],
            values={"quote": ['He said "hi", then left', "plain"], "n": [2, 3]},
            warning="quote",
        )
    )
    c.append(
        _ok(
            "cr_only_line_endings",
            b"a,b\r1,2\r3,4\r",
            ["a", "b"],
            values={"a": [1, 3], "b": [2, 4]},
        )
    )
    c.append(
        _ok(
            "crlf_line_endings",
            b"a,b\r\n1,x\r\n3,y\r\n",
            ["a", "b"],
            values={"b": ["x", "y"]},
        )
    )
    c.append(
        _ok(
            "nul_bytes",
            b"a,b\n1,x\x00\n2,\x00y\n",
            ["a", "b"],
            values={"b": ["x", "y"]},
            warning="NUL",
        )
    )
    c.append(
        _ok(
            "trailing_separators_everywhere",
            b"a,b,\n1,2,\n3,4,\n",
            ["a", "b"],
            values={"a": [1, 3]},
            warning="separator at the end",
        )
    )
    c.append(
        _ok(
            "trailing_separators_data_only",
            b"a,b\n1,2,\n3,4,\n5,6,\n",
            ["a", "b"],
            values={"b": [2, 4, 6]},
        )
    )
    c.append(
        _ok(
            "title_lines_above_header",
            b"Sales report 2024\nGenerated by ExportTool\n\nregion,units,revenue\n"
            b"north,10,100.5\nsouth,12,130.0\n",
            ["region", "units", "revenue"],
            values={"region": ["north", "south"]},
            warning="title",
            rows=2,
        )
    )
    c.append(
        _ok(
            "missing_header",
            b"5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,3.3,virginica\n",
            ["column_1", "column_2", "column_3"],
            values={"column_1": [5.1, 4.9, 6.3], "column_3": ["setosa"]},
            warning="looks like data",
            rows=3,
        )
    )
    c.append(
        _ok(
            "header_row_override",
            b"junk line one\nmore, junk, here\nx,y\n1,2\n3,4\n",
            ["x", "y"],
            options={"header_row": 2},
            values={"x": [1, 3]},
        )
    )
    c.append(
        _ok(
            "no_header_override",
            b"a,b\n1,2\n",
            ["column_1", "column_2"],
            options={"header_row": -1},
            values={"column_1": ["a", "1"]},
            rows=2,
        )
    )
    c.append(
        _ok(
            "delimiter_override",
            b"a:b\n1:2\n3:4\n",
            ["a", "b"],
            options={"delimiter": ":"},
            values={"a": [1, 3]},
        )
    )
    c.append(
        _fail(
            "delimiter_override_invalid",
            _IRIS.encode(),
            "cannot be a separator",
            options={"delimiter": "ab"},
        )
    )
    c.append(
        _ok(
            "decimal_override",
            b"a;b\n1.5;2\n2.5;3\n",
            ["a", "b"],
            options={"decimal": ","},
            values={"a": [1.5, 2.5]},
        )
    )
    c.append(
        _ok(
            "blank_lines_between",
            b"a,b\n\n1,2\n\n\n3,4\n\n",
            ["a", "b"],
            values={"a": [1, 3]},
            rows=2,
        )
    )
    c.append(
        _ok(
            "spaces_around_values",
            b"name , score\n ann , 1\n bob , 2\n",
            ["name", "score"],
            values={"score": [1, 2]},
            kinds={"score": "int"},
        )
    )
    c.append(
        _ok(
            "single_column",
            b"word\nalpha\nbeta\ngamma\n",
            ["word"],
            values={"word": ["alpha", "beta", "gamma"]},
        )
    )

    # --- not a CSV at all ----------------------------------------------------------------
    c.append(_fail("empty", b"", "empty"))
    c.append(_fail("blank", b"  \n\r\n\t\n", "blank"))
    c.append(_fail("header_only", b"a,b,c\n", "no rows"))
    c.append(_fail("png", _png(), "PNG image", filename="photo.png"))
    c.append(_fail("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40), "JPEG image"))
    c.append(_fail("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(20), "GIF image"))
    c.append(_fail("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"))
    c.append(
        _fail(
            "json_object",
            json.dumps({"rows": [{"a": 1, "b": 2}]}).encode(),
            "JSON",
            filename="data.json",
        )
    )
    c.append(_fail("json_array", b'[{"a": 1, "b": 2}, {"a": 3, "b": 4}]\n', "JSON"))
    c.append(
        _fail(
            "html_page",
            b"<!DOCTYPE html>\n<html><head><title>Download</title></head><body>"
            b"<table><tr><td>a</td></tr></table></body></html>\n",
            "web page",
        )
    )
    c.append(_fail("xml", b'<?xml version="1.0"?>\n<rows><row a="1"/></rows>\n', "XML"))
    c.append(
        _ok(
            "gzip_csv",
            gzip.compress(_IRIS.encode()),
            ["sepal_length", "sepal_width", "species"],
            filename="iris.csv.gz",
            values={"species": ["setosa"]},
            warning="gzip",
        )
    )
    c.append(
        _ok(
            "gzip_two_members",
            gzip.compress(b"a,b\n1,2\n") + gzip.compress(b"3,4\n"),
            ["a", "b"],
            filename="parts.csv.gz",
            values={"a": [1, 3]},
        )
    )
    c.append(_fail("gzip_bomb", _gzip_bomb(416), "unpacks to more than", filename="bomb.csv.gz"))
    c.append(
        _fail("gzip_truncated", gzip.compress(_IRIS.encode() * 20)[:-30], "damaged or incomplete")
    )
    c.append(
        _fail(
            "xlsx",
            _zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/worksheets/sheet1.xml": b"<worksheet/>",
                }
            ),
            "Excel file",
            filename="book.xlsx",
        )
    )
    c.append(
        _fail(
            "xls_old_excel",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "Excel file",
            filename="book.xls",
        )
    )
    c.append(
        _fail(
            "ods",
            _zip(
                {
                    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": b"<x/>",
                }
            ),
            "OpenDocument",
            filename="book.ods",
        )
    )
    c.append(_fail("zip_of_csv", _zip({"data.csv": _IRIS.encode()}), "zip archive"))
    c.append(
        _fail(
            "random_binary",
            bytes((i * 7919 + 13) % 256 for i in range(4096)),
            "does not look like text",
            filename="blob.csv",
        )
    )

    # --- malformed rows --------------------------------------------------------------------
    c.append(
        _fail(
            "ragged_row",
            b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n",
            "values but the header names 3 columns",
            where="line 4",
        )
    )
    c.append(
        _ok(
            "ragged_row_skipped",
            b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n",
            ["a", "b", "c"],
            options={"skip_bad_lines": True},
            values={"a": [1, 4, 11]},
            rows=3,
            warning="line 4",
        )
    )
    c.append(
        _fail(
            "ragged_after_multiline_value",
            b'a,b\n1,"first\nsecond\nthird"\n2,x\n3,y,z\n',
            "values but the header",
            where="line 6",
        )
    )
    c.append(
        _fail(
            "unclosed_quote",
            b'a,b\n1,x\n2,"never closed\n3,y\n4,z\n',
            "never closed",
            where="line 3",
        )
    )
    c.append(
        _ok(
            "short_rows",
            b"a,b,c\n1,2,3\n4,5\n7,8,9\n",
            ["a", "b", "c"],
            values={"c": [3, None, 9]},
            warning="fewer values",
        )
    )

    # --- columns ------------------------------------------------------------------------
    c.append(
        _ok(
            "duplicate_names",
            b"a,a,b,a\n1,2,3,4\n",
            ["a", "a_2", "b", "a_3"],
            values={"a_2": [2], "a_3": [4]},
            warning="Renamed",
        )
    )
    c.append(
        _ok(
            "blank_names",
            b'x,,"  ",y\n1,2,3,4\n',
            ["x", "column_2", "column_3", "y"],
            values={"column_2": [2]},
            warning="without a name",
        )
    )
    long_name = "a very long column name " * 10
    c.append(
        _ok(
            "very_long_name",
            f"{long_name},b\n1,2\n".encode(),
            [long_name.strip()[:63].rstrip() + "\u2026", "b"],
            values={"b": [2]},
        )
    )
    c.append(
        _ok(
            "na_tokens_in_numbers",
            b"x,y,z\n1,NA,5\n2,n/a,6\n3,-,?\n4,7.5,null\n5,,8\n",
            ["x", "y", "z"],
            values={"y": [None, None, None, 7.5, None], "z": [5, 6, None, None, 8]},
            kinds={"y": "float", "z": "float"},
            warning="read as missing",
        )
    )
    c.append(
        _ok(
            "na_is_a_label",
            b"country,region,sales\nUSA,NA,10\nFrance,EU,20\nCanada,NA,30\nJapan,AS,\n",
            ["country", "region", "sales"],
            values={"region": ["NA", "EU", "NA", "AS"], "sales": [10, 20, 30, None]},
            kinds={"region": "text"},
        )
    )
    c.append(
        _ok(
            "na_label_target_with_empty",
            b"f,label\n1,NA\n2,EU\n3,\n4,NA\n",
            ["f", "label"],
            values={"label": ["NA", "EU", None, "NA"]},
        )
    )
    c.append(
        _ok(
            "thousands_separators",
            b'city,population\nA,"1,234,567"\nB,"12,345"\nC,999\n',
            ["city", "population"],
            values={"population": [1234567, 12345, 999]},
            kinds={"population": "int"},
        )
    )
    c.append(
        _ok(
            "currency_and_brackets",
            '"item","price"\n"a","$1,200.50"\n"b","(15.25)"\n"c","€3"\n"d","£0.99"\n'.encode(),
            ["item", "price"],
            values={"price": [1200.5, -15.25, 3.0, 0.99]},
            kinds={"price": "float"},
            warning="currency",
        )
    )
    c.append(
        _ok(
            "european_currency",
            "article;prix\nA;1 234,50 €\nB;12,00 €\nC;0,99 €\n".encode(),
            ["article", "prix"],
            values={"prix": [1234.5, 12.0, 0.99]},
        )
    )
    c.append(
        _ok(
            "percent",
            b"team,win_rate\nA,55%\nB,42.5%\nC,100%\n",
            ["team", "win_rate"],
            values={"win_rate": [55.0, 42.5, 100.0]},
            warning="percent",
        )
    )
    c.append(
        _ok(
            "booleans",
            b"a,b,c\ntrue,yes,1\nFALSE,No,0\nTrue,,1\n",
            ["a", "b", "c"],
            values={"a": [True, False, True], "b": [True, False, None]},
            kinds={"a": "bool", "b": "bool"},
        )
    )
    c.append(
        _ok(
            "dates",
            b"iso,european,stamp\n2024-01-31,31/01/2024,2024-01-31 13:45:00\n"
            b"2024-02-29,29/02/2024,2024-02-29 08:00:00\n",
            ["iso", "european", "stamp"],
            kinds={"iso": "datetime", "european": "datetime", "stamp": "datetime"},
        )
    )
    c.append(
        _ok(
            "repeated_header_rows",
            b"id,score,group\n1,2.5,a\n2,3.5,b\nid,score,group\n3,4.5,a\n",
            ["id", "score", "group"],
            values={"id": [1, 2, 3], "score": [2.5, 3.5, 4.5]},
            kinds={"id": "int", "score": "float"},
            warning="repeat the column names",
            rows=3,
        )
    )
    c.append(
        _ok(
            "month_name_dates_and_excel_errors",
            b'day,when,total\n31-Jan-2024,"Jan 31, 2024",#DIV/0!\n01-Feb-2024,"Feb 1, 2024",12\n',
            ["day", "when", "total"],
            kinds={"day": "datetime", "when": "datetime", "total": "float"},
            values={"total": [None, 12.0]},
        )
    )
    c.append(
        _ok(
            "mostly_numbers_with_junk",
            b"x\n1\n2\n3\n4\n5\n6\n7\n8\n9\nunknown\n",
            ["x"],
            kinds={"x": "text"},
            warning="holds numbers except",
        )
    )
    c.append(
        _ok(
            "infinity",
            b"a,b\n1.5,inf\n2.5,-inf\n3.5,4\n",
            ["a", "b"],
            values={"b": [None, None, 4.0]},
            warning="infinite",
        )
    )
    c.append(
        _ok(
            "only_missing_markers",
            b"a,b\n1,NA\n2,NA\n3,n/a\n",
            ["a", "b"],
            values={"b": [None, None, None]},
        )
    )
    c.append(
        _ok(
            "empty_column_kept",
            b"a,b,c\n1,,x\n2,,y\n",
            ["a", "b", "c"],
            values={"b": [None, None]},
        )
    )
    c.append(
        _ok(
            "unicode_names",
            "température °C,ville 🏙,日本\n21.5,Paris,東京\n".encode(),
            ["température °C", "ville 🏙", "日本"],
            values={"température °C": [21.5]},
        )
    )
    c.append(
        _ok(
            "id_and_free_text",
            (
                "customer_id,review,stars\n"
                + "".join(
                    f"C{i:05d},This product arrived on day {i} and I am quite happy with it,{i % 5 + 1}\n"
                    for i in range(40)
                )
            ).encode(),
            ["customer_id", "review", "stars"],
            rows=40,
        )
    )
    c.append(
        _ok(
            "numbers_as_text_labels",
            b'f,label\n1,"1"\n2,1\n3,"2"\n4,2\n',
            ["f", "label"],
            values={"label": [1, 1, 2, 2]},
        )
    )

    c.append(
        _ok(
            "comment_lines_above_header",
            b"# exported by tool v1, 2024-05-01\n# units: cm, kg\nheight,weight,group\n"
            b"170,65,a\n182,80,b\n",
            ["height", "weight", "group"],
            values={"height": [170, 182]},
            warning="title",
        )
    )
    c.append(
        _ok(
            "swiss_thousands",
            b"item,amount\na,1'234.50\nb,2'000\nc,15\n",
            ["item", "amount"],
            values={"amount": [1234.5, 2000.0, 15.0]},
        )
    )
    c.append(
        _ok(
            "leading_zero_codes",
            b"zip,visits\n01234,1\n00501,2\n90210,3\n",
            ["zip", "visits"],
            values={"zip": ["01234", "00501", "90210"]},
            kinds={"zip": "text", "visits": "int"},
        )
    )
    c.append(
        _ok(
            "us_dates_said_in_words",
            b"when,n\n12/31/2024,1\n01/15/2024,2\n",
            ["when", "n"],
            kinds={"when": "datetime"},
            warning="month/day/year",
        )
    )
    c.append(
        _ok(
            "colon_separated_unnoticed",
            b"a:b:c\n1:2:3\n4:5:6\n",
            ["a:b:c"],
            warning="choose it as the separator",
        )
    )

    # --- limits --------------------------------------------------------------------------
    c.append(
        _fail(
            "too_many_columns",
            (",".join(f"c{i}" for i in range(2001)) + "\n" + ",".join("1" * 2001) + "\n").encode(),
            "more than the limit of 2,000",
        )
    )
    c.append(_fail("too_many_rows", b"x\n" + b"1\n" * 2_000_001, "more than 2,000,000 rows"))
    return c


def write_corpus(folder: str | Path) -> list[Path]:
    """Write every case's file into ``folder`` (prefixed by the case name), for manual tries."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for case in cases():
        path = folder / f"{case.name}__{case.filename}"
        path.write_bytes(case.raw)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_corpus(sys.argv[1] if len(sys.argv) > 1 else "corpus"):
        print(written)
