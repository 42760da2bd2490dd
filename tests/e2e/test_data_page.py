"""The Data page in Chromium: the column profile with its charts, a column's reasons read whole."""

from __future__ import annotations

import pytest

from tests.app.test_data_page import _people
from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", [(1366, 768), (1400, 1000)], ids=["laptop", "wide"])
def test_the_profile_and_a_columns_detail(page, server, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(server)
    wait_for_app_run(page)
    raw = _people(2000).to_csv(index=False).encode()
    page.set_input_files(
        "[data-testid=stFileUploaderDropzoneInput]",
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": raw}],
    )
    page.wait_for_selector("[data-testid=stSidebar] >> text=people.csv", timeout=30_000)
    wait_for_app_run(page)
    assert_no_exception(page)
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, f"data-profile-{size[0]}x{size[1]}")
    # The first row (employee_code, an identifier): its box at the left of the grid.
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 36 + 20)
    page.wait_for_selector(
        "text=Not used as a feature: it looks like an identifier", timeout=30_000
    )
    wait_for_app_run(page)
    detail = page.inner_text("[data-testid=stMain]")
    assert "which tells the model nothing that carries over to new rows." in detail
    assert "How the classes are balanced" in detail
    screenshot(page, f"data-detail-{size[0]}x{size[1]}")
