"""The reproducible script: a standalone Python file that reruns a training with pandas and scikit-learn."""

from __future__ import annotations

import ast
import copy
import inspect
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.prediction import column_type

__all__ = ["default_settings", "render_script", "reproducible_script"]

_BLOCK = re.compile(r"^([ \t]*)# >>> (?P<name>[a-z ]+)\n.*?^[ \t]*# <<< (?P=name)\n", re.M | re.S)
_SETTING = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]*) = [^#\n]*?(?P<comment>  #[^\n]*)?$", re.M)


def template_source() -> str:
    """The source of :mod:`dashboard.export.script_template`, the script before rendering."""
    from dashboard.export import script_template

    return inspect.getsource(script_template)


def rules_source() -> str:
    """The source of :mod:`dashboard.rules` as it goes into a script (no ``__future__`` line:
    the script has its own at the top)."""
    from dashboard import rules

    source = inspect.getsource(rules)
    return re.sub(r"^from __future__ import annotations\n", "", source, count=1, flags=re.M)


def features_source() -> str:
    """The source of :mod:`dashboard.features` as it goes into a script: the model's own
    transformers (date parts, text terms, finite numbers), one source with the app; its import
    of :mod:`dashboard.rules` goes, as the script has the rules' source above it."""
    from dashboard import features

    source = inspect.getsource(features)
    source = re.sub(r"^from __future__ import annotations\n", "", source, count=1, flags=re.M)
    # Its names from dashboard.rules are the rules block's, which stands above it in the script.
    return re.sub(r"^from dashboard\.rules import [\w, ]+\n", "", source, flags=re.M)


def interval_source() -> str:
    """The source of :mod:`dashboard.interval` as it goes into a script: the accuracy's Wilson
    interval, one formula with the app."""
    from dashboard import interval

    source = inspect.getsource(interval)
    return re.sub(r"^from __future__ import annotations\n", "", source, count=1, flags=re.M)


def default_settings() -> dict[str, Any]:
    """The template's settings (their names and placeholder values), to fill in and render.

    >>> default_settings()["DECIMAL"]
    '.'
    """
    from dashboard.export import script_template

    blocks = {m.group("name"): m.group(0) for m in _BLOCK.finditer(template_source())}
    names = [name for name, _ in _SETTING.findall(blocks["settings"])]
    return {name: copy.deepcopy(getattr(script_template, name)) for name in names}


def _settings_block(block: str, settings: Mapping[str, Any]) -> str:
    """The template's settings lines with the run's values (each a Python literal)."""
    names = _SETTING.findall(block)
    expected = {name for name, _ in names}
    if expected != set(settings):
        raise ValueError(
            f"settings {sorted(set(settings) ^ expected)} do not match the script template"
        )
    return _SETTING.sub(
        lambda m: (
            f"{m.group('name')} = {_literal(m.group('name'), settings[m.group('name')])}"
            + (m.group("comment") or "")
        ),
        block,
    )


def _literal(name: str, value: Any) -> str:
    """``repr(value)``, checked to read back as the same plain literal (no nan, no objects)."""
    text = repr(value)
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        same = False
    if not same:
        raise ValueError(f"setting {name} = {text[:60]} cannot be written as a Python literal")
    return text


def render_script(
    settings: Mapping[str, Any], *, pipeline: str | None = None, imports: str | None = None
) -> str:
    """The script's source: the template with the run's settings, pipeline and the rules.

    Parameters
    ----------
    settings : mapping
        A value for every constant of the template's settings block (``ENCODING``,
        ``DECIMAL``, ``TARGET``, ...); each is written as its ``repr``.
    pipeline : str, optional
        Python source of the expression ``build_pipeline`` returns; the template's default
        when None.
    imports : str, optional
        The import lines the pipeline needs; the template's when None.

    Returns
    -------
    str
        A standalone script: the rules come from the source of :mod:`dashboard.rules` and the
        model's transformers from that of :mod:`dashboard.features`, so it needs only pandas
        and scikit-learn (with its numpy and scipy).
    """
    replacements = {
        "rules": rules_source(),
        "features": features_source(),
        "interval": interval_source(),
    }
    if pipeline is not None:
        replacements["pipeline"] = f"    return {pipeline}\n"
    if imports is not None:
        replacements["pipeline imports"] = imports + "\n"

    def fill(match: re.Match) -> str:
        name = match.group("name")
        if name == "settings":
            return _settings_block(match.group(0), settings)
        return replacements.get(name, match.group(0))

    # Blocks are found in the template only, so text inside a value is never replaced.
    source, count = _BLOCK.subn(fill, template_source())
    if count != 6:  # pragma: no cover - the template and this function change together
        raise ValueError("the script template lost one of its blocks")
    return source


def _public_import(cls: type) -> tuple[str, str]:
    import importlib

    module = cls.__module__
    parts = module.split(".")
    for depth in range(1, len(parts) + 1):
        candidate = ".".join(parts[:depth])
        try:
            if getattr(importlib.import_module(candidate), cls.__name__, None) is cls:
                return candidate, cls.__name__
        except ImportError:  # pragma: no cover - a parent of a loaded module imports
            continue
    return module, cls.__name__


def _same(value: Any, default: Any) -> bool:
    if value is default:
        return True
    if isinstance(value, float) and isinstance(default, float):
        return value == default or (np.isnan(value) and np.isnan(default))
    if type(value) is not type(default):
        return False
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _render(value: Any, imports: set[tuple[str, str]], indent: int = 0) -> str:
    """Python source that rebuilds a (scikit-learn) value, wrapped to stay readable.

    Estimators are written with the parameters that differ from their defaults.
    """
    import inspect

    from sklearn.base import BaseEstimator

    def wrap(opening: str, parts: list[str], closing: str, *, one_tuple: bool = False) -> str:
        flat = opening + ", ".join(p.strip() for p in parts) + ("," if one_tuple else "") + closing
        if len(flat) + indent <= 88 and "\n" not in flat:
            return flat
        pad = " " * (indent + 4)
        body = "".join(f"{pad}{part.strip()},\n" for part in parts)
        return f"{opening}\n{body}{' ' * indent}{closing}"

    inner = indent + 4
    if isinstance(value, BaseEstimator):
        cls = type(value)
        imports.add(_public_import(cls))
        signature = inspect.signature(cls.__init__)
        arguments = []
        for name, param in value.get_params(deep=False).items():
            default = signature.parameters[name].default if name in signature.parameters else None
            required = default is inspect.Parameter.empty
            if not required and _same(param, default):
                continue
            arguments.append(f"{name}={_render(param, imports, inner)}")
        return wrap(f"{cls.__name__}(", arguments, ")")
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return repr(value)
    if isinstance(value, float):
        if np.isnan(value):
            return 'float("nan")'
        if np.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(value)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return _render(value.item(), imports, indent)
    if isinstance(value, type) and value.__module__ == "numpy":
        return f"np.{value.__name__}"
    if isinstance(value, list):
        return wrap("[", [_render(v, imports, inner) for v in value], "]")
    if isinstance(value, tuple):
        parts = [_render(v, imports, inner) for v in value]
        return wrap("(", parts, ")", one_tuple=len(parts) == 1)
    if isinstance(value, dict):
        items = [
            f"{_render(k, imports, inner)}: {_render(v, imports, inner)}" for k, v in value.items()
        ]
        return wrap("{", items, "}")
    raise TypeError(f"cannot write {type(value).__name__} into the script")


def reproducible_script(model: Any, load_report: Any) -> str:
    """A standalone Python script that reproduces a training run with pandas and scikit-learn.

    The script takes the CSV's path as its argument, reads it with the dialect the loader
    detected (encoding, separator, decimal mark, header line), types the columns the model
    uses as the loader did, applies the same target cleaning, held-out split, folds,
    preprocessing and C grid (``GridSearchCV``), and prints JSON with the keys of
    ``python -m dashboard train``. User text (column names, class names) enters the script
    only as Python literals (``repr``).

    Parameters
    ----------
    model : TrainedModel
        The trained model.
    load_report : LoadedTable or LoadReport
        How the file was read. Pass the LoadedTable when you have it: then the target's type
        is known exactly; with the report alone the script types the target as the loader
        would (numbers or yes/no values when every value is one).

    Returns
    -------
    str
        The script's source.
    """
    report = getattr(load_report, "report", load_report)
    table = getattr(load_report, "table", None)
    config = model.config
    target_type = "guess"
    if isinstance(table, pd.DataFrame) and config.target in table.columns:
        target_type = column_type(table[config.target])
    imports: set[tuple[str, str]] = set()
    pipeline_source = _render(model.pipeline, imports, 4)
    # dashboard.features' transformers are defined in the script itself (its features block).
    import_lines = "\n".join(
        f"from {module} import {name}"
        for module, name in sorted(imports)
        if module != "dashboard.features"
    )
    x_test = model.X_test
    dates = [str(c) for c in getattr(model, "date_columns", ())]
    text = [str(c) for c in getattr(model, "text_columns", ())]
    column_types = {
        str(name): column_type(x_test[name])
        for name in list(model.numeric_columns) + list(model.categorical_columns) + dates + text
    }
    dropped = len(getattr(report, "dropped_columns", ()) or ())
    settings = {
        "DATA_SHA256": str(getattr(model, "data_sha256", "") or ""),
        "ENCODING": str(report.encoding),
        "DELIMITER": str(report.delimiter),
        "DECIMAL": str(report.decimal),
        "HEADER_ROW": None if report.header_row is None else int(report.header_row),
        "TITLE_LINES": int(getattr(report, "title_lines", 0) or 0),
        "N_COLUMNS": int(report.columns) + dropped,
        "SKIP_BAD_LINES": bool(getattr(report, "rows_skipped", 0)),
        "TARGET": str(config.target),
        "NUMERIC_COLUMNS": [str(c) for c in model.numeric_columns],
        "CATEGORICAL_COLUMNS": [str(c) for c in model.categorical_columns],
        "DATE_COLUMNS": dates,
        "TEXT_COLUMNS": text,
        "COLUMN_TYPES": column_types,
        "TARGET_TYPE": target_type,
        "CLASSES": [str(c) for c in model.classes],
        "CLASSES_DROPPED": [str(c) for c in model.classes_dropped],
        "C_GRID": [float(c) for c in config.c_grid],
        "CV_FOLDS": int(config.cv_folds),
        "TEST_SIZE": float(config.test_size),
        "SEED": int(config.seed),
        "WARNINGS": [
            {"kind": str(w.kind), "column": w.column, "message": str(w.message)}
            for w in model.warnings
        ],
    }
    return render_script(settings, pipeline=pipeline_source, imports=import_lines)
