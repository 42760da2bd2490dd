"""The HTML report opened in Chromium: offline, its charts drawn, no user text run as script."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.export.csv import (
    REPORT_FILE_NAME,
)
from dashboard.export.report import html_report
from tests.runs import mixed_csv, train_run


@pytest.fixture(scope="module")
def mixed_run():
    raw = mixed_csv()
    loaded, model = train_run(raw, "label", c_grid=(0.001, 0.01, 0.1, 1.0, 10.0), cv_folds=4)
    return raw, loaded, model


def _open_in_chromium(browser, path: Path) -> dict:
    outside: list[str] = []
    errors: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()

        def route(request_route):
            url = request_route.request.url
            if url.startswith("file://"):
                request_route.continue_()
            else:
                outside.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_selector(".plotly .main-svg", timeout=30_000)
        page.wait_for_timeout(300)
        result = {
            "outside": outside,
            "errors": errors,
            "plots": page.locator(".js-plotly-plot").count(),
            "drawn": page.locator(".js-plotly-plot .main-svg").count(),
            "pwned": page.evaluate("() => window.pwned === undefined ? null : window.pwned"),
            "text": page.inner_text("body"),
        }
    finally:
        context.close()
    return result


@pytest.mark.e2e
def test_report_opens_offline_in_chromium_and_draws_its_charts(browser, tmp_path, mixed_run):
    _, loaded, model = mixed_run
    path = tmp_path / REPORT_FILE_NAME
    path.write_text(html_report(model, loaded), encoding="utf-8")
    seen = _open_in_chromium(browser, path)
    assert seen["outside"] == []
    assert seen["errors"] == []
    assert seen["plots"] >= 4  # CV scores, two confusion matrices, probability bars
    assert seen["drawn"] >= seen["plots"]
    assert loaded.sha256 in seen["text"]


@pytest.mark.e2e
def test_report_with_hostile_names_runs_no_script(browser, tmp_path):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            '<img src="http://evil.example/x.png" onerror="window.pwned=1">': rng.normal(size=90),
            "other": rng.normal(size=90),
        }
    )
    frame["y"] = np.repeat(["<b>a</b>", "</script><script>window.pwned=2</script>", "c"], 30)
    loaded, model = train_run(
        frame.to_csv(index=False).encode("utf-8"), "y", c_grid=(0.1, 1.0), cv_folds=3
    )
    path = tmp_path / "report.html"
    path.write_text(html_report(model, loaded), encoding="utf-8")
    seen = _open_in_chromium(browser, path)
    assert seen["pwned"] is None
    assert seen["outside"] == []
    assert "<b>a</b>" in seen["text"]  # shown as typed, not as bold markup
