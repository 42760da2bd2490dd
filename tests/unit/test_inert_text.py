"""Text from a user's file never becomes HTML: no raw-HTML escape hatches in the app's code."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.ui import escape_markdown

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = re.compile(
    r"unsafe_allow_html|st\.html\(|components\.html|components\.iframe|declare_component"
)


def app_sources() -> list[Path]:
    files = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    files += sorted((ROOT / "dashboard").rglob("*.py"))
    assert len(files) > 40, files  # the glob must find the pages and the ui package
    return files


# The one audited use: the page's CSS, built from two module constants (no user text can enter).
AUDITED = {
    (
        "dashboard/ui/display.py",
        '    st.html(_PAGE_CSS + (_PRESENTER_CSS if presenter_mode() else ""))',
    )
}


def test_no_raw_html_in_the_app():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in app_sources()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line) and (str(path.relative_to(ROOT)), line) not in AUDITED
    ]
    assert offenders == []


def test_the_audited_css_is_constant():
    from dashboard.ui import display

    for css in (display._PAGE_CSS, display._PRESENTER_CSS):
        assert isinstance(css, str) and css.startswith("<style>") and css.endswith("</style>")
        assert "{" not in css.split("<style>")[1].split("{")[0]  # a selector, not a format field
        assert "<script" not in css.lower() and "url(" not in css.lower()


def test_escape_markdown_defuses_links_emphasis_html_and_directives():
    hostile = "[click](http://x.invalid) **bold** <script>alert(1)</script> :red[x] $x$ ![i](y)"
    out = escape_markdown(hostile)
    for ch in "[]()*<>:$!":
        # every such character is preceded by a backslash
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)
    assert "\n" not in escape_markdown("a\n# heading")
