"""Bytes to a typed table: encoding, separator, decimal mark, header, limits, and the load report.

The loader works in two steps. Everything that has to be *guessed* (what kind of file this
is, its encoding, separator, decimal mark, where the header is) is decided on a sample of
the first 64 KB. The whole file is then parsed once, by pyarrow's multi-threaded CSV reader
(pandas' C parser takes over when pyarrow refuses a file, to name the line that is wrong or
to skip bad lines), and only the text columns whose sample looks like numbers, yes/no values
or dates get one vectorised pass each (thousands separators, currency and percent signs,
missing-value markers). Whether the whole file is valid UTF-8 is checked by the parser itself;
only when it is not do we look at the whole file's bytes.

Missing values follow one rule, so that a real label such as ``NA`` (North America) is never
lost: in a column of text, only empty cells are missing. Tokens such as ``NA``, ``n/a``,
``-``, ``?`` or ``null`` count as missing only in a column whose other values are all
numbers, booleans or dates.

Every such word and pattern, and the function that types a text column, live in
:mod:`dashboard.rules`, which the exported script carries too: the loader holds no copy.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import re
import threading
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS, Limits
from dashboard.rules import (
    FALSE_WORDS,
    NUMBER_DECORATION,
    NUMBER_WITH_DECIMAL_COMMA,
    NUMBER_WITH_DECIMAL_POINT,
    SEP_LINE,
    TRUE_WORDS,
    case_variants,
    clean_names,
    csv_reader,
    escaped_quote_pattern,
    looks_numeric,
    missing_mask,
    number_regex,
    other_decimal,
    repeated_header_rows,
    type_text_column,
)

__all__ = [
    "LoadOptions",
    "LoadReport",
    "LoadedTable",
    "load_csv",
    "table_from_frame",
]

SAMPLE_BYTES = 64 * 1024
"""How much of the file the detection steps look at."""

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
"""The separators we detect, with their names in plain words."""

_SHOW_LINES = 10

_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "Upload the data as a CSV file instead."),
    (b"\xff\xd8\xff", "a JPEG image", "Upload the data as a CSV file instead."),
    (b"GIF87a", "a GIF image", "Upload the data as a CSV file instead."),
    (b"GIF89a", "a GIF image", "Upload the data as a CSV file instead."),
    (b"%PDF-", "a PDF document", "Export the table from its source as CSV instead."),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an Excel file (old .xls format)",
        "In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file.",
    ),
    (b"PAR1", "a Parquet file", "Save the table as CSV and upload that file."),
    (b"SQLite format 3\x00", "an SQLite database", "Export the table as CSV and upload that."),
    (b"BZh", "a bzip2 archive", "Unpack it and upload the CSV file inside."),
    (b"\xfd7zXZ\x00", "an xz archive", "Unpack it and upload the CSV file inside."),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Unpack it and upload the CSV file inside."),
    (b"Rar!\x1a\x07", "a RAR archive", "Unpack it and upload the CSV file inside."),
    (b"\x7fELF", "a program", "Upload a CSV file."),
    (b"MZ\x90\x00", "a program", "Upload a CSV file."),
)
_GZIP = b"\x1f\x8b"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_EXCEL_HINT = "In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file."


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, kw_only=True)
class LoadOptions:
    """What the user chose on the Data page; ``None`` means "detect it".

    Parameters
    ----------
    encoding : str, optional
        A Python codec name such as ``"utf-8"``, ``"cp1252"`` or ``"latin-1"``.
    delimiter : str, optional
        The separator between values, one character (``","``, ``";"``, ``"\\t"``, ``"|"``).
    decimal : str, optional
        The decimal mark, ``"."`` or ``","``.
    header_row : int, optional
        The 0-based line that holds the column names; ``-1`` means the file has no header.
    skip_bad_lines : bool
        Skip lines with more values than the header instead of refusing the file.
    """

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    header_row: int | None = None
    skip_bad_lines: bool = False


@dataclass(frozen=True, kw_only=True)
class LoadReport:
    """What the loader found and did, for the Data page and the CLI.

    ``header_row`` is the 0-based line of the column names, or ``None`` when the file has no
    header row (the columns are then called ``column_1``, ``column_2``, ...). Line numbers in
    ``skipped_lines`` are 1-based, as a text editor shows them.
    """

    encoding: str
    delimiter: str
    decimal: str
    header_row: int | None
    rows: int
    columns: int
    rows_skipped: int = 0
    skipped_lines: tuple[int, ...] = ()
    renamed_columns: tuple[tuple[str, str], ...] = ()
    dropped_columns: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    header_detected: bool = True
    """False when the first line looked like data, so the columns got generic names (a warning
    says so); True otherwise, including when the user chose "no header"."""
    title_lines: int = 0
    """Lines above the header that were skipped (a title, notes, blank lines)."""
    converted_columns: tuple[tuple[str, str], ...] = ()
    """(column, what was done) for columns we typed ourselves, e.g. ('price', 'currency signs removed')."""
    infinite_values: tuple[tuple[str, int], ...] = ()
    """(column, count) of infinite or overflowing numbers (inf, Infinity, 1e309) read as missing;
    training names them in its "non_finite" warnings."""

    def sentences(self) -> list[str]:
        """The report in plain words, one sentence per finding.

        Examples
        --------
        >>> r = LoadReport(encoding="utf-8", delimiter=";", decimal=",", header_row=0,
        ...                rows=3, columns=2)
        >>> r.sentences()[:2]
        ['Read 3 rows and 2 columns.', 'Text encoding: utf-8; separator: semicolon; decimal mark: comma.']
        """
        rows = f"{self.rows:,} row" + ("" if self.rows == 1 else "s")
        columns = f"{self.columns:,} column" + ("" if self.columns == 1 else "s")
        out = [f"Read {rows} and {columns}."]
        sep = DELIMITERS.get(self.delimiter, repr(self.delimiter))
        mark = "comma" if self.decimal == "," else "point"
        out.append(f"Text encoding: {self.encoding}; separator: {sep}; decimal mark: {mark}.")
        if self.header_row is None and self.header_detected:
            out.append("No header row, as chosen: the columns are called column_1, column_2, ...")
        elif self.header_row is not None and not self.title_lines:
            out.append(f"Column names: line {self.header_row + 1}.")
        if self.rows_skipped:
            lines = ", ".join(str(n) for n in self.skipped_lines[:_SHOW_LINES])
            more = " and more" if self.rows_skipped > _SHOW_LINES else ""
            out.append(
                f"Skipped {self.rows_skipped:,} line(s) with too many values: line {lines}{more}."
            )
        for old, new in self.renamed_columns:
            shown = f"'{old}'" if old.strip() else "a column without a name"
            out.append(f"Renamed {shown} to '{new}'.")
        for name, reason in self.dropped_columns:
            out.append(f"Left out column '{name}': {reason}.")
        for name, what in self.converted_columns:
            out.append(f"Column '{name}': {what}.")
        out.extend(self.warnings)
        return out

    def as_dict(self) -> dict:
        """The report as plain JSON-able values.

        Examples
        --------
        >>> LoadReport(encoding="utf-8", delimiter=",", decimal=".", header_row=0, rows=1,
        ...            columns=1).as_dict()["delimiter"]
        ','
        """
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "header_row": self.header_row,
            "header_detected": self.header_detected,
            "title_lines": self.title_lines,
            "rows": self.rows,
            "columns": self.columns,
            "rows_skipped": self.rows_skipped,
            "skipped_lines": list(self.skipped_lines),
            "renamed_columns": [list(p) for p in self.renamed_columns],
            "dropped_columns": [list(p) for p in self.dropped_columns],
            "converted_columns": [list(p) for p in self.converted_columns],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, kw_only=True)
class LoadedTable:
    """A parsed table with its load report."""

    table: pd.DataFrame
    report: LoadReport
    name: str
    sha256: str


# --------------------------------------------------------------------------- public entry points


def load_csv(
    raw: bytes,
    *,
    name: str = "data.csv",
    options: LoadOptions | None = None,
    limits: Limits = LIMITS,
) -> LoadedTable:
    """Read an uploaded CSV file into a typed table, or say in plain words what is wrong.

    Parameters
    ----------
    raw : bytes
        The file's bytes, as uploaded.
    name : str
        The file name, for display only.
    options : LoadOptions, optional
        The user's overrides; anything left ``None`` is detected.
    limits : Limits
        Size limits (bytes, unpacked bytes, rows, columns).

    Returns
    -------
    LoadedTable

    Raises
    ------
    SoftmaxLabError
        When the file is not a readable table, with what is wrong, where and what to do.

    Examples
    --------
    >>> loaded = load_csv(b"size;colour;price\\n1,5;red;\\xe2\\x82\\xac 3,20\\n2;blue;NA\\n")
    >>> loaded.table.dtypes.astype(str).tolist()
    ['float64', 'str', 'float64']
    >>> loaded.table["price"].tolist()
    [3.2, nan]
    >>> loaded.report.delimiter, loaded.report.decimal
    (';', ',')
    """
    options = options or LoadOptions()
    if not isinstance(raw, bytes):
        if not isinstance(raw, bytearray | memoryview):
            raise TypeError("raw must be bytes")
        raw = bytes(raw)
    _check_options(options)
    _check_size(len(raw), limits.max_upload_bytes, "The file")
    digest = _Digest(raw)
    notes: list[str] = []
    data = _unpack(raw, limits=limits, notes=notes)
    table, report = _load(data, options=options, limits=limits, notes=notes)
    sha256 = digest.hexdigest()
    return LoadedTable(table=table, report=report, name=name, sha256=sha256)


def table_from_frame(frame: pd.DataFrame, *, name: str) -> LoadedTable:
    """Wrap a ready DataFrame (a bundled sample) as if it had been loaded from a file.

    Column names are made unique, non-blank text; the fingerprint is that of the frame's
    CSV form, so the same sample always has the same fingerprint.

    Examples
    --------
    >>> t = table_from_frame(pd.DataFrame({"a": [1, 2], " ": ["x", "y"]}), name="demo")
    >>> list(t.table.columns), t.report.rows
    (['a', 'column_2'], 2)
    """
    names, renamed = clean_names([str(c) for c in frame.columns])
    table = frame.copy()
    table.columns = names
    table = table.reset_index(drop=True)
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes()
        + "\x1f".join(names).encode("utf-8")
    ).hexdigest()
    report = LoadReport(
        encoding="utf-8",
        delimiter=",",
        decimal=".",
        header_row=0,
        rows=len(table),
        columns=table.shape[1],
        renamed_columns=tuple(renamed),
    )
    return LoadedTable(table=table, report=report, name=name, sha256=digest)


# --------------------------------------------------------------------------- step 1: what file is this


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _check_size(n: int, limit: int, what: str) -> None:
    if n > limit:
        raise SoftmaxLabError(
            f"{what} is {_mb(n)}, more than the limit of {_mb(limit)}",
            hint="Upload a smaller file, for example a sample of the rows.",
        )


def _check_options(options: LoadOptions) -> None:
    if options.delimiter is not None and (
        len(options.delimiter) != 1 or options.delimiter in '\r\n"' or options.delimiter.isalnum()
    ):
        raise SoftmaxLabError(
            f"{options.delimiter!r} cannot be a separator",
            where="separator",
            hint="Choose one character such as a comma, a semicolon, a tab or a pipe (|).",
        )
    if options.decimal is not None and options.decimal not in (".", ","):
        raise SoftmaxLabError(
            f"{options.decimal!r} cannot be a decimal mark",
            where="decimal mark",
            hint="Choose a point (.) or a comma (,).",
        )
    if options.delimiter is not None and options.delimiter == options.decimal:
        raise SoftmaxLabError(
            "The separator and the decimal mark cannot be the same character",
            where="separator",
            hint="Choose a semicolon as the separator when the decimal mark is a comma.",
        )
    if options.header_row is not None and options.header_row < -1:
        raise SoftmaxLabError(
            "The header line must be a line number, or 'no header'",
            where="header row",
            hint="Choose the line that holds the column names.",
        )


class _Digest:
    """SHA-256 of the upload, computed in a thread beside the parse for big files."""

    def __init__(self, raw: bytes):
        self._value: str | None = None
        self._thread: threading.Thread | None = None
        if len(raw) < (4 << 20):
            self._value = hashlib.sha256(raw).hexdigest()
        else:
            self._thread = threading.Thread(target=self._run, args=(raw,), daemon=True)
            self._thread.start()

    def _run(self, raw: bytes) -> None:
        self._value = hashlib.sha256(raw).hexdigest()

    def hexdigest(self) -> str:
        if self._thread is not None:
            self._thread.join()
        assert self._value is not None
        return self._value


def _unpack(raw: bytes, *, limits: Limits, notes: list[str]) -> bytes:
    """Refuse what is not a CSV by its first bytes; unpack gzip within the size cap."""
    if not raw:
        raise SoftmaxLabError("The file is empty", hint="Upload a CSV file that contains a table.")
    for depth in range(3):
        if raw.startswith(_GZIP):
            if depth == 2:
                break
            raw = _gunzip(raw, limits=limits)
            notes.append("The file was compressed (gzip) and has been unpacked.")
            if not raw:
                raise SoftmaxLabError(
                    "The compressed file is empty inside",
                    hint="Upload a CSV file that contains a table.",
                )
            continue
        if raw.startswith(_ZIP):
            raise _zip_error(raw)
        for magic, what, hint in _MAGIC:
            if raw.startswith(magic):
                raise SoftmaxLabError(f"This is {what}, not a CSV file", hint=hint)
        return raw
    raise SoftmaxLabError(
        "The file is compressed several times over", hint="Unpack it and upload the CSV inside."
    )


def _gunzip(raw: bytes, *, limits: Limits) -> bytes:
    """Decompress gzip (every member) in bounded steps, so a decompression bomb fails fast."""
    cap = limits.max_unpacked_bytes
    too_big = SoftmaxLabError(
        f"The compressed file unpacks to more than {_mb(cap)}",
        hint="Upload a smaller file, for example a sample of the rows.",
    )
    # A one-part gzip file records its unpacked size at its end (modulo 4 GB). Deflate packs at
    # most about 1032:1, so a bigger figure is not a size but a damaged or truncated file.
    recorded = int.from_bytes(raw[-4:], "little") if len(raw) >= 18 else 0
    if cap < recorded <= 1032 * len(raw):
        raise too_big
    out = bytearray()
    data = raw
    try:
        while data:
            inflater = zlib.decompressobj(wbits=31)
            while data:
                out += inflater.decompress(data, 1 << 20)
                if len(out) > cap:
                    raise too_big
                data = inflater.unconsumed_tail
                if inflater.eof:
                    break
            if not inflater.eof:
                raise zlib.error("truncated")
            data = inflater.unused_data  # a file can hold several gzip members, one after another
            if data and not data.startswith(_GZIP):
                break  # trailing padding after the last member
    except zlib.error:
        raise SoftmaxLabError(
            "The file looks compressed (gzip) but is damaged or incomplete",
            hint="Unpack it yourself and upload the CSV file inside.",
        ) from None
    return bytes(out)


def _zip_error(raw: bytes) -> SoftmaxLabError:
    try:
        names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        names = []
    if any(n.startswith("xl/") for n in names):
        return SoftmaxLabError("This is an Excel file, not a CSV file", hint=_EXCEL_HINT)
    if "content.xml" in names:
        return SoftmaxLabError(
            "This is an OpenDocument spreadsheet, not a CSV file",
            hint="In your spreadsheet program choose Save As > CSV (UTF-8) and upload that file.",
        )
    if any(n.startswith("word/") for n in names):
        return SoftmaxLabError(
            "This is a Word document, not a CSV file", hint="Upload the table as a CSV file."
        )
    return SoftmaxLabError(
        "This is a zip archive, not a CSV file", hint="Unzip it and upload the CSV file inside."
    )


# --------------------------------------------------------------------------- step 2: encoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_NOT_UTF8_HINT = (
    "Re-save it as UTF-8 (in Excel: File > Save As > 'CSV UTF-8'), or choose its encoding on "
    "the Data page."
)


class _NotUtf8(Exception):
    """The parser met bytes that are not UTF-8 beyond the sample we checked."""


def _line_of(data: bytes | str, pos: int) -> int:
    """1-based line number of a position (counting \\n, or \\r in files that only use \\r)."""
    nl, cr = (b"\n", b"\r") if isinstance(data, bytes) else ("\n", "\r")
    line = data.count(nl, 0, pos) + 1
    if line == 1 and cr in data[:pos]:
        line = data.count(cr, 0, pos) + 1
    return line


def _lines_list(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:_SHOW_LINES])
    return shown + (" and more" if len(lines) > _SHOW_LINES else "")


def _valid_utf8(raw: bytes) -> int | None:
    """None when ``raw`` is valid UTF-8, else the position of the first bad byte."""
    if raw.isascii():
        return None
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    step = 1 << 20
    for start in range(0, len(raw), step):
        try:
            decoder.decode(raw[start : start + step], final=start + step >= len(raw))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return None


def _decode(data: bytes, *, options: LoadOptions, notes: list[str]) -> tuple[bytes, str, bool]:
    """The file as UTF-8 bytes, the name of its encoding, and whether UTF-8 is only assumed.

    UTF-8 is *assumed* when the sample is valid UTF-8: the parser checks the rest, and a
    failure there brings us back to ``_decode_whole``.
    """
    if options.encoding:
        return _decode_as(data, options.encoding), options.encoding, False
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            if codec == "utf-8":
                return data, label, True  # both parsers skip a UTF-8 BOM themselves
            return _decode_as(data[len(bom) :], codec, label=label), label, False
    head = data[:SAMPLE_BYTES]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16:
            return _decode_as(data, utf16, label="UTF-16"), "UTF-16", False
    if b"\x00" in data:
        data = _remove_nul(data, notes)
        head = data[:SAMPLE_BYTES]
    _refuse_binary(head)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4 or len(data) <= SAMPLE_BYTES:
            return (*_decode_whole(data, notes), False)
    return data, "utf-8", True


def _remove_nul(data: bytes, notes: list[str]) -> bytes:
    count = data.count(b"\x00")
    positions = [m.start() for m in itertools.islice(re.finditer(b"\x00", data), 200)]
    lines = sorted({_line_of(data, p) for p in positions})
    data = data.replace(b"\x00", b"")
    notes.append(
        f"Removed {count:,} NUL byte(s) (invisible characters that some old exports leave), "
        f"on line {_lines_list(lines)}."
    )
    if not data.strip():
        raise SoftmaxLabError(
            "The file contains no text, only invisible NUL bytes",
            hint="Upload a CSV file that contains a table.",
        )
    return data


def _utf16_without_bom(head: bytes) -> str | None:
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _refuse_binary(head: bytes) -> None:
    if not head:
        return
    control = len(head) - len(head.translate(None, bytes(range(32))))
    control -= head.count(b"\t") + head.count(b"\n") + head.count(b"\r") + head.count(b"\x0c")
    if control > max(2, 0.05 * len(head)):
        raise SoftmaxLabError(
            "This file does not look like text; it may be an image, a program or a damaged file",
            hint="Upload a CSV file (a table saved as text, values separated by commas).",
        )


def _decode_as(raw: bytes, codec: str, *, label: str | None = None) -> bytes:
    label = label or codec
    try:
        codecs.lookup(codec)
    except LookupError:
        raise SoftmaxLabError(
            f"'{codec}' is not a text encoding we know",
            where="encoding",
            hint="Choose one such as utf-8, cp1252 or latin-1.",
        ) from None
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise SoftmaxLabError(
            f"The file cannot be read as {label}",
            where=f"line {_line_of(raw, exc.start)}",
            hint="Choose another encoding on the Data page, or re-save the file as UTF-8.",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.encode("utf-8")


def _decode_whole(data: bytes, notes: list[str]) -> tuple[bytes, str]:
    """UTF-8 with a few stray bytes (replaced, with the lines named), or a legacy encoding."""
    if data.startswith(codecs.BOM_UTF8):
        return _replace_bad_bytes(data[3:], notes), "UTF-8 with BOM"
    nonascii = len(data.translate(None, bytes(range(128))))  # ASCII bytes deleted
    good = _UTF8_SEQ.findall(data)
    stray = nonascii - sum(len(s) for s in good)
    if good and stray <= max(3, len(good) // 20):
        return _replace_bad_bytes(data, notes), "utf-8"
    return _decode_legacy(data, notes)


def _replace_bad_bytes(raw: bytes, notes: list[str]) -> bytes:
    text = raw.decode("utf-8", errors="replace")
    positions = [m.start() for m in itertools.islice(re.finditer("\ufffd", text), 1000)]
    count = text.count("\ufffd")
    lines = sorted({_line_of(text, p) for p in positions})
    notes.append(
        f"{count:,} byte(s) that are not valid UTF-8 were replaced by '\ufffd', "
        f"on line {_lines_list(lines)}. Check those values, or re-save the file as UTF-8."
    )
    return text.encode("utf-8")


def _latin_script(text: str) -> bool:
    letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return bool(letters) and latin >= 0.8 * len(letters)


def _western(sample: bytes) -> bool:
    """True when the bytes read as cp1252 give Western text: accents between plain letters.

    Text in another script decoded as cp1252 gives runs of accented letters; Western text has
    mostly isolated ones ("José", "Zürich"). Short samples fool the statistical detector,
    which is why this check is made as well.
    """
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    nonascii = sum(1 for ch in text if ord(ch) > 127)
    in_runs = sum(len(run) for run in re.findall(r"[^\x00-\x7f]{2,}", text))
    return nonascii > 0 and in_runs <= 0.4 * nonascii


def _decode_legacy(raw: bytes, notes: list[str]) -> tuple[bytes, str]:
    """Detect a legacy encoding with charset-normalizer on the lines that need it."""
    from charset_normalizer import from_bytes

    lines = [line for line in raw[: 1 << 24].splitlines() if not line.isascii()]
    sample = b"\n".join(lines)[:SAMPLE_BYTES]
    best = from_bytes(sample).best() if sample else None
    if best is None:
        raise SoftmaxLabError(
            "This file is not UTF-8 and we cannot tell its encoding",
            where=f"line {_line_of(raw, _valid_utf8(raw) or 0)}",
            hint=_NOT_UTF8_HINT,
        )
    codec = best.encoding
    # On Latin-script text the detector cannot tell cp1252 from cp1250 or latin-1 (their scores
    # tie); Windows' Western cp1252 is by far the most common, so it wins such ties. Central
    # European files may need their encoding chosen on the Data page (the report says so).
    if codec != "cp1252" and (
        _latin_script(sample.decode(codec, errors="replace")) or _western(sample)
    ):
        try:
            sample.decode("cp1252")
            codec = "cp1252"
        except UnicodeDecodeError:
            pass
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        text, codec = raw.decode("latin-1"), "latin-1"
    if "\x00" in text or sum(1 for ch in text[:SAMPLE_BYTES] if ch == "\ufffd") > 10:
        raise SoftmaxLabError("This file is not UTF-8", hint=_NOT_UTF8_HINT)
    notes.append(
        f"The file is not UTF-8; it was read as {codec}. If accents or symbols look wrong, "
        "choose another encoding on the Data page."
    )
    return text.encode("utf-8"), codec


# --------------------------------------------------------------------------- step 3: dialect


@dataclass
class _Dialect:
    delimiter: str = ","
    decimal: str = "."
    escapechar: str | None = None
    skip_records: int = 0  # records (lines, but a quoted value may span lines) above the header
    skip_lines: int = 0  # physical lines above the first data line (header included)
    header: bool = True
    names: list[str] = field(default_factory=list)
    title_lines: int = 0
    sep_line: bool = False
    header_guessed_missing: bool = False
    codes: set[int] = field(default_factory=set)  # columns of digits with leading zeros


def _sample_text(data: bytes) -> str:
    """The first SAMPLE_BYTES of the file as text, cut at a line end.

    When the first line alone is longer (a header of thousands of columns), the sample runs
    to the end of that line, up to 64 times as far.
    """
    cut = data[:SAMPLE_BYTES]
    if len(data) > SAMPLE_BYTES:
        end = max(cut.rfind(b"\n"), cut.rfind(b"\r"))
        if end <= 0:
            longer = data[: 64 * SAMPLE_BYTES]
            end = max(longer.find(b"\n", SAMPLE_BYTES), longer.find(b"\r", SAMPLE_BYTES))
            cut = longer
        if end > 0:
            cut = cut[: end + 1]
    text = cut.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def _records(
    text: str, delimiter: str, escapechar: str | None, limit: int = 400
) -> tuple[list[list[str]], list[int]]:
    """Up to ``limit`` records and, for each, the physical line it ends on."""
    reader = csv_reader(text, delimiter, escapechar)
    out: list[list[str]] = []
    ends: list[int] = []
    try:
        for rec in reader:
            out.append(rec)
            ends.append(reader.line_num)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out, ends


def _is_blank(rec: list[str]) -> bool:
    return not rec or all(not c.strip() for c in rec)


def _sniff_delimiter(text: str, escapechar: str | None) -> str:
    """The separator that splits the sample's lines into the most consistent number of values.

    Ties go to tab, semicolon and pipe before comma: a comma is also a decimal mark.
    """
    best, best_score = ",", (-1.0, 0)
    for order, delim in enumerate(("\t", ";", "|", ",")):
        if delim not in text:
            continue
        recs = [r for r in _records(text, delim, escapechar, limit=200)[0] if not _is_blank(r)]
        if len(recs) > 2:
            recs = recs[:-1]  # the last record may be cut by the sample
        counts = [len(r) for r in recs]
        if not counts:
            continue
        tail = counts[len(counts) // 5 :] or counts
        mode = Counter(tail).most_common(1)[0][0]
        if mode < 2:
            continue
        consistency = sum(c == mode for c in counts) / len(counts)
        score = (round(consistency, 2), -order)
        if score > best_score:
            best, best_score = delim, score
    return best


def _sniff_decimal(records: list[list[str]], delimiter: str) -> str:
    if delimiter == ",":
        return "."
    dots = commas = 0
    for rec in records[1:]:
        for cell in rec:
            cell = cell.strip()
            if NUMBER_WITH_DECIMAL_COMMA.fullmatch(cell):
                commas += 1
            elif NUMBER_WITH_DECIMAL_POINT.fullmatch(cell):
                dots += 1
    return "," if commas > dots else "."


def _detect_dialect(data: bytes, options: LoadOptions, notes: list[str]) -> _Dialect:
    text = _sample_text(data)
    d = _Dialect()
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    sep_line = SEP_LINE.fullmatch(first_line)
    offset = 0
    if sep_line:
        d.delimiter = sep_line.group(1)
        d.sep_line = True
        offset = 1
        text = text[len(first_line) :]
        text = text[2:] if text.startswith("\r\n") else text[1:]
    # Backslash escapes only on the file's evidence: a value that merely ends in a backslash
    # ("C:\\temp\\") must not turn them on, or rows merge and columns shift.
    # A backslash alone is found with memchr, ten times faster than the pair on big files.
    if (
        b"\\" in data
        and b'\\"' in data
        and re.search(escaped_quote_pattern(options.delimiter or d.delimiter).encode("utf-8"), data)
    ):
        d.escapechar = "\\"
        notes.append('Quotes written as \\" inside values were read as quote characters.')
    if options.delimiter:
        d.delimiter = options.delimiter
    elif not sep_line:
        d.delimiter = _sniff_delimiter(text, d.escapechar)
    records, ends = _records(text, d.delimiter, d.escapechar)
    if not records or all(_is_blank(r) for r in records):
        raise SoftmaxLabError(
            "The file contains only blank lines", hint="Upload a CSV file that contains a table."
        )
    d.decimal = options.decimal or _sniff_decimal(records, d.delimiter)

    start = _header_start(records, options, offset, d, notes)
    header = records[start]
    data_records = _first_data_records(records, start, header, options, d, notes)
    d.skip_records = offset + start
    lines_before = ends[start - 1] if start else 0
    d.skip_lines = offset + (ends[start] if d.header else lines_before)
    # A trailing separator on the data lines (not on the header) adds one value per line:
    # widen the header only when most lines agree, so a single ragged line is still reported.
    widths = Counter(len(r) for r in data_records)
    ncols = len(header)
    if widths:
        common, count = widths.most_common(1)[0]
        if (common > ncols and count >= 0.8 * len(data_records)) or not d.header:
            ncols = max(ncols, common)
        # ... and a trailing separator on the header only adds a blank name: drop it.
        while d.header and ncols > max(1, common) and not header[ncols - 1].strip():
            ncols -= 1
            header = header[:ncols]
    d.codes = {
        j
        for r in data_records[:100]
        for j, cell in enumerate(r)
        if len(cell) > 1 and cell[0] == "0" and cell.isdigit()
    }
    if d.header:
        d.names = list(header) + [""] * (ncols - len(header))
    else:
        d.names = [""] * ncols
    return d


def _header_start(
    records: list[list[str]], options: LoadOptions, offset: int, d: _Dialect, notes: list[str]
) -> int:
    """The index of the header record: the user's choice, or the first after any title lines.

    Title lines above the header have clearly fewer values than the rows.
    """
    body = [len(r) for r in records[len(records) // 5 :] if not _is_blank(r)] or [len(records[0])]
    width = Counter(body).most_common(1)[0][0]
    if options.header_row is not None and options.header_row >= 0:
        start = options.header_row - offset
        if not 0 <= start < len(records):
            raise SoftmaxLabError(
                f"Line {options.header_row + 1} cannot be the header",
                where="header row",
                hint="Choose a line near the top of the file that holds the column names.",
            )
        return start
    if options.header_row is not None:  # -1: no header, the table starts on the first line
        return 0
    start = 0
    while start < len(records) - 1 and _is_title(records[start], width):
        start += 1
    if start:
        d.title_lines = start
        notes.append(
            f"The first {start} line(s) look like a title, not the table; the column names "
            f"were read from line {start + offset + 1}. Choose another header line on the "
            "Data page if that is wrong."
        )
    return start


def _first_data_records(
    records: list[list[str]],
    start: int,
    header: list[str],
    options: LoadOptions,
    d: _Dialect,
    notes: list[str],
) -> list[list[str]]:
    """Up to 200 non-blank data records; sets ``d.header`` (guessed when not chosen)."""
    data_records = [r for r in records[start + 1 :] if not _is_blank(r)][:200]
    if options.header_row is None:
        d.header = not _header_is_data(header, data_records)
        if not d.header:
            d.header_guessed_missing = True
            notes.append(
                "The first line looks like data, not column names, so the columns are called "
                "column_1, column_2, ... Choose the header line on the Data page if that is wrong."
            )
    else:
        d.header = options.header_row >= 0
    if not d.header:
        data_records = [r for r in records[start:] if not _is_blank(r)][:200]
    return data_records


def _is_title(rec: list[str], width: int) -> bool:
    """A line above the table: blank, or clearly fewer values than the table's rows.

    A header that lacks only the data lines' trailing separator (one value short) is not a title;
    a line starting with ``#`` is (a comment).
    """
    filled = sum(1 for c in rec if c.strip())
    if filled and rec[0].lstrip().startswith("#"):
        return True  # a comment line
    return filled == 0 or (len(rec) < width and (filled <= 1 or filled < width - 1))


def _header_is_data(header: list[str], rows: list[list[str]]) -> bool:
    """True when the first line looks like a row of data: numbers where the columns hold numbers."""
    if not rows:
        return False
    votes_data = votes_header = 0
    for j, cell in enumerate(header):
        column = [r[j] for r in rows if j < len(r) and r[j].strip()]
        if not column or not all(looks_numeric(c) for c in column):
            continue
        if not cell.strip():
            continue
        if looks_numeric(cell):
            votes_data += 1
        else:
            votes_header += 1
    return votes_data > 0 and votes_header == 0


# --------------------------------------------------------------------------- step 5: parse


_PANDAS_LINE = re.compile(r"line (\d+)")
_PANDAS_ROW = re.compile(r"row (\d+)")
_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_SKIP_WARNING = re.compile(r"Skipping line (\d+)")
_ARROW_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error")
_ARROW_SHORT = re.compile(r"Expected (\d+) columns, got (\d+): ?(.*)", re.DOTALL)
_ARROW_TRUE = case_variants(TRUE_WORDS)
_ARROW_FALSE = case_variants(FALSE_WORDS)


def _load(
    data: bytes, *, options: LoadOptions, limits: Limits, notes: list[str]
) -> tuple[pd.DataFrame, LoadReport]:
    before = list(notes)
    text_data, encoding, assumed = _decode(data, options=options, notes=notes)
    try:
        return _parse(text_data, encoding=encoding, options=options, limits=limits, notes=notes)
    except _NotUtf8:
        if not assumed:  # pragma: no cover - we decoded it ourselves
            raise
    notes[:] = before
    del text_data
    text_data, encoding = _decode_whole(data, notes)
    return _parse(text_data, encoding=encoding, options=options, limits=limits, notes=notes)


def _physical_lines(data: bytes, d: _Dialect, records: list[int]) -> list[int]:
    """Map pandas' 1-based record numbers to 1-based line numbers as an editor shows them."""
    if not records or b'"' not in data:
        return records  # no quoted line breaks: records are lines
    wanted = sorted(set(records))
    text = data.decode("utf-8", errors="replace")
    reader = csv_reader(text, d.delimiter, d.escapechar)
    mapping: dict[int, int] = {}
    previous_end = 0
    it = iter(wanted)
    target = next(it)
    try:
        for number, _rec in enumerate(reader, start=1):
            if number == target:
                mapping[number] = previous_end + 1
                target = next(it, None)
                if target is None:
                    break
            previous_end = reader.line_num
    except csv.Error:
        if target is not None:
            mapping[target] = previous_end + 1
    return [mapping.get(r, r) for r in records]


def _parse(
    data: bytes, *, encoding: str, options: LoadOptions, limits: Limits, notes: list[str]
) -> tuple[pd.DataFrame, LoadReport]:
    head = data[:SAMPLE_BYTES]
    if not head.strip() and (len(data) <= SAMPLE_BYTES or data.isspace()):
        raise SoftmaxLabError(
            "The file contains only blank lines or spaces",
            hint="Upload a CSV file that contains a table.",
        )
    _refuse_markup(head.lstrip(codecs.BOM_UTF8).lstrip())
    d = _detect_dialect(data, options, notes)
    if len(d.names) > limits.max_columns:
        raise SoftmaxLabError(
            f"The file has {len(d.names):,} columns, more than the limit of {limits.max_columns:,}",
            hint="Keep only the columns you need, then upload the file again.",
        )
    frame: pd.DataFrame | None = None
    skipped: list[int] = []
    refusal: list[str] = []
    if not options.skip_bad_lines and not _too_many_rows(data, limits):
        frame = _read_arrow(data, d, refusal)
    if frame is None:
        frame, skipped = _read_pandas(data, d, options, limits, notes)
        short = _ARROW_SHORT.search(refusal[0]) if refusal else None
        if short and int(short.group(2)) < int(short.group(1)) and short.group(3).strip():
            example = short.group(3).strip()[:60]
            notes.append(
                "Some lines have fewer values than the header (for example "
                f"'{example}'); their missing values are left empty."
            )
    if len(frame) > limits.max_rows:
        raise SoftmaxLabError(
            f"The file has more than {limits.max_rows:,} rows",
            hint="Upload a sample of the rows (for example the first million).",
        )
    if len(frame) == 0:
        raise SoftmaxLabError(
            "The file has column names but no rows of data"
            if d.header
            else "The file has no rows of data",
            hint="Upload a file with at least one row below the column names.",
        )
    lines = _physical_lines(data, d, skipped)
    if d.escapechar:
        _note_plain_count(data, d, len(frame) + len(skipped), notes)

    original = [str(n) for n in d.names]
    frame, renamed, dropped = _name_columns(frame, original, header=d.header)
    if d.header:
        frame = _drop_repeated_headers(frame, original, notes)
    converted: list[tuple[str, str]] = []
    infinite: list[tuple[str, int]] = []
    frame = _type_columns(
        frame, decimal=d.decimal, converted=converted, notes=notes, found=infinite
    )
    if frame.shape[1] == 1 and len(frame) > 1 and not options.delimiter:
        other = _other_separator(data)
        if other:
            notes.append(
                f"Only one column was found, but every line contains {other!r}. If that "
                "separates the values, choose it as the separator on the Data page."
            )
    report = LoadReport(
        encoding=encoding,
        delimiter=d.delimiter,
        decimal=d.decimal,
        header_row=(d.skip_records if d.header else None),
        header_detected=not d.header_guessed_missing,
        title_lines=d.title_lines,
        rows=len(frame),
        columns=frame.shape[1],
        rows_skipped=len(skipped),
        skipped_lines=tuple(lines),
        renamed_columns=tuple(renamed),
        dropped_columns=tuple(dropped),
        converted_columns=tuple(converted),
        infinite_values=tuple(infinite),
        warnings=tuple(notes),
    )
    return frame, report


def _plain_count(data: bytes, d: _Dialect) -> int | None:
    """Rows of a plain RFC 4180 reading (quotes doubled, no escape character), as pandas counts
    them by default (blank lines skipped); None when Python's reader gives up on the file."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace", newline="")
    reader = csv.reader(text, delimiter=d.delimiter, quotechar='"', doublequote=True, strict=False)
    skip = d.skip_records + (1 if d.header else 0)
    count = 0
    try:
        for number, record in enumerate(reader):
            if number >= skip and record and not (len(record) == 1 and record[0].isspace()):
                count += 1
    except csv.Error:
        return None
    return count


def _note_plain_count(data: bytes, d: _Dialect, rows: int, notes: list[str]) -> None:
    """Say so when reading backslash escapes gives another number of rows than a plain reading."""
    plain = _plain_count(data, d)
    if plain is not None and plain != rows:
        notes.append(
            f'Reading \\" as an escaped quote gives {rows:,} rows; a plain CSV reading (a quote '
            f"inside a value doubled, as RFC 4180 and pandas' defaults read it) gives {plain:,}. "
            "Check the values with quotes and backslashes."
        )


def _name_columns(
    frame: pd.DataFrame, original: list[str], *, header: bool
) -> tuple[pd.DataFrame, list[tuple[str, str]], list[tuple[str, str]]]:
    """Clean column names, and drop the empty nameless last columns a trailing separator makes.

    Returns the frame, the renames (none when the file has no header) and the dropped columns.
    """
    names, renamed = clean_names(original)
    if not header:
        renamed = []
    frame.columns = names
    dropped: list[tuple[str, str]] = []
    while frame.shape[1] > 1 and not original[frame.shape[1] - 1].strip():
        last = frame.columns[-1]
        if frame[last].notna().any():
            break
        frame = frame.drop(columns=[last])
        renamed = [p for p in renamed if p[1] != last]
        dropped.append((last, "it was empty (a separator at the end of each line)"))
    return frame, renamed, dropped


def _drop_repeated_headers(
    frame: pd.DataFrame, header: list[str], notes: list[str]
) -> pd.DataFrame:
    """Leave out rows that repeat the column names (files pasted one after another)."""
    repeated = repeated_header_rows(frame, header)
    if repeated is None:
        return frame
    count = int(repeated.sum())
    lines = (np.flatnonzero(repeated) + 1)[:_SHOW_LINES].tolist()
    notes.append(
        f"Left out {count:,} row(s) that repeat the column names (data rows "
        f"{_lines_list(lines)}); the file may be several files pasted together."
    )
    return frame[~repeated].reset_index(drop=True)


def _other_separator(data: bytes) -> str | None:
    """A character other than , ; tab | found on every one of the first lines, if any."""
    lines = [line for line in _sample_text(data).splitlines()[:50] if line.strip()]
    if len(lines) < 2:
        return None
    for candidate in (":", "~", "^", "#", " ", "/"):
        if all(candidate in line.strip() for line in lines):
            return candidate
    return None


def _too_many_rows(data: bytes, limits: Limits) -> bool:
    """Whether the file likely holds more rows than allowed, judged by its first 64 KB.

    Such files go to pandas, which stops reading after the limit; the others are counted
    after parsing.
    """
    head = data[:SAMPLE_BYTES]
    newline = b"\n" if b"\n" in head else b"\r"
    per_line = len(head) / max(1, head.count(newline))
    return len(data) / per_line > limits.max_rows


class _ArrowReader:
    """pyarrow's CSV reader set up for one file and its dialect.

    Quoted line breaks are parsed either way; ``newlines`` only makes the splitting into
    blocks quote-aware, which costs a third more time. A line break inside quotes that falls
    on a block boundary makes short rows, which fail the read: the file is then read again
    with the flag. Only a one-column file could split without failing, so it gets the flag at
    once.
    """

    def __init__(self, data: bytes, d: _Dialect):
        import pyarrow.csv as pacsv

        self.data = data
        self.dialect = d
        self.names = [f"c{i}" for i in range(len(d.names))]
        self.quoted = b'"' in data
        self.newlines = self.quoted and len(self.names) == 1
        # Blocks of len/8 (1 to 16 MB): enough to keep two cores busy, few enough chunks per
        # column that handing the columns to pandas costs little.
        block = min(16 << 20, max(1 << 20, len(data) // 8))
        self.read_options = pacsv.ReadOptions(
            skip_rows=d.skip_lines, column_names=self.names, block_size=block
        )

    def parse_options(self):
        import pyarrow.csv as pacsv

        return pacsv.ParseOptions(
            delimiter=self.dialect.delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=self.dialect.escapechar or False,
            newlines_in_values=self.newlines,
            ignore_empty_lines=True,
        )

    def convert_options(self, types: dict | None = None):
        import pyarrow.csv as pacsv

        return pacsv.ConvertOptions(
            column_types=types or {},
            null_values=[""],
            true_values=_ARROW_TRUE,
            false_values=_ARROW_FALSE,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            decimal_point=self.dialect.decimal,
            check_utf8=True,
        )

    def first_types(self) -> dict | None:
        """The types inferred on the sample, with code columns (leading zeros) kept as text."""
        import pyarrow as pa

        types = _sample_types(
            self.data, self.read_options, self.parse_options(), self.convert_options()
        )
        if self.dialect.codes:
            # Codes such as ZIP codes ("00501") would lose their leading zeros as numbers.
            codes = {
                self.names[j]: pa.large_string() for j in self.dialect.codes if j < len(self.names)
            }
            types = (types or {}) | codes
        return types

    def read(self, types: dict | None):
        import pyarrow as pa
        import pyarrow.csv as pacsv

        return pacsv.read_csv(
            pa.py_buffer(self.data),
            read_options=self.read_options,
            parse_options=self.parse_options(),
            convert_options=self.convert_options(types),
        )

    def read_widening(self, refusal: list[str]):
        """The parsed table, widening a column's type each time a later value does not fit.

        A value that does not fit the sample's type (``NA`` in a column of numbers) widens
        that column (integer, then decimal, then text) and the file is read again. None when
        pyarrow refuses the file (its reason is appended to ``refusal``).
        """
        import pyarrow as pa

        types = self.first_types()
        for _attempt in range(len(self.names) + 3):
            try:
                return self.read(types)
            except pa.ArrowInvalid as exc:
                message = str(exc)
                if "invalid UTF8" in message:
                    raise _NotUtf8() from None
                wrong = _ARROW_CONVERSION.search(message)
                if wrong is None and self.quoted and not self.newlines:
                    self.newlines = True
                    continue
                if types is None or wrong is None:
                    refusal.append(message)
                    return None
                name = self.names[int(wrong.group(1))]
                types[name] = _wider(types.get(name))
            except (pa.ArrowException, OverflowError, ValueError) as exc:
                refusal.append(str(exc))
                return None
        refusal.append("too many type changes")
        return None


def _wider(kind):
    """The next type to try for a column whose values did not fit ``kind``."""
    import pyarrow as pa

    return pa.float64() if kind is not None and pa.types.is_integer(kind) else pa.large_string()


def _read_arrow(data: bytes, d: _Dialect, refusal: list[str]) -> pd.DataFrame | None:
    """Parse with pyarrow (multi-threaded); None when it refuses, so pandas can say why.

    The reason pyarrow gave is appended to ``refusal``. On big files the column types are
    first inferred on the sample and given to the reader: it then converts each block as it
    goes instead of keeping every parsed block until the types are known, which takes about
    a third less memory and time.
    """
    reader = _ArrowReader(data, d)
    table = reader.read_widening(refusal)
    if table is None:
        return None
    if table.num_rows and reader.quoted and _ends_inside_quotes(table):
        refusal.append("unclosed quote")
        return None
    table, nullable_bools = _settle_arrow_types(table)
    return _arrow_to_pandas(table, nullable_bools)


def _settle_arrow_types(table):
    """Empty columns as numbers, times as text, and the boolean columns with missing values.

    Raises _NotUtf8 for a column pyarrow kept as bytes (they are not valid UTF-8).
    """
    import pyarrow as pa

    nullable_bools = []
    for i, column in enumerate(table.columns):
        kind = column.type
        name = table.column_names[i]
        if pa.types.is_null(kind):
            table = table.set_column(i, name, column.cast(pa.float64()))
        elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            raise _NotUtf8()
        elif pa.types.is_time(kind):
            table = table.set_column(i, name, column.cast(pa.large_string()))
        elif pa.types.is_boolean(kind) and column.null_count:
            nullable_bools.append(name)
    return table, nullable_bools


def _arrow_to_pandas(table, nullable_bools: list[str]) -> pd.DataFrame:
    """The Arrow table as a DataFrame with columns 0, 1, ...; the table is used up."""
    # self_destruct frees each Arrow column once converted: the table must hold the only refs.
    frame = table.to_pandas(
        types_mapper=_STRING_TYPES.get,
        date_as_object=False,
        split_blocks=True,
        self_destruct=True,
    )
    del table
    for name in nullable_bools:
        frame[name] = frame[name].astype("boolean")
    frame.columns = list(range(frame.shape[1]))
    return frame


def _sample_types(data: bytes, read, parse, convert) -> dict | None:
    """Column types pyarrow infers on the first 64 KB (None when the sample cannot tell)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    head = data[:SAMPLE_BYTES]
    end = head.rfind(b"\n")
    if end <= 0:
        return None
    try:
        sample = pacsv.read_csv(
            pa.py_buffer(head[: end + 1]),
            read_options=pacsv.ReadOptions(
                skip_rows=read.skip_rows, column_names=read.column_names, use_threads=False
            ),
            parse_options=parse,
            convert_options=convert,
        )
    except (pa.ArrowException, ValueError):
        return None
    types = {}
    for field_ in sample.schema:
        kind = field_.type
        if pa.types.is_null(kind):
            continue  # empty in the sample: let the reader decide
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            return None
        if pa.types.is_timestamp(kind):
            kind = pa.timestamp("ns", tz=kind.tz)  # later values may carry fractions of seconds
        # Text stays pyarrow's small string: asking for large strings here saves ~0.04 s in the
        # hand-over to pandas but raises the peak memory by 8% (past 2x the table at 1M rows).
        types[field_.name] = kind
    return types


def _string_types() -> dict:
    import pyarrow as pa

    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return {pa.string(): dtype, pa.large_string(): dtype}


_STRING_TYPES = _string_types()


def _ends_inside_quotes(table) -> bool:
    """An unclosed quote makes pyarrow swallow the rest of the file into the last value."""
    import pyarrow as pa

    last = table.slice(table.num_rows - 1)
    for column in last.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            value = column[0].as_py()
            if value and ("\n" in value or "\r" in value):
                return True
    return False


def _read_pandas(
    data: bytes, d: _Dialect, options: LoadOptions, limits: Limits, notes: list[str]
) -> tuple[pd.DataFrame, list[int]]:
    """Parse with pandas' C parser: it names the line that is wrong, and can skip bad lines."""
    skipped: list[int] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = pd.read_csv(
                io.BytesIO(data),
                sep=d.delimiter,
                decimal=d.decimal,
                quotechar='"',
                escapechar=d.escapechar,
                header=None,
                names=list(range(len(d.names))),
                skiprows=d.skip_records + (1 if d.header else 0),
                index_col=False,
                keep_default_na=False,
                na_values=[""],
                true_values=_ARROW_TRUE,
                false_values=_ARROW_FALSE,
                skip_blank_lines=True,
                nrows=limits.max_rows + 1,
                encoding="utf-8",
                engine="c",
                low_memory=False,
                on_bad_lines="warn" if options.skip_bad_lines else "error",
            )
        for w in caught:
            skipped += [int(n) for n in _SKIP_WARNING.findall(str(w.message))]
    except pd.errors.ParserError as exc:
        raise _parser_error(str(exc), data, d) from None
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame(columns=list(range(len(d.names))))
    except UnicodeDecodeError:
        raise _NotUtf8() from None
    except (ValueError, OverflowError) as exc:
        raise SoftmaxLabError(
            "The file could not be read as a table",
            hint=f"Check that it is a CSV file. (Details: {str(exc)[:120]})",
        ) from None
    for j in frame.columns:
        if frame[j].dtype == object:
            frame[j] = frame[j].astype("str")
    return frame, skipped


def _refuse_markup(head: bytes) -> None:
    lower = head[:512].lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        lower.startswith(b"<") and b"<html" in lower
    ):
        raise SoftmaxLabError(
            "This is a web page (HTML), not a CSV file",
            hint="Download the CSV file itself rather than the page that links to it.",
        )
    if lower.startswith(b"<?xml") or re.match(rb"<[a-z!?][^>]*>", lower):
        raise SoftmaxLabError(
            "This is an XML or markup file, not a CSV file",
            hint="Export the table as CSV and upload that file.",
        )
    if head.startswith(b"{") or re.match(rb"\[\s*[\[{\"\]\d-]", head):
        try:
            json.loads(head.decode("utf-8", errors="replace").strip())
            is_json = True
        except ValueError:
            is_json = head.startswith((b"{", b"[{", b"[[", b'["'))
        if is_json:
            raise SoftmaxLabError(
                "This is a JSON file, not a CSV file",
                hint="Convert it to CSV (one row per record, one column per field) and upload that.",
            )


def _parser_error(message: str, data: bytes, d: _Dialect) -> SoftmaxLabError:
    fields = _PANDAS_FIELDS.search(message)
    if fields:
        expected, record, saw = (int(x) for x in fields.groups())
        line = _physical_lines(data, d, [record])[0]
        return SoftmaxLabError(
            f"This line has {saw} values but the header names {expected} columns",
            where=f"line {line}",
            hint=(
                "Fix that line (a separator inside a value needs quotes around the value), "
                "or tick 'skip bad lines' on the Data page to leave such lines out."
            ),
        )
    if "EOF inside string" in message:
        row = _PANDAS_ROW.search(message)
        record = int(row.group(1)) + 1 if row else 1
        line = _physical_lines(data, d, [record])[0]
        return SoftmaxLabError(
            'A quote (") opens a value that is never closed',
            where=f"line {line}",
            hint="Add the missing closing quote on that line, or remove the stray quote.",
        )
    line = _PANDAS_LINE.search(message)
    return SoftmaxLabError(
        "The file could not be read as a table",
        where=f"line {line.group(1)}" if line else None,
        hint="Check the separator and quotes on that line, or choose the separator on the Data page.",
    )


# --------------------------------------------------------------------------- step 6: types


def _type_columns(
    frame: pd.DataFrame,
    *,
    decimal: str,
    converted: list[tuple[str, str]],
    notes: list[str],
    found: list[tuple[str, int]],
) -> pd.DataFrame:
    """Give text columns that hold numbers, booleans or dates their type; drop infinities."""
    new: dict[str, pd.Series] = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column.dtype):
            infinite = np.isinf(column.to_numpy())
            if infinite.any():
                new[name] = column.where(~infinite)
                converted.append(
                    (name, f"{int(infinite.sum()):,} infinite value(s) read as missing")
                )
                found.append((name, int(infinite.sum())))
            continue
        if not pd.api.types.is_string_dtype(column.dtype) or isinstance(
            column.dtype, pd.CategoricalDtype
        ):
            continue
        if column.dtype != "str":
            column = column.astype("str")
        # The same function types the columns in the exported script (dashboard.rules).
        typed, kind, what = type_text_column(column, decimal)
        if typed is not None:
            new[name] = typed
            if what:
                converted.append((name, what))
        else:
            if kind == "number":
                _note_mostly_numbers(column, name, decimal, notes)
            if column is not frame[name]:
                new[name] = column
    if new:
        frame = frame.assign(**new)
    return frame


def _note_mostly_numbers(column: pd.Series, name: str, decimal: str, notes: list[str]) -> None:
    """Warn that a column of numbers holds a few values that are not, so it stays text."""
    present = column.str.strip()
    cleaned = present.str.replace(NUMBER_DECORATION, "", regex=True).str.strip()
    ok = cleaned.str.contains(number_regex(decimal), regex=True) | cleaned.str.contains(
        number_regex(other_decimal(decimal)), regex=True
    )
    bad = ~(ok.to_numpy(dtype=bool, na_value=True) | missing_mask(column))
    count = int(bad.sum())
    if not count:
        return
    examples = ", ".join(f"'{v}'" for v in pd.unique(present[bad])[:3].tolist())
    first_row = int(np.flatnonzero(bad)[0]) + 1
    notes.append(
        f"Column '{name}' holds numbers except {count:,} value(s) such as {examples} "
        f"(first in data row {first_row}), so it is read as text. Empty those cells, or make "
        "them numbers, to use the column as numbers."
    )
