"""The HTML report of one training run: self-contained, offline, every user text escaped."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import WEIGHTED_VS_MACRO
from dashboard.export.model_file import library_versions
from dashboard.summary import train_summary

if TYPE_CHECKING:
    from dashboard.training import TrainedModel

__all__ = ["html_report"]

_REPORT_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.figure { margin: 1rem 0 2rem; } .note { color: #555; }
"""

# The report needs nothing from outside the file: the policy makes the browser refuse to fetch.
_REPORT_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; worker-src blob:"
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, (int, np.integer)):
        return f'<td class="num">{int(value):,}</td>'
    if isinstance(value, (float, np.floating)):
        number = float(value)
        text = f"{number:.4g}" if np.isfinite(number) else "-"
        return f'<td class="num">{_e(text)}</td>'
    if value is None:
        return "<td></td>"
    return f"<td>{_e(value)}</td>"


def _html_table(rows: list[dict] | pd.DataFrame, *, columns: list[str] | None = None) -> str:
    if isinstance(rows, pd.DataFrame):
        records = rows.to_dict("records")
        columns = columns or [str(c) for c in rows.columns]
    else:
        records = rows
        columns = columns or (list(records[0].keys()) if records else [])
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(record.get(c)) for c in columns) + "</tr>" for record in records
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _key_values(pairs: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th>{_cell(v)}</tr>" for k, v in pairs)
    return f"<table><tbody>{body}</tbody></table>"


def _report_figures(model: TrainedModel) -> tuple[list[tuple[str, Any]], list[str]]:
    """Every chart of the Evaluate page, from the one list in :mod:`dashboard.charts`; and
    notes on any chart these data cannot have."""
    from dashboard.charts import report_figures

    return report_figures(model)


def _data_section(loaded: Any, model: TrainedModel) -> str:
    parts = []
    if loaded is None:
        loaded = {}
    if isinstance(loaded, dict):
        pairs = [
            (str(k), v if not isinstance(v, (list, tuple, dict)) else json.dumps(v))
            for k, v in loaded.items()
        ]
        if not any(k.lower() in ("sha256", "data_sha256") for k, _ in pairs):
            pairs.append(("SHA-256 of the file", model.data_sha256 or "unknown"))
        parts.append(_key_values(pairs))
        return "".join(parts)
    table = loaded.table
    sha = getattr(loaded, "sha256", "") or model.data_sha256
    parts.append(
        _key_values(
            [
                ("file", getattr(loaded, "name", "")),
                ("rows", int(table.shape[0])),
                ("columns", int(table.shape[1])),
                ("SHA-256 of the file", sha or "unknown"),
            ]
        )
    )
    report = getattr(loaded, "report", None)
    if report is not None and hasattr(report, "sentences"):
        sentences = report.sentences()
        if sentences:
            parts.append("<ul>" + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>")
    try:
        from dashboard.profile import profile

        records = profile(table).as_records()
    except SoftmaxLabError:
        records = []
    if records:
        shown = {
            "name": "column",
            "kind": "kind",
            "missing": "missing",
            "unique": "distinct values",
            "can_be_feature": "usable as a feature",
            "feature_reason": "why not",
        }
        rows = [{label: r.get(key) for key, label in shown.items()} for r in records]
        parts.append(_html_table(rows, columns=list(shown.values())))
    return "".join(parts)


def html_report(model: TrainedModel, loaded: Any = None, *, decisions: Any = None) -> str:
    """A self-contained HTML report of one training run.

    It opens offline: Plotly's JavaScript is inlined once, and a content-security policy
    forbids any outside request. It holds the data summary, the configuration, every chart,
    the metrics, the library versions and the data's SHA-256. Every piece of user text
    (file, column and class names, notes) is HTML-escaped.

    Parameters
    ----------
    model : TrainedModel
        The trained model.
    loaded : LoadedTable or dict, optional
        The loaded table (name, rows, load report, SHA-256; its columns are profiled), or a
        plain summary dict shown as it is.
    decisions : dashboard.explore.DecisionRule, optional
        The costs chosen on the Explore page: the report shows them and what they decide on
        the held-out rows. None: every row gets its most probable class.

    Returns
    -------
    str
        The HTML document.
    """
    summary = train_summary(model)
    charts, skipped = _report_figures(model)
    notes = _notes(model) + [f"Chart left out: {text}" for text in skipped]
    generated = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC")
    body = [
        "<h1>Softmax Lab report</h1>",
        f'<p class="note">Generated {_e(generated)}. A softmax (multinomial logistic regression) '
        "classifier, tuned over C by stratified cross-validation, scored on held-out rows.</p>",
        "<h2>Data</h2>",
        _data_section(loaded, model),
        "<h2>Configuration</h2>",
        _key_values(_config_pairs(model)),
    ]
    excluded = list(model.excluded_columns or ())
    if excluded:
        body += [
            "<h3>Columns left out</h3>",
            _html_table([{"column": c, "reason": r} for c, r in excluded]),
        ]
    if notes:
        body += ["<h3>Notes</h3>", "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"]
    body += _warnings_section(model)
    body += _results_section(model, summary)
    body += _decisions_section(model, decisions)
    body += [
        "<h2>Charts</h2>",
        *_figures_html(charts),
        "<h2>Library versions</h2>",
        _key_values(list(library_versions().items())),
    ]
    return _page(body)


def _config_pairs(model: TrainedModel) -> list[tuple[str, Any]]:
    """The Configuration table: every setting of the run, in the user's words."""
    config = model.config
    return [
        ("target", config.target),
        ("features", ", ".join(config.features)),
        (
            "numeric columns (imputed with the median, standardised)",
            ", ".join(model.numeric_columns),
        ),
        (
            "categorical columns (imputed with the most frequent value, one-hot)",
            ", ".join(model.categorical_columns),
        ),
        (
            "date columns (year, season, weekday and time of day where they vary)",
            ", ".join(model.date_columns),
        ),
        (
            "free-text columns (TF-IDF of words, word pairs and runs of characters)",
            ", ".join(model.text_columns),
        ),
        ("C values tried", ", ".join(f"{c:g}" for c in config.c_grid)),
        (
            "cross-validation",
            f"{config.cv_folds} stratified folds, shuffled with seed {config.seed}",
        ),
        ("held-out share", config.test_size),
        ("seed", config.seed),
        ("class weights", config.class_weight or "none"),
        ("max iterations (lbfgs)", config.max_iter),
    ]


def _notes(model: TrainedModel) -> list[str]:
    """The training's notes, and the rows and classes it left out."""
    notes = list(model.notes or ())
    if model.rows_dropped:
        notes.append(f"{model.rows_dropped} row(s) without a target value were left out.")
    if model.classes_dropped:
        notes.append(
            "Classes left out (too few rows): " + ", ".join(map(str, model.classes_dropped))
        )
    return notes


def _warnings_section(model: TrainedModel) -> list[str]:
    """What the checks found (leaks, copies, a small held-out part, the grid's edge), if any."""
    if not model.warnings:
        return []
    items = "".join(f"<li>{_e(w.message)}</li>" for w in model.warnings)
    return [
        "<h2>Warnings</h2>",
        '<p class="note">What the checks found before and after the search. Warnings are '
        "not removals: every feature was used as chosen.</p>",
        f"<ul>{items}</ul>",
    ]


_METRIC_NAMES = {
    "accuracy": "accuracy",
    "precision_macro": "precision (macro)",
    "recall_macro": "recall (macro)",
    "f1_macro": "F1 (macro)",
    "precision_weighted": "precision (weighted)",
    "recall_weighted": "recall (weighted)",
    "f1_weighted": "F1 (weighted)",
    "log_loss": "log-loss",
}


def _held_out_metrics(model: TrainedModel) -> list[str]:
    """The held-out metrics beside the trivial model's (and the search's best C's when another
    C was adopted), the accuracy's interval, and the line on macro against weighted."""
    ev, baseline, before = model.evaluation, model.evaluation.baseline, model.adopted_from
    rows = []
    for key, name in _METRIC_NAMES.items():
        row = {"metric": name, f"this model (C = {model.best_C:g})": getattr(ev, key)}
        if before is not None:
            row[f"the search's best C = {before.best_C:g}"] = getattr(before.evaluation, key)
        if baseline is not None:
            row[f"always guessing '{baseline.majority_class}'"] = getattr(baseline, key)
        rows.append(row)
    lo, hi = ev.accuracy_interval
    notes = [
        f"Accuracy {ev.accuracy:.3f} on {model.n_test:,} held-out rows: 95 % interval "
        f"{lo:.3f} to {hi:.3f} (Wilson score interval).",
        WEIGHTED_VS_MACRO,
    ]
    if baseline is not None:
        notes.insert(
            1,
            f"The trivial model ignores the features: it always guesses '"
            f"{baseline.majority_class}', the training part's most frequent class, and gives "
            "every row the training class shares as probabilities (its log-loss).",
        )
    return [
        "<h3>Held-out metrics</h3>",
        _html_table(rows),
        "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>",
    ]


def _results_section(model: TrainedModel, summary: dict) -> list[str]:
    """The Results: the run's numbers, held-out metrics, per-class scores and the CV table."""
    per_class = model.evaluation.per_class
    body = [
        "<h2>Results</h2>",
        _key_values(
            [
                ("classes", ", ".join(summary["classes"])),
                ("best C", summary["best_C"]),
                ("training rows", summary["n_train"]),
                ("held-out rows", summary["n_test"]),
                ("training time (s)", summary["seconds"]),
            ]
        ),
        *_held_out_metrics(model),
    ]
    if isinstance(per_class, pd.DataFrame) and len(per_class):
        body += ["<h3>Per class (held-out rows)</h3>", _html_table(per_class)]
    return body + [
        "<h3>Cross-validation: mean and spread over folds, per C</h3>",
        _html_table(model.cv_summary),
    ]


def _decisions_section(model: TrainedModel, rule: Any) -> list[str]:
    """The cost settings chosen on the Explore page and what they decide on the held-out rows."""
    if rule is None or rule.is_default:
        return [
            "<h2>Decisions</h2>",
            '<p class="note">Each row is decided as its most probable class: no costs were '
            "set on the Explore page, so every mistake costs the same.</p>",
        ]
    classes = [str(c) for c in rule.classes]
    result = rule.on_rows(model.y_test, model.test_proba)
    columns = ["true class"] + [f"decided {c}" for c in classes]

    def rows(matrix) -> list[dict]:
        return [
            {"true class": c, **dict(zip(columns[1:], values, strict=True))}
            for c, values in zip(classes, np.asarray(matrix).tolist(), strict=True)
        ]

    return [
        "<h2>Decisions with costs</h2>",
        '<p class="note">The costs set on the Explore page: each cell is the cost of a decision '
        "(column) when the truth is the row's class.</p>",
        _html_table(rows(rule.costs), columns=columns),
        "<ul>"
        + "".join(f"<li>{_e(s)}</li>" for s in [rule.sentence(), *result.sentences()[1:]])
        + "</ul>",
        "<h3>Held-out rows: true class against the decision</h3>",
        _html_table(rows(result.confusion.astype(int)), columns=columns),
    ]


def _figures_html(charts: list[tuple[str, Any]]) -> list[str]:
    """Each chart as a titled div; Plotly's JavaScript is inlined once, with the first."""
    import plotly.io as pio

    out = []
    for i, (title, figure) in enumerate(charts):
        div = pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=(i == 0),
            config={"displaylogo": False, "responsive": True},
            div_id=f"figure-{i}",
        )
        out.append(f'<div class="figure"><h3>{_e(title)}</h3>{div}</div>')
    return out


def _page(body: list[str]) -> str:
    """The HTML document around the body, with the policy that forbids outside requests."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_REPORT_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Softmax Lab report</title>\n"
        f"<style>{_REPORT_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
