"""A model of another table: train on iris, load wine, and every page says so (Chromium)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run
from tests.e2e.test_journey import go_to
from tests.e2e.test_walk_away import SIDEBAR, pick_sample

pytestmark = pytest.mark.e2e

STALE = (
    "This model was trained on Iris flowers to predict species; the loaded table is Wine cultivars."
)
MAIN = "[data-testid=stMain]"


def test_a_model_of_another_table_is_called_so_on_every_page(page, server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server)
    wait_for_app_run(page)
    go_to(page, "Train")
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    wait_for_app_run(page)
    assert STALE not in page.inner_text("body")

    pick_sample(page, "Wine cultivars", "178 rows")
    assert STALE in page.inner_text(SIDEBAR)

    go_to(page, "Evaluate")
    page.wait_for_selector(f"{MAIN} [data-testid=stAlertContentWarning]", timeout=30_000)
    assert STALE in page.inner_text(MAIN)
    screenshot(page, "stale-model-evaluate")
    page.get_by_role("tab", name="Class weights").click()
    assert page.get_by_role("button", name="Compare class weights").is_disabled()
    assert page.get_by_role("button", name="Model (.skops)").is_enabled()  # downloads stay
    assert_no_exception(page)
    screenshot(page, "stale-model-class-weights")

    go_to(page, "Predict")
    assert STALE in page.inner_text(MAIN)
    assert_no_exception(page)

    go_to(page, "Train")
    main = page.inner_text(MAIN)
    assert STALE in main and "Model trained in" not in main
    assert page.get_by_role("link", name="Train again").count() >= 1  # in the sidebar
    page.locator(f"{MAIN} [data-testid=stAlertContentWarning]").scroll_into_view_if_needed()
    screenshot(page, "stale-model-train")
