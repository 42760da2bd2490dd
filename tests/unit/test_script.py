"""The exported script: rendered from script_template.py with the source of dashboard.rules.

The script and the loader must read a file alike: a property test types random columns through
both, and the two files on which they once disagreed (a y/n target, apostrophe thousands) are
run through the rendered script in a subprocess and must reproduce the app's numbers.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import os
import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import features, rules
from dashboard.data import load_csv
from dashboard.export import script_template
from dashboard.export.script import default_settings, render_script, reproducible_script
from dashboard.summary import train_summary
from tests.runs import mixed_frame, train_run, tricky_csv

# --------------------------------------------------------------------------- the template


def _imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_the_template_is_a_module_that_takes_its_rules_from_dashboard_rules():
    assert script_template.type_text_column is rules.type_text_column
    assert script_template.clean_names is rules.clean_names
    assert script_template.label is rules.label
    assert "dashboard" in _imported_modules(inspect.getsource(script_template))


def test_the_rendered_script_carries_the_rules_source_and_needs_only_pandas_and_sklearn():
    source = render_script(default_settings())
    modules = _imported_modules(source)
    # scipy comes with scikit-learn (the sparse matrices of the text features)
    assert modules - set(sys.stdlib_module_names) <= {"numpy", "pandas", "scipy", "sklearn"}
    for function in (rules.type_text_column, rules.convert_column, rules.label):
        assert inspect.getsource(function) in source
    for cls in (features.DateParts, features.TextFeatures, features.FiniteNumbers):
        assert inspect.getsource(cls) in source
    namespace = _run_module(source)
    assert namespace["MISSING_TOKENS"] == rules.MISSING_TOKENS
    assert namespace["BOOLEAN_PAIRS"] == rules.BOOLEAN_PAIRS
    assert namespace["number_regex"](".") == rules.number_regex(".")
    # The loader's date formats type the columns, as in the app (features has its own list).
    assert namespace["DATE_FORMATS"] == rules.DATE_FORMATS


def test_settings_are_written_as_literals_and_must_all_be_given():
    hostile = 'x"""\n# <<< settings\nimport os  # ' + "'"
    values = default_settings() | {"TARGET": hostile, "CLASSES": ["a'", 'b"']}
    namespace = _run_module(render_script(values))
    assert namespace["TARGET"] == hostile
    assert namespace["CLASSES"] == ["a'", 'b"']
    missing = dict(values)
    del missing["SEED"]
    with pytest.raises(ValueError, match="SEED"):
        render_script(missing)
    with pytest.raises(ValueError, match="EXTRA"):
        render_script(values | {"EXTRA": 1})
    with pytest.raises(ValueError, match="TEST_SIZE"):
        render_script(values | {"TEST_SIZE": float("nan")})  # repr gives a bare name: nan


def _run_module(source: str) -> dict:
    """Run a rendered script as a module (not as __main__), for its functions and constants."""
    module = types.ModuleType("rendered_script")
    sys.modules[module.__name__] = module  # dataclasses look their module up while defined
    try:
        exec(compile(source, "rendered_script.py", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module.__dict__


# --------------------------------------------------------------------------- loader == script

_WORDS = st.sampled_from(["yes", "no", "true", "false"])


def _case(word: str, how: int) -> str:
    return (word, word.upper(), word.title())[how]


def _group(digits: str, separator: str) -> str:
    if not separator:
        return digits
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


@st.composite
def _number_column(draw, decimal: str, n: int) -> list[str]:
    groups = [",", "'", "\u00a0", ""] if decimal == "." else [".", " ", "'", "\u00a0", ""]
    separator = draw(st.sampled_from(groups))
    places = draw(st.integers(0, 3))
    style = draw(st.sampled_from(["plain", "currency", "suffix", "percent", "brackets"]))
    minus = draw(st.sampled_from(["-", "\u2212"]))
    cells = []
    for _ in range(n):
        value = draw(st.integers(-(10**8), 10**8)) / 10**places
        whole, _, fraction = f"{abs(value):.{places}f}".partition(".")
        text = _group(whole, separator) + (decimal + fraction if fraction else "")
        if style == "currency":
            text = draw(st.sampled_from(["$", "\u20ac ", "\u00a3"])) + text
        elif style == "suffix":
            text = text + draw(st.sampled_from([" \u20ac", "\u20ac", " \u00a5"]))
        elif style == "percent":
            text = text + "%"
        if value < 0:
            text = f"({text})" if style == "brackets" else minus + text
        cells.append(text)
    return cells


@st.composite
def _column(draw, decimal: str, n: int) -> list[str]:
    kind = draw(st.sampled_from(["number", "yes/no", "date", "text"]))
    if kind == "number":
        cells = draw(_number_column(decimal, n))
    elif kind == "yes/no":
        pair = draw(st.sampled_from([("yes", "no"), ("true", "false")]))
        how = draw(st.integers(0, 2))
        cells = [_case(pair[draw(st.integers(0, 1))], how) for _ in range(n)]
    elif kind == "date":
        fmt = draw(st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%m/%d/%Y"]))
        days = st.dates(dt.date(1950, 1, 1), dt.date(2040, 12, 31))
        cells = [draw(days).strftime(fmt) for _ in range(n)]
    else:
        letters = st.text(alphabet="abcdefgh xyz", min_size=1, max_size=6)
        cells = [draw(letters).strip() or "a" for _ in range(n)]
    tokens = st.sampled_from(sorted(rules.MISSING_TOKENS) + ["", " ", "NA", "N/A", "Null"])
    for i in draw(st.lists(st.integers(0, n - 1), max_size=n // 3)):
        cells[i] = draw(tokens)
    return cells


@st.composite
def _table(draw) -> bytes:
    decimal = draw(st.sampled_from([".", ","]))
    n = draw(st.integers(4, 25))
    # Two columns at least, as a training needs: in a one-column file pandas' reader skips a
    # line holding only a space, which pyarrow keeps as a missing value.
    width = draw(st.integers(2, 4))
    columns = [draw(_column(decimal, n)) for _ in range(width)]
    lines = [";".join(f"col{j}" for j in range(width))]
    lines += [";".join(column[i] for column in columns) for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _kind(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "text"


def _same_values(app: pd.Series, script: pd.Series) -> bool:
    if len(app) != len(script):
        return False
    for a, b in zip(app.tolist(), script.tolist(), strict=True):
        if pd.isna(a) or pd.isna(b):
            if not (pd.isna(a) and pd.isna(b)):
                return False
        elif a != b:
            return False
    return True


def _script_reading(report) -> dict:
    values = default_settings() | {
        "ENCODING": report.encoding,
        "DELIMITER": report.delimiter,
        "DECIMAL": report.decimal,
        "HEADER_ROW": report.header_row,
        "TITLE_LINES": report.title_lines,
        "N_COLUMNS": report.columns + len(report.dropped_columns),
    }
    return _run_module(render_script(values))


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_table())
def test_the_rendered_script_types_random_columns_as_the_loader(raw):
    loaded = load_csv(raw, name="data.csv")
    script = _script_reading(loaded.report)
    frame = script["read_columns"](script["decode"](raw))
    assert list(frame.columns) == list(loaded.table.columns)
    for name in loaded.table.columns:
        app = loaded.table[name]
        mine = script["as_type"](frame[name], "guess", name)
        assert _kind(mine) == _kind(app), (name, app.tolist(), mine.tolist())
        assert _same_values(app, mine), (name, app.tolist(), mine.tolist())


# --------------------------------------------------------------------------- runs reproduced


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
    assert _imported_modules(source) - set(sys.stdlib_module_names) <= {
        "numpy",
        "pandas",
        "scipy",
        "sklearn",
    }


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


# --------------------------------------------------------------------------- the drift files
# Two files on which the script's own copy of the rules once disagreed with the loader.


def _yn_target_csv() -> bytes:
    rng = np.random.default_rng(11)
    n = 120
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    target = np.where(x1 + 0.5 * x2 + rng.normal(scale=0.7, size=n) > 0, "y", "n")
    frame = pd.DataFrame({"x1": x1.round(3), "x2": x2.round(3), "bought": target})
    return frame.to_csv(index=False).encode("utf-8")


def _apostrophe_thousands_csv() -> bytes:
    rng = np.random.default_rng(12)
    n = 150
    amount = rng.normal(loc=2500, scale=1200, size=n).round(1)
    size = rng.normal(size=n).round(2)
    label = np.where(amount / 1200 + size + rng.normal(scale=0.6, size=n) > 2.2, "big", "small")
    lines = ["amount;size;label"]
    for a, s, y in zip(amount, size, label, strict=True):
        sign = "-" if a < 0 else ""
        lines.append(f"{sign}{abs(a):,.1f}".replace(",", "'") + f";{s};{y}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_y_n_target_keeps_its_letters_as_classes_in_the_app_and_the_script(tmp_path):
    raw = _yn_target_csv()
    loaded, model = train_run(raw, "bought", c_grid=(0.01, 0.1, 1.0, 10.0), cv_folds=3)
    assert model.classes == ("n", "y")
    for how in (loaded.report, loaded):  # the target's type guessed by the script, or recorded
        _assert_script_matches(_run_script(tmp_path, reproducible_script(model, how), raw), model)


def test_apostrophe_thousands_are_numbers_in_the_app_and_the_script(tmp_path):
    raw = _apostrophe_thousands_csv()
    loaded, model = train_run(raw, "label", c_grid=(0.01, 0.1, 1.0, 10.0), cv_folds=3)
    assert pd.api.types.is_float_dtype(loaded.table["amount"])
    assert "amount" in model.numeric_columns
    assert loaded.table["amount"].max() > 1000  # 2'671.4 is two thousand and more, not 2
    _assert_script_matches(
        _run_script(tmp_path, reproducible_script(model, loaded.report), raw), model
    )
