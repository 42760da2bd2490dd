"""A shared link opened in a fresh browser context restores a sample's setup on Train."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

LINK = "/?page=train&sample=wine&target=cultivar&c=0.01,0.1,1,10&folds=3&seed=7&weights=balanced"


def _query(url: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_link_restores_a_samples_setup_in_a_fresh_browser(page, server):
    page.goto(server + LINK)
    wait_for_app_run(page)
    page.wait_for_selector("h1:has-text('Train')", timeout=30_000)
    assert_no_exception(page)
    assert "Wine" in page.inner_text("[data-testid=stSidebar]")
    target = page.get_by_role("combobox", name="Target: the column to predict")
    assert target.input_value() == "cultivar"
    grid = page.get_by_role("combobox", name="Values of C to try")
    assert grid.input_value().startswith("0.01, 0.1, 1, 10")
    folds = page.locator("[data-testid=stSlider]", has_text="Cross-validation folds")
    assert folds.locator("[data-testid=stSliderThumbValue]").inner_text() == "3"
    assert page.locator("[data-testid=stNumberInput] input").first.input_value() == "7"
    assert _query(page.url) == {
        "page": "train",
        "sample": "wine",
        "target": "cultivar",
        "c": "0.01,0.1,1,10",
        "folds": "3",
        "test": "0.2",
        "seed": "7",
        "weights": "balanced",
    }
    screenshot(page, "link-restored-train")

    # Changing a choice updates the URL, and the share box shows the same link.
    folds.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    wait_for_app_run(page)
    page.wait_for_function("() => location.search.includes('folds=4')", timeout=30_000)
    page.get_by_text("Share this setup").click()
    shown = page.locator("[data-testid=stPopoverBody] code").first.inner_text().strip()
    assert shown.startswith(server + "/?page=train&sample=wine&")
    assert _query(shown) == _query(page.url)
    assert _query(shown)["folds"] == "4"


def test_a_bad_link_is_read_with_a_note_not_an_error(page, server):
    page.goto(server + "/?sample=nope&folds=99")
    wait_for_app_run(page)
    page.wait_for_selector("h1:has-text('Data')", timeout=30_000)
    assert_no_exception(page)
    body = page.inner_text("[data-testid=stMain]")
    assert "there is none, so it was ignored" in body
    assert "is not a whole number from 2 to 10" in body


def test_a_page_address_opened_directly_runs_the_whole_app(page, server):
    # Streamlit runs a folder named pages/ on its own when its address is opened directly
    # (no navigation, no sample): the pages live in app_pages/ so that app.py always runs first.
    page.goto(server + "/train")
    wait_for_app_run(page)
    page.wait_for_selector("h1:has-text('Train')", timeout=30_000)
    assert_no_exception(page)
    nav = page.inner_text("[data-testid=stSidebarNav]")
    for name in ("Data", "Train", "Evaluate", "Explore", "Predict", "Calculators"):
        assert name in nav
    assert "app_pages" not in nav and "calculators\n" not in nav
    assert "No data is loaded yet" not in page.inner_text("[data-testid=stMain]")
