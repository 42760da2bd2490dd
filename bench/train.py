"""Benchmark: our C search against the seed article's GridSearchCV, side by side in one run.

The seed tunes C with::

    GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(solver="lbfgs")),
                 {"logisticregression__C": [0.001, 0.01, 0.1, 1, 10, 100]}, cv=5)

Both run on the same seeded ``make_classification`` data and the same five folds
(``cv=5`` means an unshuffled ``StratifiedKFold(5)``), so the scores must agree: every mean
CV accuracy within 1e-3, and our C equal to GridSearchCV's or within 1e-4 of its best score.

Besides the search alone (``compare``), two measures of issue 14:

* ``whole_process``: ``python -m dashboard train FILE`` against the seed's script (``SEED_SCRIPT``:
  imports, ``pd.read_csv``, the held-out split and ``GridSearchCV`` on five stratified shuffled
  folds), each as a fresh process on the same CSV;
* ``in_process``: ``training.train`` against ``GridSearchCV(...).fit`` on the same training part
  and folds, in this process;

and the time ``train`` takes on tables shaped like the issue's real ones (``TABLES``). Every
figure carries wall and CPU time and the load average before and after it: on a shared machine
wall times are inflated, and ratios are only fair between runs made at the same moment.

Run with ``python -m bench.train`` (``--quick`` for a smoke run, ``--no-growth`` to skip the
growth table, ``--no-1m`` to skip the one-million-row case).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dashboard.search import search_c
from dashboard.training import SEED_GRID

CASES = ((10_000, 20, 3), (100_000, 50, 5), (1_000_000, 20, 3))
PROCESS_CASE = (100_000, 50, 5)
PROCESS_GOAL = 5.0  # python -m dashboard train vs the seed's script, whole processes
IN_PROCESS_GOALS = {(100_000, 50, 5): 10.0, (10_000, 20, 3): 5.0, (1_000_000, 20, 3): 5.0}
TABLES = (  # (rows, numeric, categorical, classes, goal seconds): the real tables
    (54_000, 7, 3, 5, 3.0),
    (10_000, 55, 0, 50, 10.0),
    (336_000, 19, 0, 16, 60.0),
)

SEED_SCRIPT = """
import sys
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv(sys.argv[1])
X, y = df.drop(columns=["label"]), df["label"]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
search = GridSearchCV(
    make_pipeline(StandardScaler(), LogisticRegression(solver="lbfgs")),
    {"logisticregression__C": [0.001, 0.01, 0.1, 1, 10, 100]},
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
).fit(X_train, y_train)
print(search.best_params_, search.score(X_test, y_test))
"""
"""The seed's script, as a reader of the article would run it on a CSV with a "label" column."""
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
    load_before = _load()
    cpu, start = time.process_time(), time.perf_counter()
    ours = our_search(X, y)
    ours_seconds, ours_cpu = time.perf_counter() - start, time.process_time() - cpu

    cpu, start = time.process_time(), time.perf_counter()
    grid = seed_search().fit(X, y)
    grid_seconds, grid_cpu = time.perf_counter() - start, time.process_time() - cpu

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
        "gridsearchcv_cpu": round(grid_cpu, 2),
        "ours_cpu": round(ours_cpu, 2),
        "cpu_speedup": round(grid_cpu / ours_cpu, 2),
        "gridsearchcv_best_C": grid_best_C,
        "ours_best_C": ours.best_C,
        "best_C_agrees": bool(agrees),
        "max_cv_mean_difference": float(np.max(np.abs(grid_means[order] - ours_means))),
        "ours_not_converged": list(ours.not_converged),
        "ours_workers": ours.workers,
        "ours_warm_start": ours.warm_start,
        "ours_fast_solver": ours.fast_solver,
        "load_before": load_before,
        "load_average": _load(),
    }


def _load() -> float:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else float("nan")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


PROCESS_REPEATS = 3
"""Whole processes run this many times each, in turn; the fastest of each side counts. Two runs
each left a spread of 3.3 to 4.1 s between idle runs of ours (the seed's: 17.5 to 20.4 s): a
third run each lowers the odds that one busy moment decides either side's figure."""


def _timed_process(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process (CPU: its user + system time)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    root = Path(__file__).resolve().parents[1]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root)
    return time.perf_counter() - start, _children_cpu() - cpu


def write_csv(path: Path, rows: int, features: int, classes: int) -> None:
    """The synthetic data as a CSV with a "label" column."""
    import pandas as pd

    X, y = make_data(rows, features, classes)
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    table["label"] = y
    table.to_csv(path, index=False)
    with open(path, "rb+") as f:  # written to disk now, not while the first process reads it
        os.fsync(f.fileno())


def whole_process(rows: int, features: int, classes: int) -> dict:
    """``python -m dashboard train`` against ``SEED_SCRIPT`` as fresh processes on one CSV
    (written to disk first), each run ``PROCESS_REPEATS`` times in turn, the fastest counting."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        write_csv(path, rows, features, classes)
        load_before = _load()
        ours_args = [sys.executable, "-m", "dashboard", "train", str(path), "--target", "label"]
        runs = {"ours": [], "seed": []}
        for _ in range(PROCESS_REPEATS):  # in turn, so that a busy moment weighs on both
            runs["ours"].append(_timed_process(ours_args))
            runs["seed"].append(_timed_process([sys.executable, "-c", SEED_SCRIPT, str(path)]))
        ours, seed = min(runs["ours"]), min(runs["seed"])
        load_after = _load()
    return {
        "kind": "process",
        "rows": rows,
        "features": features,
        "classes": classes,
        "seed_seconds": round(seed[0], 2),
        "ours_seconds": round(ours[0], 2),
        "speedup": round(seed[0] / ours[0], 2),
        "seed_cpu": round(seed[1], 2),
        "ours_cpu": round(ours[1], 2),
        "cpu_speedup": round(seed[1] / ours[1], 2),
        "goal": PROCESS_GOAL,
        "load_before": load_before,
        "load_average": load_after,
    }


def _table(rows: int, features: int, classes: int):
    import pandas as pd

    X, y = make_data(rows, features, classes)
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    table["label"] = y
    return table


SMALL_REPEATS = 3
"""In process, tables of up to ``SMALL_ROWS`` rows are timed this many times on each side (the
best run counts), larger ones once: a tenth of a second is within one scheduler hiccup."""

SMALL_ROWS = 10_000


def _warm_up() -> None:
    """One small run of each side first, so that neither pays the process's first-call costs
    (lazy imports, first allocations) inside its figure."""
    from dashboard.training import TrainingConfig, train

    table = _table(2_000, 5, 3)
    config = TrainingConfig(target="label", features=tuple(table.columns[:-1]))
    train(table, config, scheduler="")
    X, y = table.drop(columns=["label"]), np.asarray(table["label"]).astype(str)
    seed_search().set_params(cv=StratifiedKFold(5, shuffle=True, random_state=0)).fit(X, y)


def _best_of(repeats: int, work) -> tuple:
    """``work()``'s result and its best wall and CPU seconds over ``repeats`` runs."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        cpu, start = time.process_time(), time.perf_counter()
        result = work()
        best_wall = min(best_wall, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return result, (best_wall, best_cpu)


def in_process(rows: int, features: int, classes: int) -> dict:
    """``training.train`` against ``GridSearchCV(...).fit`` on its training part and folds.

    Both warm (`_warm_up`); small tables are timed ``SMALL_REPEATS`` times on each side.
    """
    from dashboard.profile import profile
    from dashboard.training import TrainingConfig, train

    _warm_up()
    repeats = SMALL_REPEATS if rows <= SMALL_ROWS else 1
    table = _table(rows, features, classes)
    config = TrainingConfig(target="label", features=tuple(table.columns[:-1]))
    table_profile = profile(table)  # the app and the CLI have it before training
    load_before = _load()
    model, ours = _best_of(
        repeats, lambda: train(table, config, scheduler="", table_profile=table_profile)
    )

    X, y = table.drop(columns=["label"]), np.asarray(table["label"]).astype(str)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    search = seed_search().set_params(cv=StratifiedKFold(5, shuffle=True, random_state=0))
    grid, theirs = _best_of(repeats, lambda: clone(search).fit(X_train, y_train))
    load_after = _load()

    means = np.asarray(grid.cv_results_["mean_test_score"])  # SEED_GRID order, sorted
    ours_means = model.cv_summary["mean_accuracy"].to_numpy()
    chosen = list(SEED_GRID).index(model.best_C)
    grid_best = float(grid.best_params_["logisticregression__C"])
    return {
        "kind": "in_process",
        "rows": rows,
        "features": features,
        "classes": classes,
        "gridsearchcv_seconds": round(theirs[0], 2),
        "ours_seconds": round(ours[0], 2),
        "speedup": round(theirs[0] / ours[0], 2),
        "gridsearchcv_cpu": round(theirs[1], 2),
        "ours_cpu": round(ours[1], 2),
        "cpu_speedup": round(theirs[1] / ours[1], 2),
        "goal": IN_PROCESS_GOALS.get((rows, features, classes)),
        "best_C_agrees": bool(
            model.best_C == grid_best or grid.best_score_ - means[chosen] <= 1e-4
        ),
        "max_cv_mean_difference": float(np.max(np.abs(means - ours_means))),
        "timings": {k: v for k, v in model.timings.items() if isinstance(v, float)},
        "load_before": load_before,
        "load_average": load_after,
    }


def real_shaped(rows: int, numeric: int, categorical: int, classes: int, goal: float) -> dict:
    """``training.train`` on a table shaped like one of the issue's (numbers and categories)."""
    import pandas as pd

    from dashboard.profile import profile
    from dashboard.training import TrainingConfig, class_weight_what_if, train

    X, y = make_data(rows, numeric + categorical, classes)
    table = pd.DataFrame(X[:, :numeric], columns=[f"x{i}" for i in range(numeric)])
    words = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    for j in range(categorical):  # a few to a few dozen categories, from informative columns
        bins = np.quantile(X[:, numeric + j], np.linspace(0, 1, 4 + 6 * j)[1:-1])
        table[f"cat{j}"] = words[np.digitize(X[:, numeric + j], bins)]
    table["label"] = [f"class {v}" for v in y]
    config = TrainingConfig(target="label", features=tuple(table.columns[:-1]))
    table_profile = profile(table)
    load_before = _load()
    cpu, start = time.process_time(), time.perf_counter()
    model = train(table, config, scheduler="", table_profile=table_profile)
    seconds = (round(time.perf_counter() - start, 2), round(time.process_time() - cpu, 2))
    # Issue 14: the class-weight comparison costs at most one C of the search.
    what_if_start = time.perf_counter()
    class_weight_what_if(table, model, table_profile=table_profile)
    what_if = time.perf_counter() - what_if_start
    return {
        "kind": "table",
        "what_if_seconds": round(what_if, 2),
        "one_c_seconds": round(model.timings["search"] / len(config.c_grid), 2),
        "rows": rows,
        "features": numeric + categorical,
        "categorical": categorical,
        "classes": classes,
        "ours_seconds": seconds[0],
        "ours_cpu": seconds[1],
        "goal_seconds": goal,
        "best_C": model.best_C,
        "load_before": load_before,
        "load_average": _load(),
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
    """Every row: whole processes (``kind="process"``), ``train`` in process (``"in_process"``),
    the search alone (``"compare"``), real-shaped tables (``"table"``), growth (``"growth"``)."""
    cases = QUICK_CASES if quick else [c for c in CASES if with_1m or c[0] < 1_000_000]
    rows = [whole_process(*(QUICK_CASES[-1] if quick else PROCESS_CASE))]
    rows += [in_process(*case) for case in cases]
    rows += [compare(*case) for case in cases]
    tables = [(r // 20, n, c, k, g) for r, n, c, k, g in TABLES[:2]] if quick else TABLES
    rows += [real_shaped(*t) for t in tables]
    if with_growth:
        if quick:
            rows += growth((2_000, 10_000), (5, 20), base_rows=10_000)
        else:
            rows += growth([r for r in GROWTH_ROWS if with_1m or r < 1_000_000])
    return rows


def format_speed(rows: list[dict]) -> str:
    """Whole-process and in-process ratios side by side, wall and CPU, beside their goals."""
    lines = [
        f"{'measure':<34} {'rows':>9} {'feat':>4} {'cls':>3} {'theirs s':>9} {'ours s':>7} "
        f"{'wall x':>7} {'CPU x':>6} {'goal':>5} {'load':>11}"
    ]
    for r in rows:
        if r["kind"] == "process":
            what, theirs, goal = "dashboard train vs seed script", r["seed_seconds"], r["goal"]
        elif r["kind"] == "in_process":
            what, theirs, goal = "train() vs GridSearchCV.fit", r["gridsearchcv_seconds"], r["goal"]
        else:
            continue
        goal_text = f"{goal:g}x" if goal else "-"
        lines.append(
            f"{what:<34} {r['rows']:>9,} {r['features']:>4} {r['classes']:>3} {theirs:>9.2f} "
            f"{r['ours_seconds']:>7.2f} {r['speedup']:>6.1f}x {r['cpu_speedup']:>5.1f}x "
            f"{goal_text:>5} {r['load_before']:>5.1f}-{r['load_average']:<5.1f}"
        )
    tables = [r for r in rows if r["kind"] == "table"]
    if tables:
        lines.append("")
        lines.append(f"{'train() on a table shaped like':<34} {'rows':>9} {'feat':>4} {'cls':>3} "
                     f"{'s':>7} {'CPU s':>7} {'goal s':>7} {'load':>11} "
                     f"{'weights s':>9} {'one C s':>7}")  # fmt: skip
        for r in tables:
            what = f"{r['categorical']} categorical columns" if r["categorical"] else "numbers"
            lines.append(
                f"{what:<34} {r['rows']:>9,} {r['features']:>4} {r['classes']:>3} "
                f"{r['ours_seconds']:>7.2f} {r['ours_cpu']:>7.2f} {r['goal_seconds']:>7g} "
                f"{r['load_before']:>5.1f}-{r['load_average']:<5.1f} "
                f"{r.get('what_if_seconds', float('nan')):>9.2f} "
                f"{r.get('one_c_seconds', float('nan')):>7.2f}"
            )
        lines.append("(weights s: the class-weight comparison; goal: at most one C of the search)")
    return "\n".join(lines)


def _print(rows: list[dict]) -> None:
    print(f"Machine: {machine()}")
    print("\nSpeed (wall x and CPU x: their time / ours; load: before-after)")
    print(format_speed(rows))
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
