"""Trained runs and files shared by the export, prediction, report and script tests."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

# The cell starts a spreadsheet runs as a formula (OWASP), written out here, not imported.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def reread_csv(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8", keep_default_na=False, na_values=[""])


def iris_csv() -> bytes:
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    return frame.to_csv(index=False).encode("utf-8")


def mixed_frame(n: int = 240, seed: int = 1) -> pd.DataFrame:
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


def mixed_csv() -> bytes:
    # Semicolons and decimal commas, as a European spreadsheet writes them.
    return mixed_frame().to_csv(index=False, sep=";", decimal=",").encode("utf-8")


def tricky_csv() -> bytes:
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


def train_run(raw: bytes, target: str, **options):
    from dashboard.data import load_csv
    from dashboard.profile import profile
    from dashboard.training import TrainingConfig, train

    loaded = load_csv(raw, name="data.csv")
    features = profile(loaded.table).default_features(target)
    config = TrainingConfig(target=target, features=tuple(features), n_jobs=1, **options)
    return loaded, train(loaded.table, config, data_sha256=loaded.sha256)
