"""The command line, run as a user runs it: ``python -m dashboard ...`` in a subprocess."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dashboard import cli

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

PROFILE_KEYS = {"rows", "columns", "load_report"}
COLUMN_KEYS = {"name", "kind", "missing", "unique", "feature", "target", "turns_into"}
TRAIN_KEYS = {
    "classes",
    "best_C",
    "cv",
    "test",
    "baseline",
    "warnings",
    "dropped_classes",
    "n_train",
    "n_test",
    "seconds",
}
CV_KEYS = {"C", "mean_accuracy", "std_accuracy"}
TEST_KEYS = {
    "accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "log_loss",
    "confusion_matrix",
    "accuracy_interval",
}
BASELINE_KEYS = {"accuracy", "log_loss", "class"}
WARNING_KEYS = {"kind", "column", "message"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PYTHON), "-m", "dashboard", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def run_in_process(*args: str) -> subprocess.CompletedProcess:
    """The same command through ``cli.main`` in this process (no interpreter start-up)."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([str(a) for a in args], out=out, err=err)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def assert_user_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory) -> Path:
    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    path = tmp_path_factory.mktemp("data") / "iris.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, iris_csv):
    out = tmp_path_factory.mktemp("out")
    done = run(
        "train",
        iris_csv,
        "--target",
        "species",
        "--C",
        "0.01,0.1,1,10",
        "--cv",
        "4",
        "--test-size",
        "0.3",
        "--seed",
        "3",
        "--n-jobs",
        "1",
        "--save",
        out / "model.skops",
        "--script",
        out / "run.py",
        "--report",
        out / "report.html",
    )
    return done, out


def test_profile_prints_the_contract_keys(iris_csv):
    done = run("profile", iris_csv)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == PROFILE_KEYS
    assert payload["rows"] == 150
    assert [c["name"] for c in payload["columns"]][-1] == "species"
    for column in payload["columns"]:
        assert set(column) == COLUMN_KEYS
        assert isinstance(column["feature"], bool) and isinstance(column["target"], bool)
    assert payload["load_report"]["delimiter"] == ","


def test_train_prints_the_contract_keys_and_scikit_learns_numbers(trained, iris_csv):
    done, out = trained
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == TRAIN_KEYS
    assert all(set(row) == CV_KEYS for row in payload["cv"])
    assert set(payload["test"]) == TEST_KEYS
    assert set(payload["baseline"]) == BASELINE_KEYS
    assert all(set(w) == WARNING_KEYS for w in payload["warnings"])
    assert not [w for w in payload["warnings"] if w["kind"] == "leak"]  # iris has no leak
    assert payload["classes"] == ["setosa", "versicolor", "virginica"]
    assert payload["n_train"] + payload["n_test"] == 150
    # Reference: GridSearchCV on the same split and folds.
    frame = pd.read_csv(iris_csv)
    X, y = frame.drop(columns="species"), frame["species"].to_numpy()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=3
    )
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        {"logisticregression__C": [0.01, 0.1, 1, 10]},
        cv=StratifiedKFold(n_splits=4, shuffle=True, random_state=3),
    ).fit(X_train, y_train)
    assert payload["best_C"] == search.best_params_["logisticregression__C"]
    np.testing.assert_allclose(
        [row["mean_accuracy"] for row in payload["cv"]],
        search.cv_results_["mean_test_score"],
        atol=1e-3,
    )
    assert payload["test"]["accuracy"] == pytest.approx(
        accuracy_score(y_test, search.predict(X_test))
    )


def test_train_reports_progress_on_stderr_one_line_per_fit(trained):
    done, _ = trained
    lines = [line for line in done.stderr.splitlines() if line.startswith("[")]
    # 4 C values x 4 folds, 4 coefficient-path fits, the final refit.
    assert len(lines) >= 16
    assert any("Fold" in line and "C = " in line for line in lines)
    assert all("elapsed" in line for line in lines)
    assert any("left" in line for line in lines)


def test_train_writes_model_script_and_report(trained, iris_csv, tmp_path):
    done, out = trained
    assert done.returncode == 0
    assert (out / "model.skops").read_bytes().startswith(b"PK\x03\x04")
    assert "GridSearchCV" in (out / "run.py").read_text()
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    script = subprocess.run(
        [str(PYTHON), str(out / "run.py"), str(iris_csv)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert script.returncode == 0, script.stderr
    printed, app = json.loads(script.stdout), json.loads(done.stdout)
    assert set(printed) == set(app)
    assert printed["best_C"] == app["best_C"]
    assert printed["test"]["accuracy"] == app["test"]["accuracy"]


def test_predict_prints_predictions_or_writes_a_safe_csv(trained, iris_csv, tmp_path):
    _, out = trained
    done = run("predict", out / "model.skops", iris_csv)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"rows", "predictions"}
    assert payload["rows"] == 150 == len(payload["predictions"])
    first = payload["predictions"][0]
    assert set(first) == {"predicted_class", "probabilities"}
    assert sum(first["probabilities"].values()) == pytest.approx(1.0)

    target = tmp_path / "predictions.csv"
    done = run("predict", out / "model.skops", iris_csv, "--out", target)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"rows": 150, "out": str(target)}
    back = pd.read_csv(target)
    assert back.shape == (150, 5 + 1 + 3)
    assert pd.api.types.is_float_dtype(back["probability_setosa"])
    assert (back["predicted_class"] == back["species"]).mean() > 0.9


def test_missing_file(tmp_path):
    assert_user_error(run("profile", tmp_path / "nope.csv"), "There is no CSV file", "nope.csv")


def test_folder_instead_of_file(tmp_path):
    assert_user_error(run_in_process("profile", tmp_path), "folder")


def test_bad_target(iris_csv):
    assert_user_error(
        run_in_process("train", iris_csv, "--target", "colour"),
        "no column named 'colour'",
        "--target",
    )


def test_bad_feature(iris_csv):
    assert_user_error(
        run_in_process(
            "train", iris_csv, "--target", "species", "--features", "petal width (cm),wings"
        ),
        "'wings'",
    )


def test_non_csv_files(tmp_path):
    png = tmp_path / "picture.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_user_error(run_in_process("profile", png), "PNG")
    binary = tmp_path / "random.csv"
    binary.write_bytes(np.random.default_rng(0).integers(0, 32, 4000, dtype=np.uint8).tobytes())
    assert_user_error(run_in_process("profile", binary))


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["train"],
        ["train", "x.csv"],
        ["train", "x.csv", "--target", "y", "--cv", "five"],
        ["train", "x.csv", "--target", "y", "--class-weight", "heavy"],
        ["predict", "model.skops"],
    ],
)
def test_bad_arguments_give_one_error_line_and_exit_2(args):
    err = io.StringIO()
    out = io.StringIO()
    assert cli.main(args, out=out, err=err) == 2
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err.getvalue()


def test_bad_arguments_from_the_shell():
    assert_user_error(run("train", "x.csv", "--target", "y", "--cv", "five"), "--cv")


def test_bad_settings_are_user_errors(iris_csv):
    assert_user_error(
        run_in_process("train", iris_csv, "--target", "species", "--C", "0.1,-1"), "C"
    )
    assert_user_error(
        run_in_process("train", iris_csv, "--target", "species", "--cv", "1"), "folds"
    )
    assert_user_error(
        run_in_process("train", iris_csv, "--target", "species", "--test-size", "1.5"), "held-out"
    )


def test_help_exits_0():
    done = run("train", "--help")
    assert done.returncode == 0
    assert "--target" in done.stdout and "--report" in done.stdout


class _Canary:
    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_predict_refuses_a_pickle_renamed_skops_and_the_canary_never_runs(tmp_path, iris_csv):
    canary = tmp_path / "canary-ran"
    model = tmp_path / "model.skops"
    model.write_bytes(pickle.dumps(_Canary(str(canary))))
    assert_user_error(run("predict", model, iris_csv), "pickle")
    assert not canary.exists()


def test_predict_with_missing_columns(trained, tmp_path):
    _, out = trained
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n3,4\n")
    assert_user_error(run_in_process("predict", out / "model.skops", other), "petal length (cm)")


def test_write_failure_is_a_user_error(iris_csv, tmp_path):
    done = run(
        "train",
        iris_csv,
        "--target",
        "species",
        "--C",
        "1",
        "--cv",
        "2",
        "--save",
        tmp_path / "no-such-folder" / "m.skops",
    )
    # Checked before training starts: one line, no progress before it.
    assert_user_error(done, "folder for the model file does not exist")


def test_unexpected_errors_exit_1_with_one_apology_line(monkeypatch, iris_csv):
    def broken(args, *, out, err):
        raise RuntimeError("internal detail")

    monkeypatch.setitem(cli.COMMANDS, "profile", broken)
    err = io.StringIO()
    assert cli.main(["profile", str(iris_csv)], out=io.StringIO(), err=err) == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Sorry")
    assert "internal detail" not in lines[0]
    assert "Traceback" not in err.getvalue()


def test_main_module_is_runnable():
    assert (REPO / "dashboard" / "__main__.py").exists()
    done = subprocess.run(
        [sys.executable, "-c", "import dashboard.__main__"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr


def test_train_json_names_a_leaking_column_and_the_trivial_model(tmp_path):
    from tests.unit.test_checks import loan_table

    table = loan_table(n=600)
    path = tmp_path / "loans.csv"
    table.to_csv(path, index=False)
    done = run_in_process(
        "train", path, "--target", "grade", "--C", "0.1,1", "--cv", "3", "--n-jobs", "1"
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    leaks = [w for w in payload["warnings"] if w["kind"] == "leak"]
    assert [w["column"] for w in leaks] == ["sub_grade"]
    assert "alone predicts 'grade'" in leaks[0]["message"]
    # The trivial model: the training part's most frequent grade, scored on the held-out rows.
    y = table["grade"].to_numpy()
    y_train, y_test = train_test_split(y, test_size=0.2, stratify=y, random_state=0)
    majority = pd.Series(y_train).value_counts().idxmax()
    assert payload["baseline"]["class"] == majority
    assert payload["baseline"]["accuracy"] == pytest.approx(np.mean(y_test == majority))
    lo, hi = payload["test"]["accuracy_interval"]
    assert 0 <= lo <= payload["test"]["accuracy"] <= hi <= 1
