"""Benchmark: the class-weight comparison against one C of the search (issue 14), fresh processes.

The 336k x 19 x 16 table of ``bench.train.TABLES``, built as ``real_shaped`` builds it, is
trained once per process; then ``class_weight_what_if`` is timed (its first call, which lays
the rows out in fresh memory, and a second), beside one C of the search (the search's time
over the grid's length). Each figure has wall and CPU time (``time.process_time``: on a
shared machine wall time is inflated, CPU time much less) and the page faults of the call.
Several processes run one after another; the best of each figure is reported with the load
average before and after.

Run with ``python -m bench.class_weights`` (``--processes 3``, ``--rows 100000`` for a shorter run).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

from bench.train import TABLES, make_data

TABLE = next(t for t in TABLES if t[0] == 336_000)  # (rows, numeric, categorical, classes, goal)


def one_process(rows: int) -> dict:
    """Train once, then time two class-weight comparisons; the figures of this process."""
    import pandas as pd

    from dashboard import training
    from dashboard.profile import profile

    _, numeric, _, classes, _ = TABLE
    X, y = make_data(rows, numeric, classes)
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(numeric)])
    table["label"] = [f"class {v}" for v in y]
    config = training.TrainingConfig(target="label", features=tuple(table.columns[:-1]))
    table_profile = profile(table)
    search_c, search_cpu = training.search_c, []

    def timed_search(*args, **kwargs):  # the search's CPU time, beside its own wall time
        cpu = time.process_time()
        try:
            return search_c(*args, **kwargs)
        finally:
            search_cpu.append(time.process_time() - cpu)

    training.search_c = timed_search
    model = training.train(table, config, scheduler="", table_profile=table_profile)
    training.search_c = search_c
    calls = []
    for _ in range(2):
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        cpu, start = time.process_time(), time.perf_counter()
        training.class_weight_what_if(table, model, table_profile=table_profile)
        calls.append(
            {
                "wall": time.perf_counter() - start,
                "cpu": time.process_time() - cpu,
                "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults,
            }
        )
    grid = len(config.c_grid)
    return {
        "first": calls[0],
        "second": calls[1],
        "one_c": {"wall": model.timings["search"] / grid, "cpu": search_cpu[0] / grid},
        "best_C": model.best_C,
    }


def run(processes: int, rows: int) -> dict:
    """``processes`` fresh processes one after another; the best of each figure."""
    load_before = os.getloadavg()
    runs = []
    for _ in range(processes):
        command = [sys.executable, "-m", "bench.class_weights", "--child", "--rows", str(rows)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = {
        part: {k: float(np.min([r[part][k] for r in runs])) for k in runs[0][part]}
        for part in ("first", "second", "one_c")
    }
    return {"rows": rows, "runs": runs, "best": best, "load": [load_before, os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--rows", type=int, default=TABLE[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(one_process(args.rows)))
        return 0
    result = run(args.processes, args.rows)
    for r in result["runs"]:
        print(
            f"what-if first {r['first']['wall']:.2f} s wall {r['first']['cpu']:.2f} s CPU "
            f"({r['first']['faults']} faults), second {r['second']['wall']:.2f} / "
            f"{r['second']['cpu']:.2f}; one C {r['one_c']['wall']:.2f} / {r['one_c']['cpu']:.2f}"
        )
    b = result["best"]
    print(
        f"best of {args.processes}: what-if first {b['first']['wall']:.2f} s wall "
        f"{b['first']['cpu']:.2f} s CPU, second {b['second']['wall']:.2f} / "
        f"{b['second']['cpu']:.2f}; one C {b['one_c']['wall']:.2f} / {b['one_c']['cpu']:.2f}; "
        f"load {result['load'][0][0]:.2f} -> {result['load'][1][0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
