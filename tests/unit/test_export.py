"""Exports: formula-safe CSV, skops model files and their checks, predictions, script, report."""

from __future__ import annotations

import ast
import io
import json
import os
import pickle
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from dashboard.errors import SoftmaxLabError
from dashboard.export.csv import (
    CV_RESULTS_CSV_NAME,
    MODEL_FILE_NAME,
    PER_CLASS_CSV_NAME,
    PREDICTIONS_CSV_NAME,
    PROFILE_CSV_NAME,
    REPORT_FILE_NAME,
    SCRIPT_FILE_NAME,
    safe_csv_bytes,
)
from dashboard.export.model_file import (
    ALLOWED_UNTRUSTED_TYPES,
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    load_model,
    save_model,
)
from dashboard.export.report import html_report
from dashboard.export.script import reproducible_script
from dashboard.limits import Limits
from dashboard.prediction import FittedModel, predict_table, unseen_categories
from dashboard.summary import train_summary

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- formula-safe CSV


def _reread(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8", keep_default_na=False, na_values=[""])


def test_csv_neutralises_every_trigger_in_text_columns_and_headers():
    nasty = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://e")', "ok"]
    frame = pd.DataFrame({"text": nasty, "=bad header": range(len(nasty))})
    back = _reread(safe_csv_bytes(frame))
    assert list(back.columns) == ["text", "'=bad header"]
    for cell in back["text"]:
        assert not cell.startswith(TRIGGERS), repr(cell)
    # The text is still there, behind one quote character.
    assert back["text"].tolist() == ["'" + v if v.startswith(TRIGGERS) else v for v in nasty]


def test_csv_keeps_numeric_columns_numeric():
    frame = pd.DataFrame(
        {
            "neg_float": [-1.5, np.nan, 2.25],
            "neg_int": [-3, 0, 7],
            "flag": [True, False, True],
            "label": ["-a", None, "b"],
        }
    )
    back = _reread(safe_csv_bytes(frame))
    assert pd.api.types.is_float_dtype(back["neg_float"])
    assert back["neg_float"].iloc[0] == -1.5 and np.isnan(back["neg_float"].iloc[1])
    assert pd.api.types.is_integer_dtype(back["neg_int"])
    assert back["neg_int"].tolist() == [-3, 0, 7]
    assert back["flag"].tolist() == [True, False, True]
    assert back["label"].iloc[0] == "'-a" and pd.isna(back["label"].iloc[1])


def test_csv_is_utf8_and_handles_object_columns_with_mixed_values():
    frame = pd.DataFrame(
        {"name": ["Zoë", "東京", "=x"], "mixed": pd.Series([-1.0, "-y", None], dtype=object)}
    )
    raw = safe_csv_bytes(frame)
    raw.decode("utf-8")  # must not raise
    back = _reread(raw)
    assert back["name"].tolist() == ["Zoë", "東京", "'=x"]
    # A negative number is harmless and stays a number; a text starting with '-' is quoted.
    assert back["mixed"].tolist()[:2] == ["-1.0", "'-y"] or back["mixed"].tolist()[:2] == [
        -1.0,
        "'-y",
    ]


def test_download_names_are_fixed_and_safe():
    names = [
        PREDICTIONS_CSV_NAME,
        CV_RESULTS_CSV_NAME,
        PER_CLASS_CSV_NAME,
        PROFILE_CSV_NAME,
        MODEL_FILE_NAME,
        SCRIPT_FILE_NAME,
        REPORT_FILE_NAME,
    ]
    for name in names:
        assert all(ch.isalnum() or ch in "-._" for ch in name), name
        assert not name.startswith((".", "-"))
    assert MODEL_FILE_NAME.endswith(".skops")


# --------------------------------------------------------------------------- skops refusals


class _Canary:
    """A pickle that would create a file when unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_pickle_is_refused_and_its_canary_never_runs(tmp_path):
    canary = tmp_path / "canary-ran"
    raw = pickle.dumps(_Canary(str(canary)))
    with pytest.raises(SoftmaxLabError, match="pickle"):
        load_model(raw)
    assert not canary.exists()
    # Every pickle protocol, the same.
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(SoftmaxLabError, match="not a skops model file"):
            load_model(pickle.dumps(_Canary(str(canary)), protocol=protocol))
        assert not canary.exists()


def test_pickle_is_refused_before_skops_or_pickle_is_called(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise AssertionError("a loader was called")

    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(skops.io, "loads", boom)
    monkeypatch.setattr(skops.io, "get_untrusted_types", boom)
    with pytest.raises(SoftmaxLabError):
        load_model(pickle.dumps(_Canary(str(tmp_path / "c"))))


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"", "empty"),
        (b"sepal_length,species\n1,a\n", "not a zip archive"),
        (b"PK\x03\x04 this is not really a zip", "damaged"),
    ],
)
def test_non_archives_are_refused_with_their_own_message(raw, match):
    with pytest.raises(SoftmaxLabError, match=match):
        load_model(raw)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_without_skops_schema_is_refused():
    with pytest.raises(SoftmaxLabError, match="no schema.json"):
        load_model(_zip({"model.pkl": b"\x80\x04K\x01."}))


def _forbid_unpacking(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("something was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "read", boom)
    monkeypatch.setattr(zipfile.ZipFile, "open", boom)
    monkeypatch.setattr(skops.io, "loads", boom)
    monkeypatch.setattr(skops.io, "get_untrusted_types", boom)


def test_zip_bomb_is_refused_without_being_unpacked(monkeypatch):
    # 50 MB of zeros compress to ~50 kB; with a 10 MB cap it must be refused from the directory.
    bomb = _zip({"schema.json": b"{}", "zeros.npy": bytes(50_000_000)})
    assert len(bomb) < 200_000
    _forbid_unpacking(monkeypatch)
    start = time.perf_counter()
    with pytest.raises(SoftmaxLabError, match="would unpack to"):
        load_model(bomb, limits=Limits(max_model_bytes=10_000_000))
    assert time.perf_counter() - start < 0.5


def test_zip_with_too_many_members_is_refused_without_being_unpacked(monkeypatch):
    many = _zip({"schema.json": b"{}", **{f"{i}.npy": b"" for i in range(3000)}})
    _forbid_unpacking(monkeypatch)
    with pytest.raises(SoftmaxLabError, match="too many parts"):
        load_model(many)  # default limit: 2,000 members


def test_default_limits_refuse_a_big_bomb(monkeypatch):
    limits = Limits()
    # One 1 MB member repeated: declared sizes add up beyond max_model_bytes.
    repeats = limits.max_model_bytes // 1_000_000 + 2
    assert repeats < limits.max_model_members
    chunk = bytes(1_000_000)
    bomb = _zip({"schema.json": b"{}", **{f"{i}.npy": chunk for i in range(repeats)}})
    _forbid_unpacking(monkeypatch)
    with pytest.raises(SoftmaxLabError, match="would unpack to"):
        load_model(bomb)


def _small_pipeline():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=60),
            "colour": rng.choice(["red", "green", "blue"], size=60),
        }
    )
    y = np.array(["a", "b", "c"] * 20)
    preprocess = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["x"]),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                ["colour"],
            ),
        ]
    )
    steps = [("preprocess", preprocess), ("logisticregression", LogisticRegression(C=1.0))]
    return Pipeline(steps).fit(frame, y), frame


def _payload(fitted, **overrides):
    payload = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "pipeline": fitted,
        "classes": ["a", "b", "c"],
        "numeric_columns": ["x"],
        "categorical_columns": ["colour"],
        "config": {"target": "y", "features": ["x", "colour"]},
        "best_C": 1.0,
        "data_sha256": "",
        "versions": {},
    }
    payload.update(overrides)
    return payload


def test_handmade_payload_of_our_shape_loads():
    pipeline, frame = _small_pipeline()
    saved = load_model(skops.io.dumps(_payload(pipeline)))
    np.testing.assert_array_equal(
        saved.pipeline.predict_proba(frame), pipeline.predict_proba(frame)
    )


def test_untrusted_type_is_refused_and_never_constructed():
    pipeline, _ = _small_pipeline()
    raw = skops.io.dumps(_payload(pipeline, hook=FunctionTransformer(os.system)))
    assert f"{os.system.__module__}.system" in skops.io.get_untrusted_types(data=raw)
    with pytest.raises(SoftmaxLabError, match="does not trust"):
        load_model(raw)


def test_allow_list_is_fixed_and_small():
    assert frozenset({"numpy.dtype"}) == ALLOWED_UNTRUSTED_TYPES


@pytest.mark.parametrize(
    ("payload_change", "match"),
    [
        ({"format": "something-else"}, "not written by Softmax Lab"),
        ({"format_version": 99}, "format version"),
        ({"classes": ["a", "b", "zzz"]}, "classes do not match"),
        ({"numeric_columns": ["x", "y"]}, "feature columns do not match"),
        ({"pipeline": RandomForestClassifier()}, "does not hold a Softmax Lab pipeline"),
        ({"classes": "abc"}, "description"),
    ],
)
def test_skops_files_that_are_not_our_model_are_refused(payload_change, match):
    pipeline, _ = _small_pipeline()
    raw = skops.io.dumps(_payload(pipeline, **payload_change))
    with pytest.raises(SoftmaxLabError, match=match):
        load_model(raw)


def test_skops_file_of_something_else_entirely_is_refused():
    with pytest.raises(SoftmaxLabError, match="not written by Softmax Lab"):
        load_model(skops.io.dumps([1, 2, 3]))


# --------------------------------------------------------------------------- with real training

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"


def _iris_csv() -> bytes:
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    return frame.to_csv(index=False).encode("utf-8")


def _mixed_frame(n: int = 240, seed: int = 1) -> pd.DataFrame:
    """Numeric, categorical and yes/no columns, missing values, and a text trigger value."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.normal(size=n)
    shape = rng.choice(["round", "square", "=odd"], n)
    score = size + (colour == "red") * 1.5 - (shape == "square") + rng.normal(scale=0.8, size=n)
    label = np.where(score > 0.8, "high", np.where(score < -0.3, "low", "mid"))
    frame = pd.DataFrame(
        {
            "id": range(n),
            "size": size.round(3),
            "colour": colour,
            "shape": shape,
            "flag": rng.choice(["yes", "no"], n),
            "label": label,
        }
    )
    frame["size"] = frame["size"].astype(object)
    frame.loc[rng.choice(n, 20, replace=False), "size"] = "NA"
    frame["colour"] = frame["colour"].astype(object)
    frame.loc[rng.choice(n, 15, replace=False), "colour"] = None
    return frame


def _mixed_csv() -> bytes:
    # Semicolons and decimal commas, as a European spreadsheet writes them.
    return _mixed_frame().to_csv(index=False, sep=";", decimal=",").encode("utf-8")


def _tricky_csv() -> bytes:
    """A BOM, a title line, thousands separators, currency, yes/no target, a quoted name."""
    rng = np.random.default_rng(7)
    n = 160
    amount = rng.normal(loc=2000, scale=900, size=n).round(2)
    region = rng.choice(["North", "South", "NA"], n)  # "NA" is a real label here
    target = np.where(
        amount + (region == "North") * 500 + rng.normal(scale=400, size=n) > 2200, "yes", "no"
    )
    lines = ["Sales export 2024", 'amount;"region, main";bought']
    for a, r, t in zip(amount, region, target, strict=True):
        text = f"€ {a:,.2f}".replace(",", " ").replace(".", ",")
        lines.append(f"{text};{r};{t}")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _train(raw: bytes, target: str, **options):
    from dashboard.data import load_csv
    from dashboard.profile import profile
    from dashboard.training import TrainingConfig, train

    loaded = load_csv(raw, name="data.csv")
    features = profile(loaded.table).default_features(target)
    config = TrainingConfig(target=target, features=tuple(features), n_jobs=1, **options)
    return loaded, train(loaded.table, config, data_sha256=loaded.sha256)


@pytest.fixture(scope="module")
def iris_run():
    raw = _iris_csv()
    loaded, model = _train(raw, "species", c_grid=(0.01, 0.1, 1.0, 10.0), cv_folds=5)
    return raw, loaded, model


@pytest.fixture(scope="module")
def mixed_run():
    raw = _mixed_csv()
    loaded, model = _train(raw, "label", c_grid=(0.001, 0.01, 0.1, 1.0, 10.0), cv_folds=4)
    return raw, loaded, model


def test_a_trained_and_a_loaded_model_share_one_interface(mixed_run):
    _, loaded, model = mixed_run
    saved = load_model(save_model(model))
    assert isinstance(model, FittedModel) and isinstance(saved, FittedModel)
    assert saved.target == model.target == "label"
    assert set(saved.settings) == set(model.settings)
    assert saved.settings["features"] == list(model.config.features)
    assert dict(saved.column_types) == dict(model.column_types)
    assert set(model.column_types) == set(model.numeric_columns) | set(model.categorical_columns)
    # Each record is its own model: a file read twice gives two ids, never the trained one's.
    again = load_model(save_model(model))
    ids = {model.model_id, saved.model_id, again.model_id}
    assert len(ids) == 3 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_saved_model_loads_back_and_predicts_the_same_probabilities(mixed_run):
    _, loaded, model = mixed_run
    raw = save_model(model)
    assert raw.startswith(b"PK\x03\x04")
    saved = load_model(raw)
    assert saved.classes == model.classes
    assert saved.numeric_columns == model.numeric_columns
    assert saved.categorical_columns == model.categorical_columns
    assert saved.config["target"] == "label"
    assert saved.config["c_grid"] == list(model.config.c_grid)
    assert saved.best_C == model.best_C
    assert saved.data_sha256 == loaded.sha256
    # Probabilities of the held-out rows: the app's record against the reloaded model.
    held_out = loaded.table.loc[model.test_index]
    predictions = predict_table(saved, held_out)
    columns = [f"probability_{c}" for c in model.classes]
    np.testing.assert_allclose(
        predictions[columns].to_numpy(), model.test_proba, rtol=0, atol=1e-12
    )
    assert predictions["predicted_class"].tolist() == list(model.test_pred)
    # The in-session model gives the same table.
    pd.testing.assert_frame_equal(predictions, predict_table(model, held_out))


def test_predictions_keep_input_columns_and_ignore_extra_ones(iris_run):
    _, loaded, model = iris_run
    table = loaded.table.drop(columns=["species"]).assign(note="x")
    table = table[["note", *table.columns[:-1]]]
    predictions = predict_table(model, table)
    assert list(predictions.columns) == [
        *table.columns,
        "predicted_class",
        *(f"probability_{c}" for c in model.classes),
    ]
    proba = predictions[[f"probability_{c}" for c in model.classes]].to_numpy()
    reference = model.pipeline.predict_proba(loaded.table[list(model.pipeline.feature_names_in_)])
    np.testing.assert_allclose(proba, reference, atol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_missing_columns_are_named(iris_run):
    _, loaded, model = iris_run
    table = loaded.table.drop(columns=["petal length (cm)", "sepal width (cm)"])
    with pytest.raises(SoftmaxLabError, match=r"'sepal width \(cm\)', 'petal length \(cm\)'"):
        predict_table(model, table)


def test_bad_types_are_reported_by_column_and_row(iris_run):
    _, loaded, model = iris_run
    table = loaded.table.copy()
    table["sepal width (cm)"] = table["sepal width (cm)"].astype(object)
    table.loc[3, "sepal width (cm)"] = "wide"
    with pytest.raises(
        SoftmaxLabError, match=r"'sepal width \(cm\)' should hold numbers \(data row 4: 'wide'\)"
    ):
        predict_table(model, table)


def test_numbers_read_as_text_still_predict(iris_run):
    _, loaded, model = iris_run
    table = loaded.table.astype(str)
    expected = predict_table(model, loaded.table)
    got = predict_table(model, table)
    columns = [f"probability_{c}" for c in model.classes]
    np.testing.assert_allclose(got[columns].to_numpy(), expected[columns].to_numpy(), atol=1e-12)


def test_unseen_categories_are_handled_and_reported(mixed_run):
    _, loaded, model = mixed_run
    rows = loaded.table.loc[model.test_index[:5]].copy()
    rows["shape"] = rows["shape"].astype(object)
    rows.loc[rows.index[0], "shape"] = "hexagon"
    assert unseen_categories(model, rows) == {"shape": ["hexagon"]}
    predictions = predict_table(model, rows)
    proba = predictions[[f"probability_{c}" for c in model.classes]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Reference: an unseen category contributes nothing, i.e. all its one-hot columns are 0.
    pre, lr = model.pipeline.steps[0][1], model.pipeline.steps[-1][1]
    known = rows.iloc[[0]].copy()
    encoded = pre.transform(known)
    names = list(pre.get_feature_names_out())
    for j, name in enumerate(names):
        if name.startswith("categorical__shape_"):
            encoded[0, j] = 0.0
    np.testing.assert_allclose(proba[0], lr.predict_proba(encoded)[0], atol=1e-12)


def test_empty_table_is_refused(iris_run):
    _, loaded, model = iris_run
    with pytest.raises(SoftmaxLabError, match="no rows"):
        predict_table(model, loaded.table.iloc[:0])


def test_prediction_download_is_formula_safe(mixed_run):
    _, loaded, model = mixed_run
    predictions = predict_table(model, loaded.table)
    back = _reread(safe_csv_bytes(predictions))
    assert (back["shape"] == "'=odd").any()
    for name in back.columns:
        if back[name].dtype == object or pd.api.types.is_string_dtype(back[name]):
            for cell in back[name].dropna():
                assert not str(cell).startswith(TRIGGERS), (name, cell)
    for name in [*model.classes]:
        assert pd.api.types.is_float_dtype(back[f"probability_{name}"])
    assert pd.api.types.is_float_dtype(back["size"])
    assert pd.api.types.is_integer_dtype(back["id"])


# --------------------------------------------------------------------------- the script


def _run_script(tmp_path, source: str, raw: bytes) -> dict:
    script = tmp_path / "run.py"
    data = tmp_path / "data.csv"
    script.write_text(source, encoding="utf-8")
    data.write_bytes(raw)
    done = subprocess.run(
        [str(PYTHON), str(script), str(data)],
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
    raw = _tricky_csv()
    loaded, model = _train(
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
    loaded, model = _train(raw, "y", c_grid=(0.1, 1.0), cv_folds=3)
    source = reproducible_script(model, loaded.report)
    compile(source, "run.py", "exec")
    _assert_script_matches(_run_script(tmp_path, source, raw), model)


# --------------------------------------------------------------------------- the report


def test_report_is_self_contained_and_escapes_user_text(mixed_run):
    _, loaded, model = mixed_run
    page = html_report(model, loaded)
    assert page.count("plotly.js v") == 1 or page.count("* plotly.js") == 1
    assert "<script src=" not in page
    assert loaded.sha256 in page
    import sklearn

    assert sklearn.__version__ in page
    assert "Content-Security-Policy" in page


def test_report_escapes_hostile_names():
    hostile = '<img src="http://evil.example/x.png" onerror="window.pwned=1">'
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({hostile[:40]: rng.normal(size=90), "other": rng.normal(size=90)})
    frame["y"] = np.repeat(["<b>a</b>", "</script><script>window.pwned=1</script>", "c"], 30)
    loaded, model = _train(
        frame.to_csv(index=False).encode("utf-8"), "y", c_grid=(0.1, 1.0), cv_folds=3
    )
    page = html_report(model, loaded)
    assert "<img src=" not in page
    assert "<b>a</b>" not in page
    assert "</script><script>window.pwned" not in page


def _open_in_chromium(browser, path: Path) -> dict:
    outside: list[str] = []
    errors: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()

        def route(request_route):
            url = request_route.request.url
            if url.startswith("file://"):
                request_route.continue_()
            else:
                outside.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_selector(".plotly .main-svg", timeout=30_000)
        page.wait_for_timeout(300)
        result = {
            "outside": outside,
            "errors": errors,
            "plots": page.locator(".js-plotly-plot").count(),
            "drawn": page.locator(".js-plotly-plot .main-svg").count(),
            "pwned": page.evaluate("() => window.pwned === undefined ? null : window.pwned"),
            "text": page.inner_text("body"),
        }
    finally:
        context.close()
    return result


@pytest.mark.e2e
def test_report_opens_offline_in_chromium_and_draws_its_charts(browser, tmp_path, mixed_run):
    _, loaded, model = mixed_run
    path = tmp_path / REPORT_FILE_NAME
    path.write_text(html_report(model, loaded), encoding="utf-8")
    seen = _open_in_chromium(browser, path)
    assert seen["outside"] == []
    assert seen["errors"] == []
    assert seen["plots"] >= 4  # CV scores, two confusion matrices, probability bars
    assert seen["drawn"] >= seen["plots"]
    assert loaded.sha256 in seen["text"]


@pytest.mark.e2e
def test_report_with_hostile_names_runs_no_script(browser, tmp_path):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            '<img src="http://evil.example/x.png" onerror="window.pwned=1">': rng.normal(size=90),
            "other": rng.normal(size=90),
        }
    )
    frame["y"] = np.repeat(["<b>a</b>", "</script><script>window.pwned=2</script>", "c"], 30)
    loaded, model = _train(
        frame.to_csv(index=False).encode("utf-8"), "y", c_grid=(0.1, 1.0), cv_folds=3
    )
    path = tmp_path / "report.html"
    path.write_text(html_report(model, loaded), encoding="utf-8")
    seen = _open_in_chromium(browser, path)
    assert seen["pwned"] is None
    assert seen["outside"] == []
    assert "<b>a</b>" in seen["text"]  # shown as typed, not as bold markup


def test_categorical_only_model_round_trips():
    rng = np.random.default_rng(11)
    colour = rng.choice(["red", "green", "blue"], 120)
    size = rng.choice(["S", "M", "L", "XL"], 120)
    label = np.where(colour == "red", "warm", np.where(size == "S", "small", "other"))
    frame = pd.DataFrame({"colour": colour, "size": size, "label": label})
    loaded, model = _train(
        frame.to_csv(index=False).encode(), "label", c_grid=(0.1, 1.0), cv_folds=3
    )
    assert model.numeric_columns == () and len(model.categorical_columns) == 2
    saved = load_model(save_model(model))
    proba = predict_table(saved, loaded.table.loc[model.test_index])
    np.testing.assert_allclose(
        proba[[f"probability_{c}" for c in model.classes]].to_numpy(), model.test_proba, atol=1e-12
    )


def test_report_accepts_a_plain_summary_or_nothing(iris_run):
    _, loaded, model = iris_run
    page = html_report(model, {"name": "<i>x</i>.csv", "rows": 150, "sha256": "abc123"})
    assert "&lt;i&gt;x&lt;/i&gt;.csv" in page and "abc123" in page
    assert "<i>x</i>" not in page
    page = html_report(model, None)
    assert model.data_sha256 in page


def test_yes_no_features_accept_text_and_report_other_values(mixed_run):
    _, loaded, model = mixed_run
    assert "flag" in model.numeric_columns
    saved = load_model(save_model(model))
    assert saved.column_types["flag"] == "boolean"
    rows = loaded.table.loc[model.test_index[:6]].copy()
    expected = predict_table(saved, rows)
    as_text = rows.assign(flag=rows["flag"].map({True: "Yes", False: "no"}).astype(object))
    got = predict_table(saved, as_text)
    columns = [f"probability_{c}" for c in model.classes]
    np.testing.assert_allclose(got[columns].to_numpy(), expected[columns].to_numpy(), atol=1e-12)
    as_text.loc[as_text.index[2], "flag"] = "maybe"
    with pytest.raises(SoftmaxLabError, match=r"'flag' should hold yes/no values \(data row 3"):
        predict_table(saved, as_text)


def test_category_codes_read_as_numbers_still_match():
    rng = np.random.default_rng(4)
    code = rng.choice(["1", "2", "x"], 120)
    label = np.where(code == "1", "one", np.where(code == "2", "two", "other"))
    frame = pd.DataFrame({"code": code, "noise": rng.normal(size=120), "label": label})
    loaded, model = _train(frame.to_csv(index=False).encode(), "label", c_grid=(1.0,), cv_folds=3)
    assert model.categorical_columns == ("code",)
    rows = pd.DataFrame({"code": [1.0, 2.0, np.nan], "noise": [0.0, 0.0, 0.0]})
    assert unseen_categories(model, rows) == {}
    predictions = predict_table(model, rows)
    assert predictions["predicted_class"].tolist()[:2] == ["one", "two"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("=+-@\t\r\n\",;' aZ1é")), min_size=1, max_size=6),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=1, max_size=8),
)
def test_csv_property_no_text_cell_starts_a_formula_and_numbers_survive(texts, numbers):
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"text": texts[:n], "number": numbers[:n]})
    back = pd.read_csv(
        io.BytesIO(safe_csv_bytes(frame)),
        keep_default_na=False,
        na_values=[],
        dtype={"text": str},
    )
    for original, cell in zip(frame["text"], back["text"], strict=True):
        assert not cell.startswith(TRIGGERS)
        assert cell == ("'" + original if original.startswith(TRIGGERS) else original)
    np.testing.assert_array_equal(back["number"].to_numpy(dtype=float), frame["number"].to_numpy())


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
    loaded, model = _train(raw, columns[3], c_grid=(0.01, 0.1, 1.0, 10.0), cv_folds=3)
    for how in (loaded, loaded.report):
        _assert_script_matches(_run_script(tmp_path, reproducible_script(model, how), raw), model)


def test_script_leaves_out_repeated_header_rows_like_the_loader(tmp_path):
    frame = _mixed_frame(n=150, seed=2)
    text = frame.to_csv(index=False)
    lines = text.splitlines()
    # Two files pasted together: the header appears again in the middle.
    pasted = "\n".join(lines[:80] + [lines[0]] + lines[80:]) + "\n"
    raw = pasted.encode("utf-8")
    loaded, model = _train(raw, "label", c_grid=(0.1, 1.0, 10.0), cv_folds=3)
    assert loaded.report.rows == 150
    source = reproducible_script(model, loaded)
    _assert_script_matches(_run_script(tmp_path, source, raw), model)


def test_foreign_preprocessing_is_refused():
    from sklearn.preprocessing import MinMaxScaler

    pipeline, frame = _small_pipeline()
    numeric = pipeline.steps[0][1].transformers_[0][1]
    numeric.steps[1] = ("standardscaler", MinMaxScaler().fit(frame[["x"]]))
    with pytest.raises(SoftmaxLabError, match="preprocessing is not Softmax Lab's"):
        load_model(skops.io.dumps(_payload(pipeline)))


def test_damaged_coefficients_are_refused():
    pipeline, _ = _small_pipeline()
    lr = pipeline.steps[-1][1]
    lr.coef_ = lr.coef_[:, :2]  # the preprocessing makes 4 inputs
    with pytest.raises(SoftmaxLabError, match="cannot make a prediction"):
        load_model(skops.io.dumps(_payload(pipeline)))
