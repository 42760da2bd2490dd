"""Fixtures of the unit tests: two trained runs, trained once per session."""

from __future__ import annotations

import pytest

from tests.runs import iris_csv, mixed_csv, train_run


@pytest.fixture(scope="session")
def iris_run():
    raw = iris_csv()
    loaded, model = train_run(raw, "species", c_grid=(0.01, 0.1, 1.0, 10.0), cv_folds=5)
    return raw, loaded, model


@pytest.fixture(scope="session")
def mixed_run():
    raw = mixed_csv()
    loaded, model = train_run(raw, "label", c_grid=(0.001, 0.01, 0.1, 1.0, 10.0), cv_folds=4)
    return raw, loaded, model
