"""The reverse-proxy example: the README quotes the shipped file, and its CSP hash is Streamlit's."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import streamlit

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "deploy" / "nginx" / "softmax-lab.conf"


def _csp() -> str:
    (policy,) = re.findall(
        r'add_header Content-Security-Policy "([^"]+)" always;', SNIPPET.read_text()
    )
    return policy


def test_readme_quotes_the_shipped_headers():
    readme = (ROOT / "README.md").read_text()
    for line in SNIPPET.read_text().splitlines():
        if line.startswith("add_header "):
            assert line in readme, line


def test_the_csp_hash_is_that_of_streamlits_inline_script():
    # Computed here from the installed Streamlit's index.html, independently of the config.
    index = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    inline = re.findall(r"<script>(.*?)</script>", index, re.S)
    digests = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in inline
    }
    allowed = {token for token in _csp().split() if token.startswith("'sha256-")}
    assert digests == {token.rstrip(";") for token in allowed}


def test_the_csp_denies_framing_and_javascript_eval():
    policy = _csp()
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-eval'" not in policy
    assert "object-src 'none'" in policy
