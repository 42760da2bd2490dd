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
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    files += sorted((ROOT / "dashboard").glob("*.py"))
    return files


def test_no_raw_html_in_the_app():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in app_sources()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []


def test_escape_markdown_defuses_links_emphasis_html_and_directives():
    hostile = "[click](http://x.invalid) **bold** <script>alert(1)</script> :red[x] $x$ ![i](y)"
    out = escape_markdown(hostile)
    for ch in "[]()*<>:$!":
        # every such character is preceded by a backslash
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)
    assert "\n" not in escape_markdown("a\n# heading")
