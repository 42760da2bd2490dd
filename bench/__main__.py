"""``python -m bench`` (``make bench``): every benchmark in one run, side by side.

Prints, and writes to ``bench/RESULTS.md`` (with Mermaid growth charts that GitHub draws):

- the machine (CPU, cores, memory, load when the run started and ended);
- ingestion: our loader against a bare ``pandas.read_csv`` on the same bytes, time and peak
  memory, at 10k, 100k and 1M rows (``bench.ingest``);
- training: our C search against the seed's ``GridSearchCV`` (ratio, agreement, largest CV
  difference) and its growth at 10k, 100k and 1M rows and 5, 20 and 50 classes
  (``bench.train``);
- rerun time of each interaction on Evaluate, Predict and Calculators after training on 200k
  rows, and the largest Plotly figure at 1M rows x 50 classes (``bench.pages``);
- peak memory for loading and training a 1M-row x 20-column CSV (``bench.memory``).

``--quick`` runs every part on small data in a minute or so, to check the plumbing; it
writes nothing unless ``--out`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import psutil

from bench import ingest, load, memory, pages, startup, train

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
RAW = Path(__file__).resolve().parent / "results.json"
RERUN_GOAL_S = 0.100
FIGURE_GOAL_BYTES = 1_000_000


def machine() -> dict:
    """Where the figures were measured: CPU model, cores, memory, Python, load."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": psutil.virtual_memory().total / 2**30,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"),
    }


def _md_table(head: list[str], rows: list[list[object]]) -> str:
    # text in the first column(s) reads best left-aligned, numbers right-aligned
    align = (
        ["---" if i < 2 and not str(rows[0][i])[:1].isdigit() else "---:" for i in range(len(head))]
        if rows
        else ["---"] * len(head)
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _rows_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)


def _xychart(title: str, x_title: str, x: list[str], y_title: str, lines: list[list[float]]):
    labels = ", ".join(f'"{label}"' for label in x)
    top = max((v for line in lines for v in line), default=1.0)
    top = float(f"{top * 1.1:.2g}") if top > 0 else 1.0
    body = [
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        f'    x-axis "{x_title}" [{labels}]',
        f'    y-axis "{y_title}" 0 --> {top:g}',
    ]
    body += [f"    line [{', '.join(f'{v:.3g}' for v in line)}]" for line in lines]
    body.append("```")
    return "\n".join(body)


def _growth_series(growth: list[dict]) -> tuple[dict, dict]:
    """Complete series of the growth points: seconds vs rows at each class count measured at
    every size, and seconds vs classes at each size measured with every class count.

    ``bench.train`` measures a cross (rows at the base class count, classes at the base size),
    so usually one series of each.
    """
    cell = {(r["rows"], r["classes"]): r["ours_seconds"] for r in growth}
    sizes = sorted({n for n, _ in cell})
    classes = sorted({c for _, c in cell})
    by_rows = {
        c: [cell[n, c] for n in sizes] for c in classes if all((n, c) in cell for n in sizes)
    }
    by_classes = {
        n: [cell[n, c] for c in classes] for n in sizes if all((n, c) in cell for c in classes)
    }
    return by_rows, by_classes


def _verdict(ok: bool, miss: str = "") -> str:
    return "holds" if ok else f"MISSES{': ' + miss if miss else ''}"


def server_time(row: dict) -> float:
    """The time the server spends on an interaction: its fragment's, else the whole run's."""
    return row["fragment_s"] if row["fragment_s"] is not None else row["run_s"]


def server_cpu(row: dict) -> float:
    """The CPU time of `server_time`."""
    return row["fragment_cpu_s"] if row["fragment_s"] is not None else row["run_cpu_s"]


def busy_message(res: dict) -> str:
    """Why the figures must not be written (the load average passed the cores), or ""."""
    cores = res["machine"].get("cores") or os.cpu_count() or 1
    loads = [res["machine"].get("load", float("nan")), res.get("load_end", float("nan"))]
    worst = max((v for v in loads if v == v), default=0.0)
    if worst <= cores:
        return ""
    return (
        f"The load average reached {worst:.1f} on {cores} cores (start {loads[0]:.1f}, end "
        f"{loads[1]:.1f}): the machine was busy, so these figures are not written"
    )


SETTLE_SECONDS = 45
"""Seconds of rest before the load average is read at the end."""


def collect(quick: bool) -> dict:
    """Run every benchmark; returns the raw results with the wall time of each part."""
    out: dict = {"machine": machine(), "quick": quick, "started": dt.datetime.now(dt.UTC)}
    parts = [
        ("ingest", lambda: ingest.run((10_000, 50_000) if quick else ingest.SIZES)),
        ("train", lambda: train.run(quick)),
        ("reruns", lambda: pages.run(5_000 if quick else 200_000, repeats=3 if quick else 7)),
        ("payloads", lambda: pages.payloads(20_000 if quick else 1_000_000, classes=50)),
        ("memory", lambda: memory.run(20_000 if quick else memory.ROWS)),
        # issue 14, point 5: sessions uploading at once, the server's peak beside the budget
        ("uploads", lambda: load.run_uploads(2 if quick else 10, upload_mb=5 if quick else 150)),
        # issue 14, point 4: --help, a train run's imports, the app's first page
        ("startup", lambda: startup.run(2 if quick else 5)),
    ]
    out["seconds"] = {}
    for name, part in parts:
        start = time.perf_counter()
        print(f"[bench] {name}…", file=sys.stderr, flush=True)
        out[name] = part()
        out["seconds"][name] = time.perf_counter() - start
    # The last parts (uploads, a server and Chromium) keep both cores busy: the one-minute load
    # average is read once the bench's own work has mostly left it, as load from elsewhere would
    # not have.
    time.sleep(0 if quick else SETTLE_SECONDS)
    out["load_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return out


def _rerun_table(reruns: dict) -> str:
    """The Markdown table of one `bench.pages.measure_reruns` result."""
    rows_out = []
    for v in reruns["visits"]:
        page = Path(v["page"]).stem
        rows_out.append(
            [
                page,
                "first visit (computes the extras)" if page == "evaluate" else "first visit",
                f"{1000 * v['first_s']:.0f}",
                f"{1000 * v['first_cpu_s']:.0f}",
                "-",
                "-",
                "",
                "",
            ]
        )
        rows_out.append(
            [
                page,
                "warm visit",
                f"{1000 * v['warm_s']:.0f}",
                f"{1000 * v['warm_cpu_s']:.0f}",
                "-",
                "-",
                f"{v['bytes'] / 1024:.0f}",
                f"{v['largest_figure'] / 1024:.0f}",
            ]
        )
    for r in reruns["interactions"]:
        frag = r["fragment_s"]
        rows_out.append(
            [
                Path(r["page"]).stem,
                f"{r['interaction']} (`{r['key']}`)",
                f"{1000 * r['run_s']:.0f}",
                f"{1000 * r['run_cpu_s']:.0f}",
                "-" if frag is None else f"{1000 * frag:.0f}",
                "-" if frag is None else f"{1000 * r['fragment_cpu_s']:.0f}",
                f"{r['bytes'] / 1024:.0f}",
                f"{r['largest_figure'] / 1024:.0f}",
            ]
        )
    return _md_table(
        [
            "page",
            "interaction",
            "run ms",
            "run CPU ms",
            "fragment ms",
            "fragment CPU ms",
            "sent KB",
            "largest figure KB",
        ],
        rows_out,
    )


def report(res: dict) -> str:
    """The results as Markdown: machine, one table per part, goals, growth charts."""
    m = res["machine"]
    ingest_rows, train_rows = res["ingest"], res["train"]
    compare = [r for r in train_rows if r["kind"] == "compare"]
    growth = [r for r in train_rows if r["kind"] == "growth"]
    reruns, big, mem = res["reruns"], res["payloads"], res["memory"]
    cfg = big["config"]
    search = (
        f"{len(cfg['c_grid'])} values of C ({', '.join(f'{c:g}' for c in cfg['c_grid'])}), "
        f"{cfg['cv_folds']} folds, at most {cfg['max_iter']} iterations"
    )
    quick = " --quick (small data: plumbing only)" if res["quick"] else ""
    out = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench`{quick} on {res['started']:%Y-%m-%d %H:%M} UTC.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gb']:.0f} GB RAM, {m['system']}, "
        f"Python {m['python']}. Load average {m['load']:.1f} when the run started and "
        f"{res['load_end']:.1f} when it ended ({SETTLE_SECONDS} s after the last part); the "
        "bench's own work raises it while it runs, so each speed figure gives its own load, "
        "and the tables give CPU time beside wall time.",
        "",
        "## Ingestion: `load_csv` against bare `pandas.read_csv(io.BytesIO(raw))`",
        "",
        (res["ingest_note"] + " " if res.get("ingest_note") else "")
        + "Same bytes, each in a fresh process (`bench/ingest.py`); time is the best of a few "
        "runs (wall clock; CPU time counts every thread), peak memory is the resident-size "
        "growth during the load.",
        "",
        _md_table(
            [
                "rows",
                "CSV MB",
                "ours s",
                "pandas s",
                "ours / pandas",
                "ours CPU s",
                "pandas CPU s",
                "ours peak MB",
                "pandas peak MB",
                "table MB",
                "our peak / table",
            ],
            [
                [
                    f"{r['rows']:,}",
                    f"{r['mb']:.1f}",
                    f"{r['ours_s']:.3f}",
                    f"{r['pandas_s']:.3f}",
                    f"{r['ratio']:.2f}",
                    f"{r['ours_cpu_s']:.3f}" if "ours_cpu_s" in r else "-",
                    f"{r['pandas_cpu_s']:.3f}" if "pandas_cpu_s" in r else "-",
                    f"{r['ours_peak_mb']:.0f}",
                    f"{r['pandas_peak_mb']:.0f}",
                    f"{r['table_mb']:.0f}",
                    f"{r['peak_ratio']:.2f}",
                ]
                for r in ingest_rows
            ],
        ),
        "",
        "## Training: our C search against the seed's `GridSearchCV`",
        "",
        "Same pipeline, same 5 folds, seed grid (6 values of C).",
        "",
        _md_table(
            [
                "rows",
                "features",
                "classes",
                "GridSearchCV s",
                "ours s",
                "speed-up",
                "best C (grid / ours)",
                "agree",
                "max abs CV difference",
            ],
            [
                [
                    f"{r['rows']:,}",
                    r["features"],
                    r["classes"],
                    f"{r['gridsearchcv_seconds']:.2f}",
                    f"{r['ours_seconds']:.2f}",
                    f"{r['speedup']:.1f}x",
                    f"{r['gridsearchcv_best_C']:g} / {r['ours_best_C']:g}",
                    "yes" if r["best_C_agrees"] else "NO",
                    f"{r['max_cv_mean_difference']:.1e}",
                ]
                for r in compare
            ],
        ),
    ]
    out += [
        "",
        "### Training speed: whole processes and in process, wall and CPU",
        "",
        "`python -m dashboard train` against the seed's script (`bench.train.SEED_SCRIPT`) as "
        "fresh processes on one CSV; `training.train` against `GridSearchCV(...).fit` on its "
        "training part and folds in one process. Ratios are their time over ours; the load "
        "average is read before and after each figure.",
        "",
        "```",
        train.format_speed(train_rows),
        "```",
    ]
    if growth:
        classes = sorted({r["classes"] for r in growth})
        sizes = sorted({r["rows"] for r in growth})
        cell = {(r["rows"], r["classes"]): r["ours_seconds"] for r in growth}
        out += [
            "",
            f"Growth of our search (seconds; {growth[0]['features']} features, 6 C x 5 folds; "
            "- = not measured):",
            "",
            _md_table(
                ["rows", *[f"{c} classes" for c in classes]],
                [
                    [f"{n:,}", *[f"{cell[n, c]:.2f}" if (n, c) in cell else "-" for c in classes]]
                    for n in sizes
                ],
            ),
        ]
    out += [
        "",
        f"## Reruns after training on {reruns['rows']:,} rows, {reruns['classes']} classes",
        "",
        *([res["pages_note"], ""] if res.get("pages_note") else []),
        f"A synthetic mixed table (8 numeric columns with 2 % gaps, 3 categorical, a yes/no) "
        f"loaded with `load_csv` and trained with the default settings in "
        f"{reruns['train_seconds']:.0f} s ({reruns['n_test']:,} held-out rows, "
        f"{reruns['features_out']} model inputs), then put in an `AppTest` session as the "
        "Data and Train pages would. Medians of 7 changes of each widget. *Run* is the whole "
        "script run (what `AppTest` does on any change, and what the server does for a widget "
        "outside a fragment); *fragment* is the time inside the widget's `st.fragment`, which "
        "is all the server reruns for that widget in a browser session. Sent KB is the size "
        "of all the messages of one run; the largest figure is its biggest Plotly JSON.",
        "",
        _rerun_table(reruns),
        "",
        f"## Figure payloads at {big['rows']:,} rows x {big['classes']} classes",
        "",
        f"Trained with a short search ({search}: figure sizes do not depend on it) "
        f"in {big['train_seconds']:.0f} s, {big['n_test']:,} held-out rows; a warm visit of "
        "each page and every interaction above.",
        "",
        _md_table(
            ["page", "largest figure", "KB", "all messages KB", "run ms"],
            [
                [
                    Path(p["page"]).stem,
                    f"`{p['largest_figure_key']}`",
                    f"{p['largest_figure'] / 1024:.0f}",
                    f"{p['bytes'] / 1024:.0f}",
                    f"{1000 * p['warm_s']:.0f}",
                ]
                for p in big["pages"]
            ],
        ),
        "",
        "Reruns of the same pages with this model (medians of 3; the 100 ms goal is set at "
        "200k rows, these show how the cost grows with held-out rows and classes):",
        "",
        _rerun_table(big["reruns"]),
        "",
        f"## Memory: loading and training {mem['rows']:,} rows x {mem['columns']} columns",
        "",
        (res["memory_note"] + " " if res.get("memory_note") else "")
        + f"In a fresh process (`bench/memory.py`); peaks by {mem.get('peak_method', 'sampled RSS')}"
        " (the kernel's peak resident size, reset at the start of each phase), above the "
        "resident size when the phase started.",
        "",
        _md_table(
            ["", "value"],
            [
                ["CSV bytes", f"{mem['raw_mb']:.0f} MB"],
                ["table in memory (`memory_usage(deep=True)`)", f"{mem['table_mb']:.0f} MB"],
                [
                    "load peak (above the resident size with the bytes held)",
                    f"{mem['load_peak_mb']:.0f} MB = {mem['load_peak_mb'] / mem['table_mb']:.2f}x "
                    f"the table, {mem['load_seconds']:.1f} s",
                ],
                [
                    f"train peak ({mem['features']} features, 6 C x 5 folds)",
                    f"{mem['train_peak_mb']:.0f} MB = "
                    f"{mem['train_peak_mb'] / mem['table_mb']:.2f}x "
                    f"the table, {mem['train_seconds']:.0f} s",
                ],
                [
                    "(the same peaks sampled every 5 ms by a thread)",
                    f"load +{mem.get('load_sampled_peak_mb', float('nan')):.0f} MB, train "
                    f"+{mem.get('train_sampled_peak_mb', float('nan')):.0f} MB",
                ],
                [
                    "profile (the Data page profiles every table it loads)",
                    f"{mem.get('profile_peak_mb', float('nan')):.0f} MB, "
                    f"{mem.get('profile_seconds', float('nan')):.1f} s",
                ],
                [
                    "what the model record keeps of the held-out rows (features, logits, "
                    "probabilities, labels)",
                    f"{mem.get('held_out_mb', float('nan')):.0f} MB in memory "
                    f"({mem['model_mb']:.0f} MB pickled)",
                ],
                [
                    "process peak RSS (imports, bytes, table, training)",
                    f"{mem['process_peak_mb']:.0f} MB (imports {mem['baseline_mb']:.0f} MB)",
                ],
            ],
        ),
    ]
    if "startup" in res:
        out += [
            "",
            "## Start-up",
            "",
            "Fresh processes and new sessions (`bench/startup.py`): seconds, the best of "
            "several runs for processes, the median and the slowest for sessions.",
            "",
            "```",
            startup.format_result(res["startup"]),
            "```",
        ]
    out += ["", "## Goals", "", *goals(res)]
    out += ["", "## How cost grows", "", *charts(res)]
    out += [
        "",
        "Run time of each part (s): "
        + ", ".join(f"{k} {v:.0f}" for k, v in res["seconds"].items())
        + ".",
    ]
    return "\n".join(out) + "\n"


def goals(res: dict) -> list[str]:
    """One line per goal of issue 8: holds, or misses by how much."""
    lines = []
    big_ingest = max(res["ingest"], key=lambda r: r["rows"])
    ratio, peak = big_ingest["ratio"], big_ingest["peak_ratio"]
    slower = f"{100 * (ratio - 1):.0f} % slower"
    lines.append(
        f"- Ingestion at {big_ingest['rows']:,} rows no slower than bare pandas: ours / pandas "
        f"= {ratio:.2f}, {_verdict(ratio <= 1.0, slower)}."
    )
    over = f"{peak / 2:.2f}x the allowance"
    lines.append(
        f"- Ingestion peak memory at most 2x the table: {peak:.2f}x, {_verdict(peak <= 2.0, over)}."
    )
    compare = [t for t in res["train"] if t["kind"] in ("compare", "in_process")]
    agree = all(t["best_C_agrees"] for t in compare)
    worst = max((t["max_cv_mean_difference"] for t in compare), default=0.0)
    lines.append(
        f"- C search agrees with GridSearchCV: {'yes' if agree else 'NO'} in every case, "
        f"largest CV difference {worst:.1e}, {_verdict(agree and worst <= 1e-3)}."
    )
    for t in res["train"]:
        if t["kind"] in ("process", "in_process") and t.get("goal"):
            what = (
                "python -m dashboard train vs the seed's script"
                if t["kind"] == "process"
                else ("training.train vs GridSearchCV.fit")
            )
            lines.append(
                f"- {what} at {t['rows']:,} x {t['features']} x {t['classes']}: "
                f"{t['speedup']:.1f}x wall, {t['cpu_speedup']:.1f}x CPU (load "
                f"{t['load_before']:.1f}-{t['load_average']:.1f}), goal {t['goal']:g}x, "
                f"{_verdict(t['speedup'] >= t['goal'])}."
            )
        elif t["kind"] == "table":
            lines.append(
                f"- train on {t['rows']:,} x {t['features']} ({t['categorical']} categorical), "
                f"{t['classes']} classes: {t['ours_seconds']:.1f} s ({t['ours_cpu']:.1f} s CPU), "
                f"goal {t['goal_seconds']:g} s, {_verdict(t['ours_seconds'] <= t['goal_seconds'])}."
            )
    worst_row = max(res["reruns"]["interactions"], key=server_time)
    t = server_time(worst_row)
    lines.append(
        f"- Every interaction on Evaluate, Predict, Calculators within "
        f"{1000 * RERUN_GOAL_S:.0f} ms of server time: slowest is "
        f"{Path(worst_row['page']).stem} / {worst_row['interaction']} at {1000 * t:.0f} ms "
        f"({1000 * server_cpu(worst_row):.0f} ms CPU), "
        f"{_verdict(t <= RERUN_GOAL_S, f'by {1000 * (t - RERUN_GOAL_S):.0f} ms')}."
    )
    full = max(res["reruns"]["interactions"], key=lambda r: r["run_s"])
    lines.append(
        f"- (Whole-page reruns, e.g. after a widget outside a fragment: slowest "
        f"{Path(full['page']).stem} at {1000 * full['run_s']:.0f} ms wall, "
        f"{1000 * full['run_cpu_s']:.0f} ms CPU.)"
    )
    big = res["payloads"]
    largest = max(big["pages"], key=lambda p: p["largest_figure"])
    lines.append(
        f"- Every figure under 1 MB at {big['rows']:,} rows x {big['classes']} classes: "
        f"largest is `{largest['largest_figure_key']}` on {Path(largest['page']).stem} at "
        f"{largest['largest_figure'] / 1024:.0f} KB, "
        f"{_verdict(largest['largest_figure'] < FIGURE_GOAL_BYTES)}."
    )
    up = res.get("startup")
    if up:
        lines.append(
            f"- python -m dashboard --help within {up['help_goal_s']:g} s: {up['help_s']:.2f} s, "
            f"{_verdict(up['help_s'] <= up['help_goal_s'])}."
        )
        lines.append(
            f"- A train run's imports within {up['import_goal_s']:g} s: "
            f"{up['train_imports_s']:.2f} s, {_verdict(up['train_imports_s'] <= up['import_goal_s'])}"
            + (
                " (alone: "
                + ", ".join(f"{k} {v:.2f} s" for k, v in up["import_floor_s"].items())
                + ")."
                if up.get("import_floor_s")
                else "."
            )
        )
        drawn = up.get("browser_max_s")
        slowest = drawn if drawn is not None else up["session_max_s"]
        how = "in Chromium" if drawn is not None else "server time (no browser here)"
        lines.append(
            f"- A new session's first page within {up['first_page_goal_s']:g} s: slowest "
            f"{slowest:.2f} s {how}, {_verdict(slowest <= up['first_page_goal_s'])}."
        )
    mem = res["memory"]
    lines.append(
        f"- Peak memory for loading and training {mem['rows']:,} rows is stated: load "
        f"+{mem['load_peak_mb']:.0f} MB, training +{mem['train_peak_mb']:.0f} MB, table "
        f"{mem['table_mb']:.0f} MB."
    )
    return lines


def charts(res: dict) -> list[str]:
    """Mermaid xychart-beta blocks: training seconds vs rows and vs classes, ingestion vs rows."""
    out = []
    growth = [r for r in res["train"] if r["kind"] == "growth"]
    by_rows, by_classes = _growth_series(growth)
    features = growth[0]["features"] if growth else 0
    if by_rows:
        sizes = sorted({r["rows"] for r in growth})
        out += [
            _xychart(
                "Training seconds vs rows",
                "rows",
                [_rows_label(n) for n in sizes],
                "seconds",
                list(by_rows.values()),
            ),
            "",
            f"Our C search (6 C x 5 folds, {features} features) at "
            f"{', '.join(map(str, by_rows))} classes"
            + (" (one line each, more classes higher)." if len(by_rows) > 1 else "."),
            "",
        ]
    if by_classes:
        classes = sorted({r["classes"] for r in growth})
        out += [
            _xychart(
                "Training seconds vs classes",
                "classes",
                [str(c) for c in classes],
                "seconds",
                list(by_classes.values()),
            ),
            "",
            f"The same search at {', '.join(f'{n:,}' for n in by_classes)} rows"
            + (" (one line each, more rows higher)." if len(by_classes) > 1 else "."),
            "",
        ]
    ing = sorted(res["ingest"], key=lambda r: r["rows"])
    out += [
        _xychart(
            "Ingestion seconds vs rows (20 columns)",
            "rows",
            [_rows_label(r["rows"]) for r in ing],
            "seconds",
            [[r["ours_s"] for r in ing], [r["pandas_s"] for r in ing]],
        ),
        "",
        "Two lines: our loader and bare pandas on the same bytes (wall time, best of a few runs).",
    ]
    return out


def terminal(res: dict) -> str:
    """The same figures for the terminal: the fixed-width tables of each part."""
    m = res["machine"]
    growth = [r for r in res["train"] if r["kind"] == "growth"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']:.0f} GB RAM, Python "
        f"{m['python']}; load {m['load']:.1f} at start, {res['load_end']:.1f} at end",
        "",
        "Ingestion: load_csv against bare pandas.read_csv(io.BytesIO(raw)), same bytes",
        ingest.format_table(res["ingest"]),
        "",
        "Training speed (issue 14): their time / ours, wall and CPU, beside the goal; load "
        "average before-after each figure",
        train.format_speed(res["train"]),
        "",
        "C search: seed GridSearchCV vs ours (same pipeline, same 5 folds, seed grid)",
        f"{'rows':>9} {'feat':>4} {'cls':>3} {'grid s':>8} {'ours s':>8} {'speed-up':>8} "
        f"{'agree':>5} {'max |dCV|':>10}",
    ]
    for r in res["train"]:
        if r["kind"] == "compare":
            lines.append(
                f"{r['rows']:>9,} {r['features']:>4} {r['classes']:>3} "
                f"{r['gridsearchcv_seconds']:>8.2f} {r['ours_seconds']:>8.2f} "
                f"{r['speedup']:>7.1f}x {'yes' if r['best_C_agrees'] else 'NO':>5} "
                f"{r['max_cv_mean_difference']:>10.1e}"
            )
    if growth:
        classes = sorted({r["classes"] for r in growth})
        lines += [
            "",
            "Growth: our search's seconds",
            f"{'rows':>9} " + " ".join(f"{c:>4} classes" for c in classes),
        ]
        for n in sorted({r["rows"] for r in growth}):
            cells = {r["classes"]: r["ours_seconds"] for r in growth if r["rows"] == n}
            lines.append(
                f"{n:>9,} " + " ".join(f"{cells.get(c, float('nan')):>12.2f}" for c in classes)
            )
    rr = res["reruns"]
    big = res["payloads"]
    lines += [
        "",
        f"Reruns after training on {rr['rows']:,} rows, {rr['classes']} classes "
        f"({rr['n_test']:,} held-out rows), medians",
        pages.format_reruns(rr),
        "",
        f"Figure payloads at {big['rows']:,} rows x {big['classes']} classes",
        pages.format_payloads(big),
        "",
        f"Reruns at {big['rows']:,} rows x {big['classes']} classes (medians of 3)",
        pages.format_reruns(big["reruns"]),
        "",
        f"Memory: load and train {res['memory']['rows']:,} rows x {res['memory']['columns']} "
        "columns",
        memory.format_result(res["memory"]),
    ]
    if "uploads" in res:
        up = res["uploads"]
        lines += [
            "",
            f"Memory: {up['sessions']} sessions each upload a {up['upload_mb']:.0f} MB CSV at once",
            load.format_uploads(up),
        ]
    if "startup" in res:
        lines += ["", "Start-up (issue 14, point 4)", startup.format_result(res["startup"])]
    lines += [
        "",
        "Page goals (issue 14, point 3): server time, wall and CPU",
        pages.format_goals(pages.goals(rr, big)),
        "",
        "Goals",
        *goals(res),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data: a smoke run")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"Markdown file to write (default {RESULTS.name}, none with --quick); the raw "
        "figures go beside it as JSON",
    )
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        help="measure nothing: rewrite the report from a JSON file of an earlier run",
    )
    args = parser.parse_args(argv)
    if args.render is not None:
        res = json.loads(args.render.read_text(encoding="utf-8"))
        res["started"] = dt.datetime.fromisoformat(res["started"])
    else:
        res = collect(args.quick)
    print(terminal(res))
    out = args.out or (None if args.quick else RESULTS)
    busy = busy_message(res)
    if out is not None and busy and args.render is None:
        print(f"\n{busy}: {out} keeps its old figures.")
        out = None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report(res), encoding="utf-8")
        print(f"\nWritten to {out}")
        if args.render is None:
            raw = out.with_name(RAW.name) if out != RESULTS else RAW
            raw.write_text(json.dumps(res, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
