"""Many classes stay readable: sentences summarised, curve charts of the classes that matter.

With 50 classes, one sentence a class fills screens: above ``evaluation.MANY_CLASSES`` classes
the page shows the headline sentences and a short summary (the largest confusions, the
classes never predicted), and the per-class sentences wait in an expander. Curve charts draw
the classes with the most rows; a multiselect adds or removes others.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import evaluation, figures
from dashboard.ui import memo
from dashboard.ui.text import escape_markdown


def _bullets(sentences, where=st) -> None:
    for sentence in sentences:
        where.markdown("- " + escape_markdown(sentence))


def summarised_sentences(
    headline: list[str], per_class: list[str], *, summary: list[str], label: str
) -> None:
    """``headline`` then ``per_class`` as bullets; with many classes ``summary`` instead of
    ``per_class``, which waits in an expander titled ``label``."""
    if len(per_class) <= evaluation.MANY_CLASSES:
        _bullets([*headline, *per_class])
        return
    _bullets([*headline, *summary])
    with st.expander(f"{label} ({len(per_class)})"):
        _bullets(per_class)


def confusion_sentences(model, normalize: str | None) -> None:
    """The confusion matrix in sentences (one a class, or a summary with many classes)."""
    classes = list(model.classes)
    cm = np.asarray(model.evaluation.confusion_matrix)
    k = len(classes)
    sentences = memo.once(
        model,
        ("confusion_sentences", normalize),
        lambda: evaluation.confusion_sentences(cm, classes, normalize=normalize),
    )
    # confusion_sentences: how to read the matrix, one sentence a class, then the top mistake
    reading, per_class, rest = sentences[:1], sentences[1 : 1 + k], sentences[1 + k :]
    if k <= evaluation.MANY_CLASSES:
        _bullets([*reading, *per_class, *rest])
        return
    summary = memo.once(
        model,
        ("largest_confusions",),
        lambda: [s for s in [evaluation.largest_confusions_sentence(cm, classes)] if s],
    )
    summarised_sentences(reading, per_class, summary=summary, label="Every class's recall")


def _metric_sentences(model) -> tuple[list[str], list[str]]:
    """The headline metric sentences and the one precision sentence a class."""
    ev = model.evaluation
    k = len(ev.classes)
    sentences = memo.once(model, ("metric_sentences",), lambda: evaluation.metric_sentences(ev))
    return sentences[:-k], sentences[-k:]  # metric_sentences ends with one a class


def numbers_in_words(model) -> None:
    """The held-out numbers (shown above the tabs) said again in sentences, in an expander."""
    with st.expander("These numbers in words"):
        _bullets(_metric_sentences(model)[0])


def metric_sentences(model) -> None:
    """The per-class precisions in sentences, summarised with many classes."""
    ev = model.evaluation
    per_class = _metric_sentences(model)[1]
    summary = memo.once(
        model,
        ("never_predicted",),
        lambda: (
            [
                s
                for s in [
                    evaluation.never_predicted_sentence(np.asarray(ev.confusion_matrix), ev.classes)
                ]
                if s
            ]
            or ["Every class was predicted for at least one held-out row."]
        ),
    )
    summarised_sentences([], per_class, summary=summary, label="Every class's precision")


def classes_drawn(model, curves) -> tuple[str, ...] | None:
    """Which classes the curve charts draw: all (None) for a few, else the user's choice,
    starting from the ones with the most held-out rows."""
    classes = [str(c) for c in model.classes]
    if len(classes) <= figures.MAX_LEGEND_CLASSES:
        return None
    chosen = st.multiselect(
        "Classes drawn",
        classes,
        default=figures.classes_that_matter(curves),
        key="curve_classes",
        help=f"{len(classes)} classes: the curves of the {figures.MAX_LEGEND_CLASSES} with the "
        "most held-out rows are drawn first; add or remove any. The averages cover them all.",
    )
    return tuple(chosen)
