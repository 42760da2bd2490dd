"""Ingestion benchmark: our loader against a bare ``pandas.read_csv`` on the same bytes, side by side.

Each measurement runs in a fresh Python process that first reads the CSV into memory (as an
upload is), so the peak memory it reports is what the load itself adds (the process's peak
resident memory, ``VmHWM``, during the first load, minus its resident memory before). Times are
the best of a few runs of each loader, alternating in one process, so that the machine's other
load weighs on both alike.

Run ``python -m bench.ingest`` (optionally ``--rows 10000,100000``) to print the table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

SIZES = (10_000, 100_000, 1_000_000)
COLUMNS = 20
_ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import io, json, sys, time
import pandas as pd
import pyarrow, pyarrow.csv, pyarrow.compute
from dashboard.data import load_csv

path, which, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = open(path, "rb").read()

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024

def load(who):
    if who == "pandas":
        return pd.read_csv(io.BytesIO(raw))
    return load_csv(raw, name="bench.csv").table

if which == "time":
    # Both loaders in one process, alternating, best of `repeats`: the machine's other load
    # then weighs on both alike.
    best = {"ours": float("inf"), "pandas": float("inf")}
    cpu = {"ours": float("inf"), "pandas": float("inf")}
    for _ in range(repeats):
        for who in ("pandas", "ours"):
            start, start_cpu = time.perf_counter(), time.process_time()
            table = load(who)
            best[who] = min(best[who], time.perf_counter() - start)
            cpu[who] = min(cpu[who], time.process_time() - start_cpu)
            del table
    print(json.dumps({**best, "ours_cpu": cpu["ours"], "pandas_cpu": cpu["pandas"]}))
else:
    # VmHWM is the peak resident memory of this process image (ru_maxrss would carry the
    # parent's peak across exec); writing 5 to clear_refs resets it to the current size.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS")
    table = load(which)
    peak = status("VmHWM")
    print(json.dumps({
        "peak_mb": max(0, peak - before) / 2**20,
        "table_mb": float(table.memory_usage(deep=True).sum()) / 2**20,
        "shape": list(table.shape),
    }))
"""


def mixed_csv(rows: int, *, cols: int = COLUMNS, seed: int = 0) -> bytes:
    """A mixed CSV like a real export: floats, integers, categories, yes/no, dates, an id, gaps.

    Parameters
    ----------
    rows : int
        Number of data rows.
    cols : int
        Number of columns (at least 10).
    seed : int
        Seed for the random values.
    """
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {"id": np.arange(1, rows + 1)}
    kinds = ["float", "int", "category", "float", "yesno", "float", "category", "date", "gappy"]
    i = 0
    while len(data) < cols - 1:
        kind = kinds[i % len(kinds)]
        name = f"{kind}_{i}"
        if kind == "float":
            data[name] = np.round(rng.normal(50, 10, rows), 3)
        elif kind == "int":
            data[name] = rng.integers(0, 1000, rows)
        elif kind == "category":
            data[name] = rng.choice(["red", "green", "blue", "amber", "violet"], rows)
        elif kind == "yesno":
            data[name] = rng.choice(["yes", "no"], rows)
        elif kind == "date":
            days = rng.integers(0, 3650, rows)
            data[name] = (np.datetime64("2015-01-01") + days).astype(str)
        else:
            values = np.round(rng.normal(0, 1, rows), 4).astype(object)
            values[rng.random(rows) < 0.05] = ""
            data[name] = values
        i += 1
    data["label"] = rng.choice(["alpha", "beta", "gamma"], rows)
    return pd.DataFrame(data).to_csv(index=False).encode("utf-8")


def _measure(path: str, which: str, repeats: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(_ROOT))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, path, which, str(repeats)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=_ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: tuple[int, ...] = SIZES, *, cols: int = COLUMNS) -> list[dict]:
    """Measure ours against bare pandas at each size.

    Returns
    -------
    list of dict
        One dict per size: rows, cols, mb (the CSV's size), ours_s, pandas_s, ratio
        (ours / pandas, wall time), ours_cpu_s and pandas_cpu_s (CPU time of all threads:
        pyarrow parses on every core, pandas on one), ours_peak_mb, pandas_peak_mb, table_mb
        (our table's in-memory size) and peak_ratio (our peak / table size).
    """
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = os.path.join(tmp, f"mixed_{rows}.csv")
            Path(path).write_bytes(mixed_csv(rows, cols=cols))
            repeats = 5 if rows <= 100_000 else 3
            times = _measure(path, "time", repeats)
            pandas_memory = _measure(path, "pandas", 1)
            ours = _measure(path, "ours", 1)
            results.append(
                {
                    "rows": rows,
                    "cols": cols,
                    "mb": os.path.getsize(path) / 2**20,
                    "ours_s": times["ours"],
                    "pandas_s": times["pandas"],
                    "ratio": times["ours"] / times["pandas"],
                    "ours_cpu_s": times["ours_cpu"],
                    "pandas_cpu_s": times["pandas_cpu"],
                    "ours_peak_mb": ours["peak_mb"],
                    "pandas_peak_mb": pandas_memory["peak_mb"],
                    "table_mb": ours["table_mb"],
                    "peak_ratio": ours["peak_mb"] / ours["table_mb"],
                }
            )
    return results


def format_table(results: list[dict]) -> str:
    """The results as a fixed-width text table."""
    head = (
        f"{'rows':>9} {'cols':>4} {'file MB':>8} {'ours s':>7} {'pandas s':>8} {'ratio':>6} "
        f"{'ours cpu':>8} {'pandas cpu':>10} "
        f"{'ours peak MB':>12} {'pandas peak MB':>14} {'table MB':>8} {'peak/table':>10}"
    )
    lines = [head]
    for r in results:
        lines.append(
            f"{r['rows']:>9,} {r['cols']:>4} {r['mb']:>8.1f} {r['ours_s']:>7.3f} "
            f"{r['pandas_s']:>8.3f} {r['ratio']:>6.2f} {r['ours_cpu_s']:>8.3f} "
            f"{r['pandas_cpu_s']:>10.3f} {r['ours_peak_mb']:>12.0f} "
            f"{r['pandas_peak_mb']:>14.0f} {r['table_mb']:>8.0f} {r['peak_ratio']:>10.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.rows.split(","))
    print("Ingestion: load_csv against bare pandas.read_csv(io.BytesIO(raw)), same bytes")
    print(format_table(run(sizes)))


if __name__ == "__main__":
    main()
