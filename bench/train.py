"""Benchmark: our C search against the seed article's GridSearchCV, side by side in one run.

The seed tunes C with::

    GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(solver="lbfgs")),
                 {"logisticregression__C": [0.001, 0.01, 0.1, 1, 10, 100]}, cv=5)

Both run on the same seeded ``make_classification`` data and the same five folds
(``cv=5`` means an unshuffled ``StratifiedKFold(5)``), so the scores must agree: every mean
CV accuracy within 1e-3, and our C equal to GridSearchCV's or within 1e-4 of its best score.

Run with ``python -m bench.train`` (``--quick`` for a smoke run, ``--no-growth`` to skip the
growth table, ``--no-1m`` to skip the one-million-row case).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dashboard.search import search_c
from dashboard.training import SEED_GRID

CASES = ((10_000, 20, 3), (100_000, 50, 5), (1_000_000, 20, 3))
QUICK_CASES = ((2_000, 10, 3), (10_000, 20, 3))
GROWTH_ROWS = (10_000, 100_000, 1_000_000)  # at GROWTH_BASE_CLASSES classes
GROWTH_CLASSES = (5, 20, 50)  # at GROWTH_BASE_ROWS rows
GROWTH_BASE_ROWS = 100_000
GROWTH_BASE_CLASSES = 5
GROWTH_FEATURES = 10


def make_data(rows: int, features: int, classes: int, *, seed: int = 0):
    """Seeded synthetic data; most features informative so the classes can be told apart."""
    informative = max(2, min(features - 2, int(0.8 * features)))
    # make_classification needs classes * clusters <= 2 ** informative
    while classes > 2**informative:
        informative += 1
    X, y = make_classification(
        n_samples=rows,
        n_features=max(features, informative),
        n_informative=informative,
        n_redundant=0,
        n_classes=classes,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return X, y


def seed_search():
    """The seed article's search, with default settings."""
    return GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(solver="lbfgs")),
        {"logisticregression__C": list(SEED_GRID)},
        cv=5,
    )


def our_search(X, y, **kwargs):
    """Our search on the same pipeline (default max_iter, like the seed) and the same folds."""
    folds = list(StratifiedKFold(n_splits=5).split(X, y))
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(solver="lbfgs"))
    return search_c(pipeline, X, y, c_grid=SEED_GRID, folds=folds, coef_path=False, **kwargs)


def compare(rows: int, features: int, classes: int) -> dict:
    """Time both searches on one data set and check that they agree."""
    X, y = make_data(rows, features, classes)
    start = time.perf_counter()
    ours = our_search(X, y)
    ours_seconds = time.perf_counter() - start

    start = time.perf_counter()
    grid = seed_search().fit(X, y)
    grid_seconds = time.perf_counter() - start

    grid_means = np.asarray(grid.cv_results_["mean_test_score"])
    grid_cs = np.asarray(grid.cv_results_["param_logisticregression__C"], dtype=float)
    order = np.argsort(grid_cs)
    ours_means = ours.cv_summary["mean_accuracy"].to_numpy()  # sorted by C, like order
    grid_best_C = float(grid.best_params_["logisticregression__C"])
    ours_grid_score = float(grid_means[order][list(ours.cv_summary["C"]).index(ours.best_C)])
    agrees = ours.best_C == grid_best_C or grid.best_score_ - ours_grid_score <= 1e-4
    return {
        "kind": "compare",
        "rows": rows,
        "features": features,
        "classes": classes,
        "gridsearchcv_seconds": round(grid_seconds, 2),
        "ours_seconds": round(ours_seconds, 2),
        "speedup": round(grid_seconds / ours_seconds, 2),
        "gridsearchcv_best_C": grid_best_C,
        "ours_best_C": ours.best_C,
        "best_C_agrees": bool(agrees),
        "max_cv_mean_difference": float(np.max(np.abs(grid_means[order] - ours_means))),
        "ours_not_converged": list(ours.not_converged),
        "ours_workers": ours.workers,
        "ours_warm_start": ours.warm_start,
        "load_average": round(os.getloadavg()[0], 2),
    }


def growth(
    rows_list=GROWTH_ROWS,
    classes_list=GROWTH_CLASSES,
    *,
    base_rows: int = GROWTH_BASE_ROWS,
    base_classes: int = GROWTH_BASE_CLASSES,
) -> list[dict]:
    """Our search's time as rows grow (at ``base_classes``) and as classes grow (at ``base_rows``).

    Ten features keep the million-row point affordable on two cores.
    """
    points = [(rows, base_classes) for rows in rows_list]
    points += [(base_rows, c) for c in classes_list if (base_rows, c) not in points]
    out = []
    for rows, classes in points:
        X, y = make_data(rows, GROWTH_FEATURES, classes)
        start = time.perf_counter()
        result = our_search(X, y)
        out.append(
            {
                "kind": "growth",
                "rows": rows,
                "features": GROWTH_FEATURES,
                "classes": classes,
                "ours_seconds": round(time.perf_counter() - start, 2),
                "best_C": result.best_C,
                "not_converged": list(result.not_converged),
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    return out


def machine() -> str:
    """One line describing where the figures were measured."""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run(quick: bool = False, *, with_1m: bool = True, with_growth: bool = True) -> list[dict]:
    """Every comparison row (``kind="compare"``), then the growth rows (``kind="growth"``)."""
    cases = QUICK_CASES if quick else [c for c in CASES if with_1m or c[0] < 1_000_000]
    rows = [compare(*case) for case in cases]
    if with_growth:
        if quick:
            rows += growth((2_000, 10_000), (5, 20), base_rows=10_000)
        else:
            rows += growth([r for r in GROWTH_ROWS if with_1m or r < 1_000_000])
    return rows


def _print(rows: list[dict]) -> None:
    print(f"Machine: {machine()}")
    print("\nC search: seed GridSearchCV vs ours (same pipeline, same 5 folds, seed grid)")
    print(
        f"{'rows':>9} {'feat':>4} {'cls':>3} {'GridSearchCV s':>14} {'ours s':>8} "
        f"{'speed-up':>8} {'best C (grid/ours)':>19} {'agree':>5} {'max |dCV|':>10} {'load':>5}"
    )
    for r in rows:
        if r["kind"] != "compare":
            continue
        best = f"{r['gridsearchcv_best_C']:g}/{r['ours_best_C']:g}"
        print(
            f"{r['rows']:>9} {r['features']:>4} {r['classes']:>3} "
            f"{r['gridsearchcv_seconds']:>14.2f} {r['ours_seconds']:>8.2f} "
            f"{r['speedup']:>7.1f}x {best:>19} {'yes' if r['best_C_agrees'] else 'NO':>5} "
            f"{r['max_cv_mean_difference']:>10.1e} {r['load_average']:>5.1f}"
        )
    growth_rows = [r for r in rows if r["kind"] == "growth"]
    if growth_rows:
        print(f"\nGrowth: our search's seconds ({GROWTH_FEATURES} features, 6 C x 5 folds)")
        print(f"{'rows':>9} {'classes':>7} {'seconds':>8} {'load':>5}")
        for r in growth_rows:
            print(
                f"{r['rows']:>9} {r['classes']:>7} {r['ours_seconds']:>8.2f} "
                f"{r['load_average']:>5.1f}"
            )
    print("\n(load: the machine's 1-minute load average after the case; other work inflates times)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, a smoke run")
    parser.add_argument("--no-1m", action="store_true", help="skip the 1M-row cases")
    parser.add_argument("--no-growth", action="store_true", help="skip the growth table")
    args = parser.parse_args(argv)
    rows = run(args.quick, with_1m=not args.no_1m, with_growth=not args.no_growth)
    _print(rows)
    return 0 if all(r.get("best_C_agrees", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
