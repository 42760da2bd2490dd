"""The exported script reproduces the app's run in a fresh process (to join tests/unit/test_script.py)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dashboard.export.script import reproducible_script
from dashboard.summary import train_summary
from tests.runs import mixed_frame, train_run, tricky_csv


def _run_script(tmp_path, source: str, raw: bytes) -> dict:
    script = tmp_path / "run.py"
    data = tmp_path / "data.csv"
    script.write_text(source, encoding="utf-8")
    data.write_bytes(raw)
    done = subprocess.run(
        [sys.executable, str(script), str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "note:" not in done.stderr  # same file: same fingerprint
    return json.loads(done.stdout)


def _assert_script_matches(printed: dict, model) -> None:
    summary = train_summary(model)
    assert set(printed) == set(summary)
    assert printed["classes"] == summary["classes"]
    assert printed["best_C"] == summary["best_C"]
    assert [r["C"] for r in printed["cv"]] == [r["C"] for r in summary["cv"]]
    for mine, app in zip(printed["cv"], summary["cv"], strict=True):
        assert abs(mine["mean_accuracy"] - app["mean_accuracy"]) <= 1e-3
    assert printed["test"]["accuracy"] == summary["test"]["accuracy"]
    assert printed["test"]["confusion_matrix"] == summary["test"]["confusion_matrix"]
    assert printed["n_train"] == summary["n_train"]
    assert printed["n_test"] == summary["n_test"]


def _assert_standalone(source: str) -> None:
    tree = ast.parse(source)
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module.split(".")[0])
    assert modules - set(sys.stdlib_module_names) <= {"numpy", "pandas", "sklearn"}


def test_script_reproduces_a_numeric_run(tmp_path, iris_run):
    raw, loaded, model = iris_run
    source = reproducible_script(model, loaded.report)
    _assert_standalone(source)
    _assert_script_matches(_run_script(tmp_path, source, raw), model)


def test_script_reproduces_a_run_with_categories_and_missing_values(tmp_path, mixed_run):
    raw, loaded, model = mixed_run
    assert model.categorical_columns and loaded.table.isna().any().any()
    source = reproducible_script(model, loaded)
    _assert_script_matches(_run_script(tmp_path, source, raw), model)


def test_script_reproduces_a_run_on_a_tricky_file(tmp_path):
    raw = tricky_csv()
    loaded, model = train_run(
        raw, "bought", c_grid=(0.01, 0.1, 1.0, 10.0), cv_folds=3, class_weight="balanced"
    )
    assert loaded.report.title_lines == 1 and loaded.report.delimiter == ";"
    assert model.classes == ("False", "True")
    source = reproducible_script(model, loaded.report)
    _assert_script_matches(_run_script(tmp_path, source, raw), model)


def test_script_holds_user_text_only_as_literals(iris_run):
    _, loaded, model = iris_run
    source = reproducible_script(model, loaded.report)
    compile(source, "run.py", "exec")
    assert repr("sepal length (cm)") in source


def test_script_survives_hostile_column_names(tmp_path):
    names = ['a"""b', "c\nd", "__SEED__", "x'; import os #"]
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({name: rng.normal(size=90) for name in names})
    frame["y"] = np.repeat(["p", "q", "r"], 30)
    raw = frame.to_csv(index=False).encode("utf-8")
    loaded, model = train_run(raw, "y", c_grid=(0.1, 1.0), cv_folds=3)
    source = reproducible_script(model, loaded.report)
    compile(source, "run.py", "exec")
    _assert_script_matches(_run_script(tmp_path, source, raw), model)


def _dialect_csv(*, delimiter, decimal, encoding, sep_line, title, header, trailing, target):
    """A file as odd spreadsheets write them: one call, one set of quirks."""
    rng = np.random.default_rng(21)
    n = 150
    amount = rng.normal(size=n) * 1500
    region = rng.choice(["Nord", "Süd", "NA", "Ost, West"], n)
    flag = np.where(rng.random(n) < 0.05, "", rng.choice(["yes", "no"], n))
    score = (
        amount / 1500 + (region == "Nord") + (flag == "yes") * 0.5 + rng.normal(scale=0.7, size=n)
    )
    if target == "codes":
        y = np.where(score > 0.8, "1", np.where(score < -0.3, "3", "2"))
    else:
        y = np.where(score > 0.4, "TRUE", "FALSE")

    def money(v):
        if rng.random() < 0.05:
            return str(rng.choice(["NA", "n/a", "-", ""]))
        text = f"{abs(v):,.2f}"
        if decimal == ",":
            text = text.replace(",", "X").replace(".", ",").replace("X", ".")
        return f"(€{text})" if v < 0 else f"€{text}"

    def cell(text):
        return f'"{text}"' if delimiter in text else text

    end = delimiter if trailing else ""
    lines = [f"sep={delimiter}"] if sep_line else []
    lines += ["Export vom 1.2.2024", ""] if title else []
    if header:
        lines.append(delimiter.join(["Wert", "Wert", "", "Ziel"]) + end)
    for row in zip(amount, region, flag, y, strict=True):
        lines.append(delimiter.join([cell(money(row[0])), cell(row[1]), row[2], row[3]]) + end)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize(
    "quirks",
    [
        dict(delimiter=";", decimal=",", encoding="cp1252", sep_line=True, title=False,
             header=True, trailing=True, target="bool"),
        dict(delimiter="\t", decimal=".", encoding="utf-16", sep_line=False, title=True,
             header=False, trailing=False, target="codes"),
    ],
    ids=["cp1252-sep-line-duplicate-names", "utf16-tab-title-no-header"],
)  # fmt: skip
def test_script_reproduces_runs_on_odd_dialects(tmp_path, quirks):
    raw = _dialect_csv(**quirks)
    from dashboard.data import load_csv

    columns = list(load_csv(raw).table.columns)
    loaded, model = train_run(raw, columns[3], c_grid=(0.01, 0.1, 1.0, 10.0), cv_folds=3)
    for how in (loaded, loaded.report):
        _assert_script_matches(_run_script(tmp_path, reproducible_script(model, how), raw), model)


def test_script_leaves_out_repeated_header_rows_like_the_loader(tmp_path):
    frame = mixed_frame(n=150, seed=2)
    text = frame.to_csv(index=False)
    lines = text.splitlines()
    # Two files pasted together: the header appears again in the middle.
    pasted = "\n".join(lines[:80] + [lines[0]] + lines[80:]) + "\n"
    raw = pasted.encode("utf-8")
    loaded, model = train_run(raw, "label", c_grid=(0.1, 1.0, 10.0), cv_folds=3)
    assert loaded.report.rows == 150
    source = reproducible_script(model, loaded)
    _assert_script_matches(_run_script(tmp_path, source, raw), model)
