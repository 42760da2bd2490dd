"""Hostile model files, crafted as an attacker would, and a way to measure a CLI run's peak memory.

Every file here starts from a genuine Softmax Lab payload (a fitted pipeline of our shape,
written by skops), so that without its hostile part it would load; each hostile part is
one of those reported in issue 17: one array member referenced many times, a schema that
unpacks to tens of megabytes, deep nesting, extra zip members, a falsified member size.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

SCHEMA = "schema.json"


def small_pipeline():
    """A small fitted preprocessing + LogisticRegression pipeline (3 classes) and its frame."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=60), "colour": rng.choice(["red", "green", "blue"], size=60)}
    )
    y = np.array(["a", "b", "c"] * 20)
    preprocess = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["x"]),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                ["colour"],
            ),
        ]
    )
    steps = [("preprocess", preprocess), ("logisticregression", LogisticRegression(C=1.0))]
    return Pipeline(steps).fit(frame, y), frame


PREDICT_CSV = "x,colour\n0.5,red\n-1,blue\n"


def genuine_parts(padding=None) -> tuple[dict, dict[str, bytes]]:
    """A genuine model file's schema (parsed) and its other members, by name.

    ``padding`` is stored under an extra payload key that Softmax Lab's checks ignore, so
    a file that only adds hostile content there would load if nothing bounded it.
    """
    import skops.io

    from dashboard.export.model_file import MODEL_FORMAT, MODEL_FORMAT_VERSION

    pipeline, _ = small_pipeline()
    payload = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "pipeline": pipeline,
        "classes": ["a", "b", "c"],
        "numeric_columns": ["x"],
        "categorical_columns": ["colour"],
        "config": {"target": "y", "features": ["x", "colour"]},
        "best_C": 1.0,
        "data_sha256": "",
        "versions": {},
        "column_types": {"x": "number", "colour": "text"},
    }
    if padding is not None:
        payload["padding"] = padding
    with zipfile.ZipFile(io.BytesIO(skops.io.dumps(payload))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members.pop(SCHEMA))
    return schema, members


def zip_parts(
    schema: dict | bytes, members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED
) -> bytes:
    """Write a schema (parsed or as bytes) and members as a zip archive, schema last like skops."""
    text = schema if isinstance(schema, bytes) else json.dumps(schema).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr(SCHEMA, text)
    return buffer.getvalue()


def genuine_model() -> bytes:
    """A model file that loads: the reference every hostile file departs from."""
    return zip_parts(*genuine_parts())


def shared_array_model(*, references: int = 150, megabytes: int = 10) -> bytes:
    """One ``megabytes`` MB ``.npy`` member referenced ``references`` times by the schema.

    skops reads the member once per node that names it (each with its own ``__id__``, so
    its memo does not help): 150 x 10 MB = 1.5 GB from a file of a few tens of kB.
    """
    big = np.zeros(megabytes * 1024 * 1024 // 8)
    schema, members = genuine_parts(padding=[big])
    padding = schema["content"]["padding"]
    (array_state,) = padding["content"]
    assert array_state["__loader__"] == "NdArrayNode" and array_state["file"] in members
    padding["content"] = [
        {**array_state, "__id__": array_state["__id__"] + 1 + i} for i in range(references)
    ]
    return zip_parts(schema, members)


def _with_schema_text(extra_key: str, extra_value_text: str) -> bytes:
    """A genuine model whose schema.json gains one top-level key, written as raw JSON text."""
    schema, members = genuine_parts()
    text = json.dumps(schema)
    assert text.endswith("}")
    text = text[:-1] + f', "{extra_key}": {extra_value_text}' + "}"
    return zip_parts(text.encode(), members)


def huge_schema_model(*, megabytes: int = 60) -> bytes:
    """A small file whose schema.json unpacks to ``megabytes`` MB of empty objects."""
    count = megabytes * 1024 * 1024 // 3
    return _with_schema_text("padding", "[" + "{}," * count + "{}]")


def huge_schema_of_numbers_model(*, megabytes: int = 60) -> bytes:
    """The same size of schema as a flat list of small floats (no container at all)."""
    count = megabytes * 1024 * 1024 // 4
    return _with_schema_text("padding", "[" + "1.5," * count + "1.5]")


def deep_schema_model(*, depth: int = 800) -> bytes:
    """A schema nested ``depth`` lists deep (within Python's recursion limit for json)."""
    return _with_schema_text("padding", "[" * depth + "]" * depth)


def json_content_bomb_model(*, megabytes: int = 20) -> bytes:
    """A JsonNode whose *content string* is JSON for millions of empty lists (parsed again)."""
    count = megabytes * 1024 * 1024 // 3
    inner = "[" + "[]," * count + "[]]"
    state = {
        "__class__": "list",
        "__module__": "builtins",
        "__loader__": "JsonNode",
        "content": inner,
        "is_json": True,
        "__id__": 1,
    }
    schema, members = genuine_parts(padding=[0])
    schema["content"]["padding"] = state
    return zip_parts(schema, members)


def at_the_limits_model(limits=None) -> bytes:
    """A model file just inside every default limit at once: the most a file may cost.

    Its schema.json is just under ``max_model_schema_bytes`` (padded with spaces, as
    skops' indentation pads it) with just under ``max_model_schema_values`` values, most
    of them small JsonNode states that skops builds a node for, and one array referenced
    twice whose member and loaded array, per reference, come just under
    ``max_model_load_bytes``, while the archive unpacks to less than ``max_model_bytes``.
    """
    from dashboard.limits import LIMITS

    limits = limits or LIMITS
    schema_bytes = min(limits.max_model_schema_bytes, limits.max_model_bytes // 3)
    # Two references, each costing the member's bytes and the loaded array.
    array_bytes = min(limits.max_model_load_bytes // 4, limits.max_model_bytes - schema_bytes)
    big = np.zeros((array_bytes - 1024 * 1024) // 8)
    schema, members = genuine_parts(padding=[big])
    padding = schema["content"]["padding"]
    (array_state,) = padding["content"]
    padding["content"].append({**array_state, "__id__": array_state["__id__"] + 1})
    node = (
        '{"__class__": "int", "__module__": "builtins", "__loader__": "JsonNode", '
        '"content": "1", "is_json": true}'
    )
    count = (limits.max_model_schema_values - 20_000) // 6  # 6 values a node, list comma included
    nodes = (
        '{"__class__": "list", "__module__": "builtins", "__loader__": "ListNode", "content": ['
        + ", ".join([node] * count)
        + "]}"
    )
    padding["content"].append("NODES")
    text = json.dumps(schema).replace('"NODES"', nodes)
    text += " " * (schema_bytes - 1024 - len(text))
    return zip_parts(text.encode(), members)


def _nested_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.txt", b"hello")
    return buffer.getvalue()


class _Canary:
    """A pickle that would create a folder when unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        import os

        return (os.mkdir, (self.path,))


def extra_member_models(canary: str = "/nonexistent/canary") -> dict[str, bytes]:
    """A genuine model plus one unexpected member each: what a strict reader refuses."""
    schema, members = genuine_parts()
    extras = {
        "parent-path": ("../../x", b"x"),
        "absolute-path": ("/tmp/softmax-lab-absolute", b"x"),
        "backslash": ("..\\..\\x", b"x"),
        "nested-zip": ("inner.zip", _nested_zip()),
        "pickle": ("model.pkl", pickle.dumps(_Canary(canary))),
        "pickle-named-like-an-array": ("1234.npy", pickle.dumps(_Canary(canary))),
        "folder": ("folder/", b""),
    }
    return {
        label: zip_parts(schema, {**members, name: data}) for label, (name, data) in extras.items()
    }


def falsified_size_model() -> bytes:
    """A genuine model one of whose array members says, in both zip headers, it is shorter.

    The central directory and the local header give 100 bytes fewer than the member
    really unpacks to; a reader that trusts the headers reads a cut array.
    """
    schema, members = genuine_parts()
    name = max((n for n in members if n.endswith(".npy")), key=lambda n: len(members[n]))
    raw = bytearray(zip_parts(schema, members))
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        info = archive.getinfo(name)
        real = info.file_size
    falsified = real - 100
    # Local file header: uncompressed size at offset 22.
    local = info.header_offset
    assert raw[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", raw, local + 22, falsified)
    # Central directory entry for this member: uncompressed size at offset 24.
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_length] == name.encode():
            struct.pack_into("<I", raw, central + 24, falsified)
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    assert central != -1
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        assert archive.getinfo(name).file_size == falsified
    return bytes(raw)


# --------------------------------------------------------------------------- peak memory

_WRAPPER = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                  "peak_bytes": peak_kib * 1024}))
"""


@dataclass(frozen=True)
class Run:
    """A finished CLI run: exit code, output, and the child's peak resident memory."""

    code: int
    stdout: str
    stderr: str
    peak_bytes: int


def run_measured(*args: str | Path, cwd: Path = REPO, timeout: float = 600) -> Run:
    """Run ``python -m dashboard ARGS`` in a fresh process and measure its peak memory.

    A small wrapper process starts the command and reads ``RUSAGE_CHILDREN``'s
    ``ru_maxrss`` (kibibytes on Linux), so the figure is the command's own peak, not
    this test process's.
    """
    command = [sys.executable, "-m", "dashboard", *map(str, args)]
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=True,
    )
    result = json.loads(done.stdout)
    return Run(result["code"], result["stdout"], result["stderr"], result["peak_bytes"])
