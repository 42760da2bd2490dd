"""The decision map of a model that also reads a date column: the date is no axis, it is held
at the reference row's value, and the cells equal predict_proba on rows built by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.explore import decision_map, map_features
from tests.runs import train_run


def test_a_date_column_is_held_at_the_reference_row():
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame(
        {
            "when": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "a": rng.normal(size=n),
            "colour": rng.choice(["r", "g"], n),
        }
    )
    frame["y"] = np.where(frame["a"] + (np.arange(n) > 100) > 0.5, "yes", "no")
    _, model = train_run(frame.to_csv(index=False).encode(), "y", c_grid=(0.1, 1.0), cv_folds=3)
    assert "when" in model.X_test.columns
    assert "when" not in [*map_features(model.pipeline)[0], *map_features(model.pipeline)[1]]
    reference = model.X_test.iloc[[3]]
    m = decision_map(model.pipeline, model.X_test, x="a", y="colour", reference=reference,
                     resolution=5)  # fmt: skip
    assert dict(m.held_at)["when"] == reference["when"].iloc[0]
    assert "when = " in m.caption
    for iy, colour in enumerate(m.y_values):
        for ix, a in enumerate(m.x_values):
            row = reference.copy()
            row["a"] = a
            row["colour"] = colour
            np.testing.assert_allclose(
                m.proba[iy, ix], model.pipeline.predict_proba(row)[0], atol=1e-12
            )
