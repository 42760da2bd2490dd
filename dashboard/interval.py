"""The Wilson score interval of an accuracy, in one place for the app and the exported script.

This module imports only the standard library: the exported script is rendered with its source
(``dashboard/export/script.py``), and :func:`dashboard.evaluation.accuracy_interval` checks its
inputs and calls it, so the two cannot drift.
"""

from __future__ import annotations

import math
from statistics import NormalDist


def wilson_interval(n_correct, n_rows, confidence=0.95):
    """The Wilson score interval of an accuracy of ``n_correct`` out of ``n_rows``.

    The inputs are not checked (:func:`dashboard.evaluation.accuracy_interval` checks them):
    ``0 <= n_correct <= n_rows``, ``n_rows >= 1`` and ``0 < confidence < 1``.

    Examples
    --------
    >>> lo, hi = wilson_interval(8, 10)
    >>> round(lo, 3), round(hi, 3)
    (0.49, 0.943)
    >>> wilson_interval(0, 5)[0], wilson_interval(5, 5)[1]
    (0.0, 1.0)
    """
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    n = float(n_rows)
    p = n_correct / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Exact at the ends (rounding could put 1 - 1e-17 where every row is right).
    lo = 0.0 if n_correct == 0 else max(0.0, centre - half)
    hi = 1.0 if n_correct == n_rows else min(1.0, centre + half)
    return (float(lo), float(hi))
