"""Column profiles on hand-made frames: kinds, counts, feature and target choices with reasons."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard.data import load_csv
from dashboard.limits import Limits
from dashboard.profile import KINDS, ColumnProfile, TableProfile, profile

N = 60


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "row_id": np.arange(1, N + 1),
            "customer_id": [f"C{i:04d}" for i in range(N)],
            "height": rng.normal(170, 10, N).round(1),
            "age": rng.integers(18, 80, N),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], N), dtype="str"),
            "smoker": rng.choice([True, False], N),
            "flag01": rng.integers(0, 2, N),
            "visit": pd.date_range("2024-01-01", periods=N, freq="D"),
            "review": [
                f"I visited on day {i} and the staff were friendly and quick" for i in range(N)
            ],
            "country": ["NL"] * N,
            "nothing": [np.nan] * N,
            "species": pd.Series(rng.choice(["setosa", "versicolor", "virginica"], N), dtype="str"),
        }
    )


def test_kinds_on_a_hand_made_frame():
    p = profile(_frame())
    kinds = {c.name: c.kind for c in p.columns}
    assert kinds == {
        "row_id": "id",
        "customer_id": "id",
        "height": "numeric",
        "age": "numeric",
        "colour": "categorical",
        "smoker": "boolean",
        "flag01": "boolean",
        "visit": "datetime",
        "review": "text",
        "country": "constant",
        "nothing": "empty",
        "species": "categorical",
    }
    assert set(kinds.values()) <= set(KINDS)


def test_counts_are_missing_and_distinct_values():
    frame = pd.DataFrame({"x": [1.0, np.nan, 1.0, 2.0, np.nan], "s": ["a", None, "b", "b", "a"]})
    p = profile(frame)
    assert (p["x"].missing, p["x"].unique) == (2, 2)
    assert (p["s"].missing, p["s"].unique) == (1, 2)
    assert p.rows == 5


def test_features_and_exclusions_with_reasons():
    p = profile(_frame())
    assert p.default_features("species") == ["height", "age", "colour", "smoker", "flag01"]
    excluded = dict(p.excluded("species"))
    assert set(excluded) == {"row_id", "customer_id", "visit", "review", "country", "nothing"}
    assert "identifier" in excluded["row_id"]
    assert "dates are not used as raw features" in excluded["visit"]
    assert "free text" in excluded["review"]
    assert "same value on every row" in excluded["country"]
    assert "no values" in excluded["nothing"]
    # the target is neither a feature nor "excluded"
    assert "species" not in p.default_features("species")
    assert "species" not in excluded


def test_target_candidates_and_reasons():
    p = profile(_frame())
    assert p.target_candidates() == ["colour", "smoker", "flag01", "species"]
    assert "measurement" in p["height"].target_reason
    assert "different numbers" in p["age"].target_reason or "measurement" in p["age"].target_reason
    assert "only one value" in p["country"].target_reason
    assert p["review"].can_be_target is False


def test_too_many_classes_for_a_target():
    labels = [f"class_{i % 60}" for i in range(600)]
    p = profile(pd.DataFrame({"x": range(600), "label": pd.Series(labels, dtype="str")}))
    assert p["label"].kind == "categorical"
    assert not p["label"].can_be_target
    assert "more than the limit of 50 classes" in p["label"].target_reason
    relaxed = profile(
        pd.DataFrame({"label": pd.Series(labels, dtype="str")}), limits=Limits(max_classes=100)
    )
    assert relaxed["label"].can_be_target


def test_small_integer_column_can_be_a_target():
    p = profile(pd.DataFrame({"f": np.linspace(0, 1, 30), "quality": [3, 4, 5, 6, 7, 8] * 5}))
    assert p["quality"].kind == "numeric"
    assert p["quality"].can_be_target
    assert p.likeliest_target() == "quality"


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({"a": ["x", "y"] * 10, "target": ["p", "q"] * 10, "b": ["u", "v"] * 10}, "target"),
        ({"Species": ["x", "y"] * 10, "colour": ["r", "g"] * 10}, "Species"),
        ({"colour": ["r", "g"] * 10, "size": ["s", "m"] * 10}, "size"),  # the last categorical
        ({"label": ["a"] * 20, "kind": ["x", "y"] * 10}, "kind"),  # a constant cannot be the target
        ({"value": np.linspace(0, 1, 20)}, None),
    ],
)
def test_likeliest_target(columns, expected):
    assert profile(pd.DataFrame(columns)).likeliest_target() == expected


def test_records_are_json_ready_and_lookup_works():
    p = profile(_frame())
    records = p.as_records()
    json.dumps(records)
    assert records[0]["name"] == "row_id"
    assert set(records[0]) == set(ColumnProfile.__dataclass_fields__)
    assert isinstance(p, TableProfile)
    assert p["colour"].dtype == "str"
    assert "colour" in p
    with pytest.raises(KeyError):
        p["missing"]


def test_examples_are_short_text():
    long = "x" * 100
    p = profile(pd.DataFrame({"s": [long, "b", "c", "d"] * 3}))
    assert p["s"].examples.startswith("x" * 10)
    assert len(p["s"].examples) < 80


def test_profile_of_a_loaded_file_end_to_end():
    raw = (
        "id,when,amount,paid,region,comment,outcome\n"
        + "".join(
            f'{i},2024-01-{i % 28 + 1:02d},"${i * 10:,}",{"yes" if i % 2 else "no"},'
            f"{'NA' if i % 3 else 'EU'},This is a longer free text comment number {i},"
            f"{'win' if i % 4 else 'loss'}\n"
            for i in range(1, 41)
        )
    ).encode()
    table = load_csv(raw).table
    p = profile(table)
    assert {c.name: c.kind for c in p.columns} == {
        "id": "id",
        "when": "datetime",
        "amount": "numeric",
        "paid": "boolean",
        "region": "categorical",
        "comment": "text",
        "outcome": "categorical",
    }
    assert p["region"].unique == 2  # "NA" is a region here, not a missing value
    assert p.likeliest_target() == "outcome"
    assert p.default_features("outcome") == ["amount", "paid", "region"]


def test_a_million_rows_profile_quickly(monkeypatch):
    # "Quickly" counted in work, not seconds: the per-value string measures (length, words)
    # look at a sample of at most 5,000 values, never at every one of a million rows.
    from pandas.core.strings.accessor import StringMethods

    measured: list[int] = []
    for method in ("len", "count"):
        original = getattr(StringMethods, method)

        def counting(self, *args, _original=original, **kwargs):
            measured.append(len(self._data))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(StringMethods, method, counting)
    rng = np.random.default_rng(1)
    n = 1_000_000
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "c": pd.Series(rng.choice(["a", "b", "c"], n), dtype="str"),
            "i": np.arange(n),
        }
    )
    p = profile(frame)
    assert measured and max(measured) <= 5000
    assert [c.kind for c in p.columns] == ["numeric", "categorical", "id"]
