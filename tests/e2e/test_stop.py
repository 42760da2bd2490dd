"""Stop ends a long training within seconds and the previous model stays in place."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import assert_no_exception, wait_for_app_run
from tests.e2e.test_journey import go_to

pytestmark = pytest.mark.e2e


def test_stop_keeps_the_previous_model(page, server):
    page.goto(server)
    wait_for_app_run(page)
    go_to(page, "Train")
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    wait_for_app_run(page)
    assert "Trained: target species" in page.inner_text("[data-testid=stSidebar]")

    go_to(page, "Data")
    page.locator("[data-testid=stSelectbox]", has_text="Or pick a sample").click()
    page.get_by_role("option", name="Handwritten digits").click()
    page.wait_for_selector("[data-testid=stSidebar] >> text=1,797 rows", timeout=30_000)
    wait_for_app_run(page)
    go_to(page, "Train")
    page.locator("[data-testid=stSelectbox]", has_text="Values of C to try").click()
    page.get_by_role("option", name="wide", exact=False).click()
    wait_for_app_run(page)
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=/Fit \\d+ of \\d+/", timeout=60_000)
    clicked = time.monotonic()
    # The page's Stop, not the header's (which stops only the page's script, not the job).
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    page.wait_for_selector("text=Training stopped", timeout=30_000)
    assert time.monotonic() - clicked < 15
    wait_for_app_run(page)
    assert_no_exception(page)
    sidebar = page.inner_text("[data-testid=stSidebar]")
    assert "Trained: target species" in sidebar  # the iris model is still the session's model
