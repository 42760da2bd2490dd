"""Model files are read within a budget (issue 17): hostile files are refused before skops reads them.

The hostile files are built in tests/hostile_models.py. In-process tests check each refusal
and its message; the CLI tests run ``python -m dashboard predict`` in a fresh process and
measure its peak memory (before these checks, the shared-array file peaked above 3 GB and
the 60 MB schema at 1.7 GB, both loading with exit 0).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import SoftmaxLabError
from dashboard.export.model_file import check_model_archive, load_model
from dashboard.limits import Limits
from tests import hostile_models as hostile

GB = 1024**3


@pytest.fixture(scope="module")
def genuine() -> bytes:
    return hostile.genuine_model()


def test_the_genuine_file_every_hostile_one_departs_from_loads(genuine):
    saved = load_model(genuine)
    assert saved.classes == ("a", "b", "c")
    check_model_archive(genuine)


def _npy_bytes(array: np.ndarray) -> int:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return len(buffer.getvalue())


def test_arrays_are_counted_once_per_reference_not_once_per_member():
    # Three references to one 1 MiB array. skops reads the member (npy bytes) and builds
    # the array (nbytes) for each: 3 x (npy + nbytes), about 6.3 MB, by hand.
    raw = hostile.shared_array_model(references=3, megabytes=1)
    array = np.zeros(1024 * 1024 // 8)
    per_reference = _npy_bytes(array) + array.nbytes
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        declared = sum(m.file_size for m in archive.infolist())
    # Counted once per member, it would fit a budget of twice the unpacked size; per
    # reference it does not.
    budget = 2 * declared
    assert per_reference * 3 > budget > per_reference
    with pytest.raises(SoftmaxLabError, match="more memory than allowed"):
        load_model(raw, limits=Limits(max_model_load_bytes=budget))
    # With room for three references it loads (and the extra key is ignored).
    assert load_model(raw, limits=Limits(max_model_load_bytes=3 * per_reference + 100_000))


def test_array_memory_comes_from_the_npy_header_shape_not_the_file_bytes():
    # A header that promises a much larger array than its bytes hold is refused.
    schema, members = hostile.genuine_parts()
    name = next(n for n in members if n.endswith(".npy"))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)}
    )
    members[name] = header.getvalue() + bytes(8)
    with pytest.raises(SoftmaxLabError, match="not a plain numpy array"):
        load_model(hostile.zip_parts(schema, members))


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: hostile.huge_schema_model(megabytes=6), "too many values"),
        (lambda: hostile.huge_schema_of_numbers_model(megabytes=6), "too many values"),
        (lambda: hostile.json_content_bomb_model(megabytes=6), "too many values"),
        (lambda: hostile.deep_schema_model(depth=150), "nested too deeply"),
    ],
    ids=["empty-objects", "numbers", "json-content-string", "deep"],
)
def test_schema_values_and_depth_are_bounded(build, match):
    with pytest.raises(SoftmaxLabError, match=match):
        load_model(build())


def test_schema_bytes_are_bounded_from_the_header_and_while_reading(genuine):
    with zipfile.ZipFile(io.BytesIO(genuine)) as archive:
        size = archive.getinfo("schema.json").file_size
    with pytest.raises(SoftmaxLabError, match="schema.json would unpack to"):
        load_model(genuine, limits=Limits(max_model_schema_bytes=size - 1))
    assert load_model(genuine, limits=Limits(max_model_schema_bytes=size))


def test_schema_is_parsed_once(genuine, monkeypatch):
    with zipfile.ZipFile(io.BytesIO(genuine)) as archive:
        schema_text = archive.read("schema.json")
    parsed = []
    real_loads = json.loads

    def counting_loads(text, *args, **kwargs):
        if len(text) == len(schema_text):
            parsed.append(text)
        return real_loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting_loads)
    load_model(genuine)
    assert len(parsed) == 1


EXTRA_MEMBER_MESSAGES = {
    "parent-path": "unexpected part '../../x'",
    "absolute-path": "unexpected part '/tmp/softmax-lab-absolute'",
    "backslash": "unexpected part '..\\\\..\\\\x'",
    "nested-zip": "unexpected part 'inner.zip'",
    "pickle": "unexpected part 'model.pkl'",
    "pickle-named-like-an-array": "part its schema never uses ('1234.npy')",
    "folder": "unexpected part 'folder/'",
}


def test_every_extra_member_is_refused_by_name_and_no_pickle_runs(tmp_path):
    canary = tmp_path / "canary-ran"
    models = hostile.extra_member_models(canary=str(canary))
    assert set(models) == set(EXTRA_MEMBER_MESSAGES)
    for label, raw in models.items():
        with pytest.raises(SoftmaxLabError) as caught:
            load_model(raw)
        assert EXTRA_MEMBER_MESSAGES[label] in str(caught.value), label
    assert not canary.exists()


def test_a_member_the_schema_names_but_the_file_lacks_is_refused():
    schema, members = hostile.genuine_parts()
    members.pop(next(iter(members)))
    with pytest.raises(SoftmaxLabError, match="names a part it does not hold"):
        load_model(hostile.zip_parts(schema, members))


def test_a_falsified_member_size_is_refused():
    with pytest.raises(SoftmaxLabError, match="size in the zip header is false"):
        load_model(hostile.falsified_size_model())


def test_limits_are_overridable_by_environment():
    code = "from dashboard.limits import LIMITS as L; print(L.max_model_load_bytes, L.max_model_schema_depth)"
    env = {
        **os.environ,
        "SOFTMAX_LAB_MAX_MODEL_LOAD_BYTES": "12345",
        "SOFTMAX_LAB_MAX_MODEL_SCHEMA_DEPTH": "7",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=hostile.REPO,
        check=True,
    )
    assert done.stdout.split() == ["12345", "7"]


# --------------------------------------------------------------------------- the CLI, measured


@pytest.fixture(scope="module")
def rows_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("rows") / "rows.csv"
    path.write_text(hostile.PREDICT_CSV)
    return path


def test_the_measured_cli_predicts_with_the_genuine_file(tmp_path, rows_csv, genuine):
    model = tmp_path / "genuine.skops"
    model.write_bytes(genuine)
    run = hostile.run_measured("predict", model, rows_csv)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["rows"] == 2
    assert 50 * 1024**2 < run.peak_bytes < GB  # the measure sees the child's real peak


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (hostile.shared_array_model, "would take more memory than allowed"),
        (hostile.huge_schema_model, "schema.json holds too many values"),
        (hostile.huge_schema_of_numbers_model, "schema.json holds too many values"),
        (hostile.json_content_bomb_model, "schema.json holds too many values"),
        (hostile.deep_schema_model, "nested too deeply"),
        (hostile.falsified_size_model, "size in the zip header is false"),
        (lambda: hostile.extra_member_models()["parent-path"], "unexpected part '../../x'"),
    ],
    ids=["shared-array-150x10MB", "schema-60MB-objects", "schema-60MB-numbers",
         "json-content-20MB", "deep-800", "falsified-size", "parent-path"],
)  # fmt: skip
def test_cli_refuses_each_hostile_file_with_exit_2_under_1_gb(tmp_path, rows_csv, build, message):
    model = tmp_path / "hostile.skops"
    model.write_bytes(build())
    assert model.stat().st_size < 100_000  # small files, all of them
    run = hostile.run_measured("predict", model, rows_csv)
    assert run.code == 2, run.stderr
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: ") and message in line
    assert run.peak_bytes < GB


def test_a_file_at_every_limit_at_once_loads_under_1_gb(tmp_path, rows_csv):
    # The limits together bound what a file may cost: one that is just inside all of them
    # (the largest schema, the most values, the largest array) loads, well under 1 GB.
    raw = hostile.at_the_limits_model()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        schema = archive.read("schema.json")
    limits = Limits()
    assert 0.9 * limits.max_model_schema_values < schema.count(b"{") + schema.count(
        b"["
    ) + schema.count(b",")
    assert len(schema) > limits.max_model_schema_bytes - 2 * 1024 * 1024
    model = tmp_path / "at-the-limits.skops"
    model.write_bytes(raw)
    run = hostile.run_measured("predict", model, rows_csv)
    assert run.code == 0, run.stderr
    assert run.peak_bytes < GB


def test_saved_model_files_have_a_compact_schema_that_loads_back(genuine):
    from dashboard.export.model_file import save_model

    saved = load_model(genuine)
    raw = save_model(saved)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        text = archive.read("schema.json")
        names = archive.namelist()
    assert b"\n" not in text and b": " not in text  # no indentation: skops' spaces are gone
    assert sorted(names) == sorted(n for n in names if n == "schema.json" or n.endswith(".npy"))
    again = load_model(raw)
    frame = pd.DataFrame({"x": [0.5, -1.0], "colour": ["red", "blue"]})
    np.testing.assert_array_equal(
        again.pipeline.predict_proba(frame), saved.pipeline.predict_proba(frame)
    )


def test_a_users_key_called_file_is_not_taken_for_a_member():
    # Column names and config keys are stored as dict keys; "file" among them is data.
    import skops.io

    check_model_archive(skops.io.dumps({"file": {"file": "1.npy"}, "x": np.arange(3)}))


def test_a_node_naming_its_member_by_a_number_is_refused():
    schema, members = hostile.genuine_parts()
    schema["content"]["padding"] = {"__loader__": "NdArrayNode", "file": 12, "type": "numpy"}
    with pytest.raises(SoftmaxLabError, match="names a part by something that is not a name"):
        load_model(hostile.zip_parts(schema, members))
