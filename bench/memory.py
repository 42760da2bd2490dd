"""Memory benchmark: peak memory for loading and training a 1M-row x 20-column mixed CSV.

The measurement runs in a fresh Python process so that nothing else lives in its heap. That
process reads the CSV into memory first (an upload arrives as bytes), then:

1. loads it with ``dashboard.data.load_csv`` and drops the bytes (the session keeps only the
   table);
2. trains with the default settings (6 values of C x 5 folds, every core).

Each phase reports its peak resident size above the resident size just before it, beside the
table's in-memory size (``DataFrame.memory_usage(deep=True)``). Each phase starts once the
allocators (glibc's, Arrow's pool) have handed back the pages they hold free
(``dashboard.search.release_free_memory``): memory an earlier phase freed but kept would
otherwise be reused by the next one and hide part of its peak (Arrow's pool alone kept 0 to
110 MB after the load, from run to run). The peak is the kernel's
(``VmHWM``, reset at the start of each phase through ``/proc/self/clear_refs``); where that is
not available, a thread's samples of the resident size every 5 ms (which can miss a short spike
while a C routine holds the GIL: both are reported). The process's lifetime peak
(``ru_maxrss``) is reported too.

Run ``python -m bench.memory`` (``--rows 100000`` for a smaller table).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS, COLUMNS = 1_000_000, 20

_CHILD = r"""
import json, pickle, resource, sys, threading, time
import psutil

path = sys.argv[1]
proc = psutil.Process()


def reset_peak():
    # Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one.
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def high_water_mark():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


class Peak:
    # The kernel's exact peak (VmHWM, reset when the phase starts) where Linux allows; else a
    # thread sampling RSS, which can miss a short spike while a C routine holds the GIL.
    def __init__(self):
        self.base = proc.memory_info().rss
        self.peak = self.base
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self):
        while not self.done.wait(0.005):
            self.peak = max(self.peak, proc.memory_info().rss)

    def __enter__(self):
        self.exact = reset_peak()
        self.base = proc.memory_info().rss
        self.thread.start()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.done.set()
        self.thread.join()
        self.peak = max(self.peak, proc.memory_info().rss)
        self.sampled = self.peak
        if self.exact:
            self.peak = max(self.peak, high_water_mark())


import numpy, pandas, sklearn.linear_model  # imports are not part of the load
from dashboard.data import load_csv
from dashboard.profile import profile
from dashboard.training import TrainingConfig, train
from dashboard.search import release_free_memory

MB = 2**20
before_bytes = proc.memory_info().rss
raw = open(path, "rb").read()
release_free_memory()  # each phase from what is live: no free pages left to hide its peak
with Peak() as load:
    loaded = load_csv(raw, name="bench.csv")
raw_mb = len(raw) / MB
del raw
table = loaded.table
table_mb = float(table.memory_usage(deep=True).sum()) / MB
after_load = proc.memory_info().rss
release_free_memory()
with Peak() as prof_phase:  # the Data page profiles every table it loads
    prof = profile(table)
target = "label"
features = tuple(prof.default_features(target))
config = TrainingConfig(target=target, features=features)
release_free_memory()
with Peak() as fit:
    model = train(table, config, data_sha256=loaded.sha256, table_profile=prof)
process_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# what the record keeps for the pages, in memory (before pickling, which allocates a lot)
held_out = (
    model.X_test.memory_usage(deep=True).sum() + model.test_logits.nbytes
    + model.test_proba.nbytes + model.y_test.nbytes + model.test_pred.nbytes
) / MB
model_mb = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)) / MB
print(json.dumps({
    "rows": int(table.shape[0]), "columns": int(table.shape[1]), "features": len(features),
    "raw_mb": raw_mb, "table_mb": table_mb,
    "load_seconds": load.seconds, "load_peak_mb": (load.peak - load.base) / MB,
    "load_kept_mb": (after_load - load.base) / MB + raw_mb,
    "profile_seconds": prof_phase.seconds,
    "profile_peak_mb": (prof_phase.peak - prof_phase.base) / MB,
    "train_seconds": fit.seconds, "train_peak_mb": (fit.peak - fit.base) / MB,
    "train_base_mb": fit.base / MB,
    "model_mb": model_mb, "held_out_mb": float(held_out),
    "n_test": model.n_test, "best_C": model.best_C,
    "load_sampled_peak_mb": (load.sampled - load.base) / MB,
    "train_sampled_peak_mb": (fit.sampled - fit.base) / MB,
    "peak_method": "VmHWM" if load.exact and fit.exact else "sampled RSS",
    "process_peak_mb": process_peak,
    "baseline_mb": before_bytes / MB,
}))
"""


def run(rows: int = ROWS, *, cols: int = COLUMNS) -> dict:
    """Measure loading and training ``rows`` x ``cols`` mixed rows in a fresh process.

    Returns
    -------
    dict
        rows, columns, features; raw_mb (the CSV), table_mb (the table in memory);
        load_seconds, load_peak_mb (peak above the resident size with the bytes held),
        load_kept_mb (what stays after the bytes are dropped); train_seconds, train_peak_mb
        (peak above the resident size with the table loaded), model_mb (the pickled record);
        process_peak_mb (lifetime peak RSS, imports and bytes included), baseline_mb (after
        imports).
    """
    from bench.ingest import mixed_csv

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"mixed_{rows}.csv")
        Path(path).write_bytes(mixed_csv(rows, cols=cols))
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, path],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=ROOT,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def format_result(r: dict) -> str:
    """The memory figures as a few aligned lines."""
    return "\n".join(
        [
            f"{'peak measured by':<34} {r.get('peak_method', 'sampled RSS')}",
            f"{'table':<34} {r['rows']:,} rows x {r['columns']} columns "
            f"({r['features']} used as features): CSV {r['raw_mb']:.0f} MB, "
            f"in memory {r['table_mb']:.0f} MB",
            f"{'load_csv from bytes':<34} peak +{r['load_peak_mb']:.0f} MB "
            f"({r['load_peak_mb'] / r['table_mb']:.2f}x the table) in {r['load_seconds']:.1f} s",
            f"{'profile (the Data page does it)':<34} peak +{r.get('profile_peak_mb', 0):.0f} MB "
            f"in {r.get('profile_seconds', 0):.1f} s",
            f"{'train (6 C x 5 folds)':<34} peak +{r['train_peak_mb']:.0f} MB "
            f"({r['train_peak_mb'] / r['table_mb']:.2f}x the table) in "
            f"{r['train_seconds']:.0f} s; the record keeps {r.get('held_out_mb', 0):.0f} MB "
            f"of held-out rows and scores ({r['model_mb']:.0f} MB pickled)",
            f"{'process peak (RSS, after training)':<34} {r['process_peak_mb']:.0f} MB "
            f"(of which {r['baseline_mb']:.0f} MB imports, {r['raw_mb']:.0f} MB the bytes)",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    print(f"Memory: load and train a {args.rows:,}-row x {COLUMNS}-column mixed CSV")
    print(format_result(run(args.rows)))


if __name__ == "__main__":
    main()
