"""Count how often the loader parses a file: the work a slow-load regression would multiply."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pandas as pd
import pyarrow.csv as pacsv
import pytest

MAX_PARSES = 4
"""Parser calls one load may make: pyarrow on the sample, pyarrow on the file, one re-read
(a type widened or quote-aware blocks) and pandas' reader to name a bad line."""


@contextlib.contextmanager
def counted_parses() -> Iterator[list[str]]:
    """Within the block, every call of pyarrow's or pandas' CSV reader appends its name."""
    calls: list[str] = []
    arrow, pandas = pacsv.read_csv, pd.read_csv

    def arrow_counted(*args, **kwargs):
        calls.append("pyarrow")
        return arrow(*args, **kwargs)

    def pandas_counted(*args, **kwargs):
        calls.append("pandas")
        return pandas(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pacsv, "read_csv", arrow_counted)
        patch.setattr(pd, "read_csv", pandas_counted)
        yield calls
