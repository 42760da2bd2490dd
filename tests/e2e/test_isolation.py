"""Two sessions upload different files under the same file name; neither sees the other's data.

In Chromium (two browser contexts against one real server) and in AppTest (two sessions in one
process, so caches shared by mistake would leak between them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run
from tests.e2e.test_journey import go_to

pytestmark = pytest.mark.e2e

APP = str(Path(__file__).resolve().parents[2] / "app.py")
NAME = "data.csv"  # the same name for both users


def table_a() -> pd.DataFrame:
    """30 rows, 3 columns; target `fruit`; a marker value only this user has."""
    rng = np.random.default_rng(1)
    fruit = np.repeat(["apple", "pear"], 15)
    return pd.DataFrame(
        {
            "marker": "AAA314159",
            "length_a": rng.normal(size=30) + (fruit == "pear") * 2,
            "fruit": fruit,
        }
    )


def table_b() -> pd.DataFrame:
    """40 rows, 4 columns; target `planet`; a marker value only this user has."""
    rng = np.random.default_rng(2)
    planet = np.tile(["mars", "venus", "earth", "mars"], 10)
    return pd.DataFrame(
        {
            "marker": "BBB271828",
            "height_b": rng.normal(size=40) + (planet == "venus") * 2,
            "width_b": rng.normal(size=40) + (planet == "earth") * 2,
            "planet": planet,
        }
    )


def csv(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False).encode()


def upload(page, raw: bytes, shape: str) -> None:
    page.set_input_files(
        "[data-testid=stFileUploaderDropzoneInput]",
        files=[{"name": NAME, "mimeType": "text/csv", "buffer": raw}],
    )
    page.wait_for_selector(f"[data-testid=stSidebar] >> text={shape}", timeout=30_000)
    wait_for_app_run(page)


def train(page) -> None:
    go_to(page, "Train")
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    wait_for_app_run(page)


def test_two_browsers_same_file_name_see_only_their_own_data(page, browser, server):
    other_context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = other_context.new_page()
        page.goto(server)
        other.goto(server)
        wait_for_app_run(page)
        wait_for_app_run(other)

        upload(page, csv(table_a()), "30 rows × 3 columns")
        upload(other, csv(table_b()), "40 rows × 4 columns")

        # After the second upload, the first user still has their own table, on every rerun.
        go_to(page, "Data")
        assert "30 rows × 3 columns" in page.inner_text("[data-testid=stSidebar]")
        go_to(page, "Train")
        text_a = page.inner_text("body")  # the feature chips are text; the selectbox is not
        assert "length_a" in text_a
        assert "height_b" not in text_a and "width_b" not in text_a

        go_to(other, "Train")
        text_b = other.inner_text("body")
        assert "height_b" in text_b and "width_b" in text_b
        assert "length_a" not in text_b

        train(page)
        train(other)
        assert "Trained: target fruit" in page.inner_text("[data-testid=stSidebar]")
        assert "Trained: target planet" in other.inner_text("[data-testid=stSidebar]")

        for name in ("Evaluate", "Data"):
            go_to(page, name)
            go_to(other, name)
            html_a, html_b = page.content(), other.content()
            assert "mars" not in html_a and "BBB271828" not in html_a and "height_b" not in html_a
            assert "apple" not in html_b and "AAA314159" not in html_b and "length_a" not in html_b
            assert_no_exception(page)
            assert_no_exception(other)
        screenshot(page, "isolation-a")
        screenshot(other, "isolation-b")
        assert page.outside_requests == [], page.outside_requests
    finally:
        other_context.close()


def test_two_app_sessions_same_file_name_see_only_their_own_data():
    first = AppTest.from_file(APP, default_timeout=120).run()
    second = AppTest.from_file(APP, default_timeout=120).run()
    first.file_uploader(key="upload").set_value((NAME, csv(table_a()), "text/csv")).run()
    second.file_uploader(key="upload").set_value((NAME, csv(table_b()), "text/csv")).run()
    first.run()

    assert list(first.session_state["table"].table.columns) == ["marker", "length_a", "fruit"]
    assert list(second.session_state["table"].table.columns) == [
        "marker",
        "height_b",
        "width_b",
        "planet",
    ]
    for at, shape in ((first, "30 rows × 3 columns;"), (second, "40 rows × 4 columns;")):
        captions = [c.value for c in at.caption]
        assert any(c.startswith(shape) for c in captions), captions

    first.switch_page("app_pages/train.py").run()
    first.button(key="train").click().run()
    assert not first.exception
    assert first.session_state["model"].classes == ("apple", "pear")
    second.switch_page("app_pages/evaluate.py").run()
    assert "model" not in second.session_state or second.session_state["model"] is None
    second.switch_page("app_pages/train.py").run()
    second.button(key="train").click().run()
    assert second.session_state["model"].classes == ("earth", "mars", "venus")
    first.run()
    assert first.session_state["model"].classes == ("apple", "pear")
