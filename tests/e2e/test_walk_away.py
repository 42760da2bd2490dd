"""A training goes on while the user walks to another page; the model arrives where they are."""

from __future__ import annotations

import numpy as np
import pytest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run
from tests.e2e.test_journey import go_to

pytestmark = pytest.mark.e2e

# 30 values of C (the most the app takes) and 5 folds on the digits: about three times the
# "wide" preset's fits, long enough to open another page while they run.
LONG_GRID = ", ".join(f"{c:.3g}" for c in np.logspace(-4, 4, 30))
SIDEBAR = "[data-testid=stSidebar]"


def pick_sample(page, title: str, shape: str) -> None:
    go_to(page, "Data")
    page.locator("[data-testid=stSelectbox]", has_text="Or pick a sample").click()
    page.get_by_role("option", name=title).click()
    page.wait_for_selector(f"{SIDEBAR} >> text={shape}", timeout=30_000)
    wait_for_app_run(page)


def type_c_grid(page, grid: str) -> None:
    box = page.locator("[data-testid=stSelectbox]", has_text="Values of C to try")
    box.click()
    page.keyboard.type(grid)
    page.keyboard.press("Enter")
    wait_for_app_run(page)


def test_training_goes_on_while_the_user_opens_another_page(page, server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server)
    wait_for_app_run(page)
    pick_sample(page, "Handwritten digits", "1,797 rows")
    go_to(page, "Train")
    type_c_grid(page, LONG_GRID)
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=/Fit \\d+ of 181/", timeout=60_000)  # 30 C x (5 folds + 1) + 1

    go_to(page, "Evaluate")  # leaving Train used to throw the training away
    page.wait_for_selector(f"{SIDEBAR} >> text=/Training: fit \\d+ of \\d+/", timeout=30_000)
    assert page.locator(f"{SIDEBAR} [data-testid=stProgress]").count() == 1
    assert "A model is training" in page.inner_text("[data-testid=stMain]")
    screenshot(page, "walk-away-sidebar-progress")

    # The model arrives on Evaluate without a visit to Train: the page redraws with it.
    page.wait_for_selector(f"{SIDEBAR} >> text=Trained: target digit", timeout=600_000)
    page.wait_for_selector("[data-testid=stMetric] >> text=Accuracy", timeout=60_000)
    wait_for_app_run(page)
    assert page.locator("h1:has-text('Evaluate')").count() == 1
    assert "/evaluate" in page.url
    assert page.locator(f"{SIDEBAR} [data-testid=stProgress]").count() == 0
    assert_no_exception(page)
    screenshot(page, "walk-away-arrived")

    go_to(page, "Train")  # the model is the session's: Train shows it as trained here
    page.wait_for_selector("text=Model trained in", timeout=30_000)
    assert "Model trained in" in page.inner_text("[data-testid=stMain]")


def test_back_on_train_the_running_training_can_be_stopped(page, server):
    page.goto(server)
    wait_for_app_run(page)
    pick_sample(page, "Handwritten digits", "1,797 rows")
    go_to(page, "Train")
    type_c_grid(page, LONG_GRID)
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=/Fit \\d+ of 181/", timeout=60_000)
    go_to(page, "Data")
    page.wait_for_selector(f"{SIDEBAR} >> text=/Training: fit \\d+ of 181/", timeout=30_000)

    page.locator("[data-testid=stSidebarNav] a", has_text="Train").first.click()
    main = page.get_by_test_id("stMainBlockContainer")
    main.locator("text=/Fit \\d+ of 181/").wait_for(timeout=30_000)  # the page follows it
    assert main.get_by_role("button", name="Train").is_disabled()  # one training at a time
    main.get_by_role("button", name="Stop").click()
    page.wait_for_selector("text=Training stopped", timeout=60_000)
    wait_for_app_run(page)
    assert_no_exception(page)
    assert "Not trained yet" in page.inner_text(SIDEBAR)
    assert page.locator(f"{SIDEBAR} [data-testid=stProgress]").count() == 0
