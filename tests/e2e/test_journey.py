"""The user's journey in a real Chromium against a real `streamlit run`: upload, train, every page."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.samples import load_sample
from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

PAGES = ["Data", "Train", "Evaluate", "Predict", "Calculators"]


def iris_csv_with_categories() -> bytes:
    table = load_sample("iris")
    rng = np.random.default_rng(0)
    table["colour"] = rng.choice(["red", "green", "blue"], size=len(table))
    table.loc[rng.choice(len(table), 10, replace=False), "sepal width (cm)"] = np.nan
    return table.to_csv(index=False).encode()


def go_to(page, name: str) -> None:
    page.locator("[data-testid=stSidebarNav] a", has_text=name).first.click()
    wait_for_app_run(page)
    page.wait_for_selector(f"h1:has-text('{name}')", timeout=30_000)


def test_upload_train_and_visit_every_page(page, server):
    page.goto(server)
    wait_for_app_run(page)
    # A fresh session opens on the Data page with a sample already loaded.
    page.wait_for_selector("h1:has-text('Data')")
    assert "Iris flowers" in page.inner_text("[data-testid=stSidebar]")
    screenshot(page, "data-sample")

    page.set_input_files(
        "[data-testid=stFileUploaderDropzoneInput]",
        files=[
            {"name": "flowers.csv", "mimeType": "text/csv", "buffer": iris_csv_with_categories()}
        ],
    )
    page.wait_for_selector("[data-testid=stSidebar] >> text=flowers.csv", timeout=30_000)
    wait_for_app_run(page)
    assert "150 rows × 6 columns" in page.inner_text("[data-testid=stSidebar]")
    assert_no_exception(page)
    screenshot(page, "data")

    go_to(page, "Train")
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    wait_for_app_run(page)
    assert_no_exception(page)
    assert "Trained: target species" in page.inner_text("[data-testid=stSidebar]")
    screenshot(page, "train")

    go_to(page, "Evaluate")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    assert_no_exception(page)
    screenshot(page, "evaluate")

    # Clicking a cell of the heatmap filters the hardest examples to that cell.
    cell = page.locator(".js-plotly-plot .scatterlayer .point").nth(4)  # true 2nd, predicted 2nd
    box = cell.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app_run(page)
    page.get_by_role("tab", name="Hardest examples").click()
    page.wait_for_selector("text=Showing true versicolor predicted versicolor", timeout=30_000)
    assert_no_exception(page)
    screenshot(page, "evaluate-hardest")
    for tab in ("Choosing C", "Curves", "Calibration", "Class weights"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(300)
        assert_no_exception(page)

    for name in ("Predict", "Calculators", "Data"):
        go_to(page, name)
        # visible ones: Predict keeps the row's values in a closed expander
        page.locator(".js-plotly-plot:visible, [data-testid=stDataFrame]:visible").first.wait_for(
            timeout=30_000
        )
        assert_no_exception(page)
        screenshot(page, name.lower())

    assert page.outside_requests == [], page.outside_requests
    assert page.dialogs == []
