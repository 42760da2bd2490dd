"""The nasty-file corpus through the real uploader (AppTest) and the command line."""

from __future__ import annotations

import io
import json

import pytest

from dashboard import cli
from dashboard.ui import escape_markdown
from tests.app.test_pages import assert_clean, new_app
from tests.corpus import cases

CASES = [c for c in cases() if not c.options]


@pytest.fixture(scope="module")
def app():
    return new_app()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_corpus_file_through_the_uploader(app, case):
    at = app
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="upload").set_value((case.filename, case.raw, "text/csv")).run()
    assert_clean(at)
    shown = " ".join(str(e.value) for e in at.error)
    assert "Traceback" not in shown
    if case.error is None:
        assert at.session_state["table"].name == case.filename
        assert list(at.session_state["table"].table.columns) == case.columns
    else:
        # The message is shown (markdown-escaped) and the previous table stays loaded.
        assert escape_markdown(case.error).lower().replace("\\", "") in shown.lower().replace(
            "\\", ""
        )
        assert at.session_state["table"] is not None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_corpus_file_through_the_cli(tmp_path, case):
    # In-process for speed; tests/unit/test_cli.py runs the same entry point as a subprocess.
    path = tmp_path / (case.filename or "file.csv").replace("/", "_")
    path.write_bytes(case.raw)
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["profile", str(path)], out=out, err=err)
    assert "Traceback" not in err.getvalue()
    if case.error is None:
        assert code == 0, err.getvalue()
        assert [c["name"] for c in json.loads(out.getvalue())["columns"]] == case.columns
    else:
        assert code == 2
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ")
        assert case.error.lower() in lines[0].lower()
