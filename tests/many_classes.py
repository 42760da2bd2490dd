"""A 50-class table for the many-classes tests (AppTest and Chromium): the US states' codes as
classes, six numeric features, uneven class sizes, and ten small classes that sit on top of
big ones (so that some classes are never predicted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

CODES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]
TARGET = "state"


def fifty_class_frame(seed: int = 0) -> pd.DataFrame:
    """About 1,700 rows: 40 classes of 24 to 60 rows, 10 of 12 rows hidden under big ones."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-4, 4, size=(50, 6))
    centres[40:] = centres[:10] + rng.normal(scale=0.15, size=(10, 6))  # hidden classes
    sizes = np.concatenate([rng.integers(24, 61, size=40), np.full(10, 12)])
    labels = np.repeat(np.arange(50), sizes)
    x = centres[labels] + rng.normal(scale=0.9, size=(labels.size, 6))
    frame = pd.DataFrame(x.round(3), columns=[f"x{i + 1}" for i in range(6)])
    frame[TARGET] = np.array(CODES)[labels]
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def fifty_class_csv(seed: int = 0) -> bytes:
    return fifty_class_frame(seed).to_csv(index=False).encode("utf-8")
