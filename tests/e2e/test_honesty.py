"""A table whose sub-grade holds the grade: Train and Evaluate warn, with the baseline and the
interval beside the numbers, and one click leaves the column out and trains again (Chromium)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run
from tests.e2e.test_journey import go_to
from tests.unit.test_checks import loan_table

pytestmark = pytest.mark.e2e

MAIN = "[data-testid=stMain]"
LEAK = "Column 'sub_grade' alone predicts 'grade'"
LEAVE_OUT = "Leave 'sub_grade' out and train again"


def test_a_leak_is_warned_and_left_out_with_one_click(page, server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server)
    wait_for_app_run(page)
    raw = loan_table(n=600).to_csv(index=False).encode()
    page.set_input_files(
        "[data-testid=stFileUploaderDropzoneInput]",
        files=[{"name": "loans.csv", "mimeType": "text/csv", "buffer": raw}],
    )
    page.wait_for_selector("[data-testid=stSidebar] >> text=loans.csv", timeout=30_000)
    wait_for_app_run(page)

    go_to(page, "Train")  # the likeliest target is 'grade'
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    wait_for_app_run(page)
    assert page.locator(f"{MAIN} [data-testid=stAlertContentSuccess]").count() == 0  # no green
    main = page.inner_text(MAIN)
    assert (
        LEAK in main
        and "Read the warnings below" in main
        and "for always guessing 'B'" in main
        and "Wilson" in main
    )
    assert page.get_by_role("button", name=LEAVE_OUT).is_visible()
    assert_no_exception(page)
    page.mouse.move(700, 700)  # no tooltip over the page
    page.wait_for_timeout(800)
    page.get_by_text(LEAK).first.scroll_into_view_if_needed()
    screenshot(page, "honesty-train-leak")

    go_to(page, "Evaluate")
    page.wait_for_selector(f"{MAIN} >> text={LEAK}", timeout=30_000)
    main = page.inner_text(MAIN)
    assert "against" in main and "95 % interval" in main
    # the weighted averages beside the macro ones, in the held-out numbers' table (its cells are
    # drawn on a canvas; the grid's accessible cells carry the text)
    grid = page.locator(f"{MAIN} [data-testid=stDataFrame]", has_text="this model, weighted")
    assert "Precision" in grid.locator("[role=columnheader]").all_text_contents()
    cells = grid.locator("[role=gridcell]").all_text_contents()
    assert {"this model, macro", "this model, weighted", "always guessing 'B', weighted"} <= set(
        cells
    )
    assert_no_exception(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "honesty-evaluate-leak")

    page.get_by_role("button", name=LEAVE_OUT).click()  # opens Train, which trains again
    page.wait_for_selector("h1:has-text('Train')", timeout=30_000)
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    wait_for_app_run(page)
    assert LEAK not in page.inner_text(MAIN)
    assert_no_exception(page)
    screenshot(page, "honesty-train-after-leave-out")
