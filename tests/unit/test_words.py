"""Sentences with counts and shares: singular and plural right, no share rounded to a whole number."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.evaluation import confusion_sentences, evaluate_holdout, metric_sentences
from dashboard.words import number_text, plural


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.999, 2, "0.999"),  # not "1.00"
        (0.999, 3, "0.999"),
        (0.9996, 3, "0.9996"),  # not "1.000"
        (0.0004, 2, "0.0004"),  # not "0.00"
        (1.0, 2, "1.00"),  # truly whole: stays
        (0.0, 3, "0.000"),
        (0.915, 2, "0.92"),  # ordinary rounding untouched (0.915 is 0.91500000000000003552)
        (1 - 1e-9, 3, "just under 1.000"),
    ],
)
def test_number_text_never_shows_a_whole_number_that_is_not_one(value, digits, expected):
    assert number_text(value, digits=digits) == expected


def test_plural():
    assert [plural(n, "row") for n in (0, 1, 2, 1500)] == [
        "0 rows",
        "1 row",
        "2 rows",
        "1,500 rows",
    ]


def test_confusion_sentences_agree_in_number():
    sentences = confusion_sentences([[1, 0], [1, 5]], ["Adelie", "Gentoo"])
    assert "1 of 1 true Adelie was predicted Adelie: recall 1.00." in sentences
    assert "5 of 6 true Gentoo were predicted Gentoo: recall 0.83." in sentences
    assert "The most frequent mistake: 1 true Gentoo was predicted Adelie." in sentences


def test_metric_sentences_agree_in_number_and_do_not_round_to_one():
    # 999 right of 1,000, and class G predicted once (rightly).
    y_true = np.array(["A"] * 600 + ["B"] * 399 + ["G"])
    y_pred = y_true.copy()
    y_pred[0] = "B"
    probabilities = np.full((1000, 3), 0.01)
    probabilities[np.arange(1000), np.searchsorted(["A", "B", "G"], y_pred)] = 0.98
    evaluation = evaluate_holdout(y_true, probabilities, ["A", "B", "G"])
    text = " ".join(metric_sentences(evaluation))
    assert "999 of 1,000 held-out rows were predicted correctly: accuracy 0.999." in text
    assert "Of the 1 row predicted G, 1 was truly G" in text
    assert "1.00" not in text.split("Log-loss")[0]
    assert "seed article" not in text
