"""AppTest: a hostile model file on the Predict page is refused with its reason; the loaded model stays."""

from __future__ import annotations

import pytest

from dashboard.ui import escape_markdown
from tests import hostile_models as hostile
from tests.app.test_pages import assert_clean, new_app


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: hostile.shared_array_model(references=150, megabytes=10),
            "more memory than allowed",
        ),
        (lambda: hostile.huge_schema_model(megabytes=60), "too many values"),
        (lambda: hostile.extra_member_models()["parent-path"], "unexpected part '../../x'"),
        (hostile.falsified_size_model, "size in the zip header is false"),
    ],
    ids=["shared-array", "huge-schema", "parent-path", "falsified-size"],
)
def test_a_hostile_model_file_is_refused_and_the_previous_model_stays(build, message):
    at = new_app()
    at.switch_page("app_pages/predict.py").run()
    upload = at.file_uploader(key="model_upload")
    upload.set_value(("good.skops", hostile.genuine_model(), "application/zip")).run()
    assert_clean(at)
    before = at.session_state["saved_model"]
    assert before is not None and before.classes == ("a", "b", "c")
    at.file_uploader(key="model_upload").set_value(
        ("hostile.skops", build(), "application/zip")
    ).run()
    assert_clean(at)
    errors = " ".join(str(e.value) for e in at.error)
    assert escape_markdown(message) in errors, errors  # shown as text, never markdown
    assert at.session_state["saved_model"] is before
