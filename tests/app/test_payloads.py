"""The benchmark's plumbing, fast: what it measures of a run, and the report it writes.

The benchmarks themselves are not run here (``make bench`` does that); these tests make sure
that a 40-minute ``make bench`` cannot fail at the end on a measurement hook or a formatting
slip. Figure sizes at 1M rows x 50 classes are tested in ``test_figures.py``.
"""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from bench import pages
from bench.__main__ import report, terminal


def _two_charts_and_a_fragment():
    import time

    import plotly.graph_objects as go
    import streamlit as st

    st.plotly_chart(go.Figure(go.Scatter(y=list(range(10)))), key="small")
    st.plotly_chart(go.Figure(go.Scatter(y=list(range(5000)))), key="big")

    @st.fragment
    def slow_part():
        time.sleep(0.05)
        st.text("done")

    slow_part()


def test_probe_times_runs_and_fragments_and_finds_the_largest_figure():
    with pages.probed() as probe:
        at = AppTest.from_function(_two_charts_and_a_fragment, default_timeout=30)
        record = pages._run(at, probe)
    # independent reference: the chart specifications as AppTest's element tree holds them
    specs = {
        c.proto.id.rsplit("-", 1)[-1]: len(c.proto.spec.encode()) for c in at.get("plotly_chart")
    }
    assert record.largest_figure == max(specs.values())
    assert record.largest_figure_key == "big"
    assert record.bytes_sent > sum(specs.values())
    assert 0.05 <= record.fragments["slow_part"] <= record.seconds
    assert record.fragments_cpu["slow_part"] < 0.05  # sleeping is not CPU time


def _interactions(page: str) -> list[dict]:
    return [
        {
            "page": page,
            "interaction": "a slider",
            "key": "k",
            "fragment": "f",
            "run_s": 0.12,
            "run_cpu_s": 0.1,
            "fragment_s": 0.03,
            "fragment_cpu_s": 0.02,
            "bytes": 2048,
            "largest_figure": 1024,
            "largest_figure_key": "chart",
        },
        {
            "page": page,
            "interaction": "a selectbox",
            "key": "s",
            "fragment": None,
            "run_s": 0.2,
            "run_cpu_s": 0.15,
            "fragment_s": None,
            "fragment_cpu_s": None,
            "bytes": 2048,
            "largest_figure": 1024,
            "largest_figure_key": "chart",
        },
    ]


def _reruns() -> dict:
    visit = {
        "page": pages.EVALUATE,
        "first_s": 0.5,
        "warm_s": 0.2,
        "first_cpu_s": 0.4,
        "warm_cpu_s": 0.2,
        "bytes": 4096,
        "largest_figure": 2048,
        "largest_figure_key": "roc",
    }
    return {
        "visits": [visit],
        "interactions": _interactions(pages.EVALUATE),
        "rows": 1000,
        "classes": 5,
        "n_test": 200,
        "train_seconds": 1.0,
        "features_out": 12,
    }


def test_report_has_every_part_the_goals_and_three_growth_charts():
    growth = [
        {
            "kind": "growth",  # bench/train.py marks each row with its part
            "rows": n,
            "features": 10,
            "classes": c,
            "ours_seconds": n / 1e4 * c,
            "best_C": 1.0,
        }
        for n in (10_000, 100_000)
        for c in (5, 20)
    ]
    compare = {
        "kind": "compare",
        "rows": 10_000,
        "features": 20,
        "classes": 3,
        "gridsearchcv_seconds": 2.0,
        "ours_seconds": 1.0,
        "speedup": 2.0,
        "gridsearchcv_best_C": 1.0,
        "ours_best_C": 1.0,
        "best_C_agrees": True,
        "max_cv_mean_difference": 0.0,
    }
    ingest_row = {
        "rows": 10_000,
        "cols": 20,
        "mb": 1.2,
        "ours_s": 0.05,
        "pandas_s": 0.04,
        "ratio": 1.25,
        "ours_cpu_s": 0.06,
        "pandas_cpu_s": 0.04,
        "ours_peak_mb": 10.0,
        "pandas_peak_mb": 9.0,
        "table_mb": 4.0,
        "peak_ratio": 2.5,
    }
    big = {
        "rows": 2000,
        "classes": 50,
        "n_test": 400,
        "train_seconds": 3.0,
        "config": pages.PAYLOAD_CONFIG,
        "pages": [
            {
                "page": pages.EVALUATE,
                "largest_figure": 2048,
                "largest_figure_key": "roc",
                "bytes": 4096,
                "warm_s": 0.2,
            }
        ],
        "reruns": _reruns(),
    }
    memory = {
        "rows": 1000,
        "columns": 20,
        "features": 16,
        "raw_mb": 1.0,
        "table_mb": 2.0,
        "load_seconds": 0.1,
        "load_peak_mb": 3.0,
        "load_kept_mb": 2.0,
        "train_seconds": 1.0,
        "train_peak_mb": 5.0,
        "model_mb": 0.5,
        "n_test": 200,
        "best_C": 1.0,
        "process_peak_mb": 300.0,
        "baseline_mb": 200.0,
    }
    res = {
        "machine": {
            "cpu": "test CPU",
            "cores": 2,
            "ram_gb": 8.0,
            "python": "3.11",
            "system": "Linux",
            "load": 1.0,
        },
        "quick": False,
        "started": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "ingest": [ingest_row],
        "train": [compare, *growth],
        "reruns": _reruns(),
        "payloads": big,
        "memory": memory,
        "seconds": {"ingest": 1.0},
        "load_end": 1.0,
    }
    text = report(res)
    assert text.count("```mermaid\nxychart-beta") == 3
    assert 'x-axis "rows" ["10k", "100k"]' in text
    assert "line [5, 50]" in text  # 5 classes: 10k and 100k rows (seconds = rows / 1e4 x classes)
    assert "line [5, 20]" in text  # 10k rows: 5 and 20 classes
    # the selectbox outside a fragment is the slowest interaction (200 ms of a whole run)
    assert "a selectbox at 200 ms (150 ms CPU), MISSES: by 100 ms" in text
    assert "ours / pandas = 1.25, MISSES: 25 % slower" in text
    assert "largest is `roc` on evaluate at 2 KB, holds" in text
    assert "test CPU, 2 cores" in terminal(res)
