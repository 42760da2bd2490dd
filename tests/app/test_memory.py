"""AppTest: the server's memory budget and one copy of the data per session."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard import limits
from dashboard.concurrency import LOAD_PEAK_PER_UPLOAD_BYTE
from dashboard.ui import state
from tests.app.test_pages import assert_clean, new_app, train


@pytest.fixture
def budget_of(monkeypatch):
    """Give the server a memory budget of so many bytes (a fresh one, dropped afterwards)."""

    def set_budget(total: int) -> None:
        monkeypatch.setattr(
            limits, "LIMITS", dataclasses.replace(limits.LIMITS, memory_budget_bytes=total)
        )
        state.memory_budget.clear()

    yield set_budget
    state.memory_budget.clear()


def _csv(rows: int) -> bytes:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=rows).round(6),
            "b": rng.normal(size=rows).round(6),
            "kind": rng.choice(["x", "y", "z"], rows),
        }
    )
    return frame.to_csv(index=False).encode()


def test_an_upload_the_budget_refuses_keeps_the_table_and_the_model(budget_of):
    raw = _csv(8_000)  # about 250 KB; reading it needs about 3 times that
    budget_of(int(LOAD_PEAK_PER_UPLOAD_BYTE * len(raw)) - 1)  # the load alone does not fit
    at = train(new_app())
    at.switch_page("app_pages/data.py").run()
    table, model = at.session_state["table"], at.session_state["model"]
    at.file_uploader(key="upload").set_value(("big.csv", raw, "text/csv")).run()
    assert_clean(at)
    errors = " ".join(str(e.value) for e in at.error)
    assert "cannot make room" in errors and "server memory" in errors, errors
    assert at.session_state["table"] is table
    assert at.session_state["model"] is model
    assert state.memory_budget().held == state.table_bytes(table)  # only the kept table


def test_an_upload_within_the_budget_is_kept_and_counted(budget_of):
    raw = _csv(2_000)
    budget_of(50 * len(raw))
    at = new_app()
    at.file_uploader(key="upload").set_value(("small.csv", raw, "text/csv")).run()
    assert_clean(at)
    loaded = at.session_state["table"]
    assert loaded.name == "small.csv"
    expected = int(loaded.table.memory_usage(deep=True).sum())
    # the sample the session opened with and the upload that replaced it, both counted
    # until collected; the upload at least
    assert state.memory_budget().kept_bytes >= expected


def _objects(value, seen: set[int], depth: int = 0):
    """Every object reachable from ``value`` through containers and attributes (bounded)."""
    if id(value) in seen or depth > 6:
        return
    seen.add(id(value))
    yield value
    if isinstance(value, (str, int, float, np.ndarray, pd.DataFrame, pd.Series, pd.Index)):
        return
    if isinstance(value, dict):
        children = list(value.keys()) + list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        children = list(value)
    elif dataclasses.is_dataclass(value) or hasattr(value, "__dict__"):
        children = list(vars(value).values()) if hasattr(value, "__dict__") else []
    else:
        children = []
    for child in children:
        yield from _objects(child, seen, depth + 1)


def test_the_session_keeps_no_raw_upload_bytes_after_parsing(monkeypatch):
    managers = []  # the uploaded-file managers AppTest hands files to (one per script runner)
    add_file = MemoryUploadedFileManager.add_file

    def recorded(self, session_id, file):
        managers.append(self)
        add_file(self, session_id, file)

    monkeypatch.setattr(MemoryUploadedFileManager, "add_file", recorded)
    raw = _csv(3_000)
    at = new_app()
    at.file_uploader(key="upload").set_value(("kept.csv", raw, "text/csv")).run()
    assert_clean(at)
    assert at.session_state["table"].name == "kept.csv"
    assert managers, "AppTest registered no file"
    # Streamlit's own copy of the upload is gone once it is a table
    assert [m.file_storage.get(sid) for m in managers for sid in m.file_storage] in ([], [{}])
    seen: set[int] = set()
    found = []
    # the uploader's own value included: a closed file, which has let go of its bytes
    for key in at.session_state:
        for obj in _objects(at.session_state[key], seen):
            if isinstance(obj, (bytes, bytearray, memoryview)) and len(obj) >= len(raw) // 2:
                found.append((key, type(obj).__name__, len(obj)))
            elif isinstance(obj, (UploadedFile, io.BytesIO)) and not obj.closed:
                found.append((key, type(obj).__name__, obj.getbuffer().nbytes))
    assert not found, found


def test_a_training_the_budget_refuses_says_so_and_keeps_the_table(budget_of):
    from dashboard.concurrency import TRAIN_PEAK_PER_TABLE_BYTE
    from dashboard.samples import DEFAULT_SAMPLE, SAMPLES, load_sample

    frame = load_sample(DEFAULT_SAMPLE)
    table = int(frame.memory_usage(deep=True).sum())
    columns = int(frame.memory_usage(deep=True, index=False).sum())  # features and target
    # the session keeps the table; the training needs 12x its columns beside: 1 byte short
    budget_of(table + int(TRAIN_PEAK_PER_TABLE_BYTE * columns) - 1)
    at = new_app()
    loaded = at.session_state["table"]
    assert loaded.name == SAMPLES[DEFAULT_SAMPLE].title
    assert state.table_bytes(loaded) == table
    at.switch_page("app_pages/train.py").run()
    at.button(key="train").click().run()
    assert_clean(at)
    errors = " ".join(str(e.value) for e in at.error)
    assert "this training" in errors and "server memory" in errors, errors
    assert at.session_state["table"] is loaded
    assert "model" not in at.session_state or at.session_state["model"] is None
