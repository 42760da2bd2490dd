"""Prediction on a new file: columns by name, types checked, one interface for both models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import SoftmaxLabError
from dashboard.export.csv import (
    safe_csv_bytes,
)
from dashboard.export.model_file import (
    load_model,
    save_model,
)
from dashboard.prediction import FittedModel, predict_table, unseen_categories
from tests.runs import TRIGGERS, reread_csv, train_run


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
    back = reread_csv(safe_csv_bytes(predictions))
    assert (back["shape"] == "'=odd").any()
    for name in back.columns:
        if back[name].dtype == object or pd.api.types.is_string_dtype(back[name]):
            for cell in back[name].dropna():
                assert not str(cell).startswith(TRIGGERS), (name, cell)
    for name in [*model.classes]:
        assert pd.api.types.is_float_dtype(back[f"probability_{name}"])
    assert pd.api.types.is_float_dtype(back["size"])
    assert pd.api.types.is_integer_dtype(back["id"])


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
    loaded, model = train_run(
        frame.to_csv(index=False).encode(), "label", c_grid=(1.0,), cv_folds=3
    )
    assert model.categorical_columns == ("code",)
    rows = pd.DataFrame({"code": [1.0, 2.0, np.nan], "noise": [0.0, 0.0, 0.0]})
    assert unseen_categories(model, rows) == {}
    predictions = predict_table(model, rows)
    assert predictions["predicted_class"].tolist()[:2] == ["one", "two"]
