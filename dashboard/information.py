"""Softmax (with temperature), entropy, cross-entropy and KL divergence, in bits or nats.

Every function takes a plain 1-D sequence of numbers, checks it, and explains in plain words
what is wrong when it cannot compute (a :class:`~dashboard.errors.SoftmaxLabError`).

Units: ``base=2`` (or ``"bits"``) gives bits, ``base=math.e`` (or ``"e"``, ``"nats"``) gives
nats. Probabilities must be non-negative and add up to 1 within ``SUM_TOLERANCE``; the
convention ``0 * log(anything) = 0`` is used, so an outcome with probability 0 adds nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dashboard.errors import SoftmaxLabError
from dashboard.rules import read_number_list

__all__ = [
    "MAX_ENTRIES",
    "SUM_TOLERANCE",
    "can_normalise",
    "cross_entropy",
    "cross_entropy_terms",
    "entropy",
    "entropy_terms",
    "kl_divergence",
    "kl_divergence_terms",
    "normalise",
    "parse_numbers",
    "softmax",
    "unit_name",
]

SUM_TOLERANCE = 1e-6
"""How far from 1 the total of a probability distribution may be (typed numbers round)."""

MAX_ENTRIES = 1_000
"""The most numbers one calculator box accepts."""

_BASE_NAMES = {"bits": 2.0, "bit": 2.0, "2": 2.0, "nats": math.e, "nat": math.e, "e": math.e}


def _log_of_base(base: float | str) -> float:
    """Natural log of the base, so that ``log_b(x) = ln(x) / ln(b)``; only 2 and e are offered."""
    if isinstance(base, str):
        key = base.strip().lower()
        if key not in _BASE_NAMES:
            raise SoftmaxLabError(
                f"'{base}' is not a unit this calculator knows",
                where="unit",
                hint="Choose bits (base 2) or nats (base e).",
            )
        return math.log(_BASE_NAMES[key])
    try:
        value = float(base)
    except (TypeError, ValueError):
        raise SoftmaxLabError(
            f"{base!r} is not a logarithm base", where="unit", hint="Choose 2 (bits) or e (nats)."
        ) from None
    for known in (2.0, math.e):
        if math.isclose(value, known, rel_tol=1e-12):
            return math.log(known)
    raise SoftmaxLabError(
        f"Base {base!r} is not offered", where="unit", hint="Choose 2 (bits) or e (nats)."
    )


def unit_name(base: float | str = 2) -> str:
    """Name of the unit for a logarithm base: ``"bits"`` or ``"nats"``.

    Parameters
    ----------
    base : {2, math.e, "bits", "nats", "e"}
        The logarithm base.

    Returns
    -------
    str
        ``"bits"`` for base 2, ``"nats"`` for base e.

    Examples
    --------
    >>> unit_name(2), unit_name("nats")
    ('bits', 'nats')
    """
    return "bits" if math.isclose(_log_of_base(base), math.log(2.0)) else "nats"


def _describe(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "..."


def _as_numbers(values: Sequence[float] | np.ndarray, *, name: str) -> np.ndarray:
    """One validation path for every input: a non-empty 1-D list of finite numbers."""
    if isinstance(values, str):
        raise SoftmaxLabError(
            f"The {name} is text, not a list of numbers",
            where=name,
            hint="Type numbers separated by commas, such as 0.2, 0.3, 0.5.",
        )
    array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if array.ndim != 1:
        raise SoftmaxLabError(
            f"The {name} must be one list of numbers, not a table",
            where=name,
            hint="Give one row of numbers.",
        )
    if array.size == 0:
        raise SoftmaxLabError(f"The {name} is empty", where=name, hint="Type at least one number.")
    if array.size > MAX_ENTRIES:
        raise SoftmaxLabError(
            f"The {name} has {array.size} numbers; the calculators take at most {MAX_ENTRIES}",
            where=name,
            hint="Use fewer numbers.",
        )
    if array.dtype.kind in "fiu":
        numbers = array.astype(float)
    else:
        numbers = np.empty(array.size)
        for i, item in enumerate(array):
            if isinstance(item, bool | np.bool_) or not isinstance(
                item, int | float | np.integer | np.floating
            ):
                raise SoftmaxLabError(
                    f"Entry {i + 1} of the {name}, {_describe(item)}, is not a number",
                    where=f"{name}, entry {i + 1}",
                    hint="Use plain numbers such as 0.25.",
                )
            numbers[i] = float(item)
    bad = np.flatnonzero(~np.isfinite(numbers))
    if bad.size:
        i = int(bad[0])
        raise SoftmaxLabError(
            f"Entry {i + 1} of the {name} is {numbers[i]}, not a finite number",
            where=f"{name}, entry {i + 1}",
            hint="Use ordinary numbers (no 'nan' or 'inf').",
        )
    return numbers


def _as_distribution(
    values: Sequence[float] | np.ndarray, *, name: str, tolerance: float
) -> np.ndarray:
    p = _as_numbers(values, name=name)
    negative = np.flatnonzero(p < 0)
    if negative.size:
        i = int(negative[0])
        raise SoftmaxLabError(
            f"Entry {i + 1} of the {name} is {p[i]:g}, but a probability cannot be negative",
            where=f"{name}, entry {i + 1}",
            hint="Probabilities are between 0 and 1. If these are scores (logits), use the "
            "softmax calculator to turn them into probabilities.",
        )
    big = np.flatnonzero(p > 1 + tolerance)
    if big.size:
        i = int(big[0])
        raise SoftmaxLabError(
            f"Entry {i + 1} of the {name} is {p[i]:g}, but a probability cannot exceed 1",
            where=f"{name}, entry {i + 1}",
            hint="If these are counts or percentages, normalise them so they add up to 1.",
        )
    total = float(p.sum())
    if abs(total - 1.0) > tolerance:
        raise SoftmaxLabError(
            f"The {name} adds up to {total:.6g}, but probabilities must add up to 1",
            where=name,
            hint="Normalise it (divide each number by the total) or correct the numbers.",
        )
    return p


def _check_same_length(p: np.ndarray, q: np.ndarray) -> None:
    if p.size != q.size:
        raise SoftmaxLabError(
            f"The two distributions have different lengths ({p.size} and {q.size})",
            where="p and q",
            hint="Give one probability per outcome in both, in the same order.",
        )


def _check_support(p: np.ndarray, q: np.ndarray) -> None:
    """q = 0 where p > 0 means log(0): the cross-entropy and KL divergence are infinite."""
    impossible = np.flatnonzero((q == 0) & (p > 0))
    if impossible.size:
        i = int(impossible[0])
        raise SoftmaxLabError(
            f"q gives outcome {i + 1} probability 0, but p says it happens with probability "
            f"{p[i]:g}. Predicting 'impossible' for something that happens costs -log(0), which "
            "is infinite, so the cross-entropy and the KL divergence are infinite",
            where=f"q, entry {i + 1}",
            hint="Give that outcome a small probability in q (for example 0.001) and normalise.",
        )


def _pair_and_base(p, q, base, tolerance) -> tuple[np.ndarray, np.ndarray, float]:
    """Two checked distributions of one length, ``q`` positive where ``p`` is, and ln(base)."""
    pp = _as_distribution(p, name="distribution p", tolerance=tolerance)
    qq = _as_distribution(q, name="distribution q", tolerance=tolerance)
    _check_same_length(pp, qq)
    _check_support(pp, qq)
    return pp, qq, _log_of_base(base)


def softmax(z: Sequence[float] | np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Turn scores (logits) into probabilities: ``exp(z_k / T) / sum_j exp(z_j / T)``.

    Computed stably: the largest score is subtracted first, which changes nothing in the
    result (softmax ignores a constant added to every score) but avoids overflow.

    Parameters
    ----------
    z : sequence of float, or 2-D array of shape (n_rows, n_classes)
        The scores, one per class; any real numbers. A 2-D array is a table of logits, one
        row per example, and each row becomes its own distribution (the held-out rows'
        logits, for instance); only a 1-D list is bounded by ``MAX_ENTRIES``.
    temperature : float, default 1.0
        ``T > 0``. Above 1 flattens the probabilities toward uniform; below 1 sharpens them
        toward the largest score.

    Returns
    -------
    numpy.ndarray
        Probabilities, same shape as ``z``, each in [0, 1], each row adding up to 1.

    Raises
    ------
    SoftmaxLabError
        If ``z`` is empty or not all finite numbers, or ``temperature`` is not positive.

    Examples
    --------
    >>> softmax([2.0, 1.0, 0.1]).round(3)
    array([0.659, 0.242, 0.099])
    >>> softmax([1000, 1001]).round(3)          # no overflow
    array([0.269, 0.731])
    >>> softmax([2.0, 1.0, 0.1], temperature=100).round(3)
    array([0.337, 0.333, 0.33 ])
    >>> softmax(np.array([[0.0, 0.0], [0.0, np.log(3)]])).round(3)   # one row per example
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    scores = _as_score_table(z) if np.ndim(z) == 2 else _as_numbers(z, name="scores")
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        t = float("nan")
    if not math.isfinite(t) or t <= 0:
        raise SoftmaxLabError(
            f"The temperature is {temperature!r}, but it must be a number above 0",
            where="temperature",
            hint="Use 1 for the plain softmax, more than 1 to flatten, less than 1 to sharpen.",
        )
    scaled = scores / t
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


def _as_score_table(z) -> np.ndarray:
    """A 2-D table of logits (one row per example): non-empty, numbers, all finite."""
    try:
        table = np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise SoftmaxLabError(
            "The scores must all be numbers", where="scores", hint="Use plain numbers."
        ) from None
    if table.size == 0:
        raise SoftmaxLabError("The scores are empty", where="scores", hint="Give some scores.")
    if not np.all(np.isfinite(table)):
        raise SoftmaxLabError(
            "Some scores are not finite numbers",
            where="scores",
            hint="Use ordinary numbers (no 'nan' or 'inf').",
        )
    return table


def normalise(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Divide non-negative numbers by their total so that they add up to 1.

    Parameters
    ----------
    p : sequence of float
        Non-negative numbers (counts, percentages, weights), not all zero.

    Returns
    -------
    numpy.ndarray
        ``p / sum(p)``.

    Raises
    ------
    SoftmaxLabError
        If a number is negative or not a number, or all are zero.

    Examples
    --------
    >>> normalise([1, 1, 2])
    array([0.25, 0.25, 0.5 ])
    >>> normalise([30, 70])
    array([0.3, 0.7])
    """
    numbers = _as_numbers(p, name="numbers")
    negative = np.flatnonzero(numbers < 0)
    if negative.size:
        i = int(negative[0])
        raise SoftmaxLabError(
            f"Entry {i + 1} is {numbers[i]:g}; only numbers of 0 or more can be normalised",
            where=f"entry {i + 1}",
            hint="Remove the minus sign or use the softmax calculator for scores.",
        )
    total = numbers.sum()
    if total <= 0:
        raise SoftmaxLabError(
            "All the numbers are 0, so there is nothing to share out",
            where="numbers",
            hint="Give at least one number above 0.",
        )
    return numbers / total


def can_normalise(
    values: Sequence[float] | np.ndarray, *, tolerance: float = SUM_TOLERANCE
) -> bool:
    """Whether offering "normalise" would fix these numbers as a probability distribution.

    True when every entry is a finite number of 0 or more, not all are 0, and their total is
    not 1 (within ``tolerance``); False otherwise (including when they already add up to 1, or
    when a negative or non-number entry needs correcting by hand).

    Parameters
    ----------
    values : sequence of float
        The numbers as typed (after :func:`parse_numbers`).
    tolerance : float, default ``SUM_TOLERANCE``

    Returns
    -------
    bool

    Examples
    --------
    >>> can_normalise([30, 70]), can_normalise([0.5, 0.5]), can_normalise([-1, 2])
    (True, False, False)
    """
    try:
        numbers = _as_numbers(values, name="numbers")
    except SoftmaxLabError:
        return False
    total = float(numbers.sum())
    return bool(np.all(numbers >= 0) and total > 0 and abs(total - 1.0) > tolerance)


def entropy_terms(
    p: Sequence[float] | np.ndarray, base: float | str = 2, *, tolerance: float = SUM_TOLERANCE
) -> np.ndarray:
    """Each outcome's share of the entropy: ``-p_i log_b p_i`` (0 where ``p_i = 0``).

    Parameters
    ----------
    p : sequence of float
        A probability distribution.
    base : {2, math.e, "bits", "nats"}, default 2
        Logarithm base.
    tolerance : float, default ``SUM_TOLERANCE``
        How far from 1 the total of ``p`` may be.

    Returns
    -------
    numpy.ndarray
        One non-negative term per outcome; their sum is :func:`entropy`.

    Examples
    --------
    >>> entropy_terms([0.5, 0.25, 0.25])
    array([0.5, 0.5, 0.5])
    """
    probs = _as_distribution(p, name="distribution p", tolerance=tolerance)
    ln_b = _log_of_base(base)
    terms = np.zeros_like(probs)
    positive = probs > 0
    terms[positive] = -probs[positive] * np.log(probs[positive]) / ln_b
    return terms


def entropy(
    p: Sequence[float] | np.ndarray, base: float | str = 2, *, tolerance: float = SUM_TOLERANCE
) -> float:
    """Entropy ``H(p) = -sum_i p_i log_b p_i``: how unsure the distribution is.

    0 when one outcome is certain; ``log_b(n)`` (the most) when all ``n`` are equally likely.

    Parameters
    ----------
    p : sequence of float
        Probabilities, non-negative, adding up to 1.
    base : {2, math.e, "bits", "nats"}, default 2
        2 gives bits, e gives nats.
    tolerance : float, default ``SUM_TOLERANCE``
        How far from 1 the total of ``p`` may be.

    Returns
    -------
    float

    Raises
    ------
    SoftmaxLabError
        If ``p`` is empty, has a negative or non-number entry, or does not add up to 1.

    Examples
    --------
    >>> entropy([0.5, 0.5])
    1.0
    >>> entropy([0.25, 0.25, 0.25, 0.25])
    2.0
    >>> entropy([1.0, 0.0])
    0.0
    >>> round(entropy([0.5, 0.5], base="nats"), 4)
    0.6931
    """
    return float(entropy_terms(p, base, tolerance=tolerance).sum())


def cross_entropy_terms(
    p: Sequence[float] | np.ndarray,
    q: Sequence[float] | np.ndarray,
    base: float | str = 2,
    *,
    tolerance: float = SUM_TOLERANCE,
) -> np.ndarray:
    """Each outcome's share of the cross-entropy: ``-p_i log_b q_i`` (0 where ``p_i = 0``).

    Parameters
    ----------
    p : sequence of float
        The true distribution (for a labelled row: 1 for its class, 0 elsewhere).
    q : sequence of float
        The predicted distribution, same length.
    base : {2, math.e, "bits", "nats"}, default 2
    tolerance : float, default ``SUM_TOLERANCE``

    Returns
    -------
    numpy.ndarray
        One term per outcome; their sum is :func:`cross_entropy`.

    Examples
    --------
    >>> cross_entropy_terms([1, 0, 0], [0.5, 0.25, 0.25])
    array([1., 0., 0.])
    """
    pp, qq, ln_b = _pair_and_base(p, q, base, tolerance)
    terms = np.zeros_like(pp)
    positive = pp > 0
    terms[positive] = -pp[positive] * np.log(qq[positive]) / ln_b
    return terms


def cross_entropy(
    p: Sequence[float] | np.ndarray,
    q: Sequence[float] | np.ndarray,
    base: float | str = 2,
    *,
    tolerance: float = SUM_TOLERANCE,
) -> float:
    """Cross-entropy ``H(p, q) = -sum_i p_i log_b q_i``: the cost of predicting q when p is true.

    Equal to ``H(p) + KL(p || q)``, so never below the entropy of ``p``. With ``p`` one-hot
    on a row's true class and ``q`` the model's probabilities, it is that row's log-loss
    (in nats).

    Parameters
    ----------
    p : sequence of float
        The true distribution.
    q : sequence of float
        The predicted distribution, same length.
    base : {2, math.e, "bits", "nats"}, default 2
    tolerance : float, default ``SUM_TOLERANCE``

    Returns
    -------
    float

    Raises
    ------
    SoftmaxLabError
        On invalid distributions, different lengths, or when ``q`` gives probability 0 to an
        outcome ``p`` says can happen (the cross-entropy would be infinite).

    Examples
    --------
    >>> cross_entropy([1, 0], [0.5, 0.5])
    1.0
    >>> round(cross_entropy([0.5, 0.5], [0.25, 0.75]), 4)
    1.2075
    >>> round(cross_entropy([0, 1, 0], [0.2, 0.7, 0.1], base="nats"), 4)   # -ln 0.7
    0.3567
    """
    return float(cross_entropy_terms(p, q, base, tolerance=tolerance).sum())


def kl_divergence_terms(
    p: Sequence[float] | np.ndarray,
    q: Sequence[float] | np.ndarray,
    base: float | str = 2,
    *,
    tolerance: float = SUM_TOLERANCE,
) -> np.ndarray:
    """Each outcome's share of the KL divergence: ``p_i log_b(p_i / q_i)`` (0 where ``p_i = 0``).

    Single terms can be negative; their sum, :func:`kl_divergence`, never is.

    Parameters
    ----------
    p, q : sequence of float
        The true and the predicted distribution, same length.
    base : {2, math.e, "bits", "nats"}, default 2
    tolerance : float, default ``SUM_TOLERANCE``

    Returns
    -------
    numpy.ndarray
        One term per outcome.

    Raises
    ------
    SoftmaxLabError
        As :func:`cross_entropy`.

    Examples
    --------
    >>> kl_divergence_terms([0.5, 0.5], [0.25, 0.75]).round(4)
    array([ 0.5   , -0.2925])
    """
    pp, qq, ln_b = _pair_and_base(p, q, base, tolerance)
    terms = np.zeros_like(pp)
    positive = pp > 0
    terms[positive] = pp[positive] * (np.log(pp[positive]) - np.log(qq[positive])) / ln_b
    return terms


def kl_divergence(
    p: Sequence[float] | np.ndarray,
    q: Sequence[float] | np.ndarray,
    base: float | str = 2,
    *,
    tolerance: float = SUM_TOLERANCE,
) -> float:
    """KL divergence ``KL(p || q) = sum_i p_i log_b(p_i / q_i)``: the extra cost of q over p.

    ``cross_entropy(p, q) - entropy(p)``; 0 exactly when ``q`` equals ``p``; not symmetric.

    Parameters
    ----------
    p : sequence of float
        The true distribution.
    q : sequence of float
        The predicted distribution, same length.
    base : {2, math.e, "bits", "nats"}, default 2
    tolerance : float, default ``SUM_TOLERANCE``

    Returns
    -------
    float
        Non-negative (tiny negative rounding is reported as 0).

    Raises
    ------
    SoftmaxLabError
        As :func:`cross_entropy`.

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 4)
    0.2075
    """
    return max(0.0, float(kl_divergence_terms(p, q, base, tolerance=tolerance).sum()))


def parse_numbers(text: str, *, max_entries: int = MAX_ENTRIES) -> np.ndarray:
    """Read numbers typed in a box: separated by commas, semicolons, spaces or new lines.

    Accepts a unicode minus (``−2``), full-width digits, ``1e-3`` and ``1_000``. A comma is
    always a separator, never a decimal mark (``0,5`` is two numbers: 0 and 5).

    Parameters
    ----------
    text : str
        What the person typed.
    max_entries : int, default ``MAX_ENTRIES``
        The most numbers accepted.

    Returns
    -------
    numpy.ndarray
        The numbers, in order, as floats.

    Raises
    ------
    SoftmaxLabError
        If nothing is typed, an entry is not a finite number (the message names it and its
        position), or there are too many entries.

    Examples
    --------
    >>> parse_numbers("2, 1  0.1")
    array([2. , 1. , 0.1])
    >>> parse_numbers("\u22121.5; 3")
    array([-1.5,  3. ])
    >>> parse_numbers("1, two")
    Traceback (most recent call last):
    ...
    dashboard.errors.SoftmaxLabError: 'two' is not a number (entry 2). Type numbers such as 0.25 or -1.5, separated by commas.
    """
    if not isinstance(text, str):
        raise SoftmaxLabError(
            "Expected typed text", where="numbers", hint="Type numbers separated by commas."
        )
    entries = read_number_list(text)
    if not entries:
        raise SoftmaxLabError(
            "No numbers were typed",
            where="numbers",
            hint="Type numbers separated by commas, such as 2, 1, 0.1.",
        )
    if len(entries) > max_entries:
        raise SoftmaxLabError(
            f"{len(entries)} numbers were typed; at most {max_entries} are accepted",
            where="numbers",
            hint="Use fewer numbers.",
        )
    for i, entry in enumerate(entries):
        if entry.value is None or not math.isfinite(entry.value):
            hint = "Type numbers such as 0.25 or -1.5, separated by commas."
            if entry.text.endswith("%"):
                hint = "Type percentages as decimals (50% is 0.5), or normalise them."
            raise SoftmaxLabError(
                f"{_describe(entry.text)} is not a number", where=f"entry {i + 1}", hint=hint
            )
    return np.array([entry.value for entry in entries], dtype=float)
