"""Numbers in sentences: a count with its noun in the right number, a share that never rounds to a lie."""

from __future__ import annotations

import math

__all__ = ["number_text", "plural"]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` with its noun, singular for exactly one: "1 row", "2 rows", "1,204 rows".

    Parameters
    ----------
    count : int
        How many.
    singular : str
        The noun for one.
    plural_form : str, optional
        The noun for other counts; ``singular + "s"`` when not given.

    Examples
    --------
    >>> plural(1, "row"), plural(0, "row"), plural(1204, "row")
    ('1 row', '0 rows', '1,204 rows')
    >>> plural(1, "class", "classes"), plural(3, "class", "classes")
    ('1 class', '3 classes')
    """
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {noun}"


def number_text(value: float, *, digits: int = 3, most: int = 6) -> str:
    """``value`` with ``digits`` decimals, or more when those would show a whole number it is not.

    A sentence that says "accuracy 1.000" for 0.9996 claims a perfection that is not there:
    such a value gets as many more decimals as it needs (up to ``most``), then "just under" or
    "just over". Values that are whole numbers stay as they are.

    Parameters
    ----------
    value : float
    digits : int
        Decimals shown normally.
    most : int
        The most decimals shown before saying "just under" or "just over".

    Examples
    --------
    >>> number_text(0.999), number_text(0.9996), number_text(1.0), number_text(0.5)
    ('0.999', '0.9996', '1.000', '0.500')
    >>> number_text(0.0004), number_text(0.99999999), number_text(2e-9)
    ('0.0004', 'just under 1.000', 'just over 0.000')
    >>> number_text(0.9996, digits=2)
    '0.9996'
    """
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{digits}f}"
    shown = float(text)
    if shown == value or shown != round(shown):
        return text
    for more in range(digits + 1, most + 1):
        text = f"{value:.{more}f}"
        if float(text) != round(float(text)):
            return text
    return ("just under " if value < shown else "just over ") + f"{shown:.{digits}f}"
