"""Column profiles on hand-made frames: kinds, counts, feature and target choices with reasons."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard import profile as profile_module
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
    features = ["height", "age", "colour", "smoker", "flag01", "visit"]
    assert p.default_features("species") == features
    # free text is one click away (not a default when other columns are usable)
    assert p.optional_text_features("species") == ["review"]
    excluded = dict(p.excluded("species"))
    assert set(excluded) == {"row_id", "customer_id", "country", "nothing"}
    assert "identifier" in excluded["row_id"]
    assert p["visit"].turns_into.startswith("the year as a number")
    assert p["review"].turns_into.startswith("TF-IDF weights of its words")
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
    assert p.default_features("outcome") == ["when", "amount", "paid", "region"]


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


# ---------------------------------------------------------------------------------------------
# Free text or identifier


def _job_titles(n: int = 6000) -> list[str]:
    rng = np.random.default_rng(3)
    level = ["Senior", "Junior", "Lead", "Principal", "Assistant", "Chief", "Deputy", "Head"]
    field = ["Data", "Sales", "Marketing", "Software", "Research", "Finance", "Legal", "Support"]
    role = ["Analyst", "Engineer", "Manager", "Officer", "Scientist", "Designer", "Consultant"]
    town = [f"Region {chr(65 + i)}{j}" for i in range(26) for j in range(4)]
    return [
        f"{rng.choice(level)} {rng.choice(field)} {rng.choice(role)}"
        + (f", {rng.choice(town)}" if rng.random() < 0.9 else "")
        for _ in range(n)
    ]


def test_job_titles_with_thousands_of_values_are_free_text_not_an_identifier():
    titles = _job_titles()
    distinct = len(set(titles))
    assert 3000 < distinct < len(titles)  # many different values, but they repeat
    p = profile(pd.DataFrame({"job_title": pd.Series(titles, dtype="str")}))
    assert p["job_title"].kind == "text"
    assert "identifier" not in p["job_title"].feature_reason


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([f"C{i:05d}" for i in range(200)], "id"),  # short tokens with digits
        ([f"{i:032x}"[:8] + "-aaaa-4bbb-8ccc-" + f"{i:012x}" for i in range(200)], "id"),  # uuids
        (
            ["".join(chr(65 + (i // 26**k) % 26) for k in range(4)) for i in range(200)],
            "id",
        ),
        ([f"the {i}th comment about the weather today" for i in range(200)], "text"),
        ([f"Dr {chr(65 + i % 26)}{chr(97 + i // 26)} Smith" for i in range(200)], "text"),
    ],
    ids=["codes", "uuids", "same-length", "sentences", "names with spaces"],
)
def test_unique_text_is_an_identifier_only_when_it_looks_like_codes(values, expected):
    assert len(set(values)) == len(values)
    p = profile(pd.DataFrame({"value": pd.Series(values, dtype="str")}))
    assert p["value"].kind == expected


def test_kinds_have_plain_words():
    from dashboard.profile import KIND_WORDS

    assert set(KIND_WORDS) == set(KINDS)
    assert KIND_WORDS["numeric"] == "number" and KIND_WORDS["text"] == "free text"
    assert KIND_WORDS["id"] == "identifier" and KIND_WORDS["boolean"] == "yes/no"


# ---------------------------------------------------------------------------------------------
# Distributions


def test_numeric_histogram_is_numpy_histogram():
    from dashboard.profile import distributions

    frame = _frame()
    found = distributions(frame, profile(frame), bins=7)
    counts, edges = np.histogram(frame["height"].to_numpy(), bins=7)
    assert found["height"].shape == "histogram"
    assert found["height"].counts == tuple(counts.tolist())
    assert found["height"].labels[0].startswith(f"{edges[0]:.3g} to ")
    assert sum(found["height"].counts) == N


def test_categories_are_value_counts_most_frequent_first():
    from dashboard.profile import distributions

    frame = _frame()
    frame.loc[::7, "colour"] = None
    found = distributions(frame, profile(frame), top=2)
    expected = frame["colour"].value_counts()
    assert found["colour"].shape == "top"
    assert found["colour"].counts == tuple(expected.iloc[:2].tolist())
    assert found["colour"].labels == tuple(expected.index[:2])
    assert found["colour"].summary.endswith("and 1 more")
    assert set(found["smoker"].labels) == {"yes", "no"}


def test_dates_are_counted_over_equal_spans_of_time():
    from dashboard.profile import distributions

    frame = _frame()
    found = distributions(frame, profile(frame), bins=4)
    days = (frame["visit"] - frame["visit"].min()).dt.days.to_numpy()
    assert found["visit"].shape == "timeline"
    assert found["visit"].counts == tuple(np.histogram(days, bins=4)[0].tolist())
    assert found["visit"].labels[0].startswith("2024-01-01 to ")


def test_identifiers_and_empty_columns_have_no_distribution():
    from dashboard.profile import distributions

    frame = _frame()
    found = distributions(frame, profile(frame))
    assert found["row_id"].shape == found["nothing"].shape == "none"
    assert found["review"].shape == "histogram" and found["review"].summary.startswith("length:")


def test_distributions_look_at_a_sample_of_rows():
    from dashboard.profile import distributions

    rng = np.random.default_rng(2)
    n = 50_000
    frame = pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(["a", "b"], n)})
    found = distributions(frame, profile(frame), sample_rows=1000, random_state=4)
    assert found["x"].rows == found["c"].rows == 1000
    picked = np.sort(np.random.default_rng(4).choice(n, 1000, replace=False))
    assert found["x"].counts == tuple(np.histogram(frame["x"].to_numpy()[picked], bins=12)[0])


def test_text_read_as_dates_is_a_date_feature_with_a_timeline_and_its_malformed_cells_counted():
    from dashboard.profile import distributions

    days = pd.date_range("2020-01-01", periods=300, freq="D")
    when = pd.Series(days.strftime("%d/%m/%Y"), dtype="str")
    when.iloc[[5, 50, 77]] = "32/13/2020"  # 3 of 300 malformed: still dates
    frame = pd.DataFrame({"when": when, "y": ["a", "b"] * 150})
    p = profile(frame)
    assert p["when"].kind == "datetime" and p["when"].can_be_feature
    assert "3 malformed cells read as missing" in p["when"].turns_into
    shown = distributions(frame, p)["when"]
    assert shown.shape == "timeline" and sum(shown.counts) == 297
    assert shown.summary == "2020-01-01 to 2020-10-26"


def test_date_times_with_a_few_malformed_cells_are_dates_not_identifiers():
    stamps = pd.date_range("2021-03-01 08:00", periods=400, freq="37min")
    when = pd.Series(stamps.strftime("%Y-%m-%d %H:%M:%S"), dtype="str")
    when.iloc[[10, 200]] = ["2021-03-0x 10:00:00", "unknown"]  # these broke parsing
    p = profile(pd.DataFrame({"when": when, "y": ["a", "b"] * 200}))
    assert p["when"].kind == "datetime"
    assert "the time of day" in p["when"].turns_into
    assert "2 malformed cells read as missing" in p["when"].turns_into


def test_a_large_table_is_profiled_two_columns_at_a_time_in_its_own_order():
    rng = np.random.default_rng(0)
    n = 10_000
    frame = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(55)})
    frame["colour"] = rng.choice(["red", "green", "blue"], size=n)
    frame["code"] = rng.integers(0, 4, size=n)
    frame["id"] = np.arange(n)
    frame["when"] = pd.date_range("2024-01-01", periods=n, freq="h")
    assert frame.size >= profile_module.THREADED_PROFILE_CELLS
    result = profile(frame)
    assert [c.name for c in result.columns] == list(frame.columns)
    assert [c.unique for c in result.columns] == [int(frame[c].nunique()) for c in frame]
    kinds = {c.name: c.kind for c in result.columns}
    assert kinds["x0"] == "numeric" and kinds["colour"] == "categorical"
    assert kinds["id"] == "id" and kinds["when"] == "datetime"
