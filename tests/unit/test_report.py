"""The HTML report: self-contained, every user text escaped (the browser tests are in tests/e2e)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.export.report import html_report
from tests.runs import train_run


def test_report_is_self_contained_and_escapes_user_text(mixed_run):
    _, loaded, model = mixed_run
    page = html_report(model, loaded)
    assert page.count("plotly.js v") == 1 or page.count("* plotly.js") == 1
    assert "<script src=" not in page
    assert loaded.sha256 in page
    import sklearn

    assert sklearn.__version__ in page
    assert "Content-Security-Policy" in page


def test_report_escapes_hostile_names():
    hostile = '<img src="http://evil.example/x.png" onerror="window.pwned=1">'
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({hostile[:40]: rng.normal(size=90), "other": rng.normal(size=90)})
    frame["y"] = np.repeat(["<b>a</b>", "</script><script>window.pwned=1</script>", "c"], 30)
    loaded, model = train_run(
        frame.to_csv(index=False).encode("utf-8"), "y", c_grid=(0.1, 1.0), cv_folds=3
    )
    page = html_report(model, loaded)
    assert "<img src=" not in page
    assert "<b>a</b>" not in page
    assert "</script><script>window.pwned" not in page


def test_report_accepts_a_plain_summary_or_nothing(iris_run):
    _, loaded, model = iris_run
    page = html_report(model, {"name": "<i>x</i>.csv", "rows": 150, "sha256": "abc123"})
    assert "&lt;i&gt;x&lt;/i&gt;.csv" in page and "abc123" in page
    assert "<i>x</i>" not in page
    page = html_report(model, None)
    assert model.data_sha256 in page
