"""Take the README's screenshots: a real `streamlit run` on 127.0.0.1 and Debian's Chromium.

Run from the repository root: ``.venv/bin/python docs/make_screenshots.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from tests.e2e.conftest import start_server, stop_server, wait_for_app_run  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def shoot(page, name: str) -> None:
    wait_for_app_run(page)
    page.mouse.move(1, 1)  # no button's tooltip over the page (the pointer rests where it clicked)
    page.wait_for_timeout(800)
    page.screenshot(path=str(OUT / f"{name}.png"))
    print("wrote", OUT / f"{name}.png")


def go_to(page, name: str) -> None:
    page.locator("[data-testid=stSidebarNav] a", has_text=name).first.click()
    wait_for_app_run(page)


LAPTOP = {"width": 1366, "height": 768}
WIDE = {"width": 1400, "height": 1500}


def laptop_tour(browser, url: str) -> None:
    """The first screen of each page on a 1366 x 768 laptop: what a user sees without scrolling."""
    page = browser.new_page(viewport=LAPTOP)
    page.goto(url + "/?page=train&sample=wine")
    wait_for_app_run(page)
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    shoot(page, "laptop-train")
    for name, ready in (
        ("Evaluate", ".js-plotly-plot .heatmaplayer"),
        ("Explore", ".js-plotly-plot .heatmaplayer"),
        ("Predict", ".js-plotly-plot"),
        ("Data", "[data-testid=stDataFrame]"),
    ):
        go_to(page, name)
        page.wait_for_selector(ready, timeout=30_000)
        shoot(page, f"laptop-{name.lower()}")
    page.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    proc, url = start_server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            laptop_tour(browser, url)
            page = browser.new_page(viewport=WIDE)
            page.goto(url)
            wait_for_app_run(page)
            page.locator("[data-testid=stSelectbox]", has_text="Or pick a sample").click()
            page.get_by_role("option", name="Wine cultivars").click()
            shoot(page, "data")
            go_to(page, "Train")
            page.get_by_role("button", name="Train").first.click()
            page.wait_for_selector("text=Model trained in", timeout=120_000)
            shoot(page, "train")
            go_to(page, "Evaluate")
            page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
            shoot(page, "evaluate")
            for tab, name in (
                ("Choosing C", "evaluate-c"),
                ("Calibration", "evaluate-calibration"),
            ):
                page.get_by_role("tab", name=tab).click()
                shoot(page, name)
            go_to(page, "Explore")
            page.wait_for_selector("text=The reference row: held-out row 1.", timeout=30_000)
            page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
            shoot(page, "explore")
            go_to(page, "Predict")
            page.wait_for_selector(".js-plotly-plot", timeout=30_000)
            page.mouse.wheel(0, 700)
            shoot(page, "predict")
            page.get_by_role("button", name="Open these numbers in the Calculators").click()
            wait_for_app_run(page)
            page.get_by_role("tab", name="Cross-entropy and KL").click()
            shoot(page, "calculators")
            browser.close()
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
