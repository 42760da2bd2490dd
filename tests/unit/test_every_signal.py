"""Issue 13 end to end: dates, free text, odd numbers and a tiny class on the team's own tables.

Each table goes through ``training.train``, the command line (a subprocess), the exported
script (which must reproduce the app's best C, CV means and held-out accuracy) and the saved
model predicting a new file. References are built another way: plain scikit-learn pipelines,
the tables' own construction, counts written out by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline

from dashboard.data import load_csv
from dashboard.evaluation import explain_row
from dashboard.export.model_file import load_model, save_model
from dashboard.prediction import predict_table
from dashboard.profile import profile
from dashboard.summary import train_summary
from dashboard.training import TrainingConfig, train
from tests.signal_tables import (
    csv_of,
    new_rows,
    odd_numbers_csv,
    review_table,
    small_class_csv,
    ticket_table,
    weather_table,
)

ROOT = Path(__file__).resolve().parents[2]
GRID = (0.1, 1.0, 10.0)


def _train(raw: bytes, target: str, *, features=None, **options):
    loaded = load_csv(raw, name="data.csv")
    table_profile = profile(loaded.table)
    chosen = features or table_profile.default_features(target)
    config = TrainingConfig(target=target, features=tuple(chosen), c_grid=GRID, n_jobs=1, **options)
    model = train(
        loaded.table,
        config,
        data_sha256=loaded.sha256,
        table_profile=table_profile,
        infinite_values=dict(loaded.report.infinite_values),
    )
    return loaded, model


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _script(script: Path, data: Path) -> dict:
    done = subprocess.run(
        [sys.executable, str(script), str(data)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=script.parent,
        env={**os.environ, "PYTHONPATH": ""},  # the script needs no dashboard
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _same_run(printed: dict, app: dict) -> None:
    """The script (or the CLI) against the app: best C, CV means, held-out numbers."""
    assert printed["classes"] == app["classes"]
    assert printed["best_C"] == app["best_C"]
    assert [r["C"] for r in printed["cv"]] == [r["C"] for r in app["cv"]]
    for theirs, ours in zip(printed["cv"], app["cv"], strict=True):
        assert abs(theirs["mean_accuracy"] - ours["mean_accuracy"]) <= 1e-3
    assert printed["test"]["accuracy"] == app["test"]["accuracy"]
    assert printed["test"]["confusion_matrix"] == app["test"]["confusion_matrix"]
    assert (printed["n_train"], printed["n_test"]) == (app["n_train"], app["n_test"])
    assert printed["dropped_classes"] == app["dropped_classes"]


CASES = {
    # name: (CSV bytes, target, extra CLI arguments)
    "date": (lambda: csv_of(weather_table(n=500)), "weather", ()),
    "text only": (lambda: csv_of(review_table(n=300)), "score", ()),
    "text beside numbers": (
        lambda: csv_of(ticket_table(n=300)),
        "team",
        ("--features", "hours_waited,message"),
    ),
    "odd numbers": (odd_numbers_csv, "direction", ()),
    "a 5-row class": (small_class_csv, "kind", ()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_app_cli_script_and_saved_model_agree(case, tmp_path):
    make, target, extra = CASES[case]
    raw = make()
    data, fresh = tmp_path / "data.csv", tmp_path / "new.csv"
    data.write_bytes(raw)
    fresh.write_bytes(new_rows(raw, target))
    features = extra[1].split(",") if extra else None
    loaded, model = _train(raw, target, features=features)
    app = train_summary(model)

    args = ["train", str(data), "--target", target, "--C", ",".join(map(str, GRID))]
    args += ["--n-jobs", "1", "--save", "model.skops", "--script", "run.py", *extra]
    done = _cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    cli = json.loads(done.stdout)
    _same_run(cli, app)
    assert cli["warnings"] == app["warnings"]

    _same_run(_script(tmp_path / "run.py", data), app)

    predicted = _cli("predict", "model.skops", str(fresh), "--out", "out.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    out = pd.read_csv(tmp_path / "out.csv")
    mine = predict_table(model, load_csv(fresh.read_bytes()).table)
    columns = [f"probability_{c}" for c in model.classes]
    np.testing.assert_allclose(out[columns].to_numpy(), mine[columns].to_numpy(), atol=1e-9)
    assert out["predicted_class"].astype(str).tolist() == mine["predicted_class"].tolist()


# --------------------------------------------------------------------------------------------
# Each signal against a reference built another way


def test_a_date_column_is_a_feature_and_beats_the_table_without_it():
    raw = csv_of(weather_table(n=1200))
    loaded, with_date = _train(raw, "weather")
    assert with_date.date_columns == ("when",)
    p = profile(loaded.table)
    assert p["when"].kind == "datetime"
    assert p["when"].turns_into.startswith("the year as a number, the season")
    assert "12 malformed cells read as missing" in p["when"].turns_into
    _, without = _train(raw, "weather", features=["wind"])
    assert with_date.evaluation.accuracy >= without.evaluation.accuracy + 0.1
    # A saved model keeps the date branch and predicts the same probabilities.
    saved = load_model(save_model(with_date))
    assert saved.date_columns == ("when",)
    np.testing.assert_allclose(
        predict_table(saved, loaded.table)[[f"probability_{c}" for c in saved.classes]],
        predict_table(with_date, loaded.table)[[f"probability_{c}" for c in saved.classes]],
    )


def _plain_tfidf_accuracy(table: pd.DataFrame, text: str, target: str, seed: int = 0) -> float:
    """A notebook's pipeline: TfidfVectorizer + LogisticRegression over the same C grid."""
    X = table[text].fillna("")
    y = table[target].astype(str)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed
    )
    search = GridSearchCV(
        make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)),
        {"logisticregression__C": list(GRID)},
        cv=StratifiedKFold(5, shuffle=True, random_state=seed),
    ).fit(X_train, y_train)
    return float(search.score(X_test, y_test))


def test_reviews_whose_only_signal_is_text_train_by_default_and_match_a_plain_tfidf():
    table = review_table(n=600)
    loaded, model = _train(csv_of(table), "score")
    assert model.config.features == ("review",) and model.text_columns == ("review",)
    assert model.evaluation.accuracy >= _plain_tfidf_accuracy(table, "review", "score")
    assert model.evaluation.accuracy >= model.evaluation.baseline.accuracy + 0.15
    # Explain-a-row names the row's words that pushed each class.
    row = model.X_test.iloc[[0]]
    exp = explain_row(model.pipeline, row, feature_names=model.feature_names)
    words = exp.pushing_words(exp.predicted)
    assert words and all(term.startswith("review: ") for term, _ in words)
    text = str(row["review"].iloc[0]).lower()
    for term, push in words:
        assert push > 0
        if term.endswith("'") and "(characters)" not in term:  # a word: it is in the row
            assert term.split("'")[1] in text


def test_free_text_beside_numbers_is_one_click_away_and_carries_the_signal():
    table = ticket_table(n=400)
    p = profile(table)
    assert p.default_features("team") == ["hours_waited"]
    assert p.optional_text_features("team") == ["message"]
    assert "TF-IDF" in p["message"].turns_into
    raw = csv_of(table)
    _, numbers_only = _train(raw, "team")
    _, with_text = _train(raw, "team", features=["hours_waited", "message"])
    assert with_text.text_columns == ("message",)
    assert with_text.evaluation.accuracy >= numbers_only.evaluation.accuracy + 0.3


def test_infinite_and_overflowing_values_are_missing_and_named_in_warnings(tmp_path):
    raw = odd_numbers_csv()
    data = tmp_path / "odd.csv"
    data.write_bytes(raw)
    done = _cli("train", str(data), "--target", "direction", "--n-jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    found = {
        w["column"]: w["message"]
        for w in json.loads(done.stdout)["warnings"]
        if w["kind"] == "non_finite"
    }
    # inf, -inf, Infinity, -Infinity, 1e309, -1e309 in 'size'; one inf in 'huge' (1e308 and
    # the largest double are finite, subnormals too).
    assert set(found) == {"size", "huge"}
    assert "6 infinite" in found["size"] and "1 infinite" in found["huge"]


def test_infinite_values_in_a_frame_never_reach_the_solver():
    rng = np.random.default_rng(3)
    n = 200
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "x": x,
            "odd": np.where(np.arange(n) % 17 == 0, np.inf, rng.normal(size=n) * 1e300),
            "tiny": rng.normal(size=n) * 5e-324,
            "y": np.where(x > 0, "a", "b"),
        }
    )
    frame.loc[3, "odd"] = -np.inf
    model = train(frame, TrainingConfig(target="y", features=("x", "odd", "tiny"), c_grid=GRID))
    (warning,) = [w for w in model.warnings if w.kind == "non_finite"]
    assert warning.column == "odd"
    assert f"{int(np.isinf(frame['odd']).sum())} infinite" in warning.message
    assert np.isfinite(model.test_proba).all()


def test_a_five_row_class_is_left_out_by_default_and_refusing_stays_a_choice(tmp_path):
    raw = small_class_csv()
    _, model = _train(raw, "kind")
    assert model.dropped_class_rows == (("bus", 5),)
    assert "bus" not in model.classes
    assert any("Class 'bus' (5 rows) was left out" in note for note in model.notes)
    data = tmp_path / "cars.csv"
    data.write_bytes(raw)
    done = _cli("train", str(data), "--target", "kind", "--n-jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["dropped_classes"] == [{"class": "bus", "rows": 5}]
    refused = _cli(
        "train", str(data), "--target", "kind", "--small-classes", "refuse", cwd=tmp_path
    )
    assert refused.returncode == 2
    assert "'bus' (5 rows)" in refused.stderr and "Traceback" not in refused.stderr
