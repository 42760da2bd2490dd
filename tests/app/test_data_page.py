"""AppTest: the Data page's column profile reads in plain words, with a distribution per column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.samples import load_sample

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 120
HEADERS = [
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
]


def _profile_frame(at: AppTest) -> pd.DataFrame:
    for frame in at.dataframe:
        if list(frame.value.columns) == HEADERS:
            return frame.value
    raise AssertionError("no column profile on the Data page")


def _upload(at: AppTest, frame: pd.DataFrame, name: str = "people.csv") -> AppTest:
    raw = frame.to_csv(index=False).encode()
    at.file_uploader(key="upload").set_value((name, raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _people(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    titles = [
        f"{rng.choice(['Senior', 'Junior', 'Lead'])} {rng.choice(['Data', 'Sales', 'Legal'])} "
        f"{rng.choice(['Analyst', 'Engineer', 'Manager'])} {i}"
        for i in range(n)
    ]
    return pd.DataFrame(
        {
            "employee_code": [f"E{i:05d}" for i in range(n)],
            "job_title": titles,
            "age": rng.integers(20, 65, n),
            "hired": pd.date_range("2015-01-01", periods=n, freq="W").strftime("%Y-%m-%d"),
            "remote": rng.choice(["yes", "no"], n),
            "salary": np.where(rng.random(n) < 0.1, np.nan, rng.normal(50_000, 9_000, n).round()),
            "team": rng.choice(["red", "green", "blue"], n),
        }
    )


def test_the_profile_has_plain_headers_and_plain_kinds():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    frame = _profile_frame(at)
    assert list(frame["Column"]) == list(load_sample("iris").columns)
    assert set(frame["Kind"]) == {"number", "category"}
    assert set(frame["Used as a feature?"]) <= {"yes", "no"}
    # no programmer's words anywhere in the table
    text = " ".join(str(v) for v in frame.drop(columns=["Distribution"]).to_numpy().ravel())
    for word in ("float64", "int64", "object", "can_be_feature", "feature_reason", "True", "False"):
        assert word not in text


def test_every_column_has_its_distribution_and_missing_share():
    at = _upload(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), _people())
    frame = _profile_frame(at).set_index("Column")
    kinds = frame["Kind"].to_dict()
    assert kinds == {
        "employee_code": "identifier",
        "job_title": "free text",
        "age": "number",
        "hired": "date",
        "remote": "yes/no",
        "salary": "number",
        "team": "category",
    }
    people = _people()
    expected_ages = np.histogram(people["age"], bins=12)[0].tolist()
    assert list(frame.loc["age", "Distribution"]) == expected_ages
    teams = people["team"].value_counts()
    assert list(frame.loc["team", "Distribution"]) == teams.tolist()
    assert frame.loc["team", "Values"].startswith(f"{teams.index[0]} {teams.iloc[0]}")
    assert sum(frame.loc["hired", "Distribution"]) == len(people)
    assert list(frame.loc["employee_code", "Distribution"]) == []
    assert frame.loc["salary", "Missing"] == people["salary"].isna().mean()
    assert frame.loc["age", "Missing"] == 0
    # reasons are whole sentences, not cut off
    assert frame.loc["employee_code", "Why not"].endswith("carries over to new rows")


def test_the_likeliest_target_gets_a_class_balance_table():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    tables = [d for d in at.dataframe if list(d.value.columns) == ["Class", "Rows", "Share"]]
    assert len(tables) == 1
    shown = tables[0].value
    counts = load_sample("iris")["species"].value_counts()
    assert shown["Class"].tolist() == [str(v) for v in counts.index]
    assert shown["Rows"].tolist() == counts.tolist()
    np.testing.assert_allclose(shown["Share"], counts / counts.sum())
    # the first page draws no Plotly chart: a new browser need not load its script
    assert not at.get("plotly_chart")


def test_trains_left_out_columns_show_their_reasons_whole():
    at = _upload(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), _people())
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    lines = [str(t.value) for t in at.text]
    assert any(
        line.startswith("employee_code: it looks like an identifier")
        and line.endswith("carries over to new rows.")
        for line in lines
    ), lines
