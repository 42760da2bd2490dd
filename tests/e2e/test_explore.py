"""Explore in a real Chromium: a click on a held-out point of the decision map makes it the
reference row, and the logits (the waterfall), the softmax and the star change with it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

# The decision map's graph div, a held-out point on it far from the star, and its row id.
_POINT = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
    g => (g.data || []).some(t => t.name === 'regions'));
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const star = gd._fullData.find(t => t.name === 'reference row');
  const box = gd.getBoundingClientRect();
  let best = null;
  for (const t of gd._fullData) {
    if (!String(t.name || '').startsWith('true: ')) continue;
    for (let k = 0; k < t.x.length; k++) {
      const far = Math.abs(xa.l2p(t.x[k]) - xa.l2p(star.x[0])) +
                  Math.abs(ya.l2p(t.y[k]) - ya.l2p(star.y[0]));
      if (best === null || far > best.far) {
        best = {far: far, id: Number(t.customdata[k][0]),
                x: box.left + xa._offset + xa.l2p(t.x[k]),
                y: box.top + ya._offset + ya.l2p(t.y[k])};
      }
    }
  }
  return best;
}"""

# The numbers the page shows for the reference row: the waterfall's steps and the softmax.
_NUMBERS = """() => {
  const out = {};
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    for (const t of gd._fullData || []) {
      if (t.type === 'waterfall' && !out.logits) out.logits = Array.from(t.y).map(Number);
      if (t.name === 'probability' && !out.softmax) out.softmax = Array.from(t.y).map(Number);
      // The first map is the Decision map tab's (C in motion draws its own after it).
      if (t.name === 'reference row' && !out.star) out.star = [Number(t.x[0]), Number(t.y[0])];
    }
  }
  return out;
}"""


def go_to(page, name: str) -> None:
    page.locator("[data-testid=stSidebarNav] a", has_text=name).first.click()
    wait_for_app_run(page)
    page.wait_for_selector(f"h1:has-text('{name}')", timeout=30_000)


def test_a_click_on_the_map_makes_the_point_the_reference_row(page, server):
    page.goto(server)
    wait_for_app_run(page)
    go_to(page, "Train")
    page.get_by_role("button", name="Train").first.click()
    # Training runs in the background; the sidebar names the model once it is done.
    page.wait_for_selector("[data-testid=stSidebar] >> text=Trained: target", timeout=180_000)
    wait_for_app_run(page)
    go_to(page, "Explore")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    page.wait_for_selector("text=The reference row: held-out row 1.", timeout=30_000)
    assert_no_exception(page)
    before = page.evaluate(_NUMBERS)
    assert before.get("logits") and before.get("softmax") and before.get("star")

    point = page.evaluate(_POINT)
    assert point is not None and point["id"] != 0
    page.mouse.move(point["x"], point["y"])
    page.wait_for_timeout(400)
    page.mouse.click(point["x"], point["y"])
    row = point["id"] + 1
    page.wait_for_selector(f"text=The reference row: held-out row {row}.", timeout=30_000)
    wait_for_app_run(page)
    assert_no_exception(page)
    after = page.evaluate(_NUMBERS)
    assert after["star"] != before["star"], "the star moved to the clicked row"
    assert after["logits"] != before["logits"], "the logits are the clicked row's"
    assert after["softmax"] != before["softmax"]
    value = page.locator("[data-testid=stNumberInput] input").first.input_value()
    assert value == str(row)
    screenshot(page, "explore-clicked")
