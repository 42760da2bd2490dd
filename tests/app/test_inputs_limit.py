"""AppTest: a model with more inputs than the limit is refused on Train, with the limit's message."""

from __future__ import annotations

import dataclasses

from dashboard import training
from dashboard.limits import LIMITS
from tests.app.test_pages import assert_clean, new_app


def test_train_shows_the_model_input_limit_and_keeps_the_table(monkeypatch):
    # The sample's default features give more than 3 inputs; the page trains with the default
    # limits, so the limit is lowered where train() takes it.
    limits = dataclasses.replace(LIMITS, max_model_inputs=3)
    monkeypatch.setitem(training.train.__kwdefaults__, "limits", limits)
    at = new_app()
    loaded = at.session_state["table"]
    at.switch_page("app_pages/train.py").run()
    at.button(key="train").click().run()
    assert_clean(at)
    errors = " ".join(str(e.value) for e in at.error).replace("\\", "")  # markdown escapes
    assert "inputs after encoding, more than the limit of 3" in errors, errors
    assert "fewer feature columns" in errors, errors
    assert at.session_state["table"] is loaded
    assert "model" not in at.session_state or at.session_state["model"] is None
