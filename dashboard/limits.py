"""Every size limit of the product, in one place, so one upload cannot exhaust the server.

Each limit can be lowered or raised by an environment variable of the same name
prefixed with ``SOFTMAX_LAB_`` (for example ``SOFTMAX_LAB_MAX_ROWS=100000``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    value = os.environ.get("SOFTMAX_LAB_" + name)
    try:
        return int(value) if value else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one session may load and train."""

    max_upload_bytes: int = _env_int("MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
    max_unpacked_bytes: int = _env_int("MAX_UNPACKED_BYTES", 400 * 1024 * 1024)
    max_rows: int = _env_int("MAX_ROWS", 2_000_000)
    max_columns: int = _env_int("MAX_COLUMNS", 2_000)
    max_classes: int = _env_int("MAX_CLASSES", 50)
    max_categories: int = _env_int("MAX_CATEGORIES", 50)
    # Inputs of the model after encoding (numbers, one-hot levels, date parts, text terms),
    # counted before fitting. Memory grows with classes x inputs: at 50 classes and 50,000
    # inputs a weight matrix is 20 MB, L-BFGS keeps about 25 of them per fit (500 MB), two
    # folds fit at once and the C path keeps one per C (30 at most): under 2 GB per training,
    # 4 GB for the two trainings at once, comfortable on a 2-core 24 GB server. It leaves room
    # for two free-text columns at their vocabulary caps (20,000 terms each) beside others.
    max_model_inputs: int = _env_int("MAX_MODEL_INPUTS", 50_000)
    max_c_values: int = _env_int("MAX_C_VALUES", 30)
    max_fits: int = _env_int("MAX_FITS", 200)
    max_training_seconds: int = _env_int("MAX_TRAINING_SECONDS", 900)
    max_concurrent_trainings: int = _env_int("MAX_CONCURRENT_TRAININGS", 2)
    # Bytes that loads, trainings and the data sessions keep may hold on the whole server
    # (dashboard.concurrency.MemoryBudget); 0 means 60 % of the machine's memory.
    memory_budget_bytes: int = _env_int("MEMORY_BUDGET_BYTES", 0)
    max_model_members: int = _env_int("MAX_MODEL_MEMBERS", 2_000)
    max_model_bytes: int = _env_int("MAX_MODEL_BYTES", 200 * 1024 * 1024)
    # What loading a model file may take, checked before skops reads anything: its
    # schema.json (unpacked bytes, values, nesting) and its arrays, counted once per
    # reference in the schema (skops reads a member again for each node that names it).
    max_model_schema_bytes: int = _env_int("MAX_MODEL_SCHEMA_BYTES", 64 * 1024 * 1024)
    max_model_schema_values: int = _env_int("MAX_MODEL_SCHEMA_VALUES", 1_000_000)
    max_model_schema_depth: int = _env_int("MAX_MODEL_SCHEMA_DEPTH", 100)
    max_model_load_bytes: int = _env_int("MAX_MODEL_LOAD_BYTES", 400 * 1024 * 1024)


LIMITS = Limits()


C_RANGE = (1e-6, 1e6)
"""The sensible range of C: outside it the fit is all penalty or no penalty at all (here, low
in the imports, so that both the training and the checks read it)."""
