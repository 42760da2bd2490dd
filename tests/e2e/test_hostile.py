"""A file whose column names, cells and class labels are markup stays plain text in Chromium.

Upload it, train with hostile class labels, visit every page: no dialog opens, no request
leaves 127.0.0.1, and nothing in the DOM (sidebar, tables, widget labels and options, chart
ticks and legends, messages) is a link, bold text, a script, an image, colored text or maths
made from the file's text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_for_app_run
from tests.e2e.test_journey import go_to

pytestmark = pytest.mark.e2e

LINK = "[click](http://x.invalid)"
BOLD = "**bold**"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x.invalid")'
COLOR = ":red[x]"
MATH = "$x$"
PLOTLY_LINK = '<a href="http://x.invalid">a</a>'  # Plotly draws <a href> and <b> in its text
PLOTLY_BOLD = "<b>bold</b>"
TARGET = BOLD
LABELS = [LINK, SCRIPT, PLOTLY_LINK, PLOTLY_BOLD, IMG]


def hostile_csv() -> bytes:
    """100 rows: 6 numeric columns and 1 categorical one with hostile names; hostile labels."""
    rng = np.random.default_rng(0)
    labels = np.repeat(LABELS, 20)
    shift = np.repeat(np.arange(len(LABELS)), 20).astype(float)
    numeric = [LINK, SCRIPT, IMG, FORMULA, MATH, PLOTLY_LINK]
    table = pd.DataFrame(
        {name: rng.normal(size=100) + shift * (i % 3) for i, name in enumerate(numeric)}
    )
    table[COLOR] = rng.choice([IMG, LINK, BOLD, COLOR, MATH, PLOTLY_BOLD], size=100)
    table[TARGET] = labels
    return table.to_csv(index=False).encode()


# What user text would have become if it had been rendered instead of shown.
FINDINGS_JS = r"""
() => {
  const found = [];
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 6; e = e.parentElement) {
      const id = e.getAttribute && e.getAttribute('data-testid');
      parts.push(e.tagName.toLowerCase() + (id ? '[' + id + ']' : ''));
    }
    const box = el.closest('[data-testid]') || el;
    return parts.reverse().join(' > ') + ' in "' + (box.textContent || '').slice(0, 160) + '"';
  };
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    const text = (el.textContent || '').trim();
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value || '';
      if (['href', 'xlink:href', 'src', 'srcset', 'action', 'formaction'].includes(name)
          && value.includes('x.invalid')) {
        found.push('link to x.invalid: ' + where(el));
      }
      if (name.startsWith('on')) found.push('inline handler ' + name + ': ' + where(el));
    }
    if (tag === 'script' && text.includes('alert(1)')) found.push('script: ' + where(el));
    if (tag === 'img' && /(^|\/)x$/.test(el.getAttribute('src') || '')) {
      found.push('img src=x: ' + where(el));
    }
    if (['strong', 'b'].includes(tag) && text === 'bold') found.push('bold: ' + where(el));
    if (tag === 'tspan' && /bold/.test(el.getAttribute('style') || '') && text === 'bold') {
      found.push('plotly bold: ' + where(el));
    }
    if (tag === 'iframe') found.push('iframe: ' + where(el));
    if (text === 'x' && (el.getAttribute('style') || '').includes('color')) {
      found.push('colored x: ' + where(el));
    }
  }
  for (const a of document.querySelectorAll('annotation')) {
    if ((a.textContent || '').trim() === 'x') found.push('maths x: ' + where(a));
  }
  return found;
}
"""


# Nothing may render; a finding here is a bug, not an expected failure.
KNOWN: set[tuple[str, str]] = set()


def check_inert(
    page, name: str, seen: list[tuple[str, str, str]], *, shot: str = "hostile"
) -> None:
    """Assert the hard rules now; collect rendered-markup findings into ``seen``."""
    findings = sorted(set(page.evaluate(FINDINGS_JS)))
    if findings:
        path = screenshot(page, f"{shot}-{name}")
        seen.extend((name, f.split(":", 1)[0], f"{f} [{path.name}]") for f in findings)
    assert_no_exception(page)
    assert page.dialogs == [], page.dialogs
    assert page.outside_requests == [], page.outside_requests
    code = [f for f in findings if f.startswith(("script", "img", "inline handler", "iframe"))]
    assert code == [], f"on {name}: elements that could run code:\n" + "\n".join(code)


def test_hostile_names_cells_and_labels_stay_plain_text(page, server):
    seen: list[tuple[str, str, str]] = []
    page.goto(server)
    wait_for_app_run(page)
    page.set_input_files(
        "[data-testid=stFileUploaderDropzoneInput]",
        files=[{"name": "hostile.csv", "mimeType": "text/csv", "buffer": hostile_csv()}],
    )
    page.wait_for_selector("[data-testid=stSidebar] >> text=hostile.csv", timeout=30_000)
    wait_for_app_run(page)
    assert "100 rows × 8 columns" in page.inner_text("[data-testid=stSidebar]")
    check_inert(page, "data", seen)

    go_to(page, "Train")
    check_inert(page, "train-before", seen)
    body = page.inner_text("body")
    for name in (LINK, SCRIPT, IMG, MATH):  # feature chips show the names literally
        assert name in body, name
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_selector("text=Model trained in", timeout=120_000)
    wait_for_app_run(page)
    assert f"Trained: target {TARGET}" in page.inner_text("[data-testid=stSidebar]")
    check_inert(page, "train", seen)
    screenshot(page, "hostile-train")

    # Every tab's content is in the DOM whichever tab is shown, so one look per page covers them.
    for name in ("Evaluate", "Predict", "Calculators", "Data"):
        go_to(page, name)
        page.wait_for_timeout(1000)  # let Plotly draw its ticks and legends
        check_inert(page, name.lower(), seen)
        screenshot(page, f"hostile-{name.lower()}")

    expect_only(seen, KNOWN)


def expect_only(seen: list[tuple[str, str, str]], known: set[tuple[str, str]]) -> None:
    """Fail on any rendered markup not in ``known`` (which is empty: nothing may render)."""
    unknown = [line for where, kind, line in seen if (where, kind) not in known]
    assert unknown == [], "user text rendered as markup:\n" + "\n".join(unknown)


# A file name is user text too: the Data page's heading and the sidebar show it.
HOSTILE_NAME = "**bold** [click](x.invalid) :red[x] $x$ www.x.invalid.csv"
KNOWN_NAME: set[tuple[str, str]] = set()


def test_hostile_file_name_stays_plain_text(page, server):
    seen: list[tuple[str, str, str]] = []
    page.goto(server)
    wait_for_app_run(page)
    page.set_input_files(
        "[data-testid=stFileUploaderDropzoneInput]",
        files=[{"name": HOSTILE_NAME, "mimeType": "text/csv", "buffer": hostile_csv()}],
    )
    page.wait_for_selector("[data-testid=stSidebar] >> text=100 rows × 8 columns", timeout=30_000)
    wait_for_app_run(page)
    check_inert(page, "data", seen, shot="hostile-name")
    go_to(page, "Train")
    check_inert(page, "train", seen, shot="hostile-name")
    expect_only(seen, KNOWN_NAME)
