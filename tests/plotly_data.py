"""Read numbers back out of a Plotly figure's JSON (Plotly 6+ writes arrays as base64 typed arrays)."""

from __future__ import annotations

import base64

import numpy as np


def array(value) -> np.ndarray:
    """Turn a trace attribute (a list, or ``{"dtype", "bdata", "shape"}``) into a numpy array."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",")] if isinstance(shape, str) else shape
            data = data.reshape(dims)
        return data
    return np.asarray(value)
