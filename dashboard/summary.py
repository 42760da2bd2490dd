"""The training summary: the JSON that ``python -m dashboard train`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashboard.evaluation import Baseline
    from dashboard.training import TrainedModel

__all__ = ["train_summary"]


def train_summary(model: TrainedModel) -> dict:
    """The JSON of ``python -m dashboard train`` (also what the exported script prints).

    Parameters
    ----------
    model : TrainedModel

    Returns
    -------
    dict
        ``classes``, ``best_C``, ``cv`` (``C``, ``mean_accuracy``, ``std_accuracy`` per C),
        ``test`` (``accuracy``, ``precision_macro``, ``recall_macro``, ``f1_macro``,
        ``precision_weighted``, ``recall_weighted``, ``f1_weighted``, ``log_loss``,
        ``confusion_matrix``, ``accuracy_interval`` as ``[lo, hi]``, the 95 % Wilson interval),
        ``baseline`` (``accuracy``, ``log_loss``, ``class``: the trivial model on the same
        held-out rows, always guessing the training part's most frequent class), ``warnings``
        (``kind``, ``column``, ``message`` each, as :mod:`dashboard.checks` found them),
        ``dropped_classes`` (``class``, ``rows`` each: classes left out for having too few
        rows), ``n_train``, ``n_test``, ``seconds``.
    """
    evaluation = model.evaluation
    summary = model.cv_summary
    return {
        "classes": [str(c) for c in model.classes],
        "best_C": float(model.best_C),
        "cv": [
            {
                "C": float(row["C"]),
                "mean_accuracy": float(row["mean_accuracy"]),
                "std_accuracy": float(row["std_accuracy"]),
            }
            for row in summary.to_dict("records")
        ],
        "test": {
            "accuracy": float(evaluation.accuracy),
            "precision_macro": float(evaluation.precision_macro),
            "recall_macro": float(evaluation.recall_macro),
            "f1_macro": float(evaluation.f1_macro),
            "precision_weighted": float(evaluation.precision_weighted),
            "recall_weighted": float(evaluation.recall_weighted),
            "f1_weighted": float(evaluation.f1_weighted),
            "log_loss": float(evaluation.log_loss),
            "confusion_matrix": [[int(v) for v in row] for row in evaluation.confusion_matrix],
            "accuracy_interval": [float(v) for v in evaluation.accuracy_interval],
        },
        "baseline": _baseline(evaluation.baseline),
        "warnings": [
            {"kind": w.kind, "column": w.column, "message": w.message} for w in model.warnings
        ],
        "dropped_classes": [
            {"class": str(name), "rows": int(rows)}
            for name, rows in getattr(model, "dropped_class_rows", ())
        ],
        "n_train": int(model.n_train),
        "n_test": int(model.n_test),
        "seconds": float(model.seconds),
    }


def _baseline(baseline: Baseline | None) -> dict | None:
    """The trivial model's accuracy, log-loss and class (None for a record without one)."""
    if baseline is None:
        return None
    return {
        "accuracy": float(baseline.accuracy),
        "log_loss": float(baseline.log_loss),
        "class": str(baseline.majority_class),
    }
