"""Bundled sample datasets, taken from scikit-learn's installed package (nothing is downloaded)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn import datasets

from dashboard.errors import SoftmaxLabError


@dataclass(frozen=True, kw_only=True)
class Sample:
    """A bundled dataset: how to load it and what it is about."""

    key: str
    title: str
    target: str
    description: str


SAMPLES: dict[str, Sample] = {
    s.key: s
    for s in (
        Sample(
            key="iris",
            title="Iris flowers",
            target="species",
            description="150 flowers, 4 measurements, 3 species. The classic first dataset.",
        ),
        Sample(
            key="wine",
            title="Wine cultivars",
            target="cultivar",
            description="178 wines, 13 chemical measurements, 3 cultivars.",
        ),
        Sample(
            key="breast_cancer",
            title="Breast cancer (Wisconsin)",
            target="diagnosis",
            description="569 tumours, 30 measurements, malignant or benign.",
        ),
        Sample(
            key="digits",
            title="Handwritten digits",
            target="digit",
            description="1,797 images of 8x8 pixels, 64 pixel columns, digits 0 to 9.",
        ),
    )
}

DEFAULT_SAMPLE = "iris"

_LOADERS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
}


def load_sample(key: str) -> pd.DataFrame:
    """Return a bundled dataset as a table whose last column is the target, with readable labels.

    Parameters
    ----------
    key : str
        One of ``SAMPLES`` (``"iris"``, ``"wine"``, ``"breast_cancer"``, ``"digits"``).

    Returns
    -------
    pandas.DataFrame
        Feature columns named as scikit-learn names them, then the target column.

    Examples
    --------
    >>> table = load_sample("iris")
    >>> table.shape
    (150, 5)
    >>> sorted(table["species"].unique())
    ['setosa', 'versicolor', 'virginica']
    """
    if key not in SAMPLES:
        raise SoftmaxLabError(
            f"There is no sample called {key!r}",
            hint="Pick one of: " + ", ".join(SAMPLES) + ".",
        )
    bunch = _LOADERS[key]()
    frame = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
    names = getattr(bunch, "target_names", None)
    if key == "digits":
        labels = [str(int(t)) for t in bunch.target]
    else:
        labels = [str(names[t]) for t in bunch.target]
    frame[SAMPLES[key].target] = pd.Series(labels, dtype="str")
    return frame
