"""A model knows its data: the origin kept in the record and the file, and the stale sentence."""

from __future__ import annotations

from types import SimpleNamespace

from dashboard.data import load_csv, table_from_frame
from dashboard.export.model_file import load_model, save_model
from dashboard.provenance import DataOrigin, stale_model_message
from dashboard.samples import load_sample
from dashboard.training import TrainingConfig, train

IRIS_FEATURES = ["sepal length (cm)", "petal length (cm)"]


def iris_model():
    loaded = table_from_frame(load_sample("iris"), name="Iris")
    config = TrainingConfig(target="species", features=IRIS_FEATURES, c_grid=(1.0,), cv_folds=3)
    return loaded, train(loaded.table, config, data_sha256=loaded.sha256, data_name=loaded.name)


def test_the_record_and_its_file_keep_name_fingerprint_and_shape():
    loaded, model = iris_model()
    expected = DataOrigin(name="Iris", sha256=loaded.sha256, rows=150, columns=5)
    assert model.origin == expected
    assert (model.target, model.config.features) == ("species", tuple(IRIS_FEATURES))
    assert load_model(save_model(model)).origin == expected


def test_the_same_table_and_target_are_not_stale():
    loaded, model = iris_model()
    assert stale_model_message(model, loaded, target="species") is None
    assert stale_model_message(model, loaded) is None  # no target chosen: nothing to compare


def test_another_table_is_named():
    _, model = iris_model()
    wine = table_from_frame(load_sample("wine"), name="Wine")
    assert stale_model_message(model, wine, target="species") == (
        "This model was trained on Iris to predict species; the loaded table is Wine."
    )


def test_the_same_name_with_other_contents_is_told_apart():
    model = SimpleNamespace(
        origin=DataOrigin(name="data.csv", sha256="0" * 64, rows=3, columns=2), target="y"
    )
    other = load_csv(b"x,y\n1,a\n2,b\n3,a\n", name="data.csv")
    assert stale_model_message(model, other, target="y") == (
        "This model was trained on data.csv to predict y; the loaded table is another "
        "data.csv, with other contents."
    )


def test_another_target_on_the_same_table():
    loaded, model = iris_model()
    assert stale_model_message(model, loaded, target="petal width (cm)") == (
        "This model was trained on Iris to predict species; the target chosen now is "
        "petal width (cm)."
    )


def test_unknown_origin_or_no_table_says_nothing():
    _, model = iris_model()
    assert stale_model_message(model, None, target="x") is None
    unknown = SimpleNamespace(origin=DataOrigin(), target="species")
    assert stale_model_message(unknown, table_from_frame(load_sample("wine"), name="W")) is None


def test_a_damaged_stored_origin_reads_as_unknown():
    for value in (None, [], {"name": "a", "sha256": "b", "rows": True, "columns": 1},
                  {"name": "a", "sha256": "b", "rows": -1, "columns": 1}):  # fmt: skip
        assert DataOrigin.from_stored(value) == DataOrigin()
