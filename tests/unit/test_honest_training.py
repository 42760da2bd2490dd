"""train() with the checks wired in: the warnings travel with the record and into the CLI JSON,
the held-out numbers carry the trivial model's and an interval, and refit_at refits at another C.
References: DummyClassifier, a hand-worked Wilson interval, a plain scikit-learn pipeline."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, precision_recall_fscore_support
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dashboard.errors import SoftmaxLabError
from dashboard.samples import SAMPLES, load_sample
from dashboard.summary import train_summary
from dashboard.training import TrainingConfig, refit_at, train
from tests.unit.test_checks import loan_table, penguins_like, people_table

GRID = (0.01, 0.1, 1.0, 10.0)


def _train(table: pd.DataFrame, target: str, *, c_grid=GRID, seed: int = 0):
    features = tuple(c for c in table.columns if c != target)
    config = TrainingConfig(
        target=target, features=features, c_grid=c_grid, cv_folds=3, seed=seed, n_jobs=1
    )
    return train(table, config)


def _split(table: pd.DataFrame, target: str, *, seed: int = 0, test_size: float = 0.2):
    """The held-out split as the docs state it, made here with scikit-learn."""
    X = table.drop(columns=target)
    y = table[target].astype(str).to_numpy()
    return train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)


@pytest.fixture(scope="module")
def loan_model():
    return _train(loan_table(n=800), "grade")


@pytest.fixture(scope="module")
def iris():
    return load_sample("iris")


@pytest.fixture(scope="module")
def iris_model(iris):
    return _train(iris, "species")


# --- warnings in the record and in the JSON --------------------------------------------------


def test_a_feature_that_encodes_the_target_is_warned_in_the_record_and_the_json(loan_model):
    leaks = [w for w in loan_model.warnings if w.kind == "leak"]
    assert [w.column for w in leaks] == ["sub_grade"]
    assert "sub_grade" in leaks[0].message and "grade" in leaks[0].message
    assert "sub_grade" in loan_model.config.features  # a warning, not a removal
    printed = json.loads(json.dumps(train_summary(loan_model)))
    assert {"kind": "leak", "column": "sub_grade", "message": leaks[0].message} in printed[
        "warnings"
    ]


def test_a_synonym_column_is_warned():
    model = _train(people_table(), "gender")
    assert [w.column for w in model.warnings if w.kind == "leak"] == ["sex"]
    assert train_summary(model)["warnings"][0]["column"] == "sex"


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_clean_public_tables_get_no_leak_or_copy_warning(key):
    table = load_sample(key)
    model = _train(table, SAMPLES[key].target, c_grid=(0.1, 1.0))
    assert [w.kind for w in model.warnings if w.kind in ("leak", "duplicates")] == []


def test_a_penguins_like_table_gets_no_leak_or_copy_warning():
    model = _train(penguins_like(), "species", c_grid=(0.1, 1.0))
    assert [w.kind for w in model.warnings if w.kind in ("leak", "duplicates")] == []


def test_copies_of_training_rows_and_a_small_held_out_part_are_warned(iris):
    doubled = pd.concat([iris.iloc[::5]] * 2, ignore_index=True)  # 60 rows, each twice
    model = _train(doubled, "species", c_grid=(1.0,))
    kinds = [w.kind for w in model.warnings]
    assert "duplicates" in kinds and "small_test" in kinds  # 12 held-out rows


def test_a_best_c_at_the_grid_edge_is_warned_with_the_grid_extended(iris):
    model = _train(iris, "species", c_grid=(0.001, 0.01))
    assert model.best_C == 0.01  # more C is better on iris at this end
    (edge,) = [w for w in model.warnings if w.kind == "grid_edge"]
    assert edge.extended_grid == (0.001, 0.01, 0.1)
    assert "Extend the grid to 0.1" in edge.message


# --- the trivial model and the interval, against references ----------------------------------


def test_the_baseline_is_dummy_classifiers_on_the_same_rows(loan_model):
    X_train, X_test, y_train, y_test = _split(loan_table(n=800), "grade")
    frequent = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    prior = DummyClassifier(strategy="prior").fit(X_train, y_train)
    guess = frequent.predict(X_test)
    baseline = loan_model.evaluation.baseline
    assert baseline.majority_class == guess[0] == "B"
    assert baseline.accuracy == pytest.approx(np.mean(guess == y_test))
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(
            y_test, guess, average=average, zero_division=0
        )
        assert getattr(baseline, f"precision_{average}") == pytest.approx(p)
        assert getattr(baseline, f"recall_{average}") == pytest.approx(r)
        assert getattr(baseline, f"f1_{average}") == pytest.approx(f)
    reference = log_loss(y_test, prior.predict_proba(X_test), labels=prior.classes_)
    assert baseline.log_loss == pytest.approx(reference)
    printed = train_summary(loan_model)["baseline"]
    assert printed == {
        "accuracy": pytest.approx(np.mean(guess == y_test)),
        "log_loss": pytest.approx(reference),
        "class": "B",
    }


def test_weighted_averages_are_scikit_learns(loan_model):
    _, _, _, y_test = _split(loan_table(n=800), "grade")
    p, r, f, _ = precision_recall_fscore_support(
        y_test, loan_model.test_pred, average="weighted", zero_division=0
    )
    test = train_summary(loan_model)["test"]
    assert (test["precision_weighted"], test["recall_weighted"], test["f1_weighted"]) == (
        pytest.approx(p),
        pytest.approx(r),
        pytest.approx(f),
    )


def test_the_accuracy_interval_is_wilsons_worked_by_hand():
    honest = _train(loan_table(n=800).drop(columns="sub_grade"), "grade")
    assert not [w for w in honest.warnings if w.kind == "leak"]  # the leak left out
    n = honest.n_test
    k = int(np.sum(honest.test_pred == honest.y_test))
    z = norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    lo, hi = train_summary(honest)["test"]["accuracy_interval"]
    assert (lo, hi) == (pytest.approx(centre - half), pytest.approx(centre + half))
    assert lo < p < hi


# --- refit_at ---------------------------------------------------------------------------------


def test_refit_at_is_a_plain_pipeline_fitted_at_that_c(iris, iris_model):
    C = 0.1
    assert iris_model.best_C != C
    adopted = refit_at(iris, iris_model, C)
    X_train, X_test, y_train, y_test = _split(iris, "species")
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
    reference.fit(X_train, y_train)
    np.testing.assert_allclose(adopted.test_proba, reference.predict_proba(X_test), atol=1e-6)
    assert adopted.evaluation.accuracy == pytest.approx(reference.score(X_test, y_test))
    assert adopted.best_C == C and adopted.adopted_from is iris_model
    assert adopted.model_id != iris_model.model_id
    assert adopted.cv_summary is iris_model.cv_summary  # no new search
    assert adopted.evaluation.baseline.accuracy == iris_model.evaluation.baseline.accuracy
    # Adopting again starts from the search's record; its own best C gives that record back.
    assert refit_at(iris, adopted, 1.0).adopted_from is iris_model
    assert refit_at(iris, adopted, iris_model.best_C) is iris_model


def test_refit_at_refuses_another_table_and_a_bad_c(iris, iris_model):
    with pytest.raises(SoftmaxLabError, match="not the one the model was trained on"):
        refit_at(iris.iloc[::-1].reset_index(drop=True), iris_model, 0.1)
    for bad in (0, -1, float("nan"), "ten", True):
        with pytest.raises(SoftmaxLabError):
            refit_at(iris, iris_model, bad)
